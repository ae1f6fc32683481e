/**
 * Page migration (mm/migrate.c): remove_migration_pte() turns a migration entry back into a mapping
 * of the new (or, on failure, the old) page; migrate_pages() moves a RAM page, split here into its
 * unmap (try_to_migrate) and move halves so the migration entries can be seen in between.
 */
import {
  mk_pte, pte_mkdirty, pte_mkold, pte_mksoft_dirty, pte_mkuffd_wp, pte_mkwrite, pte_write, type Pte,
} from '../../kernel/arch/x86_pgtable.ts';
import { isMigrationKind } from '../../kernel/leafops.ts';
import type { PteBits } from '../../kernel/u64.ts';
import { refuse, type Draft } from '../draft.ts';
import { keepSwpFlags, makeDevicePrivateEntry, pageName, pageNumberFn, requireMigration, toPte, traceBuilt, view, viewPmd } from '../entries.ts';
import { folioOf, folioPage, folioPages, isLarge } from '../folio.ts';
import type { EntryRef, Migration, MigrationSrc, PteRef } from '../types.ts';
import { pageProt, vmaOf } from '../vma.ts';
import { removeMigrationPmd, splitFolioEverywhere } from './huge_memory.ts';
import { allocRamFolio, allocRamPage, getRef, lockPage, putRef, unlockAndPut } from './page_alloc.ts';
import { addRmap, tryToMigrate } from './rmap.ts';

const hex = (n: number) => '0x' + n.toString(16);

/**
 * remove_migration_pte(): rebuilds one migration entry of the folio `src` for the folio `dst` (dst =
 * src when migration failed): page_vma_mapped_walk(PVMW_MIGRATION) stops only at a migration entry
 * for a page of src, and page idx of src (idx = softleaf_to_pfn(entry) - pvmw.pfn) becomes page idx
 * of dst. Young/dirty from the entry, soft-dirty from the swap PTE, writable for a writable migration
 * entry; a device-private destination gets a device entry.
 */
export function removeMigrationPte(d: Draft, ref: PteRef, src: number, dst: number): void {
  const k = d.k;
  const v = view(d, ref);
  if (!isMigrationKind(v.kind) || folioOf(d, v.target).id !== src) return;
  // a migration entry lies inside a VMA: munmap, mremap and exit zap or move it with its VMA
  const vma = vmaOf(d, ref)!;
  const entry = v.entry!;
  const row = v.row!;
  const newId = folioPage(d, dst, d.page(v.target).number - d.page(src).number);
  const np = d.page(newId);
  d.call('remove_migration_pte', `pid ${ref.pid} PTE ${ref.index}: ${row.name} -> ${np.kind === 'device' ? 'a device-private entry' : 'a present PTE'} for ${pageName(np)}.`, () => {
    let pte = mk_pte(np.number, pageProt(vma));
    const young = k.is_migration_entry_young(entry);
    const dirty = k.is_migration_entry_dirty(entry);
    const folioDirty = folioOf(d, newId).dirty;
    if (!young) pte = pte_mkold(pte);
    if (folioDirty && dirty) pte = pte_mkdirty(pte);
    if (k.pte_swp_soft_dirty(v.raw as PteBits)) pte = pte_mksoft_dirty(pte);
    const writable = row.access === 'write';
    if (writable) pte = pte_mkwrite(pte);
    else if (k.pte_swp_uffd_wp(v.raw as PteBits)) pte = pte_mkuffd_wp(pte);
    if (np.kind !== 'device') d.explain(`${young ? 'young' : 'old (no SWP_MIG_YOUNG)'}, ${folioDirty && dirty ? 'dirty' : 'clean'}${writable ? ', writable' : ''}.`);
    else d.explain(`the rebuilt PTE would be ${writable ? 'writable' : 'read-only'}.`);
    addRmap(d, newId, row.access !== 'read');
    if (np.kind === 'device') {
      const built = makeDevicePrivateEntry(d, np, pte_write(pte));
      traceBuilt(d, built, `the new page is device-private: ${k.typeName(k.swp_type(built.entry))} for ${pageNumberFn(np)}(page) = ${hex(np.number)}; no A/D survive.`);
      d.setPte(ref, keepSwpFlags(d, v.raw, toPte(d, built.entry)), newId);
    } else {
      d.setPte(ref, pte as Pte, newId);
    }
  });
}

/**
 * The end of a migration of one source folio, whichever way it went: remove_migration_ptes(src, dst)
 * rebuilds every migration entry for `dst` (dst = src restores the old folio): a migration PMD with
 * remove_migration_pmd(), a migration PTE (of page i of a large folio) with remove_migration_pte() for
 * page i of dst. Then the source is unlocked and its migration reference put; a CPU fault's own folio
 * stays locked (`if (fault_folio != folio) folio_unlock(folio)`): the fault handler unlocks it.
 */
export function remove_migration_ptes(d: Draft, src: number, dst: number, ptes: readonly EntryRef[], why: string, faultFolio = false): void {
  d.call('remove_migration_ptes', why, () => {
    for (const ref of ptes) {
      if (ref.pmd) removeMigrationPmd(d, ref, src, dst);
      else removeMigrationPte(d, ref, src, dst);
    }
  });
  if (faultFolio) putRef(d, src);
  else unlockAndPut(d, src);
}

/**
 * A pid and a PTE index name one entry of a migration's list: an address is mapped by a PMD leaf or by
 * a PTE table, never both at once, and split_huge_pmd() of a migration PMD rewrites the list
 * (replaceMigrationRef), so the list never holds a PMD and a PTE at the same index.
 */
const sameRef = (a: EntryRef, b: EntryRef) => a.pid === b.pid && a.index === b.index;

/** A migration PMD was split (or moved): the migration in flight lists `refs` instead of `old`. */
export function replaceMigrationRef(d: Draft, old: EntryRef, refs: readonly EntryRef[]): void {
  for (const m of d.migrations()) {
    d.setMigration(m.id, { ...m, srcs: m.srcs.map((s) => ({ ...s, ptes: s.ptes.flatMap((p) => (sameRef(p, old) ? refs : [p])) })) });
  }
}

/** The migration of `api` in flight, or a refusal naming the call that starts one. */
export function currentMigration(d: Draft, api: Migration['api']): Migration {
  const m = d.migrations().find((x) => x.api === api);
  if (!m) {
    const start = api === 'migrate_vma' ? 'migrate_vma_setup (or a CPU fault on a device-private entry)' : api === 'migrate_device' ? 'migrate_device_range' : 'migrate_folio_unmap';
    refuse(`no ${api.replace('_', ' ')} is in progress: ${start} starts one`);
  }
  return m;
}

/**
 * fork copied a migration entry: the child's PTE (or PMD) joins the list of the migration of its
 * folio (a source is always a folio's head: migrate_pages and migrate_vma collect folios).
 */
export function addMigrationPte(d: Draft, pageId: number, ref: EntryRef): void {
  const head = folioOf(d, pageId).id;
  for (const m of d.migrations()) {
    const i = m.srcs.findIndex((s) => s.src === head);
    if (i < 0) continue;
    const srcs = m.srcs.slice();
    srcs[i] = { ...srcs[i]!, ptes: [...srcs[i]!.ptes, ref] };
    d.setMigration(m.id, { ...m, srcs });
  }
}

/** zap cleared a migration entry: it leaves the migration's list. */
export function dropMigrationPte(d: Draft, ref: EntryRef): void {
  for (const m of d.migrations()) {
    d.setMigration(m.id, { ...m, srcs: m.srcs.map((s) => ({ ...s, ptes: s.ptes.filter((p) => !sameRef(p, ref)) })) });
  }
}

/** folio_copy() + folio_migrate_flags(): data page by page, the dirty flag and the mapping. */
export function copyFolio(d: Draft, src: number, dst: number): void {
  const sp = d.page(src);
  if (!isLarge(sp)) {
    d.setPage(dst, { data: sp.data, dirty: sp.dirty, anon: sp.anon }, `copied from ${pageName(sp)}`);
    return;
  }
  const from = folioPages(d, src);
  const to = folioPages(d, dst);
  for (let i = 0; i < from.length; i++) d.setPage(to[i]!, { data: d.page(from[i]!).data, anon: sp.anon });
  d.setPage(dst, { dirty: sp.dirty }, `copied from ${pageName(sp)} (512 pages)`);
}

// ---- RAM to RAM: migrate_pages -----------------------------------------------------------------------

/**
 * folio_test_partially_mapped(): some of the anon folio's pages are mapped and some are not (the rmap
 * flags it, and queues it for deferred split, when a PTE unmap leaves it so).
 */
function partiallyMapped(d: Draft, head: number): boolean {
  const h = d.page(head);
  return h.anon && h.entireMapcount === 0 && folioPages(d, head).some((id) => d.page(id).mapcount === 0);
}

/** migrate_pages() first half: migrate_folio_unmap() locks the folio and try_to_migrate()s it. */
export function migrateFolioUnmap(d: Draft, ref: PteRef): void {
  requireMigration(d);
  if (d.migrations().some((m) => m.api === 'migrate_folio')) refuse('a migrate_pages migration is already in progress: migrate_folio_move finishes it');
  const pv = viewPmd(d, ref);
  const v = pv ?? view(d, ref);
  if (v.kind !== 'present') refuse(`${pv ? 'the PMD at' : 'PTE'} ${ref.index} of pid ${ref.pid} is not present: migrate_pages moves mapped RAM pages`);
  let page = folioOf(d, v.target);
  // a present PTE or PMD maps RAM or the zero page: never a device-private page (invariant no-present-device-private)
  if (page.kind !== 'ram') refuse(`PTE ${ref.index} maps the shared zero page, which migrate_pages does not move`);
  if (page.locked) refuse(`${pageName(page)} is locked (another migration holds it)`);
  if (!pv && isLarge(page) && partiallyMapped(d, page.id)) {
    // migrate_pages_batch(): a partially mapped folio (on the deferred split list) is split first and
    // its pages migrate as 4 KiB folios; if the split fails it migrates whole. A fully mapped one
    // migrates whole, PTE-mapped or not.
    const head = page.id;
    const ok = d.call('try_split_folio', `${pageName(page)} is partially mapped (on the deferred split list): split it now and migrate its 4 KiB folios.`, () => {
      const split = splitFolioEverywhere(d, head);
      if (!split) d.explain(`the split fails (extra references): ${pageName(d.page(head))} migrates whole.`);
      return split;
    });
    if (ok) page = d.page(v.target);
  }
  const target = page.id;
  const ptes = d.call('migrate_pages', `moves ${pageName(page)} to ${isLarge(page) ? 'another 2 MiB RAM folio' : 'another RAM page'} (NUMA balancing, compaction, …).`, () =>
    d.call('migrate_folio_unmap', 'locks the folio and unmaps it everywhere.', () => {
      lockPage(d, target);
      getRef(d, target);
      return tryToMigrate(d, target, 'rmap walk over every mapping.');
    }));
  // migrate_folio_move() reads src and ptes only; the MIGRATE_PFN_* flags, origin, phase and to are
  // read by the migrate_vma / migrate_device paths, which never see this migration.
  // Stryker disable next-line BooleanLiteral: not read for a migrate_pages migration (above)
  const src: MigrationSrc = { src: target, hole: null, at: pv ? pv.ref : ref, ptes, migrate: true, write: false, dst: null, dstWrite: false, compound: isLarge(page) };
  d.addMigration({
    api: 'migrate_folio',
    // Stryker disable next-line StringLiteral: not read for a migrate_pages migration (above)
    origin: 'migrate_pages', device: null, phase: 'collected', to: 'ram',
    srcs: [src],
  });
}

/** migrate_pages() second half: migrate_folio_move() copies to a new page and remaps. */
export function migrateFolioMove(d: Draft, mig: Migration): void {
  const s = mig.srcs[0]!;
  const srcId = s.src!;
  const sp = d.page(srcId);
  d.call('migrate_folio_move', '', () => {
    const extra = sp.refs - 1;
    if (extra > 0 || sp.pins > 0) {
      d.call('folio_migrate_mapping', `${pageName(sp)} has ${sp.pins || extra} extra reference(s): -EAGAIN, the migration is undone.`);
      remove_migration_ptes(d, srcId, srcId, s.ptes, 'remove_migration_ptes(src, src): the old page is mapped again.');
      return;
    }
    const dst = isLarge(sp) ? allocRamFolio(d, sp.anon) : allocRamPage(d);
    copyFolio(d, srcId, dst);
    d.call('move_to_new_folio', `${pageName(sp)} -> ${pageName(d.page(dst))} (migrate_folio copies data and flags).`);
    remove_migration_ptes(d, srcId, dst, s.ptes, 'every migration entry now points at the new page.');
  });
  d.setMigration(mig.id, null);
}
