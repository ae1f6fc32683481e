/**
 * The states of a scenario, derived from its events and never stored beside them: one checkpointed
 * replay that the app, the link check and `swapviz run` all use. The first pass steps every event
 * once, keeps a checkpoint every CHECKPOINT_EVERY events and finds the first refused event; a state
 * is then replayed on demand from the nearest checkpoint (at most CHECKPOINT_EVERY - 1 steps) and
 * memoised, so jumping anywhere in a 10,000-event log replays a few dozen events at most.
 * Timelines are memoised per (scenario object, options).
 */
import {
  initialState, optionsKey, step, type EventResult, type KernelOptions, type MachineState, type Scenario, type TraceEntry,
} from '../model/index.ts';

export const CHECKPOINT_EVERY = 32;
/** States kept besides the checkpoints (the cursor's neighbourhood, recent jumps). */
const RECENT = 48;

export interface StepInfo {
  readonly trace: readonly TraceEntry[];
  readonly result: EventResult;
}

export interface Refusal {
  readonly at: number;
  readonly reason: string;
}

/** One step of a pass: the state after `cursor` events and the step that led there. */
export interface TimelineStep {
  readonly cursor: number;
  readonly state: MachineState;
  readonly info: StepInfo;
}

export class Timeline {
  readonly scenario: Scenario;
  readonly options: KernelOptions;
  /** How many times this timeline has called step(): what a replay costs. */
  stepsRun = 0;
  private readonly checkpoints = new Map<number, MachineState>();
  private readonly recent = new Map<number, MachineState>();
  private readonly infos = new Map<number, StepInfo>();
  private refusal: Refusal | null | undefined = undefined;
  /** The cursor the first pass keeps the state and step of (where a link opens). */
  private focus = -1;

  /** Throws SetupError when the scenario cannot start under the options. */
  constructor(scenario: Scenario, options: KernelOptions) {
    this.scenario = scenario;
    this.options = options;
    this.checkpoints.set(0, initialState(scenario, options));
  }

  get length(): number {
    return this.scenario.events.length;
  }

  /** The initial state. */
  get initial(): MachineState {
    return this.checkpoints.get(0)!;
  }

  private run(s: MachineState, i: number): ReturnType<typeof step> {
    this.stepsRun++;
    return step(s, this.scenario.events[i]!);
  }

  /**
   * Asks the first pass (if it has not run yet) to keep the state at `cursor`, the one before it
   * and the step between them, so opening a link at `cursor` steps every event exactly once.
   */
  keep(cursor: number): this {
    if (this.refusal === undefined) this.focus = cursor;
    return this;
  }

  /**
   * Every step from the start, in order, stopping before the first refused event. The first pass
   * stores checkpoints and the refusal; later passes replay from the start again.
   */
  *walk(): Generator<TimelineStep> {
    const first = this.refusal === undefined;
    let s = this.initial;
    for (let i = 0; i < this.length; i++) {
      const r = this.run(s, i);
      if (!r.ok) {
        if (first) this.refusal = { at: i, reason: r.reason };
        return;
      }
      s = r.state;
      const info = { trace: r.trace, result: r.result };
      if ((i + 1) % CHECKPOINT_EVERY === 0) this.checkpoints.set(i + 1, s);
      if (first && (i + 1 === this.focus || i + 2 === this.focus)) this.remember(i + 1, s);
      if (first && i + 1 === this.focus) this.infos.set(i + 1, info);
      yield { cursor: i + 1, state: s, info };
    }
    if (first) this.refusal = null;
  }

  /** Replays the whole log once (storing checkpoints) and returns the first refused event, if any. */
  validity(): Refusal | null {
    if (this.refusal === undefined) for (const _ of this.walk());
    return this.refusal!;
  }

  /** How many events can be applied: the last reachable cursor. */
  reachable(): number {
    const r = this.validity();
    return r ? r.at : this.length;
  }

  /** The state after `cursor` events (0 = the initial state), clamped to the reachable range. */
  stateAt(cursor: number): MachineState {
    const c = Math.max(0, Math.min(cursor, this.reachable()));
    const hit = this.recent.get(c) ?? this.checkpoints.get(c);
    if (hit) return hit;
    let from = c - (c % CHECKPOINT_EVERY);
    while (!this.checkpoints.has(from)) from -= CHECKPOINT_EVERY;
    let s = this.checkpoints.get(from)!;
    for (let i = from; i < c; i++) {
      const r = this.run(s, i);
      if (!r.ok) break;
      s = r.state;
      if (i + 1 === c) this.infos.set(c, { trace: r.trace, result: r.result });
      if ((i + 1) % CHECKPOINT_EVERY === 0) this.checkpoints.set(i + 1, s);
    }
    this.remember(c, s);
    return s;
  }

  /** The trace and result of the step that led to `cursor` (cursor >= 1). */
  stepInfo(cursor: number): StepInfo | null {
    if (cursor < 1 || cursor > this.reachable()) return null;
    const known = this.infos.get(cursor);
    if (known) return known;
    const r = this.run(this.stateAt(cursor - 1), cursor - 1);
    if (!r.ok) return null;
    const info = { trace: r.trace, result: r.result };
    this.infos.set(cursor, info);
    if (this.infos.size > RECENT) this.infos.delete(this.infos.keys().next().value!);
    return info;
  }

  private remember(i: number, s: MachineState): void {
    this.recent.set(i, s);
    if (this.recent.size > RECENT) this.recent.delete(this.recent.keys().next().value!);
  }
}

const memo = new WeakMap<Scenario, Map<string, Timeline>>();

/** The Timeline for a scenario under options, built once. Throws SetupError for a bad setup. */
export function timelineFor(scenario: Scenario, options: KernelOptions): Timeline {
  let m = memo.get(scenario);
  if (!m) {
    m = new Map();
    memo.set(scenario, m);
  }
  const key = optionsKey(options);
  let t = m.get(key);
  if (!t) {
    t = new Timeline(scenario, options);
    m.set(key, t);
  }
  return t;
}
