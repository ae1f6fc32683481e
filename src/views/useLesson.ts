/**
 * The open lesson as the views see it: the stop, whether the page shows exactly the stop's position
 * (the kernel may differ: answers follow it), the frame its text and question are read from, and
 * what the views should mark.
 */
import { useMemo } from 'react';
import { findScenario, type Lesson, type LessonFrame, type Stop } from '../model/index.ts';
import { frameAt, isAtStop, stopAt, stopSelection } from '../derive/index.ts';
import { useSwapvizShallow } from './StoreContext.tsx';
import { useTimeline } from './useDerived.ts';

export interface OpenStop {
  readonly lesson: Lesson;
  readonly stop: Stop;
  readonly index: number;
  /** The page shows the stop's scenario at the stop's step. */
  readonly atStop: boolean;
  /** The stop's scenario is open (the learner may have stepped on). */
  readonly onScenario: boolean;
  /** The frame at the stop's step, under the kernel shown now (null when another scenario is open). */
  readonly frame: LessonFrame | null;
}

export function useOpenStop(): OpenStop | null {
  const { lesson, scenario, cursor } = useSwapvizShallow((s) => ({ lesson: s.lesson, scenario: s.scenario, cursor: s.cursor }));
  const t = useTimeline();
  return useMemo(() => {
    const at = stopAt(lesson);
    if (!at || !lesson) return null;
    const onScenario = scenario === findScenario(at.stop.scenario);
    const frame = onScenario && t.reaches(at.stop.step) ? frameAt(t, at.stop.step, stopSelection(at.stop, scenario)) : null;
    return { lesson: at.lesson, stop: at.stop, index: lesson.stop, atStop: isAtStop(at.stop, scenario, cursor), onScenario, frame };
  }, [lesson, scenario, cursor, t]);
}

export interface Highlights {
  /** `pid.index` keys. */
  readonly ptes: ReadonlySet<string>;
  readonly fields: ReadonlySet<string>;
  readonly rows: ReadonlySet<string>;
  readonly fns: ReadonlySet<string>;
  readonly links: ReadonlySet<string>;
  /** The PTE whose fields are meant (the stop's selection). */
  readonly fieldsOf: string;
  /** The page shows the open stop's position. */
  readonly atStop: boolean;
}

const NONE: Highlights = { ptes: new Set(), fields: new Set(), rows: new Set(), fns: new Set(), links: new Set(), fieldsOf: '', atStop: false };

export const refKey = (r: { pid: number; index: number }) => `${r.pid}.${r.index}`;

/** What the open stop asks the views to mark: nothing unless the page shows the stop's position. */
export function useHighlights(): Highlights {
  const { lesson, scenario, cursor } = useSwapvizShallow((s) => ({ lesson: s.lesson, scenario: s.scenario, cursor: s.cursor }));
  return useMemo(() => {
    const at = stopAt(lesson);
    if (!at || !isAtStop(at.stop, scenario, cursor)) return NONE;
    const h = at.stop.highlight;
    const keys = (kind: string, f: (x: (typeof h)[number]) => string) => new Set(h.filter((x) => x.kind === kind).map(f));
    return {
      ptes: keys('pte', (x) => (x.kind === 'pte' ? refKey(x) : '')),
      fields: keys('field', (x) => (x.kind === 'field' ? x.id : '')),
      rows: keys('type-row', (x) => (x.kind === 'type-row' ? x.name : '')),
      fns: keys('trace', (x) => (x.kind === 'trace' ? x.fn : '')),
      links: keys('pfn-link', (x) => (x.kind === 'pfn-link' ? refKey(x) : '')),
      fieldsOf: refKey(stopSelection(at.stop, scenario)),
      atStop: true,
    };
  }, [lesson, scenario, cursor]);
}
