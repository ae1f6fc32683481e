/**
 * A process's PTE range, stored as page-table pages of PTRS_PER_PTE entries (like the kernel's). Each
 * page is one Uint32Array of three words per entry: the PTE's high and low halves, and the page the
 * entry refers to. Pages are shared between states and copied only when written, so a step that
 * touches one PTE copies 6 KiB.
 */
import { hi32, lo32 } from '../kernel/u64.ts';

export const PTRS_PER_PTE = 512;
/** Words per entry: hi, lo, target. */
const W = 3;
/** The target word of an entry with no page (-1 as an unsigned 32-bit word). */
const NO_TARGET = 0xffffffff;

export interface PteChunk {
  /**
   * [hi, lo, target] per entry. `target` is the page id the entry stands for (-1 for none): the page a
   * present PTE maps, the page a migration / device-private / device-exclusive / hwpoison entry is
   * about. The kernel knows it from its own data structures (migrate->src[], the rmap); the raw bits
   * may say something else, and the invariants compare the two.
   */
  readonly words: Uint32Array;
  /** Number of non-none entries. */
  readonly used: number;
}

export interface PteTable {
  readonly length: number;
  readonly chunks: readonly (PteChunk | null)[];
}

export function emptyTable(length: number): PteTable {
  return { length, chunks: new Array<PteChunk | null>(Math.ceil(length / PTRS_PER_PTE)).fill(null) };
}

export function readHi(t: PteTable, i: number): number {
  const c = t.chunks[i >>> 9];
  return c ? c.words[(i & 511) * W]! : 0;
}

export function readLo(t: PteTable, i: number): number {
  const c = t.chunks[i >>> 9];
  return c ? c.words[(i & 511) * W + 1]! : 0;
}

export function readPte(t: PteTable, i: number): bigint {
  const c = t.chunks[i >>> 9];
  if (!c) return 0n;
  const k = (i & 511) * W;
  return (BigInt(c.words[k]!) << 32n) | BigInt(c.words[k + 1]!);
}

export function readTarget(t: PteTable, i: number): number {
  const c = t.chunks[i >>> 9];
  return c ? c.words[(i & 511) * W + 2]! | 0 : -1;
}

/** Whether the entry at slot `j` of a page-table page is zero. */
export function chunkEntryEmpty(c: PteChunk, j: number): boolean {
  return c.words[j * W] === 0 && c.words[j * W + 1] === 0;
}

/** Calls f for every non-zero entry, in index order, with its halves and target page. */
export function forEachUsed(t: PteTable, f: (index: number, hi: number, lo: number, target: number) => void): void {
  for (let ci = 0; ci < t.chunks.length; ci++) {
    const c = t.chunks[ci];
    if (!c || c.used === 0) continue;
    const w = c.words;
    for (let j = 0, k = 0; j < PTRS_PER_PTE; j++, k += W) {
      const hi = w[k]!;
      const lo = w[k + 1]!;
      if (hi !== 0 || lo !== 0) f(ci * PTRS_PER_PTE + j, hi, lo, w[k + 2]! | 0);
    }
  }
}

/** Indices of non-zero entries, in order. */
export function* usedIndices(t: PteTable): Generator<number> {
  for (let ci = 0; ci < t.chunks.length; ci++) {
    const c = t.chunks[ci];
    if (!c || c.used === 0) continue;
    for (let j = 0; j < PTRS_PER_PTE; j++) if (!chunkEntryEmpty(c, j)) yield ci * PTRS_PER_PTE + j;
  }
}

function scanTargets(c: PteChunk, page: number, base: number, out: number[]): void {
  const w = c.words;
  const want = page >>> 0;
  for (let j = 0, k = 2; j < PTRS_PER_PTE; j++, k += W) if (w[k] === want) out.push(base + j);
}

const reverse = new WeakMap<PteChunk, Map<number, number[]> | number>();
/** A page-table page is scanned this many times before its reverse index is built. */
const SCANS_BEFORE_INDEX = 4;

/**
 * target page -> the slots of an (immutable) page-table page that refer to it; undefined while the
 * page has been asked about only a few times (a scan of 512 targets is cheaper than building a map).
 */
function reverseIndex(c: PteChunk): Map<number, number[]> | undefined {
  let m = reverse.get(c);
  if (m === undefined || typeof m === 'number') {
    const scans = (m ?? 0) + 1;
    if (scans < SCANS_BEFORE_INDEX) {
      reverse.set(c, scans);
      return undefined;
    }
    m = new Map();
    const w = c.words;
    for (let j = 0, k = 2; j < PTRS_PER_PTE; j++, k += W) {
      const page = w[k]! | 0;
      if (page < 0) continue;
      const list = m.get(page);
      if (list) list.push(j);
      else m.set(page, [j]);
    }
    reverse.set(c, m);
  }
  return m;
}

/** A writable view of a table for one step: pages are cloned the first time they are written. */
export class TableWriter {
  private chunks: (PteChunk | null)[];
  private owned = new Set<number>();
  constructor(private readonly base: PteTable) {
    this.chunks = base.chunks.slice();
  }

  get length(): number {
    return this.base.length;
  }

  read(i: number): bigint {
    const c = this.chunks[i >>> 9];
    if (!c) return 0n;
    const k = (i & 511) * W;
    return (BigInt(c.words[k]!) << 32n) | BigInt(c.words[k + 1]!);
  }

  /**
   * Indices of the entries whose target is `page` (the rmap). A page-table page this step has not
   * written is immutable, so its reverse index is built once and shared by every later state; the
   * pages this step writes are scanned.
   */
  entriesFor(page: number): number[] {
    const out: number[] = [];
    for (let ci = 0; ci < this.chunks.length; ci++) {
      const c = this.chunks[ci];
      if (!c || c.used === 0) continue;
      const base = ci * PTRS_PER_PTE;
      const index = this.owned.has(ci) ? undefined : reverseIndex(c);
      if (index) {
        const hits = index.get(page);
        if (hits) for (const j of hits) out.push(base + j);
      } else {
        scanTargets(c, page, base, out);
      }
    }
    return out;
  }

  /**
   * The indices in [start, end) that lie in page-table pages holding an entry: what a page-table
   * walk visits (walk_page_range, copy_page_range and zap skip a PMD with no page table).
   */
  *populated(start: number, end: number): Generator<number> {
    const stop = Math.min(end, this.base.length);
    for (let i = Math.max(0, start); i < stop; ) {
      const ci = i >>> 9;
      const next = Math.min(stop, (ci + 1) * PTRS_PER_PTE);
      const c = this.chunks[ci];
      if (c && c.used > 0) for (let x = i; x < next; x++) yield x;
      i = next;
    }
  }

  target(i: number): number {
    const c = this.chunks[i >>> 9];
    return c ? c.words[(i & 511) * W + 2]! | 0 : -1;
  }

  write(i: number, v: bigint, target: number): void {
    if (i < 0 || i >= this.base.length) throw new RangeError(`PTE index ${i} outside the range of ${this.base.length}`);
    const ci = i >>> 9;
    let c = this.chunks[ci];
    if (!this.owned.has(ci)) {
      c = c ? { words: c.words.slice(), used: c.used } : { words: freshWords(), used: 0 };
      this.chunks[ci] = c;
      this.owned.add(ci);
    }
    const chunk = c as { words: Uint32Array; used: number };
    const w = chunk.words;
    const k = (i & 511) * W;
    const was = w[k] !== 0 || w[k + 1] !== 0;
    w[k] = hi32(v);
    w[k + 1] = lo32(v);
    w[k + 2] = v === 0n || target < 0 ? NO_TARGET : target;
    const now = v !== 0n;
    if (was !== now) chunk.used += now ? 1 : -1;
  }

  finish(): PteTable {
    if (this.owned.size === 0) return this.base;
    return { length: this.base.length, chunks: this.chunks };
  }
}

function freshWords(): Uint32Array {
  const w = new Uint32Array(PTRS_PER_PTE * W);
  for (let k = 2; k < w.length; k += W) w[k] = NO_TARGET;
  return w;
}
