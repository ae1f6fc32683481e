/**
 * The PTE array's rows: a PMD leaf is one row; empty runs fold (a run of one is a row of its own);
 * with a kernel, runs of one shape fold into a row the user can unfold; changed and selected entries
 * always show, except the PTEs of a PMD the step split, which fold like at any other step.
 * pteRows() builds them per page-table page and shares them between states; this holds it to a
 * plain walk over every entry, on random tables, and to the THP scenarios of pmd-and-thp.md §g.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, findScenario, getKernel, kernelOf, runScenario, type MachineState, type ScenarioRun } from '../model/index.ts';
import { emptyTable, readPte, TableWriter, type PteTable } from '../model/machine/pagetable.ts';
import { pmdChangesIn } from './pmd.ts';
import { changedIn, MIN_RUN, pteRows, rowStart, runSummary, type PteRow, type RowList, type RowOptions } from './rows.ts';

const K = getKernel('7.3', DEFAULT_CONFIG, { arch: 'x86_64', paging: 4, migrationAd: true });
const all = (r: RowList): PteRow[] => Array.from({ length: r.length }, (_, i) => r.at(i));

/** Two shapes of present x86 PTE (RW and RO, both A D SD NX): what the reference walk reads from the bits. */
const FLAGS = [0x8000000000000867n, 0x8000000000000865n] as const;
const PFN_SHIFT = 12n;
const PFN_MASK = (1n << 40n) - 1n;
const shapeRef = (v: bigint) => v & ~(PFN_MASK << PFN_SHIFT);
const numberRef = (v: bigint) => (v >> PFN_SHIFT) & PFN_MASK;

/** The rows by walking every entry, with the rules written out plainly. */
function walk(t: PteTable, o: RowOptions): PteRow[] {
  const runs = new Map<number, number>();
  if (o.kernel) {
    for (let base = 0; base < t.length; base += 512) {
      const end = Math.min(t.length, base + 512);
      let from = -1;
      for (let i = base; i <= end; i++) {
        const v = i < end ? readPte(t, i) : 0n;
        const prev = i > base ? readPte(t, i - 1) : 0n;
        const goesOn = v !== 0n && from >= 0 && shapeRef(v) === shapeRef(prev) && numberRef(v) === numberRef(prev) + 1n;
        if (goesOn) continue;
        if (from >= 0 && i - from >= MIN_RUN) runs.set(from, i - 1);
        from = v === 0n ? -1 : i;
      }
    }
  }
  const visible = (i: number) => i === o.keep || (!!o.changed?.has(i) && !o.split?.has(i - (i % 512)));
  const rows: PteRow[] = [];
  let empty = -1;
  const flush = (end: number) => {
    if (empty < 0) return;
    rows.push(end - empty === 1 ? { kind: 'pte', index: empty } : { kind: 'fold', from: empty, to: end - 1 });
    empty = -1;
  };
  for (let i = 0; i < t.length; i++) {
    const to = runs.get(i);
    if (to !== undefined) {
      flush(i);
      if (o.expanded?.has(i)) {
        rows.push({ kind: 'run', from: i, to, key: i, open: true });
        for (let j = i; j <= to; j++) rows.push({ kind: 'pte', index: j });
      } else {
        let piece = i;
        for (let j = i; j <= to + 1; j++) {
          if (j <= to && !visible(j)) continue;
          if (j - piece >= MIN_RUN) rows.push({ kind: 'run', from: piece, to: j - 1, key: i, open: false });
          else for (let x = piece; x < j; x++) rows.push({ kind: 'pte', index: x });
          if (j <= to) rows.push({ kind: 'pte', index: j });
          piece = j + 1;
        }
      }
      i = to;
      continue;
    }
    if (readPte(t, i) === 0n && !visible(i)) {
      if (empty < 0) empty = i;
      continue;
    }
    flush(i);
    rows.push({ kind: 'pte', index: i });
  }
  flush(t.length);
  return rows;
}

/** A table with runs written in: [start, length, shape, first pfn]. */
function table(length: number, runs: readonly (readonly [number, number, 0 | 1, number])[]): PteTable {
  const w = new TableWriter(emptyTable(length));
  for (const [start, n, shape, pfn] of runs) {
    for (let i = start; i < Math.min(length, start + n); i++) w.write(i, FLAGS[shape] | ((BigInt(pfn + i - start) & PFN_MASK) << PFN_SHIFT), 1);
  }
  return w.finish();
}

describe('pteRows', () => {
  it('folds like a walk over every entry, on random tables, changes, splits, selections and unfolded runs', () => {
    const lengths = fc.constantFrom(1, 7, 511, 512, 513, 1536, 2000);
    const run = fc.tuple(fc.nat(2100), fc.integer({ min: 1, max: 40 }), fc.constantFrom(0 as const, 1 as const), fc.integer({ min: 1, max: 0x3000 }));
    const indices = (n: number) => fc.array(fc.nat(2100), { maxLength: n });
    fc.assert(
      fc.property(lengths, fc.array(run, { maxLength: 12 }), indices(6), indices(2), indices(4), fc.option(fc.nat(2100), { nil: undefined }), fc.boolean(),
        (length, runs, changedList, splitChunks, expandedList, keep, withKernel) => {
          const t = table(length, runs);
          const o: RowOptions = {
            ...(withKernel ? { kernel: K } : {}),
            changed: new Set(changedList.filter((i) => i < length)),
            split: new Set(splitChunks.map((i) => i - (i % 512))),
            expanded: new Set([...expandedList, ...runs.map(([s]) => s)].filter((_, i) => i % 2 === 0)),
            ...(keep !== undefined && keep < length ? { keep } : {}),
          };
          const want = walk(t, o);
          const got = pteRows(t, o);
          expect(got.length).toBe(want.length);
          expect(all(got)).toEqual(want);
          for (const [pos, r] of want.entries()) if (r.kind === 'pte') expect(got.indexOf(r.index)).toBe(pos);
          for (const r of want) if (r.kind === 'fold' || (r.kind === 'run' && !r.open)) expect(got.indexOf(r.from)).toBe(-1);
          for (const [pos, r] of want.entries()) if (pos === 0 || rowStart(want[pos - 1]!) !== rowStart(r)) expect(got.startsAt(rowStart(r))).toBe(pos);
        }),
      { numRuns: 150, seed: 3 },
    );
  });

  it('a 1,048,576-entry range with three used entries is five rows: folds around them', () => {
    const t = table(1 << 20, [[5, 1, 0, 1], [600_000, 1, 0, 9], [(1 << 20) - 1, 1, 0, 20]]);
    expect(all(pteRows(t, { kernel: K }))).toEqual([
      { kind: 'fold', from: 0, to: 4 }, { kind: 'pte', index: 5 }, { kind: 'fold', from: 6, to: 599_999 }, { kind: 'pte', index: 600_000 },
      { kind: 'fold', from: 600_001, to: (1 << 20) - 2 }, { kind: 'pte', index: (1 << 20) - 1 },
    ]);
  });

  it('a run of 7 PTEs is 7 rows; a run of 8 is one row; a different shape or a gap in the numbers ends a run', () => {
    expect(all(pteRows(table(512, [[0, 7, 0, 0x100]]), { kernel: K })).filter((r) => r.kind === 'pte')).toHaveLength(7);
    expect(all(pteRows(table(512, [[0, 8, 0, 0x100]]), { kernel: K }))[0]).toEqual({ kind: 'run', from: 0, to: 7, key: 0, open: false });
    expect(all(pteRows(table(512, [[0, 10, 0, 0x100], [10, 10, 1, 0x10a], [20, 10, 1, 0x200]]), { kernel: K })).slice(0, 3)).toEqual([
      { kind: 'run', from: 0, to: 9, key: 0, open: false }, { kind: 'run', from: 10, to: 19, key: 10, open: false }, { kind: 'run', from: 20, to: 29, key: 20, open: false },
    ]);
  });
});

// ---- the PMD level, on the THP scenarios ----------------------------------------------------------------

const OPTS = { config: DEFAULT_CONFIG, platform: { arch: 'x86_64', paging: 4, migrationAd: true } } as const;
const played = new Map<string, ScenarioRun>();
function play(id: string): ScenarioRun {
  if (!played.has(id)) played.set(id, runScenario(findScenario(id)!, { profile: '7.3', ...OPTS }));
  return played.get(id)!;
}
const ptesOf = (s: MachineState, pid = 1) => s.processes.find((p) => p.pid === pid)!.ptes;

describe('pteRows at PMD level', () => {
  it('a THP is one PMD row for PTEs 0–511, and the PMD row is the row of every PTE index it covers (T01)', () => {
    const s = play('T01').states[1]!;
    const rows = pteRows(ptesOf(s), { kernel: kernelOf(s), keep: 300 });
    expect(all(rows)).toEqual([{ kind: 'pmd', index: 0, to: 511 }]);
    expect([rows.indexOf(0), rows.indexOf(300), rows.indexOf(511)]).toEqual([0, 0, 0]);
  });

  it('the step that splits a device-private PMD folds its PTEs into runs around the selected PTE 0; the 128 it unmapped fold as empty (T06)', () => {
    const r = play('T06');
    const s = r.states[5]!;
    const { split } = pmdChangesIn(r.traces[5], 1);
    expect(split).toEqual(new Set([0]));
    const rows = pteRows(ptesOf(s), { kernel: kernelOf(s), changed: changedIn(r.traces[5], 1), split, keep: 0 });
    expect(all(rows)).toEqual([
      { kind: 'pte', index: 0 }, { kind: 'run', from: 1, to: 127, key: 0, open: false }, { kind: 'fold', from: 128, to: 255 },
      { kind: 'run', from: 256, to: 511, key: 256, open: false },
    ]);
    // Without `split`, every PTE the step wrote (and the 128 it then cleared) stands out as a changed row.
    expect(all(pteRows(ptesOf(s), { kernel: kernelOf(s), changed: changedIn(r.traces[5], 1) })).filter((x) => x.kind === 'pte')).toHaveLength(512);
  });

  it('an unfolded run is its header row followed by every PTE of it; PTE i of the split is PMD − i·0x200 (T06)', () => {
    const s = play('T06').states[5]!;
    const rows = all(pteRows(ptesOf(s), { kernel: kernelOf(s), expanded: new Set([256]) }));
    expect(rows.slice(2, 4)).toEqual([{ kind: 'run', from: 256, to: 511, key: 256, open: true }, { kind: 'pte', index: 256 }]);
    expect(rows.filter((x) => x.kind === 'pte')).toHaveLength(256);
    const pmd = play('T06').states[4]!.processes[0]!.ptes;
    const before = (BigInt(pmd.chunks[0]!.pmd!.hi) << 32n) | BigInt(pmd.chunks[0]!.pmd!.lo);
    for (const i of [0, 1, 300, 511]) expect(readPte(ptesOf(s), i)).toBe(i >= 128 && i < 256 ? 0n : before - BigInt(i) * 0x200n);
  });

  it('PTEs of different shape are not folded together: after mprotect of half, two runs (T09)', () => {
    const s = play('T09').states[3]!;
    expect(all(pteRows(ptesOf(s), { kernel: kernelOf(s) }))).toEqual([{ kind: 'run', from: 0, to: 255, key: 0, open: false }, { kind: 'run', from: 256, to: 511, key: 256, open: false }]);
  });

  it('a run row says how many PTEs, the first one decoded and the last number (T06)', () => {
    const s = play('T06').states[5]!;
    expect(runSummary(kernelOf(s), ptesOf(s), 256, 511).text).toBe('256 PTEs of one shape, numbers counting up by 1: SWP_DEVICE_WRITE(28) off=0x300 sd … 0x3ff');
  });
});
