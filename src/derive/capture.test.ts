/** The rows of a captured process: VMA headings, records, folded runs of empty records. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, getKernel } from '../model/index.ts';
import type { Snapshot, SnapshotVma } from '../snapshot/format.ts';
import { captureRows } from './capture.ts';

const k = getKernel('v6.18', DEFAULT_CONFIG, { arch: 'x86_64', paging: 4, migrationAd: true });

/** A snapshot of VMAs with these records (as bigints). */
function snapshot(vmas: readonly (readonly bigint[])[], pfnVisible = true): Snapshot {
  const all = vmas.flat();
  const hi = new Uint32Array(all.map((r) => Number(r >> 32n)));
  const lo = new Uint32Array(all.map((r) => Number(r & 0xffffffffn)));
  let first = 0;
  const vs: SnapshotVma[] = vmas.map((v, i) => {
    const start = 0x7f0000000000n + BigInt(i) * 0x100000n;
    const out: SnapshotVma = { start, end: start + BigInt(v.length) * 4096n, perms: 'rw-p', offset: 0n, dev: '00:00', inode: '0', path: '', pagesStart: start, first, count: v.length };
    first += v.length;
    return out;
  });
  return {
    version: 1, capturedAt: '2026-12-01T00:00:00Z', pid: 1, comm: 'a.out', range: null, pageFields: ['pagemap'],
    kernel: { release: '6.18.44', profile: 'v6.18', profileExact: true, profileNote: '', arch: 'x86_64', paging: 4, config: null, configSource: null, lacks: [] },
    vmas: vs, records: { hi, lo }, kpageflags: null, pfnVisible, pageCount: all.length,
  } as Snapshot;
}

const PRESENT = 0x8100000000001234n;
const GUARD = 0x440000000000009fn;
const DEVICE_W = 0x400000000000021cn;

describe('captureRows', () => {
  it('a heading per VMA, then records; runs of two or more empty records fold, a single one does not', () => {
    const s = snapshot([[PRESENT, 0n, 0n, 0n, GUARD, 0n, DEVICE_W], [0n, 0n]]);
    const rows = captureRows(s, k);
    expect(Array.from({ length: rows.length }, (_, i) => rows.at(i))).toEqual([
      { kind: 'vma', vma: 0 },
      { kind: 'page', vma: 0, record: 0 },
      { kind: 'fold', vma: 0, from: 1, to: 3 },
      { kind: 'page', vma: 0, record: 4 },
      { kind: 'page', vma: 0, record: 5 },
      { kind: 'page', vma: 0, record: 6 },
      { kind: 'vma', vma: 1 },
      { kind: 'fold', vma: 1, from: 7, to: 8 },
    ]);
    expect([0, 2, 4, 5, 6, 7].map((r) => rows.indexOf(r))).toEqual([1, -1, 3, 4, 5, -1]);
  });

  it('counts the records by the kind they imply under the snapshot\'s kernel; without CAP_SYS_ADMIN only guard markers can be told', () => {
    const s = snapshot([[PRESENT, 0n, GUARD, DEVICE_W]]);
    expect(Object.fromEntries(captureRows(s, k).counts)).toEqual({ present: 1, none: 1, 'pte-marker': 1, 'device-private': 1 });
    expect(Object.fromEntries(captureRows(snapshot([[PRESENT, 0n, GUARD, DEVICE_W]], false), k).counts)).toEqual({ present: 1, none: 1, 'pte-marker': 1, unknown: 1 });
  });

  it('a million records, one present in every thousand: a present row and a fold for each', () => {
    const s = snapshot([[]]);
    const n = 1 << 20;
    const hi = new Uint32Array(n);
    const lo = new Uint32Array(n);
    for (let i = 0; i < n; i += 1000) {
      hi[i] = Number(PRESENT >> 32n);
      lo[i] = Number(PRESENT & 0xffffffffn);
    }
    const big: Snapshot = { ...s, vmas: [{ ...s.vmas[0]!, count: n }], records: { hi, lo }, pageCount: n };
    const rows = captureRows(big, k);
    expect(rows.length).toBe(1 + 2 * 1049);
    expect(rows.at(rows.indexOf(999_000))).toEqual({ kind: 'page', vma: 0, record: 999_000 });
    expect(rows.at(rows.indexOf(999_000) + 1)).toEqual({ kind: 'fold', vma: 0, from: 999_001, to: 999_999 });
  });
});
