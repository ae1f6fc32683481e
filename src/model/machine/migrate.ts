/**
 * Page migration: the device migrate_vma_* / migrate_device_* APIs (mm/migrate_device.c), the rmap
 * side try_to_migrate_one() (mm/rmap.c), remove_migration_pte() (mm/migrate.c), and RAM-to-RAM
 * migrate_pages() split into its unmap and move halves.
 */
import type { Access } from '../kernel/swapTypes.ts';
import type { PteBits } from '../kernel/u64.ts';
import { refuse, type Draft } from './draft.ts';
import {
  addRmap, allocDevicePage, allocRamPage, getRef, makeDevicePrivateEntry, makeMigrationEntry, maybeFree, pageName,
  pageNumberFn, pageProt, putRef, removeRmap, requireMigration, rmapWalk, toPte, tryShareAnon, view, vmaOf, vmaWritable,
} from './mm.ts';
import type { Migration, MigrationSrc, PteRef } from './types.ts';
import {
  mk_pte, pte_dirty, pte_mkdirty, pte_mkold, pte_mksoft_dirty, pte_mkuffd_wp, pte_mkwrite, pte_soft_dirty, pte_uffd_wp,
  pte_write, pte_young, type Pte,
} from './x86pte.ts';

const hex = (n: number) => '0x' + n.toString(16);

/** Installs the migration entry for one PTE that maps `pageId` (shared by collect and try_to_migrate_one). */
function installMigrationEntry(
  d: Draft, ref: PteRef, pageId: number, old: Pte, presentOld: boolean, write: boolean, anonExclusive: boolean,
): void {
  const k = d.k;
  const page = d.page(pageId);
  const access: Access = write ? 'write' : anonExclusive ? 'read_exclusive' : 'read';
  const { entry: e0, ctor } = makeMigrationEntry(d, page, access);
  let entry = e0;
  d.call(ctor, `${ctor}(${pageNumberFn(page)}(page) = ${hex(page.number)}): ${k.typeName(k.swp_type(entry))}(${k.swp_type(entry)})${
    page.kind === 'device' && k.profile.numbering !== 'rfc' && page.space === 'device'
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
  let swp = toPte(d, entry);
  if (presentOld) {
    if (pte_soft_dirty(old)) swp = k.pte_swp_mksoft_dirty(swp as PteBits) as Pte;
    if (pte_uffd_wp(old)) swp = k.pte_swp_mkuffd_wp(swp as PteBits) as Pte;
  } else {
    if (k.pte_swp_soft_dirty(old as PteBits)) swp = k.pte_swp_mksoft_dirty(swp as PteBits) as Pte;
    if (k.pte_swp_uffd_wp(old as PteBits)) swp = k.pte_swp_mkuffd_wp(swp as PteBits) as Pte;
  }
  d.setPte(ref, swp, pageId);
}

export interface CollectOptions {
  pid: number;
  start: number;
  pages: number;
  select: 'system' | 'device_private';
  device: number;
  /** The faulting page of migrate_to_ram (already locked by do_swap_page). */
  faultPage?: number;
  origin: Migration['origin'];
}

/**
 * migrate_vma_setup(): checks the range, collects (migrate_vma_collect_pmd) and unmaps
 * (migrate_vma_unmap -> migrate_device_unmap). Pages that cannot migrate are restored at once.
 * Returns the in-flight migration, or an errno string.
 */
export function migrateVmaSetup(d: Draft, o: CollectOptions): Migration | string {
  requireMigration(d);
  const vma = d.vmaAt(o.pid, o.start);
  const endVma = d.vmaAt(o.pid, o.start + o.pages - 1);
  if (!vma || vma !== endVma) {
    d.explain('the range is not inside one VMA: -EINVAL.');
    return '-EINVAL';
  }
  const srcs: MigrationSrc[] = [];
  d.call('migrate_vma_collect', `walks PTEs ${o.start}..${o.start + o.pages - 1} of pid ${o.pid} (walk_page_range).`, () => {
    d.call('migrate_vma_collect_pmd', collectWhy(o), () => {
      for (let i = o.start; i < o.start + o.pages; i++) {
        const s = collectOne(d, { pid: o.pid, index: i }, o, vma.anon && !vma.shared);
        if (s) srcs.push(s);
      }
    });
  });
  const mig = d.addMigration({
    api: 'migrate_vma', origin: o.origin, device: o.device, phase: 'collected',
    to: o.select === 'system' ? 'device' : 'ram', srcs,
  });
  d.call('migrate_vma_unmap', 'isolates the collected pages and checks their references.', () => {
    d.call('migrate_device_unmap', 'unmaps what other processes still map (try_to_migrate) and checks each page\'s references (migrate_vma_check_page).', () => unmapAndCheck(d, mig.id));
  });
  return d.migrations().find((m) => m.id === mig.id)!;
}

function collectWhy(o: CollectOptions): string {
  return o.select === 'system'
    ? 'MIGRATE_VMA_SELECT_SYSTEM: present system pages and holes are collected; swap-like entries are skipped.'
    : `MIGRATE_VMA_SELECT_DEVICE_PRIVATE: device-private entries owned by device ${o.device} are collected.`;
}

/** One PTE of migrate_vma_collect_pmd(). Returns the src[] slot, or null when skipped. */
function collectOne(d: Draft, ref: PteRef, o: CollectOptions, anonVma: boolean): MigrationSrc | null {
  const v = view(d, ref);
  const hole = (why: string): MigrationSrc => {
    d.explain(why);
    return { src: null, hole: ref, at: ref, ptes: [], migrate: true, write: false, dst: null, dstWrite: false };
  };
  if (v.kind === 'none') {
    if (!anonVma || o.select !== 'system') return null;
    return hole(`PTE ${ref.index} is none: src = MIGRATE_PFN_MIGRATE with no page (the driver may populate it).`);
  }
  let pageId: number;
  let write: boolean;
  if (v.kind === 'present') {
    if (o.select !== 'system') return null;
    const page = d.page(v.target);
    if (page.kind === 'zero') return hole(`PTE ${ref.index} maps the shared zero page: treated like a hole.`);
    pageId = v.target;
    write = pte_write(v.raw);
  } else if (v.kind === 'device_private') {
    if (o.select !== 'device_private') return null;
    const page = d.page(v.target);
    if (page.device !== o.device) {
      d.explain(`PTE ${ref.index}: the device page belongs to device ${page.device}, not to pgmap_owner ${o.device}: skipped.`);
      return null;
    }
    pageId = v.target;
    write = d.k.row(d.k.swp_type(v.entry!))?.access === 'write';
  } else {
    return null;
  }
  const page = d.page(pageId);
  if (page.locked && pageId !== o.faultPage) {
    d.explain(`PTE ${ref.index}: folio_trylock() fails (${pageName(page)} is locked, e.g. already migrating): skipped.`);
    return null;
  }
  d.setPage(pageId, { locked: true }, 'locked (folio_trylock)');
  getRef(d, pageId);
  const anonExclusive = page.anon && page.anonExclusive;
  if (anonExclusive && !tryShareAnon(d, pageId)) {
    d.explain(`PTE ${ref.index}: folio_try_share_anon_rmap_pte() fails (the page may be pinned): PTE restored, page skipped.`);
    d.setPage(pageId, { locked: false });
    putRef(d, pageId);
    return null;
  }
  if (v.kind === 'present' && pte_dirty(v.raw)) d.setPage(pageId, { dirty: true }, 'marked dirty (folio_mark_dirty)');
  installMigrationEntry(d, ref, pageId, v.raw, v.kind === 'present', write, anonExclusive);
  removeRmap(d, pageId);
  d.explain(`PTE ${ref.index}: ${pageName(page)} collected (MIGRATE_PFN_MIGRATE${write ? ' | MIGRATE_PFN_WRITE' : ''}), rmap dropped.`);
  return { src: pageId, hole: null, at: ref, ptes: [ref], migrate: true, write, dst: null, dstWrite: false };
}

/**
 * migrate_device_unmap(): unmaps what other processes still map (try_to_migrate), then checks
 * references (migrate_vma_check_page). A page that is pinned or has extra references cannot move:
 * its migration entries are removed again with remove_migration_ptes(folio, folio).
 */
function unmapAndCheck(d: Draft, migId: number): void {
  const mig = d.migrations().find((m) => m.id === migId)!;
  const kept: MigrationSrc[] = [];
  for (const s0 of mig.srcs) {
    const s = { ...s0, ptes: [...s0.ptes] };
    if (s.src === null || !s.migrate) {
      kept.push(s);
      continue;
    }
    const srcId = s.src;
    const page = d.page(srcId);
    if (page.mapcount > 0) {
      d.call('try_to_migrate', `${pageName(page)} is still mapped ${page.mapcount} more time(s): unmap through the rmap.`, () => {
        for (const ref of rmapMappings(d, srcId)) {
          if (tryToMigrateOne(d, ref, srcId)) s.ptes.push(ref);
        }
      });
    }
    const p = d.page(srcId);
    const extra = p.refs - 1;
    if (p.mapcount > 0 || extra > 0 || p.pins > 0) {
      const why = p.pins > 0 ? `${p.pins} pin(s)` : extra > 0 ? `${extra} extra reference(s)` : 'mappings left';
      d.call('migrate_vma_check_page', `${pageName(p)} has ${why}: it cannot migrate; MIGRATE_PFN_MIGRATE is cleared.`);
      d.call('remove_migration_ptes', `restore: remove_migration_ptes(folio, folio) maps ${pageName(p)} again.`, () => {
        for (const ref of s.ptes) removeMigrationPte(d, ref, srcId, srcId);
      });
      d.setPage(srcId, { locked: false }, 'unlocked');
      putRef(d, srcId);
      continue; // src[i] = 0: the page leaves this migration
    }
    kept.push(s);
  }
  d.setMigration(migId, { ...mig, srcs: kept });
}

function rmapMappings(d: Draft, pageId: number): PteRef[] {
  return rmapWalk(d, pageId, ['present', 'device_private']);
}

/** try_to_migrate_one() for one mapping: present PTE or device-private entry -> migration entry. */
export function tryToMigrateOne(d: Draft, ref: PteRef, pageId: number): boolean {
  const v = view(d, ref);
  const page = d.page(pageId);
  const anonExclusive = page.anon && page.anonExclusive;
  return (
    d.call('try_to_migrate_one', `pid ${ref.pid} PTE ${ref.index} maps ${pageName(page)}.`, () => {
      if (v.kind === 'present') {
        if (pte_dirty(v.raw)) d.setPage(pageId, { dirty: true });
        if (anonExclusive && !tryShareAnon(d, pageId)) {
          d.explain('folio_try_share_anon_rmap_pte() fails (maybe pinned): the PTE is restored and migration stops.');
          return false;
        }
        installMigrationEntry(d, ref, pageId, v.raw, true, pte_write(v.raw), anonExclusive);
      } else if (v.kind === 'device_private') {
        if (anonExclusive) tryShareAnon(d, pageId);
        const write = d.k.row(d.k.swp_type(v.entry!))?.access === 'write';
        installMigrationEntry(d, ref, pageId, v.raw, false, write, anonExclusive);
      } else {
        return false;
      }
      removeRmap(d, pageId);
      return true;
    }) ?? false
  );
}

/**
 * remove_migration_pte(): rebuilds the PTE of one migration entry for `newId` (the destination, or
 * the source itself when migration failed): young/dirty from the entry, soft-dirty from the swap
 * PTE, writable for a writable migration entry; a device-private destination gets a device entry.
 */
export function removeMigrationPte(d: Draft, ref: PteRef, oldId: number, newId: number): void {
  const k = d.k;
  const v = view(d, ref);
  if (v.kind !== 'migration' || v.target !== oldId) return;
  const vma = vmaOf(d, ref);
  if (!vma) return;
  const entry = v.entry!;
  const row = k.row(k.swp_type(entry))!;
  const np = d.page(newId);
  d.call('remove_migration_pte', `pid ${ref.pid} PTE ${ref.index}: ${row.name} -> ${np.kind === 'device' ? 'a device-private entry' : 'a present PTE'} for ${pageName(np)}.`, () => {
    let pte = mk_pte(np.number, pageProt(vma));
    const young = k.is_migration_entry_young(entry);
    const dirty = k.is_migration_entry_dirty(entry);
    if (!young) pte = pte_mkold(pte);
    if (np.dirty && dirty) pte = pte_mkdirty(pte);
    if (k.pte_swp_soft_dirty(v.raw as PteBits)) pte = pte_mksoft_dirty(pte);
    const writable = row.access === 'write';
    if (writable) pte = pte_mkwrite(pte);
    else if (k.pte_swp_uffd_wp(v.raw as PteBits)) pte = pte_mkuffd_wp(pte);
    if (np.kind !== 'device') d.explain(`${young ? 'young' : 'old (no SWP_MIG_YOUNG)'}, ${np.dirty && dirty ? 'dirty' : 'clean'}${writable ? ', writable' : ''}.`);
    else d.explain(`the rebuilt PTE would be ${writable ? 'writable' : 'read-only'}.`);
    addRmap(d, newId, row.access !== 'read');
    if (np.kind === 'device') {
      const { entry: de, ctor } = makeDevicePrivateEntry(d, np, pte_write(pte));
      d.call(ctor, `the new page is device-private: ${k.typeName(k.swp_type(de))} for ${pageNumberFn(np)}(page) = ${hex(np.number)}; no A/D survive.`);
      let dp = toPte(d, de);
      if (k.pte_swp_soft_dirty(v.raw as PteBits)) dp = k.pte_swp_mksoft_dirty(dp as PteBits) as Pte;
      if (k.pte_swp_uffd_wp(v.raw as PteBits)) dp = k.pte_swp_mkuffd_wp(dp as PteBits) as Pte;
      d.setPte(ref, dp, newId);
    } else {
      d.setPte(ref, pte, newId);
    }
  });
}

// ---- the three driver steps ------------------------------------------------------------------------

export function currentMigration(d: Draft, api: Migration['api']): Migration {
  const m = d.migrations().find((x) => x.api === api);
  if (!m) {
    const start = api === 'migrate_vma' ? 'migrate_vma_setup (or a CPU fault on a device-private entry)' : api === 'migrate_device' ? 'migrate_device_range' : 'migrate_folio_unmap';
    refuse(`no ${api.replace('_', ' ')} is in progress: ${start} starts one`);
  }
  return m;
}

/** The driver allocates destinations and copies, then migrate_vma_pages()/migrate_device_pages(). */
export function migratePages(d: Draft, mig: Migration, failAlloc: boolean): void {
  if (mig.phase !== 'collected') refuse(`${mig.api}_pages already ran for this migration: ${mig.api}_finalize comes next`);
  const fn = mig.api === 'migrate_vma' ? 'migrate_vma_pages' : 'migrate_device_pages';
  const alloc = mig.to === 'device' ? 'dmirror_migrate_alloc_and_copy' : mig.origin === 'fault' ? 'dmirror_devmem_fault_alloc_and_copy' : mig.origin === 'evict' ? 'dmirror_device_evict_chunk' : 'alloc_page';
  const srcs = mig.srcs.map((s) => ({ ...s }));
  d.call(alloc, mig.to === 'device' ? `the driver allocates device pages on device ${mig.device} and copies the data.` : 'the driver allocates system pages (alloc_page) and copies the data back.', () => {
    for (const s of srcs) {
      if (!s.migrate) continue;
      const dst = failAlloc ? null : mig.to === 'device' ? allocDevicePage(d, mig.device ?? 0) : allocRamPage(d);
      if (dst === null) {
        d.explain(failAlloc ? 'allocation fails: dst = 0, the page stays where it is.' : `device ${mig.device} is out of memory: dst = 0.`);
        continue;
      }
      const srcPage = s.src !== null ? d.page(s.src) : null;
      const vma = s.hole ? vmaOf(d, s.hole) : undefined;
      d.setPage(dst, { locked: true, data: srcPage ? srcPage.data : 0 }, srcPage ? `copied from ${pageName(srcPage)}` : 'zero-filled');
      s.dst = dst;
      s.dstWrite = s.write || (s.src === null && vma !== undefined && vmaWritable(vma));
    }
  });
  d.call(fn, 'moves struct page state to the destinations (__migrate_device_pages).', () => {
    for (const s of srcs) {
      if (!s.migrate) continue;
      if (s.dst === null) {
        s.migrate = false;
        continue;
      }
      if (s.src === null && s.hole) {
        insertPage(d, s.hole, s.dst);
      } else if (s.src !== null) {
        const sp = d.page(s.src);
        if (!sp.anon && d.page(s.dst).kind === 'device') {
          d.explain(`${pageName(sp)} is a page-cache page: only anonymous memory migrates to device-private memory; MIGRATE_PFN_MIGRATE is cleared.`);
          s.migrate = false;
          continue;
        }
        d.call('migrate_folio', `${pageName(sp)} -> ${pageName(d.page(s.dst))}: data, dirty flag and mapping move over.`);
        d.setPage(s.dst, { dirty: sp.dirty, anon: sp.anon });
      }
    }
  });
  if (mig.to === 'device' && mig.api === 'migrate_vma') recordMirror(d, mig.device ?? 0, srcs);
  if (mig.origin === 'fault' || (mig.to === 'ram' && mig.api === 'migrate_vma')) eraseMirror(d, mig.device ?? 0, srcs);
  d.setMigration(mig.id, { ...mig, srcs, phase: 'moved' });
}

/** migrate_vma_insert_page(): a hole gets the new page directly (no migration entry existed). */
function insertPage(d: Draft, ref: PteRef, dst: number): void {
  const vma = vmaOf(d, ref);
  const v = view(d, ref);
  if (!vma || !(v.kind === 'none' || (v.kind === 'present' && d.page(v.target).kind === 'zero'))) {
    d.call('migrate_vma_insert_page', `PTE ${ref.index} changed meanwhile: abort, the new page is not used.`);
    return;
  }
  const page = d.page(dst);
  d.call('migrate_vma_insert_page', `fills the hole at PTE ${ref.index} with ${pageName(page)}${vma.prot === 'rw' ? ' (VM_WRITE: writable)' : ' (no VM_WRITE: read-only)'}.`, () => {
    if (page.kind === 'device') {
      const { entry, ctor } = makeDevicePrivateEntry(d, page, vmaWritable(vma));
      d.call(ctor, `${d.k.typeName(d.k.swp_type(entry))} for ${pageNumberFn(page)}(page) = ${hex(page.number)}, with no soft-dirty bit.`);
      d.setPte(ref, toPte(d, entry), dst);
    } else {
      let pte = mk_pte(page.number, pageProt(vma));
      if (vmaWritable(vma)) pte = pte_mkwrite(pte_mkdirty(pte));
      d.setPte(ref, pte, dst);
    }
    addRmap(d, dst, true);
  });
}

/** dmirror_migrate_finalize_and_map(): the device's page table records the new device pages. */
function recordMirror(d: Draft, device: number, srcs: readonly MigrationSrc[]): void {
  d.call('dmirror_migrate_finalize_and_map', `device ${device} records the pages in its page table (dmirror->pt).`, () => {
    d.setDevice(device, (dev) => {
      const mirror = { ...dev.mirror };
      for (const s of srcs) {
        if (!s.migrate || s.dst === null || !s.at) continue;
        mirror[`${s.at.pid}:${s.at.index}`] = { page: s.dst, write: s.dstWrite, atomic: false };
      }
      return { ...dev, mirror };
    });
  });
}

function eraseMirror(d: Draft, device: number, srcs: readonly MigrationSrc[]): void {
  d.setDevice(device, (dev) => {
    const mirror = { ...dev.mirror };
    for (const s of srcs) if (s.at && s.migrate && s.dst !== null) delete mirror[`${s.at.pid}:${s.at.index}`];
    return { ...dev, mirror };
  });
}

/** migrate_vma_finalize()/migrate_device_finalize(): remap every migration entry, release pages. */
export function migrateFinalize(d: Draft, mig: Migration): void {
  const fn = mig.api === 'migrate_vma' ? 'migrate_vma_finalize' : 'migrate_device_finalize';
  d.call(fn, mig.phase === 'collected' ? `${mig.api}_pages did not run: every page is restored where it was.` : 'replaces every migration entry with the page it ended up on.', () => {
    d.call('__migrate_device_finalize', '', () => {
      for (const s of mig.srcs) {
        const moved = mig.phase === 'moved' && s.migrate && s.dst !== null;
        if (s.src !== null) {
          const newId = moved ? s.dst! : s.src;
          d.call('remove_migration_ptes', moved ? `${pageName(d.page(s.src))} -> ${pageName(d.page(newId))}.` : `migration of ${pageName(d.page(s.src))} failed: remove_migration_ptes(folio, folio) restores it.`, () => {
            for (const ref of s.ptes) removeMigrationPte(d, ref, s.src!, newId);
          });
          d.setPage(s.src, { locked: false }, 'unlocked');
          putRef(d, s.src);
        }
        if (s.dst !== null) {
          d.setPage(s.dst, { locked: false });
          maybeFree(d, s.dst);
        }
      }
    });
  });
  d.setMigration(mig.id, null);
}

// ---- eviction: migrate_device_range ------------------------------------------------------------------

export function migrateDeviceRange(d: Draft, device: number): Migration {
  requireMigration(d);
  const dev = d.device(device);
  const srcs: MigrationSrc[] = [];
  d.call('migrate_device_range', `collects every allocated page of device ${device} by PFN (no VMA walk).`, () => {
    for (const id of dev.pages) {
      const p = d.page(id);
      if (!p.allocated) continue;
      if (p.locked) {
        d.explain(`${pageName(p)} is locked: skipped.`);
        continue;
      }
      d.setPage(id, { locked: true }, 'locked');
      getRef(d, id);
      srcs.push({ src: id, hole: null, at: null, ptes: [], migrate: true, write: false, dst: null, dstWrite: false });
    }
  });
  const mig = d.addMigration({ api: 'migrate_device', origin: 'evict', device, phase: 'collected', to: 'ram', srcs });
  d.call('migrate_device_unmap', 'unmaps every mapping through the rmap (try_to_migrate).', () => {
    const out = mig.srcs.map((s) => ({ ...s, ptes: [...s.ptes] }));
    for (const s of out) {
      d.call('try_to_migrate', `${pageName(d.page(s.src!))}.`, () => {
        for (const ref of rmapMappings(d, s.src!)) {
          if (tryToMigrateOne(d, ref, s.src!)) s.ptes.push(ref);
        }
      });
      if (s.ptes.length) s.write = view(d, s.ptes[0]!).row?.access === 'write';
    }
    d.setMigration(mig.id, { ...mig, srcs: out });
  });
  return d.migrations().find((m) => m.id === mig.id)!;
}

// ---- RAM to RAM: migrate_pages -----------------------------------------------------------------------

export function migrateFolioUnmap(d: Draft, ref: PteRef): void {
  requireMigration(d);
  const v = view(d, ref);
  if (v.kind !== 'present') refuse(`PTE ${ref.index} of pid ${ref.pid} is not a present PTE: migrate_pages moves mapped RAM pages`);
  const page = d.page(v.target);
  if (page.kind !== 'ram') refuse(`PTE ${ref.index} maps the ${page.kind === 'zero' ? 'shared zero page' : 'device page'}, which migrate_pages does not move`);
  if (page.locked) refuse(`${pageName(page)} is locked (another migration holds it)`);
  const src: MigrationSrc = { src: v.target, hole: null, at: ref, ptes: [], migrate: true, write: false, dst: null, dstWrite: false };
  const ptes: PteRef[] = [];
  d.call('migrate_pages', `moves ${pageName(page)} to another RAM page (NUMA balancing, compaction, …).`, () => {
    d.call('migrate_folio_unmap', 'locks the folio and unmaps it everywhere.', () => {
      d.setPage(v.target, { locked: true }, 'locked');
      getRef(d, v.target);
      d.call('try_to_migrate', `rmap walk over the ${page.mapcount} mapping(s).`, () => {
        for (const r of rmapMappings(d, v.target)) if (tryToMigrateOne(d, r, v.target)) ptes.push(r);
      });
    });
  });
  d.addMigration({ api: 'migrate_folio', origin: 'migrate_pages', device: null, phase: 'collected', to: 'ram', srcs: [{ ...src, ptes }] });
}

export function migrateFolioMove(d: Draft, mig: Migration): void {
  const s = mig.srcs[0]!;
  const srcId = s.src!;
  const sp = d.page(srcId);
  d.call('migrate_folio_move', '', () => {
    const extra = sp.refs - 1;
    if (extra > 0 || sp.pins > 0) {
      d.call('folio_migrate_mapping', `${pageName(sp)} has ${sp.pins || extra} extra reference(s): -EAGAIN, the migration is undone.`);
      d.call('remove_migration_ptes', 'remove_migration_ptes(src, src): the old page is mapped again.', () => {
        for (const ref of s.ptes) removeMigrationPte(d, ref, srcId, srcId);
      });
      d.setPage(srcId, { locked: false }, 'unlocked');
      putRef(d, srcId);
      return;
    }
    const dst = allocRamPage(d);
    d.setPage(dst, { data: sp.data, dirty: sp.dirty, anon: sp.anon }, `copied from ${pageName(sp)}`);
    d.call('move_to_new_folio', `${pageName(sp)} -> ${pageName(d.page(dst))} (migrate_folio copies data and flags).`);
    d.call('remove_migration_ptes', 'every migration entry now points at the new page.', () => {
      for (const ref of s.ptes) removeMigrationPte(d, ref, srcId, dst);
    });
    d.setPage(srcId, { locked: false }, 'unlocked');
    putRef(d, srcId);
  });
  d.setMigration(mig.id, null);
}

export function addMigrationPte(d: Draft, pageId: number, ref: PteRef): void {
  for (const m of d.migrations()) {
    const i = m.srcs.findIndex((s) => s.src === pageId);
    if (i < 0) continue;
    const srcs = m.srcs.slice();
    srcs[i] = { ...srcs[i]!, ptes: [...srcs[i]!.ptes, ref] };
    d.setMigration(m.id, { ...m, srcs });
  }
}

export function dropMigrationPte(d: Draft, ref: PteRef): void {
  for (const m of d.migrations()) {
    if (!m.srcs.some((s) => s.ptes.some((p) => p.pid === ref.pid && p.index === ref.index))) continue;
    d.setMigration(m.id, { ...m, srcs: m.srcs.map((s) => ({ ...s, ptes: s.ptes.filter((p) => !(p.pid === ref.pid && p.index === ref.index)) })) });
  }
}
