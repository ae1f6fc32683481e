/**
 * Capture throughput, pages per second, on a live process with 1,000,000 pages in one mapping
 * (bench/capture-target.c, built with cc: every 16th page written, 16 guard markers at the end,
 * the rest untouched):
 *   (a) the floor: reading the mapping's /proc/PID/pagemap in the same chunks, nothing else;
 *   (b) capture() in-process, to a snapshot file (maps, pagemap, kpageflags when readable,
 *       base64, the temp file and the rename), and again with --no-kpageflags;
 *   (c) `node bin/swapviz.mjs capture PID --range … --out FILE`, wall time including startup;
 *   (d) parseSnapshot() of the written file's text (what the app does on Import);
 *   (e) classifyPagemap() over every record of the parsed snapshot (the app's per-row kind).
 * Checks: the snapshot parses, has every page, and as many present and guard pages as were made.
 * Flags: --n PAGES, --stride N, --runs N.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, statSync, openSync, closeSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { classifyPagemap, newPagemapClassified } from '../src/model/kernel/index.ts';
import { capture, CHUNK_PAGES } from '../src/cli/capture.ts';
import { parseSnapshot, snapshotKernel } from '../src/snapshot/index.ts';
import {
  environment, fmtNum, formatTable, intFlag, median, OUT_DIR, parseBenchArgs, ROOT, writeResult, type BenchCheck, type BenchRow,
} from './lib.ts';

const started = performance.now();
const startedAt = new Date().toISOString();
const args = parseBenchArgs('capture');
const N = intFlag(args, 'n', 1_000_000);
const STRIDE = intFlag(args, 'stride', 16);
const RUNS = intFlag(args, 'runs', 5);
const checks: BenchCheck[] = [];
const check = (name: string, ok: boolean, detail: string) => {
  checks.push({ name, ok, detail });
  if (!ok) console.error(`CHECK FAILED: ${name}: ${detail}`);
};
const log = (s: string) => console.log(`[capture] ${s}`);

const exe = join(OUT_DIR, 'capture-target');
execFileSync('cc', ['-O2', '-o', exe, join(ROOT, 'bench', 'capture-target.c')], { stdio: ['ignore', 'inherit', 'inherit'] });
const child = spawn(exe, [String(N), String(STRIDE)], { stdio: ['pipe', 'pipe', 'inherit'] });
const line = await new Promise<string>((resolve, reject) => {
  createInterface({ input: child.stdout }).once('line', resolve);
  child.once('exit', (code) => reject(new Error(`capture-target exited with ${code}`)));
});
const m = /^pid=(\d+) addr=(0x[0-9a-f]+) pages=(\d+) written=(\d+) guard=(\d+)/.exec(line);
if (!m) throw new Error(`capture-target printed "${line}"`);
const pid = Number(m[1]);
const addr = BigInt(m[2]!);
const written = Number(m[4]);
const guard = Number(m[5]);
const range = { start: addr, end: addr + BigInt(N) * 4096n };
const rangeText = `0x${range.start.toString(16)}-0x${range.end.toString(16)}`;
log(`pid ${pid}: ${N.toLocaleString('en-US')} pages at ${rangeText}, ${written.toLocaleString('en-US')} written, ${guard} guard`);

try {
  // (a) the floor: pagemap alone
  const raw = (): void => {
    const fd = openSync(`/proc/${pid}/pagemap`, 'r');
    const buf = Buffer.alloc(CHUNK_PAGES * 8);
    const first = addr / 4096n;
    for (let done = 0; done < N; done += CHUNK_PAGES) {
      const n = Math.min(CHUNK_PAGES, N - done) * 8;
      let got = 0;
      while (got < n) {
        const r = readSync(fd, buf, got, n - got, (first + BigInt(done)) * 8n + BigInt(got));
        if (r === 0) throw new Error('pagemap ended early');
        got += r;
      }
    }
    closeSync(fd);
  };
  const timed = async (fn: () => unknown, runs: number, warm = 1): Promise<number[]> => {
    for (let i = 0; i < warm; i++) await fn();
    const out: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await fn();
      out.push(performance.now() - t0);
    }
    return out;
  };
  log(`(a) raw pagemap read: 1 warm-up + ${RUNS} runs`);
  const rawMs = await timed(raw, RUNS);

  // (b) capture() in-process
  const out = join(OUT_DIR, 'capture-snapshot.json');
  let kpf = false;
  log(`(b) capture(): 1 warm-up + ${RUNS} runs`);
  const capMs = await timed(async () => {
    const r = await capture({ pid, range, out }, { stdout: new PassThrough() });
    kpf = r.kpageflags;
  }, RUNS);
  const size = statSync(out).size;
  const outBare = join(OUT_DIR, 'capture-snapshot-bare.json');
  log(`(b) capture() --no-kpageflags: 1 warm-up + ${RUNS} runs`);
  const bareMs = await timed(() => capture({ pid, range, out: outBare, kpageflags: false }, { stdout: new PassThrough() }), RUNS);
  const bareSize = statSync(outBare).size;

  // (c) the CLI end to end
  log(`(c) CLI capture: ${Math.min(RUNS, 3)} runs`);
  const cliOut = join(OUT_DIR, 'capture-snapshot-cli.json');
  const cliMs = await timed(() => new Promise<void>((resolve, reject) => {
    const c = spawn(process.execPath, [join(ROOT, 'bin', 'swapviz.mjs'), 'capture', String(pid), '--range', rangeText, '--out', cliOut], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`CLI capture exited ${code}: ${err}`))));
  }), Math.min(RUNS, 3), 0);
  check('CLI capture wrote the same number of bytes as capture()', Math.abs(statSync(cliOut).size - size) < 200, `${statSync(cliOut).size} vs ${size} bytes`);

  // (d) parseSnapshot
  const textIn = readFileSync(out, 'utf8');
  log(`(d) parseSnapshot: 1 warm-up + ${RUNS} runs over ${(size / 1e6).toFixed(1)} MB`);
  let parsed = parseSnapshot(textIn);
  const parseMs = await timed(() => (parsed = parseSnapshot(textIn)), RUNS);
  if (!parsed.ok) throw new Error(`the snapshot does not parse: ${parsed.error}`);
  const s = parsed.snapshot;

  // (e) classifyPagemap over every record
  const k = snapshotKernel(s);
  const c = newPagemapClassified();
  let present = 0;
  let guards = 0;
  const classifyAll = () => {
    present = 0;
    guards = 0;
    const { hi, lo } = s.records;
    for (let i = 0; i < s.pageCount; i++) {
      classifyPagemap(k, hi[i]!, lo[i]!, s.pfnVisible, c);
      if (c.present) present++;
      if (c.guard) guards++;
    }
  };
  log(`(e) classifyPagemap: 1 warm-up + ${RUNS} runs`);
  const classMs = await timed(classifyAll, RUNS);

  check('the snapshot has every page', s.pageCount === N, `${s.pageCount} of ${N}`);
  check('present pages are the written ones', present === written, `${present} present, ${written} written`);
  check('guard pages are guard markers', guards === guard, `${guards} with PM_GUARD_REGION, ${guard} installed`);

  const pps = (ms: number[]) => N / (median(ms) / 1000);
  const rows: BenchRow[] = [
    { id: 'raw', label: '(a) pagemap read alone', value: pps(rawMs), unit: 'pages/s', n: N, runs: rawMs.map((ms) => N / (ms / 1000)) },
    { id: 'capture', label: '(b) capture() to a file', value: pps(capMs), unit: 'pages/s', n: N, runs: capMs.map((ms) => N / (ms / 1000)), note: `${median(capMs).toFixed(0)} ms, ${(size / 1e6).toFixed(1)} MB, kpageflags ${kpf ? 'yes' : 'no'}` },
    { id: 'capture-bare', label: '(b) capture() --no-kpageflags', value: pps(bareMs), unit: 'pages/s', n: N, runs: bareMs.map((ms) => N / (ms / 1000)), note: `${median(bareMs).toFixed(0)} ms, ${(bareSize / 1e6).toFixed(1)} MB` },
    { id: 'cli', label: '(c) CLI capture, incl. startup', value: pps(cliMs), unit: 'pages/s', n: N, runs: cliMs.map((ms) => N / (ms / 1000)), note: `${median(cliMs).toFixed(0)} ms` },
    { id: 'parse', label: '(d) parseSnapshot()', value: median(parseMs), unit: 'ms', n: N, runs: parseMs },
    { id: 'classify', label: '(e) classifyPagemap() per record', value: (median(classMs) * 1e6) / N, unit: 'ns/record', n: N, runs: classMs.map((ms) => (ms * 1e6) / N) },
  ];
  console.log(`\ncapture benchmark: ${N.toLocaleString('en-US')} pages, every ${STRIDE}th written, kpageflags ${kpf ? 'read' : 'not readable'}\n`);
  console.log(formatTable(['what', 'median', 'unit', 'runs'], rows.map((r) => [r.label, fmtNum(r.value), r.unit, String(r.runs?.length ?? 0)])));
  for (const ch of checks) console.log(`${ch.ok ? 'ok  ' : 'FAIL'} ${ch.name}: ${ch.detail}`);
  const ok = checks.every((ch) => ch.ok);
  writeResult(args.out, {
    name: 'capture', startedAt, durationMs: Math.round(performance.now() - started), env: environment(),
    params: { n: N, stride: STRIDE, runs: RUNS, written, guard, kpageflags: kpf, snapshotBytes: size }, rows, checks, ok,
  });
  process.exitCode = ok ? 0 : 1;
} finally {
  child.stdin.end();
  child.kill();
}
