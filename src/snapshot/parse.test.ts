/**
 * The snapshot codec: what formatSnapshot writes, parseSnapshot reads back exactly; the streaming
 * writer gives the same text however the pages are chunked; and every kind of damage is refused
 * with an error naming the field.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64ByteLength, fromBase64Into, toBase64 } from './base64.ts';
import { SnapshotWriter, type Snapshot } from './format.ts';
import { formatSnapshot, parseSnapshot, snapshotKernel, snapshotKpageflags, snapshotPageAddress, snapshotRecord } from './parse.ts';

const base: Omit<Snapshot, 'vmas' | 'records' | 'kpageflags' | 'pageCount' | 'pageFields'> = {
  version: 1,
  capturedAt: '2026-12-01T15:40:00.000Z',
  pid: 4242,
  comm: 'a.out',
  kernel: {
    release: '6.18.44', profile: 'v6.18', profileExact: true, profileNote: 'Linux 6.18', arch: 'x86_64', paging: 4,
    config: { MIGRATION: true, DEVICE_PRIVATE: false, MEMORY_FAILURE: false, MEM_SOFT_DIRTY: true }, configSource: '/proc/config.gz',
    lacks: [],
  },
  range: null,
  pfnVisible: true,
};

const RECORDS = [0x8100000000001234n, 0n, 0x440000000000009fn, 0x400000000002469bn, 0x8000000000003b36n];

function sample(withFlags: boolean): Snapshot {
  const hi = new Uint32Array(RECORDS.map((r) => Number(r >> 32n)));
  const lo = new Uint32Array(RECORDS.map((r) => Number(r & 0xffffffffn)));
  const flags = RECORDS.map((r, i) => (r >> 63n ? 0x400005828n + BigInt(i) : 0n));
  return {
    ...base,
    pageFields: withFlags ? ['pagemap', 'kpageflags'] : ['pagemap'],
    vmas: [
      { start: 0x7f0000000000n, end: 0x7f0000003000n, perms: 'rw-p', offset: 0n, dev: '00:00', inode: '0', path: '', pagesStart: 0x7f0000001000n, first: 0, count: 2 },
      { start: 0x7f0000010000n, end: 0x7f0000020000n, perms: 'r--s', offset: 0x2000n, dev: 'fd:01', inode: '18446744073709551615', path: '/tmp/a file (deleted)', pagesStart: 0x7f0000010000n, first: 2, count: 3 },
      { start: 0xffffffffff600000n, end: 0xffffffffff601000n, perms: '--xp', offset: 0n, dev: '00:00', inode: '0', path: '[vsyscall]', pagesStart: 0xffffffffff600000n, first: 5, count: 0 },
    ],
    pageCount: 5,
    records: { hi, lo },
    kpageflags: withFlags
      ? { hi: new Uint32Array(flags.map((f) => Number(f >> 32n))), lo: new Uint32Array(flags.map((f) => Number(f & 0xffffffffn))) }
      : null,
  };
}

describe('round trip', () => {
  it.each([false, true])('parseSnapshot(formatSnapshot(s)) is s (kpageflags: %s)', (withFlags) => {
    const s = sample(withFlags);
    const r = parseSnapshot(formatSnapshot(s));
    if (!r.ok) throw new Error(r.error);
    expect(r.snapshot).toEqual(s);
    expect(r.warnings).toEqual([]);
    expect(RECORDS.map((_, i) => snapshotRecord(r.snapshot, i))).toEqual(RECORDS);
    expect(snapshotKpageflags(r.snapshot, 0)).toBe(withFlags ? 0x400005828n : null);
    expect(snapshotPageAddress(r.snapshot.vmas[1]!, 2)).toBe(0x7f0000012000n);
  });

  it('the records are little-endian u64s in standard base64, page after page', () => {
    const json = JSON.parse(formatSnapshot(sample(false))) as { vmas: { pages: { data: string } }[] };
    const bytes = Buffer.from(json.vmas[0]!.pages.data, 'base64');
    expect(bytes.readBigUInt64LE(0)).toBe(RECORDS[0]);
    expect(bytes.readBigUInt64LE(8)).toBe(RECORDS[1]);
  });

  it('the writer gives the same text however the page bytes are chunked', () => {
    const bytes = Uint8Array.from({ length: 8 * 37 }, (_, i) => (i * 37 + 11) & 255);
    const write = (chunks: number[]) => {
      const parts: string[] = [];
      const w = new SnapshotWriter((t) => parts.push(t), toBase64);
      w.begin({ ...base, pageFields: ['pagemap'] });
      w.beginVma({ start: 0x1000n, end: 0x100000n, perms: 'rw-p', offset: 0n, dev: '00:00', inode: '0', path: '' }, 0x1000n, 37);
      let at = 0;
      for (const n of chunks) {
        w.pages(bytes.subarray(at, at + n));
        at += n;
      }
      w.pages(bytes.subarray(at));
      w.endVma();
      w.finish({ pfnVisible: true, pageCount: 37 });
      return parts.join('');
    };
    const whole = write([]);
    expect(parseSnapshot(whole).ok).toBe(true);
    for (const chunks of [[1], [2, 2, 2], [5, 7, 11, 13], [8, 16, 24]]) expect(write(chunks)).toBe(whole);
  });

  it('the parsed kernel reads records with the captured config', () => {
    const r = parseSnapshot(formatSnapshot(sample(false)));
    if (!r.ok) throw new Error(r.error);
    const k = snapshotKernel(r.snapshot);
    expect(k.typeName(28)).toBe('SWP_MIGRATION_READ');
    expect(k.typeName(31)).toBe('SWP_PTE_MARKER');
  });
});

describe('base64', () => {
  it('matches the standard encoding and decodes back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const b64 = toBase64(bytes);
        expect(b64).toBe(Buffer.from(bytes).toString('base64'));
        expect(base64ByteLength(b64)).toBe(bytes.length);
        const out = new Uint8Array(bytes.length);
        expect(fromBase64Into(b64, out)).toEqual({ ok: true, bytes: bytes.length });
        expect(out).toEqual(bytes);
      }),
      { seed: 11, numRuns: 300 },
    );
  });
  it.each([['AAA*'], ['AA=A'], ['A\u00e9AA'], ['AAAAA']])('refuses "%s"', (t) => {
    expect(fromBase64Into(t, new Uint8Array(8)).ok).toBe(false);
  });
});

type Json = Record<string, unknown> & { vmas: Record<string, unknown>[]; kernel: Record<string, unknown> };

function damaged(edit: (j: Json) => void): string {
  const j = JSON.parse(formatSnapshot(sample(true))) as Json;
  edit(j);
  return JSON.stringify(j);
}

const pages0 = (j: Json) => j.vmas[0]!.pages as Record<string, unknown>;

describe('damage is refused with the field named', () => {
  it.each<[string, string | ((j: Json) => void), RegExp]>([
    ['not JSON', '{"format":', /^not a snapshot: the file is not JSON/],
    ['a share link', 'v=1&k=rfc&s=S02', /not JSON/],
    ['another JSON document', '[1,2]', /^snapshot: expected an object, got an array/],
    ['the wrong format', (j) => (j.format = 'swapviz-link'), /^format: expected "swapviz-pagemap-snapshot"/],
    ['a newer version', (j) => (j.version = 2), /^version: 2 is newer than this swapviz/],
    ['version 0', (j) => (j.version = 0), /^version: 0 is outside 1\.\./],
    ['a bad date', (j) => (j.capturedAt = 'yesterday'), /^capturedAt: "yesterday" is not a date/],
    ['a negative pid', (j) => (j.pid = -1), /^pid: -1 is outside/],
    ['an unknown profile', (j) => (j.kernel.profile = 'v2.6'), /^kernel\.profile: unknown profile "v2\.6"/],
    ['an unknown arch', (j) => (j.kernel.arch = 'riscv64'), /^kernel\.arch: expected "x86_64" or "arm64"/],
    ['a config without a field', (j) => delete (j.kernel.config as Record<string, unknown>).MEM_SOFT_DIRTY, /^kernel\.config\.MEM_SOFT_DIRTY: expected true or false/],
    ['a lacking bit that does not exist', (j) => (j.kernel.lacks = [{ bit: 'PM_NOPE', why: '' }]), /^kernel\.lacks\[0\]\.bit: "PM_NOPE" is not a pagemap bit/],
    ['an unknown page field', (j) => (j.pageFields = ['pagemap', 'kpagecount']), /^pageFields\[1\]: unknown page field "kpagecount"/],
    ['kpageflags first', (j) => (j.pageFields = ['kpageflags', 'pagemap']), /^pageFields: the first field of every page must be "pagemap"/],
    ['a VMA end below its start', (j) => (j.vmas[0]!.end = '0x7f0000000000'), /^vmas\[0\]\.end: 0x7f0000000000 is not above start/],
    ['an unaligned VMA', (j) => (j.vmas[1]!.start = '0x7f0000010010'), /^vmas\[1\]\.start: 0x7f0000010010 is not a multiple of the page size/],
    ['overlapping VMAs', (j) => (j.vmas[1]!.start = '0x7f0000002000'), /^vmas\[1\]\.start: 0x7f0000002000 overlaps the previous VMA/],
    ['a number instead of hex', (j) => (j.vmas[0]!.start = 139637976727552), /^vmas\[0\]\.start: expected a string/],
    ['a hex wider than 64 bits', (j) => (j.vmas[0]!.offset = '0x10000000000000000'), /^vmas\[0\]\.offset: expected a 64-bit hex number such as "0x7f0000000000", got "0x10000000000000000"/],
    ['bad perms', (j) => (j.vmas[0]!.perms = 'rwxq'), /^vmas\[0\]\.perms: expected four characters like "rw-p"/],
    ['a bad inode', (j) => (j.vmas[0]!.inode = '-1'), /^vmas\[0\]\.inode: expected a decimal u64/],
    ['pages outside the VMA', (j) => (pages0(j).start = '0x7f0000004000'), /^vmas\[0\]\.pages\.start: 0x7f0000004000 is outside the VMA/],
    ['too many pages for the VMA', (j) => (pages0(j).count = 3), /^vmas\[0\]\.pages\.count: 3 pages from 0x7f0000001000 run past the VMA's end/],
    ['data one page short', (j) => (pages0(j).data = Buffer.alloc(16).toString('base64')), /^vmas\[0\]\.pages\.data: 16 bytes, expected 32 \(2 pages × 2 × 8\)/],
    ['data that is not base64', (j) => (pages0(j).data = (pages0(j).data as string).replace(/^./, '*')), /^vmas\[0\]\.pages\.data: character "\*" at position 0 is not base64/],
    ['data with a bad length', (j) => (pages0(j).data = 'AAA'), /^vmas\[0\]\.pages\.data: not padded base64/],
    ['a page count that does not add up', (j) => (j.pageCount = 6), /^pageCount: 6, but the VMAs hold 5 pages/],
    ['pages outside the range', (j) => (j.range = { start: '0x7f0000010000', end: '0x7f0000020000' }), /^vmas\[0\]\.pages: the pages run outside the captured range/],
    ['pfnVisible missing', (j) => delete j.pfnVisible, /^pfnVisible: expected true or false, got undefined/],
    ['more pages than a snapshot may hold', (j) => (pages0(j).count = 2 ** 27 + 1), /^vmas\[0\]\.pages\.count: 134217729 is outside 0\.\.134217728/],
  ])('%s', (_, input, re) => {
    const r = parseSnapshot(typeof input === 'string' ? input : damaged(input));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(re);
  });

  it('unknown fields are read past and listed as warnings', () => {
    const r = parseSnapshot(damaged((j) => {
      j.note = 'hi';
      j.vmas[0]!.rss = 8;
    }));
    expect(r.ok && r.warnings).toEqual(['note: unknown field, ignored', 'vmas[0].rss: unknown field, ignored']);
  });
});
