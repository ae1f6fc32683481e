import { describe, expect, it } from 'vitest';
import {
  checkAnswer, choicesFor, expectedAnswer, findLesson, findScenario, LESSONS, PROFILE_IDS, renderText, stopOptions, hex64,
  type Answer, type LessonFrame, type Question,
} from '../model/index.ts';
import { frameAt, isAtStop, stopProblems, stopSelection } from './lesson.ts';
import { timelineFor } from './timeline.ts';

const STOPS = LESSONS.flatMap((l) => l.stops.map((s, i) => ({ lesson: l, i, name: `${l.id} stop ${i + 1} (${s.scenario} step ${s.step}, ${s.kernel.profile})` })));

function frameOf(lessonId: string, i: number, profile?: (typeof PROFILE_IDS)[number]): LessonFrame {
  const stop = findLesson(lessonId)!.stops[i]!;
  const sc = findScenario(stop.scenario)!;
  const o = stopOptions(stop);
  return frameAt(timelineFor(sc, profile ? { ...o, profile } : o), stop.step, stopSelection(stop, sc));
}

/** The answer the model computes, as a learner would give it. */
function rightAnswer(q: Question, f: LessonFrame): Answer {
  const e = expectedAnswer(q, f);
  if (!e.ok) throw new Error(e.reason);
  const x = e.expected;
  switch (q.kind) {
    case 'type-number': return { kind: 'type-number', text: String(x.typeNumber) };
    case 'type-name': return { kind: 'type-name', name: x.typeName! };
    case 'bits': return { kind: 'bits', bits: x.bits! };
    case 'value': return { kind: 'value', text: hex64(x.value!) };
    case 'helper': return { kind: 'helper', name: x.helpers![0]! };
  }
}

/** An answer the model says is wrong. */
function wrongAnswer(q: Question, f: LessonFrame, right: Answer): Answer {
  switch (right.kind) {
    case 'type-number': return { kind: 'type-number', text: String((Number(right.text) + 1) % 32) };
    case 'type-name': return { kind: 'type-name', name: choicesFor(q, f).find((c) => c.value !== right.name)!.value };
    case 'bits': return { kind: 'bits', bits: right.bits.length ? right.bits.slice(1) : [0] };
    case 'value': return { kind: 'value', text: hex64(BigInt(right.text) ^ 1n) };
    case 'helper': return { kind: 'helper', name: choicesFor(q, f).find((c) => c.value !== right.name)!.value };
  }
}

describe('every stop exists under the kernel it names', () => {
  it.each(STOPS)('$name: replays to its step, fills its text, resolves its highlights and computes its answer', ({ lesson, i }) => {
    expect(stopProblems(lesson, i)).toEqual([]);
  });

  it('a stop past the end of its scenario, or with a highlight that is not there, is reported', () => {
    const l = findLesson('device')!;
    const broken = { ...l, stops: [{ ...l.stops[0]!, step: 99 }, { ...l.stops[1]!, highlight: [{ kind: 'field', id: 'saveddirty' } as const, { kind: 'trace', fn: 'do_wp_page' } as const] }] };
    expect(stopProblems(broken, 0).join('\n')).toMatch(/the scenario stops at step 7/);
    const p = stopProblems(broken, 1).join('\n');
    expect(p).toMatch(/has no field "saveddirty"/);
    expect(p).toMatch(/do_wp_page does not run in step 2/);
  });
});

describe('questions are answered by running the model', () => {
  const QUESTIONS = STOPS.filter((s) => s.lesson.stops[s.i]!.question);

  it.each(QUESTIONS)('$name: the computed answer is right, another one is wrong and explained', ({ lesson, i }) => {
    const q = lesson.stops[i]!.question!;
    const f = frameOf(lesson.id, i);
    const right = rightAnswer(q, f);
    expect(checkAnswer(q, right, f).correct).toBe(true);
    const v = checkAnswer(q, wrongAnswer(q, f, right), f);
    expect(v.correct).toBe(false);
    expect(v.invalid).toBeUndefined();
    expect(v.explanation.length).toBeGreaterThan(0);
  });

  it('switching the kernel (RFC → v6.18) changes the expected answer of a type-number question', () => {
    const l = findLesson('two-spaces')!;
    const i = l.stops.findIndex((s) => s.question?.kind === 'type-number');
    const q = l.stops[i]!.question!;
    const rfc = expectedAnswer(q, frameOf(l.id, i, 'rfc'));
    const base = expectedAnswer(q, frameOf(l.id, i, 'v6.18'));
    if (!rfc.ok || !base.ok) throw new Error('no answer');
    expect(rfc.expected.typeName).toBe('SWP_MIGRATION_DEVICE_WRITE');
    expect(base.expected.typeName).toBe('SWP_MIGRATION_WRITE');
    expect(rfc.expected.typeNumber).not.toBe(base.expected.typeNumber);
  });

  it('every stop\'s text fills under every profile, or says which value that kernel does not have', () => {
    for (const { lesson, i } of STOPS) {
      for (const p of PROFILE_IDS) {
        let f: LessonFrame;
        try {
          f = frameOf(lesson.id, i, p);
        } catch {
          continue; // a setup this profile cannot start is the store's message, not the lesson's
        }
        for (const part of renderText(lesson.stops[i]!.text, f)) {
          if (part.kind === 'value' && part.missing) expect(part.missing.length).toBeGreaterThan(10);
        }
      }
    }
  });
});

describe('isAtStop', () => {
  it('is true for the built-in scenario at the stop\'s step, under any kernel, and false elsewhere', () => {
    const stop = findLesson('device')!.stops[2]!;
    const s02 = findScenario('S02')!;
    expect(isAtStop(stop, s02, stop.step)).toBe(true);
    expect(isAtStop(stop, s02, stop.step + 1)).toBe(false);
    expect(isAtStop(stop, { ...s02 }, stop.step)).toBe(false);
  });
});
