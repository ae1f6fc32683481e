/**
 * The machine at PMD level, sentence by sentence: what a THP fault, fork, mremap, MADV_COLLAPSE /
 * MADV_FREE, HMM_DMIRROR_SNAPSHOT and a pagemap read do to huge PMDs, and the folio bookkeeping
 * behind them (pmd-and-thp.md §c, §e, §f).
 */
import { describe, expect, it } from 'vitest';
import { THP_SETUP_WIDE } from '../../../../test/machine.ts';
import { vectorsOf } from '../../../../test/pmdVectors.ts';
import { DEFAULT_CONFIG } from '../../kernel/config.ts';
import { decodePmd, decodePte } from '../../kernel/decode.ts';
import { getKernel } from '../../kernel/kernel.ts';
import type { ProfileId } from '../../kernel/profiles.ts';
import { hex64 } from '../../kernel/u64.ts';
import type { Event } from '../events.ts';
import { createMachine } from '../init.ts';
import { eventChoices } from '../catalog.ts';
import { checkInvariants } from '../invariants.ts';
import { pageAt } from '../pagestore.ts';
import { readPmd, readPte } from '../pagetable.ts';
import { step } from '../step.ts';
import type { EventResult, MachineSetup, MachineState, TraceEntry } from '../types.ts';

const kernel73 = getKernel('7.3', DEFAULT_CONFIG, { arch: 'x86_64', paging: 4, migrationAd: true });

const SETUP: MachineSetup = THP_SETUP_WIDE;

interface Played {
  readonly s: MachineState;
  readonly traces: readonly (readonly TraceEntry[])[];
  readonly results: readonly EventResult[];
}

function play(events: readonly Event[], profile: ProfileId = '7.3', setup: MachineSetup = SETUP): Played {
  let s = createMachine(setup, { profile, config: DEFAULT_CONFIG, platform: { arch: 'x86_64', paging: 4, migrationAd: true } });
  const traces: (readonly TraceEntry[])[] = [];
  const results: EventResult[] = [];
  for (const [i, e] of events.entries()) {
    const r = step(s, e);
    if (!r.ok) throw new Error(`event ${i} (${e.type}) refused: ${r.reason}`);
    s = r.state;
    traces.push(r.trace);
    results.push(r.result);
  }
  const broken = checkInvariants(s).filter((x) => !x.ok);
  if (broken.length) throw new Error(`at the end: ${broken.map((b) => `${b.id}: ${b.violations[0]?.message}`).join('; ')}`);
  return { s, traces, results };
}

const proc = (s: MachineState, pid = 1) => s.processes.find((p) => p.pid === pid)!.ptes;
const pmdAt = (s: MachineState, index: number, pid = 1) => hex64(readPmd(proc(s, pid), index));
const pteAt = (s: MachineState, index: number, pid = 1) => hex64(readPte(proc(s, pid), index));
const fns = (t: readonly TraceEntry[]) => t.map((x) => x.fn);

const write = (index: number, pid = 1): Event => ({ type: 'cpu_fault', pid, index, access: 'write' });
const read = (index: number, pid = 1): Event => ({ type: 'cpu_fault', pid, index, access: 'read' });
const toDev = (start = 0): Event => ({ type: 'hmm_migrate_to_dev', pid: 1, start, pages: 512, device: 0 });

describe('THP faults', () => {
  it('a write fault in a VM_HUGEPAGE VMA maps one 2 MiB folio: one PMD, no PTE table, entire mapcount 1, PageAnonExclusive on the head', () => {
    const { s } = play([write(7)]);
    expect(pmdAt(s, 0)).toBe('0x80000000124008e7');
    expect(proc(s).chunks[0]!.pmd).not.toBeNull();
    expect(readPte(proc(s), 7)).toBe(0n);
    const head = pageAt(s.pages, proc(s).chunks[0]!.pmd!.target)!;
    expect([head.number, head.order, head.entireMapcount, head.anonExclusive, head.mapcount]).toEqual([0x12400, 9, 1, true, 0]);
  });
  it('without VM_HUGEPAGE, or when the VMA does not cover the 2 MiB, the fault maps a 4 KiB page', () => {
    const small = play([write(0)], '7.3', { ...SETUP, processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: 1024, prot: 'rw' }] }] });
    expect(readPmd(proc(small.s), 0)).toBe(0n);
    expect(pteAt(small.s, 0)).toBe('0x8000000001234867');
    const cut = play([write(0)], '7.3', { ...SETUP, processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: 300, prot: 'rw', thp: true }] }] });
    expect(readPmd(proc(cut.s), 0)).toBe(0n);
  });
  it('a write to the huge zero PMD gets a new THP (do_huge_zero_wp_pmd)', () => {
    const { s, traces } = play([read(0), write(3)]);
    expect(fns(traces[0]!)).toContain('set_huge_zero_folio');
    expect(fns(traces[1]!)).toContain('do_huge_zero_wp_pmd');
    expect(pmdAt(s, 0)).toBe('0x80000000124008e7');
  });
});

describe('fork over a present THP', () => {
  it('both PMDs become read-only, the child\'s old; the folio is shared (entire mapcount 2); a write in the child splits its PMD and copies one 4 KiB page', () => {
    const forked = play([write(0), { type: 'fork', pid: 1 }]);
    expect(pmdAt(forked.s, 0, 1)).toBe('0x84000000124008a5');
    expect(pmdAt(forked.s, 0, 2)).toBe('0x8400000012400885');
    const head = pageAt(forked.s.pages, proc(forked.s).chunks[0]!.pmd!.target)!;
    expect([head.entireMapcount, head.anonExclusive]).toEqual([2, false]);
    const { s, traces } = play([write(0), { type: 'fork', pid: 1 }, write(5, 2)]);
    expect(fns(traces[2]!)).toEqual(expect.arrayContaining(['do_huge_pmd_wp_page', '__split_huge_pmd_locked', 'do_wp_page', 'wp_page_copy']));
    expect(readPmd(proc(s, 2), 0)).toBe(0n);
    expect(decodePte(kernel73, readPte(proc(s, 2), 5)).summary).toMatch(/^present pfn=0x1234 RW/);
    expect(pmdAt(s, 0, 1)).toBe('0x84000000124008a5');
  });
});


describe('mremap (move_page_tables)', () => {
  it('moving a whole device-private PMD to an aligned address moves the PMD as is: move_soft_dirty_pmd() does not mark it (the mremap-devpriv vector)', () => {
    const { s, traces } = play([write(0), toDev(), { type: 'mremap', pid: 1, start: 0, pages: 512, to: 1024 }]);
    expect(fns(traces[2]!)).toContain('move_huge_pmd');
    expect(traces[2]!.find((t) => t.fn === 'move_huge_pmd')!.why).toMatch(/a device-private PMD is not marked soft-dirty \(move_soft_dirty_pmd\(\)\)\.$/);
    expect(readPmd(proc(s), 0)).toBe(0n);
    expect(pmdAt(s, 1024)).toBe('0xe7fffffffffbfe02');
    const mig = play([write(0), { type: 'migrate_folio_unmap', pid: 1, index: 0 }, { type: 'mremap', pid: 1, start: 0, pages: 512, to: 1024 }]);
    // a migration PMD gets the swap soft-dirty bit (it had it already from the dirty THP)
    expect(pmdAt(mig.s, 1024)).toBe('0xdfffe7fffdb7fe02');
    expect(vectorsOf('move_huge_pmd').map((v) => v.id)).toContain('mremap-devpriv-write-s-7.3');
  });
  it('moving it to an unaligned address splits it first and marks every moved PTE soft-dirty', () => {
    const clean = play([write(0), toDev(), { type: 'mprotect', pid: 1, start: 0, pages: 512, prot: 'read' }, { type: 'mprotect', pid: 1, start: 0, pages: 512, prot: 'rw' }]);
    expect(decodePmd(kernel73, readPmd(proc(clean.s), 0)).swap!.softDirty).toBe(false);
    const { s, traces } = play([write(0), toDev(), { type: 'mprotect', pid: 1, start: 0, pages: 512, prot: 'read' }, { type: 'mremap', pid: 1, start: 0, pages: 512, to: 1100 }]);
    expect(fns(traces[3]!)).toEqual(expect.arrayContaining(['split_huge_pmd', '__split_huge_pmd_locked', 'move_ptes']));
    for (const i of [0, 1, 511]) {
      const d = decodePte(kernel73, readPte(proc(s), 1100 + i));
      expect([i, d.swap!.typeName, d.swap!.pfn, d.swap!.softDirty]).toEqual([i, 'SWP_DEVICE_READ', 0x200 + i, true]);
    }
  });
});

describe('madvise', () => {
  it('MADV_COLLAPSE turns 512 written 4 KiB pages into one THP with their data, and frees them', () => {
    const setup: MachineSetup = { ...SETUP, processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: 1024, prot: 'rw' }] }] };
    const { s, traces, results } = play([{ type: 'cpu_access', pid: 1, start: 0, pages: 512, access: 'write' }, { type: 'madvise', pid: 1, start: 0, pages: 512, advice: 'collapse' }, { type: 'cpu_access', pid: 1, start: 0, pages: 512, access: 'read' }], '7.3', setup);
    expect(fns(traces[1]!)).toEqual(expect.arrayContaining(['madvise_collapse', 'collapse_huge_page']));
    expect(results[1]!.ret).toBe('0');
    expect(pmdAt(s, 0)).toBe('0x80000000124008e7');
    expect(results[2]!.data).toEqual(Array.from({ length: 512 }, (_, i) => i));
  });
  it('MADV_FREE of a device-private PMD does nothing (madvise_free_huge_pmd skips non-present PMDs)', () => {
    const { s, traces } = play([write(0), toDev(), { type: 'madvise', pid: 1, start: 0, pages: 512, advice: 'free' }]);
    expect(fns(traces[2]!)).toContain('madvise_free_huge_pmd');
    expect(pmdAt(s, 0)).toBe('0xe7fffffffffbfe02');
  });
  it('MADV_NOHUGEPAGE keeps existing THPs, and faults after it map 4 KiB pages', () => {
    const { s } = play([write(0), { type: 'madvise', pid: 1, start: 0, pages: 1024, advice: 'nohugepage' }, write(600)]);
    expect(pmdAt(s, 0)).toBe('0x80000000124008e7');
    expect(readPmd(proc(s), 600)).toBe(0n);
    expect(readPte(proc(s), 600)).not.toBe(0n);
  });
});

describe('what the device and user space see', () => {
  it('HMM_DMIRROR_SNAPSHOT reports PMD for every page of a PMD mapping (WRITE|PMD, then DEV_PRIVATE_LOCAL|WRITE|PMD)', () => {
    const snap: Event = { type: 'hmm_snapshot', pid: 1, start: 0, pages: 512, device: 0 };
    const { results } = play([write(0), snap, toDev(), snap]);
    expect(new Set(results[1]!.prot)).toEqual(new Set(['WRITE|PMD']));
    expect(new Set(results[3]!.prot)).toEqual(new Set(['DEV_PRIVATE_LOCAL|WRITE|PMD']));
  });
  it.each(['7.3', 'series'] as const)('/proc/self/pagemap of a THP under %s: one record per 4 KiB, present then swapped (pagemap_record vectors)', (profile) => {
    const rd: Event = { type: 'pagemap_read', pid: 1, start: 0, pages: 512 };
    const { results } = play([write(0), rd, toDev(), rd], profile);
    const present = results[1]!.pagemap!;
    expect([present[0], present[511]]).toEqual(['0x8180000000012400', '0x81800000000125ff']);
    const want = vectorsOf('pagemap_record').filter((v) => v.profile === profile && v.id.startsWith('pagemap-devpriv-write-S'));
    expect(want.length).toBeGreaterThan(0);
    for (const v of want) expect(results[3]!.pagemap![Number(v.inputs.index)]).toBe(v.pagemap);
  });
});

describe('which PMD-level events are offered', () => {
  it('on a THP: the compound migration, MADV_COLLAPSE/FREE, a partial munmap and mremap are offered and can happen now', () => {
    const { s } = play([write(0)]);
    const choices = eventChoices(s, { pid: 1, index: 3 });
    const by = (label: string) => choices.find((c) => c.label.startsWith(label))!;
    expect(by('migrate_vma_setup → device 0 (SELECT_COMPOUND').enabled).toBe(true);
    expect(by('MADV_COLLAPSE').enabled).toBe(true);
    expect(by('munmap half of this 2 MiB').enabled).toBe(true);
    expect(by('mremap this 2 MiB to PTE 1024').enabled).toBe(true);
    expect(by('read /proc/self/pagemap').enabled).toBe(true);
  });
});
