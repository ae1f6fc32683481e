/**
 * The PMD level for the views, framework-free (it imports only the model): which PMDs a step changed
 * or split (the PTE array's rows are pteRows() in rows.ts), the 2 MiB folios of the PFN view as blocks of 512 pages with a link per PMD, the pagemap
 * record of every 4 KiB page, decoding at PMD level, and the migrate_vma src[] words.
 */
import {
  classify, decodePte, forEachPmd, kernelOf, kindOfCode, KIND, migrate_pfn, MIGRATE_PFN_COMPOUND, MIGRATE_PFN_WRITE, newClassified, pageAt, pagemapContextFor, pagemapOfPmd,
  pagemapOfPte, pageLabel, pmdEntry, PTRS_PER_PTE, readPmd, readPte, readTarget, srcMpfn, HPAGE_PMD_NR, allPages,
  type DecodedPte, type EntryKind, type Kernel, type MachineState, type MigrationSrc, type Page,
  type Level, type PteRef, type Space, type TraceEntry,
} from '../model/index.ts';
import { decodeCached } from './decoded.ts';

// ---- rows (the rows themselves are pteRows() in rows.ts) ---------------------------------------------

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

/** The entry the kernel has for a PTE index: the PMD leaf covering it (its first PTE index and 512 slots), or the PTE. */
export interface EntryAt {
  readonly level: Level;
  readonly value: bigint;
  /** The first PTE index the entry covers (the index itself for a PTE). */
  readonly from: number;
  /** The last PTE index the entry covers (the index itself for a PTE). */
  readonly to: number;
}

/** The entry for PTE `ref.index` of `ref.pid` at state `s`: a PMD leaf's value or the PTE's; null without the process or index. */
export function entryAt(s: MachineState | null, ref: PteRef): EntryAt | null {
  const p = s?.processes.find((x) => x.pid === ref.pid);
  if (!p || ref.index < 0 || ref.index >= p.ptes.length) return null;
  if (pmdEntry(p.ptes, ref.index)) {
    const from = ref.index - (ref.index % PTRS_PER_PTE);
    return { level: 'pmd', value: readPmd(p.ptes, ref.index), from, to: Math.min(p.ptes.length, from + PTRS_PER_PTE) - 1 };
  }
  return { level: 'pte', value: readPte(p.ptes, ref.index), from: ref.index, to: ref.index };
}

/** An entry decoded at its level (cached per kernel). */
export function decodeEntry(k: Kernel, e: Pick<EntryAt, 'level' | 'value'>): DecodedPte {
  return e.level === 'pmd' ? decodePmdCached(k, e.value) : decodeCached(k, e.value);
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
export function pagemapRecords(s: MachineState, pid: number, start: number, count: number, showPfn = true): bigint[] {
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
    const ctx = { ...pagemapContextFor(vma, folio, folio ? folioMapcountIn(s, folio) : 0), showPfn };
    out.push(e ? pagemapOfPmd(k, readPmd(p.ptes, i), ctx, i % PTRS_PER_PTE) : pagemapOfPte(k, readPte(p.ptes, i), ctx));
  }
  return out;
}

/**
 * The pagemap records of the first and last 4 KiB page of the PMD leaf covering PTE `index`, and what
 * each page adds to the one before (1 for a present THP's frame, 0x20 for a swap-style record's).
 */
export function pmdPagemapEnds(s: MachineState, pid: number, index: number): { first: bigint; last: bigint; step: bigint; pages: number } | null {
  const e = entryAt(s, { pid, index });
  if (!e || e.level !== 'pmd') return null;
  const [first] = pagemapRecords(s, pid, e.from, 1);
  const [last] = pagemapRecords(s, pid, e.to, 1);
  if (first === undefined || last === undefined) return null;
  const pages = e.to - e.from + 1;
  return { first, last, step: pages > 1 ? (last - first) / BigInt(pages - 1) : 0n, pages };
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

/**
 * The dst[] word: migrate_pfn(dst), | MIGRATE_PFN_WRITE when the driver passed the write permission on
 * (lib/test_hmm.c: `*dst = migrate_pfn(...) | write`), | MIGRATE_PFN_COMPOUND for a 2 MiB destination;
 * 0 without one.
 */
export function dstWord(s: MachineState, src: MigrationSrc): bigint {
  if (src.dst === null) return 0n;
  const page = pageAt(s.pages, src.dst);
  return page ? migrate_pfn(page.number) | (src.dstWrite ? MIGRATE_PFN_WRITE : 0n) | (page.order > 0 ? MIGRATE_PFN_COMPOUND : 0n) : 0n;
}
