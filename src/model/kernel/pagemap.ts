/**
 * The /proc/PID/pagemap record: what user space sees of a page-table entry.
 *
 * Named after the interface (Documentation/admin-guide/mm/pagemap.rst), not after
 * fs/proc/task_mmu.c: that file also holds smaps, clear_refs and numa_maps, and this module models
 * only its pagemap part — the PM_* bits, make_pme(), pte_to_pagemap_entry(),
 * pagemap_pmd_range_thp()'s per-subpage record, and PAGEMAP_SCAN's pagemap_page_category() with
 * the PAGE_IS_* categories of include/uapi/linux/fs.h. Grep for a kernel name and you land here.
 *
 * Every PM_* bit number is written down once, in PAGEMAP_BITS; masks are derived from it. The
 * record is a bigint at the API; the per-record work runs on two unsigned 32-bit halves (all the
 * flag bits live in the high half), so a million records decode without a bigint each.
 *
 * Sources: fs/proc/task_mmu.c and include/uapi/linux/fs.h of v6.18 and 7.3.4 (swapviz domain spec
 * hmm-and-pagemap.md, Part A); the RWP series ("mm/pagemap: add PAGE_IS_ACCESSED for RWP
 * tracking", Kiryl Shutsemau, in 7.3) for PAGE_IS_ACCESSED.
 */
import type { DecodedField } from './decodeTypes.ts';
import { bitRangeText } from './decode.ts';
import { PTE_MARKER_GUARD, PTE_MARKER_MASK, PTE_MARKER_POISONED, PTE_MARKER_UFFD_WP, type Kernel } from './kernel.ts';
import { classify, KIND, kindOfCode, newClassified, softleafTypeName, type Classified, type EntryKind } from './leafops.ts';
import type { KernelRelease } from './release.ts';
import type { ProfileId } from './profiles.ts';
import { MAX_SWAPFILES_SHIFT, type NumberedRow } from './swapTypes.ts';
import { fromHalves, hex, hex64, hi32, lo32, TWO32, u64 } from './u64.ts';

// ---- the bits ---------------------------------------------------------------------------------------

/** PM_ENTRY_BYTES: each record is one u64, little-endian, at offset (vaddr >> PAGE_SHIFT) * 8. */
export const PM_ENTRY_BYTES = 8;
/** PM_PFRAME_BITS: bits 0..54 hold the frame (a PFN, or a swap type/offset pair). */
export const PM_PFRAME_BITS = 55;

export type PagemapBitName = 'PM_SOFT_DIRTY' | 'PM_MMAP_EXCLUSIVE' | 'PM_UFFD_WP' | 'PM_GUARD_REGION' | 'PM_FILE' | 'PM_SWAP' | 'PM_PRESENT';

export interface PagemapBit {
  readonly name: PagemapBitName;
  readonly bit: number;
  /** The first release whose pagemap reports the bit (pagemap.rst's "(since …)"). */
  readonly since: readonly [major: number, minor: number];
  /** One sentence: when pte_to_pagemap_entry() sets it. */
  readonly meaning: string;
}

/** The flag bits of a record, from bit 55 up (fs/proc/task_mmu.c, above pagemap_read()). */
export const PAGEMAP_BITS: readonly PagemapBit[] = [
  { name: 'PM_SOFT_DIRTY', bit: 55, since: [3, 11], meaning: 'the PTE is soft-dirty, or the VMA has VM_SOFTDIRTY (new or grown since the last clear_refs 4)' },
  { name: 'PM_MMAP_EXCLUSIVE', bit: 56, since: [4, 2], meaning: 'a present page mapped exactly once (never set for a non-present entry)' },
  { name: 'PM_UFFD_WP', bit: 57, since: [5, 13], meaning: 'userfaultfd tracks the PTE (write-protect; in 7.3 also read-write-protect), or a uffd-wp marker' },
  { name: 'PM_GUARD_REGION', bit: 58, since: [6, 15], meaning: 'a guard marker (MADV_GUARD_INSTALL): any access raises SIGSEGV' },
  { name: 'PM_FILE', bit: 61, since: [3, 5], meaning: 'the page is not anonymous: a file page, or shmem / shared anonymous memory' },
  { name: 'PM_SWAP', bit: 62, since: [2, 6], meaning: 'any non-present, non-none PTE: swap, migration, device-private, device-exclusive, hwpoison or a marker' },
  { name: 'PM_PRESENT', bit: 63, since: [2, 6], meaning: 'a present PTE (PROT_NONE included)' },
];

const BIT: Readonly<Record<PagemapBitName, number>> = Object.freeze(
  Object.fromEntries(PAGEMAP_BITS.map((b) => [b.name, b.bit])) as Record<PagemapBitName, number>,
);

/** Bits 59-60 are always zero. */
export const PM_ZERO_BITS = { hi: 60, lo: 59 } as const;
/** The release before which bits 55-60 held the page shift (PM_PSHIFT): swapviz cannot read that format. */
export const PAGEMAP_V2_SINCE: readonly [number, number] = [4, 2];

export const PM_SOFT_DIRTY = 1n << BigInt(BIT.PM_SOFT_DIRTY);
export const PM_MMAP_EXCLUSIVE = 1n << BigInt(BIT.PM_MMAP_EXCLUSIVE);
export const PM_UFFD_WP = 1n << BigInt(BIT.PM_UFFD_WP);
export const PM_GUARD_REGION = 1n << BigInt(BIT.PM_GUARD_REGION);
export const PM_FILE = 1n << BigInt(BIT.PM_FILE);
export const PM_SWAP = 1n << BigInt(BIT.PM_SWAP);
export const PM_PRESENT = 1n << BigInt(BIT.PM_PRESENT);
/** PM_PFRAME_MASK = GENMASK_ULL(PM_PFRAME_BITS - 1, 0). */
export const PM_PFRAME_MASK = (1n << BigInt(PM_PFRAME_BITS)) - 1n;

/** The same bits as masks on the high 32-bit half (every flag bit is above bit 31). */
const H = (name: PagemapBitName): number => 2 ** (BIT[name] - 32);
const HI_SOFT_DIRTY = H('PM_SOFT_DIRTY');
const HI_EXCLUSIVE = H('PM_MMAP_EXCLUSIVE');
const HI_UFFD_WP = H('PM_UFFD_WP');
const HI_GUARD = H('PM_GUARD_REGION');
const HI_FILE = H('PM_FILE');
const HI_SWAP = H('PM_SWAP');
const HI_PRESENT = H('PM_PRESENT');
const HI_ZERO = 2 ** (PM_ZERO_BITS.hi - 32) + 2 ** (PM_ZERO_BITS.lo - 32);
/** Frame bits 32..54 of the high half. */
const HI_FRAME = 2 ** (PM_PFRAME_BITS - 32) - 1;
/** MAX_SWAPFILES_SHIFT: the frame of a swap entry is type | offset << 5. */
const TYPE_SPAN = 2 ** MAX_SWAPFILES_SHIFT;
/** The part of a swap offset that lands in the low half: bits 0..26 (27 + 5 = 32). */
const LO_OFFSET_SPAN = 2 ** (32 - MAX_SWAPFILES_SHIFT);

// ---- what pte_to_pagemap_entry() consults besides the PTE ---------------------------------------

/** The userfaultfd registration of a VMA, as PAGEMAP_SCAN reads it. */
export type UffdMode = 'none' | 'wp' | 'wp-async' | 'rwp';

export interface PagemapVma {
  /**
   * VM_SOFTDIRTY: with CONFIG_MEM_SOFT_DIRTY every new or grown VMA has it until
   * `echo 4 > /proc/PID/clear_refs`, and it adds PM_SOFT_DIRTY to every record of the VMA.
   */
  readonly softDirty: boolean;
  /**
   * userfaultfd registration; only PAGEMAP_SCAN reads it. 'wp-async' = UFFD_FEATURE_WP_ASYNC with
   * markers in use (WP_UNPOPULATED for anon; always for file), which makes PAGE_IS_WPALLOWED.
   */
  readonly uffd: UffdMode;
}

/** The folio behind the entry: what folio_test_anon() and the mapcount say. */
export interface PagemapPage {
  /** folio_test_anon(): PM_FILE is set when false (file pages, shmem, shared anon). */
  readonly anon: boolean;
  /**
   * The page is mapped exactly once: folio_precise_page_mapcount() == 1 with CONFIG_PAGE_MAPCOUNT,
   * else !folio_maybe_mapped_shared(). Gives PM_MMAP_EXCLUSIVE, for present PTEs only.
   */
  readonly mappedOnce: boolean;
}

/**
 * Everything pte_to_pagemap_entry() consults besides the PTE. Note what it does not: the VMA
 * being anon or file-backed (PM_FILE follows the folio), and whether the entry is a guard marker
 * (the PTE says that itself).
 */
export interface PagemapContext {
  readonly vma: PagemapVma;
  /**
   * The page vm_normal_page() (present PTE) or softleaf_to_page() (PFN-carrying entry) finds.
   * null: none — the shared zero page, or a VM_PFNMAP/VM_MIXEDMAP special mapping. A present PTE
   * with the arch's special bit, or with `zeroPfn`, never has one, whatever this says. Entries
   * that carry no PFN (real swap, markers) never consult it.
   */
  readonly page: PagemapPage | null;
  /** is_zero_pfn(pte_pfn(pte)): the PTE maps the shared zero page (PAGEMAP_SCAN's PAGE_IS_PFNZERO). */
  readonly zeroPfn: boolean;
  /**
   * pm->show_pfn = file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN), checked with the
   * credentials of whoever opened the file. Without it the frame is 0 for every kind.
   */
  readonly showPfn: boolean;
}

/**
 * The context `swapviz decode` assumes: a private anonymous page mapped once, the VMA's
 * soft-dirty bit cleared (after clear_refs 4), no userfaultfd, and an opener with CAP_SYS_ADMIN.
 */
export const DEFAULT_PAGEMAP_CONTEXT: PagemapContext = Object.freeze({
  vma: Object.freeze({ softDirty: false, uffd: 'none' as const }),
  page: Object.freeze({ anon: true, mappedOnce: true }),
  zeroPfn: false,
  showPfn: true,
});

/** One sentence naming DEFAULT_PAGEMAP_CONTEXT, for help texts and JSON. */
export const DEFAULT_PAGEMAP_CONTEXT_TEXT =
  'a private anonymous page mapped once, VMA soft-dirty cleared, no userfaultfd, opener with CAP_SYS_ADMIN';

// ---- make_pme / pte_to_pagemap_entry ---------------------------------------------------------------

/** make_pme(frame, flags) = (frame & PM_PFRAME_MASK) | flags. */
export function make_pme(frame: bigint, flags: bigint): bigint {
  return u64((frame & PM_PFRAME_MASK) | flags);
}

const scratch = newClassified();

/**
 * pte_to_pagemap_entry(): the record pagemap reports for one PTE (A.4). The PFN or the packed swap
 * type/offset (type in bits 0-4, offset << 5; softleaf_to_pfn() masks the migration A/D bits
 * away), soft-dirty, exclusive, uffd-wp, guard, file, swapped, present; frame 0 without
 * CAP_SYS_ADMIN.
 */
export function pagemapOfPte(k: Kernel, pte: bigint, ctx: PagemapContext = DEFAULT_PAGEMAP_CONTEXT): bigint {
  const raw = u64(pte);
  const hi = hi32(raw);
  const lo = lo32(raw);
  const c = classify(k, hi, lo, scratch);
  // Stryker disable next-line ConditionalExpression: pagemapOfLeaf() reads `special` only for a present entry
  const special = c.kind === KIND.present && k.arch.decodePresent(hi32(raw), lo32(raw)).special;
  return pagemapOfLeaf(k, c, ctx, 0, special);
}

const pmdScratch = newClassified();

/**
 * pagemap_pmd_range_thp(): the record of 4 KiB subpage `index` (0..511) of a PMD leaf. Present:
 * frame = pmd_pfn + index, PM_MMAP_EXCLUSIVE from the head page (`ctx.page`); the huge zero PMD is
 * special, so no page and no FILE/EXCL bits. Migration or device-private: frame = type |
 * (softleaf_to_pfn + index) << 5, never PM_MMAP_EXCLUSIVE, the migration A/D bits never show.
 */
export function pagemapOfPmd(k: Kernel, pmd: bigint, ctx: PagemapContext = DEFAULT_PAGEMAP_CONTEXT, index = 0): bigint {
  const raw = u64(pmd);
  const hi = hi32(raw);
  const lo = lo32(raw);
  const c = classify(k, hi, lo, pmdScratch, 'pmd');
  // Stryker disable next-line ConditionalExpression: pagemapOfLeaf() reads `special` only for a present entry
  const special = c.kind === KIND.present && k.arch.pmd.decodePresent(hi, lo).special;
  return pagemapOfLeaf(k, c, ctx, index, special);
}

/**
 * The record of subpage `subpage` of a classified leaf entry: pte_to_pagemap_entry() for a PTE
 * (subpage 0), and the shape pagemap_pmd_range_thp() gives each of a PMD's 512 records (present:
 * frame = pfn + i; migration or device-private: frame = type | (pfn + i) << 5; PM_MMAP_EXCLUSIVE
 * from the head page, which `ctx.page` then describes). Entries without a PFN have one record.
 *
 * `special`: the present PTE has the arch's special bit (vm_normal_page() returns NULL).
 */
export function pagemapOfLeaf(k: Kernel, c: Classified, ctx: PagemapContext, subpage = 0, special = false): bigint {
  const kind = c.kind;
  // a present leaf always has its PFN (c.pfn >= 0): only a non-present leaf without one has a single record
  if (!Number.isInteger(subpage) || subpage < 0 || (subpage > 0 && c.pfn < 0)) {
    throw new RangeError(`subpage ${subpage}: only a present or PFN-carrying leaf has more than one record`);
  }
  let hi = 0;
  let lo = 0;
  if (kind === KIND.none) {
    // pte_none(): nothing but the VMA's soft-dirty
  } else if (kind === KIND.present) {
    hi |= HI_PRESENT;
    if (ctx.showPfn) [hi, lo] = frameOfNumber(hi, c.pfn + subpage);
    if (c.softDirty) hi |= HI_SOFT_DIRTY;
    if (c.uffdWp) hi |= HI_UFFD_WP;
    const page = special || ctx.zeroPfn ? null : ctx.page;
    if (page) {
      if (!page.anon) hi |= HI_FILE;
      if (page.mappedOnce) hi |= HI_EXCLUSIVE;
    }
  } else {
    hi |= HI_SWAP;
    if (c.softDirty) hi |= HI_SOFT_DIRTY;
    if (c.uffdWp) hi |= HI_UFFD_WP;
    const hasPfn = c.pfn >= 0;
    if (ctx.showPfn) [hi, lo] = swapFrame(hi, c.type, hasPfn ? c.pfn + subpage : c.offset);
    if (kind === KIND['pte-marker']) {
      if (c.offset & PTE_MARKER_UFFD_WP) hi |= HI_UFFD_WP;
      if (c.offset & PTE_MARKER_GUARD) hi |= HI_GUARD;
    }
    // softleaf_to_page() only for PFN-carrying entries; PM_MMAP_EXCLUSIVE only with PM_PRESENT
    if (hasPfn && ctx.page && !ctx.page.anon) hi |= HI_FILE;
  }
  if (ctx.vma.softDirty) hi |= HI_SOFT_DIRTY;
  return fromHalves(hi >>> 0, lo >>> 0);
}

/** A frame that is a plain number (a PFN) into the halves; flag bits in `hi` are kept. */
function frameOfNumber(hi: number, frame: number): [number, number] {
  const fhi = Math.floor(frame / TWO32) & HI_FRAME;
  return [(hi | fhi) >>> 0, frame % TWO32 >>> 0];
}

/** frame = type | (offset << MAX_SWAPFILES_SHIFT), masked to PM_PFRAME_BITS, into the halves. */
function swapFrame(hi: number, type: number, offset: number): [number, number] {
  const lo = ((offset % LO_OFFSET_SPAN) * TYPE_SPAN + type) >>> 0;
  const fhi = Math.floor(offset / LO_OFFSET_SPAN) & HI_FRAME;
  return [(hi | fhi) >>> 0, lo];
}

// ---- PAGEMAP_SCAN -----------------------------------------------------------------------------------

/** include/uapi/linux/fs.h: the categories PAGEMAP_SCAN reports in page_region.categories. */
export const PAGE_IS_WPALLOWED = 1 << 0;
export const PAGE_IS_WRITTEN = 1 << 1;
export const PAGE_IS_FILE = 1 << 2;
export const PAGE_IS_PRESENT = 1 << 3;
export const PAGE_IS_SWAPPED = 1 << 4;
export const PAGE_IS_PFNZERO = 1 << 5;
/** PMD-mapped THP or hugetlb: never for a PTE. */
export const PAGE_IS_HUGE = 1 << 6;
export const PAGE_IS_SOFT_DIRTY = 1 << 7;
/** Since 6.15. */
export const PAGE_IS_GUARD = 1 << 8;
/** The RWP series (7.3): a page in a VM_UFFD_RWP VMA accessed since RWP was applied. */
export const PAGE_IS_ACCESSED = 1 << 9;

export const PAGE_IS_NAMES: readonly (readonly [string, number])[] = [
  ['PAGE_IS_WPALLOWED', PAGE_IS_WPALLOWED], ['PAGE_IS_WRITTEN', PAGE_IS_WRITTEN], ['PAGE_IS_FILE', PAGE_IS_FILE],
  ['PAGE_IS_PRESENT', PAGE_IS_PRESENT], ['PAGE_IS_SWAPPED', PAGE_IS_SWAPPED], ['PAGE_IS_PFNZERO', PAGE_IS_PFNZERO],
  ['PAGE_IS_HUGE', PAGE_IS_HUGE], ['PAGE_IS_SOFT_DIRTY', PAGE_IS_SOFT_DIRTY], ['PAGE_IS_GUARD', PAGE_IS_GUARD],
  ['PAGE_IS_ACCESSED', PAGE_IS_ACCESSED],
];

/**
 * Whether the profile's kernel has the RWP series (UFFDIO_REGISTER_MODE_RWP): the 7.3.4-based
 * profiles do. It scopes PAGE_IS_WRITTEN to VM_UFFD_WP VMAs and adds PAGE_IS_ACCESSED.
 */
export function hasUffdRwp(k: Kernel): boolean {
  return k.profile.sourceTag === 'v7.3.4';
}

/**
 * pagemap_page_category() for one PTE, plus the VMA's categories (pagemap_scan_test_walk():
 * PAGE_IS_WPALLOWED, and PAGE_IS_SOFT_DIRTY for VM_SOFTDIRTY), as pagemap_scan_pmd_entry() ORs
 * them. Assumes PAGE_IS_FILE is in the caller's masks of interest (else the kernel skips it).
 */
export function pagemapScanCategories(k: Kernel, pte: bigint, ctx: PagemapContext = DEFAULT_PAGEMAP_CONTEXT): number {
  const raw = u64(pte);
  const c = classify(k, hi32(raw), lo32(raw), scratch);
  let cat = 0;
  if (ctx.vma.uffd === 'wp-async') cat |= PAGE_IS_WPALLOWED;
  if (ctx.vma.softDirty) cat |= PAGE_IS_SOFT_DIRTY;
  if (c.kind === KIND.none) return cat;
  const rwp = hasUffdRwp(k);
  const wpVma = ctx.vma.uffd === 'wp' || ctx.vma.uffd === 'wp-async';
  /** !pte_uffd() / !pte_swp_uffd_any(): WRITTEN (in 7.3 only in a VM_UFFD_WP VMA), ACCESSED in a VM_UFFD_RWP one. */
  const untracked = (tracked: boolean) => {
    if (tracked) return;
    if (!rwp || wpVma) cat |= PAGE_IS_WRITTEN;
    if (rwp && ctx.vma.uffd === 'rwp') cat |= PAGE_IS_ACCESSED;
  };
  if (c.kind === KIND.present) {
    cat |= PAGE_IS_PRESENT;
    untracked(c.uffdWp);
    const special = k.arch.decodePresent(hi32(raw), lo32(raw)).special;
    const page = special || ctx.zeroPfn ? null : ctx.page;
    if (page && !page.anon) cat |= PAGE_IS_FILE;
    if (ctx.zeroPfn) cat |= PAGE_IS_PFNZERO;
    if (c.softDirty) cat |= PAGE_IS_SOFT_DIRTY;
    return cat;
  }
  cat |= PAGE_IS_SWAPPED;
  const marker = c.kind === KIND['pte-marker'] ? c.offset : 0;
  untracked(c.uffdWp || (marker & PTE_MARKER_UFFD_WP) !== 0);
  if (marker & PTE_MARKER_GUARD) cat |= PAGE_IS_GUARD;
  else if (c.pfn >= 0 && ctx.page && !ctx.page.anon) cat |= PAGE_IS_FILE;
  if (c.softDirty) cat |= PAGE_IS_SOFT_DIRTY;
  return cat;
}

/** The PAGE_IS_* names of a category mask, low bit first. */
export function scanCategoryNames(mask: number): string[] {
  return PAGE_IS_NAMES.filter(([, v]) => (mask & v) !== 0).map(([n]) => n);
}

// ---- reading a record -----------------------------------------------------------------------------

/** The reusable output of classifyPagemap(): plain numbers and booleans, no allocation per record. */
export interface PagemapClassified {
  /** KIND code of the entry the record implies, or -1 when the record cannot tell (see decodePagemap). */
  kind: number;
  present: boolean;
  swap: boolean;
  file: boolean;
  exclusive: boolean;
  uffdWp: boolean;
  guard: boolean;
  softDirty: boolean;
  /** Present: the PFN (0 when hidden). Swap: the type (bits 0-4). */
  type: number;
  /** Present: the PFN. Swap: the offset (bits 5-54), a PFN for PFN-carrying types. -1 when hidden. */
  frame: number;
}

export function newPagemapClassified(): PagemapClassified {
  return { kind: -1, present: false, swap: false, file: false, exclusive: false, uffdWp: false, guard: false, softDirty: false, type: 0, frame: 0 };
}

/**
 * The fast path: one record given as two unsigned 32-bit halves -> flags, frame and the entry kind
 * it implies, into `out`. `pfnVisible` says whether the reader had CAP_SYS_ADMIN; without it the
 * frame says nothing and only a guard marker's kind can still be told.
 */
export function classifyPagemap(k: Kernel, hi: number, lo: number, pfnVisible: boolean, out: PagemapClassified): PagemapClassified {
  out.present = (hi & HI_PRESENT) !== 0;
  out.swap = (hi & HI_SWAP) !== 0;
  out.file = (hi & HI_FILE) !== 0;
  out.exclusive = (hi & HI_EXCLUSIVE) !== 0;
  out.uffdWp = (hi & HI_UFFD_WP) !== 0;
  out.guard = (hi & HI_GUARD) !== 0;
  out.softDirty = (hi & HI_SOFT_DIRTY) !== 0;
  const fhi = hi & HI_FRAME;
  if (out.present) {
    out.type = 0;
    out.frame = pfnVisible ? fhi * TWO32 + (lo >>> 0) : -1;
    out.kind = out.swap ? -1 : KIND.present;
    return out;
  }
  if (out.swap) {
    if (!pfnVisible) {
      out.type = 0;
      out.frame = -1;
      out.kind = out.guard ? KIND['pte-marker'] : -1;
      return out;
    }
    out.type = (lo >>> 0) % TYPE_SPAN;
    out.frame = fhi * LO_OFFSET_SPAN + Math.floor((lo >>> 0) / TYPE_SPAN);
    out.kind = k.kindByType[out.type]!;
    return out;
  }
  out.type = 0;
  out.frame = pfnVisible ? fhi * TWO32 + (lo >>> 0) : -1;
  // A record with neither bit is a hole or a none PTE, unless a flag says otherwise: a non-present
  // hugetlb entry reports only PM_UFFD_WP (pagemap_hugetlb_range()).
  out.kind = out.uffdWp || out.guard || out.file || out.exclusive ? -1 : KIND.none;
  return out;
}

/**
 * The frame of a record given as halves when PM_PRESENT is set (its PFN, 0 when hidden), else -1:
 * what a capture needs to look up /proc/kpageflags, without a Kernel.
 */
export function presentPfnOfRecord(hi: number, lo: number): number {
  return (hi & HI_PRESENT) !== 0 ? (hi & HI_FRAME) * TWO32 + (lo >>> 0) : -1;
}

export interface DecodedPagemap {
  readonly raw: bigint;
  /** 0x + 16 hex digits. */
  readonly record: string;
  readonly profile: ProfileId;
  /** Whether the reader had CAP_SYS_ADMIN, as the caller says. */
  readonly pfnVisible: boolean;
  /** The entry kind the record implies; null when it cannot be told (frame hidden, or contradictory bits). */
  readonly kind: EntryKind | null;
  /** One line, e.g. "present pfn=0x1234 exclusive soft-dirty" or "SWP_PTE_MARKER(31) GUARD". */
  readonly summary: string;
  readonly present: boolean;
  readonly swap: boolean;
  readonly file: boolean;
  readonly exclusive: boolean;
  readonly uffdWp: boolean;
  readonly guard: boolean;
  readonly softDirty: boolean;
  /** Bits 0-54 as stored. */
  readonly frame: bigint;
  /** Present: the PFN. PFN-carrying swap types: the PFN (or device-private offset). Else null. */
  readonly pfn: number | null;
  /** Which space `pfn` names. */
  readonly pfnSpace: 'phys' | 'device' | null;
  /** The swap type and offset of a PM_SWAP record whose frame is visible. */
  readonly swapEntry: {
    readonly type: number;
    /** The SWP_* name under the kernel's own type table, or swapfile_N. */
    readonly typeName: string;
    readonly row: NumberedRow | undefined;
    readonly offset: number;
    /** leafops.h enum softleaf_type name (softleaf profiles), else null. */
    readonly softleafType: string | null;
  } | null;
  readonly marker: { readonly bits: number; readonly uffdWp: boolean; readonly poisoned: boolean; readonly guard: boolean } | null;
  /** Bit fields from bit 63 down to bit 0, covering all 64 bits, labelled like a PTE's. */
  readonly fields: readonly DecodedField[];
  /** Why pte_to_pagemap_entry() never produces this record (empty when it may). */
  readonly problems: readonly string[];
}

const pscratch = newPagemapClassified();

/** Decodes one pagemap record under a kernel: flags, frame, the entry kind and type name, labelled fields. */
export function decodePagemap(k: Kernel, recordIn: bigint, opts: { pfnVisible?: boolean } = {}): DecodedPagemap {
  const raw = u64(recordIn);
  const pfnVisible = opts.pfnVisible ?? true;
  const hi = hi32(raw);
  const lo = lo32(raw);
  const c = classifyPagemap(k, hi, lo, pfnVisible, pscratch);
  const frame = raw & PM_PFRAME_MASK;
  const problems: string[] = [];
  const kind: EntryKind | null = c.kind >= 0 ? kindOfCode(c.kind) : null;
  let swapEntry: DecodedPagemap['swapEntry'] = null;
  let marker: DecodedPagemap['marker'] = null;
  let pfn: number | null = null;
  let pfnSpace: DecodedPagemap['pfnSpace'] = null;

  if ((hi & HI_ZERO) !== 0) problems.push('bits 59-60 are set: pagemap always reports them as zero');
  if (c.present && c.swap) problems.push('PM_PRESENT and PM_SWAP are both set: a PTE is either present or not');
  if (c.exclusive && !c.present) problems.push('PM_MMAP_EXCLUSIVE without PM_PRESENT: pte_to_pagemap_entry() sets it only for present PTEs');
  if (c.guard && !c.swap) problems.push('PM_GUARD_REGION without PM_SWAP: a guard marker is a non-present entry');
  if (!c.present && !c.swap) {
    if (frame !== 0n) problems.push(`frame ${hex(frame)} with neither PM_PRESENT nor PM_SWAP: a hole or none PTE has frame 0`);
    if (c.uffdWp && !c.guard && !c.file && !c.exclusive) {
      problems.push('PM_UFFD_WP with neither PM_PRESENT nor PM_SWAP: only a non-present hugetlb entry reads like this (pagemap_hugetlb_range() reports no PM_SWAP); the entry kind cannot be told');
    }
  }
  if (!pfnVisible && frame !== 0n) problems.push(`frame ${hex(frame)} is not 0, but without CAP_SYS_ADMIN pagemap reports 0 for every entry`);

  if (c.present && !c.swap && pfnVisible) {
    pfn = Number(frame);
    pfnSpace = 'phys';
  }
  if (c.swap && !c.present && pfnVisible) {
    const row = k.row(c.type);
    const typeName = k.typeName(c.type);
    const softleafType = k.profile.api === 'softleaf' ? (row ? softleafTypeName(row.kind, row.access) : 'SOFTLEAF_SWAP') : null;
    swapEntry = { type: c.type, typeName, row, offset: c.frame, softleafType };
    if (row?.pfn) {
      pfn = c.frame;
      pfnSpace = k.pfnByType[c.type] === 2 ? 'device' : 'phys';
      if (c.frame >= k.pfnSpan) problems.push(`offset ${hex(c.frame)} is wider than SWP_PFN_BITS (${k.SWP_PFN_BITS}): softleaf_to_pfn() masks it, so pagemap never reports it`);
      if (row.kind === 'device-private' && c.file) problems.push('PM_FILE on a device-private entry: only anonymous memory migrates to device-private memory');
    }
    if (row?.kind === 'pte-marker') {
      const bits = c.frame & PTE_MARKER_MASK;
      marker = { bits, uffdWp: (bits & PTE_MARKER_UFFD_WP) !== 0, poisoned: (bits & PTE_MARKER_POISONED) !== 0, guard: (bits & PTE_MARKER_GUARD) !== 0 };
      if (c.frame > PTE_MARKER_MASK) problems.push(`marker offset ${hex(c.frame)} has bits outside PTE_MARKER_MASK (${hex(PTE_MARKER_MASK)})`);
      if (bits === 0) problems.push('a PTE marker with no marker bits: make_pte_marker() is never called with 0');
      if (marker.guard !== c.guard) problems.push(marker.guard ? 'a guard marker without PM_GUARD_REGION (a kernel before 6.15 reads like this)' : 'PM_GUARD_REGION on a marker without PTE_MARKER_GUARD');
      if (marker.uffdWp && !c.uffdWp) problems.push('a uffd-wp marker without PM_UFFD_WP');
      if (c.file) problems.push('PM_FILE on a marker: a marker has no page');
    } else if (c.guard) {
      problems.push(`PM_GUARD_REGION on a ${typeName} entry: only a guard marker sets it`);
    }
    if (c.type === 0 && c.frame === 0) problems.push('frame 0: swap type 0 slot 0 is the swap header and never mapped; was the file read without CAP_SYS_ADMIN?');
  }
  if (c.present && !c.swap && pfnVisible && frame === 0n) problems.push('PFN 0: was the file read without CAP_SYS_ADMIN?');

  const flags = { present: c.present, swap: c.swap, file: c.file, exclusive: c.exclusive, uffdWp: c.uffdWp, guard: c.guard, softDirty: c.softDirty };
  const summary = pagemapSummary(flags, kind, pfnVisible, pfn, pfnSpace, swapEntry, marker);
  const d: Omit<DecodedPagemap, 'fields'> = {
    raw, record: hex64(raw), profile: k.profile.id, pfnVisible, kind, summary, ...flags, frame, pfn, pfnSpace, swapEntry, marker, problems,
  };
  // The 64 labelled bits are built on first use: a view reads them for the one selected record.
  let fields: readonly DecodedField[] | null = null;
  return {
    ...d,
    get fields() {
      return (fields ??= pagemapFields(raw, d));
    },
  };
}

type Flags = Pick<DecodedPagemap, 'present' | 'swap' | 'file' | 'exclusive' | 'uffdWp' | 'guard' | 'softDirty'>;

function pagemapSummary(
  f: Flags, kind: EntryKind | null, pfnVisible: boolean, pfn: number | null, pfnSpace: DecodedPagemap['pfnSpace'],
  s: DecodedPagemap['swapEntry'], m: DecodedPagemap['marker'],
): string {
  const tags = [
    ...(f.file ? ['file'] : []), ...(f.exclusive ? ['exclusive'] : []), ...(f.uffdWp ? ['uffd-wp'] : []),
    ...(f.guard ? ['guard'] : []), ...(f.softDirty ? ['soft-dirty'] : []),
  ];
  const tail = tags.length ? ' ' + tags.join(' ') : '';
  if (f.present && f.swap) return `present and swapped (contradictory)${tail}`;
  if (f.present) return `present ${pfnVisible ? `pfn=${hex(pfn ?? 0)}` : 'pfn hidden'}${tail}`;
  if (f.swap) {
    if (!s) return `swapped, type hidden (no CAP_SYS_ADMIN)${tail}`;
    let what = `${s.typeName}(${s.type})`;
    if (m) {
      const names = [...(m.guard ? ['GUARD'] : []), ...(m.poisoned ? ['POISONED'] : []), ...(m.uffdWp ? ['UFFD_WP'] : [])];
      what += ` ${names.length ? names.join('|') : 'no marker bits'}`;
    } else if (pfn !== null) {
      what += ` ${pfnSpace === 'device' ? 'device-offset' : 'pfn'}=${hex(pfn)}`;
    } else {
      what += ` off=${hex(s.offset)}`;
    }
    return what + tail;
  }
  if (kind === null) return `not present, not swapped${tail}`;
  return `none${tail}`;
}

const FLAG_NOTES: Readonly<Record<PagemapBitName, string>> = Object.fromEntries(PAGEMAP_BITS.map((b) => [b.name, b.meaning])) as Record<PagemapBitName, string>;

function pagemapFields(raw: bigint, d: Omit<DecodedPagemap, 'fields'>): DecodedField[] {
  const bitsOf = (hiBit: number, loBit: number) => (raw >> BigInt(loBit)) & ((1n << BigInt(hiBit - loBit + 1)) - 1n);
  const flag = (name: PagemapBitName): DecodedField => {
    const b = BIT[name];
    const stored = bitsOf(b, b);
    const text = stored ? 'set' : 'clear';
    return {
      id: name, name, hi: b, lo: b, role: name === 'PM_PRESENT' ? 'present-bit' : 'flag', note: FLAG_NOTES[name],
      stored, value: stored, text, label: `${bitRangeText(b, b)}: ${name} ${text}`,
    };
  };
  const zero = bitsOf(PM_ZERO_BITS.hi, PM_ZERO_BITS.lo);
  const zeroText = zero === 0n ? '0' : hex(zero);
  const out: DecodedField[] = [
    flag('PM_PRESENT'), flag('PM_SWAP'), flag('PM_FILE'),
    {
      id: 'zero', name: 'zero', hi: PM_ZERO_BITS.hi, lo: PM_ZERO_BITS.lo, role: 'must-be-zero', note: 'always 0',
      stored: zero, value: zero, text: zeroText, label: `${bitRangeText(PM_ZERO_BITS.hi, PM_ZERO_BITS.lo)}: zero ${zeroText}`,
      ...(zero !== 0n ? { problem: 'bits 59-60 must be zero' } : {}),
    },
    flag('PM_GUARD_REGION'), flag('PM_UFFD_WP'), flag('PM_MMAP_EXCLUSIVE'), flag('PM_SOFT_DIRTY'),
  ];
  const top = PM_PFRAME_BITS - 1;
  const mk = (id: string, name: string, hiBit: number, loBit: number, role: DecodedField['role'], text: string, note: string, labelText = `${name} ${text}`): DecodedField => {
    const stored = bitsOf(hiBit, loBit);
    return { id, name, hi: hiBit, lo: loBit, role, note, stored, value: stored, text, label: `${bitRangeText(hiBit, loBit)}: ${labelText}` };
  };
  const frame = bitsOf(top, 0);
  if (!d.pfnVisible && (d.present || d.swap)) {
    out.push(mk('frame', 'frame (hidden)', top, 0, 'other', frame === 0n ? '0' : hex(frame),
      'without CAP_SYS_ADMIN pagemap reports 0 here for every entry', `frame hidden, ${frame === 0n ? '0' : hex(frame)} (no CAP_SYS_ADMIN)`));
    return out;
  }
  if (d.present && !d.swap) {
    out.push(mk('pfn', 'PFN', top, 0, 'pfn', hex(frame), 'pte_pfn(): the physical frame number', `PFN ${hex(frame)}`));
    return out;
  }
  const s = d.swapEntry;
  if (s) {
    const lo5 = MAX_SWAPFILES_SHIFT;
    if (d.marker) {
      out.push(mk('offset-high', 'offset bits above PTE_MARKER_MASK', top, lo5 + 3, 'offset', bitsOf(top, lo5 + 3) === 0n ? '0' : hex(bitsOf(top, lo5 + 3)), 'always 0'));
      const bits = d.marker.bits;
      const names = [...(bits & PTE_MARKER_GUARD ? ['GUARD'] : []), ...(bits & PTE_MARKER_POISONED ? ['POISONED'] : []), ...(bits & PTE_MARKER_UFFD_WP ? ['UFFD_WP'] : [])];
      out.push(mk('marker', `PTE marker bits (GUARD ${PTE_MARKER_GUARD}, POISONED ${PTE_MARKER_POISONED}, UFFD_WP ${PTE_MARKER_UFFD_WP})`, lo5 + 2, lo5, 'offset',
        `${hex(bits)}${names.length ? ' = ' + names.join('|') : ''}`, 'what the marker stands for'));
    } else if (d.pfn !== null) {
      const name = d.pfnSpace === 'device' ? 'device-private offset' : 'PFN';
      out.push(mk('offset', `${name} (softleaf_to_pfn)`, top, lo5, 'offset', hex(d.pfn),
        'swp_offset & SWP_PFN_MASK: the migration young/dirty bits are masked away', `${name} ${hex(d.pfn)}`));
    } else {
      out.push(mk('offset', 'swap offset (slot)', top, lo5, 'offset', hex(s.offset), 'the slot in swap device `type`'));
    }
    out.push(mk('type', 'swap type (MAX_SWAPFILES_SHIFT = 5)', lo5 - 1, 0, 'type', `${s.type} = ${s.typeName}`,
      'pagemap packs the type into the low bits (the kernel keeps it in the high bits of swp_entry_t)', `swap type ${s.type}, ${s.typeName}`));
    return out;
  }
  out.push(mk('frame', 'frame', top, 0, 'other', frame === 0n ? '0' : hex(frame), 'no entry: 0'));
  return out;
}

// ---- which bits a running kernel reports ------------------------------------------------------------

export interface PagemapLack {
  readonly bit: PagemapBitName;
  readonly why: string;
}

/**
 * The PM_* bits a kernel's pagemap never sets although the entry would deserve them: bits added
 * after the release, and PM_SOFT_DIRTY without CONFIG_MEM_SOFT_DIRTY (`memSoftDirty` false; null =
 * config unknown). A reader of that kernel's records must not take a clear bit as "no".
 */
export function pagemapLacks(r: KernelRelease, memSoftDirty: boolean | null): PagemapLack[] {
  const out: PagemapLack[] = [];
  for (const b of PAGEMAP_BITS) {
    const [maj, min] = b.since;
    if (r.major < maj || (r.major === maj && r.minor < min)) out.push({ bit: b.name, why: `Linux ${r.major}.${r.minor} predates it (since ${maj}.${min})` });
  }
  if (memSoftDirty === false && !out.some((l) => l.bit === 'PM_SOFT_DIRTY')) {
    out.push({ bit: 'PM_SOFT_DIRTY', why: 'CONFIG_MEM_SOFT_DIRTY is not set: nothing is ever soft-dirty' });
  }
  return out;
}

/** Whether a release's pagemap has the v2 layout (bits 55-60 are flags, not the page shift). */
export function pagemapReadable(r: KernelRelease): boolean {
  const [maj, min] = PAGEMAP_V2_SINCE;
  return r.major > maj || (r.major === maj && r.minor >= min);
}
