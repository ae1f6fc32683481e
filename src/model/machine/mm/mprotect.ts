/**
 * Protection changes (mm/mprotect.c): mprotect_fixup -> change_protection -> change_pte_range, with
 * change_softleaf_pte() (7.3; inline in change_pte_range before) for soft leaves. Also the engine of
 * UFFDIO_WRITEPROTECT (mm/userfaultfd.c).
 */
import {
  pte_clear_uffd_wp, pte_dirty, pte_mkuffd_wp, pte_mkwrite, pte_modify, pte_protnone, pte_uffd_wp, pte_write, type Pte,
} from '../../kernel/arch/x86_pgtable.ts';
import { PTE_MARKER_GUARD, PTE_MARKER_POISONED, PTE_MARKER_UFFD_WP } from '../../kernel/kernel.ts';
import type { PteBits } from '../../kernel/u64.ts';
import { pmdBase, refuse, type Draft } from '../draft.ts';
import { keepSwpFlags, markerPte, readableDeviceFrom, readableMigrationFrom, toPte, traceBuilt, view } from '../entries.ts';
import { folioOf, HPAGE_PMD_NR } from '../folio.ts';
import { changeHugePmd, splitAtBoundary } from './huge_memory.ts';
import type { Prot, PteRef, Vma } from '../types.ts';
import { pageProt } from '../vma.ts';

export interface ChangeFlags {
  /** MM_CP_UFFD_WP */
  readonly uffdWp: boolean;
  /** MM_CP_UFFD_WP_RESOLVE */
  readonly uffdWpResolve: boolean;
  /** MM_CP_TRY_CHANGE_WRITABLE */
  readonly tryChangeWritable: boolean;
}

/**
 * Splits VMAs at start and end, applies `patch` to the covered parts; refuses gaps. A huge PMD that a
 * new VMA boundary cuts is split first (__split_vma() -> vma_adjust_trans_huge()).
 */
export function splitAndPatch(d: Draft, pid: number, start: number, pages: number, patch: (v: Vma) => Vma): Vma[] {
  const end = start + pages;
  for (const v of d.proc(pid).vmas) {
    if (v.start < start && v.start + v.pages > start) splitAtBoundary(d, pid, start);
    if (v.start < end && v.start + v.pages > end) splitAtBoundary(d, pid, end);
  }
  const out: Vma[] = [];
  const covered: Vma[] = [];
  for (const v of d.proc(pid).vmas) {
    const vEnd = v.start + v.pages;
    if (vEnd <= start || v.start >= end) {
      out.push(v);
      continue;
    }
    if (v.start < start) out.push({ ...v, pages: start - v.start });
    const s = Math.max(v.start, start);
    const e = Math.min(vEnd, end);
    const mid = patch({ ...v, start: s, pages: e - s });
    out.push(mid);
    covered.push(mid);
    if (vEnd > end) out.push({ ...v, start: end, pages: vEnd - end });
  }
  const total = covered.reduce((n, v) => n + v.pages, 0);
  if (total !== pages) refuse(`PTEs ${start}..${end - 1} of pid ${pid} are not all inside VMAs: -ENOMEM`);
  out.sort((a, b) => a.start - b.start);
  d.setProcess(pid, (p) => ({ ...p, vmas: out }));
  return covered;
}

export function mprotect(d: Draft, pid: number, start: number, pages: number, prot: Prot): void {
  const before = d.proc(pid).vmas;
  const changed = before.some((v) => v.start < start + pages && v.start + v.pages > start && v.prot !== prot);
  d.call('mprotect_fixup', changed ? `vm_flags change to ${prot === 'rw' ? 'VM_READ|VM_WRITE' : prot === 'read' ? 'VM_READ' : 'none'}; vm_page_prot is recomputed.` : 'vm_flags do not change: nothing to do.', () => {
    const covered = splitAndPatch(d, pid, start, pages, (v) => ({ ...v, prot }));
    if (!changed) return;
    for (const v of covered) {
      changeProtection(d, pid, v, { uffdWp: false, uffdWpResolve: false, tryChangeWritable: prot === 'rw' && !v.shared });
    }
  });
}

/** change_protection() over one VMA. */
export function changeProtection(d: Draft, pid: number, vma: Vma, f: ChangeFlags): void {
  const newprot = pageProt(vma);
  d.call('change_protection', '', () => {
    const end = vma.start + vma.pages;
    for (let i = vma.start; i < end; i = pmdBase(i) + HPAGE_PMD_NR) {
      if (d.pmdEntry({ pid, index: i })) changeHugePmd(d, { pid, index: i }, vma, newprot, f);
    }
    d.call('change_pte_range', `new vm_page_prot 0x${newprot.toString(16)}${f.uffdWp ? ', MM_CP_UFFD_WP' : ''}${f.uffdWpResolve ? ', MM_CP_UFFD_WP_RESOLVE' : ''}${f.tryChangeWritable ? ', MM_CP_TRY_CHANGE_WRITABLE' : ''}.`, () => {
      // A none PTE changes only when uffd-wp marks unpopulated entries: otherwise empty page tables are
      // skipped. PMD leaves were handled above (change_huge_pmd()).
      const indices = f.uffdWp && vma.uffdWpUnpopulated
        ? Array.from({ length: vma.pages }, (_, n) => vma.start + n).filter((i) => !d.pmdEntry({ pid, index: i }))
        : [...d.populated(pid, vma.start, vma.start + vma.pages)];
      for (const i of indices) changeOne(d, { pid, index: i }, vma, newprot, f);
    });
  });
}

function changeOne(d: Draft, ref: PteRef, vma: Vma, newprot: bigint, f: ChangeFlags): void {
  const k = d.k;
  const v = view(d, ref);
  if (v.kind === 'none') {
    if (f.uffdWp && vma.uffdWpUnpopulated) {
      d.call('make_pte_marker', 'a none PTE under uffd-wp with UFFD_FEATURE_WP_UNPOPULATED gets a PTE_MARKER_UFFD_WP marker.', () =>
        d.setPte(ref, markerPte(d, PTE_MARKER_UFFD_WP)));
    }
    return;
  }
  if (v.kind === 'present') {
    let pte = v.raw;
    d.call('pte_modify', `PTE ${ref.index}: keep _PAGE_CHG_MASK (PFN, A, D, soft-dirty, uffd), take the rest from the new vm_page_prot${pte_write(v.raw) ? '; RW goes, so Dirty moves to SavedDirty' : ''}.`, () => {
      pte = pte_modify(v.raw, newprot);
    });
    if (f.uffdWp) pte = pte_mkuffd_wp(pte);
    else if (f.uffdWpResolve) pte = pte_clear_uffd_wp(pte);
    if (f.tryChangeWritable && !pte_write(pte) && canChangePteWritable(d, vma, pte, v.target)) {
      pte = pte_mkwrite(pte);
      d.explainPte(ref.index, `: can_change_pte_writable() (the anon page is exclusive): made writable right away.`);
    }
    d.setPte(ref, pte, v.target);
    return;
  }
  const old = v.raw as PteBits;
  let np: PteBits = old;
  const row = v.row;
  const fn = k.profile.api === 'softleaf' ? 'change_softleaf_pte' : 'change_pte_range';
  if ((v.kind === 'migration' || v.kind === 'device-migration') && row?.access === 'write') {
    const page = v.target >= 0 ? folioOf(d, v.target) : null;
    // Stryker disable next-line BooleanLiteral: a migration entry always has its page locked beside it; the fallback is never used
    const anon = page?.anon ?? true;
    const built = readableMigrationFrom(d, v.entry!, anon);
    d.call(fn, `a writable migration entry: a protection check is hard, so drop write: ${k.typeName(k.swp_type(built.entry))} (${anon ? 'the folio is anon' : 'not anon'}); soft-dirty copied.`, () =>
      traceBuilt(d, built, ''));
    np = keepSwpFlags(d, v.raw, toPte(d, built.entry), { softDirty: true }) as PteBits;
  } else if (v.kind === 'device-private' && row?.access === 'write') {
    d.call(fn, 'SWP_DEVICE_WRITE -> SWP_DEVICE_READ; soft-dirty is not preserved (as in copy_nonpresent_pte), uffd is kept.', () =>
      d.call('make_readable_device_private_entry', ''));
    np = keepSwpFlags(d, v.raw, toPte(d, readableDeviceFrom(d, v.entry!)), { uffdWp: true }) as PteBits;
  } else if (v.kind === 'pte-marker') {
    if (k.pte_marker_get(v.entry!) & (PTE_MARKER_POISONED | PTE_MARKER_GUARD)) return;
    if (f.uffdWpResolve) d.call(fn, 'a uffd-wp marker is dropped on unprotect: the next fault is not trapped.', () => d.setPte(ref, 0n));
    return;
  }
  if (f.uffdWp) np = k.pte_swp_mkuffd_wp(np);
  else if (f.uffdWpResolve) np = k.pte_swp_clear_uffd_wp(np);
  if (np !== old) d.setPte(ref, np, v.target);
}

/** can_change_pte_writable(): private mappings only for exclusive anon pages. */
function canChangePteWritable(d: Draft, vma: Vma, pte: Pte, target: number): boolean {
  // Stryker disable next-line BooleanLiteral: unreachable here: MM_CP_TRY_CHANGE_WRITABLE is only set for a VM_WRITE VMA, whose new PTE is never PROT_NONE (the kernel WARNs)
  if (vma.prot !== 'rw' || pte_protnone(pte)) return false;
  if (vma.uffdWp && pte_uffd_wp(pte)) return false;
  if (!vma.shared) {
    const p = target >= 0 ? d.page(target) : null;
    return p !== null && p.kind !== 'zero' && p.anon && p.anonExclusive;
  }
  return pte_dirty(pte);
}
