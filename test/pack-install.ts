/**
 * The installable CLI, as a user gets it: `npm pack` makes a tarball that installs into an empty
 * folder with its runtime dependencies only (`npm install --omit=dev`, offline: it has none), and
 * the `swapviz` it installs runs built JavaScript, with no TypeScript loader and nothing from this
 * checkout. Every run of the installed command must print exactly what the sources print
 * (src/cli/main.ts driven in-process), and show the kernel's values.
 *
 * Run by `npm run test:pack` (part of `npm test`) with node:test rather than Vitest: packing and
 * installing take seconds, and the unit suite has a time budget.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { text } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { main, USAGE } from '../src/cli/main.ts';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/** The subcommands the installed help must list (it may list more: each one's --help is checked too). */
const REQUIRED_SUBCOMMANDS = ['decode', 'encode', 'run', 'scenarios', 'pagemap', 'capture'];

interface Run {
  readonly argv: readonly string[];
  readonly stdin?: string;
  readonly code: number;
  /** What the output shows, from the kernel spec's worked examples (test/fixtures/vectors.json). */
  readonly shows: RegExp;
}

/** Runs of the installed `swapviz`; each must also print exactly what the sources print. */
const RUNS: readonly Run[] = [
  // S02 step 3 after RFC 4/6: SWP_MIGRATION_DEVICE_WRITE(30), offset 0x10, soft-dirty.
  { argv: ['decode', '--json', '--kernel', 'rfc', '0xf7ffffffffffde02'], code: 0, shows: /"type":30,"typeName":"SWP_MIGRATION_DEVICE_WRITE","offset":"0x10","pfn":"0x10",/ },
  // v6.18: SWP_MIGRATION_WRITE(27) pfn 0x10; the none PTE.
  { argv: ['decode', '--kernel', 'v6.18', '0xdfffffffffffde02', '0x0'], code: 0, shows: /^0xdfffffffffffde02 {2}SWP_MIGRATION_WRITE\(27\) pfn=0x10 sd\n[\s\S]*^0x0000000000000000 {2}none$/m },
  // Piped stdin, a bad line: one object per line, exit code 1.
  { argv: ['decode', '--json', '--kernel', 'v6.18'], stdin: '0xfffffffffffffc00\nzz\n', code: 1, shows: /"typeName":"SWP_PTE_MARKER"[^\n]*\n\{"input":"zz","error":/ },
  { argv: ['encode', '--kernel', 'v6.18', '--type', 'SWP_MIGRATION_WRITE', '--offset', '0x1234', '--young', '--dirty', '--soft-dirty'], code: 0, shows: /^0xdfffe7ffffdb9602 {2}SWP_MIGRATION_WRITE\(27\)/ },
  // S02 replayed: under v6.18 the device-private entry is SWP_DEVICE_WRITE, migrated back as SWP_MIGRATION_WRITE.
  { argv: ['run', 'S02', '--kernel', 'v6.18'], code: 0, shows: /0xe7ffffffffffde02 -> 0xdfffffffffffde02/ },
  { argv: ['run', 'S02', '--json'], code: 0, shows: /"after":"0xf7ffffffffffde02"/ },
  { argv: ['run', '#v=1&k=rfc&s=S17&step=2'], code: 0, shows: /migrate_device_range/ },
  { argv: ['scenarios'], code: 0, shows: /^S02 +\S/m },
  // hmm-and-pagemap.md A.5: the record of a device-private WRITE entry (type 28, device PFN 0x10) is
  // SWP_DEVICE_WRITE under v6.18; the same number is SWP_MIGRATION_DEVICE_READ under the series.
  { argv: ['pagemap', '--kernel', 'v6.18', '0x400000000000021c'], code: 0, shows: /SWP_DEVICE_WRITE/ },
  { argv: ['pagemap', '--kernel', 'series', '0x400000000000021c'], code: 0, shows: /SWP_MIGRATION_DEVICE_READ/ },
];

interface Result {
  code: number | null;
  out: string;
  err: string;
}

/** The environment of a user's shell: no npm_* settings of the `npm test` running us, no loaders, no NODE_PATH. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) || k === 'NODE_OPTIONS' || k === 'NODE_PATH' || k === 'INIT_CWD') continue;
    env[k] = v;
  }
  env.PATH = [dirname(process.execPath), env.PATH ?? ''].join(delimiter);
  return env;
}

function exec(file: string, args: readonly string[], cwd: string, stdin = ''): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    const outP = text(child.stdout);
    const errP = text(child.stderr);
    child.on('error', reject);
    child.stdin.end(stdin);
    child.on('close', (code) => {
      void Promise.all([outP, errP]).then(([out, err]) => resolve({ code, out, err }));
    });
  });
}

function npm(args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('npm', args, { cwd, env: cleanEnv(), maxBuffer: 16 << 20 }, (err, out, errOut) => {
      if (err) reject(new Error(`npm ${args.join(' ')} failed: ${err.message}\n${errOut}`));
      else resolve(out);
    });
  });
}

/** main() of the sources, in-process. */
async function fromSources(argv: readonly string[], stdin = ''): Promise<Result> {
  const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), stdinIsTty: false };
  const outP = text(io.stdout);
  const errP = text(io.stderr);
  io.stdin.end(stdin);
  const code = await main([...argv], io);
  io.stdout.end();
  io.stderr.end();
  return { code, out: await outP, err: await errP };
}

const subcommandsOf = (usage: string): string[] => [...usage.matchAll(/^ {2}swapviz ([a-z][\w-]*)/gm)].map((m) => m[1] ?? '');

describe('npm pack → npm install --omit=dev → swapviz', () => {
  let tmp = '';
  let app = '';
  let swapviz = '';
  let packed: { filename: string; files: { path: string }[] };

  before(async () => {
    tmp = realpathSync(mkdtempSync(join(tmpdir(), 'swapviz-pack-')));
    // `npm pack` runs `prepare`, which rebuilds dist-cli/ from the current sources.
    const out = await npm(['pack', '--json', '--pack-destination', tmp], ROOT);
    const json = out.slice(out.search(/^\[/m));
    [packed] = JSON.parse(json) as [typeof packed];
    app = join(tmp, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'swapviz-pack-check', version: '0.0.0', private: true }) + '\n');
    await npm(['install', '--omit=dev', '--offline', '--no-audit', '--no-fund', `--cache=${join(tmp, 'npm-cache')}`, join(tmp, packed.filename)], app);
    swapviz = join(app, 'node_modules', '.bin', 'swapviz');
  }, { timeout: 180_000 });

  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('the tarball holds the launcher, the built CLI and the README: no sources, no tests', () => {
    const paths = packed.files.map((f) => f.path).sort();
    for (const p of paths) assert.match(p, /^(package\.json|README\.md|LICENSE|bin\/swapviz\.mjs|dist-cli\/[\w.-]+\.mjs)$/, `unexpected file in the tarball: ${p}`);
    assert.ok(paths.includes('dist-cli/main.mjs'), 'dist-cli/main.mjs is packed');
    assert.ok(paths.includes('bin/swapviz.mjs'), 'bin/swapviz.mjs is packed');
  });

  it('the package has no runtime dependencies, and installing it adds nothing else', () => {
    const pkg = JSON.parse(readFileSync(join(app, 'node_modules', 'swapviz', 'package.json'), 'utf8')) as Record<string, unknown>;
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies', 'bundleDependencies']) {
      assert.deepEqual(Object.keys((pkg[field] as object | undefined) ?? {}), [], `${field} of the packed package.json`);
    }
    assert.deepEqual(readdirSync(join(app, 'node_modules')).filter((n) => !n.startsWith('.')), ['swapviz']);
  });

  it('the built CLI imports and requires only Node.js built-ins and its own chunks', () => {
    const dir = join(app, 'node_modules', 'swapviz', 'dist-cli');
    const builtins = new Set(builtinModules);
    const found = new Map<string, string[]>();
    for (const f of readdirSync(dir)) {
      const src = readFileSync(join(dir, f), 'utf8');
      const specifiers = [
        ...src.matchAll(/^(?:import|export)\s*[\w$\s{},*]*?\bfrom\s*["']([^"']+)["']/gm),
        ...src.matchAll(/^import\s*["']([^"']+)["']/gm),
        ...src.matchAll(/(?<![\w.$])(?:import|require\d*|__require)\(\s*["']([^"']+)["']\s*\)/g),
      ].map((m) => m[1] ?? '');
      found.set(f, specifiers);
      for (const s of specifiers) {
        const ok = s.startsWith('node:') || builtins.has(s) || /^\.\/[\w.-]+\.mjs$/.test(s);
        assert.ok(ok, `${f} imports "${s}", which an installed swapviz cannot resolve`);
      }
    }
    assert.ok(found.get('main.mjs')?.includes('node:util'), `the scan sees main.mjs's imports (found ${JSON.stringify(found.get('main.mjs'))})`);
  });

  it('swapviz help prints the usage of the sources; it lists every required subcommand', async () => {
    const r = await exec(swapviz, ['help'], app);
    assert.deepEqual(r, { code: 0, out: USAGE, err: '' });
    const listed = subcommandsOf(r.out);
    for (const c of REQUIRED_SUBCOMMANDS) assert.ok(listed.includes(c), `the usage lists "${c}"`);
  });

  it('swapviz SUBCOMMAND --help prints the usage and exits 0, for every subcommand the usage lists', async () => {
    for (const cmd of subcommandsOf(USAGE)) {
      const r = await exec(swapviz, [cmd, '--help'], app);
      assert.deepEqual(r, await fromSources([cmd, '--help']), `swapviz ${cmd} --help prints what the sources print`);
      assert.equal(r.code, 0, `swapviz ${cmd} --help exits 0`);
      assert.match(r.out, new RegExp(`swapviz ${cmd}\\b`), `swapviz ${cmd} --help names the subcommand`);
    }
  });

  for (const run of RUNS) {
    it(`swapviz ${run.argv.join(' ')}${run.stdin ? ' < stdin' : ''} prints what the sources print`, async () => {
      const installed = await exec(swapviz, run.argv, app, run.stdin);
      assert.equal(installed.code, run.code, `exit code (stderr: ${installed.err})`);
      assert.match(installed.out, run.shows);
      assert.deepEqual(installed, await fromSources(run.argv, run.stdin));
    });
  }

  it('a reader that closes the pipe early (swapviz decode | head) stops swapviz quietly', async () => {
    const child = spawn(swapviz, ['decode', '--kernel', 'v6.18'], { cwd: app, env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    const errP = text(child.stderr);
    child.stdin.on('error', () => undefined); // EPIPE here too once swapviz has stopped
    child.stdin.end('0x0\n'.repeat(200_000));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.deepEqual({ code, err: await errP }, { code: 0, err: '' });
  });

  it('a bad command is one line on stderr and exit code 2', async () => {
    const r = await exec(swapviz, ['decode', '--kernel', 'v9'], app);
    assert.equal(r.code, 2);
    assert.equal(r.out, '');
    assert.match(r.err, /^swapviz: unknown --kernel "v9": expected one of .+\n$/);
  });
});
