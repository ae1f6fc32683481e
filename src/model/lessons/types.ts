/**
 * Lessons: plain data beside the scenarios. A lesson is an ordered list of stops; a stop is a
 * position in a built-in scenario (step, selected PTE, kernel options), a short text, what to look
 * at, and optionally a question about the next step. Texts are templates: every kernel number or
 * value in them is a placeholder the model fills for the kernel being shown (text.ts), so a lesson
 * never states a number the model does not compute.
 */
import type { ConfigOption } from '../kernel/config.ts';
import type { ProfileId } from '../kernel/profiles.ts';
import type { PteRef } from '../machine/types.ts';

/** What a stop points at; the views mark it. */
export type Highlight =
  /** A row of the PTE array. */
  | { readonly kind: 'pte'; readonly pid: number; readonly index: number }
  /** A bit field of the selected PTE, by the id its decode gives it (DecodedField.id). */
  | { readonly kind: 'field'; readonly id: string }
  /** A row of the swap-type table, by SWP_* name. */
  | { readonly kind: 'type-row'; readonly name: string }
  /** A kernel function in the trace of the step that led to the stop. */
  | { readonly kind: 'trace'; readonly fn: string }
  /** The link from a PTE to the page its number names, in the PFN view. */
  | { readonly kind: 'pfn-link'; readonly pid: number; readonly index: number };

export type HighlightKind = Highlight['kind'];

/**
 * A question about the next step, answered before stepping and checked by running the model:
 * - `type-number` / `type-name`: the swap type the entry gets;
 * - `bits`: which bits change (the learner marks them in the bit layout; checked against the XOR);
 * - `value`: the next raw PTE value, typed in hex;
 * - `helper`: which kernel helper builds the entry.
 */
export type QuestionKind = 'type-number' | 'type-name' | 'bits' | 'value' | 'helper';

export const QUESTION_KINDS: readonly QuestionKind[] = ['type-number', 'type-name', 'bits', 'value', 'helper'];

export interface Question {
  readonly kind: QuestionKind;
  /** A template, like the stop's text. */
  readonly prompt: string;
  /** The PTE asked about (default: the stop's selected PTE). */
  readonly pte?: PteRef;
}

/** The kernel a stop is shown under: a profile, options switched off (Kconfig on top), the machine. */
export interface StopKernel {
  readonly profile: ProfileId;
  readonly off?: readonly ConfigOption[];
  readonly paging?: 4 | 5;
  readonly migrationAd?: boolean;
}

export type StopPanel = 'layout' | 'types' | 'decode';

export interface Stop {
  /** A built-in scenario, by id. */
  readonly scenario: string;
  /** Events applied (0 = the initial state). */
  readonly step: number;
  readonly kernel: StopKernel;
  /** The PTE selected at the stop (default: the scenario's focus). */
  readonly select?: PteRef;
  /** The entry view the stop opens, and whether it opens in compare mode. */
  readonly panel?: StopPanel;
  readonly compare?: boolean;
  /** A few words, a template. */
  readonly title: string;
  /** At most ~120 words, a template. `code` in backticks. */
  readonly text: string;
  readonly highlight: readonly Highlight[];
  readonly question?: Question;
}

export interface Lesson {
  /** Stable forever: share links name lessons by id. */
  readonly id: string;
  readonly title: string;
  /** One line for the list of lessons. */
  readonly summary: string;
  readonly stops: readonly Stop[];
}

/** Where a learner is: a lesson and a stop index (0-based; links and the page say stop n + 1). */
export interface LessonPos {
  readonly id: string;
  readonly stop: number;
}

/** The longest stop text, in words, once filled. */
export const MAX_STOP_WORDS = 120;
