/**
 * The snapshot file `swapviz capture` writes: one JSON object, version 1.
 *
 *   {
 *     "format": "swapviz-pagemap-snapshot",   always this string
 *     "version": 1,
 *     "capturedAt": "2026-12-01T15:40:00.000Z",
 *     "pid": 1234, "comm": "a.out",            comm may be null
 *     "kernel": {
 *       "release": "6.18.44",                  os.release() of the captured machine
 *       "profile": "v6.18",                    the swapviz profile that reads it (release.ts)
 *       "profileExact": true, "profileNote": "…",
 *       "arch": "x86_64", "paging": 4,
 *       "config": { "MIGRATION": true, "DEVICE_PRIVATE": false, "MEMORY_FAILURE": false,
 *                   "MEM_SOFT_DIRTY": false } | null,     from /proc/config.gz; null = unknown
 *       "configSource": "/proc/config.gz" | null,
 *       "lacks": [{ "bit": "PM_SOFT_DIRTY", "why": "…" }]  pagemap bits this kernel never sets
 *     },
 *     "range": { "start": "0x…", "end": "0x…" } | null,   --range, or null for every VMA
 *     "pageFields": ["pagemap"] | ["pagemap", "kpageflags"],
 *     "vmas": [{
 *       "start": "0x…", "end": "0x…", "perms": "rw-p", "offset": "0x0", "dev": "00:00",
 *       "inode": "0", "path": "[heap]",        as /proc/PID/maps has them
 *       "pages": { "start": "0x…", "count": 64, "data": "base64…" }
 *     }, …],
 *     "pfnVisible": true,                       the reader had CAP_SYS_ADMIN (frames are real)
 *     "pageCount": 64                           the sum of every pages.count
 *   }
 *
 * `pages` are the captured pages of the VMA (all of it, or its part inside --range): `count`
 * consecutive pages from `start`. `data` is standard base64 of `count` × pageFields.length
 * little-endian u64s, page by page: the raw pagemap record, then (with kpageflags) the
 * /proc/kpageflags word of its PFN (0 when the page is not present). Raw little-endian u64s in
 * base64 are 10.7 bytes a page — a million pages are ~11 MB of JSON that decodes in tens of
 * milliseconds — while a hex-string array would be twice the size and a million strings to parse.
 * A VMA pagemap reports nothing for (such as [vsyscall], above TASK_SIZE) has count 0.
 *
 * 64-bit numbers are "0x…" hex strings; the inode is a decimal string (u64).
 * A later version adds fields or bumps `version`; parseSnapshot() reads every version ever written.
 */
import type { ArchId } from '../model/kernel/platform.ts';
import type { PagemapBitName } from '../model/kernel/pagemap.ts';
import type { ProfileId } from '../model/kernel/profiles.ts';

export const SNAPSHOT_FORMAT = 'swapviz-pagemap-snapshot';
/** The version `swapviz capture` writes, and the newest parseSnapshot reads. */
export const SNAPSHOT_VERSION = 1;
/** The u64 words a page can carry, in file order. */
export const PAGE_FIELDS = ['pagemap', 'kpageflags'] as const;
export type PageField = (typeof PAGE_FIELDS)[number];
/** The most pages a snapshot may hold (2^27 = 512 GiB of address space, 1 GiB of records). */
export const MAX_SNAPSHOT_PAGES = 2 ** 27;
export const PAGE_SIZE = 4096;

/** The kernel config options that decide type numbers, plus the one that decides PM_SOFT_DIRTY. */
export interface SnapshotConfig {
  readonly MIGRATION: boolean;
  readonly DEVICE_PRIVATE: boolean;
  readonly MEMORY_FAILURE: boolean;
  readonly MEM_SOFT_DIRTY: boolean;
}

export interface SnapshotKernel {
  readonly release: string;
  readonly profile: ProfileId;
  readonly profileExact: boolean;
  readonly profileNote: string;
  readonly arch: ArchId;
  readonly paging: 4 | 5;
  readonly config: SnapshotConfig | null;
  readonly configSource: string | null;
  readonly lacks: readonly { readonly bit: PagemapBitName; readonly why: string }[];
}

/** What is known before the first page is read. */
export interface SnapshotHead {
  readonly capturedAt: string;
  readonly pid: number;
  readonly comm: string | null;
  readonly kernel: SnapshotKernel;
  readonly range: { readonly start: bigint; readonly end: bigint } | null;
  readonly pageFields: readonly PageField[];
}

/** A line of /proc/PID/maps. */
export interface MapsVma {
  readonly start: bigint;
  readonly end: bigint;
  readonly perms: string;
  readonly offset: bigint;
  readonly dev: string;
  readonly inode: string;
  readonly path: string;
}

/** What is known after the last page. */
export interface SnapshotTail {
  readonly pfnVisible: boolean;
  readonly pageCount: number;
}

/** A parsed snapshot: the head, the VMAs, and every page's words in flat 32-bit halves. */
export interface Snapshot extends SnapshotHead, SnapshotTail {
  readonly version: number;
  readonly vmas: readonly SnapshotVma[];
  /** Every captured page's pagemap record, VMA after VMA: record i is hi[i] * 2^32 + lo[i]. */
  readonly records: { readonly hi: Uint32Array; readonly lo: Uint32Array };
  /** The /proc/kpageflags word of each page's PFN, same indexing; null when not captured. */
  readonly kpageflags: { readonly hi: Uint32Array; readonly lo: Uint32Array } | null;
}

export interface SnapshotVma extends MapsVma {
  /** The address of the first captured page. */
  readonly pagesStart: bigint;
  /** Index of that page in `records`. */
  readonly first: number;
  readonly count: number;
}

const hex = (v: bigint) => '0x' + v.toString(16);

type WriterState = 'new' | 'head' | 'vma' | 'done';

/**
 * Writes a snapshot as a stream of text pieces: begin(), then per VMA beginVma(), pages() any
 * number of times with any byte count (the base64 is cut at whole 3-byte groups, the rest carried
 * over), endVma(), and finish(). `sink` receives the text in order; nothing is held but one chunk.
 */
export class SnapshotWriter {
  readonly #sink: (text: string) => void;
  readonly #encode: (bytes: Uint8Array) => string;
  #carry = new Uint8Array(0);
  #vmas = 0;
  #state: WriterState = 'new';

  /** `encode` is standard padded base64 (toBase64, or Buffer's where node is at hand). */
  constructor(sink: (text: string) => void, encode: (bytes: Uint8Array) => string) {
    this.#sink = sink;
    this.#encode = encode;
  }

  begin(h: SnapshotHead): void {
    this.#expect('new');
    const k = h.kernel;
    const head = {
      format: SNAPSHOT_FORMAT,
      version: SNAPSHOT_VERSION,
      capturedAt: h.capturedAt,
      pid: h.pid,
      comm: h.comm,
      kernel: {
        release: k.release, profile: k.profile, profileExact: k.profileExact, profileNote: k.profileNote, arch: k.arch, paging: k.paging,
        config: k.config, configSource: k.configSource, lacks: k.lacks,
      },
      range: h.range ? { start: hex(h.range.start), end: hex(h.range.end) } : null,
      pageFields: h.pageFields,
    };
    const json = JSON.stringify(head);
    this.#sink(json.slice(0, -1) + ',"vmas":[');
    this.#state = 'head';
  }

  beginVma(v: MapsVma, pagesStart: bigint, count: number): void {
    this.#expect('head');
    const head = {
      start: hex(v.start), end: hex(v.end), perms: v.perms, offset: hex(v.offset), dev: v.dev, inode: v.inode, path: v.path,
    };
    const json = JSON.stringify(head);
    this.#sink(`${this.#vmas++ ? ',' : ''}${json.slice(0, -1)},"pages":{"start":"${hex(pagesStart)}","count":${count},"data":"`);
    this.#state = 'vma';
  }

  pages(bytes: Uint8Array): void {
    this.#expect('vma');
    let buf = bytes;
    if (this.#carry.length) {
      buf = new Uint8Array(this.#carry.length + bytes.length);
      buf.set(this.#carry);
      buf.set(bytes, this.#carry.length);
    }
    const whole = buf.length - (buf.length % 3);
    if (whole) this.#sink(this.#encode(buf.subarray(0, whole)));
    this.#carry = buf.slice(whole);
  }

  endVma(): void {
    this.#expect('vma');
    if (this.#carry.length) this.#sink(this.#encode(this.#carry));
    this.#carry = new Uint8Array(0);
    this.#sink('"}}');
    this.#state = 'head';
  }

  finish(t: SnapshotTail): void {
    this.#expect('head');
    this.#sink(`],"pfnVisible":${t.pfnVisible},"pageCount":${t.pageCount}}\n`);
    this.#state = 'done';
  }

  #expect(s: WriterState): void {
    if (this.#state !== s) throw new Error(`SnapshotWriter: called in state ${this.#state}, expected ${s}`);
  }
}
