/**
 * Device migration (mm/migrate_device.c): the three-step migrate_vma_* API a driver calls
 * (setup = collect + unmap, pages, finalize) and migrate_device_range() eviction by PFN. The driver's
 * part between setup and pages (allocate destinations, copy) is done by lib/test_hmm.c's allocator.
 */
import { mk_pte, pte_dirty, pte_mkdirty, pte_mkwrite, pte_write } from '../../kernel/arch/x86_pgtable.ts';
import { refuse, type Draft } from '../draft.ts';
import {
  dmirror_devmem_alloc_page, dmirror_migrate_finalize_and_map, dmirrorForgetMoved,
} from '../drivers/test_hmm.ts';
import { makeDevicePrivateEntry, pageName, pageNumberFn, requireMigration, toPte, traceBuilt, view } from '../entries.ts';
import type { Migration, MigrationSrc, PteRef } from '../types.ts';
import { pageProt, vmaOf, vmaWritable } from '../vma.ts';
import { remove_migration_ptes } from './migrate.ts';
import { allocRamPage, getRef, lockPage, maybeFree, putRef } from './page_alloc.ts';
import { addRmap, installMigrationEntry, removeRmap, tryShareAnon, tryToMigrate } from './rmap.ts';

const hex = (n: number) => '0x' + n.toString(16);

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
  return d.migration(mig.id);
}

/** The driver's migrate_vma_setup call as an event: one migrate_vma migration at a time. */
export function migrateVmaSetupEvent(d: Draft, o: Omit<CollectOptions, 'origin'>): void {
  d.device(o.device);
  if (d.migrations().some((m) => m.api === 'migrate_vma')) {
    refuse('a migrate_vma migration is already in progress: finish it with migrate_vma_pages / migrate_vma_finalize (this model runs one at a time)');
  }
  d.call('migrate_vma_setup', `the driver asks to migrate PTEs ${o.start}..${o.start + o.pages - 1} of pid ${o.pid}.`, () => {
    const m = migrateVmaSetup(d, { ...o, origin: 'driver' });
    if (typeof m === 'string') d.result.ret = m;
    else d.result.cpages = m.srcs.filter((s) => s.migrate).length;
  });
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
  let write: boolean;
  if (v.kind === 'present') {
    if (o.select !== 'system') return null;
    if (d.page(v.target).kind === 'zero') return hole(`PTE ${ref.index} maps the shared zero page: treated like a hole.`);
    write = pte_write(v.raw);
  } else if (v.kind === 'device-private') {
    if (o.select !== 'device_private') return null;
    const page = d.page(v.target);
    if (page.device !== o.device) {
      d.explain(`PTE ${ref.index}: the device page belongs to device ${page.device}, not to pgmap_owner ${o.device}: skipped.`);
      return null;
    }
    write = v.row?.access === 'write';
  } else {
    return null;
  }
  const pageId = v.target;
  const page = d.page(pageId);
  if (page.locked && pageId !== o.faultPage) {
    d.explain(`PTE ${ref.index}: folio_trylock() fails (${pageName(page)} is locked, e.g. already migrating): skipped.`);
    return null;
  }
  lockPage(d, pageId, 'locked (folio_trylock)');
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
  const mig = d.migration(migId);
  const kept: MigrationSrc[] = [];
  for (const s0 of mig.srcs) {
    const s = { ...s0, ptes: [...s0.ptes] };
    if (s.src === null || !s.migrate) {
      kept.push(s);
      continue;
    }
    const srcId = s.src;
    const page = d.page(srcId);
    if (page.mapcount > 0) s.ptes.push(...tryToMigrate(d, srcId, `${pageName(page)} is still mapped ${page.mapcount} more time(s): unmap through the rmap.`));
    const p = d.page(srcId);
    const extra = p.refs - 1;
    if (p.mapcount > 0 || extra > 0 || p.pins > 0) {
      const why = p.pins > 0 ? `${p.pins} pin(s)` : extra > 0 ? `${extra} extra reference(s)` : 'mappings left';
      d.call('migrate_vma_check_page', `${pageName(p)} has ${why}: it cannot migrate; MIGRATE_PFN_MIGRATE is cleared.`);
      remove_migration_ptes(d, srcId, srcId, s.ptes, `restore: remove_migration_ptes(folio, folio) maps ${pageName(p)} again.`);
      continue; // src[i] = 0: the page leaves this migration
    }
    kept.push(s);
  }
  d.setMigration(migId, { ...mig, srcs: kept });
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
      const dst = failAlloc ? null : mig.to === 'device' ? dmirror_devmem_alloc_page(d, mig.device ?? 0) : allocRamPage(d);
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
  if (mig.to === 'device' && mig.api === 'migrate_vma') dmirror_migrate_finalize_and_map(d, mig.device ?? 0, srcs);
  if (mig.origin === 'fault' || (mig.to === 'ram' && mig.api === 'migrate_vma')) dmirrorForgetMoved(d, mig.device ?? 0, srcs);
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
      const built = makeDevicePrivateEntry(d, page, vmaWritable(vma));
      traceBuilt(d, built, `${d.k.typeName(d.k.swp_type(built.entry))} for ${pageNumberFn(page)}(page) = ${hex(page.number)}, with no soft-dirty bit.`);
      d.setPte(ref, toPte(d, built.entry), dst);
    } else {
      let pte = mk_pte(page.number, pageProt(vma));
      if (vmaWritable(vma)) pte = pte_mkwrite(pte_mkdirty(pte));
      d.setPte(ref, pte, dst);
    }
    addRmap(d, dst, true);
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
          remove_migration_ptes(d, s.src, newId, s.ptes, moved
            ? `${pageName(d.page(s.src))} -> ${pageName(d.page(newId))}.`
            : `migration of ${pageName(d.page(s.src))} failed: remove_migration_ptes(folio, folio) restores it.`);
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

/** migrate_device_range(): collects every allocated page of a device by PFN and unmaps it. */
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
      lockPage(d, id);
      getRef(d, id);
      srcs.push({ src: id, hole: null, at: null, ptes: [], migrate: true, write: false, dst: null, dstWrite: false });
    }
  });
  const mig = d.addMigration({ api: 'migrate_device', origin: 'evict', device, phase: 'collected', to: 'ram', srcs });
  d.call('migrate_device_unmap', 'unmaps every mapping through the rmap (try_to_migrate).', () => {
    const out = mig.srcs.map((s) => ({ ...s, ptes: [...s.ptes] }));
    for (const s of out) {
      s.ptes.push(...tryToMigrate(d, s.src!, `${pageName(d.page(s.src!))}.`));
      if (s.ptes.length) s.write = view(d, s.ptes[0]!).row?.access === 'write';
    }
    d.setMigration(mig.id, { ...mig, srcs: out });
  });
  return d.migration(mig.id);
}

/** migrate_device_range as an event: one eviction at a time. */
export function migrateDeviceRangeEvent(d: Draft, device: number): void {
  if (d.migrations().some((m) => m.api === 'migrate_device')) refuse('an eviction is already in progress: finish it first');
  d.result.cpages = migrateDeviceRange(d, device).srcs.length;
}
