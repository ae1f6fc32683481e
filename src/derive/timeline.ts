/**
 * The states of a scenario, derived from its events and never stored beside them: one checkpointed
 * replay that the app, the link check and `swapviz run` all use. The first pass steps every event
 * once, keeps a checkpoint every CHECKPOINT_EVERY events and finds the first refused event. It runs
 * only as far as it is asked to (a state at a cursor needs the events before it; the refusal needs
 * them all), so it can be finished in slices in the background. A state is then replayed on demand
 * from the nearest checkpoint (at most CHECKPOINT_EVERY - 1 steps) and memoised, so jumping anywhere
 * in a 10,000-event log replays a few dozen events at most.
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
  /** Undefined until the first pass has stepped every event (or met the refused one). */
  private refusal: Refusal | null | undefined = undefined;
  /** How far the first pass has gone: events stepped, and the state after them. */
  private passAt = 0;
  private passState: MachineState;
  /** The last step the first pass took. */
  private passInfo: StepInfo | null = null;
  /** The cursor the first pass keeps the state and step of (where a link opens). */
  private focus = -1;

  /** Throws SetupError when the scenario cannot start under the options. */
  constructor(scenario: Scenario, options: KernelOptions) {
    this.scenario = scenario;
    this.options = options;
    this.passState = initialState(scenario, options);
    this.checkpoints.set(0, this.passState);
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
   * Asks the first pass (if it has not run that far yet) to keep the state at `cursor`, the one
   * before it and the step between them, so opening a link at `cursor` steps every event exactly once.
   */
  keep(cursor: number): this {
    if (this.passAt < cursor - 1) this.focus = cursor;
    return this;
  }

  /** Whether the first pass has stepped every event (or met the refused one): the refusal is known. */
  get checked(): boolean {
    return this.refusal !== undefined;
  }

  /** How many events the first pass has stepped so far. */
  get checkedUpTo(): number {
    return this.passAt;
  }

  /**
   * Runs the first pass on until it has stepped `to` events (or met a refusal, or the end): it keeps
   * a checkpoint every CHECKPOINT_EVERY events and the state and step at the focus.
   */
  private advance(to: number): void {
    const end = Math.min(to, this.length);
    while (this.refusal === undefined && this.passAt < end) {
      const i = this.passAt;
      const r = this.run(this.passState, i);
      if (!r.ok) {
        this.refusal = { at: i, reason: r.reason };
        return;
      }
      this.passState = r.state;
      this.passInfo = { trace: r.trace, result: r.result };
      this.passAt = i + 1;
      if (this.passAt % CHECKPOINT_EVERY === 0) this.checkpoints.set(this.passAt, r.state);
      if (this.passAt === this.focus || this.passAt + 1 === this.focus) this.remember(this.passAt, r.state);
      if (this.passAt === this.focus) this.infos.set(this.passAt, this.passInfo);
    }
    if (this.refusal === undefined && this.passAt === this.length) this.refusal = null;
  }

  /**
   * Steps the first pass on by at most `n` events (a slice of a check that runs in the background);
   * true once the pass is done.
   */
  checkMore(n: number): boolean {
    this.advance(this.passAt + n);
    return this.checked;
  }

  /** Whether the state after `cursor` events exists: runs the first pass only as far as that needs. */
  reaches(cursor: number): boolean {
    if (cursor < 0 || cursor > this.length) return false;
    this.advance(cursor);
    return this.refusal ? cursor <= this.refusal.at : true;
  }

  /** `cursor`, or the last step that can be reached before it. */
  clamp(cursor: number): number {
    const c = Math.max(0, Math.min(cursor, this.length));
    return this.reaches(c) ? c : this.refusal!.at;
  }

  /**
   * Every step from the start, in order, stopping before the first refused event. When nothing has
   * run yet this is the first pass (it stores checkpoints and the refusal); else it replays.
   */
  *walk(): Generator<TimelineStep> {
    if (this.passAt === 0 && this.refusal === undefined) {
      for (let i = 0; i < this.length; i++) {
        this.advance(i + 1);
        if (this.passAt !== i + 1) return;
        yield { cursor: i + 1, state: this.passState, info: this.passInfo! };
      }
      return;
    }
    let s = this.initial;
    for (let i = 0; i < this.length; i++) {
      const r = this.run(s, i);
      if (!r.ok) return;
      s = r.state;
      yield { cursor: i + 1, state: s, info: { trace: r.trace, result: r.result } };
    }
  }

  /** Replays the whole log once (storing checkpoints) and returns the first refused event, if any. */
  validity(): Refusal | null {
    this.advance(this.length);
    return this.refusal!;
  }

  /** The refusal if the first pass has met it; null while the pass has not (or never does). */
  knownRefusal(): Refusal | null {
    return this.refusal ?? null;
  }

  /** How many events can be applied: the last reachable cursor. */
  reachable(): number {
    const r = this.validity();
    return r ? r.at : this.length;
  }

  /** The state after `cursor` events (0 = the initial state), clamped to the reachable range. */
  stateAt(cursor: number): MachineState {
    const c = this.clamp(cursor);
    if (c === this.passAt) return this.passState;
    const hit = this.recent.get(c) ?? this.checkpoints.get(c);
    if (hit) return hit;
    let from = c - (c % CHECKPOINT_EVERY);
    while (!this.checkpoints.has(from)) from -= CHECKPOINT_EVERY;
    let s = this.checkpoints.get(from)!;
    for (let i = from; i < c; i++) {
      const r = this.run(s, i);
      if (!r.ok) break;
      s = r.state;
      // The state before the cursor is what the marks compare with: kept, so it is not replayed again.
      if (i + 2 === c) this.remember(i + 1, s);
      if (i + 1 === c) this.infos.set(c, { trace: r.trace, result: r.result });
      if ((i + 1) % CHECKPOINT_EVERY === 0) this.checkpoints.set(i + 1, s);
    }
    this.remember(c, s);
    return s;
  }

  /** The trace and result of the step that led to `cursor` (cursor >= 1). */
  stepInfo(cursor: number): StepInfo | null {
    if (cursor < 1 || !this.reaches(cursor)) return null;
    const known = this.infos.get(cursor) ?? (cursor === this.passAt ? this.passInfo : undefined);
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
