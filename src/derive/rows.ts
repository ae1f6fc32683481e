/**
 * The rows of the PTE array, with the PMD level: a PMD leaf (a huge, migration or device-private
 * PMD) is one row for its 512 PTE slots; inside a PTE table, empty runs fold ptdump-style and runs of
 * identically shaped entries (what a split leaves: PTE i = PTE 0 − i·0x200 on x86) fold into one row
 * that the user can unfold; what a step changed and the selected entry stay visible.
 */
import {
  chunkEntryEmpty, classify, hex, KIND, newClassified, PTRS_PER_PTE, readHi, readLo, readPte,
  type Change, type Classified, type DecodedPte, type Kernel, type PteChunk, type PteTable, type TraceEntry,
} from '../model/index.ts';
import { decodeCached } from './decoded.ts';

export type PteRow =
  | { readonly kind: 'pte'; readonly index: number }
  /** Empty PTEs (or a range with no page table), folded. */
  | { readonly kind: 'fold'; readonly from: number; readonly to: number }
  /** A PMD leaf: one row for PTE slots index..to. */
  | { readonly kind: 'pmd'; readonly index: number; readonly to: number }
  /**
   * PTEs from..to of one shape: the same kind, type and flags, numbers counting up by one. `key` is
   * the first PTE of the whole run (a selected PTE cuts a run into pieces that share the key); `open`:
   * the user unfolded it, and its PTEs follow as rows of their own.
   */
  | { readonly kind: 'run'; readonly from: number; readonly to: number; readonly key: number; readonly open: boolean };

/** The rows of a PTE table, with what the virtualised list needs: the count, a row by position, a PTE's row. */
export interface RowList {
  readonly length: number;
  at(i: number): PteRow;
  /** The position of PTE `index`'s own row (the PMD's row inside a PMD leaf), or -1 when it is folded away. */
  indexOf(index: number): number;
  /** The position of the first row that starts at PTE `index` (whatever its kind), or -1. */
  startsAt(index: number): number;
}

export interface RowOptions {
  /** The kernel that reads the entries: with it, runs of one shape fold (without it, none do). */
  readonly kernel?: Kernel;
  /** PTE indices the step changed: they stay rows of their own (a PTE it cleared stays visible, marked). */
  readonly changed?: ReadonlySet<number>;
  /** A PTE index that must stay a row of its own (the selection). */
  readonly keep?: number;
  /**
   * The first PTE index of each PMD the step split into a PTE table: the 512 PTEs it wrote fold into
   * runs like at any other step (the view marks those rows as changed) instead of all standing out.
   */
  readonly split?: ReadonlySet<number>;
  /** Runs (by their key) the user unfolded. */
  readonly expanded?: ReadonlySet<number>;
}

/** Runs shorter than this are PTE rows. */
export const MIN_RUN = 8;

/** The first PTE index a row covers. */
export function rowStart(r: PteRow): number {
  return r.kind === 'pte' || r.kind === 'pmd' ? r.index : r.from;
}

/** The last PTE index a row covers. */
export function rowEnd(r: PteRow): number {
  return r.kind === 'pte' ? r.index : r.to;
}

function shifted(r: PteRow, base: number): PteRow {
  if (base === 0) return r;
  switch (r.kind) {
    case 'pte': return { kind: 'pte', index: r.index + base };
    case 'pmd': return { kind: 'pmd', index: r.index + base, to: r.to + base };
    case 'fold': return { kind: 'fold', from: r.from + base, to: r.to + base };
    case 'run': return { kind: 'run', from: r.from + base, to: r.to + base, key: r.key + base, open: r.open };
  }
}

// ---- runs of one shape -------------------------------------------------------------------------------

const runCache = new WeakMap<PteChunk, Map<Kernel, readonly (readonly [number, number])[]>>();
const cl = newClassified();

/**
 * The maximal runs [from, to] (chunk-relative, at least MIN_RUN long) of non-empty PTEs of one shape
 * with consecutive numbers; computed once per (immutable) page-table page and kernel.
 */
export function chunkRuns(k: Kernel, c: PteChunk): readonly (readonly [number, number])[] {
  let byK = runCache.get(c);
  if (!byK) runCache.set(c, (byK = new Map()));
  const hit = byK.get(k);
  if (hit) return hit;
  const out: [number, number][] = [];
  if (c.used >= MIN_RUN) {
    const one: PteTable = { length: PTRS_PER_PTE, chunks: [c] };
    let from = -1;
    let prevShape = '';
    let prevNumber = 0;
    for (let j = 0; j <= PTRS_PER_PTE; j++) {
      const hi = j < PTRS_PER_PTE ? readHi(one, j) : 0;
      const lo = j < PTRS_PER_PTE ? readLo(one, j) : 0;
      const empty = hi === 0 && lo === 0;
      const shape = empty ? '' : shapeOf(k, hi, lo, cl);
      const number = empty ? 0 : numberOf(cl);
      const continues = !empty && from >= 0 && shape === prevShape && number === prevNumber + 1;
      if (!continues) {
        if (from >= 0 && j - from >= MIN_RUN) out.push([from, j - 1]);
        from = empty ? -1 : j;
      }
      prevShape = shape;
      prevNumber = number;
    }
  }
  byK.set(k, out);
  return out;
}

/** Everything about a PTE but its page number, as the classifier reads it. */
function shapeOf(k: Kernel, hi: number, lo: number, c: Classified): string {
  classify(k, hi, lo, c);
  if (c.kind === KIND.present) {
    const p = k.arch.decodePresent(hi, lo);
    return `p${+p.writable}${+p.accessed}${+p.dirty}${+p.savedDirty}${+p.softDirty}${+p.uffdWp}${+p.special}${+p.nx}${+p.protnone}${p.pkey}${+p.user}`;
  }
  return `s${c.kind}:${c.type}:${+c.softDirty}${+c.uffdWp}${+c.exclusive}${+c.youngBit}${+c.dirtyBit}:${c.above}:${c.pfn < 0 ? c.offset : ''}`;
}

function numberOf(c: Classified): number {
  return c.pfn >= 0 ? c.pfn : c.offset;
}

/**
 * What a run row says: the first and last PTE decoded; `short`, the first PTE's decoding and the last
 * PTE's number; `text`, the same with the count, for its accessible name.
 */
export function runSummary(k: Kernel, t: PteTable, from: number, to: number): { first: DecodedPte; last: DecodedPte; short: string; text: string } {
  const first = decodeCached(k, readPte(t, from));
  const last = decodeCached(k, readPte(t, to));
  const n = (d: DecodedPte) => (d.present ? d.present.pfn : d.swap ? d.swap.pfn ?? d.swap.offset : 0);
  const short = `${first.summary} … ${hex(n(last))}`;
  return { first, last, short, text: `${to - from + 1} PTEs of one shape, numbers counting up by 1: ${short}` };
}

// ---- segments: the rows of one page-table page ---------------------------------------------------------

/** The rows of one page-table page, relative to its first entry: empty runs at its ends are left to the caller. */
interface Segment {
  /** Empty entries before the first row (PTRS_PER_PTE when the page has no row at all). */
  readonly lead: number;
  /** Empty entries after the last row. */
  readonly tail: number;
  readonly rows: readonly PteRow[];
}

const segments = new WeakMap<PteChunk, Map<Kernel | null, Segment>>();
const EMPTY: Segment = { lead: PTRS_PER_PTE, tail: 0, rows: [] };

/**
 * The segment of a page-table page (or of a PMD leaf: one row). `shown` marks entries that are rows
 * even when empty or inside a run (changed, selected); `open` lists the runs (chunk-relative first
 * entries) the user unfolded. Without either, the segment is cached per page and kernel.
 */
function segmentOf(c: PteChunk | null, len: number, k: Kernel | null, shown: Uint8Array | null, open: readonly number[]): Segment {
  if (c?.pmd) return { lead: 0, tail: 0, rows: [{ kind: 'pmd', index: 0, to: len - 1 }] };
  const plain = shown === null && open.length === 0;
  if (plain) {
    if (!c || c.used === 0) return EMPTY;
    const hit = segments.get(c)?.get(k);
    if (hit) return hit;
  }
  const isShown = (j: number) => shown !== null && shown[j] === 1;
  const runs = k && c ? chunkRuns(k, c) : [];
  const rows: PteRow[] = [];
  let empty = -1;
  let lead = -1;
  /** A row starts at j: the empty entries before it become the lead or a fold. */
  const startRow = (j: number) => {
    if (lead < 0) lead = empty < 0 ? 0 : j - empty;
    else if (empty >= 0) rows.push(j - empty === 1 ? { kind: 'pte', index: empty } : { kind: 'fold', from: empty, to: j - 1 });
    empty = -1;
  };
  const piece = (from: number, to: number, key: number) => {
    if (to < from) return;
    if (to - from + 1 >= MIN_RUN) rows.push({ kind: 'run', from, to, key, open: false });
    else for (let i = from; i <= to; i++) rows.push({ kind: 'pte', index: i });
  };
  let r = 0;
  for (let j = 0; j < PTRS_PER_PTE; j++) {
    const run = runs[r];
    if (run && run[0] === j) {
      r++;
      const [from, to] = run;
      startRow(j);
      if (open.includes(from)) {
        rows.push({ kind: 'run', from, to, key: from, open: true });
        for (let i = from; i <= to; i++) rows.push({ kind: 'pte', index: i });
      } else {
        let p = from;
        for (let i = from; i <= to; i++) {
          if (!isShown(i)) continue;
          piece(p, i - 1, from);
          rows.push({ kind: 'pte', index: i });
          p = i + 1;
        }
        piece(p, to, from);
      }
      j = to;
      continue;
    }
    if ((!c || chunkEntryEmpty(c, j)) && !isShown(j)) {
      if (empty < 0) empty = j;
      continue;
    }
    startRow(j);
    rows.push({ kind: 'pte', index: j });
  }
  const seg: Segment = lead < 0 ? EMPTY : { lead, tail: empty < 0 ? 0 : PTRS_PER_PTE - empty, rows };
  if (plain && c) {
    let byK = segments.get(c);
    if (!byK) segments.set(c, (byK = new Map()));
    byK.set(k, seg);
  }
  return seg;
}

type Part = { readonly start: number; readonly base: number; readonly rows: readonly PteRow[] };

/**
 * The rows of a PTE table: a PMD leaf is one row; runs of empty entries fold into one row and, with a
 * kernel, runs of one shape into another, except entries the step changed (not those of a PMD it
 * split) and the selected one. Each page-table page's rows are built once per kernel and shared by
 * every state that has the page, so the list of a 1,048,576-entry range costs a pass over its 2,048
 * page-table pages, not over its entries.
 */
export function pteRows(t: PteTable, o: RowOptions = {}): RowList {
  const k = o.kernel ?? null;
  const shownIn = new Map<number, Uint8Array>();
  const show = (i: number) => {
    if (i < 0 || i >= t.length) return;
    const ci = Math.floor(i / PTRS_PER_PTE);
    let m = shownIn.get(ci);
    if (!m) shownIn.set(ci, (m = new Uint8Array(PTRS_PER_PTE)));
    m[i - ci * PTRS_PER_PTE] = 1;
  };
  for (const i of o.changed ?? []) if (!o.split?.has(i - (i % PTRS_PER_PTE))) show(i);
  if (o.keep !== undefined) show(o.keep);
  const openIn = new Map<number, number[]>();
  for (const i of o.expanded ?? []) {
    if (i < 0 || i >= t.length) continue;
    const ci = Math.floor(i / PTRS_PER_PTE);
    openIn.set(ci, [...(openIn.get(ci) ?? []), i - ci * PTRS_PER_PTE]);
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
  const none: readonly number[] = [];
  for (let ci = 0; ci < t.chunks.length; ci++) {
    const base = ci * PTRS_PER_PTE;
    const seg = segmentOf(t.chunks[ci] ?? null, Math.min(PTRS_PER_PTE, t.length - base), k, shownIn.get(ci) ?? null, openIn.get(ci) ?? none);
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
    return shifted(p.rows[i - p.start]!, p.base);
  }

  indexOf(index: number): number {
    return this.find(index, (r, i) => (r.kind === 'pte' && r.index === i) || (r.kind === 'pmd' && r.index <= i && i <= r.to));
  }

  startsAt(index: number): number {
    return this.find(index, (r, i) => rowStart(r) === i);
  }

  private find(index: number, is: (r: PteRow, index: number) => boolean): number {
    // The last part that starts at or before `index`; then its rows (at most a page-table page's, and an unfolded run's).
    const first = (p: Part) => rowStart(p.rows[0]!) + p.base;
    let lo = 0;
    let hi = this.parts.length - 1;
    if (hi < 0 || first(this.parts[0]!) > index) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (first(this.parts[mid]!) <= index) lo = mid;
      else hi = mid - 1;
    }
    const p = this.parts[lo]!;
    for (let n = 0; n < p.rows.length; n++) if (is(p.rows[n]!, index - p.base)) return p.start + n;
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
