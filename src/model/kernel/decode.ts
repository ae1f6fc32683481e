/**
 * decode(): one raw PTE value -> everything a reader (or a view) needs, with no bit arithmetic left
 * to do: kind, type name, offset, PFN and which PFN space it names, flags, migration A/D, marker
 * bits, every predicate of the profile by kernel name, and the 64 bits as labelled fields.
 *
 * The formulas run once, in classify(), on the two 32-bit halves of the value; decodePte() builds
 * the structured result on top of it.
 */
import { applyKconfig, type KernelConfig } from './config.ts';
import type { DecodedField, DecodedPte, Level, PmdPresentInfo, PresentInfo, ProblemKind, SwapInfo } from './decodeTypes.ts';
import { softleafType } from './helpers.ts';
import { getKernel, PTE_MARKER_GUARD, PTE_MARKER_MASK, PTE_MARKER_POISONED, PTE_MARKER_UFFD_WP, type Kernel, type swp_entry_t } from './kernel.ts';
import type { LayoutField, PresentRule, PresentRuleContext } from './arch/layout.ts';
import { classify, isMigrationKind, KIND, kindOfCode, newClassified, PMD_KIND_RULES, type Classified, type EntryKind } from './leafops.ts';
import { PAGE_SHIFT, type ArchId, type Platform } from './platform.ts';
import type { NumberedRow } from './swapTypes.ts';
import type { ProfileId } from './profiles.ts';
import { hex, hex64, hi32, lo32, U64_MASK, u64, type PmdBits } from './u64.ts';

export type * from './decodeTypes.ts';
export { CLEAR_BIT_PROBLEMS } from './decodeTypes.ts';

const scratch = newClassified();

type Problems = { list: string[]; kinds: ProblemKind[] };

function report(p: Problems, kind: ProblemKind, message: string): void {
  p.list.push(message);
  p.kinds.push(kind);
}

/** Decodes one PTE value (or, with `level` 'pmd', one PMD value) for a kernel. */
export function decodePte(k: Kernel, rawIn: bigint, level: Level = 'pte'): DecodedPte {
  // A value already in 0..2^64-1 (every caller's) is used as it is: masking allocates a new BigInt.
  // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: only a fast path: u64() of an in-range value is the value
  const raw = rawIn >= 0n && rawIn <= U64_MASK ? rawIn : u64(rawIn);
  // as int32 words (classify() reads them with bitwise operations only): V8 passes an int32 to a
  // call that is not inlined as it is, but boxes an unsigned half >= 2^31 in a new heap number
  const hi = hi32(raw) | 0;
  const lo = lo32(raw) | 0;
  const c = classify(k, hi, lo, scratch, level);
  if (c.kind === KIND.present) {
    return new Decoded(k, raw, hi, lo, level, 'present', level === 'pmd' ? k.arch.pmd.decodePresent(hi, lo) : k.arch.decodePresent(hi, lo), null);
  }
  if (c.kind === KIND.none) return new Decoded(k, raw, hi, lo, level, 'none', null, null);
  return new Decoded(k, raw, hi, lo, level, kindOfCode(c.kind), null, new Swap(k, c));
}

/** Decodes one PMD value: pmd_none / pmd_present (PROT_NONE and the invalidated PMD included) / softleaf_from_pmd(). */
export function decodePmd(k: Kernel, raw: bigint | PmdBits): DecodedPte {
  return decodePte(k, raw, 'pmd');
}

/**
 * A decoded PTE. What a table of thousands of entries reads (kind, PFN, type, offset, flags) is
 * computed at once; the rest (the hex text, the summary, the problems, the 64 labelled bits, the
 * predicates) on first use, so decoding stays cheap and a view pays only for what it shows.
 */
class Decoded implements DecodedPte {
  readonly raw: bigint;
  readonly level: Level;
  readonly arch: ArchId;
  readonly profile: ProfileId;
  readonly kind: EntryKind;
  readonly present: PresentInfo | null;
  readonly swap: SwapInfo | null;
  readonly #k: Kernel;
  readonly #hi: number;
  readonly #lo: number;
  readonly #swap: Swap | null;
  #pte: string | undefined;
  #summary: string | undefined;
  #problems: Problems | undefined;
  #fields: readonly DecodedField[] | undefined;
  #pmdPredicates: Readonly<Record<string, boolean>> | undefined;

  constructor(k: Kernel, raw: bigint, hi: number, lo: number, level: Level, kind: EntryKind, present: PresentInfo | null, swap: Swap | null) {
    this.raw = raw;
    this.level = level;
    this.arch = k.arch.id;
    this.profile = k.profile.id;
    this.kind = kind;
    this.present = present;
    this.swap = swap;
    this.#swap = swap;
    this.#k = k;
    this.#hi = hi;
    this.#lo = lo;
  }

  /** 0x + 16 hex digits. */
  get pte(): string {
    return (this.#pte ??= hex64(this.raw));
  }

  get summary(): string {
    // Stryker disable next-line ConditionalExpression: a memo; computing the summary again gives the same text
    if (this.#summary === undefined) {
      this.#summary = this.present ? presentSummary(this.present, this.level) : this.swap ? swapSummary(this.swap) : 'none';
    }
    return this.#summary;
  }

  get pmdPredicates(): Readonly<Record<string, boolean>> | null {
    if (this.level !== 'pmd') return null;
    return (this.#pmdPredicates ??= this.#k.allPmdPredicates(this.raw as PmdBits));
  }

  get atPmd(): { readonly valid: boolean; readonly why: string } | null {
    return this.level === 'pmd' ? PMD_KIND_RULES[this.kind] : null;
  }

  get problems(): readonly string[] {
    return this.#checked().list;
  }

  get problemKinds(): readonly ProblemKind[] {
    return this.#checked().kinds;
  }

  get fields(): readonly DecodedField[] {
    if (this.#fields === undefined) {
      const k = this.#k;
      const raw = this.raw;
      const p = this.present;
      const pmd = this.level === 'pmd';
      if (p) {
        // x86 stores the PFN inverted whenever P is clear: a PROT_NONE entry, an invalidated PMD (PSE only)
        const why = p.protnone ? 'PROT_NONE' : pmd && (p as PmdPresentInfo).invalidated ? 'invalidated' : null;
        this.#fields = (pmd ? k.arch.pmd.presentFields : k.arch.presentFields).map((f) => presentField(f, fieldName(k, f), raw, p, why));
      } else {
        this.#fields = this.swap
          ? swapFields(k, raw, this.swap, this.level)
          : [{ ...wholeField(raw), text: raw === 0n ? 'empty' : 'none (A/D only)', label: `bits 0–63: none ${pmd ? 'PMD' : 'PTE'}` }];
      }
    }
    return this.#fields;
  }

  #checked(): Problems {
    // Stryker disable next-line ConditionalExpression: a memo; checking again gives the same problems
    if (this.#problems === undefined) {
      const problems: Problems = { list: [], kinds: [] };
      const pmd = this.level === 'pmd';
      if (this.present) {
        presentProblems(this.#k, this.present, this.#hi, this.#lo, problems);
        if (pmd) pmdPresentProblems(this.#k, this.#hi, this.#lo, this.present as PmdPresentInfo, problems);
      } else if (this.#swap) {
        swapProblems(this.#k, this.#hi, this.#lo, this.#swap, problems, this.level);
      } else if (this.raw !== 0n) {
        report(problems, 'knl-ad', `only A/D (bits 5-6) are set: ${pmd ? 'pmd_none' : 'pte_none'}() still reads this as none (_PAGE_KNL_ERRATUM_MASK)`);
      }
      this.#problems = problems;
    }
    return this.#problems;
  }
}

/** A swap-style entry: the numbers at once; the swp_entry_t, the predicates and softleaf_type on first use. */
class Swap implements SwapInfo {
  readonly type: number;
  readonly typeName: string;
  readonly row: NumberedRow | undefined;
  readonly offset: number;
  readonly softDirty: boolean;
  readonly uffdWp: boolean;
  readonly exclusive: boolean;
  readonly pfn: number | null;
  readonly pfnSpace: 'phys' | 'device' | null;
  readonly migration: SwapInfo['migration'];
  readonly marker: SwapInfo['marker'];
  /** Offset bits above the PFN (and above SWP_MIG_DIRTY for migration entries). */
  readonly above: number;
  readonly #k: Kernel;
  #entry: swp_entry_t | undefined;
  #predicates: Readonly<Record<string, boolean>> | undefined;

  constructor(k: Kernel, c: Classified) {
    const row = k.row(c.type);
    this.#k = k;
    this.type = c.type;
    this.typeName = k.typeName(c.type);
    this.row = row;
    this.offset = c.offset;
    this.softDirty = c.softDirty;
    this.uffdWp = c.uffdWp;
    this.exclusive = c.exclusive;
    this.above = c.above;
    this.pfnSpace = row && row.pfn !== null ? (c.deviceSpace === 1 ? 'device' : 'phys') : null;
    this.pfn = this.pfnSpace === null ? null : c.pfn;
    this.migration = row && isMigrationKind(row.kind)
      // every migration row has an access (swapTypes.ts)
      ? { access: row.access!, young: c.young, dirty: c.dirty, youngBitSet: c.youngBit, dirtyBitSet: c.dirtyBit }
      : null;
    if (row?.kind === 'pte-marker') {
      const bits = c.offset & PTE_MARKER_MASK;
      this.marker = { bits, uffdWp: (bits & PTE_MARKER_UFFD_WP) !== 0, poisoned: (bits & PTE_MARKER_POISONED) !== 0, guard: (bits & PTE_MARKER_GUARD) !== 0 };
    } else {
      this.marker = null;
    }
  }

  get entry(): swp_entry_t {
    return (this.#entry ??= this.#k.swp_entry(this.type, BigInt(this.offset)));
  }

  get swpEntry(): bigint {
    return this.entry.val;
  }

  get predicates(): Readonly<Record<string, boolean>> {
    return (this.#predicates ??= this.#k.allPredicates(this.entry));
  }

  get softleafType(): string | null {
    return this.#k.profile.api === 'softleaf' ? softleafType(this.#k.facts(this.entry)) : null;
  }
}

function presentSummary(p: PresentInfo, level: Level): string {
  const flags = [
    p.writable ? 'RW' : 'RO',
    p.accessed ? 'A' : 'old',
    ...(p.dirty ? ['D'] : []),
    ...(p.savedDirty ? ['SavedDirty'] : []),
    ...(p.softDirty ? ['SD'] : []),
    ...(p.uffdWp ? ['uffd-wp'] : []),
    ...(p.special ? ['special'] : []),
  ];
  if (level === 'pmd') {
    const m = p as PmdPresentInfo;
    const what = m.leaf ? 'huge' : 'table';
    return `${p.protnone ? 'PROT_NONE ' : ''}${m.invalidated ? 'invalidated ' : ''}present ${what} pfn=${hex(p.pfn)} ${flags.join(',')}`;
  }
  return `${p.protnone ? 'PROT_NONE ' : ''}present pfn=${hex(p.pfn)} ${flags.join(',')}`;
}

/** A present PMD: a table pointer maps no page; a huge PMD's address is 2 MiB aligned. */
function pmdPresentProblems(k: Kernel, hi: number, lo: number, p: PmdPresentInfo, problems: Problems): void {
  if (!p.leaf) {
    report(problems, 'pmd-table', 'not a leaf: a present PMD without the huge-page bit points to a page of 512 PTEs (pmd_page()); it maps no 2 MiB page itself');
    return;
  }
  for (const f of k.arch.pmd.presentFields) {
    if (f.role !== 'must-be-zero') continue;
    const raw = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    if (bitsOf(raw, f.hi, f.lo) !== 0n) report(problems, 'must-be-zero', `${range(f.hi, f.lo)} are set: ${f.note}`);
  }
}

function presentProblems(k: Kernel, p: PresentInfo, hi: number, lo: number, problems: Problems): void {
  const rules = k.arch.presentRules;
  // Stryker disable next-line StringLiteral: only the swap-bit8 message reads it, after its check has set it
  let lookalike = '';
  const c = (): PresentRuleContext => ({ present: p, pfnHex: hex(p.pfn), maxPhysmemBits: k.MAX_PHYSMEM_BITS, lookalike });
  const check = (r: PresentRule, broken: () => boolean) => {
    const say = rules[r];
    if (say && broken()) report(problems, r, say(c()));
  };
  check('shadow-stack', () => p.dirty && !p.writable && !p.protnone);
  check('rw-saveddirty', () => p.writable && p.savedDirty);
  if (p.protnone) {
    check('swap-bit8', () => {
      lookalike = swapLookalike(k, hi, lo) ?? '';
      return lookalike !== '';
    });
    check('protnone-rw', () => p.writable);
    check('protnone-dirty', () => p.dirty);
    check('protnone-prot', () => p.user || p.nx);
  } else {
    check('user-global', () => p.global);
  }
  check('unused-bits', () => p.unusedSet);
  check('pfn-beyond-physmem', () => p.pfn >= 2 ** (k.MAX_PHYSMEM_BITS - PAGE_SHIFT));
}

/**
 * A PROT_NONE reading of a value that, with the PROT_NONE bit clear, is a swap entry the kernel
 * could build (a special type without problems, or a real swap slot below 2^32): its summary.
 */
function swapLookalike(k: Kernel, hi: number, lo: number): string | null {
  const l = (lo & ~k.arch.protnoneLo) >>> 0;
  const d = decodePte(k, (BigInt(hi >>> 0) << 32n) | BigInt(l));
  if (!d.swap || d.problems.length) return null;
  if (!d.swap.row && d.swap.offset >= 2 ** 32) return null;
  return d.summary;
}

function swapProblems(k: Kernel, hi: number, lo: number, s: Swap, problems: Problems, level: Level): void {
  const a = k.arch;
  const row = s.row;
  if (level === 'pmd') {
    const kind: EntryKind = row?.kind ?? 'swap';
    const rule = PMD_KIND_RULES[kind];
    if (!rule.valid) report(problems, 'not-at-pmd', `${s.typeName} never sits in a PMD: ${rule.why}; pmd_is_valid_softleaf() is false`);
  }
  for (const m of level === 'pmd' ? a.pmd.swapMustBeZero : a.swapMustBeZero) {
    if ((lo & m.mask) !== 0 || (hi & m.hiMask) !== 0) report(problems, 'must-be-zero', m.why);
  }
  if (s.migration) {
    if ((s.migration.youngBitSet || s.migration.dirtyBitSet) && !k.platform.migrationAd) {
      report(problems, 'mig-ad-unsupported', 'SWP_MIG_YOUNG/DIRTY bits are set, but migration_entry_supports_ad() is false on this machine: the kernel never stores them and reads them as old/clean');
    }
    if (s.above !== 0) {
      report(problems, 'mig-high-bits', `offset bits above SWP_MIG_DIRTY_BIT (${k.SWP_MIG_DIRTY_BIT}) are set: make_*_migration_entry() never produces them`);
    }
  } else if (s.above !== 0) {
    // classify() counts bits above SWP_PFN_BITS only for PFN-carrying types: a swap slot may be that wide
    report(problems, 'pfn-too-wide', `offset ${hex(s.offset)} is wider than SWP_PFN_BITS (${k.SWP_PFN_BITS}): no page has that PFN`);
  }
  if (s.marker) {
    if (s.offset > PTE_MARKER_MASK) report(problems, 'marker-bits', `marker offset ${hex(s.offset)} has bits outside PTE_MARKER_MASK (${hex(PTE_MARKER_MASK)})`);
    if (s.marker.bits === 0) report(problems, 'marker-empty', 'a PTE marker with no marker bits: make_pte_marker() is never called with 0');
  }
  if (s.exclusive && row !== undefined) {
    report(problems, 'exclusive-on-special', `${a.exclusiveName} is set on a ${s.typeName} entry: the kernel uses it only for real swap entries (migration and device-private entries keep exclusivity elsewhere)`);
  }
  if (k.profile.api === 'softleaf' && s.type === 0 && s.offset === 0) {
    report(problems, 'softleaf-none', 'swp_entry(0, 0): softleaf_type() treats val == 0 as SOFTLEAF_NONE although the PTE is not none');
  }
  if (row === undefined && s.offset === 0) {
    report(problems, 'swap-header-slot', `swp_entry(${s.type}, 0): slot 0 of a swap device holds the swap header and is never allocated, so no swapped-out page has this entry`);
  }
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

/**
 * A field's macro name under the kernel: "mm: rename uffd-wp PTE bit macros to uffd" (2026) dropped
 * the _WP suffix on every arch, present and swap bits alike (_PAGE_UFFD and _PAGE_SWP_UFFD on x86,
 * PTE_UFFD and PTE_SWP_UFFD on arm64); the profile's swpUffdMacro says which side of it it is on.
 */
function fieldName(k: Kernel, f: LayoutField): string {
  return f.id === 'uffd' && !k.profile.swpUffdMacro.endsWith('_WP') ? f.name.slice(0, -'_WP'.length) : f.name;
}

/** `invertedBy`: why the entry has P clear while present (PROT_NONE, an invalidated PMD), else null. */
function presentField(f: LayoutField, name: string, raw: bigint, p: PresentInfo, invertedBy: string | null): DecodedField {
  const stored = bitsOf(raw, f.hi, f.lo);
  if (f.role === 'pfn') {
    // Only x86 inverts the PFN of a present entry with P clear (pgtable-invert.h, L1TF); arm64's pte_pfn() reads it as stored.
    const inverted = invertedBy !== null && f.inverted === true;
    return {
      id: f.id, hi: f.hi, lo: f.lo, name: f.name, role: f.role, inverted, note: f.note, stored, value: BigInt(p.pfn),
      text: inverted ? `${hex(stored)} stored, inverted: PFN ${hex(p.pfn)}` : `PFN ${hex(p.pfn)}`,
      label: `${range(f.hi, f.lo)}: PFN ${hex(p.pfn)}${inverted ? ` (stored inverted: ${invertedBy})` : ''}`,
    };
  }
  const on = stored !== 0n;
  const text = f.hi === f.lo ? (on ? 'set' : 'clear') : hex(stored);
  return fieldOf(f, name, stored, stored, text, `${range(f.hi, f.lo)}: ${name} ${text}`);
}

/**
 * A decoded field of layout field `f`, built key by key: `{ ...f, … }` over the layouts' fields
 * (which differ in shape) went through V8's generic object clone, ~5 µs a field. The fields with an
 * `inverted` flag (a PFN, the swap offset) are built by presentField() and offsetFields() themselves.
 */
function fieldOf(f: LayoutField, name: string, stored: bigint, value: bigint, text: string, label: string, problem?: string): DecodedField {
  const d: { -readonly [K in keyof DecodedField]: DecodedField[K] } = { id: f.id, hi: f.hi, lo: f.lo, name, role: f.role, note: f.note, stored, value, text, label };
  // Stryker disable next-line ConditionalExpression: a field without a problem reads the same with problem: undefined (readers test f.problem)
  if (problem !== undefined) d.problem = problem;
  return d;
}

/** The spec's legend: `TYPE(number)`, `pfn=` for migration entries, `off=` otherwise, then flags. */
function swapSummary(s: SwapInfo): string {
  const parts = [`${s.typeName}(${s.type})`];
  if (s.pfn !== null) {
    parts.push(`${s.migration ? 'pfn' : 'off'}=${hex(s.pfn)}`);
    if (s.migration?.young) parts[parts.length - 1] += '+A';
    if (s.migration?.dirty) parts[parts.length - 1] += '+D';
  } else {
    parts.push(`off=${hex(s.offset)}`);
  }
  const flags = [...(s.softDirty ? ['sd'] : []), ...(s.uffdWp ? ['uffd'] : []), ...(s.exclusive ? ['excl'] : [])];
  if (flags.length) parts.push(flags.join(','));
  return parts.join(' ');
}

function swapFields(k: Kernel, raw: bigint, s: SwapInfo, level: Level): DecodedField[] {
  const out: DecodedField[] = [];
  for (const f of level === 'pmd' ? k.arch.pmd.swapFields : k.arch.swapFields) {
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
      const name = fieldName(k, f);
      text = f.hi === f.lo ? (stored ? 'set' : 'clear') : hex(stored);
      label = `${range(f.hi, f.lo)}: ${name} ${text}`;
      const problem = f.role === 'must-be-zero' && stored !== 0n ? `${name} must be clear in a ${level === 'pmd' ? 'non-present PMD' : 'swap PTE'}` : undefined;
      out.push(fieldOf(f, name, stored, stored, text, label, problem));
      continue;
    }
    out.push(fieldOf(f, f.name, stored, stored, text, label));
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
    // SWP_PFN_BITS <= MAX_PHYSMEM_BITS - PAGE_SHIFT = 40 leaves offset bits above the PFN and A/D on every arch
    out.push(mk('offset-high', 'offset bits above the PFN', f.hi, lo0 + pb + (isMig ? 2 : 0), 'offset', (v) => (v === 0n ? '0' : hex(v)),
      isMig ? 'above SWP_MIG_TOTAL_BITS: always 0' : 'above SWP_PFN_BITS: always 0'));
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
  level: Level = 'pte',
): DecodedPte {
  return decodePte(getKernel(profile, applyKconfig(config).config, { arch, ...machine }), raw, level);
}
