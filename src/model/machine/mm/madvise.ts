/** madvise (mm/madvise.c): MADV_GUARD_INSTALL, MADV_HUGEPAGE / MADV_NOHUGEPAGE, MADV_COLLAPSE, MADV_FREE. */
import { folio_mk_pmd, pmd_mkdirty, pmd_mkwrite, pte_mkclean, pte_mkold } from '../../kernel/arch/x86_pgtable.ts';
import { PTE_MARKER_GUARD } from '../../kernel/kernel.ts';
import { pmdBase, refuse, type Draft } from '../draft.ts';
import { hasMarker, markerPte, pageName, view, viewPmd } from '../entries.ts';
import { folioOf, folioPages, HPAGE_PMD_NR, isLarge } from '../folio.ts';
import type { PteRef, Vma } from '../types.ts';
import { pageProt, vmaWritable } from '../vma.ts';
import { folio_add_anon_rmap_pmd, madviseFreeHugePmd, rangeAligned, walkPmds } from './huge_memory.ts';
import { zapOne, zapRange } from './memory/zap.ts';
import { splitAndPatch } from './mprotect.ts';
import { allocRamFolio, markDirty, maybeFree } from './page_alloc.ts';
import { removeRmap } from './rmap.ts';
import { swap_free } from './swapfile.ts';

/** madvise_guard_install(): zap what is mapped, then a PTE_MARKER_GUARD marker in every PTE. */
export function guardInstall(d: Draft, pid: number, start: number, pages: number): void {
  d.call('madvise_guard_install', 'guard regions: zap what is mapped, then a PTE_MARKER_GUARD marker in every PTE.', () => {
    for (let i = start; i < start + pages; i = pmdBase(i) + HPAGE_PMD_NR) {
      if (d.pmdEntry({ pid, index: i })) zapRange(d, pid, i, Math.min(start + pages, pmdBase(i) + HPAGE_PMD_NR) - i);
    }
    for (let i = start; i < start + pages; i++) {
      const ref = { pid, index: i };
      if (!d.vmaAt(pid, i)) refuse(`no VMA covers PTE ${i}`);
      const v = view(d, ref);
      if (hasMarker(d, v, PTE_MARKER_GUARD)) continue;
      if (v.kind !== 'none') zapOne(d, ref);
      d.call('make_pte_marker', '', () => d.setPte(ref, markerPte(d, PTE_MARKER_GUARD)));
    }
  });
}

/** madvise(): MADV_HUGEPAGE / MADV_NOHUGEPAGE, MADV_COLLAPSE, MADV_FREE. */
export function madvise(d: Draft, pid: number, start: number, pages: number, advice: 'hugepage' | 'nohugepage' | 'collapse' | 'free'): void {
  switch (advice) {
    case 'hugepage':
    case 'nohugepage':
      d.call('hugepage_madvise', advice === 'hugepage'
        ? 'VM_HUGEPAGE: faults in a 2 MiB range the VMA covers map a THP (khugepaged may collapse it too).'
        : 'VM_NOHUGEPAGE: no new THPs here; existing ones stay.', () => {
        splitAndPatch(d, pid, start, pages, (v) => ({ ...v, thp: advice === 'hugepage' }));
      });
      d.result.ret = '0';
      return;
    case 'collapse':
      d.result.ret = madviseCollapse(d, pid, start, pages);
      return;
    case 'free':
      madviseFree(d, pid, start, pages);
      d.result.ret = '0';
  }
}

/**
 * MADV_COLLAPSE (madvise_collapse(), mm/khugepaged.c): every 2 MiB-aligned range inside [start, end)
 * whose PTEs map anon 4 KiB pages (or nothing) becomes one THP: collapse_huge_page() allocates a 2 MiB
 * folio, copies the pages, frees them and maps the folio with one PMD (writable and dirty, like a THP
 * fault). A range already mapped by a PMD is left as is. -EAGAIN when a range cannot be collapsed now.
 */
function madviseCollapse(d: Draft, pid: number, start: number, pages: number): string {
  const vma = d.vmaAt(pid, start);
  if (!vma || start + pages > vma.start + vma.pages) refuse(`PTEs ${start}..${start + pages - 1} are not inside one VMA: -ENOMEM`);
  if (!vma.anon || vma.shared) refuse('MADV_COLLAPSE of a file or shared mapping is not modelled (only private anonymous memory)');
  let ret = '0';
  d.call('madvise_collapse', `collapses every aligned 2 MiB of PTEs ${start}..${start + pages - 1}.`, () => {
    if (!rangeAligned(d)) {
      d.explain('the process range does not start on a 2 MiB boundary: no PMD covers 512 of its PTEs.');
      ret = '-EINVAL';
      return;
    }
    for (let base = Math.ceil(start / HPAGE_PMD_NR) * HPAGE_PMD_NR; base + HPAGE_PMD_NR <= start + pages; base += HPAGE_PMD_NR) {
      const ref = { pid, index: base };
      const pv = viewPmd(d, ref);
      if (pv) {
        d.explain(`PTEs ${base}..${base + HPAGE_PMD_NR - 1}: already ${pv.kind === 'present' ? 'a huge PMD (SCAN_PMD_MAPPED)' : `a ${pv.row?.name ?? pv.kind} PMD`}.`);
        if (pv.kind !== 'present') ret = '-EAGAIN';
        continue;
      }
      if (!collapseHugePage(d, ref, vma)) ret = '-EAGAIN';
    }
  });
  return ret;
}

function collapseHugePage(d: Draft, ref: PteRef, vma: Vma): boolean {
  const base = ref.index;
  const old: { index: number; page: number }[] = [];
  for (let i = base; i < base + HPAGE_PMD_NR; i++) {
    const v = view(d, { pid: ref.pid, index: i });
    if (v.kind === 'none') continue;
    if (v.kind !== 'present') {
      d.explain(`PTE ${i} is not present (${v.row?.name ?? v.kind}): hpage_collapse_scan_pmd() gives up on PTEs ${base}..${base + HPAGE_PMD_NR - 1}.`);
      return false;
    }
    const p = d.page(v.target);
    if (p.kind === 'zero') continue;
    const f = folioOf(d, v.target);
    if (!p.anon || f.locked || f.refs > 0 || f.pins > 0) {
      // Stryker disable next-line StringLiteral: unreachable text: MADV_COLLAPSE of a file or shared mapping is refused before the scan, so a page here is anon
      d.explain(`PTE ${i}: ${pageName(p)} is ${!p.anon ? 'not anonymous' : 'locked or has extra references'}: the range is not collapsed now.`);
      return false;
    }
    old.push({ index: i, page: v.target });
  }
  d.call('collapse_huge_page', `PTEs ${base}..${base + HPAGE_PMD_NR - 1}: allocate a 2 MiB folio, copy ${old.length} page(s) (the rest are zero), map it with one PMD.`, () => {
    const head = allocRamFolio(d);
    const pages = folioPages(d, head);
    for (const o of old) d.setPage(pages[o.index - base]!, { data: d.page(o.page).data });
    for (let i = base; i < base + HPAGE_PMD_NR; i++) {
      const r = { pid: ref.pid, index: i };
      const v = view(d, r);
      if (v.kind === 'none') continue;
      d.setPte(r, 0n);
      if (d.page(v.target).kind !== 'zero') {
        removeRmap(d, v.target);
        maybeFree(d, v.target);
      }
    }
    if (d.hasPteTable(ref)) d.freePteTable(ref);
    let pmd = pmd_mkdirty(folio_mk_pmd(d.page(head).number, pageProt(vma)));
    if (vmaWritable(vma)) pmd = pmd_mkwrite(pmd);
    folio_add_anon_rmap_pmd(d, head, true);
    markDirty(d, head);
    d.setPmd(ref, pmd, head, 'collapse');
  });
  return true;
}

/**
 * MADV_FREE (madvise_free_single_vma()): a huge PMD the range covers goes to madvise_free_huge_pmd(),
 * one it cuts is split; a present anon page mapped once becomes old and clean (lazily freeable), a
 * swap entry is freed; other non-present entries are left alone.
 */
function madviseFree(d: Draft, pid: number, start: number, pages: number): void {
  const end = start + pages;
  d.call('madvise_free_single_vma', `lazily frees the anonymous pages of PTEs ${start}..${end - 1}.`, () => {
    walkPmds(d, pid, start, end, (r) => madviseFreeHugePmd(d, r), () => 'MADV_FREE of part of a THP: split it first.', (i, next) => {
      d.call('madvise_free_pte_range', '', () => {
        for (const j of [...d.populated(pid, i, next)]) {
          const r = { pid, index: j };
          const v = view(d, r);
          if (v.kind === 'swap') {
            d.setPte(r, 0n);
            swap_free(d, Number(d.k.swp_offset(v.entry!)));
            continue;
          }
          if (v.kind !== 'present') continue;
          const p = d.page(v.target);
          const f = folioOf(d, v.target);
          if (p.kind === 'zero' || !p.anon || p.mapcount !== 1 || isLarge(f)) continue;
          d.setPage(f.id, { dirty: false });
          d.setPte(r, pte_mkclean(pte_mkold(v.raw)), v.target);
        }
      });
    });
  });
}
