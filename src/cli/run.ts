/**
 * `swapviz run SCENARIO`: replays a built-in scenario, a scenario JSON file or a share link, and
 * prints every step's event, the kernel functions that ran and the PTEs they changed (one JSON
 * object per step with --json).
 */
import { readFileSync, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  checkExpectation, checkInvariants, DEFAULT_CONFIG, DEFAULT_PLATFORM, describeEvent, findScenario, hex64, isProfileId,
  parseScenarioJson, PROFILE_IDS, SCENARIOS, decodePte, kernelOf, describeConfig, describePlatform,
  type KernelConfig, type Platform, type ProfileId, type KernelOptions, type Scenario,
} from '../model/index.ts';
import { timelineFor } from '../derive/index.ts';
import { decodeLink } from '../share/index.ts';
import { USAGE, type Io } from './main.ts';
import { UsageError } from './errors.ts';

function write(s: Io['stdout'], text: string): void {
  s.write(text.endsWith('\n') ? text : text + '\n');
}

interface Loaded {
  scenario: Scenario;
  options: KernelOptions;
  cursor: number | null;
}

function looksLikeLink(s: string): boolean {
  return s.includes('#') || /(^|&)v=\d/.test(s);
}

function load(arg: string): Loaded {
  const builtin = findScenario(arg);
  if (builtin) {
    return { scenario: builtin, options: { profile: builtin.profile ?? 'rfc', config: DEFAULT_CONFIG, platform: DEFAULT_PLATFORM }, cursor: null };
  }
  if (existsSync(arg)) {
    let text: string;
    try {
      text = readFileSync(arg, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read ${arg}: ${(e as Error).message}`);
    }
    const r = parseScenarioJson(text, arg);
    if (!r.ok) throw new UsageError(r.error);
    return { scenario: r.scenario, options: { profile: r.scenario.profile ?? 'rfc', config: DEFAULT_CONFIG, platform: DEFAULT_PLATFORM }, cursor: null };
  }
  if (looksLikeLink(arg)) {
    const r = decodeLink(arg);
    if (!r.ok) throw new UsageError(`the link cannot be opened: ${r.error}`);
    return { scenario: r.state.scenario, options: r.state.options, cursor: r.state.cursor };
  }
  throw new UsageError(`"${arg.slice(0, 60)}" is not a built-in scenario (try: swapviz scenarios), a file, or a share link`);
}

export async function runCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      kernel: { type: 'string' },
      paging: { type: 'string' },
      'no-migration-ad': { type: 'boolean' },
      'no-device-private': { type: 'boolean' },
      'no-migration': { type: 'boolean' },
      'no-memory-failure': { type: 'boolean' },
      json: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      trace: { type: 'boolean', default: true },
      'no-trace': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    write(io.stdout, USAGE);
    return 0;
  }
  if (values.list) {
    for (const s of SCENARIOS) write(io.stdout, values.json ? JSON.stringify({ id: s.id, title: s.title, description: s.description, events: s.events.length }) : `${s.id.padEnd(32)} ${s.title}`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('run needs exactly one SCENARIO: a built-in name (S02, hmm_migrate, …), a JSON file or a share link');
  const loaded = load(positionals[0]!);
  const o = loaded.options;
  let profile: ProfileId = o.profile;
  if (values.kernel !== undefined) {
    if (!isProfileId(values.kernel)) throw new UsageError(`unknown --kernel "${values.kernel}": expected one of ${PROFILE_IDS.join(', ')}`);
    profile = values.kernel;
  }
  let platform: Platform = o.platform;
  if (values.paging !== undefined) {
    if (values.paging !== '4' && values.paging !== '5') throw new UsageError(`--paging must be 4 or 5, not "${values.paging}"`);
    platform = { ...platform, paging: values.paging === '5' ? 5 : 4 };
  }
  if (values['no-migration-ad']) platform = { ...platform, migrationAd: false };
  const config: KernelConfig = {
    DEVICE_PRIVATE: o.config.DEVICE_PRIVATE && !values['no-device-private'],
    MIGRATION: o.config.MIGRATION && !values['no-migration'],
    MEMORY_FAILURE: o.config.MEMORY_FAILURE && !values['no-memory-failure'],
  };
  const options: KernelOptions = { profile, config, platform };
  return replayPrint(loaded.scenario, options, io, values.json ?? false, !values['no-trace']);
}

/** A list of flags, with a long run of one value (a 2 MiB snapshot) written once: "512 × WRITE|PMD". */
function listed(xs: readonly string[]): string {
  return xs.length > 8 && xs.every((x) => x === xs[0]) ? `${xs.length} × ${xs[0]}` : xs.join(',');
}

function replayPrint(sc: Scenario, options: KernelOptions, io: Io, json: boolean, trace: boolean): number {
  let timeline;
  try {
    timeline = timelineFor(sc, options);
  } catch (e) {
    throw new UsageError(`the scenario cannot start: ${(e as Error).message}`);
  }
  const k = kernelOf(timeline.initial);
  if (!json) {
    write(io.stdout, `${sc.id} — ${sc.title}\n${k.profile.label}; ${describePlatform(k.platform)}; ${describeConfig(k.config)}; MAX_SWAPFILES ${k.MAX_SWAPFILES}`);
  }
  let failed = 0;
  for (const { cursor, state: st, info: r } of timeline.walk()) {
    const i = cursor - 1;
    const e = sc.events[i]!;
    const changes = r.trace.flatMap((t) => t.changes.filter((c) => c.kind === 'pte').map((c) => c as Extract<typeof c, { kind: 'pte' }>));
    const pmdChanges = r.trace.flatMap((t) => t.changes.filter((c) => c.kind === 'pmd').map((c) => c as Extract<typeof c, { kind: 'pmd' }>));
    const expectation = sc.expect?.[i];
    const exp = expectation ? checkExpectation(expectation, r.result, 'pages' in e ? e.pages : 1) : null;
    if (exp && exp.length) failed++;
    const broken = checkInvariants(st).filter((x) => !x.ok);
    if (json) {
      write(io.stdout, JSON.stringify({
        step: i + 1,
        event: e,
        description: describeEvent(e),
        trace: r.trace.map((t) => ({ fn: t.fn, depth: t.depth, why: t.why })),
        changes: changes.map((c) => ({ pid: c.pid, index: c.index, before: hex64(c.before), after: hex64(c.after), decoded: decodePte(k, c.after).summary })),
        ...(pmdChanges.length ? {
          pmdChanges: pmdChanges.map((c) => ({
            pid: c.pid, index: c.index, before: hex64(c.before), after: hex64(c.after), ...(c.table ? { table: c.table } : {}),
            decoded: c.table === 'split' ? 'a table of 512 PTEs' : decodePte(k, c.after, 'pmd').summary,
          })),
        } : {}),
        result: r.result,
        ...(exp ? { expect: { ok: exp.length === 0, problems: exp } } : {}),
        invariants: broken.map((b) => ({ id: b.id, violations: b.violations.map((v) => v.message) })),
      }));
      continue;
    }
    const lines = [`\nstep ${i + 1}: ${describeEvent(e)}`];
    if (trace) for (const t of r.trace) lines.push(`  ${'  '.repeat(t.depth)}${t.fn}${t.why ? `: ${t.why}` : ''}`);
    const last = new Map<string, (typeof changes)[number]>();
    const first = new Map<string, bigint>();
    for (const c of changes) {
      const key = `${c.pid}:${c.index}`;
      if (!first.has(key)) first.set(key, c.before);
      last.set(key, c);
    }
    for (const c of pmdChanges) {
      const after = c.table === 'split' ? 'a table of 512 PTEs (split)' : `${hex64(c.after)}  ${decodePte(k, c.after, 'pmd').summary}`;
      lines.push(`  pid ${c.pid} PMD at PTE ${c.index}: ${hex64(c.before)} -> ${after}`);
    }
    // A step that splits or collapses a PMD changes 512 PTEs: show the first few (--json has them all).
    const PTE_LINES = pmdChanges.length ? 8 : Infinity;
    let shown = 0;
    for (const [key, c] of last) {
      if (shown++ === PTE_LINES && last.size > PTE_LINES + 1) {
        lines.push(`  … and ${last.size - PTE_LINES} more PTEs (--json lists them all)`);
        break;
      }
      lines.push(`  pid ${c.pid} PTE ${c.index}: ${hex64(first.get(key)!)} -> ${hex64(c.after)}  ${decodePte(k, c.after).summary}`);
    }
    const res = r.result;
    const parts = [
      res.ret !== undefined ? `ret ${res.ret}` : '', res.cpages !== undefined ? `cpages ${res.cpages}` : '', res.signal ?? '', res.prot ? `snapshot ${listed(res.prot)}` : '',
      res.pagemap ? `pagemap ${res.pagemap.length > 2 ? `${res.pagemap.length} records, ${res.pagemap[0]} … ${res.pagemap.at(-1)}` : res.pagemap.join(',')}` : '',
    ].filter(Boolean);
    if (parts.length) lines.push(`  result: ${parts.join(', ')}`);
    if (exp) lines.push(exp.length ? `  ✗ the selftest expects otherwise: ${exp.join('; ')}` : '  ✓ the selftest assertions hold');
    for (const b of broken) lines.push(`  ! invariant "${b.name}" fails: ${b.violations[0]?.message}`);
    write(io.stdout, lines.join('\n'));
  }
  const refused = timeline.validity();
  if (refused) {
    const e = sc.events[refused.at]!;
    if (json) write(io.stdout, JSON.stringify({ step: refused.at + 1, event: e, description: describeEvent(e), refused: refused.reason }));
    else write(io.stderr, `swapviz: step ${refused.at + 1} (${describeEvent(e)}) cannot happen: ${refused.reason}`);
    return 1;
  }
  return failed > 0 ? 1 : 0;
}
