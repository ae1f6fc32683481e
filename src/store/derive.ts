/**
 * View models derived from the machine state: what the views draw, computed once here so that the
 * views do no bit arithmetic and hold no kernel facts.
 */
import {
  classify, decodePte, forEachUsed, kernelOf, newClassified, pageLabel, PTRS_PER_PTE, readPte, type Change, type DecodedPte, type Kernel,
  type MachineState, type Page, type PteTable, type Space, type TraceEntry,
} from '../model/index.ts';

export type PteRow =
  | { readonly kind: 'pte'; readonly index: number }
  | { readonly kind: 'fold'; readonly from: number; readonly to: number };

/**
 * The rows of a PTE table, ptdump-style: runs of empty entries fold into one row, except entries
 * the last step changed (a PTE it cleared stays visible, marked).
 */
export function pteRows(t: PteTable, changed: ReadonlySet<number>, keep?: number): PteRow[] {
  const rows: PteRow[] = [];
  let runStart = -1;
  const flush = (end: number) => {
    if (runStart < 0) return;
    if (end - runStart === 1) rows.push({ kind: 'pte', index: runStart });
    else rows.push({ kind: 'fold', from: runStart, to: end - 1 });
    runStart = -1;
  };
  for (let ci = 0; ci < t.chunks.length; ci++) {
    const c = t.chunks[ci];
    const base = ci * PTRS_PER_PTE;
    const end = Math.min(t.length, base + PTRS_PER_PTE);
    if (!c || c.used === 0) {
      let special = false;
      for (const i of changed) if (i >= base && i < end) special = true;
      if (keep !== undefined && keep >= base && keep < end) special = true;
      if (!special) {
        if (runStart < 0) runStart = base;
        continue;
      }
    }
    for (let i = base; i < end; i++) {
      const empty = !c || (c.hi[i - base] === 0 && c.lo[i - base] === 0);
      if (empty && !changed.has(i) && i !== keep) {
        if (runStart < 0) runStart = i;
        continue;
      }
      flush(i);
      rows.push({ kind: 'pte', index: i });
    }
  }
  flush(t.length);
  return rows;
}

/** PTE indices of `pid` that a step changed. */
export function changedIn(trace: readonly TraceEntry[] | undefined, pid: number): Set<number> {
  const out = new Set<number>();
  for (const t of trace ?? []) for (const c of t.changes) if (c.kind === 'pte' && c.pid === pid) out.add(c.index);
  return out;
}

/** The PTE changes of a step, in order. */
export function pteChanges(trace: readonly TraceEntry[] | undefined): Extract<Change, { kind: 'pte' }>[] {
  const out: Extract<Change, { kind: 'pte' }>[] = [];
  for (const t of trace ?? []) for (const c of t.changes) if (c.kind === 'pte') out.push(c);
  return out;
}

const cache = new WeakMap<Kernel, Map<bigint, DecodedPte>>();

/** decodePte with a small per-kernel cache (the same values repeat across rows and steps). */
export function decodeCached(k: Kernel, raw: bigint): DecodedPte {
  let m = cache.get(k);
  if (!m) {
    m = new Map();
    cache.set(k, m);
  }
  let d = m.get(raw);
  if (!d) {
    if (m.size > 20000) m.clear();
    d = decodePte(k, raw);
    m.set(raw, d);
  }
  return d;
}

export function decodeAt(s: MachineState, pid: number, index: number): DecodedPte {
  const p = s.processes.find((x) => x.pid === pid);
  return decodeCached(kernelOf(s), p && index < p.ptes.length ? readPte(p.ptes, index) : 0n);
}

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
      const id = s.pageIndex.get(key);
      const page = id === undefined ? null : s.pages[id]!;
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
      const tp = target >= 0 ? s.pages[target]! : null;
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
  for (const p of s.pages) {
    if (!p.allocated || p.kind === 'zero' || boxes.has(keyOf(p.space, p.number))) continue;
    if (boxes.size >= maxPages) hiddenPages++;
    else box(p.space, p.number);
  }
  const all = [...boxes.values()];
  const phys = all.filter((b) => b.space === 'phys').sort((a, b) => a.number - b.number);
  const device = all.filter((b) => b.space === 'device').sort((a, b) => a.number - b.number);
  return { phys, device, separate: k.profile.deviceSpace === 'separate', links, truncated, hiddenPages };
}
