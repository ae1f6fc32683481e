/**
 * The page allocator (mm/page_alloc.c alloc_page) as the scenarios use it: RAM pages handed out in
 * the scenario's order, round-robin, then earlier-made free pages, then new PFNs; and freeing, which
 * waits for the last mapping, reference, pin, lock and swap-cache use.
 */
import { describe, expect, it } from 'vitest';
import { ev, M } from '../../../../test/machine.ts';
import { readPmd } from '../pagetable.ts';
import type { MachineSetup } from '../types.ts';

const pfnAt = (m: M, i: number) => Number((m.pte(i) >> 12n) & 0xffffffffffn);

describe('alloc_page', () => {
  it('hands out the scenario\'s RAM pages in order, and does not reuse a just-freed page at once', () => {
    const m = new M().do(ev.write(0), ev.munmap(0), ev.write(1), ev.write(2), ev.write(3));
    expect([pfnAt(m, 1), pfnAt(m, 2), pfnAt(m, 3)]).toEqual([0x5678, 0x9abc, 0x1234]);
  });

  it('after the list, new pages get the PFNs after the largest, and the allocation says so', () => {
    const m = new M({ setup: { ptes: 8, ram: ['0x1234'] } }).do(ev.write(0), ev.write(1));
    expect(pfnAt(m, 1)).toBe(0x1235);
    expect(m.trace.some((t) => t.why.includes('allocated a new RAM page, pfn 0x1235.'))).toBe(true);
    m.do(ev.write(2));
    expect(pfnAt(m, 2)).toBe(0x1236);
  });

  it('a freed page made after the list is reused, the lowest first', () => {
    const m = new M({ setup: { ptes: 8, ram: ['0x1234'] } }).do(ev.write(0), ev.write(1), ev.write(2), ev.write(3), ev.munmap(3), ev.munmap(2), ev.write(4));
    expect(pfnAt(m, 4)).toBe(0x1236);
    expect(m.trace.flatMap((t) => t.changes)).toContainEqual({ kind: 'page', page: m.pageId(0x1236), what: 'allocated' });
    expect(m.page(0x1237).allocated).toBe(false);
  });

  it('a page of the list still in use is passed over for the next free one; the trace says which page was allocated', () => {
    const m = new M().do(ev.write(0), ev.write(1), ev.write(2), ev.munmap(1), ev.write(3));
    expect(pfnAt(m, 3)).toBe(0x5678);
    expect(m.trace.flatMap((t) => t.changes)).toContainEqual({ kind: 'page', page: m.pageId(0x5678), what: 'allocated' });
    m.consistent();
  });

  it('a fresh page is zeroed, clean, not exclusive and not poisoned', () => {
    const m = new M().do({ type: 'cpu_access', pid: 1, start: 0, pages: 1, access: 'write', value: 9 }, ev.munmap(0), ev.write(1), ev.write(2), ev.write(3));
    expect(m.page(0x1234)).toMatchObject({ data: 0, hwpoison: false, allocated: true });
  });
});

describe('freeing (the end of folio_put)', () => {
  it('the last unmap frees the page, and the trace says so; a THP is freed whole', () => {
    const m = new M().do(ev.write(1), ev.munmap(1));
    expect(m.trace.flatMap((t) => t.changes)).toContainEqual({ kind: 'page', page: m.pageId(0x1234), what: 'freed' });
    const THP: MachineSetup = { ptes: 512, processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: 512, prot: 'rw', thp: true }] }], hugeRam: ['0x12400'] };
    const t = new M({ setup: THP }).do(ev.write(0), ev.munmap(0, 512));
    expect(t.trace.flatMap((x) => x.changes)).toContainEqual({ kind: 'page', page: t.pageId(0x12400), what: 'freed (the whole 2 MiB folio)' });
    expect([t.page(0x12400).allocated, t.page(0x125ff).allocated, t.page(0x125ff).head, t.page(0x125ff).order, t.page(0x12400).entireMapcount]).toEqual([false, false, t.pageId(0x125ff), 0, 0]);
    expect(t.page(0x12400)).toMatchObject({ dirty: false, anonExclusive: false, data: null });
  });

  it('the shared zero page is never freed', () => {
    const m = new M().do(ev.read(1), ev.munmap(1));
    expect(m.page(0x2c00)).toMatchObject({ kind: 'zero', allocated: true });
    expect(m.trace.flatMap((t) => t.changes).filter((c) => c.kind === 'page')).toEqual([]);
  });

  it('an unmapped page still in the swap cache is not freed: the cache holds it until its slot goes', () => {
    const m = new M().do(ev.write(1), ev.fork(), ev.swapOut(1), ev.read(1, 2), ev.munmap(1, 1, 2));
    expect(m.page(0x5678)).toMatchObject({ allocated: true, mapcount: 0, swapSlot: 0x42 });
    m.do({ type: 'exit', pid: 1 });
    expect(m.page(0x5678)).toMatchObject({ allocated: false, swapSlot: null });
    m.consistent();
  });

  it('a THP still mapped by PTEs of another process is not freed with one of its mappings', () => {
    const THP: MachineSetup = { ptes: 512, processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: 512, prot: 'rw', thp: true }] }], hugeRam: ['0x12400'] };
    const m = new M({ setup: THP }).do(ev.write(0), ev.fork(), ev.munmap(0, 512));
    expect(m.page(0x12400)).toMatchObject({ allocated: true, order: 9 });
    m.do(ev.munmap(0, 512, 2));
    expect(m.page(0x12400)).toMatchObject({ allocated: false, order: 0 });
    m.consistent();
  });

  it('waits for the last extra reference', () => {
    const m = new M().do(ev.write(1), ev.get(1), ev.fork(), ev.munmap(1), ev.munmap(1, 1, 2));
    expect(m.page(0x1234)).toMatchObject({ allocated: true, mapcount: 0, refs: 1 });
  });

  it('waits for the migration lock: a page unmapped while migrating is freed when the migration lets go', () => {
    const m = new M().do(ev.write(1), ev.toDevice(1), ev.munmap(1));
    expect(m.page(0x1234)).toMatchObject({ allocated: true, locked: true });
    m.do(ev.finalize());
    expect(m.page(0x1234)).toMatchObject({ allocated: false, locked: false, refs: 0 });
    m.consistent();
  });
});

describe('vma_alloc_folio(order 9): the 2 MiB folio of a THP fault', () => {
  /** Three 2 MiB ranges with VM_HUGEPAGE, then one of 4 KiB pages. */
  const setup = (hugeRam: string[], ram: string[]): MachineSetup => ({
    ptes: 2048,
    processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: 1536, prot: 'rw', thp: true }, { start: 1536, pages: 512, prot: 'rw' }] }],
    ram,
    hugeRam,
  });
  const pmdPfn = (m: M, i: number) => Number((readPmd(m.state.processes[0]!.ptes, i) >> 12n) & 0xffffffffffn);
  const allocated = (m: M) => m.trace.flatMap((t) => t.changes.flatMap((c) => (c.kind === 'page' && c.what.startsWith('allocated') ? [c.what] : [])));

  it('takes the scenario\'s hugeRam blocks in order, then a new 512-aligned block above the largest RAM PFN', () => {
    const m = new M({ setup: setup(['0x12400', '0x56600'], ['0x1234']) }).do(ev.write(0), ev.write(512));
    expect([pmdPfn(m, 0), pmdPfn(m, 512)]).toEqual([0x12400, 0x56600]);
    m.do(ev.write(1024));
    expect(pmdPfn(m, 1024)).toBe(0x56800);
    expect(allocated(m)).toEqual(['allocated a 2 MiB folio, pfn 0x56800-0x569ff']);
    expect(m.page(0x569ff)).toMatchObject({ allocated: true, order: 9, head: m.pageId(0x56800), data: 0 });
    m.consistent();
  });

  it('with no hugeRam, the blocks follow the largest RAM PFN, each 512-aligned', () => {
    const m = new M({ setup: setup([], ['0x1234']) }).do(ev.write(0), ev.write(512));
    expect([pmdPfn(m, 0), pmdPfn(m, 512)]).toEqual([0x1400, 0x1600]);
  });

  it('a freed block is handed out again, round-robin', () => {
    const m = new M({ setup: setup(['0x12400', '0x56600'], ['0x1234']) }).do(ev.write(0), ev.write(512), ev.munmap(0, 512));
    expect(m.page(0x12400)).toMatchObject({ allocated: false, order: 0 });
    expect(m.page(0x12401)).toMatchObject({ allocated: false, order: 0, head: m.pageId(0x12401) });
    m.do(ev.mmap(0, 512, 'rw'), { type: 'madvise', pid: 1, start: 0, pages: 512, advice: 'hugepage' }, ev.write(0));
    expect(pmdPfn(m, 0)).toBe(0x12400);
    m.consistent();
  });

  it('a freed block one of whose pages went to a 4 KiB allocation is skipped', () => {
    const m = new M({ setup: setup(['0x12400'], ['0x1234']) }).do(ev.write(0), ev.munmap(0, 512), ev.write(1600), ev.write(1601));
    expect(pfnAt(m, 1601)).toBe(0x12400);
    m.do(ev.mmap(0, 512, 'rw'), { type: 'madvise', pid: 1, start: 0, pages: 512, advice: 'hugepage' }, ev.write(0));
    expect(pmdPfn(m, 0)).toBe(0x12600);
    m.consistent();
  });

  it('a block above the RAM that holds the shared zero page is skipped for the next one', () => {
    const m = new M({ setup: setup([], ['0x2a00']) }).do(ev.read(1600), ev.write(0));
    expect(m.decoded(1600).present?.pfn).toBe(0x2c00);
    expect(pmdPfn(m, 0)).toBe(0x2e00);
    m.consistent();
  });

  it('a block whose pages were not made together (a RAM page of the list lies inside it) cannot be a folio', () => {
    const m = new M({ setup: setup(['0x12400'], ['0x12401', '0x1234', '0x12400']) }).do(ev.write(0));
    expect(pmdPfn(m, 0)).toBe(0x12600);
    m.consistent();
  });

  it('a block with a page in use is skipped', () => {
    const m = new M({ setup: setup(['0x12400'], ['0x12401']) }).do(ev.write(1600), ev.write(0));
    expect(pmdPfn(m, 0)).toBe(0x12600);
    expect(m.page(0x12401)).toMatchObject({ allocated: true, order: 0, mapcount: 1 });
  });
});

describe('the folio lock around a migration (folio_lock / folio_unlock + folio_put)', () => {
  it('migrate_pages locks the source and the end of the migration unlocks it and drops its reference; both show in the trace', () => {
    const m = new M().do(ev.write(1), ev.unmap(1));
    const id = m.pageId(0x1234);
    expect(m.trace.flatMap((t) => t.changes)).toContainEqual({ kind: 'page', page: id, what: 'locked' });
    expect(m.page(0x1234)).toMatchObject({ locked: true, refs: 1 });
    m.do(ev.move());
    expect(m.trace.flatMap((t) => t.changes)).toContainEqual({ kind: 'page', page: id, what: 'unlocked' });
    expect(m.page(0x1234)).toMatchObject({ locked: false, refs: 0, allocated: false });
  });
});
