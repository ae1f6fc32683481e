/**
 * Pages: the RAM allocator (alloc_page(), mm/page_alloc.c), references (folio_get / folio_put) and
 * freeing, which for a device-private page ends in the driver's page_free callback.
 */
import { dmirror_devmem_free } from '../drivers/test_hmm.ts';
import type { Draft } from '../draft.ts';

const FRESH = { data: 0, dirty: false, anonExclusive: false, hwpoison: false } as const;

/**
 * alloc_page(): the next free RAM page in the scenario's order, round-robin from where the last
 * allocation stopped (so a just-freed page is not handed out again at once); else the lowest free
 * RAM page made earlier; else a new PFN after the largest.
 */
export function allocRamPage(d: Draft, anon = true): number {
  const order = d.base.ramOrder;
  for (let n = 0; n < order.length; n++) {
    const at = (d.ramCursor + n) % order.length;
    const id = d.findPage('phys', order[at]!);
    if (id !== undefined && !d.page(id).allocated) {
      d.ramCursor = (at + 1) % order.length;
      d.setPage(id, { allocated: true, anon, ...FRESH }, 'allocated');
      return id;
    }
  }
  if (d.ramFree > 0) {
    // No page of the scenario's order is free (the loop above would have taken it), so the free
    // pages are among those made later, whose PFNs grow in creation order: the first one is lowest.
    const pool = d.ramPages();
    for (let n = order.length; n < pool.length; n++) {
      const id = pool[n]!;
      if (!d.page(id).allocated) {
        d.setPage(id, { allocated: true, anon, ...FRESH }, 'allocated');
        return id;
      }
    }
  }
  const pfn = d.ramMaxPfn + 1;
  const id = d.addPage({
    kind: 'ram', space: 'phys', number: pfn, device: null, allocated: true, anon, mapcount: 0, refs: 0, pins: 0,
    locked: false, swapSlot: null, ...FRESH,
  });
  d.explain(`allocated a new RAM page, pfn 0x${pfn.toString(16)}.`);
  return id;
}

/** Frees the page when nothing maps, pins, locks or caches it (the end of folio_put()). */
export function maybeFree(d: Draft, id: number): void {
  const p = d.page(id);
  if (p.kind === 'zero' || !p.allocated) return;
  if (p.mapcount > 0 || p.refs > 0 || p.pins > 0 || p.locked || p.swapSlot !== null || p.hwpoison) return;
  d.setPage(id, { allocated: false, data: null, dirty: false, anonExclusive: false }, 'freed');
  if (p.kind === 'device' && p.device !== null) dmirror_devmem_free(d, p.device, id);
}

/** folio_get() */
export function getRef(d: Draft, id: number): void {
  d.setPage(id, { refs: d.page(id).refs + 1 });
}

/** folio_put() */
export function putRef(d: Draft, id: number): void {
  const p = d.page(id);
  d.setPage(id, { refs: Math.max(0, p.refs - 1) });
  maybeFree(d, id);
}

export function lockPage(d: Draft, id: number, why = 'locked'): void {
  d.setPage(id, { locked: true }, why);
}

/** folio_unlock() + folio_put(): the end of every migration of a page. */
export function unlockAndPut(d: Draft, id: number): void {
  d.setPage(id, { locked: false }, 'unlocked');
  putRef(d, id);
}
