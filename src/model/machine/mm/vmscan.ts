/**
 * Reclaim to swap (mm/vmscan.c shrink_folio_list): add_to_swap (mm/swap_state.c) gives the page a slot
 * and puts it in the swap cache, try_to_unmap replaces each mapping by a swap entry, pageout writes
 * it, and the page is freed.
 */
import { pte_dirty, pte_soft_dirty, pte_uffd_wp } from '../../kernel/arch/x86_pgtable.ts';
import type { PteBits } from '../../kernel/u64.ts';
import { refuse, type Draft } from '../draft.ts';
import { mappedPage, pageName, toPte, view } from '../entries.ts';
import { folioOf, isLarge } from '../folio.ts';
import { splitToSmall } from './huge_memory.ts';
import { markDirty, maybeFree } from './page_alloc.ts';
import { tryShareAnon, tryToUnmap } from './rmap.ts';
import { get_swap_page } from './swapfile.ts';

/** The swap device the model swaps to. */
const SWAP_TYPE = 0;

export function swapOut(d: Draft, pid: number, start: number, pages: number): void {
  const done = new Set<number>();
  d.call('shrink_folio_list', `reclaim picks the anon pages mapped at PTEs ${start}..${start + pages - 1}.`, () => {
    for (let i = start; i < start + pages; i++) {
      // A large RAM folio (PMD- or PTE-mapped) is split first; the huge zero folio is not on the LRU.
      const t = mappedPage(d, { pid, index: i });
      if (t >= 0 && d.page(t).kind === 'ram' && isLarge(folioOf(d, t))) {
        splitToSmall(d, { pid, index: i }, 'reclaim of a THP without a 2 MiB swap cluster: TTU_SPLIT_HUGE_PMD and split_folio_to_list() first.', 'split_folio_to_list');
      }
      const v = view(d, { pid, index: i });
      if (v.kind !== 'present' || done.has(v.target)) continue;
      const id = v.target;
      done.add(id);
      const page = d.page(id);
      if (page.kind !== 'ram' || !page.anon) {
        d.explainPte(i, `: ${pageName(page)} is not an anon RAM page: skipped.`);
        continue;
      }
      if (page.locked || page.refs > 0 || page.pins > 0) {
        d.explainPte(i, `: ${pageName(page)} is locked, pinned or referenced: skipped.`);
        continue;
      }
      const slotNo = get_swap_page(d);
      d.call('add_to_swap', `${pageName(page)} gets swap slot 0x${slotNo.toString(16)} on swap device ${SWAP_TYPE} and enters the swap cache.`, () => {
        d.setPage(id, { swapSlot: slotNo }, `in the swap cache (slot 0x${slotNo.toString(16)})`);
        d.setSlot(slotNo, { slot: slotNo, count: 0, data: page.data, cached: id });
      });
      const k = d.k;
      const count = tryToUnmap(d, id, '', (r, old) => {
        const anonExclusive = d.page(id).anon && d.page(id).anonExclusive;
        return {
          why: `a swap PTE for slot 0x${slotNo.toString(16)}${anonExclusive ? ', _PAGE_SWP_EXCLUSIVE (the page was exclusive)' : ''}${pte_soft_dirty(old) ? ', soft-dirty' : ''}.`,
          run: () => {
            // folio_try_share_anon_rmap_pte() cannot fail: a maybe-pinned page was skipped above
            if (anonExclusive) tryShareAnon(d, id);
            if (pte_dirty(old)) markDirty(d, id, 'marked dirty (folio_mark_dirty)');
            let pte = toPte(d, k.swp_entry(SWAP_TYPE, BigInt(slotNo))) as PteBits;
            if (anonExclusive) pte = k.pte_swp_mkexclusive(pte);
            if (pte_soft_dirty(old)) pte = k.pte_swp_mksoft_dirty(pte);
            if (pte_uffd_wp(old)) pte = k.pte_swp_mkuffd_wp(pte);
            d.call(k.profile.api === 'softleaf' ? 'swp_pte_prepare' : 'swp_entry_to_pte', '', () => d.setPte(r, pte));
          },
        };
      });
      d.call('pageout', `writes the page to slot 0x${slotNo.toString(16)}; then the page leaves the swap cache and is freed.`, () => {
        d.setSlot(slotNo, { slot: slotNo, count, data: d.page(id).data, cached: null });
        d.setPage(id, { swapSlot: null, dirty: false });
        maybeFree(d, id);
      });
    }
  });
  if (done.size === 0) refuse(`no present pages at PTEs ${start}..${start + pages - 1} of pid ${pid} to swap out`);
}
