/**
 * Address-space changes (mm/mmap.c, mm/vma.c): mmap, munmap (zap_pte_range drops what each entry
 * held) and exit; the MMU notifier that makes a device forget an unmapped range.
 */
import { describe, expect, it } from 'vitest';
import { ev, M, onDevice, UFFD } from '../../../../test/machine.ts';
import { readPmd } from '../pagetable.ts';
import type { MachineSetup } from '../types.ts';

const vmas = (m: M, pid = 1) => m.state.processes.find((p) => p.pid === pid)!.vmas.map((v) => [v.start, v.pages, v.prot, v.shared, v.anon]);

describe('mmap', () => {
  it('adds a VMA with its flags, kept in address order; no PTE is filled', () => {
    const m = new M().do(ev.mmap(12, 2, 'read', true, true), ev.mmap(8, 1, 'none'));
    expect(vmas(m)).toEqual([[0, 8, 'rw', false, true], [8, 1, 'none', false, true], [12, 2, 'read', true, false]]);
    expect(m.why('do_mmap')).toBe('a new private anonymous VMA, no PTEs yet (they are filled by faults).');
    expect(new M().do(ev.mmap(12, 2, 'read', true, true)).why('do_mmap')).toBe('a new shared file VMA, no PTEs yet (they are filled by faults).');
  });

  it('an overlap with an existing VMA is refused', () => {
    expect(new M().refused(ev.mmap(7, 2, 'rw'))).toBe('PTEs 7..8 overlap an existing VMA (this model does not do MAP_FIXED replacement)');
    expect(new M().do(ev.mmap(8, 2, 'rw')).refused(ev.mmap(9, 1, 'rw'))).toMatch(/overlap/);
  });

  it('a VMA right after or right before another is not an overlap', () => {
    expect(vmas(new M().do(ev.mmap(8, 8, 'rw')))).toHaveLength(2);
    expect(vmas(new M().do(ev.mmap(12, 2, 'rw'), ev.mmap(10, 2, 'rw'))).map((v) => v[0])).toEqual([0, 10, 12]);
  });
});

describe('munmap (do_vmi_munmap -> zap_pte_range)', () => {
  it('splits the VMA around the hole and clears the PTEs; a present page loses its mapping and is freed', () => {
    const m = new M().do(ev.write(3), ev.munmap(2, 2));
    expect(vmas(m)).toEqual([[0, 2, 'rw', false, true], [4, 4, 'rw', false, true]]);
    expect(m.pte(3)).toBe(0n);
    expect(m.page(0x1234)).toMatchObject({ allocated: false, mapcount: 0, data: null, dirty: false, anonExclusive: false });
    expect(m.fns()).toEqual(['do_vmi_munmap', 'zap_pte_range']);
  });

  it('a hole in a VMA that does not start at 0 keeps both ends', () => {
    expect(vmas(new M().do(ev.mmap(8, 4, 'rw'), ev.munmap(10, 1)))).toEqual([[0, 8, 'rw', false, true], [8, 2, 'rw', false, true], [11, 1, 'rw', false, true]]);
  });

  it('a whole VMA, or the head or tail of one, goes away', () => {
    expect(vmas(new M().do(ev.munmap(0, 8)))).toEqual([]);
    expect(vmas(new M().do(ev.munmap(0, 3)))).toEqual([[3, 5, 'rw', false, true]]);
    expect(vmas(new M().do(ev.munmap(5, 3)))).toEqual([[0, 5, 'rw', false, true]]);
  });

  it('a device-private entry: the device page is freed and leaves the device\'s page table', () => {
    const m = onDevice().do({ type: 'hmm_read', pid: 1, start: 1, pages: 1, device: 0 });
    expect(Object.keys(m.state.devices[0]!.mirror)).toEqual(['1:1']);
    m.do(ev.munmap(1));
    expect(m.page(0x10)).toMatchObject({ allocated: false, mapcount: 0 });
    expect(m.state.devices[0]!.mirror).toEqual({});
  });

  it('the MMU notifier drops the device\'s mappings of the range, and only those', () => {
    const m = new M().do({ type: 'hmm_write', pid: 1, start: 0, pages: 4, device: 0 }, ev.munmap(1, 2));
    expect(Object.keys(m.state.devices[0]!.mirror).sort()).toEqual(['1:0', '1:3']);
    expect(m.why('dmirror_interval_invalidate')).toBe('the MMU notifier makes device 0 drop 2 mapping(s).');
    const n = new M().do({ type: 'hmm_write', pid: 1, start: 0, pages: 1, device: 0 }, ev.munmap(4, 2));
    expect(n.fns()).not.toContain('dmirror_interval_invalidate');
  });

  it('markers and hwpoison entries are just cleared; a pinned page stays allocated', () => {
    const m = new M().do(ev.guard(1), ev.write(2), ev.poison(2), ev.write(3), ev.pin(3), ev.munmap(0, 8));
    expect([1, 2, 3].map((i) => m.pte(i))).toEqual([0n, 0n, 0n]);
    expect(m.page(0x5678)).toMatchObject({ allocated: true, pins: 1, mapcount: 0 });
    m.consistent();
  });
});

describe('munmap: what zap_pte_range drops for each kind of entry (mm/memory.c)', () => {
  it('the sentences name the range and what is dropped', () => {
    const m = new M().do(ev.write(3), ev.munmap(2, 2));
    expect(m.why('do_vmi_munmap')).toBe('unmaps PTEs 2..3.');
    expect(m.why('zap_pte_range')).toBe('drops every mapping: rmap and references, swap slot counts; migration entries are just cleared.');
  });

  it('a device-exclusive entry: the page loses its mapping and is freed; the device drops its atomic mapping', () => {
    const m = new M().do(ev.write(1), ev.exclusive(1));
    expect(m.type(1)).toBe('SWP_DEVICE_EXCLUSIVE');
    m.do(ev.munmap(1));
    expect(m.pte(1)).toBe(0n);
    expect(m.page(0x1234)).toMatchObject({ allocated: false, mapcount: 0 });
    expect(m.state.devices[0]!.mirror).toEqual({});
    m.consistent();
  });

  it('a migration entry is just cleared: the migration in flight forgets the PTE, so nothing is mapped there afterwards', () => {
    const m = new M().do(ev.write(1), ev.unmap(1), ev.munmap(1));
    expect(m.pte(1)).toBe(0n);
    expect(m.state.migrations.flatMap((g) => g.srcs.flatMap((s) => s.ptes))).toEqual([]);
    m.do(ev.move());
    expect(m.pte(1)).toBe(0n);
    expect(m.page(0x1234).allocated).toBe(false);
    expect(m.page(0x5678).mapcount).toBe(0);
    m.consistent();
  });

  it('a device migration entry (the series\' SWP_MIGRATION_DEVICE_*) is just cleared too: the migration forgets it', () => {
    const m = onDevice({ profile: 'series' }).do(ev.fromDevice(1));
    expect(m.type(1)).toMatch(/^SWP_MIGRATION_DEVICE_/);
    m.do(ev.munmap(1));
    expect(m.pte(1)).toBe(0n);
    expect(m.state.migrations.flatMap((g) => g.srcs.flatMap((s) => s.ptes))).toEqual([]);
    m.do(ev.pages(), ev.finalize());
    expect(m.pte(1)).toBe(0n);
    m.consistent();
  });

  /** A VM_HUGEPAGE VMA over two 2 MiB ranges (two PTE tables); one THP of RAM at pfn 0x12400. */
  const THP: MachineSetup = { ptes: 1024, processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: 1024, prot: 'rw', thp: true }] }], ram: ['0x1234'], hugeRam: ['0x12400'] };
  const hasTable = (m: M, chunk: number) => Boolean(m.state.processes[0]!.ptes.chunks[chunk]);

  it('a whole huge PMD goes at once (zap_huge_pmd); the THP is freed with it', () => {
    const m = new M({ setup: THP }).do(ev.write(0), ev.munmap(0, 512));
    expect(m.fns()).toContain('zap_huge_pmd');
    expect(m.fns()).not.toContain('__split_huge_pmd');
    expect(m.page(0x12400)).toMatchObject({ allocated: false, entireMapcount: 0 });
    expect(hasTable(m, 0)).toBe(false);
    m.consistent();
  });

  it('part of a huge PMD: it is split first, the rest stays mapped by PTEs of the still-large folio', () => {
    const m = new M({ setup: THP }).do(ev.write(0), ev.munmap(0, 10));
    expect(m.fns()).toContain('__split_huge_pmd');
    expect([m.pte(9), m.decoded(10).present?.pfn]).toEqual([0n, 0x1240a]);
    expect(m.page(0x12400)).toMatchObject({ allocated: true, order: 9 });
    expect(hasTable(m, 0)).toBe(true);
    m.consistent();
  });

  it.each([
    ['covers a whole PTE table: the table is freed (free_pgtables)', 512, false],
    ['leaves one PTE of the table: the table stays', 511, true],
  ] as const)('a range that %s', (_w, pages, kept) => {
    const small: MachineSetup = { ...THP, processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: 1024, prot: 'rw' }] }] };
    const m = new M({ setup: small }).do(ev.write(600), ev.munmap(512, pages));
    expect([hasTable(m, 1), m.pte(600)]).toEqual([kept, 0n]);
  });
});

describe('exit (exit_mmap)', () => {
  it('zaps every VMA and leaves the process dead; events for it are refused', () => {
    const m = new M().do(ev.mmap(8, 2, 'rw'), ev.write(1), ev.write(9), { type: 'exit', pid: 1 });
    expect(m.state.processes[0]).toMatchObject({ alive: false, vmas: [] });
    expect(m.fns()).toEqual(['exit_mmap', 'unmap_vmas', 'unmap_vmas']);
    expect(m.why('exit_mmap')).toBe('pid 1 exits: every VMA is unmapped.');
    expect([m.page(0x1234).allocated, m.page(0x5678).allocated]).toEqual([false, false]);
    expect(m.refused(ev.read(1))).toBe('there is no process 1');
    expect(m.refused(ev.fork())).toBe('there is no process 1');
  });

  it('frees the page tables its VMAs covered (free_pgtables)', () => {
    const m = new M({ setup: { ptes: 512, processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: 512, prot: 'rw' }] }] } }).do(ev.write(1), { type: 'exit', pid: 1 });
    expect(m.state.processes[0]!.ptes.chunks.every((c) => !c)).toBe(true);
  });

  it('the device forgets what the process had mapped', () => {
    const m = new M().do({ type: 'hmm_write', pid: 1, start: 0, pages: 2, device: 0 }, { type: 'exit', pid: 1 });
    expect(m.state.devices[0]!.mirror).toEqual({});
  });
});

describe('fork (dup_mmap): the child\'s VMAs lose their userfaultfd registration (no UFFD_FEATURE_EVENT_FORK)', () => {
  it('a uffd-wp protected THP: the child\'s VMA has no VM_UFFD_WP and its PMD no uffd-wp bit; the parent keeps both', () => {
    const THP: MachineSetup = { ptes: 512, processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: 512, prot: 'rw', thp: true }] }], hugeRam: ['0x12400'] };
    const m = new M({ setup: THP }).do(ev.write(0), ev.uffdWp(0, 512, true, true), ev.fork());
    const uffd = (pid: number) => (readPmd(m.state.processes.find((p) => p.pid === pid)!.ptes, 0) & UFFD) !== 0n;
    const flags = (pid: number) => m.state.processes.find((p) => p.pid === pid)!.vmas.map((v) => [v.uffdWp, v.uffdWpUnpopulated]);
    expect([uffd(1), uffd(2)]).toEqual([true, false]);
    expect([flags(1), flags(2)]).toEqual([[[true, true]], [[false, false]]]);
    m.consistent();
  });
});
