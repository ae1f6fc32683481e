/**
 * A small driver for focused machine tests: build a machine, apply events through the public
 * step(), and read PTEs, decoded entries and pages back. Tests state the kernel rule; this file only
 * saves them the plumbing.
 */
import { expect } from 'vitest';
import { DEFAULT_CONFIG, type KernelConfig } from '../src/model/kernel/config.ts';
import { decodePte, type DecodedPte } from '../src/model/kernel/decode.ts';
import { getKernel, type Kernel } from '../src/model/kernel/kernel.ts';
import type { Platform } from '../src/model/kernel/platform.ts';
import type { ProfileId } from '../src/model/kernel/profiles.ts';
import { createMachine } from '../src/model/machine/init.ts';
import { readPte } from '../src/model/machine/pagetable.ts';
import { step } from '../src/model/machine/step.ts';
import { pageAt } from '../src/model/machine/pagestore.ts';
import type { Event } from '../src/model/machine/events.ts';
import type { EventResult, MachineSetup, MachineState, Page, TraceEntry } from '../src/model/machine/types.ts';
import { checkInvariants } from '../src/model/machine/invariants.ts';

export const X86_4: Platform = { arch: 'x86_64', paging: 4, migrationAd: true };

/** A THP-enabled VMA over PTEs 0..1023 (two PMDs), two free 2 MiB RAM folios (0x12400, 0x56600) and a 2 MiB device chunk at 0x200. */
export const THP_SETUP: MachineSetup = {
  ptes: 1024,
  processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: 1024, prot: 'rw', thp: true }] }],
  ram: ['0x1234'],
  hugeRam: ['0x12400', '0x56600'],
  devices: [{ first: '0x200', physFirst: '0x200', pages: 512 }],
};

/** THP_SETUP with room for a second process range (PTEs 0..2047) and a 4 MiB device (two device THPs). */
export const THP_SETUP_WIDE: MachineSetup = { ...THP_SETUP, ptes: 2048, devices: [{ first: '0x200', physFirst: '0x200', pages: 1024 }] };

/** One process (pid 1) with a private anonymous RW VMA over PTEs 0..7 (8..15 free for mmap); RAM 0x1234, 0x5678, 0x9abc; device 0 with pages 0x10..0x13; swap slots from 0x42. */
export const SETUP: MachineSetup = {
  ptes: 16,
  processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: 8, prot: 'rw' }] }],
  ram: ['0x1234', '0x5678', '0x9abc'],
  devices: [{ first: '0x10', pages: 4 }],
  swapFirstSlot: '0x42',
};

export interface Options {
  profile?: ProfileId;
  config?: KernelConfig;
  platform?: Platform;
  setup?: MachineSetup;
}

export class M {
  state: MachineState;
  trace: readonly TraceEntry[] = [];
  result: EventResult = {};

  constructor(o: Options = {}) {
    this.state = createMachine(o.setup ?? SETUP, { profile: o.profile ?? 'v6.18', config: o.config ?? DEFAULT_CONFIG, platform: o.platform ?? X86_4 });
  }

  get k(): Kernel {
    const o = this.state.options;
    return getKernel(o.profile, o.config, o.platform);
  }

  /** Applies events in order; a refused one fails the test with its reason. */
  do(...events: Event[]): this {
    for (const e of events) {
      const r = step(this.state, e);
      if (!r.ok) throw new Error(`${e.type} was refused: ${r.reason}`);
      this.state = r.state;
      this.trace = r.trace;
      this.result = r.result;
    }
    return this;
  }

  /** The reason the event is refused (fails the test when it is applied instead); the state stays. */
  refused(e: Event): string {
    const r = step(this.state, e);
    if (r.ok) throw new Error(`${e.type} was applied, expected a refusal`);
    return r.reason;
  }

  pte(index: number, pid = 1): bigint {
    const p = this.state.processes.find((x) => x.pid === pid);
    if (!p) throw new Error(`no process ${pid}`);
    return readPte(p.ptes, index);
  }

  decoded(index: number, pid = 1): DecodedPte {
    return decodePte(this.k, this.pte(index, pid));
  }

  /** The type name of the entry at a PTE ('present' / 'none' for those). */
  type(index: number, pid = 1): string {
    const d = this.decoded(index, pid);
    return d.swap ? d.swap.typeName : d.kind;
  }

  /** The page with this number ('phys' PFN by default). */
  page(number: number, space: 'phys' | 'device' = 'phys'): Page {
    return pageAt(this.state.pages, this.pageId(number, space))!;
  }

  /** The id of the page with this number ('phys' PFN by default). */
  pageId(number: number, space: 'phys' | 'device' = 'phys'): number {
    const id = this.state.pageIndex.find(this.state.pages, space, number);
    if (id === undefined) throw new Error(`no page ${space}:${number.toString(16)}`);
    return id;
  }

  /** Kernel function names of the last step's trace, in order. */
  fns(): string[] {
    return this.trace.map((t) => t.fn);
  }

  why(fn: string): string {
    const t = this.trace.find((x) => x.fn === fn);
    if (!t) throw new Error(`${fn} is not in the trace: ${this.fns().join(', ')}`);
    return t.why;
  }

  slot(n: number) {
    return this.state.swap.slots.find((s) => s.slot === n);
  }

  /** Every invariant holds (the machine stays consistent through the rule under test). */
  consistent(): this {
    const broken = checkInvariants(this.state).filter((x) => !x.ok).map((x) => `${x.id}: ${x.violations[0]?.message}`);
    expect(broken).toEqual([]);
    return this;
  }
}

// ---- x86 PTE bits, independently (spec §c.1) --------------------------------------------------------

export const P = 1n << 0n;
export const RW = 1n << 1n;
export const USER = 1n << 2n;
export const ACCESSED = 1n << 5n;
export const DIRTY = 1n << 6n;
export const PROTNONE = 1n << 8n;
export const SPECIAL = 1n << 9n;
export const UFFD = 1n << 10n;
export const SOFT_DIRTY = 1n << 11n;
export const SAVED_DIRTY = 1n << 58n;
export const NX = 1n << 63n;
export const SWP_SD = 1n << 1n;
export const SWP_UFFD = 1n << 2n;
export const SWP_EXCL = 1n << 3n;

/** A present x86 PTE for a PFN with the given flag bits. */
export const present = (pfn: number, flags: bigint): bigint => (BigInt(pfn) << 12n) | flags;
/** The x86 swap-PTE closed form. */
export const swapPte = (type: number, off: bigint, flags = 0n): bigint => (BigInt(type) << 59n) | ((~off & ((1n << 50n) - 1n)) << 9n) | flags;
export const has = (v: bigint, bit: bigint): boolean => (v & bit) !== 0n;

// ---- events --------------------------------------------------------------------------------------------

export const ev = {
  write: (index: number, pid = 1): Event => ({ type: 'cpu_fault', pid, index, access: 'write' }),
  read: (index: number, pid = 1): Event => ({ type: 'cpu_fault', pid, index, access: 'read' }),
  fork: (pid = 1): Event => ({ type: 'fork', pid }),
  toDevice: (start: number, pages = 1, pid = 1, device = 0): Event => ({ type: 'migrate_vma_setup', pid, start, pages, select: 'system', device }),
  fromDevice: (start: number, pages = 1, pid = 1, device = 0): Event => ({ type: 'migrate_vma_setup', pid, start, pages, select: 'device_private', device }),
  pages: (failAlloc = false): Event => ({ type: 'migrate_vma_pages', ...(failAlloc ? { failAlloc } : {}) }),
  finalize: (): Event => ({ type: 'migrate_vma_finalize' }),
  mprotect: (start: number, pages: number, prot: 'none' | 'read' | 'rw', pid = 1): Event => ({ type: 'mprotect', pid, start, pages, prot }),
  uffdWp: (start: number, pages: number, enable: boolean, unpopulated = false, pid = 1): Event => ({ type: 'uffd_wp', pid, start, pages, enable, ...(unpopulated ? { unpopulated } : {}) }),
  swapOut: (start: number, pages = 1, pid = 1): Event => ({ type: 'swap_out', pid, start, pages }),
  unmap: (index: number, pid = 1): Event => ({ type: 'migrate_folio_unmap', pid, index }),
  move: (): Event => ({ type: 'migrate_folio_move' }),
  exclusive: (start: number, pages = 1, pid = 1, device = 0): Event => ({ type: 'make_device_exclusive', pid, start, pages, device }),
  poison: (index: number, pid = 1): Event => ({ type: 'memory_failure', pid, index }),
  pin: (index: number, pid = 1): Event => ({ type: 'pin_user_pages', pid, index }),
  get: (index: number, pid = 1): Event => ({ type: 'folio_get', pid, index }),
  put: (index: number, pid = 1): Event => ({ type: 'folio_put', pid, index }),
  guard: (start: number, pages = 1, pid = 1): Event => ({ type: 'madvise_guard_install', pid, start, pages }),
  uffdPoison: (index: number, pid = 1): Event => ({ type: 'uffdio_poison', pid, index }),
  munmap: (start: number, pages = 1, pid = 1): Event => ({ type: 'munmap', pid, start, pages }),
  mmap: (start: number, pages: number, prot: 'none' | 'read' | 'rw', shared = false, file = false, pid = 1): Event => ({ type: 'mmap', pid, start, pages, prot, shared, file }),
};

/** The page changes a trace records for page `id`, each as "function: what". */
export const pageChanges = (trace: readonly TraceEntry[], id: number): string[] =>
  trace.flatMap((t) => t.changes.flatMap((c) => (c.kind === 'page' && c.page === id ? [`${t.fn}: ${c.what}`] : [])));

/** A machine with a page on device 0 at PTE `index` (write fault, migrate to the device). */
export function onDevice(o: Options = {}, index = 1): M {
  return new M(o).do(ev.write(index), ev.toDevice(index), ev.pages(), ev.finalize());
}
