/**
 * Hooks that derive what the views draw from the store: the timeline, the state at the cursor, the
 * step that led there (or, after a step back, the step that was undone), and the states of the two
 * kernels compare mode shows. Memoised on the store fields they depend on.
 */
import { useMemo } from 'react';
import { kernelOf, type KernelOptions, type MachineState, type ProfileId, type Scenario } from '../model/index.ts';
import { timelineOf } from '../store/store.ts';
import { timelineFor, type StepInfo, type Timeline } from '../derive/index.ts';
import { useSwapvizShallow } from './StoreContext.tsx';

/**
 * What the Δ/◆ marks and outlines show: the transition between the state at the cursor and
 * `against`. Forward, that is the step that led to the cursor (`against` is the state before it);
 * after a step back it is the step just undone (`against` is the state it had made), worded so.
 */
export interface Marks {
  readonly info: StepInfo | null;
  readonly against: MachineState | null;
  /** The step the marks are about (1-based), or 0 at the initial state. */
  readonly step: number;
  readonly undone: boolean;
}

export function useTimeline(): Timeline {
  const { scenario, options } = useSwapvizShallow((s) => ({ scenario: s.scenario, options: s.options }));
  return useMemo(() => timelineOf({ scenario, options }), [scenario, options]);
}

export function useCurrent(): {
  timeline: Timeline; state: MachineState; prev: MachineState | null; info: StepInfo | null; cursor: number; marks: Marks;
} {
  const timeline = useTimeline();
  const { cursor, undone } = useSwapvizShallow((s) => ({ cursor: s.cursor, undone: s.undone }));
  return useMemo(() => {
    const state = timeline.stateAt(cursor);
    const prev = cursor > 0 ? timeline.stateAt(cursor - 1) : null;
    const info = timeline.stepInfo(cursor);
    const back = undone !== null && undone === cursor + 1 && timeline.reaches(undone);
    const marks: Marks = back
      ? { info: timeline.stepInfo(undone), against: timeline.stateAt(undone), step: undone, undone: true }
      : { info, against: prev, step: cursor, undone: false };
    return { timeline, state, prev, info, cursor, marks };
  }, [timeline, cursor, undone]);
}

export function useKernel() {
  const { state } = useCurrent();
  return kernelOf(state);
}

/** One side of compare mode: the same scenario at the same cursor under another profile. */
export interface CompareSide {
  readonly profile: ProfileId;
  /** Null when the scenario cannot reach the cursor under this profile. */
  readonly state: MachineState | null;
  /** The state the marks compare against (see Marks). */
  readonly against: MachineState | null;
}

function sideOf(scenario: Scenario, options: KernelOptions, profile: ProfileId, cursor: number, undone: number | null): CompareSide {
  try {
    const t = timelineFor(scenario, { ...options, profile });
    if (cursor > t.reachable()) return { profile, state: null, against: null };
    const back = undone !== null && undone === cursor + 1 && undone <= t.reachable();
    return { profile, state: t.stateAt(cursor), against: back ? t.stateAt(undone) : cursor > 0 ? t.stateAt(cursor - 1) : null };
  } catch {
    return { profile, state: null, against: null };
  }
}

/** The two sides of compare mode (null when it is off), left and right. */
export function useCompareSides(): readonly [CompareSide, CompareSide] | null {
  const { compare, comparePair, scenario, options, cursor, undone } = useSwapvizShallow((s) => ({
    compare: s.compare, comparePair: s.comparePair, scenario: s.scenario, options: s.options, cursor: s.cursor, undone: s.undone,
  }));
  return useMemo(() => {
    if (!compare) return null;
    return [sideOf(scenario, options, comparePair[0], cursor, undone), sideOf(scenario, options, comparePair[1], cursor, undone)] as const;
  }, [compare, comparePair, scenario, options, cursor, undone]);
}
