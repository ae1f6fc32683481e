/**
 * Validating lessons as data, before any kernel runs: ids, scenarios and steps that exist, kernel
 * options that exist, highlights that name kernel things swapviz knows, templates whose placeholders
 * exist and whose prose holds no number. (That every stop replays, and that its text, highlights and
 * question resolve under its kernel, is checked with the timeline: src/derive/lesson.ts.)
 */
import { CONFIG_OPTIONS } from '../kernel/config.ts';
import { isProfileId } from '../kernel/profiles.ts';
import { TYPE_ROWS } from '../kernel/swapTypes.ts';
import { MAX_INDEX } from '../machine/events.ts';
import { isKernelFunction } from '../machine/functions.ts';
import { findScenario } from '../scenarios/index.ts';
import { templateProblems, unplacedNumbers } from './text.ts';
import { QUESTION_KINDS, type Highlight, type Lesson, type Stop } from './types.ts';

export const LESSON_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;
/** The most stops a lesson has (links carry stop numbers up to this). */
export const MAX_STOPS = 40;

const TYPE_NAMES = new Set(TYPE_ROWS.map((r) => r.name));
const PANELS = new Set(['layout', 'types', 'decode']);

const isRef = (pid: unknown, index: unknown) => Number.isInteger(pid) && (pid as number) >= 1 && (pid as number) <= 64 && Number.isInteger(index) && (index as number) >= 0 && (index as number) < MAX_INDEX;

function highlightProblems(h: Highlight): string[] {
  switch (h.kind) {
    case 'pte':
    case 'pfn-link':
      return isRef(h.pid, h.index) ? [] : [`${h.kind} ${h.pid}.${h.index} is not a PTE`];
    case 'field':
      return /^[a-z0-9-]+$/.test(h.id) ? [] : [`field "${h.id}" is not a field id`];
    case 'type-row':
      return TYPE_NAMES.has(h.name) ? [] : [`type-row ${h.name} is not a swap type`];
    case 'trace':
      return isKernelFunction(h.fn) ? [] : [`trace ${h.fn} is not a kernel function swapviz knows (src/model/machine/functions.ts)`];
    default:
      return [`unknown highlight ${JSON.stringify(h)}`];
  }
}

/** Problems of a template: bad placeholders, and numbers that no placeholder produced. */
export function textProblems(template: string): string[] {
  const numbers = unplacedNumbers(template);
  return [
    ...templateProblems(template),
    ...(numbers.length ? [`numbers typed by hand (use a placeholder): ${numbers.join(', ')}`] : []),
  ];
}

function stopProblems(s: Stop): string[] {
  const out: string[] = [];
  const sc = findScenario(s.scenario);
  if (!sc || sc.id !== s.scenario) out.push(`scenario ${s.scenario} is not a built-in scenario`);
  if (!Number.isInteger(s.step) || s.step < 0 || (sc && s.step > sc.events.length)) out.push(`step ${s.step} is not a step of ${s.scenario}`);
  if (s.question && sc && s.step >= sc.events.length) out.push(`step ${s.step} is the last of ${s.scenario}: a question needs a next step`);
  if (!isProfileId(s.kernel.profile)) out.push(`kernel profile ${s.kernel.profile} does not exist`);
  for (const o of s.kernel.off ?? []) if (!CONFIG_OPTIONS.includes(o)) out.push(`config option ${o} does not exist`);
  if (s.kernel.paging !== undefined && s.kernel.paging !== 4 && s.kernel.paging !== 5) out.push(`paging ${String(s.kernel.paging)} is not 4 or 5`);
  if (s.select && !isRef(s.select.pid, s.select.index)) out.push(`select ${s.select.pid}.${s.select.index} is not a PTE`);
  if (s.panel !== undefined && !PANELS.has(s.panel)) out.push(`panel ${s.panel} does not exist`);
  if (!s.title.trim()) out.push('the title is empty');
  if (!s.text.trim()) out.push('the text is empty');
  for (const h of s.highlight) out.push(...highlightProblems(h));
  out.push(...textProblems(s.title).map((p) => `title: ${p}`), ...textProblems(s.text).map((p) => `text: ${p}`));
  if (s.question) {
    if (!QUESTION_KINDS.includes(s.question.kind)) out.push(`question kind ${s.question.kind} does not exist`);
    if (s.question.pte && !isRef(s.question.pte.pid, s.question.pte.index)) out.push('the question names no PTE');
    out.push(...textProblems(s.question.prompt).map((p) => `question: ${p}`));
  }
  return out;
}

/** Everything wrong with a lesson as data, each problem with the stop it is in. Empty when it is fine. */
export function validateLesson(l: Lesson): string[] {
  const out: string[] = [];
  if (!LESSON_ID.test(l.id)) out.push(`id "${l.id}" is not lowercase letters, digits and dashes (at most 40)`);
  if (!l.title.trim()) out.push('the title is empty');
  out.push(...textProblems(l.title).map((p) => `title: ${p}`), ...textProblems(l.summary).map((p) => `summary: ${p}`));
  if (l.stops.length === 0 || l.stops.length > MAX_STOPS) out.push(`a lesson has 1..${MAX_STOPS} stops, not ${l.stops.length}`);
  l.stops.forEach((s, i) => out.push(...stopProblems(s).map((p) => `stop ${i + 1}: ${p}`)));
  return out.map((p) => `lesson ${l.id}: ${p}`);
}

/** Problems of a list of lessons: each lesson's, and ids used twice. */
export function validateLessons(list: readonly Lesson[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const l of list) {
    if (seen.has(l.id)) out.push(`lesson id ${l.id} is used twice`);
    seen.add(l.id);
    out.push(...validateLesson(l));
  }
  return out;
}
