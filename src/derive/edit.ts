/**
 * Editing a scenario's event log: insert an event at a cursor, delete or replace one. The spec marks
 * (checkpoints) and selftest assertions follow the events they belong to; an edited event loses them
 * (the assertion was about the old event). Pure functions: the store calls them and sets the result.
 */
import type { Event, Scenario } from '../model/index.ts';

/**
 * Renumbers the checkpoints and assertions after an edit: `map` gives each old event index its new
 * one, or null when that event is gone or changed.
 */
export function reindex(s: Scenario, map: (i: number) => number | null): Scenario {
  const checkpoints = s.checkpoints?.flatMap((c) => {
    if (c.after < 0) return [c];
    const a = map(c.after);
    return a === null ? [] : [{ ...c, after: a }];
  });
  const expect = s.expect
    ? Object.fromEntries(Object.entries(s.expect).flatMap(([k, v]) => {
      const a = map(Number(k));
      return a === null ? [] : [[a, v]];
    }))
    : undefined;
  return { ...s, ...(checkpoints ? { checkpoints } : {}), ...(expect ? { expect } : {}) };
}

/** The scenario with `e` inserted before event `at` (so it becomes step at + 1). */
export function insertEvent(s: Scenario, at: number, e: Event): Scenario {
  const events = [...s.events.slice(0, at), e, ...s.events.slice(at)];
  return reindex({ ...s, events }, (i) => (i >= at ? i + 1 : i));
}

/** The scenario without event `i`. */
export function deleteEvent(s: Scenario, i: number): Scenario {
  const events = s.events.filter((_, j) => j !== i);
  return reindex({ ...s, events }, (j) => (j === i ? null : j > i ? j - 1 : j));
}

/** The scenario with event `i` replaced by `e`. */
export function replaceEvent(s: Scenario, i: number, e: Event): Scenario {
  const events = s.events.map((x, j) => (j === i ? e : x));
  return reindex({ ...s, events }, (j) => (j === i ? null : j));
}

/** Where the cursor goes when event `i` is deleted. */
export function cursorAfterDelete(cursor: number, i: number, events: number): number {
  return Math.min(cursor > i ? cursor - 1 : cursor, events);
}
