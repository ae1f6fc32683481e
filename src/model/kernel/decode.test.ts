/**
 * decodePte(): every field of every entry kind (bit range, value, text, label), every summary, and
 * each "the kernel never builds this" problem, on x86_64 and arm64 with 4- and 5-level paging.
 *
 * Expected layouts are data written from the arch headers (domain spec §c); expected values are
 * extracted from the raw PTE with BigInt arithmetic here; expected labels follow the documented
 * grammar "bits LO–HI: NAME TEXT". Nothing is computed by the code under test.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from './config.ts';
import { decode, decodePte, type DecodedField, type DecodedPte, type ProblemKind } from './decode.ts';
import { getKernel } from './kernel.ts';
import type { Platform } from './platform.ts';
import type { ProfileId } from './profiles.ts';

const M50 = (1n << 50n) - 1n;
const M64 = (1n << 64n) - 1n;
const x86Pte = (type: number, off: bigint, flags = 0n): bigint => ((BigInt(type) << 59n) | ((~off & M50) << 9n) | flags) & M64;
const armPte = (type: number, off: bigint, flags = 0n): bigint => ((BigInt(type) << 6n) | (off << 12n) | flags) & M64;
const X86_UFFD = 0x4n;
const X86_EXCL = 0x8n;
const ARM_EXCL = 0x4n;
const ARM_UFFD = 0x8n;

const X86_4: Platform = { arch: 'x86_64', paging: 4, migrationAd: true };
const X86_5: Platform = { arch: 'x86_64', paging: 5, migrationAd: true };
const X86_NOAD: Platform = { arch: 'x86_64', paging: 4, migrationAd: false };
const ARM_48: Platform = { arch: 'arm64', paging: 4, migrationAd: true };
const ARM_52: Platform = { arch: 'arm64', paging: 5, migrationAd: true };

const dec = (profile: ProfileId, p: Platform, raw: bigint): DecodedPte => decodePte(getKernel(profile, DEFAULT_CONFIG, p), raw);

// ---- the label grammar, independently ------------------------------------------------------------

const hex = (v: bigint | number) => `0x${v.toString(16)}`;
const bits = (raw: bigint, hi: number, lo: number) => (raw >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n);
const range = (hi: number, lo: number) => (hi === lo ? `bit ${lo}` : `bits ${lo}–${hi}`);
const onOff = (v: bigint) => (v ? 'set' : 'clear');

type Want = Pick<DecodedField, 'id' | 'hi' | 'lo' | 'text' | 'label'> & { value: bigint; stored: bigint; problem?: string };

/** A plain field: one bit reads set/clear, wider ones hex. */
function plain(raw: bigint, id: string, hi: number, lo: number, name: string, mustBeZero = false): Want {
  const v = bits(raw, hi, lo);
  const text = hi === lo ? onOff(v) : hex(v);
  return { id, hi, lo, value: v, stored: v, text, label: `${range(hi, lo)}: ${name} ${text}`, ...(mustBeZero && v !== 0n ? { problem: `${name} must be clear in a swap PTE` } : {}) };
}

/** A part of the offset field: x86 stores it inverted, arm64 does not. */
function part(raw: bigint, inverted: boolean, id: string, hi: number, lo: number, name: string, textOf: (v: bigint) => string): Want {
  const stored = bits(raw, hi, lo);
  const value = inverted ? ~stored & ((1n << BigInt(hi - lo + 1)) - 1n) : stored;
  const text = textOf(value);
  return { id, hi, lo, value, stored, text, label: `${range(hi, lo)}: ${name} ${text}${inverted ? ` (stored ${hex(stored)}, inverted)` : ''}` };
}

/** How the offset field splits, per kind of entry. */
type OffsetShape =
  | { kind: 'slot' }
  | { kind: 'pfn'; space: 'phys' | 'device'; pfnBits: number; migration: boolean; ad: boolean }
  | { kind: 'marker' };

function offsetParts(raw: bigint, arch: 'x86_64' | 'arm64', s: OffsetShape): Want[] {
  const [top, lo0, inv] = arch === 'x86_64' ? [58, 9, true] : [61, 12, false];
  if (s.kind === 'slot') return [part(raw, inv, 'offset', top, lo0, 'swap offset (slot)', hex)];
  if (s.kind === 'marker') {
    const names = (v: bigint) => [...(v & 4n ? ['GUARD'] : []), ...(v & 2n ? ['POISONED'] : []), ...(v & 1n ? ['UFFD_WP'] : [])];
    return [
      part(raw, inv, 'offset-high', top, lo0 + 3, 'offset bits above PTE_MARKER_MASK', (v) => (v ? hex(v) : '0')),
      part(raw, inv, 'marker', lo0 + 2, lo0, 'PTE marker bits (GUARD 4, POISONED 2, UFFD_WP 1)', (v) => `${hex(v)}${names(v).length ? ` = ${names(v).join('|')}` : ''}`),
    ];
  }
  const pb = s.pfnBits;
  const out = [part(raw, inv, 'offset-high', top, lo0 + pb + (s.migration ? 2 : 0), 'offset bits above the PFN', (v) => (v ? hex(v) : '0'))];
  if (s.migration) {
    out.push(part(raw, inv, 'mig-dirty', lo0 + pb + 1, lo0 + pb + 1, 'SWP_MIG_DIRTY', onOff));
    out.push(part(raw, inv, 'mig-young', lo0 + pb, lo0 + pb, 'SWP_MIG_YOUNG', onOff));
  }
  out.push(part(raw, inv, 'pfn', lo0 + pb - 1, lo0, `${s.space === 'device' ? 'device-private offset' : 'PFN'} (SWP_PFN_BITS = ${pb})`, hex));
  return out;
}

/** Every field of a swap PTE, bit 63 down to bit 0 (spec §c.1, §c.2). */
function swapLayout(raw: bigint, arch: 'x86_64' | 'arm64', type: number, typeName: string, s: OffsetShape, uffdName = '_PAGE_SWP_UFFD_WP'): Want[] {
  const typeField = (hi: number, lo: number): Want => ({
    id: 'type', hi, lo, value: BigInt(type), stored: BigInt(type), text: `${type} = ${typeName}`, label: `${range(hi, lo)}: swap type ${type}, ${typeName}`,
  });
  if (arch === 'x86_64') {
    return [
      typeField(63, 59),
      ...offsetParts(raw, arch, s),
      plain(raw, 'protnone', 8, 8, '_PAGE_PROTNONE', true),
      plain(raw, 'pse', 7, 7, '_PAGE_PSE', true),
      plain(raw, 'knl', 6, 5, '_PAGE_KNL_ERRATUM_MASK (A, D)', true),
      plain(raw, 'unused4', 4, 4, 'unused', true),
      plain(raw, 'exclusive', 3, 3, '_PAGE_SWP_EXCLUSIVE'),
      plain(raw, 'uffd', 2, 2, uffdName),
      plain(raw, 'softdirty', 1, 1, '_PAGE_SWP_SOFT_DIRTY'),
      plain(raw, 'present', 0, 0, '_PAGE_PRESENT'),
    ];
  }
  return [
    plain(raw, 'top', 63, 62, 'unused', true),
    ...offsetParts(raw, arch, s),
    plain(raw, 'presentinvalid', 11, 11, 'PTE_PRESENT_INVALID (nG)', true),
    typeField(10, 6),
    plain(raw, 'unused45', 5, 4, 'unused', true),
    plain(raw, 'uffd', 3, 3, uffdName.replace('_PAGE_', 'PTE_')),
    plain(raw, 'exclusive', 2, 2, 'PTE_SWP_EXCLUSIVE'),
    plain(raw, 'valid', 1, 0, 'PTE_VALID / PTE_TABLE_BIT'),
  ];
}

function fieldsOf(d: DecodedPte): Want[] {
  return d.fields.map((f) => ({ id: f.id, hi: f.hi, lo: f.lo, value: f.value, stored: f.stored, text: f.text, label: f.label, ...(f.problem ? { problem: f.problem } : {}) }));
}

/** The class of each field (the colour legend of the bit view), per arch and PTE state (spec §c). */
const ROLES: Readonly<Record<string, Readonly<Record<string, DecodedField['role']>>>> = {
  'x86_64 swap': {
    type: 'type', offset: 'offset', 'offset-high': 'offset', 'mig-dirty': 'offset', 'mig-young': 'offset', pfn: 'offset', marker: 'offset',
    protnone: 'must-be-zero', pse: 'must-be-zero', knl: 'must-be-zero', unused4: 'must-be-zero', exclusive: 'flag', uffd: 'flag', softdirty: 'flag', present: 'present-bit',
  },
  'arm64 swap': {
    top: 'must-be-zero', offset: 'offset', 'offset-high': 'offset', 'mig-dirty': 'offset', 'mig-young': 'offset', pfn: 'offset', marker: 'offset',
    presentinvalid: 'must-be-zero', type: 'type', unused45: 'must-be-zero', uffd: 'flag', exclusive: 'flag', valid: 'present-bit',
  },
  'x86_64 present': {
    nx: 'hw-flag', pkey: 'hw-flag', saveddirty: 'sw-flag', softw4: 'sw-flag', ignored: 'other', pfn: 'pfn', softdirty: 'sw-flag', uffd: 'sw-flag', special: 'sw-flag',
    global: 'hw-flag', pse: 'hw-flag', dirty: 'hw-flag', accessed: 'hw-flag', pcd: 'hw-flag', pwt: 'hw-flag', user: 'hw-flag', rw: 'hw-flag', present: 'present-bit',
  },
  'arm64 present': {
    upper: 'other', uffd: 'sw-flag', sw57: 'sw-flag', special: 'sw-flag', dirty: 'sw-flag', uxn: 'hw-flag', pxn: 'hw-flag', cont: 'hw-flag', dbm: 'hw-flag', gp: 'hw-flag',
    pfn: 'pfn', ng: 'hw-flag', af: 'hw-flag', sh: 'hw-flag', rdonly: 'hw-flag', user: 'hw-flag', attr: 'hw-flag', table: 'hw-flag', valid: 'present-bit',
  },
};

/** Every field has its class and its one-sentence note, and together they cover bits 63..0 once each. */
function expectWellFormed(d: DecodedPte): void {
  const roles = ROLES[`${d.arch} ${d.kind === 'present' ? 'present' : 'swap'}`]!;
  expect(d.fields.map((f) => [f.id, f.role])).toEqual(d.fields.map((f) => [f.id, roles[f.id]]));
  let next = 63;
  for (const f of d.fields) {
    expect([f.id, f.hi]).toEqual([f.id, next]);
    expect([f.id, f.note.length > 0]).toEqual([f.id, true]);
    expect([f.id, f.name.length > 0]).toEqual([f.id, true]);
    next = f.lo - 1;
  }
  expect(next).toBe(-1);
}

// ---- swap-style entries ------------------------------------------------------------------------------

interface SwapCase {
  what: string;
  profile: ProfileId;
  platform: Platform;
  raw: bigint;
  type: number;
  typeName: string;
  shape: OffsetShape;
  summary: string;
  uffdName?: string;
  problems?: readonly ProblemKind[];
}

const pfn4 = { pfnBits: 34, ad: true };
const SWAP_CASES: readonly SwapCase[] = [
  { what: 'a swap slot with soft-dirty and exclusive', profile: 'v6.18', platform: X86_4, raw: 0x07ffffffffff7a0an, type: 0, typeName: 'swapfile_0', shape: { kind: 'slot' }, summary: 'swapfile_0(0) off=0x42 sd,excl' },
  { what: 'a swap slot far above SWP_PFN_BITS, with uffd-wp (7.3 name)', profile: '7.3', platform: X86_4, raw: x86Pte(5, 1n << 45n, X86_UFFD), type: 5, typeName: 'swapfile_5', shape: { kind: 'slot' }, summary: 'swapfile_5(5) off=0x200000000000 uffd', uffdName: '_PAGE_SWP_UFFD' },
  { what: 'a hwpoison entry', profile: 'v6.18', platform: X86_4, raw: 0xc7ffffffffdb9600n, type: 24, typeName: 'SWP_HWPOISON', shape: { kind: 'pfn', space: 'phys', migration: false, ...pfn4 }, summary: 'SWP_HWPOISON(24) off=0x1234' },
  { what: 'a writable migration entry with A+D and soft-dirty', profile: 'v6.18', platform: X86_4, raw: 0xdfffe7ffffdb9602n, type: 27, typeName: 'SWP_MIGRATION_WRITE', shape: { kind: 'pfn', space: 'phys', migration: true, ...pfn4 }, summary: 'SWP_MIGRATION_WRITE(27) pfn=0x1234+A+D sd' },
  { what: 'a readable migration entry, young only, uffd-wp', profile: 'v6.18', platform: X86_4, raw: x86Pte(25, 0x1234n | (1n << 34n), X86_UFFD), type: 25, typeName: 'SWP_MIGRATION_READ', shape: { kind: 'pfn', space: 'phys', migration: true, ...pfn4 }, summary: 'SWP_MIGRATION_READ(25) pfn=0x1234+A uffd' },
  { what: 'a read-exclusive migration entry, dirty only', profile: 'v6.18', platform: X86_4, raw: x86Pte(26, 0x1234n | (1n << 35n)), type: 26, typeName: 'SWP_MIGRATION_READ_EXCLUSIVE', shape: { kind: 'pfn', space: 'phys', migration: true, ...pfn4 }, summary: 'SWP_MIGRATION_READ_EXCLUSIVE(26) pfn=0x1234+D' },
  { what: 'a device-private entry before the series (a physical PFN)', profile: 'v6.18', platform: X86_4, raw: 0xe7ffffffffffde02n, type: 28, typeName: 'SWP_DEVICE_WRITE', shape: { kind: 'pfn', space: 'phys', migration: false, ...pfn4 }, summary: 'SWP_DEVICE_WRITE(28) off=0x10 sd' },
  { what: 'a device-private entry after RFC 4/6 (a device offset)', profile: 'rfc', platform: X86_4, raw: 0xcfffffffffffde02n, type: 25, typeName: 'SWP_DEVICE_WRITE', shape: { kind: 'pfn', space: 'device', migration: false, ...pfn4 }, summary: 'SWP_DEVICE_WRITE(25) off=0x10 sd' },
  { what: 'a device migration entry (RFC)', profile: 'rfc', platform: X86_4, raw: 0xf7ffffffffffde02n, type: 30, typeName: 'SWP_MIGRATION_DEVICE_WRITE', shape: { kind: 'pfn', space: 'device', migration: true, ...pfn4 }, summary: 'SWP_MIGRATION_DEVICE_WRITE(30) pfn=0x10 sd' },
  { what: 'a device-exclusive entry (a RAM PFN in every profile)', profile: 'series', platform: X86_4, raw: 0xdfffffffffdb9602n, type: 27, typeName: 'SWP_DEVICE_EXCLUSIVE', shape: { kind: 'pfn', space: 'phys', migration: false, ...pfn4 }, summary: 'SWP_DEVICE_EXCLUSIVE(27) off=0x1234 sd', uffdName: '_PAGE_SWP_UFFD' },
  { what: 'a uffd-wp marker', profile: 'v6.18', platform: X86_4, raw: 0xfffffffffffffc00n, type: 31, typeName: 'SWP_PTE_MARKER', shape: { kind: 'marker' }, summary: 'SWP_PTE_MARKER(31) off=0x1' },
  { what: 'a marker with every bit', profile: 'v6.18', platform: X86_4, raw: x86Pte(31, 7n), type: 31, typeName: 'SWP_PTE_MARKER', shape: { kind: 'marker' }, summary: 'SWP_PTE_MARKER(31) off=0x7' },
  { what: 'a guard marker', profile: 'rfc', platform: X86_4, raw: 0xfffffffffffff600n, type: 31, typeName: 'SWP_PTE_MARKER', shape: { kind: 'marker' }, summary: 'SWP_PTE_MARKER(31) off=0x4' },
  { what: '5-level: a writable migration entry of the largest PFN with A+D', profile: 'v6.18', platform: X86_5, raw: x86Pte(27, (1n << 40n) - 1n | (3n << 40n)), type: 27, typeName: 'SWP_MIGRATION_WRITE', shape: { kind: 'pfn', space: 'phys', migration: true, pfnBits: 40, ad: true }, summary: 'SWP_MIGRATION_WRITE(27) pfn=0xffffffffff+A+D' },
  { what: '5-level: a hwpoison entry of the largest PFN', profile: 'rfc', platform: X86_5, raw: x86Pte(21, (1n << 40n) - 1n), type: 21, typeName: 'SWP_HWPOISON', shape: { kind: 'pfn', space: 'phys', migration: false, pfnBits: 40, ad: true }, summary: 'SWP_HWPOISON(21) off=0xffffffffff' },
  { what: 'no A/D support: the bits are shown, not read', profile: 'v6.18', platform: X86_NOAD, raw: 0xdfffe7ffffdb9602n, type: 27, typeName: 'SWP_MIGRATION_WRITE', shape: { kind: 'pfn', space: 'phys', migration: true, pfnBits: 34, ad: false }, summary: 'SWP_MIGRATION_WRITE(27) pfn=0x1234 sd', problems: ['mig-ad-unsupported'] },
  { what: 'arm64 48-bit PA: S02 step 1 before the series', profile: 'v6.18', platform: ARM_48, raw: 0x00030000012346c0n, type: 27, typeName: 'SWP_MIGRATION_WRITE', shape: { kind: 'pfn', space: 'phys', migration: true, pfnBits: 36, ad: true }, summary: 'SWP_MIGRATION_WRITE(27) pfn=0x1234+A+D' },
  { what: 'arm64 48-bit PA: S02 step 1 after the RFC', profile: 'rfc', platform: ARM_48, raw: 0x0003000001234600n, type: 24, typeName: 'SWP_MIGRATION_WRITE', shape: { kind: 'pfn', space: 'phys', migration: true, pfnBits: 36, ad: true }, summary: 'SWP_MIGRATION_WRITE(24) pfn=0x1234+A+D' },
  { what: 'arm64 52-bit PA: a readable migration entry of the largest PFN, young', profile: 'v6.18', platform: ARM_52, raw: armPte(25, (1n << 40n) - 1n | (1n << 40n)), type: 25, typeName: 'SWP_MIGRATION_READ', shape: { kind: 'pfn', space: 'phys', migration: true, pfnBits: 40, ad: true }, summary: 'SWP_MIGRATION_READ(25) pfn=0xffffffffff+A' },
  { what: 'arm64: a device-private entry after the series (PTE_SWP_UFFD: the 2026 name)', profile: 'series', platform: ARM_48, raw: armPte(26, 0x10n, ARM_UFFD), type: 26, typeName: 'SWP_DEVICE_READ', shape: { kind: 'pfn', space: 'device', migration: false, pfnBits: 36, ad: true }, summary: 'SWP_DEVICE_READ(26) off=0x10 uffd', uffdName: '_PAGE_SWP_UFFD' },
  { what: 'arm64: a swap slot with exclusive and uffd-wp', profile: 'v6.18', platform: ARM_48, raw: armPte(0, 0x42n, ARM_EXCL | ARM_UFFD), type: 0, typeName: 'swapfile_0', shape: { kind: 'slot' }, summary: 'swapfile_0(0) off=0x42 uffd,excl' },
  { what: 'a device-private offset with bits above SWP_PFN_BITS (the high part reads in hex)', profile: 'rfc', platform: X86_4, raw: x86Pte(25, 0x10n | (5n << 34n)), type: 25, typeName: 'SWP_DEVICE_WRITE', shape: { kind: 'pfn', space: 'device', migration: false, ...pfn4 }, summary: 'SWP_DEVICE_WRITE(25) off=0x10', problems: ['pfn-too-wide'] },
  { what: 'a marker with bit 3 and POISONED (the high part reads in hex)', profile: 'v6.18', platform: X86_4, raw: x86Pte(31, 0xan), type: 31, typeName: 'SWP_PTE_MARKER', shape: { kind: 'marker' }, summary: 'SWP_PTE_MARKER(31) off=0xa', problems: ['marker-bits'] },
  { what: 'a marker with only bit 3: no marker bit to name', profile: 'v6.18', platform: X86_4, raw: x86Pte(31, 8n), type: 31, typeName: 'SWP_PTE_MARKER', shape: { kind: 'marker' }, summary: 'SWP_PTE_MARKER(31) off=0x8', problems: ['marker-bits', 'marker-empty'] },
  { what: 'arm64: a guard marker (7.3: PTE_SWP_UFFD)', profile: '7.3', platform: ARM_48, raw: armPte(31, 4n), type: 31, typeName: 'SWP_PTE_MARKER', shape: { kind: 'marker' }, summary: 'SWP_PTE_MARKER(31) off=0x4', uffdName: '_PAGE_SWP_UFFD' },
];

describe('every field of every swap-style entry', () => {
  it.each(SWAP_CASES)('$platform.arch $platform.paging-level, $profile: $what ($summary)', (c) => {
    const d = dec(c.profile, c.platform, c.raw);
    expect(d.summary).toBe(c.summary);
    expect(d.pte).toBe(`0x${c.raw.toString(16).padStart(16, '0')}`);
    expect(fieldsOf(d)).toEqual(swapLayout(c.raw, c.platform.arch, c.type, c.typeName, c.shape, c.uffdName));
    expectWellFormed(d);
    expect(d.problemKinds).toEqual(c.problems ?? []);
  });

  it.each(SWAP_CASES.filter((c) => c.shape.kind === 'pfn'))('$platform.arch $platform.paging-level, $profile: $what names its PFN space and explains each offset part', (c) => {
    const s = c.shape as Extract<OffsetShape, { kind: 'pfn' }>;
    const d = dec(c.profile, c.platform, c.raw);
    expect(d.swap?.pfnSpace).toBe(s.space);
    const note = (id: string) => d.fields.find((f) => f.id === id)?.note;
    expect(note('pfn')).toBe(s.space === 'device' ? 'an offset in the device-private address space' : 'a CPU physical frame number');
    expect(note('offset-high')).toBe(s.migration ? 'above SWP_MIG_TOTAL_BITS: always 0' : 'above SWP_PFN_BITS: always 0');
    if (s.migration) {
      expect(note('mig-young')).toBe(s.ad ? 'the PTE was young (accessed) when the entry was made' : 'ignored: migration_entry_supports_ad() is false');
      expect(note('mig-dirty')).toBe(s.ad ? 'the PTE was dirty when the entry was made' : 'ignored: migration_entry_supports_ad() is false');
    }
  });

  it('a marker explains its bits; a slot names its swap device', () => {
    const m = dec('v6.18', X86_4, 0xfffffffffffffc00n);
    expect(m.fields.find((f) => f.id === 'marker')?.note).toBe('what the marker stands for');
    expect(m.fields.find((f) => f.id === 'offset-high')?.note).toBe('always 0');
    expect(m.swap?.marker).toEqual({ bits: 1, uffdWp: true, poisoned: false, guard: false });
    expect(dec('v6.18', X86_4, x86Pte(31, 6n)).swap?.marker).toEqual({ bits: 6, uffdWp: false, poisoned: true, guard: true });
    const s = dec('v6.18', X86_4, 0x07ffffffffff7a0an);
    expect(s.fields.find((f) => f.id === 'offset')?.note).toBe('the slot in swap device `type`');
    expect(s.swap?.marker).toBeNull();
    expect(s.swap?.migration).toBeNull();
  });

  it('the fields are built once, on first use', () => {
    const d = dec('v6.18', X86_4, 0xdfffe7ffffdb9602n);
    expect(d.fields).toBe(d.fields);
  });
});

describe('what a swap-style entry says', () => {
  it('a migration entry: access, PFN, A/D read only when the machine carries them', () => {
    const ad = dec('v6.18', X86_4, 0xdfffe7ffffdb9602n).swap!;
    expect(ad).toMatchObject({ type: 27, offset: 0xc00001234, pfn: 0x1234, pfnSpace: 'phys', softDirty: true, uffdWp: false, exclusive: false, swpEntry: (27n << 58n) | 0xc00001234n });
    expect(ad.migration).toEqual({ access: 'write', young: true, dirty: true, youngBitSet: true, dirtyBitSet: true });
    expect(ad.row?.name).toBe('SWP_MIGRATION_WRITE');
    const noad = dec('v6.18', X86_NOAD, 0xdfffe7ffffdb9602n).swap!;
    expect(noad.migration).toEqual({ access: 'write', young: false, dirty: false, youngBitSet: true, dirtyBitSet: true });
    const re = dec('v6.18', X86_4, x86Pte(26, 0x1234n)).swap!;
    expect(re.migration).toEqual({ access: 'read_exclusive', young: false, dirty: false, youngBitSet: false, dirtyBitSet: false });
    expect(dec('v6.18', X86_4, x86Pte(25, 0x1234n | (1n << 35n))).swap!.migration).toEqual({ access: 'read', young: false, dirty: true, youngBitSet: false, dirtyBitSet: true });
  });

  it('a real swap entry has no PFN, whatever its offset', () => {
    const s = dec('v6.18', X86_4, x86Pte(3, 0x1234n)).swap!;
    expect([s.pfn, s.pfnSpace, s.row]).toEqual([null, null, undefined]);
    expect(dec('v6.18', X86_4, x86Pte(31, 1n)).swap!.pfn).toBeNull();
  });

  it('the swp_entry_t value has the type in bits 58..62 and the offset below', () => {
    expect(dec('rfc', ARM_48, 0x0003000001234600n).swap!.swpEntry).toBe((24n << 58n) | 0x3000001234n);
  });

  it.each([
    ['x86_64', X86_4, 0x07ffffffffff7a0an, [true, false, true]],
    ['x86_64', X86_4, x86Pte(0, 0x42n, X86_UFFD), [false, true, false]],
    ['arm64', ARM_48, armPte(0, 0x42n, ARM_UFFD), [false, true, false]],
    ['arm64', ARM_48, armPte(0, 0x42n, ARM_EXCL), [false, false, true]],
  ] as const)('%s: the swap flag bits read soft-dirty, uffd-wp, exclusive from their own bits', (_a, p, raw, flags) => {
    const s = dec('v6.18', p, raw).swap!;
    expect([s.softDirty, s.uffdWp, s.exclusive]).toEqual(flags);
  });

  it('decode() applies Kconfig first: MIGRATION=n makes type 27 a swap file', () => {
    const d = decode(0xdfffe7ffffdb9602n, 'v6.18', { DEVICE_PRIVATE: true, MIGRATION: false, MEMORY_FAILURE: true }, 'x86_64', { paging: 4, migrationAd: true });
    expect(d.swap?.typeName).toBe('swapfile_27');
    expect(d.summary).toBe('swapfile_27(27) off=0xc00001234 sd');
    expect(decode(0xdfffe7ffffdb9602n, 'v6.18', DEFAULT_CONFIG, 'arm64', { paging: 4, migrationAd: true }).arch).toBe('arm64');
    expect(decode(0x8000000001234867n, '7.3', DEFAULT_CONFIG, 'x86_64', { paging: 5, migrationAd: false })).toMatchObject({ arch: 'x86_64', profile: '7.3', kind: 'present' });
  });
});

// ---- none and present ---------------------------------------------------------------------------------

describe('none and present PTEs', () => {
  it.each([
    [0n, 'empty', []],
    [0x20n, 'none (A/D only)', ['knl-ad']],
    [0x40n, 'none (A/D only)', ['knl-ad']],
    [0x60n, 'none (A/D only)', ['knl-ad']],
  ] as const)('x86_64 %s is none: one field over all 64 bits (%s)', (raw, text, problems) => {
    const d = dec('v6.18', X86_4, raw);
    expect([d.kind, d.summary, d.present, d.swap]).toEqual(['none', 'none', null, null]);
    expect(d.problemKinds).toEqual(problems);
    expect(d.fields).toEqual([{ id: 'all', name: 'pte', hi: 63, lo: 0, role: 'other', note: '', stored: raw, value: raw, text, label: 'bits 0–63: none PTE' }]);
  });

  it.each([
    [0n, 'empty', []],
    [0x60n, 'none (A/D only)', ['only A/D (bits 5-6) are set: pmd_none() still reads this as none (_PAGE_KNL_ERRATUM_MASK)']],
  ] as const)('x86_64 PMD %s is a none PMD (%s), read with pmd_none()', (raw, text, problems) => {
    const d = decodePte(getKernel('7.3', DEFAULT_CONFIG, X86_4), raw, 'pmd');
    expect([d.kind, d.summary, d.problems]).toEqual(['none', 'none', problems]);
    expect(d.fields.map((f) => [f.text, f.label])).toEqual([[text, 'bits 0–63: none PMD']]);
    expect(d.atPmd).toMatchObject({ valid: true });
  });

  it('a PTE says nothing about the PMD level: no PMD helpers, no PMD validity; its A/D-only problem names pte_none()', () => {
    const d = dec('7.3', X86_4, 0x60n);
    expect([d.atPmd, d.pmdPredicates]).toEqual([null, null]);
    expect(d.problems).toEqual(['only A/D (bits 5-6) are set: pte_none() still reads this as none (_PAGE_KNL_ERRATUM_MASK)']);
  });

  it('a value outside 0..2^64-1 is read as the kernel would store it (modulo 2^64)', () => {
    const k = getKernel('v6.18', DEFAULT_CONFIG, X86_4);
    expect([decodePte(k, -1n).pte, decodePte(k, (1n << 64n) + 0x867n).pte]).toEqual(['0xffffffffffffffff', '0x0000000000000867']);
    expect([decodePte(k, -1n).raw, decodePte(k, (1n << 64n) + 0x867n).raw, decodePte(k, M64).raw, decodePte(k, 0n).raw]).toEqual([M64, 0x867n, M64, 0n]);
    expect(decodePte(k, (1n << 64n) + 0x867n).present).toMatchObject({ pfn: 0, writable: true });
  });

  it('a value is a PTE unless the caller says PMD', () => {
    expect(dec('7.3', X86_4, 0x8000000001234867n).level).toBe('pte');
    expect(decode(0x8000000001234867n, '7.3', DEFAULT_CONFIG, 'x86_64', { paging: 4, migrationAd: true }).level).toBe('pte');
    expect(decode(0x80000000124008e7n, '7.3', DEFAULT_CONFIG, 'x86_64', { paging: 4, migrationAd: true }, 'pmd').level).toBe('pmd');
  });

  it('a bit that must stay clear says where: in a swap PTE, or in a non-present PMD', () => {
    const k = getKernel('7.3', DEFAULT_CONFIG, X86_4);
    const v = x86Pte(28, 0x200n, 0x10n);
    expect(decodePte(k, v).fields.filter((f) => f.problem).map((f) => f.problem)).toEqual(['unused must be clear in a swap PTE']);
    expect(decodePte(k, v, 'pmd').fields.filter((f) => f.problem).map((f) => f.problem)).toEqual(['unused must be clear in a non-present PMD']);
  });

  it('arm64 none is only the zero PTE', () => {
    expect(dec('v6.18', ARM_48, 0n).kind).toBe('none');
    expect(dec('v6.18', ARM_48, 0x60n).kind).toBe('swap');
  });

  /** x86 present layout (pgtable_types.h), bit 63 down. */
  const X86_PRESENT: readonly [string, number, number, string][] = [
    ['nx', 63, 63, '_PAGE_NX'], ['pkey', 62, 59, '_PAGE_PKEY'], ['saveddirty', 58, 58, '_PAGE_SAVED_DIRTY'], ['softw4', 57, 57, '_PAGE_SOFTW4'],
    ['ignored', 56, 52, 'ignored'], ['pfn', 51, 12, 'PFN (PTE_PFN_MASK)'], ['softdirty', 11, 11, '_PAGE_SOFT_DIRTY'], ['uffd', 10, 10, '_PAGE_UFFD_WP'],
    ['special', 9, 9, '_PAGE_SPECIAL'], ['global', 8, 8, '_PAGE_GLOBAL / _PAGE_PROTNONE'], ['pse', 7, 7, '_PAGE_PAT'], ['dirty', 6, 6, '_PAGE_DIRTY'],
    ['accessed', 5, 5, '_PAGE_ACCESSED'], ['pcd', 4, 4, '_PAGE_PCD'], ['pwt', 3, 3, '_PAGE_PWT'], ['user', 2, 2, '_PAGE_USER'], ['rw', 1, 1, '_PAGE_RW'],
    ['present', 0, 0, '_PAGE_PRESENT'],
  ];
  /** arm64 present layout (pgtable-hwdef.h, pgtable-prot.h), bit 63 down. */
  const ARM_PRESENT: readonly [string, number, number, string][] = [
    ['upper', 63, 59, 'PBHA / ignored'], ['uffd', 58, 58, 'PTE_UFFD_WP'], ['sw57', 57, 57, 'software'], ['special', 56, 56, 'PTE_SPECIAL'],
    ['dirty', 55, 55, 'PTE_DIRTY'], ['uxn', 54, 54, 'PTE_UXN'], ['pxn', 53, 53, 'PTE_PXN'], ['cont', 52, 52, 'PTE_CONT'], ['dbm', 51, 51, 'PTE_WRITE (PTE_DBM)'],
    ['gp', 50, 50, 'PTE_GP'], ['pfn', 49, 12, 'output address (PFN)'], ['ng', 11, 11, 'PTE_NG'], ['af', 10, 10, 'PTE_AF'], ['sh', 9, 8, 'PTE_SHARED'],
    ['rdonly', 7, 7, 'PTE_RDONLY (AP[2])'], ['user', 6, 6, 'PTE_USER (AP[1])'], ['attr', 5, 2, 'NS / AttrIndx'], ['table', 1, 1, 'PTE_TABLE_BIT'], ['valid', 0, 0, 'PTE_VALID'],
  ];

  function presentLayout(raw: bigint, layout: readonly [string, number, number, string][], pfn: number, inverted: boolean): Want[] {
    return layout.map(([id, hi, lo, name]) => {
      if (id !== 'pfn') return plain(raw, id, hi, lo, name);
      const stored = bits(raw, hi, lo);
      return {
        id, hi, lo, stored, value: BigInt(pfn),
        text: inverted ? `${hex(stored)} stored, inverted: PFN ${hex(pfn)}` : `PFN ${hex(pfn)}`,
        label: `${range(hi, lo)}: PFN ${hex(pfn)}${inverted ? ' (stored inverted: PROT_NONE)' : ''}`,
      };
    });
  }

  it.each([
    ['S01: RW, A, D, SD', 0x8000000001234867n, 0x1234, false, 'present pfn=0x1234 RW,A,D,SD', { writable: true, user: true, accessed: true, dirty: true, savedDirty: false, softDirty: true, uffdWp: false, special: false, global: false, nx: true, protnone: false, pkey: 0 }],
    ['S03: RO, A, SavedDirty, SD', 0x8400000001234825n, 0x1234, false, 'present pfn=0x1234 RO,A,SavedDirty,SD', { writable: false, accessed: true, dirty: false, savedDirty: true, softDirty: true }],
    ['the zero page: special, read-only, old', 0x8000000002c00205n, 0x2c00, false, 'present pfn=0x2c00 RO,old,special', { special: true, accessed: false }],
    ['uffd-wp, pkey 7, executable', 0x3800000001234407n, 0x1234, false, 'present pfn=0x1234 RW,old,uffd-wp', { uffdWp: true, global: false, pkey: 7, nx: false }],
    ['PROT_NONE: the PFN stored inverted', 0x000ffffffedcb120n, 0x1234, true, 'PROT_NONE present pfn=0x1234 RO,A', { protnone: true, global: false, writable: false, accessed: true }],
  ] as const)('x86_64 present, %s', (_w, raw, pfn, inverted, summary, info) => {
    const d = dec('v6.18', X86_4, raw);
    expect([d.kind, d.summary, d.swap]).toEqual(['present', summary, null]);
    expect(d.present).toMatchObject({ pfn, ...info });
    expect(fieldsOf(d)).toEqual(presentLayout(raw, X86_PRESENT, pfn, inverted));
    expectWellFormed(d);
    expect(d.problems).toEqual([]);
  });

  it.each([
    ['valid, writable (DBM), hardware-dirty, young, user, not global', 0x0048000001234f43n, 0x1234, 'present pfn=0x1234 RW,A,D', { writable: true, dirty: true, accessed: true, user: true, global: false, nx: true, special: false, uffdWp: false, protnone: false, savedDirty: false, softDirty: false, pkey: 0 }],
    ['read-only, software dirty, old, global, uffd-wp, special', 0x0580000001234383n, 0x1234, 'present pfn=0x1234 RO,old,D,uffd-wp,special', { writable: false, dirty: true, accessed: false, global: true, uffdWp: true, special: true, nx: false }],
    ['writable but read-only bit set: clean', 0x0008000001234fc3n, 0x1234, 'present pfn=0x1234 RW,A', { writable: true, dirty: false }],
    ['present-invalid (PROT_NONE): PTE_VALID clear, PTE_PRESENT_INVALID set', 0x0000000001234c00n, 0x1234, 'PROT_NONE present pfn=0x1234 RO,A', { protnone: true, global: false }],
  ] as const)('arm64 present, %s', (_w, raw, pfn, summary, info) => {
    const d = dec('v6.18', ARM_48, raw);
    expect([d.kind, d.summary]).toEqual(['present', summary]);
    expect(d.present).toMatchObject({ pfn, ...info });
    expect(fieldsOf(d)).toEqual(presentLayout(raw, ARM_PRESENT, pfn, false));
    expectWellFormed(d);
  });

  it('only x86 stores a PROT_NONE PFN inverted (pgtable-invert.h, L1TF); arm64 PROT_NONE reads as stored', () => {
    const x = dec('v6.18', X86_4, 0x000ffffffedcb120n).fields.find((f) => f.id === 'pfn')!;
    expect([x.inverted, x.stored, x.value]).toEqual([true, 0xffffffedcbn, 0x1234n]);
    const a = dec('v6.18', ARM_48, 0x0000000001234c00n).fields.find((f) => f.id === 'pfn')!;
    expect([a.inverted, a.stored, a.value, a.label]).toEqual([false, 0x1234n, 0x1234n, 'bits 12–49: PFN 0x1234']);
    expect(dec('v6.18', X86_4, 0x8000000001234867n).fields.find((f) => f.id === 'pfn')!.inverted).toBe(false);
  });

  it('arm64: bit 11 with PTE_VALID set is nG, not PROT_NONE; bits 32..47 of the output address are read', () => {
    const d = dec('v6.18', ARM_48, 0x0000abcd12345803n);
    expect(d.present).toMatchObject({ protnone: false, global: false, pfn: 0xabcd12345 });
  });
});

// ---- problems -------------------------------------------------------------------------------------------

describe('each "the kernel never builds this" problem', () => {
  it.each([
    ['x86: shadow-stack (Write=0, Dirty=1)', 'v6.18', X86_4, 0x8000000001234845n, ['shadow-stack'], /Write=0 with Dirty=1.*shadow-stack PTE/],
    ['x86: bit 4 in a swap PTE', 'v6.18', X86_4, x86Pte(5, 0x42n) | 0x10n, ['must-be-zero'], /^bit 4 is set: the x86 swap format does not use it$/],
    ['x86: bit 7 (_PAGE_PSE) in a swap PTE', 'v6.18', X86_4, x86Pte(5, 0x42n) | 0x80n, ['must-be-zero'], /^bit 7 \(_PAGE_PSE\) is set/],
    ['x86: bit 5 (A) in a swap PTE', 'v6.18', X86_4, x86Pte(5, 0x42n) | 0x20n, ['must-be-zero'], /^bits 5-6 \(A\/D, _PAGE_KNL_ERRATUM_MASK\) are set/],
    ['x86: bit 6 (D) in a swap PTE', 'v6.18', X86_4, x86Pte(5, 0x42n) | 0x40n, ['must-be-zero'], /^bits 5-6/],
    ['x86: bits 4 and 7 at once', 'v6.18', X86_4, x86Pte(5, 0x42n) | 0x90n, ['must-be-zero', 'must-be-zero'], /^bit 7/],
    ['arm64: bit 63 in a swap PTE', 'v6.18', ARM_48, armPte(5, 0x42n) | (1n << 63n), ['must-be-zero'], /^bits 62-63 are set: above the 50-bit swap offset$/],
    ['arm64: bit 62 in a swap PTE', 'v6.18', ARM_48, armPte(5, 0x42n) | (1n << 62n), ['must-be-zero'], /^bits 62-63/],
    ['arm64: bit 4 in a swap PTE', 'v6.18', ARM_48, armPte(5, 0x42n) | 0x10n, ['must-be-zero'], /^bits 4-5 are set/],
    ['arm64: bit 5 in a swap PTE', 'v6.18', ARM_48, armPte(5, 0x42n) | 0x20n, ['must-be-zero'], /^bits 4-5/],
    ['arm64: bit 1 (PTE_TABLE_BIT) in a swap PTE', 'v6.18', ARM_48, armPte(5, 0x42n) | 0x2n, ['must-be-zero'], /^bit 1 \(PTE_TABLE_BIT\) is set: a swap PTE keeps bits 0-1 clear$/],
    ['migration A/D bits on a machine that cannot carry them', 'v6.18', X86_NOAD, x86Pte(27, 0x1234n | (1n << 34n)), ['mig-ad-unsupported'], /SWP_MIG_YOUNG\/DIRTY bits are set, but migration_entry_supports_ad\(\) is false/],
    ['migration dirty bit only, no A/D support', 'v6.18', X86_NOAD, x86Pte(27, 0x1234n | (1n << 35n)), ['mig-ad-unsupported'], /migration_entry_supports_ad/],
    ['migration offset bits above SWP_MIG_DIRTY_BIT (4-level)', 'v6.18', X86_4, x86Pte(27, 0x1234n | (1n << 36n)), ['mig-high-bits'], /^offset bits above SWP_MIG_DIRTY_BIT \(35\) are set: make_\*_migration_entry\(\) never produces them$/],
    ['migration offset bits above SWP_MIG_DIRTY_BIT (5-level)', 'v6.18', X86_5, x86Pte(27, 0x1234n | (1n << 42n)), ['mig-high-bits'], /SWP_MIG_DIRTY_BIT \(41\)/],
    ['arm64 48-bit PA: migration bit 38 of the offset', 'v6.18', ARM_48, armPte(27, 0x1234n | (1n << 38n)), ['mig-high-bits'], /SWP_MIG_DIRTY_BIT \(37\)/],
    ['a device-private offset wider than SWP_PFN_BITS', 'rfc', X86_4, x86Pte(25, 1n << 34n), ['pfn-too-wide'], /^offset 0x400000000 is wider than SWP_PFN_BITS \(34\): no page has that PFN$/],
    ['a hwpoison PFN wider than SWP_PFN_BITS (5-level)', 'v6.18', X86_5, x86Pte(24, 1n << 40n), ['pfn-too-wide'], /SWP_PFN_BITS \(40\)/],
    ['a device-exclusive PFN wider than SWP_PFN_BITS (arm64)', 'v6.18', ARM_48, armPte(30, 1n << 36n), ['pfn-too-wide'], /SWP_PFN_BITS \(36\)/],
    ['a marker with bits outside PTE_MARKER_MASK', 'v6.18', X86_4, x86Pte(31, 9n), ['marker-bits'], /^marker offset 0x9 has bits outside PTE_MARKER_MASK \(0x7\)$/],
    ['a marker with no bits', 'v6.18', X86_4, x86Pte(31, 0n), ['marker-empty'], /^a PTE marker with no marker bits: make_pte_marker\(\) is never called with 0$/],
    ['a marker with only bits outside the mask', 'v6.18', X86_4, x86Pte(31, 8n), ['marker-bits', 'marker-empty'], /PTE_MARKER_MASK/],
    ['_PAGE_SWP_EXCLUSIVE on a migration entry', 'v6.18', X86_4, x86Pte(27, 0x1234n, X86_EXCL), ['exclusive-on-special'], /^_PAGE_SWP_EXCLUSIVE is set on a SWP_MIGRATION_WRITE entry: the kernel uses it only for real swap entries/],
    ['PTE_SWP_EXCLUSIVE on an arm64 device-private entry', 'rfc', ARM_48, armPte(25, 0x10n, ARM_EXCL), ['exclusive-on-special'], /^PTE_SWP_EXCLUSIVE is set on a SWP_DEVICE_WRITE entry/],
    ['swp_entry(0, 0) under the softleaf API', '7.3', X86_4, 0x07fffffffffffe00n, ['softleaf-none', 'swap-header-slot'], /^swp_entry\(0, 0\): softleaf_type\(\) treats val == 0 as SOFTLEAF_NONE although the PTE is not none$/],
    ['swp_entry(0, 0) with flags under the series', 'series', ARM_48, ARM_EXCL, ['softleaf-none', 'swap-header-slot'], /SOFTLEAF_NONE/],
    ['swp_entry(0, 0) under the swapops API: slot 0 holds the swap header', 'v6.18', X86_4, 0x07fffffffffffe00n, ['swap-header-slot'], /slot 0/],
    ['x86: a present user PTE with _PAGE_GLOBAL', 'v6.18', X86_4, 0x3800000001234507n, ['user-global'], /^bit 8 \(_PAGE_GLOBAL\) is set in a present PTE/],
    ['x86: a PROT_NONE PTE with Dirty=1 (pte_modify() moves Dirty to SavedDirty)', 'v6.18', X86_4, 0x000ffffffedcb160n, ['protnone-dirty'], /Dirty/],
  ] as const)('%s', (_w, profile, p, raw, kinds, message) => {
    const d = dec(profile, p, raw);
    expect(d.problemKinds).toEqual(kinds);
    expect(d.problems).toHaveLength(kinds.length);
    expect(d.problems.some((m) => message.test(m))).toBe(true);
  });

  it.each([
    ['a real swap offset above SWP_PFN_BITS is a slot, not a PFN', 'v6.18', X86_4, x86Pte(3, 1n << 45n)],
    ['the largest PFN of a 4-level hwpoison entry', 'v6.18', X86_4, x86Pte(24, (1n << 34n) - 1n)],
    ['a device-private offset that fits 5-level but not 4-level', 'rfc', X86_5, x86Pte(25, 1n << 34n)],
    ['A/D bits where the machine carries them', 'v6.18', X86_4, x86Pte(27, 0x1234n | (3n << 34n))],
    ['a migration entry without A/D on a machine without support', 'v6.18', X86_NOAD, x86Pte(27, 0x1234n)],
    ['every marker bit at once', 'v6.18', X86_4, x86Pte(31, 7n)],
    ['_PAGE_SWP_EXCLUSIVE on a real swap entry', 'v6.18', X86_4, x86Pte(0, 0x42n, X86_EXCL)],
    ['swap file 0 offset 1 under the softleaf API (the first slot after the header)', '7.3', X86_4, x86Pte(0, 1n)],
    ['Write=1 with Dirty=1', 'v6.18', X86_4, 0x8000000001234867n],
    ['arm64: read-only with PTE_DIRTY (shadow stacks are an x86 rule)', 'v6.18', ARM_48, 0x0080000001234783n],
  ] as const)('no problem: %s', (_w, profile, p, raw) => {
    expect(dec(profile, p, raw).problemKinds).toEqual([]);
  });

  it('the 5-level PFN that is too wide for 4-level fits 5-level', () => {
    expect(dec('rfc', X86_4, x86Pte(25, 1n << 34n)).problemKinds).toEqual(['pfn-too-wide']);
    expect(dec('rfc', X86_5, x86Pte(25, 1n << 34n)).swap?.pfn).toBe(2 ** 34);
  });
});

// ---- PMD values -------------------------------------------------------------------------------------------

describe('decoding at PMD level (x86_64, 7.3): pmd_present() with PSE, the 2 MiB PFN, the PMD swap layout', () => {
  const pmd = (raw: bigint) => decodePte(getKernel('7.3', DEFAULT_CONFIG, X86_4), raw, 'pmd');
  /** pmd-vectors.json present-pmd-*: T01 (a fresh RW THP), PROT_NONE, and pmdp_invalidate() of T01. */
  const T01 = 0x80000000124008e7n;
  const PROTNONE = 0x040fffffeda009a0n;
  const INVALIDATED = 0x800fffffeda008e6n;

  it.each([
    ['a huge PMD (T01)', T01, 'present huge pfn=0x12400 RW,A,D,SD', []],
    ['a page-table pointer (PSE clear)', 0x0000000123456067n, 'present table pfn=0x123456 RW,A,D', [
      'not a leaf: a present PMD without the huge-page bit points to a page of 512 PTEs (pmd_page()); it maps no 2 MiB page itself',
    ]],
    ['a huge PMD with PFN bit 1 (PTE bit 13) set: not 2 MiB aligned', T01 | (1n << 13n), 'present huge pfn=0x12400 RW,A,D,SD', [
      'bits 13–20 are set: pfn_pmd() masks the address with PHYSICAL_PMD_PAGE_MASK: a 2 MiB page starts on a 2 MiB boundary',
    ]],
    ['a huge PMD with bit 20 set', T01 | (1n << 20n), 'present huge pfn=0x12400 RW,A,D,SD', [
      'bits 13–20 are set: pfn_pmd() masks the address with PHYSICAL_PMD_PAGE_MASK: a 2 MiB page starts on a 2 MiB boundary',
    ]],
    ['the PROT_NONE huge PMD', PROTNONE, 'PROT_NONE present huge pfn=0x12400 RO,A,SavedDirty,SD', []],
  ] as const)('%s: its summary and problems', (_w, raw, summary, problems) => {
    const d = pmd(raw);
    expect([d.kind, d.summary, d.problems]).toEqual(['present', summary, problems]);
    expect(d.problemKinds).toEqual(problems.map((m) => (m.startsWith('not a leaf') ? 'pmd-table' : 'must-be-zero')));
  });

  it.each([
    ['pmdp_invalidate() of T01', INVALIDATED, 'invalidated'],
    ['the PROT_NONE huge PMD', PROTNONE, 'PROT_NONE'],
  ] as const)('%s keeps the PFN stored inverted (P is clear), and the label says why', (_w, raw, why) => {
    const stored = bits(raw, 51, 21);
    expect(stored).toBe(~(0x12400n >> 9n) & ((1n << 31n) - 1n));
    const f = pmd(raw).fields.find((x) => x.id === 'pfn')!;
    expect([f.inverted, f.stored, f.value, f.text, f.label]).toEqual([
      true, stored, 0x12400n, `${hex(stored)} stored, inverted: PFN 0x12400`, `bits 21–51: PFN 0x12400 (stored inverted: ${why})`,
    ]);
    expect(pmd(T01).fields.find((x) => x.id === 'pfn')).toMatchObject({ inverted: false, stored: 0x12400n >> 9n, text: 'PFN 0x12400' });
  });

  it('a non-present PMD has no swap-exclusive bit: bit 3 is an unused bit that must stay clear', () => {
    const d = pmd(x86Pte(27, 0x12400n, X86_EXCL));
    const f = d.fields.find((x) => x.lo === 3)!;
    expect([f.id, f.role, f.text, f.label, f.problem]).toEqual([
      'unused3', 'must-be-zero', 'set', 'bit 3: unused (no PMD swap-exclusive bit) set', 'unused (no PMD swap-exclusive bit) must be clear in a non-present PMD',
    ]);
    expect(d.fields.map((x) => x.id)).not.toContain('exclusive');
    expect(d.swap?.exclusive).toBe(false);
  });
});

describe('bit 8 on what would be a swap entry (x86 PROT_NONE look-alike)', () => {
  const k = getKernel('v6.18', DEFAULT_CONFIG, X86_4);
  const PROTNONE = 0x100n;
  const lookalike = (raw: bigint) => decodePte(k, raw).problems.find((m) => m.includes('otherwise a swap entry'));

  it.each([
    ['a real swap slot', x86Pte(3, 0x42n), 'swapfile_3(3) off=0x42'],
    ['the largest swap slot below 2^32', x86Pte(3, 2n ** 32n - 1n), 'swapfile_3(3) off=0xffffffff'],
    ['a hwpoison entry whose PFN is above 2^32 (special types are judged by their own rules)', x86Pte(24, 1n << 33n), 'SWP_HWPOISON(24) off=0x200000000'],
    ['a uffd-wp marker', x86Pte(31, 1n), 'SWP_PTE_MARKER(31) off=0x1'],
  ] as const)('%s with bit 8 set reads as PROT_NONE and is flagged, naming the swap entry it resembles', (_w, raw, summary) => {
    const d = decodePte(k, raw | PROTNONE);
    expect(d.kind).toBe('present');
    expect(d.problemKinds).toContain('swap-bit8');
    expect(lookalike(raw | PROTNONE)).toBe(
      `bit 8 (_PAGE_PROTNONE) is set on what is otherwise a swap entry (${summary}): the swap format starts above it (SWP_OFFSET_FIRST_BIT = _PAGE_BIT_PROTNONE + 1), so pte_present() reads this as a PROT_NONE PTE`,
    );
  });

  it.each([
    ['a swap slot at 2^32 (no swap device is that large: more likely a PROT_NONE PTE)', x86Pte(3, 2n ** 32n)],
    ['a swap slot far above 2^32', x86Pte(3, 1n << 40n)],
    ['slot 0 (the swap header: no swapped-out page has that entry)', x86Pte(3, 0n)],
    ['a marker without marker bits', x86Pte(31, 0n)],
    ['bit 8 alone (the rest is the none PTE)', 0n],
  ] as const)('%s with bit 8 set is not called a swap look-alike', (_w, raw) => {
    expect(decodePte(k, raw | PROTNONE).problemKinds).not.toContain('swap-bit8');
  });
});

describe('decoding at PMD level on arm64 (7.3): block and table descriptors, the identity swap layout', () => {
  const pmd = (raw: bigint) => decodePte(getKernel('7.3', DEFAULT_CONFIG, ARM_48), raw, 'pmd');
  /** A 2 MiB block: PTE_VALID, bit 1 clear (PMD_TYPE_SECT), USER, AF, DBM (writable, hardware-dirty), OA 0x12400000. */
  const BLOCK = 0x0008000012400441n;

  it.each([
    ['a writable block (bits 1:0 = 01)', BLOCK, 'present huge pfn=0x12400 RW,A,D', []],
    ['a table descriptor (bits 1:0 = 11)', 0x0000000123456003n, 'present table pfn=0x123456 RO,old', [
      'not a leaf: a present PMD without the huge-page bit points to a page of 512 PTEs (pmd_page()); it maps no 2 MiB page itself',
    ]],
    ['a block whose output address has bit 12 set', BLOCK | (1n << 12n), 'present huge pfn=0x12400 RW,A,D', [
      'bits 12–20 are set: a block descriptor\'s output address is 2 MiB aligned',
    ]],
    ['a present-invalid (PROT_NONE) block: PTE_VALID clear, bit 11 set', 0x0000000012400c40n, 'PROT_NONE present huge pfn=0x12400 RO,A', []],
  ] as const)('%s', (_w, raw, summary, problems) => {
    const d = pmd(raw);
    expect([d.kind, d.summary, d.problems]).toEqual(['present', summary, problems]);
  });

  it('the block\'s fields: a 2 MiB output address, a zero range below it, PMD_TYPE_SECT; arm64 never inverts the address', () => {
    const byId = (raw: bigint) => Object.fromEntries(pmd(raw).fields.map((f) => [f.id, f]));
    const f = byId(BLOCK);
    expect([f.pfn!.hi, f.pfn!.lo, f.pfn!.label, f.pfn!.inverted]).toEqual([49, 21, 'bits 21–49: PFN 0x12400', false]);
    expect([f['pmd-zero']!.hi, f['pmd-zero']!.lo, f['pmd-zero']!.role, f['pmd-zero']!.text]).toEqual([20, 12, 'must-be-zero', '0x0']);
    expect(f.table!.label).toBe('bit 1: PMD_TYPE_SECT (bit 1 clear) clear');
    expect(byId(0x0000000012400c40n).pfn!.label).toBe('bits 21–49: PFN 0x12400');
  });

  it('a non-present PMD has no swap-exclusive bit: bit 2 is unused and must stay clear', () => {
    const d = pmd(armPte(27, 0x12400n, ARM_EXCL));
    const f = d.fields.find((x) => x.lo === 2)!;
    expect([f.id, f.role, f.label]).toEqual(['unused2', 'must-be-zero', 'bit 2: unused (no PMD swap-exclusive bit) set']);
    expect(d.problems).toEqual(['bit 2 is set: there is no PMD swap-exclusive bit']);
    expect(d.swap?.exclusive).toBe(false);
  });
});

describe('every layout (PTE and PMD, swap and present, x86_64 and arm64) covers bits 63..0 once, each field named and explained', () => {
  const layouts = (['x86_64', 'arm64'] as const).flatMap((arch) => {
    const a = getKernel('7.3', DEFAULT_CONFIG, { arch, paging: 4, migrationAd: true }).arch;
    return [
      [`${arch} PTE swap`, a.swapFields], [`${arch} PTE present`, a.presentFields], [`${arch} PMD swap`, a.pmd.swapFields], [`${arch} PMD present`, a.pmd.presentFields],
    ] as const;
  });
  it.each(layouts)('%s', (_w, fields) => {
    let next = 63;
    for (const f of fields) {
      expect([f.id, f.hi]).toEqual([f.id, next]);
      expect([f.id, f.hi >= f.lo, f.name.length > 0, f.note.length > 0]).toEqual([f.id, true, true, true]);
      next = f.lo - 1;
    }
    expect(next).toBe(-1);
  });

  it('what differs between a PTE and a PMD on arm64: the table bit, the 2 MiB alignment, the missing exclusive bit', () => {
    const a = getKernel('7.3', DEFAULT_CONFIG, ARM_48).arch.pmd;
    expect(a.differsFromPte.map((x) => [x.lo, x.hi, x.when])).toEqual([[1, 1, 'present'], [12, 20, 'present'], [2, 2, 'non-present']]);
    expect(a.presentTest).toMatch(/^pmd_present\(\)/);
  });
});

describe('the 2026 uffd rename ("mm: rename uffd-wp PTE bit macros to uffd") reaches the present bits too', () => {
  const label = (profile: ProfileId, p: Platform, raw: bigint, level: 'pte' | 'pmd' = 'pte') =>
    decodePte(getKernel(profile, DEFAULT_CONFIG, p), raw, level).fields.find((f) => f.id === 'uffd')!.label;
  it.each([
    ['v6.18', X86_4, 0x8000000001234c25n, 'pte', 'bit 10: _PAGE_UFFD_WP set'],
    ['7.3', X86_4, 0x8000000001234c25n, 'pte', 'bit 10: _PAGE_UFFD set'],
    ['series', X86_4, 0x8000000001234425n, 'pte', 'bit 10: _PAGE_UFFD set'],
    ['7.3', X86_4, 0x80000000124008e7n, 'pmd', 'bit 10: _PAGE_UFFD clear'],
    ['rfc', ARM_48, 0x0400000001234f43n, 'pte', 'bit 58: PTE_UFFD_WP set'],
    ['7.3', ARM_48, 0x0400000001234f43n, 'pte', 'bit 58: PTE_UFFD set'],
  ] as const)('%s %s: %s', (profile, p, raw, level, want) => {
    expect(label(profile, p, raw, level)).toBe(want);
  });
});
