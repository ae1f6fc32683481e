/**
 * Shared helpers for bench scripts run by bench/run.mjs.
 *
 * Contract with the orchestrator: a bench script is run as
 *   node --import tsx bench/<name>.bench.ts --out bench/out/<name>.json [extra args]
 * prints whatever it likes, writes one BenchResult as JSON to the --out path, and exits 0 when
 * every check passed (non-zero otherwise). `rows` are the numbers the summary table shows.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Event, Scenario } from '../src/model/index.ts';
import { mulberry32 } from '../src/share/sample.ts';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const ROOT = dirname(BENCH_DIR);
export const OUT_DIR = join(BENCH_DIR, 'out');

export interface BenchRow {
  readonly id: string;
  readonly label: string;
  /** The headline number (median), in `unit`. */
  readonly value: number | null;
  readonly unit: string;
  /** Items per run (PTEs, steps, …). */
  readonly n?: number;
  /** Every measured run, in `unit`. */
  readonly runs?: readonly number[];
  readonly note?: string;
}

export interface BenchCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface BenchResult {
  readonly name: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly env: Readonly<Record<string, string | number>>;
  readonly params: Readonly<Record<string, unknown>>;
  readonly rows: readonly BenchRow[];
  readonly checks: readonly BenchCheck[];
  readonly ok: boolean;
}

export interface BenchArgs {
  /** Where to write the BenchResult JSON. */
  readonly out: string;
  /** Every other `--flag [value]`, flags without a value are `true`. */
  readonly flags: Readonly<Record<string, string | true>>;
}

export function parseBenchArgs(name: string, argv: readonly string[] = process.argv.slice(2)): BenchArgs {
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}"`);
    const eq = a.indexOf('=');
    if (eq > 0) {
      flags[a.slice(2, eq)] = a.slice(eq + 1);
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      flags[a.slice(2)] = next;
      i++;
    } else {
      flags[a.slice(2)] = true;
    }
  }
  const out = typeof flags.out === 'string' ? flags.out : join(OUT_DIR, `${name}.json`);
  delete flags.out;
  return { out, flags };
}

/** A positive integer flag, or the default. */
export function intFlag(args: BenchArgs, name: string, dflt: number): number {
  const v = args.flags[name];
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, not "${String(v)}"`);
  return n;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
}

/** Runs `fn` `warmup` times untimed, then `runs` times timed; returns each timed run in ms. */
export function timeRuns(fn: () => void, warmup: number, runs: number): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1) (shared with the link tests). */
export { mulberry32 } from '../src/share/sample.ts';

/** A long, valid log: the device round trip, fork-free, over rotating PTEs of a 512-PTE range. */
export function longScenario(n: number, seed: number): Scenario {
  const rnd = mulberry32(seed);
  const events: Event[] = [];
  const pte = () => Math.floor(rnd() * 512);
  while (events.length < n) {
    const i = pte();
    const r = rnd();
    if (r < 0.5) {
      events.push(
        { type: 'cpu_fault', pid: 1, index: i, access: 'write' },
        { type: 'migrate_vma_setup', pid: 1, start: i, pages: 1, select: 'system', device: 0 },
        { type: 'migrate_vma_pages' },
        { type: 'migrate_vma_finalize' },
        { type: 'cpu_fault', pid: 1, index: i, access: 'read' },
        { type: 'migrate_vma_pages' },
        { type: 'migrate_vma_finalize' },
      );
    } else if (r < 0.7) {
      events.push({ type: 'cpu_access', pid: 1, start: i, pages: 1, access: 'write' }, { type: 'swap_out', pid: 1, start: i, pages: 1 }, { type: 'cpu_fault', pid: 1, index: i, access: 'read' });
    } else if (r < 0.85) {
      events.push({ type: 'cpu_access', pid: 1, start: i, pages: 1, access: 'write' }, { type: 'migrate_folio_unmap', pid: 1, index: i }, { type: 'migrate_folio_move' });
    } else {
      events.push({ type: 'cpu_access', pid: 1, start: i, pages: 1, access: 'read' }, { type: 'munmap', pid: 1, start: i, pages: 1 }, { type: 'mmap', pid: 1, start: i, pages: 1, prot: 'rw' });
    }
  }
  return {
    schema: 1, id: 'bench', title: 'bench', description: '', source: 'bench',
    setup: { ptes: 512, processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: 512 }] }], ram: ['0x10000'], devices: [{ first: '0x0', physFirst: '0x3ffff0000', pages: 1024 }] },
    events: events.slice(0, n),
    focus: { pid: 1, index: 0 },
  };
}


export function environment(): Record<string, string | number> {
  const c = cpus();
  let cc = 'none';
  try {
    cc = execFileSync('cc', ['--version'], { encoding: 'utf8' }).split('\n')[0] ?? 'unknown';
  } catch {
    // no C compiler: benches that need one report it
  }
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: c[0]?.model ?? 'unknown',
    cpus: c.length,
    loadavg1: Number((loadavg()[0] ?? 0).toFixed(2)),
    cc,
  };
}

export function writeResult(path: string, r: BenchResult): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(r, null, 2) + '\n');
}

/** A plain-text table with right-aligned numeric columns. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.every((r) => /^[-\d.,x×]+$|^n\/a$|^$/.test(r[i] ?? '')));
  const fmt = (r: readonly string[]) =>
    r.map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

/** A number with a sensible number of digits for a table. */
export function fmtNum(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}
