#!/usr/bin/env node
/**
 * npm run mutation [files, folders or globs] [-- stryker options]
 *
 * Runs StrykerJS (stryker.config.mjs) on the given files (default: the config's `mutate` set, the
 * kernel model and the machine), then prints a per-file table from the JSON report: mutation score,
 * killed, survived, timeout, no coverage. Incremental: a rerun only tests mutants whose code or tests
 * changed.
 *
 *   npm run mutation                                   # everything in stryker.config.mjs
 *   npm run mutation src/model/kernel/decode.ts        # one file
 *   npm run mutation src/model/machine/mm              # a folder (its *.ts, tests excluded)
 *   npm run mutation -- --force src/model/kernel       # forget the incremental results
 *   npm run mutation -- --table src/model/kernel       # only print the table of the last report
 *   npm run mutation -- --survivors src/model/kernel   # also list every surviving mutant
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const REPORT = 'reports/mutation/mutation.json';
const args = process.argv.slice(2);
const own = new Set(['--table', '--survivors']);
/** Stryker's flags that take no value; any other option may be followed by its value (`--concurrency 1`). */
const FLAGS = new Set(['--force', '--dryRunOnly', '--allowEmpty', '--inPlace', '--cleanTempDir', '--disableBail', '--ignoreStatic', '--incremental']);
/** Options whose value is often an existing path: their next argument is always the value. */
const PATH_OPTIONS = new Set(['--incrementalFile', '--tempDirName', '--ignorePatterns']);
const strykerArgs = [];
const targets = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (own.has(a)) continue;
  if (a.startsWith('-')) {
    strykerArgs.push(a);
    const next = args[i + 1];
    // A value, not a file to mutate: `--concurrency 1`, `--logLevel debug`.
    const takesValue = PATH_OPTIONS.has(a) || (!FLAGS.has(a) && !existsSync(next ?? '') && !(next ?? '').includes('*'));
    if (!a.includes('=') && next !== undefined && !next.startsWith('-') && takesValue) {
      strykerArgs.push(next);
      i++;
    }
  } else {
    targets.push(a.replace(/\/+$/, ''));
  }
}
const tableOnly = args.includes('--table');
const listSurvivors = args.includes('--survivors');

const isDir = (p) => existsSync(p) && statSync(p).isDirectory();
/** What Stryker should mutate for one argument: a folder means its TypeScript sources, tests excluded. */
const patternsOf = (t) => (isDir(t) ? [`${t}/**/*.ts`] : [t]);

if (!tableOnly) {
  const run = ['run', 'stryker.config.mjs', ...strykerArgs];
  if (targets.length) run.push('--mutate', [...targets.flatMap(patternsOf), '!**/*.test.ts'].join(','));
  const bin = path.join('node_modules', '.bin', process.platform === 'win32' ? 'stryker.cmd' : 'stryker');
  const r = spawnSync(bin, run, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!existsSync(REPORT)) {
  console.error(`no report at ${REPORT}: run \`npm run mutation\` first`);
  process.exit(1);
}

/** A tiny glob matcher (`**`, `*`) for picking the report rows that belong to the arguments. */
function globRegex(glob) {
  const re = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\/?/g, '\0').replace(/\*/g, '[^/]*').replace(/\0/g, '.*');
  return new RegExp(`^${re}$`);
}
const matchers = targets.map((t) => {
  if (isDir(t)) return (f) => f.startsWith(`${t}/`);
  if (t.includes('*')) {
    const re = globRegex(t);
    return (f) => re.test(f);
  }
  return (f) => f === t;
});
const wanted = (f) => matchers.length === 0 || matchers.some((m) => m(f));

const report = JSON.parse(readFileSync(REPORT, 'utf8'));
const rows = [];
const survivors = [];
for (const [file, result] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  if (!wanted(file)) continue;
  const n = { Killed: 0, Survived: 0, Timeout: 0, NoCoverage: 0, Ignored: 0, other: 0 };
  for (const m of result.mutants) {
    if (m.status in n) n[m.status]++;
    else n.other++;
    if (m.status === 'Survived' || m.status === 'NoCoverage') survivors.push({ file, m });
  }
  rows.push({ file, ...n });
}

const score = (r) => {
  const detected = r.Killed + r.Timeout;
  const valid = detected + r.Survived + r.NoCoverage;
  return valid === 0 ? 'n/a' : `${((100 * detected) / valid).toFixed(1)} %`;
};
const total = rows.reduce((t, r) => {
  for (const k of ['Killed', 'Survived', 'Timeout', 'NoCoverage', 'Ignored', 'other']) t[k] += r[k];
  return t;
}, { file: `total (${rows.length} files)`, Killed: 0, Survived: 0, Timeout: 0, NoCoverage: 0, Ignored: 0, other: 0 });

const head = ['file', 'score', 'killed', 'survived', 'timeout', 'no coverage', 'ignored'];
const line = (r) => [r.file, score(r), r.Killed, r.Survived, r.Timeout, r.NoCoverage, r.Ignored].map(String);
const body = [...rows.map(line), line(total)];
const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
const fmt = (cells) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
console.log('');
console.log(fmt(head));
console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
for (const b of body.slice(0, -1)) console.log(fmt(b));
console.log(fmt(body.at(-1)));
console.log(`\nscore = (killed + timeout) / (killed + timeout + survived + no coverage); report: ${REPORT}, reports/mutation/mutation.html`);

if (listSurvivors) {
  console.log('');
  for (const { file, m } of survivors) {
    const at = `${file}:${m.location.start.line}:${m.location.start.column}`;
    console.log(`${m.status.padEnd(10)} ${at}  ${m.mutatorName}: ${JSON.stringify(m.replacement ?? '').slice(0, 100)}`);
  }
}
