/**
 * The device-migration words: migrate_vma src[] (include/linux/migrate.h) and hmm_range_fault()'s
 * hmm_pfns[] (include/linux/hmm.h), with the series' additions (v6 04/13 MIGRATE_PFN_DEVICE_PRIVATE,
 * v6 12/13 HMM_PFN_DEVICE_PRIVATE and HMM_PFN_ORDER_SHIFT 52). Expected words are written from the
 * headers' bit positions (pmd-and-thp.md §c.3, §c.9).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from './config.ts';
import { HMM_PFN_DEVICE_PRIVATE, HMM_PFN_ERROR, HMM_PFN_VALID, HMM_PFN_WRITE, hmm_pfn_of_device_private, hmmPfnOrderShift } from './hmm.ts';
import { getKernel } from './kernel.ts';
import {
  MIGRATE_PFN_COMPOUND, MIGRATE_PFN_DEVICE_PRIVATE, MIGRATE_PFN_MIGRATE, MIGRATE_PFN_SHIFT, MIGRATE_PFN_VALID, MIGRATE_PFN_WRITE, migrate_pfn, srcMpfn,
} from './migrate.ts';
import type { ProfileId } from './profiles.ts';

const kernel = (p: ProfileId) => getKernel(p, DEFAULT_CONFIG, { arch: 'x86_64', paging: 4, migrationAd: true });

describe('migrate_vma src[] words', () => {
  it('the MIGRATE_PFN_* bits (migrate.h; bit 5 from the series) and migrate_pfn() = pfn << 6 | VALID', () => {
    expect([MIGRATE_PFN_VALID, MIGRATE_PFN_MIGRATE, MIGRATE_PFN_WRITE, MIGRATE_PFN_COMPOUND, MIGRATE_PFN_DEVICE_PRIVATE, MIGRATE_PFN_SHIFT]).toEqual([0x1n, 0x2n, 0x8n, 0x10n, 0x20n, 6]);
    expect(migrate_pfn(0x1234)).toBe(0x48d01n);
    expect(migrate_pfn(0)).toBe(0x1n);
  });

  it.each([
    ['a hole', '7.3', null, false, false, 0x2n],
    ['a whole aligned 2 MiB hole', '7.3', null, false, true, 0x12n],
    ['a read-only RAM page', '7.3', { kind: 'ram', number: 0x1234 }, false, false, 0x48d03n],
    ['a writable RAM page', '7.3', { kind: 'ram', number: 0x1234 }, true, false, 0x48d0bn],
    ['a writable RAM page under the series (a PFN: no DEVICE_PRIVATE)', 'series', { kind: 'ram', number: 0x1234 }, true, false, 0x48d0bn],
    ['a read-only device page before the series (its PFN)', '7.3', { kind: 'device', number: 0x10 }, false, false, 0x403n],
    ['a read-only device page under the RFC (no migrate_pfn_from_page yet)', 'rfc', { kind: 'device', number: 0x10 }, false, false, 0x403n],
    ['a read-only device page under the series (a device offset, marked)', 'series', { kind: 'device', number: 0x10 }, false, false, 0x423n],
    ['a writable device THP head under the series', 'series', { kind: 'device', number: 0x200 }, true, true, 0x803bn],
  ] as const)('%s (%s): %s', (_w, profile, page, write, compound, want) => {
    expect(srcMpfn(kernel(profile), page, write, compound)).toBe(want);
  });
});

describe('hmm_range_fault() words of a device-private folio', () => {
  it('HMM_PFN_VALID/WRITE/ERROR are the top three bits; the series\' DEVICE_PRIVATE is bit 57', () => {
    expect([HMM_PFN_VALID, HMM_PFN_WRITE, HMM_PFN_ERROR, HMM_PFN_DEVICE_PRIVATE]).toEqual([1n << 63n, 1n << 62n, 1n << 61n, 1n << 57n]);
  });

  it.each([['v6.18', 53], ['rfc', 53], ['7.3', 53], ['series', 52]] as const)('HMM_PFN_ORDER_SHIFT under %s is %i', (p, shift) => {
    expect(hmmPfnOrderShift(kernel(p))).toBe(shift);
  });

  it.each([
    ['7.3', 0x200, 5, 9, false, 0x8120000000000205n],
    ['7.3', 0x200, 0, 0, true, 0xc000000000000200n],
    ['series', 0x200, 5, 9, false, 0x8290000000000205n],
    ['series', 0x10, 0, 0, true, 0xc200000000000010n],
  ] as const)('%s: page %i + %i of an order-%i folio (write %s) is %s', (p, first, i, order, write, want) => {
    expect(hmm_pfn_of_device_private(kernel(p), first, i, order, write)).toBe(want);
  });
});
