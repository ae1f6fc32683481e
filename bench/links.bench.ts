/**
 * Share links: how long they are and how fast they encode and decode.
 *   - the S02 link (a built-in scenario by id, step 4, RFC profile);
 *   - a generated 200-event scenario that replays (src/share/sample.ts, seed 1): carried whole,
 *     compressed; and, for scale, 200 uniformly random events of every type on PTEs 0..511
 *     (more entropy than anything a user clicks together);
 *   - encodeLink / decodeLink time for each (median of --runs batches), and checkLinkReplays for
 *     the 200-event link.
 * Checks: the 200-event link is under 2,000 characters and every link round-trips.
 * Run: `npx tsx bench/links.bench.ts` or `npm run bench links`. Flags: --runs, --seed.
 * The last line printed is one JSON object with the headline numbers.
 */
import { DEFAULT_CONFIG } from '../src/model/kernel/config.ts';
import { DEFAULT_PLATFORM } from '../src/model/kernel/platform.ts';
import { EVENT_FIELDS, EVENT_TYPES, type Event } from '../src/model/machine/events.ts';
import { findScenario } from '../src/model/scenarios/index.ts';
import type { Scenario } from '../src/model/scenarios/types.ts';
import { checkLinkReplays, decodeLink, encodeLink, type LinkState } from '../src/share/index.ts';
import { sameJson } from '../src/share/equal.ts';
import { sampleScenario } from '../src/share/sample.ts';
import {
  environment, fmtNum, formatTable, intFlag, median, mulberry32, parseBenchArgs, timeRuns, writeResult,
  type BenchCheck, type BenchRow,
} from './lib.ts';

const started = performance.now();
const startedAt = new Date().toISOString();
const args = parseBenchArgs('links');
const RUNS = intFlag(args, 'runs', 15);
const SEED = intFlag(args, 'seed', 1);
const log = (s: string) => console.log(`[links] ${s}`);

const checks: BenchCheck[] = [];
const check = (name: string, ok: boolean, detail: string) => {
  checks.push({ name, ok, detail });
  if (!ok) console.error(`CHECK FAILED: ${name}: ${detail}`);
};

const options = { profile: 'rfc', config: DEFAULT_CONFIG, platform: DEFAULT_PLATFORM } as const;
const S02 = findScenario('S02')!;

/** 200 events of random types with random fields (PTEs 0..511, pids 1..64): an upper bound, not a user's scenario. */
function randomScenario(n: number, seed: number): Scenario {
  const r = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const events = Array.from({ length: n }, () => {
    const type = EVENT_TYPES[int(0, EVENT_TYPES.length - 1)]!;
    const e: Record<string, unknown> = { type };
    for (const [raw, kind] of Object.entries(EVENT_FIELDS[type])) {
      if (raw.endsWith('?') && r() < 0.5) continue;
      const name = raw.replace(/\?$/, '');
      if (typeof kind === 'object') e[name] = kind.oneOf[int(0, kind.oneOf.length - 1)];
      else if (kind === 'pid') e[name] = int(1, 64);
      else if (kind === 'device') e[name] = int(0, 7);
      else if (kind === 'index') e[name] = int(0, 511);
      else if (kind === 'count') e[name] = int(1, 512);
      else if (kind === 'bool') e[name] = r() < 0.5;
      else e[name] = int(-1000, 1000);
    }
    return e as Event;
  });
  return { schema: 1, id: `random-${n}`, title: `${n} random events`, description: '', source: 'bench/links.bench.ts', setup: S02.setup, events, focus: S02.focus };
}

/** Median time of one call in `unit`, timing batches of `batch` calls. */
function timeOne(fn: () => void, batch: number, unit: 'us' | 'ms'): { value: number; runs: number[] } {
  const runs = timeRuns(() => {
    for (let i = 0; i < batch; i++) fn();
  }, 2, RUNS).map((ms) => (unit === 'us' ? (ms * 1000) / batch : ms / batch));
  return { value: median(runs), runs };
}

const s02State: LinkState = { scenario: S02, options, cursor: 4 };
const t0 = performance.now();
const sample = sampleScenario(200, SEED);
log(`generated the 200-event scenario (seed ${SEED}) in ${(performance.now() - t0).toFixed(0)} ms`);
const sampleState: LinkState = { scenario: sample, options, cursor: 200, selection: { pid: 1, index: 1 } };
const randomState: LinkState = { scenario: randomScenario(200, SEED), options, cursor: 200 };

const s02Link = encodeLink(s02State);
const sampleLink = encodeLink(sampleState);
const randomLink = encodeLink(randomState);
log(`S02 link: ${s02Link}`);
log(`200-event link: ${sampleLink.length} characters (${sampleLink.slice(0, 60)}…)`);

const same = (link: string, s: LinkState) => {
  const r = decodeLink(link);
  return r.ok && sameJson(r.state, s);
};
check('S02 link', s02Link === 'v=1&k=rfc&s=S02&step=4', s02Link);
check('200-event link under 2,000 characters', sampleLink.length < 2000, `${sampleLink.length} characters`);
check('200 events generated', sample.events.length === 200, `${sample.events.length} events`);
check('links round-trip', same(s02Link, s02State) && same(sampleLink, sampleState) && same(randomLink, randomState), 'decodeLink(encodeLink(s)) is s');
const replay = (() => {
  const r = decodeLink(sampleLink);
  return r.ok ? checkLinkReplays(r.state) : { ok: false as const, error: r.error, at: 0 };
})();
check('200-event link replays', replay.ok, replay.ok ? 'ok' : replay.error);

const encS02 = timeOne(() => encodeLink(s02State), 2000, 'us');
const decS02 = timeOne(() => decodeLink(s02Link), 2000, 'us');
const encSample = timeOne(() => encodeLink(sampleState), 20, 'ms');
const decSample = timeOne(() => decodeLink(sampleLink), 20, 'ms');
const decRandom = timeOne(() => decodeLink(randomLink), 20, 'ms');
const replaySample = timeOne(() => {
  const r = decodeLink(sampleLink);
  if (r.ok) checkLinkReplays(r.state);
}, 2, 'ms');

const rows: BenchRow[] = [
  { id: 's02-chars', label: 'S02 link (by id, step 4)', value: s02Link.length, unit: 'chars' },
  { id: 'events200-chars', label: '200-event link (generated, replays)', value: sampleLink.length, unit: 'chars', n: 200 },
  { id: 'random200-chars', label: '200 random events link (upper bound)', value: randomLink.length, unit: 'chars', n: 200 },
  { id: 's02-encode', label: 'encodeLink S02', value: encS02.value, unit: 'us', runs: encS02.runs },
  { id: 's02-decode', label: 'decodeLink S02', value: decS02.value, unit: 'us', runs: decS02.runs },
  { id: 'events200-encode', label: 'encodeLink 200 events', value: encSample.value, unit: 'ms', n: 200, runs: encSample.runs },
  { id: 'events200-decode', label: 'decodeLink 200 events', value: decSample.value, unit: 'ms', n: 200, runs: decSample.runs },
  { id: 'random200-decode', label: 'decodeLink 200 random events', value: decRandom.value, unit: 'ms', n: 200, runs: decRandom.runs },
  { id: 'events200-replay', label: 'decodeLink + checkLinkReplays 200', value: replaySample.value, unit: 'ms', n: 200, runs: replaySample.runs },
];

console.log(formatTable(['what', 'value', 'unit'], rows.map((r) => [r.label, fmtNum(r.value), r.unit])));
const ok = checks.every((c) => c.ok);
writeResult(args.out, {
  name: 'links',
  startedAt,
  durationMs: performance.now() - started,
  env: environment(),
  params: { runs: RUNS, seed: SEED },
  rows,
  checks,
  ok,
});
log(`wrote ${args.out}`);
console.log(JSON.stringify({
  bench: 'links',
  ok,
  s02Chars: s02Link.length,
  events200Chars: sampleLink.length,
  random200Chars: randomLink.length,
  s02EncodeUs: Number(encS02.value.toFixed(2)),
  s02DecodeUs: Number(decS02.value.toFixed(2)),
  events200EncodeMs: Number(encSample.value.toFixed(3)),
  events200DecodeMs: Number(decSample.value.toFixed(3)),
  events200ReplayMs: Number(replaySample.value.toFixed(3)),
}));
process.exitCode = ok ? 0 : 1;
