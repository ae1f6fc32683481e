/**
 * Invariants checked after every step, each named with the kernel rule behind it. They compare the
 * raw PTE bits (decoded with the profile's own table) with what the machine knows each entry is
 * about, so an entry whose number names the wrong page is caught, not hidden.
 */
import { CLEAR_BIT_PROBLEMS, decodePte } from '../kernel/decode.ts';
import { classify, KIND, newClassified } from '../kernel/leafops.ts';
import { kernelFor, type Kernel } from '../kernel/kernel.ts';
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
  readonly migs: readonly { readonly j: number; readonly target: number }[];
  readonly swaps: readonly { readonly j: number; readonly offset: number }[];
}

const factsCache = new WeakMap<PteChunk, ChunkFacts>();
const scratch = newClassified();

function chunkFacts(s: MachineState, k: Kernel, c: PteChunk): ChunkFacts {
  const hit = factsCache.get(c);
  if (hit && hit.k === k && hit.pageSet === s.pageSet) return hit;
  const local: LocalViolation[] = [];
  const maps = new Map<number, number>();
  const migs: { j: number; target: number }[] = [];
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
    if (row.kind === 'migration' || row.kind === 'device-migration') migs.push({ j, target });
    else if ((row.kind === 'device-private' || row.kind === 'device-exclusive') && target >= 0) maps.set(target, (maps.get(target) ?? 0) + 1);
  }
  const facts: ChunkFacts = { k, pageSet: s.pageSet, local, maps, migs, swaps };
  factsCache.set(c, facts);
  return facts;
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
  bad: Map<number, { mapcount?: Violation; exclusive?: Violation }>;
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
  const mapcount = n !== pg.mapcount ? { page: id, message: `${pageLabel(pg)}: mapcount ${pg.mapcount}, but ${n} PTE(s) map it` } : undefined;
  const exclusive = pg.anonExclusive && n > 1 ? { page: id, message: `${pageLabel(pg)} is PageAnonExclusive but mapped ${n} times` } : undefined;
  if (mapcount || exclusive) side.bad.set(id, { ...(mapcount ? { mapcount } : {}), ...(exclusive ? { exclusive } : {}) });
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
    const none = new Set<number>();
    for (const t of tables.values()) for (const c of t.chunks) if (c && c.used > 0) addMaps(maps, chunkFacts(s, k, c).maps, 1, none);
    const side: PageSide = { state: s, k, tables, maps, bad: new Map() };
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
      if (oc && oc.used > 0) addMaps(last.maps, chunkFacts(last.state, k, oc).maps, -1, touched);
      if (nc && nc.used > 0) addMaps(last.maps, chunkFacts(s, k, nc).maps, 1, touched);
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
  for (const p of s.processes) {
    if (!p.alive) continue;
    const chunks = p.ptes.chunks;
    for (let ci = 0; ci < chunks.length; ci++) {
      const c = chunks[ci];
      if (!c || c.used === 0) continue;
      const f = chunkFacts(s, k, c);
      if (f.local.length === 0 && f.migs.length === 0 && f.swaps.length === 0) continue;
      const base = ci * PTRS_PER_PTE;
      // Entry-level violations in slot order, as a scan of the page would find them.
      const found: LocalViolation[] = [...f.local];
      for (const m of f.migs) {
        const tp = m.target >= 0 ? pageAt(s.pages, m.target) : undefined;
        if (!tp || !tp.locked) found.push({ id: 'migration-locked', j: m.j, page: m.target, text: (pid, i) => `pid ${pid} PTE ${i} is a migration entry but ${tp ? pageLabel(tp) : 'its page'} is not locked` });
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
  const side = pageSide(s, k);
  for (const id of [...side.bad.keys()].sort((a, b) => a - b)) {
    const b = side.bad.get(id)!;
    if (b.mapcount) add('mapcount', b.mapcount);
    if (b.exclusive) add('exclusive-once', b.exclusive);
  }
  return INVARIANTS.map((i) => {
    const violations = out.get(i.id)!;
    return { ...i, ok: violations.length === 0, violations };
  });
}
