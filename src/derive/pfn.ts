/**
 * The PFN spaces: the pages worth drawing (those the entries name, then other allocated ones) and a
 * link per PFN-carrying entry, with the page the bits name and the page the kernel meant.
 */
import {
  allPages, chunkEntryEmpty, classify, kernelOf, newClassified, pageAt, pageLabel, PTRS_PER_PTE, type Kernel, type MachineState, type Page,
  type PteChunk, type Space,
} from '../model/index.ts';
import { decodeCached } from './decoded.ts';

export interface PfnPageBox {
  readonly id: number | null;
  readonly space: Space;
  readonly number: number;
  readonly label: string;
  readonly page: Page | null;
}

export interface PfnLink {
  readonly pid: number;
  readonly index: number;
  readonly kind: string;
  /** The page the raw bits name (null: no page there). */
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
  /** Entries and pages left out of the picture (there is room for 96 of each). */
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

/** The PFN spaces: allocated pages (plus any page a PTE names), and a link per PFN-carrying PTE. */
export function pfnModel(s: MachineState, maxLinks = 96, maxPages = 96): PfnModel {
  const k = kernelOf(s);
  const boxes = new Map<string, PfnPageBox>();
  const box = (space: Space, n: number): string => {
    const key = keyOf(space, n);
    if (!boxes.has(key)) {
      const id = s.pageIndex.find(s.pages, space, n);
      const page = id === undefined ? null : pageAt(s.pages, id)!;
      boxes.set(key, { id: id ?? null, space, number: n, label: page ? pageLabel(page) : `${space === 'device' ? 'device offset' : 'pfn'} 0x${n.toString(16)} (no page)`, page });
    }
    return key;
  };
  const links: PfnLink[] = [];
  let truncated = 0;
  for (const proc of s.processes) {
    if (!proc.alive) continue;
    const chunks = proc.ptes.chunks;
    for (let ci = 0; ci < chunks.length; ci++) {
      const ch = chunks[ci];
      if (!ch || ch.used === 0) continue;
      const entries = pfnEntries(k, s.zeroPage, ch);
      if (links.length >= maxLinks) {
        truncated += entries.length;
        continue;
      }
      for (const e of entries) {
        if (links.length >= maxLinks) {
          truncated++;
          continue;
        }
        if (e.toZeroPage) continue;
        const index = ci * PTRS_PER_PTE + e.j;
        const tp = e.target >= 0 ? pageAt(s.pages, e.target)! : null;
        const named = box(e.space, e.pfn);
        const targetKey = tp ? box(tp.space, tp.number) : null;
        const d = decodeCached(k, (BigInt(e.hi) << 32n) | BigInt(e.lo));
        links.push({
          pid: proc.pid, index, kind: d.kind, namedKey: named, targetKey, ok: named === targetKey,
          label: `pid ${proc.pid} PTE ${index} (${d.summary}) names ${boxes.get(named)!.label}${named === targetKey ? '' : `, but the kernel meant ${tp ? pageLabel(tp) : 'no page'}`}`,
        });
      }
    }
  }
  // The pages the drawn entries name come first; other allocated pages fill up to maxPages.
  let hiddenPages = 0;
  for (const p of allPages(s.pages)) {
    if (!p.allocated || p.kind === 'zero' || boxes.has(keyOf(p.space, p.number))) continue;
    if (boxes.size >= maxPages) hiddenPages++;
    else box(p.space, p.number);
  }
  const all = [...boxes.values()];
  const phys = all.filter((b) => b.space === 'phys').sort((a, b) => a.number - b.number);
  const device = all.filter((b) => b.space === 'device').sort((a, b) => a.number - b.number);
  return { phys, device, separate: k.profile.deviceSpace === 'separate', links, truncated, hiddenPages };
}
