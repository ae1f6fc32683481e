/**
 * Property tests (fast-check, fixed seed): encoding then decoding gives back what went in, on both
 * architectures and under every profile. Expected PTE values are recomputed here from the spec's
 * closed forms, not read from the model.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from './config.ts';
import { decodePte } from './decode.ts';
import { encodeSwapPte } from './encode.ts';
import { asDeviceOffset, asPfn, getKernel, type Kernel, type swp_entry_t } from './kernel.ts';
import type { Platform } from './platform.ts';
import { PROFILE_IDS, PROFILES, type ProfileId } from './profiles.ts';

const SEED = 0x20251128;
/**
 * The small dimensions (type, flag bits, constructor, young/dirty, A/D support) are also enumerated
 * exhaustively at the edge offsets, so the random runs only need to sample the large one (the offset
 * or PFN): a few hundred runs instead of thousands.
 */

/**
 * The historical profiles (7.3-pre-fix, series-pre-fix) differ from 7.3 and the series only in
 * set_pmd_migration_entry(): same type table, device space and helper API, so the round trips run
 * over the others (the test below pins that they encode alike).
 */
const ENCODING_PROFILES = PROFILE_IDS.filter((p) => !PROFILES[p].historical);
const RUNS = 300;

const M50 = (1n << 50n) - 1n;
const M64 = (1n << 64n) - 1n;

const x86Pte = (type: number, off: bigint, flags: bigint): bigint => ((BigInt(type) << 59n) | ((~off & M50) << 9n) | flags) & M64;
const armPte = (type: number, off: bigint, flags: bigint): bigint => ((BigInt(type) << 6n) | (off << 12n) | flags) & M64;

interface ArchCase {
  readonly name: string;
  readonly platform: Platform;
  readonly form: (type: number, off: bigint, flags: bigint) => bigint;
  /** Swap-PTE flag bits: soft-dirty (0 = none on this arch), uffd-wp, exclusive. */
  readonly sd: bigint;
  readonly uffd: bigint;
  readonly excl: bigint;
  /** The (type, offset) whose flag-less encoding is the all-zero PTE. */
  readonly zeroType: number;
  readonly zeroOffset: bigint;
}

const X86: ArchCase = {
  name: 'x86_64', platform: { arch: 'x86_64', paging: 4, migrationAd: true }, form: x86Pte,
  sd: 0x2n, uffd: 0x4n, excl: 0x8n, zeroType: 0, zeroOffset: M50,
};
const ARM: ArchCase = {
  name: 'arm64', platform: { arch: 'arm64', paging: 4, migrationAd: true }, form: armPte,
  sd: 0n, uffd: 0x8n, excl: 0x4n, zeroType: 0, zeroOffset: 0n,
};

/** Offsets: anywhere below 2^50, with the edges (0, 1, 2^50-1, around the PFN widths) made likely. */
const offsetArb = fc.oneof(
  { weight: 4, arbitrary: fc.bigInt({ min: 0n, max: M50 }) },
  { weight: 1, arbitrary: fc.constantFrom(0n, 1n, M50, M50 - 1n, (1n << 34n) - 1n, 1n << 34n, (1n << 40n) - 1n, 1n << 49n) },
);

describe.each([X86, ARM])('$name: swap PTE round trip', (arch) => {
  it.each(ENCODING_PROFILES)('%s: decodePte(encodeSwapPte(type, offset, flags)) gives back type, offset and flags exactly', (profile) => {
    const k = getKernel(profile, DEFAULT_CONFIG, arch.platform);
    const check = (type: number, offset: bigint, sd0: boolean, uffd: boolean, excl: boolean) => {
      const sd = sd0 && arch.sd !== 0n;
      const flags = (sd ? arch.sd : 0n) | (uffd ? arch.uffd : 0n) | (excl ? arch.excl : 0n);
      const pte = arch.form(type, offset, flags);
      const r = encodeSwapPte(k, { type, offset, softDirty: sd, uffdWp: uffd, exclusive: excl });
      const d = r.ok ? decodePte(k, r.pte) : null;
      const s = d?.swap;
      // none only for the all-zero PTE; otherwise every field comes back
      const want = pte === 0n ? [true, 0n, 'none'] : [true, pte, true, type, Number(offset), sd, uffd, excl, (BigInt(type) << 58n) | offset];
      const got = pte === 0n ? [r.ok, r.ok && r.pte, d?.kind] : [r.ok, r.ok && r.pte, s !== null && s !== undefined, s?.type, s?.offset, s?.softDirty, s?.uffdWp, s?.exclusive, s?.swpEntry];
      if (got.some((g, i) => g !== want[i])) expect([type, offset, flags, got]).toEqual([type, offset, flags, want]);
      expect(pte === 0n).toBe(type === arch.zeroType && offset === arch.zeroOffset && flags === 0n);
    };
    for (let type = 0; type < 32; type++) {
      for (let f = 0; f < 8; f++) for (const offset of [0n, M50]) check(type, offset, (f & 1) !== 0, (f & 2) !== 0, (f & 4) !== 0);
    }
    fc.assert(fc.property(fc.integer({ min: 0, max: 31 }), offsetArb, fc.boolean(), fc.boolean(), fc.boolean(), check), { numRuns: RUNS, seed: SEED });
  });

  it(`the only flag-less encoding that pte_none() reads as none is type ${arch.zeroType} offset ${arch.zeroOffset === 0n ? '0' : '2^50-1'}`, () => {
    const k = getKernel('v6.18', DEFAULT_CONFIG, arch.platform);
    const r = encodeSwapPte(k, { type: arch.zeroType, offset: arch.zeroOffset });
    expect(r).toEqual({ ok: true, pte: 0n });
    expect(decodePte(k, 0n).kind).toBe('none');
    // any flag makes it a swap PTE again, with the right type and offset
    const withExcl = encodeSwapPte(k, { type: arch.zeroType, offset: arch.zeroOffset, exclusive: true });
    expect(withExcl).toEqual({ ok: true, pte: arch.excl });
    const d = decodePte(k, arch.excl);
    expect([d.swap?.type, d.swap?.offset, d.swap?.exclusive]).toEqual([arch.zeroType, Number(arch.zeroOffset), true]);
  });
});

it('arm64 refuses a soft-dirty flag for any type and offset (no HAVE_ARCH_SOFT_DIRTY)', () => {
  const k = getKernel('v6.18', DEFAULT_CONFIG, ARM.platform);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 31 }), offsetArb, (type, offset) => {
      expect(encodeSwapPte(k, { type, offset, softDirty: true }).ok).toBe(false);
    }),
    { numRuns: 500, seed: SEED },
  );
});

// ---- migration entries -------------------------------------------------------------------------

interface Ctor {
  readonly name: string;
  readonly access: 'read' | 'read_exclusive' | 'write';
  readonly device: boolean;
  /** Type number from the spec's tables (§b.2): before the patch and after RFC 4/6. */
  readonly base: number | null;
  readonly rfc: number;
  readonly make: (k: Kernel, n: number) => swp_entry_t;
}

const CTORS: readonly Ctor[] = [
  { name: 'SWP_MIGRATION_READ', access: 'read', device: false, base: 25, rfc: 22, make: (k, n) => k.make_readable_migration_entry(asPfn(n)) },
  { name: 'SWP_MIGRATION_READ_EXCLUSIVE', access: 'read_exclusive', device: false, base: 26, rfc: 23, make: (k, n) => k.make_readable_exclusive_migration_entry(asPfn(n)) },
  { name: 'SWP_MIGRATION_WRITE', access: 'write', device: false, base: 27, rfc: 24, make: (k, n) => k.make_writable_migration_entry(asPfn(n)) },
  { name: 'SWP_MIGRATION_DEVICE_READ', access: 'read', device: true, base: null, rfc: 28, make: (k, n) => k.make_readable_migration_device_private_entry(asDeviceOffset(n)) },
  {
    name: 'SWP_MIGRATION_DEVICE_READ_EXCLUSIVE', access: 'read_exclusive', device: true, base: null, rfc: 29,
    make: (k, n) => k.make_device_migration_readable_exclusive_migration_entry(asDeviceOffset(n)),
  },
  { name: 'SWP_MIGRATION_DEVICE_WRITE', access: 'write', device: true, base: null, rfc: 30, make: (k, n) => k.make_writable_migration_device_private_entry(asDeviceOffset(n)) },
];

/** Platforms with MAX_PHYSMEM_BITS from the spec's table (§a). */
const MIG_PLATFORMS = [
  { name: 'x86_64 4-level', arch: X86, paging: 4, physBits: 46 },
  { name: 'x86_64 5-level', arch: X86, paging: 5, physBits: 52 },
  { name: 'arm64 48-bit PA', arch: ARM, paging: 4, physBits: 48 },
  { name: 'arm64 52-bit PA', arch: ARM, paging: 5, physBits: 52 },
] as const;

describe.each(MIG_PLATFORMS)('$name: migration entries', (mp) => {
  it.each(ENCODING_PROFILES)('%s: decode gives the PFN, and young/dirty only when migration_entry_supports_ad()', (profile: ProfileId) => {
    const rfcNumbering = PROFILES[profile].numbering === 'rfc';
    const ctors = CTORS.filter((c) => !c.device || rfcNumbering);
    const bits = BigInt(mp.physBits - 12);
    const pfnArb = fc.oneof(
      { weight: 4, arbitrary: fc.bigInt({ min: 0n, max: (1n << bits) - 1n }) },
      { weight: 1, arbitrary: fc.constantFrom(0n, 1n, 0x10n, 0x1234n, (1n << bits) - 1n) },
    );
    const migrationPredicate = PROFILES[profile].api === 'softleaf' ? 'softleaf_is_migration' : 'is_migration_entry';
    const type = (ctor: Ctor) => {
      const t = rfcNumbering ? ctor.rfc : ctor.base;
      if (t === null) throw new Error('device constructors only run under rfc');
      return t;
    };
    const check = (pfn: bigint, ctor: Ctor, young: boolean, dirty: boolean, ad: boolean, sd0: boolean, uffd: boolean) => {
      const k = getKernel(profile, DEFAULT_CONFIG, { arch: mp.arch.platform.arch, paging: mp.paging, migrationAd: ad });
      const sd = sd0 && mp.arch.sd !== 0n;
      let e = ctor.make(k, Number(pfn));
      if (young) e = k.make_migration_entry_young(e);
      if (dirty) e = k.make_migration_entry_dirty(e);
      let pte = k.swp_entry_to_pte(e);
      if (sd) pte = k.pte_swp_mksoft_dirty(pte);
      if (uffd) pte = k.pte_swp_mkuffd_wp(pte);
      const off = pfn | (young && ad ? 1n << bits : 0n) | (dirty && ad ? 1n << (bits + 1n) : 0n);
      const flags = (sd ? mp.arch.sd : 0n) | (uffd ? mp.arch.uffd : 0n);
      const d = decodePte(k, pte);
      const s = d.swap;
      const m = s?.migration;
      const e2 = k.pte_to_swp_entry(pte);
      const want = [
        Number(bits), mp.arch.form(type(ctor), off, flags), type(ctor), ctor.name, Number(pfn), ctor.device ? 'device' : 'phys',
        ctor.access, young && ad, dirty && ad, sd, uffd, false, true, young && ad, dirty && ad,
        // an entry the kernel's own helpers built is never flagged as impossible
        0,
      ];
      const got = [
        k.SWP_PFN_BITS, pte, s?.type, s?.typeName, s?.pfn, s?.pfnSpace,
        m?.access, m?.young, m?.dirty, s?.softDirty, s?.uffdWp, s?.exclusive, s?.predicates[migrationPredicate], k.is_migration_entry_young(e2), k.is_migration_entry_dirty(e2),
        d.problems.length,
      ];
      if (got.some((g, i) => g !== want[i])) expect([ctor.name, pfn, young, dirty, ad, sd, uffd, got, d.problems]).toEqual([ctor.name, pfn, young, dirty, ad, sd, uffd, want, []]);
    };
    for (const ctor of ctors) for (let f = 0; f < 32; f++) check((1n << bits) - 1n, ctor, (f & 1) !== 0, (f & 2) !== 0, (f & 4) !== 0, (f & 8) !== 0, (f & 16) !== 0);
    fc.assert(
      fc.property(pfnArb, fc.constantFrom(...ctors), fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), check),
      { numRuns: RUNS, seed: SEED },
    );
  });
});

describe('the historical profiles encode like the ones they precede', () => {
  it.each([['7.3-pre-fix', '7.3'], ['series-pre-fix', 'series']] as const)('%s has the type table, device space and helper API of %s', (old, now) => {
    const a = PROFILES[old];
    const b = PROFILES[now];
    expect([a.numbering, a.deviceSpace, a.api, a.fromPage, a.swpUffdMacro, a.deviceThp, a.historical]).toEqual([b.numbering, b.deviceSpace, b.api, b.fromPage, b.swpUffdMacro, b.deviceThp, true]);
    expect(a.pmdFlagsBug && !b.pmdFlagsBug).toBe(true);
    const ka = getKernel(old, DEFAULT_CONFIG, X86.platform);
    const kb = getKernel(now, DEFAULT_CONFIG, X86.platform);
    expect(ka.table.rows.map((r) => [r.name, r.number])).toEqual(kb.table.rows.map((r) => [r.name, r.number]));
    expect(Object.keys(ka.allPredicates(ka.swp_entry(27, 0x1234n)))).toEqual(Object.keys(kb.allPredicates(kb.swp_entry(27, 0x1234n))));
  });
});
