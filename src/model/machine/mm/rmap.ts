/**
 * The reverse map (mm/rmap.c): mapcounts and PageAnonExclusive (folio_add_anon_rmap_pte,
 * folio_remove_rmap_pte, folio_try_share_anon_rmap_pte), the rmap walk, try_to_migrate_one() (a
 * mapping becomes a migration entry), try_to_unmap_one() (a swap or hwpoison entry) and
 * make_device_exclusive().
 */
import {
  pte_dirty, pte_soft_dirty, pte_uffd_wp, pte_write, pte_young, type Pte,
} from '../../kernel/arch/x86_pgtable.ts';
import { asPfn } from '../../kernel/kernel.ts';
import type { EntryKind } from '../../kernel/leafops.ts';
import type { Access } from '../../kernel/swapTypes.ts';
import type { PteBits } from '../../kernel/u64.ts';
import { refuse, type Draft } from '../draft.ts';
import { dmirrorMapAtomic } from '../drivers/test_hmm.ts';
import { makeMigrationEntry, pageName, pageNumberFn, toPte, traceBuilt, view, viewPmd } from '../entries.ts';
import { folioOf, folioPages } from '../folio.ts';
import type { EntryRef, PteRef } from '../types.ts';
import { setPmdMigrationEntry, splitHugePmd } from './huge_memory.ts';
import { accessToCompletion } from './memory/fault.ts';
import { markDirty } from './page_alloc.ts';

const hex = (n: number) => '0x' + n.toString(16);

/**
 * folio_add_{new_,}anon_rmap_pte(): mapcount + 1; RMAP_EXCLUSIVE sets PageAnonExclusive on an anon
 * page, and an add without it leaves the flag as it is. Never called for the shared zero page (a
 * special PTE: vm_normal_page() gives no page, so its mapcount stays 0).
 */
export function addRmap(d: Draft, id: number, exclusive: boolean): void {
  const p = d.page(id);
  d.setPage(id, exclusive ? { mapcount: p.mapcount + 1, anonExclusive: p.anon } : { mapcount: p.mapcount + 1 });
}

/** folio_add_file_rmap_pte(): mapcount + 1 for a page-cache or shmem page (no PageAnonExclusive). */
export function addFileRmap(d: Draft, id: number): void {
  d.setPage(id, { mapcount: d.page(id).mapcount + 1 });
}

/** folio_remove_rmap_pte(): mapcount - 1 (the zero page's count stays 0: addRmap() never raised it). */
export function removeRmap(d: Draft, id: number): void {
  const p = d.page(id);
  d.setPage(id, { mapcount: Math.max(0, p.mapcount - 1) });
}

/** folio_try_share_anon_rmap_pte(): clears PageAnonExclusive; fails if the folio may be DMA-pinned. */
export function tryShareAnon(d: Draft, id: number): boolean {
  if (folioOf(d, id).pins > 0) return false;
  d.setPage(id, { anonExclusive: false });
  return true;
}

/** Every PTE of every live process whose entry refers to page `id` (an rmap walk). */
export function rmapWalk(d: Draft, id: number, kinds: readonly EntryKind[]): PteRef[] {
  return d.refsTo(id).filter((ref) => kinds.includes(view(d, ref).kind));
}

/** The mappings try_to_migrate() visits: present PTEs and device-private entries. */
export function rmapMappings(d: Draft, pageId: number): PteRef[] {
  return rmapWalk(d, pageId, ['present', 'device-private']);
}

/**
 * Installs the migration entry for one mapping of `pageId` (what migrate_vma_collect_pmd() and
 * try_to_migrate_one() both do): WRITE if writable, READ_EXCLUSIVE if anon-exclusive, else READ;
 * young/dirty from a present PTE (make_migration_entry_young/dirty); soft-dirty and uffd-wp kept.
 */
export function installMigrationEntry(d: Draft, ref: PteRef, pageId: number, old: Pte, presentOld: boolean, write: boolean, anonExclusive: boolean): void {
  const k = d.k;
  const page = d.page(pageId);
  const access: Access = write ? 'write' : anonExclusive ? 'read_exclusive' : 'read';
  const built = makeMigrationEntry(d, page, access);
  let entry = built.entry;
  const arg = built.inner ? 'page' : `${pageNumberFn(page)}(page) = ${hex(page.number)}`;
  traceBuilt(d, built, `${built.ctor}(${arg}): ${k.typeName(k.swp_type(entry))}(${k.swp_type(entry)})${
    page.space === 'device' && k.profile.numbering !== 'rfc'
      ? ' — the number is a device offset, but this type says "RAM PFN"'
      : ''
  }.`);
  if (presentOld) {
    if (pte_young(old)) {
      entry = k.make_migration_entry_young(entry);
      d.call('make_migration_entry_young', k.migration_entry_supports_ad() ? 'the PTE was young: SWP_MIG_YOUNG goes into the offset.' : 'migration_entry_supports_ad() is false: the entry stays as it is.');
    }
    if (pte_dirty(old)) {
      entry = k.make_migration_entry_dirty(entry);
      d.call('make_migration_entry_dirty', k.migration_entry_supports_ad() ? 'the PTE was dirty: SWP_MIG_DIRTY goes into the offset.' : 'migration_entry_supports_ad() is false: the entry stays as it is.');
    }
  }
  let swp = toPte(d, entry) as PteBits;
  const softDirty = presentOld ? pte_soft_dirty(old) : k.pte_swp_soft_dirty(old as PteBits);
  const uffdWp = presentOld ? pte_uffd_wp(old) : k.pte_swp_uffd_wp(old as PteBits);
  if (softDirty) swp = k.pte_swp_mksoft_dirty(swp);
  if (uffdWp) swp = k.pte_swp_mkuffd_wp(swp);
  d.setPte(ref, swp, pageId);
}

/**
 * try_to_migrate_one() for one mapping: a present PTE or device-private entry becomes a migration
 * entry; a PMD mapping (!pvmw.pte) goes to set_pmd_migration_entry() for the head page.
 */
export function tryToMigrateOne(d: Draft, ref: EntryRef, pageId: number): boolean {
  if (ref.pmd) {
    const pv = viewPmd(d, ref);
    const h = d.page(pageId);
    if (!pv || (pv.kind !== 'present' && pv.kind !== 'device-private')) return false;
    return (
      d.call('try_to_migrate_one', `pid ${ref.pid} maps ${pageName(h)} with a PMD (PTEs ${ref.index}..${ref.index + 511}).`, () =>
        setPmdMigrationEntry(d, pv, h.anon && h.anonExclusive, `the PMD branch (!pvmw.pte): subpage = folio_page(folio, ${pv.kind === 'present' ? 'pmd_pfn()' : 'softleaf_to_pfn()'} − folio_pfn()) = the head.`))
    );
  }
  const v = view(d, ref);
  const page = d.page(pageId);
  const anonExclusive = page.anon && page.anonExclusive;
  return (
    d.call('try_to_migrate_one', `pid ${ref.pid} PTE ${ref.index} maps ${pageName(page)}.`, () => {
      if (v.kind === 'present') {
        if (pte_dirty(v.raw)) markDirty(d, pageId);
        if (anonExclusive && !tryShareAnon(d, pageId)) {
          d.explain('folio_try_share_anon_rmap_pte() fails (maybe pinned): the PTE is restored and migration stops.');
          return false;
        }
        installMigrationEntry(d, ref, pageId, v.raw, true, pte_write(v.raw), anonExclusive);
      } else {
        // a device-private entry (rmapMappings() finds no other kind): folio_try_share_anon_rmap_pte()
        // cannot fail, a device page is never pinned (and on a shared page it changes nothing)
        tryShareAnon(d, pageId);
        installMigrationEntry(d, ref, pageId, v.raw, false, v.row!.access === 'write', anonExclusive);
      }
      removeRmap(d, pageId);
      return true;
    })
  );
}

/**
 * try_to_migrate(): every mapping of the folio (PMDs, and PTEs of any of its pages) becomes a
 * migration entry; returns them.
 */
export function tryToMigrate(d: Draft, pageId: number, why: string): EntryRef[] {
  const out: EntryRef[] = [];
  d.call('try_to_migrate', why, () => {
    for (const ref of d.pmdRefsTo(pageId)) if (tryToMigrateOne(d, ref, pageId)) out.push(ref);
    for (const id of folioPages(d, pageId)) for (const ref of rmapMappings(d, id)) if (tryToMigrateOne(d, ref, id)) out.push(ref);
  });
  return out;
}

/**
 * try_to_unmap(): every present mapping of the page is replaced under try_to_unmap_one by what
 * `one` builds (a swap entry for reclaim, a hwpoison entry for memory failure). Returns how many.
 */
export function tryToUnmap(d: Draft, pageId: number, why: string, one: (r: PteRef, old: Pte) => { why: string; run: () => void }): number {
  let n = 0;
  d.call('try_to_unmap', why, () => {
    for (const r of rmapWalk(d, pageId, ['present'])) {
      const step = one(r, view(d, r).raw);
      d.call('try_to_unmap_one', `pid ${r.pid} PTE ${r.index}: ${step.why}`, () => {
        step.run();
        removeRmap(d, pageId);
        n++;
      });
    }
  });
  return n;
}

/** make_device_exclusive(): the device takes a page for atomic access; the CPU PTE becomes an entry. */
export function makeDeviceExclusive(d: Draft, pid: number, start: number, pages: number, device: number): number {
  if (!d.k.config.DEVICE_PRIVATE) refuse('CONFIG_DEVICE_PRIVATE=n: make_device_exclusive() does not exist');
  d.device(device);
  let n = 0;
  for (let i = start; i < start + pages; i++) {
    const ref = { pid, index: i };
    d.call('make_device_exclusive', `PTE ${i}: fault the page in writable (GUP with FOLL_WRITE), lock it, replace the PTE by a device-exclusive entry.`, () => {
      const sig = accessToCompletion(d, ref, 'write');
      if (sig) refuse(`the write fault on PTE ${i} gets ${sig}`);
      // a writable huge PMD (the fault may have made one): split, its PTEs stay writable
      if (d.pmdEntry(ref)) splitHugePmd(d, ref, false, 'GUP with FOLL_SPLIT_PMD: a device-exclusive entry is PTE-only (fw.level == FW_LEVEL_PTE).', 'split_huge_pmd');
      // the write left a writable, dirty PTE (the kernel's second walk, fw.level == FW_LEVEL_PTE && pte_write)
      const v = view(d, ref);
      const page = d.page(v.target);
      if (!page.anon) refuse(`PTE ${i} maps ${pageName(page)}, which is not anonymous: make_device_exclusive() returns -EOPNOTSUPP`);
      // Stryker disable next-line ConditionalExpression: always dirty here (the write just set D), but make_device_exclusive() tests it
      if (pte_dirty(v.raw)) markDirty(d, v.target);
      let pte = toPte(d, d.k.make_device_exclusive_entry(asPfn(page.number))) as PteBits;
      // Stryker disable next-line ConditionalExpression: every writable anon PTE here is soft-dirty (x86 pte_mkdirty() sets _PAGE_SOFT_DIRTY, and nothing clears it: no clear_refs)
      if (pte_soft_dirty(v.raw)) pte = d.k.pte_swp_mksoft_dirty(pte);
      d.call('make_device_exclusive_entry', `SWP_DEVICE_EXCLUSIVE for pfn 0x${page.number.toString(16)}; the page stays mapped (mapcount unchanged) and in RAM.`, () =>
        d.setPte(ref, pte, v.target));
      dmirrorMapAtomic(d, device, ref, v.target);
      n++;
    });
  }
  return n;
}
