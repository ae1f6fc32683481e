import { scalePoint } from 'd3';
import { useEffect, useMemo, useState } from 'react';
import { describeEvent } from '../model/index.ts';
import { useSwapviz, useSwapvizShallow } from './StoreContext.tsx';
import { useTimeline } from './useDerived.ts';

const MARKS_W = 600;
const SPEEDS = [0.5, 1, 2, 4, 8];
/** With prefers-reduced-motion, playback goes at most this fast, and the speed menu says so. */
const REDUCED_MAX = 1;

/** prefers-reduced-motion, followed live. */
function useReducedMotion(): boolean {
  const query = '(prefers-reduced-motion: reduce)';
  const [reduced, setReduced] = useState(() => typeof matchMedia === 'function' && matchMedia(query).matches);
  useEffect(() => {
    if (typeof matchMedia !== 'function') return;
    const m = matchMedia(query);
    const on = () => setReduced(m.matches);
    m.addEventListener('change', on);
    return () => m.removeEventListener('change', on);
  }, []);
  return reduced;
}

export function TimelineBar() {
  const t = useTimeline();
  const { cursor, playing, speed, scenario, checking } = useSwapvizShallow((s) => ({ cursor: s.cursor, playing: s.playing, speed: s.speed, scenario: s.scenario, checking: s.checking }));
  const a = useSwapviz((s) => s.actions);
  // While a long link's later events are being checked, they count as reachable (a refusal among
  // them refuses the link); stepping onto one runs the check that far first.
  const refusal = checking ? null : t.validity();
  const reach = refusal ? refusal.at : t.length;
  const reduced = useReducedMotion();
  // The speed shown is the speed used: with reduced motion, faster choices are not offered.
  const rate = reduced ? Math.min(speed, REDUCED_MAX) : speed;
  usePlayback(playing, rate, cursor, reach);
  const next = cursor < reach ? scenario.events[cursor] : undefined;
  const marks = useMemo(() => {
    const step = Math.max(1, Math.ceil(t.length / 400));
    const ticks: number[] = [];
    for (let i = 0; i <= t.length; i += step) ticks.push(i);
    if (ticks.at(-1) !== t.length) ticks.push(t.length);
    const scale = scalePoint<number>().domain(ticks).range([4, MARKS_W - 4]);
    const x = (i: number) => scale(i - (i % step)) ?? 4;
    const spec = new Set((scenario.checkpoints ?? []).map((c) => c.after + 1));
    const out = ticks.filter((i) => i > 0).map((i) => ({ i, x: x(i), spec: spec.has(i) }));
    return { x, out };
  }, [t, scenario]);
  return (
    <nav className="panel timeline" aria-label="Timeline">
      <div className="stepper">
        <button type="button" onClick={a.toStart} disabled={cursor === 0} aria-label="Jump to the first step">|◀</button>
        <button type="button" onClick={() => a.stepBy(-1)} disabled={cursor === 0} aria-label="Step back">◀</button>
        <button type="button" onClick={() => a.setPlaying(!playing)} aria-label={playing ? 'Pause' : 'Play'} aria-pressed={playing} disabled={!playing && cursor >= reach}>{playing ? 'Pause' : 'Play'}</button>
        <button type="button" onClick={() => a.stepBy(1)} disabled={cursor >= reach} aria-label="Step forward">▶</button>
        <button type="button" onClick={a.toEnd} disabled={cursor >= reach} aria-label="Jump to the last step">▶|</button>
        <label className="speed">
          Speed
          <select value={rate} onChange={(e) => a.setSpeed(Number(e.target.value))} aria-describedby={reduced ? 'speed-note' : undefined}>
            {SPEEDS.filter((s) => !reduced || s <= REDUCED_MAX).map((s) => <option key={s} value={s}>{s} step{s === 1 ? '' : 's'}/s</option>)}
          </select>
        </label>
        {reduced ? <span id="speed-note" className="note">at most {REDUCED_MAX} step/s: reduced motion</span> : null}
        <span className="pos" aria-live="polite">step {cursor} / {t.length}</span>
      </div>
      <div className="scrub">
        <input type="range" min={0} max={t.length} value={cursor} onChange={(e) => a.setCursor(Number(e.target.value))}
          aria-label="Scrub through the steps" aria-valuetext={cursor === 0 ? 'initial state' : `step ${cursor}: ${describeEvent(scenario.events[cursor - 1]!)}`} />
        <svg className="marks" viewBox={`0 0 ${MARKS_W} 14`} preserveAspectRatio="none" aria-hidden="true">
          {marks.out.map((m) => <line key={m.i} x1={m.x} x2={m.x} y1={m.spec ? 0 : 5} y2={14} className={m.spec ? 'spec' : ''} />)}
          {refusal ? <rect x={marks.x(refusal.at + 1) - 3} y={0} width={6} height={14} className="refused" /> : null}
        </svg>
      </div>
      {next ? (
        <p className="step-hint">
          Next: <span className="next-event">{describeEvent(next)}</span>. Press <kbd>→</kbd> or <span aria-hidden="true">▶</span><span className="sr-only">Step forward</span> to take it.
        </p>
      ) : null}
      {checking ? <p className="note" role="status">Checking that the rest of the link’s {t.length} events can happen…</p> : null}
      {refusal ? <p className="error" role="alert">Event {refusal.at + 1} cannot happen: {refusal.reason}. The timeline stops before it.</p> : null}
    </nav>
  );
}

/** Plays forward at `rate` steps per second (the rate the speed menu shows). */
function usePlayback(playing: boolean, rate: number, cursor: number, reach: number) {
  const a = useSwapviz((s) => s.actions);
  useEffect(() => {
    if (!playing) return;
    if (cursor >= reach) {
      a.setPlaying(false);
      return;
    }
    const id = setTimeout(() => a.stepBy(1), 1000 / rate);
    return () => clearTimeout(id);
  }, [playing, rate, cursor, reach, a]);
}
