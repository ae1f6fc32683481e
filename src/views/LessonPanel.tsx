import { useEffect, useRef, useState, type FormEvent } from 'react';
import {
  checkAnswer, choicesFor, describeEvent, expectedAnswer, LESSONS, questionPte, renderText,
  type Answer, type Highlight, type LessonFrame, type Question, type TextPart,
} from '../model/index.ts';
import { progressOf } from '../store/progress.ts';
import { useSwapviz } from './StoreContext.tsx';
import { useOpenStop, refKey } from './useLesson.ts';

/** A filled template: prose, `code`, and the values the model computed (marked, so a reader sees which). */
export function Filled({ parts }: { parts: readonly TextPart[] }) {
  return (
    <>
      {parts.map((p, i) =>
        p.kind === 'text' ? <span key={i}>{p.text}</span>
          : p.kind === 'code' ? <code key={i}>{p.text}</code>
            : p.missing ? <span key={i} className="lv missing" title={p.missing}>—<span className="sr-only"> ({p.missing})</span></span>
              : <span key={i} className="lv">{p.text}</span>,
      )}
    </>
  );
}

/** The open lesson: the stop's text, what to look at, its question, and the way to the other stops. */
export function LessonPanel() {
  const open = useOpenStop();
  const a = useSwapviz((s) => s.actions);
  const progress = useSwapviz((s) => s.progress);
  const heading = useRef<HTMLHeadingElement>(null);
  const key = open ? `${open.lesson.id}:${open.index}` : '';
  useEffect(() => {
    if (key) heading.current?.focus({ preventScroll: false });
  }, [key]);
  if (!open) return null;
  const { lesson, stop, index, frame } = open;
  const n = LESSONS.indexOf(lesson);
  const last = index === lesson.stops.length - 1;
  const p = progressOf(progress, lesson.id);
  const nextLesson = LESSONS[n + 1];
  return (
    <section className="panel lesson-panel" aria-labelledby="lesson-h">
      <p className="lesson-kicker">
        Lesson {n + 1} of {LESSONS.length}: {lesson.title} · stop {index + 1} of {lesson.stops.length}
      </p>
      <h2 id="lesson-h" ref={heading} tabIndex={-1}>{frame ? <Filled parts={renderText(stop.title, frame)} /> : stop.title}</h2>
      {!open.atStop ? (
        <p className="note moved">
          {open.onScenario ? 'You have stepped on from this stop.' : 'Another scenario is open.'}{' '}
          <button type="button" onClick={() => a.openLesson(lesson.id, index)}>Back to stop {index + 1}</button>
        </p>
      ) : null}
      {frame ? <p className="lesson-text"><Filled parts={renderText(stop.text, frame)} /></p> : null}
      {frame && open.atStop && stop.highlight.length ? <LookAt highlight={stop.highlight} frame={frame} /> : null}
      {frame && stop.question ? <QuestionBox key={key} q={stop.question} frame={frame} lessonId={lesson.id} index={index} solved={p.solved.includes(index)} /> : null}
      <nav className="lesson-nav" aria-label="Stops of this lesson">
        <button type="button" onClick={() => a.openLesson(lesson.id, index - 1)} disabled={index === 0}>Previous stop</button>
        <ol className="stop-dots">
          {lesson.stops.map((s, i) => (
            <li key={i}>
              <button type="button" className={`${p.seen.includes(i) ? 'seen' : ''}${p.solved.includes(i) ? ' solved' : ''}`}
                aria-current={i === index ? 'step' : undefined}
                aria-label={`Stop ${i + 1}: ${s.title.replace(/\{[^}]*\}/g, '…')}${p.solved.includes(i) ? ', answered' : p.seen.includes(i) ? ', seen' : ''}`}
                onClick={() => a.openLesson(lesson.id, i)}>{i + 1}</button>
            </li>
          ))}
        </ol>
        {last ? (
          <button type="button" className="primary" onClick={() => a.noteProgress(lesson.id, { done: true })} disabled={p.done}>{p.done ? 'Lesson complete' : 'Finish the lesson'}</button>
        ) : (
          <button type="button" className="primary" onClick={() => a.openLesson(lesson.id, index + 1)}>Next stop</button>
        )}
      </nav>
      {last && p.done ? (
        <p className="lesson-done" role="status">
          ✓ Lesson {n + 1} complete.{' '}
          {nextLesson ? <button type="button" onClick={() => a.openLesson(nextLesson.id, 0)}>Start lesson {n + 2}: {nextLesson.title}</button> : 'That was the last lesson.'}
        </p>
      ) : null}
      <p className="lesson-leave">
        <button type="button" className="linkish" onClick={a.closeLesson}>Leave the lesson</button>
      </p>
    </section>
  );
}

/** What the stop points at, each a way to get there. */
function LookAt({ highlight, frame }: { highlight: readonly Highlight[]; frame: LessonFrame }) {
  const a = useSwapviz((s) => s.actions);
  const items = highlight.map((h, i) => {
    switch (h.kind) {
      case 'pte':
        return <button key={i} type="button" onClick={() => a.select({ pid: h.pid, index: h.index })}>{h.pid === frame.selection.pid ? `PTE ${h.index}` : `PTE ${h.index} of pid ${h.pid}`}</button>;
      case 'field': {
        const f = frame.now.fields.find((x) => x.id === h.id);
        return f ? <button key={i} type="button" onClick={() => { a.select(frame.selection); a.setPanel('layout'); }}>{f.label}</button> : null;
      }
      case 'type-row':
        return <button key={i} type="button" onClick={() => a.setPanel('types')}>{h.name} in the type table</button>;
      case 'trace':
        return <span key={i} className="look-fn"><code>{h.fn}()</code> in the step's trace</span>;
      case 'pfn-link':
        return <button key={i} type="button" onClick={() => document.getElementById('pfn-h')?.scrollIntoView({ block: 'center' })}>the PFN link of PTE {h.index}</button>;
    }
  });
  return (
    <div className="look-at">
      <span className="look-label" id="look-h">Look at:</span>
      <ul aria-labelledby="look-h">{items.map((x, i) => (x ? <li key={i}>{x}</li> : null))}</ul>
    </div>
  );
}

/** Predict before you step: the answer is checked against the model's next step, under the kernel shown now. */
function QuestionBox({ q, frame, lessonId, index, solved }: { q: Question; frame: LessonFrame; lessonId: string; index: number; solved: boolean }) {
  const a = useSwapviz((s) => s.actions);
  const marks = useSwapviz((s) => s.marks);
  const selection = useSwapviz((s) => s.selection);
  const scratch = useSwapviz((s) => s.scratch);
  const [draft, setDraft] = useState('');
  const [checked, setChecked] = useState<Answer | null>(null);
  const [revealed, setRevealed] = useState(false);
  const checkButton = useRef<HTMLButtonElement>(null);
  const isBits = q.kind === 'bits';
  useEffect(() => {
    if (!isBits) return;
    a.setScratch(null);
    a.setMarks([]);
    return () => a.setMarks(null);
  }, [isBits, a]);
  const choices = q.kind === 'type-name' || q.kind === 'helper' ? choicesFor(q, frame) : [];
  const answer = (): Answer => {
    switch (q.kind) {
      case 'type-number': return { kind: 'type-number', text: draft };
      case 'type-name': return { kind: 'type-name', name: draft };
      case 'bits': return { kind: 'bits', bits: marks ?? [] };
      case 'value': return { kind: 'value', text: draft };
      case 'helper': return { kind: 'helper', name: draft };
    }
  };
  const verdict = checked ? checkAnswer(q, checked, frame) : null;
  const expected = revealed ? expectedAnswer(q, frame) : null;
  const onCheck = (e: FormEvent) => {
    e.preventDefault();
    const ans = answer();
    setChecked(ans);
    if (checkAnswer(q, ans, frame).correct) a.noteProgress(lessonId, { solved: index });
  };
  const edit = (v: string) => {
    setDraft(v);
    setChecked(null);
  };
  // A mark changed after a check: that is a new attempt.
  const marksKey = (marks ?? []).join(',');
  const checkedKey = checked?.kind === 'bits' ? checked.bits.join(',') : null;
  const shownVerdict = checked?.kind === 'bits' && checkedKey !== marksKey ? null : verdict;
  const ref = questionPte(q, frame);
  const wrongPte = isBits && (selection.pid !== ref.pid || selection.index !== ref.index || scratch !== null);
  const done = shownVerdict?.correct || revealed;
  const id = `q-${lessonId}-${index}`;
  return (
    <form className="question" aria-labelledby={`${id}-h`} onSubmit={onCheck} noValidate>
      <h3 id={`${id}-h`}>Predict before you step{solved ? <span className="solved-mark"> · answered before ✓</span> : null}</h3>
      <p id={`${id}-p`}><Filled parts={renderText(q.prompt, frame)} /></p>
      {frame.next ? <p className="note">The next step: {describeEvent(frame.next.event)}.</p> : null}
      {q.kind === 'type-number' ? (
        <label className="answer">Type number <input inputMode="numeric" autoComplete="off" value={draft} onChange={(e) => edit(e.target.value)} aria-describedby={`${id}-p`} size={4} /></label>
      ) : q.kind === 'value' ? (
        <label className="answer">Next PTE value <input className="hex" autoComplete="off" spellCheck={false} value={draft} placeholder="0x…" onChange={(e) => edit(e.target.value)} aria-describedby={`${id}-p`} /></label>
      ) : q.kind === 'type-name' ? (
        <label className="answer">Swap type{' '}
          <select value={draft} onChange={(e) => edit(e.target.value)} aria-describedby={`${id}-p`}>
            <option value="">choose…</option>
            {choices.map((c) => <option key={c.value} value={c.value}>{c.label}</option>)}
          </select>
        </label>
      ) : q.kind === 'helper' ? (
        <fieldset className="answer choices">
          <legend>Kernel helper</legend>
          {choices.map((c) => (
            <label key={c.value}><input type="radio" name={id} value={c.value} checked={draft === c.value} onChange={() => edit(c.value)} /> <code>{c.label}</code></label>
          ))}
        </fieldset>
      ) : (
        <div className="answer marks">
          <p>Marked: {marks && marks.length ? `${marks.length === 1 ? 'bit' : 'bits'} ${marks.join(', ')}` : 'no bits (checking now says "no bit changes")'}.</p>
          {wrongPte ? (
            <p className="note">The bit layout shows another value. <button type="button" onClick={() => { a.select(ref); a.setPanel('layout'); }}>Show PTE {ref.index}</button></p>
          ) : null}
          <button type="button" onClick={() => {
            a.setPanel('layout');
            requestAnimationFrame(() => (document.querySelector('svg.bits [data-bit][tabindex="0"]') as SVGElement | null)?.focus());
          }}>Mark bits in the bit layout</button>{' '}
          <button type="button" onClick={() => a.setMarks([])} disabled={!marks?.length}>Clear the marks</button>
        </div>
      )}
      <div className="q-buttons">
        <button ref={checkButton} type="submit" id={`${id}-check`} className="primary">Check</button>
        <button type="button" onClick={() => setRevealed(true)} disabled={revealed}>Reveal the answer</button>
      </div>
      <div className="verdict-live" role="status" aria-live="polite">
        {shownVerdict ? (
          <div className={`verdict ${shownVerdict.correct ? 'ok' : 'bad'}`}>
            <p><strong>{shownVerdict.correct ? '✓' : '✗'}</strong> {shownVerdict.headline}{!shownVerdict.correct && !shownVerdict.invalid ? ' Try again, or reveal the answer.' : ''}</p>
            {shownVerdict.explanation.length ? (
              <ul className="explanation" aria-label="The model's decode">{shownVerdict.explanation.map((l, i) => <li key={i}>{l}</li>)}</ul>
            ) : null}
          </div>
        ) : null}
        {expected ? (
          expected.ok ? (
            <div className="verdict reveal">
              <p><strong>{`The model says: ${expected.expected.text}`}</strong></p>
              <ul className="explanation" aria-label="The model's decode of the answer">{expected.expected.decode.map((l, i) => <li key={i}>{l}</li>)}</ul>
            </div>
          ) : <p className="verdict bad">{expected.reason}</p>
        ) : null}
      </div>
      {done && frame.next ? (
        <p className="q-step"><button type="button" onClick={() => a.setCursor(frameStep(frame) + 1)}>Take the step</button> <span className="note">(or press →) and watch {refKey(ref) === refKey(frame.selection) ? `PTE ${ref.index}` : `PTE ${ref.index} of pid ${ref.pid}`} change.</span></p>
      ) : null}
    </form>
  );
}

/** The step a frame is at (its state's event count). */
function frameStep(f: LessonFrame): number {
  return f.state.time;
}
