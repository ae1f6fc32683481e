/**
 * Reclaim to swap (mm/vmscan.c shrink_folio_list, mm/swap_state.c add_to_swap, try_to_unmap_one ->
 * swp_pte_prepare) and the swap slot bookkeeping of mm/swapfile.c (domain spec §d.3 "swap-out",
 * S20, S21).
 */
import { describe, expect, it } from 'vitest';
import { DIRTY, ev, has, M, onDevice, SOFT_DIRTY, SWP_EXCL, SWP_SD, SWP_UFFD, swapPte } from '../../../../test/machine.ts';
import type { MachineSetup } from '../types.ts';

describe('swap-out (shrink_folio_list -> try_to_unmap_one)', () => {
  it.each([
    ['v6.18', 'swp_entry_to_pte'],
    ['7.3', 'swp_pte_prepare'],
  ] as const)('%s: an exclusive anon page gets swp_entry(0, slot) + exclusive + soft-dirty (S20); the page is written and freed', (profile, fn) => {
    const m = new M({ profile }).do({ type: 'cpu_access', pid: 1, start: 1, pages: 1, access: 'write', value: 3 }, ev.swapOut(1));
    expect(m.pte(1)).toBe(swapPte(0, 0x42n, SWP_EXCL | SWP_SD));
    expect(m.fns()).toEqual(['shrink_folio_list', 'add_to_swap', 'try_to_unmap', 'try_to_unmap_one', fn, 'pageout']);
    expect(m.slot(0x42)).toEqual({ slot: 0x42, count: 1, data: 3, cached: null });
    expect(m.page(0x1234)).toMatchObject({ allocated: false, mapcount: 0, swapSlot: null, dirty: false });
    expect(m.why('add_to_swap')).toBe('pfn 0x1234 gets swap slot 0x42 on swap device 0 and enters the swap cache.');
    expect(m.trace.find((t) => t.fn === 'add_to_swap')!.changes).toEqual([{ kind: 'page', page: m.pageId(0x1234), what: 'in the swap cache (slot 0x42)' }]);
    expect(m.why('try_to_unmap_one')).toBe('pid 1 PTE 1: a swap PTE for slot 0x42, _PAGE_SWP_EXCLUSIVE (the page was exclusive), soft-dirty.');
    m.consistent();
  });

  it('a dirty PTE marks the folio dirty (folio_mark_dirty) before the swap PTE replaces it; a clean one does not', () => {
    const changes = (m: M) => m.trace.find((t) => t.fn === 'try_to_unmap_one')!.changes.filter((c) => c.kind === 'page');
    const dirty = new M().do(ev.write(1), ev.swapOut(1));
    expect(changes(dirty)).toEqual([{ kind: 'page', page: dirty.pageId(0x1234), what: 'marked dirty (folio_mark_dirty)' }]);
    const clean = new M().do(ev.write(1), ev.swapOut(1), ev.read(1));
    expect(has(clean.pte(1), DIRTY)).toBe(false);
    clean.do(ev.swapOut(1));
    expect(changes(clean)).toEqual([]);
  });

  it('a PTE without soft-dirty (a device entry lost it to mprotect, S12) gives a swap PTE without it', () => {
    const m = onDevice().do(ev.mprotect(1, 1, 'read'), ev.mprotect(1, 1, 'rw'), ev.fromDevice(1), ev.pages(), ev.finalize());
    expect(has(m.pte(1), SOFT_DIRTY)).toBe(false);
    m.do(ev.swapOut(1));
    expect(m.pte(1)).toBe(swapPte(0, 0x42n, SWP_EXCL));
    expect(m.why('try_to_unmap_one')).toBe('pid 1 PTE 1: a swap PTE for slot 0x42, _PAGE_SWP_EXCLUSIVE (the page was exclusive).');
  });

  it('a page shared after fork: both mappings get the same slot, not exclusive; the slot counts 2', () => {
    const m = new M().do(ev.write(1), ev.fork(), ev.swapOut(1));
    expect([m.pte(1, 1), m.pte(1, 2)]).toEqual([swapPte(0, 0x42n, SWP_SD), swapPte(0, 0x42n, SWP_SD)]);
    expect(m.slot(0x42)?.count).toBe(2);
    expect(m.why('try_to_unmap_one')).toBe('pid 1 PTE 1: a swap PTE for slot 0x42, soft-dirty.');
  });

  it('uffd-wp is kept as the swap uffd bit; swapping a page out again takes the next slot', () => {
    const m = new M().do(ev.write(1), ev.uffdWp(1, 1, true), ev.swapOut(1));
    expect(m.pte(1)).toBe(swapPte(0, 0x42n, SWP_EXCL | SWP_SD | SWP_UFFD));
    const c = new M().do(ev.write(1), ev.swapOut(1), ev.read(1), ev.swapOut(1));
    expect(c.pte(1)).toBe(swapPte(0, 0x43n, SWP_EXCL | SWP_SD));
  });

  it('each page of a range gets its own slot, in order', () => {
    const m = new M().do({ type: 'cpu_access', pid: 1, start: 0, pages: 3, access: 'write' }, ev.swapOut(0, 3));
    expect([0, 1, 2].map((i) => m.decoded(i).swap?.offset)).toEqual([0x42, 0x43, 0x44]);
    expect(m.state.swap.nextSlot).toBe(0x45);
  });

  it.each([
    ['the shared zero page', [ev.read(1)], 'PTE 1: zero page (pfn 0x2c00) is not an anon RAM page: skipped.'],
    ['a page-cache page', [ev.mmap(8, 1, 'read', false, true), ev.read(8)], 'PTE 8: pfn 0x1234 is not an anon RAM page: skipped.'],
    ['a pinned page', [ev.write(1), ev.pin(1)], 'PTE 1: pfn 0x1234 is locked, pinned or referenced: skipped.'],
    ['a referenced page', [ev.write(1), ev.get(1)], 'PTE 1: pfn 0x1234 is locked, pinned or referenced: skipped.'],
  ] as const)('%s is skipped, with the reason', (_w, setup, why) => {
    const m = new M().do(...setup, ev.write(2));
    const at = why.startsWith('PTE 8') ? 8 : 1;
    const before = m.pte(at);
    m.do(ev.swapOut(0, 9));
    expect(m.pte(at)).toBe(before);
    expect(m.why('shrink_folio_list')).toContain(why);
  });

  it('a page mapped at several PTEs of the range is looked at once: the shared zero page is skipped with one sentence', () => {
    const m = new M().do(ev.read(1), ev.read(2), ev.write(0), ev.swapOut(0, 3));
    expect(m.why('shrink_folio_list')).toBe('reclaim picks the anon pages mapped at PTEs 0..2. PTE 1: zero page (pfn 0x2c00) is not an anon RAM page: skipped.');
    expect([m.type(0), m.type(1), m.type(2)]).toEqual(['swapfile_0', 'present', 'present']);
  });

  it('a device-private entry in the range is not reclaimed (it is not a present PTE)', () => {
    const m = onDevice().do(ev.write(2), ev.swapOut(0, 3));
    expect([m.type(1), m.type(2)]).toEqual(['SWP_DEVICE_WRITE', 'swapfile_0']);
    expect(m.page(0x10)).toMatchObject({ allocated: true, mapcount: 1 });
  });

  it('a range with nothing present is refused', () => {
    expect(new M().refused(ev.swapOut(0, 3))).toBe('no present pages at PTEs 0..2 of pid 1 to swap out');
    expect(new M().do(ev.write(1), ev.swapOut(1)).refused(ev.swapOut(1))).toBe('no present pages at PTEs 1..1 of pid 1 to swap out');
  });
});

describe('swap slots (mm/swapfile.c)', () => {
  it('munmap and exit drop a slot\'s count and free it with the last user', () => {
    const m = new M().do(ev.write(1), ev.fork(), ev.swapOut(1), ev.munmap(1, 1, 2));
    expect(m.slot(0x42)?.count).toBe(1);
    m.do({ type: 'exit', pid: 1 });
    expect(m.slot(0x42)).toBeUndefined();
    expect(m.fns()).toContain('swap_free');
    expect(m.why('swap_free')).toBe('slot 0x42 has no more users: freed.');
  });

  it('freeing the slot of a page still in the swap cache drops it from the cache and frees it', () => {
    const m = new M().do(ev.write(1), ev.fork(), ev.swapOut(1), ev.read(1, 2));
    // the slot still has a user: the page keeps its swap copy and stays clean
    expect(m.page(0x5678)).toMatchObject({ swapSlot: 0x42, dirty: false });
    m.do({ type: 'exit', pid: 1 });
    expect(m.why('swap_free')).toBe('slot 0x42 has no more users: freed, pfn 0x5678 leaves the swap cache.');
    expect(m.page(0x5678)).toMatchObject({ swapSlot: null, allocated: true, mapcount: 1 });
    m.do({ type: 'exit', pid: 2 });
    expect(m.page(0x5678).allocated).toBe(false);
    m.consistent();
  });

  it('swap-in by the last user frees the slot and dirties the page (folio_free_swap: the swap copy is gone)', () => {
    const m = new M().do(ev.write(1), ev.fork(), ev.swapOut(1), ev.read(1, 2));
    expect(m.slot(0x42)?.count).toBe(1);
    m.do(ev.read(1, 1));
    expect(m.slot(0x42)).toBeUndefined();
    expect(m.page(0x5678)).toMatchObject({ swapSlot: null, dirty: true, mapcount: 2 });
    m.consistent();
  });

  it('a scenario can start its swap slots elsewhere; slot 0 (the swap header) is never handed out by default', () => {
    const m = new M({ setup: { ptes: 4, processes: [{ pid: 1, name: 'a', vmas: [{ start: 0, pages: 4 }] }], swapFirstSlot: '0x7' } }).do(ev.write(0), ev.swapOut(0));
    expect(m.decoded(0).swap?.offset).toBe(7);
    const d = new M({ setup: { ptes: 4 } }).do(ev.write(0), ev.swapOut(0));
    expect(d.decoded(0).swap?.offset).toBe(0x42);
  });
});

describe('swap-out of a THP (no 2 MiB swap cluster here: TTU_SPLIT_HUGE_PMD, split_folio_to_list first)', () => {
  /** A VM_HUGEPAGE VMA over one 2 MiB range, one THP of RAM at pfn 0x12400. */
  const THP: MachineSetup = {
    ptes: 512,
    processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: 512, prot: 'rw', thp: true }] }],
    ram: ['0x1234'],
    hugeRam: ['0x12400'],
    swapFirstSlot: '0x42',
  };

  it('the huge zero PMD is not reclaimed (the huge zero folio is not on the LRU): nothing to swap out', () => {
    const m = new M({ setup: THP }).do(ev.read(0));
    expect(m.fns()).toContain('set_huge_zero_folio');
    expect(m.refused(ev.swapOut(0, 2))).toBe('no present pages at PTEs 0..1 of pid 1 to swap out');
  });

  it.each([
    ['mapped by a huge PMD: the PMD is split, then the folio', [], ['__split_huge_pmd', '__split_huge_pmd_locked', 'pmdp_invalidate', 'folio_add_anon_rmap_ptes', 'split_folio']],
    ['PTE-mapped (mprotect split the PMD): only the folio is split', [ev.mprotect(100, 1, 'read')], ['split_folio']],
  ] as const)('%s; each page of the range gets its own slot, the rest stay mapped', (_w, setup, split) => {
    const m = new M({ setup: THP }).do(ev.write(0), ...setup, ev.swapOut(3, 2));
    expect(m.fns().slice(0, 2 + split.length)).toEqual(['shrink_folio_list', 'split_folio_to_list', ...split]);
    expect(m.why('split_folio_to_list')).toContain('TTU_SPLIT_HUGE_PMD');
    expect([m.pte(3), m.pte(4)]).toEqual([swapPte(0, 0x42n, SWP_EXCL | SWP_SD), swapPte(0, 0x43n, SWP_EXCL | SWP_SD)]);
    expect([m.decoded(2).present?.pfn, m.decoded(5).present?.pfn]).toEqual([0x12402, 0x12405]);
    expect(m.page(0x12403)).toMatchObject({ order: 0, allocated: false, mapcount: 0 });
    expect(m.page(0x12400)).toMatchObject({ order: 0, allocated: true, mapcount: 1 });
    m.consistent();
  });
});
