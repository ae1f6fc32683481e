import { useState } from 'react';
import { describeEvent, validateEvent, type Event } from '../model/index.ts';
import { useSwapviz, useSwapvizShallow } from './StoreContext.tsx';
import { useTimeline } from './useDerived.ts';

/**
 * The event log: go to a step, change an event (as JSON) or delete it. Later steps are replayed;
 * the first one that became impossible is flagged with the machine's reason.
 */
export function EditorPanel() {
  const { scenario, cursor, checking } = useSwapvizShallow((s) => ({ scenario: s.scenario, cursor: s.cursor, checking: s.checking }));
  const a = useSwapviz((s) => s.actions);
  const t = useTimeline();
  const refusal = checking ? null : t.validity();
  const [editing, setEditing] = useState<number | null>(null);
  const [open, setOpen] = useState(false);
  const n = scenario.events.length;
  const shown = Math.min(n, 400);
  const listed = open || refusal !== null;
  return (
    <details className="panel editor-panel" open={refusal !== null || undefined} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Events of this scenario ({n})</summary>
      {/* The list is built only while it is open: closed, it costs nothing per step. */}
      {listed ? <ol className="events">
        {scenario.events.slice(0, shown).map((e, i) => {
          const bad = refusal?.at === i;
          const unreachable = refusal !== null && i > refusal.at;
          return (
            <li key={i} className={`${i === cursor - 1 ? 'current' : ''}${bad ? ' bad' : ''}${unreachable ? ' unreachable' : ''}`}>
              <div className="event-line">
                <button type="button" className="linkish" disabled={unreachable || bad} onClick={() => a.setCursor(i + 1)} aria-label={`Go to step ${i + 1}: ${describeEvent(e)}`}>
                  {i + 1}. {describeEvent(e)}
                </button>
                {bad ? <span className="bad-text"> — cannot happen: {refusal!.reason}</span> : null}
                <button type="button" className="small" onClick={() => setEditing(editing === i ? null : i)} aria-expanded={editing === i} aria-label={`Change event ${i + 1}`}>change</button>
                <button type="button" className="small" onClick={() => { setEditing(null); a.deleteEvent(i); }} aria-label={`Delete event ${i + 1}: ${describeEvent(e)}`}>delete</button>
              </div>
              {editing === i ? <EventForm event={e} index={i} onDone={() => setEditing(null)} /> : null}
            </li>
          );
        })}
      </ol> : null}
      {listed && n > shown ? <p className="note">{n - shown} more events not listed.</p> : null}
    </details>
  );
}

function EventForm({ event, index, onDone }: { event: Event; index: number; onDone: () => void }) {
  const replace = useSwapviz((s) => s.actions.replaceEvent);
  const [text, setText] = useState(JSON.stringify(event));
  const [error, setError] = useState<string | null>(null);
  const id = `event-json-${index}`;
  return (
    <form className="event-form" onSubmit={(ev) => {
      ev.preventDefault();
      let x: unknown;
      try {
        x = JSON.parse(text);
      } catch (e) {
        setError(`not JSON: ${(e as Error).message}`);
        return;
      }
      const r = validateEvent(x, `event ${index + 1}`);
      if (!r.ok) {
        setError(r.error);
        return;
      }
      replace(index, r.event);
      onDone();
    }}>
      <label htmlFor={id}>Event {index + 1} as JSON</label>
      <textarea id={id} rows={2} value={text} spellCheck={false} onChange={(e) => { setText(e.target.value); setError(null); }} aria-describedby={`${id}-err`} />
      <span id={`${id}-err`} className="error" role="status">{error ?? ''}</span>
      <button type="submit">Apply</button>
      <button type="button" onClick={onDone}>Cancel</button>
    </form>
  );
}
