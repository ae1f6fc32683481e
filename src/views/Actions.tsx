import { useEffect, useMemo, useState } from 'react';
import {
  dryRunner, eventCandidates, GROUP_TITLES, type ChoiceGroup, type EventChoice, type MachineState, type PteRef,
} from '../model/index.ts';
import { useSwapviz } from './StoreContext.tsx';
import { useCurrent } from './useDerived.ts';
import { inIdleSlices } from './useIdle.ts';

/**
 * The choices for a state and selection. The candidates are known at once; their dry runs (a step()
 * each, the panel's whole cost) run in idle slices after the step is painted. Until they are done
 * the buttons are the current candidates with the last known answers (`pending`): a button always
 * applies the event for the PTE selected now, and one the machine refuses says why.
 */
function useChoices(state: MachineState, selection: PteRef): { choices: EventChoice[]; pending: boolean } {
  const candidates = useMemo(() => eventCandidates(state, selection), [state, selection]);
  const [done, setDone] = useState<{ state: MachineState; selection: PteRef; choices: EventChoice[] } | null>(null);
  useEffect(() => {
    const run = dryRunner(state);
    const out: EventChoice[] = [];
    // One dry run at a time, as long as the page is idle: a key press never waits behind the list.
    return inIdleSlices(
      () => {
        out.push(run(candidates[out.length]!));
        return out.length === candidates.length;
      },
      () => setDone({ state, selection, choices: out }),
    );
  }, [state, selection, candidates]);
  if (done && done.state === state && done.selection === selection) return { choices: done.choices, pending: false };
  const known = new Map((done?.choices ?? []).map((c) => [c.label, c]));
  return {
    choices: candidates.map((c) => ({ ...c, enabled: known.get(c.label)?.enabled ?? false, reason: known.get(c.label)?.reason ?? 'being checked' })),
    pending: true,
  };
}

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
  const { choices, pending } = useChoices(state, selection);
  const groups = [...new Set(choices.map((c) => c.group))] as ChoiceGroup[];
  const later = timeline.length - cursor;
  return (
    <section className="panel actions-panel" aria-labelledby="actions-h" aria-busy={pending}>
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
