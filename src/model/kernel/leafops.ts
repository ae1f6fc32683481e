/**
 * One classification of a page-table entry, after include/linux/leafops.h (v6.19+): the kernel
 * itself converged on one enum (`enum softleaf_type`) and one classifier (`softleaf_type()`), and so
 * does swapviz. The decoder, the machine, the views and the CLI all read an entry's kind from here;
 * nothing else spells a kind.
 *
 * `EntryKind` is leafops.h's enum at family level plus the two states a PTE can be in that are not a
 * soft leaf (none, present): the access (read / read-exclusive / write) is a separate field of the
 * type row, as in the kernel's `SOFTLEAF_MIGRATION_READ` … names, which `softleafTypeName()` gives.
 */
import type { Level } from './arch/layout.ts';
import type { Kernel } from './kernel.ts';
import type { Access } from './swapTypes.ts';

export type { Level };

/** Every kind an entry can have, in code order (the hot path works on the index). */
export const ENTRY_KINDS = [
  'none',
  'present',
  'swap',
  'migration',
  'device-migration',
  'device-private',
  'device-exclusive',
  'hwpoison',
  'pte-marker',
  'swapin-error',
] as const;

export type EntryKind = (typeof ENTRY_KINDS)[number];

/** The code of each kind: `KIND['device-private']` is its index in ENTRY_KINDS. */
export const KIND: Readonly<Record<EntryKind, number>> = Object.freeze(
  Object.fromEntries(ENTRY_KINDS.map((k, i) => [k, i])) as Record<EntryKind, number>,
);

export function kindOfCode(code: number): EntryKind {
  const k = ENTRY_KINDS[code];
  if (k === undefined) throw new RangeError(`no entry kind has code ${code}`);
  return k;
}

/** A migration entry of either PFN space: is_migration_entry() / softleaf_is_migration() is-a. */
export function isMigrationKind(k: EntryKind | undefined): boolean {
  return k === 'migration' || k === 'device-migration';
}

/** is_pfn_swap_entry() / softleaf_has_pfn(): the offset is a page number (or device offset). */
export function kindHasPfn(k: EntryKind | undefined): boolean {
  return isMigrationKind(k) || k === 'device-private' || k === 'device-exclusive' || k === 'hwpoison';
}

/** Kinds that are soft leaves (non-present, non-none): everything but none and present. */
export function isSoftleafKind(k: EntryKind): boolean {
  return k !== 'none' && k !== 'present';
}

/**
 * Which kinds of soft leaf may sit in a PMD (leafops.h softleaf_is_valid_pmd_entry(): "Only device
 * private, migration entries valid for PMD"), and why the others never do. A PMD holding anything
 * else hits VM_WARN_ON(!pmd_is_valid_softleaf()) in copy_huge_pmd(), change_huge_pmd() and the split.
 */
export const PMD_KIND_RULES: Readonly<Record<EntryKind, { readonly valid: boolean; readonly why: string }>> = {
  none: { valid: true, why: 'pmd_none(): no page table and no huge page here yet' },
  present: { valid: true, why: 'a present PMD maps a 2 MiB page (or points to a PTE table)' },
  migration: { valid: true, why: 'set_pmd_migration_entry() unmaps a PMD-mapped THP while it migrates' },
  'device-migration': { valid: true, why: 'the series\' SWP_MIGRATION_DEVICE_* types satisfy softleaf_is_migration(), so a device THP in migration is one' },
  'device-private': { valid: true, why: 'a 2 MiB device-private folio (6.19+) is mapped by a device-private PMD' },
  swap: { valid: false, why: 'reclaim passes TTU_SPLIT_HUGE_PMD: a swapped-out THP leaves 512 PTE swap entries, never a swap PMD' },
  'device-exclusive': { valid: false, why: 'make_device_exclusive() uses GUP with FOLL_SPLIT_PMD and insists on fw.level == FW_LEVEL_PTE (mm/rmap.c)' },
  hwpoison: { valid: false, why: 'memory_failure() splits a THP first; only hugetlb has huge hwpoison entries, in the huge-PTE path' },
  'pte-marker': { valid: false, why: 'markers (uffd-wp, poison, guard) are PTE-only: pte_marker has no PMD form and the PMD pagemap walker has no marker case' },
  'swapin-error': { valid: false, why: 'a PTE-only entry of v6.1 (SWP_SWAPIN_ERROR)' },
};

/** leafops.h `enum softleaf_type` name of a special type (SOFTLEAF_SWAP for a swap file). */
export function softleafTypeName(kind: EntryKind, access: Access | null): string {
  // Stryker disable next-line StringLiteral: every migration and device-private row has an access, so the empty suffix is never used
  const acc = access === null ? '' : `_${access.toUpperCase()}`;
  switch (kind) {
    case 'none':
    case 'present':
      return 'SOFTLEAF_NONE';
    case 'swap':
      return 'SOFTLEAF_SWAP';
    case 'migration':
      return `SOFTLEAF_MIGRATION${acc}`;
    case 'device-migration':
      return `SOFTLEAF_MIGRATION_DEVICE_PRIVATE${acc}`;
    case 'device-private':
      return `SOFTLEAF_DEVICE_PRIVATE${acc}`;
    case 'device-exclusive':
      return 'SOFTLEAF_DEVICE_EXCLUSIVE';
    case 'hwpoison':
      return 'SOFTLEAF_HWPOISON';
    case 'pte-marker':
      return 'SOFTLEAF_MARKER';
    case 'swapin-error':
      return 'SOFTLEAF_NONE';
  }
}

/** The reusable output of classify(): plain numbers and booleans, no allocation per entry. */
export interface Classified {
  /** KIND code. */
  kind: number;
  type: number;
  /** swp offset as the arch stores it (<= 50 bits, exact). */
  offset: number;
  /** offset & SWP_PFN_MASK for PFN-carrying entries; the PFN for present PTEs; -1 otherwise. */
  pfn: number;
  /** 1 = the number is a device-private offset (separate space), 0 = a CPU physical PFN. */
  deviceSpace: number;
  softDirty: boolean;
  uffdWp: boolean;
  exclusive: boolean;
  /** SWP_MIG_YOUNG / SWP_MIG_DIRTY as stored in a migration entry's offset. */
  youngBit: boolean;
  dirtyBit: boolean;
  /** is_migration_entry_young() / _dirty(): the bits, read only when the kernel reads them. */
  young: boolean;
  dirty: boolean;
  /** Offset bits above SWP_MIG_DIRTY_BIT (migration) or above SWP_PFN_BITS (other PFN kinds). */
  above: number;
}

export function newClassified(): Classified {
  return {
    kind: 0, type: 0, offset: 0, pfn: -1, deviceSpace: 0, softDirty: false, uffdWp: false, exclusive: false,
    youngBit: false, dirtyBit: false, young: false, dirty: false, above: 0,
  };
}

/**
 * The classifier (pte_none / pte_present / softleaf_type, or at `level` 'pmd' pmd_none / pmd_present
 * / softleaf_from_pmd()), on an entry given as two 32-bit halves; writes into `out`. A half may be
 * signed or unsigned (`x | 0` or `x >>> 0`): only bitwise operations read it. Signed is cheaper in a
 * hot loop: V8 passes an int32 as it is but boxes an unsigned half >= 2^31 in a new heap number. Present
 * entries get their PFN (with the arch's PROT_NONE inversion undone, as pte_pfn() / pmd_pfn() do)
 * and their soft-dirty / uffd-wp bits. A non-present PMD has the PTE swap layout, so the soft-leaf
 * part is the same at both levels; only the flag bits a level keeps differ (no exclusive bit in a PMD).
 */
export function classify(k: Kernel, hi: number, lo: number, out: Classified, level?: Level): Classified {
  // `level !== undefined` first: V8 compares undefined with undefined inline, but undefined with a
  // string through a generic builtin call (the PTE callers, the hot ones, pass no level)
  // Stryker disable next-line ConditionalExpression: only a fast path: with it always true the 'pmd' test below decides alone
  if (level !== undefined) {
    if (level === 'pmd') return classifyPmd(k, hi, lo, out);
  }
  const a = k.arch;
  if (a.pteNone(hi, lo)) return none(out);
  if (a.ptePresent(hi, lo)) return present(out, a.presentPfn(hi, lo), a.presentSoftDirty(hi, lo), a.presentUffdWp(hi, lo));
  return softleaf(k, hi, lo, out, a.loFlagBits);
}

/** classify() at PMD level: pmd_none / pmd_present / softleaf_from_pmd(). */
function classifyPmd(k: Kernel, hi: number, lo: number, out: Classified): Classified {
  const pmd = k.arch.pmd;
  if (pmd.pmdNone(hi, lo)) return none(out);
  if (pmd.pmdPresent(hi, lo)) return present(out, pmd.presentPfn(hi, lo), pmd.presentSoftDirty(hi, lo), pmd.presentUffdWp(hi, lo));
  return softleaf(k, hi, lo, out, pmd.loFlagBits);
}

function none(out: Classified): Classified {
  out.kind = KIND.none;
  out.type = 0;
  out.offset = 0;
  out.pfn = -1;
  out.young = out.dirty = out.youngBit = out.dirtyBit = false;
  out.softDirty = out.uffdWp = out.exclusive = false;
  out.deviceSpace = 0;
  out.above = 0;
  return out;
}

function present(out: Classified, pfn: number, softDirty: boolean, uffdWp: boolean): Classified {
  out.kind = KIND.present;
  out.type = 0;
  out.offset = 0;
  out.pfn = pfn;
  out.young = out.dirty = out.youngBit = out.dirtyBit = false;
  out.softDirty = softDirty;
  out.uffdWp = uffdWp;
  out.exclusive = false;
  out.deviceSpace = 0;
  out.above = 0;
  return out;
}

/** A soft leaf (softleaf_type()): the same swap layout at both levels, with the level's flag bits. */
function softleaf(k: Kernel, hi: number, lo: number, out: Classified, bits: { readonly softDirty: number; readonly uffdWp: number; readonly exclusive: number }): Classified {
  const a = k.arch;
  const type = a.swpType(hi, lo);
  const offset = a.swpOffset(hi, lo);
  out.kind = k.kindByType[type]!;
  out.type = type;
  out.offset = offset;
  out.softDirty = (lo & bits.softDirty) !== 0;
  out.uffdWp = (lo & bits.uffdWp) !== 0;
  out.exclusive = (lo & bits.exclusive) !== 0;
  out.young = out.dirty = out.youngBit = out.dirtyBit = false;
  out.deviceSpace = 0;
  out.above = 0;
  const space = k.pfnByType[type]!;
  if (space === 0) {
    out.pfn = -1;
    return out;
  }
  // offset = above · 2^SWP_PFN_BITS + pfn: a multiplication by the exact inverse, not a division
  const above = Math.floor(offset * k.pfnSpanInverse);
  out.pfn = offset - above * k.pfnSpan;
  out.deviceSpace = space === 2 ? 1 : 0;
  if (k.migrationByType[type] === 1) {
    out.youngBit = (above & 1) !== 0;
    out.dirtyBit = (above & 2) !== 0;
    out.above = Math.floor(above / 4);
    if (k.adReadable) {
      out.young = out.youngBit;
      out.dirty = out.dirtyBit;
    }
  } else {
    out.above = above;
  }
  return out;
}
