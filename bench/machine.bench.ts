/**
 * The state machine: how long one step takes on a 512-PTE state, replaying a 10,000-event log,
 * and jumping across that log with the store's checkpointed Timeline (after the first full pass).
 *
 *   node --import tsx bench/machine.bench.ts [--events 10000]
 */
import { checkInvariants, DEFAULT_CONFIG, DEFAULT_PLATFORM, findScenario, kernelOf, step } from '../src/model/index.ts';
import { changedIn, pmdChangesIn, pteRows, Timeline } from '../src/derive/index.ts';
import { environment, fmtNum, formatTable, intFlag, longScenario, median, mulberry32, parseBenchArgs, writeResult, type BenchCheck, type BenchRow } from './lib.ts';

const args = parseBenchArgs('machine');
const EVENTS = intFlag(args, 'events', 10_000);
const started = performance.now();
const startedAt = new Date().toISOString();

const sc = longScenario(EVENTS, 42);
const options = { profile: 'rfc' as const, config: DEFAULT_CONFIG, platform: DEFAULT_PLATFORM };
const checks: BenchCheck[] = [];

// 1. per-step cost on a full replay
const stepTimes: number[] = [];
const replayRuns: number[] = [];
for (let run = 0; run < 3; run++) {
  const t = new Timeline(sc, options);
  let s = t.stateAt(0);
  const t0 = performance.now();
  for (const e of sc.events) {
    const a = performance.now();
    const r = step(s, e);
    if (!r.ok) throw new Error(`bench log refused: ${r.reason}`);
    s = r.state;
    if (run === 2) stepTimes.push(performance.now() - a);
  }
  replayRuns.push(performance.now() - t0);
}
stepTimes.sort((a, b) => a - b);
const p99 = stepTimes[Math.floor(stepTimes.length * 0.99)]!;
const maxStep = stepTimes[stepTimes.length - 1]!;

// 2. the Timeline: first full pass (validity), then random jumps
const t = new Timeline(sc, options);
const v0 = performance.now();
const refusal = t.validity();
const firstPass = performance.now() - v0;
checks.push({ name: 'the bench log replays without refusal', ok: refusal === null, detail: refusal ? `refused at ${refusal.at}: ${refusal.reason}` : `${EVENTS} events` });
const rnd = mulberry32(7);
const jumps: number[] = [];
for (let i = 0; i < 300; i++) {
  const target = Math.floor(rnd() * (EVENTS + 1));
  const a = performance.now();
  t.stateAt(target);
  t.stepInfo(target);
  jumps.push(performance.now() - a);
}
jumps.sort((a, b) => a - b);
const FRAME = 16.7;
checks.push({ name: 'one step fits in a frame at p99', ok: p99 < FRAME, detail: `p99 ${p99.toFixed(3)} ms` });
checks.push({ name: 'a jump anywhere fits in a frame (p99, after the first pass)', ok: jumps[Math.floor(jumps.length * 0.99)]! < FRAME, detail: `p99 ${jumps[Math.floor(jumps.length * 0.99)]!.toFixed(3)} ms` });

// 3. the PMD level: a THP scenario's split step (T06: a partial munmap splits a device-private PMD
// into 512 PTEs), on its own and with what a view derives from it (the rows of the PTE array, the
// invariants), and the 4 KiB fallback of T05 (a freeze split plus 512 small migrations).
function thpStepTimes(id: string, at: number, runs: number, withDerived: boolean): number[] {
  const sc = findScenario(id)!;
  const t = new Timeline(sc, { profile: '7.3', config: DEFAULT_CONFIG, platform: DEFAULT_PLATFORM });
  const before = t.stateAt(at);
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const a = performance.now();
    const r = step(before, sc.events[at]!);
    if (!r.ok) throw new Error(`${id} step ${at} refused: ${r.reason}`);
    if (withDerived) {
      const pt = r.state.processes[0]!.ptes;
      const rows = pteRows(pt, { kernel: kernelOf(r.state), changed: changedIn(r.trace, 1), split: pmdChangesIn(r.trace, 1).split, keep: sc.focus.index });
      for (let n = 0; n < rows.length; n++) rows.at(n);
      checkInvariants(r.state);
    }
    out.push(performance.now() - a);
  }
  return out.sort((x, y) => x - y);
}
const splitStep = thpStepTimes('T06', 4, 60, false);
const splitDerived = thpStepTimes('T06', 4, 60, true);
const fallbackStep = thpStepTimes('T05', 3, 20, false);
checks.push({ name: 'a THP split step (512 new PTEs) fits in a frame, model side, with its rows and invariants (median)', ok: median(splitDerived) < FRAME, detail: `median ${median(splitDerived).toFixed(3)} ms` });

const rows: BenchRow[] = [
  { id: 'step-median', label: 'one step, 512-PTE state (median)', value: median(stepTimes) * 1000, unit: 'µs', n: EVENTS },
  { id: 'step-p99', label: 'one step, 512-PTE state (p99)', value: p99 * 1000, unit: 'µs', n: EVENTS },
  { id: 'step-max', label: 'one step, 512-PTE state (max)', value: maxStep * 1000, unit: 'µs', n: EVENTS },
  { id: 'replay', label: `replay ${EVENTS.toLocaleString('en-US')} events`, value: median(replayRuns), unit: 'ms', runs: replayRuns },
  { id: 'first-pass', label: 'Timeline first pass (checkpoints every 32)', value: firstPass, unit: 'ms' },
  { id: 'jump-median', label: 'jump to a random step (median)', value: median(jumps), unit: 'ms', n: jumps.length },
  { id: 'jump-p99', label: 'jump to a random step (p99)', value: jumps[Math.floor(jumps.length * 0.99)]!, unit: 'ms', n: jumps.length },
  { id: 'thp-split-step', label: 'THP split step: partial munmap of a device-private PMD, 512 PTEs (T06, median)', value: median(splitStep), unit: 'ms', n: splitStep.length },
  { id: 'thp-split-step-derived', label: 'the same step + the PTE array\'s rows (pteRows, every row read) + checkInvariants (median)', value: median(splitDerived), unit: 'ms', n: splitDerived.length },
  { id: 'thp-fallback-step', label: 'THP 4 KiB fallback: freeze split + 512 small migrations (T05 migrate_vma_pages, median)', value: median(fallbackStep), unit: 'ms', n: fallbackStep.length },
];
console.log(`\nmachine benchmark: ${EVENTS.toLocaleString('en-US')} events on a 512-PTE state (rfc)\n`);
console.log(formatTable(['what', 'value', 'unit'], rows.map((r) => [r.label, fmtNum(r.value), r.unit])));
for (const c of checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
const ok = checks.every((c) => c.ok);
writeResult(args.out, {
  name: 'machine', startedAt, durationMs: Math.round(performance.now() - started), env: environment(), params: { events: EVENTS }, rows, checks, ok,
});
process.exitCode = ok ? 0 : 1;
