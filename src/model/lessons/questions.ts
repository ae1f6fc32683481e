/**
 * Questions are answered by running the model, never against a stored answer: the expected answer
 * is read from the next step of the frame (its state, its trace), so it follows the kernel being
 * shown, and a wrong answer is explained with the model's decode of the right one.
 */
import { decodePte, type DecodedPte } from '../kernel/decode.ts';
import type { DecodedField } from '../kernel/decodeTypes.ts';
import { CONSTRUCTORS, constructorsFor } from '../kernel/helpers.ts';
import { MAX_SWAPFILES_SHIFT, SWP_TYPE_COUNT } from '../kernel/swapTypes.ts';
import { differingBits, hex64, parseU64Hex } from '../kernel/u64.ts';
import { describeEvent } from '../machine/events.ts';
import { KERNEL_FUNCTIONS } from '../machine/functions.ts';
import type { PteRef, TraceEntry } from '../machine/types.ts';
import { pteValue, type LessonFrame } from './frame.ts';
import type { Question } from './types.ts';

export type Answer =
  | { readonly kind: 'type-number'; readonly text: string }
  | { readonly kind: 'type-name'; readonly name: string }
  | { readonly kind: 'bits'; readonly bits: readonly number[] }
  | { readonly kind: 'value'; readonly text: string }
  | { readonly kind: 'helper'; readonly name: string };

/** The choice that stands for every real swap device in a type-name question. */
export const SWAP_DEVICE_CHOICE = 'swap device';

export interface Expected {
  /** The right answer in words, e.g. "SWP_MIGRATION_WRITE = 27". */
  readonly text: string;
  /** The model's decode of the right answer, one line each. */
  readonly decode: readonly string[];
  readonly typeNumber?: number;
  readonly typeName?: string;
  readonly bits?: readonly number[];
  readonly value?: bigint;
  /** Every helper of the step that builds an entry (any of them is right); the first is named. */
  readonly helpers?: readonly string[];
}

export type ExpectedResult = { readonly ok: true; readonly expected: Expected } | { readonly ok: false; readonly reason: string };

export interface Choice {
  readonly value: string;
  readonly label: string;
}

export interface Verdict {
  readonly correct: boolean;
  /** Why the answer could not be read (bad hex, not a number); the answer is neither right nor wrong then. */
  readonly invalid?: string;
  /** One line: what was right or wrong. */
  readonly headline: string;
  /** The model's decode of the right answer, and how the learner's answer differs. */
  readonly explanation: readonly string[];
}

const CONSTRUCTOR_NAMES = new Set(CONSTRUCTORS.map((c) => c.name));

/** The PTE a question asks about. */
export function questionPte(q: Question, f: LessonFrame): PteRef {
  return q.pte ?? f.selection;
}

interface Next {
  readonly before: DecodedPte;
  readonly after: DecodedPte;
  readonly event: string;
  readonly ref: PteRef;
  readonly trace: readonly TraceEntry[];
}

function nextOf(q: Question, f: LessonFrame): Next | string {
  if (!f.next) return 'there is no next step here';
  const ref = questionPte(q, f);
  return {
    before: decodePte(f.kernel, pteValue(f.state, ref)),
    after: decodePte(f.kernel, pteValue(f.next.state, ref)),
    event: describeEvent(f.next.event),
    ref,
    trace: f.next.trace,
  };
}

function what(n: Next): string {
  return `${n.event} makes pid ${n.ref.pid} PTE ${n.ref.index} ${n.after.kind === 'none' ? 'none' : n.after.summary} (${n.after.pte})`;
}

/** The helpers of a step that build an entry (swapops constructors), in call order, once each. */
export function buildersIn(trace: readonly TraceEntry[]): string[] {
  return [...new Set(trace.map((t) => t.fn).filter((fn) => CONSTRUCTOR_NAMES.has(fn)))];
}

function typeField(d: DecodedPte): DecodedField | undefined {
  return d.fields.find((x) => x.role === 'type');
}

/** Labels of the fields of `d` that contain any of `bits`. */
function fieldsAt(d: DecodedPte, bits: readonly number[]): string[] {
  return d.fields.filter((x) => bits.some((b) => b >= x.lo && b <= x.hi)).map((x) => x.label);
}

/** What the model says the answer is, or why the question has none under this kernel. */
export function expectedAnswer(q: Question, f: LessonFrame): ExpectedResult {
  const n = nextOf(q, f);
  if (typeof n === 'string') return { ok: false, reason: n };
  switch (q.kind) {
    case 'type-number':
    case 'type-name': {
      const s = n.after.swap;
      if (!s) return { ok: false, reason: `under this kernel ${what(n)}: not a swap-style entry, so it has no swap type` };
      const tf = typeField(n.after);
      const meaning = s.row ? `${s.typeName}: ${s.row.meaning}.` : `Type ${s.type} is below MAX_SWAPFILES (${f.kernel.MAX_SWAPFILES}): a real swap device.`;
      return {
        ok: true,
        expected: {
          text: q.kind === 'type-number' ? `${s.type} (${s.typeName})` : `${s.row ? s.typeName : `${SWAP_DEVICE_CHOICE} ${s.type}`} (type ${s.type})`,
          decode: [what(n), ...(tf ? [tf.label] : []), meaning],
          typeNumber: s.type,
          typeName: s.row ? s.typeName : SWAP_DEVICE_CHOICE,
        },
      };
    }
    case 'bits': {
      const bits = differingBits(n.before.raw, n.after.raw);
      return {
        ok: true,
        expected: {
          text: bits.length ? `${bits.length === 1 ? 'bit' : 'bits'} ${bits.join(', ')}` : 'no bit changes',
          decode: [what(n), ...(bits.length ? fieldsAt(n.after, bits).map((l) => `now ${l}`) : [`the PTE stays ${n.before.pte}`])],
          bits,
        },
      };
    }
    case 'value':
      return { ok: true, expected: { text: n.after.pte, decode: [what(n), ...n.after.fields.filter((x) => x.role === 'type' || x.role === 'offset' || x.role === 'pfn').map((x) => x.label)], value: n.after.raw } };
    case 'helper': {
      const helpers = buildersIn(n.trace);
      if (!helpers.length) return { ok: false, reason: `under this kernel no entry constructor runs in the next step (${n.event})` };
      const why = n.trace.find((t) => t.fn === helpers[0])?.why ?? '';
      return { ok: true, expected: { text: `${helpers[0]}()`, decode: [what(n), `${helpers[0]}() (${KERNEL_FUNCTIONS[helpers[0]!] ?? 'kernel'})${why ? `: ${why}` : ''}`], helpers } };
    }
  }
}

/** The choices of a type-name or helper question (empty for the others). */
export function choicesFor(q: Question, f: LessonFrame): Choice[] {
  if (q.kind === 'type-name') {
    return [
      ...f.kernel.table.rows.slice().reverse().map((r) => ({ value: r.name, label: `${r.name}` })),
      { value: SWAP_DEVICE_CHOICE, label: `a swap device (a type below MAX_SWAPFILES)` },
    ];
  }
  if (q.kind !== 'helper') return [];
  const e = expectedAnswer(q, f);
  const right = e.ok ? e.expected.helpers ?? [] : [];
  const named = right[0];
  const pool = new Set<string>([
    ...constructorsFor(f.kernel.profile.id).map((c) => c.name),
    // helpers the trace calls that do not build the entry are plausible too (make_migration_entry_young & co.)
    ...(f.next?.trace ?? []).map((t) => t.fn).filter((fn) => /^(make_|swp_entry|pte_swp_)/.test(fn) && fn in KERNEL_FUNCTIONS),
  ]);
  for (const h of right) pool.delete(h);
  const tokens = new Set((named ?? '').split('_'));
  const score = (s: string) => s.split('_').filter((t) => tokens.has(t)).length;
  const distractors = [...pool].filter((n) => n in KERNEL_FUNCTIONS).sort((a, b) => score(b) - score(a) || a.localeCompare(b)).slice(0, named ? 3 : 4);
  return [...(named ? [named] : []), ...distractors].sort().map((n) => ({ value: n, label: `${n}()` }));
}

/** Checks an answer by running the model: right or wrong under the kernel of the frame. */
export function checkAnswer(q: Question, answer: Answer, f: LessonFrame): Verdict {
  const e = expectedAnswer(q, f);
  if (!e.ok) return { correct: false, invalid: e.reason, headline: `This question has no answer here: ${e.reason}.`, explanation: [] };
  const x = e.expected;
  if (answer.kind !== q.kind) return { correct: false, invalid: `a ${q.kind} question takes a ${q.kind} answer`, headline: 'That answer does not fit this question.', explanation: [] };
  const right = (headline: string, extra: string[] = []): Verdict => ({ correct: true, headline, explanation: [...x.decode, ...extra] });
  const wrong = (headline: string, extra: string[] = []): Verdict => ({ correct: false, headline, explanation: [...x.decode, ...extra] });
  switch (answer.kind) {
    case 'type-number': {
      const t = answer.text.trim();
      if (!/^[0-9]{1,2}$/.test(t)) return { correct: false, invalid: 'type a swap type number (0 to 31)', headline: 'Type a swap type number (0 to 31).', explanation: [] };
      const n = Number(t);
      if (n === x.typeNumber) return right(`Right: type ${n}, ${x.typeName === SWAP_DEVICE_CHOICE ? 'a real swap device' : x.typeName}.`);
      const other = n < SWP_TYPE_COUNT ? f.kernel.typeName(n) : `no type at all (the type field has ${MAX_SWAPFILES_SHIFT} bits)`;
      return wrong(`Not ${n}: the next entry is type ${x.typeNumber}.`, [`In this kernel type ${n} is ${n < f.kernel.MAX_SWAPFILES ? `a real swap device (below MAX_SWAPFILES, ${f.kernel.MAX_SWAPFILES})` : other}.`]);
    }
    case 'type-name': {
      if (answer.name === x.typeName) return right(`Right: ${x.text}.`);
      const row = f.kernel.table.byName[answer.name];
      return wrong(`Not ${answer.name}: the next entry is ${x.text}.`, row ? [`${answer.name} is type ${row.number} here: ${row.meaning}.`] : []);
    }
    case 'bits': {
      const want = new Set(x.bits);
      const got = new Set(answer.bits);
      const missed = [...want].filter((b) => !got.has(b)).sort((a, b) => a - b);
      const extra = [...got].filter((b) => !want.has(b)).sort((a, b) => a - b);
      const changes = x.bits!.length === 0 ? 'no bit changes' : `${x.text} ${x.bits!.length === 1 ? 'changes' : 'change'}`;
      if (!missed.length && !extra.length) return right(`Right: ${changes}.`);
      const n = nextOf(q, f) as Next;
      return wrong(`Not quite: ${changes}.`, [
        ...(missed.length ? [`You did not mark ${missed.length === 1 ? 'bit' : 'bits'} ${missed.join(', ')}: ${fieldsAt(n.after, missed).join('; ')}.`] : []),
        ...(extra.length ? [`${extra.length === 1 ? 'Bit' : 'Bits'} ${extra.join(', ')} stay${extra.length === 1 ? 's' : ''} as ${extra.length === 1 ? 'it is' : 'they are'}: ${fieldsAt(n.after, extra).join('; ')}.`] : []),
      ]);
    }
    case 'value': {
      const p = parseU64Hex(answer.text);
      if (!p.ok) return { correct: false, invalid: p.error, headline: `That is not a PTE value: ${p.error}.`, explanation: [] };
      if (p.value === x.value) return right(`Right: ${x.text}.`);
      const yours = decodePte(f.kernel, p.value);
      const diff = differingBits(p.value, x.value!);
      return wrong(`Not ${hex64(p.value)}: the next value is ${x.text}.`, [
        `Yours decodes as ${yours.kind === 'none' ? 'none' : yours.summary}.`,
        `${diff.length === 1 ? 'Bit' : 'Bits'} ${diff.join(', ')} differ from the right value: ${fieldsAt(decodePte(f.kernel, x.value!), diff).join('; ')}.`,
      ]);
    }
    case 'helper': {
      if (x.helpers!.includes(answer.name)) return right(`Right: ${answer.name}() builds it.`);
      const c = CONSTRUCTORS.find((d) => d.name === answer.name);
      return wrong(`Not ${answer.name}(): the step calls ${x.text}.`, c ? [`${answer.name}() builds ${c.typeName}${c.profiles.includes(f.kernel.profile.id) ? '' : `, and ${f.kernel.profile.label} does not have it`}.`] : [`${answer.name}() does not build an entry of its own.`]);
    }
  }
}
