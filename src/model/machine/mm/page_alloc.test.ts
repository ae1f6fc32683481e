/**
 * The page allocator (mm/page_alloc.c alloc_page) as the scenarios use it: RAM pages handed out in
 * the scenario's order, round-robin, then earlier-made free pages, then new PFNs; and freeing, which
 * waits for the last mapping, reference, pin, lock and swap-cache use.
 */
import { describe, expect, it } from 'vitest';
import { ev, M } from '../../../../test/machine.ts';

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
    expect(m.page(0x1237).allocated).toBe(false);
  });

  it('a fresh page is zeroed, clean, not exclusive and not poisoned', () => {
    const m = new M().do({ type: 'cpu_access', pid: 1, start: 0, pages: 1, access: 'write', value: 9 }, ev.munmap(0), ev.write(1), ev.write(2), ev.write(3));
    expect(m.page(0x1234)).toMatchObject({ data: 0, hwpoison: false, allocated: true });
  });
});

describe('freeing (the end of folio_put)', () => {
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
