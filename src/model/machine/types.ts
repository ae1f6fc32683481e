/**
 * The machine's state and events. Everything here is plain, immutable data: a scenario (initial
 * setup + events) is JSON, and step(state, event) returns a new state.
 */
import type { KernelOptions } from '../kernel/kernel.ts';
import type { PageIndex } from './pageindex.ts';
import type { PageStore } from './pagestore.ts';
import type { PteTable } from './pagetable.ts';
import type { Prot } from '../kernel/arch/x86_pgtable.ts';

export type { Prot };

export type Pid = number;

export interface PteRef {
  readonly pid: Pid;
  /** Index of the PTE in the process's range (VA = vaBase + index * 4096). */
  readonly index: number;
}

/**
 * An entry a migration or the rmap found: a PTE, or (pmd: true) the PMD that covers PTEs
 * index .. index + 511 (index is then the first PTE index of the 2 MiB range).
 */
export interface EntryRef extends PteRef {
  readonly pmd?: boolean;
}

/** 'phys' = the CPU physical address space (RAM, and device pages before the series); 'device' = the device-private space. */
export type Space = 'phys' | 'device';

export interface Page {
  readonly id: number;
  readonly kind: 'ram' | 'device' | 'zero';
  readonly space: Space;
  /** PFN in the physical space, or offset in the device-private space. */
  readonly number: number;
  /** Owning device for device pages. */
  readonly device: number | null;
  readonly allocated: boolean;
  /** folio_test_anon(): anonymous memory (false for page-cache and shmem pages). */
  readonly anon: boolean;
  /** PTEs mapping the page (present, device-private, device-exclusive): folio_mapcount(). */
  readonly mapcount: number;
  /** References other than mappings: GUP (FOLL_GET), migration isolation, the swap cache. */
  readonly refs: number;
  /** FOLL_PIN pins (folio_maybe_dma_pinned()). */
  readonly pins: number;
  readonly locked: boolean;
  readonly dirty: boolean;
  readonly anonExclusive: boolean;
  readonly hwpoison: boolean;
  /** An abstract word of content: what the selftests write (ptr[i] = i) and compare. */
  readonly data: number | null;
  /** Swap slot whose swap cache holds this page. */
  readonly swapSlot: number | null;
  /**
   * The folio: the id of its head page (the page's own id for an order-0 page). A THP is one folio of
   * 512 pages with consecutive numbers; the folio's lock, references, pins, dirty flag and swap slot
   * live on the head page.
   */
  readonly head: number;
  /** folio_order(): 0, or HPAGE_PMD_ORDER (9) for every page of a 2 MiB folio. */
  readonly order: number;
  /** folio_entire_mapcount() on the head page: how many PMDs map the whole folio (`mapcount` counts PTEs). */
  readonly entireMapcount: number;
}

export interface Vma {
  readonly start: number;
  readonly pages: number;
  readonly prot: Prot;
  readonly shared: boolean;
  /** Anonymous (private or MAP_SHARED|MAP_ANONYMOUS = shmem); false = file-backed. */
  readonly anon: boolean;
  /** Registered for userfaultfd write-protect (VM_UFFD_WP). */
  readonly uffdWp: boolean;
  /** UFFD_FEATURE_WP_UNPOPULATED: uffd-wp also marks none PTEs (with PTE markers). */
  readonly uffdWpUnpopulated: boolean;
  /**
   * VM_HUGEPAGE (MADV_HUGEPAGE; the model's THP mode is "madvise"): a fault in a 2 MiB-aligned range
   * that the VMA covers maps a THP with one PMD.
   */
  readonly thp: boolean;
}

export interface Process {
  readonly pid: Pid;
  readonly name: string;
  readonly alive: boolean;
  readonly vmas: readonly Vma[];
  readonly ptes: PteTable;
}

export interface SwapSlot {
  readonly slot: number;
  /** swap_map count: PTEs referencing the slot. */
  readonly count: number;
  readonly data: number | null;
  /** Page in the swap cache for this slot, if any. */
  readonly cached: number | null;
}

export interface DeviceMirrorEntry {
  readonly page: number;
  readonly write: boolean;
  readonly atomic: boolean;
}

export interface Device {
  readonly id: number;
  /** Page ids of the device's memory, in allocation order. */
  readonly pages: readonly number[];
  /** The dmirror "device page table": `${pid}:${index}` -> page. */
  readonly mirror: Readonly<Record<string, DeviceMirrorEntry>>;
  /** HMM_DMIRROR_FLAG_FAIL_ALLOC: the next large (2 MiB) allocation fails once, in either direction. */
  readonly failAlloc: boolean;
}

export type MigrationApi = 'migrate_vma' | 'migrate_device' | 'migrate_folio';

export interface MigrationSrc {
  /** Source page id, or null for an empty source (pte_none / zero page hole). */
  readonly src: number | null;
  /** The PTE an empty source will populate. */
  readonly hole: PteRef | null;
  /** The address (PTE) the VMA walk found it at; null for migrate_device_range (collected by PFN). */
  readonly at: PteRef | null;
  /** Entries (PTEs, or PMDs for a 2 MiB folio) holding a migration entry that names src (collect, try_to_migrate, fork). */
  readonly ptes: readonly EntryRef[];
  /** MIGRATE_PFN_COMPOUND: src[0] of a whole 2 MiB folio (or an aligned 2 MiB hole); src[1..511] are 0. */
  readonly compound: boolean;
  /** MIGRATE_PFN_MIGRATE still set. */
  readonly migrate: boolean;
  /** MIGRATE_PFN_WRITE. */
  readonly write: boolean;
  readonly dst: number | null;
  readonly dstWrite: boolean;
}

export interface Migration {
  readonly id: number;
  readonly api: MigrationApi;
  /** What started it: a driver call, a CPU fault's migrate_to_ram, eviction, or migrate_pages(). */
  readonly origin: 'driver' | 'fault' | 'evict' | 'migrate_pages';
  readonly device: number | null;
  /** 'collected': after setup/unmap; 'moved': after migrate_*_pages. */
  readonly phase: 'collected' | 'moved';
  /** Destination kind: device memory (to device) or RAM (back to RAM / RAM to RAM). */
  readonly to: 'device' | 'ram';
  readonly srcs: readonly MigrationSrc[];
  /**
   * A CPU fault's migration (migrate_to_ram): the page do_swap_page() (or, for a PMD,
   * do_huge_pmd_device_private()) locked. migrate_device_unmap() and __migrate_device_finalize() leave
   * it locked (`fault_folio != folio`); the fault handler unlocks it when migrate_to_ram() returns.
   */
  readonly fault?: { readonly page: number; readonly pmd: boolean };
}

export interface MachineSetup {
  /** PTEs per process range (default 512, one page-table page). */
  readonly ptes?: number;
  /** First VA of the range (hex string, default 0x7f0000000000). */
  readonly vaBase?: string;
  readonly processes?: readonly { readonly pid: Pid; readonly name: string; readonly vmas: readonly Partial<Vma>[] }[];
  /** RAM PFNs (hex strings) handed out in this order; then sequentially after the largest. */
  readonly ram?: readonly string[];
  /** PFN of the shared zero page (hex). */
  readonly zeroPfn?: string;
  /**
   * Device-private memory per device: page count, the first page's number in the device-private
   * space (after the series; hex), and its PFN in the physical space (before it; defaults to `first`).
   * `stride` (default 1) spaces the pages' numbers: with 2 the device's free list hands out every
   * other page, as a fragmented device would (it then has no 2 MiB folio to give).
   */
  readonly devices?: readonly { readonly first: string; readonly physFirst?: string; readonly pages: number; readonly stride?: number }[];
  /**
   * 2 MiB RAM folios (their 512-aligned head PFNs, hex) handed out in this order for THPs; after them
   * the next 512-aligned block above the largest RAM PFN.
   */
  readonly hugeRam?: readonly string[];
  /** PFN of the huge zero folio (hex, 512-aligned; default 0x3a00, the spec's illustrative value). */
  readonly hugeZeroPfn?: string;
  /** First swap slot handed out (hex). */
  readonly swapFirstSlot?: string;
}

export type { KernelOptions };

export interface MachineState {
  readonly options: KernelOptions;
  readonly vaBase: bigint;
  readonly ptesPerProcess: number;
  readonly processes: readonly Process[];
  readonly pages: PageStore;
  /** (space, number) -> page id; shared with later states (see pageindex.ts). */
  readonly pageIndex: PageIndex;
  /** Which set of pages the state has: replaced (by a new empty object) when a step adds pages. */
  readonly pageSet: object;
  readonly ramOrder: readonly number[];
  /** Ids of every RAM page ever created (the allocator's pool), in creation order. */
  readonly ramPages: readonly number[];
  /** How many of them are free, and the largest PFN among them (the allocator's bookkeeping). */
  readonly ramFree: number;
  readonly ramMaxPfn: number;
  /** Where the RAM allocator looks next in ramOrder (it hands pages out round-robin). */
  readonly ramCursor: number;
  readonly zeroPage: number;
  /** The huge zero folio's PFN (its page is created on the first huge zero fault). */
  readonly hugeZeroPfn: number;
  /** 2 MiB RAM folio heads the THP allocator hands out in order, and where it looks next. */
  readonly hugeRamOrder: readonly number[];
  readonly hugeRamCursor: number;
  readonly devices: readonly Device[];
  readonly swap: { readonly slots: readonly SwapSlot[]; readonly nextSlot: number };
  readonly migrations: readonly Migration[];
  readonly nextMigrationId: number;
  /** How many events have been applied. */
  readonly time: number;
}

/** What an event returns to its caller (syscall/ioctl result, signal, data read). */
export interface EventResult {
  /** 0, or a negative errno name such as "-EINVAL". */
  readonly ret?: string;
  readonly cpages?: number;
  readonly signal?: 'SIGBUS' | 'SIGSEGV';
  /** Values read (CPU reads, or the mirror copied back by a dmirror ioctl), by page index. */
  readonly data?: readonly (number | null)[];
  /** HMM_DMIRROR_SNAPSHOT: the HMM_DMIRROR_PROT_* flags of each page. */
  readonly prot?: readonly string[];
  /** /proc/PID/pagemap records of the range, as 0x… strings. */
  readonly pagemap?: readonly string[];
  readonly note?: string;
}

export type Change =
  | { readonly kind: 'pte'; readonly pid: Pid; readonly index: number; readonly before: bigint; readonly after: bigint }
  /**
   * A PMD changed: `index` is the first PTE index of its 2 MiB range; before/after are leaf values
   * (0n: none, or a PTE table when `table` says so). `table: 'split'`: the leaf became a table of 512
   * PTEs (their 'pte' changes follow); 'collapse': a table became the leaf.
   */
  | { readonly kind: 'pmd'; readonly pid: Pid; readonly index: number; readonly before: bigint; readonly after: bigint; readonly table?: 'split' | 'collapse' }
  | { readonly kind: 'page'; readonly page: number; readonly what: string };

export interface TraceEntry {
  /** The kernel function (or "hardware" / the selftest step). */
  readonly fn: string;
  readonly depth: number;
  /** One sentence: why this function made its change. */
  readonly why: string;
  readonly changes: readonly Change[];
}

export type StepOutcome =
  | { readonly ok: true; readonly state: MachineState; readonly trace: readonly TraceEntry[]; readonly result: EventResult }
  | { readonly ok: false; readonly reason: string };
