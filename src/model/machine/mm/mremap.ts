/**
 * mremap (mm/mremap.c) with MREMAP_MAYMOVE | MREMAP_FIXED [| MREMAP_DONTUNMAP]: the destination is
 * unmapped, then move_page_tables() moves the entries. A huge PMD whose whole 2 MiB moves to an
 * aligned destination moves as one entry (move_huge_pmd(): move_soft_dirty_pmd() marks a present or
 * migration PMD, not a device-private one); otherwise it is split first and its PTEs move one by one
 * (move_ptes(): move_soft_dirty_pte() marks every PTE, present or not).
 */
import { pte_present, type Pmd, type Pte } from '../../kernel/arch/x86_pgtable.ts';
import { refuse, type Draft } from '../draft.ts';
import { dmirror_interval_invalidate } from '../drivers/test_hmm.ts';
import { view, viewPmd } from '../entries.ts';
import { HPAGE_PMD_NR } from '../folio.ts';
import { splitHugePmd } from './huge_memory.ts';
import { move_soft_dirty_pmd, move_soft_dirty_pte } from './huge_memory_rules.ts';
import { replaceMigrationRef } from './migrate.ts';
import { munmap, vmasWithout } from './mmap.ts';
import { zapRange } from './memory/zap.ts';

export function mremap(d: Draft, pid: number, start: number, pages: number, to: number, dontunmap: boolean): void {
  const p = d.proc(pid);
  const vma = d.vmaAt(pid, start);
  if (!vma || start + pages > vma.start + vma.pages) refuse(`PTEs ${start}..${start + pages - 1} are not inside one VMA: -EFAULT`);
  if (to + pages > p.ptes.length) refuse(`the destination PTEs ${to}..${to + pages - 1} go past pid ${pid}'s range of ${p.ptes.length} PTEs`);
  if (to < start + pages && start < to + pages) refuse('the destination overlaps the source: mremap(MREMAP_FIXED) returns -EINVAL');
  d.call('mremap', `moves PTEs ${start}..${start + pages - 1} to ${to}..${to + pages - 1}${dontunmap ? ', leaving the old VMA in place (MREMAP_DONTUNMAP)' : ''}.`, () => {
    if (d.proc(pid).vmas.some((v) => v.start < to + pages && v.start + v.pages > to)) munmap(d, pid, to, pages);
    d.call('move_page_tables', 'moves every entry; the pages and their rmap stay as they are.', () => {
      for (let off = 0; off < pages;) {
        const from = start + off;
        const dest = to + off;
        const extent = Math.min(pages - off, HPAGE_PMD_NR - (from % HPAGE_PMD_NR), HPAGE_PMD_NR - (dest % HPAGE_PMD_NR));
        const src = { pid, index: from };
        const pv = viewPmd(d, src);
        if (pv && extent === HPAGE_PMD_NR) {
          const moved = move_soft_dirty_pmd(d.k, pv.raw);
          d.call('move_huge_pmd', `the whole 2 MiB moves to an aligned address: one PMD moves${pv.kind === 'device-private' ? '; a device-private PMD is not marked soft-dirty (move_soft_dirty_pmd())' : '; move_soft_dirty_pmd() marks it soft-dirty'}.`, () => {
            d.setPmd(src, 0n);
            d.setPmd({ pid, index: dest }, moved as Pmd, pv.target);
            replaceMigrationRef(d, pv.ref, [{ pid, index: dest, pmd: true }]);
          });
          off += extent;
          continue;
        }
        // if (pmd_is_huge(*old_pmd)) split_huge_pmd()
        if (pv) splitHugePmd(d, src, false, 'the 2 MiB range is not moved whole or not to an aligned address: split it first.', 'split_huge_pmd');
        d.call('move_ptes', '', () => {
          for (let j = 0; j < extent; j++) {
            const r = { pid, index: from + j };
            const v = view(d, r);
            if (v.kind === 'none') continue;
            const moved = move_soft_dirty_pte(d.k, v.raw, pte_present(v.raw));
            d.setPte(r, 0n);
            d.setPte({ pid, index: dest + j }, moved as Pte, v.target);
            replaceMigrationRef(d, r, [{ pid, index: dest + j }]);
          }
        });
        off += extent;
      }
    });
    dmirror_interval_invalidate(d, pid, start, pages);
    if (!dontunmap) zapRange(d, pid, start, pages, true);
    d.setProcess(pid, (x) => ({
      ...x,
      vmas: [...(dontunmap ? x.vmas : vmasWithout(x.vmas, start, pages)), { ...vma, start: to, pages }].sort((a, b) => a.start - b.start),
    }));
  });
  d.result.ret = '0';
}
