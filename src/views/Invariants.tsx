import { memo, useMemo } from 'react';
import { checkInvariants, invariantRule, type MachineState } from '../model/index.ts';
import { RuleSource } from './RuleSource.tsx';
import { useCurrent } from './useDerived.ts';
import { useIdleValue } from './useIdle.ts';

export function InvariantsPanel() {
  const { state } = useCurrent();
  // Checked when the page is next idle, after the step is painted.
  const { value: deferred, stale } = useIdleValue(state);
  const results = useMemo(() => checkInvariants(deferred), [deferred]);
  return (
    <section className="panel inv-panel" aria-labelledby="inv-h" aria-busy={stale}>
      <InvariantList results={results} state={deferred} />
    </section>
  );
}

/** The heading and the list: drawn again only when the state they show changes. */
const InvariantList = memo(function InvariantList({ results, state: deferred }: { results: ReturnType<typeof checkInvariants>; state: MachineState }) {
  const failing = results.filter((r) => !r.ok);
  return (
    <>
      <h2 id="inv-h">Invariants {failing.length ? <span className="bad-text">({failing.length} failing)</span> : <span className="ok-text">(all hold)</span>}</h2>
      <ul className="invariants">
        {results.map((r) => (
          <li key={r.id} className={r.ok ? 'ok' : 'bad'}>
            <span aria-hidden="true">{r.ok ? '✓' : '✗'}</span> <span className="sr-only">{r.ok ? 'holds:' : 'fails:'}</span> {r.name}
            <details>
              <summary>kernel rule</summary>
              <p>{r.rule}. <RuleSource rule={invariantRule(r.id)} profile={deferred.options.profile} arch={deferred.options.platform.arch} /></p>
            </details>
            {r.violations.length ? (
              <ul className="violations">
                {r.violations.map((v, i) => <li key={i}>{v.message}</li>)}
              </ul>
            ) : null}
          </li>
        ))}
      </ul>
    </>
  );
});
