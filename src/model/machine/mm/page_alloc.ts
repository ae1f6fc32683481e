/**
 * Pages: the RAM allocator (alloc_page(), mm/page_alloc.c; and vma_alloc_folio() of a 2 MiB folio),
 * references (folio_get / folio_put) and freeing, which for a device-private page ends in the
 * driver's page_free callback. Lock, references and freeing act on the folio (its head page).
 */
import { dmirror_devmem_free } from '../drivers/test_hmm.ts';
import type { Draft } from '../draft.ts';
import { folioMapped, folioOf, folioPages, HPAGE_PMD_NR, HPAGE_PMD_ORDER, isLarge } from '../folio.ts';

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

/**
 * Whether the 2 MiB block at `headPfn` can become a folio: no page of it exists yet, or all 512 exist,
 * are free RAM and were made together (a folio's page ids are consecutive, like its PFNs).
 */
function blockFree(d: Draft, headPfn: number): boolean {
  const first = d.findPage('phys', headPfn);
  for (let i = 0; i < HPAGE_PMD_NR; i++) {
    const id = i === 0 ? first : d.findPage('phys', headPfn + i);
    if (first === undefined) {
      if (id !== undefined) return false;
      continue;
    }
    if (id !== first + i) return false;
    const p = d.page(id);
    if (p.kind !== 'ram' || p.allocated) return false;
  }
  return true;
}

/**
 * vma_alloc_folio(order 9) for an anon THP: the next free block of the scenario's hugeRam list, else
 * a new 512-aligned block above the largest RAM PFN. Returns the head page's id; every page of the
 * folio is allocated, zeroed and tagged with it.
 */
export function allocRamFolio(d: Draft, anon = true): number {
  const order = d.base.hugeRamOrder;
  let headPfn = -1;
  for (let n = 0; n < order.length; n++) {
    const at = (d.hugeRamCursor + n) % order.length;
    if (blockFree(d, order[at]!)) {
      headPfn = order[at]!;
      d.hugeRamCursor = (at + 1) % order.length;
      break;
    }
  }
  if (headPfn < 0) {
    headPfn = Math.ceil((d.ramMaxPfn + 1) / HPAGE_PMD_NR) * HPAGE_PMD_NR;
    while (!blockFree(d, headPfn)) headPfn += HPAGE_PMD_NR;
  }
  let head = -1;
  for (let i = 0; i < HPAGE_PMD_NR; i++) {
    const pfn = headPfn + i;
    const fields = { allocated: true, anon, ...FRESH, order: HPAGE_PMD_ORDER, entireMapcount: 0, mapcount: 0, refs: 0, pins: 0, locked: false, swapSlot: null };
    const existing = d.findPage('phys', pfn);
    let id: number;
    if (existing === undefined) {
      id = d.addPage({ kind: 'ram', space: 'phys', number: pfn, device: null, ...fields, ...(head >= 0 ? { head } : {}) });
    } else {
      id = existing;
      d.setPage(id, { ...fields, head: head >= 0 ? head : id });
    }
    if (head < 0) head = id;
  }
  d.setPage(head, {}, `allocated a 2 MiB folio, pfn 0x${headPfn.toString(16)}-0x${(headPfn + HPAGE_PMD_NR - 1).toString(16)}`);
  return head;
}

/**
 * Frees the folio when nothing maps, pins, locks or caches it (the end of folio_put()). A large
 * folio is freed whole: its pages return to the pool as order-0 pages.
 */
export function maybeFree(d: Draft, id: number): void {
  const p = folioOf(d, id);
  if (p.kind === 'zero' || !p.allocated) return;
  if (p.refs > 0 || p.pins > 0 || p.locked || p.swapSlot !== null) return;
  if (!isLarge(p)) {
    if (p.mapcount > 0 || p.hwpoison) return;
    d.setPage(p.id, { allocated: false, data: null, dirty: false, anonExclusive: false }, 'freed');
    if (p.kind === 'device' && p.device !== null) dmirror_devmem_free(d, p.device, p.id);
    return;
  }
  if (folioMapped(d, p.id)) return;
  const ids = folioPages(d, p.id);
  if (ids.some((x) => d.page(x).hwpoison)) return;
  for (const x of ids) d.setPage(x, { allocated: false, data: null, dirty: false, anonExclusive: false, head: x, order: 0, entireMapcount: 0 });
  d.setPage(p.id, {}, `freed (the whole 2 MiB folio)`);
  if (p.kind === 'device' && p.device !== null) for (const x of ids) dmirror_devmem_free(d, p.device, x);
}

/** folio_get() */
export function getRef(d: Draft, id: number): void {
  const h = folioOf(d, id);
  d.setPage(h.id, { refs: h.refs + 1 });
}

/** folio_put() */
export function putRef(d: Draft, id: number): void {
  const h = folioOf(d, id);
  d.setPage(h.id, { refs: Math.max(0, h.refs - 1) });
  maybeFree(d, h.id);
}

export function lockPage(d: Draft, id: number, why = 'locked'): void {
  d.setPage(folioOf(d, id).id, { locked: true }, why);
}

/** folio_unlock() + folio_put(): the end of every migration of a page. */
export function unlockAndPut(d: Draft, id: number): void {
  d.setPage(folioOf(d, id).id, { locked: false }, 'unlocked');
  putRef(d, id);
}

/** folio_mark_dirty() */
export function markDirty(d: Draft, id: number, why?: string): void {
  d.setPage(folioOf(d, id).id, { dirty: true }, why);
}
