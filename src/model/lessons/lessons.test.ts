import { describe, expect, it } from 'vitest';
import { getKernel } from '../kernel/kernel.ts';
import { DEFAULT_CONFIG } from '../kernel/config.ts';
import { DEFAULT_PLATFORM } from '../kernel/platform.ts';
import { decodePte } from '../kernel/decode.ts';
import { differingBits, hex64 } from '../kernel/u64.ts';
import { findScenario, runScenario } from '../scenarios/index.ts';
import type { ProfileId } from '../kernel/profiles.ts';
import {
  checkAnswer, choicesFor, expectedAnswer, findLesson, lessonFrame, LESSONS, plainText, pteValue, renderText, unplacedNumbers,
  unplacedNumbersIn, validateLesson, validateLessons, type Answer, type Lesson, type LessonFrame, type Question,
} from './index.ts';

/** The frame of a built-in scenario at a step, replayed with the model's reference run. */
function frame(id: string, stepNo: number, profile: ProfileId, selection = { pid: 1, index: 1 }): LessonFrame {
  const s = findScenario(id)!;
  const run = runScenario(s, { profile, config: DEFAULT_CONFIG, platform: DEFAULT_PLATFORM });
  const next = stepNo < s.events.length ? { event: s.events[stepNo]!, state: run.states[stepNo + 1]!, trace: run.traces[stepNo + 1]! } : null;
  return lessonFrame(run.states[stepNo]!, selection, stepNo > 0 ? run.traces[stepNo]! : null, next, DEFAULT_CONFIG);
}

const q = (kind: Question['kind']): Question => ({ kind, prompt: 'Predict.' });

const lessonWith = (text: string): Lesson => ({
  id: 'x', title: 'X', summary: 'x', stops: [{ scenario: 'S20', step: 1, kernel: { profile: 'v6.18' }, title: 'x', text, highlight: [] }],
});

describe('the built-in lessons', () => {
  it('every lesson validates as data', () => {
    expect(validateLessons(LESSONS)).toEqual([]);
  });

  it('come in the order of the concepts: swap entry, type numbers, migration, device round trip, fork/mprotect, two spaces, PROT_NONE', () => {
    expect(LESSONS.map((l) => l.id)).toEqual(['swap-entry', 'type-numbers', 'migration', 'device', 'fork-mprotect', 'two-spaces', 'protnone']);
    expect(findLesson('device')!.stops.every((s) => s.scenario === 'S02')).toBe(true);
  });

  it('ask every kind of question somewhere', () => {
    const kinds = new Set(LESSONS.flatMap((l) => l.stops.flatMap((s) => (s.question ? [s.question.kind] : []))));
    expect([...kinds].sort()).toEqual(['bits', 'helper', 'type-name', 'type-number', 'value']);
  });
});

describe('numbers in lesson texts come from placeholders', () => {
  it.each([
    ['a type number', 'The entry is type 27.', ['27']],
    ['a hex value', 'The PTE is 0xdfffe7ffffdb9602 now.', ['0xdfffe7ffffdb9602']],
    ['a bit position', 'The exclusive bit is bit 3.', ['3']],
    ['a bit range', 'The type sits in bits 59–63.', ['59', '63']],
  ])('%s typed by hand is reported, and the lesson does not validate', (_, text, numbers) => {
    expect(unplacedNumbers(text)).toEqual(numbers);
    expect(validateLesson(lessonWith(text)).join('\n')).toMatch(/numbers typed by hand/);
  });

  it('the same facts through placeholders pass, and names with digits in them (x86_64, arm64, v6.18, L1TF) are words', () => {
    const text = 'The entry is type {typenum} at {bits:type}: {pte}, on x86_64 and arm64 since v6.18 (L1TF).';
    expect(unplacedNumbers(text)).toEqual([]);
    expect(validateLesson(lessonWith(text))).toEqual([]);
  });

  it('filled texts hold numbers only inside the values the model computed', () => {
    for (const l of LESSONS) {
      for (const s of l.stops) {
        const f = frame(s.scenario, s.step, s.kernel.profile, s.select);
        for (const t of [s.title, s.text, s.question?.prompt ?? '']) expect(unplacedNumbersIn(renderText(t, f)), `${l.id}: ${t}`).toEqual([]);
      }
    }
  });

  it.each([
    ['{type:SWP_NOPE}', /not a swap type/],
    ['{const:PAGE_SIZE}', /is not one of/],
    ['{helper:make_it_so}', /not a kernel function/],
    ['{bogus}', /unknown placeholder/],
    ['{type}', /needs an argument/],
    ['{pte:1}', /takes no argument/],
    ['{typenum@v7}', /not a profile/],
    ['an { open brace', /brace/],
  ])('%s is reported', (text, why) => {
    expect(validateLesson(lessonWith(text)).join('\n')).toMatch(why);
  });
});

describe('placeholders are filled by the model for the kernel shown', () => {
  it('{type:…} and {max_swapfiles} follow the profile', () => {
    const text = '{type:SWP_MIGRATION_WRITE} {max_swapfiles} {type:SWP_PTE_MARKER}';
    const got = (p: ProfileId) => plainText(renderText(text, frame('S02', 2, p)));
    const k = (p: ProfileId) => getKernel(p, DEFAULT_CONFIG, DEFAULT_PLATFORM);
    for (const p of ['v6.18', 'rfc'] as const) {
      expect(got(p)).toBe(`${k(p).typeNumber('SWP_MIGRATION_WRITE')} ${k(p).MAX_SWAPFILES} ${k(p).typeNumber('SWP_PTE_MARKER')}`);
    }
    expect(got('v6.18')).not.toBe(got('rfc'));
  });

  it('{bits:…}, {field:…}, {stored:…} read the selected PTE\'s decode; {bits:swap.…} the arch layout', () => {
    const f = frame('S20', 2, 'v6.18');
    const off = f.now.fields.find((x) => x.id === 'offset')!;
    expect(plainText(renderText('{bits:offset} {field:offset} {stored:offset} {bits:swap.type} {pte}', f)))
      .toBe(`bits ${off.lo}–${off.hi} ${off.text} 0x${off.stored.toString(16)} bits 59–63 ${f.now.pte}`);
  });

  it('{helper:a|b} and {ctor:…} name what the profile has', () => {
    expect(plainText(renderText('{helper:softleaf_is_migration|is_migration_entry}', frame('S02', 2, 'v6.18')))).toBe('is_migration_entry');
    expect(plainText(renderText('{helper:softleaf_is_migration|is_migration_entry}', frame('S02', 2, '7.3')))).toBe('softleaf_is_migration');
    expect(plainText(renderText('{ctor:SWP_MIGRATION_DEVICE_WRITE}', frame('S02', 2, 'rfc')))).toBe('make_writable_migration_device_private_entry');
  });

  it('a value the kernel does not have is left out with the reason, not invented', () => {
    const parts = renderText('{type:SWP_MIGRATION_DEVICE_WRITE}', frame('S02', 2, 'v6.18'));
    expect(parts).toEqual([{ kind: 'value', text: '—', source: '{type:SWP_MIGRATION_DEVICE_WRITE}', missing: 'SWP_MIGRATION_DEVICE_WRITE is compiled out of this kernel' }]);
  });
});

describe('questions are checked by running the model', () => {
  it('type number: the next entry\'s type, right under one kernel and wrong under the other', () => {
    const ans: Answer = { kind: 'type-number', text: '30' };
    const rfc = frame('S26', 5, 'rfc');
    const base = frame('S26', 5, 'v6.18');
    const next = (f: LessonFrame) => decodePte(f.kernel, pteValue(f.next!.state, f.selection)).swap!;
    expect(String(next(rfc).type)).toBe(ans.text);
    expect(checkAnswer(q('type-number'), ans, rfc).correct).toBe(true);
    const v = checkAnswer(q('type-number'), ans, base);
    expect(v.correct).toBe(false);
    expect(v.headline).toContain(`type ${next(base).type}`);
    expect(v.explanation.join('\n')).toContain(next(base).typeName);
  });

  it('type name: the choices are the kernel\'s table, the right one is the model\'s', () => {
    const f = frame('S02', 3, 'v6.18');
    const e = expectedAnswer(q('type-name'), f);
    if (!e.ok) throw new Error(e.reason);
    expect(choicesFor(q('type-name'), f).map((c) => c.value)).toContain(e.expected.typeName);
    expect(e.expected.typeName).toBe(decodePte(f.kernel, pteValue(f.next!.state, f.selection)).swap!.typeName);
    const wrong = checkAnswer(q('type-name'), { kind: 'type-name', name: 'SWP_DEVICE_READ' }, f);
    expect(wrong.correct).toBe(false);
    expect(wrong.explanation.join('\n')).toMatch(/SWP_DEVICE_READ is type \d+ here/);
  });

  it('bits: the marks must equal the XOR of this value and the next', () => {
    const f = frame('S21', 2, 'v6.18');
    const xor = differingBits(pteValue(f.state, f.selection), pteValue(f.next!.state, f.selection));
    expect(checkAnswer(q('bits'), { kind: 'bits', bits: xor }, f).correct).toBe(true);
    const v = checkAnswer(q('bits'), { kind: 'bits', bits: [...xor, 2] }, f);
    expect(v.correct).toBe(false);
    expect(v.explanation.join('\n')).toMatch(/Bit 2 stays as it is: bit 2: _PAGE_SWP_UFFD_WP clear/);
    expect(checkAnswer(q('bits'), { kind: 'bits', bits: [] }, f).explanation.join('\n')).toMatch(/You did not mark bit/);
  });

  it('bits: "none" is an answer when the step leaves the PTE alone', () => {
    const f = frame('S14', 2, 'v6.18');
    expect(checkAnswer(q('bits'), { kind: 'bits', bits: [] }, f)).toMatchObject({ correct: true, headline: 'Right: no bit changes.' });
  });

  it('value: typed hex is compared with the model\'s next value; a wrong one is decoded and the differing bits named', () => {
    const f = frame('S28', 2, 'v6.18');
    const right = hex64(pteValue(f.next!.state, f.selection));
    expect(checkAnswer(q('value'), { kind: 'value', text: right.toUpperCase().replace('0X', '') }, f).correct).toBe(true);
    const v = checkAnswer(q('value'), { kind: 'value', text: '0x8000000001234865' }, f);
    expect(v.correct).toBe(false);
    expect(v.explanation.join('\n')).toMatch(/Yours decodes as present pfn=0x1234/);
    expect(v.explanation.join('\n')).toMatch(/Bit 1 differ/);
    expect(checkAnswer(q('value'), { kind: 'value', text: '0xfoo' }, f)).toMatchObject({ correct: false, invalid: expect.stringMatching(/not hex/) });
  });

  it('helper: the constructor the next step\'s trace calls; the choices hold it and plausible others from the registry', () => {
    const rfc = frame('S26', 5, 'rfc');
    const e = expectedAnswer(q('helper'), rfc);
    if (!e.ok) throw new Error(e.reason);
    expect(rfc.next!.trace.map((t) => t.fn)).toContain(e.expected.helpers![0]);
    const names = choicesFor(q('helper'), rfc).map((c) => c.value);
    expect(names).toContain(e.expected.helpers![0]);
    expect(names.length).toBe(4);
    const base = frame('S26', 5, 'v6.18');
    const b = expectedAnswer(q('helper'), base);
    expect(b.ok && b.expected.helpers![0]).not.toBe(e.expected.helpers![0]);
    expect(checkAnswer(q('helper'), { kind: 'helper', name: e.expected.helpers![0]! }, base).correct).toBe(false);
  });

  it('a question the next step cannot answer says so instead of inventing an answer', () => {
    const f = frame('S02', 7, 'v6.18');
    expect(expectedAnswer(q('value'), f)).toEqual({ ok: false, reason: 'there is no next step here' });
    const g = frame('S28', 1, 'v6.18');
    expect(expectedAnswer(q('type-number'), g)).toMatchObject({ ok: false, reason: expect.stringMatching(/not a swap-style entry/) });
  });
});
