import { useDeferredValue, useMemo, useState } from 'react';
import { eventChoices, GROUP_TITLES, type ChoiceGroup } from '../model/index.ts';
import { useSwapviz } from './StoreContext.tsx';
import { useCurrent } from './useDerived.ts';

/** Groups open at first: the CPU's accesses and the driver's migration calls (the rest is one click away). */
const OPEN_AT_FIRST: readonly ChoiceGroup[] = ['cpu', 'driver'];

/**
 * The events the machine offers for the selected PTE, in collapsible groups (each says how many are
 * possible now); a disabled one says why.
 */
export function ActionsPanel() {
  const { state, timeline, cursor } = useCurrent();
  const selection = useSwapviz((s) => s.selection);
  const apply = useSwapviz((s) => s.actions.applyEvent);
  const [open, setOpen] = useState<ReadonlySet<ChoiceGroup>>(() => new Set(OPEN_AT_FIRST));
  // Dry-running every candidate is the panel's cost: a deferred value, so React renders it in its own
  // interruptible pass after the step's commit (the step's own rows are committed first).
  const deferredState = useDeferredValue(state);
  const deferredSelection = useDeferredValue(selection);
  const choices = useMemo(() => eventChoices(deferredState, deferredSelection), [deferredState, deferredSelection]);
  const groups = [...new Set(choices.map((c) => c.group))] as ChoiceGroup[];
  const later = timeline.length - cursor;
  return (
    <section className="panel actions-panel" aria-labelledby="actions-h">
      <h2 id="actions-h">What can happen to pid {selection.pid} PTE {selection.index} now</h2>
      {later > 0 ? <p className="note">A new event goes in at step {cursor + 1}; the {later} later event{later === 1 ? '' : 's'} stay and are replayed after it.</p> : null}
      {groups.map((g) => {
        const list = choices.filter((c) => c.group === g);
        const possible = list.filter((c) => c.enabled).length;
        return (
          <details key={g} className="action-group" open={open.has(g)}
            onToggle={(e) => {
              const isOpen = e.currentTarget.open;
              setOpen((prev) => {
                if (prev.has(g) === isOpen) return prev;
                const next = new Set(prev);
                if (isOpen) next.add(g);
                else next.delete(g);
                return next;
              });
            }}>
            <summary><span className="group-title">{GROUP_TITLES[g]}</span> <span className="note">({possible} of {list.length} possible now)</span></summary>
            <div className="choices">
              {list.map((c, i) => {
                const id = `why-${g}-${i}`;
                return (
                  <span key={`${c.label}-${i}`} className="choice">
                    <button type="button" disabled={!c.enabled} aria-describedby={c.enabled ? undefined : id} onClick={() => apply(c.event)} title={c.reason ?? undefined}>
                      {c.label}
                    </button>
                    {c.enabled ? null : <span id={id} className="sr-only">{c.reason}</span>}
                  </span>
                );
              })}
            </div>
          </details>
        );
      })}
    </section>
  );
}
