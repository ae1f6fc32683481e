/**
 * Reading /proc/PID/pagemap (fs/proc/task_mmu.c: pagemap_read() -> pagemap_pmd_range()): one record
 * per 4 KiB page; a PMD leaf gives its 512 records with pagemap_pmd_range_thp(). The reader has
 * CAP_SYS_ADMIN and the VMA's soft-dirty flag is clear (the selftests' setting).
 */
import { pagemapOfPmd, pagemapOfPte, type PagemapContext } from '../../kernel/pagemap.ts';
import { hex64 } from '../../kernel/u64.ts';
import type { Draft } from '../draft.ts';
import { viewPmd } from '../entries.ts';
import { folioMapcount, folioOf } from '../folio.ts';
import type { Page, Vma } from '../types.ts';

/**
 * What pte_to_pagemap_entry() / pagemap_pmd_range_thp() consult besides the entry, for the machine:
 * the reader has CAP_SYS_ADMIN, VM_SOFTDIRTY is clear (the selftests' setting), PM_FILE follows the
 * folio, PM_MMAP_EXCLUSIVE means the folio is mapped once (`mapcount`: all its PMD and PTE mappings).
 */
export function pagemapContextFor(vma: Vma | undefined, folio: Page | null, mapcount: number): PagemapContext {
  return {
    vma: { softDirty: false, uffd: vma?.uffdWp ? 'wp' : 'none' },
    page: folio && folio.kind !== 'zero' ? { anon: folio.anon, mappedOnce: mapcount === 1 } : null,
    zeroPfn: folio?.kind === 'zero',
    showPfn: true,
  };
}

export function pagemap_read(d: Draft, pid: number, start: number, pages: number): void {
  const records: string[] = [];
  d.call('pagemap_read', `reads ${pages} record(s) of /proc/${pid}/pagemap (opened with CAP_SYS_ADMIN).`, () => {
    for (let i = start; i < start + pages; i++) {
      const ref = { pid, index: i };
      const pv = viewPmd(d, ref);
      const target = pv ? pv.target : d.target(ref);
      const page = target >= 0 ? folioOf(d, target) : null;
      const ctx = pagemapContextFor(d.vmaAt(pid, i), page, page && page.kind !== 'zero' ? folioMapcount(d, page.id) : 0);
      const rec = pv ? pagemapOfPmd(d.k, pv.raw, ctx, i - pv.ref.index) : pagemapOfPte(d.k, d.pte(ref), ctx);
      records.push(hex64(rec));
    }
    if (records.some((r) => r !== records[0])) d.explain(pages > 1 ? 'pagemap_pmd_range_thp() for the PMD-mapped parts, pte_to_pagemap_entry() for the rest.' : '');
  });
  Object.assign(d.result, { ret: '0', pagemap: records });
}
