/**
 * The rows of a captured process (a `swapviz capture` snapshot): a heading row per VMA, then its
 * pages' pagemap records, runs of empty records (nothing mapped, record 0) folded into one row. Built
 * once per snapshot; a million pages fold in one pass over the records.
 */
import { classifyPagemap, kindOfCode, newPagemapClassified, type EntryKind, type Kernel } from '../model/index.ts';
import type { Snapshot } from '../snapshot/format.ts';

export type CaptureRow =
  /** VMA `vma`'s heading. */
  | { readonly kind: 'vma'; readonly vma: number }
  /** Record `record` (an index into the snapshot's records). */
  | { readonly kind: 'page'; readonly vma: number; readonly record: number }
  /** Records from..to, all empty. */
  | { readonly kind: 'fold'; readonly vma: number; readonly from: number; readonly to: number };

export interface CaptureRows {
  readonly length: number;
  at(i: number): CaptureRow;
  /** The position of record `record`'s own row, or -1 when it is folded. */
  indexOf(record: number): number;
  /** The rows' records by kind (EntryKind, or 'unknown' when the record cannot tell), for the legend. */
  readonly counts: ReadonlyMap<EntryKind | 'unknown', number>;
}

/** Row encodings: a VMA heading is -(vma + 1); a page is its record index; a fold is a pair in `folds`. */
const FOLD = -(2 ** 31);

export function captureRows(s: Snapshot, k: Kernel): CaptureRows {
  const codes: number[] = [];
  const folds = new Map<number, { vma: number; from: number; to: number }>();
  const counts = new Map<EntryKind | 'unknown', number>();
  const c = newPagemapClassified();
  const { hi, lo } = s.records;
  s.vmas.forEach((v, vi) => {
    codes.push(-(vi + 1));
    let run = -1;
    const flush = (end: number) => {
      if (run < 0) return;
      if (end - run === 1) codes.push(run);
      else {
        folds.set(codes.length, { vma: vi, from: run, to: end - 1 });
        codes.push(FOLD);
      }
      run = -1;
    };
    for (let i = v.first; i < v.first + v.count; i++) {
      const kind = classifyPagemap(k, hi[i]!, lo[i]!, s.pfnVisible, c).kind;
      const name = kind < 0 ? 'unknown' : kindOfCode(kind);
      counts.set(name, (counts.get(name) ?? 0) + 1);
      if (hi[i] === 0 && lo[i] === 0) {
        if (run < 0) run = i;
        continue;
      }
      flush(i);
      codes.push(i);
    }
    flush(v.first + v.count);
  });
  const vmaOfRecord = (record: number) => {
    let lo2 = 0;
    let hi2 = s.vmas.length - 1;
    while (lo2 < hi2) {
      const mid = (lo2 + hi2 + 1) >> 1;
      if (s.vmas[mid]!.first <= record) lo2 = mid;
      else hi2 = mid - 1;
    }
    return lo2;
  };
  // keys[pos]: the record a row starts at (a heading sorts just before its VMA's first record), so
  // a record's row is found by binary search.
  const keys = new Float64Array(codes.length);
  codes.forEach((code, pos) => {
    keys[pos] = code === FOLD ? folds.get(pos)!.from : code < 0 ? s.vmas[-code - 1]!.first - 0.5 : code;
  });
  return {
    length: codes.length,
    counts,
    at(i) {
      const code = codes[i];
      if (code === undefined) throw new RangeError(`row ${i} of ${codes.length}`);
      if (code === FOLD) {
        const f = folds.get(i)!;
        return { kind: 'fold', vma: f.vma, from: f.from, to: f.to };
      }
      if (code < 0) return { kind: 'vma', vma: -code - 1 };
      return { kind: 'page', vma: vmaOfRecord(code), record: code };
    },
    indexOf(record) {
      let a = 0;
      let b = keys.length - 1;
      if (b < 0 || keys[0]! > record) return -1;
      while (a < b) {
        const mid = (a + b + 1) >> 1;
        if (keys[mid]! <= record) a = mid;
        else b = mid - 1;
      }
      return codes[a] === record ? a : -1;
    },
  };
}
