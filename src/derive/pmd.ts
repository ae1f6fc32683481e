/**
 * The PMD level for the views, framework-free (it imports only the model): the rows of the PTE array
 * with a row per huge PMD and runs of identically shaped PTEs folded (a split's 512 PTEs fold back into
 * one row), the 2 MiB folios of the PFN view as blocks of 512 pages with a link per PMD, the pagemap
 * record of every 4 KiB page, decoding at PMD level, and the migrate_vma src[] words.
 */
import {
  classify, decodePte, forEachPmd, kernelOf, kindOfCode, KIND, migrate_pfn, MIGRATE_PFN_COMPOUND, newClassified, pageAt, pagemapContextFor, pagemapOfPmd,
  pagemapOfPte, pageLabel, pmdEntry, PTRS_PER_PTE, readPmd, readPte, readHi, readLo, readTarget, srcMpfn, HPAGE_PMD_NR, allPages, chunkEntryEmpty,
  type Classified, type DecodedPte, type EntryKind, type Kernel, type MachineState, type MigrationSrc, type Page, type PteChunk, type PteTable,
  type Space, type TraceEntry,
} from '../model/index.ts';

// ---- rows -----------------------------------------------------------------------------------------

export type LevelRow =
  | { readonly kind: 'pte'; readonly index: number }
  /** Empty PTEs (or a range with no page table), folded ptdump-style. */
  | { readonly kind: 'fold'; readonly from: number; readonly to: number }
  /** A PMD leaf: one row for PTEs index..to (a huge PMD, a migration or a device-private PMD). */
  | { readonly kind: 'pmd'; readonly index: number; readonly to: number }
  /**
   * PTEs from..to of one shape: the same kind, type and flags, numbers counting up by one (what a
   * split leaves: PTE i = PTE from − i·0x200 for a swap-type PMD on x86). Unfold it with `expanded`.
   */
  | { readonly kind: 'run'; readonly from: number; readonly to: number };

export interface LevelRowOptions {
  /** PTE indices the last step changed: they stay visible as PTE rows (a fresh split shows its 512 rows). */
  readonly changed?: ReadonlySet<number>;
  /** A PTE index that must stay visible (the selection). */
  readonly keep?: number;
  /** Runs (by their first index) the user unfolded. */
  readonly expanded?: ReadonlySet<number>;
  /** Runs shorter than this stay as PTE rows (default 8). */
  readonly minRun?: number;
}

/** Where runs of one shape start and end in a page-table page, cached per (immutable) chunk. */
const runCache = new WeakMap<PteChunk, Map<Kernel, readonly (readonly [number, number])[]>>();

/**
 * The rows of a process's range with the PMD level: a PMD leaf is one row; inside a PTE table, runs
 * of identically shaped PTEs fold into one row (unless changed, kept or expanded) and empty entries
 * fold as before. Step cost: one pass over the chunks; a table's runs are computed once per chunk.
 */
export function levelRows(k: Kernel, t: PteTable, o: LevelRowOptions = {}): LevelRow[] {
  const changed = o.changed ?? new Set<number>();
  const minRun = o.minRun ?? 8;
  const rows: LevelRow[] = [];
  let emptyFrom = -1;
  const flush = (end: number) => {
    if (emptyFrom < 0) return;
    rows.push(end - emptyFrom === 1 ? { kind: 'pte', index: emptyFrom } : { kind: 'fold', from: emptyFrom, to: end - 1 });
    emptyFrom = -1;
  };
  const visible = (i: number) => changed.has(i) || i === o.keep;
  for (let ci = 0; ci < t.chunks.length; ci++) {
    const c = t.chunks[ci];
    const base = ci * PTRS_PER_PTE;
    const end = Math.min(t.length, base + PTRS_PER_PTE);
    if (c?.pmd) {
      flush(base);
      rows.push({ kind: 'pmd', index: base, to: end - 1 });
      continue;
    }
    if (!c || c.used === 0) {
      let special = false;
      for (let i = base; i < end && !special; i++) special = visible(i);
      if (!special) {
        if (emptyFrom < 0) emptyFrom = base;
        continue;
      }
    }
    const runs = c ? chunkRuns(k, c) : [];
    let r = 0;
    for (let i = base; i < end; i++) {
      while (r < runs.length && base + runs[r]![1] < i) r++;
      const run = runs[r];
      if (run && base + run[0] === i && run[1] - run[0] + 1 >= minRun && !o.expanded?.has(i)) {
        const to = base + run[1];
        let hidden = true;
        for (let j = i; j <= to && hidden; j++) hidden = !visible(j);
        if (hidden) {
          flush(i);
          rows.push({ kind: 'run', from: i, to });
          i = to;
          continue;
        }
      }
      const empty = !c || chunkEntryEmpty(c, i - base);
      if (empty && !visible(i)) {
        if (emptyFrom < 0) emptyFrom = i;
        continue;
      }
      flush(i);
      rows.push({ kind: 'pte', index: i });
    }
  }
  flush(t.length);
  return rows;
}

/** The maximal runs [from, to] (chunk-relative) of non-empty PTEs of one shape with consecutive numbers. */
function chunkRuns(k: Kernel, c: PteChunk): readonly (readonly [number, number])[] {
  let byK = runCache.get(c);
  if (!byK) runCache.set(c, (byK = new Map()));
  const hit = byK.get(k);
  if (hit) return hit;
  const out: [number, number][] = [];
  const cl = newClassified();
  const base = { length: PTRS_PER_PTE, chunks: [c] } as PteTable;
  let from = -1;
  let prevShape = '';
  let prevNumber = 0;
  for (let j = 0; j <= PTRS_PER_PTE; j++) {
    const hi = j < PTRS_PER_PTE ? readHi(base, j) : 0;
    const lo = j < PTRS_PER_PTE ? readLo(base, j) : 0;
    const empty = hi === 0 && lo === 0;
    const shape = empty ? '' : shapeOf(k, hi, lo, cl);
    const number = empty ? 0 : numberOf(cl);
    const continues = !empty && from >= 0 && shape === prevShape && number === prevNumber + 1;
    if (!continues) {
      if (from >= 0 && j - 1 > from) out.push([from, j - 1]);
      from = empty ? -1 : j;
    }
    prevShape = shape;
    prevNumber = number;
  }
  byK.set(k, out);
  return out;
}

/** Everything about a PTE but its page number, as the decoder reads it. */
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

/** The first PTE indices of the PMDs a step changed for `pid`, and which of them it split. */
export function pmdChangesIn(trace: readonly TraceEntry[] | undefined, pid: number): { readonly changed: Set<number>; readonly split: Set<number> } {
  const changed = new Set<number>();
  const split = new Set<number>();
  for (const t of trace ?? []) {
    for (const c of t.changes) {
      if (c.kind !== 'pmd' || c.pid !== pid) continue;
      changed.add(c.index);
      if (c.table === 'split') split.add(c.index);
    }
  }
  return { changed, split };
}

// ---- decoding --------------------------------------------------------------------------------------

const pmdCache = new WeakMap<Kernel, Map<bigint, DecodedPte>>();

/** decodePte(k, raw, 'pmd') with a per-kernel cache. */
export function decodePmdCached(k: Kernel, raw: bigint): DecodedPte {
  let m = pmdCache.get(k);
  if (!m) pmdCache.set(k, (m = new Map()));
  let d = m.get(raw);
  if (!d) {
    if (m.size > 4096) m.clear();
    d = decodePte(k, raw, 'pmd');
    m.set(raw, d);
  }
  return d;
}

/** The PMD leaf covering PTE `index` of `pid`, decoded at PMD level; null when there is none. */
export function decodePmdAt(s: MachineState, pid: number, index: number): DecodedPte | null {
  const p = s.processes.find((x) => x.pid === pid);
  if (!p || index >= p.ptes.length || !pmdEntry(p.ptes, index)) return null;
  return decodePmdCached(kernelOf(s), readPmd(p.ptes, index));
}

// ---- the PFN view: folios as blocks -------------------------------------------------------------------

export interface FolioBlock {
  /** `${space}:${first}`: the key of the head page in pfnModel(). */
  readonly key: string;
  readonly head: number;
  readonly space: Space;
  /** The head page's number (PFN or device offset) and the number of pages (512 for a THP). */
  readonly first: number;
  readonly nr: number;
  readonly kind: Page['kind'];
  readonly label: string;
  /** PMDs that map the whole folio (entire mapcount) and PTEs that map its pages. */
  readonly pmdMaps: number;
  readonly pteMaps: number;
  readonly locked: boolean;
  readonly refs: number;
  readonly dirty: boolean;
}

/** Every 2 MiB folio of the state (allocated, or the huge zero folio): one block of 512 pages each. */
export function folioBlocks(s: MachineState): FolioBlock[] {
  const out: FolioBlock[] = [];
  for (const p of allPages(s.pages)) {
    if (p.order === 0 || p.head !== p.id || !p.allocated) continue;
    let pteMaps = 0;
    if (p.kind !== 'zero') for (let i = 0; i < HPAGE_PMD_NR; i++) pteMaps += pageAt(s.pages, p.id + i)?.mapcount ?? 0;
    out.push({
      key: `${p.space}:${p.number}`, head: p.id, space: p.space, first: p.number, nr: 1 << p.order, kind: p.kind,
      label: `${p.kind === 'zero' ? 'huge zero folio' : '2 MiB folio'} ${pageLabel(p)}…0x${(p.number + (1 << p.order) - 1).toString(16)}`,
      pmdMaps: p.entireMapcount, pteMaps, locked: p.locked, refs: p.refs, dirty: p.dirty,
    });
  }
  return out;
}

/** The block a page belongs to (its folio head's key), or null for an order-0 page. */
export function blockKeyOf(s: MachineState, pageId: number): string | null {
  const p = pageAt(s.pages, pageId);
  if (!p || p.order === 0) return null;
  const h = pageAt(s.pages, p.head)!;
  return `${h.space}:${h.number}`;
}

export interface PmdLink {
  readonly pid: number;
  /** The first PTE index of the PMD. */
  readonly index: number;
  readonly kind: EntryKind;
  /** The block the bits name, and the one the kernel meant (keys as in folioBlocks()). */
  readonly namedKey: string;
  readonly targetKey: string | null;
  readonly ok: boolean;
  readonly label: string;
}

/** One link per PMD leaf that names a folio: the huge PMD's PFN, or a migration / device-private PMD's number. */
export function pmdLinks(s: MachineState): PmdLink[] {
  const k = kernelOf(s);
  const c = newClassified();
  const out: PmdLink[] = [];
  for (const proc of s.processes) {
    if (!proc.alive) continue;
    forEachPmd(proc.ptes, (index, hi, lo, target) => {
      classify(k, hi, lo, c, 'pmd');
      if (c.pfn < 0) return;
      const tp = target >= 0 ? pageAt(s.pages, target) : undefined;
      const space: Space = c.kind === KIND.present ? 'phys' : c.deviceSpace ? 'device' : 'phys';
      const namedKey = `${space}:${c.pfn}`;
      const targetKey = tp ? `${tp.space}:${tp.number}` : null;
      const d = decodePmdCached(k, (BigInt(hi) << 32n) | BigInt(lo));
      out.push({
        pid: proc.pid, index, kind: kindOfCode(c.kind), namedKey, targetKey, ok: namedKey === targetKey,
        label: `pid ${proc.pid} PMD at PTE ${index} (${d.summary}) names the 2 MiB at ${space === 'device' ? 'device offset' : 'pfn'} 0x${c.pfn.toString(16)}${namedKey === targetKey ? '' : `, but the kernel meant ${tp ? pageLabel(tp) : 'no folio'}`}`,
      });
    });
  }
  return out;
}

// ---- pagemap ---------------------------------------------------------------------------------------------

/**
 * The /proc/PID/pagemap record of each 4 KiB page of [start, start + count): pagemap_pmd_range_thp()
 * for the pages of a PMD leaf (frame + i; PM_MMAP_EXCLUSIVE from the head), pte_to_pagemap_entry()
 * for the others. The same records the pagemap_read event returns.
 */
export function pagemapRecords(s: MachineState, pid: number, start: number, count: number): bigint[] {
  const k = kernelOf(s);
  const p = s.processes.find((x) => x.pid === pid);
  if (!p) return [];
  const out: bigint[] = [];
  for (let i = start; i < Math.min(start + count, p.ptes.length); i++) {
    const e = pmdEntry(p.ptes, i);
    const target = e ? e.target : readTarget(p.ptes, i);
    const page = target >= 0 ? pageAt(s.pages, target) : undefined;
    const folio = page ? pageAt(s.pages, page.head) ?? null : null;
    const vma = p.vmas.find((v) => i >= v.start && i < v.start + v.pages);
    const ctx = pagemapContextFor(vma, folio, folio ? folioMapcountIn(s, folio) : 0);
    out.push(e ? pagemapOfPmd(k, readPmd(p.ptes, i), ctx, i % PTRS_PER_PTE) : pagemapOfPte(k, readPte(p.ptes, i), ctx));
  }
  return out;
}

/** folio_mapcount() on a state: PMD mappings plus every page's PTE mappings. */
function folioMapcountIn(s: MachineState, head: Page): number {
  if (head.order === 0) return head.mapcount + head.entireMapcount;
  let n = head.entireMapcount;
  for (let i = 0; i < 1 << head.order; i++) n += pageAt(s.pages, head.id + i)?.mapcount ?? 0;
  return n;
}

// ---- migrate_vma src[] ----------------------------------------------------------------------------------

/** The src[] word of a migration source as the driver sees it (MIGRATE_PFN_* flags, COMPOUND for 2 MiB). */
export function srcWord(s: MachineState, src: MigrationSrc): bigint {
  const page = src.src !== null ? pageAt(s.pages, src.src) ?? null : null;
  return srcMpfn(kernelOf(s), page, src.write, src.compound);
}

/** The dst[] word: migrate_pfn(dst) | MIGRATE_PFN_COMPOUND for a 2 MiB destination, 0 without one. */
export function dstWord(s: MachineState, src: MigrationSrc): bigint {
  if (src.dst === null) return 0n;
  const page = pageAt(s.pages, src.dst);
  return page ? migrate_pfn(page.number) | (page.order > 0 ? MIGRATE_PFN_COMPOUND : 0n) : 0n;
}
