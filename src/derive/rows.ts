/**
 * The rows of the PTE array: empty runs fold, ptdump-style; what a step changed stays visible.
 */
import { chunkEntryEmpty, PTRS_PER_PTE, type Change, type PteTable, type TraceEntry } from '../model/index.ts';

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
      const empty = !c || chunkEntryEmpty(c, i - base);
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

