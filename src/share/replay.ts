/**
 * Whether a decoded link can be shown: its scenario replayed on the machine under the link's
 * options. A link can be well-formed and still describe an impossible history (an event the machine
 * refuses at that point), or a step past the end; this names the first such problem.
 */
import { timelineFor } from '../derive/timeline.ts';
import type { LinkState } from './link.ts';

/**
 * `at` is the last step the link can show: the step before the refused event (= its index), or
 * the end of the scenario for a cursor past it, or 0 when the machine cannot even start. A caller
 * that opens the link anyway should clamp its cursor to `at`.
 */
export type ReplayCheck = { ok: true } | { ok: false; error: string; at: number };

export function checkLinkReplays(state: LinkState): ReplayCheck {
  const { scenario, options, cursor } = state;
  let refused;
  try {
    // The timeline the app then shows: its first pass is the link's only replay.
    refused = timelineFor(scenario, options).keep(cursor).validity();
  } catch (e) {
    return { ok: false, error: `the scenario cannot start under these options: ${e instanceof Error ? e.message : String(e)}`, at: 0 };
  }
  if (refused) {
    const { at, reason } = refused;
    const e = scenario.events[at];
    // Events are counted from 1, as the app's timeline and event list count them.
    return { ok: false, error: `event ${at + 1} (${e?.type ?? '?'}) cannot happen after step ${at}: ${reason}`, at };
  }
  if (cursor > scenario.events.length) return { ok: false, error: pastTheEnd(cursor, scenario.events.length), at: scenario.events.length };
  return { ok: true };
}

export function pastTheEnd(cursor: number, events: number): string {
  return `step ${cursor} is past the end: the scenario has ${events} event${events === 1 ? '' : 's'}`;
}
