#!/usr/bin/env node
// Runs the swapviz benchmarks (`npm run bench`) and summarises them.
//
//   node bench/run.mjs                  every bench in BENCHES
//   node bench/run.mjs decode links     only these
//   node bench/run.mjs --list           what there is
//   node bench/run.mjs decode -- --full extra arguments after `--` go to every bench script
//
// Each script runs in its own process as `node --import tsx <script> --out bench/out/<name>.json`
// (see bench/lib.ts for the result format). A listed script that does not exist yet is skipped
// with a note. The combined results go to bench/out/summary.json (git-ignored).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Add new benchmarks here: name (used for bench/out/<name>.json), script (relative to the repo). */
export const BENCHES = [
  { name: 'decode', script: 'bench/decode.bench.ts', about: 'PTE decode: classify, decodePte, the CLI, and a C baseline' },
  { name: 'cli', script: 'bench/cli.bench.ts', about: 'CLI startup: swapviz decode 0x0 against node -e 0 (ratio), the old tsx launcher' },
  { name: 'machine', script: 'bench/machine.bench.ts', about: 'the migration state machine' },
  { name: 'browser', script: 'bench/browser.bench.ts', about: 'the UI in a browser' },
  { name: 'links', script: 'bench/links.bench.ts', about: 'share-link encode/decode' },
  { name: 'capture', script: 'bench/capture.bench.ts', about: 'swapviz capture of a live 1,000,000-page process (pages/s), and loading the snapshot' },
];

/** A script that runs longer than this is stopped and reported as failed. */
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 15 * 60 * 1000);

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const OUT_DIR = join(ROOT, 'bench', 'out');

function parseArgv(argv) {
  const dash = argv.indexOf('--');
  const own = dash < 0 ? argv : argv.slice(0, dash);
  const extra = dash < 0 ? [] : argv.slice(dash + 1);
  const list = own.includes('--list');
  const names = own.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !BENCHES.some((b) => b.name === n));
  if (unknown.length) {
    console.error(`bench: unknown bench ${unknown.map((n) => `"${n}"`).join(', ')} (known: ${BENCHES.map((b) => b.name).join(', ')})`);
    process.exit(2);
  }
  return { list, names, extra };
}

function runScript(bench, outPath, extra) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', bench.script, '--out', outPath, ...extra], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    const timer = setTimeout(() => {
      console.error(`bench: ${bench.name} ran longer than ${TIMEOUT_MS / 1000} s, stopping it (pid ${child.pid})`);
      child.kill('SIGTERM');
    }, TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, error: e.message, ms: performance.now() - t0 });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, error: null, ms: performance.now() - t0 });
    });
  });
}

function fmt(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

function table(header, rows) {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length)));
  const right = header.map((_, i) => i > 0 && rows.every((r) => /^[-\d.,×]*$|^n\/a$/.test(String(r[i] ?? ''))));
  const line = (r) => r.map((c, i) => (right[i] ? String(c ?? '').padStart(w[i]) : String(c ?? '').padEnd(w[i]))).join('  ').trimEnd();
  return [line(header), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

async function main() {
  const { list, names, extra } = parseArgv(process.argv.slice(2));
  if (list) {
    for (const b of BENCHES) console.log(`${b.name.padEnd(10)} ${existsSync(join(ROOT, b.script)) ? '        ' : '(absent)'} ${b.script}  ${b.about}`);
    return 0;
  }
  mkdirSync(OUT_DIR, { recursive: true });
  const selected = names.length ? BENCHES.filter((b) => names.includes(b.name)) : BENCHES;
  const startedAt = new Date().toISOString();
  const results = [];
  for (const bench of selected) {
    if (!existsSync(join(ROOT, bench.script))) {
      console.log(`bench: skipping ${bench.name}: ${bench.script} does not exist yet`);
      results.push({ name: bench.name, script: bench.script, status: 'skipped', note: `${bench.script} does not exist yet` });
      continue;
    }
    const outPath = join(OUT_DIR, `${bench.name}.json`);
    console.log(`\nbench: ${bench.name} (${bench.script})`);
    const run = await runScript(bench, outPath, extra);
    let result = null;
    let note = '';
    try {
      result = JSON.parse(readFileSync(outPath, 'utf8'));
      if (Date.parse(result.startedAt) < Date.parse(startedAt)) {
        result = null;
        note = `${relative(ROOT, outPath)} is from an earlier run`;
      }
    } catch {
      note = `no result at ${relative(ROOT, outPath)}`;
    }
    const failedChecks = (result?.checks ?? []).filter((c) => !c.ok).map((c) => c.name);
    const ok = run.code === 0 && result !== null && result.ok !== false && failedChecks.length === 0;
    if (run.error) note = `could not start: ${run.error}`;
    else if (run.signal) note = `killed by ${run.signal}`;
    else if (run.code !== 0) note = note || `exit code ${run.code}`;
    if (failedChecks.length) note = [note, `failed checks: ${failedChecks.join(', ')}`].filter(Boolean).join('; ');
    results.push({ name: bench.name, script: bench.script, status: ok ? 'ok' : 'failed', note, seconds: Number((run.ms / 1000).toFixed(1)), result });
  }

  console.log(`\n== bench summary (${new Date().toISOString()}) ==`);
  const rows = [];
  for (const r of results) {
    if (r.status === 'skipped') {
      rows.push([r.name, 'skipped', '', '', r.note]);
      continue;
    }
    if (!r.result) {
      rows.push([r.name, r.status, '', '', r.note]);
      continue;
    }
    for (const row of r.result.rows ?? []) {
      rows.push([r.name, row.label.trim(), fmt(row.value), row.unit ?? '', [row.n ? `n=${row.n}` : '', row.note ?? ''].filter(Boolean).join(', ')]);
    }
    rows.push([r.name, `${r.status} in ${r.seconds} s`, '', '', r.note]);
  }
  console.log(table(['bench', 'what', 'value', 'unit', 'note'], rows));

  const summaryPath = join(OUT_DIR, 'summary.json');
  writeFileSync(summaryPath, JSON.stringify({
    startedAt,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    loadavg1: loadavg()[0],
    results,
  }, null, 2) + '\n');
  console.log(`\nbench: wrote ${relative(ROOT, summaryPath)}`);
  return results.some((r) => r.status === 'failed') ? 1 : 0;
}

process.exitCode = await main();
