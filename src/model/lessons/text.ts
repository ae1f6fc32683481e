/**
 * Lesson texts are templates. Every kernel number, bit position, value or per-profile helper name is
 * a placeholder in braces that the model fills for the kernel being shown; the rest is prose, and a
 * test rejects any number in the prose (`unplacedNumbers`). Backticks mark code (a kernel name).
 *
 * Placeholders (`@profile` reads the same config and machine under another profile):
 *   {type:SWP_NAME[@p]}    the type number of SWP_NAME           {max_swapfiles[@p]}  MAX_SWAPFILES
 *   {swapfiles[@p]}        the real swap types, "0–23"           {count:SWP_DEVICE_NUM[@p]}  a block size
 *   {const:NAME}           SWP_TYPE_SHIFT, SWP_PFN_BITS, SWP_MIG_YOUNG_BIT, SWP_MIG_DIRTY_BIT,
 *                          SWP_MIG_TOTAL_BITS, MAX_PHYSMEM_BITS, MAX_SWAPFILES_SHIFT
 *   {bits:ID}              where field ID of the selected PTE sits, "bits 59–63" (ID as its decode
 *                          names it); {bits:swap.ID} / {bits:present.ID} read the arch's layout instead
 *   {field:ID}             the field's value as the decoder writes it    {stored:ID}  its stored bits
 *   {pte}  {summary}  {swp_entry}  {pfn}  {typename}  {typenum}   the selected PTE
 *   {pfn:PID.INDEX}        the page number another PTE names
 *   {at}  {at:PID.INDEX}   "PTE 1": the selected PTE, or another one       {pid}  the selected process
 *   {helper:a|b}           the first of these kernel functions the profile has
 *   {ctor:SWP_NAME}        the helper that builds SWP_NAME in this profile
 *   {profile[@p]}          the profile's name       {forced}  what Kconfig forced off
 */
import { bitRangeText, decodePte } from '../kernel/decode.ts';
import type { DecodedField } from '../kernel/decodeTypes.ts';
import { constructorForType, CONSTRUCTORS, PREDICATES } from '../kernel/helpers.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { isProfileId, type ProfileId } from '../kernel/profiles.ts';
import { BLOCK_COUNT_MACRO, MAX_SWAPFILES_SHIFT, TYPE_ROWS } from '../kernel/swapTypes.ts';
import { hex, hex64 } from '../kernel/u64.ts';
import { KERNEL_FUNCTIONS } from '../machine/functions.ts';
import { pteValue, sibling, type LessonFrame } from './frame.ts';
import type { PteRef } from '../machine/types.ts';

export type TextPart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'code'; readonly text: string }
  /** A value the model filled in; `missing` says why there is none under this kernel. */
  | { readonly kind: 'value'; readonly text: string; readonly source: string; readonly missing?: string };

const PLACEHOLDER = /\{([a-z_]+)(?::([A-Za-z0-9_.|-]+))?(?:@([A-Za-z0-9._-]+))?\}/g;

const CONSTS = ['SWP_TYPE_SHIFT', 'SWP_PFN_BITS', 'SWP_MIG_YOUNG_BIT', 'SWP_MIG_DIRTY_BIT', 'SWP_MIG_TOTAL_BITS', 'MAX_PHYSMEM_BITS', 'MAX_SWAPFILES_SHIFT'] as const;
type Const = (typeof CONSTS)[number];

const TYPE_NAMES = new Set(TYPE_ROWS.map((r) => r.name));
const COUNT_MACROS = new Set(Object.values(BLOCK_COUNT_MACRO));
const KNOWN_FUNCTIONS = new Set([...Object.keys(KERNEL_FUNCTIONS), ...PREDICATES.map((p) => p.name), ...CONSTRUCTORS.map((c) => c.name)]);
/** Placeholders that take an argument, and those that take none. */
const WITH_ARG = new Set(['type', 'count', 'const', 'bits', 'field', 'stored', 'helper', 'ctor']);
const NO_ARG = new Set(['pid', 'max_swapfiles', 'swapfiles', 'pte', 'summary', 'swp_entry', 'typename', 'typenum', 'profile', 'forced']);
/** Placeholders whose argument may be left out. */
const OPTIONAL_ARG = new Set(['pfn', 'at']);
/** Placeholders that may name another profile. */
const OTHER_PROFILE = new Set(['type', 'max_swapfiles', 'swapfiles', 'count', 'profile']);

export interface Placeholder {
  readonly source: string;
  readonly name: string;
  readonly arg: string | undefined;
  readonly profile: string | undefined;
}

/** The placeholders of a template, in order. */
export function placeholders(template: string): Placeholder[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => ({ source: m[0], name: m[1]!, arg: m[2], profile: m[3] }));
}

/**
 * What is wrong with a template before any kernel is chosen: unknown placeholders, arguments that
 * name nothing the model knows, braces that are not a placeholder. Empty when it is fine.
 */
export function templateProblems(template: string): string[] {
  const out: string[] = [];
  const stray = template.replace(PLACEHOLDER, '');
  if (/[{}]/.test(stray)) out.push(`a brace that is not a placeholder in "${clip(template)}"`);
  if ((template.match(/`/g) ?? []).length % 2) out.push(`an unclosed backtick in "${clip(template)}"`);
  for (const p of placeholders(template)) {
    const known = WITH_ARG.has(p.name) || NO_ARG.has(p.name) || OPTIONAL_ARG.has(p.name);
    if (!known) {
      out.push(`unknown placeholder ${p.source}`);
      continue;
    }
    if (WITH_ARG.has(p.name) && !p.arg) out.push(`${p.source} needs an argument`);
    if (NO_ARG.has(p.name) && p.arg) out.push(`${p.source} takes no argument`);
    if (p.profile !== undefined && (!OTHER_PROFILE.has(p.name) || !isProfileId(p.profile))) out.push(`${p.source}: "@${p.profile}" is not a profile this placeholder can read`);
    const a = p.arg ?? '';
    if ((p.name === 'type' || p.name === 'ctor') && !TYPE_NAMES.has(a)) out.push(`${p.source}: ${a} is not a swap type`);
    if (p.name === 'count' && !COUNT_MACROS.has(a)) out.push(`${p.source}: ${a} is not a block count macro`);
    if ((p.name === 'pfn' || p.name === 'at') && p.arg !== undefined && !/^[0-9]{1,2}\.[0-9]{1,7}$/.test(p.arg)) out.push(`${p.source}: "${p.arg}" is not a PTE as pid.index`);
    if (p.name === 'const' && !(CONSTS as readonly string[]).includes(a)) out.push(`${p.source}: ${a} is not one of ${CONSTS.join(', ')}`);
    if (p.name === 'helper') for (const h of a.split('|')) if (!KNOWN_FUNCTIONS.has(h)) out.push(`${p.source}: ${h} is not a kernel function swapviz knows`);
  }
  return out;
}

type Filled = { text: string } | { missing: string };

function constOf(k: Kernel, c: Const): number {
  return c === 'MAX_SWAPFILES_SHIFT' ? MAX_SWAPFILES_SHIFT : k[c];
}

function layoutField(k: Kernel, id: string): { hi: number; lo: number } | undefined {
  const dot = id.indexOf('.');
  if (dot > 0) {
    const where = id.slice(0, dot);
    const fid = id.slice(dot + 1);
    const list = where === 'swap' ? k.arch.swapFields : where === 'present' ? k.arch.presentFields : [];
    return list.find((f) => f.id === fid);
  }
  return undefined;
}

function decodedField(f: LessonFrame, id: string): DecodedField | undefined {
  return f.now.fields.find((x) => x.id === id);
}

function fill(p: Placeholder, f: LessonFrame): Filled {
  const k = p.profile && isProfileId(p.profile) ? sibling(f.kernel, p.profile) : f.kernel;
  const a = p.arg ?? '';
  const now = f.now;
  switch (p.name) {
    case 'type': {
      const n = k.typeNumber(a);
      return n === undefined ? { missing: `${a} is compiled out of this kernel` } : { text: String(n) };
    }
    case 'max_swapfiles':
      return { text: String(k.MAX_SWAPFILES) };
    case 'swapfiles':
      return { text: `0–${k.MAX_SWAPFILES - 1}` };
    case 'count': {
      const n = k.table.counts[a];
      return n === undefined ? { missing: `${a} is not a block of this kernel` } : { text: String(n) };
    }
    case 'const':
      return (CONSTS as readonly string[]).includes(a) ? { text: String(constOf(k, a as Const)) } : { missing: `no constant ${a}` };
    case 'bits': {
      const lf = layoutField(k, a) ?? decodedField(f, a);
      return lf ? { text: bitRangeText(lf.hi, lf.lo) } : { missing: `the selected PTE has no field "${a}"` };
    }
    case 'field': {
      const d = decodedField(f, a);
      return d ? { text: d.text } : { missing: `the selected PTE has no field "${a}"` };
    }
    case 'stored': {
      const d = decodedField(f, a);
      return d ? { text: hex(d.stored) } : { missing: `the selected PTE has no field "${a}"` };
    }
    case 'at': {
      const r = p.arg ? refOf(p.arg) : f.selection;
      return { text: r.pid === f.selection.pid ? `PTE ${r.index}` : `PTE ${r.index} of pid ${r.pid}` };
    }
    case 'pid':
      return { text: String(f.selection.pid) };
    case 'pte':
      return { text: now.pte };
    case 'summary':
      return { text: now.summary };
    case 'swp_entry':
      return now.swap ? { text: hex64(now.swap.swpEntry) } : { missing: 'the selected PTE is not a swap-style entry' };
    case 'pfn': {
      const d = p.arg ? decodePte(f.kernel, pteValue(f.state, refOf(p.arg))) : now;
      if (d.present) return { text: hex(d.present.pfn) };
      if (d.swap?.pfn !== null && d.swap?.pfn !== undefined) return { text: hex(d.swap.pfn) };
      return { missing: `${p.arg ? `PTE ${p.arg}` : 'the selected PTE'} names no page` };
    }
    case 'typename':
      return now.swap ? { text: now.swap.typeName } : { missing: 'the selected PTE is not a swap-style entry' };
    case 'typenum':
      return now.swap ? { text: String(now.swap.type) } : { missing: 'the selected PTE is not a swap-style entry' };
    case 'helper': {
      const has = helperSet(k.profile.id);
      const h = a.split('|').find((n) => has.has(n));
      return h ? { text: h } : { missing: `${k.profile.label} has none of ${a.split('|').join(', ')}` };
    }
    case 'ctor': {
      const c = constructorForType(k.profile.id, a);
      return c ? { text: c.name } : { missing: `${k.profile.label} has no constructor for ${a}` };
    }
    case 'profile':
      return { text: k.profile.label };
    case 'forced':
      return f.forced.length ? { text: f.forced.join('; ') } : { missing: 'Kconfig forced nothing off in this configuration' };
    default:
      return { missing: `unknown placeholder ${p.source}` };
  }
}

function refOf(arg: string): PteRef {
  const [pid, index] = arg.split('.').map(Number);
  return { pid: pid!, index: index! };
}

const helperSets = new Map<ProfileId, Set<string>>();

/** Every kernel function name that exists in a profile: its predicates and constructors, and the registry. */
function helperSet(profile: ProfileId): Set<string> {
  let s = helperSets.get(profile);
  if (!s) {
    s = new Set([
      ...PREDICATES.filter((p) => p.profiles.includes(profile)).map((p) => p.name),
      ...CONSTRUCTORS.filter((c) => c.profiles.includes(profile)).map((c) => c.name),
      ...Object.keys(KERNEL_FUNCTIONS).filter((n) => !PREDICATES.some((p) => p.name === n) && !CONSTRUCTORS.some((c) => c.name === n)),
    ]);
    helperSets.set(profile, s);
  }
  return s;
}

/** Fills a template for a frame: prose, code and the values the model computed. */
export function renderText(template: string, f: LessonFrame): TextPart[] {
  const out: TextPart[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (m.index > last) out.push(...prose(template.slice(last, m.index)));
    const p: Placeholder = { source: m[0], name: m[1]!, arg: m[2], profile: m[3] };
    const v = fill(p, f);
    out.push('text' in v ? { kind: 'value', text: v.text, source: p.source } : { kind: 'value', text: '—', source: p.source, missing: v.missing });
    last = m.index + m[0].length;
  }
  if (last < template.length) out.push(...prose(template.slice(last)));
  return out;
}

/** Prose with `code` spans. */
function prose(s: string): TextPart[] {
  return s.split('`').map((t, i): TextPart => (i % 2 ? { kind: 'code', text: t } : { kind: 'text', text: t })).filter((p) => p.text !== '');
}

/** The filled text as one string (for word counts, tests and accessible names). */
export function plainText(parts: readonly TextPart[]): string {
  return parts.map((p) => p.text).join('');
}

export function wordCount(s: string): number {
  return s.split(/\s+/).filter((w) => /[A-Za-z0-9]/.test(w)).length;
}

/** The placeholders a frame could not fill, with why. */
export function missingValues(parts: readonly TextPart[]): string[] {
  return parts.flatMap((p) => (p.kind === 'value' && p.missing ? [`${p.source}: ${p.missing}`] : []));
}

/**
 * Numbers in a template that no placeholder produced: any word that starts with a digit (a type
 * number, a bit position, a hex value) once placeholders are taken out. Identifiers that contain
 * digits (x86_64, arm64, v6.18, L1TF) are words that start with a letter and are fine.
 */
export function unplacedNumbers(template: string): string[] {
  const rest = template.replace(PLACEHOLDER, ' ');
  return [...rest.matchAll(/[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*/g)].map((m) => m[0]).filter((w) => /^[0-9]/.test(w));
}

/** The same check on filled text: numbers in prose or code parts, never in values. */
export function unplacedNumbersIn(parts: readonly TextPart[]): string[] {
  return parts.flatMap((p) => (p.kind === 'value' ? [] : unplacedNumbers(p.text)));
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
