/**
 * A Draft is the working copy of one step: it reads through to the previous state, copies what it
 * writes (copy-on-write per page-table page, per array), and records the trace: which kernel
 * function ran, at which call depth, and which PTEs and pages it changed. A refused event throws
 * Refuse; the draft is dropped and the previous state stands.
 */
import { kernelFor, type Kernel } from '../kernel/kernel.ts';
import { pageAt, PageWriter } from './pagestore.ts';
import { PTRS_PER_PTE, TableWriter, type PmdEntry } from './pagetable.ts';
import type {
  Change, Device, DeviceMirrorEntry, EntryRef, EventResult, MachineState, Migration, Page, Pid, Process, PteRef, SwapSlot, TraceEntry, Vma,
} from './types.ts';

/** Why an event cannot happen now. Not an Error: a refusal is an answer, and needs no stack trace. */
export class Refuse {
  constructor(readonly message: string) {}
}

/** `{ ...old, ...patch }`, written out so that every Page has the same shape (spreads are slow here). */
function patched(old: Page, p: Partial<Omit<Page, 'id'>>): Page {
  return {
    id: old.id,
    kind: p.kind ?? old.kind,
    space: p.space ?? old.space,
    number: p.number ?? old.number,
    device: p.device !== undefined ? p.device : old.device,
    allocated: p.allocated ?? old.allocated,
    anon: p.anon ?? old.anon,
    mapcount: p.mapcount ?? old.mapcount,
    refs: p.refs ?? old.refs,
    pins: p.pins ?? old.pins,
    locked: p.locked ?? old.locked,
    dirty: p.dirty ?? old.dirty,
    anonExclusive: p.anonExclusive ?? old.anonExclusive,
    hwpoison: p.hwpoison ?? old.hwpoison,
    data: p.data !== undefined ? p.data : old.data,
    swapSlot: p.swapSlot !== undefined ? p.swapSlot : old.swapSlot,
    head: p.head ?? old.head,
    order: p.order ?? old.order,
    entireMapcount: p.entireMapcount ?? old.entireMapcount,
  };
}

/** A new page's fields; `head` defaults to the page itself (an order-0 folio). */
export type NewPage = Omit<Page, 'id' | 'head' | 'order' | 'entireMapcount'> & Partial<Pick<Page, 'head' | 'order' | 'entireMapcount'>>;

/** The first PTE index of the 2 MiB range (the PMD) that contains PTE `index`. */
export function pmdBase(index: number): number {
  return index - (index % PTRS_PER_PTE);
}

export function refuse(reason: string): never {
  throw new Refuse(reason);
}

interface OpenEntry {
  fn: string;
  depth: number;
  why: string;
  changes: Change[];
  /** Per-PTE sentences not yet written into `why` (see explainPte). */
  ptes?: { first: number; last: number; head: string; tail: string };
}

const HEX = /0x[0-9a-f]+/g;

/**
 * One sentence for a run of PTEs whose sentences differ at most in numbers that count up by one
 * from PTE to PTE: `PTEs a..b`, and such a number as its first and last value (`pfn 0x200–0x3ff`).
 */
function runSentence(r: NonNullable<OpenEntry['ptes']>): string {
  if (r.first === r.last) return `PTE ${r.first}${r.head}`;
  const lastHex = r.tail.match(HEX) ?? [];
  let n = 0;
  const text = r.head.replace(HEX, (h) => {
    const other = lastHex[n++];
    return other === undefined || other === h ? h : `${h}–${other}`;
  });
  return `PTEs ${r.first}..${r.last}${text}`;
}

/** Whether `next` continues `prev`: the same words, each number the same or one more. */
function continues(prev: string, next: string): boolean {
  if (prev.replace(HEX, '#') !== next.replace(HEX, '#')) return false;
  const a = prev.match(HEX) ?? [];
  const b = next.match(HEX) ?? [];
  return a.every((h, i) => {
    const x = BigInt(h);
    const y = BigInt(b[i]!);
    return y === x || y === x + 1n;
  });
}

function addWhy(e: OpenEntry, why: string): void {
  e.why = e.why ? `${e.why} ${why}` : why;
}

function flushPtes(e: OpenEntry): void {
  if (!e.ptes) return;
  addWhy(e, runSentence(e.ptes));
  e.ptes = undefined;
}

export class Draft {
  readonly k: Kernel;
  readonly base: MachineState;
  private tables = new Map<Pid, TableWriter>();
  private processes: Process[] | null = null;
  private pagesW: PageWriter | null = null;
  private pagesAdded = false;
  private ramPagesArr: number[] | null = null;
  private devicesArr: Device[] | null = null;
  private readonly ownedMirrors = new Map<number, Record<string, DeviceMirrorEntry>>();
  private slots: SwapSlot[] | null = null;
  private nextSlot: number;
  ramCursor: number;
  /** Where the THP allocator looks next in hugeRamOrder. */
  hugeRamCursor: number;
  /** The allocator's bookkeeping: free RAM pages, largest RAM PFN. */
  ramFree: number;
  ramMaxPfn: number;
  private migrationsArr: Migration[] | null = null;
  private nextMigrationId: number;
  private readonly entries: OpenEntry[] = [];
  private readonly stack: OpenEntry[] = [];
  result: { -readonly [K in keyof EventResult]: EventResult[K] } = {};

  constructor(base: MachineState) {
    this.base = base;
    this.k = kernelFor(base.options);
    this.nextSlot = base.swap.nextSlot;
    this.ramCursor = base.ramCursor;
    this.hugeRamCursor = base.hugeRamCursor;
    this.ramFree = base.ramFree;
    this.ramMaxPfn = base.ramMaxPfn;
    this.nextMigrationId = base.nextMigrationId;
  }

  // ---- trace -------------------------------------------------------------------------------------

  /** Runs `body` as kernel function `fn`: everything it changes is recorded under that entry; returns what `body` returns. */
  call<T>(fn: string, why: string, body: () => T): T;
  /** Records a call of kernel function `fn` that changes nothing itself. */
  call(fn: string, why: string): undefined;
  call<T>(fn: string, why: string, body?: () => T): T | undefined {
    const e: OpenEntry = { fn, depth: this.stack.length, why, changes: [] };
    this.entries.push(e);
    if (!body) return undefined;
    this.stack.push(e);
    try {
      return body();
    } finally {
      flushPtes(e);
      this.stack.pop();
    }
  }

  /** Adds a sentence to the innermost running function (e.g. the result of a check). */
  explain(why: string): void {
    const cur = this.stack[this.stack.length - 1];
    if (!cur) return;
    flushPtes(cur);
    addWhy(cur, why);
  }

  /**
   * A sentence about one PTE (`PTE ${index}` + `rest`). Consecutive PTEs whose sentences have the
   * same shape become one sentence (`PTEs 0..511: pfn 0x200–0x3ff collected …`), so a 2 MiB range
   * reads as one line, not 512.
   */
  explainPte(index: number, rest: string): void {
    const cur = this.stack[this.stack.length - 1];
    if (!cur) return;
    const r = cur.ptes;
    if (r && r.last === index - 1 && continues(r.tail, rest)) {
      r.last = index;
      r.tail = rest;
      return;
    }
    flushPtes(cur);
    cur.ptes = { first: index, last: index, head: rest, tail: rest };
  }

  private record(c: Change): void {
    const cur = this.stack[this.stack.length - 1] ?? this.entries[this.entries.length - 1];
    if (cur) cur.changes.push(c);
    else this.entries.push({ fn: 'step', depth: 0, why: '', changes: [c] });
  }

  trace(): TraceEntry[] {
    return this.entries.map((e) => ({ fn: e.fn, depth: e.depth, why: e.why, changes: e.changes }));
  }

  // ---- processes and PTEs ------------------------------------------------------------------------

  proc(pid: Pid): Process {
    const p = (this.processes ?? this.base.processes).find((x) => x.pid === pid);
    if (!p || !p.alive) refuse(`there is no process ${pid}`);
    return p;
  }

  allProcs(): readonly Process[] {
    return (this.processes ?? this.base.processes).filter((p) => p.alive);
  }

  private writer(pid: Pid): TableWriter {
    let w = this.tables.get(pid);
    if (!w) {
      w = new TableWriter(this.proc(pid).ptes);
      this.tables.set(pid, w);
    }
    return w;
  }

  pte(r: PteRef): bigint {
    const w = this.tables.get(r.pid);
    if (w) return w.read(r.index);
    const p = this.proc(r.pid);
    if (r.index < 0 || r.index >= p.ptes.length) refuse(`PTE ${r.index} is outside pid ${r.pid}'s range of ${p.ptes.length} PTEs`);
    return this.writer(r.pid).read(r.index);
  }

  /** The PTE indices in [start, end) of `pid` that lie in page-table pages with an entry (see TableWriter.populated). */
  populated(pid: Pid, start: number, end: number): Iterable<number> {
    return this.writer(pid).populated(start, end);
  }

  /** Every PTE (of live processes) whose entry is about page `id`: the rmap, found by scanning. */
  refsTo(id: number): PteRef[] {
    const out: PteRef[] = [];
    for (const p of this.allProcs()) for (const index of this.writer(p.pid).entriesFor(id)) out.push({ pid: p.pid, index });
    return out;
  }

  target(r: PteRef): number {
    return this.writer(r.pid).target(r.index);
  }

  /** Writes a PTE; `target` is the page it stands for (the rmap), none (-1) for a cleared PTE, a swap entry or a marker. */
  setPte(r: PteRef, v: bigint, target = -1): void {
    const w = this.writer(r.pid);
    const before = w.read(r.index);
    w.write(r.index, v, target);
    if (before !== v) this.record({ kind: 'pte', pid: r.pid, index: r.index, before, after: v });
  }

  // ---- PMDs ----------------------------------------------------------------------------------------

  /** The PMD leaf covering a PTE index (a huge, migration or device-private PMD), or null. */
  pmdEntry(r: PteRef): PmdEntry | null {
    const w = this.tables.get(r.pid);
    if (w) return w.pmd(r.index);
    const p = this.proc(r.pid);
    if (r.index < 0 || r.index >= p.ptes.length) refuse(`PTE ${r.index} is outside pid ${r.pid}'s range of ${p.ptes.length} PTEs`);
    return p.ptes.chunks[r.index >>> 9]?.pmd ?? null;
  }

  /** The value of the PMD leaf covering `r`, or 0n. */
  pmd(r: PteRef): bigint {
    const e = this.pmdEntry(r);
    return e ? (BigInt(e.hi) << 32n) | BigInt(e.lo) : 0n;
  }

  /** Whether the PMD covering `r` points to a PTE table (not none, not a leaf). */
  hasPteTable(r: PteRef): boolean {
    return this.writer(r.pid).hasTable(r.index);
  }

  /** Writes the PMD covering `r` (a leaf, or 0n for none) and records the change ('collapse': it replaced a PTE table). */
  setPmd(r: PteRef, v: bigint, target = -1, table?: 'collapse'): void {
    const w = this.writer(r.pid);
    const base = pmdBase(r.index);
    const e = w.pmd(base);
    const before = e ? (BigInt(e.hi) << 32n) | BigInt(e.lo) : 0n;
    w.writePmd(base, v, target);
    if (before !== v || table) this.record({ kind: 'pmd', pid: r.pid, index: base, before, after: v, ...(table ? { table } : {}) });
  }

  /**
   * Replaces the PMD leaf covering `r` by a table of 512 PTEs, entry j = entries(j) (pmd_populate()
   * after __split_huge_pmd_locked()). Records the PMD change and one change per PTE.
   */
  splitPmdInto(r: PteRef, entries: (j: number) => readonly [bigint, number]): void {
    const w = this.writer(r.pid);
    const base = pmdBase(r.index);
    const e = w.pmd(base);
    const before = e ? (BigInt(e.hi) << 32n) | BigInt(e.lo) : 0n;
    const values: (readonly [bigint, number])[] = new Array<readonly [bigint, number]>(PTRS_PER_PTE);
    for (let j = 0; j < PTRS_PER_PTE; j++) values[j] = entries(j);
    w.installTable(base, (j) => values[j]!);
    this.record({ kind: 'pmd', pid: r.pid, index: base, before, after: 0n, table: 'split' });
    for (let j = 0; j < PTRS_PER_PTE; j++) {
      const v = values[j]![0];
      if (v !== 0n) this.record({ kind: 'pte', pid: r.pid, index: base + j, before: 0n, after: v });
    }
  }

  /** free_pgtables(): the empty PTE table covering `r` is freed (the PMD becomes none). */
  freePteTable(r: PteRef): void {
    this.writer(r.pid).freeTable(r.index);
  }

  /** Every PMD (of live processes) whose leaf is about folio `head`: the rmap at PMD level. */
  pmdRefsTo(head: number): EntryRef[] {
    const out: EntryRef[] = [];
    for (const p of this.allProcs()) for (const index of this.writer(p.pid).pmdsFor(head)) out.push({ pid: p.pid, index, pmd: true });
    return out;
  }

  vmaAt(pid: Pid, index: number): Vma | undefined {
    return this.proc(pid).vmas.find((v) => index >= v.start && index < v.start + v.pages);
  }

  setProcess(pid: Pid, f: (p: Process) => Process): void {
    const list = (this.processes ??= this.base.processes.slice());
    const i = list.findIndex((p) => p.pid === pid);
    if (i < 0) refuse(`there is no process ${pid}`);
    list[i] = f(list[i]!);
  }

  addProcess(p: Process): void {
    (this.processes ??= this.base.processes.slice()).push(p);
  }

  // ---- pages -----------------------------------------------------------------------------------

  page(id: number): Page {
    const p = this.pagesW ? this.pagesW.get(id) : pageAt(this.base.pages, id);
    if (!p) throw new Error(`no page ${id}`);
    return p;
  }

  findPage(space: 'phys' | 'device', number: number): number | undefined {
    return this.base.pageIndex.find(this.pagesW ?? this.base.pages, space, number);
  }

  setPage(id: number, patch: Partial<Omit<Page, 'id'>>, what?: string): void {
    const w = (this.pagesW ??= new PageWriter(this.base.pages));
    const old = w.get(id);
    if (!old) throw new Error(`no page ${id}`);
    const next = patched(old, patch);
    w.set(id, next);
    if (old.kind === 'ram' && old.allocated !== next.allocated) this.ramFree += next.allocated ? -1 : 1;
    if (what) this.record({ kind: 'page', page: id, what });
  }

  addPage(p: NewPage): number {
    const w = (this.pagesW ??= new PageWriter(this.base.pages));
    const id = w.length;
    w.push({
      id, kind: p.kind, space: p.space, number: p.number, device: p.device, allocated: p.allocated, anon: p.anon, mapcount: p.mapcount,
      refs: p.refs, pins: p.pins, locked: p.locked, dirty: p.dirty, anonExclusive: p.anonExclusive, hwpoison: p.hwpoison, data: p.data,
      swapSlot: p.swapSlot, head: p.head ?? id, order: p.order ?? 0, entireMapcount: p.entireMapcount ?? 0,
    });
    this.pagesAdded = true;
    this.base.pageIndex.add(p.space, p.number, id);
    if (p.kind === 'ram') {
      (this.ramPagesArr ??= this.base.ramPages.slice()).push(id);
      if (!p.allocated) this.ramFree++;
      if (p.number > this.ramMaxPfn) this.ramMaxPfn = p.number;
    }
    return id;
  }

  /** Ids of every RAM page, in creation order. */
  ramPages(): readonly number[] {
    return this.ramPagesArr ?? this.base.ramPages;
  }

  pageCount(): number {
    return (this.pagesW ?? this.base.pages).length;
  }

  // ---- devices, swap, migrations --------------------------------------------------------------------

  device(id: number): Device {
    const d = (this.devicesArr ?? this.base.devices)[id];
    if (!d) refuse(`there is no device ${id} (this scenario has ${this.base.devices.length})`);
    return d;
  }

  setDevice(id: number, f: (d: Device) => Device): void {
    const arr = (this.devicesArr ??= this.base.devices.slice());
    arr[id] = f(this.device(id));
    this.ownedMirrors.delete(id);
  }

  /**
   * The device's page table (the test_hmm mirror), writable for the rest of this step: copied on the
   * first write, then changed in place, so a step that maps 512 pages copies the table once.
   */
  writableMirror(id: number): Record<string, DeviceMirrorEntry> {
    let m = this.ownedMirrors.get(id);
    if (!m) {
      const dev = this.device(id);
      m = { ...dev.mirror };
      (this.devicesArr ??= this.base.devices.slice())[id] = { ...dev, mirror: m };
      this.ownedMirrors.set(id, m);
    }
    return m;
  }

  slot(n: number): SwapSlot | undefined {
    return (this.slots ?? this.base.swap.slots).find((s) => s.slot === n);
  }

  setSlot(n: number, s: SwapSlot | null): void {
    const arr = (this.slots ??= this.base.swap.slots.slice());
    const i = arr.findIndex((x) => x.slot === n);
    if (s === null) {
      if (i >= 0) arr.splice(i, 1);
    } else if (i >= 0) arr[i] = s;
    else arr.push(s);
  }

  allocSlot(): number {
    return this.nextSlot++;
  }

  migrations(): readonly Migration[] {
    return this.migrationsArr ?? this.base.migrations;
  }

  migration(id: number): Migration {
    const m = this.migrations().find((x) => x.id === id);
    if (!m) throw new Error(`no migration ${id}`);
    return m;
  }

  addMigration(m: Omit<Migration, 'id'>): Migration {
    const full = { ...m, id: this.nextMigrationId++ };
    (this.migrationsArr ??= this.base.migrations.slice()).push(full);
    return full;
  }

  setMigration(id: number, m: Migration | null): void {
    const arr = (this.migrationsArr ??= this.base.migrations.slice());
    const i = arr.findIndex((x) => x.id === id);
    if (i < 0) return;
    if (m === null) arr.splice(i, 1);
    else arr[i] = m;
  }

  // ---- result ----------------------------------------------------------------------------------------

  finish(): MachineState {
    let processes = this.processes ?? this.base.processes;
    if (this.tables.size > 0) {
      processes = processes.map((p) => {
        const w = this.tables.get(p.pid);
        return w ? { pid: p.pid, name: p.name, alive: p.alive, vmas: p.vmas, ptes: w.finish() } : p;
      });
    }
    const b = this.base;
    // Every field written out (no spread): every state has the same shape.
    return {
      options: b.options,
      vaBase: b.vaBase,
      ptesPerProcess: b.ptesPerProcess,
      processes,
      pages: this.pagesW ? this.pagesW.finish() : b.pages,
      pageIndex: b.pageIndex,
      pageSet: this.pagesAdded ? {} : b.pageSet,
      ramOrder: b.ramOrder,
      ramPages: this.ramPagesArr ?? b.ramPages,
      ramFree: this.ramFree,
      ramMaxPfn: this.ramMaxPfn,
      ramCursor: this.ramCursor,
      zeroPage: b.zeroPage,
      hugeZeroPfn: b.hugeZeroPfn,
      hugeRamOrder: b.hugeRamOrder,
      hugeRamCursor: this.hugeRamCursor,
      devices: this.devicesArr ?? b.devices,
      swap: this.slots || this.nextSlot !== b.swap.nextSlot ? { slots: this.slots ?? b.swap.slots, nextSlot: this.nextSlot } : b.swap,
      migrations: this.migrationsArr ?? b.migrations,
      nextMigrationId: this.nextMigrationId,
      time: b.time + 1,
    };
  }
}
