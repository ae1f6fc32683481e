/**
 * fork's page-table copy (mm/memory.c): copy_page_range -> copy_pte_range, with copy_present_ptes()
 * for present PTEs and copy_nonpresent_pte() / copy_pte_marker() for soft leaves.
 */
import {
  mk_pte, pte_clear_uffd_wp, pte_mkclean, pte_mkdirty, pte_mkold, pte_mkwrite, pte_write, pte_wrprotect, type Pte,
} from '../../../kernel/arch/x86_pgtable.ts';
import { PTE_MARKER_GUARD, PTE_MARKER_POISONED, type PteMarker } from '../../../kernel/kernel.ts';
import type { PteBits } from '../../../kernel/u64.ts';
import { pmdBase, type Draft } from '../../draft.ts';
import { keepSwpFlags, markerPte, pageName, readableDeviceFrom, readableMigrationFrom, toPte, traceBuilt, view } from '../../entries.ts';
import { folioOf, HPAGE_PMD_NR } from '../../folio.ts';
import { copyHugePmd } from '../huge_memory.ts';
import type { PteRef, Vma } from '../../types.ts';
import { isCow, pageProt, vmaWritable } from '../../vma.ts';
import { addMigrationPte } from '../migrate.ts';
import { allocRamPage } from '../page_alloc.ts';
import { addRmap, tryShareAnon } from '../rmap.ts';
import { swap_duplicate } from '../swapfile.ts';
import { restoreExclusivePte } from './fault.ts';

/** copy_page_range() for one VMA: every PMD leaf (copy_huge_pmd) and every PTE of the parent's range into the child's. */
export function copyPageRange(d: Draft, pid: number, childPid: number, vma: Vma, childVma: Vma): void {
  const end = vma.start + vma.pages;
  for (let base = pmdBase(vma.start); base < end; base += HPAGE_PMD_NR) {
    const i = Math.max(base, vma.start);
    const src = { pid, index: i };
    if (d.pmdEntry(src) && copyHugePmd(d, src, { pid: childPid, index: i }, childVma)) continue;
    // Page tables with no entry are skipped, as copy_pte_range() never sees them (pmd_none).
    for (const j of [...d.populated(pid, i, Math.min(end, base + HPAGE_PMD_NR))]) copyOne(d, { pid, index: j }, { pid: childPid, index: j }, vma);
  }
}

function copyOne(d: Draft, src: PteRef, dst: PteRef, vma: Vma): void {
  const v = view(d, src);
  if (v.kind === 'none') return;
  if (v.kind === 'present') {
    copyPresent(d, src, dst, vma, v.raw, v.target);
    return;
  }
  const k = d.k;
  const orig = v.raw as PteBits;
  let pte: Pte = v.raw;
  let target = v.target;
  switch (v.kind) {
    case 'swap': {
      const slotNo = Number(k.swp_offset(v.entry!));
      d.call('copy_nonpresent_pte', `a swap entry: swap_duplicate() raises slot 0x${slotNo.toString(16)}'s count${k.pte_swp_exclusive(orig) ? '; the parent\'s _PAGE_SWP_EXCLUSIVE is cleared (the slot is shared now)' : ''}.`, () => {
        swap_duplicate(d, slotNo);
        if (k.pte_swp_exclusive(orig)) {
          pte = k.pte_swp_clear_exclusive(orig) as Pte;
          d.setPte(src, pte);
        }
      });
      target = -1;
      break;
    }
    case 'migration':
    case 'device-migration': {
      const row = v.row!;
      d.call('copy_nonpresent_pte', row.access === 'read' ? 'a readable migration entry: copied as is.' : `a ${row.name} entry in a COW mapping: parent and child both get a readable migration entry (soft-dirty and uffd kept).`, () => {
        if (row.access !== 'read' && isCow(vma)) {
          const built = readableMigrationFrom(d, v.entry!, false);
          traceBuilt(d, built, `${k.typeName(k.swp_type(built.entry))}(swp_offset(entry)): the offset keeps the PFN and the A/D bits.`);
          pte = keepSwpFlags(d, v.raw, toPte(d, built.entry));
          d.setPte(src, pte, v.target);
        }
      });
      addMigrationPte(d, v.target, dst);
      break;
    }
    case 'device-private': {
      const row = v.row!;
      const page = d.page(v.target);
      d.call('copy_nonpresent_pte', `a device-private entry: the child maps ${pageName(page)} too (folio_try_dup_anon_rmap_pte cannot fail for device pages).`, () => {
        tryShareAnon(d, v.target);
        addRmap(d, v.target, false);
        if (row.access === 'write' && isCow(vma)) {
          d.call('make_readable_device_private_entry', 'SWP_DEVICE_WRITE in a COW mapping: both become SWP_DEVICE_READ; soft-dirty is deliberately not preserved, uffd is kept.');
          pte = keepSwpFlags(d, v.raw, toPte(d, readableDeviceFrom(d, v.entry!)), { uffdWp: true });
          d.setPte(src, pte, v.target);
        }
      });
      break;
    }
    case 'device-exclusive': {
      d.call('copy_nonpresent_pte', 'a device-exclusive entry: restore the parent\'s present PTE first (try_restore_exclusive_pte), then copy it as a present PTE (-ENOENT, retried by copy_pte_range).', () => {
        d.call('try_restore_exclusive_pte', '', () => restoreExclusivePte(d, src, vma, v));
      });
      const nv = view(d, src);
      copyPresent(d, src, dst, vma, nv.raw, nv.target);
      return;
    }
    case 'hwpoison':
      d.call('copy_nonpresent_pte', 'a hwpoison entry: copied to the child as is.');
      break;
    case 'pte-marker': {
      const keep = (k.pte_marker_get(v.entry!) & (PTE_MARKER_POISONED | PTE_MARKER_GUARD)) as PteMarker;
      d.call('copy_pte_marker', `keeps ${keep ? 'poisoned/guard markers' : 'nothing'}; a uffd-wp marker is dropped (the child VMA is not uffd-wp registered).`, () => {
        if (keep) d.setPte(dst, markerPte(d, keep));
      });
      return;
    }
  }
  d.setPte(dst, k.pte_swp_clear_uffd_wp(pte as PteBits) as Pte, target);
}

/** copy_present_ptes(): write-protect both for a writable COW mapping; the child's PTE is old. */
function copyPresent(d: Draft, src: PteRef, dst: PteRef, vma: Vma, raw: Pte, target: number): void {
  const page = d.page(target);
  d.call('copy_present_ptes', '', () => {
    if (page.kind !== 'zero' && page.anon && page.anonExclusive && folioOf(d, target).pins > 0 && isCow(vma)) {
      d.call('copy_present_page', `${pageName(page)} may be DMA-pinned: the child gets its own copy now instead of sharing it.`, () => {
        const id = allocRamPage(d);
        d.setPage(id, { data: page.data, dirty: true });
        // maybe_mkwrite(pte_mkdirty(pte), dst_vma): dirty always, writable only with VM_WRITE
        let pte = pte_mkdirty(mk_pte(d.page(id).number, pageProt(vma)));
        if (vmaWritable(vma)) pte = pte_mkwrite(pte);
        addRmap(d, id, true);
        d.setPte(dst, pte, id);
      });
      return;
    }
    let pte = raw;
    if (isCow(vma) && pte_write(raw)) {
      d.call('wrprotect_ptes', 'a writable private mapping: write-protect the parent (Dirty moves to SavedDirty).', () => d.setPte(src, pte_wrprotect(raw), target));
      pte = pte_wrprotect(pte);
    }
    d.call('__copy_present_ptes', `the child maps ${pageName(page)}: ${vma.shared ? 'clean and ' : ''}old${isCow(vma) ? ', read-only' : ''}.`, () => {
      if (vma.shared) pte = pte_mkclean(pte);
      pte = pte_clear_uffd_wp(pte_mkold(pte));
      if (page.kind !== 'zero') {
        if (page.anon) tryShareAnon(d, target);
        addRmap(d, target, false);
      }
      d.setPte(dst, pte, target);
    });
  });
}
