/**
 * A process's PTE range, stored as page-table pages of PTRS_PER_PTE entries (like the kernel's). Each
 * page is one Uint32Array of three words per entry: the PTE's high and low halves, and the page the
 * entry refers to. Pages are shared between states and copied only when written, so a step that
 * touches one PTE copies 6 KiB.
 *
 * The PMD level: slot `ci` of `chunks` is the PMD that covers PTEs ci*512 .. ci*512+511 (2 MiB, when
 * the range starts on a 2 MiB boundary, as the default 0x7f0000000000 does). It is either none (null),
 * a pointer to a PTE table (a chunk without `pmd`), or a leaf: a chunk whose `pmd` holds the entry (a
 * huge present PMD, a migration or a device-private PMD) and whose PTE words are unused. A split
 * replaces the leaf by a fresh table of 512 PTEs; everything that reads PTEs sees no PTE inside a leaf.
 */
import { hi32, lo32 } from '../kernel/u64.ts';

export const PTRS_PER_PTE = 512;
/** Words per entry: hi, lo, target. */
const W = 3;
/** The target word of an entry with no page (-1 as an unsigned 32-bit word). */
const NO_TARGET = 0xffffffff;

/** A PMD leaf: the entry's halves and the page (the folio's head) it stands for. */
export interface PmdEntry {
  readonly hi: number;
  readonly lo: number;
  readonly target: number;
}

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
  /** Non-null: this PMD is a leaf, not a PTE table (`words` is an unused empty table). */
  readonly pmd: PmdEntry | null;
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

/** The PMD leaf covering PTE index `i`, or null (no page table, or a PTE table). */
export function pmdEntry(t: PteTable, i: number): PmdEntry | null {
  return t.chunks[i >>> 9]?.pmd ?? null;
}

/** The value of the PMD covering PTE index `i` when it is a leaf, else 0n. */
export function readPmd(t: PteTable, i: number): bigint {
  const e = pmdEntry(t, i);
  return e ? (BigInt(e.hi) << 32n) | BigInt(e.lo) : 0n;
}

/** Whether the PMD covering PTE index `i` points to a PTE table (pmd_none() and a leaf do not). */
export function hasPteTable(t: PteTable, i: number): boolean {
  const c = t.chunks[i >>> 9];
  return c !== null && c !== undefined && c.pmd === null;
}

/** Calls f for every PMD leaf, with the first PTE index it covers, its halves and its target. */
export function forEachPmd(t: PteTable, f: (index: number, hi: number, lo: number, target: number) => void): void {
  for (let ci = 0; ci < t.chunks.length; ci++) {
    const e = t.chunks[ci]?.pmd;
    if (e) f(ci * PTRS_PER_PTE, e.hi, e.lo, e.target);
  }
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
  /** A PMD was written or a table freed (chunks replaced without being owned). */
  private replaced = false;
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

  /** The PMD leaf covering PTE index `i`, or null. */
  pmd(i: number): PmdEntry | null {
    return this.chunks[i >>> 9]?.pmd ?? null;
  }

  /** Whether the PMD covering `i` points to a PTE table. */
  hasTable(i: number): boolean {
    const c = this.chunks[i >>> 9];
    return c !== null && c !== undefined && c.pmd === null;
  }

  /** First PTE indices of the PMD leaves whose target is `page` (the rmap at PMD level). */
  pmdsFor(page: number): number[] {
    const out: number[] = [];
    for (let ci = 0; ci < this.chunks.length; ci++) if (this.chunks[ci]?.pmd?.target === page) out.push(ci * PTRS_PER_PTE);
    return out;
  }

  /**
   * Writes the PMD covering `i` as a leaf (v !== 0n) or clears it (v === 0n: pmd_none, no table).
   * Refuses to overwrite a PTE table: the caller frees or collapses it first.
   */
  writePmd(i: number, v: bigint, target: number): void {
    const ci = i >>> 9;
    const c = this.chunks[ci];
    if (c && c.pmd === null && c.used > 0) throw new Error(`PMD ${ci} points to a PTE table with ${c.used} entries: it cannot become a leaf`);
    this.chunks[ci] = v === 0n ? null : { words: LEAF_WORDS, used: 0, pmd: { hi: hi32(v), lo: lo32(v), target: target < 0 ? -1 : target } };
    this.owned.delete(ci);
    this.replaced = true;
  }

  /** Replaces the PMD covering `i` by a PTE table whose entry j is entries(j) = [value, target] (the split, pmd_populate()). */
  installTable(i: number, entries: (j: number) => readonly [bigint, number]): void {
    const ci = i >>> 9;
    const words = freshWords();
    let used = 0;
    for (let j = 0, k = 0; j < PTRS_PER_PTE; j++, k += W) {
      const [v, target] = entries(j);
      if (v === 0n) continue;
      words[k] = hi32(v);
      words[k + 1] = lo32(v);
      words[k + 2] = target < 0 ? NO_TARGET : target;
      used++;
    }
    this.chunks[ci] = { words, used, pmd: null };
    this.owned.add(ci);
  }

  /** free_pgtables(): the PMD covering `i` no longer points to a PTE table (it must be empty). */
  freeTable(i: number): void {
    const ci = i >>> 9;
    const c = this.chunks[ci];
    if (!c || c.pmd !== null) return;
    if (c.used > 0) throw new Error(`PTE table ${ci} still has ${c.used} entries`);
    this.chunks[ci] = null;
    this.owned.delete(ci);
    this.replaced = true;
  }

  write(i: number, v: bigint, target: number): void {
    if (i < 0 || i >= this.base.length) throw new RangeError(`PTE index ${i} outside the range of ${this.base.length}`);
    const ci = i >>> 9;
    let c = this.chunks[ci];
    if (c?.pmd) throw new Error(`PTE ${i} lies inside a PMD leaf: split the PMD before writing its PTEs`);
    if (!this.owned.has(ci)) {
      c = c ? { words: c.words.slice(), used: c.used, pmd: null } : { words: freshWords(), used: 0, pmd: null };
      this.chunks[ci] = c;
      this.owned.add(ci);
    }
    const chunk = c as { words: Uint32Array; used: number; pmd: null };
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
    if (this.owned.size === 0 && !this.replaced) return this.base;
    return { length: this.base.length, chunks: this.chunks };
  }
}

/** The (never written) words of every leaf chunk: no PTE, no target. */
const LEAF_WORDS = freshWords();

function freshWords(): Uint32Array {
  const w = new Uint32Array(PTRS_PER_PTE * W);
  for (let k = 2; k < w.length; k += W) w[k] = NO_TARGET;
  return w;
}
