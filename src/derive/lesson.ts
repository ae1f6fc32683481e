/**
 * Lessons on the timeline: the frame a stop's text and question are read from (the state at the
 * cursor, the step that led there, the next step), and the check that a stop exists under the
 * kernel it names: its scenario replays to its step, its text fills, its highlights resolve and its
 * question has an answer the model computes.
 */
import {
  findLesson, findScenario, hasPte, lessonFrame, missingValues, plainText, renderText, stopOptions, wordCount, expectedAnswer,
  choicesFor, MAX_STOP_WORDS, SetupError, type Lesson, type LessonFrame, type LessonPos, type PteRef, type Scenario, type Stop,
} from '../model/index.ts';
import { pfnModel } from './pfn.ts';
import { timelineFor, type Timeline } from './timeline.ts';

/** The frame at a cursor of a timeline, for the selected PTE. */
export function frameAt(t: Timeline, cursor: number, selection: PteRef): LessonFrame {
  const c = t.clamp(cursor);
  const state = t.stateAt(c);
  const trace = c > 0 ? t.stepInfo(c)?.trace ?? null : null;
  const next = t.reaches(c + 1) ? { event: t.scenario.events[c]!, state: t.stateAt(c + 1), trace: t.stepInfo(c + 1)?.trace ?? [] } : null;
  return lessonFrame(state, selection, trace, next, t.options.config);
}

/** The stop at a lesson position, if both exist. */
export function stopAt(pos: LessonPos | null): { lesson: Lesson; stop: Stop } | null {
  if (!pos) return null;
  const lesson = findLesson(pos.id);
  const stop = lesson?.stops[pos.stop];
  return lesson && stop ? { lesson, stop } : null;
}

/** The PTE a stop selects. */
export function stopSelection(stop: Stop, scenario: Scenario): PteRef {
  return stop.select ?? scenario.focus;
}

/** Whether the app shows exactly a stop's position (the built-in scenario, at its step); the kernel may differ. */
export function isAtStop(stop: Stop, scenario: Scenario, cursor: number): boolean {
  return scenario === findScenario(stop.scenario) && cursor === stop.step;
}

/**
 * Everything that keeps a stop from existing under the kernel it names: the scenario does not replay
 * to the step (or to the next one, for a question), a placeholder cannot be filled, the text is too
 * long, a highlight names nothing there, the question has no computed answer. Empty when it is fine.
 */
export function stopProblems(lesson: Lesson, i: number): string[] {
  const stop = lesson.stops[i]!;
  const where = `lesson ${lesson.id} stop ${i + 1} (${stop.scenario} step ${stop.step}, ${stop.kernel.profile})`;
  const scenario = findScenario(stop.scenario);
  if (!scenario) return [`${where}: no scenario ${stop.scenario}`];
  let t: Timeline;
  try {
    t = timelineFor(scenario, stopOptions(stop));
  } catch (e) {
    if (e instanceof SetupError) return [`${where}: the scenario cannot start: ${e.message}`];
    throw e;
  }
  const need = stop.step + (stop.question ? 1 : 0);
  const refusal = t.validity();
  if (t.reachable() < need) return [`${where}: the scenario stops at step ${t.reachable()}${refusal ? ` (${refusal.reason})` : ''}`];
  const sel = stopSelection(stop, scenario);
  const f = frameAt(t, stop.step, sel);
  const out: string[] = [];
  if (!hasPte(f.state, sel)) out.push(`the selected PTE ${sel.pid}.${sel.index} does not exist`);
  for (const [what, template] of [['title', stop.title], ['text', stop.text], ['question', stop.question?.prompt ?? '']] as const) {
    const parts = renderText(template, f);
    out.push(...missingValues(parts).map((m) => `${what}: ${m}`));
    if (what === 'text' && wordCount(plainText(parts)) > MAX_STOP_WORDS) out.push(`the text has ${wordCount(plainText(parts))} words (at most ${MAX_STOP_WORDS})`);
  }
  const links = stop.highlight.some((h) => h.kind === 'pfn-link') ? pfnModel(f.state).links : [];
  for (const h of stop.highlight) {
    if (h.kind === 'pte' && !hasPte(f.state, h)) out.push(`highlight: PTE ${h.pid}.${h.index} does not exist`);
    if (h.kind === 'field' && !f.now.fields.some((x) => x.id === h.id)) out.push(`highlight: the selected PTE (${f.now.summary}) has no field "${h.id}"`);
    if (h.kind === 'type-row' && f.kernel.typeNumber(h.name) === undefined) out.push(`highlight: ${h.name} is not in this kernel's type table`);
    if (h.kind === 'trace' && !(f.trace ?? []).some((x) => x.fn === h.fn)) out.push(`highlight: ${h.fn} does not run in step ${stop.step}`);
    if (h.kind === 'pfn-link' && !links.some((l) => l.pid === h.pid && l.index <= h.index && h.index <= l.to)) out.push(`highlight: PTE ${h.pid}.${h.index} has no PFN link`);
  }
  if (stop.question) {
    const e = expectedAnswer(stop.question, f);
    if (!e.ok) out.push(`question: ${e.reason}`);
    else if (stop.question.kind === 'type-name' || stop.question.kind === 'helper') {
      const values = choicesFor(stop.question, f).map((c) => c.value);
      const right = stop.question.kind === 'type-name' ? [e.expected.typeName] : e.expected.helpers ?? [];
      if (!right.some((r) => r !== undefined && values.includes(r))) out.push(`question: the right answer is not among the choices (${values.join(', ')})`);
      if (values.length < 3) out.push(`question: only ${values.length} choices`);
    } else if (stop.question.kind === 'bits' && (e.expected.bits?.length ?? 0) > 12) {
      out.push(`question: ${e.expected.bits!.length} bits change: too many to mark`);
    }
  }
  return out.map((p) => `${where}: ${p}`);
}
