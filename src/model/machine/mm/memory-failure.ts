/** memory_failure() (mm/memory-failure.c): a poisoned page is unmapped, every mapping a hwpoison entry. */
import { asPfn } from '../../kernel/kernel.ts';
import { refuse, type Draft } from '../draft.ts';
import { mappedPage, pageName, toPte } from '../entries.ts';
import type { PteRef } from '../types.ts';
import { presentPage } from './gup.ts';
import { splitToSmall } from './huge_memory.ts';
import { tryToUnmap } from './rmap.ts';

export function memoryFailure(d: Draft, ref: PteRef): void {
  if (!d.k.config.MEMORY_FAILURE) refuse('CONFIG_MEMORY_FAILURE=n: this kernel has no hwpoison handling');
  presentPage(d, ref, 'memory_failure');
  // A hwpoison entry is PTE-only: a THP is split first (try_to_split_thp_page()); an order-0 page is left alone.
  if (!splitToSmall(d, ref, 'memory_failure() on a THP: try_to_split_thp_page() first (a hwpoison entry is PTE-only).', 'try_to_split_thp_page')) {
    refuse('the THP cannot be split (it is locked or has extra references): memory_failure() fails with "unsplit thp" (MF_MSG_UNSPLIT_THP, -EHWPOISON) and the THP stays mapped');
  }
  const id = mappedPage(d, ref);
  const page = d.page(id);
  d.call('memory_failure', `a memory error in ${pageName(page)}: the page is marked HWPoison and unmapped everywhere.`, () => {
    d.setPage(id, { hwpoison: true }, 'PageHWPoison');
    const pte = toPte(d, d.k.make_hwpoison_entry(asPfn(page.number)));
    tryToUnmap(d, id, 'TTU_HWPOISON', (r) => ({
      why: 'replaced by make_hwpoison_entry(page) with no soft-dirty/uffd/exclusive bits.',
      run: () => d.setPte(r, pte, id),
    }));
  });
}
