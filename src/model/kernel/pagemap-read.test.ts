/**
 * Reading a pagemap record back: decodePagemap()'s summary, every "pte_to_pagemap_entry() never
 * produces this" problem, the 64 labelled bits of each kind of record, the fast classifier on 32-bit
 * halves, PAGEMAP_SCAN category names, and which PM_* bits a release reports. The bit positions are
 * fs/proc/task_mmu.c's (PM_PRESENT 63, PM_SWAP 62, PM_FILE 61, PM_GUARD_REGION 58, PM_UFFD_WP 57,
 * PM_MMAP_EXCLUSIVE 56, PM_SOFT_DIRTY 55, frame 0..54; a swap frame is type | offset << 5), with
 * "(since …)" from Documentation/admin-guide/mm/pagemap.rst.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from './config.ts';
import { getKernel, type Kernel } from './kernel.ts';
import { KIND, newClassified, classify } from './leafops.ts';
import {
  classifyPagemap, decodePagemap, DEFAULT_PAGEMAP_CONTEXT, DEFAULT_PAGEMAP_CONTEXT_TEXT, newPagemapClassified, PAGE_IS_ACCESSED, PAGE_IS_FILE,
  PAGE_IS_GUARD, PAGE_IS_HUGE, PAGE_IS_PFNZERO, PAGE_IS_PRESENT, PAGE_IS_SOFT_DIRTY, PAGE_IS_SWAPPED, PAGE_IS_WPALLOWED, PAGE_IS_WRITTEN,
  PAGEMAP_BITS, pagemapLacks, pagemapOfLeaf, pagemapOfPmd, pagemapOfPte, pagemapScanCategories, scanCategoryNames, type PagemapContext,
} from './pagemap.ts';
import type { ProfileId } from './profiles.ts';
import { parseKernelRelease } from './release.ts';
import { EXCL, FILE, GUARD, PRESENT, SD, SWAP, UFFD } from '../../../test/pagemapBits.ts';

const K = (p: ProfileId): Kernel => getKernel(p, DEFAULT_CONFIG, { arch: 'x86_64', paging: 4, migrationAd: true });
/** A swap record's frame: type in bits 0..4, offset from bit 5. */
const swap = (type: number, offset: bigint) => SWAP | (offset << 5n) | BigInt(type);
const halves = (r: bigint) => [Number(r >> 32n), Number(r & 0xffffffffn)] as const;

const ctx = (o: Partial<{ softDirty: boolean; uffd: PagemapContext['vma']['uffd']; anon: boolean; mappedOnce: boolean; noPage: boolean; zeroPfn: boolean }> = {}): PagemapContext => ({
  vma: { softDirty: o.softDirty ?? false, uffd: o.uffd ?? 'none' },
  page: o.noPage ? null : { anon: o.anon ?? true, mappedOnce: o.mappedOnce ?? true },
  zeroPfn: o.zeroPfn ?? false,
  showPfn: true,
});

describe('the bit table and the defaults', () => {
  it('each PM_* bit with the release that added it (pagemap.rst) and one sentence', () => {
    expect(PAGEMAP_BITS.map((b) => [b.name, b.since.join('.')])).toEqual([
      ['PM_SOFT_DIRTY', '3.11'], ['PM_MMAP_EXCLUSIVE', '4.2'], ['PM_UFFD_WP', '5.13'], ['PM_GUARD_REGION', '6.15'], ['PM_FILE', '3.5'], ['PM_SWAP', '2.6'], ['PM_PRESENT', '2.6'],
    ]);
    for (const b of PAGEMAP_BITS) expect([b.name, b.meaning.length > 20]).toEqual([b.name, true]);
  });

  it('the default context is a private anonymous page mapped once, read with CAP_SYS_ADMIN, and says so', () => {
    expect(DEFAULT_PAGEMAP_CONTEXT).toEqual({ vma: { softDirty: false, uffd: 'none' }, page: { anon: true, mappedOnce: true }, zeroPfn: false, showPfn: true });
    expect(DEFAULT_PAGEMAP_CONTEXT_TEXT).toBe('a private anonymous page mapped once, VMA soft-dirty cleared, no userfaultfd, opener with CAP_SYS_ADMIN');
  });
});

describe('what decodePagemap() says: the summary', () => {
  const k = K('7.3');
  it.each([
    [0n, true, 'none'],
    [SD, true, 'none soft-dirty'],
    [UFFD, true, 'not present, not swapped uffd-wp'],
    [PRESENT | EXCL | SD | 0x1234n, true, 'present pfn=0x1234 exclusive soft-dirty'],
    [PRESENT | FILE | UFFD | 0x1234n, true, 'present pfn=0x1234 file uffd-wp'],
    [PRESENT | EXCL, false, 'present pfn hidden exclusive'],
    [PRESENT | SWAP, true, 'present and swapped (contradictory)'],
    [SWAP | GUARD, false, 'swapped, type hidden (no CAP_SYS_ADMIN) guard'],
    [swap(3, 0x42n), true, 'swapfile_3(3) off=0x42'],
    [swap(27, 0x1234n) | SD, true, 'SWP_MIGRATION_WRITE(27) pfn=0x1234 soft-dirty'],
    [swap(31, 4n) | GUARD, true, 'SWP_PTE_MARKER(31) GUARD guard'],
    [swap(31, 3n) | UFFD, true, 'SWP_PTE_MARKER(31) POISONED|UFFD_WP uffd-wp'],
    [swap(31, 0n), true, 'SWP_PTE_MARKER(31) no marker bits'],
  ] as const)('%s (frame visible: %s): %s', (record, pfnVisible, summary) => {
    expect(decodePagemap(k, record, { pfnVisible }).summary).toBe(summary);
  });

  it('under the series a device-private record names a device-private offset', () => {
    expect(decodePagemap(K('series'), swap(25, 0x10n)).summary).toBe('SWP_DEVICE_WRITE(25) device-offset=0x10');
    expect(decodePagemap(K('7.3'), swap(28, 0x10n)).summary).toBe('SWP_DEVICE_WRITE(28) pfn=0x10');
  });
});

describe('what decodePagemap() says: the problems, each with its reason', () => {
  const k = K('7.3');
  it.each([
    ['bit 60 alone', PRESENT | EXCL | (1n << 60n) | 0x1234n, true, ['bits 59-60 are set: pagemap always reports them as zero']],
    ['exclusive on a swap record', swap(3, 0x42n) | EXCL, true, ['PM_MMAP_EXCLUSIVE without PM_PRESENT: pte_to_pagemap_entry() sets it only for present PTEs']],
    ['a frame in a record with neither bit', 0x1234n, true, ['frame 0x1234 with neither PM_PRESENT nor PM_SWAP: a hole or none PTE has frame 0']],
    ['uffd-wp with neither bit', UFFD, true, ['PM_UFFD_WP with neither PM_PRESENT nor PM_SWAP: only a non-present hugetlb entry reads like this (pagemap_hugetlb_range() reports no PM_SWAP); the entry kind cannot be told']],
    ['uffd-wp and file with neither bit (no hugetlb reading)', UFFD | FILE, true, []],
    ['a frame read without CAP_SYS_ADMIN', swap(3, 0x42n), false, ['frame 0x843 is not 0, but without CAP_SYS_ADMIN pagemap reports 0 for every entry']],
    ['a migration offset wider than SWP_PFN_BITS', swap(27, 1n << 34n), true, ['offset 0x400000000 is wider than SWP_PFN_BITS (34): softleaf_to_pfn() masks it, so pagemap never reports it']],
    ['the largest PFN that fits', swap(27, (1n << 34n) - 1n), true, []],
    ['PM_FILE on a device-private entry', swap(28, 0x10n) | FILE, true, ['PM_FILE on a device-private entry: only anonymous memory migrates to device-private memory']],
    ['PM_FILE on a migration entry of a file page', swap(27, 0x1234n) | FILE, true, []],
    ['a marker above PTE_MARKER_MASK', swap(31, 8n | 2n), true, ['marker offset 0xa has bits outside PTE_MARKER_MASK (0x7)']],
    ['a marker of exactly PTE_MARKER_MASK, uffd-wp and guard shown', swap(31, 7n) | UFFD | GUARD, true, []],
    ['a marker with no bits', swap(31, 0n), true, ['a PTE marker with no marker bits: make_pte_marker() is never called with 0']],
    ['a guard marker without PM_GUARD_REGION', swap(31, 4n), true, ['a guard marker without PM_GUARD_REGION (a kernel before 6.15 reads like this)']],
    ['PM_GUARD_REGION on a poisoned marker', swap(31, 2n) | GUARD, true, ['PM_GUARD_REGION on a marker without PTE_MARKER_GUARD']],
    ['a uffd-wp marker without PM_UFFD_WP', swap(31, 1n), true, ['a uffd-wp marker without PM_UFFD_WP']],
    ['PM_FILE on a marker', swap(31, 2n) | FILE, true, ['PM_FILE on a marker: a marker has no page']],
    ['PM_GUARD_REGION on a swap entry', swap(3, 0x42n) | GUARD, true, ['PM_GUARD_REGION on a swapfile_3 entry: only a guard marker sets it']],
    ['type 0 slot 0', swap(0, 0n), true, ['frame 0: swap type 0 slot 0 is the swap header and never mapped; was the file read without CAP_SYS_ADMIN?']],
    ['type 0 slot 1', swap(0, 1n), true, []],
    ['type 1 slot 0', swap(1, 0n), true, []],
    ['PFN 0 of a present record', PRESENT | EXCL, true, ['PFN 0: was the file read without CAP_SYS_ADMIN?']],
    ['PFN 0 of a present record read without CAP_SYS_ADMIN', PRESENT | EXCL, false, []],
  ] as const)('%s', (_w, record, pfnVisible, problems) => {
    expect(decodePagemap(k, record, { pfnVisible }).problems).toEqual(problems);
  });

  it('a contradictory record has no kind and no PFN; a present one read with the capability has its PFN', () => {
    expect(decodePagemap(k, PRESENT | SWAP | 0x1234n)).toMatchObject({ kind: null, pfn: null, pfnSpace: null, swapEntry: null });
    expect(decodePagemap(k, PRESENT | 0x1234n)).toMatchObject({ kind: 'present', pfn: 0x1234, pfnSpace: 'phys' });
    expect(decodePagemap(k, PRESENT | 0x1234n, { pfnVisible: false })).toMatchObject({ kind: 'present', pfn: null, pfnSpace: null });
    expect(decodePagemap(k, swap(27, 0x1234n), { pfnVisible: false })).toMatchObject({ kind: null, swapEntry: null, pfn: null });
  });

  it('a swap record names its type under the profile\'s API: softleaf names a swap file SOFTLEAF_SWAP', () => {
    expect(decodePagemap(k, swap(3, 0x42n)).swapEntry).toMatchObject({ type: 3, typeName: 'swapfile_3', offset: 0x42, softleafType: 'SOFTLEAF_SWAP', row: undefined });
    expect(decodePagemap(K('v6.18'), swap(3, 0x42n)).swapEntry?.softleafType).toBeNull();
    expect(decodePagemap(k, swap(31, 6n) | GUARD).marker).toEqual({ bits: 6, uffdWp: false, poisoned: true, guard: true });
  });
});

describe('the 64 labelled bits of a record', () => {
  const k = K('7.3');
  const fields = (record: bigint, pfnVisible = true, kk = k) => decodePagemap(kk, record, { pfnVisible }).fields;
  const flagLabels = (r: bigint) => [
    `bit 63: PM_PRESENT ${r & PRESENT ? 'set' : 'clear'}`, `bit 62: PM_SWAP ${r & SWAP ? 'set' : 'clear'}`, `bit 61: PM_FILE ${r & FILE ? 'set' : 'clear'}`,
    `bits 59–60: zero ${(r >> 59n) & 3n ? `0x${((r >> 59n) & 3n).toString(16)}` : '0'}`, `bit 58: PM_GUARD_REGION ${r & GUARD ? 'set' : 'clear'}`,
    `bit 57: PM_UFFD_WP ${r & UFFD ? 'set' : 'clear'}`, `bit 56: PM_MMAP_EXCLUSIVE ${r & EXCL ? 'set' : 'clear'}`, `bit 55: PM_SOFT_DIRTY ${r & SD ? 'set' : 'clear'}`,
  ];

  it.each([
    ['a present record', PRESENT | EXCL | 0x1234n, true, ['bits 0–54: PFN 0x1234']],
    ['a present record read without CAP_SYS_ADMIN', PRESENT | EXCL, false, ['bits 0–54: frame hidden, 0 (no CAP_SYS_ADMIN)']],
    ['a hidden non-zero frame', swap(3, 0x42n), false, ['bits 0–54: frame hidden, 0x843 (no CAP_SYS_ADMIN)']],
    ['a none record', SD, true, ['bits 0–54: frame 0']],
    ['a none record with a frame', 0x1234n, true, ['bits 0–54: frame 0x1234']],
    ['a none record read without CAP_SYS_ADMIN', 0n, false, ['bits 0–54: frame 0']],
    ['a swap slot', swap(3, 0x42n), true, ['bits 5–54: swap offset (slot) 0x42', 'bits 0–4: swap type 3, swapfile_3']],
    ['a migration entry', swap(27, 0x1234n), true, ['bits 5–54: PFN 0x1234', 'bits 0–4: swap type 27, SWP_MIGRATION_WRITE']],
    ['a marker with bits above the mask', swap(31, 0x1dn) | UFFD | GUARD, true, [
      'bits 8–54: offset bits above PTE_MARKER_MASK 0x3', 'bits 5–7: PTE marker bits (GUARD 4, POISONED 2, UFFD_WP 1) 0x5 = GUARD|UFFD_WP', 'bits 0–4: swap type 31, SWP_PTE_MARKER',
    ]],
    ['a poisoned marker', swap(31, 2n), true, [
      'bits 8–54: offset bits above PTE_MARKER_MASK 0', 'bits 5–7: PTE marker bits (GUARD 4, POISONED 2, UFFD_WP 1) 0x2 = POISONED', 'bits 0–4: swap type 31, SWP_PTE_MARKER',
    ]],
    ['a marker with no bits', swap(31, 0n), true, [
      'bits 8–54: offset bits above PTE_MARKER_MASK 0', 'bits 5–7: PTE marker bits (GUARD 4, POISONED 2, UFFD_WP 1) 0x0', 'bits 0–4: swap type 31, SWP_PTE_MARKER',
    ]],
    ['bits 59-60 set', PRESENT | (3n << 59n) | 0x1234n, true, ['bits 0–54: PFN 0x1234']],
    ['present and swapped: the frame is not read', PRESENT | SWAP | 0x10n, true, ['bits 0–54: frame 0x10']],
  ] as const)('%s', (_w, record, pfnVisible, tail) => {
    expect(fields(record, pfnVisible).map((f) => f.label)).toEqual([...flagLabels(record), ...tail]);
  });

  it('roles and notes: PM_PRESENT is the present bit, the others flags with their meaning; bits 59-60 must be zero', () => {
    const f = fields(PRESENT | (1n << 59n) | 0x1234n);
    expect(f.slice(0, 8).map((x) => [x.id, x.role])).toEqual([
      ['PM_PRESENT', 'present-bit'], ['PM_SWAP', 'flag'], ['PM_FILE', 'flag'], ['zero', 'must-be-zero'], ['PM_GUARD_REGION', 'flag'], ['PM_UFFD_WP', 'flag'],
      ['PM_MMAP_EXCLUSIVE', 'flag'], ['PM_SOFT_DIRTY', 'flag'],
    ]);
    expect(f[0]!.note).toBe(PAGEMAP_BITS.find((b) => b.name === 'PM_PRESENT')!.meaning);
    expect([f[3]!.name, f[3]!.note, f[3]!.stored, f[3]!.problem]).toEqual(['zero', 'always 0', 1n, 'bits 59-60 must be zero']);
    expect(fields(PRESENT | 0x1234n)[3]!.problem).toBeUndefined();
    expect(f[8]).toMatchObject({ id: 'pfn', name: 'PFN', role: 'pfn', note: 'pte_pfn(): the physical frame number', text: '0x1234', value: 0x1234n });
  });

  it('the frame\'s field says what it is for each kind of record', () => {
    const last = (record: bigint, pfnVisible = true, kk = k) => fields(record, pfnVisible, kk).slice(8);
    expect(last(PRESENT, false)[0]).toMatchObject({ id: 'frame', name: 'frame (hidden)', role: 'other', text: '0', note: 'without CAP_SYS_ADMIN pagemap reports 0 here for every entry' });
    expect(last(swap(3, 0x42n), false)[0]).toMatchObject({ id: 'frame', text: '0x843', stored: 0x843n });
    expect(last(0x1234n)[0]).toMatchObject({ id: 'frame', name: 'frame', role: 'other', text: '0x1234', note: 'no entry: 0' });
    expect(last(swap(3, 0x42n))[0]).toMatchObject({ id: 'offset', name: 'swap offset (slot)', role: 'offset', text: '0x42', note: 'the slot in swap device `type`' });
    expect(last(swap(27, 0x1234n))[0]).toMatchObject({
      id: 'offset', name: 'PFN (softleaf_to_pfn)', role: 'offset', text: '0x1234', note: 'swp_offset & SWP_PFN_MASK: the migration young/dirty bits are masked away',
    });
    expect(last(swap(25, 0x10n), true, K('series'))[0]).toMatchObject({ name: 'device-private offset (softleaf_to_pfn)', label: 'bits 5–54: device-private offset 0x10' });
    expect(last(swap(27, 0x1234n))[1]).toMatchObject({
      id: 'type', name: 'swap type (MAX_SWAPFILES_SHIFT = 5)', role: 'type', text: '27 = SWP_MIGRATION_WRITE',
      note: 'pagemap packs the type into the low bits (the kernel keeps it in the high bits of swp_entry_t)',
    });
    const m = last(swap(31, 4n) | GUARD);
    expect(m.map((x) => [x.id, x.role, x.note])).toEqual([['offset-high', 'offset', 'always 0'], ['marker', 'offset', 'what the marker stands for'], ['type', 'type', 'pagemap packs the type into the low bits (the kernel keeps it in the high bits of swp_entry_t)']]);
    expect(m[1]!.text).toBe('0x4 = GUARD');
  });
});

describe('classifyPagemap(): one record on two 32-bit halves', () => {
  const k = K('7.3');
  const run = (record: bigint, pfnVisible = true) => ({ ...classifyPagemap(k, ...halves(record), pfnVisible, newPagemapClassified()) });
  const flags = { present: false, swap: false, file: false, exclusive: false, uffdWp: false, guard: false, softDirty: false };

  it('a fresh record says nothing yet', () => {
    expect(newPagemapClassified()).toEqual({ kind: -1, ...flags, type: 0, frame: 0 });
  });

  it.each([
    ['a present record with a frame above 2^32', PRESENT | EXCL | 0x123456789n, true, { kind: KIND.present, present: true, exclusive: true, type: 0, frame: 0x123456789 }],
    ['a present record read without CAP_SYS_ADMIN', PRESENT | SD, false, { kind: KIND.present, present: true, softDirty: true, type: 0, frame: -1 }],
    ['present and swapped', PRESENT | SWAP | 0x10n, true, { kind: -1, present: true, swap: true, type: 0, frame: 0x10 }],
    ['a swap record with an offset above 2^27', swap(27, 0x123456789n), true, { kind: KIND.migration, swap: true, type: 27, frame: 0x123456789 }],
    ['a swap record read without CAP_SYS_ADMIN', SWAP | UFFD, false, { kind: -1, swap: true, uffdWp: true, type: 0, frame: -1 }],
    ['a guard marker read without CAP_SYS_ADMIN', SWAP | GUARD, false, { kind: KIND['pte-marker'], swap: true, guard: true, type: 0, frame: -1 }],
    ['none', SD, true, { kind: KIND.none, softDirty: true, type: 0, frame: 0 }],
    ['none with a frame above 2^32', 0x123456789n, true, { kind: KIND.none, type: 0, frame: 0x123456789 }],
    ['none read without CAP_SYS_ADMIN', 0n, false, { kind: KIND.none, type: 0, frame: -1 }],
    ['neither bit, uffd-wp (hugetlb)', UFFD, true, { kind: -1, uffdWp: true, type: 0, frame: 0 }],
    ['neither bit, guard', GUARD, true, { kind: -1, guard: true, type: 0, frame: 0 }],
    ['neither bit, file', FILE, true, { kind: -1, file: true, type: 0, frame: 0 }],
    ['neither bit, exclusive', EXCL, true, { kind: -1, exclusive: true, type: 0, frame: 0 }],
  ] as const)('%s', (_w, record, pfnVisible, want) => {
    const dirty = newPagemapClassified();
    classifyPagemap(k, ...halves(swap(31, 7n) | UFFD | GUARD | FILE | EXCL | SD), true, dirty);
    expect({ ...classifyPagemap(k, ...halves(record), pfnVisible, dirty) }).toEqual({ ...flags, ...want });
    expect(run(record, pfnVisible)).toEqual({ ...flags, ...want });
  });
});

describe('pte_to_pagemap_entry() and the PMD walker: the edges', () => {
  const k = K('7.3');
  const M50 = (1n << 50n) - 1n;
  const x86Swap = (type: number, off: bigint) => (BigInt(type) << 59n) | ((~off & M50) << 9n);
  /** pmd-vectors.json T01 (a fresh RW THP), its pmdp_invalidate() value, and the huge zero PMD. */
  const T01 = 0x80000000124008e7n;
  const INVALIDATED = 0x800fffffeda008e6n;

  it('a PFN above 2^32 lands in both halves of the frame', () => {
    expect(pagemapOfPte(k, 0x8000000123456867n)).toBe(PRESENT | EXCL | SD | 0x123456n);
    expect(pagemapOfPte(k, 0x8000123456789067n)).toBe(PRESENT | EXCL | 0x123456789n);
  });

  it('a PMD subpage record: present frame = pmd_pfn + i; the invalidated PMD is still pmd_present()', () => {
    expect(pagemapOfPmd(k, T01, DEFAULT_PAGEMAP_CONTEXT, 5)).toBe(PRESENT | EXCL | SD | (0x12400n + 5n));
    expect(pagemapOfPmd(k, INVALIDATED, DEFAULT_PAGEMAP_CONTEXT, 0)).toBe(PRESENT | EXCL | SD | 0x12400n);
    // the huge zero PMD is special: no page, so no PM_FILE or PM_MMAP_EXCLUSIVE whatever the context says
    expect(pagemapOfPmd(k, T01 | 0x200n, ctx({ anon: false }), 1)).toBe(PRESENT | SD | 0x12401n);
    expect(pagemapOfPmd(k, T01, ctx({ anon: false }), 1)).toBe(PRESENT | FILE | EXCL | SD | 0x12401n);
  });

  it('only a whole, non-negative subpage of a present or PFN-carrying leaf', () => {
    const c = (v: bigint) => classify(k, ...halves(v), newClassified());
    expect(() => pagemapOfLeaf(k, c(T01), DEFAULT_PAGEMAP_CONTEXT, 1.5)).toThrow(new RangeError('subpage 1.5: only a present or PFN-carrying leaf has more than one record'));
    expect(() => pagemapOfLeaf(k, c(T01), DEFAULT_PAGEMAP_CONTEXT, -1)).toThrow(RangeError);
    expect(() => pagemapOfLeaf(k, c(x86Swap(3, 0x42n)), DEFAULT_PAGEMAP_CONTEXT, 1)).toThrow(RangeError);
    expect(pagemapOfLeaf(k, c(x86Swap(27, 0x12400n)), DEFAULT_PAGEMAP_CONTEXT, 2)).toBe(swap(27, 0x12402n));
  });
});

describe('PAGEMAP_SCAN categories: the edges', () => {
  const k73 = K('7.3');
  const k618 = K('v6.18');
  const M50 = (1n << 50n) - 1n;
  const x86Swap = (type: number, off: bigint) => (BigInt(type) << 59n) | ((~off & M50) << 9n);

  it.each([
    ['7.3: present in an async-wp VMA is written and wp-allowed', k73, 0x8000000001234867n, ctx({ uffd: 'wp-async' }), PAGE_IS_PRESENT | PAGE_IS_WRITTEN | PAGE_IS_WPALLOWED | PAGE_IS_SOFT_DIRTY],
    ['7.3 (the RWP series): present in a VM_UFFD_RWP VMA is accessed, not written', k73, 0x8000000001234067n, ctx({ uffd: 'rwp' }), PAGE_IS_PRESENT | PAGE_IS_ACCESSED],
    ['v6.18: no RWP series, so no PAGE_IS_ACCESSED', k618, 0x8000000001234067n, ctx({ uffd: 'rwp' }), PAGE_IS_PRESENT | PAGE_IS_WRITTEN],
    ['a special PTE has no page: not a file page whatever the context', k618, 0x8000000001234267n, ctx({ anon: false }), PAGE_IS_PRESENT | PAGE_IS_WRITTEN],
    ['a swap slot of a file VMA is not PAGE_IS_FILE (no PFN, no page)', k618, x86Swap(3, 0x42n), ctx({ anon: false }), PAGE_IS_SWAPPED | PAGE_IS_WRITTEN],
    ['a migration entry of PFN 0 of a file page', k618, x86Swap(25, 0n), ctx({ anon: false }), PAGE_IS_SWAPPED | PAGE_IS_WRITTEN | PAGE_IS_FILE],
    ['a migration entry whose page is not known', k618, x86Swap(25, 0x1234n), ctx({ noPage: true }), PAGE_IS_SWAPPED | PAGE_IS_WRITTEN],
    ['a migration entry of an anonymous page', k618, x86Swap(25, 0x1234n), ctx(), PAGE_IS_SWAPPED | PAGE_IS_WRITTEN],
  ] as const)('%s', (_w, k, pte, c, want) => {
    expect(scanCategoryNames(pagemapScanCategories(k, pte, c))).toEqual(scanCategoryNames(want));
  });

  it('scanCategoryNames() names the set bits of include/uapi/linux/fs.h, low bit first', () => {
    expect([PAGE_IS_WPALLOWED, PAGE_IS_WRITTEN, PAGE_IS_FILE, PAGE_IS_PRESENT, PAGE_IS_SWAPPED, PAGE_IS_PFNZERO, PAGE_IS_HUGE, PAGE_IS_SOFT_DIRTY, PAGE_IS_GUARD, PAGE_IS_ACCESSED])
      .toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512]);
    expect(scanCategoryNames(0x3ff)).toEqual([
      'PAGE_IS_WPALLOWED', 'PAGE_IS_WRITTEN', 'PAGE_IS_FILE', 'PAGE_IS_PRESENT', 'PAGE_IS_SWAPPED', 'PAGE_IS_PFNZERO', 'PAGE_IS_HUGE', 'PAGE_IS_SOFT_DIRTY', 'PAGE_IS_GUARD', 'PAGE_IS_ACCESSED',
    ]);
    expect(scanCategoryNames(PAGE_IS_PRESENT | PAGE_IS_GUARD)).toEqual(['PAGE_IS_PRESENT', 'PAGE_IS_GUARD']);
    expect(scanCategoryNames(0)).toEqual([]);
  });
});

describe('which PM_* bits a release reports', () => {
  const lacks = (text: string, sd: boolean | null) => pagemapLacks(parseKernelRelease(text)!, sd);
  it('a bit is reported from its release on: 6.15 has PM_GUARD_REGION, 6.14 does not', () => {
    expect(lacks('6.15.0', true)).toEqual([]);
    expect(lacks('6.14.0', true)).toEqual([{ bit: 'PM_GUARD_REGION', why: 'Linux 6.14 predates it (since 6.15)' }]);
    expect(lacks('5.12.0', null).map((l) => l.bit)).toEqual(['PM_UFFD_WP', 'PM_GUARD_REGION']);
  });
  it('without CONFIG_MEM_SOFT_DIRTY nothing is soft-dirty; a release before 3.11 says so once, for its age', () => {
    expect(lacks('6.18.0', false)).toEqual([{ bit: 'PM_SOFT_DIRTY', why: 'CONFIG_MEM_SOFT_DIRTY is not set: nothing is ever soft-dirty' }]);
    expect(lacks('6.14.0', false).map((l) => l.bit)).toEqual(['PM_GUARD_REGION', 'PM_SOFT_DIRTY']);
    expect(lacks('3.10.0', false).filter((l) => l.bit === 'PM_SOFT_DIRTY')).toEqual([{ bit: 'PM_SOFT_DIRTY', why: 'Linux 3.10 predates it (since 3.11)' }]);
  });
});
