/**
 * The PFN spaces: the pages worth drawing (those the entries name, then other allocated ones) and a
 * link per PFN-carrying entry, with the page the bits name and the page the kernel meant.
 */
import {
  allPages, classify, forEachUsed, kernelOf, pageAt, newClassified, pageLabel, type MachineState, type Page, type Space,
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
  const c = newClassified();
  for (const proc of s.processes) {
    if (!proc.alive) continue;
    forEachUsed(proc.ptes, (index, hi, lo, target) => {
      classify(k, hi, lo, c);
      if (c.pfn < 0) return;
      if (links.length >= maxLinks) {
        truncated++;
        return;
      }
      const tp = target >= 0 ? pageAt(s.pages, target)! : null;
      if (tp?.kind === 'zero') return;
      const named = box(c.deviceSpace ? 'device' : 'phys', c.pfn);
      const targetKey = tp ? box(tp.space, tp.number) : null;
      const d = decodeCached(k, (BigInt(hi) << 32n) | BigInt(lo));
      links.push({
        pid: proc.pid, index, kind: d.kind, namedKey: named, targetKey, ok: named === targetKey,
        label: `pid ${proc.pid} PTE ${index} (${d.summary}) names ${boxes.get(named)!.label}${named === targetKey ? '' : `, but the kernel meant ${tp ? pageLabel(tp) : 'no page'}`}`,
      });
    });
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
