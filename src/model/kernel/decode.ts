/**
 * decode(): one raw PTE value -> everything a reader (or a view) needs, with no bit arithmetic left
 * to do: kind, type name, offset, PFN and which PFN space it names, flags, migration A/D, marker
 * bits, every predicate of the profile by kernel name, and the 64 bits as labelled fields.
 *
 * The formulas run once, in classify(), on the two 32-bit halves of the value; decodePte() builds
 * the structured result on top of it.
 */
import { applyKconfig, type KernelConfig } from './config.ts';
import type { DecodedField, DecodedPte, PresentInfo, ProblemKind, SwapInfo } from './decodeTypes.ts';
import { softleafType } from './helpers.ts';
import { getKernel, PTE_MARKER_GUARD, PTE_MARKER_MASK, PTE_MARKER_POISONED, PTE_MARKER_UFFD_WP, type Kernel } from './kernel.ts';
import type { LayoutField } from './arch/layout.ts';
import { classify, isMigrationKind, KIND, kindOfCode, newClassified, type Classified, type EntryKind } from './leafops.ts';
import type { ArchId, Platform } from './platform.ts';
import type { ProfileId } from './profiles.ts';
import { hex, hex64, hi32, lo32, u64 } from './u64.ts';

export type * from './decodeTypes.ts';
export { CLEAR_BIT_PROBLEMS } from './decodeTypes.ts';

const scratch = newClassified();

type Problems = { list: string[]; kinds: ProblemKind[] };

function report(p: Problems, kind: ProblemKind, message: string): void {
  p.list.push(message);
  p.kinds.push(kind);
}

/** Decodes one PTE value for a kernel. */
export function decodePte(k: Kernel, rawIn: bigint): DecodedPte {
  const raw = u64(rawIn);
  const hi = hi32(raw);
  const lo = lo32(raw);
  const c = classify(k, hi, lo, scratch);
  const kind = kindOfCode(c.kind);
  const problems: Problems = { list: [], kinds: [] };
  const base = { raw, pte: hex64(raw), arch: k.arch.id, profile: k.profile.id, kind };
  if (c.kind === KIND.none) {
    if (raw !== 0n) report(problems, 'knl-ad', `only A/D (bits 5-6) are set: pte_none() still reads this as none (_PAGE_KNL_ERRATUM_MASK)`);
    return {
      raw: base.raw, pte: base.pte, arch: base.arch, profile: base.profile, kind: base.kind,
      summary: 'none', present: null, swap: null, problems: problems.list, problemKinds: problems.kinds,
      fields: [{ ...wholeField(raw), text: raw === 0n ? 'empty' : 'none (A/D only)', label: 'bits 0–63: none PTE' }],
    };
  }
  if (c.kind === KIND.present) return decodePresent(k, raw, base, problems);
  return decodeSwap(k, raw, hi, lo, c, base, problems);
}

/**
 * A decoded PTE whose 64 labelled bits are built on first use: a view reads them for the one
 * selected entry, while a table of thousands of decoded PTEs never needs them.
 */
class Decoded implements DecodedPte {
  readonly raw: bigint;
  readonly pte: string;
  readonly arch: DecodedPte['arch'];
  readonly profile: DecodedPte['profile'];
  readonly kind: EntryKind;
  readonly summary: string;
  readonly present: PresentInfo | null;
  readonly swap: SwapInfo | null;
  readonly problems: readonly string[];
  readonly problemKinds: readonly ProblemKind[];
  #fields: readonly DecodedField[] | null = null;
  readonly #build: () => DecodedField[];

  constructor(d: Omit<DecodedPte, 'fields'>, build: () => DecodedField[]) {
    this.raw = d.raw;
    this.pte = d.pte;
    this.arch = d.arch;
    this.profile = d.profile;
    this.kind = d.kind;
    this.summary = d.summary;
    this.present = d.present;
    this.swap = d.swap;
    this.problems = d.problems;
    this.problemKinds = d.problemKinds;
    this.#build = build;
  }

  get fields(): readonly DecodedField[] {
    return (this.#fields ??= this.#build());
  }
}

function withLazyFields(d: Omit<DecodedPte, 'fields'>, build: () => DecodedField[]): DecodedPte {
  return new Decoded(d, build);
}

function wholeField(raw: bigint): Omit<DecodedField, 'text' | 'label'> {
  return { id: 'all', name: 'pte', hi: 63, lo: 0, role: 'other', note: '', stored: raw, value: raw };
}

function bitsOf(raw: bigint, hi: number, lo: number): bigint {
  return (raw >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n);
}

function range(hi: number, lo: number): string {
  return hi === lo ? `bit ${lo}` : `bits ${lo}–${hi}`;
}

/** How every field label names its bits: "bit 55", "bits 59–63". */
export { range as bitRangeText };

type Base = Pick<DecodedPte, 'raw' | 'pte' | 'arch' | 'profile' | 'kind'>;

function decodePresent(k: Kernel, raw: bigint, base: Base, problems: Problems): DecodedPte {
  const p = k.arch.decodePresent(raw);
  const protnone = p.protnone;
  if (k.arch.id === 'x86_64' && p.dirty && !p.writable && !protnone) {
    report(problems, 'shadow-stack', 'Write=0 with Dirty=1: x86 moves Dirty to SavedDirty (bit 58) when a PTE is write-protected; this combination marks a shadow-stack PTE');
  }
  const flags = [
    p.writable ? 'RW' : 'RO',
    p.accessed ? 'A' : 'old',
    ...(p.dirty ? ['D'] : []),
    ...(p.savedDirty ? ['SavedDirty'] : []),
    ...(p.softDirty ? ['SD'] : []),
    ...(p.uffdWp ? ['uffd-wp'] : []),
    ...(p.special ? ['special'] : []),
  ];
  const summary = `${protnone ? 'PROT_NONE ' : ''}present pfn=${hex(p.pfn)} ${flags.join(',')}`;
  const d: Omit<DecodedPte, 'fields'> = {
    raw: base.raw, pte: base.pte, arch: base.arch, profile: base.profile, kind: base.kind,
    summary, present: p, swap: null, problems: problems.list, problemKinds: problems.kinds,
  };
  return withLazyFields(d, () => k.arch.presentFields.map((f) => presentField(f, raw, p, protnone)));
}

function presentField(f: LayoutField, raw: bigint, p: PresentInfo, protnone: boolean): DecodedField {
  const stored = bitsOf(raw, f.hi, f.lo);
  if (f.role === 'pfn') {
    const inverted = protnone;
    return {
      ...f, inverted, stored, value: BigInt(p.pfn),
      text: inverted ? `${hex(stored)} stored, inverted: PFN ${hex(p.pfn)}` : `PFN ${hex(p.pfn)}`,
      label: `${range(f.hi, f.lo)}: PFN ${hex(p.pfn)}${inverted ? ' (stored inverted: PROT_NONE)' : ''}`,
    };
  }
  const on = stored !== 0n;
  const text = f.hi === f.lo ? (on ? 'set' : 'clear') : hex(stored);
  return { ...f, stored, value: stored, text, label: `${range(f.hi, f.lo)}: ${f.name} ${text}` };
}

function decodeSwap(k: Kernel, raw: bigint, hi: number, lo: number, c: Classified, base: Base, problems: Problems): DecodedPte {
  const row = k.row(c.type);
  const typeName = k.typeName(c.type);
  const entry = k.swp_entry(c.type, BigInt(c.offset));
  const a = k.arch;
  for (const m of a.swapMustBeZero) {
    if ((lo & m.mask) !== 0 || (hi & m.hiMask) !== 0) report(problems, 'must-be-zero', m.why);
  }
  let migration: SwapInfo['migration'] = null;
  let marker: SwapInfo['marker'] = null;
  if (row && isMigrationKind(row.kind)) {
    migration = { access: row.access ?? 'read', young: c.young, dirty: c.dirty, youngBitSet: c.youngBit, dirtyBitSet: c.dirtyBit };
    if ((c.youngBit || c.dirtyBit) && !k.platform.migrationAd) {
      report(problems, 'mig-ad-unsupported', 'SWP_MIG_YOUNG/DIRTY bits are set, but migration_entry_supports_ad() is false on this machine: the kernel never stores them and reads them as old/clean');
    }
    if (c.above !== 0) {
      report(problems, 'mig-high-bits', `offset bits above SWP_MIG_DIRTY_BIT (${k.SWP_MIG_DIRTY_BIT}) are set: make_*_migration_entry() never produces them`);
    }
  } else if (row && row.pfn !== null && c.above !== 0) {
    report(problems, 'pfn-too-wide', `offset ${hex(c.offset)} is wider than SWP_PFN_BITS (${k.SWP_PFN_BITS}): no page has that PFN`);
  }
  if (row?.kind === 'pte-marker') {
    const bits = c.offset & PTE_MARKER_MASK;
    marker = { bits, uffdWp: (bits & PTE_MARKER_UFFD_WP) !== 0, poisoned: (bits & PTE_MARKER_POISONED) !== 0, guard: (bits & PTE_MARKER_GUARD) !== 0 };
    if (c.offset > PTE_MARKER_MASK) report(problems, 'marker-bits', `marker offset ${hex(c.offset)} has bits outside PTE_MARKER_MASK (${hex(PTE_MARKER_MASK)})`);
    if (bits === 0) report(problems, 'marker-empty', 'a PTE marker with no marker bits: make_pte_marker() is never called with 0');
  }
  if (c.exclusive && row !== undefined) {
    report(problems, 'exclusive-on-special', `${a.exclusiveName} is set on a ${typeName} entry: the kernel uses it only for real swap entries (migration and device-private entries keep exclusivity elsewhere)`);
  }
  if (k.profile.api === 'softleaf' && entry.val === 0n) {
    report(problems, 'softleaf-none', 'swp_entry(0, 0): softleaf_type() treats val == 0 as SOFTLEAF_NONE although the PTE is not none');
  }
  const pfnSpace: SwapInfo['pfnSpace'] = row && row.pfn !== null ? (c.deviceSpace === 1 ? 'device' : 'phys') : null;
  const swap: SwapInfo = {
    type: c.type,
    typeName,
    row,
    swpEntry: entry.val,
    offset: c.offset,
    softDirty: c.softDirty,
    uffdWp: c.uffdWp,
    exclusive: c.exclusive,
    pfn: pfnSpace === null ? null : c.pfn,
    pfnSpace,
    migration,
    marker,
    predicates: k.allPredicates(entry),
    softleafType: k.profile.api === 'softleaf' ? softleafType(k.facts(entry)) : null,
  };
  const d: Omit<DecodedPte, 'fields'> = {
    raw: base.raw, pte: base.pte, arch: base.arch, profile: base.profile, kind: base.kind,
    summary: swapSummary(swap), present: null, swap, problems: problems.list, problemKinds: problems.kinds,
  };
  return withLazyFields(d, () => swapFields(k, raw, swap));
}

/** The spec's legend: `TYPE(number)`, `pfn=` for migration entries, `off=` otherwise, then flags. */
function swapSummary(s: SwapInfo): string {
  const parts = [`${s.typeName}(${s.type})`];
  if (s.pfn !== null) {
    parts.push(`${isMigrationKind(s.row?.kind) ? 'pfn' : 'off'}=${hex(s.pfn)}`);
    if (s.migration?.young) parts[parts.length - 1] += '+A';
    if (s.migration?.dirty) parts[parts.length - 1] += '+D';
  } else {
    parts.push(`off=${hex(s.offset)}`);
  }
  const flags = [...(s.softDirty ? ['sd'] : []), ...(s.uffdWp ? ['uffd'] : []), ...(s.exclusive ? ['excl'] : [])];
  if (flags.length) parts.push(flags.join(','));
  return parts.join(' ');
}

function swapFields(k: Kernel, raw: bigint, s: SwapInfo): DecodedField[] {
  const out: DecodedField[] = [];
  for (const f of k.arch.swapFields) {
    if (f.role === 'offset') {
      out.push(...offsetFields(k, raw, f, s));
      continue;
    }
    const stored = bitsOf(raw, f.hi, f.lo);
    let text: string;
    let label: string;
    if (f.role === 'type') {
      text = `${s.type} = ${s.typeName}`;
      label = `${range(f.hi, f.lo)}: swap type ${s.type}, ${s.typeName}`;
    } else {
      const name = f.id === 'uffd' && k.arch.id === 'x86_64' ? k.profile.swpUffdMacro : f.name;
      text = f.hi === f.lo ? (stored ? 'set' : 'clear') : hex(stored);
      label = `${range(f.hi, f.lo)}: ${name} ${text}`;
      const problem = f.role === 'must-be-zero' && stored !== 0n ? `${name} must be clear in a swap PTE` : undefined;
      out.push({ ...f, name, stored, value: stored, text, label, ...(problem ? { problem } : {}) });
      continue;
    }
    out.push({ ...f, stored, value: stored, text, label });
  }
  return out;
}

/** Splits the offset field into PFN / young / dirty / unused (PFN-carrying types) or marker bits. */
function offsetFields(k: Kernel, raw: bigint, f: LayoutField, s: SwapInfo): DecodedField[] {
  const inv = f.inverted === true;
  const mk = (id: string, name: string, hiBit: number, loBit: number, role: DecodedField['role'], textOf: (v: bigint) => string, note: string): DecodedField => {
    const stored = bitsOf(raw, hiBit, loBit);
    const value = inv ? ~stored & ((1n << BigInt(hiBit - loBit + 1)) - 1n) : stored;
    const text = textOf(value);
    const invText = inv ? ` (stored ${hex(stored)}, inverted)` : '';
    return { id, name, hi: hiBit, lo: loBit, role, inverted: inv, note, stored, value, text, label: `${range(hiBit, loBit)}: ${name} ${text}${invText}` };
  };
  const lo0 = f.lo;
  const row = s.row;
  if (row && row.pfn !== null) {
    const pb = k.SWP_PFN_BITS;
    const pfnName = s.pfnSpace === 'device' ? 'device-private offset' : 'PFN';
    const out: DecodedField[] = [];
    const isMig = isMigrationKind(row.kind);
    const topUnused = f.hi;
    const unusedLo = lo0 + pb + (isMig ? 2 : 0);
    if (topUnused >= unusedLo) {
      out.push(mk('offset-high', 'offset bits above the PFN', topUnused, unusedLo, 'offset', (v) => (v === 0n ? '0' : hex(v)),
        isMig ? 'above SWP_MIG_TOTAL_BITS: always 0' : 'above SWP_PFN_BITS: always 0'));
    }
    if (isMig) {
      out.push(mk('mig-dirty', 'SWP_MIG_DIRTY', lo0 + pb + 1, lo0 + pb + 1, 'offset', (v) => (v ? 'set' : 'clear'),
        k.platform.migrationAd ? 'the PTE was dirty when the entry was made' : 'ignored: migration_entry_supports_ad() is false'));
      out.push(mk('mig-young', 'SWP_MIG_YOUNG', lo0 + pb, lo0 + pb, 'offset', (v) => (v ? 'set' : 'clear'),
        k.platform.migrationAd ? 'the PTE was young (accessed) when the entry was made' : 'ignored: migration_entry_supports_ad() is false'));
    }
    out.push(mk('pfn', `${pfnName} (SWP_PFN_BITS = ${pb})`, lo0 + pb - 1, lo0, 'offset', (v) => hex(v),
      s.pfnSpace === 'device' ? 'an offset in the device-private address space' : 'a CPU physical frame number'));
    return out;
  }
  if (row?.kind === 'pte-marker') {
    return [
      mk('offset-high', 'offset bits above PTE_MARKER_MASK', f.hi, lo0 + 3, 'offset', (v) => (v === 0n ? '0' : hex(v)), 'always 0'),
      mk('marker', `PTE marker bits (GUARD ${PTE_MARKER_GUARD}, POISONED ${PTE_MARKER_POISONED}, UFFD_WP ${PTE_MARKER_UFFD_WP})`, lo0 + 2, lo0, 'offset', (v) => markerText(Number(v)), 'what the marker stands for'),
    ];
  }
  return [mk('offset', 'swap offset (slot)', f.hi, f.lo, 'offset', (v) => hex(v), 'the slot in swap device `type`')];
}

function markerText(bits: number): string {
  const names = [
    ...(bits & PTE_MARKER_GUARD ? ['GUARD'] : []), ...(bits & PTE_MARKER_POISONED ? ['POISONED'] : []), ...(bits & PTE_MARKER_UFFD_WP ? ['UFFD_WP'] : []),
  ];
  return `${hex(bits)}${names.length ? ' = ' + names.join('|') : ''}`;
}

/**
 * decode(raw, profile, config, arch, machine): the entry point the CLI and views use.
 * `machine` holds the paging depth and whether migration entries carry A/D.
 */
export function decode(
  raw: bigint,
  profile: ProfileId,
  config: KernelConfig,
  arch: ArchId,
  machine: Omit<Platform, 'arch'>,
): DecodedPte {
  return decodePte(getKernel(profile, applyKconfig(config).config, { arch, ...machine }), raw);
}
