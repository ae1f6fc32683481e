/**
 * The x86_64 PMD level as a reader sees it: the PMD layout's own readers (pmd_soft_dirty(),
 * pmd_uffd()), what differs from a PTE, and the notes that explain a PMD's bits. Expected values are
 * written from the 7.3.4 headers, not computed by the code under test:
 * - pgtable_types.h: _PAGE_PRESENT (0), _PAGE_RW (1), _PAGE_USER (2), _PAGE_ACCESSED (5),
 *   _PAGE_DIRTY (6), _PAGE_PSE (7), _PAGE_PROTNONE (8), _PAGE_UFFD (10), _PAGE_SOFT_DIRTY (11),
 *   _PAGE_PAT_LARGE (12), _PAGE_NX (63); _PAGE_SWP_SOFT_DIRTY (1), _PAGE_SWP_UFFD (2).
 * - pgtable.h: pmd_soft_dirty() = pmd_flags & _PAGE_SOFT_DIRTY; pmd_uffd() = pmd_flags & _PAGE_UFFD;
 *   pmd_present() = pmd_flags & (_PAGE_PRESENT | _PAGE_PROTNONE | _PAGE_PSE).
 * - pgtable-invert.h: __pte_needs_invert(val) = val && !(val & _PAGE_PRESENT).
 * - pgtable_64.h: __swp_entry(type, offset) = (~offset << SWP_OFFSET_SHIFT >> SWP_TYPE_BITS) | type << 59.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../config.ts';
import { decodePte } from '../decode.ts';
import { getKernel, type Kernel } from '../kernel.ts';
import type { Platform } from '../platform.ts';
import { hi32, lo32 } from '../u64.ts';
import { __pte_needs_invert } from './x86_64.ts';
import { pmd_none, type Pmd } from './x86_pgtable.ts';

const X86_4: Platform = { arch: 'x86_64', paging: 4, migrationAd: true };
const k73 = (): Kernel => getKernel('7.3', DEFAULT_CONFIG, X86_4);

const bit = (n: number): bigint => 1n << BigInt(n);
const _PAGE_PRESENT = bit(0);
const _PAGE_RW = bit(1);
const _PAGE_USER = bit(2);
const _PAGE_ACCESSED = bit(5);
const _PAGE_DIRTY = bit(6);
const _PAGE_PSE = bit(7);
const _PAGE_UFFD = bit(10);
const _PAGE_SOFT_DIRTY = bit(11);
const _PAGE_PCD = bit(4);
const _PAGE_PROTNONE = bit(8);
const _PAGE_SAVED_DIRTY = bit(58);
const _PAGE_SWP_EXCLUSIVE = bit(3);
const _PAGE_NX = bit(63);
const M50 = (1n << 50n) - 1n;
/** __swp_entry(type, offset) as a PTE or a PMD: the offset inverted in bits 9..58. */
const swpEntry = (type: number, offset: bigint): bigint => (BigInt(type) << 59n) | ((~offset & M50) << 9n);
/** A user PTE of PFN 0x1234 as pfn_pte() stores it, present or PROT_NONE (PFN inverted, pgtable-invert.h). */
const pte = (flags: bigint): bigint => ((flags & _PAGE_PRESENT ? 0x1234n : ~0x1234n & ((1n << 40n) - 1n)) << 12n) | flags;
/** A writable, young, dirty 2 MiB page at PFN 0x12400. */
const HUGE = (0x12400n << 12n) | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_PSE | _PAGE_NX;

describe('x86_64 PMDs: pmd_soft_dirty() and pmd_uffd() of a huge PMD', () => {
  it.each([
    ['neither', HUGE, [false, false]],
    ['_PAGE_SOFT_DIRTY (bit 11)', HUGE | _PAGE_SOFT_DIRTY, [true, false]],
    ['_PAGE_UFFD (bit 10)', HUGE | _PAGE_UFFD, [false, true]],
    ['both', HUGE | _PAGE_SOFT_DIRTY | _PAGE_UFFD, [true, true]],
  ] as const)('%s', (_w, raw, want) => {
    const pmd = k73().arch.pmd;
    expect([pmd.presentSoftDirty(hi32(raw), lo32(raw)), pmd.presentUffdWp(hi32(raw), lo32(raw))]).toEqual(want);
  });
});

describe('x86_64: pmd_none() = !(pmd_val & ~_PAGE_KNL_ERRATUM_MASK)', () => {
  it.each([
    ['the zero PMD', 0n, true],
    ['A and D alone (the Knights Landing erratum)', _PAGE_ACCESSED | _PAGE_DIRTY, true],
    ['a non-present PMD with only the high half set (type 31, offset bits all stored inverted)', swpEntry(31, M50), false],
    ['bit 32 alone', 1n << 32n, false],
    ['_PAGE_PSE alone', _PAGE_PSE, false],
  ] as const)('%s', (_w, raw, want) => {
    expect(pmd_none(raw as Pmd)).toBe(want);
  });
});

describe('x86_64 PMDs: what a reader is told', () => {
  it('the layout fields a lesson names ({bits:swap.offset}, {bits:present.pfn}) are where the headers put them', () => {
    const a = k73().arch;
    const at = (list: typeof a.swapFields, id: string) => list.filter((f) => f.id === id).map((f) => [f.hi, f.lo]);
    expect(['type', 'offset', 'protnone', 'pse', 'exclusive', 'uffd', 'softdirty', 'present'].map((id) => at(a.swapFields, id)))
      .toEqual([[[63, 59]], [[58, 9]], [[8, 8]], [[7, 7]], [[3, 3]], [[2, 2]], [[1, 1]], [[0, 0]]]);
    expect(['nx', 'pkey', 'saveddirty', 'pfn', 'softdirty', 'uffd', 'global', 'present'].map((id) => at(a.presentFields, id)))
      .toEqual([[[63, 63]], [[62, 59]], [[58, 58]], [[51, 12]], [[11, 11]], [[10, 10]], [[8, 8]], [[0, 0]]]);
  });

  it('pmd_present() is named with the three flags it tests', () => {
    expect(k73().arch.pmd.presentTest).toMatch(/^pmd_present\(\).*_PAGE_PRESENT \| _PAGE_PROTNONE \| _PAGE_PSE/);
  });

  it('what differs between a PTE and a PMD names the PTE meaning and the PMD meaning of each bit', () => {
    const rows = k73().arch.pmd.differsFromPte;
    expect(rows.map((r) => [`${r.lo}-${r.hi}`, r.when])).toEqual([['0-0', 'both'], ['3-3', 'non-present'], ['7-7', 'present'], ['12-12', 'present'], ['13-20', 'present']]);
    expect(rows.map((r) => [r.pte, r.pmd])).toEqual([
      [expect.stringMatching(/^pte_present\(\) tests P \| PROTNONE$/), expect.stringMatching(/^pmd_present\(\) tests P \| PROTNONE \| PSE.*pmdp_invalidate\(\)/)],
      ['_PAGE_SWP_EXCLUSIVE', expect.stringMatching(/no PMD swap-exclusive bit/)],
      [expect.stringMatching(/^_PAGE_PAT/), expect.stringMatching(/^_PAGE_PSE/)],
      [expect.stringMatching(/PFN bit 0/), '_PAGE_PAT_LARGE'],
      [expect.stringMatching(/PFN bits 1-8/), expect.stringMatching(/2 MiB aligned/)],
    ]);
  });

  it('a non-present PMD explains its flag and must-be-zero bits with the PMD helpers', () => {
    // __swp_entry(27, 0x12400) as a PMD: the offset inverted in bits 9..58, type 27 in bits 59..63
    const raw = (27n << 59n) | ((~0x12400n & ((1n << 50n) - 1n)) << 9n);
    const note = Object.fromEntries(decodePte(k73(), raw, 'pmd').fields.map((f) => [f.id, f.note]));
    expect([note.pse, note.protnone, note.uffd, note.softdirty, note.unused3]).toEqual([
      expect.stringMatching(/pmd_present\(\) tests P \| PROTNONE \| PSE/),
      expect.stringMatching(/pmd_present\(\).*PROT_NONE huge PMD/),
      expect.stringMatching(/pmd_swp_mkuffd\(\)/),
      expect.stringMatching(/pmd_swp_mksoft_dirty\(\)/),
      expect.stringMatching(/pmd_swp_mkexclusive\(\)/),
    ]);
  });

  it('a huge PMD names its 2 MiB fields: PHYSICAL_PMD_PAGE_MASK, the zero bits, _PAGE_PAT_LARGE, _PAGE_PSE', () => {
    const f = Object.fromEntries(decodePte(k73(), HUGE, 'pmd').fields.map((x) => [x.id, x]));
    expect(['pfn', 'pmd-zero', 'patlarge', 'pse'].map((id) => [f[id]!.hi, f[id]!.lo, f[id]!.name, f[id]!.role])).toEqual([
      [51, 21, expect.stringMatching(/PHYSICAL_PMD_PAGE_MASK/), 'pfn'], [20, 13, expect.stringMatching(/zero/), 'must-be-zero'],
      [12, 12, '_PAGE_PAT_LARGE', 'hw-flag'], [7, 7, '_PAGE_PSE', 'hw-flag'],
    ]);
  });
});

describe('x86_64: __pte_needs_invert() (pgtable-invert.h): a non-zero value without _PAGE_PRESENT', () => {
  it.each([
    ['the zero value', 0n, false],
    ['a present PTE', pte(_PAGE_PRESENT | _PAGE_ACCESSED), false],
    ['PROT_NONE', pte(_PAGE_PROTNONE | _PAGE_ACCESSED), true],
    ['a swap entry with only the high half set (type 31, every offset bit stored inverted)', swpEntry(31, M50), true],
    ['a value with only the high half set', 1n << 40n, true],
  ] as const)('%s', (_w, raw, want) => {
    expect(__pte_needs_invert(hi32(raw), lo32(raw))).toBe(want);
  });
});

describe('x86_64: the message of each present-PTE problem names the kernel rule it breaks', () => {
  const problemOf = (raw: bigint, kind: string, paging: 4 | 5 = 4): string | undefined => {
    const d = decodePte(getKernel('7.3', DEFAULT_CONFIG, { ...X86_4, paging }), raw);
    return d.problems[d.problemKinds.indexOf(kind as never)];
  };
  const USER = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX;
  it.each([
    ['RW with _PAGE_SAVED_DIRTY', pte(USER | _PAGE_RW | _PAGE_SAVED_DIRTY), 'rw-saveddirty', /^RW=1 with SavedDirty=1: pte_mkwrite\(\) moves SavedDirty back to Dirty/],
    ['PROT_NONE with RW', pte(_PAGE_PROTNONE | _PAGE_ACCESSED | _PAGE_RW), 'protnone-rw', /^PROT_NONE with RW=1: pte_modify\(\) keeps only _PAGE_CHG_MASK/],
    ['PROT_NONE with _PAGE_USER', pte(_PAGE_PROTNONE | _PAGE_ACCESSED | _PAGE_USER), 'protnone-prot', /^PROT_NONE with _PAGE_USER: pte_modify\(\) takes these bits from PAGE_NONE/],
    ['PROT_NONE with _PAGE_NX', pte(_PAGE_PROTNONE | _PAGE_ACCESSED | _PAGE_NX), 'protnone-prot', /^PROT_NONE with _PAGE_NX: /],
    ['PROT_NONE with both', pte(_PAGE_PROTNONE | _PAGE_ACCESSED | _PAGE_USER | _PAGE_NX), 'protnone-prot', /^PROT_NONE with _PAGE_USER and _PAGE_NX: /],
    ['_PAGE_SOFTW4 (bit 57)', pte(USER) | bit(57), 'unused-bits', /^bits 52–57 are set: .*57 is _PAGE_SOFTW4/],
    ['bit 52, the first above __PHYSICAL_MASK_SHIFT', pte(USER) | bit(52), 'unused-bits', /^bits 52–57 are set: no kernel macro sets them in a user PTE \(52–56 are ignored by the MMU/],
    ['a PFN of 2^34 with 4-level paging', (1n << 46n) | USER, 'pfn-beyond-physmem', /^PFN 0x400000000 is beyond MAX_PHYSMEM_BITS \(46\)/],
  ] as const)('%s', (_w, raw, kind, message) => {
    expect(problemOf(raw, kind)).toMatch(message);
  });
  it('bits 51..12 of a PFN below 2^40 are fine with 5-level paging (MAX_PHYSMEM_BITS 52)', () => {
    expect(problemOf((1n << 46n) | USER, 'pfn-beyond-physmem', 5)).toBeUndefined();
  });
});

describe('x86_64: a non-present PMD\'s must-be-zero bits, each with why', () => {
  const MIG = swpEntry(27, 0x12400n);
  it.each([
    ['bit 3', _PAGE_SWP_EXCLUSIVE, /^bit 3 is set: there is no PMD swap-exclusive bit \(set_pmd_migration_entry\(\)/],
    ['bit 4', _PAGE_PCD, /^bit 4 is set: the x86 swap format does not use it$/],
    ['bit 5 (A)', _PAGE_ACCESSED, /^bits 5-6 \(A\/D, _PAGE_KNL_ERRATUM_MASK\) are set: pmd_none\(\) ignores them/],
    ['bit 6 (D)', _PAGE_DIRTY, /^bits 5-6 /],
  ] as const)('%s', (_w, flag, message) => {
    const d = decodePte(k73(), MIG | flag, 'pmd');
    expect([d.kind, d.problemKinds, d.problems]).toEqual(['migration', ['must-be-zero'], [expect.stringMatching(message)]]);
  });
});
