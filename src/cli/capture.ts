/**
 * `swapviz capture PID [--range START-END] [--out FILE]`: reads /proc/PID/maps and
 * /proc/PID/pagemap (and /proc/kpageflags where readable) of a live process and writes a
 * snapshot file (src/snapshot/format.ts). Linux only.
 *
 * It streams: pagemap is read in chunks of CHUNK_PAGES records with fs.readSync on a file
 * descriptor, each chunk is base64-encoded and written out at once, so memory stays at one chunk
 * whatever the process size. Everything goes to a temporary file first (next to --out, or in the
 * temp directory for stdout); only a complete snapshot is renamed into place or copied to stdout,
 * so a failure leaves nothing half-written.
 *
 * Which profile reads the kernel, and which pagemap bits it lacks, come from the model
 * (release.ts, pagemap.ts); the kernel config from /proc/config.gz or /boot/config-RELEASE.
 */
import { closeSync, createReadStream, existsSync, openSync, readFileSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { release as osRelease, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { pagemapLacks, parseKernelRelease, PM_ENTRY_BYTES, presentPfnOfRecord, profileForRelease, type ArchId } from '../model/kernel/index.ts';
import { PAGE_SIZE, SnapshotWriter, type MapsVma, type PageField, type SnapshotConfig, type SnapshotKernel } from '../snapshot/index.ts';
import type { Io } from './main.ts';

/** Records per read: a multiple of 3, so each chunk's base64 needs no carry (48 Ki pages, 384 KiB). */
export const CHUNK_PAGES = 3 * 16384;
const PAGE = BigInt(PAGE_SIZE);
const PID_MAX_LIMIT = 4194304;
/** include/uapi/linux/capability.h */
const CAP_SYS_ADMIN = 21;
/** /proc/kpageflags is read in runs of PFNs less than 2 × KPF_GAP apart (one 8 KiB read each). */
const KPF_GAP = 8;

/** A problem with the capture: one line on stderr, exit code 1, nothing written. */
export class CaptureError extends Error {}

export const CAPTURE_USAGE = `Usage: swapviz capture PID [--range START-END] [--out FILE] [--no-kpageflags]

Reads /proc/PID/maps and /proc/PID/pagemap (and /proc/kpageflags when readable) of a live
process and writes a snapshot (JSON) the app opens and parseSnapshot() reads.

  --range START-END   only pages in [START, END), hex addresses (e.g. 0x7f12a000-0x7f12e000);
                      START is rounded down and END up to whole pages
  --out FILE          write the snapshot to FILE (written to a temporary file, renamed at the end);
                      without --out, or with --out -, it goes to stdout
  --no-kpageflags     do not read /proc/kpageflags (root only; it doubles the snapshot's size)

Frames (PFNs, swap types and offsets) are only visible with CAP_SYS_ADMIN; the snapshot says
whether they were. Reading another user's process needs ptrace access (PTRACE_MODE_READ).
`;

export interface CaptureOptions {
  readonly pid: number;
  readonly range: { readonly start: bigint; readonly end: bigint } | null;
  /** null: stdout. */
  readonly out: string | null;
  /** Read /proc/kpageflags for present pages when it is readable (default true). */
  readonly kpageflags?: boolean;
  /** The kernel release to assume (default os.release()). */
  readonly release?: string;
}

export interface CaptureResult {
  readonly pages: number;
  readonly vmas: number;
  readonly pfnVisible: boolean;
  readonly kpageflags: boolean;
  readonly warnings: readonly string[];
}

/** "START-END" in hex -> a page-aligned [start, end). */
export function parseRange(text: string): { start: bigint; end: bigint } {
  const m = /^\s*(?:0[xX])?([0-9a-fA-F]{1,16})\s*-\s*(?:0[xX])?([0-9a-fA-F]{1,16})\s*$/.exec(text);
  if (!m) throw new CaptureError(`--range "${clip(text)}" is malformed: expected START-END in hex, e.g. 0x7f0000000000-0x7f0000040000`);
  const start = (BigInt('0x' + m[1]) / PAGE) * PAGE;
  const end = ((BigInt('0x' + m[2]) + PAGE - 1n) / PAGE) * PAGE;
  if (end <= start) throw new CaptureError(`--range "${clip(text)}" is empty: END must be above START`);
  return { start, end };
}

function clip(s: string): string {
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

const hex = (v: bigint) => '0x' + v.toString(16);

/** One line of /proc/PID/maps. */
export function parseMapsLine(line: string): MapsVma | null {
  const m = /^([0-9a-f]+)-([0-9a-f]+) ([r-][w-][x-][ps]) ([0-9a-f]+) ([0-9a-f]+:[0-9a-f]+) (\d+)\s*(.*)$/.exec(line);
  if (!m) return null;
  return { start: BigInt('0x' + m[1]), end: BigInt('0x' + m[2]), perms: m[3]!, offset: BigInt('0x' + m[4]), dev: m[5]!, inode: m[6]!, path: m[7]! };
}

function errnoOf(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? '';
}

function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch (e) {
    const code = errnoOf(e);
    if (code === 'ENOENT' || code === 'ESRCH') throw new CaptureError(`no process with PID ${pid} (/proc/${pid}/${file} does not exist)`);
    if (code === 'EACCES' || code === 'EPERM') {
      throw new CaptureError(`cannot read /proc/${pid}/${file}: permission denied (another user's process needs ptrace access: run as that user or as root)`);
    }
    throw new CaptureError(`cannot read /proc/${pid}/${file}: ${(e as Error).message}`);
  }
}

/** The kernel config options swapviz needs, from /proc/config.gz or /boot/config-RELEASE. */
function readKernelConfig(release: string): { config: SnapshotConfig | null; source: string | null; pgtableLevels: number | null } {
  const candidates: [string, () => string][] = [
    ['/proc/config.gz', () => gunzipSync(readFileSync('/proc/config.gz')).toString('utf8')],
    [`/boot/config-${release}`, () => readFileSync(`/boot/config-${release}`, 'utf8')],
  ];
  for (const [source, read] of candidates) {
    let text: string;
    try {
      if (!existsSync(source)) continue;
      text = read();
    } catch {
      continue;
    }
    const on = (o: string) => new RegExp(`^CONFIG_${o}=y$`, 'm').test(text);
    const levels = /^CONFIG_PGTABLE_LEVELS=(\d+)$/m.exec(text);
    return {
      config: { MIGRATION: on('MIGRATION'), DEVICE_PRIVATE: on('DEVICE_PRIVATE'), MEMORY_FAILURE: on('MEMORY_FAILURE'), MEM_SOFT_DIRTY: on('MEM_SOFT_DIRTY') },
      source,
      pgtableLevels: levels ? Number(levels[1]) : null,
    };
  }
  return { config: null, source: null, pgtableLevels: null };
}

/** Whether this process has CAP_SYS_ADMIN (CapEff in /proc/self/status). */
function hasCapSysAdmin(): boolean {
  try {
    const m = /^CapEff:\s*([0-9a-fA-F]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? ((BigInt('0x' + m[1]) >> BigInt(CAP_SYS_ADMIN)) & 1n) === 1n : false;
  } catch {
    return false;
  }
}

function x86Paging(pgtableLevels: number | null): 4 | 5 {
  try {
    const la57 = /^flags\s*:.*\bla57\b/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
    return la57 && (pgtableLevels === null || pgtableLevels === 5) ? 5 : 4;
  } catch {
    return 4;
  }
}

/** What the kernel running here is, for the snapshot, and the warnings to print. */
function describeKernel(releaseText: string): { kernel: SnapshotKernel; warnings: string[] } {
  const release = parseKernelRelease(releaseText);
  if (!release) throw new CaptureError(`kernel release "${clip(releaseText)}" is not MAJOR.MINOR…: cannot tell which pagemap format it has`);
  const p = profileForRelease(release);
  if (!p.ok) throw new CaptureError(p.error);
  const arch: ArchId | null = process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'arm64' : null;
  if (!arch) throw new CaptureError(`swapviz models x86_64 and arm64; this machine is ${process.arch}`);
  const cfg = readKernelConfig(releaseText);
  const lacks = pagemapLacks(release, cfg.config ? cfg.config.MEM_SOFT_DIRTY : null);
  const warnings = lacks.map((l) => `this kernel's pagemap lacks ${l.bit}: ${l.why} (noted in the snapshot)`);
  if (!p.exact) warnings.push(p.note);
  if (!cfg.config) warnings.push('kernel config not found (/proc/config.gz, /boot/config-RELEASE): type numbers assume MIGRATION, DEVICE_PRIVATE and MEMORY_FAILURE on');
  return {
    kernel: {
      release: releaseText, profile: p.profile, profileExact: p.exact, profileNote: p.note, arch,
      paging: arch === 'x86_64' ? x86Paging(cfg.pgtableLevels) : 4, config: cfg.config, configSource: cfg.source, lacks,
    },
    warnings,
  };
}

/** Reads exactly `length` bytes at `position` unless the file ends first; returns the bytes read. */
function readFully(fd: number, buf: Uint8Array, length: number, position: bigint): number {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + BigInt(done));
    if (n === 0) break;
    done += n;
  }
  return done;
}

/**
 * Captures a process into a snapshot. Throws CaptureError (and leaves no file behind) on bad
 * input; `io.stdout` gets the snapshot when `out` is null.
 */
export async function capture(opts: CaptureOptions, io: Pick<Io, 'stdout'>): Promise<CaptureResult> {
  if (process.platform !== 'linux') throw new CaptureError(`capture reads /proc and runs on Linux only (this is ${process.platform})`);
  const { pid } = opts;
  const { kernel, warnings } = describeKernel(opts.release ?? osRelease());
  const maps = readProc(pid, 'maps').split('\n').filter((l) => l !== '').map((l, i) => {
    const v = parseMapsLine(l);
    if (!v) throw new CaptureError(`/proc/${pid}/maps line ${i + 1} is not in the maps format: "${clip(l)}"`);
    return v;
  });
  const range = opts.range;
  const selected = maps
    .map((v) => ({ vma: v, from: range && range.start > v.start ? range.start : v.start, to: range && range.end < v.end ? range.end : v.end }))
    .filter((s) => s.from < s.to);
  if (selected.length === 0) {
    throw new CaptureError(range
      ? `range ${hex(range.start)}-${hex(range.end)} is outside every VMA of PID ${pid} (${maps.length} VMAs)`
      : `PID ${pid} has no VMAs (a kernel thread, or a process that is exiting)`);
  }
  let comm: string | null;
  try {
    comm = readProc(pid, 'comm').replace(/\n$/, '').slice(0, 64);
  } catch {
    comm = null;
  }

  let pagemapFd: number;
  try {
    pagemapFd = openSync(`/proc/${pid}/pagemap`, 'r');
  } catch (e) {
    const code = errnoOf(e);
    if (code === 'ENOENT') throw new CaptureError(`no process with PID ${pid} (it exited)`);
    if (code === 'EACCES' || code === 'EPERM') {
      throw new CaptureError(`cannot read /proc/${pid}/pagemap: permission denied (needs ptrace access to PID ${pid}: the same user, or root)`);
    }
    throw new CaptureError(`cannot open /proc/${pid}/pagemap: ${(e as Error).message}`);
  }
  let kpfFd: number | null = null;
  if (opts.kpageflags ?? true) {
    try {
      kpfFd = openSync('/proc/kpageflags', 'r');
    } catch {
      kpfFd = null; // root only: the snapshot then has no kpageflags
    }
  }
  const pageFields: PageField[] = kpfFd === null ? ['pagemap'] : ['pagemap', 'kpageflags'];

  const outPath = opts.out === null ? null : resolve(opts.out);
  const tmp = outPath === null
    ? join(tmpdir(), `swapviz-capture-${process.pid}-${Date.now()}.tmp`)
    : join(dirname(outPath), `.${basename(outPath)}.${process.pid}.${Date.now()}.tmp`);
  let outFd: number;
  try {
    outFd = openSync(tmp, 'wx', 0o644);
  } catch (e) {
    closeSync(pagemapFd);
    if (kpfFd !== null) closeSync(kpfFd);
    throw new CaptureError(`cannot write ${outPath ?? tmp}: ${(e as Error).message}`);
  }

  let ok = false;
  try {
    const w = new SnapshotWriter((t) => {
      writeSync(outFd, t);
    }, (b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64'));
    w.begin({ capturedAt: new Date().toISOString(), pid, comm, kernel, range, pageFields });
    // pagemap and kpageflags are native-endian u64s; x86_64 and arm64 are little-endian, as the
    // snapshot is, so the bytes pass through and 32-bit views read the halves
    const rec = new Uint8Array(CHUNK_PAGES * PM_ENTRY_BYTES);
    const rec32 = new Uint32Array(rec.buffer);
    const both = kpfFd === null ? null : new Uint32Array(CHUNK_PAGES * 4);
    const kpfWindow = new Uint32Array(KPF_GAP * 2 * 2);
    let pages = 0;
    let sawPfn = false;
    let sawZeroPfn = false;
    for (const s of selected) {
      const first = s.from / PAGE;
      let count = Number((s.to - s.from) / PAGE);
      // pagemap reports nothing above TASK_SIZE ([vsyscall]): such a VMA gets no pages
      if (readFully(pagemapFd, rec, PM_ENTRY_BYTES, first * BigInt(PM_ENTRY_BYTES)) === 0) count = 0;
      w.beginVma(s.vma, s.from, count);
      for (let done = 0; done < count; done += CHUNK_PAGES) {
        const n = Math.min(CHUNK_PAGES, count - done);
        const want = n * PM_ENTRY_BYTES;
        const got = readFully(pagemapFd, rec, want, (first + BigInt(done)) * BigInt(PM_ENTRY_BYTES));
        if (got !== want) {
          throw new CaptureError(`/proc/${pid}/pagemap ended at ${hex(s.from + BigInt(done) * PAGE + BigInt(Math.floor(got / 8)) * PAGE)}, inside ${hex(s.vma.start)}-${hex(s.vma.end)}: did PID ${pid} exit during the capture?`);
        }
        for (let i = 0; i < n; i++) {
          const pfn = presentPfnOfRecord(rec32[2 * i + 1]!, rec32[2 * i]!);
          if (pfn > 0) sawPfn = true;
          else if (pfn === 0) sawZeroPfn = true;
        }
        if (both && kpfFd !== null) {
          interleaveKpageflags(kpfFd, rec32, n, both, kpfWindow);
          w.pages(new Uint8Array(both.buffer, 0, n * 16));
        } else {
          w.pages(rec.subarray(0, want));
        }
      }
      w.endVma();
      pages += count;
    }
    const pfnVisible = sawPfn || (!sawZeroPfn && hasCapSysAdmin());
    w.finish({ pfnVisible, pageCount: pages });
    closeSync(outFd);
    if (outPath !== null) {
      renameSync(tmp, outPath);
    } else {
      await new Promise<void>((res, rej) => {
        const r = createReadStream(tmp);
        r.on('error', rej);
        r.on('end', () => res());
        r.pipe(io.stdout, { end: false });
      });
      unlinkSync(tmp);
    }
    ok = true;
    return { pages, vmas: selected.length, pfnVisible, kpageflags: kpfFd !== null, warnings };
  } catch (e) {
    if (e instanceof CaptureError || !errnoOf(e)) throw e;
    throw new CaptureError(`writing the snapshot failed: ${(e as Error).message}`, { cause: e });
  } finally {
    closeSync(pagemapFd);
    if (kpfFd !== null) closeSync(kpfFd);
    if (!ok) {
      try {
        closeSync(outFd);
      } catch {
        // already closed
      }
      try {
        unlinkSync(tmp);
      } catch {
        // already gone
      }
    }
  }
}

/**
 * Fills `both` with (record, kpageflags) pairs as 32-bit halves: the flags of each present page's
 * PFN, read from /proc/kpageflags in runs of nearby PFNs; 0 for pages that are not present or
 * whose PFN is hidden.
 */
function interleaveKpageflags(fd: number, rec32: Uint32Array, n: number, both: Uint32Array, window: Uint32Array): void {
  const pfns: { pfn: number; i: number }[] = [];
  for (let i = 0; i < n; i++) {
    const lo = rec32[2 * i]!;
    const hi = rec32[2 * i + 1]!;
    both[4 * i] = lo;
    both[4 * i + 1] = hi;
    both[4 * i + 2] = 0;
    both[4 * i + 3] = 0;
    const pfn = presentPfnOfRecord(hi, lo);
    if (pfn > 0) pfns.push({ pfn, i });
  }
  pfns.sort((a, b) => a.pfn - b.pfn);
  const bytes = new Uint8Array(window.buffer);
  for (let j = 0; j < pfns.length;) {
    const first = pfns[j]!.pfn;
    let k = j;
    while (k + 1 < pfns.length && pfns[k + 1]!.pfn - first < window.length / 2) k++;
    const span = pfns[k]!.pfn - first + 1;
    const got = readFully(fd, bytes, span * 8, BigInt(first) * 8n);
    for (let m = j; m <= k; m++) {
      const at = pfns[m]!.pfn - first;
      if ((at + 1) * 8 > got) continue;
      both[4 * pfns[m]!.i + 2] = window[2 * at]!;
      both[4 * pfns[m]!.i + 3] = window[2 * at + 1]!;
    }
    j = k + 1;
  }
}

export async function captureCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      range: { type: 'string' }, out: { type: 'string' }, 'no-kpageflags': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout.write(CAPTURE_USAGE);
    return 0;
  }
  const fail = (msg: string) => {
    io.stderr.write(`swapviz capture: ${msg}\n`);
    return 1;
  };
  try {
    if (positionals.length !== 1) throw new CaptureError(positionals.length ? `one PID, not ${positionals.length} arguments` : 'give the PID of the process to capture (swapviz capture --help)');
    const pidText = positionals[0]!;
    if (!/^\d{1,7}$/.test(pidText) || Number(pidText) < 1 || Number(pidText) > PID_MAX_LIMIT) {
      throw new CaptureError(`"${clip(pidText)}" is not a process id (a number from 1 to ${PID_MAX_LIMIT})`);
    }
    const range = values.range === undefined ? null : parseRange(values.range);
    const out = values.out === undefined || values.out === '-' ? null : values.out;
    if (out === null && (io.stdout as { isTTY?: boolean }).isTTY) {
      throw new CaptureError('refusing to write a snapshot to a terminal: give --out FILE, or pipe it');
    }
    const r = await capture({ pid: Number(pidText), range, out, kpageflags: !values['no-kpageflags'] }, io);
    for (const w of r.warnings) io.stderr.write(`swapviz capture: warning: ${w}\n`);
    if (out !== null) {
      io.stderr.write(`swapviz capture: ${r.pages} pages in ${r.vmas} VMAs of PID ${pidText} -> ${out}${r.pfnVisible ? '' : ' (frames hidden: no CAP_SYS_ADMIN)'}\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof CaptureError) return fail(e.message);
    throw e;
  }
}
