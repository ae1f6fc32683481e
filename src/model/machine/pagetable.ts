/**
 * A process's PTE range, stored as page-table pages of 512 entries (like the kernel's), each as two
 * Uint32Arrays (high and low halves of the PTE) plus the page each entry refers to. Chunks are
 * shared between states and copied only when written, so a step that touches one PTE copies 4 KiB.
 */
export const PTRS_PER_PTE = 512;

export interface PteChunk {
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
  /**
   * The page id the entry stands for, -1 for none: the page a present PTE maps, the page a
   * migration / device-private / device-exclusive / hwpoison entry is about. The kernel knows it
   * from its own data structures (migrate->src[], the rmap); the raw bits may say something else,
   * and the invariants compare the two.
   */
  readonly target: Int32Array;
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
  return c ? c.hi[i & 511]! : 0;
}

export function readLo(t: PteTable, i: number): number {
  const c = t.chunks[i >>> 9];
  return c ? c.lo[i & 511]! : 0;
}

export function readPte(t: PteTable, i: number): bigint {
  const c = t.chunks[i >>> 9];
  if (!c) return 0n;
  const j = i & 511;
  return (BigInt(c.hi[j]!) << 32n) | BigInt(c.lo[j]!);
}

export function readTarget(t: PteTable, i: number): number {
  const c = t.chunks[i >>> 9];
  return c ? c.target[i & 511]! : -1;
}

/** Calls f for every non-zero entry, in index order, with its halves and target page. */
export function forEachUsed(t: PteTable, f: (index: number, hi: number, lo: number, target: number) => void): void {
  for (let ci = 0; ci < t.chunks.length; ci++) {
    const c = t.chunks[ci];
    if (!c || c.used === 0) continue;
    for (let j = 0; j < PTRS_PER_PTE; j++) {
      const hi = c.hi[j]!;
      const lo = c.lo[j]!;
      if (hi !== 0 || lo !== 0) f(ci * PTRS_PER_PTE + j, hi, lo, c.target[j]!);
    }
  }
}

/** Indices of non-zero entries, in order. */
export function* usedIndices(t: PteTable): Generator<number> {
  for (let ci = 0; ci < t.chunks.length; ci++) {
    const c = t.chunks[ci];
    if (!c || c.used === 0) continue;
    for (let j = 0; j < PTRS_PER_PTE; j++) {
      if (c.hi[j] !== 0 || c.lo[j] !== 0) yield ci * PTRS_PER_PTE + j;
    }
  }
}

/** A writable view of a table for one step: chunks are cloned the first time they are written. */
export class TableWriter {
  private chunks: (PteChunk | null)[];
  private owned = new Set<number>();
  constructor(private readonly base: PteTable) {
    this.chunks = base.chunks.slice();
  }

  get length(): number {
    return this.base.length;
  }

  hasChunk(ci: number): boolean {
    return this.chunks[ci] != null;
  }

  get chunkCount(): number {
    return this.chunks.length;
  }

  read(i: number): bigint {
    return readPte({ length: this.base.length, chunks: this.chunks }, i);
  }

  /** Indices of the entries whose target is `page` (a scan of the target arrays: the rmap). */
  entriesFor(page: number): number[] {
    const out: number[] = [];
    for (let ci = 0; ci < this.chunks.length; ci++) {
      const c = this.chunks[ci];
      if (!c || c.used === 0) continue;
      const t = c.target;
      for (let j = 0; j < PTRS_PER_PTE; j++) if (t[j] === page) out.push(ci * PTRS_PER_PTE + j);
    }
    return out;
  }

  target(i: number): number {
    return readTarget({ length: this.base.length, chunks: this.chunks }, i);
  }

  write(i: number, v: bigint, target: number): void {
    if (i < 0 || i >= this.base.length) throw new RangeError(`PTE index ${i} outside the range of ${this.base.length}`);
    const ci = i >>> 9;
    let c = this.chunks[ci];
    if (!this.owned.has(ci)) {
      c = c
        ? { hi: c.hi.slice(), lo: c.lo.slice(), target: c.target.slice(), used: c.used }
        : { hi: new Uint32Array(PTRS_PER_PTE), lo: new Uint32Array(PTRS_PER_PTE), target: new Int32Array(PTRS_PER_PTE).fill(-1), used: 0 };
      this.chunks[ci] = c;
      this.owned.add(ci);
    }
    const chunk = c as { hi: Uint32Array; lo: Uint32Array; target: Int32Array; used: number };
    const j = i & 511;
    const was = chunk.hi[j] !== 0 || chunk.lo[j] !== 0;
    chunk.hi[j] = Number((v >> 32n) & 0xffffffffn);
    chunk.lo[j] = Number(v & 0xffffffffn);
    chunk.target[j] = v === 0n ? -1 : target;
    const now = v !== 0n;
    if (was !== now) chunk.used += now ? 1 : -1;
  }

  finish(): PteTable {
    if (this.owned.size === 0) return this.base;
    return { length: this.base.length, chunks: this.chunks };
  }
}
