import { useState } from 'react';
import { LESSONS } from '../model/index.ts';
import { progressOf } from '../store/progress.ts';
import { useSwapviz } from './StoreContext.tsx';

/** Every lesson, with the learner's progress, each a button that opens it where the learner left off. */
export function LessonList() {
  const progress = useSwapviz((s) => s.progress);
  const open = useSwapviz((s) => s.actions.openLesson);
  return (
    <ol className="lesson-list">
      {LESSONS.map((l, i) => {
        const p = progressOf(progress, l.id);
        const resume = p.done ? 0 : Math.min(l.stops.length - 1, p.seen.length ? Math.max(...p.seen) : 0);
        const state = p.done ? 'done' : p.seen.length ? `${p.seen.length} of ${l.stops.length} stops seen` : `${l.stops.length} stops`;
        return (
          <li key={l.id}>
            <button type="button" onClick={() => open(l.id, resume)}
              aria-label={`Lesson ${i + 1}: ${l.title} (${state})`}>
              <span className="lesson-no">{p.done ? '✓' : i + 1}</span> {l.title}
            </button>
            <span className="lesson-state">{state}</span>
          </li>
        );
      })}
    </ol>
  );
}

/** A first visit without a link: where to start, in a few lines. Dismissed once, remembered. */
export function Welcome() {
  const welcome = useSwapviz((s) => s.welcome);
  const a = useSwapviz((s) => s.actions);
  if (!welcome) return null;
  const first = LESSONS[0]!;
  return (
    <section className="panel welcome" aria-labelledby="welcome-h">
      <h2 id="welcome-h">New here? Learn it in {LESSONS.length} short lessons</h2>
      <p>Predict each step before you take it; swapviz checks your answer by running its model of the kernel.</p>
      <p className="welcome-actions">
        <button type="button" className="primary" autoFocus onClick={() => a.openLesson(first.id, 0)}>Start lesson 1: {first.title}</button>{' '}
        <button type="button" onClick={a.dismissWelcome}>Explore on my own</button>
      </p>
      <details className="welcome-all">
        <summary>All {LESSONS.length} lessons</summary>
        <LessonList />
      </details>
    </section>
  );
}

/** The lessons when none is open and the welcome is gone: one line until opened. */
export function LessonsMenu() {
  const progress = useSwapviz((s) => s.progress);
  const lesson = useSwapviz((s) => s.lesson);
  const welcome = useSwapviz((s) => s.welcome);
  const reset = useSwapviz((s) => s.actions.resetProgress);
  const [asking, setAsking] = useState(false);
  if (lesson || welcome) return null;
  const done = LESSONS.filter((l) => progressOf(progress, l.id).done).length;
  const any = Object.keys(progress).length > 0;
  return (
    <details className="panel lessons-menu">
      <summary>Lessons <span className="note">({done} of {LESSONS.length} done)</span></summary>
      <LessonList />
      <p className="lessons-reset">
        {asking ? (
          <>
            Forget every stop you have seen and answered?{' '}
            <button type="button" onClick={() => { reset(); setAsking(false); }}>Yes, reset my progress</button>{' '}
            <button type="button" onClick={() => setAsking(false)}>No, keep it</button>
          </>
        ) : (
          <>
            <button type="button" onClick={() => setAsking(true)} disabled={!any}>Reset my progress</button>
            <span className="note"> Progress stays in this browser only.</span>
          </>
        )}
      </p>
    </details>
  );
}
