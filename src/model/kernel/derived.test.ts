/**
 * Vectors derived in this file from the rules of the domain spec (§a–c), not taken from the model:
 * every expected PTE is computed here with BigInt from the closed forms
 *   x86_64: pte = (type << 59) | ((~off & (2^50 - 1)) << 9) | flags
 *   arm64:  pte = (type << 6) | (off << 12) | flags
 * and every expected type number from the swap.h allocation rule (top-down blocks).
 */
import { describe, expect, it } from 'vitest';
import { applyKconfig, DEFAULT_CONFIG, type KernelConfig } from './config.ts';
import { decodePte, type DecodedPte, type SwapInfo } from './decode.ts';
import { encodeSwapPte } from './encode.ts';
import {
  asDeviceOffset, asPfn, getKernel, Kernel, PTE_MARKER_GUARD, PTE_MARKER_POISONED, PTE_MARKER_UFFD_WP, type swp_entry_t,
} from './kernel.ts';
import type { Platform } from './platform.ts';
import type { ProfileId } from './profiles.ts';
import { parseU64Hex, type PteBits } from './u64.ts';

// ---- independent arithmetic ------------------------------------------------------------------

const M50 = (1n << 50n) - 1n;
const M64 = (1n << 64n) - 1n;

/** x86_64 closed form (spec §c.1). */
function x86Pte(type: number, off: bigint, flags = 0n): bigint {
  return ((BigInt(type) << 59n) | ((~off & M50) << 9n) | flags) & M64;
}

/** arm64 __swp_entry (spec §c.2). */
function armPte(type: number, off: bigint, flags = 0n): bigint {
  return ((BigInt(type) << 6n) | (off << 12n) | flags) & M64;
}

const X86_SD = 1n << 1n;
const X86_UFFD = 1n << 2n;
const X86_EXCL = 1n << 3n;

type Family = 'swap' | 'hwpoison' | 'migration' | 'device_private' | 'device_exclusive' | 'pte_marker';
interface ExpectedType {
  name: string;
  family: Family;
  kind: DecodedPte['kind'];
}

/**
 * swap.h, spec §b.1: MAX_SWAPFILES = 32 - N_dev - N_mig - N_hw - N_mk, then
 * [HWPOISON][MIGRATION x3][DEVICE x N_dev][PTE_MARKER] from MAX_SWAPFILES upwards.
 * `config` is the config after Kconfig (the caller decides).
 */
function expectedTypes(numbering: 'base' | 'rfc', config: KernelConfig): { max: number; byNumber: ExpectedType[] } {
  const hw: ExpectedType[] = config.MEMORY_FAILURE ? [{ name: 'SWP_HWPOISON', family: 'hwpoison', kind: 'hwpoison' }] : [];
  const mig: ExpectedType[] = config.MIGRATION
    ? ['READ', 'READ_EXCLUSIVE', 'WRITE'].map((a) => ({ name: `SWP_MIGRATION_${a}`, family: 'migration', kind: 'migration' }))
    : [];
  const dev: ExpectedType[] = [];
  if (config.DEVICE_PRIVATE) {
    dev.push({ name: 'SWP_DEVICE_WRITE', family: 'device_private', kind: 'device-private' });
    dev.push({ name: 'SWP_DEVICE_READ', family: 'device_private', kind: 'device-private' });
    dev.push({ name: 'SWP_DEVICE_EXCLUSIVE', family: 'device_exclusive', kind: 'device-exclusive' });
    if (numbering === 'rfc') {
      // RFC 4/6: READ, READ_EXCLUSIVE, WRITE (not the SWP_DEVICE_* order)
      for (const a of ['READ', 'READ_EXCLUSIVE', 'WRITE']) {
        dev.push({ name: `SWP_MIGRATION_DEVICE_${a}`, family: 'migration', kind: 'device-migration' });
      }
    }
  }
  const marker: ExpectedType[] = [{ name: 'SWP_PTE_MARKER', family: 'pte_marker', kind: 'pte-marker' }];
  const special = [...hw, ...mig, ...dev, ...marker];
  const max = 32 - special.length;
  const byNumber: ExpectedType[] = [];
  for (let t = 0; t < max; t++) byNumber.push({ name: `swapfile_${t}`, family: 'swap', kind: 'swap' });
  byNumber.push(...special);
  return { max, byNumber };
}

function numberOf(numbering: 'base' | 'rfc', name: string, config: KernelConfig = DEFAULT_CONFIG): number {
  const n = expectedTypes(numbering, config).byNumber.findIndex((t) => t.name === name);
  if (n < 0) throw new Error(`${name} is not in the ${numbering} table`);
  return n;
}

function swapOf(d: DecodedPte): SwapInfo {
  if (!d.swap) throw new Error(`${d.pte} decoded as ${d.kind}, not a swap PTE`);
  return d.swap;
}

const X86_4: Platform = { arch: 'x86_64', paging: 4, migrationAd: true };
const X86_5: Platform = { arch: 'x86_64', paging: 5, migrationAd: true };
const ARM_48: Platform = { arch: 'arm64', paging: 4, migrationAd: true };
const ARM_52: Platform = { arch: 'arm64', paging: 5, migrationAd: true };

const kV618 = getKernel('v6.18', DEFAULT_CONFIG, X86_4);
const kRfc = getKernel('rfc', DEFAULT_CONFIG, X86_4);
const k73 = getKernel('7.3', DEFAULT_CONFIG, X86_4);

const PROFILES_SEEN: readonly ProfileId[] = ['v6.18', 'rfc', '7.3'];
const numberingOf = (p: ProfileId): 'base' | 'rfc' => (p === 'rfc' ? 'rfc' : 'base');

// ---- x86_64 closed form --------------------------------------------------------------------

describe('x86_64 swap PTE closed form', () => {
  const offsets: [string, bigint][] = [
    ['0', 0n],
    ['1', 1n],
    ['0x42', 0x42n],
    ['0x1234', 0x1234n],
    ['2^34-1', (1n << 34n) - 1n],
    ['2^40-1', (1n << 40n) - 1n],
    ['2^49', 1n << 49n],
    ['2^50-2', M50 - 1n],
  ];
  const types = [0, 1, 20, 24, 27, 30, 31];
  it.each(PROFILES_SEEN.flatMap((p) => types.flatMap((t) => offsets.map(([n, o]) => [p, t, n, o] as const))))(
    '%s: encodeSwapPte(type %i, offset %s) equals (type << 59) | ((~off & (2^50-1)) << 9) and decodes back',
    (profile, type, _name, off) => {
      const k = getKernel(profile, DEFAULT_CONFIG, X86_4);
      const r = encodeSwapPte(k, { type, offset: off });
      expect(r).toEqual({ ok: true, pte: x86Pte(type, off) });
      const s = swapOf(decodePte(k, x86Pte(type, off)));
      expect(s.type).toBe(type);
      expect(BigInt(s.offset)).toBe(off);
      expect([s.softDirty, s.uffdWp, s.exclusive]).toEqual([false, false, false]);
    },
  );

  it('the spec worked examples follow from the closed form (swap 0/0x42 excl+sd, swp_entry(0,0), type 31 offset 0)', () => {
    expect(x86Pte(0, 0x42n, X86_EXCL | X86_SD)).toBe(0x07ffffffffff7a0an);
    expect(x86Pte(0, 0n)).toBe(0x07fffffffffffe00n);
    expect(x86Pte(31, 0n)).toBe(0xfffffffffffffe00n);
    const r = encodeSwapPte(kV618, { type: 0, offset: 0x42n, exclusive: true, softDirty: true });
    expect(r).toEqual({ ok: true, pte: 0x07ffffffffff7a0an });
  });

  it('offset 0 sets every offset bit (9..58) of the PTE: swp_entry(t, 0) is never the none PTE', () => {
    for (let t = 0; t < 32; t++) {
      const r = encodeSwapPte(kV618, { type: t, offset: 0n });
      expect(r.ok && (r.pte >> 9n) & M50).toBe(M50);
      expect(decodePte(kV618, x86Pte(t, 0n)).kind).not.toBe('none');
    }
  });

  it('the largest 50-bit offset clears bits 9..58, so type 0 with offset 2^50-1 is the all-zero PTE, which pte_none() reads as none', () => {
    const r = encodeSwapPte(kV618, { type: 0, offset: M50 });
    expect(r).toEqual({ ok: true, pte: 0n });
    expect(decodePte(kV618, 0n).kind).toBe('none');
    // with any flag it is a real swap PTE again
    const sd = decodePte(kV618, x86Pte(0, M50, X86_SD));
    expect(swapOf(sd).offset).toBe(Number(M50));
    expect(swapOf(sd).softDirty).toBe(true);
    // type 31 keeps its type bits
    expect(encodeSwapPte(kV618, { type: 31, offset: M50 })).toEqual({ ok: true, pte: 31n << 59n });
  });

  it('offset bits above 50 are lost by the x86 encoding (swp_entry keeps 58, __swp_entry shifts the rest out)', () => {
    const a = encodeSwapPte(kV618, { type: 1, offset: (1n << 50n) | 5n });
    const b = encodeSwapPte(kV618, { type: 1, offset: 5n });
    expect(a).toEqual(b);
    expect(kV618.swp_offset(kV618.swp_entry(1, (1n << 57n) | 5n))).toBe((1n << 57n) | 5n);
    expect(kV618.swp_offset(kV618.swp_entry(1, (1n << 58n) | 5n))).toBe(5n);
  });

  it('the three flag bits are bits 1 (soft-dirty), 2 (uffd-wp) and 3 (exclusive) and decode independently', () => {
    const cases: [boolean, boolean, boolean][] = [[true, false, false], [false, true, false], [false, false, true], [true, true, true]];
    for (const [sd, uffd, excl] of cases) {
      const flags = (sd ? X86_SD : 0n) | (uffd ? X86_UFFD : 0n) | (excl ? X86_EXCL : 0n);
      const r = encodeSwapPte(kV618, { type: 3, offset: 0x99n, softDirty: sd, uffdWp: uffd, exclusive: excl });
      expect(r).toEqual({ ok: true, pte: x86Pte(3, 0x99n, flags) });
      const s = swapOf(decodePte(kV618, x86Pte(3, 0x99n, flags)));
      expect([s.softDirty, s.uffdWp, s.exclusive]).toEqual([sd, uffd, excl]);
    }
  });

  it('swp_entry(t, o) keeps bit 63 clear, type in 62..58, offset in 57..0; swp_type/swp_offset return them', () => {
    for (const [t, o] of [[0, 0n], [31, (1n << 58n) - 1n], [27, 0x1234n]] as const) {
      const e = kV618.swp_entry(t, o);
      expect(e.val).toBe((BigInt(t) << 58n) | o);
      expect(e.val >> 63n).toBe(0n);
      expect(kV618.swp_type(e)).toBe(t);
      expect(kV618.swp_offset(e)).toBe(o);
    }
  });
});

// ---- arm64 -----------------------------------------------------------------------------------

describe('arm64 swap PTE layout', () => {
  const kArm = getKernel('v6.18', DEFAULT_CONFIG, ARM_48);
  it.each([
    [0, 1n], [5, 0x42n], [27, 0x1234n], [31, 0n], [31, M50], [1, M50],
  ] as const)('encodeSwapPte(type %i, offset %s) equals (type << 6) | (off << 12) and decodes back', (type, off) => {
    expect(encodeSwapPte(kArm, { type, offset: off })).toEqual({ ok: true, pte: armPte(type, off) });
    const s = swapOf(decodePte(kArm, armPte(type, off)));
    expect(s.type).toBe(type);
    expect(BigInt(s.offset)).toBe(off);
  });

  it('the offset is not inverted: a migration PTE shows its PFN directly in bits 12 and up', () => {
    const e = kArm.make_writable_migration_entry(asPfn(0x1234));
    const pte = kArm.swp_entry_to_pte(e);
    expect(pte).toBe(armPte(numberOf('base', 'SWP_MIGRATION_WRITE'), 0x1234n));
    expect((pte >> 12n) & 0xffffn).toBe(0x1234n);
  });

  it('arm64 has no swap soft-dirty bit: encoding one is refused; exclusive is bit 2 and uffd-wp bit 3', () => {
    const r = encodeSwapPte(kArm, { type: 1, offset: 1n, softDirty: true });
    expect(r.ok).toBe(false);
    expect(encodeSwapPte(kArm, { type: 1, offset: 1n, exclusive: true, uffdWp: true })).toEqual({ ok: true, pte: armPte(1, 1n, 0xcn) });
    const s = swapOf(decodePte(kArm, armPte(1, 1n, 0x4n)));
    expect([s.softDirty, s.uffdWp, s.exclusive]).toEqual([false, false, true]);
  });

  it('type 0 offset 0 is the all-zero PTE on arm64, which pte_none() reads as none', () => {
    expect(encodeSwapPte(kArm, { type: 0, offset: 0n })).toEqual({ ok: true, pte: 0n });
    expect(decodePte(kArm, 0n).kind).toBe('none');
  });

  it('bit 11 (PTE_PRESENT_INVALID) set on a swap PTE makes it present (PROT_NONE), bits 4-5 set are a problem', () => {
    const base = armPte(2, 0x77n);
    const pi = decodePte(kArm, base | 0x800n);
    expect(pi.kind).toBe('present');
    expect(pi.present?.protnone).toBe(true);
    const d = decodePte(kArm, base | 0x10n);
    expect(d.kind).toBe('swap');
    expect(d.problems.some((p) => p.includes('bits 4-5'))).toBe(true);
    expect(decodePte(kArm, base).problems).toEqual([]);
  });
});

// ---- largest PFN ---------------------------------------------------------------------------

describe('largest PFN (SWP_PFN_MASK) on every platform', () => {
  // spec §a: MAX_PHYSMEM_BITS per platform, SWP_PFN_BITS = MAX_PHYSMEM_BITS - PAGE_SHIFT
  const platforms = [
    ['x86_64 4-level', X86_4, 46, x86Pte],
    ['x86_64 5-level', X86_5, 52, x86Pte],
    ['arm64 48-bit PA', ARM_48, 48, armPte],
    ['arm64 52-bit PA', ARM_52, 52, armPte],
  ] as const;

  it.each(platforms)('%s: SWP_PFN_BITS = MAX_PHYSMEM_BITS - 12 and young/dirty sit just above the PFN', (_n, plat, physBits) => {
    const k = getKernel('v6.18', DEFAULT_CONFIG, plat);
    const bits = physBits - 12;
    expect(k.MAX_PHYSMEM_BITS).toBe(physBits);
    expect(k.SWP_PFN_BITS).toBe(bits);
    expect(k.SWP_PFN_MASK).toBe((1n << BigInt(bits)) - 1n);
    expect(k.SWP_MIG_YOUNG).toBe(1n << BigInt(bits));
    expect(k.SWP_MIG_DIRTY).toBe(1n << BigInt(bits + 1));
  });

  it.each(PROFILES_SEEN.flatMap((p) => platforms.map((x) => [p, ...x] as const)))(
    '%s on %s: a young+dirty writable migration entry for the largest PFN encodes and decodes exactly',
    (profile, _n, plat, physBits, form) => {
      const k = getKernel(profile, DEFAULT_CONFIG, plat);
      const bits = BigInt(physBits - 12);
      const maxPfn = (1n << bits) - 1n;
      let e = k.make_writable_migration_entry(asPfn(Number(maxPfn)));
      e = k.make_migration_entry_dirty(k.make_migration_entry_young(e));
      const type = numberOf(numberingOf(profile), 'SWP_MIGRATION_WRITE');
      const off = maxPfn | (1n << bits) | (1n << (bits + 1n));
      expect(e.val).toBe((BigInt(type) << 58n) | off);
      const pte = k.swp_entry_to_pte(e);
      expect(pte).toBe(form(type, off));
      const s = swapOf(decodePte(k, pte));
      expect(s.typeName).toBe('SWP_MIGRATION_WRITE');
      expect(BigInt(s.pfn ?? -1)).toBe(maxPfn);
      expect(s.migration).toMatchObject({ young: true, dirty: true, youngBitSet: true, dirtyBitSet: true });
      expect(decodePte(k, pte).problems).toEqual([]);
    },
  );

  it.each(platforms)('%s: hwpoison and device-exclusive entries carry the largest PFN; one more is reported as too wide', (_n, plat, physBits, form) => {
    const k = getKernel('v6.18', DEFAULT_CONFIG, plat);
    const maxPfn = (1n << BigInt(physBits - 12)) - 1n;
    const hw = numberOf('base', 'SWP_HWPOISON');
    const pte = k.swp_entry_to_pte(k.make_hwpoison_entry(asPfn(Number(maxPfn))));
    expect(pte).toBe(form(hw, maxPfn));
    expect(swapOf(decodePte(k, pte)).pfn).toBe(Number(maxPfn));
    const dx = k.swp_entry_to_pte(k.make_device_exclusive_entry(asPfn(Number(maxPfn))));
    expect(swapOf(decodePte(k, dx)).pfn).toBe(Number(maxPfn));
    const wide = decodePte(k, form(hw, maxPfn + 1n));
    expect(swapOf(wide).pfn).toBe(0);
    expect(wide.problems.some((p) => p.includes('SWP_PFN_BITS'))).toBe(true);
  });
});

// ---- type numbering --------------------------------------------------------------------------

describe('every type number 0..31', () => {
  const configs: [string, KernelConfig][] = [
    ['all on', DEFAULT_CONFIG],
    ['DEVICE_PRIVATE=n', { DEVICE_PRIVATE: false, MIGRATION: true, MEMORY_FAILURE: true }],
    ['MEMORY_FAILURE=n', { DEVICE_PRIVATE: true, MIGRATION: true, MEMORY_FAILURE: false }],
    ['MIGRATION=n', { DEVICE_PRIVATE: false, MIGRATION: false, MEMORY_FAILURE: false }],
  ];
  const cases = PROFILES_SEEN.flatMap((p) => configs.flatMap(([cn, c]) => Array.from({ length: 32 }, (_, t) => [p, cn, t, c] as const)));
  it.each(cases)('%s, %s: type %i decodes with the name, family and kind of the swap.h allocation', (profile, _cn, t, config) => {
    const k = getKernel(profile, config, X86_4);
    const want = expectedTypes(numberingOf(profile), config).byNumber[t];
    const d = decodePte(k, x86Pte(t, 1n));
    const s = swapOf(d);
    expect(s.type).toBe(t);
    expect(s.typeName).toBe(want?.name);
    expect(s.row?.kind ?? 'swap').toBe(want?.kind);
    expect(d.kind).toBe(want?.kind);
    expect(k.typeName(t)).toBe(want?.name);
  });

  it.each(PROFILES_SEEN.flatMap((p) => configs.map(([cn, c]) => [p, cn, c] as const)))('%s, %s: MAX_SWAPFILES follows from the enabled blocks', (profile, _cn, config) => {
    const k = getKernel(profile, config, X86_4);
    expect(k.MAX_SWAPFILES).toBe(expectedTypes(numberingOf(profile), config).max);
  });

  it('MAX_SWAPFILES is 24 in v6.18 and 7.3 and 21 after RFC 4/6 with every option on', () => {
    expect(kV618.MAX_SWAPFILES).toBe(24);
    expect(k73.MAX_SWAPFILES).toBe(24);
    expect(kRfc.MAX_SWAPFILES).toBe(21);
  });

  it('the PTE marker stays 31 in every profile and config, and the uffd-wp/poisoned/guard markers encode as the spec says', () => {
    for (const p of PROFILES_SEEN) {
      for (const [, c] of configs) expect(getKernel(p, c, X86_4).typeNumber('SWP_PTE_MARKER')).toBe(31);
    }
    for (const [m, v] of [[PTE_MARKER_UFFD_WP, 0xfffffffffffffc00n], [PTE_MARKER_POISONED, 0xfffffffffffffa00n], [PTE_MARKER_GUARD, 0xfffffffffffff600n]] as const) {
      expect(x86Pte(31, BigInt(m))).toBe(v);
      expect(kRfc.make_pte_marker(m)).toBe(v);
      expect(swapOf(decodePte(kRfc, v)).marker?.bits).toBe(m);
    }
  });

  it('the RFC renumbers every special type except the PTE marker (by 3)', () => {
    for (const name of ['SWP_HWPOISON', 'SWP_MIGRATION_READ', 'SWP_MIGRATION_READ_EXCLUSIVE', 'SWP_MIGRATION_WRITE', 'SWP_DEVICE_WRITE', 'SWP_DEVICE_READ', 'SWP_DEVICE_EXCLUSIVE']) {
      expect(kRfc.typeNumber(name)).toBe((kV618.typeNumber(name) ?? NaN) - 3);
    }
    expect(kRfc.typeNumber('SWP_PTE_MARKER')).toBe(kV618.typeNumber('SWP_PTE_MARKER'));
  });

  it('the pre-patch writable migration PTE 0xdfffe7ffffdb9602 reads as SWP_DEVICE_EXCLUSIVE under the RFC table', () => {
    const pte = x86Pte(numberOf('base', 'SWP_MIGRATION_WRITE'), 0x1234n | (3n << 34n), X86_SD);
    expect(pte).toBe(0xdfffe7ffffdb9602n);
    expect(swapOf(decodePte(kV618, pte)).typeName).toBe('SWP_MIGRATION_WRITE');
    expect(swapOf(decodePte(kRfc, pte)).typeName).toBe('SWP_DEVICE_EXCLUSIVE');
  });
});

// ---- 5-level paging --------------------------------------------------------------------------

describe('x86_64 5-level paging', () => {
  const k5 = getKernel('v6.18', DEFAULT_CONFIG, X86_5);
  const mw = numberOf('base', 'SWP_MIGRATION_WRITE');

  it('the migration young bit is offset bit 40 (PTE bit 49) and dirty bit 41 (PTE bit 50)', () => {
    expect(k5.SWP_MIG_YOUNG_BIT).toBe(40);
    expect(k5.SWP_MIG_DIRTY_BIT).toBe(41);
    const young = k5.swp_entry_to_pte(k5.make_migration_entry_young(k5.make_writable_migration_entry(asPfn(0x1234))));
    expect(young).toBe(x86Pte(mw, 0x1234n | (1n << 40n)));
    expect((young >> 49n) & 1n).toBe(0n); // inverted: a set offset bit is a clear PTE bit
    expect((young >> 50n) & 1n).toBe(1n);
    const s = swapOf(decodePte(k5, young));
    expect(s.pfn).toBe(0x1234);
    expect(s.migration).toMatchObject({ young: true, dirty: false });
  });

  it('a 5-level young entry read with the 4-level layout is not young: bit 40 is above SWP_MIG_DIRTY_BIT (35) there', () => {
    const pte = x86Pte(mw, 0x1234n | (1n << 40n));
    const d = decodePte(kV618, pte);
    expect(swapOf(d).pfn).toBe(0x1234);
    expect(swapOf(d).migration).toMatchObject({ young: false, dirty: false });
    expect(d.problems.some((p) => p.includes('SWP_MIG_DIRTY_BIT (35)'))).toBe(true);
  });

  it('a 4-level young entry (bit 34) read with the 5-level layout is PFN 0x1234 | 2^34, not young', () => {
    const pte = x86Pte(mw, 0x1234n | (1n << 34n));
    const s = swapOf(decodePte(k5, pte));
    expect(s.pfn).toBe(0x1234 + 2 ** 34);
    expect(s.migration?.young).toBe(false);
  });
});

// ---- migration_entry_supports_ad() false ----------------------------------------------------

describe('migration_entry_supports_ad() false', () => {
  const kNoAd = getKernel('v6.18', DEFAULT_CONFIG, { ...X86_4, migrationAd: false });
  const mw = numberOf('base', 'SWP_MIGRATION_WRITE');

  it('make_migration_entry_young/dirty return the entry unchanged', () => {
    const e = kNoAd.make_writable_migration_entry(asPfn(0x1234));
    expect(kNoAd.make_migration_entry_young(e).val).toBe(e.val);
    expect(kNoAd.make_migration_entry_dirty(e).val).toBe(e.val);
    expect(kNoAd.swp_entry_to_pte(kNoAd.make_migration_entry_dirty(kNoAd.make_migration_entry_young(e)))).toBe(x86Pte(mw, 0x1234n));
  });

  it('with A/D supported the same calls set offset bits 34 and 35', () => {
    const e = kV618.make_writable_migration_entry(asPfn(0x1234));
    expect(kV618.make_migration_entry_young(e).val).toBe(e.val | (1n << 34n));
    expect(kV618.make_migration_entry_dirty(e).val).toBe(e.val | (1n << 35n));
  });

  it('decode reports young/dirty false and a problem when the bits are set anyway', () => {
    const pte = x86Pte(mw, 0x1234n | (3n << 34n), X86_SD); // 0xdfffe7ffffdb9602
    const d = decodePte(kNoAd, pte);
    const s = swapOf(d);
    expect(s.pfn).toBe(0x1234);
    expect(s.migration).toMatchObject({ young: false, dirty: false, youngBitSet: true, dirtyBitSet: true });
    expect(d.problems.some((p) => p.includes('migration_entry_supports_ad() is false'))).toBe(true);
    expect(kNoAd.is_migration_entry_young({ val: s.swpEntry })).toBe(false);
    expect(kNoAd.is_migration_entry_dirty({ val: s.swpEntry })).toBe(false);
    // the same PTE on an A/D machine is young and dirty, without a problem
    const ad = decodePte(kV618, pte);
    expect(swapOf(ad).migration).toMatchObject({ young: true, dirty: true });
    expect(ad.problems).toEqual([]);
  });

  it('decode of an entry without the bits has no problem', () => {
    expect(decodePte(kNoAd, x86Pte(mw, 0x1234n, X86_SD)).problems).toEqual([]);
  });
});

// ---- config-off stubs ------------------------------------------------------------------------

describe('config-off stubs and Kconfig', () => {
  const zero = 0n;
  it('with DEVICE_PRIVATE=n the device constructors return swp_entry(0, 0)', () => {
    for (const p of PROFILES_SEEN) {
      const k = getKernel(p, { DEVICE_PRIVATE: false, MIGRATION: true, MEMORY_FAILURE: true }, X86_4);
      expect(k.make_writable_device_private_entry(asPfn(0x10)).val).toBe(zero);
      expect(k.make_readable_device_private_entry(asPfn(0x10)).val).toBe(zero);
      expect(k.make_device_exclusive_entry(asPfn(0x10)).val).toBe(zero);
      // the migration constructors still work, with the DEVICE_PRIVATE=n numbers (27 + 1 = 28..30)
      expect(k.swp_type(k.make_writable_migration_entry(asPfn(0x10)))).toBe(30);
      expect(k.MAX_SWAPFILES).toBe(27);
    }
    const kr = getKernel('rfc', { DEVICE_PRIVATE: false, MIGRATION: true, MEMORY_FAILURE: true }, X86_4);
    expect(kr.make_writable_migration_device_private_entry(asDeviceOffset(0x10)).val).toBe(zero);
  });

  it('with MEMORY_FAILURE=n make_hwpoison_entry returns swp_entry(0, 0)', () => {
    const k = getKernel('v6.18', { DEVICE_PRIVATE: true, MIGRATION: true, MEMORY_FAILURE: false }, X86_4);
    expect(k.make_hwpoison_entry(asPfn(0x1234)).val).toBe(zero);
    expect(k.MAX_SWAPFILES).toBe(25);
  });

  it('Kconfig: MIGRATION=n forces DEVICE_PRIVATE and MEMORY_FAILURE off, naming both', () => {
    const k = new Kernel('v6.18', { DEVICE_PRIVATE: true, MIGRATION: false, MEMORY_FAILURE: true }, X86_4);
    expect(k.config).toEqual({ DEVICE_PRIVATE: false, MIGRATION: false, MEMORY_FAILURE: false });
    expect(k.forced).toHaveLength(2);
    expect(k.forced.join(' ')).toMatch(/MEMORY_FAILURE/);
    expect(k.forced.join(' ')).toMatch(/DEVICE_PRIVATE/);
    expect(k.MAX_SWAPFILES).toBe(31);
    expect(k.make_writable_migration_entry(asPfn(0x1234)).val).toBe(zero);
    expect(k.make_hwpoison_entry(asPfn(0x1234)).val).toBe(zero);
    expect(k.make_writable_device_private_entry(asPfn(0x10)).val).toBe(zero);
    // types 24..30 are real swap files now: no special predicate holds and non_swap_entry() is false
    const s = swapOf(decodePte(k, x86Pte(27, 0x1234n)));
    expect(s.typeName).toBe('swapfile_27');
    expect(s.predicates.is_migration_entry).toBe(false);
    expect(s.predicates.non_swap_entry).toBe(false);
    expect(applyKconfig({ DEVICE_PRIVATE: false, MIGRATION: false, MEMORY_FAILURE: false }).forced).toEqual([]);
  });

  it('with MIGRATION=n is_migration_entry_young/dirty are false even when the offset bits are set', () => {
    const k = getKernel('v6.18', { DEVICE_PRIVATE: false, MIGRATION: false, MEMORY_FAILURE: false }, X86_4);
    const e: swp_entry_t = { val: (27n << 58n) | (3n << 34n) | 0x1234n };
    expect(k.is_migration_entry_young(e)).toBe(false);
    expect(k.is_migration_entry_dirty(e)).toBe(false);
  });
});

// ---- RFC "is-a" ----------------------------------------------------------------------------

describe('RFC 4/6 device-migration types are migration entries ("is-a")', () => {
  const off = asDeviceOffset(0x10);
  it('SWP_MIGRATION_DEVICE_WRITE satisfies is_migration_entry, is_writable_migration_entry and the device predicate', () => {
    const e = kRfc.make_writable_migration_device_private_entry(off);
    expect(kRfc.swp_type(e)).toBe(numberOf('rfc', 'SWP_MIGRATION_DEVICE_WRITE'));
    expect(kRfc.is('is_migration_entry', e)).toBe(true);
    expect(kRfc.is('is_writable_migration_entry', e)).toBe(true);
    expect(kRfc.is('is_readable_migration_entry', e)).toBe(false);
    expect(kRfc.is('is_device_private_migration_entry', e)).toBe(true);
    expect(kRfc.is('is_writable_device_migration_private_entry', e)).toBe(true);
    expect(kRfc.is('is_device_private_entry', e)).toBe(false);
    expect(kRfc.is('is_pfn_swap_entry', e)).toBe(true);
  });

  it('SWP_MIGRATION_DEVICE_READ satisfies is_readable_migration_entry and is_readable_device_migration_private_entry', () => {
    const e = kRfc.make_readable_migration_device_private_entry(off);
    expect(kRfc.swp_type(e)).toBe(numberOf('rfc', 'SWP_MIGRATION_DEVICE_READ'));
    expect(kRfc.is('is_migration_entry', e)).toBe(true);
    expect(kRfc.is('is_readable_migration_entry', e)).toBe(true);
    expect(kRfc.is('is_readable_device_migration_private_entry', e)).toBe(true);
    expect(kRfc.is('is_writable_migration_entry', e)).toBe(false);
  });

  it('SWP_MIGRATION_DEVICE_READ_EXCLUSIVE satisfies is_readable_exclusive_migration_entry and is_device_migration_readable_exclusive_entry', () => {
    const e = kRfc.make_device_migration_readable_exclusive_migration_entry(off);
    expect(kRfc.swp_type(e)).toBe(numberOf('rfc', 'SWP_MIGRATION_DEVICE_READ_EXCLUSIVE'));
    expect(kRfc.is('is_readable_exclusive_migration_entry', e)).toBe(true);
    expect(kRfc.is('is_device_migration_readable_exclusive_entry', e)).toBe(true);
    expect(kRfc.is('is_readable_migration_entry', e)).toBe(false);
  });

  it('a plain SWP_MIGRATION_* entry does not satisfy is_device_private_migration_entry or its access variants', () => {
    const mk = [
      kRfc.make_readable_migration_entry(asPfn(0x10)),
      kRfc.make_readable_exclusive_migration_entry(asPfn(0x10)),
      kRfc.make_writable_migration_entry(asPfn(0x10)),
    ];
    for (const e of mk) {
      expect(kRfc.is('is_migration_entry', e)).toBe(true);
      expect(kRfc.is('is_device_private_migration_entry', e)).toBe(false);
      expect(kRfc.is('is_readable_device_migration_private_entry', e)).toBe(false);
      expect(kRfc.is('is_writable_device_migration_private_entry', e)).toBe(false);
      expect(kRfc.is('is_device_migration_readable_exclusive_entry', e)).toBe(false);
    }
  });

  it('device-private entries are not migration entries', () => {
    const e = kRfc.make_writable_device_private_entry(off);
    expect(kRfc.is('is_device_private_entry', e)).toBe(true);
    expect(kRfc.is('is_migration_entry', e)).toBe(false);
    expect(kRfc.is('is_device_private_migration_entry', e)).toBe(false);
  });

  it('the same number 0x10 is a device offset in a device-migration entry and a RAM PFN in a plain one', () => {
    const dev = swapOf(decodePte(kRfc, kRfc.swp_entry_to_pte(kRfc.make_writable_migration_device_private_entry(off))));
    const ram = swapOf(decodePte(kRfc, kRfc.swp_entry_to_pte(kRfc.make_writable_migration_entry(asPfn(0x10)))));
    expect([dev.pfn, dev.pfnSpace]).toEqual([0x10, 'device']);
    expect([ram.pfn, ram.pfnSpace]).toEqual([0x10, 'phys']);
  });

  it('S02 step 3 after the RFC: 0xf7ffffffffffde02 is SWP_MIGRATION_DEVICE_WRITE(30) of device offset 0x10 with soft-dirty', () => {
    const pte = x86Pte(numberOf('rfc', 'SWP_MIGRATION_DEVICE_WRITE'), 0x10n, X86_SD);
    expect(pte).toBe(0xf7ffffffffffde02n);
    const s = swapOf(decodePte(kRfc, pte));
    expect([s.type, s.typeName, s.pfn, s.softDirty]).toEqual([30, 'SWP_MIGRATION_DEVICE_WRITE', 0x10, true]);
  });
});

describe('RFC helper names do not exist before the series', () => {
  const off = asDeviceOffset(0x10);
  it.each([
    ['v6.18', kV618],
    ['7.3', k73],
  ] as const)('on a %s kernel the three RFC constructors throw', (_p, k) => {
    expect(() => k.make_writable_migration_device_private_entry(off)).toThrow(/does not exist/);
    expect(() => k.make_readable_migration_device_private_entry(off)).toThrow(/does not exist/);
    expect(() => k.make_device_migration_readable_exclusive_migration_entry(off)).toThrow(/does not exist/);
  });

  it('on a v6.18 kernel asking for is_device_private_migration_entry throws, and no decode lists it', () => {
    const e = kV618.make_writable_migration_entry(asPfn(0x10));
    expect(() => kV618.is('is_device_private_migration_entry', e)).toThrow(/does not exist/);
    expect(swapOf(decodePte(kV618, kV618.swp_entry_to_pte(e))).predicates).not.toHaveProperty('is_device_private_migration_entry');
  });

  it('on a 7.3 kernel the swapops predicates are gone and the softleaf ones answer', () => {
    const e = k73.make_writable_migration_entry(asPfn(0x10));
    expect(() => k73.is('is_migration_entry', e)).toThrow(/does not exist/);
    expect(k73.is('softleaf_is_migration', e)).toBe(true);
    expect(k73.is('softleaf_is_migration_write', e)).toBe(true);
  });
});

// ---- 7.3 softleaf -------------------------------------------------------------------------------

describe('7.3 softleaf', () => {
  it('swp_entry(0, 0) has the non-zero PTE 0x07fffffffffffe00, which softleaf_type() reads as SOFTLEAF_NONE', () => {
    const pte = x86Pte(0, 0n);
    expect(pte).toBe(0x07fffffffffffe00n);
    const d = decodePte(k73, pte);
    expect(d.kind).not.toBe('none');
    const s = swapOf(d);
    expect(s.swpEntry).toBe(0n);
    expect(s.softleafType).toBe('SOFTLEAF_NONE');
    expect(s.predicates.softleaf_is_swap).toBe(false);
    expect(d.problems.some((p) => p.includes('SOFTLEAF_NONE'))).toBe(true);
    // offset 1 in swap file 0 is a normal swap entry
    expect(swapOf(decodePte(k73, x86Pte(0, 1n))).softleafType).toBe('SOFTLEAF_SWAP');
    // v6.18 has no softleaf API: the same PTE is swap file 0, offset 0; only the swap-header note
    const old = decodePte(kV618, pte);
    expect(swapOf(old).softleafType).toBeNull();
    expect(old.problemKinds).toEqual(['swap-header-slot']);
  });
});

// ---- x86 none / present / must-be-zero ----------------------------------------------------

describe('x86_64 pte_none, pte_present and must-be-zero bits', () => {
  it('pte_none() ignores bits 5-6 (_PAGE_KNL_ERRATUM_MASK) and nothing else', () => {
    for (const v of [0x20n, 0x40n, 0x60n]) {
      const d = decodePte(kV618, v);
      expect(d.kind).toBe('none');
      expect(d.problems).toHaveLength(1);
    }
    expect(decodePte(kV618, 0n).problems).toEqual([]);
    for (const v of [0x10n, 0x80n, 0x2n, 1n << 32n]) expect(decodePte(kV618, v).kind).not.toBe('none');
  });

  it('the PROT_NONE PTE 0x040ffffffedcb920 is present with PFN 0x1234 (stored inverted)', () => {
    const pte = 0x040ffffffedcb920n;
    const M40 = (1n << 40n) - 1n;
    expect(((pte >> 12n) & M40) ^ M40).toBe(0x1234n); // independent pte_pfn() with the protnone flip
    const d = decodePte(kV618, pte);
    expect(d.kind).toBe('present');
    expect(d.present?.protnone).toBe(true);
    expect(d.present?.pfn).toBe(0x1234);
  });

  it('a normal present PTE is not inverted: 0x8000000001234867 has PFN 0x1234', () => {
    const d = decodePte(kV618, 0x8000000001234867n);
    expect(d.present).toMatchObject({ pfn: 0x1234, protnone: false, writable: true, accessed: true, dirty: true, softDirty: true });
  });

  it('bit 7 (_PAGE_PSE) set on a swap PTE yields a problem and a field problem', () => {
    const d = decodePte(kV618, x86Pte(5, 0x42n) | 0x80n);
    expect(d.kind).toBe('swap');
    expect(swapOf(d).offset).toBe(0x42);
    expect(d.problems.some((p) => p.includes('bit 7'))).toBe(true);
    expect(d.fields.find((f) => f.lo === 7 && f.hi === 7)?.problem).toBeDefined();
    expect(decodePte(kV618, x86Pte(5, 0x42n)).problems).toEqual([]);
  });

  it('bit 8 (_PAGE_PROTNONE) set on a swap PTE makes it present (PROT_NONE)', () => {
    const d = decodePte(kV618, x86Pte(5, 0x42n) | 0x100n);
    expect(d.kind).toBe('present');
    expect(d.present?.protnone).toBe(true);
  });

  it('bits 4 and 5-6 set on a swap PTE yield a problem each', () => {
    expect(decodePte(kV618, x86Pte(5, 0x42n) | 0x10n).problems.some((p) => p.includes('bit 4'))).toBe(true);
    expect(decodePte(kV618, x86Pte(5, 0x42n) | 0x40n).problems.some((p) => p.includes('bits 5-6'))).toBe(true);
  });

  it('pte_to_swp_entry() strips the three flag bits before reading type and offset', () => {
    const pte = x86Pte(3, 0x99n, X86_SD | X86_UFFD | X86_EXCL) as PteBits;
    const e = kV618.pte_to_swp_entry(pte);
    expect(e.val).toBe((3n << 58n) | 0x99n);
  });
});

// ---- parseU64Hex ---------------------------------------------------------------------------

describe('parseU64Hex', () => {
  const V = 0x8000000001234867n;
  it.each([
    ['0x8000000001234867'],
    ['0X8000000001234867'],
    ['8000000001234867'],
    ['  0x8000000001234867  '],
    ['0x8000_0000_0123_4867'],
    ['0x00008000000001234867'],
    ['BUG: Bad page map in process a.out  pte:8000000001234867 pmd:1234567067'],
  ])('"%s" parses to 0x8000000001234867', (text) => {
    expect(parseU64Hex(text)).toEqual({ ok: true, value: V });
  });

  it('leading zeros do not count towards the 16-digit limit', () => {
    expect(parseU64Hex('0x' + '0'.repeat(30) + '1')).toEqual({ ok: true, value: 1n });
    expect(parseU64Hex('0')).toEqual({ ok: true, value: 0n });
    expect(parseU64Hex('0xffffffffffffffff')).toEqual({ ok: true, value: M64 });
  });

  it('more than 16 significant digits are rejected, naming the count', () => {
    const r = parseU64Hex('0x18000000001234867');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/17 significant/);
  });

  it.each([
    ['0x12g4', 'g'],
    ['12 34', ' '],
    ['-1', '-'],
    ['0x1.5', '.'],
  ])('non-hex "%s" is rejected naming the character "%s"', (text, ch) => {
    const r = parseU64Hex(text);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toContain(`"${ch}"`);
  });

  it('empty input and a bare 0x are rejected', () => {
    expect(parseU64Hex('').ok).toBe(false);
    expect(parseU64Hex('   ').ok).toBe(false);
    expect(parseU64Hex('0x').ok).toBe(false);
  });

  it('a "pte:" token written with a 0x prefix is never silently read as a different value', () => {
    // Not the kernel's format, but easy to type. Accepting it (as 0x8000000001234867) or rejecting it
    // are both fine; returning 0 (the "0" before the x) is not.
    const r = parseU64Hex('pte:0x8000000001234867');
    expect(r.ok ? r.value : 'rejected').not.toBe(0n);
  });

  it('a "pte:" token followed by non-hex characters is never silently truncated', () => {
    const r = parseU64Hex('pte:12345678zz');
    expect(r.ok ? r.value : 'rejected').toBe('rejected');
  });
});
