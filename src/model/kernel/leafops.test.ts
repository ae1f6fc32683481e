/**
 * classify(): the one classifier (leafops.h softleaf_type(), pte_none(), pte_present()) and its
 * reusable output. Every field of the output is rewritten on every call, so one record can be reused
 * across a page table (which the decoder and the machine do). Expected records follow the spec's
 * layouts (§c) and type tables (§b.2).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from './config.ts';
import { getKernel } from './kernel.ts';
import { classify, KIND, newClassified, PMD_KIND_RULES, type Classified } from './leafops.ts';
import { hi32, lo32 } from './u64.ts';

const M50 = (1n << 50n) - 1n;
const x86Pte = (type: number, off: bigint, flags = 0n) => (BigInt(type) << 59n) | ((~off & M50) << 9n) | flags;
const none: Classified = { kind: KIND.none, type: 0, offset: 0, pfn: -1, deviceSpace: 0, softDirty: false, uffdWp: false, exclusive: false, youngBit: false, dirtyBit: false, young: false, dirty: false, above: 0 };

describe('classify()', () => {
  const k = getKernel('rfc', DEFAULT_CONFIG, { arch: 'x86_64', paging: 4, migrationAd: true });
  const noad = getKernel('rfc', DEFAULT_CONFIG, { arch: 'x86_64', paging: 4, migrationAd: false });
  const run = (kk: typeof k, v: bigint, out: Classified) => ({ ...classify(kk, hi32(v), lo32(v), out) });

  it('a fresh record reads as none with no PFN', () => {
    expect(newClassified()).toEqual(none);
  });

  it.each([
    ['a swap slot with every flag', x86Pte(3, 0x42n, 0xen), { kind: KIND.swap, type: 3, offset: 0x42, softDirty: true, uffdWp: true, exclusive: true }],
    ['a device migration entry of device offset 0x10 with A+D, above bits set', x86Pte(30, 0x10n | (0xfn << 34n), 0x2n), {
      kind: KIND['device-migration'], type: 30, offset: 0x10 + 0xf * 2 ** 34, pfn: 0x10, deviceSpace: 1, softDirty: true, youngBit: true, dirtyBit: true, young: true, dirty: true, above: 3,
    }],
    ['a RAM migration entry, dirty only', x86Pte(24, 0x1234n | (2n << 34n)), { kind: KIND.migration, type: 24, offset: 0x1234 + 2 * 2 ** 34, pfn: 0x1234, dirtyBit: true, dirty: true }],
    ['a device-private entry wider than SWP_PFN_BITS', x86Pte(25, 0x10n | (5n << 34n), 0x4n), { kind: KIND['device-private'], type: 25, offset: 0x10 + 5 * 2 ** 34, pfn: 0x10, deviceSpace: 1, uffdWp: true, above: 5 }],
    ['a device-exclusive entry (a RAM PFN)', x86Pte(27, 0x1234n), { kind: KIND['device-exclusive'], type: 27, offset: 0x1234, pfn: 0x1234 }],
    ['a hwpoison entry', x86Pte(21, 0x1234n), { kind: KIND.hwpoison, type: 21, offset: 0x1234, pfn: 0x1234 }],
    ['a marker', x86Pte(31, 5n), { kind: KIND['pte-marker'], type: 31, offset: 5 }],
    ['a present PTE with soft-dirty and uffd-wp', 0x8000000001234c25n, { kind: KIND.present, pfn: 0x1234, softDirty: true, uffdWp: true }],
    ['a PROT_NONE PTE', 0x000ffffffedcb120n, { kind: KIND.present, pfn: 0x1234 }],
    ['the none PTE with the KNL A/D bits', 0x60n, {}],
  ] as const)('%s, even in a record that held something else', (_w, v, want) => {
    const dirty = newClassified();
    classify(k, hi32(x86Pte(30, 0x10n | (0xfn << 34n), 0xen)), lo32(x86Pte(30, 0x10n | (0xfn << 34n), 0xen)), dirty);
    expect(run(k, v, dirty)).toEqual({ ...none, ...want });
  });

  it('without migration A/D support the bits are read but not believed', () => {
    expect(run(noad, x86Pte(24, 0x1234n | (3n << 34n)), newClassified())).toEqual({ ...none, kind: KIND.migration, type: 24, offset: 0x1234 + 3 * 2 ** 34, pfn: 0x1234, youngBit: true, dirtyBit: true });
  });

  it('before the series a device-private number is a physical PFN (deviceSpace 0)', () => {
    const base = getKernel('v6.18', DEFAULT_CONFIG, { arch: 'x86_64', paging: 4, migrationAd: true });
    expect(run(base, x86Pte(28, 0x10n), newClassified())).toMatchObject({ kind: KIND['device-private'], pfn: 0x10, deviceSpace: 0 });
  });
});

describe('classify() reads a half the same whether it is given signed or unsigned', () => {
  // one value of each shape whose halves have bit 31 set (a high type number, NX, PROT_NONE's
  // inverted PFN), on both architectures and at both levels
  const values = [
    x86Pte(31, 5n), x86Pte(30, 0x10n | (0xfn << 34n), 0xen), x86Pte(16, 0x3ffffffffn), 0x8000000001234c25n,
    0x000ffffffedcb120n, 0xffffffffffffffffn, 0x80000000800000e7n, 0xc000000080000403n, 0x3ffffffffffff000n,
  ];
  it.each([
    ['x86_64', 'pte'], ['x86_64', 'pmd'], ['arm64', 'pte'], ['arm64', 'pmd'],
  ] as const)('%s at %s level', (arch, level) => {
    const k = getKernel('7.3', DEFAULT_CONFIG, { arch, paging: 4, migrationAd: true });
    for (const v of values) {
      const unsigned = { ...classify(k, hi32(v), lo32(v), newClassified(), level) };
      expect({ ...classify(k, hi32(v) | 0, lo32(v) | 0, newClassified(), level) }, `0x${v.toString(16)}`).toEqual(unsigned);
    }
  });
});

describe('which kinds may sit in a PMD (softleaf_is_valid_pmd_entry(): "Only device private, migration entries valid for PMD")', () => {
  it.each([
    ['none', true, /pmd_none/],
    ['present', true, /2 MiB/],
    ['migration', true, /set_pmd_migration_entry\(\)/],
    ['device-migration', true, /softleaf_is_migration\(\)/],
    ['device-private', true, /device-private PMD/],
    ['swap', false, /TTU_SPLIT_HUGE_PMD/],
    ['device-exclusive', false, /FOLL_SPLIT_PMD/],
    ['hwpoison', false, /memory_failure\(\) splits/],
    ['pte-marker', false, /PTE-only/],
    ['swapin-error', false, /PTE-only/],
  ] as const)('%s: valid %s, and it says why', (kind, valid, why) => {
    expect(PMD_KIND_RULES[kind].valid).toBe(valid);
    expect(PMD_KIND_RULES[kind].why).toMatch(why);
  });
});
