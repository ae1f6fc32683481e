/**
 * The states of a scenario, derived from its events and never stored beside them: replayed on
 * demand from the nearest checkpoint (one every CHECKPOINT_EVERY events) and memoised per
 * (scenario, options), so jumping anywhere in a 10,000-event log replays at most a few dozen events.
 */
import {
  initialState, step, type EventResult, type MachineState, type RunOptions, type Scenario, type TraceEntry,
} from '../model/index.ts';

export const CHECKPOINT_EVERY = 32;

export interface StepInfo {
  readonly trace: readonly TraceEntry[];
  readonly result: EventResult;
}

export interface Refusal {
  readonly at: number;
  readonly reason: string;
}

export class Timeline {
  readonly scenario: Scenario;
  readonly options: RunOptions;
  private readonly checkpoints = new Map<number, MachineState>();
  private readonly recent = new Map<number, MachineState>();
  private refusal: Refusal | null | undefined = undefined;
  private lastStep: { i: number; info: StepInfo } | null = null;

  constructor(scenario: Scenario, options: RunOptions) {
    this.scenario = scenario;
    this.options = options;
    this.checkpoints.set(0, initialState(scenario, options));
  }

  get length(): number {
    return this.scenario.events.length;
  }

  /** Replays the whole log once (storing checkpoints) and returns the first refused event, if any. */
  validity(): Refusal | null {
    if (this.refusal !== undefined) return this.refusal;
    let s = this.checkpoints.get(0)!;
    for (let i = 0; i < this.length; i++) {
      const r = step(s, this.scenario.events[i]!);
      if (!r.ok) {
        this.refusal = { at: i, reason: r.reason };
        return this.refusal;
      }
      s = r.state;
      if ((i + 1) % CHECKPOINT_EVERY === 0) this.checkpoints.set(i + 1, s);
    }
    this.refusal = null;
    return null;
  }

  /** How many events can be applied: the last reachable cursor. */
  reachable(): number {
    const r = this.validity();
    return r ? r.at : this.length;
  }

  /** The state after `cursor` events (0 = the initial state). */
  stateAt(cursor: number): MachineState {
    const c = Math.max(0, Math.min(cursor, this.reachable()));
    const hit = this.recent.get(c);
    if (hit) return hit;
    let from = c - (c % CHECKPOINT_EVERY);
    while (!this.checkpoints.has(from)) from -= CHECKPOINT_EVERY;
    let s = this.checkpoints.get(from)!;
    for (let i = from; i < c; i++) {
      const r = step(s, this.scenario.events[i]!);
      if (!r.ok) break;
      s = r.state;
      if ((i + 1) % CHECKPOINT_EVERY === 0) this.checkpoints.set(i + 1, s);
    }
    this.remember(c, s);
    return s;
  }

  /** The trace and result of the step that led to `cursor` (cursor >= 1). */
  stepInfo(cursor: number): StepInfo | null {
    if (cursor < 1 || cursor > this.reachable()) return null;
    if (this.lastStep?.i === cursor) return this.lastStep.info;
    const r = step(this.stateAt(cursor - 1), this.scenario.events[cursor - 1]!);
    if (!r.ok) return null;
    const info = { trace: r.trace, result: r.result };
    this.lastStep = { i: cursor, info };
    return info;
  }

  private remember(i: number, s: MachineState): void {
    this.recent.set(i, s);
    if (this.recent.size > 48) this.recent.delete(this.recent.keys().next().value!);
  }
}

const memo = new WeakMap<Scenario, Map<string, Timeline>>();

export function optionsKey(o: RunOptions): string {
  return JSON.stringify([o.profile, o.config, o.platform]);
}

/** The Timeline for a scenario under options, built once. Throws SetupError for a bad setup. */
export function timelineFor(scenario: Scenario, options: RunOptions): Timeline {
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
