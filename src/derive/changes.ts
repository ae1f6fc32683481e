/**
 * What a trace entry changed, as lines the step panel shows: a PTE change per line, a run of changes
 * to consecutive PTEs as one line (a split writes 512), and a PMD change decoded at PMD level.
 */
import { PTRS_PER_PTE, type Change, type DecodedPte, type Kernel } from '../model/index.ts';
import { decodePmdCached } from './pmd.ts';

type PteChange = Extract<Change, { kind: 'pte' }>;

export type ChangeLine =
  | { readonly kind: 'pte'; readonly change: PteChange }
  /** Changes to PTEs from..to (consecutive, one process), in order. */
  | { readonly kind: 'ptes'; readonly pid: number; readonly from: number; readonly to: number; readonly changes: readonly PteChange[] }
  | {
    readonly kind: 'pmd'; readonly pid: number; readonly from: number; readonly to: number;
    /** Decoded at PMD level; null when the PMD was none or a PTE table (`table` says which). */
    readonly before: DecodedPte | null; readonly after: DecodedPte | null; readonly table?: 'split' | 'collapse';
  };

/** Runs of at least this many changes to consecutive PTEs are one line. */
export const GROUP_MIN = 4;

/** The lines of one trace entry's changes (page changes are not shown as lines). */
export function changeLines(k: Kernel, changes: readonly Change[]): ChangeLine[] {
  const out: ChangeLine[] = [];
  let run: PteChange[] = [];
  const flush = () => {
    if (run.length >= GROUP_MIN) out.push({ kind: 'ptes', pid: run[0]!.pid, from: run[0]!.index, to: run.at(-1)!.index, changes: run });
    else for (const c of run) out.push({ kind: 'pte', change: c });
    run = [];
  };
  for (const c of changes) {
    if (c.kind === 'pte') {
      const prev = run.at(-1);
      if (prev && (prev.pid !== c.pid || prev.index + 1 !== c.index)) flush();
      run.push(c);
      continue;
    }
    flush();
    if (c.kind === 'pmd') {
      const leaf = (v: bigint, isTable: boolean) => (v === 0n || isTable ? null : decodePmdCached(k, v));
      out.push({
        kind: 'pmd', pid: c.pid, from: c.index, to: c.index + PTRS_PER_PTE - 1,
        before: leaf(c.before, c.table === 'collapse'), after: leaf(c.after, c.table === 'split'), ...(c.table ? { table: c.table } : {}),
      });
    }
  }
  flush();
  return out;
}
