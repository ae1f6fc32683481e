/**
 * Folios (include/linux/mm.h, mm/huge_memory.c): a 2 MiB THP is one folio of HPAGE_PMD_NR pages with
 * consecutive numbers. Its lock, references, pins, dirty flag and swap slot live on the head page;
 * each page keeps its own PTE mapcount, PageAnonExclusive and data; the head's entireMapcount counts
 * the PMDs that map the whole folio. An order-0 page is its own head, so nothing changes for it.
 */
import { HPAGE_PMD_NR, HPAGE_PMD_ORDER } from '../kernel/platform.ts';
import type { Draft } from './draft.ts';
import type { Page } from './types.ts';

export { HPAGE_PMD_NR, HPAGE_PMD_ORDER };

/** The head page of the folio `id` belongs to. */
export function folioOf(d: Draft, id: number): Page {
  const p = d.page(id);
  return p.head === id ? p : d.page(p.head);
}

export function isLarge(p: Page): boolean {
  return p.order > 0;
}

/** folio_nr_pages() */
export function folioNr(p: Page): number {
  return 1 << p.order;
}

/**
 * folio_page(folio, i): the id of page i of the folio whose head is `head`. The pages of a folio
 * are made together, so their ids are consecutive like their numbers (the allocators keep it so).
 */
export function folioPage(d: Draft, head: number, i: number): number {
  if (i === 0) return head;
  const id = head + i;
  const p = d.page(id);
  if (p.head !== head) throw new Error(`page ${i} of the folio at ${head} is missing`);
  return id;
}

/** The ids of every page of a folio, head first. */
export function folioPages(d: Draft, head: number): number[] {
  const n = folioNr(d.page(head));
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = head + i;
  return out;
}

/** folio_mapped(): any PMD or PTE maps the folio (PTE mapcounts scanned from the tail end). */
export function folioMapped(d: Draft, head: number): boolean {
  const h = d.page(head);
  if (h.entireMapcount > 0) return true;
  if (!isLarge(h)) return h.mapcount > 0;
  const ids = folioPages(d, head);
  for (let i = ids.length - 1; i >= 0; i--) if (d.page(ids[i]!).mapcount > 0) return true;
  return false;
}

/** folio_mapcount(): every mapping of the folio, PMD and PTE. */
export function folioMapcount(d: Draft, head: number): number {
  const h = d.page(head);
  if (!isLarge(h)) return h.mapcount + h.entireMapcount;
  let n = h.entireMapcount;
  for (const id of folioPages(d, head)) n += d.page(id).mapcount;
  return n;
}

/**
 * Splits a large folio into order-0 folios (__folio_split() behind split_folio(), folio_split_unmapped()
 * and migrate_vma_split_folio()): every page becomes its own head and inherits the folio's lock,
 * references, pins and dirty flag. The folio must not be PMD-mapped any more.
 */
export function splitFolio(d: Draft, head: number): number[] {
  const h = d.page(head);
  if (!isLarge(h)) return [head];
  if (h.entireMapcount > 0) throw new Error(`the folio at 0x${h.number.toString(16)} is still PMD-mapped: split the PMD first`);
  const ids = folioPages(d, head);
  for (const id of ids) {
    d.setPage(id, { head: id, order: 0, entireMapcount: 0, locked: h.locked, refs: h.refs, pins: h.pins, dirty: h.dirty, swapSlot: null });
  }
  return ids;
}
