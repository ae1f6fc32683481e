/**
 * x86_64 PTE layouts: arch/x86/include/asm/pgtable_64.h (swap format), pgtable_types.h (bits),
 * pgtable-invert.h (L1TF inversion). Identical in v6.18 and v7.3 apart from the uffd macro name
 * (_PAGE_SWP_UFFD_WP became _PAGE_SWP_UFFD in 2026).
 *
 * Swap PTE: type in bits 59..63, the offset bitwise inverted in bits 9..58 (so that a small offset
 * looks like a huge physical address that is not cached RAM: the L1 Terminal Fault mitigation),
 * soft-dirty/uffd-wp/exclusive in bits 1..3, bits 4..8 clear.
 */
import { HPAGE_PMD_NR, PAGE_SHIFT, PMD_SHIFT } from '../platform.ts';
import type { ArchLayout, LayoutField, PmdLayout, PmdPresentInfo, PresentInfo } from './layout.ts';

export const X86_SWP_TYPE_BITS = 5;
/** SWP_OFFSET_FIRST_BIT = _PAGE_BIT_PROTNONE + 1 */
export const X86_SWP_OFFSET_FIRST_BIT = 9;
/** SWP_OFFSET_SHIFT = SWP_OFFSET_FIRST_BIT + SWP_TYPE_BITS */
export const X86_SWP_OFFSET_SHIFT = X86_SWP_OFFSET_FIRST_BIT + X86_SWP_TYPE_BITS;
const OFFSET_BITS = 64 - X86_SWP_OFFSET_SHIFT; // 50

/** pgtable_types.h bit numbers used by the model. */
export const X86 = {
  _PAGE_BIT_PRESENT: 0,
  _PAGE_BIT_RW: 1,
  _PAGE_BIT_USER: 2,
  _PAGE_BIT_PWT: 3,
  _PAGE_BIT_PCD: 4,
  _PAGE_BIT_ACCESSED: 5,
  _PAGE_BIT_DIRTY: 6,
  _PAGE_BIT_PSE: 7,
  _PAGE_BIT_GLOBAL: 8,
  _PAGE_BIT_PROTNONE: 8,
  _PAGE_BIT_SPECIAL: 9,
  _PAGE_BIT_UFFD_WP: 10,
  _PAGE_BIT_SOFT_DIRTY: 11,
  _PAGE_BIT_SOFTW4: 57,
  /** _PAGE_BIT_PAT_LARGE: the PAT bit of a 2 MiB / 1 GiB page (bit 7 is _PAGE_PSE there). */
  _PAGE_BIT_PAT_LARGE: 12,
  _PAGE_BIT_SAVED_DIRTY: 58,
  _PAGE_BIT_NX: 63,
  _PAGE_BIT_SWP_SOFT_DIRTY: 1,
  _PAGE_BIT_SWP_UFFD_WP: 2,
  _PAGE_BIT_SWP_EXCLUSIVE: 3,
} as const;

const b = (n: number): bigint => 1n << BigInt(n);
/** The same bits as masks on the low 32-bit half (every bit below 32). */
const lb = (n: number): number => 2 ** n;

export const _PAGE_PRESENT = b(X86._PAGE_BIT_PRESENT);
export const _PAGE_RW = b(X86._PAGE_BIT_RW);
export const _PAGE_USER = b(X86._PAGE_BIT_USER);
export const _PAGE_PWT = b(X86._PAGE_BIT_PWT);
export const _PAGE_PCD = b(X86._PAGE_BIT_PCD);
export const _PAGE_ACCESSED = b(X86._PAGE_BIT_ACCESSED);
export const _PAGE_DIRTY = b(X86._PAGE_BIT_DIRTY);
export const _PAGE_PROTNONE = b(X86._PAGE_BIT_PROTNONE);
/** _PAGE_GLOBAL: the same bit as _PAGE_PROTNONE, read as Global while _PAGE_PRESENT is set. */
export const _PAGE_GLOBAL = b(X86._PAGE_BIT_GLOBAL);
export const _PAGE_PSE = b(X86._PAGE_BIT_PSE);
export const _PAGE_PAT_LARGE = b(X86._PAGE_BIT_PAT_LARGE);
export const _PAGE_SPECIAL = b(X86._PAGE_BIT_SPECIAL);
export const _PAGE_UFFD_WP = b(X86._PAGE_BIT_UFFD_WP);
export const _PAGE_SOFT_DIRTY = b(X86._PAGE_BIT_SOFT_DIRTY);
export const _PAGE_SAVED_DIRTY = b(X86._PAGE_BIT_SAVED_DIRTY);
export const _PAGE_NX = b(X86._PAGE_BIT_NX);
export const _PAGE_SWP_SOFT_DIRTY = b(X86._PAGE_BIT_SWP_SOFT_DIRTY);
export const _PAGE_SWP_UFFD_WP = b(X86._PAGE_BIT_SWP_UFFD_WP);
export const _PAGE_SWP_EXCLUSIVE = b(X86._PAGE_BIT_SWP_EXCLUSIVE);
/** _PAGE_KNL_ERRATUM_MASK: A and D, which Knights Landing may set in a non-present PTE. */
export const _PAGE_KNL_ERRATUM_MASK = _PAGE_DIRTY | _PAGE_ACCESSED;
/** __PHYSICAL_MASK_SHIFT = 52: PTE_PFN_MASK covers bits 12..51. */
export const PTE_PFN_MASK = ((1n << 52n) - 1n) & ~((1n << 12n) - 1n);
/** PHYSICAL_PMD_PAGE_MASK: a 2 MiB page's physical address bits 21..51 (pmd_pfn_mask() with PSE). */
export const PHYSICAL_PMD_PAGE_MASK = ((1n << 52n) - 1n) & ~((1n << BigInt(PMD_SHIFT)) - 1n);
/** _PAGE_CHG_MASK: the bits pte_modify() keeps from the old PTE. */
export const _PAGE_CHG_MASK =
  PTE_PFN_MASK | _PAGE_PCD | _PAGE_PWT | _PAGE_SPECIAL | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_SAVED_DIRTY |
  _PAGE_SOFT_DIRTY | _PAGE_UFFD_WP;

/** protection_map values for a private anonymous VMA (no pkeys, NX supported). */
/** _HPAGE_CHG_MASK: the bits pmd_modify() keeps (PSE and PAT_LARGE too). */
export const _HPAGE_CHG_MASK = _PAGE_CHG_MASK | _PAGE_PSE | _PAGE_PAT_LARGE;

export const PAGE_NONE = _PAGE_PROTNONE | _PAGE_ACCESSED; // 0x120
export const PAGE_COPY = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX; // 0x8000000000000025
export const PAGE_READONLY = PAGE_COPY;
export const PAGE_SHARED = PAGE_COPY | _PAGE_RW;

const swapFields: LayoutField[] = [
  { id: 'type', hi: 63, lo: 59, name: 'swap type (SWP_TYPE_BITS = 5)', role: 'type', note: '__swp_type(x) = x >> 59' },
  {
    id: 'offset', hi: 58, lo: 9, name: 'swap offset, inverted (SWP_OFFSET_FIRST_BIT = 9)', role: 'offset', inverted: true,
    note: 'stored as ~offset so a small offset looks like a huge, uncached physical address (L1TF mitigation)',
  },
  { id: 'protnone', hi: 8, lo: 8, name: '_PAGE_PROTNONE', role: 'must-be-zero', note: 'if set, pte_present() would report a PROT_NONE PTE' },
  { id: 'pse', hi: 7, lo: 7, name: '_PAGE_PSE', role: 'must-be-zero', note: 'pmd_present() also tests _PAGE_PSE, so a PMD migration entry must keep it clear' },
  { id: 'knl', hi: 6, lo: 5, name: '_PAGE_KNL_ERRATUM_MASK (A, D)', role: 'must-be-zero', note: 'Knights Landing may set A/D on non-present PTEs; pte_none() ignores exactly these two bits' },
  { id: 'unused4', hi: 4, lo: 4, name: 'unused', role: 'must-be-zero', note: 'not used by the swap format' },
  { id: 'exclusive', hi: 3, lo: 3, name: '_PAGE_SWP_EXCLUSIVE', role: 'flag', note: 'PG_anon_exclusive kept across swap-out (real swap entries only)' },
  { id: 'uffd', hi: 2, lo: 2, name: '_PAGE_SWP_UFFD_WP', role: 'flag', note: 'userfaultfd write-protect, kept while the page is not mapped' },
  { id: 'softdirty', hi: 1, lo: 1, name: '_PAGE_SWP_SOFT_DIRTY', role: 'flag', note: 'soft-dirty (CRIU) state, kept while the page is not mapped' },
  { id: 'present', hi: 0, lo: 0, name: '_PAGE_PRESENT', role: 'present-bit', note: '0: the MMU will fault; the kernel reads the rest' },
];

const presentFields: LayoutField[] = [
  { id: 'nx', hi: 63, lo: 63, name: '_PAGE_NX', role: 'hw-flag', note: 'no execute' },
  { id: 'pkey', hi: 62, lo: 59, name: '_PAGE_PKEY', role: 'hw-flag', note: 'protection key (0 without pkeys)' },
  { id: 'saveddirty', hi: 58, lo: 58, name: '_PAGE_SAVED_DIRTY', role: 'sw-flag', note: 'Dirty moved here while RW=0, so Write=0,Dirty=1 (a shadow-stack PTE) never appears' },
  { id: 'softw4', hi: 57, lo: 57, name: '_PAGE_SOFTW4', role: 'sw-flag', note: 'software bit, unused here' },
  { id: 'ignored', hi: 56, lo: 52, name: 'ignored', role: 'other', note: 'ignored by the MMU' },
  { id: 'pfn', hi: 51, lo: 12, name: 'PFN (PTE_PFN_MASK)', role: 'pfn', inverted: true, note: 'physical frame number; inverted when the PTE is PROT_NONE' },
  { id: 'softdirty', hi: 11, lo: 11, name: '_PAGE_SOFT_DIRTY', role: 'sw-flag', note: 'soft-dirty tracking; pte_mkdirty() sets it too' },
  { id: 'uffd', hi: 10, lo: 10, name: '_PAGE_UFFD_WP', role: 'sw-flag', note: 'userfaultfd write-protected' },
  { id: 'special', hi: 9, lo: 9, name: '_PAGE_SPECIAL', role: 'sw-flag', note: 'no struct page to refcount (e.g. the shared zero page)' },
  { id: 'global', hi: 8, lo: 8, name: '_PAGE_GLOBAL / _PAGE_PROTNONE', role: 'hw-flag', note: 'global; with P=0 it means PROT_NONE (still pte_present())' },
  { id: 'pse', hi: 7, lo: 7, name: '_PAGE_PAT', role: 'hw-flag', note: 'PAT bit of a 4K PTE' },
  { id: 'dirty', hi: 6, lo: 6, name: '_PAGE_DIRTY', role: 'hw-flag', note: 'set by the CPU on write' },
  { id: 'accessed', hi: 5, lo: 5, name: '_PAGE_ACCESSED', role: 'hw-flag', note: 'set by the CPU on access (young)' },
  { id: 'pcd', hi: 4, lo: 4, name: '_PAGE_PCD', role: 'hw-flag', note: 'cache disable' },
  { id: 'pwt', hi: 3, lo: 3, name: '_PAGE_PWT', role: 'hw-flag', note: 'write-through' },
  { id: 'user', hi: 2, lo: 2, name: '_PAGE_USER', role: 'hw-flag', note: 'user accessible' },
  { id: 'rw', hi: 1, lo: 1, name: '_PAGE_RW', role: 'hw-flag', note: 'writable' },
  { id: 'present', hi: 0, lo: 0, name: '_PAGE_PRESENT', role: 'present-bit', note: 'the MMU may use this translation' },
];

const OFFSET_MASK = (1n << BigInt(OFFSET_BITS)) - 1n;

const LO_PRESENT = lb(X86._PAGE_BIT_PRESENT);
const LO_PROTNONE = lb(X86._PAGE_BIT_PROTNONE);
const LO_KNL = lb(X86._PAGE_BIT_ACCESSED) | lb(X86._PAGE_BIT_DIRTY);
const LO_SOFT_DIRTY = lb(X86._PAGE_BIT_SOFT_DIRTY);
const LO_UFFD_WP = lb(X86._PAGE_BIT_UFFD_WP);
/** __PHYSICAL_MASK_SHIFT: the first bit above the largest physical address a PTE can hold. */
const X86_UNUSED_FIRST_BIT = 52;
/**
 * Bits 52..57 of a PTE: 52..56 are ignored by the MMU and have no macro in pgtable_types.h, 57 is
 * _PAGE_SOFTW4, which mm never sets in a user PTE. (A mask on the high 32-bit half.)
 */
const HI_UNUSED = (2 ** (X86._PAGE_BIT_SOFTW4 + 1 - 32)) - 2 ** (X86_UNUSED_FIRST_BIT - 32);
/** The offset's share of each half: bits 9..31 of the low half (23 bits), 32..58 of the high half (27 bits). */
const LO_OFFSET_SPAN = 2 ** (32 - X86_SWP_OFFSET_FIRST_BIT);
const HI_OFFSET_MASK = 2 ** (32 - X86_SWP_TYPE_BITS) - 1;
/** PFN bits 12..31 of the low half and 32..51 of the high half: 20 bits each. */
const PFN_HALF = 0xfffff;
const TWO20 = 2 ** 20;

/** pte_pfn(): (pte ^ protnone_mask(pte)) & PTE_PFN_MASK, >> PAGE_SHIFT, on the two halves. */
function pte_pfn(hi: number, lo: number): number {
  let h = hi & PFN_HALF;
  let l = lo >>> PAGE_SHIFT;
  if (__pte_needs_invert(hi, lo)) {
    h = ~h & PFN_HALF;
    l = ~l & PFN_HALF;
  }
  return h * TWO20 + l;
}

/**
 * __pte_needs_invert() (pgtable-invert.h): a non-zero PTE without _PAGE_PRESENT (PROT_NONE, and the
 * swap format) keeps its PFN bits inverted, so it never points at cached RAM (L1TF).
 */
export function __pte_needs_invert(hi: number, lo: number): boolean {
  return (hi !== 0 || lo !== 0) && (lo & LO_PRESENT) === 0;
}

/**
 * Bit n (0..63) of an entry given as two 32-bit halves: n >> 5 picks the half, n & 31 the bit in it.
 * A function, not a closure: decodePte() reads every present PTE through it.
 */
function bitSet(hi: number, lo: number, n: number): boolean {
  return (((n >> 5 === 0 ? lo : hi) >>> (n & 31)) & 1) === 1;
}

function decodePresent(hi: number, lo: number): PresentInfo {
  const present = bitSet(hi, lo, X86._PAGE_BIT_PRESENT);
  return {
    pfn: x86_64.presentPfn(hi, lo),
    writable: bitSet(hi, lo, X86._PAGE_BIT_RW),
    user: bitSet(hi, lo, X86._PAGE_BIT_USER),
    accessed: bitSet(hi, lo, X86._PAGE_BIT_ACCESSED),
    dirty: bitSet(hi, lo, X86._PAGE_BIT_DIRTY),
    savedDirty: bitSet(hi, lo, X86._PAGE_BIT_SAVED_DIRTY),
    softDirty: bitSet(hi, lo, X86._PAGE_BIT_SOFT_DIRTY),
    uffdWp: bitSet(hi, lo, X86._PAGE_BIT_UFFD_WP),
    special: bitSet(hi, lo, X86._PAGE_BIT_SPECIAL),
    global: present && bitSet(hi, lo, X86._PAGE_BIT_GLOBAL),
    nx: bitSet(hi, lo, X86._PAGE_BIT_NX),
    protnone: !present && bitSet(hi, lo, X86._PAGE_BIT_PROTNONE),
    // Stryker disable next-line ArithmeticOperator: >>> shifts by the count mod 32, so 59 + 32 shifts as 59 - 32 does
    pkey: (hi >>> (X86_PKEY_BIT0 - 32)) & 0xf,
    unusedSet: (hi & HI_UNUSED) !== 0,
  };
}

/** _PAGE_BIT_PKEY_BIT0: protection keys in bits 59..62. */
export const X86_PKEY_BIT0 = 59;

// ---- the PMD level -----------------------------------------------------------------------------------

const LO_PSE = lb(X86._PAGE_BIT_PSE);

const pmdSwapFields: LayoutField[] = swapFields.map((f): LayoutField => {
  switch (f.id) {
    case 'pse':
      return { ...f, note: 'pmd_present() tests P | PROTNONE | PSE: a split clears P but keeps PSE, so PSE alone means "present" (pgtable_64.h)' };
    case 'protnone':
      return { ...f, note: 'if set, pmd_present() would report a PROT_NONE huge PMD' };
    case 'exclusive':
      return { id: 'unused3', hi: 3, lo: 3, name: 'unused (no PMD swap-exclusive bit)', role: 'must-be-zero', note: 'nothing defines pmd_swp_mkexclusive(): exclusivity lives in the migration type or in PageAnonExclusive' };
    case 'uffd':
      return { ...f, note: 'pmd_swp_mkuffd() / pmd_swp_uffd(): userfaultfd state kept while the 2 MiB page is not mapped' };
    case 'softdirty':
      return { ...f, note: 'pmd_swp_mksoft_dirty() / pmd_swp_soft_dirty(): soft-dirty kept while the 2 MiB page is not mapped' };
    default:
      return f;
  }
});

// Stryker disable next-line MethodExpression: the list is built in bit order, so sort() leaves it as it is
const pmdPresentFields: LayoutField[] = ([
  ...presentFields.filter((f) => f.hi > 51),
  { id: 'pfn', hi: 51, lo: PMD_SHIFT, name: 'PFN (PHYSICAL_PMD_PAGE_MASK)', role: 'pfn', inverted: true, note: 'the 2 MiB page\'s physical address bits 21..51; inverted when the PMD is PROT_NONE or invalidated' },
  { id: 'pmd-zero', hi: PMD_SHIFT - 1, lo: X86._PAGE_BIT_PAT_LARGE + 1, name: 'zero (2 MiB aligned)', role: 'must-be-zero', note: 'pfn_pmd() masks the address with PHYSICAL_PMD_PAGE_MASK: a 2 MiB page starts on a 2 MiB boundary' },
  { id: 'patlarge', hi: 12, lo: 12, name: '_PAGE_PAT_LARGE', role: 'hw-flag', note: 'the PAT bit of a 2 MiB page (at PTE level this is PFN bit 0)' },
  ...presentFields.filter((f) => f.hi <= 11 && f.id !== 'pse'),
] satisfies LayoutField[]).sort(
  // Stryker disable next-line ArrowFunction,ArithmeticOperator: the list is built in bit order, so sort() leaves it as it is
  (a, c) => c.hi - a.hi,
);
pmdPresentFields.splice(pmdPresentFields.findIndex((f) => f.id === 'dirty'), 0, {
  id: 'pse', hi: 7, lo: 7, name: '_PAGE_PSE', role: 'hw-flag', note: 'page size: this PMD maps 2 MiB itself (at PTE level bit 7 is _PAGE_PAT)',
});

function decodePmdPresent(hi: number, lo: number): PmdPresentInfo {
  const p = decodePresent(hi, lo);
  const leaf = (lo & LO_PSE) !== 0;
  const present = (lo & LO_PRESENT) !== 0;
  return { ...p, pfn: x86_64Pmd.presentPfn(hi, lo), leaf, invalidated: !present && !p.protnone && leaf };
}

/** The x86_64 PMD level (pgtable.h, pgtable_64.h, pgtable_types.h, huge_mm.h of 7.3.4). */
export const x86_64Pmd: PmdLayout = {
  swapFields: pmdSwapFields,
  presentFields: pmdPresentFields,
  loFlagBits: { softDirty: lb(X86._PAGE_BIT_SWP_SOFT_DIRTY), uffdWp: lb(X86._PAGE_BIT_SWP_UFFD_WP), exclusive: 0 },
  swpFlagMask: { softDirty: _PAGE_SWP_SOFT_DIRTY, uffd: _PAGE_SWP_UFFD_WP },
  swapMustBeZero: [
    { mask: lb(X86._PAGE_BIT_SWP_EXCLUSIVE), hiMask: 0, why: 'bit 3 is set: there is no PMD swap-exclusive bit (set_pmd_migration_entry() and the split never set it; exclusivity lives in the type or in PageAnonExclusive)' },
    { mask: lb(X86._PAGE_BIT_PCD), hiMask: 0, why: 'bit 4 is set: the x86 swap format does not use it' },
    { mask: LO_KNL, hiMask: 0, why: 'bits 5-6 (A/D, _PAGE_KNL_ERRATUM_MASK) are set: pmd_none() ignores them, so they must not carry data' },
  ],
  presentTest: 'pmd_present(): pmd_flags(pmd) & (_PAGE_PRESENT | _PAGE_PROTNONE | _PAGE_PSE)',
  differsFromPte: [
    { hi: 0, lo: 0, when: 'both', pte: 'pte_present() tests P | PROTNONE', pmd: 'pmd_present() tests P | PROTNONE | PSE: a PMD with P=0 can still be present (PROT_NONE, or the transient value of pmdp_invalidate())' },
    { hi: 3, lo: 3, when: 'non-present', pte: '_PAGE_SWP_EXCLUSIVE', pmd: 'unused: there is no PMD swap-exclusive bit' },
    { hi: 7, lo: 7, when: 'present', pte: '_PAGE_PAT (PAT bit of a 4 KiB page)', pmd: '_PAGE_PSE: the PMD maps 2 MiB itself' },
    { hi: 12, lo: 12, when: 'present', pte: 'PFN bit 0', pmd: '_PAGE_PAT_LARGE' },
    { hi: PMD_SHIFT - 1, lo: X86._PAGE_BIT_PAT_LARGE + 1, when: 'present', pte: 'PFN bits 1-8', pmd: 'zero: a 2 MiB page is 2 MiB aligned' },
  ],
  pmdNone(hi, lo) {
    // pmd_none(): !(pmd_val & ~_PAGE_KNL_ERRATUM_MASK)
    return hi === 0 && (lo & ~LO_KNL) === 0;
  },
  pmdPresent(_hi, lo) {
    return (lo & (LO_PRESENT | LO_PROTNONE | LO_PSE)) !== 0;
  },
  pmdLeaf(_hi, lo) {
    // pmd_trans_huge(): _PAGE_PSE
    return (lo & LO_PSE) !== 0;
  },
  presentPfn(hi, lo) {
    // pmd_pfn(): (pmd ^ protnone_mask(pmd)) & pmd_pfn_mask(pmd), >> PAGE_SHIFT: pte_pfn() with, for a
    // huge PMD, PHYSICAL_PMD_PAGE_MASK: the low HPAGE_PMD_ORDER bits of the PFN are 0 (PAT sits at bit 12)
    const pfn = pte_pfn(hi, lo);
    return (lo & LO_PSE) !== 0 ? pfn - (pfn % HPAGE_PMD_NR) : pfn;
  },
  presentSoftDirty: (hi, lo) => x86_64.presentSoftDirty(hi, lo),
  presentUffdWp: (hi, lo) => x86_64.presentUffdWp(hi, lo),
  decodePresent: decodePmdPresent,
  swpType: (hi, lo) => x86_64.swpType(hi, lo),
  swpOffset: (hi, lo) => x86_64.swpOffset(hi, lo),
  // __swp_entry_to_pmd() is a reinterpretation of the PTE format
  swpEntryToPmd: (type, offset) => x86_64.swpEntryToPte(type, offset),
};

// ---- the PTE level ----------------------------------------------------------------------------------

export const x86_64: ArchLayout = {
  id: 'x86_64',
  title: 'x86_64',
  offsetBits: OFFSET_BITS,
  swapFields,
  presentFields,
  hasSwapSoftDirty: true,
  loFlagBits: { softDirty: lb(X86._PAGE_BIT_SWP_SOFT_DIRTY), uffdWp: lb(X86._PAGE_BIT_SWP_UFFD_WP), exclusive: lb(X86._PAGE_BIT_SWP_EXCLUSIVE) },
  exclusiveName: '_PAGE_SWP_EXCLUSIVE',
  presentRules: {
    'shadow-stack': () => `Write=0 with Dirty=1: x86 moves Dirty to SavedDirty (bit ${X86._PAGE_BIT_SAVED_DIRTY}) when a PTE is write-protected; this combination marks a shadow-stack PTE`,
    'rw-saveddirty': () => 'RW=1 with SavedDirty=1: pte_mkwrite() moves SavedDirty back to Dirty (clear_saveddirty_shift()), so a writable PTE never keeps SavedDirty',
    'protnone-rw': () => 'PROT_NONE with RW=1: pte_modify() keeps only _PAGE_CHG_MASK from the old PTE and takes RW from PAGE_NONE, which has none',
    'protnone-dirty': () => 'PROT_NONE with Dirty=1: pte_modify() moves Dirty into SavedDirty when it write-protects a writable PTE',
    'protnone-prot': ({ present: p }) => `PROT_NONE with ${[p.user ? '_PAGE_USER' : '', p.nx ? '_PAGE_NX' : ''].filter(Boolean).join(' and ')}: pte_modify() takes these bits from PAGE_NONE (_PAGE_PROTNONE | _PAGE_ACCESSED), which has neither`,
    'swap-bit8': ({ lookalike }) => `bit ${X86._PAGE_BIT_PROTNONE} (_PAGE_PROTNONE) is set on what is otherwise a swap entry (${lookalike}): the swap format starts above it (SWP_OFFSET_FIRST_BIT = _PAGE_BIT_PROTNONE + 1), so pte_present() reads this as a PROT_NONE PTE`,
    'user-global': () => `bit ${X86._PAGE_BIT_GLOBAL} (_PAGE_GLOBAL) is set in a present PTE: no user protection in protection_map is global; only kernel mappings are`,
    'unused-bits': () => `bits ${X86_UNUSED_FIRST_BIT}–${X86._PAGE_BIT_SOFTW4} are set: no kernel macro sets them in a user PTE (${X86_UNUSED_FIRST_BIT}–${X86._PAGE_BIT_SOFTW4 - 1} are ignored by the MMU, ${X86._PAGE_BIT_SOFTW4} is _PAGE_SOFTW4)`,
    'pfn-beyond-physmem': ({ pfnHex, maxPhysmemBits }) => `PFN ${pfnHex} is beyond MAX_PHYSMEM_BITS (${maxPhysmemBits}): pfn_pte() is only called for a page that exists`,
  },
  protnoneLo: LO_PROTNONE,
  swpFlagMask: { softDirty: _PAGE_SWP_SOFT_DIRTY, uffdWp: _PAGE_SWP_UFFD_WP, exclusive: _PAGE_SWP_EXCLUSIVE },
  swapMustBeZero: [
    // Stryker disable next-line ObjectLiteral,StringLiteral: unreachable: with bit 8 set pte_present() is true (PROT_NONE), so no swap PTE reaches this check
    { mask: lb(X86._PAGE_BIT_PROTNONE), hiMask: 0, why: 'bit 8 (_PAGE_PROTNONE) is set: pte_present() would call this a PROT_NONE PTE' },
    { mask: lb(X86._PAGE_BIT_PSE), hiMask: 0, why: 'bit 7 (_PAGE_PSE) is set: the swap format keeps it clear so pmd_present() stays false for a PMD entry' },
    { mask: LO_KNL, hiMask: 0, why: 'bits 5-6 (A/D, _PAGE_KNL_ERRATUM_MASK) are set: the kernel never sets them in a swap PTE (only the Knights Landing erratum does)' },
    { mask: lb(X86._PAGE_BIT_PCD), hiMask: 0, why: 'bit 4 is set: the x86 swap format does not use it' },
  ],
  pteNone(hi, lo) {
    // pte_none(): !(pte & ~_PAGE_KNL_ERRATUM_MASK)
    return hi === 0 && (lo & ~LO_KNL) === 0;
  },
  ptePresent(_hi, lo) {
    // pte_present(): pte_flags(a) & (_PAGE_PRESENT | _PAGE_PROTNONE)
    return (lo & (LO_PRESENT | LO_PROTNONE)) !== 0;
  },
  presentPfn: pte_pfn,
  presentSoftDirty(_hi, lo) {
    return (lo & LO_SOFT_DIRTY) !== 0;
  },
  presentUffdWp(_hi, lo) {
    return (lo & LO_UFFD_WP) !== 0;
  },
  decodePresent,
  swpType(hi) {
    // __swp_type(x) = x >> (64 - SWP_TYPE_BITS)
    return hi >>> (32 - X86_SWP_TYPE_BITS);
  },
  swpOffset(hi, lo) {
    // (~x << 5) >> 14: PTE bits 9..58, inverted. lo supplies bits 9..31 (23 bits), hi bits 32..58 (27 bits).
    return (~hi & HI_OFFSET_MASK) * LO_OFFSET_SPAN + ((~lo >>> X86_SWP_OFFSET_FIRST_BIT) & (LO_OFFSET_SPAN - 1));
  },
  swpEntryToPte(type, offset) {
    // __swp_entry(type, offset) = (~offset << SWP_OFFSET_SHIFT >> SWP_TYPE_BITS) | (type << 59)
    const inv = ~offset & OFFSET_MASK;
    return (inv << BigInt(X86_SWP_OFFSET_FIRST_BIT)) | (BigInt(type & 31) << 59n);
  },
  pmd: x86_64Pmd,
};
