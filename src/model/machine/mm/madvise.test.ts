/**
 * madvise (mm/madvise.c, mm/khugepaged.c): MADV_GUARD_INSTALL zaps what is mapped, then a
 * PTE_MARKER_GUARD marker in every PTE; MADV_FREE (madvise_free_pte_range) makes an anon page mapped
 * once old and clean and frees swap entries; MADV_HUGEPAGE / MADV_NOHUGEPAGE set the VMA flag;
 * MADV_COLLAPSE (madvise_collapse) makes 512 PTEs one THP. The PMD level is in huge_memory.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ACCESSED, DIRTY, ev, has, M, RW, SAVED_DIRTY, swapPte } from '../../../../test/machine.ts';
import { readPmd } from '../pagetable.ts';
import type { Event } from '../events.ts';
import type { MachineSetup } from '../types.ts';

const madvise = (start: number, pages: number, advice: 'hugepage' | 'nohugepage' | 'collapse' | 'free', pid = 1): Event => ({ type: 'madvise', pid, start, pages, advice });

/** A VM_HUGEPAGE VMA over one 2 MiB range, one THP of RAM at pfn 0x12400. */
const THP: MachineSetup = { ptes: 512, processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: 512, prot: 'rw', thp: true }] }], ram: ['0x1234'], hugeRam: ['0x12400'] };

describe('madvise_guard_install', () => {
  it('mapped pages are zapped (and freed) and every PTE of the range gets a guard marker', () => {
    const m = new M().do(ev.write(1), ev.guard(0, 3));
    expect([0, 1, 2].map((i) => m.pte(i))).toEqual([swapPte(31, 4n), swapPte(31, 4n), swapPte(31, 4n)]);
    expect(m.page(0x1234)).toMatchObject({ allocated: false, mapcount: 0 });
    expect(m.fns()).toEqual(['madvise_guard_install', 'make_pte_marker', 'make_pte_marker', 'make_pte_marker']);
    m.consistent();
  });

  it('an existing guard marker is left as it is', () => {
    const m = new M().do(ev.guard(1), ev.guard(0, 2));
    expect(m.fns()).toEqual(['madvise_guard_install', 'make_pte_marker']);
    expect(m.pte(1)).toBe(swapPte(31, 4n));
  });

  it('other markers and swap entries are replaced, and the swap slot released', () => {
    const m = new M().do(ev.uffdPoison(1), ev.write(2), ev.swapOut(2), ev.guard(1, 2));
    expect([m.pte(1), m.pte(2)]).toEqual([swapPte(31, 4n), swapPte(31, 4n)]);
    expect(m.slot(0x42)).toBeUndefined();
  });

  it('outside every VMA it is refused', () => {
    expect(new M().refused(ev.guard(7, 2))).toBe('no VMA covers PTE 8');
  });


  it('on part of a THP the huge PMD is split first (zap_pmd_range), then the range is zapped and guarded', () => {
    const m = new M({ setup: THP }).do(ev.write(0), ev.guard(3, 2));
    expect(m.why('split_huge_pmd')).toBe('the range covers only PTEs 3..4 of this huge PMD: split it, then zap the PTEs.');
    expect([m.pte(3), m.pte(4), m.decoded(5).present?.pfn]).toEqual([swapPte(31, 4n), swapPte(31, 4n), 0x12405]);
    expect(m.page(0x12400)).toMatchObject({ allocated: true, order: 9 });
    m.consistent();
  });

  it('over a whole THP the huge PMD is zapped at once and the THP freed', () => {
    const m = new M({ setup: THP }).do(ev.write(0), ev.guard(0, 512));
    expect(m.fns()).toContain('zap_huge_pmd');
    expect(m.fns()).not.toContain('split_huge_pmd');
    expect([m.pte(0), m.pte(511)]).toEqual([swapPte(31, 4n), swapPte(31, 4n)]);
    expect(m.page(0x12400).allocated).toBe(false);
    m.consistent();
  });

  it('an access to a guard region gets SIGSEGV', () => {
    const m = new M().do(ev.guard(1), { type: 'cpu_access', pid: 1, start: 0, pages: 3, access: 'read' });
    expect(m.result).toMatchObject({ signal: 'SIGSEGV', data: [0] });
  });
});

describe('MADV_FREE (madvise_free_pte_range)', () => {
  it('an anon page mapped once becomes old and clean (lazily freeable); the folio is no longer dirty', () => {
    const m = new M().do(ev.write(1));
    expect([has(m.pte(1), DIRTY), has(m.pte(1), ACCESSED), m.page(0x1234).dirty]).toEqual([true, true, true]);
    m.do(madvise(0, 3, 'free'));
    expect([has(m.pte(1), DIRTY), has(m.pte(1), ACCESSED), m.page(0x1234).dirty, m.decoded(1).present?.pfn]).toEqual([false, false, false, 0x1234]);
    expect(m.fns()).toEqual(['madvise_free_single_vma', 'madvise_free_pte_range']);
    expect(m.why('madvise_free_single_vma')).toBe('lazily frees the anonymous pages of PTEs 0..2.');
    expect(m.result.ret).toBe('0');
    m.consistent();
  });

  it('a swap entry is cleared and its slot freed (free_swap_and_cache)', () => {
    const m = new M().do(ev.write(1), ev.swapOut(1), madvise(1, 1, 'free'));
    expect(m.pte(1)).toBe(0n);
    expect(m.slot(0x42)).toBeUndefined();
  });

  it.each([
    ['a page shared after fork (mapped twice)', [ev.write(1), ev.fork()], 1],
    ['the shared zero page', [ev.read(1)], 1],
    ['a page-cache page', [ev.mmap(8, 1, 'read', false, true), ev.read(8)], 8],
    ['a device-private entry', [ev.write(1), ev.toDevice(1), ev.pages(), ev.finalize()], 1],
  ] as const)('%s is left as it is', (_w, setup, at) => {
    const m = new M().do(...setup);
    const before = m.pte(at);
    m.do(madvise(at, 1, 'free'));
    expect(m.pte(at)).toBe(before);
  });
});

describe('MADV_FREE over part of a THP', () => {

  it('the huge PMD is split first (madvise_free_single_vma walks PTEs), then the PTEs of the range are made old and clean', () => {
    const m = new M({ setup: THP }).do(ev.write(0), madvise(3, 2, 'free'));
    expect(m.why('split_huge_pmd')).toBe('MADV_FREE of part of a THP: split it first.');
    expect(m.decoded(5).present?.pfn).toBe(0x12405);
    m.consistent();
  });
});

describe('MADV_HUGEPAGE / MADV_NOHUGEPAGE (hugepage_madvise)', () => {
  it('set or clear VM_HUGEPAGE on the range, splitting the VMA around it', () => {
    const thp = (m: M) => m.state.processes[0]!.vmas.map((v) => [v.start, v.pages, v.thp]);
    const m = new M().do(madvise(2, 2, 'hugepage'));
    expect(thp(m)).toEqual([[0, 2, false], [2, 2, true], [4, 4, false]]);
    expect(m.why('hugepage_madvise')).toMatch(/^VM_HUGEPAGE: /);
    expect(m.result.ret).toBe('0');
    m.do(madvise(2, 1, 'nohugepage'));
    expect(thp(m)).toEqual([[0, 2, false], [2, 1, false], [3, 1, true], [4, 4, false]]);
    expect(m.why('hugepage_madvise')).toMatch(/^VM_NOHUGEPAGE: /);
  });
});

describe('MADV_COLLAPSE (madvise_collapse -> collapse_huge_page)', () => {
  /** A private anon VMA (no VM_HUGEPAGE: MADV_COLLAPSE ignores it) over one 2 MiB range; RAM for the small pages, one THP block. */
  const SMALL: MachineSetup = { ptes: 1024, processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: 512, prot: 'rw' }] }], ram: ['0x1234', '0x5678'], hugeRam: ['0x12400'] };

  it('copies the pages into a new THP, frees them and maps the THP with one writable, dirty PMD', () => {
    const m = new M({ setup: SMALL }).do({ type: 'cpu_access', pid: 1, start: 3, pages: 2, access: 'write', value: 5 }, ev.read(7), madvise(0, 512, 'collapse'));
    expect(m.why('collapse_huge_page')).toBe('PTEs 0..511: allocate a 2 MiB folio, copy 2 page(s) (the rest are zero), map it with one PMD.');
    expect(m.why('madvise_collapse')).toBe('collapses every aligned 2 MiB of PTEs 0..511.');
    expect(m.result.ret).toBe('0');
    expect([m.page(0x1234).allocated, m.page(0x5678).allocated]).toEqual([false, false]);
    expect(m.page(0x12400)).toMatchObject({ allocated: true, order: 9, entireMapcount: 1, dirty: true, anonExclusive: true });
    const pmd = readPmd(m.state.processes[0]!.ptes, 0);
    expect([Number((pmd >> 12n) & 0xffffffffffn), has(pmd, RW), has(pmd, DIRTY)]).toEqual([0x12400, true, true]);
    m.consistent();
    m.do({ type: 'cpu_access', pid: 1, start: 2, pages: 3, access: 'read' });
    expect(m.result.data).toEqual([0, 5, 5]);
  });

  it('a range already mapped by a huge PMD is left as it is (SCAN_PMD_MAPPED)', () => {
    const m = new M({ setup: { ...SMALL, processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: 512, prot: 'rw', thp: true }] }] } }).do(ev.write(0), madvise(0, 512, 'collapse'));
    expect(m.result.ret).toBe('0');
    expect(m.why('madvise_collapse')).toContain('PTEs 0..511: already a huge PMD (SCAN_PMD_MAPPED).');
    expect(m.fns()).not.toContain('collapse_huge_page');
  });

  it.each([
    ['a hwpoison entry (the swap-in fault gets VM_FAULT_HWPOISON)', [ev.write(1), ev.poison(1)], 'PTE 1 is not present (SWP_HWPOISON): hpage_collapse_scan_pmd() gives up on PTEs 0..511.'],
    ['a page with an extra reference', [ev.write(1), ev.get(1)], 'PTE 1: pfn 0x1234 is locked or has extra references: the range is not collapsed now.'],
  ] as const)('%s: -EAGAIN, the range stays as it is', (_w, setup, why) => {
    const m = new M({ setup: SMALL }).do(...setup);
    const before = m.pte(1);
    m.do(madvise(0, 512, 'collapse'));
    expect(m.result.ret).toBe('-EAGAIN');
    expect(m.why('madvise_collapse')).toContain(why);
    expect(m.pte(1)).toBe(before);
    expect(m.fns()).toEqual(['madvise_collapse']);
  });

  it('only the aligned 2 MiB ranges wholly inside the range are collapsed', () => {
    const m = new M({ setup: { ...SMALL, processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: 1024, prot: 'rw' }] }] } }).do(ev.write(5), ev.write(600), madvise(1, 1023, 'collapse'));
    expect(m.why('collapse_huge_page')).toBe('PTEs 512..1023: allocate a 2 MiB folio, copy 1 page(s) (the rest are zero), map it with one PMD.');
    expect(m.fns().filter((f) => f === 'collapse_huge_page')).toHaveLength(1);
    expect(m.decoded(5).present?.pfn).toBe(0x1234);
  });

  it('in a read-only VMA the new PMD is not writable (pmd_mkdirty of a read-only PMD sets SavedDirty)', () => {
    const m = new M({ setup: SMALL }).do(ev.write(1), ev.mprotect(0, 512, 'read'), madvise(0, 512, 'collapse'));
    const pmd = readPmd(m.state.processes[0]!.ptes, 0);
    expect([Number((pmd >> 12n) & 0xffffffffffn), has(pmd, RW), has(pmd, DIRTY), has(pmd, SAVED_DIRTY)]).toEqual([0x12400, false, false, true]);
  });

  it('a migration PMD in the range: -EAGAIN, it is left as it is', () => {
    const m = new M({ setup: { ...SMALL, processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: 512, prot: 'rw', thp: true }] }], hugeRam: ['0x12400', '0x56600'] } }).do(ev.write(0), ev.unmap(0));
    const before = readPmd(m.state.processes[0]!.ptes, 0);
    m.do(madvise(0, 512, 'collapse'));
    expect(m.result.ret).toBe('-EAGAIN');
    expect(m.why('madvise_collapse')).toMatch(/PTEs 0\.\.511: already a SWP_MIGRATION_\w+ PMD\.$/);
    expect(readPmd(m.state.processes[0]!.ptes, 0)).toBe(before);
  });

  it('a process range that does not start on a 2 MiB boundary has no PMD to collapse into: -EINVAL', () => {
    const m = new M({ setup: { ...SMALL, vaBase: '0x7f0000001000' } }).do(ev.write(1), madvise(0, 512, 'collapse'));
    expect(m.result.ret).toBe('-EINVAL');
    expect(m.why('madvise_collapse')).toContain('the process range does not start on a 2 MiB boundary: no PMD covers 512 of its PTEs.');
  });

  it('a range shorter than an aligned 2 MiB collapses nothing', () => {
    const m = new M({ setup: SMALL }).do(ev.write(1), madvise(1, 511, 'collapse'));
    expect(m.result.ret).toBe('0');
    expect(m.fns()).toEqual(['madvise_collapse']);
  });

  it.each([
    ['a range that leaves its VMA', SMALL, madvise(0, 513, 'collapse'), 'PTEs 0..512 are not inside one VMA: -ENOMEM'],
    ['a range with no VMA', SMALL, madvise(600, 1, 'collapse'), 'PTEs 600..600 are not inside one VMA: -ENOMEM'],
    ['a shared mapping', { ...SMALL, processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: 512, prot: 'rw', shared: true }] }] }, madvise(0, 512, 'collapse'), 'MADV_COLLAPSE of a file or shared mapping is not modelled (only private anonymous memory)'],
  ] as const)('%s is refused', (_w, setup, e, reason) => {
    expect(new M({ setup }).refused(e)).toBe(reason);
  });
});
