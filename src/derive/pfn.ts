/**
 * The PFN spaces: the pages worth drawing (those the entries name, then other allocated ones) and a
 * link per PFN-carrying entry, with the page the bits name and the page the kernel meant. A 2 MiB
 * folio is one box of 512 pages; a PMD leaf is one link to it, and PTEs that name consecutive pages
 * of one folio (what a split leaves) are one link.
 */
import {
  allPages, chunkEntryEmpty, classify, HPAGE_PMD_NR, kernelOf, newClassified, pageAt, pageLabel, PTRS_PER_PTE, type Kernel, type MachineState, type Page,
  type PteChunk, type Space,
} from '../model/index.ts';
import { decodeCached } from './decoded.ts';
import { decodePmdCached } from './pmd.ts';

export interface PfnPageBox {
  /** The page's id (a folio's head page for a block). */
  readonly id: number | null;
  readonly space: Space;
  /** The page's number (a folio's first page for a block). */
  readonly number: number;
  readonly label: string;
  readonly page: Page | null;
  /** Pages in the box: 1, or 512 for a 2 MiB folio. */
  readonly nr: number;
  /** A folio's pages that PTEs map, as ranges of page indices in the folio ([] for an order-0 page). */
  readonly mapped: readonly (readonly [number, number])[];
  /** A folio's PTE mappings, summed over its pages (the page's own mapcount for an order-0 page). */
  readonly pteMaps: number;
}

export interface PfnLink {
  readonly pid: number;
  /** The first PTE index of the entry (of a PMD, or of PTEs that name consecutive pages of one folio). */
  readonly index: number;
  /** The last PTE index it stands for (= index for one PTE; index + 511 for a PMD). */
  readonly to: number;
  readonly level: 'pte' | 'pmd';
  readonly kind: string;
  /** The page the raw bits name (a folio's box for a page of it; null: no page there). */
  readonly namedKey: string;
  /** The page the kernel meant. */
  readonly targetKey: string | null;
  readonly ok: boolean;
  readonly label: string;
}

export interface PfnModel {
  readonly phys: readonly PfnPageBox[];
  readonly device: readonly PfnPageBox[];
  /** One address space with a hole (before the series) or two (after it). */
  readonly separate: boolean;
  readonly links: readonly PfnLink[];
  /** Entries and pages (a folio counts once) left out of the picture (there is room for 96 of each). */
  readonly truncated: number;
  readonly hiddenPages: number;
}

const keyOf = (space: Space, n: number) => `${space}:${n}`;

/** A PFN-carrying entry of a page-table page: where it is, its bits, the space and number it names. */
interface PfnEntry {
  readonly j: number;
  readonly hi: number;
  readonly lo: number;
  readonly target: number;
  readonly space: Space;
  readonly pfn: number;
  /** A present PTE of the shared zero page: not drawn. */
  readonly toZeroPage: boolean;
}

const entriesCache = new WeakMap<PteChunk, { k: Kernel; zeroPage: number; entries: readonly PfnEntry[] }>();
const scratch = newClassified();

/** The PFN-carrying entries of a page-table page, found once per page-table page and kernel. */
function pfnEntries(k: Kernel, zeroPage: number, ch: PteChunk): readonly PfnEntry[] {
  const hit = entriesCache.get(ch);
  if (hit && hit.k === k && hit.zeroPage === zeroPage) return hit.entries;
  const entries: PfnEntry[] = [];
  for (let j = 0; j < PTRS_PER_PTE; j++) {
    if (chunkEntryEmpty(ch, j)) continue;
    const hi = ch.words[j * 3]!;
    const lo = ch.words[j * 3 + 1]!;
    classify(k, hi, lo, scratch);
    if (scratch.pfn < 0) continue;
    const target = ch.words[j * 3 + 2]! | 0;
    entries.push({ j, hi, lo, target, space: scratch.deviceSpace ? 'device' : 'phys', pfn: scratch.pfn, toZeroPage: target === zeroPage });
  }
  entriesCache.set(ch, { k, zeroPage, entries });
  return entries;
}

/** The pages of a folio that PTEs map, as ranges of indices in it, and its PTE mappings in all. */
function folioMaps(s: MachineState, head: Page): { mapped: [number, number][]; pteMaps: number } {
  const mapped: [number, number][] = [];
  let pteMaps = 0;
  for (let i = 0; i < 1 << head.order; i++) {
    const n = pageAt(s.pages, head.id + i)?.mapcount ?? 0;
    pteMaps += n;
    if (n === 0) continue;
    const last = mapped.at(-1);
    if (last && last[1] === i - 1) last[1] = i;
    else mapped.push([i, i]);
  }
  return { mapped, pteMaps };
}

/** The PFN spaces: allocated pages (plus any page an entry names), and a link per PFN-carrying PTE or PMD. */
export function pfnModel(s: MachineState, maxLinks = 96, maxPages = 96): PfnModel {
  const k = kernelOf(s);
  const boxes = new Map<string, PfnPageBox>();
  /** The box of the page `space:n` (its folio's box for a page of a large folio); its key. */
  const box = (space: Space, n: number): string => {
    const id = s.pageIndex.find(s.pages, space, n);
    const page = id === undefined ? null : pageAt(s.pages, id)!;
    const head = page && page.order > 0 ? pageAt(s.pages, page.head) ?? page : page;
    const key = head ? keyOf(head.space, head.number) : keyOf(space, n);
    if (boxes.has(key)) return key;
    if (head && head.order > 0) {
      const nr = 1 << head.order;
      const last = `0x${(head.number + nr - 1).toString(16)}`;
      boxes.set(key, { id: head.id, space: head.space, number: head.number, label: `${head.kind === 'zero' ? 'huge zero folio' : `${nr * 4 / 1024} MiB folio`} ${pageLabel(head)}…${last}`, page: head, nr, ...folioMaps(s, head) });
    } else {
      boxes.set(key, { id: id ?? null, space, number: n, label: page ? pageLabel(page) : `${space === 'device' ? 'device offset' : 'pfn'} 0x${n.toString(16)} (no page)`, page, nr: 1, mapped: [], pteMaps: page?.mapcount ?? 0 });
    }
    return key;
  };
  const links: PfnLink[] = [];
  let truncated = 0;
  /**
   * The last PTE link while the next PTE may extend it: where it is in `links`, its folio's box, the
   * page number it names last and the entry's halves (its label is written when it is closed).
   */
  let open: { at: number; folio: PfnPageBox; pfn: number; first: string; hi: number; lo: number } | null = null;
  const close = () => {
    if (!open) return;
    const l = links[open.at]!;
    if (l.to > l.index) {
      const last = decodeCached(k, (BigInt(open.hi) << 32n) | BigInt(open.lo));
      const space = open.folio.space;
      links[open.at] = { ...l, label: `pid ${l.pid} PTEs ${l.index}–${l.to} (${open.first} … ${last.summary}) name pages ${pageNo(space, open.pfn - (l.to - l.index))}…${pageNo(space, open.pfn)} of ${open.folio.label}` };
    }
    open = null;
  };
  for (const proc of s.processes) {
    if (!proc.alive) continue;
    close();
    const chunks = proc.ptes.chunks;
    for (let ci = 0; ci < chunks.length; ci++) {
      const ch = chunks[ci];
      if (!ch) continue;
      const base = ci * PTRS_PER_PTE;
      if (ch.pmd) {
        close();
        classify(k, ch.pmd.hi, ch.pmd.lo, scratch, 'pmd');
        if (scratch.pfn < 0) continue;
        if (links.length >= maxLinks) {
          truncated++;
          continue;
        }
        const tp = ch.pmd.target >= 0 ? pageAt(s.pages, ch.pmd.target)! : null;
        if (tp?.kind === 'zero') continue;
        const space: Space = scratch.deviceSpace ? 'device' : 'phys';
        const pfn = scratch.pfn;
        const named = box(space, pfn);
        const targetKey = tp ? box(tp.space, tp.number) : null;
        // A PMD names its folio by the head's number: the right folio and the right page in it.
        const ok = named === targetKey && boxes.get(named)!.number === pfn;
        const d = decodePmdCached(k, (BigInt(ch.pmd.hi) << 32n) | BigInt(ch.pmd.lo));
        links.push({
          pid: proc.pid, index: base, to: base + HPAGE_PMD_NR - 1, level: 'pmd', kind: d.kind, namedKey: named, targetKey, ok,
          label: `pid ${proc.pid} PMD ${base}–${base + HPAGE_PMD_NR - 1} (${d.summary}) names ${boxes.get(named)!.label}${ok ? '' : `, but the kernel meant ${tp ? pageLabel(tp) : 'no folio'}`}`,
        });
        continue;
      }
      if (ch.used === 0) continue;
      const entries = pfnEntries(k, s.zeroPage, ch);
      for (const e of entries) {
        if (e.toZeroPage) continue;
        const index = base + e.j;
        const tp = e.target >= 0 ? pageAt(s.pages, e.target)! : null;
        const exact = tp !== null && tp.space === e.space && tp.number === e.pfn;
        // A PTE next to the last one, naming the next page of the same folio, extends its link.
        const prev = open ? links[open.at]! : null;
        if (open && prev && prev.to === index - 1 && open.pfn === e.pfn - 1 && prev.ok === exact
          && open.folio.space === e.space && e.pfn >= open.folio.number && e.pfn < open.folio.number + open.folio.nr) {
          links[open.at] = { ...prev, to: index };
          open.pfn = e.pfn;
          open.hi = e.hi;
          open.lo = e.lo;
          continue;
        }
        close();
        if (links.length >= maxLinks) {
          truncated++;
          continue;
        }
        const named = box(e.space, e.pfn);
        const targetKey = tp ? box(tp.space, tp.number) : null;
        const ok = exact;
        const d = decodeCached(k, (BigInt(e.hi) << 32n) | BigInt(e.lo));
        const namedBox = boxes.get(named)!;
        const what = namedBox.nr > 1 ? `page ${pageNo(e.space, e.pfn)} of ${namedBox.label}` : namedBox.label;
        links.push({
          pid: proc.pid, index, to: index, level: 'pte', kind: d.kind, namedKey: named, targetKey, ok,
          label: `pid ${proc.pid} PTE ${index} (${d.summary}) names ${what}${ok ? '' : `, but the kernel meant ${tp ? pageLabel(tp) : 'no page'}`}`,
        });
        if (namedBox.nr > 1) open = { at: links.length - 1, folio: namedBox, pfn: e.pfn, first: d.summary, hi: e.hi, lo: e.lo };
      }
    }
  }
  close();
  // The pages the drawn entries name come first; other allocated pages (a folio once) fill up to maxPages.
  let hiddenPages = 0;
  for (const p of allPages(s.pages)) {
    if (!p.allocated || p.kind === 'zero') continue;
    if ((p.order > 0 && p.head !== p.id) || boxes.has(keyOf(p.space, p.number))) continue;
    if (boxes.size >= maxPages) hiddenPages++;
    else box(p.space, p.number);
  }
  const all = [...boxes.values()];
  const phys = all.filter((b) => b.space === 'phys').sort((a, b) => a.number - b.number);
  const device = all.filter((b) => b.space === 'device').sort((a, b) => a.number - b.number);
  return { phys, device, separate: k.profile.deviceSpace === 'separate', links, truncated, hiddenPages };
}

const pageNo = (space: Space, n: number) => `${space === 'device' ? 'device offset' : 'pfn'} 0x${n.toString(16)}`;
