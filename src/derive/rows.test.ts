/**
 * The PTE array's rows: empty runs fold (a run of one is a row of its own), changed and selected
 * entries always show. pteRows() builds them per page-table page and shares them between states;
 * this holds it to a plain walk over every entry, on random tables.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyTable, readPte, TableWriter, type PteTable } from '../model/machine/pagetable.ts';
import { pteRows, type PteRow } from './rows.ts';

/** The rows by walking every entry. */
function walk(t: PteTable, changed: ReadonlySet<number>, keep?: number): PteRow[] {
  const rows: PteRow[] = [];
  let run = -1;
  const flush = (end: number) => {
    if (run < 0) return;
    rows.push(end - run === 1 ? { kind: 'pte', index: run } : { kind: 'fold', from: run, to: end - 1 });
    run = -1;
  };
  for (let i = 0; i < t.length; i++) {
    if (readPte(t, i) === 0n && !changed.has(i) && i !== keep) {
      if (run < 0) run = i;
      continue;
    }
    flush(i);
    rows.push({ kind: 'pte', index: i });
  }
  flush(t.length);
  return rows;
}

function table(length: number, used: readonly number[]): PteTable {
  const w = new TableWriter(emptyTable(length));
  for (const i of used) if (i < length) w.write(i, 0x8000000000001867n + BigInt(i) * 4096n, 1);
  return w.finish();
}

describe('pteRows', () => {
  it('folds like a walk over every entry, on random tables, changes and selections', () => {
    const lengths = fc.constantFrom(1, 7, 511, 512, 513, 1536, 2000);
    fc.assert(
      fc.property(lengths, fc.array(fc.nat(2100), { maxLength: 40 }), fc.array(fc.nat(2100), { maxLength: 4 }), fc.option(fc.nat(2100), { nil: undefined }), (length, used, changedList, keep) => {
        const t = table(length, used);
        const changed = new Set(changedList.filter((i) => i < length));
        const sel = keep !== undefined && keep < length ? keep : undefined;
        const want = walk(t, changed, sel);
        const got = pteRows(t, changed, sel);
        expect(got.length).toBe(want.length);
        expect(Array.from({ length: got.length }, (_, i) => got.at(i))).toEqual(want);
        for (const [pos, r] of want.entries()) if (r.kind === 'pte') expect(got.indexOf(r.index)).toBe(pos);
        for (const r of want) if (r.kind === 'fold') expect(got.indexOf(r.from)).toBe(-1);
      }),
      { numRuns: 400, seed: 3 },
    );
  });

  it('a 1,048,576-entry range with three used entries is five rows: folds around them', () => {
    const t = table(1 << 20, [5, 600_000, (1 << 20) - 1]);
    const rows = pteRows(t, new Set());
    expect(Array.from({ length: rows.length }, (_, i) => rows.at(i))).toEqual([
      { kind: 'fold', from: 0, to: 4 }, { kind: 'pte', index: 5 }, { kind: 'fold', from: 6, to: 599_999 }, { kind: 'pte', index: 600_000 },
      { kind: 'fold', from: 600_001, to: (1 << 20) - 2 }, { kind: 'pte', index: (1 << 20) - 1 },
    ]);
  });
});
