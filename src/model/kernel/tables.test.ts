/**
 * The kernel facts kept as tables and small helpers: Kconfig, the profiles, the platform constants,
 * the swap-type rows (including the historical v6.1 numbering), the entry kinds of leafops.h, the
 * 64-bit value helpers and the encoder's refusals. Expectations are written from the kernel sources
 * and the domain spec (§a, §b), not computed by the code under test.
 */
import { describe, expect, it } from 'vitest';
import { applyKconfig, CONFIG_OPTIONS, configKey, DEFAULT_CONFIG, describeConfig } from './config.ts';
import { encodeSwapPmd, encodeSwapPte } from './encode.ts';
import { getKernel } from './kernel.ts';
import { ENTRY_KINDS, isMigrationKind, isSoftleafKind, KIND, kindHasPfn, kindOfCode, softleafTypeName } from './leafops.ts';
import { ARCHES, DEFAULT_PLATFORM, describePlatform, maxPhysmemBits, platformKey, swpPfnBits, x86ArchMaxSwapfileSize, x86SwapMigrationAdSupported } from './platform.ts';
import { isProfileId, PROFILE_IDS, PROFILES, RFC_COVER_URL, RFC_PATCH4_URL, SERIES_V6_COVER_URL, seriesV6PatchUrl, sourceUrl } from './profiles.ts';
import { allTypeNames, BLOCK_COUNT_MACRO, buildTypeTable, MAX_SWAPFILES_SHIFT, SWP_TYPE_COUNT, TYPE_ROWS, typeName } from './swapTypes.ts';
import { bit, differingBits, field, fromHalves, genmask, hex, hex64, hi32, lo32, parseU64Hex, testBit, toggleBit, u64 } from './u64.ts';

// ---- Kconfig ---------------------------------------------------------------------------------------

describe('Kconfig (mm/Kconfig)', () => {
  it('the options, in the order the UI and the link key list them', () => {
    expect(CONFIG_OPTIONS).toEqual(['DEVICE_PRIVATE', 'MIGRATION', 'MEMORY_FAILURE']);
    expect(DEFAULT_CONFIG).toEqual({ DEVICE_PRIVATE: true, MIGRATION: true, MEMORY_FAILURE: true });
  });

  it('MIGRATION=n forces the other two off, with one sentence each naming the Kconfig reason', () => {
    expect(applyKconfig({ DEVICE_PRIVATE: true, MIGRATION: false, MEMORY_FAILURE: true })).toEqual({
      config: { DEVICE_PRIVATE: false, MIGRATION: false, MEMORY_FAILURE: false },
      forced: [
        'CONFIG_MEMORY_FAILURE=n: it selects MIGRATION (mm/Kconfig)',
        'CONFIG_DEVICE_PRIVATE=n: it depends on ZONE_DEVICE, which needs MEMORY_HOTREMOVE, which selects MIGRATION (mm/Kconfig)',
      ],
      // both stay off (the UI shows them disabled, the sentence as the reason) whatever was asked
      locked: {
        DEVICE_PRIVATE: 'CONFIG_DEVICE_PRIVATE=n: it depends on ZONE_DEVICE, which needs MEMORY_HOTREMOVE, which selects MIGRATION (mm/Kconfig)',
        MEMORY_FAILURE: 'CONFIG_MEMORY_FAILURE=n: it selects MIGRATION (mm/Kconfig)',
      },
    });
    expect(applyKconfig({ DEVICE_PRIVATE: false, MIGRATION: false, MEMORY_FAILURE: false }).locked).toEqual(applyKconfig({ DEVICE_PRIVATE: true, MIGRATION: false, MEMORY_FAILURE: true }).locked);
    expect(applyKconfig({ DEVICE_PRIVATE: true, MIGRATION: false, MEMORY_FAILURE: false }).forced).toHaveLength(1);
    expect(applyKconfig({ DEVICE_PRIVATE: false, MIGRATION: false, MEMORY_FAILURE: true }).forced).toEqual(['CONFIG_MEMORY_FAILURE=n: it selects MIGRATION (mm/Kconfig)']);
  });

  it('with MIGRATION=y every combination is buildable as asked (and copied, not shared)', () => {
    const wanted = { DEVICE_PRIVATE: false, MIGRATION: true, MEMORY_FAILURE: false };
    const r = applyKconfig(wanted);
    expect(r).toEqual({ config: wanted, forced: [], locked: {} });
    expect(r.config).not.toBe(wanted);
  });

  it('configKey is one digit per option; describeConfig spells each as CONFIG_X=y|n', () => {
    expect(configKey({ DEVICE_PRIVATE: true, MIGRATION: false, MEMORY_FAILURE: true })).toBe('101');
    expect(configKey(DEFAULT_CONFIG)).toBe('111');
    expect(describeConfig({ DEVICE_PRIVATE: false, MIGRATION: true, MEMORY_FAILURE: true })).toBe('CONFIG_DEVICE_PRIVATE=n CONFIG_MIGRATION=y CONFIG_MEMORY_FAILURE=y');
  });

  it('kernels are cached per profile, config and platform: a different key never returns another kernel', () => {
    const a = getKernel('v6.18', DEFAULT_CONFIG, DEFAULT_PLATFORM);
    expect(getKernel('v6.18', { ...DEFAULT_CONFIG }, { ...DEFAULT_PLATFORM })).toBe(a);
    expect(getKernel('rfc', DEFAULT_CONFIG, DEFAULT_PLATFORM)).not.toBe(a);
    expect(getKernel('v6.18', { ...DEFAULT_CONFIG, MEMORY_FAILURE: false }, DEFAULT_PLATFORM).MAX_SWAPFILES).toBe(25);
    expect(getKernel('v6.18', DEFAULT_CONFIG, { ...DEFAULT_PLATFORM, paging: 5 }).SWP_PFN_BITS).toBe(40);
    expect(getKernel('v6.18', DEFAULT_CONFIG, { ...DEFAULT_PLATFORM, migrationAd: false }).adReadable).toBe(false);
    expect(getKernel('v6.18', DEFAULT_CONFIG, { ...DEFAULT_PLATFORM, arch: 'arm64' }).arch.id).toBe('arm64');
  });
});

// ---- profiles --------------------------------------------------------------------------------------

describe('the kernel profiles', () => {
  it('every profile, with the facts that change the encoding and the API', () => {
    const facts = Object.fromEntries(PROFILE_IDS.map((id) => {
      const p = PROFILES[id];
      return [id, [p.id, p.numbering, p.deviceSpace, p.api, p.sourceTag, p.swpUffdMacro, p.fromPage, p.hypothetical, p.inferred.length, p.patchUrl ?? null, p.historical]];
    }));
    expect(facts).toEqual({
      'v6.18': ['v6.18', 'base', 'physical', 'swapops', 'v6.18', '_PAGE_SWP_UFFD_WP', false, false, 0, null, false],
      rfc: ['rfc', 'rfc', 'separate', 'swapops', 'v6.18', '_PAGE_SWP_UFFD_WP', false, false, 0, RFC_PATCH4_URL, false],
      '7.3': ['7.3', 'base', 'physical', 'softleaf', 'v7.3.4', '_PAGE_SWP_UFFD', false, false, 0, null, false],
      series: ['series', 'rfc', 'separate', 'softleaf', 'v7.3.4', '_PAGE_SWP_UFFD', true, false, 2, 'https://lore.kernel.org/all/20260202113642.59295-8-jniethe@nvidia.com/', false],
      'no-new-types': ['no-new-types', 'base', 'separate', 'swapops', 'v6.18', '_PAGE_SWP_UFFD_WP', false, true, 1, null, false],
      // the historical profiles: 7.3 and the series with the June 2026 set_pmd_migration_entry() fix reverted
      '7.3-pre-fix': ['7.3-pre-fix', 'base', 'physical', 'softleaf', 'v7.3.4', '_PAGE_SWP_UFFD', false, false, 1, 'https://lore.kernel.org/all/20260601083044.57132-1-ljs@kernel.org/', true],
      'series-pre-fix': ['series-pre-fix', 'rfc', 'separate', 'softleaf', 'v7.3.4', '_PAGE_SWP_UFFD', true, false, 1, 'https://lore.kernel.org/all/20260202113642.59295-7-jniethe@nvidia.com/', true],
    });
  });

  it('device-private THP (merged for 6.19) and the PMD-flags bug (fixed June 2026), per profile; each profile\'s short name', () => {
    const facts = Object.fromEntries(PROFILE_IDS.map((id) => [id, [PROFILES[id].deviceThp, PROFILES[id].pmdFlagsBug, PROFILES[id].short]]));
    expect(facts).toEqual({
      'v6.18': [false, false, 'v6.18'],
      rfc: [false, false, 'RFC'],
      '7.3': [true, false, 'v7.3.4'],
      series: [true, false, 'series v6'],
      'no-new-types': [false, false, 'no new types'],
      '7.3-pre-fix': [true, true, 'v7.3.4 pre-fix'],
      'series-pre-fix': [true, true, 'series v6 pre-fix'],
    });
  });

  it('every profile says what it is and where its facts come from; inferred facts are sentences', () => {
    for (const id of PROFILE_IDS) {
      const p = PROFILES[id];
      expect([id, p.label.length > 0, p.summary.length > 0, p.source.length > 0]).toEqual([id, true, true, true]);
      for (const s of p.inferred) expect(s).toMatch(/^\S.{20,}\.$/);
    }
    expect(PROFILES.series.label).toContain('series v6');
    expect(PROFILES['no-new-types'].summary).toMatch(/^Hypothetical/);
  });

  it('the lore addresses of the RFC and of the series v6 (patch N/13 is message N+1)', () => {
    expect(RFC_PATCH4_URL).toBe('https://lore.kernel.org/all/20251128044146.80050-5-jniethe@nvidia.com/');
    expect(RFC_COVER_URL).toBe('https://lore.kernel.org/all/20251128044146.80050-1-jniethe@nvidia.com/');
    expect(SERIES_V6_COVER_URL).toBe('https://lore.kernel.org/all/20260202113642.59295-1-jniethe@nvidia.com/');
    expect(seriesV6PatchUrl(13)).toBe('https://lore.kernel.org/all/20260202113642.59295-14-jniethe@nvidia.com/');
  });

  it('isProfileId accepts exactly the five ids', () => {
    expect(PROFILE_IDS.every(isProfileId)).toBe(true);
    expect(['', 'v6.19', 'RFC', '7.3.4', 'toString', 'constructor'].some(isProfileId)).toBe(false);
  });

  it('sourceUrl links an identifier at the profile\'s tag on elixir, escaped', () => {
    expect(sourceUrl(PROFILES['7.3'], 'softleaf_type')).toBe('https://elixir.bootlin.com/linux/v7.3.4/A/ident/softleaf_type');
    expect(sourceUrl(PROFILES.rfc, 'a b/c')).toBe('https://elixir.bootlin.com/linux/v6.18/A/ident/a%20b%2Fc');
  });
});

// ---- platform ---------------------------------------------------------------------------------------

describe('the platform', () => {
  it('MAX_PHYSMEM_BITS and SWP_PFN_BITS per arch and paging (spec §a)', () => {
    expect([maxPhysmemBits({ arch: 'x86_64', paging: 4 }), maxPhysmemBits({ arch: 'x86_64', paging: 5 }), maxPhysmemBits({ arch: 'arm64', paging: 4 }), maxPhysmemBits({ arch: 'arm64', paging: 5 })]).toEqual([46, 52, 48, 52]);
    expect([swpPfnBits({ arch: 'x86_64', paging: 4 }), swpPfnBits({ arch: 'arm64', paging: 4 })]).toEqual([34, 36]);
    expect(ARCHES).toEqual(['x86_64', 'arm64']);
    expect(DEFAULT_PLATFORM).toEqual({ arch: 'x86_64', paging: 4, migrationAd: true });
  });

  it('the arch layouts name themselves and their swap-exclusive bit', () => {
    const a = getKernel('v6.18', DEFAULT_CONFIG, { ...DEFAULT_PLATFORM, arch: 'arm64' }).arch;
    const x = getKernel('v6.18', DEFAULT_CONFIG, DEFAULT_PLATFORM).arch;
    expect([x.id, x.title, x.exclusiveName, x.offsetBits, x.hasSwapSoftDirty]).toEqual(['x86_64', 'x86_64', '_PAGE_SWP_EXCLUSIVE', 50, true]);
    expect([a.id, a.title, a.exclusiveName, a.offsetBits, a.hasSwapSoftDirty]).toEqual(['arm64', 'arm64 (4K pages)', 'PTE_SWP_EXCLUSIVE', 50, false]);
  });

  it('platformKey tells every platform apart; describePlatform says it in words', () => {
    expect(platformKey({ arch: 'arm64', paging: 5, migrationAd: false })).toBe('arm64/5/noad');
    expect(platformKey(DEFAULT_PLATFORM)).toBe('x86_64/4/ad');
    expect(describePlatform(DEFAULT_PLATFORM)).toBe('x86_64, 4-level paging, migration A/D carried');
    expect(describePlatform({ arch: 'arm64', paging: 5, migrationAd: false })).toBe('arm64, 52-bit PA, migration A/D not carried');
    expect(describePlatform({ arch: 'arm64', paging: 4, migrationAd: true })).toBe('arm64, 48-bit PA, migration A/D carried');
  });

  it('the L1TF cap never raises the generic 2^50 limit', () => {
    expect(x86ArchMaxSwapfileSize({ l1tfMitigated: true, cacheBits: 64, paging: 4 })).toBe(1n << 50n);
    expect(x86ArchMaxSwapfileSize({ l1tfMitigated: false, cacheBits: 39, paging: 4 })).toBe(1n << 50n);
    expect(x86SwapMigrationAdSupported({ l1tfMitigated: true, cacheBits: 46, paging: 4 })).toBe(true);
    expect(x86SwapMigrationAdSupported({ l1tfMitigated: true, cacheBits: 45, paging: 4 })).toBe(false);
  });

  it('with the L1TF mitigation the cap is l1tf_pfn_limit() << (PAGE_SHIFT - SWP_OFFSET_FIRST_BIT) = 2^(cache_bits - 1 - 12 + 3)', () => {
    expect(x86ArchMaxSwapfileSize({ l1tfMitigated: true, cacheBits: 39, paging: 4 })).toBe(1n << 29n);
    expect(x86ArchMaxSwapfileSize({ l1tfMitigated: true, cacheBits: 46, paging: 5 })).toBe(1n << 36n);
    expect(x86ArchMaxSwapfileSize({ l1tfMitigated: true, cacheBits: 60, paging: 5 })).toBe(1n << 50n);
    // 5-level: SWP_MIG_TOTAL_BITS = 40 + 2
    expect(x86SwapMigrationAdSupported({ l1tfMitigated: true, cacheBits: 52, paging: 5 })).toBe(true);
    expect(x86SwapMigrationAdSupported({ l1tfMitigated: true, cacheBits: 51, paging: 5 })).toBe(false);
    expect(x86SwapMigrationAdSupported({ l1tfMitigated: false, cacheBits: 39, paging: 5 })).toBe(true);
  });
});

// ---- swap.h rows -------------------------------------------------------------------------------------

describe('the swap-type rows (include/linux/swap.h)', () => {
  it('MAX_SWAPFILES_SHIFT 5: 32 type numbers', () => {
    expect([MAX_SWAPFILES_SHIFT, SWP_TYPE_COUNT]).toEqual([5, 32]);
  });

  it('each row: block, config option, kind, access and which page its number names', () => {
    const rows = TYPE_ROWS.map((r) => [r.name, r.block, r.config, r.kind, r.access, r.pfn, r.numberings.join(',')]);
    expect(rows).toEqual([
      ['SWP_HWPOISON', 'hwpoison', 'MEMORY_FAILURE', 'hwpoison', null, 'ram', 'v6.1,base,rfc'],
      ['SWP_MIGRATION_READ', 'migration', 'MIGRATION', 'migration', 'read', 'ram', 'v6.1,base,rfc'],
      ['SWP_MIGRATION_READ_EXCLUSIVE', 'migration', 'MIGRATION', 'migration', 'read_exclusive', 'ram', 'v6.1,base,rfc'],
      ['SWP_MIGRATION_WRITE', 'migration', 'MIGRATION', 'migration', 'write', 'ram', 'v6.1,base,rfc'],
      ['SWP_DEVICE_WRITE', 'device', 'DEVICE_PRIVATE', 'device-private', 'write', 'device', 'v6.1,base,rfc'],
      ['SWP_DEVICE_READ', 'device', 'DEVICE_PRIVATE', 'device-private', 'read', 'device', 'v6.1,base,rfc'],
      ['SWP_DEVICE_EXCLUSIVE_WRITE', 'device', 'DEVICE_PRIVATE', 'device-exclusive', 'write', 'ram', 'v6.1'],
      ['SWP_DEVICE_EXCLUSIVE_READ', 'device', 'DEVICE_PRIVATE', 'device-exclusive', 'read', 'ram', 'v6.1'],
      ['SWP_DEVICE_EXCLUSIVE', 'device', 'DEVICE_PRIVATE', 'device-exclusive', null, 'ram', 'base,rfc'],
      ['SWP_MIGRATION_DEVICE_READ', 'device', 'DEVICE_PRIVATE', 'device-migration', 'read', 'device', 'rfc'],
      ['SWP_MIGRATION_DEVICE_READ_EXCLUSIVE', 'device', 'DEVICE_PRIVATE', 'device-migration', 'read_exclusive', 'device', 'rfc'],
      ['SWP_MIGRATION_DEVICE_WRITE', 'device', 'DEVICE_PRIVATE', 'device-migration', 'write', 'device', 'rfc'],
      ['SWP_PTE_MARKER', 'marker', null, 'pte-marker', null, null, 'base,rfc'],
      ['SWP_PTE_MARKER', 'marker', 'PTE_MARKER', 'pte-marker', null, null, 'v6.1'],
      ['SWP_SWAPIN_ERROR', 'swapin_error', null, 'swapin-error', null, null, 'v6.1'],
    ]);
    for (const r of TYPE_ROWS) expect([r.name, r.meaning.length > 0]).toEqual([r.name, true]);
  });

  it('the count macro of each block', () => {
    expect(BLOCK_COUNT_MACRO).toEqual({ hwpoison: 'SWP_HWPOISON_NUM', migration: 'SWP_MIGRATION_NUM', device: 'SWP_DEVICE_NUM', marker: 'SWP_PTE_MARKER_NUM', swapin_error: 'SWP_SWAPIN_ERROR_NUM' });
  });

  it('v6.1 (spec §b.2 historical): with CONFIG_PTE_MARKER 22 swap files, SWP_SWAPIN_ERROR at 31; without, 23', () => {
    const on = buildTypeTable('v6.1', DEFAULT_CONFIG, { PTE_MARKER: true });
    expect(on.MAX_SWAPFILES).toBe(22);
    expect(on.rows.map((r) => `${r.name}=${r.number}`)).toEqual([
      'SWP_HWPOISON=22', 'SWP_MIGRATION_READ=23', 'SWP_MIGRATION_READ_EXCLUSIVE=24', 'SWP_MIGRATION_WRITE=25', 'SWP_DEVICE_WRITE=26', 'SWP_DEVICE_READ=27',
      'SWP_DEVICE_EXCLUSIVE_WRITE=28', 'SWP_DEVICE_EXCLUSIVE_READ=29', 'SWP_PTE_MARKER=30', 'SWP_SWAPIN_ERROR=31',
    ]);
    expect(on.counts).toEqual({ SWP_HWPOISON_NUM: 1, SWP_MIGRATION_NUM: 3, SWP_DEVICE_NUM: 4, SWP_PTE_MARKER_NUM: 1, SWP_SWAPIN_ERROR_NUM: 1 });
    const off = buildTypeTable('v6.1', DEFAULT_CONFIG, { PTE_MARKER: false });
    expect([off.MAX_SWAPFILES, off.byName.SWP_PTE_MARKER, off.byName.SWP_SWAPIN_ERROR?.number, off.counts.SWP_PTE_MARKER_NUM]).toEqual([23, undefined, 31, 0]);
    expect(buildTypeTable('v6.1', DEFAULT_CONFIG).MAX_SWAPFILES).toBe(22);
  });

  it('the base table has no SWP_SWAPIN_ERROR count; byNumber is empty below MAX_SWAPFILES', () => {
    const t = buildTypeTable('base', DEFAULT_CONFIG);
    expect(Object.keys(t.counts)).toEqual(['SWP_HWPOISON_NUM', 'SWP_MIGRATION_NUM', 'SWP_DEVICE_NUM', 'SWP_PTE_MARKER_NUM']);
    expect(t.byNumber).toHaveLength(32);
    expect(t.byNumber.slice(0, 24).every((r) => r === undefined)).toBe(true);
    // every type number has its slot (no holes): a view that iterates byNumber sees all 32
    expect(Object.keys(t.byNumber)).toHaveLength(32);
    expect([typeName(t, 23), typeName(t, 24), typeName(t, 31)]).toEqual(['swapfile_23', 'SWP_HWPOISON', 'SWP_PTE_MARKER']);
  });

  it('allTypeNames lists each name a numbering can produce once', () => {
    expect(allTypeNames('base')).toEqual(['SWP_HWPOISON', 'SWP_MIGRATION_READ', 'SWP_MIGRATION_READ_EXCLUSIVE', 'SWP_MIGRATION_WRITE', 'SWP_DEVICE_WRITE', 'SWP_DEVICE_READ', 'SWP_DEVICE_EXCLUSIVE', 'SWP_PTE_MARKER']);
    expect(allTypeNames('v6.1')).toHaveLength(10);
    expect(allTypeNames('rfc')).toHaveLength(11);
  });
});

// ---- leafops.h kinds ---------------------------------------------------------------------------------

describe('entry kinds (leafops.h)', () => {
  it('the kinds and their codes', () => {
    expect(ENTRY_KINDS).toEqual(['none', 'present', 'swap', 'migration', 'device-migration', 'device-private', 'device-exclusive', 'hwpoison', 'pte-marker', 'swapin-error']);
    ENTRY_KINDS.forEach((k, i) => expect([k, KIND[k], kindOfCode(i)]).toEqual([k, i, k]));
    expect(() => kindOfCode(10)).toThrow('no entry kind has code 10');
    expect(() => kindOfCode(-1)).toThrow(RangeError);
  });

  it.each([
    ['none', false, false, false],
    ['present', false, false, false],
    ['swap', false, false, true],
    ['migration', true, true, true],
    ['device-migration', true, true, true],
    ['device-private', false, true, true],
    ['device-exclusive', false, true, true],
    ['hwpoison', false, true, true],
    ['pte-marker', false, false, true],
    ['swapin-error', false, false, true],
  ] as const)('%s: migration %s, carries a PFN %s, soft leaf %s', (k, mig, pfn, leaf) => {
    expect([isMigrationKind(k), kindHasPfn(k), isSoftleafKind(k)]).toEqual([mig, pfn, leaf]);
  });

  it('kinds of nothing are neither', () => {
    expect([isMigrationKind(undefined), kindHasPfn(undefined)]).toEqual([false, false]);
  });

  it.each([
    ['none', null, 'SOFTLEAF_NONE'],
    ['present', null, 'SOFTLEAF_NONE'],
    ['swapin-error', null, 'SOFTLEAF_NONE'],
    ['swap', null, 'SOFTLEAF_SWAP'],
    ['migration', 'read_exclusive', 'SOFTLEAF_MIGRATION_READ_EXCLUSIVE'],
    ['device-migration', 'write', 'SOFTLEAF_MIGRATION_DEVICE_PRIVATE_WRITE'],
    ['device-private', 'read', 'SOFTLEAF_DEVICE_PRIVATE_READ'],
    ['device-exclusive', null, 'SOFTLEAF_DEVICE_EXCLUSIVE'],
    ['hwpoison', null, 'SOFTLEAF_HWPOISON'],
    ['pte-marker', null, 'SOFTLEAF_MARKER'],
  ] as const)('enum softleaf_type of %s (%s) is %s', (k, a, name) => {
    expect(softleafTypeName(k, a)).toBe(name);
  });
});

// ---- 64-bit helpers ------------------------------------------------------------------------------------

describe('64-bit values (u64.ts)', () => {
  it('u64 wraps to 64 bits; hex64 prints 16 digits; hex the shortest form', () => {
    expect(u64(-1n)).toBe((1n << 64n) - 1n);
    expect(u64(1n << 64n)).toBe(0n);
    expect(hex64(0x1234n)).toBe('0x0000000000001234');
    expect(hex64(-1n)).toBe('0xffffffffffffffff');
    expect([hex(0), hex(255), hex(0x1234n)]).toEqual(['0x0', '0xff', '0x1234']);
  });

  it('bit, genmask and field agree with the kernel macros BIT(), GENMASK() and FIELD_GET()', () => {
    expect(bit(63)).toBe(0x8000000000000000n);
    expect(genmask(58, 9)).toBe(0x07fffffffffffe00n);
    expect(genmask(0, 0)).toBe(1n);
    expect(field(0xdfffe7ffffdb9602n, 63, 59)).toBe(27n);
    expect(field(0xdfffe7ffffdb9602n, 3, 1)).toBe(1n);
    expect(field(0xdfffe7ffffdb9602n, 11, 4)).toBe(0x60n);
  });

  it('parseU64Hex strips only a leading 0x, and quotes an input of up to 40 characters whole', () => {
    expect(parseU64Hex('g0x1')).toEqual({ ok: false, error: '"g0x1" is not hex: unexpected character "g"' });
    const forty = `z${'0'.repeat(39)}`;
    expect(parseU64Hex(forty)).toEqual({ ok: false, error: `"${forty}" is not hex: unexpected character "z"` });
    expect(parseU64Hex(`${forty}0`)).toEqual({ ok: false, error: `"z${'0'.repeat(36)}..." is not hex: unexpected character "z"` });
  });

  it('the halves split and join without losing the sign bit', () => {
    const v = 0xdfffe7ffffdb9602n;
    expect([hi32(v), lo32(v)]).toEqual([0xdfffe7ff, 0xffdb9602]);
    expect(fromHalves(hi32(v), lo32(v))).toBe(v);
    expect(fromHalves(-1, -2)).toBe(0xfffffffffffffffen);
  });

  it('the halves of a value outside 0..2^64-1 are those of the value mod 2^64 (as u64() gives)', () => {
    expect([hi32(-1n), lo32(-1n)]).toEqual([0xffffffff, 0xffffffff]);
    expect([hi32(-(1n << 32n)), lo32(-(1n << 32n))]).toEqual([0xffffffff, 0]);
    expect([hi32((7n << 64n) | 0x1234567800000009n), lo32((7n << 64n) | 0x1234567800000009n)]).toEqual([0x12345678, 9]);
    expect([hi32(1n << 32n), lo32(1n << 32n)]).toEqual([1, 0]);
  });

  it('toggleBit flips one bit and refuses bits outside 0..63', () => {
    expect(toggleBit(0n, 63)).toBe(1n << 63n);
    expect(toggleBit(1n << 63n, 63)).toBe(0n);
    expect(toggleBit(0xffn, 0)).toBe(0xfen);
    expect(() => toggleBit(0n, 64)).toThrow('bit 64 is not in 0..63');
    expect(() => toggleBit(0n, -1)).toThrow(RangeError);
    expect(() => toggleBit(0n, 1.5)).toThrow(RangeError);
  });

  it('testBit and differingBits', () => {
    expect([testBit(0x8n, 3), testBit(0x8n, 2), testBit(1n << 63n, 63)]).toEqual([true, false, true]);
    expect(differingBits(0xdfffe7ffffdb9602n, 0xcfffe7ffffdb9602n)).toEqual([60]);
    expect(differingBits(0n, 0x8000000000000005n)).toEqual([0, 2, 63]);
    expect(differingBits(5n, 5n)).toEqual([]);
  });

  it('parse errors quote long input clipped to 40 characters', () => {
    const long = `0x${'z'.repeat(60)}`;
    const r = parseU64Hex(long);
    expect(r).toEqual({ ok: false, error: `"0xzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz..." is not hex: unexpected character "z"` });
    expect(parseU64Hex('0x')).toEqual({ ok: false, error: '"0x" has no digits after 0x' });
    expect(parseU64Hex('')).toEqual({ ok: false, error: 'empty input: expected a 64-bit hex value such as 0x8000000001234867' });
    expect(parseU64Hex(`  ${'1'.repeat(17)}  `)).toEqual({ ok: false, error: `"${'1'.repeat(17)}" is wider than 64 bits (17 significant hex digits, at most 16)` });
    expect(parseU64Hex('pte: 1234')).toEqual({ ok: false, error: '"pte: 1234" has no digits after pte:' });
    expect(parseU64Hex('pte:0x')).toEqual({ ok: false, error: '"pte:0x" has no digits after pte:' });
  });
});

// ---- encodeSwapPte refusals ----------------------------------------------------------------------------

describe('encodeSwapPte refuses what no swap PTE can hold', () => {
  const k = getKernel('v6.18', DEFAULT_CONFIG, DEFAULT_PLATFORM);
  it.each([
    ['type 32', { type: 32, offset: 0n }, 'type 32 is out of range: a swap type is 5 bits (0..31)'],
    ['type -1', { type: -1, offset: 0n }, 'type -1 is out of range: a swap type is 5 bits (0..31)'],
    ['type 1.5', { type: 1.5, offset: 0n }, 'type 1.5 is out of range: a swap type is 5 bits (0..31)'],
    ['offset -1', { type: 0, offset: -1n }, 'offset must not be negative'],
  ] as const)('%s: %s', (_w, spec, error) => {
    expect(encodeSwapPte(k, spec)).toEqual({ ok: false, error });
  });

  it('type 31 and offset 0 are in range', () => {
    expect(encodeSwapPte(k, { type: 31, offset: 0n })).toEqual({ ok: true, pte: 0xfffffffffffffe00n });
  });

  it('arm64 has no swap soft-dirty bit', () => {
    expect(encodeSwapPte(getKernel('v6.18', DEFAULT_CONFIG, { ...DEFAULT_PLATFORM, arch: 'arm64' }), { type: 0, offset: 1n, softDirty: true })).toEqual({
      ok: false, error: 'arm64 has no swap soft-dirty bit (it does not select HAVE_ARCH_SOFT_DIRTY)',
    });
  });
});

describe('encodeSwapPmd: swp_entry_to_pmd(), then pmd_swp_mksoft_dirty() / pmd_swp_mkuffd(); no exclusive bit', () => {
  const k = getKernel('7.3', DEFAULT_CONFIG, DEFAULT_PLATFORM);
  const arm = getKernel('7.3', DEFAULT_CONFIG, { ...DEFAULT_PLATFORM, arch: 'arm64' });
  /** The x86 swap layout (pgtable_64.h): type in bits 59..63, ~offset in bits 9..58; soft-dirty bit 1, uffd bit 2. */
  const x86 = (type: number, off: bigint, flags = 0n) => (BigInt(type) << 59n) | ((~off & ((1n << 50n) - 1n)) << 9n) | flags;
  it.each([
    ['a writable migration PMD', { type: 27, offset: 0x12400n }, x86(27, 0x12400n)],
    ['with soft-dirty', { type: 27, offset: 0x12400n, softDirty: true }, x86(27, 0x12400n, 0x2n)],
    ['with uffd', { type: 27, offset: 0x12400n, uffdWp: true }, x86(27, 0x12400n, 0x4n)],
    ['with both', { type: 29, offset: 0x200n, softDirty: true, uffdWp: true }, x86(29, 0x200n, 0x6n)],
  ] as const)('%s', (_w, spec, pmd) => {
    expect(encodeSwapPmd(k, spec)).toEqual({ ok: true, pmd });
  });
  it.each([
    ['the exclusive bit', k, { type: 27, offset: 0x12400n, exclusive: true }, 'there is no PMD swap-exclusive bit: exclusivity lives in the migration type (READ_EXCLUSIVE / WRITE) or in PageAnonExclusive'],
    ['type 32', k, { type: 32, offset: 0n }, 'type 32 is out of range: a swap type is 5 bits (0..31)'],
    ['a negative offset', k, { type: 27, offset: -1n }, 'offset must not be negative'],
    ['soft-dirty on arm64', arm, { type: 27, offset: 0x12400n, softDirty: true }, 'arm64 has no swap soft-dirty bit (it does not select HAVE_ARCH_SOFT_DIRTY)'],
  ] as const)('refuses %s', (_w, kk, spec, error) => {
    expect(encodeSwapPmd(kk, spec)).toEqual({ ok: false, error });
  });
  it('arm64: the PTE layout, uffd at bit 3', () => {
    expect(encodeSwapPmd(arm, { type: 24, offset: 0x200n, uffdWp: true })).toEqual({ ok: true, pmd: (24n << 6n) | (0x200n << 12n) | 0x8n });
  });
});
