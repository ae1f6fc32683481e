/**
 * CPU faults (mm/memory.c): handle_mm_fault -> handle_pte_fault -> do_anonymous_page / do_fault /
 * do_wp_page / do_swap_page, and what do_swap_page does with each kind of soft leaf.
 */
import {
  mk_pte, pmd_hw_dirty, pmd_write, pmd_young, pte_hw_dirty, pte_mkdirty, pte_mkold, pte_mksoft_dirty, pte_mkspecial, pte_mkuffd_wp, pte_mkwrite, pte_mkyoung,
  pte_set_hw_dirty, pte_uffd_wp, pte_write, pte_young,
} from '../../../kernel/arch/x86_pgtable.ts';
import { PTE_MARKER_GUARD, PTE_MARKER_POISONED } from '../../../kernel/kernel.ts';
import type { PteBits } from '../../../kernel/u64.ts';
import { refuse, type Draft } from '../../draft.ts';
import { dmirror_devmem_fault, dmirrorDevmemFaultFinish, dmirrorDropAtomic } from '../../drivers/test_hmm.ts';
import { pageName, view, viewPmd, type EntryView } from '../../entries.ts';
import { folioOf, isLarge } from '../../folio.ts';
import type { Migration, PteRef, Vma } from '../../types.ts';
import { pageProt, vmaOf, vmaWritable } from '../../vma.ts';
import { do_huge_pmd_anonymous_page, hugePmdFault, thpSuitable } from '../huge_memory.ts';
import { allocRamPage, lockPage, markDirty, maybeFree } from '../page_alloc.ts';
import { addFileRmap, addRmap, removeRmap } from '../rmap.ts';
import { swap_free } from '../swapfile.ts';

export type Access = 'read' | 'write';

/** Checks the VMA allows the access; a violation is a SIGSEGV, which the machine refuses. */
export function checkAccess(d: Draft, ref: PteRef, access: Access): Vma {
  const vma = vmaOf(d, ref);
  if (!vma) refuse(`no VMA covers PTE ${ref.index} of pid ${ref.pid}: the access would get SIGSEGV`);
  if (vma.prot === 'none') refuse(`the VMA at PTE ${ref.index} is PROT_NONE: the access would get SIGSEGV`);
  if (access === 'write' && vma.prot !== 'rw') refuse(`the VMA at PTE ${ref.index} is not writable: the write would get SIGSEGV`);
  return vma;
}

export type FaultStep =
  | { done: true; signal?: 'SIGBUS' | 'SIGSEGV' }
  | { done: false; wait?: 'migration'; migration?: Migration };

/**
 * One CPU access to one PTE, as far as the kernel takes it in one go. A fault on a device-private
 * entry stops inside the driver's migrate_to_ram after migrate_vma_setup (the PTE then holds a
 * migration entry); `migration` is returned so a caller can run the rest.
 */
export function cpuFaultStep(d: Draft, ref: PteRef, access: Access): FaultStep {
  const vma = checkAccess(d, ref, access);
  const pv = viewPmd(d, ref);
  if (pv) {
    const r = hugePmdFault(d, ref, vma, pv, access);
    if (r !== 'fallback') return r;
  }
  const v = view(d, ref);
  if (v.kind === 'present') return presentAccess(d, ref, vma, v, access);
  let out: FaultStep = { done: true };
  // no PTE table: the PTE is none, and so is the PMD (pmd_none())
  if (!d.hasPteTable(ref) && thpSuitable(d, ref, vma)) {
    d.call('handle_mm_fault', `${access} fault at PTE ${ref.index} of pid ${ref.pid}: pmd_none().`, () => do_huge_pmd_anonymous_page(d, ref, vma, access));
    return out;
  }
  d.call('handle_mm_fault', `${access} fault at PTE ${ref.index} of pid ${ref.pid}.`, () => {
    d.call('handle_pte_fault', v.kind === 'none' ? 'the PTE is none.' : 'the PTE is not present and not none: a swap-style entry.', () => {
      if (v.kind === 'none') {
        if (vma.anon && !vma.shared) doAnonymousPage(d, ref, vma, access);
        else doFault(d, ref, vma, access);
        return;
      }
      out = doSwapPage(d, ref, vma, v, access);
    });
  });
  return out;
}

/** A present PTE: no fault unless a write hits a write-protected PTE (do_wp_page). */
function presentAccess(d: Draft, ref: PteRef, vma: Vma, v: EntryView, access: Access): FaultStep {
  if (access === 'write' && !pte_write(v.raw)) {
    d.call('handle_mm_fault', `write fault at PTE ${ref.index} of pid ${ref.pid}: the PTE is present but write-protected.`, () => {
      d.call('handle_pte_fault', '', () => doWpPage(d, ref, vma, v));
    });
    return { done: true };
  }
  d.call('hardware', `no fault: the MMU walks the page table and sets ${access === 'write' ? 'Accessed and Dirty' : 'Accessed'} itself.`, () => {
    let pte = pte_mkyoung(v.raw);
    if (access === 'write') pte = pte_set_hw_dirty(pte);
    d.setPte(ref, pte, v.target);
  });
  return { done: true };
}

/** do_anonymous_page(): a read maps the shared zero page; a write allocates a zeroed anon page. */
function doAnonymousPage(d: Draft, ref: PteRef, vma: Vma, access: Access): void {
  d.call('do_anonymous_page', access === 'read' ? 'read fault in an anonymous VMA: map the shared zero page read-only.' : 'write fault in an anonymous VMA: allocate a zeroed page, map it writable and dirty.', () => {
    if (access === 'read') {
      const z = d.page(d.base.zeroPage);
      d.setPte(ref, pte_mkspecial(mk_pte(z.number, pageProt(vma))), d.base.zeroPage);
      return;
    }
    const id = allocRamPage(d);
    let pte = mk_pte(d.page(id).number, pageProt(vma));
    // Stryker disable next-line ConditionalExpression: a write fault gets here only in a writable VMA (checkAccess), but the kernel tests VM_WRITE
    if (vmaWritable(vma)) pte = pte_mkwrite(pte_mkdirty(pte));
    addRmap(d, id, true);
    d.setPage(id, { dirty: true, data: 0 });
    const fn = d.k.profile.api === 'softleaf' ? 'map_anon_folio_pte_nopf' : 'set_pte_at';
    d.call(fn, `maps ${pageName(d.page(id))}: mk_pte(vm_page_prot) + pte_mkdirty + pte_mkwrite; folio_add_new_anon_rmap marks it exclusive.`, () => d.setPte(ref, pte, id));
  });
}

/** do_fault() for file and shmem VMAs: read -> the page-cache page; private write -> an anon COW copy. */
function doFault(d: Draft, ref: PteRef, vma: Vma, access: Access): void {
  if (access === 'write' && !vma.shared) {
    d.call('do_cow_fault', 'write fault in a private file mapping: copy the file page into a new anon page.', () => {
      const id = allocRamPage(d);
      const pte = pte_mkwrite(pte_mkdirty(mk_pte(d.page(id).number, pageProt(vma))));
      addRmap(d, id, true);
      d.setPage(id, { dirty: true });
      d.call('finish_fault', '', () => d.setPte(ref, pte, id));
    });
    return;
  }
  d.call(vma.shared ? 'do_shared_fault' : 'do_read_fault', `maps the ${vma.anon ? 'shmem' : 'page-cache'} page${vma.shared ? ' shared' : ' read-only'}.`, () => {
    const id = allocRamPage(d, false);
    let pte = mk_pte(d.page(id).number, pageProt(vma));
    if (access === 'write') pte = pte_mkdirty(pte);
    addFileRmap(d, id);
    d.call('finish_fault', '', () => d.setPte(ref, pte, id));
  });
}

/** do_wp_page(): reuse an exclusive anon page, or copy (COW) it. */
export function doWpPage(d: Draft, ref: PteRef, vma: Vma, v: EntryView): void {
  if (pte_uffd_wp(v.raw)) refuse('the PTE is userfaultfd write-protected: the write goes to the uffd handler (UFFDIO_WRITEPROTECT unprotect resolves it)');
  d.call('do_wp_page', 'write to a write-protected present PTE.', () => {
    const page = d.page(v.target);
    const folio = folioOf(d, v.target);
    // wp_can_reuse_anon_folio(): a large folio is reused only through PageAnonExclusive; the zero page
    // is not anon; a pinned anon page is PageAnonExclusive (FOLL_PIN unshares it first, and sharing fails while pinned)
    const reuse = page.anon && (page.anonExclusive || (!isLarge(folio) && page.mapcount === 1 && folio.refs === 0 && folio.swapSlot === null));
    if (reuse) {
      if (!page.anonExclusive) d.call('wp_can_reuse_anon_folio', `${pageName(page)} has one mapping and no other reference: it becomes exclusive and is reused.`);
      d.setPage(v.target, { anonExclusive: true });
      markDirty(d, v.target);
      d.call('wp_page_reuse', `${pageName(page)} is exclusive to this process: make the PTE writable in place.`, () =>
        d.setPte(ref, pte_mkwrite(pte_mkdirty(pte_mkyoung(v.raw))), v.target));
      return;
    }
    d.call('wp_page_copy', `${pageName(page)} is ${page.kind === 'zero' ? 'the zero page' : 'shared'}: copy it to a new page (copy-on-write).`, () => {
      const id = allocRamPage(d);
      d.setPage(id, { data: page.data, dirty: true });
      const pte = pte_mkwrite(pte_mkdirty(mk_pte(d.page(id).number, pageProt(vma))));
      addRmap(d, id, true);
      d.setPte(ref, pte, id);
      // the old page's rmap goes (removeRmap() and maybeFree() leave the shared zero page alone)
      removeRmap(d, v.target);
      maybeFree(d, v.target);
    });
  });
}

/** do_swap_page(): what the kernel does with each kind of soft leaf. */
function doSwapPage(d: Draft, ref: PteRef, vma: Vma, v: EntryView, access: Access): FaultStep {
  const k = d.k;
  const name = k.typeName(k.swp_type(v.entry!));
  let out: FaultStep = { done: true };
  d.call('do_swap_page', `${k.profile.api === 'softleaf' ? 'softleaf_from_pte' : 'pte_to_swp_entry'}() reads ${name}.`, () => {
    switch (v.kind) {
      case 'migration':
      case 'device-migration':
        d.call('migration_entry_wait', `the page is being migrated: re-read the PTE under the PTL; it is still a migration entry, so sleep until the folio is unlocked (${k.profile.api === 'softleaf' ? 'softleaf_entry_wait_on_locked' : 'migration_entry_wait_on_locked'}); then the fault is retried. The PTE is not changed.`);
        out = { done: false, wait: 'migration' };
        return;
      case 'device-exclusive':
        d.call('remove_device_exclusive_entry', 'the device holds the page for atomics: take it back (MMU_NOTIFY_EXCLUSIVE makes the device drop its mapping).', () => {
          restoreExclusivePte(d, ref, vma, v);
        });
        return;
      case 'device-private': {
        const page = folioOf(d, v.target);
        if (page.locked) {
          d.explain(`${pageName(page)} is locked (already migrating): wait on the page lock and retry.`);
          out = { done: false, wait: 'migration' };
          return;
        }
        d.explain('read and write faults are handled the same way: the memory is not CPU-addressable.');
        lockPage(d, v.target, 'locked by do_swap_page (trylock)');
        const m = dmirror_devmem_fault(d, ref, v.target);
        if (m === null) {
          d.setPage(folioOf(d, v.target).id, { locked: false }, 'unlocked: nothing to migrate');
          out = { done: true };
        } else {
          out = { done: false, migration: m };
        }
        return;
      }
      case 'hwpoison':
        d.call('do_swap_page', 'a hwpoison entry: VM_FAULT_HWPOISON. The task gets SIGBUS.');
        out = { done: true, signal: 'SIGBUS' };
        return;
      case 'pte-marker':
        out = handlePteMarker(d, ref, vma, v, access);
        return;
      case 'swap':
        swapIn(d, ref, vma, v, access);
        return;
      // Stryker disable next-line ConditionalExpression,StringLiteral: unreachable: only SWP_SWAPIN_ERROR (v6.1) is left, and no profile has it
      default: refuse(`PTE ${ref.index} holds ${name}, which do_swap_page does not expect`);
    }
  });
  return out;
}

function handlePteMarker(d: Draft, ref: PteRef, vma: Vma, v: EntryView, access: Access): FaultStep {
  const bits = d.k.pte_marker_get(v.entry!);
  let out: FaultStep = { done: true };
  d.call('handle_pte_marker', `marker bits ${bits}.`, () => {
    if (bits & PTE_MARKER_POISONED) {
      d.explain('PTE_MARKER_POISONED: VM_FAULT_HWPOISON. The task gets SIGBUS.');
      out = { done: true, signal: 'SIGBUS' };
    } else if (bits & PTE_MARKER_GUARD) {
      d.explain('PTE_MARKER_GUARD: a guard region. VM_FAULT_SIGSEGV.');
      out = { done: true, signal: 'SIGSEGV' };
    } else {
      // PTE_MARKER_UFFD_WP: every marker the machine makes has one of the three bits, so the kernel's
      // "unknown pte marker" SIGBUS has no case here. The marker lies in a VMA registered for uffd-wp
      // (the machine never unregisters one), so neither has pte_marker_clear() for a leftover marker.
      if (access === 'write') refuse('a write to a uffd-wp marker goes to the userfaultfd handler (handle_userfault); unprotect first');
      d.call('pte_marker_handle_uffd_wp', 'not write-protected for this access: the marker is treated as a missing page.', () => {
        d.setPte(ref, 0n);
        doAnonymousPage(d, ref, vma, access);
        const nv = view(d, ref);
        d.setPte(ref, pte_mkuffd_wp(nv.raw), nv.target);
      });
    }
  });
  return out;
}

/** do_swap_page() for a real swap entry: read the page back (or find it in the swap cache). */
function swapIn(d: Draft, ref: PteRef, vma: Vma, v: EntryView, access: Access): void {
  const k = d.k;
  const slotNo = Number(k.swp_offset(v.entry!));
  const slot = d.slot(slotNo);
  if (!slot) refuse(`swap slot 0x${slotNo.toString(16)} is not in use: a stale swap entry (the kernel would report "Bad swap entry")`);
  const raw = v.raw as PteBits;
  const exclusive = k.pte_swp_exclusive(raw);
  if (slot.cached !== null) {
    d.call('swap_cache_get_folio', `${pageName(d.page(slot.cached))} is still in the swap cache.`);
  } else {
    d.call('swapin_readahead', `reads swap slot 0x${slotNo.toString(16)} into a new page.`, () => {
      const id = allocRamPage(d);
      d.setPage(id, { data: slot.data, swapSlot: slotNo }, `read from swap slot 0x${slotNo.toString(16)}`);
      d.setSlot(slotNo, { ...slot, cached: id });
    });
  }
  const id = d.slot(slotNo)!.cached!;
  let pte = mk_pte(d.page(id).number, pageProt(vma));
  if (k.pte_swp_soft_dirty(raw)) pte = pte_mksoft_dirty(pte);
  if (k.pte_swp_uffd_wp(raw)) pte = pte_mkuffd_wp(pte);
  const soleUser = slot.count === 1 && d.page(id).mapcount === 0;
  const canWrite = exclusive || soleUser;
  if (canWrite && vmaWritable(vma) && !vma.uffdWp) {
    pte = pte_mkwrite(pte);
    if (access === 'write') pte = pte_mkdirty(pte);
  }
  d.explain(`${exclusive ? '_PAGE_SWP_EXCLUSIVE is set' : soleUser ? 'this is the only user of the slot' : 'the slot is shared (after fork)'}: ${canWrite ? 'map it writable and exclusive' : 'map it read-only; a write will copy'}.`);
  addRmap(d, id, canWrite);
  d.setPte(ref, pte, id);
  if (swap_free(d, slotNo)) d.setPage(id, { dirty: true });
}

/** restore_exclusive_pte(): the CPU takes a device-exclusive page back. */
export function restoreExclusivePte(d: Draft, ref: PteRef, vma: Vma, v: EntryView): void {
  const k = d.k;
  const page = d.page(v.target);
  const dirty = folioOf(d, v.target).dirty;
  // Stryker disable next-line StringLiteral: the page is always dirty here: make_device_exclusive() moved the written PTE's dirty bit to it
  const how = dirty ? 'writable and dirty' : 'writable';
  d.call('restore_exclusive_pte', `a fresh old PTE for ${pageName(page)}; soft-dirty/uffd restored; ${how} since the VMA is writable and the page is exclusive.`, () => {
    let pte = pte_mkold(mk_pte(page.number, pageProt(vma)));
    // Stryker disable next-line ConditionalExpression: the entry is always soft-dirty: make_device_exclusive() copied it from a PTE a write fault had just made writable (pte_mkdirty() sets _PAGE_SOFT_DIRTY)
    if (k.pte_swp_soft_dirty(v.raw as PteBits)) pte = pte_mksoft_dirty(pte);
    if (k.pte_swp_uffd_wp(v.raw as PteBits)) pte = pte_mkuffd_wp(pte);
    if (vmaWritable(vma) && page.anonExclusive && !pte_uffd_wp(pte)) {
      // Stryker disable next-line ConditionalExpression: the page is always dirty here (see `how` above)
      if (dirty) pte = pte_mkdirty(pte);
      pte = pte_mkwrite(pte);
    }
    d.setPte(ref, pte, v.target);
  });
  dmirrorDropAtomic(d, ref);
}

/** The driver's migrate_to_ram() runs to its end, then returns to the fault handler. */
function finishMigrateToRam(d: Draft, m: Migration): void {
  dmirrorDevmemFaultFinish(d, m);
  migrateToRamReturned(d, m.fault!);
}

/**
 * migrate_to_ram() returned: do_swap_page() unlocks and puts the page it locked (for a PMD,
 * do_huge_pmd_device_private() the folio). migrate_device_unmap() and __migrate_device_finalize() left
 * it locked (`fault_folio != folio`). When the page moved, that was its last reference: it is freed.
 */
export function migrateToRamReturned(d: Draft, fault: NonNullable<Migration['fault']>): void {
  d.call(fault.pmd ? 'do_huge_pmd_device_private' : 'do_swap_page', 'migrate_to_ram() returned: unlock and put the faulting page.', () => {
    d.setPage(folioOf(d, fault.page).id, { locked: false }, 'unlocked (folio_unlock)');
    maybeFree(d, fault.page);
  });
}

/**
 * Runs a CPU access on one PTE to completion: a device-private page is brought back
 * (migrate_to_ram's setup, pages and finalize), then a write that still meets a write-protected
 * PTE goes through do_wp_page. Refuses when the access would sleep on a migration that another
 * event has to finish, or would retry its fault forever.
 */
export function accessToCompletion(d: Draft, ref: PteRef, access: Access): 'SIGBUS' | 'SIGSEGV' | null {
  // Each round is one fault (or one MMU walk); the next round sees what it left. Every access that
  // can finish is done in three rounds (fault, then write-protect fault, then the MMU).
  // Stryker disable next-line EqualityOperator,UpdateOperator: no access needs a fourth round
  for (let round = 0; round < 4; round++) {
    const pv = viewPmd(d, ref);
    if (pv && pv.kind === 'present') {
      if (access === 'read' ? pmd_young(pv.raw) : pmd_write(pv.raw) && pmd_hw_dirty(pv.raw)) return null;
      cpuFaultStep(d, ref, access);
      continue;
    }
    if (pv) {
      // a migration PMD (wait) or a device-private one (migrate_to_ram); neither signals
      const r = cpuFaultStep(d, ref, access);
      if (r.done) continue;
      if (r.wait) refuse(`the PMD at PTE ${ref.index} of pid ${ref.pid} is under migration: the access sleeps in pmd_migration_entry_wait until migrate_*_finalize runs`);
      finishMigrateToRam(d, r.migration!);
      continue;
    }
    const v = view(d, ref);
    if (v.kind === 'present') {
      if (access === 'read' ? pte_young(v.raw) : pte_write(v.raw) && pte_hw_dirty(v.raw)) return null;
      cpuFaultStep(d, ref, access);
      continue;
    }
    const r = cpuFaultStep(d, ref, access);
    if (r.done) {
      if (r.signal) return r.signal;
      continue;
    }
    if (r.wait) refuse(`PTE ${ref.index} of pid ${ref.pid} is under migration: the access sleeps in migration_entry_wait until migrate_*_finalize runs`);
    finishMigrateToRam(d, r.migration!);
  }
  // Only a fault that keeps failing gets here: a device page migrate_to_ram could not collect (an
  // extra reference, which no event takes: folio_get faults the page back first). The kernel retries
  // the fault until the reference goes away; the CPU never reads device-private memory.
  refuse(`the ${access} at PTE ${ref.index} of pid ${ref.pid} does not complete: the fault is retried while the device page cannot migrate back`);
}
