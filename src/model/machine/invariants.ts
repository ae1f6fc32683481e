/**
 * Invariants checked after every step, each named with the kernel rule behind it. They compare the
 * raw PTE bits (decoded with the profile's own table) with what the machine knows each entry is
 * about, so an entry whose number names the wrong page is caught, not hidden.
 */
import { CLEAR_BIT_PROBLEMS, decodePte } from '../kernel/decode.ts';
import { classify, KIND, kindOfCode, newClassified, PMD_KIND_RULES } from '../kernel/leafops.ts';
import { kernelFor, type Kernel } from '../kernel/kernel.ts';
import { HPAGE_PMD_NR, HPAGE_PMD_ORDER } from '../kernel/platform.ts';
import { INVARIANT_IDS, invariantRule, type InvariantId } from '../kernel/rules.ts';
import { allPages, pageAt } from './pagestore.ts';
import { chunkEntryEmpty, PTRS_PER_PTE, type PteChunk, type PteTable } from './pagetable.ts';
import type { MachineState, Page } from './types.ts';

export type { InvariantId };

export interface Violation {
  readonly message: string;
  readonly pid?: number;
  readonly index?: number;
  readonly page?: number;
  /** For a PFN that names the wrong page: the page the bits name (if any). */
  readonly named?: number;
}

export interface InvariantResult {
  readonly id: InvariantId;
  readonly name: string;
  readonly rule: string;
  readonly ok: boolean;
  readonly violations: readonly Violation[];
}

/** The invariants, in check order; their names, sentences and sources are in the rules registry (kernel/rules.ts). */
export const INVARIANTS: readonly { id: InvariantId; name: string; rule: string }[] = INVARIANT_IDS.map((id) => {
  const r = invariantRule(id);
  return { id, name: r.title, rule: r.sentence };
});

const MAX_REPORTED = 20;

export function pageLabel(p: Page): string {
  if (p.kind === 'zero') return 'the zero page';
  return p.space === 'device' ? `device offset 0x${p.number.toString(16)}` : `${p.kind === 'device' ? 'device pfn' : 'pfn'} 0x${p.number.toString(16)}`;
}

export function kernelOf(s: MachineState): Kernel {
  return kernelFor(s.options);
}

/** An entry-level violation as a page-table page's facts keep it: its slot, and its message for a pid. */
interface LocalViolation {
  readonly id: InvariantId;
  readonly j: number;
  readonly page?: number;
  readonly named?: number;
  readonly text: (pid: number, index: number) => string;
}

/**
 * What one page-table page contributes, computed once per (page-table page, kernel, set of pages):
 * the violations that depend only on its entries, the mappings it counts per page, and the entries
 * whose check depends on state that changes every step (a page's lock, a swap slot's count).
 */
interface ChunkFacts {
  readonly k: Kernel;
  readonly pageSet: object;
  readonly local: readonly LocalViolation[];
  readonly maps: ReadonlyMap<number, number>;
  /** PMD leaves: the folio a huge PMD (or a device-private PMD) maps whole, counted in entire_mapcount. */
  readonly pmdMaps: ReadonlyMap<number, number>;
  /** Migration entries by slot, with the page they are about (a PMD leaf's slot is 0). */
  readonly migs: readonly { readonly j: number; readonly target: number; readonly pmd: boolean }[];
  readonly swaps: readonly { readonly j: number; readonly offset: number }[];
  /**
   * A PMD leaf's folio, checked when the state is (its order and head change without the entry
   * changing): a huge present PMD also needs the folio 2 MiB aligned.
   */
  readonly leaf: { readonly target: number; readonly present: boolean; readonly entry: string } | null;
}

const factsCache = new WeakMap<PteChunk, ChunkFacts>();
const scratch = newClassified();

const NO_MAPS: ReadonlyMap<number, number> = new Map();

/** Whether a page-table slot holds anything: PTEs, or a PMD leaf. */
function live(c: PteChunk | null | undefined): c is PteChunk {
  return !!c && (c.used > 0 || c.pmd !== null);
}

function chunkFacts(s: MachineState, k: Kernel, c: PteChunk): ChunkFacts {
  const hit = factsCache.get(c);
  if (hit && hit.k === k && hit.pageSet === s.pageSet) return hit;
  const facts = c.pmd ? pmdFacts(s, k, c.pmd.hi, c.pmd.lo, c.pmd.target) : pteFacts(s, k, c);
  factsCache.set(c, facts);
  return facts;
}

/** A PMD leaf's facts: a huge present PMD, or a migration / device-private PMD (the only soft leaves a PMD may hold). */
function pmdFacts(s: MachineState, k: Kernel, hi: number, lo: number, target: number): ChunkFacts {
  const local: LocalViolation[] = [];
  const pmdMaps = new Map<number, number>();
  const migs: { j: number; target: number; pmd: boolean }[] = [];
  const cl = scratch;
  const page = (id: number) => pageAt(s.pages, id);
  const at = (pid: number, i: number) => `pid ${pid} PMD at PTE ${i}`;
  let leaf: ChunkFacts['leaf'] = null;
  const facts = (): ChunkFacts => ({ k, pageSet: s.pageSet, local, maps: NO_MAPS, pmdMaps, migs, swaps: [], leaf });
  classify(k, hi, lo, cl, 'pmd');
  const tp = target >= 0 ? page(target) : undefined;
  if (cl.kind === KIND.present) {
    const pfn = cl.pfn;
    const named = s.pageIndex.find(s.pages, 'phys', pfn);
    if (tp && tp.kind === 'device') local.push({ id: 'no-present-device-private', j: 0, page: target, text: (pid, i) => `${at(pid, i)} is a present PMD for ${pageLabel(tp)}` });
    if (named !== target) {
      const what = named === undefined ? 'no page' : pageLabel(page(named)!);
      local.push({ id: 'pfn-names-page', j: 0, page: target, ...(named !== undefined ? { named } : {}), text: (pid, i) => `${at(pid, i)} maps pfn 0x${pfn.toString(16)}, which is ${what}` });
    }
    if (tp) leaf = { target, present: true, entry: '' };
    if (tp && tp.kind !== 'zero') pmdMaps.set(target, 1);
    return facts();
  }
  const kind = kindOfCode(cl.kind);
  const rule = PMD_KIND_RULES[kind];
  if (!rule.valid) {
    local.push({ id: 'pmd-leaf', j: 0, text: (pid, i) => `${at(pid, i)} holds a ${kind} entry: ${rule.why}` });
    return facts();
  }
  const row = k.table.byNumber[cl.type]!;
  const dec = decodePte(k, (BigInt(hi) << 32n) | BigInt(lo), 'pmd');
  dec.problems.forEach((msg, n) => {
    if (CLEAR_BIT_PROBLEMS.includes(dec.problemKinds[n]!)) local.push({ id: 'clear-bits', j: 0, text: (pid, i) => `${at(pid, i)}: ${msg}` });
  });
  const space = cl.deviceSpace === 1 ? 'device' : 'phys';
  const pfn = cl.pfn;
  const named = s.pageIndex.find(s.pages, space, pfn);
  if (named !== target) {
    const what = named === undefined ? 'no page' : pageLabel(page(named)!);
    local.push({
      id: 'pfn-names-page', j: 0, page: target, ...(named !== undefined ? { named } : {}),
      text: (pid, i) => `${at(pid, i)}: ${row.name} says ${space === 'device' ? 'device offset' : 'pfn'} 0x${pfn.toString(16)}, which is ${what}; the kernel made it for ${tp ? pageLabel(tp) : 'no page'}`,
    });
  }
  if (tp) leaf = { target, present: false, entry: row.name };
  if (row.kind === 'migration' || row.kind === 'device-migration') migs.push({ j: 0, target, pmd: true });
  else if (target >= 0) pmdMaps.set(target, 1);
  return facts();
}

/** A PTE table's facts, entry by entry. */
function pteFacts(s: MachineState, k: Kernel, c: PteChunk): ChunkFacts {
  const local: LocalViolation[] = [];
  const maps = new Map<number, number>();
  const migs: { j: number; target: number; pmd: boolean }[] = [];
  const swaps: { j: number; offset: number }[] = [];
  const cl = scratch;
  const page = (id: number) => pageAt(s.pages, id);
  for (let j = 0; j < PTRS_PER_PTE; j++) {
    if (chunkEntryEmpty(c, j)) continue;
    const hi = c.words[j * 3]!;
    const lo = c.words[j * 3 + 1]!;
    const target = c.words[j * 3 + 2]! | 0;
    classify(k, hi, lo, cl);
    if (cl.kind === KIND.none) continue;
    if (cl.kind === KIND.present) {
      const pfn = cl.pfn;
      const named = s.pageIndex.find(s.pages, 'phys', pfn);
      const tp = target >= 0 ? page(target) : undefined;
      if (tp && tp.kind === 'device') local.push({ id: 'no-present-device-private', j, page: target, text: (pid, i) => `pid ${pid} PTE ${i} is a present PTE for ${pageLabel(tp)}` });
      if (named !== target) {
        const what = named === undefined ? 'no page' : pageLabel(page(named)!);
        local.push({ id: 'pfn-names-page', j, page: target, ...(named !== undefined ? { named } : {}), text: (pid, i) => `pid ${pid} PTE ${i} maps pfn 0x${pfn.toString(16)}, which is ${what}` });
      }
      if (tp && tp.kind !== 'zero') maps.set(target, (maps.get(target) ?? 0) + 1);
      continue;
    }
    const type = cl.type;
    const offset = cl.offset;
    if (cl.kind === KIND.swap) {
      if (type === 0) swaps.push({ j, offset });
      else local.push({ id: 'swap-type', j, text: (pid, i) => swapNotInUse(pid, i, type, offset) });
      continue;
    }
    const row = k.table.byNumber[type];
    if (!row) {
      local.push({ id: 'swap-type', j, text: (pid, i) => `pid ${pid} PTE ${i}: type ${type} >= MAX_SWAPFILES is not a special type of ${k.profile.label}` });
      continue;
    }
    const dec = decodePte(k, (BigInt(hi) << 32n) | BigInt(lo));
    dec.problems.forEach((msg, n) => {
      if (CLEAR_BIT_PROBLEMS.includes(dec.problemKinds[n]!)) local.push({ id: 'clear-bits', j, text: (pid, i) => `pid ${pid} PTE ${i}: ${msg}` });
    });
    if (row.pfn === null) continue;
    const space = cl.deviceSpace === 1 ? 'device' : 'phys';
    const pfn = cl.pfn;
    const named = s.pageIndex.find(s.pages, space, pfn);
    if (named !== target) {
      const tp = target >= 0 ? page(target) : undefined;
      const what = named === undefined ? 'no page' : pageLabel(page(named)!);
      local.push({
        id: 'pfn-names-page', j, page: target, ...(named !== undefined ? { named } : {}),
        text: (pid, i) => `pid ${pid} PTE ${i}: ${row.name} says ${space === 'device' ? 'device offset' : 'pfn'} 0x${pfn.toString(16)}, which is ${what}; the kernel made it for ${tp ? pageLabel(tp) : 'no page'}`,
      });
    }
    if (row.kind === 'migration' || row.kind === 'device-migration') migs.push({ j, target, pmd: false });
    else if ((row.kind === 'device-private' || row.kind === 'device-exclusive') && target >= 0) maps.set(target, (maps.get(target) ?? 0) + 1);
  }
  return { k, pageSet: s.pageSet, local, maps, pmdMaps: NO_MAPS, migs, swaps, leaf: null };
}

function swapNotInUse(pid: number, index: number, type: number, offset: number): string {
  return `pid ${pid} PTE ${index} is a swap entry for device ${type} slot 0x${offset.toString(16)}, which is not in use`;
}

/**
 * The per-page side (mapcount, exclusive-once) of the last state checked: how many entries map each
 * page, and the pages whose checks fail. The next state is checked against what changed since:
 * the page-table pages that differ and the pages that differ, so a step's cost follows its change.
 */
interface PageSide {
  state: MachineState;
  k: Kernel;
  tables: Map<number, PteTable>;
  maps: Map<number, number>;
  pmdMaps: Map<number, number>;
  bad: Map<number, { mapcount?: Violation[]; exclusive?: Violation[] }>;
}

let lastPageSide: PageSide | null = null;

function addMaps(into: Map<number, number>, from: ReadonlyMap<number, number>, sign: 1 | -1, touched: Set<number>): void {
  for (const [page, n] of from) {
    const v = (into.get(page) ?? 0) + sign * n;
    if (v === 0) into.delete(page);
    else into.set(page, v);
    touched.add(page);
  }
}

function checkPage(side: PageSide, s: MachineState, id: number): void {
  const pg = pageAt(s.pages, id);
  side.bad.delete(id);
  if (!pg || pg.kind === 'zero') return;
  const n = side.maps.get(id) ?? 0;
  const m = side.pmdMaps.get(id) ?? 0;
  const mapcount: Violation[] = [];
  const exclusive: Violation[] = [];
  if (n !== pg.mapcount) mapcount.push({ page: id, message: `${pageLabel(pg)}: mapcount ${pg.mapcount}, but ${n} PTE(s) map it` });
  if (m !== pg.entireMapcount) mapcount.push({ page: id, message: `${pageLabel(pg)}: entire mapcount ${pg.entireMapcount}, but ${m} PMD(s) map its 2 MiB folio` });
  if (pg.anonExclusive && n > 1) exclusive.push({ page: id, message: `${pageLabel(pg)} is PageAnonExclusive but mapped ${n} times` });
  if (pg.anonExclusive && m > 1) exclusive.push({ page: id, message: `${pageLabel(pg)} is PageAnonExclusive but ${m} PMDs map its 2 MiB folio` });
  if (mapcount.length || exclusive.length) side.bad.set(id, { ...(mapcount.length ? { mapcount } : {}), ...(exclusive.length ? { exclusive } : {}) });
}

function liveTables(s: MachineState): Map<number, PteTable> {
  const m = new Map<number, PteTable>();
  for (const p of s.processes) if (p.alive) m.set(p.pid, p.ptes);
  return m;
}

/** The per-page side of a state: from the last one checked when the kernel is the same, else from scratch. */
function pageSide(s: MachineState, k: Kernel): PageSide {
  const last = lastPageSide;
  if (last && last.state === s) return last;
  const tables = liveTables(s);
  if (!last || last.k !== k || last.state.pages.length > s.pages.length + 4096) {
    const maps = new Map<number, number>();
    const pmdMaps = new Map<number, number>();
    const none = new Set<number>();
    for (const t of tables.values()) {
      for (const c of t.chunks) {
        if (!live(c)) continue;
        const f = chunkFacts(s, k, c);
        addMaps(maps, f.maps, 1, none);
        addMaps(pmdMaps, f.pmdMaps, 1, none);
      }
    }
    const side: PageSide = { state: s, k, tables, maps, pmdMaps, bad: new Map() };
    for (const pg of allPages(s.pages)) checkPage(side, s, pg.id);
    return (lastPageSide = side);
  }
  // Move the last state's counts forward: subtract the page-table pages that went, add those that came.
  const touched = new Set<number>();
  for (const pid of new Set([...last.tables.keys(), ...tables.keys()])) {
    const before = last.tables.get(pid);
    const after = tables.get(pid);
    if (before === after) continue;
    const n = Math.max(before?.chunks.length ?? 0, after?.chunks.length ?? 0);
    for (let ci = 0; ci < n; ci++) {
      const oc = before?.chunks[ci] ?? null;
      const nc = after?.chunks[ci] ?? null;
      if (oc === nc) continue;
      if (live(oc)) {
        const f = chunkFacts(last.state, k, oc);
        addMaps(last.maps, f.maps, -1, touched);
        addMaps(last.pmdMaps, f.pmdMaps, -1, touched);
      }
      if (live(nc)) {
        const f = chunkFacts(s, k, nc);
        addMaps(last.maps, f.maps, 1, touched);
        addMaps(last.pmdMaps, f.pmdMaps, 1, touched);
      }
    }
  }
  const ob = last.state.pages;
  const nb = s.pages;
  if (ob !== nb) {
    for (let bi = 0; bi < nb.blocks.length; bi++) {
      const o = ob.blocks[bi];
      const n = nb.blocks[bi]!;
      if (o === n) continue;
      for (let x = 0; x < n.length; x++) if (!o || o[x] !== n[x]) touched.add(n[x]!.id);
    }
    for (let id = nb.length; id < ob.length; id++) last.bad.delete(id);
  }
  last.state = s;
  last.tables = tables;
  for (const id of touched) checkPage(last, s, id);
  return last;
}

/** Checks every invariant on a state. */
export function checkInvariants(s: MachineState): InvariantResult[] {
  const k = kernelOf(s);
  const out = new Map<InvariantId, Violation[]>(INVARIANTS.map((i) => [i.id, []]));
  const add = (id: InvariantId, v: Violation) => {
    const list = out.get(id)!;
    if (list.length < MAX_REPORTED) list.push(v);
  };
  const slots = new Map(s.swap.slots.map((x) => [x.slot, x]));
  // A migration entry for a page of a large folio waits on the folio's lock: its head's.
  const headOf = (id: number): Page | undefined => {
    const p = id >= 0 ? pageAt(s.pages, id) : undefined;
    return p && p.head !== p.id ? pageAt(s.pages, p.head) : p;
  };
  for (const p of s.processes) {
    if (!p.alive) continue;
    const chunks = p.ptes.chunks;
    // PMD leaves first, then the PTE tables, each in address order.
    for (const leaves of [true, false]) {
      for (let ci = 0; ci < chunks.length; ci++) {
        const c = chunks[ci];
        if (!live(c) || (c.pmd !== null) !== leaves) continue;
        const f = chunkFacts(s, k, c);
        const base = ci * PTRS_PER_PTE;
        const found: LocalViolation[] = [];
        if (leaves) {
          // Whether the leaf's 2 MiB lie inside one VMA depends on the process, not the entry.
          const vma = p.vmas.find((v) => base >= v.start && base < v.start + v.pages);
          if (!vma || base + HPAGE_PMD_NR > vma.start + vma.pages) found.push({ id: 'pmd-leaf', j: 0, text: (pid, i) => `pid ${pid} PMD at PTE ${i}: its 2 MiB are not all inside one VMA` });
        }
        if (found.length === 0 && f.local.length === 0 && f.migs.length === 0 && f.swaps.length === 0 && !f.leaf) continue;
        // Entry-level violations in slot order, as a scan of the page would find them.
        found.push(...f.local);
        const leaf = f.leaf;
        const tp = leaf ? pageAt(s.pages, leaf.target) : undefined;
        if (leaf && tp && (tp.order !== HPAGE_PMD_ORDER || tp.head !== tp.id || (leaf.present && tp.number % HPAGE_PMD_NR !== 0))) {
          found.push({
            id: 'pmd-leaf', j: 0, page: leaf.target,
            text: (pid, i) => `pid ${pid} PMD at PTE ${i}${leaf.present ? ` maps ${pageLabel(tp)}` : `: ${leaf.entry} names ${pageLabel(tp)}`}, which is not the head of a 2 MiB folio`,
          });
        }
        for (const m of f.migs) {
          const tp = m.pmd ? (m.target >= 0 ? pageAt(s.pages, m.target) : undefined) : headOf(m.target);
          const what = m.pmd ? 'PMD at PTE' : 'PTE';
          const whose = m.pmd ? 'its folio' : 'its page';
          const entry = m.pmd ? 'a migration PMD' : 'a migration entry';
          if (!tp || !tp.locked) found.push({ id: 'migration-locked', j: m.j, page: m.target, text: (pid, i) => `pid ${pid} ${what} ${i} is ${entry} but ${tp ? pageLabel(tp) : whose} is not locked` });
        }
        for (const w of f.swaps) {
          const slot = slots.get(w.offset);
          if (!slot || slot.count === 0) found.push({ id: 'swap-type', j: w.j, text: (pid, i) => swapNotInUse(pid, i, 0, w.offset) });
        }
        found.sort((a, b) => a.j - b.j);
        for (const v of found) {
          const index = base + v.j;
          add(v.id, { pid: p.pid, index, ...(v.page !== undefined ? { page: v.page } : {}), ...(v.named !== undefined ? { named: v.named } : {}), message: v.text(p.pid, index) });
        }
      }
    }
  }
  const side = pageSide(s, k);
  for (const id of [...side.bad.keys()].sort((a, b) => a - b)) {
    const b = side.bad.get(id)!;
    for (const v of b.mapcount ?? []) add('mapcount', v);
    for (const v of b.exclusive ?? []) add('exclusive-once', v);
  }
  return INVARIANTS.map((i) => {
    const violations = out.get(i.id)!;
    return { ...i, ok: violations.length === 0, violations };
  });
}
