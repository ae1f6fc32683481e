/**
 * The /proc/PID/pagemap record: every worked example of the spec (hmm-and-pagemap.md A.5, copied
 * to test/fixtures/pagemap.json), records derived for every entry kind under several profiles,
 * with and without CAP_SYS_ADMIN, the PMD subpage records (pmd-and-thp.md §f), PAGEMAP_SCAN
 * categories, and a round trip record -> decode -> fields -> the same numbers.
 *
 * Expected records are written out as hex or rebuilt here with the kernel's formula on bigints
 * (make_pme(type | offset << 5, flags)); the model computes them on 32-bit halves.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import fixture from '../../../test/fixtures/pagemap.json' with { type: 'json' };
import { DEFAULT_CONFIG } from './config.ts';
import {
  asDeviceOffset, asPfn, getKernel, PTE_MARKER_GUARD, PTE_MARKER_POISONED, PTE_MARKER_UFFD_WP, type Kernel, type PteMarker, type swp_entry_t,
} from './kernel.ts';
import { classify, newClassified, type EntryKind } from './leafops.ts';
import {
  classifyPagemap, decodePagemap, DEFAULT_PAGEMAP_CONTEXT, make_pme, newPagemapClassified, PAGE_IS_ACCESSED, PAGE_IS_FILE, PAGE_IS_GUARD,
  PAGE_IS_PFNZERO, PAGE_IS_PRESENT, PAGE_IS_SOFT_DIRTY, PAGE_IS_SWAPPED, PAGE_IS_WPALLOWED, PAGE_IS_WRITTEN, pagemapLacks, pagemapOfLeaf,
  pagemapOfPte, pagemapScanCategories, PAGEMAP_BITS, PM_PFRAME_MASK, presentPfnOfRecord, scanCategoryNames, type PagemapContext,
} from './pagemap.ts';
import type { Platform } from './platform.ts';
import type { ProfileId } from './profiles.ts';
import { parseKernelRelease, profileForRelease } from './release.ts';
import { hex64 } from './u64.ts';
import { EXCL, FILE, GUARD, PRESENT, SD, SWAP, UFFD } from '../../../test/pagemapBits.ts';

const X86: Platform = { arch: 'x86_64', paging: 4, migrationAd: true };
const K = (p: ProfileId, platform: Platform = X86): Kernel => getKernel(p, DEFAULT_CONFIG, platform);

const FLAGS = ~PM_PFRAME_MASK & ((1n << 64n) - 1n);

/** x86 present PTEs: P|RW|U|A|D|NX with the PFN; bit 11 soft-dirty, bit 10 uffd-wp, bit 9 special. */
const present = (pfn: number, bits = 0x067n) => 0x8000000000000000n | (BigInt(pfn) << 12n) | bits;
const swapPte = (k: Kernel, e: swp_entry_t, o: { sd?: boolean; uffd?: boolean } = {}) => {
  let pte = k.swp_entry_to_pte(e);
  if (o.sd) pte = k.pte_swp_mksoft_dirty(pte);
  if (o.uffd) pte = k.pte_swp_mkuffd_wp(pte);
  return pte;
};
const marker = (k: Kernel, m: number) => k.make_pte_marker(m as PteMarker);

const ctx = (o: { vmaSoftDirty?: boolean; anon?: boolean; mappedOnce?: boolean; noPage?: boolean; zeroPfn?: boolean; uffd?: PagemapContext['vma']['uffd'] } = {}): PagemapContext => ({
  vma: { softDirty: o.vmaSoftDirty ?? false, uffd: o.uffd ?? 'none' },
  page: o.noPage ? null : { anon: o.anon ?? true, mappedOnce: o.mappedOnce ?? true },
  zeroPfn: o.zeroPfn ?? false,
  showPfn: true,
});
const noCap = (c: PagemapContext): PagemapContext => ({ ...c, showPfn: false });

/** An illustrative PFN for the shared zero page (boot-time; any value works). */
const ZERO_PFN = 0x2a3c;

/** How each A.5 row is built: the PTE (with the model's make_* helpers) and what else pagemap reads. */
const A5_INPUTS: Record<string, { pte: (k: Kernel) => bigint; ctx: PagemapContext; recordFor?: bigint }> = {
  'none, no VMA (hole)': { pte: () => 0n, ctx: ctx() },
  'none, in VMA (fresh VMA, VM_SOFTDIRTY)': { pte: () => 0n, ctx: ctx({ vmaSoftDirty: true }) },
  'none, in VMA after clear_refs=4': { pte: () => 0n, ctx: ctx() },
  'present anon, mapped once': { pte: () => present(0x1234), ctx: ctx() },
  'same, just written (soft-dirty)': { pte: () => present(0x1234, 0x867n), ctx: ctx() },
  'present anon, shared after fork (COW)': { pte: () => present(0x1234, 0x025n), ctx: ctx({ mappedOnce: false }) },
  'present file / shmem page, only mapper': { pte: () => present(0x1234), ctx: ctx({ anon: false }) },
  'present file / shmem page, mapped >1': { pte: () => present(0x1234), ctx: ctx({ anon: false, mappedOnce: false }) },
  'present, uffd-wp protected anon': { pte: () => present(0x1234, 0x425n), ctx: ctx() },
  // P|U|A|special: vm_normal_page() is NULL, so no FILE/EXCL whatever the page context says
  'present shared zero page': { pte: () => present(ZERO_PFN, 0x225n), ctx: ctx({ zeroPfn: true }), recordFor: PRESENT | BigInt(ZERO_PFN) },
  'real swap, type 0 slot 0x42': { pte: (k) => swapPte(k, k.swp_entry(0, 0x42n)), ctx: ctx() },
  'same, soft-dirty kept at swap-out': { pte: (k) => swapPte(k, k.swp_entry(0, 0x42n), { sd: true }), ctx: ctx() },
  'migration READ, anon, pfn 0x1234': { pte: (k) => swapPte(k, k.make_readable_migration_entry(asPfn(0x1234))), ctx: ctx() },
  'migration READ_EXCLUSIVE, anon': { pte: (k) => swapPte(k, k.make_migration_entry_young(k.make_readable_exclusive_migration_entry(asPfn(0x1234)))), ctx: ctx() },
  // A and D in the offset: softleaf_to_pfn() masks them away
  'migration WRITE, anon': { pte: (k) => swapPte(k, k.make_migration_entry_dirty(k.make_migration_entry_young(k.make_writable_migration_entry(asPfn(0x1234))))), ctx: ctx() },
  'migration READ of a *file* page': { pte: (k) => swapPte(k, k.make_readable_migration_entry(asPfn(0x1234))), ctx: ctx({ anon: false }) },
  'device-private WRITE, dev pfn 0x10': { pte: (k) => swapPte(k, k.make_writable_device_private_entry(asPfn(0x10))), ctx: ctx() },
  'device-private READ, dev pfn 0x10': { pte: (k) => swapPte(k, k.make_readable_device_private_entry(asPfn(0x10))), ctx: ctx() },
  'device-exclusive, RAM pfn 0x1234': { pte: (k) => swapPte(k, k.make_device_exclusive_entry(asPfn(0x1234))), ctx: ctx() },
  '(device-exclusive if the pfn were 0x10)': { pte: (k) => swapPte(k, k.make_device_exclusive_entry(asPfn(0x10))), ctx: ctx() },
  'hwpoison entry, pfn 0x1234 (anon)': { pte: (k) => swapPte(k, k.make_hwpoison_entry(asPfn(0x1234))), ctx: ctx() },
  'marker UFFD_WP (1)': { pte: (k) => marker(k, PTE_MARKER_UFFD_WP), ctx: ctx() },
  'marker POISONED (2) (UFFDIO_POISON)': { pte: (k) => marker(k, PTE_MARKER_POISONED), ctx: ctx() },
  'marker GUARD (4) (MADV_GUARD_INSTALL)': { pte: (k) => marker(k, PTE_MARKER_GUARD), ctx: ctx() },
};

const rows = fixture.pte_examples;

describe('A.5 worked examples (x86_64, all configs on)', () => {
  it('every row of the fixture has its inputs here, and nothing else does', () => {
    expect(rows.map((r) => r.kind).sort()).toEqual(Object.keys(A5_INPUTS).sort());
  });

  describe.each(['7.3', 'v6.18'] as const)('%s (the A.3 numbering)', (profile) => {
    const k = K(profile);
    it.each(rows)('$kind: $record', (row) => {
      const input = A5_INPUTS[row.kind]!;
      const want = input.recordFor ?? BigInt(row.record);
      expect(hex64(pagemapOfPte(k, input.pte(k), input.ctx))).toBe(hex64(want));
    });
    it.each(rows)('$kind without CAP_SYS_ADMIN: $withoutCapSysAdmin', (row) => {
      const input = A5_INPUTS[row.kind]!;
      const want = row.withoutCapSysAdmin === 'same' ? BigInt(row.record) : BigInt(row.withoutCapSysAdmin);
      expect(hex64(pagemapOfPte(k, input.pte(k), noCap(input.ctx)))).toBe(hex64(want));
    });
  });

  it('GUARD | UFFD_WP (5) gives frame 0xBF with SWAP, UFFD_WP and GUARD_REGION: 0x46000000000000BF', () => {
    const k = K('7.3');
    expect(hex64(pagemapOfPte(k, marker(k, PTE_MARKER_GUARD | PTE_MARKER_UFFD_WP), ctx()))).toBe(hex64(BigInt(fixture.combined_marker.record)));
  });

  it('a fresh VMA (VM_SOFTDIRTY) adds PM_SOFT_DIRTY (0x0080000000000000) to every example', () => {
    const k = K('7.3');
    for (const row of rows) {
      const input = A5_INPUTS[row.kind]!;
      const clean = input.recordFor ?? BigInt(row.record);
      expect(pagemapOfPte(k, input.pte(k), { ...input.ctx, vma: { softDirty: true, uffd: 'none' } })).toBe(clean | SD);
    }
  });

  it('a present PTE with the special bit has no page: no PM_FILE or PM_MMAP_EXCLUSIVE whatever the context says', () => {
    const k = K('7.3');
    expect(pagemapOfPte(k, present(0x1234, 0x267n), ctx({ anon: false }))).toBe(PRESENT | 0x1234n);
  });
});

interface Derived {
  readonly label: string;
  readonly pte: (k: Kernel) => bigint;
  readonly ctx: PagemapContext;
  /** The swap type's name, or null for none/present. */
  readonly typeName: string | null;
  /** What goes in bits 5-54 (swap) or 0-54 (present). */
  readonly number: number;
  readonly flags: bigint;
  readonly kind: EntryKind;
}

/** Every entry kind a PTE can have, under any profile that has it. */
const DERIVED: readonly Derived[] = [
  { label: 'none', pte: () => 0n, ctx: ctx(), typeName: null, number: 0, flags: 0n, kind: 'none' },
  { label: 'none with only A/D set (Knights Landing erratum)', pte: () => 0x60n, ctx: ctx({ vmaSoftDirty: true }), typeName: null, number: 0, flags: SD, kind: 'none' },
  { label: 'present anon exclusive', pte: () => present(0xabcde), ctx: ctx(), typeName: null, number: 0xabcde, flags: PRESENT | EXCL, kind: 'present' },
  { label: 'present anon shared', pte: () => present(0xabcde, 0x025n), ctx: ctx({ mappedOnce: false }), typeName: null, number: 0xabcde, flags: PRESENT, kind: 'present' },
  { label: 'present file page, soft-dirty', pte: () => present(0x12345678, 0x867n), ctx: ctx({ anon: false }), typeName: null, number: 0x12345678, flags: PRESENT | FILE | EXCL | SD, kind: 'present' },
  { label: 'PROT_NONE anon (PFN stored inverted)', pte: () => 0x8000000000000120n | ((~0x1234n & ((1n << 40n) - 1n)) << 12n), ctx: ctx(), typeName: null, number: 0x1234, flags: PRESENT | EXCL, kind: 'present' },
  { label: 'present zero page', pte: () => present(ZERO_PFN, 0x225n), ctx: ctx({ zeroPfn: true }), typeName: null, number: ZERO_PFN, flags: PRESENT, kind: 'present' },
  { label: 'present uffd-wp', pte: () => present(0x40000, 0x425n), ctx: ctx(), typeName: null, number: 0x40000, flags: PRESENT | EXCL | UFFD, kind: 'present' },
  { label: 'swap file 3, slot 2^50-1, uffd-wp', pte: (k) => swapPte(k, k.swp_entry(3, (1n << 50n) - 1n), { uffd: true }), ctx: ctx(), typeName: 'swapfile_3', number: 2 ** 50 - 1, flags: SWAP | UFFD, kind: 'swap' },
  { label: 'migration read of a file page, soft-dirty', pte: (k) => swapPte(k, k.make_readable_migration_entry(asPfn(0x3ffffffff)), { sd: true }), ctx: ctx({ anon: false }), typeName: 'SWP_MIGRATION_READ', number: 0x3ffffffff, flags: SWAP | FILE | SD, kind: 'migration' },
  { label: 'migration read-exclusive', pte: (k) => swapPte(k, k.make_readable_exclusive_migration_entry(asPfn(0x1234))), ctx: ctx(), typeName: 'SWP_MIGRATION_READ_EXCLUSIVE', number: 0x1234, flags: SWAP, kind: 'migration' },
  { label: 'migration write with A+D (masked away)', pte: (k) => swapPte(k, k.make_migration_entry_dirty(k.make_migration_entry_young(k.make_writable_migration_entry(asPfn(0x1234))))), ctx: ctx(), typeName: 'SWP_MIGRATION_WRITE', number: 0x1234, flags: SWAP, kind: 'migration' },
  { label: 'device-private read, uffd-wp', pte: (k) => swapPte(k, k.make_readable_device_private_entry(asPfn(0x10)), { uffd: true }), ctx: ctx(), typeName: 'SWP_DEVICE_READ', number: 0x10, flags: SWAP | UFFD, kind: 'device-private' },
  { label: 'device-private write', pte: (k) => swapPte(k, k.make_writable_device_private_entry(asPfn(0x10))), ctx: ctx(), typeName: 'SWP_DEVICE_WRITE', number: 0x10, flags: SWAP, kind: 'device-private' },
  { label: 'device-exclusive', pte: (k) => swapPte(k, k.make_device_exclusive_entry(asPfn(0x1234))), ctx: ctx(), typeName: 'SWP_DEVICE_EXCLUSIVE', number: 0x1234, flags: SWAP, kind: 'device-exclusive' },
  { label: 'hwpoison of a file page', pte: (k) => swapPte(k, k.make_hwpoison_entry(asPfn(0x1234))), ctx: ctx({ anon: false }), typeName: 'SWP_HWPOISON', number: 0x1234, flags: SWAP | FILE, kind: 'hwpoison' },
  { label: 'marker uffd-wp (page context ignored)', pte: (k) => marker(k, PTE_MARKER_UFFD_WP), ctx: ctx({ anon: false }), typeName: 'SWP_PTE_MARKER', number: 1, flags: SWAP | UFFD, kind: 'pte-marker' },
  { label: 'marker poisoned', pte: (k) => marker(k, PTE_MARKER_POISONED), ctx: ctx(), typeName: 'SWP_PTE_MARKER', number: 2, flags: SWAP, kind: 'pte-marker' },
  { label: 'marker guard in a soft-dirty VMA', pte: (k) => marker(k, PTE_MARKER_GUARD), ctx: ctx({ vmaSoftDirty: true }), typeName: 'SWP_PTE_MARKER', number: 4, flags: SWAP | GUARD | SD, kind: 'pte-marker' },
];

/** The series' device-migration entries, which only the rfc and series profiles have. */
const DEVICE_MIGRATION: readonly Derived[] = [
  { label: 'device-migration read', pte: (k) => swapPte(k, k.make_readable_migration_device_private_entry(asDeviceOffset(0x10))), ctx: ctx(), typeName: 'SWP_MIGRATION_DEVICE_READ', number: 0x10, flags: SWAP, kind: 'device-migration' },
  { label: 'device-migration read-exclusive, soft-dirty', pte: (k) => swapPte(k, k.make_readable_exclusive_migration_device_private_entry(asDeviceOffset(0x7ff)), { sd: true }), ctx: ctx(), typeName: 'SWP_MIGRATION_DEVICE_READ_EXCLUSIVE', number: 0x7ff, flags: SWAP | SD, kind: 'device-migration' },
  { label: 'device-migration write with A+D (masked away)', pte: (k) => swapPte(k, k.make_migration_entry_dirty(k.make_migration_entry_young(k.make_writable_migration_device_private_entry(asDeviceOffset(0x10))))), ctx: ctx(), typeName: 'SWP_MIGRATION_DEVICE_WRITE', number: 0x10, flags: SWAP, kind: 'device-migration' },
];

/** Type numbers per profile, as the spec lists them (A.3; pmd-vectors meta for the series). */
const TYPES: Record<'base' | 'rfc', Record<string, number>> = {
  base: { SWP_HWPOISON: 24, SWP_MIGRATION_READ: 25, SWP_MIGRATION_READ_EXCLUSIVE: 26, SWP_MIGRATION_WRITE: 27, SWP_DEVICE_WRITE: 28, SWP_DEVICE_READ: 29, SWP_DEVICE_EXCLUSIVE: 30, SWP_PTE_MARKER: 31, swapfile_3: 3 },
  rfc: {
    SWP_HWPOISON: 21, SWP_MIGRATION_READ: 22, SWP_MIGRATION_READ_EXCLUSIVE: 23, SWP_MIGRATION_WRITE: 24, SWP_DEVICE_WRITE: 25, SWP_DEVICE_READ: 26, SWP_DEVICE_EXCLUSIVE: 27,
    SWP_MIGRATION_DEVICE_READ: 28, SWP_MIGRATION_DEVICE_READ_EXCLUSIVE: 29, SWP_MIGRATION_DEVICE_WRITE: 30, SWP_PTE_MARKER: 31, swapfile_3: 3,
  },
};

/** The record by the kernel's formula, on bigints. */
function expected(d: Derived, types: Record<string, number>): bigint {
  if (d.typeName === null) return make_pme(BigInt(d.number), d.flags);
  return make_pme(BigInt(types[d.typeName]!) | (BigInt(d.number) << 5n), d.flags);
}

const CASES: [ProfileId, 'base' | 'rfc', readonly Derived[]][] = [
  ['v6.18', 'base', DERIVED],
  ['7.3', 'base', DERIVED],
  ['rfc', 'rfc', [...DERIVED, ...DEVICE_MIGRATION]],
  ['series', 'rfc', [...DERIVED, ...DEVICE_MIGRATION]],
];

describe.each(CASES)('derived records under %s', (profile, numbering, table) => {
  const k = K(profile);
  it.each(table)('$label', (d) => {
    const want = expected(d, TYPES[numbering]);
    const pte = d.pte(k);
    expect(hex64(pagemapOfPte(k, pte, d.ctx))).toBe(hex64(want));
    // A.2: without CAP_SYS_ADMIN the frame is 0 for every kind, every flag stays
    expect(hex64(pagemapOfPte(k, pte, noCap(d.ctx)))).toBe(hex64(want & FLAGS));
    const dec = decodePagemap(k, want);
    expect(dec.kind).toBe(d.kind);
    expect(dec.swapEntry?.typeName ?? null).toBe(d.typeName);
    expect(dec.problems).toEqual([]);
    if (d.kind === 'present') expect(dec.pfn).toBe(d.number);
    else if (d.typeName) expect(dec.swapEntry?.offset).toBe(d.number);
  });
});

describe('naming a special type under the chosen kernel', () => {
  it.each([
    ['v6.18', 'SWP_DEVICE_WRITE', 'device-private'],
    ['7.3', 'SWP_DEVICE_WRITE', 'device-private'],
    ['rfc', 'SWP_MIGRATION_DEVICE_READ', 'device-migration'],
    ['series', 'SWP_MIGRATION_DEVICE_READ', 'device-migration'],
  ] as const)('a record with type 28 is %s: %s', (profile, name, kind) => {
    const d = decodePagemap(K(profile), SWAP | (0x10n << 5n) | 28n);
    expect(d.swapEntry?.typeName).toBe(name);
    expect(d.kind).toBe(kind);
    expect(d.pfnSpace).toBe(profile === 'rfc' || profile === 'series' ? 'device' : 'phys');
  });

  it('7.3 names the softleaf type too', () => {
    expect(decodePagemap(K('7.3'), SWAP | (0x1234n << 5n) | 27n).swapEntry?.softleafType).toBe('SOFTLEAF_MIGRATION_WRITE');
    expect(decodePagemap(K('v6.18'), SWAP | (0x1234n << 5n) | 27n).swapEntry?.softleafType).toBeNull();
  });

  it('the type table of the kernel config decides: without DEVICE_PRIVATE and MEMORY_FAILURE type 28 is SWP_MIGRATION_READ', () => {
    const k = getKernel('v6.18', { DEVICE_PRIVATE: false, MIGRATION: true, MEMORY_FAILURE: false }, X86);
    expect(decodePagemap(k, SWAP | (0x1234n << 5n) | 28n).swapEntry?.typeName).toBe('SWP_MIGRATION_READ');
  });
});

describe('what a record cannot tell', () => {
  const k = K('7.3');
  it('without CAP_SYS_ADMIN a swapped record has no type: the kind is unknown, unless PM_GUARD_REGION says guard marker', () => {
    expect(decodePagemap(k, SWAP, { pfnVisible: false }).kind).toBeNull();
    expect(decodePagemap(k, SWAP | GUARD, { pfnVisible: false }).kind).toBe('pte-marker');
    expect(decodePagemap(k, PRESENT | EXCL, { pfnVisible: false })).toMatchObject({ kind: 'present', pfn: null, problems: [] });
  });

  it('a hole and a none PTE read the same: none', () => {
    expect(decodePagemap(k, 0n)).toMatchObject({ kind: 'none', summary: 'none', problems: [] });
    expect(decodePagemap(k, SD)).toMatchObject({ kind: 'none', softDirty: true, problems: [] });
  });

  it.each([
    ['bits 59-60 set', PRESENT | (1n << 59n), /bits 59-60/],
    ['present and swapped', PRESENT | SWAP, /both set/],
    ['exclusive without present', SWAP | EXCL | 0x21cn, /PM_MMAP_EXCLUSIVE without PM_PRESENT/],
    ['guard without swap', GUARD, /PM_GUARD_REGION without PM_SWAP/],
    ['guard on a migration entry', SWAP | GUARD | (0x1234n << 5n) | 27n, /only a guard marker/],
    ['a guard marker without PM_GUARD_REGION (before 6.15)', SWAP | 0x9fn, /before 6.15/],
    ['PFN too wide', SWAP | (1n << 39n) | 27n, /wider than SWP_PFN_BITS/],
    ['frame in a none record', 0x1234n, /hole or none PTE has frame 0/],
    ['hugetlb non-present: uffd-wp alone', UFFD, /hugetlb/],
    ['PM_FILE on a marker', SWAP | FILE | 0x5fn, /marker has no page/],
  ])('%s is reported', (_, record, re) => {
    expect(decodePagemap(k, record).problems.join(' ')).toMatch(re);
  });

  it('a non-zero frame read without CAP_SYS_ADMIN is reported', () => {
    expect(decodePagemap(k, SWAP | 0x21cn, { pfnVisible: false }).problems.join(' ')).toMatch(/without CAP_SYS_ADMIN/);
  });
});

describe('labelled fields', () => {
  const k = K('v6.18');
  it('a guard marker reads bit by bit as the bit layout view will show it', () => {
    const labels = decodePagemap(k, 0x440000000000009fn).fields.map((f) => f.label);
    expect(labels).toEqual([
      'bit 63: PM_PRESENT clear', 'bit 62: PM_SWAP set', 'bit 61: PM_FILE clear', 'bits 59–60: zero 0', 'bit 58: PM_GUARD_REGION set',
      'bit 57: PM_UFFD_WP clear', 'bit 56: PM_MMAP_EXCLUSIVE clear', 'bit 55: PM_SOFT_DIRTY clear', 'bits 8–54: offset bits above PTE_MARKER_MASK 0',
      'bits 5–7: PTE marker bits (GUARD 4, POISONED 2, UFFD_WP 1) 0x4 = GUARD', 'bits 0–4: swap type 31, SWP_PTE_MARKER',
    ]);
  });
  it.each([
    [0x8100000000001234n, 'bits 0–54: PFN 0x1234'],
    [0x400000000002469bn, 'bits 5–54: PFN 0x1234'],
    [0x4000000000000840n, 'bits 5–54: swap offset (slot) 0x42'],
    [0x8100000000000000n, 'bits 0–54: frame hidden, 0 (no CAP_SYS_ADMIN)'],
  ])('%s has the field "%s"', (record, label) => {
    const d = decodePagemap(k, record, { pfnVisible: !label.includes('hidden') });
    expect(d.fields.map((f) => f.label)).toContain(label);
  });
  it('under the series a device-private record names a device-private offset', () => {
    expect(decodePagemap(K('series'), 0x4000000000000219n).fields.map((f) => f.label)).toContain('bits 5–54: device-private offset 0x10');
  });
});

describe('round trip: record -> decode -> fields -> the same numbers', () => {
  const profiles: ProfileId[] = ['v6.18', 'series'];
  it.each(profiles)('%s: the fields cover bits 0..63 once and their stored bits rebuild the record', (profile) => {
    const k = K(profile);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.boolean(), (record, pfnVisible) => {
        const d = decodePagemap(k, record, { pfnVisible });
        let covered = 0n;
        let rebuilt = 0n;
        for (const f of d.fields) {
          const mask = ((1n << BigInt(f.hi - f.lo + 1)) - 1n) << BigInt(f.lo);
          expect(covered & mask).toBe(0n);
          covered |= mask;
          rebuilt |= f.stored << BigInt(f.lo);
        }
        expect(covered).toBe((1n << 64n) - 1n);
        expect(rebuilt).toBe(record);
      }),
      { seed: 0x9a6e, numRuns: 250 },
    );
  });

  it.each(profiles)('%s: a swap PTE\'s record decodes to its type, PFN or offset and flags', (profile) => {
    const k = K(profile);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 31 }), fc.bigInt({ min: 0n, max: (1n << 50n) - 1n }), fc.boolean(), fc.boolean(), fc.boolean(), (type, offset, sd, uffd, anon) => {
        const pte = swapPte(k, k.swp_entry(type, offset), { sd, uffd });
        const c = ctx({ anon });
        const d = decodePagemap(k, pagemapOfPte(k, pte, c));
        const row = k.row(type);
        const number = row?.pfn ? Number(offset & k.SWP_PFN_MASK) : Number(offset);
        expect(d.swap && !d.present).toBe(true);
        expect(d.swapEntry?.type).toBe(type);
        expect(d.swapEntry?.offset).toBe(number);
        expect(d.softDirty).toBe(sd);
        expect(d.file).toBe(!anon && row?.pfn != null);
        expect(d.exclusive).toBe(false);
      }),
      { seed: 0x5eed, numRuns: 250 },
    );
  });

  it('presentPfnOfRecord gives the PFN of a present record and -1 otherwise', () => {
    const half = (r: bigint) => [Number(r >> 32n), Number(r & 0xffffffffn)] as const;
    expect(presentPfnOfRecord(...half(0x81000012345abcden))).toBe(0x12345abcde);
    expect(presentPfnOfRecord(...half(0x8100000000000000n))).toBe(0);
    expect(presentPfnOfRecord(...half(0x400000000002469bn))).toBe(-1);
    expect(presentPfnOfRecord(...half(0n))).toBe(-1);
  });

  it('classifyPagemap on halves agrees with decodePagemap', () => {
    const k = K('7.3');
    const out = newPagemapClassified();
    for (const r of [0x8100000000001234n, 0x400000000002469bn, 0x440000000000009fn, 0n, 0x4000000000000840n]) {
      const c = classifyPagemap(k, Number(r >> 32n), Number(r & 0xffffffffn), true, out);
      const d = decodePagemap(k, r);
      expect([c.present, c.swap, c.guard, c.kind < 0 ? null : c.kind]).toEqual([d.present, d.swap, d.guard, d.kind === null ? null : ['none', 'present', 'swap', 'migration', 'device-migration', 'device-private', 'device-exclusive', 'hwpoison', 'pte-marker'].indexOf(d.kind)]);
    }
  });
});

describe('PMD subpages (pagemap_pmd_range_thp, pmd-and-thp.md §f)', () => {
  const scratch = newClassified();
  it.each(fixture.pmd_subpage_records)('$id: subpage $inputs.index of $inputs.pmd is $pagemap', (v) => {
    const k = K(v.profile as ProfileId);
    const pmd = BigInt(v.inputs.pmd);
    const c = classify(k, Number(pmd >> 32n), Number(pmd & 0xffffffffn), scratch);
    const context = { ...ctx({ anon: v.inputs.anon, vmaSoftDirty: v.inputs.vma_softdirty }), showPfn: v.inputs.show_pfn };
    expect(hex64(pagemapOfLeaf(k, c, context, v.inputs.index))).toBe(v.pagemap);
  });
  it('a marker or swap entry has one record only', () => {
    const k = K('7.3');
    const pte = marker(k, PTE_MARKER_GUARD);
    const c = classify(k, Number(pte >> 32n), Number(pte & 0xffffffffn), scratch);
    expect(() => pagemapOfLeaf(k, c, ctx(), 1)).toThrow(/only a present or PFN-carrying leaf/);
  });
});

describe('PAGEMAP_SCAN categories (pagemap_page_category)', () => {
  const k618 = K('v6.18');
  const k73 = K('7.3');
  it.each([
    ['none in a plain VMA', k618, 0n, ctx(), 0],
    ['none in a soft-dirty, async-wp VMA', k618, 0n, ctx({ vmaSoftDirty: true, uffd: 'wp-async' }), PAGE_IS_SOFT_DIRTY | PAGE_IS_WPALLOWED],
    ['present anon (v6.18: WRITTEN outside uffd VMAs too)', k618, present(0x1234), ctx(), PAGE_IS_PRESENT | PAGE_IS_WRITTEN],
    ['present anon (7.3: WRITTEN only in VM_UFFD_WP VMAs)', k73, present(0x1234), ctx(), PAGE_IS_PRESENT],
    ['present anon in a wp VMA, 7.3', k73, present(0x1234), ctx({ uffd: 'wp' }), PAGE_IS_PRESENT | PAGE_IS_WRITTEN],
    ['present uffd-wp protected: not written', k73, present(0x1234, 0x425n), ctx({ uffd: 'wp' }), PAGE_IS_PRESENT],
    ['present in an RWP VMA, 7.3: accessed', k73, present(0x1234), ctx({ uffd: 'rwp' }), PAGE_IS_PRESENT | PAGE_IS_ACCESSED],
    ['present file, soft-dirty', k618, present(0x1234, 0x867n), ctx({ anon: false }), PAGE_IS_PRESENT | PAGE_IS_WRITTEN | PAGE_IS_FILE | PAGE_IS_SOFT_DIRTY],
    ['zero page', k618, present(ZERO_PFN, 0x225n), ctx({ zeroPfn: true }), PAGE_IS_PRESENT | PAGE_IS_WRITTEN | PAGE_IS_PFNZERO],
    ['swap, soft-dirty', k618, 0n, ctx(), PAGE_IS_SWAPPED | PAGE_IS_WRITTEN | PAGE_IS_SOFT_DIRTY],
    ['migration of a file page', k618, 1n, ctx({ anon: false }), PAGE_IS_SWAPPED | PAGE_IS_WRITTEN | PAGE_IS_FILE],
    ['guard marker', k618, 2n, ctx({ anon: false }), PAGE_IS_SWAPPED | PAGE_IS_WRITTEN | PAGE_IS_GUARD],
    ['uffd-wp marker: not written', k618, 3n, ctx({ uffd: 'wp-async' }), PAGE_IS_SWAPPED | PAGE_IS_WPALLOWED],
  ] as const)('%s', (_, k, pteOrCase, c, want) => {
    const pte = typeof pteOrCase === 'bigint' && pteOrCase > 3n ? pteOrCase
      : pteOrCase === 0n && _.startsWith('swap') ? swapPte(k, k.swp_entry(0, 0x42n), { sd: true })
        : pteOrCase === 1n ? swapPte(k, k.make_readable_migration_entry(asPfn(0x1234)))
          : pteOrCase === 2n ? marker(k, PTE_MARKER_GUARD)
            : pteOrCase === 3n ? marker(k, PTE_MARKER_UFFD_WP)
              : pteOrCase;
    const got = pagemapScanCategories(k, pte, c);
    expect(scanCategoryNames(got)).toEqual(scanCategoryNames(want));
  });
});

describe('which profile reads a running kernel', () => {
  it.each([
    ['6.18.44-fc-v973', 'v6.18', true],
    ['6.15.0', 'v6.18', true],
    ['6.19.2-arch1', '7.3', true],
    ['7.3.4', '7.3', true],
    ['7.10.1', '7.3', false],
    ['6.8.0-51-generic', 'v6.18', false],
    ['4.2.0', 'v6.18', false],
  ] as const)('%s -> %s (exact: %s)', (text, profile, exact) => {
    const r = parseKernelRelease(text);
    expect(r).not.toBeNull();
    expect(profileForRelease(r!)).toMatchObject({ ok: true, profile, exact });
  });
  it('before 6.15 the note warns that special type names are unreliable', () => {
    const p = profileForRelease(parseKernelRelease('6.8.0')!);
    expect(p.ok && p.note).toMatch(/unreliable/);
  });
  it('a kernel before 4.2 cannot be read', () => {
    expect(profileForRelease(parseKernelRelease('3.10.0-1160.el7.x86_64')!)).toMatchObject({ ok: false, error: expect.stringMatching(/page shift/) });
  });
  it.each(['', 'linux', '6', 'v6.18'])('"%s" is not a release', (t) => {
    expect(parseKernelRelease(t)).toBeNull();
  });
  it.each([
    ['6.14.0', true, ['PM_GUARD_REGION']],
    ['5.10.0', true, ['PM_UFFD_WP', 'PM_GUARD_REGION']],
    ['6.18.44', false, ['PM_SOFT_DIRTY']],
    ['6.18.44', null, []],
    ['7.3.4', true, []],
  ] as const)('pagemap of %s (MEM_SOFT_DIRTY %s) lacks %j', (text, sd, lacks) => {
    expect(pagemapLacks(parseKernelRelease(text)!, sd).map((l) => l.bit)).toEqual(lacks);
  });
});

describe('the bit table', () => {
  it('names each bit once, at the positions of fs/proc/task_mmu.c', () => {
    expect(PAGEMAP_BITS.map((b) => [b.name, b.bit])).toEqual([
      ['PM_SOFT_DIRTY', 55], ['PM_MMAP_EXCLUSIVE', 56], ['PM_UFFD_WP', 57], ['PM_GUARD_REGION', 58], ['PM_FILE', 61], ['PM_SWAP', 62], ['PM_PRESENT', 63],
    ]);
    expect(hex64(PM_PFRAME_MASK)).toBe('0x007fffffffffffff');
  });
  it('DEFAULT_PAGEMAP_CONTEXT is a private anon page mapped once, read with CAP_SYS_ADMIN', () => {
    expect(hex64(pagemapOfPte(K('rfc'), present(0x1234)))).toBe('0x8100000000001234');
    expect(DEFAULT_PAGEMAP_CONTEXT.showPfn).toBe(true);
  });
  it('on arm64 a guard marker has the same record', () => {
    const k = K('7.3', { arch: 'arm64', paging: 4, migrationAd: true });
    expect(hex64(pagemapOfPte(k, marker(k, PTE_MARKER_GUARD), ctx()))).toBe('0x440000000000009f');
  });
});
