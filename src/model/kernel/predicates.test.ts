/**
 * Every predicate helper of every profile, under every Kconfig-reachable config, over every type
 * number 0..31 and the val == 0 entry; and which make_*() helper builds which type.
 *
 * The expectations are data written from the kernel headers, not computed by the code under test:
 * - the type numbers of include/linux/swap.h (domain spec §b.2, before and after RFC 4/6);
 * - for each predicate, the set of types it is true for: swapops.h (v6.18 and the RFC, whose device
 *   migration types are also migration entries, "is-a"), leafops.h (7.3: softleaf_type() reads
 *   val == 0 as SOFTLEAF_NONE) and the series v6 (softleaf_is_migration_device_private*(); the
 *   generic softleaf_is_migration*() accept the device types too, not the other way round).
 * Config-off stubs follow: a type the config compiles out has no number, so no predicate is true
 * for it, and its constructor returns swp_entry(0, 0).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type KernelConfig } from './config.ts';
import { decodePte } from './decode.ts';
import { constructorForType, constructorsFor, PREDICATES, predicatesFor } from './helpers.ts';
import { asDeviceOffset, asPfn, getKernel, PTE_MARKER_POISONED, type Kernel, type swp_entry_t } from './kernel.ts';
import type { Platform } from './platform.ts';
import type { ProfileId } from './profiles.ts';

const X86: Platform = { arch: 'x86_64', paging: 4, migrationAd: true };

// ---- swap.h: the type numbers (spec §b.2) ---------------------------------------------------------

type Numbering = 'base' | 'rfc';
type ConfigName = 'all on' | 'DEVICE_PRIVATE=n' | 'MEMORY_FAILURE=n' | 'MIGRATION=n';

/** The four configs Kconfig can build: MIGRATION=n forces DEVICE_PRIVATE=n and MEMORY_FAILURE=n. */
const CONFIGS: Readonly<Record<ConfigName, KernelConfig>> = {
  'all on': { DEVICE_PRIVATE: true, MIGRATION: true, MEMORY_FAILURE: true },
  'DEVICE_PRIVATE=n': { DEVICE_PRIVATE: false, MIGRATION: true, MEMORY_FAILURE: true },
  'MEMORY_FAILURE=n': { DEVICE_PRIVATE: true, MIGRATION: true, MEMORY_FAILURE: false },
  'MIGRATION=n': { DEVICE_PRIVATE: false, MIGRATION: false, MEMORY_FAILURE: false },
};

/** MAX_SWAPFILES and the special types from there up to 31, in number order. */
const NUMBERS: Readonly<Record<Numbering, Readonly<Record<ConfigName, readonly [max: number, types: readonly string[]]>>>> = {
  base: {
    'all on': [24, ['SWP_HWPOISON', 'SWP_MIGRATION_READ', 'SWP_MIGRATION_READ_EXCLUSIVE', 'SWP_MIGRATION_WRITE', 'SWP_DEVICE_WRITE', 'SWP_DEVICE_READ', 'SWP_DEVICE_EXCLUSIVE', 'SWP_PTE_MARKER']],
    'DEVICE_PRIVATE=n': [27, ['SWP_HWPOISON', 'SWP_MIGRATION_READ', 'SWP_MIGRATION_READ_EXCLUSIVE', 'SWP_MIGRATION_WRITE', 'SWP_PTE_MARKER']],
    'MEMORY_FAILURE=n': [25, ['SWP_MIGRATION_READ', 'SWP_MIGRATION_READ_EXCLUSIVE', 'SWP_MIGRATION_WRITE', 'SWP_DEVICE_WRITE', 'SWP_DEVICE_READ', 'SWP_DEVICE_EXCLUSIVE', 'SWP_PTE_MARKER']],
    'MIGRATION=n': [31, ['SWP_PTE_MARKER']],
  },
  rfc: {
    'all on': [21, [
      'SWP_HWPOISON', 'SWP_MIGRATION_READ', 'SWP_MIGRATION_READ_EXCLUSIVE', 'SWP_MIGRATION_WRITE', 'SWP_DEVICE_WRITE', 'SWP_DEVICE_READ', 'SWP_DEVICE_EXCLUSIVE',
      'SWP_MIGRATION_DEVICE_READ', 'SWP_MIGRATION_DEVICE_READ_EXCLUSIVE', 'SWP_MIGRATION_DEVICE_WRITE', 'SWP_PTE_MARKER',
    ]],
    'DEVICE_PRIVATE=n': [27, ['SWP_HWPOISON', 'SWP_MIGRATION_READ', 'SWP_MIGRATION_READ_EXCLUSIVE', 'SWP_MIGRATION_WRITE', 'SWP_PTE_MARKER']],
    'MEMORY_FAILURE=n': [22, [
      'SWP_MIGRATION_READ', 'SWP_MIGRATION_READ_EXCLUSIVE', 'SWP_MIGRATION_WRITE', 'SWP_DEVICE_WRITE', 'SWP_DEVICE_READ', 'SWP_DEVICE_EXCLUSIVE',
      'SWP_MIGRATION_DEVICE_READ', 'SWP_MIGRATION_DEVICE_READ_EXCLUSIVE', 'SWP_MIGRATION_DEVICE_WRITE', 'SWP_PTE_MARKER',
    ]],
    'MIGRATION=n': [31, ['SWP_PTE_MARKER']],
  },
};

const NUMBERING: Readonly<Record<ProfileId, Numbering>> = { 'v6.18': 'base', rfc: 'rfc', '7.3': 'base', series: 'rfc', 'no-new-types': 'base', '7.3-pre-fix': 'base', 'series-pre-fix': 'rfc' };

/** The type name of number t ('swapfile' below MAX_SWAPFILES). */
function nameOf(numbering: Numbering, config: ConfigName, t: number): string {
  const [max, types] = NUMBERS[numbering][config];
  return t < max ? 'swapfile' : types[t - max]!;
}

// ---- the headers: predicate -> the types it is true for --------------------------------------------

const MIG = ['SWP_MIGRATION_READ', 'SWP_MIGRATION_READ_EXCLUSIVE', 'SWP_MIGRATION_WRITE'];
const MIG_DEV = ['SWP_MIGRATION_DEVICE_READ', 'SWP_MIGRATION_DEVICE_READ_EXCLUSIVE', 'SWP_MIGRATION_DEVICE_WRITE'];
const DEV = ['SWP_DEVICE_WRITE', 'SWP_DEVICE_READ'];
const PFN = [...MIG, ...DEV, 'SWP_DEVICE_EXCLUSIVE', 'SWP_HWPOISON'];
const SPECIAL = [...PFN, 'SWP_PTE_MARKER'];

/** swapops.h at the series base: no device migration types exist. */
const SWAPOPS: Readonly<Record<string, readonly string[]>> = {
  is_migration_entry: MIG,
  is_writable_migration_entry: ['SWP_MIGRATION_WRITE'],
  is_readable_migration_entry: ['SWP_MIGRATION_READ'],
  is_readable_exclusive_migration_entry: ['SWP_MIGRATION_READ_EXCLUSIVE'],
  is_device_private_entry: DEV,
  is_writable_device_private_entry: ['SWP_DEVICE_WRITE'],
  is_device_exclusive_entry: ['SWP_DEVICE_EXCLUSIVE'],
  is_hwpoison_entry: ['SWP_HWPOISON'],
  is_pte_marker_entry: ['SWP_PTE_MARKER'],
  is_pfn_swap_entry: PFN,
  non_swap_entry: SPECIAL,
};

/** RFC 4/6: the device migration types are specialisations of the migration predicates. */
const RFC: Readonly<Record<string, readonly string[]>> = {
  ...SWAPOPS,
  is_migration_entry: [...MIG, ...MIG_DEV],
  is_writable_migration_entry: ['SWP_MIGRATION_WRITE', 'SWP_MIGRATION_DEVICE_WRITE'],
  is_readable_migration_entry: ['SWP_MIGRATION_READ', 'SWP_MIGRATION_DEVICE_READ'],
  is_readable_exclusive_migration_entry: ['SWP_MIGRATION_READ_EXCLUSIVE', 'SWP_MIGRATION_DEVICE_READ_EXCLUSIVE'],
  is_pfn_swap_entry: [...PFN, ...MIG_DEV],
  non_swap_entry: [...SPECIAL, ...MIG_DEV],
  is_device_private_migration_entry: MIG_DEV,
  is_readable_device_migration_private_entry: ['SWP_MIGRATION_DEVICE_READ'],
  is_writable_device_migration_private_entry: ['SWP_MIGRATION_DEVICE_WRITE'],
  is_device_migration_readable_exclusive_entry: ['SWP_MIGRATION_DEVICE_READ_EXCLUSIVE'],
};

/** leafops.h in 7.3.4 (val == 0 is SOFTLEAF_NONE: no predicate is true for it). */
const SOFTLEAF: Readonly<Record<string, readonly string[]>> = {
  softleaf_is_swap: ['swapfile'],
  softleaf_is_migration: MIG,
  softleaf_is_migration_write: ['SWP_MIGRATION_WRITE'],
  softleaf_is_migration_read: ['SWP_MIGRATION_READ'],
  softleaf_is_migration_read_exclusive: ['SWP_MIGRATION_READ_EXCLUSIVE'],
  softleaf_is_device_private: DEV,
  softleaf_is_device_private_write: ['SWP_DEVICE_WRITE'],
  softleaf_is_device_exclusive: ['SWP_DEVICE_EXCLUSIVE'],
  softleaf_is_hwpoison: ['SWP_HWPOISON'],
  softleaf_is_marker: ['SWP_PTE_MARKER'],
  softleaf_has_pfn: PFN,
  // "Only device private, migration entries valid for PMD": softleaf_is_device_private() || softleaf_is_migration()
  softleaf_is_valid_pmd_entry: [...DEV, ...MIG],
};

/** The series v6 08/13 on leafops.h: own device predicates; the generic ones accept the device types ("is-a"). */
const SERIES: Readonly<Record<string, readonly string[]>> = {
  ...SOFTLEAF,
  softleaf_is_migration: [...MIG, ...MIG_DEV],
  softleaf_is_migration_write: ['SWP_MIGRATION_WRITE', 'SWP_MIGRATION_DEVICE_WRITE'],
  softleaf_is_migration_read: ['SWP_MIGRATION_READ', 'SWP_MIGRATION_DEVICE_READ'],
  softleaf_is_migration_read_exclusive: ['SWP_MIGRATION_READ_EXCLUSIVE', 'SWP_MIGRATION_DEVICE_READ_EXCLUSIVE'],
  softleaf_has_pfn: [...PFN, ...MIG_DEV],
  softleaf_is_valid_pmd_entry: [...DEV, ...MIG, ...MIG_DEV],
  softleaf_is_migration_device_private: MIG_DEV,
  softleaf_is_migration_device_private_read: ['SWP_MIGRATION_DEVICE_READ'],
  softleaf_is_migration_device_private_write: ['SWP_MIGRATION_DEVICE_WRITE'],
  softleaf_is_migration_device_private_read_exclusive: ['SWP_MIGRATION_DEVICE_READ_EXCLUSIVE'],
};

const TRUTH: Readonly<Record<ProfileId, Readonly<Record<string, readonly string[]>>>> = {
  'v6.18': SWAPOPS,
  rfc: RFC,
  '7.3': SOFTLEAF,
  series: SERIES,
  'no-new-types': SWAPOPS,
  '7.3-pre-fix': SOFTLEAF,
  'series-pre-fix': SERIES,
};

/** enum softleaf_type name of each type (leafops.h; the series adds the device migration names). */
const SOFTLEAF_TYPE: Readonly<Record<string, string>> = {
  swapfile: 'SOFTLEAF_SWAP',
  SWP_HWPOISON: 'SOFTLEAF_HWPOISON',
  SWP_MIGRATION_READ: 'SOFTLEAF_MIGRATION_READ',
  SWP_MIGRATION_READ_EXCLUSIVE: 'SOFTLEAF_MIGRATION_READ_EXCLUSIVE',
  SWP_MIGRATION_WRITE: 'SOFTLEAF_MIGRATION_WRITE',
  SWP_DEVICE_WRITE: 'SOFTLEAF_DEVICE_PRIVATE_WRITE',
  SWP_DEVICE_READ: 'SOFTLEAF_DEVICE_PRIVATE_READ',
  SWP_DEVICE_EXCLUSIVE: 'SOFTLEAF_DEVICE_EXCLUSIVE',
  SWP_MIGRATION_DEVICE_READ: 'SOFTLEAF_MIGRATION_DEVICE_PRIVATE_READ',
  SWP_MIGRATION_DEVICE_READ_EXCLUSIVE: 'SOFTLEAF_MIGRATION_DEVICE_PRIVATE_READ_EXCLUSIVE',
  SWP_MIGRATION_DEVICE_WRITE: 'SOFTLEAF_MIGRATION_DEVICE_PRIVATE_WRITE',
  SWP_PTE_MARKER: 'SOFTLEAF_MARKER',
};

const PROFILE_LIST: readonly ProfileId[] = ['v6.18', 'rfc', '7.3', 'series', 'no-new-types'];
const CONFIG_LIST = Object.keys(CONFIGS) as ConfigName[];
const isSoftleaf = (p: ProfileId) => p === '7.3' || p === 'series';

function expectedFor(profile: ProfileId, typeName: string | null): Record<string, boolean> {
  return Object.fromEntries(Object.entries(TRUTH[profile]).map(([p, types]) => [p, typeName !== null && types.includes(typeName)]));
}

describe('every predicate of every profile, under every config, over every type number', () => {
  it.each(PROFILE_LIST.flatMap((p) => CONFIG_LIST.map((c) => [p, c] as const)))('%s, %s: each predicate is true exactly for the types its header names', (profile, config) => {
    const k = getKernel(profile, CONFIGS[config], X86);
    const numbering = NUMBERING[profile];
    expect(k.MAX_SWAPFILES).toBe(NUMBERS[numbering][config][0]);
    const got: unknown[] = [];
    const want: unknown[] = [];
    for (let t = 0; t < 32; t++) {
      const name = nameOf(numbering, config, t);
      const truth = expectedFor(profile, name);
      // offset 0 only where val stays non-zero (type 0 offset 0 is the val == 0 case below)
      for (const offset of t === 0 ? [1n, 0x3ffffffffffffffn] : [0n, 1n, 0x1234n]) {
        const e = k.swp_entry(t, offset);
        const one = Object.fromEntries(Object.keys(truth).map((p) => [p, k.is(p, e)]));
        got.push([t, name, offset, k.allPredicates(e), one]);
        want.push([t, name, offset, truth, truth]);
      }
      const d = decodePte(k, k.swp_entry_to_pte(k.swp_entry(t, 1n)));
      expect([t, d.swap?.typeName, d.swap?.predicates]).toEqual([t, name === 'swapfile' ? `swapfile_${t}` : name, expectedFor(profile, name)]);
      expect([t, d.swap?.softleafType]).toEqual([t, isSoftleaf(profile) ? SOFTLEAF_TYPE[name] : null]);
      if (name !== 'swapfile') expect([name, k.typeNumber(name)]).toEqual([name, t]);
    }
    expect(got).toEqual(want);
  });

  it.each(PROFILE_LIST)('%s: swp_entry(0, 0) (val == 0) satisfies no predicate; softleaf_type() calls it SOFTLEAF_NONE', (profile) => {
    const k = getKernel(profile, DEFAULT_CONFIG, X86);
    const e = k.swp_entry(0, 0n);
    expect(e.val).toBe(0n);
    expect(k.allPredicates(e)).toEqual(expectedFor(profile, null));
    const d = decodePte(k, k.swp_entry_to_pte(e));
    expect(d.swap?.predicates).toEqual(expectedFor(profile, null));
    expect(d.swap?.softleafType).toBe(isSoftleaf(profile) ? 'SOFTLEAF_NONE' : null);
  });

  it.each(PROFILE_LIST)('%s: the profile has exactly the predicates of its headers, and no other name answers', (profile) => {
    const k = getKernel(profile, DEFAULT_CONFIG, X86);
    expect(predicatesFor(profile).map((p) => p.name).sort()).toEqual(Object.keys(TRUTH[profile]).sort());
    const foreign = isSoftleaf(profile) ? 'is_migration_entry' : 'softleaf_is_migration';
    expect(() => k.is(foreign, k.swp_entry(1, 1n))).toThrow(`${foreign}() does not exist in ${k.profile.label}`);
  });

  it('names outside every profile are refused too', () => {
    const k = getKernel('rfc', DEFAULT_CONFIG, X86);
    expect(() => k.is('is_swap_pte', k.swp_entry(1, 1n))).toThrow(/is_swap_pte\(\) does not exist/);
  });
});

describe('where each predicate is defined', () => {
  const SWAPOPS_H = 'include/linux/swapops.h';
  const LEAFOPS_H = 'include/linux/leafops.h';
  const RFC4 = 'https://lore.kernel.org/all/20251128044146.80050-5-jniethe@nvidia.com/';
  const V6_08 = 'https://lore.kernel.org/all/20260202113642.59295-9-jniethe@nvidia.com/';

  it.each(PREDICATES.map((p) => [p.name, p] as const))('%s: the header and, for a patch helper, the patch that adds it', (name, p) => {
    const inRfcOnly = name in RFC && !(name in SWAPOPS);
    const inSeriesOnly = name in SERIES && !(name in SOFTLEAF);
    expect(p.header).toBe(name.startsWith('softleaf_') ? LEAFOPS_H : SWAPOPS_H);
    expect(p.patch).toBe(inRfcOnly ? RFC4 : inSeriesOnly ? V6_08 : undefined);
  });

  it('the RFC read-exclusive predicate records the name v1 adopted after review', () => {
    const p = PREDICATES.find((x) => x.name === 'is_device_migration_readable_exclusive_entry')!;
    expect(p.renamedTo).toMatchObject({ name: 'is_readable_exclusive_device_private_migration_entry', version: 'v1 (2025-12-31)' });
    expect(p.renamedTo?.why).toMatch(/^Chih-En Lin \(2025-12-01, review of RFC 4\/6\)/);
    expect(PREDICATES.filter((x) => x.renamedTo).map((x) => x.name)).toEqual(['is_device_migration_readable_exclusive_entry']);
  });
});

// ---- constructors ----------------------------------------------------------------------------------

type Arg = 'pfn' | 'device' | 'marker' | 'page';
/** name -> [type for a RAM page, type for a device-private page (the _from_page helpers), argument]. */
type CtorTable = Readonly<Record<string, readonly [string, string | null, Arg]>>;

const BASE_CTORS: CtorTable = {
  make_readable_migration_entry: ['SWP_MIGRATION_READ', null, 'pfn'],
  make_readable_exclusive_migration_entry: ['SWP_MIGRATION_READ_EXCLUSIVE', null, 'pfn'],
  make_writable_migration_entry: ['SWP_MIGRATION_WRITE', null, 'pfn'],
  make_readable_device_private_entry: ['SWP_DEVICE_READ', null, 'device'],
  make_writable_device_private_entry: ['SWP_DEVICE_WRITE', null, 'device'],
  make_device_exclusive_entry: ['SWP_DEVICE_EXCLUSIVE', null, 'pfn'],
  make_hwpoison_entry: ['SWP_HWPOISON', null, 'pfn'],
  make_pte_marker_entry: ['SWP_PTE_MARKER', null, 'marker'],
};
const RFC_CTORS: CtorTable = {
  ...BASE_CTORS,
  make_readable_migration_device_private_entry: ['SWP_MIGRATION_DEVICE_READ', null, 'device'],
  make_writable_migration_device_private_entry: ['SWP_MIGRATION_DEVICE_WRITE', null, 'device'],
  make_device_migration_readable_exclusive_migration_entry: ['SWP_MIGRATION_DEVICE_READ_EXCLUSIVE', null, 'device'],
};
const SERIES_CTORS: CtorTable = {
  ...BASE_CTORS,
  make_readable_migration_device_private_entry: ['SWP_MIGRATION_DEVICE_READ', null, 'device'],
  make_writable_migration_device_private_entry: ['SWP_MIGRATION_DEVICE_WRITE', null, 'device'],
  make_readable_exclusive_migration_device_private_entry: ['SWP_MIGRATION_DEVICE_READ_EXCLUSIVE', null, 'device'],
  make_readable_migration_entry_from_page: ['SWP_MIGRATION_READ', 'SWP_MIGRATION_DEVICE_READ', 'page'],
  make_readable_exclusive_migration_entry_from_page: ['SWP_MIGRATION_READ_EXCLUSIVE', 'SWP_MIGRATION_DEVICE_READ_EXCLUSIVE', 'page'],
  make_writable_migration_entry_from_page: ['SWP_MIGRATION_WRITE', 'SWP_MIGRATION_DEVICE_WRITE', 'page'],
  make_readable_device_private_entry_from_page: ['SWP_DEVICE_READ', 'SWP_DEVICE_READ', 'page'],
  make_writable_device_private_entry_from_page: ['SWP_DEVICE_WRITE', 'SWP_DEVICE_WRITE', 'page'],
};
const CTORS: Readonly<Record<ProfileId, CtorTable>> = {
  'v6.18': BASE_CTORS, rfc: RFC_CTORS, '7.3': BASE_CTORS, series: SERIES_CTORS, 'no-new-types': BASE_CTORS,
  '7.3-pre-fix': BASE_CTORS, 'series-pre-fix': SERIES_CTORS,
};

/** Calls a Kernel constructor by its kernel name (the _from_page helpers take a struct page: the machine calls them). */
function make(k: Kernel, name: string, n: number): swp_entry_t {
  const f = (k as unknown as Record<string, (x: number) => swp_entry_t>)[name];
  if (typeof f !== 'function') throw new Error(`Kernel has no ${name}()`);
  return f.call(k, name.includes('device_private') ? asDeviceOffset(n) : asPfn(n));
}

describe('which make_*() helper builds which type', () => {
  it.each(PROFILE_LIST)('%s: the profile has exactly the constructors of its headers, each naming the type it builds', (profile) => {
    const got = constructorsFor(profile).map((c) => [c.name, [c.typeName, c.deviceTypeName ?? null, c.arg]] as const);
    expect(Object.fromEntries(got)).toEqual(CTORS[profile]);
    expect(got.length).toBe(Object.keys(CTORS[profile]).length);
  });

  it.each(PROFILE_LIST.flatMap((p) => CONFIG_LIST.map((c) => [p, c] as const)))('%s, %s: each helper builds its type, or swp_entry(0, 0) when the config compiles the type out', (profile, config) => {
    const k = getKernel(profile, CONFIGS[config], X86);
    const numbering = NUMBERING[profile];
    const [, types] = NUMBERS[numbering][config];
    for (const [name, [typeName, , arg]] of Object.entries(CTORS[profile])) {
      if (arg === 'page') continue;
      const n = arg === 'marker' ? PTE_MARKER_POISONED : 0x1234;
      const e = make(k, name, n);
      const built = types.includes(typeName);
      expect([name, k.swp_type(e), k.swp_offset(e)]).toEqual([name, built ? k.typeNumber(typeName) : 0, built ? BigInt(n) : 0n]);
      if (built) expect([name, k.typeName(k.swp_type(e))]).toEqual([name, typeName]);
    }
  });

  it.each(['v6.18', '7.3', 'no-new-types'] as const)('%s: the RFC and series constructors do not exist (they throw, naming the patch)', (profile) => {
    const k = getKernel(profile, DEFAULT_CONFIG, X86);
    for (const name of ['make_readable_migration_device_private_entry', 'make_writable_migration_device_private_entry', 'make_device_migration_readable_exclusive_migration_entry', 'make_readable_exclusive_migration_device_private_entry']) {
      expect(() => make(k, name, 0x10)).toThrow(`${name}() does not exist in ${k.profile.label}: the series (RFC 4/6, v6 07/13) adds it`);
    }
  });

  it('the series v1 name of the RFC read-exclusive constructor builds the same entry', () => {
    const k = getKernel('series', DEFAULT_CONFIG, X86);
    const a = k.make_readable_exclusive_migration_device_private_entry(asDeviceOffset(0x10));
    const b = k.make_device_migration_readable_exclusive_migration_entry(asDeviceOffset(0x10));
    expect(a).toEqual(b);
    expect(k.typeName(k.swp_type(a))).toBe('SWP_MIGRATION_DEVICE_READ_EXCLUSIVE');
  });

  it.each([
    ['v6.18', 'SWP_MIGRATION_READ', 'make_readable_migration_entry'],
    ['rfc', 'SWP_MIGRATION_DEVICE_READ_EXCLUSIVE', 'make_device_migration_readable_exclusive_migration_entry'],
    ['series', 'SWP_MIGRATION_DEVICE_READ_EXCLUSIVE', 'make_readable_exclusive_migration_device_private_entry'],
    ['series', 'SWP_DEVICE_WRITE', 'make_writable_device_private_entry'],
    ['7.3', 'SWP_PTE_MARKER', 'make_pte_marker_entry'],
  ] as const)('%s: constructorForType(%s) is %s', (profile, type, name) => {
    expect(constructorForType(profile, type)?.name).toBe(name);
  });

  it('a type no constructor builds in the profile has none', () => {
    expect(constructorForType('v6.18', 'SWP_MIGRATION_DEVICE_WRITE')).toBeUndefined();
  });

  it.each([
    ['make_readable_migration_device_private_entry', 'rfc', 'https://lore.kernel.org/all/20251128044146.80050-5-jniethe@nvidia.com/'],
    ['make_readable_migration_device_private_entry', 'series', 'https://lore.kernel.org/all/20260202113642.59295-8-jniethe@nvidia.com/'],
    ['make_writable_migration_entry_from_page', 'series', 'https://lore.kernel.org/all/20260202113642.59295-7-jniethe@nvidia.com/'],
    ['make_writable_device_private_entry_from_page', 'series', 'https://lore.kernel.org/all/20260202113642.59295-11-jniethe@nvidia.com/'],
    ['make_writable_migration_entry', 'series', undefined],
  ] as const)('%s (%s) links the patch that adds it: %s', (name, profile, url) => {
    const c = constructorsFor(profile).find((x) => x.name === name)!;
    expect(c.patch).toBe(url);
    expect(c.header).toBe('include/linux/swapops.h');
  });

  it('the RFC read-exclusive constructor records its v1 name', () => {
    const c = constructorsFor('rfc').find((x) => x.name === 'make_device_migration_readable_exclusive_migration_entry')!;
    expect(c.renamedTo).toMatchObject({ name: 'make_readable_exclusive_migration_device_private_entry', version: 'v1 (2025-12-31)' });
  });
});

// ---- PMD-level helpers -------------------------------------------------------------------------------

describe('every PMD-level helper of every profile, over every kind of PMD', () => {
  /** The headers' PMD helpers: swapops.h until 6.18, leafops.h / huge_mm.h from 6.19 (is_swap_pmd() is gone). */
  const X86_PGTABLE = ['pmd_none', 'pmd_present', 'pmd_trans_huge'];
  const NAMES: Readonly<Record<'swapops' | 'softleaf', readonly string[]>> = {
    swapops: [...X86_PGTABLE, 'is_swap_pmd', 'is_pmd_migration_entry'],
    softleaf: [...X86_PGTABLE, 'pmd_is_migration_entry', 'pmd_is_device_private_entry', 'pmd_is_valid_softleaf', 'pmd_is_huge'],
  };
  const HEADERS: Readonly<Record<string, string>> = {
    pmd_none: 'arch/x86/include/asm/pgtable.h', pmd_present: 'arch/x86/include/asm/pgtable.h', pmd_trans_huge: 'arch/x86/include/asm/pgtable.h',
    is_swap_pmd: 'include/linux/swapops.h', is_pmd_migration_entry: 'include/linux/swapops.h',
    pmd_is_migration_entry: 'include/linux/leafops.h', pmd_is_device_private_entry: 'include/linux/leafops.h', pmd_is_valid_softleaf: 'include/linux/leafops.h',
    pmd_is_huge: 'include/linux/huge_mm.h',
  };
  type Pmd = 'none' | 'table' | 'leaf' | 'migration' | 'device-private' | 'swap' | 'device-migration';
  /** Which PMDs each helper is true for; device-migration PMDs exist only with the RFC numbering. */
  const TRUE_FOR = (rfcNumbering: boolean): Readonly<Record<string, readonly Pmd[]>> => ({
    pmd_none: ['none'],
    pmd_present: ['table', 'leaf'],
    pmd_trans_huge: ['leaf'],
    is_swap_pmd: ['migration', 'device-private', 'swap', 'device-migration'],
    // the RFC makes its device migration types migration entries (is-a), and so does the series
    is_pmd_migration_entry: rfcNumbering ? ['migration', 'device-migration'] : ['migration'],
    pmd_is_migration_entry: rfcNumbering ? ['migration', 'device-migration'] : ['migration'],
    pmd_is_device_private_entry: ['device-private'],
    pmd_is_valid_softleaf: rfcNumbering ? ['migration', 'device-private', 'device-migration'] : ['migration', 'device-private'],
    // huge_mm.h: present -> pmd_trans_huge(); otherwise any non-none PMD
    pmd_is_huge: ['leaf', 'migration', 'device-private', 'swap', 'device-migration'],
  });
  const PMDS = (k: Kernel): [Pmd, bigint][] => {
    const rows: [Pmd, bigint][] = [
      ['none', 0n],
      ['table', 0x0000000012345067n], // P|RW|US|A|D, no PSE: points to a PTE table
      ['leaf', 0x80000000124008e7n], // T01: a present 2 MiB page
      ['migration', k.swp_entry_to_pmd(k.make_writable_migration_entry(asPfn(0x12400)))],
      ['device-private', k.swp_entry_to_pmd(k.make_writable_device_private_entry(asDeviceOffset(0x200)))],
      ['swap', k.swp_entry_to_pmd(k.swp_entry(3, 0x42n))],
    ];
    if (k.profile.numbering === 'rfc') rows.push(['device-migration', k.swp_entry_to_pmd(k.make_writable_migration_device_private_entry(asDeviceOffset(0x200)))]);
    return rows;
  };
  const PROFILE_LIST: readonly ProfileId[] = ['v6.18', 'rfc', '7.3', 'series', 'no-new-types', '7.3-pre-fix', 'series-pre-fix'];

  it.each(PROFILE_LIST)('%s: the helpers its headers have, each true exactly for the PMDs the header says', (profile) => {
    const k = getKernel(profile, DEFAULT_CONFIG, X86);
    const names = NAMES[k.profile.api];
    expect(k.pmdPredicates.map((p) => [p.name, p.header])).toEqual(names.map((n) => [n, HEADERS[n]]));
    const truth = TRUE_FOR(k.profile.numbering === 'rfc');
    for (const [pmd, raw] of PMDS(k)) {
      const want = Object.fromEntries(names.map((n) => [n, truth[n]!.includes(pmd)]));
      expect([pmd, decodePte(k, raw, 'pmd').pmdPredicates]).toEqual([pmd, want]);
    }
  });

  it('a PTE has no PMD helpers', () => {
    expect(decodePte(getKernel('7.3', DEFAULT_CONFIG, X86), 0x80000000124008e7n).pmdPredicates).toBeNull();
  });
});

describe('every PTE-level helper names the header that defines it', () => {
  it.each(PREDICATES.map((p) => [p.name, p.header] as const))('%s is in %s', (name, header) => {
    const want = name.startsWith('softleaf_') ? 'include/linux/leafops.h' : 'include/linux/swapops.h';
    expect(header).toBe(want);
  });
});
