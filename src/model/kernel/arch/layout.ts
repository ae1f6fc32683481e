/**
 * What an architecture layout provides: the fields of a swap PTE and of a present PTE as data (for
 * the bit-layout view), and the conversions between the generic (type, offset) pair and the PTE.
 *
 * The decode side works on the two 32-bit halves of the PTE (`hi`, `lo`) with plain number
 * arithmetic, so decoding a page table is fast; the encode side takes bigints.
 * Every offset that a PTE can hold is at most 50 bits wide, so it is exact as a `number`.
 */
import type { ArchId } from '../platform.ts';

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
  /** Stored bitwise inverted (x86 swap offset, PROT_NONE PFN). */
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

export interface SwapPteFlags {
  readonly softDirty: boolean;
  readonly uffdWp: boolean;
  readonly exclusive: boolean;
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
  swpFlags(hi: number, lo: number): SwapPteFlags;
  /** __swp_entry_to_pte(__swp_entry(type, offset)): the arch PTE bits, no flag bits. */
  swpEntryToPte(type: number, offset: bigint): bigint;
}
