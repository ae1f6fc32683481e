/**
 * parseSnapshot(): a snapshot file's text -> a Snapshot, or an error naming the first bad field
 * ("vmas[3].pages.data: 1000 bytes, expected 1040 (130 pages × 8)"). It trusts nothing: every
 * field is type-checked and range-checked, sizes are checked before anything is allocated, and
 * the page data is decoded straight into flat 32-bit arrays, so a million pages load in tens of
 * milliseconds. Fields it does not know are tolerated and listed in `warnings`.
 */
import { applyKconfig, DEFAULT_CONFIG } from '../model/kernel/config.ts';
import { getKernel, type Kernel } from '../model/kernel/kernel.ts';
import { PAGEMAP_BITS, type PagemapBitName } from '../model/kernel/pagemap.ts';
import { isProfileId } from '../model/kernel/profiles.ts';
import { fromHalves } from '../model/kernel/u64.ts';
import { base64ByteLength, fromBase64Into, toBase64 } from './base64.ts';
import {
  MAX_SNAPSHOT_PAGES, PAGE_FIELDS, PAGE_SIZE, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, SnapshotWriter,
  type PageField, type Snapshot, type SnapshotConfig, type SnapshotKernel, type SnapshotVma,
} from './format.ts';

export type ParseSnapshotResult = { ok: true; snapshot: Snapshot; warnings: string[] } | { ok: false; error: string };

class Bad extends Error {}

function fail(path: string, why: string): never {
  throw new Bad(`${path}: ${why}`);
}

type Obj = Record<string, unknown>;

const MAX_VMAS = 2 ** 20;
const PID_MAX_LIMIT = 4194304;
const PAGE = BigInt(PAGE_SIZE);
const U64_MAX = (1n << 64n) - 1n;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return v.length > 40 ? `a string "${v.slice(0, 37)}..."` : `"${v}"`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

function object(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, `expected an object, got ${describe(v)}`);
  return v as Obj;
}

function str(v: unknown, path: string, max: number): string {
  if (typeof v !== 'string') fail(path, `expected a string, got ${describe(v)}`);
  if (v.length > max) fail(path, `${v.length} characters, at most ${max}`);
  return v;
}

function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') fail(path, `expected true or false, got ${describe(v)}`);
  return v;
}

function int(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(path, `expected an integer, got ${describe(v)}`);
  if (v < min || v > max) fail(path, `${v} is outside ${min}..${max}`);
  return v;
}

function u64hex(v: unknown, path: string): bigint {
  const s = str(v, path, 64);
  if (!/^0x[0-9a-fA-F]{1,16}$/.test(s)) fail(path, `expected a 64-bit hex number such as "0x7f0000000000", got ${describe(v)}`);
  return BigInt(s);
}

function pageAligned(v: bigint, path: string): bigint {
  if (v % PAGE !== 0n) fail(path, `0x${v.toString(16)} is not a multiple of the page size (${PAGE_SIZE})`);
  return v;
}

function unknownKeys(o: Obj, known: readonly string[], path: string, warnings: string[]): void {
  for (const key of Object.keys(o)) if (!known.includes(key)) warnings.push(`${path}${path ? '.' : ''}${key}: unknown field, ignored`);
}

const BIT_NAMES = PAGEMAP_BITS.map((b) => b.name);

function parseConfig(v: unknown, path: string): SnapshotConfig | null {
  if (v === null) return null;
  const o = object(v, path);
  return {
    MIGRATION: bool(o.MIGRATION, `${path}.MIGRATION`),
    DEVICE_PRIVATE: bool(o.DEVICE_PRIVATE, `${path}.DEVICE_PRIVATE`),
    MEMORY_FAILURE: bool(o.MEMORY_FAILURE, `${path}.MEMORY_FAILURE`),
    MEM_SOFT_DIRTY: bool(o.MEM_SOFT_DIRTY, `${path}.MEM_SOFT_DIRTY`),
  };
}

function parseKernel(v: unknown, warnings: string[]): SnapshotKernel {
  const o = object(v, 'kernel');
  unknownKeys(o, ['release', 'profile', 'profileExact', 'profileNote', 'arch', 'paging', 'config', 'configSource', 'lacks'], 'kernel', warnings);
  const profile = str(o.profile, 'kernel.profile', 32);
  if (!isProfileId(profile)) fail('kernel.profile', `unknown profile "${profile}"`);
  const arch = str(o.arch, 'kernel.arch', 16);
  if (arch !== 'x86_64' && arch !== 'arm64') fail('kernel.arch', `expected "x86_64" or "arm64", got ${describe(arch)}`);
  const paging = int(o.paging, 'kernel.paging', 4, 5) as 4 | 5;
  if (!Array.isArray(o.lacks)) fail('kernel.lacks', `expected an array, got ${describe(o.lacks)}`);
  const lacks = o.lacks.map((l, i) => {
    const lo = object(l, `kernel.lacks[${i}]`);
    const bit = str(lo.bit, `kernel.lacks[${i}].bit`, 32);
    if (!(BIT_NAMES as readonly string[]).includes(bit)) fail(`kernel.lacks[${i}].bit`, `"${bit}" is not a pagemap bit (${BIT_NAMES.join(', ')})`);
    return { bit: bit as PagemapBitName, why: str(lo.why, `kernel.lacks[${i}].why`, 1000) };
  });
  const configSource = o.configSource === null ? null : str(o.configSource, 'kernel.configSource', 4096);
  return {
    release: str(o.release, 'kernel.release', 256),
    profile,
    profileExact: bool(o.profileExact, 'kernel.profileExact'),
    profileNote: str(o.profileNote, 'kernel.profileNote', 1000),
    arch,
    paging,
    config: parseConfig(o.config, 'kernel.config'),
    configSource,
    lacks,
  };
}

interface VmaDraft extends Omit<SnapshotVma, 'first'> {
  readonly data: string;
}

function parseVma(v: unknown, i: number, fields: number, range: Snapshot['range'], prevEnd: bigint, warnings: string[]): VmaDraft {
  const p = `vmas[${i}]`;
  const o = object(v, p);
  unknownKeys(o, ['start', 'end', 'perms', 'offset', 'dev', 'inode', 'path', 'pages'], p, warnings);
  const start = pageAligned(u64hex(o.start, `${p}.start`), `${p}.start`);
  const end = pageAligned(u64hex(o.end, `${p}.end`), `${p}.end`);
  if (end <= start) fail(`${p}.end`, `0x${end.toString(16)} is not above start 0x${start.toString(16)}`);
  if (start < prevEnd) fail(`${p}.start`, `0x${start.toString(16)} overlaps the previous VMA (VMAs are sorted and disjoint, as in /proc/PID/maps)`);
  const perms = str(o.perms, `${p}.perms`, 4);
  if (!/^[r-][w-][x-][ps]$/.test(perms)) fail(`${p}.perms`, `expected four characters like "rw-p", got ${describe(perms)}`);
  const dev = str(o.dev, `${p}.dev`, 32);
  if (!/^[0-9a-fA-F]{1,8}:[0-9a-fA-F]{1,8}$/.test(dev)) fail(`${p}.dev`, `expected MAJOR:MINOR in hex like "fd:01", got ${describe(dev)}`);
  const inode = str(o.inode, `${p}.inode`, 20);
  if (!/^\d{1,20}$/.test(inode) || BigInt(inode) > U64_MAX) fail(`${p}.inode`, `expected a decimal u64, got ${describe(inode)}`);
  const pg = object(o.pages, `${p}.pages`);
  unknownKeys(pg, ['start', 'count', 'data'], `${p}.pages`, warnings);
  const pagesStart = pageAligned(u64hex(pg.start, `${p}.pages.start`), `${p}.pages.start`);
  const count = int(pg.count, `${p}.pages.count`, 0, MAX_SNAPSHOT_PAGES);
  if (pagesStart < start || pagesStart > end) fail(`${p}.pages.start`, `0x${pagesStart.toString(16)} is outside the VMA 0x${start.toString(16)}-0x${end.toString(16)}`);
  if (pagesStart + BigInt(count) * PAGE > end) fail(`${p}.pages.count`, `${count} pages from 0x${pagesStart.toString(16)} run past the VMA's end 0x${end.toString(16)}`);
  if (range && count > 0 && (pagesStart < range.start || pagesStart + BigInt(count) * PAGE > range.end)) {
    fail(`${p}.pages`, `the pages run outside the captured range 0x${range.start.toString(16)}-0x${range.end.toString(16)}`);
  }
  const data = str(pg.data, `${p}.pages.data`, Math.ceil((MAX_SNAPSHOT_PAGES * 8 * PAGE_FIELDS.length) / 3) * 4);
  const want = count * 8 * fields;
  const got = base64ByteLength(data);
  if (got < 0) fail(`${p}.pages.data`, `not padded base64: its length ${data.length} is not a multiple of 4`);
  if (got !== want) fail(`${p}.pages.data`, `${got} bytes, expected ${want} (${count} pages × ${fields} × 8)`);
  return {
    start, end, perms, offset: u64hex(o.offset, `${p}.offset`), dev, inode, path: str(o.path, `${p}.path`, 4096), pagesStart, count, data,
  };
}

function parseFields(v: unknown): PageField[] {
  if (!Array.isArray(v)) fail('pageFields', `expected an array, got ${describe(v)}`);
  const out: PageField[] = [];
  v.forEach((f, i) => {
    const s = str(f, `pageFields[${i}]`, 32);
    if (!(PAGE_FIELDS as readonly string[]).includes(s)) fail(`pageFields[${i}]`, `unknown page field "${s}" (known: ${PAGE_FIELDS.join(', ')})`);
    if (out.includes(s as PageField)) fail(`pageFields[${i}]`, `"${s}" is listed twice`);
    out.push(s as PageField);
  });
  if (out[0] !== 'pagemap') fail('pageFields', 'the first field of every page must be "pagemap"');
  return out;
}

/** Reads a snapshot file's text. Never throws. */
export function parseSnapshot(text: string): ParseSnapshotResult {
  try {
    return parse(text);
  } catch (e) {
    if (e instanceof Bad) return { ok: false, error: e.message };
    if (e instanceof RangeError) return { ok: false, error: `too large to load: ${e.message}` };
    throw e;
  }
}

function parse(text: string): ParseSnapshotResult {
  if (typeof text !== 'string') return { ok: false, error: 'expected the text of a snapshot file' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `not a snapshot: the file is not JSON (${(e as Error).message})` };
  }
  const o = object(json, 'snapshot');
  if (o.format !== SNAPSHOT_FORMAT) fail('format', `expected "${SNAPSHOT_FORMAT}", got ${describe(o.format)}: not a swapviz snapshot`);
  const version = int(o.version, 'version', 1, Number.MAX_SAFE_INTEGER);
  if (version > SNAPSHOT_VERSION) fail('version', `${version} is newer than this swapviz, which reads snapshots up to version ${SNAPSHOT_VERSION}`);
  const warnings: string[] = [];
  unknownKeys(o, ['format', 'version', 'capturedAt', 'pid', 'comm', 'kernel', 'range', 'pageFields', 'vmas', 'pfnVisible', 'pageCount'], '', warnings);
  const capturedAt = str(o.capturedAt, 'capturedAt', 64);
  if (Number.isNaN(Date.parse(capturedAt))) fail('capturedAt', `${describe(capturedAt)} is not a date`);
  const pid = int(o.pid, 'pid', 1, PID_MAX_LIMIT);
  const comm = o.comm === null ? null : str(o.comm, 'comm', 64);
  const kernel = parseKernel(o.kernel, warnings);
  let range: Snapshot['range'] = null;
  if (o.range !== null) {
    const r = object(o.range, 'range');
    const start = pageAligned(u64hex(r.start, 'range.start'), 'range.start');
    const end = pageAligned(u64hex(r.end, 'range.end'), 'range.end');
    if (end <= start) fail('range.end', `0x${end.toString(16)} is not above range.start 0x${start.toString(16)}`);
    range = { start, end };
  }
  const pageFields = parseFields(o.pageFields);
  if (!Array.isArray(o.vmas)) fail('vmas', `expected an array, got ${describe(o.vmas)}`);
  if (o.vmas.length > MAX_VMAS) fail('vmas', `${o.vmas.length} VMAs, at most ${MAX_VMAS}`);
  const drafts: VmaDraft[] = [];
  let prevEnd = 0n;
  let total = 0;
  for (let i = 0; i < o.vmas.length; i++) {
    const d = parseVma(o.vmas[i], i, pageFields.length, range, prevEnd, warnings);
    prevEnd = d.end;
    total += d.count;
    if (total > MAX_SNAPSHOT_PAGES) fail(`vmas[${i}].pages.count`, `more than ${MAX_SNAPSHOT_PAGES} pages in all`);
    drafts.push(d);
  }
  const pfnVisible = bool(o.pfnVisible, 'pfnVisible');
  const pageCount = int(o.pageCount, 'pageCount', 0, MAX_SNAPSHOT_PAGES);
  if (pageCount !== total) fail('pageCount', `${pageCount}, but the VMAs hold ${total} pages`);

  const hi = new Uint32Array(total);
  const lo = new Uint32Array(total);
  const withFlags = pageFields.includes('kpageflags');
  const kpf = withFlags ? { hi: new Uint32Array(total), lo: new Uint32Array(total) } : null;
  const stride = pageFields.length * 8;
  const flagsAt = pageFields.indexOf('kpageflags') * 8;
  const buf = new Uint8Array(Math.max(0, ...drafts.map((d) => d.count * stride)));
  const vmas: SnapshotVma[] = [];
  let first = 0;
  drafts.forEach((d, i) => {
    const r = fromBase64Into(d.data, buf);
    if (!r.ok) fail(`vmas[${i}].pages.data`, r.error);
    for (let j = 0, b = 0; j < d.count; j++, b += stride) {
      lo[first + j] = (buf[b]! | (buf[b + 1]! << 8) | (buf[b + 2]! << 16) | (buf[b + 3]! << 24)) >>> 0;
      hi[first + j] = (buf[b + 4]! | (buf[b + 5]! << 8) | (buf[b + 6]! << 16) | (buf[b + 7]! << 24)) >>> 0;
      if (kpf) {
        const f = b + flagsAt;
        kpf.lo[first + j] = (buf[f]! | (buf[f + 1]! << 8) | (buf[f + 2]! << 16) | (buf[f + 3]! << 24)) >>> 0;
        kpf.hi[first + j] = (buf[f + 4]! | (buf[f + 5]! << 8) | (buf[f + 6]! << 16) | (buf[f + 7]! << 24)) >>> 0;
      }
    }
    const { data: _data, ...vma } = d;
    vmas.push({ ...vma, first });
    first += d.count;
  });
  return {
    ok: true,
    warnings,
    snapshot: { version, capturedAt, pid, comm, kernel, range, pageFields, vmas, pfnVisible, pageCount, records: { hi, lo }, kpageflags: kpf },
  };
}

// ---- reading a loaded snapshot -----------------------------------------------------------------------

/** Page i's pagemap record. */
export function snapshotRecord(s: Snapshot, i: number): bigint {
  return fromHalves(s.records.hi[i]!, s.records.lo[i]!);
}

/** Page i's /proc/kpageflags word, or null when the snapshot has none. */
export function snapshotKpageflags(s: Snapshot, i: number): bigint | null {
  return s.kpageflags ? fromHalves(s.kpageflags.hi[i]!, s.kpageflags.lo[i]!) : null;
}

/** The virtual address of page j of a VMA's captured pages. */
export function snapshotPageAddress(v: SnapshotVma, j: number): bigint {
  return v.pagesStart + BigInt(j) * PAGE;
}

/** The kernel that reads the snapshot's records: its profile and, when known, its config. */
export function snapshotKernel(s: Snapshot): Kernel {
  const c = s.kernel.config;
  const config = c ? applyKconfig({ MIGRATION: c.MIGRATION, DEVICE_PRIVATE: c.DEVICE_PRIVATE, MEMORY_FAILURE: c.MEMORY_FAILURE }).config : DEFAULT_CONFIG;
  return getKernel(s.kernel.profile, config, { arch: s.kernel.arch, paging: s.kernel.paging, migrationAd: true });
}

/** The snapshot as file text (what `swapviz capture` writes), e.g. to save an edited or generated one. */
export function formatSnapshot(s: Snapshot): string {
  const parts: string[] = [];
  const w = new SnapshotWriter((t) => parts.push(t), toBase64);
  w.begin(s);
  const stride = s.pageFields.length * 8;
  const flagsAt = s.pageFields.indexOf('kpageflags') * 8;
  for (const v of s.vmas) {
    w.beginVma(v, v.pagesStart, v.count);
    const bytes = new Uint8Array(v.count * stride);
    const dv = new DataView(bytes.buffer);
    for (let j = 0; j < v.count; j++) {
      dv.setUint32(j * stride, s.records.lo[v.first + j]!, true);
      dv.setUint32(j * stride + 4, s.records.hi[v.first + j]!, true);
      if (s.kpageflags && flagsAt > 0) {
        dv.setUint32(j * stride + flagsAt, s.kpageflags.lo[v.first + j]!, true);
        dv.setUint32(j * stride + flagsAt + 4, s.kpageflags.hi[v.first + j]!, true);
      }
    }
    w.pages(bytes);
    w.endVma();
  }
  w.finish(s);
  return parts.join('');
}
