/**
 * Device migration (mm/migrate_device.c): the three-step migrate_vma_* API a driver calls
 * (setup = collect + unmap, pages, finalize) and migrate_device_range() eviction by PFN. The driver's
 * part between setup and pages (allocate destinations, copy) is done by lib/test_hmm.c's allocator.
 *
 * Since 6.19 (MIGRATE_VMA_SELECT_COMPOUND) a whole 2 MiB folio, or an aligned 2 MiB hole, is one
 * src[] slot with MIGRATE_PFN_COMPOUND: migrate_vma_collect_huge_pmd() installs a migration PMD, and
 * the destination is a 2 MiB folio if the driver gets one; otherwise migrate_vma_pages() splits the
 * source (or fills the hole page by page).
 */
import { pte_dirty, pte_write, pmd_write } from '../../kernel/arch/x86_pgtable.ts';
import { pmdBase, refuse, type Draft } from '../draft.ts';
import {
  dmirror_devmem_alloc_folio, dmirror_devmem_alloc_page, dmirror_migrate_finalize_and_map, dmirrorForgetMoved, takeFailAlloc,
} from '../drivers/test_hmm.ts';
import { makeDevicePrivateEntry, pageName, pageNumberFn, requireMigration, toPte, traceBuilt, view, viewPmd, type PmdView } from '../entries.ts';
import { folioMapcount, folioOf, folioPages, HPAGE_PMD_NR, isLarge, splitFolio } from '../folio.ts';
import type { EntryRef, Migration, MigrationSrc, PteRef, Vma } from '../types.ts';
import { vmaOf, vmaWritable } from '../vma.ts';
import {
  folio_add_anon_rmap_pmd, rangeAligned, setPmdMigrationEntry, splitFolioEverywhere, splitHugePmd,
} from './huge_memory.ts';
import { insert_huge_pmd_value } from './huge_memory_rules.ts';
import { copyFolio, remove_migration_ptes } from './migrate.ts';
import { allocRamFolio, allocRamPage, getRef, lockPage, maybeFree, putRef } from './page_alloc.ts';
import { addRmap, installMigrationEntry, removeRmap, tryShareAnon, tryToMigrate } from './rmap.ts';

const hex = (n: number) => '0x' + n.toString(16);

export interface CollectOptions {
  pid: number;
  start: number;
  pages: number;
  select: 'system' | 'device_private';
  device: number;
  /** MIGRATE_VMA_SELECT_COMPOUND (6.19+): a whole aligned 2 MiB may be collected as one folio or hole. */
  compound?: boolean;
  /** The faulting page of migrate_to_ram (already locked by do_swap_page / do_huge_pmd_device_private). */
  faultPage?: number;
  origin: Migration['origin'];
}

const srcOf = (p: Partial<MigrationSrc> & Pick<MigrationSrc, 'src' | 'hole' | 'at'>): MigrationSrc => ({
  // Stryker disable next-line ArrayDeclaration: only a hole takes this default (a page's src lists its entries), and nothing reads a hole's ptes
  ptes: [], migrate: true, write: false, dst: null, compound: false,
  // Stryker disable next-line BooleanLiteral: migratePages sets dst and dstWrite together; nothing reads dstWrite while dst is null
  dstWrite: false,
  ...p,
});

/**
 * migrate_vma_setup(): checks the range, collects (migrate_vma_collect_pmd, migrate_vma_collect_huge_pmd,
 * migrate_vma_collect_hole) and unmaps (migrate_vma_unmap -> migrate_device_unmap). Pages that cannot
 * migrate are restored at once. Returns the in-flight migration, or an errno string.
 */
export function migrateVmaSetup(d: Draft, o: CollectOptions): Migration | string {
  requireMigration(d);
  const vma = d.vmaAt(o.pid, o.start);
  const endVma = d.vmaAt(o.pid, o.start + o.pages - 1);
  if (!vma || vma !== endVma) {
    d.explain('the range is not inside one VMA: -EINVAL.');
    return '-EINVAL';
  }
  return collectAndUnmap(d, o, vma);
}

/**
 * migrate_vma_setup() for a caller whose range lies inside `vma` (test_hmm walks the range VMA by VMA;
 * a fault's range is inside the faulting VMA), so the range checks cannot fail.
 */
export function migrateVmaSetupIn(d: Draft, o: CollectOptions, vma: Vma): Migration {
  requireMigration(d);
  return collectAndUnmap(d, o, vma);
}

/** migrate_vma_collect() then migrate_vma_unmap(). */
function collectAndUnmap(d: Draft, o: CollectOptions, vma: Vma): Migration {
  const compound = (o.compound ?? false) && d.k.profile.deviceThp && rangeAligned(d);
  const anonVma = vma.anon && !vma.shared;
  const srcs: MigrationSrc[] = [];
  const end = o.start + o.pages;
  d.call('migrate_vma_collect', `walks PTEs ${o.start}..${end - 1} of pid ${o.pid} (walk_page_range)${compound ? ', MIGRATE_VMA_SELECT_COMPOUND' : ''}.`, () => {
    for (let base = pmdBase(o.start); base < end; base += HPAGE_PMD_NR) {
      const lo = Math.max(base, o.start);
      const hi = Math.min(base + HPAGE_PMD_NR, end);
      const whole = compound && lo === base && hi === base + HPAGE_PMD_NR;
      const ref = { pid: o.pid, index: lo };
      const pv = viewPmd(d, ref);
      if (pv) {
        const r = collectHugePmd(d, pv, o, whole, hi);
        if (r !== 'split') {
          srcs.push(...r);
          continue;
        }
      } else if (whole && anonVma && !d.hasPteTable(ref)) {
        d.call('migrate_vma_collect_hole', `pmd_none, SELECT_COMPOUND and an aligned 2 MiB: src[0] = MIGRATE_PFN_MIGRATE | MIGRATE_PFN_COMPOUND, src[1..511] = 0.`);
        srcs.push(srcOf({ src: null, hole: ref, at: ref, compound: true }));
        continue;
      }
      d.call('migrate_vma_collect_pmd', collectWhy(o), () => {
        for (let i = lo; i < hi; i++) {
          const s = collectOne(d, { pid: o.pid, index: i }, o, anonVma);
          if (s === 'skip-rest') {
            d.explainPte(i, `: migrate_vma_split_folio() failed: PTEs ${i}..${hi - 1} are skipped (migrate_vma_collect_skip).`);
            break;
          }
          if (s) srcs.push(s);
        }
      });
    }
  });
  const mig = d.addMigration({
    api: 'migrate_vma', origin: o.origin, device: o.device, phase: 'collected',
    to: o.select === 'system' ? 'device' : 'ram', srcs,
    ...(o.faultPage !== undefined ? { fault: { page: o.faultPage, pmd: o.compound === true } } : {}),
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
  d.call('migrate_vma_setup', `the driver asks to migrate PTEs ${o.start}..${o.start + o.pages - 1} of pid ${o.pid}${o.compound ? ' (MIGRATE_VMA_SELECT_COMPOUND)' : ''}.`, () => {
    // inside the call: an explain() with no call open is dropped
    if (o.compound && !d.k.profile.deviceThp) d.explain(`MIGRATE_VMA_SELECT_COMPOUND does not exist in ${d.k.profile.label} (device-private THP arrived in 6.19): a THP is split and moves as 512 pages.`);
    const m = migrateVmaSetup(d, { ...o, origin: 'driver' });
    if (typeof m === 'string') d.result.ret = m;
    else d.result.cpages = cpagesOf(m);
  });
}

/** cpages after setup or migrate_device_range (every src left has MIGRATE_PFN_MIGRATE): a 2 MiB src counts 512. */
export function cpagesOf(m: Migration): number {
  return m.srcs.reduce((n, s) => n + (s.compound ? HPAGE_PMD_NR : 1), 0);
}

function collectWhy(o: CollectOptions): string {
  return o.select === 'system'
    ? 'MIGRATE_VMA_SELECT_SYSTEM: present system pages and holes are collected; swap-like entries are skipped.'
    : `MIGRATE_VMA_SELECT_DEVICE_PRIVATE: device-private entries owned by device ${o.device} are collected.`;
}

/**
 * migrate_vma_collect_huge_pmd(): a huge present PMD (SELECT_SYSTEM; the huge zero PMD counts as a
 * hole) or a device-private PMD of the owner (SELECT_DEVICE_PRIVATE). With SELECT_COMPOUND and the
 * whole aligned 2 MiB in range it installs a migration PMD (set_pmd_migration_entry() on the head)
 * and collects the folio as one src; otherwise it falls back to split_folio() and the PTE walk.
 */
function collectHugePmd(d: Draft, pv: PmdView, o: CollectOptions, whole: boolean, hi: number): MigrationSrc[] | 'split' {
  const head = pv.target;
  const h = d.page(head);
  let out: MigrationSrc[] | 'split' = [];
  d.call('migrate_vma_collect_huge_pmd', `pmd_trans_huge() || !pmd_present() at PTEs ${pv.ref.index}..${pv.ref.index + HPAGE_PMD_NR - 1}.`, () => {
    if (pv.kind === 'present') {
      if (o.select !== 'system') {
        d.explain('a present THP without SELECT_SYSTEM: skipped.');
        return;
      }
      if (h.kind === 'zero') {
        if (whole) {
          d.explain('the huge zero PMD counts as a hole: src[0] = MIGRATE_PFN_MIGRATE | MIGRATE_PFN_COMPOUND.');
          out = [srcOf({ src: null, hole: pv.ref, at: pv.ref, compound: true })];
        } else if (d.k.profile.deviceThp) {
          // migrate_vma_collect_hole() over the part in range; migrate_vma_insert_page() splits the PMD
          // when it inserts a page there
          const lo = Math.max(pv.ref.index, o.start);
          d.explain(`the huge zero PMD counts as holes: src = MIGRATE_PFN_MIGRATE for PTEs ${lo}..${hi - 1}; the PMD stays until a page is inserted.`);
          out = Array.from({ length: hi - lo }, (_, i) => srcOf({ src: null, hole: { pid: o.pid, index: lo + i }, at: { pid: o.pid, index: lo + i } }));
        } else {
          splitHugePmd(d, pv.ref, false, 'the range does not cover the aligned 2 MiB: split the huge zero PMD and collect the zero PTEs as holes.', 'split_huge_pmd');
          out = 'split';
        }
        return;
      }
    } else if (pv.kind === 'device-private') {
      if (o.select !== 'device_private' || h.device !== o.device) {
        d.explain(o.select !== 'device_private' ? 'a device-private PMD without SELECT_DEVICE_PRIVATE: skipped.' : `the device folio belongs to device ${h.device}, not to pgmap_owner ${o.device}: skipped.`);
        return;
      }
    } else {
      d.explain(`${pv.row!.name}: a migration PMD is left alone.`);
      return;
    }
    // folio_get() and folio_trylock() come before the SELECT_COMPOUND test: a locked folio is skipped either way
    if (h.locked && head !== o.faultPage) {
      d.explain(`folio_trylock() fails (${pageName(h)} is locked, e.g. already migrating): skipped.`);
      return;
    }
    if (!whole) {
      out = splitForCollect(d, pv, 'no SELECT_COMPOUND, or the range does not cover the aligned 2 MiB: split_folio() first and collect 4 KiB pages.');
      return;
    }
    if (head !== o.faultPage) lockPage(d, head, 'locked (folio_trylock)');
    getRef(d, head);
    // a device-private PMD always has its type's row
    const write = pv.kind === 'present' ? pmd_write(pv.raw) : pv.row!.access === 'write';
    if (!setPmdMigrationEntry(d, pv, h.anon && h.anonExclusive, `src[0] = migrate_pfn(head)${write ? ' | MIGRATE_PFN_WRITE' : ''} | MIGRATE_PFN_MIGRATE | MIGRATE_PFN_COMPOUND.`)) {
      d.setPage(head, { locked: false });
      putRef(d, head);
      out = splitForCollect(d, pv, 'set_pmd_migration_entry() failed: fall back to split_folio().');
      return;
    }
    out = [srcOf({ src: head, hole: null, at: pv.ref, ptes: [pv.ref], write, compound: true })];
  });
  return out;
}

/**
 * The collect-time fallback: split_folio(), then walk the PTEs. A folio with extra references or pins
 * fails the ref-count check before unmap_folio() touches the PMD (__folio_split()), and
 * migrate_vma_collect_huge_pmd() then skips the whole range (migrate_vma_collect_skip()).
 */
function splitForCollect(d: Draft, pv: PmdView, why: string): MigrationSrc[] | 'split' {
  let out: MigrationSrc[] | 'split' = 'split';
  d.call('split_folio', why, () => {
    const h = d.page(pv.target);
    if (h.refs > 0 || h.pins > 0) {
      d.explain(`${pageName(h)} has extra references or pins: the split fails (-EAGAIN) before the PMD is touched; PTEs ${pv.ref.index}..${pv.ref.index + HPAGE_PMD_NR - 1} are skipped (migrate_vma_collect_skip).`);
      out = [];
      return;
    }
    splitHugePmd(d, pv.ref, false, 'unmap the PMD into 512 PTEs.');
    splitFolioEverywhere(d, pv.target);
  });
  return out;
}

/**
 * migrate_vma_split_folio(): the PTE walk found a page of a large folio (after a partial munmap, or
 * a PTE-mapped THP): split the folio first; only the faulting page's folio stays locked.
 */
/** The ids of the 512 pages that were one folio at `head` (consecutive). */
const folioIds = (head: number): number[] => Array.from({ length: HPAGE_PMD_NR }, (_, i) => head + i);

function migrateVmaSplitFolio(d: Draft, pageId: number, faultPage: number | undefined): boolean {
  const h = folioOf(d, pageId);
  if (!isLarge(h)) return true;
  if (h.pins > 0 || h.refs > 0) {
    d.explain(`${pageName(h)} is large and has extra references or pins: split_folio() fails (-EAGAIN).`);
    return false;
  }
  d.call('migrate_vma_split_folio', `${pageName(h)} is mapped by PTEs: split it into 4 KiB folios first.`, () => {
    // every other lock holder also holds a reference (refused above): a lock here is the CPU fault's own
    splitFolioEverywhere(d, h.id, true);
    // the fault's lock moves to the faulting page's new folio; the other 511 pages are unlocked
    for (const id of folioIds(h.id)) if (id !== faultPage) d.setPage(id, { locked: false });
  });
  return true;
}

/**
 * One PTE of migrate_vma_collect_pmd(). Returns the src[] slot, null when skipped, or 'skip-rest' when
 * a large folio cannot be split: the kernel then skips the rest of the PMD's range.
 */
function collectOne(d: Draft, ref: PteRef, o: CollectOptions, anonVma: boolean): MigrationSrc | null | 'skip-rest' {
  const v = view(d, ref);
  const hole = (index: number, why: string): MigrationSrc => {
    d.explainPte(index, why);
    return srcOf({ src: null, hole: ref, at: ref });
  };
  if (v.kind === 'none') {
    // migrate_vma_collect_pmd() and migrate_vma_collect_hole() ask only vma_is_anonymous(), not the SELECT flags
    if (!anonVma) return null;
    return hole(ref.index, ': none: src = MIGRATE_PFN_MIGRATE with no page (the driver may populate it).');
  }
  let write: boolean;
  if (v.kind === 'present') {
    if (o.select !== 'system') return null;
    if (d.page(v.target).kind === 'zero') return hole(ref.index, ': the shared zero page, treated like a hole.');
    write = pte_write(v.raw);
  } else if (v.kind === 'device-private') {
    if (o.select !== 'device_private') return null;
    const page = d.page(v.target);
    if (page.device !== o.device) {
      d.explainPte(ref.index, `: the device page belongs to device ${page.device}, not to pgmap_owner ${o.device}: skipped.`);
      return null;
    }
    write = v.row!.access === 'write'; // a device-private entry always has its type's row
  } else {
    return null;
  }
  const pageId = v.target;
  if (!migrateVmaSplitFolio(d, pageId, o.faultPage)) return 'skip-rest';
  const page = d.page(pageId);
  if (page.locked && pageId !== o.faultPage) {
    d.explainPte(ref.index, `: folio_trylock() fails (${pageName(page)} is locked, e.g. already migrating): skipped.`);
    return null;
  }
  if (pageId !== o.faultPage) lockPage(d, pageId, 'locked (folio_trylock)');
  getRef(d, pageId);
  const anonExclusive = page.anon && page.anonExclusive;
  if (anonExclusive && !tryShareAnon(d, pageId)) {
    d.explainPte(ref.index, `: folio_try_share_anon_rmap_pte() fails (the page may be pinned): PTE restored, page skipped.`);
    d.setPage(pageId, { locked: false });
    putRef(d, pageId);
    return null;
  }
  if (v.kind === 'present' && pte_dirty(v.raw)) d.setPage(pageId, { dirty: true }, 'marked dirty (folio_mark_dirty)');
  installMigrationEntry(d, ref, pageId, v.raw, v.kind === 'present', write, anonExclusive);
  removeRmap(d, pageId);
  d.explainPte(ref.index, `: ${pageName(page)} collected (MIGRATE_PFN_MIGRATE${write ? ' | MIGRATE_PFN_WRITE' : ''}), rmap dropped.`);
  return srcOf({ src: pageId, hole: null, at: ref, ptes: [ref], write });
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
    // every src is still MIGRATE_PFN_MIGRATE here; a hole has no page to check
    if (s.src === null) {
      kept.push(s);
      continue;
    }
    const srcId = s.src;
    const page = d.page(srcId);
    const mapped = folioMapcount(d, srcId);
    if (mapped > 0) s.ptes.push(...tryToMigrate(d, srcId, `${pageName(page)} is still mapped ${mapped} more time(s): unmap through the rmap.`));
    const p = d.page(srcId);
    const extra = p.refs - 1;
    const left = folioMapcount(d, srcId);
    // folio_mapped() || !migrate_vma_check_page()
    // Stryker disable next-line ConditionalExpression: only a pinned folio stays mapped after try_to_migrate(), and the pin fails the check anyway
    if (left > 0 || extra > 0 || p.pins > 0) {
      // a mapping is left only where folio_try_share_anon_rmap_*() failed, i.e. on a pinned page
      const why = p.pins > 0 ? `${p.pins} pin(s)` : `${extra} extra reference(s)`;
      d.call('migrate_vma_check_page', `${pageName(p)} has ${why}: it cannot migrate; MIGRATE_PFN_MIGRATE is cleared.`);
      remove_migration_ptes(d, srcId, srcId, s.ptes, `restore: remove_migration_ptes(folio, folio) maps ${pageName(p)} again.`, srcId === mig.fault?.page);
      continue; // src[i] = 0: the page leaves this migration
    }
    kept.push(s);
  }
  d.setMigration(migId, { ...mig, srcs: kept });
}

type Work = { -readonly [K in keyof MigrationSrc]: MigrationSrc[K] } & { small?: (number | null)[] };

/**
 * A 2 MiB destination, unless the allocation fails (test_hmm's one-shot FAIL_ALLOC, or no free 2 MiB).
 * To RAM the source is a device folio (a hole is collected only toward the device) and RAM always has one.
 * dmirror_device_evict_chunk() calls folio_alloc() without looking at FAIL_ALLOC.
 */
function allocLargeDst(d: Draft, mig: Migration, device: number): number | null {
  if (mig.origin !== 'evict' && takeFailAlloc(d, device)) {
    d.explain('HMM_DMIRROR_FLAG_FAIL_ALLOC: the 2 MiB allocation fails once; fall back to 512 small pages.');
    return null;
  }
  if (mig.to === 'ram') return allocRamFolio(d);
  const id = dmirror_devmem_alloc_folio(d, device);
  if (id === null) d.explain(`device ${device} has no free 2 MiB folio: fall back to 512 small pages.`);
  return id;
}

function allocSmallDst(d: Draft, mig: Migration, device: number): number | null {
  return mig.to === 'device' ? dmirror_devmem_alloc_page(d, device) : allocRamPage(d);
}

/**
 * dmirror_migrate_alloc_and_copy() before 6.19 gives a hole's dst MIGRATE_PFN_WRITE in a VM_WRITE VMA
 * (`!spage && vma->vm_flags & VM_WRITE`); since the device-THP series it passes only the src's
 * MIGRATE_PFN_WRITE (`*dst = migrate_pfn(...) | write`), which a hole never has.
 */
function holeDstWrite(d: Draft, s: Work): boolean {
  if (d.k.profile.deviceThp || s.hole === null) return false;
  const vma = vmaOf(d, s.hole);
  return vma !== undefined && vmaWritable(vma);
}

/** The driver allocates destinations and copies, then migrate_vma_pages()/migrate_device_pages(). */
export function migratePages(d: Draft, mig: Migration, failAlloc: boolean): void {
  if (mig.phase !== 'collected') refuse(`${mig.api}_pages already ran for this migration: ${mig.api}_finalize comes next`);
  const fn = mig.api === 'migrate_vma' ? 'migrate_vma_pages' : 'migrate_device_pages';
  const alloc = mig.to === 'device' ? 'dmirror_migrate_alloc_and_copy' : mig.origin === 'fault' ? 'dmirror_devmem_fault_alloc_and_copy' : mig.origin === 'evict' ? 'dmirror_device_evict_chunk' : 'alloc_page';
  // migrate_vma and migrate_device migrations always name their device (only migrate_folio has none)
  const device = mig.device!;
  const work: Work[] = mig.srcs.map((s) => ({ ...s }));
  d.call(alloc, mig.to === 'device' ? `the driver allocates device pages on device ${mig.device} and copies the data.` : 'the driver allocates system pages and copies the data back.', () => {
    // every src here has MIGRATE_PFN_MIGRATE: setup and migrate_device_range drop the others (src[i] = 0)
    for (const s of work) {
      if (s.src === null && mig.to === 'ram') {
        // dmirror_devmem_fault_alloc_and_copy(): `if (!spage || ...) goto next`
        d.explain('a hole toward system memory: the driver leaves dst = 0 (there is nothing to copy back).');
        continue;
      }
      if (failAlloc) {
        d.explain('allocation fails: dst = 0, the page stays where it is.');
        continue;
      }
      const srcPage = s.src !== null ? d.page(s.src) : null;
      s.dstWrite = s.write || holeDstWrite(d, s);
      if (s.compound) {
        const big = allocLargeDst(d, mig, device);
        if (big !== null) {
          d.setPage(big, { locked: true }, 'locked');
          if (s.src !== null) copyFolio(d, s.src, big);
          s.dst = big;
          d.explain(`dst[0] = ${pageName(d.page(big))} | MIGRATE_PFN_COMPOUND.`);
          continue;
        }
        const from = s.src !== null ? folioPages(d, s.src) : null;
        s.small = [];
        for (let i = 0; i < HPAGE_PMD_NR; i++) {
          const dst = allocSmallDst(d, mig, device);
          s.small.push(dst);
          if (dst !== null) d.setPage(dst, { locked: true, data: from ? d.page(from[i]!).data : 0 });
        }
        continue;
      }
      // dmirror_migrate_alloc_and_copy() tests FAIL_ALLOC before every allocation, small ones too
      if (mig.to === 'device' && takeFailAlloc(d, device)) {
        d.explain('HMM_DMIRROR_FLAG_FAIL_ALLOC: this allocation fails once: dst = 0, the page stays where it is.');
        continue;
      }
      const dst = allocSmallDst(d, mig, device);
      if (dst === null) {
        d.explain(`device ${device} is out of memory: dst = 0.`);
        continue;
      }
      d.setPage(dst, { locked: true, data: srcPage ? srcPage.data : 0 }, srcPage ? `copied from ${pageName(srcPage)}` : 'zero-filled');
      s.dst = dst;
    }
  });
  const out: Work[] = [];
  d.call(fn, 'moves struct page state to the destinations (__migrate_device_pages).', () => {
    for (const s of work) {
      // s.small is set only for a COMPOUND src whose 2 MiB allocation failed
      if (s.small) {
        for (const e of splitCompound(d, s)) {
          movePage(d, e);
          out.push(e);
        }
        continue;
      }
      movePage(d, s);
      out.push(s);
    }
  });
  const srcs = out.map(({ small: _small, ...s }) => s);
  // only migrate_vma moves toward the device (migrate_device_range evicts to RAM)
  if (mig.to === 'device') dmirror_migrate_finalize_and_map(d, device, srcs);
  // dmirror_devmem_fault_alloc_and_copy() (a CPU fault or HMM_DMIRROR_MIGRATE_TO_SYS) erases what moves;
  // dmirror_device_evict_chunk() does not: its srcs have no address (at = null), which dmirrorForgetMoved skips
  else dmirrorForgetMoved(d, device, srcs);
  d.setMigration(mig.id, { ...mig, srcs, phase: 'moved' });
}

/** One src of __migrate_device_pages(): insert into a hole, or move the page's state to dst. */
function movePage(d: Draft, s: Work): void {
  if (s.dst === null) {
    s.migrate = false;
    return;
  }
  if (s.src === null) {
    // a src without a page is a hole (migrate_vma_collect_hole, or the zero page); an insert that
    // aborts clears MIGRATE_PFN_MIGRATE, so the driver does not map the unused page
    const inserted = s.compound ? insertHugePmdPage(d, s.hole!, s.dst) : insertPage(d, s.hole!, s.dst);
    if (!inserted) s.migrate = false;
    return;
  }
  const sp = d.page(s.src);
  // a source that is not anonymous is a system page on its way to the device (device pages are anonymous)
  if (!sp.anon) {
    d.explain(`${pageName(sp)} is a page-cache page: only anonymous memory migrates to device-private memory; MIGRATE_PFN_MIGRATE is cleared.`);
    s.migrate = false;
    return;
  }
  d.call('migrate_folio', `${pageName(sp)} -> ${pageName(d.page(s.dst))}: data, dirty flag and mapping move over.`);
  d.setPage(s.dst, { dirty: sp.dirty, anon: sp.anon });
}

/**
 * A COMPOUND src whose driver could not get a 2 MiB destination: a hole is filled page by page
 * (a huge zero PMD is split first); a folio goes through migrate_vma_split_unmapped_folio():
 * split_huge_pmd_address(freeze) turns each migration PMD into 512 migration PTEs, then
 * folio_split_unmapped() and src[i] = migrate_pfn(pfn + i).
 */
function splitCompound(d: Draft, s: Work): Work[] {
  const small = s.small!;
  const base = s.at!.index;
  if (s.src === null) {
    // the huge zero PMD is split by the first migrate_vma_insert_page() that inserts a page
    const hole = s.hole!;
    return small.map((dst, i) => ({ ...s, compound: false, small: undefined, hole: { pid: hole.pid, index: base + i }, at: { pid: hole.pid, index: base + i }, dst }));
  }
  const head = s.src;
  const out: Work[] = [];
  d.call('migrate_vma_split_unmapped_folio', `dst[0] has no MIGRATE_PFN_COMPOUND: split the 2 MiB source and migrate 512 pages.`, () => {
    const ptes: EntryRef[] = [];
    for (const ref of s.ptes) {
      if (!ref.pmd) {
        ptes.push(ref);
        continue;
      }
      ptes.push(...splitHugePmd(d, ref, true, 'the migration PMD becomes 512 migration PTEs (same type, number + i).', 'split_huge_pmd_address'));
    }
    const ids = d.call('folio_split_unmapped', `${pageName(d.page(head))} becomes 512 order-0 folios, each still locked and isolated.`, () => splitFolio(d, head));
    const byPage = new Map<number, EntryRef[]>();
    for (const r of ptes) {
      const t = view(d, r).target;
      const list = byPage.get(t);
      if (list) list.push(r);
      else byPage.set(t, [r]);
    }
    ids.forEach((id, i) => {
      out.push({ ...s, compound: false, small: undefined, src: id, dst: small[i]!, at: { pid: s.at!.pid, index: base + i }, ptes: byPage.get(id) ?? [] });
    });
  });
  return out;
}

/**
 * migrate_vma_insert_page(): a hole gets the new page directly (no migration entry existed). Holes are
 * collected only with SELECT_SYSTEM, so the new page is always a device page: a device-private entry.
 */
function insertPage(d: Draft, ref: PteRef, dst: number): boolean {
  const vma = vmaOf(d, ref);
  const pv = viewPmd(d, ref);
  // 6.19+: a hole under the huge zero PMD (collected without a split) splits it now
  // Stryker disable next-line BooleanLiteral: the huge zero PMD becomes zero-page PTEs whatever `freeze` says (__split_huge_zero_page_pmd)
  if (vma && pv?.kind === 'present' && d.page(pv.target).kind === 'zero') splitHugePmd(d, ref, false, 'migrate_vma_insert_page() on the huge zero PMD: split it first.', 'split_huge_pmd');
  const v = view(d, ref);
  if (!vma || d.pmdEntry(ref) || !(v.kind === 'none' || (v.kind === 'present' && d.page(v.target).kind === 'zero'))) {
    d.call('migrate_vma_insert_page', `PTE ${ref.index} changed meanwhile: abort, the new page is not used.`);
    return false;
  }
  const page = d.page(dst);
  d.call('migrate_vma_insert_page', `fills the hole at PTE ${ref.index} with ${pageName(page)}${vma.prot === 'rw' ? ' (VM_WRITE: writable)' : ' (no VM_WRITE: read-only)'}.`, () => {
    const built = makeDevicePrivateEntry(d, page, vmaWritable(vma));
    traceBuilt(d, built, `${d.k.typeName(d.k.swp_type(built.entry))} for ${pageNumberFn(page)}(page) = ${hex(page.number)}, with no soft-dirty bit.`);
    d.setPte(ref, toPte(d, built.entry), dst);
    addRmap(d, dst, true);
  });
  return true;
}

/**
 * migrate_vma_insert_huge_pmd_page(): an aligned 2 MiB hole (pmd_none, or the huge zero PMD, which is
 * replaced) gets a device-private PMD: WRITE if VM_WRITE, else READ, no soft-dirty or uffd.
 */
function insertHugePmdPage(d: Draft, ref: PteRef, dst: number): boolean {
  const vma = vmaOf(d, ref);
  const pv = viewPmd(d, ref);
  const zero = pv !== null && d.page(pv.target).kind === 'zero';
  if (!vma || d.hasPteTable(ref) || (pv && !zero)) {
    d.call('migrate_vma_insert_huge_pmd_page', `the PMD at PTE ${ref.index} changed meanwhile (it must be none or the huge zero PMD): abort.`);
    return false;
  }
  const page = d.page(dst);
  d.call('migrate_vma_insert_huge_pmd_page', `fills the 2 MiB hole at PTEs ${ref.index}..${ref.index + HPAGE_PMD_NR - 1} with ${pageName(page)}${zero ? ', replacing the huge zero PMD' : ''}${vmaWritable(vma) ? ' (VM_WRITE: writable)' : ' (no VM_WRITE: read-only)'}.`, () => {
    const r = insert_huge_pmd_value(d.k, page, vmaWritable(vma));
    traceBuilt(d, r.built, `${d.k.typeName(d.k.swp_type(r.built.entry))} for ${pageNumberFn(page)}(page) = ${hex(page.number)}, no soft-dirty even under VM_SOFTDIRTY.`);
    d.setPmd(ref, r.pmd, dst);
    folio_add_anon_rmap_pmd(d, dst, true);
  });
  return true;
}

/** migrate_vma_finalize()/migrate_device_finalize(): remap every migration entry, release pages. */
export function migrateFinalize(d: Draft, mig: Migration): void {
  const fn = mig.api === 'migrate_vma' ? 'migrate_vma_finalize' : 'migrate_device_finalize';
  d.call(fn, mig.phase === 'collected' ? `${mig.api}_pages did not run: every page is restored where it was.` : 'replaces every migration entry with the page it ended up on.', () => {
    d.call('__migrate_device_finalize', '', () => {
      for (const s of mig.srcs) {
        // dst is set only by migrate_vma_pages(): before it every page is restored
        const moved = s.migrate && s.dst !== null;
        if (s.src !== null) {
          const newId = moved ? s.dst! : s.src;
          remove_migration_ptes(d, s.src, newId, s.ptes, moved
            ? `${pageName(d.page(s.src))} -> ${pageName(d.page(newId))}.`
            : `migration of ${pageName(d.page(s.src))} failed: remove_migration_ptes(folio, folio) restores it.`, s.src === mig.fault?.page);
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

/** migrate_device_range(): collects every allocated folio of a device by PFN and unmaps it. */
export function migrateDeviceRange(d: Draft, device: number): Migration {
  requireMigration(d);
  const dev = d.device(device);
  const srcs: MigrationSrc[] = [];
  d.call('migrate_device_range', `collects every allocated page of device ${device} by PFN (no VMA walk).`, () => {
    for (const id of dev.pages) {
      const p = d.page(id);
      if (!p.allocated || p.head !== id) continue;
      if (p.locked) {
        d.explain(`${pageName(p)} is locked: skipped.`);
        continue;
      }
      // a large folio is one MIGRATE_PFN_COMPOUND src however it is mapped (by a PMD, or by PTEs after a
      // partial munmap): migrate_device_range() does not split it
      lockPage(d, id);
      getRef(d, id);
      srcs.push(srcOf({ src: id, hole: null, at: null, compound: isLarge(p) }));
    }
  });
  const mig = d.addMigration({ api: 'migrate_device', origin: 'evict', device, phase: 'collected', to: 'ram', srcs });
  // migrate_device_pfn_lock() gives src = migrate_pfn(pfn) | MIGRATE_PFN_MIGRATE: never MIGRATE_PFN_WRITE
  // (each migration entry keeps its own write bit for remove_migration_ptes())
  d.call('migrate_device_unmap', 'unmaps every mapping through the rmap (try_to_migrate); a large folio is marked COMPOUND.', () => {
    d.setMigration(mig.id, { ...mig, srcs: mig.srcs.map((s) => ({ ...s, ptes: tryToMigrate(d, s.src!, `${pageName(d.page(s.src!))}.`) })) });
  });
  return d.migration(mig.id);
}

/** migrate_device_range as an event: one eviction at a time. */
export function migrateDeviceRangeEvent(d: Draft, device: number): void {
  if (d.migrations().some((m) => m.api === 'migrate_device')) refuse('an eviction is already in progress: finish it first');
  d.result.cpages = cpagesOf(migrateDeviceRange(d, device));
}
