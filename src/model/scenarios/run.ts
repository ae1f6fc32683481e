/**
 * Running a scenario: the initial machine for a profile/config/platform, then every event in turn,
 * keeping each state, trace and result (what the CLI prints and the tests check).
 */
import type { KernelOptions } from '../kernel/kernel.ts';
import { PM_PRESENT, PM_SWAP } from '../kernel/pagemap.ts';
import type { Platform } from '../kernel/platform.ts';
import { createMachine } from '../machine/init.ts';
import { step } from '../machine/step.ts';
import type { EventResult, MachineState, TraceEntry } from '../machine/types.ts';
import type { Expectation, Scenario } from './types.ts';


/** The platform a scenario runs on: the user's choice, with the scenario's own needs applied. */
export function scenarioPlatform(s: Scenario, p: Platform): Platform {
  return { ...p, ...(s.migrationAd !== undefined ? { migrationAd: s.migrationAd } : {}), ...(s.paging ? { paging: s.paging } : {}) };
}

export function initialState(s: Scenario, o: KernelOptions): MachineState {
  return createMachine(s.setup, { profile: o.profile, config: o.config, platform: scenarioPlatform(s, o.platform) });
}

export interface ScenarioRun {
  readonly states: MachineState[];
  readonly traces: (readonly TraceEntry[])[];
  readonly results: EventResult[];
  /** First refused event: index and reason. */
  readonly refused: { readonly at: number; readonly reason: string } | null;
}

export function runScenario(s: Scenario, o: KernelOptions): ScenarioRun {
  let st = initialState(s, o);
  const states = [st];
  const traces: (readonly TraceEntry[])[] = [[]];
  const results: EventResult[] = [{}];
  for (let i = 0; i < s.events.length; i++) {
    const r = step(st, s.events[i]!);
    if (!r.ok) return { states, traces, results, refused: { at: i, reason: r.reason } };
    st = r.state;
    states.push(st);
    traces.push(r.trace);
    results.push(r.result);
  }
  return { states, traces, results, refused: null };
}

/** A pagemap record's PM_PRESENT / PM_SWAP state. */
function recordState(rec: bigint): 'swap' | 'present' | 'none' {
  if (rec & PM_PRESENT) return 'present';
  return rec & PM_SWAP ? 'swap' : 'none';
}

/** Checks an event's result against a selftest assertion; returns what differs. */
export function checkExpectation(x: Expectation, r: EventResult, pages: number): string[] {
  const bad: string[] = [];
  if (x.ret !== undefined && (r.ret ?? '0') !== x.ret) bad.push(`ret ${r.ret ?? '0'}, expected ${x.ret}`);
  if (x.cpages !== undefined && r.cpages !== x.cpages) bad.push(`cpages ${r.cpages}, expected ${x.cpages}`);
  if (x.signal !== undefined && r.signal !== x.signal) bad.push(`signal ${r.signal ?? 'none'}, expected ${x.signal}`);
  if (x.data !== undefined) {
    const b = x.base ?? 0;
    const want = (i: number) => (x.data === 'index' ? b + i : x.data === 'neg-index' ? -(b + i) : x.data === 'index+1' ? b + i + 1 : 0);
    const got = r.data ?? [];
    if (got.length !== pages) bad.push(`${got.length} values read, expected ${pages}`);
    got.forEach((v, i) => {
      if (v !== want(i) && bad.length < 5) bad.push(`value ${i} is ${v}, expected ${want(i)}`);
    });
  }
  if (x.prot !== undefined && JSON.stringify(r.prot) !== JSON.stringify(x.prot)) bad.push(`snapshot ${JSON.stringify(r.prot)}, expected ${JSON.stringify(x.prot)}`);
  if (x.protEvery !== undefined) {
    const got = r.prot ?? [];
    const off = got.findIndex((p) => p !== x.protEvery);
    if (got.length !== pages) bad.push(`snapshot of ${got.length} pages, expected ${pages}`);
    else if (off >= 0) bad.push(`snapshot page ${off} is ${got[off]}, expected ${x.protEvery} for every page`);
  }
  if (x.pagemap !== undefined) {
    const got = r.pagemap ?? [];
    const want = x.pagemap;
    const off = got.findIndex((rec) => recordState(BigInt(rec)) !== want);
    if (got.length !== pages) bad.push(`${got.length} pagemap records, expected ${pages}`);
    else if (off >= 0) bad.push(`pagemap record ${off} (${got[off]}) is ${recordState(BigInt(got[off]!))}, expected ${want} for every page`);
  }
  return bad;
}
