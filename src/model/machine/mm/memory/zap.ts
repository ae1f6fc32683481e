/**
 * Unmapping (mm/memory.c): zap_pte_range() clears PTEs and drops what each entry held: the rmap and
 * reference of a mapping, a swap slot's count; a migration entry is just cleared (its page is owned
 * by the migration in flight).
 */
import type { Draft } from '../../draft.ts';
import { view } from '../../entries.ts';
import { walkPmds, zapHugePmd } from '../huge_memory.ts';
import type { PteRef } from '../../types.ts';
import { dropMigrationPte } from '../migrate.ts';
import { maybeFree } from '../page_alloc.ts';
import { removeRmap } from '../rmap.ts';
import { swap_free } from '../swapfile.ts';

/** zap_pte_range() for one populated PTE: it is cleared, and what the entry held is dropped (markers and hwpoison entries hold nothing). */
export function zapOne(d: Draft, ref: PteRef): void {
  const v = view(d, ref);
  d.setPte(ref, 0n);
  switch (v.kind) {
    case 'present':
    case 'device-private':
    case 'device-exclusive':
      removeRmap(d, v.target);
      maybeFree(d, v.target);
      return;
    case 'swap':
      swap_free(d, Number(d.k.swp_offset(v.entry!)));
      return;
    case 'migration':
    case 'device-migration':
      dropMigrationPte(d, ref);
  }
}

/**
 * zap_pmd_range() / zap_pte_range() over PTEs [start, start + pages) of a process (clipped to its
 * range): a PMD leaf the range covers goes whole (zap_huge_pmd); one it covers in part is split
 * first. With `freeTables`, a PTE table the range covers entirely is freed afterwards (free_pgtables()).
 * Page tables with no entry are skipped (pmd_none: zap_pmd_range() moves on).
 */
// Stryker disable next-line BooleanLiteral: only madvise_guard_install relies on the default, and it zaps a huge PMD whole or splits it first, so no PTE table is ever wholly covered there
export function zapRange(d: Draft, pid: number, start: number, pages: number, freeTables = false): void {
  const end = Math.min(start + pages, d.proc(pid).ptes.length);
  walkPmds(d, pid, start, end, (r) => zapHugePmd(d, r),
    (i, next) => `the range covers only PTEs ${i}..${next - 1} of this huge PMD: split it, then zap the PTEs.`,
    (i, next, all) => {
      for (const j of [...d.populated(pid, i, next)]) zapOne(d, { pid, index: j });
      if (freeTables && all && d.hasPteTable({ pid, index: i })) d.freePteTable({ pid, index: i });
    });
}
