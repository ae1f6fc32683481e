import { describeEvent } from '../model/index.ts';
import { useSwapviz, useSwapvizShallow } from './StoreContext.tsx';
import { useTimeline } from './useDerived.ts';

/** The event log: go to a step, delete an event (later steps are recomputed; an impossible one is flagged). */
export function EditorPanel() {
  const { scenario, cursor } = useSwapvizShallow((s) => ({ scenario: s.scenario, cursor: s.cursor }));
  const a = useSwapviz((s) => s.actions);
  const t = useTimeline();
  const refusal = t.validity();
  const n = scenario.events.length;
  const shown = n > 400 ? 400 : n;
  return (
    <details className="panel editor-panel">
      <summary>Events of this scenario ({n})</summary>
      <ol className="events">
        {scenario.events.slice(0, shown).map((e, i) => {
          const bad = refusal?.at === i;
          const unreachable = refusal !== null && i > refusal.at;
          return (
            <li key={i} className={`${i === cursor - 1 ? 'current' : ''}${bad ? ' bad' : ''}${unreachable ? ' unreachable' : ''}`}>
              <button type="button" className="linkish" disabled={unreachable || bad} onClick={() => a.setCursor(i + 1)} aria-label={`Go to step ${i + 1}: ${describeEvent(e)}`}>
                {i + 1}. {describeEvent(e)}
              </button>
              {bad ? <span className="bad-text"> — cannot happen: {refusal!.reason}</span> : null}
              <button type="button" className="small" onClick={() => a.deleteEvent(i)} aria-label={`Delete event ${i + 1}: ${describeEvent(e)}`}>delete</button>
            </li>
          );
        })}
      </ol>
      {n > shown ? <p className="note">{n - shown} more events not listed.</p> : null}
    </details>
  );
}
