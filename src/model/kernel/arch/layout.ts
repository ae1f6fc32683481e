/**
 * What an architecture layout provides: the fields of a swap PTE and of a present PTE as data (for
 * the bit-layout view), and the conversions between the generic (type, offset) pair and the PTE.
 *
 * The decode side works on the two 32-bit halves of the PTE (`hi`, `lo`) with plain number
 * arithmetic, so decoding a page table is fast; the encode side takes bigints.
 * Every offset that a PTE can hold is at most 50 bits wide, so it is exact as a `number`.
 */
import type { ArchId } from '../platform.ts';

/**
 * The page-table level an entry lives at: a PTE maps 4 KiB, a PMD 2 MiB (PMD_SHIFT 21 with 4 KiB
 * pages on x86_64 and arm64). A PMD either points to a page of 512 PTEs or is itself a leaf.
 */
export type Level = 'pte' | 'pmd';
export const LEVELS: readonly Level[] = ['pte', 'pmd'];

export type FieldRole =
  | 'type'
  | 'offset'
  | 'flag'
  | 'must-be-zero'
  | 'present-bit'
  | 'pfn'
  | 'hw-flag'
  | 'sw-flag'
  | 'other';

export interface LayoutField {
  readonly id: string;
  readonly hi: number;
  readonly lo: number;
  /** The kernel macro or field name, e.g. `_PAGE_SWP_SOFT_DIRTY`. */
  readonly name: string;
  readonly role: FieldRole;
  /** Stored bitwise inverted (x86 swap offset; a present PFN field: inverted while the PTE is PROT_NONE, x86 only). */
  readonly inverted?: boolean;
  /** One sentence: why the field is there. */
  readonly note: string;
}

/** What a present PTE says, decoded with the arch's own bit names. */
export interface PresentInfo {
  readonly pfn: number;
  readonly writable: boolean;
  readonly user: boolean;
  readonly accessed: boolean;
  /** The hardware Dirty bit (x86 bit 6). */
  readonly dirty: boolean;
  /** x86 _PAGE_SAVED_DIRTY (bit 58). */
  readonly savedDirty: boolean;
  readonly softDirty: boolean;
  readonly uffdWp: boolean;
  readonly special: boolean;
  readonly global: boolean;
  readonly nx: boolean;
  /** pte_protnone(): present to the kernel, not to the MMU. */
  readonly protnone: boolean;
  readonly pkey: number;
  /** Bits the arch's PTE format leaves to nobody are set (x86: bits 52–57, which no kernel macro sets in a user PTE). */
  readonly unusedSet: boolean;
}

/**
 * The sanity rules for present PTEs that hold on an architecture (their checks live in decode.ts,
 * their sentences and sources in rules.ts).
 */
export type PresentRule =
  | 'shadow-stack'
  | 'rw-saveddirty'
  | 'protnone-rw'
  | 'protnone-dirty'
  | 'protnone-prot'
  | 'swap-bit8'
  | 'user-global'
  | 'unused-bits'
  | 'pfn-beyond-physmem';

/** What a present-rule sentence may name about the value it reports. */
export interface PresentRuleContext {
  readonly present: PresentInfo;
  readonly pfnHex: string;
  readonly maxPhysmemBits: number;
  /** For swap-bit8: the swap entry the value is with the PROT_NONE bit clear. */
  readonly lookalike: string;
}

/** A present PMD: a huge (2 MiB) leaf, or a pointer to a PTE table. */
export interface PmdPresentInfo extends PresentInfo {
  /** pmd_trans_huge() / pmd_leaf(): a 2 MiB leaf (x86 _PAGE_PSE; arm64 a block descriptor). */
  readonly leaf: boolean;
  /**
   * The transient value pmdp_invalidate() writes while a split or a migration is in progress: not
   * present to the MMU, still pmd_present() (x86: P=0, PROTNONE=0, PSE=1).
   */
  readonly invalidated: boolean;
}

export interface ArchLayout {
  readonly id: ArchId;
  readonly title: string;
  /** Width of the offset field the arch stores (x86 and arm64: 50). */
  readonly offsetBits: number;
  /** Fields of a non-present (swap) PTE, from bit 63 down to bit 0, covering all 64 bits. */
  readonly swapFields: readonly LayoutField[];
  /** Fields of a present PTE, from bit 63 down to bit 0. */
  readonly presentFields: readonly LayoutField[];
  /** Whether the arch has a swap soft-dirty bit (HAVE_ARCH_SOFT_DIRTY). */
  readonly hasSwapSoftDirty: boolean;
  /** The same flag bits as masks on the low 32-bit half (all three live in bits 0..31). */
  readonly loFlagBits: { readonly softDirty: number; readonly uffdWp: number; readonly exclusive: number };
  /** Swap-PTE flag bits that are not part of the entry (pte_swp_clear_flags strips them). */
  readonly swpFlagMask: { readonly softDirty: bigint; readonly uffdWp: bigint; readonly exclusive: bigint };
  /** Bits a swap PTE built by the kernel always has clear, with the reason for each. */
  readonly swapMustBeZero: readonly { readonly mask: number; readonly hiMask: number; readonly why: string }[];

  /**
   * The present-PTE sanity rules that hold on this arch, each with the sentence that reports a
   * value breaking it (decode.ts checks the condition; the words, with the arch's bit names, are here).
   */
  readonly presentRules: Readonly<Partial<Record<PresentRule, (c: PresentRuleContext) => string>>>;
  /**
   * The bit that makes a non-present PTE read as PROT_NONE (x86 _PAGE_PROTNONE, bit 8): a swap
   * entry with it set is read as a PROT_NONE PTE. A mask on the low 32-bit half.
   */
  readonly protnoneLo: number;

  /** The swap-exclusive bit's kernel name (_PAGE_SWP_EXCLUSIVE, PTE_SWP_EXCLUSIVE). */
  readonly exclusiveName: string;

  /** pte_none() */
  pteNone(hi: number, lo: number): boolean;
  /** pte_present(): includes PROT_NONE PTEs. */
  ptePresent(hi: number, lo: number): boolean;
  /** pte_pfn() of a present PTE, with any PROT_NONE inversion undone. */
  presentPfn(hi: number, lo: number): number;
  /** pte_soft_dirty() of a present PTE (false where the arch has no soft-dirty bit). */
  presentSoftDirty(hi: number, lo: number): boolean;
  /** pte_uffd_wp() of a present PTE. */
  presentUffdWp(hi: number, lo: number): boolean;
  /** Every flag of a present PTE (given as its two 32-bit halves). */
  decodePresent(hi: number, lo: number): PresentInfo;
  /** __swp_type() of a non-present PTE. */
  swpType(hi: number, lo: number): number;
  /** __swp_offset() of a non-present PTE. */
  swpOffset(hi: number, lo: number): number;
  /** __swp_entry_to_pte(__swp_entry(type, offset)): the arch PTE bits, no flag bits. */
  swpEntryToPte(type: number, offset: bigint): bigint;
  /** The same architecture's PMD level. */
  readonly pmd: PmdLayout;
}

/** One bit range whose meaning at PMD level differs from the PTE's (the bit layout says so). */
export interface LevelDifference {
  readonly hi: number;
  readonly lo: number;
  /** Which entries it concerns. */
  readonly when: 'present' | 'non-present' | 'both';
  readonly pte: string;
  readonly pmd: string;
}

/**
 * An architecture's PMD level, beside its PTE layout: a present PMD is a 2 MiB leaf (or a table
 * pointer), a non-present one uses the PTE swap layout (__swp_entry_to_pmd is a reinterpretation),
 * with the bits the PMD level keeps clear.
 */
export interface PmdLayout {
  /** Fields of a non-present PMD, from bit 63 down to bit 0, covering all 64 bits. */
  readonly swapFields: readonly LayoutField[];
  /** Fields of a present huge PMD, from bit 63 down to bit 0. */
  readonly presentFields: readonly LayoutField[];
  /** pmd_swp_* flag bits on the low half; `exclusive` is 0: there is no PMD swap-exclusive bit. */
  readonly loFlagBits: { readonly softDirty: number; readonly uffdWp: number; readonly exclusive: number };
  /** pmd_swp_mksoft_dirty() / pmd_swp_mkuffd() bits (softleaf_from_pmd() strips exactly these). */
  readonly swpFlagMask: { readonly softDirty: bigint; readonly uffd: bigint };
  /** Bits a non-present PMD built by the kernel always has clear, with the reason for each. */
  readonly swapMustBeZero: readonly { readonly mask: number; readonly hiMask: number; readonly why: string }[];
  /** What pmd_present() tests, as the kernel writes it. */
  readonly presentTest: string;
  /** The bits whose meaning differs from a PTE's. */
  readonly differsFromPte: readonly LevelDifference[];
  /** pmd_none() */
  pmdNone(hi: number, lo: number): boolean;
  /** pmd_present(): true for PROT_NONE and the transient invalidated PMD too. */
  pmdPresent(hi: number, lo: number): boolean;
  /** pmd_trans_huge() / pmd_leaf() of a present PMD. */
  pmdLeaf(hi: number, lo: number): boolean;
  /** pmd_pfn(): with any PROT_NONE inversion undone and the mask that PSE selects. */
  presentPfn(hi: number, lo: number): number;
  presentSoftDirty(hi: number, lo: number): boolean;
  presentUffdWp(hi: number, lo: number): boolean;
  decodePresent(hi: number, lo: number): PmdPresentInfo;
  /** __swp_type() / __swp_offset() of a non-present PMD (__pmd_to_swp_entry is a reinterpretation). */
  swpType(hi: number, lo: number): number;
  swpOffset(hi: number, lo: number): number;
  /** __swp_entry_to_pmd(__swp_entry(type, offset)): no flag bits. */
  swpEntryToPmd(type: number, offset: bigint): bigint;
}
