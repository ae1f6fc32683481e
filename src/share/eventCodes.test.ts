import { describe, expect, it } from 'vitest';
import { EVENT_FIELDS, EVENT_TYPES, validateEvent, type Event } from '../model/machine/events.ts';
import { compactEvent, EVENT_CODES_V1, expandEvent } from './eventCodes.ts';

describe('link v1 event codes', () => {
  it('give every event type of the model exactly one code, 0..n-1 with no gaps or reuse', () => {
    const codes = EVENT_TYPES.map((t) => EVENT_CODES_V1[t][0]);
    expect(new Set(codes).size).toBe(EVENT_TYPES.length);
    expect([...codes].sort((a, b) => a - b)).toEqual(EVENT_TYPES.map((_, i) => i));
    expect(Object.keys(EVENT_CODES_V1).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('list each event\'s fields under the model\'s names and kinds, in EVENT_FIELDS order', () => {
    for (const type of EVENT_TYPES) {
      const model = Object.entries(EVENT_FIELDS[type]).map(([raw, kind]) => {
        const name = raw.replace(/\?$/, '');
        if (typeof kind === 'object') return { name, kind: 'enum', values: [...kind.oneOf].sort() };
        return { name, kind: kind === 'bool' ? 'bool' : 'int' };
      });
      const link = EVENT_CODES_V1[type][1].map((f) => (f.kind === 'enum' ? { name: f.name, kind: f.kind, values: [...f.values].sort() } : { name: f.name, kind: f.kind }));
      expect([type, link]).toEqual([type, model]);
    }
  });

  it('are the ones links were first made with (a golden list: changing it breaks every shared link)', () => {
    expect(Object.fromEntries(EVENT_TYPES.map((t) => [t, EVENT_CODES_V1[t][0]]))).toEqual({
      cpu_fault: 0, cpu_access: 1, mmap: 2, munmap: 3, mprotect: 4, fork: 5, exit: 6, uffd_wp: 7, uffdio_poison: 8,
      madvise_guard_install: 9, folio_get: 10, folio_put: 11, pin_user_pages: 12, migrate_vma_setup: 13, migrate_vma_pages: 14,
      migrate_vma_finalize: 15, migrate_device_range: 16, migrate_device_pages: 17, migrate_device_finalize: 18,
      migrate_folio_unmap: 19, migrate_folio_move: 20, make_device_exclusive: 21, memory_failure: 22, swap_out: 23,
      hmm_migrate_to_dev: 24, hmm_migrate_to_sys: 25, hmm_release: 26, hmm_exclusive: 27, hmm_check_exclusive: 28,
      hmm_write: 29, hmm_read: 30, hmm_snapshot: 31, madvise: 32, mremap: 33, hmm_flags: 34, pagemap_read: 35,
    });
  });
});

describe('compactEvent and expandEvent', () => {
  const cases: [Event, unknown[]][] = [
    [{ type: 'cpu_fault', pid: 1, index: 1, access: 'write' }, [0, 1, 1, 1]],
    [{ type: 'cpu_access', pid: 1, start: 0, pages: 16, access: 'rmw' }, [1, 1, 0, 16, 2]],
    [{ type: 'cpu_access', pid: 1, start: 0, pages: 16, access: 'write', value: -7 }, [1, 1, 0, 16, 1, -7]],
    [{ type: 'mmap', pid: 1, start: 0, pages: 8, prot: 'rw', file: true }, [2, 1, 0, 8, 2, null, 1]],
    [{ type: 'mmap', pid: 1, start: 0, pages: 8, prot: 'none', shared: false }, [2, 1, 0, 8, 0, 0]],
    [{ type: 'migrate_vma_setup', pid: 1, start: 1, pages: 1, select: 'device_private', device: 3 }, [13, 1, 1, 1, 1, 3]],
    [{ type: 'migrate_vma_pages' }, [14]],
    [{ type: 'migrate_vma_pages', failAlloc: true }, [14, 1]],
    [{ type: 'hmm_release', device: 7 }, [26, 7]],
    [{ type: 'migrate_vma_setup', pid: 1, start: 0, pages: 512, select: 'system', device: 0, compound: true }, [13, 1, 0, 512, 0, 0, 1]],
    [{ type: 'madvise', pid: 1, start: 0, pages: 512, advice: 'collapse' }, [32, 1, 0, 512, 2]],
    [{ type: 'mremap', pid: 1, start: 0, pages: 512, to: 1024, dontunmap: true }, [33, 1, 0, 512, 1024, 1]],
    [{ type: 'hmm_flags', device: 0, failAlloc: true }, [34, 0, 1]],
    [{ type: 'pagemap_read', pid: 1, start: 0, pages: 512 }, [35, 1, 0, 512]],
  ];

  it.each(cases)('%j is %j, and back', (event, compact) => {
    expect(compactEvent(event)).toEqual(compact);
    const r = expandEvent(compact, 'e');
    expect(r.ok && validateEvent(r.event)).toEqual({ ok: true, event });
  });

  it.each([
    ['not an array', { type: 'fork' }, /is not an event/],
    ['empty', [], /is not an event/],
    ['an unknown code', [99], /unknown event code 99/],
    ['a string code', ['0'], /unknown event code "0"/],
    ['too many fields', [5, 1, 2], /\(fork\) has 2 fields; at most 1/],
    ['a bool that is not 0/1', [14, 2], /failAlloc \(migrate_vma_pages\) must be 0 or 1/],
    ['an enum code out of range', [0, 1, 1, 2], /access \(cpu_fault\) must be a value code 0..1 \(read, write\)/],
    ['a negative enum code', [0, 1, 1, -1], /must be a value code/],
    ['a field that is not a number', [5, '1'], /pid \(fork\) must be an integer code/],
    ['a fractional number', [5, 1.5], /must be an integer code/],
    ['a nested array', [5, [[1]]], /must be an integer code/],
    ['a deeply nested code', [JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)) as unknown], /unknown event code \(a list\)/],
    ['a long string code', ['x'.repeat(1000)], /unknown event code "x{17}\.\.\."/],
  ])('expandEvent refuses %s', (_name, x, want) => {
    const r = expandEvent(x, 'e');
    expect(r.ok ? 'ok' : r.error).toMatch(want);
  });
});
