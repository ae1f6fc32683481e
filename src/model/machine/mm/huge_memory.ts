/**
 * Transparent huge pages at the PMD level (mm/huge_memory.c): the THP fault and the huge zero PMD,
 * write faults on a huge PMD, set_pmd_migration_entry() / remove_migration_pmd(), the device-private
 * PMD fault, __split_huge_pmd_locked(), fork (copy_huge_pmd), mprotect (change_huge_pmd), zap and
 * MADV_FREE. The values come from the pure rules in huge_memory_rules.ts.
 */
import {
  folio_mk_pmd, mk_pte, pmd_clear_uffd, pmd_mkdirty, pmd_mkinvalid, pmd_mkold, pmd_mkclean, pmd_mkspecial, pmd_mkuffd,
  pmd_dirty, pmd_mkwrite, pmd_mkyoung, pmd_modify, pmd_set_hw_dirty, pmd_uffd, pmd_write, pmd_wrprotect, pte_mkspecial, pte_mkuffd_wp,
} from '../../kernel/arch/x86_pgtable.ts';
import { isMigrationKind } from '../../kernel/leafops.ts';
import { PAGE_SHIFT } from '../../kernel/platform.ts';
import { pmdBase, refuse, type Draft } from '../draft.ts';
import { dmirror_devmem_fault_pmd } from '../drivers/test_hmm.ts';
import { pageName, traceBuilt, viewPmd, type PmdView } from '../entries.ts';
import { folioMapcount, folioOf, folioPages, HPAGE_PMD_NR, HPAGE_PMD_ORDER, splitFolio } from '../folio.ts';
import type { EntryRef, PteRef, Vma } from '../types.ts';
import { pageProt } from '../vma.ts';
import {
  change_huge_pmd_value, copy_huge_pmd_values, describeRead, remove_migration_pmd_value, set_pmd_migration_value, split_ptes,
} from './huge_memory_rules.ts';
import type { FaultStep } from './memory/fault.ts';
import type { ChangeFlags } from './mprotect.ts';
import { addMigrationPte, dropMigrationPte, replaceMigrationRef } from './migrate.ts';
import { allocRamFolio, markDirty, maybeFree } from './page_alloc.ts';

const hex = (n: number) => '0x' + n.toString(16);
/** VA bits of a 2 MiB range below PMD_SHIFT, in PTE indices. */
const PMD_INDEX_MASK = BigInt(HPAGE_PMD_NR - 1);

// ---- where a THP may go ------------------------------------------------------------------------------

/** The process range's PTE index 0 sits on a 2 MiB boundary (else no PMD covers 512 of its PTEs). */
export function rangeAligned(d: Draft): boolean {
  return ((d.base.vaBase >> BigInt(PAGE_SHIFT)) & PMD_INDEX_MASK) === 0n;
}

/**
 * thp_vma_allowable_order() + thp_vma_suitable_order(): the VMA has VM_HUGEPAGE (the model's THP mode
 * is "madvise"), is private anonymous, and covers the whole 2 MiB range around `ref`.
 */
export function thpSuitable(d: Draft, ref: PteRef, vma: Vma): boolean {
  const base = pmdBase(ref.index);
  // a VMA lies inside the process range (setup and mmap check it), so the 2 MiB does too
  return vma.thp && vma.anon && !vma.shared && rangeAligned(d) && vma.start <= base && base + HPAGE_PMD_NR <= vma.start + vma.pages;
}

/** The huge zero folio (get_huge_zero_folio()): made on first use, shared by everyone, never freed. */
export function hugeZeroPage(d: Draft): number {
  const pfn = d.base.hugeZeroPfn;
  const id = d.findPage('phys', pfn);
  if (id !== undefined) {
    if (d.page(id).kind !== 'zero') refuse(`pfn 0x${pfn.toString(16)} is a RAM page of this scenario: the huge zero folio needs its own (setup.hugeZeroPfn)`);
    return id;
  }
  return d.addPage({
    // like the 4 KiB zero page, the huge zero folio is not PageAnon
    kind: 'zero', space: 'phys', number: pfn, device: null, allocated: true, anon: false, mapcount: 0, refs: 0, pins: 0, locked: false,
    dirty: false, anonExclusive: false, hwpoison: false, data: 0, swapSlot: null, order: HPAGE_PMD_ORDER,
  });
}

// ---- rmap at PMD level ----------------------------------------------------------------------------------

/**
 * folio_add_{new_,}anon_rmap_pmd(): one more PMD maps the folio; RMAP_EXCLUSIVE sets PageAnonExclusive on the head.
 * Never the huge zero folio: its PMD is special and has no rmap (set_huge_zero_folio(), copy_huge_pmd()'s
 * out_zero_page), and the zero folio never migrates, so every caller passes a RAM or device folio.
 */
export function folio_add_anon_rmap_pmd(d: Draft, head: number, exclusive: boolean): void {
  const h = d.page(head);
  // __folio_add_anon_rmap(): RMAP_EXCLUSIVE sets PageAnonExclusive on the head; without it the flag is left as it is
  d.setPage(head, { entireMapcount: h.entireMapcount + 1, ...(exclusive ? { anonExclusive: true } : {}) });
}

/**
 * folio_remove_rmap_pmd(). Never the huge zero folio: zap_huge_pmd() finds no normal folio behind it
 * (vm_normal_folio_pmd()), __split_huge_pmd_locked() splits it before any rmap work, and it never migrates.
 */
export function folio_remove_rmap_pmd(d: Draft, head: number): void {
  const h = d.page(head);
  d.setPage(head, { entireMapcount: Math.max(0, h.entireMapcount - 1) });
}

/** folio_try_share_anon_rmap_pmd(): clears PageAnonExclusive; fails if the folio may be DMA-pinned. */
export function folio_try_share_anon_rmap_pmd(d: Draft, head: number): boolean {
  const h = d.page(head);
  if (h.pins > 0) return false;
  d.setPage(head, { anonExclusive: false }); // ClearPageAnonExclusive(); a page change without a sentence, so none when already clear
  return true;
}

// ---- faults ---------------------------------------------------------------------------------------------

/**
 * create_huge_pmd() -> do_huge_pmd_anonymous_page(): a read maps the huge zero folio
 * (set_huge_zero_folio), a write allocates a 2 MiB folio and maps it with map_anon_folio_pmd_nopf():
 * folio_mk_pmd(), pmd_mkdirty() (D parked in SavedDirty while RO), maybe_pmd_mkwrite() (moved back).
 */
export function do_huge_pmd_anonymous_page(d: Draft, ref: PteRef, vma: Vma, access: 'read' | 'write'): void {
  const base = { pid: ref.pid, index: pmdBase(ref.index) };
  d.call('create_huge_pmd', `the PMD is none and the VMA allows a THP here (VM_HUGEPAGE, 2 MiB range inside the VMA).`, () => {
    d.call('do_huge_pmd_anonymous_page', access === 'read' ? 'a read fault: map the huge zero folio read-only.' : 'a write fault: allocate a 2 MiB folio.', () => {
      if (access === 'read') {
        const z = hugeZeroPage(d);
        const pmd = pmd_mkspecial(folio_mk_pmd(d.page(z).number, pageProt(vma)));
        d.call('set_huge_zero_folio', `pmd_mkspecial(folio_mk_pmd(huge zero folio pfn ${hex(d.page(z).number)}, vm_page_prot)): special, so no struct page is refcounted.`, () =>
          d.setPmd(base, pmd, z));
        return;
      }
      const head = allocRamFolio(d);
      d.call('vma_alloc_anon_folio_pmd', `${pageName(d.page(head))}, zeroed.`);
      mapAnonFolioPmd(d, base, vma, head, 'map_anon_folio_pmd_nopf');
    });
  });
}

/** map_anon_folio_pmd_nopf(): a new anon THP, mapped writable and dirty, exclusive to this process. */
function mapAnonFolioPmd(d: Draft, base: PteRef, vma: Vma, head: number, fn: string): void {
  let pmd = folio_mk_pmd(d.page(head).number, pageProt(vma));
  pmd = pmd_mkdirty(pmd);
  // maybe_pmd_mkwrite(): both callers handle a write fault, which checkAccess() allows in a writable VMA only
  pmd = pmd_mkwrite(pmd);
  d.call(fn, `folio_mk_pmd(vm_page_prot) + pmd_mkdirty (Dirty parked in SavedDirty while RW=0) + maybe_pmd_mkwrite (moved back); folio_add_new_anon_rmap(RMAP_EXCLUSIVE).`, () => {
    folio_add_anon_rmap_pmd(d, head, true);
    markDirty(d, head);
    d.setPmd(base, pmd, head);
  });
}

/**
 * A fault (or an access) on a PMD leaf: a present PMD is used by the MMU, or write-protected
 * (do_huge_pmd_wp_page: reuse an exclusive folio, copy the huge zero folio, otherwise split and fall
 * back to the PTE path); a migration PMD waits; a device-private PMD calls the driver's migrate_to_ram
 * for the whole 2 MiB (do_huge_pmd_device_private).
 */
export function hugePmdFault(d: Draft, ref: PteRef, vma: Vma, pv: PmdView, access: 'read' | 'write'): FaultStep | 'fallback' {
  if (pv.kind === 'present') {
    if (access === 'write' && !pmd_write(pv.raw)) {
      if (pmd_uffd(pv.raw)) refuse('the huge PMD is userfaultfd write-protected: the write goes to the uffd handler (UFFDIO_WRITEPROTECT unprotect resolves it)');
      return d.call('handle_mm_fault', `write fault at PTE ${ref.index} of pid ${ref.pid}: a present huge PMD, write-protected.`, () =>
        d.call('wp_huge_pmd', '', () => doHugePmdWpPage(d, ref, vma, pv)));
    }
    d.call('hardware', `no fault: the MMU walks to the huge PMD and sets ${access === 'write' ? 'Accessed and Dirty' : 'Accessed'} itself.`, () => {
      let pmd = pmd_mkyoung(pv.raw);
      if (access === 'write') pmd = pmd_set_hw_dirty(pmd);
      d.setPmd(pv.ref, pmd, pv.target);
    });
    return { done: true };
  }
  return d.call('handle_mm_fault', `${access} fault at PTE ${ref.index} of pid ${ref.pid}: the PMD is not present (pmd_is_huge()).`, (): FaultStep => {
    if (isMigrationKind(pv.kind)) {
      d.call('pmd_migration_entry_wait', `pmd_is_migration_entry(): the 2 MiB folio is migrating. Take the PMD lock, re-check, sleep on the folio lock (${d.k.profile.api === 'softleaf' ? 'softleaf_entry_wait_on_locked' : 'migration_entry_wait_on_locked'}); the PMD is not changed and the fault is retried.`);
      return { done: false, wait: 'migration' };
    }
    if (pv.kind === 'device-private') {
      const h = d.page(pv.target);
      return d.call('do_huge_pmd_device_private', `pmd_is_device_private_entry(): vmf->page = the head page (softleaf_to_page()), vmf->pte = NULL; read and write faults alike.`, (): FaultStep => {
        if (h.locked) {
          d.explain(`${pageName(h)} is locked (already migrating): folio_trylock() fails, return 0 and retry.`);
          return { done: false, wait: 'migration' };
        }
        d.setPage(pv.target, { locked: true }, 'locked (folio_trylock)');
        const m = dmirror_devmem_fault_pmd(d, pv.ref, pv.target);
        if (m !== null) return { done: false, migration: m };
        d.setPage(pv.target, { locked: false }, 'unlocked: nothing to migrate');
        return { done: true };
      });
    }
    refuse(`the PMD holds ${pv.row?.name ?? pv.kind}, which is not valid at PMD level`);
  });
}

/** do_huge_pmd_wp_page(): reuse, copy the huge zero folio (do_huge_zero_wp_pmd), or split and fall back. */
function doHugePmdWpPage(d: Draft, ref: PteRef, vma: Vma, pv: PmdView): FaultStep | 'fallback' {
  const h = d.page(pv.target);
  return d.call('do_huge_pmd_wp_page', '', (): FaultStep | 'fallback' => {
    if (h.kind === 'zero') {
      d.call('do_huge_zero_wp_pmd', 'a write to the huge zero folio: allocate a 2 MiB folio and map it instead.', () => {
        const head = allocRamFolio(d);
        mapAnonFolioPmd(d, pv.ref, vma, head, 'map_anon_folio_pmd_pf');
      });
      return { done: true };
    }
    // folio_ref_count(folio) == 1: this PMD is the only mapping (no PTE maps a page of it, e.g. a
    // child's after its own split) and nobody holds an extra reference or pin.
    if (h.anon && (h.anonExclusive || (folioMapcount(d, pv.target) === 1 && h.refs === 0 && h.pins === 0))) {
      d.explain(`${pageName(h)} is exclusive to this process: reuse it (PageAnonExclusive).`);
      d.setPage(pv.target, { anonExclusive: true }); // SetPageAnonExclusive() (a no-op after the early check)
      markDirty(d, pv.target);
      d.setPmd(pv.ref, pmd_mkwrite(pmd_mkdirty(pmd_mkyoung(pv.raw))), pv.target);
      return { done: true };
    }
    d.explain(`${pageName(h)} is shared: split the PMD and let the PTE fault copy the one 4 KiB page (VM_FAULT_FALLBACK).`);
    splitHugePmd(d, ref, false, 'the THP is shared: fall back to 4 KiB copy-on-write.');
    return 'fallback';
  });
}

// ---- migration ---------------------------------------------------------------------------------------

/**
 * set_pmd_migration_entry(): the present branch invalidates the PMD first (the transient value of
 * pmdp_invalidate() is recorded), the non-present one clears it; then the migration PMD of the head
 * page. Returns false (-EBUSY) when folio_try_share_anon_rmap_pmd() fails.
 */
export function setPmdMigrationEntry(d: Draft, pv: PmdView, anonExclusive: boolean, why: string): boolean {
  const k = d.k;
  const head = pv.target;
  const page = d.page(head);
  const r = set_pmd_migration_value(k, pv.raw, page, anonExclusive);
  let ok = true;
  d.call('set_pmd_migration_entry', why, () => {
    if (r.present) {
      d.call('pmdp_invalidate', 'P and PROTNONE cleared, PSE kept, PFN stored inverted: the MMU cannot use it, pmd_present() is still true (transient).', () =>
        d.setPmd(pv.ref, pmd_mkinvalid(pv.raw), head));
    } else {
      d.call('pmdp_huge_get_and_clear', `the non-present PMD is read and cleared; ${k.profile.pmdFlagsBug ? 'this kernel (before the June 2026 fix) then reads it with pmd_write()/pmd_young()/pmd_dirty()/pmd_soft_dirty()/pmd_uffd_wp() as if it were present' : 'writable = softleaf_is_device_private_write(), soft-dirty and uffd from pmd_swp_*(), no A/D'}: it reads ${describeRead(r.read)}.`);
    }
    if (anonExclusive && !folio_try_share_anon_rmap_pmd(d, head)) {
      d.explain('folio_try_share_anon_rmap_pmd() fails (maybe pinned): the old PMD is restored, -EBUSY.');
      d.setPmd(pv.ref, pv.raw, head);
      ok = false;
      return;
    }
    if (r.read.dirty) markDirty(d, head, 'marked dirty (folio_mark_dirty)');
    traceBuilt(d, r.built, `${r.built.ctor}(${k.profile.fromPage ? 'page' : `page_to_pfn(page) = ${hex(page.number)}`}): ${k.typeName(k.swp_type(r.built.entry))}.`);
    if (r.read.young) d.call('make_migration_entry_young', k.migration_entry_supports_ad() ? 'young: SWP_MIG_YOUNG goes into the offset.' : 'migration_entry_supports_ad() is false: unchanged.');
    if (r.read.dirty) d.call('make_migration_entry_dirty', k.migration_entry_supports_ad() ? 'dirty: SWP_MIG_DIRTY goes into the offset.' : 'migration_entry_supports_ad() is false: unchanged.');
    d.call('set_pmd_at', `the migration PMD${r.read.softDirty ? ' + pmd_swp_mksoft_dirty' : ''}${r.read.uffd ? ' + pmd_swp_mkuffd' : ''}.`, () => d.setPmd(pv.ref, r.pmd, head));
    // callers pass a present or device-private PMD (try_to_migrate_one(), migrate_vma_collect_huge_pmd())
    d.call('folio_remove_rmap_pmd', '', () => folio_remove_rmap_pmd(d, head));
  });
  return ok;
}

/**
 * remove_migration_pmd(): rebuilds one migration PMD for the new folio `newHead` (or the old one when
 * migration failed); a device-private destination gets a device-private PMD.
 */
export function removeMigrationPmd(d: Draft, ref: EntryRef, oldHead: number, newHead: number): void {
  const pv = viewPmd(d, ref);
  if (!pv || !isMigrationKind(pv.kind) || pv.target !== oldHead) return;
  // a PMD leaf lies inside one VMA (invariant pmd-leaf: munmap zaps it, a VMA boundary splits it)
  const vma = d.vmaAt(ref.pid, ref.index)!;
  const np = d.page(newHead);
  const r = remove_migration_pmd_value(d.k, pv.raw, np, pageProt(vma));
  d.call('remove_migration_pmd', `pid ${ref.pid} PMD at PTE ${pv.ref.index}: ${pv.row!.name} -> ${np.kind === 'device' ? 'a device-private PMD' : 'a present huge PMD'} for ${pageName(np)}; ${r.young ? 'young' : 'old'}, ${r.dirty ? 'dirty' : 'clean'}${r.writable ? ', writable' : ''}.`, () => {
    if (r.built) traceBuilt(d, r.built, `the new folio is device-private: ${d.k.typeName(d.k.swp_type(r.built.entry))}; swap soft-dirty/uffd copied, no A/D.`);
    folio_add_anon_rmap_pmd(d, newHead, pv.row!.access !== 'read');
    d.setPmd(pv.ref, r.pmd, newHead);
  });
}

// ---- the split ------------------------------------------------------------------------------------------

/**
 * Walks PTEs [start, end) of a process PMD by PMD, as zap_pmd_range() and madvise_free_pmd_range()
 * do: a PMD leaf the range covers whole goes to `whole`; one it covers only in part is split first
 * (split_huge_pmd, saying `why`); then `ptes(i, next, all)` handles the PTEs [i, next) of that PMD,
 * `all` when the range covers the whole PMD.
 */
export function walkPmds(d: Draft, pid: number, start: number, end: number, whole: (r: PteRef) => void,
  why: (i: number, next: number) => string, ptes: (i: number, next: number, all: boolean) => void): void {
  for (let i = start; i < end;) {
    const base = pmdBase(i);
    const next = Math.min(end, base + HPAGE_PMD_NR);
    const all = i === base && next === base + HPAGE_PMD_NR;
    const ref = { pid, index: i };
    if (d.pmdEntry(ref)) {
      if (all) {
        whole(ref);
        i = next;
        continue;
      }
      splitHugePmd(d, ref, false, why(i, next), 'split_huge_pmd');
    }
    ptes(i, next, all);
    i = next;
  }
}

/**
 * __split_huge_pmd() -> __split_huge_pmd_locked(): the PMD leaf becomes a table of 512 PTEs of the same
 * kind for page + i (§c.5). A present or device-private PMD moves its rmap to the PTEs (PageAnonExclusive
 * pushed to every page); with `freeze` they become migration PTEs instead. A migration PMD becomes 512
 * migration PTEs, and the migration in flight now lists them. The folio stays large. Returns the PTEs.
 */
export function splitHugePmd(d: Draft, r: PteRef, freeze: boolean, why: string, fn = '__split_huge_pmd'): EntryRef[] {
  const pv = viewPmd(d, r)!; // every caller has a PMD leaf at `r` (it checked pmdEntry() or viewPmd())
  const k = d.k;
  const vma = d.vmaAt(r.pid, pv.ref.index)!; // a PMD leaf lies inside one VMA (invariant pmd-leaf)
  const base = pv.ref.index;
  const out: EntryRef[] = Array.from({ length: HPAGE_PMD_NR }, (_, j) => ({ pid: r.pid, index: base + j }));
  d.call(fn, why, () => {
    d.call('__split_huge_pmd_locked', `${freeze ? 'freeze: ' : ''}PMD at PTEs ${base}..${base + HPAGE_PMD_NR - 1} -> 512 PTEs.`, () => {
      const head = pv.target;
      const h = d.page(head);
      const vmProt = pageProt(vma);
      // is_huge_zero_pmd(): only a present PMD maps the huge zero folio (it never migrates)
      if (h.kind === 'zero') {
        const z = d.page(d.base.zeroPage);
        d.call('__split_huge_zero_page_pmd', `512 special PTEs mapping the 4 KiB zero page${pmd_uffd(pv.raw) ? ', uffd copied' : ''}.`, () => {
          let pte = pte_mkspecial(mk_pte(z.number, vmProt));
          if (pmd_uffd(pv.raw)) pte = pte_mkuffd_wp(pte);
          d.splitPmdInto(pv.ref, () => [pte, d.base.zeroPage]);
        });
        return;
      }
      // old_pmd: pmdp_invalidate() returns the value before it
      const raw = pv.raw;
      let doFreeze = freeze;
      if (pv.kind === 'present') {
        d.call('pmdp_invalidate', 'the transient value: P cleared, PSE kept, PFN inverted; pmd_present() is still true.', () => d.setPmd(pv.ref, pmd_mkinvalid(pv.raw), head));
        if (pmd_dirty(raw) && !h.dirty) markDirty(d, head, 'folio_set_dirty: the PMD was dirty');
      }
      // PageAnonExclusive(page), which the present and device-private branches test; a migration PMD's folio
      // never has it (set_pmd_migration_entry() cleared it; its entry says read-exclusive instead, split_ptes())
      const anonExclusive = h.anon && h.anonExclusive;
      if (doFreeze && anonExclusive && !folio_try_share_anon_rmap_pmd(d, head)) {
        d.explain('folio_try_share_anon_rmap_pmd() fails (maybe pinned): not frozen.');
        doFreeze = false;
      }
      const pages = folioPages(d, head);
      const opts = { freeze: doFreeze, anonExclusive, anon: h.anon, vmProt };
      const pteOf = split_ptes(k, raw, opts);
      const first = pteOf(0);
      if (first.built) traceBuilt(d, first.built, `× 512: page + i, the same flags; PTE i = PTE 0 − i·0x200 (the offset is stored inverted).`);
      d.splitPmdInto(pv.ref, (j) => [pteOf(j).pte, pages[j]!]);
      const mapped = pv.kind === 'present' || pv.kind === 'device-private';
      if (mapped) {
        folio_remove_rmap_pmd(d, head);
        if (!doFreeze) {
          d.call('folio_add_anon_rmap_ptes', `512 PTE mappings${anonExclusive ? ', RMAP_EXCLUSIVE: every page becomes PageAnonExclusive' : ''}.`, () => {
            for (const id of pages) {
              const p = d.page(id);
              d.setPage(id, { mapcount: p.mapcount + 1, anonExclusive: anonExclusive });
            }
          });
        }
      }
      // a migration in flight that lists this PMD (a migration PMD; only such PMDs are listed) now lists its 512 PTEs
      replaceMigrationRef(d, pv.ref, out);
    });
  });
  return out;
}

/** Splits every PMD leaf that a VMA boundary at PTE `at` would cut (vma_adjust_trans_huge()). */
export function splitAtBoundary(d: Draft, pid: number, at: number): void {
  // a boundary on a 2 MiB line (PTE 0 included) cuts no PMD; one at the end of the range has no PMD to look at
  if (at % HPAGE_PMD_NR === 0 || at >= d.proc(pid).ptes.length) return;
  const ref = { pid, index: at };
  if (!d.pmdEntry(ref)) return;
  d.call('vma_adjust_trans_huge', `a VMA boundary at PTE ${at} falls inside a huge PMD: split it first.`, () => splitHugePmd(d, ref, false, ''));
}

// ---- fork, mprotect, zap, MADV_FREE -------------------------------------------------------------------------

/**
 * copy_huge_pmd(): a present THP is write-protected in both and shared (the child's PMD is old); a
 * pinned one is split and copied at PTE level (-EAGAIN). Non-present: copy_huge_non_present_pmd().
 * Returns false when the caller must copy PTEs instead (after the split).
 */
export function copyHugePmd(d: Draft, src: PteRef, dst: PteRef, childVma: Vma): boolean {
  const pv = viewPmd(d, src)!; // copy_page_range() calls it for a PMD leaf only
  const k = d.k;
  const head = pv.target;
  const h = d.page(head);
  let copied = true;
  d.call('copy_huge_pmd', '', () => {
    if (pv.kind === 'present') {
      if (h.kind === 'zero') {
        // out_zero_page: no rmap; the child's copy is uffd-cleared (unless its VMA is uffd-wp), read-only and old
        let child = pmd_mkold(pmd_wrprotect(pv.raw));
        if (!childVma.uffdWp) child = pmd_clear_uffd(child);
        d.explain('the huge zero folio: the child maps it too (mm_get_huge_zero_folio()), old.');
        d.setPmd(dst, child, head);
        return;
      }
      // a THP here is anon: copy_huge_pmd() returns early for a VMA that is not anonymous
      if (h.anonExclusive && h.pins > 0) {
        d.explain(`${pageName(h)} may be DMA-pinned: folio_try_dup_anon_rmap_pmd() fails; split the PMD and copy 4 KiB PTEs (-EAGAIN).`);
        splitHugePmd(d, src, false, 'the pinned THP is copied at PTE level.');
        copied = false;
        return;
      }
      // pmdp_set_wrprotect() + pmd_wrprotect() whatever the VMA (a THP's VMA is private anonymous anyway)
      // copy_huge_pmd() calls pmdp_set_wrprotect() for every present THP, a read-only one included
      const parent = pmd_wrprotect(pv.raw);
      d.call('pmdp_set_wrprotect', pmd_write(pv.raw) ? 'a writable private mapping: write-protect the parent\'s huge PMD (Dirty moves to SavedDirty).' : 'the parent\'s huge PMD is read-only already: nothing changes.', () => d.setPmd(pv.ref, parent, head));
      let child = pmd_mkold(parent);
      if (!childVma.uffdWp) child = pmd_clear_uffd(child);
      d.explain(`the child maps ${pageName(h)} too: old, read-only; folio_try_dup_anon_rmap_pmd() shares it.`);
      folio_try_share_anon_rmap_pmd(d, head);
      folio_add_anon_rmap_pmd(d, head, false);
      d.setPmd(dst, child, head);
      return;
    }
    const r = copy_huge_pmd_values(k, pv.raw, childVma.uffdWp);
    d.call('copy_huge_non_present_pmd', pv.kind === 'device-private'
      ? `a device-private PMD: ${r.device ? 'SWP_DEVICE_WRITE becomes SWP_DEVICE_READ in parent and child; soft-dirty is kept (copy_nonpresent_pte() drops it at PTE level)' : 'copied as is'}; folio_try_dup_anon_rmap_pmd() shares the device folio.`
      : `a migration PMD: ${r.built ? 'WRITE/READ_EXCLUSIVE become READ in parent and child (the whole swp_offset, A/D included, is kept)' : 'a READ entry is copied as is'}.`, () => {
      if (r.built) traceBuilt(d, r.built, '');
      if (r.device) d.call('make_readable_device_private_entry', '');
      d.setPmd(pv.ref, r.parent, head); // set_pmd_at() only for a downgrade: setPmd() records nothing for the same value
      if (pv.kind === 'device-private') {
        folio_try_share_anon_rmap_pmd(d, head);
        folio_add_anon_rmap_pmd(d, head, false);
      } else {
        addMigrationPte(d, head, { pid: dst.pid, index: pv.ref.index, pmd: true });
      }
      d.setPmd(dst, r.child, head);
    });
  });
  return copied;
}

/**
 * change_huge_pmd(): a present huge PMD gets pmd_modify(newprot) (and the uffd bit); a non-present one
 * change_non_present_huge_pmd(), which does not look at the new protection.
 */
export function changeHugePmd(d: Draft, ref: PteRef, vma: Vma, newprot: bigint, f: ChangeFlags): void {
  const pv = viewPmd(d, ref)!; // change_pmd_range() calls it for a PMD leaf only
  const k = d.k;
  const h = d.page(pv.target);
  d.call('change_huge_pmd', `PMD at PTE ${pv.ref.index}: the range covers all 2 MiB.`, () => {
    if (pv.kind === 'present') {
      let pmd = pmd_modify(pv.raw, newprot);
      if (f.uffdWp) pmd = pmd_mkuffd(pmd);
      else if (f.uffdWpResolve) pmd = pmd_clear_uffd(pmd);
      // can_change_pmd_writable(): MM_CP_TRY_CHANGE_WRITABLE comes only for a private VM_WRITE VMA (mprotect,
      // uffd unprotect), and vm_normal_page_pmd() of the huge zero folio is NULL (it is never PageAnonExclusive)
      if (f.tryChangeWritable && !pmd_write(pmd) && h.anon && h.anonExclusive && !pmd_uffd(pmd)) {
        pmd = pmd_mkwrite(pmd);
        d.explain('can_change_pmd_writable(): the anon folio is exclusive, made writable right away.');
      }
      d.explain(`pmd_modify(): keep _HPAGE_CHG_MASK (PFN, PSE, A, D, soft-dirty, uffd), take the rest from vm_page_prot.`);
      d.setPmd(pv.ref, pmd, pv.target);
      return;
    }
    const r = change_huge_pmd_value(k, pv.raw, { anon: h.anon, uffdWp: f.uffdWp, uffdWpResolve: f.uffdWpResolve });
    d.call('change_non_present_huge_pmd', r.built
      ? `a writable migration PMD: ${k.typeName(k.swp_type(r.built.entry))} (${h.anon ? 'anon folio' : 'not anon'}); soft-dirty copied, the uffd bit is not.`
      : r.device ? 'SWP_DEVICE_WRITE -> SWP_DEVICE_READ; soft-dirty dropped, uffd kept.' : 'nothing to downgrade.', () => {
      if (r.built) traceBuilt(d, r.built, '');
      if (r.device) d.call('make_readable_device_private_entry', '');
      d.setPmd(pv.ref, r.pmd, pv.target); // if (!pmd_same()) set_pmd_at(): setPmd() records nothing for the same value
    });
  });
}

/** zap_huge_pmd(): the whole PMD goes; a mapped folio loses its PMD rmap, a migration PMD just its counters. */
export function zapHugePmd(d: Draft, ref: PteRef): void {
  const pv = viewPmd(d, ref)!; // walkPmds() hands it a PMD leaf only
  d.call('zap_huge_pmd', `PMD at PTE ${pv.ref.index}: ${pv.kind === 'present' ? 'a huge PMD' : pv.row!.name}, pmdp_huge_get_and_clear_full().`, () => {
    d.setPmd(pv.ref, 0n);
    if (isMigrationKind(pv.kind)) {
      dropMigrationPte(d, pv.ref);
      return;
    }
    // Stryker disable next-line ConditionalExpression,StringLiteral: folio_remove_rmap_pmd() and maybeFree() leave the huge zero folio as it is (entire mapcount 0, never freed)
    if (d.page(pv.target).kind === 'zero') return;
    folio_remove_rmap_pmd(d, pv.target);
    maybeFree(d, pv.target);
  });
}

/** madvise_free_huge_pmd(): a present THP mapped once becomes old and clean (lazy free); a non-present PMD is skipped. */
export function madviseFreeHugePmd(d: Draft, ref: PteRef): void {
  const pv = viewPmd(d, ref)!; // walkPmds() hands it a PMD leaf only
  const h = folioOf(d, pv.target);
  const skip = pv.kind !== 'present' ? `${pv.row!.name}: not present, nothing to do (it warns unless migration or device-private).`
    : h.kind === 'zero' ? 'the huge zero folio: nothing to free.'
    : h.entireMapcount !== 1 ? `${pageName(h)} is mapped by another process too (folio_maybe_mapped_shared()): left as it is.`
    : null;
  d.call('madvise_free_huge_pmd', skip ?? `${pageName(h)}: old and clean, the folio becomes lazily freeable.`, () => {
    if (skip !== null) return;
    d.setPage(h.id, { dirty: false }, 'folio_mark_lazyfree: clean');
    d.setPmd(pv.ref, pmd_mkclean(pmd_mkold(pv.raw)), pv.target);
  });
}

/**
 * split_folio(): unmap_folio() splits every PMD that maps the folio (in every process), then
 * __folio_split() makes 512 order-0 folios. Returns false (nothing split) when the folio has extra
 * references, pins or is locked by someone else (can_split_folio()).
 */
export function splitFolioEverywhere(d: Draft, head: number, lockedOk = false): boolean {
  const h = d.page(head); // a large folio: every caller checks
  if (h.refs > 0 || h.pins > 0 || (h.locked && !lockedOk)) {
    d.explain(`${pageName(h)} has extra references or is locked: the folio cannot be split now.`);
    return false;
  }
  for (const ref of d.pmdRefsTo(head)) splitHugePmd(d, ref, false, `unmap_folio(): pid ${ref.pid} maps the folio with a PMD.`, 'split_huge_pmd');
  splitFolio(d, head);
  return true;
}

/**
 * For paths that work on 4 KiB pages only (reclaim with TTU_SPLIT_HUGE_PMD, memory_failure()'s
 * try_to_split_thp_page()): split the PMD at `ref` and the folio behind it. Returns false when the
 * folio cannot be split (extra references or pins).
 */
export function splitToSmall(d: Draft, ref: PteRef, why: string, fn: string): boolean {
  const pv = viewPmd(d, ref);
  // Callers have a present RAM page at `ref` (memory_failure()'s presentPage(), reclaim's large-RAM-folio
  // check): never none, never the zero folio; a PMD there maps a large folio, so only a 4 KiB page is order 0.
  const h = folioOf(d, pv ? pv.target : d.target(ref));
  if (h.order === 0) return true;
  return d.call(fn, why, () => {
    if (pv) splitHugePmd(d, ref, false, 'the PMD first.');
    return d.call('split_folio', `${pageName(h)} becomes 512 order-0 folios.`, () => splitFolioEverywhere(d, h.id));
  });
}
