/**
 * x86_64 present-PTE helpers under their kernel names (arch/x86/include/asm/pgtable.h,
 * pgtable-invert.h), including the SavedDirty shuffle of the shadow-stack work (v6.6+): a
 * write-protected PTE never has Dirty=1; pte_wrprotect/pte_mkdirty/pte_modify move Dirty into
 * _PAGE_SAVED_DIRTY (bit 58) while RW=0 and pte_mkwrite moves it back.
 */
import {
  __pte_needs_invert, _HPAGE_CHG_MASK, _PAGE_ACCESSED, _PAGE_CHG_MASK, _PAGE_DIRTY, _PAGE_PRESENT, _PAGE_PROTNONE, _PAGE_PSE, _PAGE_RW,
  _PAGE_SAVED_DIRTY, _PAGE_SOFT_DIRTY, _PAGE_SPECIAL, _PAGE_UFFD_WP, PAGE_COPY, PAGE_NONE, PAGE_SHARED, PHYSICAL_PMD_PAGE_MASK, PTE_PFN_MASK,
  x86_64, x86_64Pmd,
} from './x86_64.ts';
import { hi32, lo32, u64, type PmdBits, type PteBits } from '../u64.ts';

export type Pte = PteBits;
const P = (v: bigint) => v as Pte;


/** mksaveddirty_shift(): if RW=0, move Dirty to SavedDirty. */
function pte_mksaveddirty(v: bigint): bigint {
  if (v & _PAGE_RW) return v;
  if (v & _PAGE_DIRTY) v = (v | _PAGE_SAVED_DIRTY) & ~_PAGE_DIRTY;
  return v;
}

/** clear_saveddirty_shift(): if RW=1, move SavedDirty back to Dirty. */
function pte_clear_saveddirty(v: bigint): bigint {
  if (!(v & _PAGE_RW)) return v;
  if (v & _PAGE_SAVED_DIRTY) v = (v | _PAGE_DIRTY) & ~_PAGE_SAVED_DIRTY;
  return v;
}

const needsInvert = (v: bigint): boolean => __pte_needs_invert(hi32(v), lo32(v));
/** Inverts the PFN bits (protnone_mask() applied). */
const invertPfn = (v: bigint): bigint => (v & ~PTE_PFN_MASK) | (~v & PTE_PFN_MASK);

/** flip_protnone_guard(): keeps the PFN inverted exactly while the PTE needs it. */
function flipProtnoneGuard(oldv: bigint, v: bigint): bigint {
  return needsInvert(oldv) === needsInvert(v) ? v : invertPfn(v);
}

/** pfn_pte()/mk_pte(): PFN and protection bits, with the PROT_NONE inversion. */
export function mk_pte(pfn: number, pgprot: bigint): Pte {
  const v = (BigInt(pfn) << 12n) | pgprot;
  return P(needsInvert(v) ? invertPfn(v) : v);
}

/** pte_pfn(): the arch decoder's, which undoes the inversion. */
export function pte_pfn(pte: Pte): number {
  return x86_64.presentPfn(hi32(pte), lo32(pte));
}

/** pte_none(): the arch decoder's (ignores _PAGE_KNL_ERRATUM_MASK). */
export function pte_none(pte: bigint): boolean {
  return x86_64.pteNone(hi32(pte), lo32(pte));
}

export const pte_present = (pte: Pte) => x86_64.ptePresent(hi32(pte), lo32(pte));
export const pte_protnone = (pte: Pte) => (pte & (_PAGE_PRESENT | _PAGE_PROTNONE)) === _PAGE_PROTNONE;
export const pte_write = (pte: Pte) => (pte & _PAGE_RW) !== 0n;
/** pte_dirty(): Dirty or SavedDirty. */
export const pte_dirty = (pte: Pte) => (pte & (_PAGE_DIRTY | _PAGE_SAVED_DIRTY)) !== 0n;
export const pte_young = (pte: Pte) => (pte & _PAGE_ACCESSED) !== 0n;
/** The hardware Dirty bit alone (what the MMU sets on a write through a writable PTE). */
export const pte_hw_dirty = (pte: Pte) => (pte & _PAGE_DIRTY) !== 0n;
/** What the MMU does on a write: set _PAGE_DIRTY (no soft-dirty; that is pte_mkdirty()'s job). */
export const pte_set_hw_dirty = (pte: Pte) => P(pte | _PAGE_DIRTY);
export const pte_soft_dirty = (pte: Pte) => (pte & _PAGE_SOFT_DIRTY) !== 0n;
export const pte_uffd_wp = (pte: Pte) => (pte & _PAGE_UFFD_WP) !== 0n;
export const pte_special = (pte: Pte) => (pte & _PAGE_SPECIAL) !== 0n;

export const pte_mkyoung = (pte: Pte) => P(pte | _PAGE_ACCESSED);
export const pte_mkold = (pte: Pte) => P(pte & ~_PAGE_ACCESSED);
export const pte_mksoft_dirty = (pte: Pte) => P(pte | _PAGE_SOFT_DIRTY);
export const pte_mkspecial = (pte: Pte) => P(pte | _PAGE_SPECIAL);
export const pte_mkuffd_wp = (pte: Pte) => pte_wrprotect(P(pte | _PAGE_UFFD_WP));
export const pte_clear_uffd_wp = (pte: Pte) => P(pte & ~_PAGE_UFFD_WP);
/** pte_mkclean(): clears Dirty and SavedDirty. */
export const pte_mkclean = (pte: Pte) => P(pte & ~(_PAGE_DIRTY | _PAGE_SAVED_DIRTY));

/** pte_mkdirty(): Dirty + soft-dirty, then SavedDirty if not writable. */
export function pte_mkdirty(pte: Pte): Pte {
  return P(pte_mksaveddirty(pte | _PAGE_DIRTY | _PAGE_SOFT_DIRTY));
}

/** pte_wrprotect(): clear RW, then move Dirty to SavedDirty. */
export function pte_wrprotect(pte: Pte): Pte {
  return P(pte_mksaveddirty(pte & ~_PAGE_RW));
}

/** pte_mkwrite() (pte_mkwrite_novma for a normal VMA): set RW, move SavedDirty back to Dirty. */
export function pte_mkwrite(pte: Pte): Pte {
  return P(pte_clear_saveddirty(pte | _PAGE_RW));
}

/** pte_modify(): keep _PAGE_CHG_MASK bits, take the rest from newprot, fix the PROT_NONE inversion. */
export function pte_modify(pte: Pte, newprot: bigint): Pte {
  const oldv: bigint = pte;
  let v = (oldv & _PAGE_CHG_MASK) | (newprot & ~_PAGE_CHG_MASK);
  v = flipProtnoneGuard(oldv, v);
  v = oldv & _PAGE_RW ? pte_mksaveddirty(v) : pte_clear_saveddirty(v);
  return P(v);
}

export type Prot = 'none' | 'read' | 'rw';

/** vm_get_page_prot() for the protections swapviz models (x86_64, NX, no pkeys). */
export function vm_page_prot(prot: Prot, shared: boolean): bigint {
  if (prot === 'none') return PAGE_NONE;
  if (prot === 'read') return PAGE_COPY; // PAGE_READONLY == PAGE_COPY on x86
  return shared ? PAGE_SHARED : PAGE_COPY;
}

// ---- huge PMDs (arch/x86/include/asm/pgtable.h, pgtable-invert.h) ------------------------------------

export type Pmd = PmdBits;
const M = (v: bigint) => u64(v) as Pmd;

/** protnone_mask() for a pgprot or a PMD: inverted exactly when __pte_needs_invert(). */
const pmdNeedsInvert = (v: bigint): boolean => __pte_needs_invert(hi32(v), lo32(v));
const invertPmdPfn = (v: bigint): bigint => (v & ~PHYSICAL_PMD_PAGE_MASK) | (~v & PHYSICAL_PMD_PAGE_MASK);

/** pmd_pfn_mask(): the PFN mask PSE selects (PHYSICAL_PMD_PAGE_MASK for a huge PMD, PTE_PFN_MASK else). */
const pmdPfnMask = (v: bigint): bigint => (v & _PAGE_PSE ? PHYSICAL_PMD_PAGE_MASK : PTE_PFN_MASK);
/** pmd_flags(): everything outside pmd_pfn_mask(). */
export const pmd_flags = (pmd: Pmd): bigint => pmd & ~pmdPfnMask(pmd);

/**
 * pfn_pmd(): the address masked with PHYSICAL_PMD_PAGE_MASK (an unaligned PFN is truncated to its
 * 2 MiB boundary), XOR protnone_mask(pgprot): a non-present prot stores the PFN inverted (L1TF).
 */
export function pfn_pmd(pfn: number, pgprot: bigint): Pmd {
  let a = BigInt(pfn) << 12n;
  if (pmdNeedsInvert(pgprot)) a = ~a;
  return M((a & PHYSICAL_PMD_PAGE_MASK) | pgprot);
}

export const pmd_mkhuge = (pmd: Pmd): Pmd => M(pmd | _PAGE_PSE);
/** folio_mk_pmd(folio, prot) = pmd_mkhuge(pfn_pmd(folio_pfn(folio), prot)). */
export const folio_mk_pmd = (pfn: number, pgprot: bigint): Pmd => pmd_mkhuge(pfn_pmd(pfn, pgprot));

/** pmd_pfn(): the inversion undone, masked with pmd_pfn_mask(). */
export const pmd_pfn = (pmd: Pmd): number => x86_64Pmd.presentPfn(hi32(pmd), lo32(pmd));
export const pmd_present = (pmd: Pmd): boolean => x86_64Pmd.pmdPresent(hi32(pmd), lo32(pmd));
export const pmd_none = (pmd: Pmd): boolean => x86_64Pmd.pmdNone(hi32(pmd), lo32(pmd));
export const pmd_trans_huge = (pmd: Pmd): boolean => (pmd & _PAGE_PSE) !== 0n;
export const pmd_write = (pmd: Pmd): boolean => (pmd & _PAGE_RW) !== 0n;
/** pmd_dirty(): Dirty or SavedDirty. */
export const pmd_dirty = (pmd: Pmd): boolean => (pmd & (_PAGE_DIRTY | _PAGE_SAVED_DIRTY)) !== 0n;
export const pmd_young = (pmd: Pmd): boolean => (pmd & _PAGE_ACCESSED) !== 0n;
export const pmd_soft_dirty = (pmd: Pmd): boolean => (pmd & _PAGE_SOFT_DIRTY) !== 0n;
/** pmd_uffd() [7.3.4] (pmd_uffd_wp() before the 2026 rename). */
export const pmd_uffd = (pmd: Pmd): boolean => (pmd & _PAGE_UFFD_WP) !== 0n;
export const pmd_special = (pmd: Pmd): boolean => (pmd & _PAGE_SPECIAL) !== 0n;

export const pmd_mkyoung = (pmd: Pmd): Pmd => M(pmd | _PAGE_ACCESSED);
/** The hardware Dirty bit alone of a huge PMD. */
export const pmd_hw_dirty = (pmd: Pmd): boolean => (pmd & _PAGE_DIRTY) !== 0n;
/** What the MMU does on a write through a writable huge PMD: set _PAGE_DIRTY. */
export const pmd_set_hw_dirty = (pmd: Pmd): Pmd => M(pmd | _PAGE_DIRTY);
export const pmd_mkold = (pmd: Pmd): Pmd => M(pmd & ~_PAGE_ACCESSED);
export const pmd_mksoft_dirty = (pmd: Pmd): Pmd => M(pmd | _PAGE_SOFT_DIRTY);
export const pmd_mkspecial = (pmd: Pmd): Pmd => M(pmd | _PAGE_SPECIAL);
/** pmd_mkclean(): clears Dirty and SavedDirty. */
export const pmd_mkclean = (pmd: Pmd): Pmd => M(pmd & ~(_PAGE_DIRTY | _PAGE_SAVED_DIRTY));
/** pmd_mkdirty(): Dirty + soft-dirty, then SavedDirty if not writable. */
export const pmd_mkdirty = (pmd: Pmd): Pmd => M(pte_mksaveddirty(pmd | _PAGE_DIRTY | _PAGE_SOFT_DIRTY));
/** pmd_wrprotect(): clear RW, then move Dirty to SavedDirty. */
export const pmd_wrprotect = (pmd: Pmd): Pmd => M(pte_mksaveddirty(pmd & ~_PAGE_RW));
/** pmd_mkwrite() (maybe_pmd_mkwrite() in a VM_WRITE VMA): set RW, move SavedDirty back to Dirty. */
export const pmd_mkwrite = (pmd: Pmd): Pmd => M(pte_clear_saveddirty(pmd | _PAGE_RW));
/** pmd_mkuffd() [7.3.4]: uffd-protects and write-protects. */
export const pmd_mkuffd = (pmd: Pmd): Pmd => pmd_wrprotect(M(pmd | _PAGE_UFFD_WP));
export const pmd_clear_uffd = (pmd: Pmd): Pmd => M(pmd & ~_PAGE_UFFD_WP);

/**
 * pmd_mkinvalid(): what pmdp_invalidate() writes while a split or a migration is in progress:
 * pfn_pmd(pmd_pfn(pmd), pmd_flags(pmd) & ~(P | PROTNONE)). The PFN is now stored inverted, PSE
 * stays, so pmd_present() is still true.
 */
export const pmd_mkinvalid = (pmd: Pmd): Pmd => pfn_pmd(pmd_pfn(pmd), pmd_flags(pmd) & ~(_PAGE_PRESENT | _PAGE_PROTNONE));

/**
 * pmd_modify(): keep _HPAGE_CHG_MASK, take the rest from newprot, keep the PFN inverted exactly
 * while the PMD needs it (flip_protnone_guard with PHYSICAL_PMD_PAGE_MASK), and never leave
 * Write=0,Dirty=1.
 */
export function pmd_modify(pmd: Pmd, newprot: bigint): Pmd {
  const oldv: bigint = pmd;
  let v = (oldv & _HPAGE_CHG_MASK) | (newprot & ~_HPAGE_CHG_MASK);
  if (pmdNeedsInvert(oldv) !== pmdNeedsInvert(v)) v = invertPmdPfn(v);
  v = oldv & _PAGE_RW ? pte_mksaveddirty(v) : pte_clear_saveddirty(v);
  return M(v);
}
