/**
 * Hooks that derive what the views draw from the store: the timeline, the state at the cursor, the
 * step that led there. Memoised on the store fields they depend on.
 */
import { useMemo } from 'react';
import { kernelOf, type MachineState } from '../model/index.ts';
import { timelineOf } from '../store/store.ts';
import type { StepInfo, Timeline } from '../derive/index.ts';
import { useSwapvizShallow } from './StoreContext.tsx';

export function useTimeline(): Timeline {
  const { scenario, options } = useSwapvizShallow((s) => ({ scenario: s.scenario, options: s.options }));
  return useMemo(() => timelineOf({ scenario, options }), [scenario, options]);
}

export function useCurrent(): { timeline: Timeline; state: MachineState; prev: MachineState | null; info: StepInfo | null; cursor: number } {
  const timeline = useTimeline();
  const { cursor } = useSwapvizShallow((s) => ({ cursor: s.cursor }));
  return useMemo(() => {
    const state = timeline.stateAt(cursor);
    return {
      timeline,
      state,
      prev: cursor > 0 ? timeline.stateAt(cursor - 1) : null,
      info: timeline.stepInfo(cursor),
      cursor,
    };
  }, [timeline, cursor]);
}

export function useKernel() {
  const { state } = useCurrent();
  return kernelOf(state);
}
