/**
 * The rows of the PTE array: empty runs fold, ptdump-style; what a step changed stays visible.
 */
import { chunkEntryEmpty, PTRS_PER_PTE, type Change, type PteChunk, type PteTable, type TraceEntry } from '../model/index.ts';

export type PteRow =
  | { readonly kind: 'pte'; readonly index: number }
  | { readonly kind: 'fold'; readonly from: number; readonly to: number };

/** The rows of a PTE table, with what the virtualised list needs: the count, a row by position, a PTE's row. */
export interface RowList {
  readonly length: number;
  at(i: number): PteRow;
  /** The position of PTE `index`'s own row, or -1 when it is folded away. */
  indexOf(index: number): number;
}

/** The rows of one page-table page, relative to its first entry: empty runs at its ends are left to the caller. */
interface Segment {
  /** Empty entries before the first row (PTRS_PER_PTE when the page has no row at all). */
  readonly lead: number;
  /** Empty entries after the last row. */
  readonly tail: number;
  readonly rows: readonly PteRow[];
}

const segments = new WeakMap<PteChunk, Segment>();
const EMPTY: Segment = { lead: PTRS_PER_PTE, tail: 0, rows: [] };

/** The segment of a page-table page; `shown` entries are rows even when empty (changed, selected). */
function segmentOf(c: PteChunk | null, shown: readonly number[]): Segment {
  if (shown.length === 0) {
    if (!c || c.used === 0) return EMPTY;
    const hit = segments.get(c);
    if (hit) return hit;
  }
  const rows: PteRow[] = [];
  let run = -1;
  let lead = -1;
  for (let j = 0; j < PTRS_PER_PTE; j++) {
    const empty = (!c || chunkEntryEmpty(c, j)) && !shown.includes(j);
    if (empty) {
      if (run < 0) run = j;
      continue;
    }
    if (lead < 0) lead = run < 0 ? 0 : j - run;
    else if (run >= 0) rows.push(j - run === 1 ? { kind: 'pte', index: run } : { kind: 'fold', from: run, to: j - 1 });
    run = -1;
    rows.push({ kind: 'pte', index: j });
  }
  const seg: Segment = lead < 0 ? EMPTY : { lead, tail: run < 0 ? 0 : PTRS_PER_PTE - run, rows };
  if (shown.length === 0 && c) segments.set(c, seg);
  return seg;
}

type Part = { readonly start: number; readonly base: number; readonly rows: readonly PteRow[] };

/**
 * The rows of a PTE table, ptdump-style: runs of empty entries fold into one row, except entries
 * the last step changed (a PTE it cleared stays visible, marked) and the selected one. Each
 * page-table page's rows are built once and shared by every state that has the page, so the list
 * of a 262,144-entry range costs a pass over its 512 page-table pages, not over its entries.
 */
export function pteRows(t: PteTable, changed: ReadonlySet<number>, keep?: number): RowList {
  const shownIn = new Map<number, number[]>();
  for (const i of keep === undefined ? changed : [...changed, keep]) {
    if (i < 0 || i >= t.length) continue;
    const ci = Math.floor(i / PTRS_PER_PTE);
    const list = shownIn.get(ci) ?? [];
    list.push(i - ci * PTRS_PER_PTE);
    shownIn.set(ci, list);
  }
  const parts: Part[] = [];
  let start = 0;
  let run = -1;
  const flush = (end: number) => {
    if (run < 0 || run >= end) {
      run = -1;
      return;
    }
    parts.push({ start, base: 0, rows: [end - run === 1 ? { kind: 'pte', index: run } : { kind: 'fold', from: run, to: end - 1 }] });
    start++;
    run = -1;
  };
  for (let ci = 0; ci < t.chunks.length; ci++) {
    const base = ci * PTRS_PER_PTE;
    const seg = segmentOf(t.chunks[ci] ?? null, shownIn.get(ci) ?? []);
    if (seg === EMPTY) {
      if (run < 0) run = base;
      continue;
    }
    if (seg.lead > 0 && run < 0) run = base;
    flush(base + seg.lead);
    parts.push({ start, base, rows: seg.rows });
    start += seg.rows.length;
    if (seg.tail > 0) run = base + PTRS_PER_PTE - seg.tail;
  }
  flush(t.length);
  return new Rows(parts, start);
}

class Rows implements RowList {
  constructor(private readonly parts: readonly Part[], readonly length: number) {}

  private partAt(i: number): Part {
    let lo = 0;
    let hi = this.parts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.parts[mid]!.start <= i) lo = mid;
      else hi = mid - 1;
    }
    return this.parts[lo]!;
  }

  at(i: number): PteRow {
    if (i < 0 || i >= this.length) throw new RangeError(`row ${i} of ${this.length}`);
    const p = this.partAt(i);
    const r = p.rows[i - p.start]!;
    if (p.base === 0) return r;
    return r.kind === 'pte' ? { kind: 'pte', index: r.index + p.base } : { kind: 'fold', from: r.from + p.base, to: r.to + p.base };
  }

  indexOf(index: number): number {
    // The last part that starts at or before `index`; then its rows (at most a page-table page's).
    const first = (p: Part) => {
      const r = p.rows[0]!;
      return (r.kind === 'pte' ? r.index : r.from) + p.base;
    };
    let lo = 0;
    let hi = this.parts.length - 1;
    if (hi < 0 || first(this.parts[0]!) > index) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (first(this.parts[mid]!) <= index) lo = mid;
      else hi = mid - 1;
    }
    const p = this.parts[lo]!;
    for (let n = 0; n < p.rows.length; n++) {
      const r = p.rows[n]!;
      if (r.kind === 'pte' && r.index + p.base === index) return p.start + n;
    }
    return -1;
  }
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

