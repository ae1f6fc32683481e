/**
 * Decode throughput, ns per PTE, over one deterministic mix of 1,000,000 x86_64 PTE values
 * (v6.18 numbering: none, present, PROT_NONE, real swap, every special type with realistic
 * offsets, some with flag bits):
 *   (a) the model's fast path classify(k, hi, lo, out) over pre-split halves, kept as Int32Array
 *       words (classify() reads a half with bitwise operations only; V8 boxes an unsigned half
 *       >= 2^31 in a heap number at every call that is not inlined, a signed one it passes as is);
 *   (b) the full decodePte(k, raw) over BigInt values;
 *   (c) the CLI end to end: the values as text lines piped into `node bin/swapviz.mjs decode`
 *       (--json and human; the built CLI, rebuilt from the sources first), wall time including
 *       process startup, nothing subtracted;
 *   (d) bench/decode.c, the same formulas in C (cc -O2), reading the identical binary input.
 * (a), (b), (c) and (d) fold every decoded field into the same checksum; the bench asserts
 * the checksums agree, which shows all four did the same work. (a), (b) and (d) run interleaved,
 * in rounds (see below), and each ratio is the median of the rounds' ratios.
 *
 * decodePte() and the CLI cost tens of microseconds per PTE, so by default (b) and (c) run on the
 * first 100,000 values of the same input (the mix is drawn independently per value, so a prefix
 * has the same composition); `--full` (or BENCH_FULL=1) runs them on all 1,000,000 (several
 * minutes). Other flags: --n, --seed, --runs (rounds of (a), (b), (d)), --slow-runs ((c)), --decode-n, --cli-n.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, createReadStream, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { buildCli } from '../scripts/build-cli.ts';
import { classify, decodePte, DEFAULT_CONFIG, getKernel, newClassified, type DecodedPte } from '../src/model/kernel/index.ts';
import {
  environment, fmtNum, formatTable, intFlag, median, mulberry32, OUT_DIR, parseBenchArgs, ROOT, timeRuns, writeResult,
  type BenchCheck, type BenchRow,
} from './lib.ts';

const started = performance.now();
const startedAt = new Date().toISOString();
const args = parseBenchArgs('decode');
const FULL = args.flags.full === true || process.env.BENCH_FULL === '1';
const N = intFlag(args, 'n', 1_000_000);
const SEED = intFlag(args, 'seed', 0x5eed);
const RUNS = intFlag(args, 'runs', 9);
const SLOW_RUNS = intFlag(args, 'slow-runs', 3);
const DECODE_N = FULL ? N : Math.min(N, intFlag(args, 'decode-n', 100_000));
const CLI_N = FULL ? N : Math.min(N, intFlag(args, 'cli-n', 100_000));
const VERIFY_N = Math.min(N, 2000);
const BIN = join(ROOT, 'bin', 'swapviz.mjs');

mkdirSync(OUT_DIR, { recursive: true });
const k = getKernel('v6.18', DEFAULT_CONFIG, { arch: 'x86_64', paging: 4, migrationAd: true });
const checks: BenchCheck[] = [];
const check = (name: string, ok: boolean, detail: string) => {
  checks.push({ name, ok, detail });
  if (!ok) console.error(`CHECK FAILED: ${name}: ${detail}`);
};
const log = (s: string) => console.log(`[decode] ${s}`);

// ---- the input -----------------------------------------------------------------------------------

/** v6.18 type numbers with every option on (include/linux/swap.h); bench/decode.c has the same table. */
const T = { HWPOISON: 24, MIG_READ: 25, MIG_READ_EXCL: 26, MIG_WRITE: 27, DEV_WRITE: 28, DEV_READ: 29, DEV_EXCL: 30, MARKER: 31 } as const;
const MIG_YOUNG = 1n << 34n;
const MIG_DIRTY = 1n << 35n;
const M40 = (1n << 40n) - 1n;
const M50 = (1n << 50n) - 1n;
const SD = 0x2n;
const UFFD = 0x4n;
const EXCL = 0x8n;

/** x86_64 swap PTE: (type << 59) | ((~off & (2^50 - 1)) << 9) | flags. */
const swapPte = (type: number, off: bigint, flags: bigint) => (BigInt(type) << 59n) | ((~off & M50) << 9n) | flags;

/** Present PTE flag sets seen in real page tables (PAGE_COPY based; RW/RO, A, D, SavedDirty, SD). */
const PRESENT_FLAGS = [
  0x8000000000000867n, // RW, A, D, SD (first write fault)
  0x8400000000000825n, // RO, A, SavedDirty, SD (after fork/mprotect)
  0x8400000000000805n, // RO, old, SavedDirty, SD (fork child)
  0x8000000000000807n, // RW, old, SD (back from migration)
  0x8000000000000025n, // RO, A, clean
  0x0000000000000067n, // executable RW, A, D
];
/** PROT_NONE: PAGE_NONE (_PAGE_PROTNONE | _PAGE_ACCESSED), optionally SavedDirty / soft-dirty. */
const PROTNONE_FLAGS = [0x120n, 0x0400000000000120n, 0x920n];

interface Mix {
  values: BigUint64Array;
  counts: Record<string, number>;
}

function generate(n: number, seed: number): Mix {
  const rnd = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const chance = (p: number) => rnd() < p;
  const pick = <V>(xs: readonly V[]): V => xs[Math.floor(rnd() * xs.length)] as V;
  // RAM PFNs: mostly below 64 GiB, some up to the 46-bit limit (SWP_PFN_MASK 0x3ffffffff)
  const ramPfn = () => BigInt(chance(0.9) ? int(0x100, 0xffffff) : int(0x1000000, 0x3ffffffff));
  // pre-series device-private PFNs sit at the top of the 46-bit space (request_free_mem_region)
  const devPfn = () => BigInt(int(0x3ffff0000, 0x3ffffffff));
  const swFlags = (sd: number, uffd: number) => (chance(sd) ? SD : 0n) | (chance(uffd) ? UFFD : 0n);
  const values = new BigUint64Array(n);
  const counts: Record<string, number> = {};
  const count = (c: string) => (counts[c] = (counts[c] ?? 0) + 1);
  for (let i = 0; i < n; i++) {
    const r = rnd();
    let v: bigint;
    if (r < 0.08) {
      count('none');
      v = chance(0.875) ? 0n : pick([0x20n, 0x40n, 0x60n]); // Knights Landing A/D on an empty PTE
    } else if (r < 0.36) {
      count('present');
      v = (ramPfn() << 12n) | pick(PRESENT_FLAGS);
    } else if (r < 0.4) {
      count('PROT_NONE');
      v = ((~ramPfn() & M40) << 12n) | pick(PROTNONE_FLAGS);
    } else if (r < 0.68) {
      count('swap');
      const type = chance(0.7) ? 0 : chance(0.66) ? 1 : int(2, 23);
      const slot = BigInt(chance(0.9) ? int(1, 1 << 22) : int(1 << 22, 0xffffffff));
      v = swapPte(type, slot, (chance(0.5) ? EXCL : 0n) | swFlags(0.3, 0.03));
    } else {
      const type = int(T.HWPOISON, T.MARKER);
      if (type === T.HWPOISON) {
        count('hwpoison');
        v = swapPte(type, ramPfn(), 0n);
      } else if (type <= T.MIG_WRITE) {
        count('migration');
        // from a present PTE: RAM PFN, maybe young/dirty; from a device-private PTE: device PFN, never A/D
        const fromRam = chance(0.8);
        const off = fromRam ? ramPfn() | (chance(0.7) ? MIG_YOUNG : 0n) | (chance(0.5) ? MIG_DIRTY : 0n) : devPfn();
        v = swapPte(type, off, swFlags(0.4, 0.03));
      } else if (type <= T.DEV_READ) {
        count('device-private');
        v = swapPte(type, devPfn(), swFlags(0.4, 0.03));
      } else if (type === T.DEV_EXCL) {
        count('device-exclusive');
        v = swapPte(type, ramPfn(), swFlags(0.4, 0));
      } else {
        count('pte-marker');
        v = swapPte(type, pick([1n, 1n, 2n, 4n]), 0n);
      }
    }
    values[i] = v;
  }
  return { values, counts };
}

// ---- the checksum (bench/decode.c computes the same) ---------------------------------------------

const SUM_START = 0;
/** Kind codes, in the order of bench/decode.c's enum. */
const KIND: Readonly<Record<string, number>> = {
  none: 0, present: 1, swap: 2, migration: 3, 'device-migration': 4, 'device-private': 5, 'device-exclusive': 6, hwpoison: 7, 'pte-marker': 8,
};

/**
 * Adds one decoded PTE to the checksum: five 32-bit words, each times its own odd constant, summed
 * mod 2^32. The products are independent of each other, so the loop-carried dependency is one add
 * (a serial hash like FNV would cost more than the decode itself in C).
 */
function mixFields(
  h: number, kind: number, type: number, offset: number, pfn: number,
  young: boolean, dirty: boolean, sd: boolean, uffd: boolean, excl: boolean,
): number {
  const w0 = kind | (type << 4) | (young ? 512 : 0) | (dirty ? 1024 : 0) | (sd ? 2048 : 0) | (uffd ? 4096 : 0) | (excl ? 8192 : 0);
  return (
    h +
    Math.imul(w0, 0x9e3779b1) +
    Math.imul(offset >>> 0, 0x85ebca77) +
    Math.imul((offset / 4294967296) >>> 0, 0xc2b2ae3d) +
    Math.imul(pfn >>> 0, 0x27d4eb2f) +
    Math.imul(pfn < 0 ? 0xffffffff : (pfn / 4294967296) >>> 0, 0x165667b1)
  ) >>> 0;
}

function mixDecoded(h: number, d: DecodedPte): number {
  const kind = KIND[d.kind] ?? 15;
  if (d.present) return mixFields(h, kind, 0, 0, d.present.pfn, false, false, d.present.softDirty, d.present.uffdWp, false);
  const s = d.swap;
  if (s) return mixFields(h, kind, s.type, s.offset, s.pfn ?? -1, s.migration?.young ?? false, s.migration?.dirty ?? false, s.softDirty, s.uffdWp, s.exclusive);
  return mixFields(h, kind, 0, 0, -1, false, false, false, false, false);
}

function mixJson(h: number, o: Record<string, unknown>): number {
  const num = (x: unknown) => (typeof x === 'string' ? parseInt(x, 16) : -1);
  return mixFields(
    h, KIND[String(o.kind)] ?? 15, typeof o.type === 'number' ? o.type : 0, typeof o.offset === 'string' ? num(o.offset) : 0, num(o.pfn),
    o.migrationYoung === true, o.migrationDirty === true, o.softDirty === true, o.uffdWp === true, o.exclusive === true,
  );
}

const hex32 = (h: number) => '0x' + (h >>> 0).toString(16).padStart(8, '0');
const hex64 = (v: bigint) => '0x' + v.toString(16).padStart(16, '0');

// ---- generate and write the input ------------------------------------------------------------------

log(`generating ${N.toLocaleString('en-US')} PTEs (seed ${SEED})`);
const { values, counts } = generate(N, SEED);
const binPath = join(OUT_DIR, 'decode-input.bin');
writeFileSync(binPath, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
const lines: string[] = new Array<string>(N);
for (let i = 0; i < N; i++) lines[i] = hex64(values[i] ?? 0n);
const textPath = join(OUT_DIR, 'decode-input.txt');
writeFileSync(textPath, lines.join('\n') + '\n');
const cliPath = CLI_N === N ? textPath : join(OUT_DIR, `decode-input-${CLI_N}.txt`);
if (cliPath !== textPath) writeFileSync(cliPath, lines.slice(0, CLI_N).join('\n') + '\n');
const verifyPath = join(OUT_DIR, 'decode-verify.txt');
writeFileSync(verifyPath, lines.slice(0, VERIFY_N).join('\n') + '\n');
const emptyPath = join(OUT_DIR, 'decode-empty.txt');
writeFileSync(emptyPath, '');

const hi = new Int32Array(N);
const lo = new Int32Array(N);
for (let i = 0; i < N; i++) {
  const v = values[i] ?? 0n;
  hi[i] = Number(v >> 32n);
  lo[i] = Number(v & 0xffffffffn);
}
const bigs: bigint[] = Array.from(values.subarray(0, DECODE_N));
const mixText = Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${((100 * n) / N).toFixed(1)}%`).join(', ');
log(`mix: ${mixText}`);

check('v6.18 type numbers in the bench match the model', (
  [['SWP_HWPOISON', T.HWPOISON], ['SWP_MIGRATION_READ', T.MIG_READ], ['SWP_MIGRATION_WRITE', T.MIG_WRITE], ['SWP_DEVICE_WRITE', T.DEV_WRITE],
    ['SWP_DEVICE_EXCLUSIVE', T.DEV_EXCL], ['SWP_PTE_MARKER', T.MARKER]] as const
).every(([name, n]) => k.typeNumber(name) === n), 'HWPOISON 24 … PTE_MARKER 31');

// ---- (a) classify, (b) decodePte, (d) C: interleaved ---------------------------------------------------
// The ratios are what the bench checks, and this machine's speed drifts from second to second (C alone
// measured 9.9–16.1 ns/PTE in one evening). So (a), (b) and (d) run in rounds, back to back: C once,
// then (a) once, then (b) once; a ratio is the median over the rounds of that round's model/C.

const out = newClassified();
function runClassify(n: number): number {
  let h = SUM_START;
  for (let i = 0; i < n; i++) {
    const c = classify(k, hi[i] as number, lo[i] as number, out);
    h = mixFields(h, c.kind, c.type, c.offset, c.pfn, c.young, c.dirty, c.softDirty, c.uffdWp, c.exclusive);
  }
  return h;
}

function runDecode(n: number): number {
  let h = SUM_START;
  for (let i = 0; i < n; i++) h = mixDecoded(h, decodePte(k, bigs[i] as bigint));
  return h;
}

interface CResult {
  n: number;
  ns_per_pte: number[];
  checksum: number;
  prefix: number;
  prefix_checksum: number;
}
const exe = join(OUT_DIR, 'decode-c');
let cBuilt = false;
try {
  execFileSync('cc', ['-O2', '-o', exe, join(ROOT, 'bench', 'decode.c')], { stdio: ['ignore', 'inherit', 'inherit'] });
  cBuilt = true;
} catch (e) {
  check('C baseline ran', false, `cc -O2 failed or is missing (${(e as Error).message.split('\n')[0]})`);
}
/** One C run (the program warms up twice, then times one pass over all N values). */
function runC(): CResult | null {
  if (!cBuilt) return null;
  try {
    return JSON.parse(execFileSync(exe, [binPath, String(DECODE_N), '1'], { encoding: 'utf8' })) as CResult;
  } catch (e) {
    check('C baseline ran', false, (e as Error).message);
    cBuilt = false;
    return null;
  }
}

log(`warm-up: (a) 3 runs over ${N.toLocaleString('en-US')}, (b) 1 run over ${Math.min(DECODE_N, 20_000).toLocaleString('en-US')}`);
let sumA = 0;
timeRuns(() => (sumA = runClassify(N)), 3, 0);
runDecode(Math.min(DECODE_N, 20_000));
log(`${RUNS} rounds of (d) C over ${N.toLocaleString('en-US')}, (a) classify over ${N.toLocaleString('en-US')}, (b) decodePte over ${DECODE_N.toLocaleString('en-US')}`);
const runsA: number[] = [];
const runsB: number[] = [];
const runsC: number[] = [];
const roundRatiosA: number[] = [];
const roundRatiosB: number[] = [];
let cRes: CResult | null = null;
let sumB = 0;
for (let r = 0; r < RUNS; r++) {
  const c = runC();
  const [a] = timeRuns(() => (sumA = runClassify(N)), 0, 1);
  const [bm] = timeRuns(() => (sumB = runDecode(DECODE_N)), 0, 1);
  runsA.push((a! * 1e6) / N);
  runsB.push((bm! * 1e6) / DECODE_N);
  if (c) {
    const cNs = c.ns_per_pte[0]!;
    runsC.push(cNs);
    roundRatiosA.push(runsA[r]! / cNs);
    roundRatiosB.push(runsB[r]! / cNs);
    if (cRes && (c.checksum !== cRes.checksum || c.prefix_checksum !== cRes.prefix_checksum)) check('C gives the same checksum every round', false, `round ${r + 1}`);
    cRes = c;
  }
}
// (b2) what the bit-layout panel and `swapviz decode` pay on top: every labelled field (reported only)
const FIELDS_N = Math.min(DECODE_N, 20_000);
function runFields(n: number): number {
  let count = 0;
  for (let i = 0; i < n; i++) count += decodePte(k, bigs[i] as bigint).fields.length;
  return count;
}
let fieldCount = runFields(Math.min(FIELDS_N, 2000));
const runsF = timeRuns(() => (fieldCount = runFields(FIELDS_N)), 0, 3).map((ms) => (ms * 1e6) / FIELDS_N);
const sumAPrefix = runClassify(DECODE_N);
const sumAVerify = runClassify(VERIFY_N);
check('decodePte and classify agree', sumB === sumAPrefix, `checksum over the first ${DECODE_N}: decodePte ${hex32(sumB)}, classify ${hex32(sumAPrefix)}`);
if (cRes) {
  check('C and classify agree (all values)', cRes.checksum === sumA, `C ${hex32(cRes.checksum)}, classify ${hex32(sumA)} over ${cRes.n}`);
  check('C and decodePte agree (prefix)', cRes.prefix_checksum === sumB, `C ${hex32(cRes.prefix_checksum)}, decodePte ${hex32(sumB)} over ${cRes.prefix}`);
}

// ---- (c) CLI ----------------------------------------------------------------------------------------

interface CliRun {
  ms: number;
  code: number | null;
  stderr: string;
  stdout: string;
}

async function runCli(cliArgs: readonly string[], input: string, capture: boolean): Promise<CliRun> {
  const devnull = capture ? null : openSync('/dev/null', 'w');
  try {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, 'decode', ...cliArgs], { cwd: ROOT, stdio: ['pipe', devnull ?? 'pipe', 'pipe'] });
    const { stdin, stdout, stderr } = child;
    if (!stdin || !stderr) throw new Error('spawn gave no stdin/stderr pipe');
    stdin.on('error', () => undefined); // EPIPE if the CLI exits early: the exit code tells
    createReadStream(input).pipe(stdin);
    const stdoutP = stdout ? text(stdout) : Promise.resolve('');
    const stderrP = text(stderr);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    const ms = performance.now() - t0;
    return { ms, code, stderr: await stderrP, stdout: await stdoutP };
  } finally {
    if (devnull !== null) closeSync(devnull);
  }
}

const CLI_ARGS = ['--kernel', 'v6.18'];
log('(c) building the CLI from the current sources (scripts/build-cli.ts)');
await buildCli();
const cliRows: { id: string; label: string; runs: number[] }[] = [];

// correctness first, on a small sample: the CLI's JSON carries the same fields as classify's output
{
  const j = await runCli([...CLI_ARGS, '--json'], verifyPath, true);
  const objs = j.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  let h = SUM_START;
  for (const o of objs) h = mixJson(h, o);
  check('CLI --json output matches classify', j.code === 0 && objs.length === VERIFY_N && h === sumAVerify,
    `exit ${j.code}, ${objs.length} objects for ${VERIFY_N} lines, checksum ${hex32(h)} vs ${hex32(sumAVerify)}${j.stderr ? `, stderr: ${j.stderr.slice(0, 200)}` : ''}`);
  const hm = await runCli(CLI_ARGS, verifyPath, true);
  const heads = hm.stdout.split('\n').filter((l) => l.startsWith('0x')).length;
  check('CLI human output has one entry per line', hm.code === 0 && heads === VERIFY_N, `exit ${hm.code}, ${heads} entries for ${VERIFY_N} lines`);
}

log(`(c) CLI startup: ${SLOW_RUNS} runs with empty stdin`);
const startup: number[] = [];
for (let r = 0; r < SLOW_RUNS; r++) startup.push((await runCli(CLI_ARGS, emptyPath, false)).ms);

for (const [id, label, extra] of [
  ['cli-json', '(c) CLI decode --json, incl. startup', ['--json']],
  ['cli-human', '(c) CLI decode (human), incl. startup', []],
] as const) {
  log(`${label}: ${SLOW_RUNS} runs over ${CLI_N.toLocaleString('en-US')} lines`);
  const runs: number[] = [];
  for (let r = 0; r < SLOW_RUNS; r++) {
    const res = await runCli([...CLI_ARGS, ...extra], cliPath, false);
    if (res.code !== 0 || res.stderr !== '') check(`${id} run ${r + 1}`, false, `exit ${res.code}, stderr: ${res.stderr.slice(0, 300)}`);
    runs.push((res.ms * 1e6) / CLI_N);
  }
  cliRows.push({ id, label, runs });
}

// ---- report -----------------------------------------------------------------------------------------

const medA = median(runsA);
const medB = median(runsB);
const medC = runsC.length ? median(runsC) : null;
/** The median over the rounds of (model / C) in the same round. */
const ratioA = roundRatiosA.length ? median(roundRatiosA) : null;
const ratioB = roundRatiosB.length ? median(roundRatiosB) : null;
const prefixNote = (n: number) => (n === N ? undefined : `first ${n.toLocaleString('en-US')} of the ${N.toLocaleString('en-US')} values (--full for all)`);
const rows: BenchRow[] = [
  { id: 'classify', label: '(a) model classify(k, hi, lo, out)', value: medA, unit: 'ns/PTE', n: N, runs: runsA },
  { id: 'decodePte', label: '(b) model decodePte(k, raw)', value: medB, unit: 'ns/PTE', n: DECODE_N, runs: runsB, ...(prefixNote(DECODE_N) ? { note: prefixNote(DECODE_N) } : {}) },
  { id: 'decodePte-fields', label: '(b2) decodePte(k, raw).fields (every labelled field)', value: median(runsF), unit: 'ns/PTE', n: FIELDS_N, runs: runsF, note: `${(fieldCount / FIELDS_N).toFixed(1)} fields per PTE` },
  ...cliRows.map((c): BenchRow => ({ id: c.id, label: c.label, value: median(c.runs), unit: 'ns/PTE', n: CLI_N, runs: c.runs, ...(prefixNote(CLI_N) ? { note: prefixNote(CLI_N) } : {}) })),
  { id: 'cli-startup', label: '    CLI startup alone (empty stdin)', value: median(startup), unit: 'ms', n: 0, runs: startup },
  { id: 'c', label: '(d) C, cc -O2', value: medC, unit: 'ns/PTE', n: N, runs: runsC },
  { id: 'ratio-classify', label: 'ratio (a)/(d), median over rounds', value: ratioA, unit: '×', runs: roundRatiosA },
  { id: 'ratio-decodePte', label: 'ratio (b)/(d), median over rounds', value: ratioB, unit: '×', runs: roundRatiosB },
];
if (ratioA !== null && ratioB !== null) {
  check('classify is within 5× of C', ratioA <= 5, `${ratioA.toFixed(2)}× (rounds: ${roundRatiosA.map((x) => x.toFixed(2)).join(', ')})`);
  check('decodePte is within 50× of C', ratioB <= 50, `${ratioB.toFixed(1)}× (rounds: ${roundRatiosB.map((x) => x.toFixed(1)).join(', ')})`);
}

const table = formatTable(
  ['what', 'PTEs', 'median', 'unit', 'runs', 'model/C'],
  [
    ['(a) classify(k, hi, lo, out)', N.toLocaleString('en-US'), fmtNum(medA), 'ns/PTE', String(runsA.length), ratioA === null ? 'n/a' : `${fmtNum(ratioA)}×`],
    ['(b) decodePte(k, raw)', DECODE_N.toLocaleString('en-US'), fmtNum(medB), 'ns/PTE', String(runsB.length), ratioB === null ? 'n/a' : `${fmtNum(ratioB)}×`],
    ['(b2) decodePte(k, raw).fields', FIELDS_N.toLocaleString('en-US'), fmtNum(median(runsF)), 'ns/PTE', String(runsF.length), ''],
    ...cliRows.map((c) => [c.label.replace(', incl. startup', ' (+startup)'), CLI_N.toLocaleString('en-US'), fmtNum(median(c.runs)), 'ns/PTE', String(c.runs.length), '']),
    ['    CLI startup alone', '0', fmtNum(median(startup)), 'ms', String(startup.length), ''],
    ['(d) C, cc -O2', N.toLocaleString('en-US'), fmtNum(medC), 'ns/PTE', String(runsC.length), medC === null ? 'n/a' : '1×'],
  ],
);
console.log(`\ndecode benchmark: ${N.toLocaleString('en-US')} x86_64 PTEs, seed ${SEED}, v6.18 numbering\nmix: ${mixText}\n\n${table}\n`);
for (const c of checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);

const ok = checks.every((c) => c.ok);
writeResult(args.out, {
  name: 'decode',
  startedAt,
  durationMs: Math.round(performance.now() - started),
  env: environment(),
  params: { n: N, seed: SEED, runs: RUNS, slowRuns: SLOW_RUNS, decodeN: DECODE_N, cliN: CLI_N, full: FULL, mix: counts, checksum: hex32(sumA) },
  rows,
  checks,
  ok,
});
log(`wrote ${args.out} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
process.exitCode = ok ? 0 : 1;
