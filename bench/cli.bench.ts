/**
 * CLI startup: how long `swapviz decode 0x0` takes from spawn to exit, against a bare `node -e 0`,
 * as a ratio measured in this one run (the target: at most 2.5×). Every command runs as a fresh
 * process with the same node binary, interleaved round by round so that load on the machine hits
 * all of them alike; the headline numbers are medians.
 *
 *   node -e 0                                  the floor: starting Node.js itself
 *   node bin/swapviz.mjs decode 0x0            the built CLI (dist-cli, rebuilt from the sources first)
 *   node bin/swapviz.mjs run S02               the same, with the scenario library and one replay
 *   the sources through tsx                    what bin/swapviz.mjs did before the build (for comparison)
 *
 * Flags: --runs N (timed rounds, default 20), --warmup N (untimed rounds, default 3).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { buildCli } from '../scripts/build-cli.ts';
import { environment, fmtNum, formatTable, intFlag, median, parseBenchArgs, ROOT, writeResult, type BenchCheck, type BenchRow } from './lib.ts';

const started = performance.now();
const startedAt = new Date().toISOString();
const args = parseBenchArgs('cli');
const RUNS = intFlag(args, 'runs', 20);
const WARMUP = intFlag(args, 'warmup', 3);
const MAX_RATIO = 2.5;
const BIN = join(ROOT, 'bin', 'swapviz.mjs');
const log = (s: string) => console.log(`[cli] ${s}`);

/** The launcher bin/swapviz.mjs was before the build: register tsx, import the TypeScript main. */
const TSX_LAUNCHER = `
import { register } from 'tsx/esm/api';
register();
const { main } = await import('./src/cli/main.ts');
process.exitCode = await main(process.argv.slice(1), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, stdinIsTty: process.stdin.isTTY === true });
`;

interface Command {
  readonly id: string;
  readonly label: string;
  readonly args: readonly string[];
  /** What its stdout must show: proof that the timed process did the work. */
  readonly shows: RegExp;
}

const COMMANDS: readonly Command[] = [
  { id: 'node', label: 'node -e 0', args: ['-e', '0'], shows: /^$/ },
  { id: 'decode', label: 'swapviz decode 0x0 (built)', args: [BIN, 'decode', '0x0'], shows: /^0x0000000000000000 {2}none$/m },
  { id: 'run', label: 'swapviz run S02 (built)', args: [BIN, 'run', 'S02'], shows: /migrate_vma_finalize/ },
  { id: 'tsx', label: 'swapviz decode 0x0 via tsx (old bin)', args: ['--input-type=module', '-e', TSX_LAUNCHER, 'decode', '0x0'], shows: /^0x0000000000000000 {2}none$/m },
];

interface Timed {
  ms: number;
  code: number | null;
  out: string;
  err: string;
}

async function time(c: Command): Promise<Timed> {
  const t0 = performance.now();
  const child = spawn(process.execPath, c.args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
  const outP = text(child.stdout);
  const errP = text(child.stderr);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const ms = performance.now() - t0;
  return { ms, code, out: await outP, err: await errP };
}

log('building the CLI from the current sources (scripts/build-cli.ts)');
const files = await buildCli();
const bundleBytes = files.reduce((s, f) => s + f.bytes, 0);

const checks: BenchCheck[] = [];
const check = (name: string, ok: boolean, detail: string) => {
  checks.push({ name, ok, detail });
  if (!ok) console.error(`CHECK FAILED: ${name}: ${detail}`);
};

const runs = new Map<string, number[]>(COMMANDS.map((c) => [c.id, []]));
const ratios: number[] = [];
log(`${WARMUP} warm-up + ${RUNS} timed rounds of: ${COMMANDS.map((c) => c.label).join('; ')}`);
for (let round = 0; round < WARMUP + RUNS; round++) {
  const times = new Map<string, number>();
  for (const c of COMMANDS) {
    const r = await time(c);
    if (round === 0) check(`${c.label} works`, r.code === 0 && c.shows.test(r.out), `exit ${r.code}, stdout ${JSON.stringify(r.out.slice(0, 120))}, stderr ${JSON.stringify(r.err.slice(0, 200))}`);
    times.set(c.id, r.ms);
  }
  if (round < WARMUP) continue;
  for (const [id, ms] of times) runs.get(id)?.push(ms);
  ratios.push((times.get('decode') ?? NaN) / (times.get('node') ?? NaN));
}

const med = (id: string) => median(runs.get(id) ?? []);
const ratio = med('decode') / med('node');
const tsxRatio = med('tsx') / med('node');
check(`swapviz decode 0x0 starts within ${MAX_RATIO}× of node -e 0`, ratio <= MAX_RATIO, `median ${fmtNum(med('decode'))} ms vs ${fmtNum(med('node'))} ms: ${ratio.toFixed(2)}×`);

const rows: BenchRow[] = [
  ...COMMANDS.map((c): BenchRow => ({ id: c.id, label: c.label, value: med(c.id), unit: 'ms', runs: runs.get(c.id) ?? [] })),
  { id: 'ratio', label: 'decode 0x0 / node -e 0 (medians)', value: ratio, unit: '×', note: `target ≤ ${MAX_RATIO}×; per-round median ${median(ratios).toFixed(2)}×` },
  { id: 'tsx-ratio', label: 'via tsx / node -e 0 (medians)', value: tsxRatio, unit: '×' },
  { id: 'bundle', label: 'dist-cli size', value: bundleBytes / 1024, unit: 'KiB', note: files.map((f) => f.file).join(', ') },
];

console.log('\n' + formatTable(['what', 'median', 'unit', 'runs'], rows.map((r) => [r.label, fmtNum(r.value), r.unit, r.runs ? String(r.runs.length) : ''])));

const ok = checks.every((c) => c.ok);
writeResult(args.out, {
  name: 'cli',
  startedAt,
  durationMs: performance.now() - started,
  env: environment(),
  params: { runs: RUNS, warmup: WARMUP, maxRatio: MAX_RATIO },
  rows,
  checks,
  ok,
});
process.exitCode = ok ? 0 : 1;
