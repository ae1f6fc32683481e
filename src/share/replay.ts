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
export type ReplayCheck = { ok: true; pending?: true } | { ok: false; error: string; at: number };

/**
 * `ahead`: check only the events up to `ahead` past the link's step now (a long link opens without
 * waiting for the rest); the result is then `{ ok: true, pending: true }` when later events are left
 * for the timeline's first pass to check (Timeline.checkMore). By default every event is checked.
 */
export function checkLinkReplays(state: LinkState, ahead = Infinity): ReplayCheck {
  const { scenario, options, cursor } = state;
  let refused;
  let t;
  try {
    // The timeline the app then shows: its first pass is the link's only replay.
    t = timelineFor(scenario, options).keep(cursor);
    t.reaches(Math.min(scenario.events.length, Math.max(cursor, 0) + ahead));
    refused = t.knownRefusal();
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
  return t.checked ? { ok: true } : { ok: true, pending: true };
}

export function pastTheEnd(cursor: number, events: number): string {
  return `step ${cursor} is past the end: the scenario has ${events} event${events === 1 ? '' : 's'}`;
}

/**
 * Whether the link's selected PTE exists at the step it opens at: a live process with that pid and
 * an index inside its page table. Null when it does (or the link selects nothing); else why not,
 * naming the `sel` part, so a caller can open the rest of the link and say the selection was refused.
 * Call it on a link that checkLinkReplays accepted.
 */
export function checkLinkSelection(state: LinkState): string | null {
  const sel = state.selection;
  if (!sel) return null;
  const t = timelineFor(state.scenario, state.options);
  const at = t.clamp(state.cursor);
  const s = t.stateAt(at);
  const proc = s.processes.find((p) => p.pid === sel.pid);
  const what = `sel=${sel.pid}.${sel.index} names pid ${sel.pid} PTE ${sel.index}, which does not exist at step ${at}`;
  const live = s.processes.filter((p) => p.alive).map((p) => p.pid);
  if (!proc) return `${what}: there is no process ${sel.pid} (the processes are ${live.join(', ') || 'none'})`;
  if (!proc.alive) return `${what}: pid ${sel.pid} has exited`;
  if (sel.index >= proc.ptes.length) return `${what}: pid ${sel.pid} has PTEs 0..${proc.ptes.length - 1}`;
  return null;
}
