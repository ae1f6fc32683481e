/**
 * The model against every kernel-computed vector (test/fixtures/vectors.json), before the series
 * (v6.18 numbering), after RFC 4/6, in 7.3's softleaf terms, and on arm64.
 */
import { describe, expect, it } from 'vitest';
import { big, vectors, type MigrationVector, type SpecialVector } from '../../../test/vectors.ts';
import { applyKconfig, DEFAULT_CONFIG, type KernelConfig } from './config.ts';
import { decodePte } from './decode.ts';
import { encodeSwapPte } from './encode.ts';
import { asDeviceOffset, asPfn, getKernel, SWP_OFFSET_MASK, SWP_TYPE_SHIFT, type Kernel, type PteMarker, type swp_entry_t } from './kernel.ts';
import { x86ArchMaxSwapfileSize, x86SwapMigrationAdSupported, type Platform } from './platform.ts';
import type { ProfileId } from './profiles.ts';
import { buildTypeTable, type Numbering } from './swapTypes.ts';
import { hex64 } from './u64.ts';

const X86: Platform = { arch: 'x86_64', paging: 4, migrationAd: true };
const kBefore = getKernel('v6.18', DEFAULT_CONFIG, X86);
const kAfter = getKernel('rfc', DEFAULT_CONFIG, X86);
const k73 = getKernel('7.3', DEFAULT_CONFIG, X86);

describe('constants', () => {
  it('SWP_TYPE_SHIFT is BITS_PER_XA_VALUE - MAX_SWAPFILES_SHIFT = 58 and SWP_OFFSET_MASK its mask', () => {
    expect(SWP_TYPE_SHIFT).toBe(vectors.constants.SWP_TYPE_SHIFT);
    expect(hex64(SWP_OFFSET_MASK)).toBe(vectors.constants.SWP_OFFSET_MASK);
  });
  it.each([
    ['x86_64_4level', 4],
    ['x86_64_5level', 5],
  ] as const)('SWP_PFN_BITS and the migration A/D bits for %s', (key, paging) => {
    const k = getKernel('v6.18', DEFAULT_CONFIG, { arch: 'x86_64', paging, migrationAd: true });
    const c = vectors.constants[key];
    expect(k.MAX_PHYSMEM_BITS).toBe(c.MAX_PHYSMEM_BITS);
    expect(k.SWP_PFN_BITS).toBe(c.SWP_PFN_BITS);
    expect(hex64(k.SWP_PFN_MASK)).toBe(c.SWP_PFN_MASK);
    expect(k.SWP_MIG_YOUNG_BIT).toBe(c.SWP_MIG_YOUNG_BIT);
    expect(k.SWP_MIG_DIRTY_BIT).toBe(c.SWP_MIG_DIRTY_BIT);
    expect(k.SWP_MIG_TOTAL_BITS).toBe(c.SWP_MIG_TOTAL_BITS);
    expect(hex64(k.SWP_MIG_YOUNG)).toBe(c.SWP_MIG_YOUNG);
    expect(hex64(k.SWP_MIG_DIRTY)).toBe(c.SWP_MIG_DIRTY);
  });
  it('arm64 with a 48-bit PA has SWP_PFN_BITS 36', () => {
    const k = getKernel('v6.18', DEFAULT_CONFIG, { arch: 'arm64', paging: 4, migrationAd: true });
    expect(k.SWP_PFN_BITS).toBe(vectors.arm64.SWP_PFN_BITS_48bitPA);
  });
  it.each(vectors.constants.arch_max_swapfile_size)(
    'arch_max_swapfile_size and swap_migration_ad_supported for L1TF=$l1tf_bug_and_mitigated, cache bits $x86_cache_bits, l5=$l5',
    (v) => {
      const cpu = { l1tfMitigated: v.l1tf_bug_and_mitigated, cacheBits: v.x86_cache_bits, paging: v.l5 ? 5 : 4 } as const;
      expect(x86ArchMaxSwapfileSize(cpu)).toBe(BigInt(v.pages));
      expect(x86SwapMigrationAdSupported(cpu)).toBe(v.swap_migration_ad_supported);
    },
  );
});

function variantToTable(variant: string, cflags: string): { numbering: Numbering; config: KernelConfig; pteMarker: boolean } {
  const numbering: Numbering = variant.startsWith('after_rfc') ? 'rfc' : variant.startsWith('v6_1') ? 'v6.1' : 'base';
  const has = (o: string) => cflags.includes(`-DCONFIG_${o}`);
  return {
    numbering,
    config: { DEVICE_PRIVATE: has('DEVICE_PRIVATE'), MIGRATION: has('MIGRATION'), MEMORY_FAILURE: has('MEMORY_FAILURE') },
    pteMarker: has('PTE_MARKER'),
  };
}

describe('swap type tables (include/linux/swap.h)', () => {
  it.each(vectors.type_tables)('$variant: every count, MAX_SWAPFILES and type number match the kernel', (t) => {
    const { numbering, config, pteMarker } = variantToTable(t.variant, t.cflags);
    const table = buildTypeTable(numbering, config, { PTE_MARKER: pteMarker });
    const got: Record<string, number> = { MAX_SWAPFILES_SHIFT: 5, MAX_SWAPFILES: table.MAX_SWAPFILES, ...table.counts };
    for (const r of table.rows) got[r.name] = r.number;
    // v6.1 has no SWP_PTE_MARKER_NUM row when the marker is off; the kernel still defines the count as 0.
    for (const [name, value] of Object.entries(t.values)) expect([name, got[name]]).toEqual([name, value]);
    // and nothing extra: every special type we number is one the kernel defines
    for (const r of table.rows) expect(t.values).toHaveProperty(r.name, r.number);
  });

  it('the Kconfig-reachable MIGRATION=n kernel equals the all-off table', () => {
    const k = applyKconfig({ DEVICE_PRIVATE: true, MIGRATION: false, MEMORY_FAILURE: true });
    expect(k.config).toEqual({ DEVICE_PRIVATE: false, MIGRATION: false, MEMORY_FAILURE: false });
    expect(k.forced).toHaveLength(2);
    expect(getKernel('rfc', { DEVICE_PRIVATE: true, MIGRATION: false, MEMORY_FAILURE: true }, X86).MAX_SWAPFILES).toBe(31);
  });
});

describe('encode vectors (x86_64 swap PTE)', () => {
  it.each(vectors.encode)('type $type offset $offset sd=$soft_dirty uffd=$uffd_wp excl=$exclusive -> $pte', (v) => {
    const r = encodeSwapPte(kBefore, { type: v.type, offset: big(v.offset), softDirty: v.soft_dirty, uffdWp: v.uffd_wp, exclusive: v.exclusive });
    expect(r.ok && hex64(r.pte)).toBe(v.pte);
    expect(hex64(kBefore.swp_entry(v.type, big(v.offset)).val)).toBe(v.swp_entry_val);
    const d = decodePte(kBefore, big(v.pte));
    if (big(v.pte) === 0n) {
      // type 0 with an all-ones 50-bit offset encodes to an all-zero PTE: pte_none().
      expect(d.kind).toBe('none');
    } else {
      expect(d.swap?.type).toBe(v.decoded_type);
      expect('0x' + d.swap?.offset.toString(16)).toBe(v.decoded_offset);
      expect(d.swap?.softDirty).toBe(v.soft_dirty);
      expect(d.swap?.uffdWp).toBe(v.uffd_wp);
      expect(d.swap?.exclusive).toBe(v.exclusive);
      expect(d.swap?.typeName).toBe(v.type_name_before);
      expect(decodePte(kAfter, big(v.pte)).swap?.typeName).toBe(v.type_name_after_rfc);
    }
    // The raw arch formulas (what the harness ran) round-trip even when pte_none() would hide the entry.
    const back = kBefore.pte_to_swp_entry(big(v.pte) as never);
    expect(kBefore.swp_type(back)).toBe(v.decoded_type);
    expect('0x' + kBefore.swp_offset(back).toString(16)).toBe(v.decoded_offset);
    expect(kBefore.swp_offset(back) === big(v.offset) && kBefore.swp_type(back) === v.type).toBe(v.roundtrip_exact);
  });
});

function checkDecode(k: Kernel, pte: string, want: Record<string, unknown>) {
  const d = decodePte(k, big(pte));
  expect(d.kind !== 'none').toBe(!want.pte_none);
  expect(d.kind === 'present').toBe(want.pte_present);
  if (want.pte_present || want.pte_none) return;
  const s = d.swap!;
  const entry: swp_entry_t = { val: s.swpEntry };
  expect(hex64(s.swpEntry)).toBe(want.swp_entry_val);
  expect(s.type).toBe(want.type);
  expect(s.typeName).toBe(want.type_name);
  expect('0x' + s.offset.toString(16)).toBe(want.offset);
  expect('0x' + k.swp_offset_pfn(entry).toString(16)).toBe(want.pfn_field);
  expect(s.softDirty).toBe(want.soft_dirty);
  expect(s.uffdWp).toBe(want.uffd_wp);
  expect(s.exclusive).toBe(want.exclusive);
  for (const [key, value] of Object.entries(want)) {
    if (key.startsWith('is_') || key === 'non_swap_entry') expect([key, s.predicates[key]]).toEqual([key, value]);
  }
  if ('mig_young' in want) {
    expect(s.migration?.young).toBe(want.mig_young);
    expect(s.migration?.dirty).toBe(want.mig_dirty);
  }
}

describe('decode vectors', () => {
  it.each(vectors.decode)('$pte before the series ($note)', (v) => checkDecode(kBefore, v.pte, v.before));
  it.each(vectors.decode)('$pte after RFC 4/6 ($note)', (v) => checkDecode(kAfter, v.pte, v.after_rfc));
  it.each(vectors.decode.filter((v) => 'softleaf_type_v7_3' in v.before))('$pte in 7.3 is $before.softleaf_type_v7_3', (v) => {
    expect(decodePte(k73, big(v.pte)).swap?.softleafType).toBe(v.before.softleaf_type_v7_3);
  });
  it('a PROT_NONE PTE is present and its PFN is stored inverted (pte_pfn undoes it)', () => {
    const d = decodePte(kBefore, 0x040ffffffedcb920n);
    expect(d.kind).toBe('present');
    expect(d.present?.protnone).toBe(true);
    expect(d.present?.pfn).toBe(0x1234);
    expect(d.present?.savedDirty).toBe(true);
  });
});

const MIG_CTOR: Record<string, (k: Kernel, pfn: number) => swp_entry_t> = {
  READ: (k, p) => k.make_readable_migration_entry(asPfn(p)),
  READ_EXCLUSIVE: (k, p) => k.make_readable_exclusive_migration_entry(asPfn(p)),
  WRITE: (k, p) => k.make_writable_migration_entry(asPfn(p)),
  DEVICE_READ: (k, p) => k.make_readable_migration_device_private_entry(asDeviceOffset(p)),
  DEVICE_READ_EXCLUSIVE: (k, p) => k.make_device_migration_readable_exclusive_migration_entry(asDeviceOffset(p)),
  DEVICE_WRITE: (k, p) => k.make_writable_migration_device_private_entry(asDeviceOffset(p)),
};

function checkMigration(profile: ProfileId, v: MigrationVector) {
  const k = getKernel(profile, DEFAULT_CONFIG, { arch: 'x86_64', paging: v.paging === '5-level' ? 5 : 4, migrationAd: v.migration_entry_supports_ad });
  let e = MIG_CTOR[v.kind]!(k, Number(big(v.pfn)));
  if (v.young) e = k.make_migration_entry_young(e);
  if (v.dirty) e = k.make_migration_entry_dirty(e);
  expect(k.swp_type(e)).toBe(v.type);
  expect(k.typeName(v.type)).toBe(v.type_name);
  expect('0x' + k.swp_offset(e).toString(16)).toBe(v.swp_offset);
  expect(hex64(e.val)).toBe(v.swp_entry_val);
  expect(hex64(k.swp_entry_to_pte(e))).toBe(v.pte);
  const d = decodePte(k, big(v.pte));
  expect('0x' + d.swap?.pfn?.toString(16)).toBe(v.decoded_pfn);
  expect(d.swap?.migration?.young).toBe(v.decoded_young);
  expect(d.swap?.migration?.dirty).toBe(v.decoded_dirty);
  expect(k.is_migration_entry_young(k.pte_to_swp_entry(d.raw as never))).toBe(v.decoded_young);
  expect(d.swap?.predicates.is_migration_entry).toBe(true);
}

describe('migration entries', () => {
  it.each(vectors.migration_before)('before: $type_name pfn $pfn young=$young dirty=$dirty $paging A/D=$migration_entry_supports_ad', (v) =>
    checkMigration('v6.18', v));
  it.each(vectors.migration_after_rfc)('after RFC: $type_name pfn $pfn young=$young dirty=$dirty $paging A/D=$migration_entry_supports_ad', (v) =>
    checkMigration('rfc', v));
});

function checkSpecial(k: Kernel, v: SpecialVector) {
  let e: swp_entry_t;
  if (v.helper === 'make_pte_marker') {
    expect(hex64(k.make_pte_marker(v.marker as PteMarker))).toBe(v.pte);
    expect(decodePte(k, big(v.pte)).swap?.marker?.bits).toBe(v.marker);
    return;
  }
  const pfn = Number(big(v.pfn!));
  switch (v.helper) {
    case 'make_readable_device_private_entry': e = k.make_readable_device_private_entry(asPfn(pfn)); break;
    case 'make_writable_device_private_entry': e = k.make_writable_device_private_entry(asPfn(pfn)); break;
    case 'make_device_exclusive_entry': e = k.make_device_exclusive_entry(asPfn(pfn)); break;
    case 'make_hwpoison_entry': e = k.make_hwpoison_entry(asPfn(pfn)); break;
    default: throw new Error(`unknown helper ${v.helper}`);
  }
  expect(k.swp_type(e)).toBe(v.type);
  expect(k.typeName(v.type)).toBe(v.type_name);
  expect(hex64(e.val)).toBe(v.swp_entry_val);
  const pte = k.swp_entry_to_pte(e);
  expect(hex64(pte)).toBe(v.pte);
  expect(hex64(k.pte_swp_mksoft_dirty(pte))).toBe(v.pte_soft_dirty);
  expect(decodePte(k, pte).swap?.pfn).toBe(pfn);
}

describe('special entries', () => {
  it.each(vectors.special_entries_before)('before: $helper($pfn$marker) -> $pte', (v) => checkSpecial(kBefore, v));
  it.each(vectors.special_entries_after_rfc)('after RFC: $helper($pfn$marker) -> $pte', (v) => checkSpecial(kAfter, v));
});

describe('arm64', () => {
  const arm = { arch: 'arm64', paging: 4, migrationAd: true } as const;
  it.each(vectors.arm64.vectors)('$what ($numbering) -> $pte', (v) => {
    const k = getKernel(v.numbering === 'before_patch' ? 'v6.18' : 'rfc', DEFAULT_CONFIG, arm);
    const uffd = v.what.includes('uffd') && !v.what.includes('uffd-wp (1)');
    const r = encodeSwapPte(k, { type: v.type, offset: big(v.offset), uffdWp: uffd });
    expect(r.ok && hex64(r.pte)).toBe(v.pte);
    const d = decodePte(k, big(v.pte));
    expect(d.swap?.type).toBe(v.decoded_type);
    expect('0x' + d.swap?.offset.toString(16)).toBe(v.decoded_offset);
  });
});
