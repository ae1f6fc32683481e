import { useState } from 'react';
import {
  checkExpectation, describeEvent, hex64, identIsPatchOnly, identSourceUrl, kernelOf, KERNEL_FUNCTIONS, PROFILES, type Change, type DecodedPte, type EventResult, type Kernel,
} from '../model/index.ts';
import { changeLines, type ChangeLine } from '../derive/index.ts';
import { useSwapvizShallow } from './StoreContext.tsx';
import { useCurrent } from './useDerived.ts';
import { useHighlights } from './useLesson.ts';

/** A step's trace shows this many kernel functions at first; the rest on request. */
const TRACE_SHOWN = 40;

export function StepPanel() {
  const { info, cursor, timeline, state, marks: stepMarks } = useCurrent();
  const [all, setAll] = useState<{ cursor: number; on: boolean }>({ cursor, on: false });
  const showAll = all.on && all.cursor === cursor;
  const { scenario } = useSwapvizShallow((s) => ({ scenario: s.scenario }));
  const profile = PROFILES[state.options.profile];
  const event = cursor > 0 ? scenario.events[cursor - 1] : undefined;
  const marks = (scenario.checkpoints ?? []).filter((c) => c.after === cursor - 1);
  const expectation = cursor > 0 ? scenario.expect?.[cursor - 1] : undefined;
  const hl = useHighlights().fns;
  return (
    <section className="panel step-panel" aria-labelledby="step-h">
      <h2 id="step-h" aria-live="polite">
        {event ? `Step ${cursor} of ${timeline.length}: ${describeEvent(event)}` : `Step 0 of ${timeline.length}: the initial state`}
      </h2>
      {marks.length ? (
        <p className="spec-mark">Spec {scenario.id}: {marks.map((m) => `step ${m.step}${m.mid ? ` (inside ${m.mid}, see the trace)` : ''}`).join(', ')}</p>
      ) : null}
      {!event ? <p>{scenario.description}</p> : null}
      {stepMarks.undone ? (
        <p className="undone-note">You stepped back: step {stepMarks.step} ({describeEvent(scenario.events[stepMarks.step - 1]!)}) is undone; what it changed is marked ◆ and Δ.</p>
      ) : null}
      {info ? <Result r={info.result} /> : null}
      {expectation && info ? <Expect ok={checkExpectation(expectation, info.result, event && 'pages' in event ? event.pages : 1)} /> : null}
      {info ? (
        <ol className="trace" aria-label="Kernel functions that ran, in call order">
          {(showAll ? info.trace : info.trace.slice(0, TRACE_SHOWN)).map((t, i) => (
            <li key={i} style={{ paddingLeft: `${t.depth * 1.1}em` }} className={hl.has(t.fn) ? 'lesson-hl' : undefined}>
              {t.fn === 'hardware' ? <span className="fn hw">MMU</span> : (
                <a className="fn" href={identSourceUrl(profile, t.fn)} target="_blank" rel="noreferrer noopener"
                  title={`${t.fn} (${KERNEL_FUNCTIONS[t.fn] ?? 'kernel'}) ${identIsPatchOnly(profile, t.fn) ? 'in the patch on lore.kernel.org' : `at ${profile.sourceTag} on elixir.bootlin.com`}`}>{t.fn}</a>
              )}{' '}
              <span className="why">{t.why}</span>
              <Changes k={kernelOf(state)} changes={t.changes} />
            </li>
          ))}
          {!showAll && info.trace.length > TRACE_SHOWN ? (
            <li className="trace-more">
              <button type="button" onClick={() => setAll({ cursor, on: true })}>Show all {info.trace.length} kernel functions of this step</button>
            </li>
          ) : null}
        </ol>
      ) : null}
    </section>
  );
}

function Result({ r }: { r: EventResult }) {
  const parts: string[] = [];
  if (r.ret !== undefined) parts.push(`returns ${r.ret}`);
  if (r.cpages !== undefined) parts.push(`cpages = ${r.cpages}`);
  if (r.signal) parts.push(`the task gets ${r.signal}`);
  if (r.data?.length) parts.push(`data read: ${r.data.slice(0, 8).join(', ')}${r.data.length > 8 ? ', …' : ''}`);
  if (r.prot) parts.push(`snapshot: ${r.prot.join(', ')}`);
  if (r.note) parts.push(r.note);
  return parts.length ? <p className="result">{parts.join('; ')}.</p> : null;
}

function Expect({ ok }: { ok: string[] }) {
  return ok.length === 0
    ? <p className="expect pass">✓ The selftest's assertions hold here.</p>
    : <p className="expect fail">✗ The selftest expects otherwise: {ok.join('; ')}.</p>;
}

/** What one kernel function changed: PTEs (runs of consecutive ones as one line) and PMDs, decoded. */
function Changes({ k, changes }: { k: Kernel; changes: readonly Change[] }) {
  if (!changes.some((c) => c.kind !== 'page')) return null;
  return <>{changeLines(k, changes).map((l, j) => <ChangeRow key={j} line={l} />)}</>;
}

const pmdText = (d: DecodedPte | null, table: string) => (d ? <><code>{d.pte}</code> ({d.summary})</> : <>{table}</>);

function ChangeRow({ line }: { line: ChangeLine }) {
  const [open, setOpen] = useState(false);
  switch (line.kind) {
    case 'pte': {
      const c = line.change;
      return <div className="change">pid {c.pid} PTE {c.index}: <code>{hex64(c.before)}</code> → <code>{hex64(c.after)}</code></div>;
    }
    case 'pmd':
      return (
        <div className="change pmd-change">
          pid {line.pid} PMD {line.from}–{line.to}: {pmdText(line.before, line.table === 'collapse' ? 'a table of 512 PTEs' : 'none')} →{' '}
          {line.table === 'split' ? 'a table of 512 PTEs (split)' : pmdText(line.after, 'none')}
        </div>
      );
    case 'ptes': {
      const first = line.changes[0]!;
      const last = line.changes.at(-1)!;
      return (
        <div className="change">
          pid {line.pid} PTEs {line.from}–{line.to} ({line.changes.length} changes): PTE {first.index} <code>{hex64(first.before)}</code> → <code>{hex64(first.after)}</code>, …,
          PTE {last.index} <code>{hex64(last.before)}</code> → <code>{hex64(last.after)}</code>{' '}
          <button type="button" className="link-button" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? 'Hide' : 'Show'} each of PTEs {line.from}–{line.to}
          </button>
          {open ? (
            <ul className="change-list">
              {line.changes.map((c) => <li key={c.index}>PTE {c.index}: <code>{hex64(c.before)}</code> → <code>{hex64(c.after)}</code></li>)}
            </ul>
          ) : null}
        </div>
      );
    }
  }
}
