/**
 * arm64 PTE layouts (4K pages): arch/arm64/include/asm/pgtable.h and pgtable-prot.h.
 * Swap PTE: type in bits 6..10, the offset NOT inverted in bits 12..61, so the PFN of a migration
 * entry reads directly in hex. No swap soft-dirty bit (arm64 does not select HAVE_ARCH_SOFT_DIRTY).
 * Bit 11 (PTE_PRESENT_INVALID, overlaying nG) must be clear, else the PTE is present-but-invalid.
 */
import { HPAGE_PMD_NR, PAGE_SHIFT, PMD_SHIFT } from '../platform.ts';
import type { ArchLayout, LayoutField, PmdLayout, PmdPresentInfo, PresentInfo } from './layout.ts';

export const ARM64_SWP_TYPE_SHIFT = 6;
export const ARM64_SWP_TYPE_BITS = 5;
export const ARM64_SWP_OFFSET_SHIFT = 12;
export const ARM64_SWP_OFFSET_BITS = 50;
export const PTE_SWP_EXCLUSIVE = 1n << 2n;
export const PTE_SWP_UFFD_WP = 1n << 3n;

/** arch/arm64/include/asm/pgtable-prot.h and pgtable-hwdef.h bit numbers used by the model. */
export const ARM64 = {
  PTE_VALID: 0,
  PTE_TABLE_BIT: 1,
  PTE_USER: 6,
  PTE_RDONLY: 7,
  PTE_AF: 10,
  PTE_NG: 11,
  /** PTE_PRESENT_INVALID overlays nG when PTE_VALID is clear. */
  PTE_PRESENT_INVALID: 11,
  PTE_DBM: 51,
  PTE_UXN: 54,
  PTE_DIRTY: 55,
  PTE_SPECIAL: 56,
  PTE_UFFD_WP: 58,
  PTE_SWP_EXCLUSIVE: 2,
  PTE_SWP_UFFD_WP: 3,
} as const;

const lb = (n: number): number => 2 ** n;
const hb = (n: number): number => 2 ** (n - 32);
/**
 * pte_pfn(): (pte & PTE_ADDR_LOW) >> PAGE_SHIFT, PTE_ADDR_LOW being bits 12..49 with 4K pages
 * (pgtable-hwdef.h): 20 bits of the low half, 18 of the high half.
 */
const OA_HI_MASK = 0x3ffff;
const TWO20 = 2 ** 20;

function decodePresent(hi: number, lo: number): PresentInfo {
  // n >> 5 picks the half, n & 31 the bit in it
  const on = (n: number) => (((n >> 5 === 0 ? lo : hi) >>> (n & 31)) & 1) === 1;
  const valid = on(ARM64.PTE_VALID);
  const write = on(ARM64.PTE_DBM);
  return {
    pfn: arm64.presentPfn(hi, lo),
    writable: write,
    user: on(ARM64.PTE_USER),
    accessed: on(ARM64.PTE_AF),
    // pte_dirty(): the software dirty bit, or hardware-dirty (writable and not read-only).
    dirty: on(ARM64.PTE_DIRTY) || (write && !on(ARM64.PTE_RDONLY)),
    savedDirty: false,
    softDirty: false,
    uffdWp: on(ARM64.PTE_UFFD_WP),
    special: on(ARM64.PTE_SPECIAL),
    global: !on(ARM64.PTE_NG),
    nx: on(ARM64.PTE_UXN),
    protnone: !valid && on(ARM64.PTE_PRESENT_INVALID),
    pkey: 0,
    // Stryker disable next-line BooleanLiteral: read only by the unused-bits rule (decode.ts), which arm64 does not define in presentRules
    unusedSet: false,
  };
}

const swapFields: LayoutField[] = [
  { id: 'top', hi: 63, lo: 62, name: 'unused', role: 'must-be-zero', note: 'above the 50-bit offset' },
  { id: 'offset', hi: 61, lo: 12, name: 'swap offset (__SWP_OFFSET_SHIFT = 12)', role: 'offset', note: 'not inverted: a migration entry shows its PFN directly' },
  { id: 'presentinvalid', hi: 11, lo: 11, name: 'PTE_PRESENT_INVALID (nG)', role: 'must-be-zero', note: 'if set, pte_present() would report a PROT_NONE (present-invalid) PTE' },
  { id: 'type', hi: 10, lo: 6, name: 'swap type (__SWP_TYPE_SHIFT = 6)', role: 'type', note: '__swp_type(x) = (x >> 6) & 0x1f' },
  { id: 'unused45', hi: 5, lo: 4, name: 'unused', role: 'must-be-zero', note: 'not used by the swap format' },
  { id: 'uffd', hi: 3, lo: 3, name: 'PTE_SWP_UFFD_WP', role: 'flag', note: 'userfaultfd write-protect, kept while the page is not mapped' },
  { id: 'exclusive', hi: 2, lo: 2, name: 'PTE_SWP_EXCLUSIVE', role: 'flag', note: 'PG_anon_exclusive kept across swap-out' },
  { id: 'valid', hi: 1, lo: 0, name: 'PTE_VALID / PTE_TABLE_BIT', role: 'present-bit', note: '0: not valid, the MMU faults' },
];

const presentFields: LayoutField[] = [
  { id: 'upper', hi: 63, lo: 59, name: 'PBHA / ignored', role: 'other', note: 'not decoded here' },
  { id: 'uffd', hi: 58, lo: 58, name: 'PTE_UFFD_WP', role: 'sw-flag', note: 'userfaultfd write-protected' },
  { id: 'sw57', hi: 57, lo: 57, name: 'software', role: 'sw-flag', note: 'software bit' },
  { id: 'special', hi: 56, lo: 56, name: 'PTE_SPECIAL', role: 'sw-flag', note: 'no struct page to refcount' },
  { id: 'dirty', hi: 55, lo: 55, name: 'PTE_DIRTY', role: 'sw-flag', note: 'software dirty bit' },
  { id: 'uxn', hi: 54, lo: 54, name: 'PTE_UXN', role: 'hw-flag', note: 'user execute never' },
  { id: 'pxn', hi: 53, lo: 53, name: 'PTE_PXN', role: 'hw-flag', note: 'privileged execute never' },
  { id: 'cont', hi: 52, lo: 52, name: 'PTE_CONT', role: 'hw-flag', note: 'contiguous hint' },
  { id: 'dbm', hi: 51, lo: 51, name: 'PTE_WRITE (PTE_DBM)', role: 'hw-flag', note: 'writable (hardware dirty-bit management)' },
  { id: 'gp', hi: 50, lo: 50, name: 'PTE_GP', role: 'hw-flag', note: 'BTI guarded page' },
  { id: 'pfn', hi: 49, lo: 12, name: 'output address (PFN)', role: 'pfn', note: 'physical frame number: pte_pfn() reads PTE_ADDR_LOW, bits 12..49' },
  { id: 'ng', hi: 11, lo: 11, name: 'PTE_NG', role: 'hw-flag', note: 'not global; PTE_PRESENT_INVALID when PTE_VALID=0' },
  { id: 'af', hi: 10, lo: 10, name: 'PTE_AF', role: 'hw-flag', note: 'access flag (young)' },
  { id: 'sh', hi: 9, lo: 8, name: 'PTE_SHARED', role: 'hw-flag', note: 'shareability' },
  { id: 'rdonly', hi: 7, lo: 7, name: 'PTE_RDONLY (AP[2])', role: 'hw-flag', note: 'read-only; clear = writable or hardware-dirty' },
  { id: 'user', hi: 6, lo: 6, name: 'PTE_USER (AP[1])', role: 'hw-flag', note: 'user accessible' },
  { id: 'attr', hi: 5, lo: 2, name: 'NS / AttrIndx', role: 'hw-flag', note: 'memory attributes' },
  { id: 'table', hi: 1, lo: 1, name: 'PTE_TABLE_BIT', role: 'hw-flag', note: '1 for a level-3 page descriptor' },
  { id: 'valid', hi: 0, lo: 0, name: 'PTE_VALID', role: 'present-bit', note: 'the MMU may use this translation' },
];

/** Bits a swap PTE keeps clear (__swp_entry() never sets them). */
const SWAP_MUST_BE_ZERO: ArchLayout['swapMustBeZero'] = [
  { mask: 0, hiMask: 0xc0000000, why: 'bits 62-63 are set: above the 50-bit swap offset' },
  { mask: 0x30, hiMask: 0, why: 'bits 4-5 are set: the arm64 swap format does not use them' },
  { mask: 0x2, hiMask: 0, why: 'bit 1 (PTE_TABLE_BIT) is set: a swap PTE keeps bits 0-1 clear' },
];

// ---- the PMD level -----------------------------------------------------------------------------------

/** PMD_TYPE_MASK / PMD_TYPE_TABLE: bits 1:0 = 3 point to a PTE table; 1 (PMD_TYPE_SECT) is a block. */
const LO_TYPE_MASK = lb(ARM64.PTE_VALID) | lb(ARM64.PTE_TABLE_BIT);
const PMD_PFN_LOW = HPAGE_PMD_NR - 1;

const pmdSwapFields: LayoutField[] = swapFields.map((f): LayoutField => (f.id === 'exclusive'
  ? { id: 'unused2', hi: 2, lo: 2, name: 'unused (no PMD swap-exclusive bit)', role: 'must-be-zero', note: 'nothing defines pmd_swp_mkexclusive(): exclusivity lives in the migration type or in PageAnonExclusive' }
  : f));

const pmdPresentFields: LayoutField[] = presentFields.flatMap((f): LayoutField[] => {
  if (f.id === 'pfn') {
    return [
      { id: 'pfn', hi: 49, lo: PMD_SHIFT, name: 'output address (2 MiB block)', role: 'pfn', note: 'the block\'s physical address bits 21..49: pmd_pfn() masks PTE_ADDR_LOW with PMD_MASK' },
      { id: 'pmd-zero', hi: PMD_SHIFT - 1, lo: 12, name: 'zero (2 MiB aligned)', role: 'must-be-zero', note: 'a block descriptor\'s output address is 2 MiB aligned' },
    ];
  }
  if (f.id === 'table') return [{ ...f, name: 'PMD_TYPE_SECT (bit 1 clear)', note: '0 for a block (a 2 MiB leaf); 1 would make this a table descriptor' }];
  return [f];
});

function decodePmdPresent(hi: number, lo: number): PmdPresentInfo {
  const p = decodePresent(hi, lo);
  return { ...p, pfn: arm64Pmd.presentPfn(hi, lo), leaf: arm64Pmd.pmdLeaf(hi, lo), invalidated: false };
}

/** The arm64 PMD level: __pmd_to_swp_entry / __swp_entry_to_pmd are the identity (pgtable.h). */
export const arm64Pmd: PmdLayout = {
  swapFields: pmdSwapFields,
  presentFields: pmdPresentFields,
  loFlagBits: { softDirty: 0, uffdWp: lb(ARM64.PTE_SWP_UFFD_WP), exclusive: 0 },
  swpFlagMask: { softDirty: 0n, uffd: PTE_SWP_UFFD_WP },
  swapMustBeZero: [
    ...SWAP_MUST_BE_ZERO,
    { mask: lb(ARM64.PTE_SWP_EXCLUSIVE), hiMask: 0, why: 'bit 2 is set: there is no PMD swap-exclusive bit' },
  ],
  presentTest: 'pmd_present(): pte_present(pmd_pte(pmd)) (PTE_VALID, or PTE_PRESENT_INVALID without it)',
  differsFromPte: [
    { hi: 1, lo: 1, when: 'present', pte: 'PTE_TABLE_BIT: 1 for a level-3 page descriptor', pmd: '0 for a block (the 2 MiB leaf); 1 makes it a table descriptor' },
    { hi: PMD_SHIFT - 1, lo: 12, when: 'present', pte: 'output address bits 12-20', pmd: 'zero: a block is 2 MiB aligned' },
    { hi: 2, lo: 2, when: 'non-present', pte: 'PTE_SWP_EXCLUSIVE', pmd: 'unused: there is no PMD swap-exclusive bit' },
  ],
  pmdNone: (hi, lo) => hi === 0 && lo === 0,
  pmdPresent: (hi, lo) => arm64.ptePresent(hi, lo),
  pmdLeaf(hi, lo) {
    // pmd_leaf(): pmd_present() && !pmd_table()
    return arm64.ptePresent(hi, lo) && (lo & LO_TYPE_MASK) !== LO_TYPE_MASK;
  },
  presentPfn(hi, lo) {
    const pfn = arm64.presentPfn(hi, lo);
    return arm64Pmd.pmdLeaf(hi, lo) ? pfn - (pfn % (PMD_PFN_LOW + 1)) : pfn;
  },
  presentSoftDirty: () => false,
  presentUffdWp: (hi, lo) => arm64.presentUffdWp(hi, lo),
  decodePresent: decodePmdPresent,
  swpType: (hi, lo) => arm64.swpType(hi, lo),
  swpOffset: (hi, lo) => arm64.swpOffset(hi, lo),
  swpEntryToPmd: (type, offset) => arm64.swpEntryToPte(type, offset),
};

// ---- the PTE level ----------------------------------------------------------------------------------

export const arm64: ArchLayout = {
  id: 'arm64',
  title: 'arm64 (4K pages)',
  offsetBits: ARM64_SWP_OFFSET_BITS,
  swapFields,
  presentFields,
  hasSwapSoftDirty: false,
  loFlagBits: { softDirty: 0, uffdWp: lb(ARM64.PTE_SWP_UFFD_WP), exclusive: lb(ARM64.PTE_SWP_EXCLUSIVE) },
  exclusiveName: 'PTE_SWP_EXCLUSIVE',
  presentRules: {
    'pfn-beyond-physmem': ({ pfnHex, maxPhysmemBits }) => `PFN ${pfnHex} is beyond MAX_PHYSMEM_BITS (${maxPhysmemBits}): pfn_pte() is only called for a page that exists`,
  },
  protnoneLo: lb(ARM64.PTE_PRESENT_INVALID),
  swpFlagMask: { softDirty: 0n, uffdWp: PTE_SWP_UFFD_WP, exclusive: PTE_SWP_EXCLUSIVE },
  swapMustBeZero: SWAP_MUST_BE_ZERO,
  pteNone(hi, lo) {
    return hi === 0 && lo === 0;
  },
  ptePresent(_hi, lo) {
    // pte_valid(pte) || pte_present_invalid(pte)
    const valid = lb(ARM64.PTE_VALID);
    const invalid = lb(ARM64.PTE_PRESENT_INVALID);
    return (lo & valid) !== 0 || (lo & (valid | invalid)) === invalid;
  },
  presentPfn(hi, lo) {
    return (hi & OA_HI_MASK) * TWO20 + (lo >>> PAGE_SHIFT);
  },
  presentSoftDirty() {
    return false;
  },
  presentUffdWp(hi) {
    return (hi & hb(ARM64.PTE_UFFD_WP)) !== 0;
  },
  decodePresent,
  swpType(_hi, lo) {
    return (lo >>> ARM64_SWP_TYPE_SHIFT) & 0x1f;
  },
  swpOffset(hi, lo) {
    return (hi & 0x3fffffff) * 1048576 + (lo >>> ARM64_SWP_OFFSET_SHIFT);
  },
  swpEntryToPte(type, offset) {
    // __swp_entry(type, offset) = (type << 6) | (offset << 12): no mask on the offset.
    return ((BigInt(type) << BigInt(ARM64_SWP_TYPE_SHIFT)) | (offset << BigInt(ARM64_SWP_OFFSET_SHIFT))) & ((1n << 64n) - 1n);
  },
  pmd: arm64Pmd,
};
