/**
 * `swapviz capture` on a live process the test starts itself: test/fixtures/pagemap-child.c,
 * built with `cc` here, maps 64 anonymous pages, writes some, reads some (the shared zero page),
 * installs guard markers on some, clears soft-dirty through /proc/self/clear_refs, writes a few
 * again, and waits. The capture, run in-process through main(), must show each page as the kernel
 * has it; the snapshot must parse back. Then the bad-input paths: one line on stderr, exit code 1,
 * no file.
 *
 * Where this machine cannot build the child or read pagemap, the tests fail and say why.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { text } from 'node:stream/consumers';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePagemap, kpfTest, parseKernelRelease, type DecodedPagemap } from '../model/kernel/index.ts';
import { parseSnapshot, snapshotKernel, snapshotKpageflags, snapshotRecord, type Snapshot } from '../snapshot/index.ts';
import { capture, CaptureError } from './capture.ts';
import { runCli } from './testing.ts';

const CHILD_SRC = fileURLToPath(new URL('../../test/fixtures/pagemap-child.c', import.meta.url));
/** The child's layout (pagemap-child.c). */
const L = { pages: 64, writtenLo: 0, writtenHi: 16, retouch: 6, readLo: 20, readHi: 24, guardLo: 40, guardHi: 44 };

interface Child {
  proc: ChildProcessWithoutNullStreams;
  pid: number;
  addr: bigint;
  guardOk: boolean;
}

let dir = '';
let child: Child | null = null;
let setupError: Error | null = null;

const run = runCli;

function machineCheck(): void {
  if (process.platform !== 'linux') throw new Error(`the capture test needs Linux (/proc/PID/pagemap); this is ${process.platform}`);
  try {
    accessSync('/proc/self/pagemap', constants.R_OK);
    readFileSync('/proc/self/maps', 'utf8');
  } catch (e) {
    throw new Error(`this machine cannot read /proc/self/pagemap or /proc/self/maps (${(e as Error).message}): the capture test cannot run here`, { cause: e });
  }
}

async function startChild(exe: string): Promise<Child> {
  const proc = spawn(exe, [], { stdio: ['pipe', 'pipe', 'pipe'] });
  const errP = text(proc.stderr);
  const rl = createInterface({ input: proc.stdout });
  const line = await new Promise<string>((resolve, reject) => {
    rl.once('line', resolve);
    proc.once('error', reject);
    proc.once('exit', (code) => void errP.then((err) => reject(new Error(`pagemap-child exited with ${code} before it was ready: ${err.trim()}`))));
  });
  rl.close();
  const m = /^pid=(\d+) addr=(0x[0-9a-f]+) pages=(\d+) guard_ok=([01]) clear_refs_ok=([01])/.exec(line);
  if (!m) throw new Error(`pagemap-child printed "${line}"`);
  if (m[5] !== '1') throw new Error('pagemap-child could not write "4" to /proc/self/clear_refs: soft-dirty state is unknown');
  return { proc, pid: Number(m[1]), addr: BigInt(m[2]!), guardOk: m[4] === '1' };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'swapviz-capture-test-'));
  try {
    machineCheck();
    const exe = join(dir, 'pagemap-child');
    try {
      execFileSync('cc', ['-O1', '-o', exe, CHILD_SRC], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      throw new Error(`cannot build test/fixtures/pagemap-child.c with cc: ${(e as Error).message.split('\n')[0]}`, { cause: e });
    }
    child = await startChild(exe);
  } catch (e) {
    setupError = e as Error;
  }
});

afterAll(() => {
  if (child) {
    child.proc.stdin.end();
    child.proc.kill();
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The running child, or a failure that says why there is none. */
function live(): Child {
  if (setupError) throw setupError;
  if (!child) throw new Error('pagemap-child did not start');
  return child;
}

const outDir = (name: string) => {
  const d = join(dir, name);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
  return d;
};

describe('swapviz capture of a live process', () => {
  let snap: Snapshot;
  let pages: DecodedPagemap[];
  let flags: (bigint | null)[];
  let stderr = '';

  beforeAll(async () => {
    const c = live();
    const d = outDir('ok');
    const end = c.addr + BigInt(L.pages * 4096);
    const r = await run(['capture', String(c.pid), '--range', `0x${c.addr.toString(16)}-0x${end.toString(16)}`, '--out', join(d, 'snap.json')]);
    stderr = r.err;
    if (r.code !== 0) throw new Error(`capture failed (exit ${r.code}): ${r.err}`);
    const parsed = parseSnapshot(readFileSync(join(d, 'snap.json'), 'utf8'));
    if (!parsed.ok) throw new Error(`the snapshot does not parse: ${parsed.error}`);
    snap = parsed.snapshot;
    const k = snapshotKernel(snap);
    pages = Array.from({ length: snap.pageCount }, (_, i) => decodePagemap(k, snapshotRecord(snap, i), { pfnVisible: snap.pfnVisible }));
    flags = Array.from({ length: snap.pageCount }, (_, i) => snapshotKpageflags(snap, i));
  });

  const idx = (lo: number, hi: number) => Array.from({ length: hi - lo }, (_, i) => lo + i);
  const lacksSoftDirty = () => snap.kernel.lacks.some((l) => l.bit === 'PM_SOFT_DIRTY');

  it('captures exactly the child\'s mapping: one VMA, 64 pages from its address, and parses back', () => {
    const c = live();
    expect(snap.pid).toBe(c.pid);
    expect(snap.vmas).toHaveLength(1);
    expect(snap.vmas[0]).toMatchObject({ start: c.addr, end: c.addr + BigInt(L.pages * 4096), perms: 'rw-p', pagesStart: c.addr, count: L.pages, first: 0 });
    expect(snap.pageCount).toBe(L.pages);
    expect(snap.comm).toBe('pagemap-child');
  });

  it('written pages are present, PM_MMAP_EXCLUSIVE, anonymous, with distinct PFNs when visible', () => {
    const written = idx(L.writtenLo, L.writtenHi).map((i) => pages[i]!);
    for (const p of written) expect(p).toMatchObject({ kind: 'present', present: true, exclusive: true, file: false, swap: false });
    if (snap.pfnVisible) expect(new Set(written.map((p) => p.pfn)).size).toBe(written.length);
  });

  it('soft-dirty: exactly the pages written after clear_refs, or none where the kernel lacks PM_SOFT_DIRTY (as the snapshot says)', () => {
    const want = (i: number) => !lacksSoftDirty() && i >= L.writtenLo && i < L.writtenLo + L.retouch;
    expect(pages.map((p, i) => [i, p.softDirty])).toEqual(pages.map((_, i) => [i, want(i)]));
    if (lacksSoftDirty()) expect(stderr).toMatch(/lacks PM_SOFT_DIRTY/);
  });

  it('read-only pages map the shared zero page: present, not exclusive, one PFN (KPF_ZERO_PAGE where kpageflags is readable)', () => {
    const read = idx(L.readLo, L.readHi).map((i) => pages[i]!);
    for (const p of read) expect(p).toMatchObject({ kind: 'present', present: true, exclusive: false, file: false });
    if (snap.pfnVisible) expect(new Set(read.map((p) => p.pfn)).size).toBe(1);
    if (snap.kpageflags) for (const i of idx(L.readLo, L.readHi)) expect(kpfTest(flags[i]!, 'KPF_ZERO_PAGE')).toBe(true);
  });

  it('guard pages are guard markers: PM_SWAP | PM_GUARD_REGION, a SWP_PTE_MARKER with PTE_MARKER_GUARD', () => {
    const c = live();
    if (!c.guardOk) {
      // MADV_GUARD_INSTALL exists since 6.13: before that the pages stay untouched, which the capture must show
      const r = parseKernelRelease(snap.kernel.release);
      if (!r || r.major > 6 || (r.major === 6 && r.minor >= 13)) throw new Error(`MADV_GUARD_INSTALL failed in the child on Linux ${snap.kernel.release}, which has it`);
      expect(idx(L.guardLo, L.guardHi).map((i) => snapshotRecord(snap, i))).toEqual(idx(L.guardLo, L.guardHi).map(() => 0n));
      return;
    }
    for (const i of idx(L.guardLo, L.guardHi)) {
      const p = pages[i]!;
      expect(p).toMatchObject({ kind: 'pte-marker', swap: true, guard: true, present: false, exclusive: false, file: false });
      if (snap.pfnVisible) expect(p).toMatchObject({ swapEntry: { typeName: 'SWP_PTE_MARKER' }, marker: { guard: true, bits: 4 } });
    }
  });

  it('untouched pages are empty: record 0', () => {
    const touched = new Set([...idx(L.writtenLo, L.writtenHi), ...idx(L.readLo, L.readHi), ...(live().guardOk ? idx(L.guardLo, L.guardHi) : [])]);
    const untouched = idx(0, L.pages).filter((i) => !touched.has(i));
    expect(untouched.map((i) => [i, snapshotRecord(snap, i)])).toEqual(untouched.map((i) => [i, 0n]));
  });

  it('no record has a problem the model knows of', () => {
    expect(pages.flatMap((p) => p.problems)).toEqual([]);
  });

  it('says which kernel it ran on and which profile reads it', () => {
    expect(snap.kernel.release).toBe(readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim());
    expect(['v6.18', '7.3']).toContain(snap.kernel.profile);
  });

  it('without --out it writes the same snapshot to stdout (here with --no-kpageflags)', async () => {
    const c = live();
    const r = await run(['capture', String(c.pid), '--no-kpageflags', '--range', `0x${(c.addr + BigInt(L.guardLo * 4096)).toString(16)}-0x${(c.addr + BigInt(L.guardHi * 4096)).toString(16)}`]);
    expect(r.code).toBe(0);
    const p = parseSnapshot(r.out);
    if (!p.ok) throw new Error(p.error);
    expect(p.snapshot.pageCount).toBe(L.guardHi - L.guardLo);
    expect([p.snapshot.pageFields, p.snapshot.kpageflags]).toEqual([['pagemap'], null]);
    expect([0, 1, 2, 3].map((i) => snapshotRecord(p.snapshot, i))).toEqual([0, 1, 2, 3].map((i) => snapshotRecord(snap, L.guardLo + i)));
  });
});

describe('swapviz capture: bad input is one line on stderr, exit code 1, and no file', () => {
  const expectNothingWritten = (d: string) => expect(readdirSync(d)).toEqual([]);

  it('a PID that does not exist', async () => {
    machineCheck();
    const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
    const d = outDir('nopid');
    const r = await run(['capture', String(pidMax), '--out', join(d, 'x.json')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^swapviz capture: no process with PID ${pidMax}\\b[^\\n]*\\n$`));
    expectNothingWritten(d);
  });

  it('a range outside every VMA', async () => {
    const c = live();
    const d = outDir('outside');
    const r = await run(['capture', String(c.pid), '--range', '0x1000-0x3000', '--out', join(d, 'x.json')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^swapviz capture: range 0x1000-0x3000 is outside every VMA of PID \d+[^\n]*\n$/);
    expectNothingWritten(d);
  });

  it.each([['zzz'], ['0x2000'], ['0x5000-0x1000'], ['0x1000-0x1000']])('a malformed or empty range "%s"', async (range) => {
    const c = live();
    const d = outDir('badrange');
    const r = await run(['capture', String(c.pid), '--range', range, '--out', join(d, 'x.json')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^swapviz capture: --range "[^"]*" is (malformed|empty)[^\n]*\n$/);
    expectNothingWritten(d);
  });

  it.each([['abc'], ['0'], ['99999999']])('a PID that is not a process id: "%s"', async (pid) => {
    const d = outDir('badpid');
    const r = await run(['capture', pid, '--out', join(d, 'x.json')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^swapviz capture: "[^"]*" is not a process id[^\n]*\n$/);
    expectNothingWritten(d);
  });

  it('an --out that is a directory', async () => {
    const c = live();
    const d = outDir('outdir');
    mkdirSync(join(d, 'snap.json'));
    const r = await run(['capture', String(c.pid), '--out', join(d, 'snap.json')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^swapviz capture: writing the snapshot failed: [^\n]*\n$/);
    expect(readdirSync(d)).toEqual(['snap.json']);
  });

  it('a kernel before 4.2, whose pagemap has no PM_MMAP_EXCLUSIVE, is refused before anything is written', async () => {
    const c = live();
    const d = outDir('oldkernel');
    await expect(capture({ pid: c.pid, range: null, out: join(d, 'x.json'), release: '3.10.0-1160.el7.x86_64' }, { stdout: new PassThrough() }))
      .rejects.toThrow(CaptureError);
    await expect(capture({ pid: c.pid, range: null, out: join(d, 'x.json'), release: '3.10.0' }, { stdout: new PassThrough() }))
      .rejects.toThrow(/before 4\.2 pagemap bits 55-60 hold the page shift/);
    expectNothingWritten(d);
  });

  it('a kernel before 6.15 is captured, with PM_GUARD_REGION listed as lacking in the snapshot', async () => {
    const c = live();
    const d = outDir('oldguard');
    const out = join(d, 'x.json');
    const r = await capture({ pid: c.pid, range: { start: c.addr, end: c.addr + 4096n }, out, release: '6.8.0-51-generic' }, { stdout: new PassThrough() });
    expect(r.warnings.join('\n')).toMatch(/lacks PM_GUARD_REGION/);
    const p = parseSnapshot(readFileSync(out, 'utf8'));
    if (!p.ok) throw new Error(p.error);
    expect(p.snapshot.kernel).toMatchObject({ release: '6.8.0-51-generic', profile: 'v6.18', profileExact: false });
    expect(p.snapshot.kernel.lacks.map((l) => l.bit)).toContain('PM_GUARD_REGION');
  });
});
