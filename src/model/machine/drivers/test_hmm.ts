/**
 * The reference device driver, lib/test_hmm.c ("dmirror"), as the hmm selftests
 * (tools/testing/selftests/mm/hmm-tests.c) drive it: its device page table (the mirror), its page
 * allocator and page_free callback, its migrate_to_ram callback, and the ioctls. Each ioctl runs
 * whole kernel paths to completion and returns what the selftest checks: ret, cpages, and the data
 * the device saw.
 */
import { pmd_write, pte_write } from '../../kernel/arch/x86_pgtable.ts';
import { pmdBase, refuse, type Draft } from '../draft.ts';
import { mappedPage, view, viewPmd } from '../entries.ts';
import { HPAGE_PMD_NR, HPAGE_PMD_ORDER, folioPages } from '../folio.ts';
import { rangeAligned } from '../mm/huge_memory.ts';
import { accessToCompletion } from '../mm/memory/fault.ts';
import { migrateDeviceRange, migrateFinalize, migratePages, migrateVmaSetupIn } from '../mm/migrate_device.ts';
import { makeDeviceExclusive } from '../mm/rmap.ts';
import type { DeviceMirrorEntry, Migration, MigrationSrc, PteRef, Vma } from '../types.ts';

// ---- the device page table (dmirror->pt) -----------------------------------------------------------

/** The mirror's key for the page at a PTE: the process and the PTE index (the VA). */
export function mirrorKey(r: PteRef): string {
  return `${r.pid}:${r.index}`;
}

function parseKey(key: string): PteRef {
  const [pid, index] = key.split(':').map(Number);
  return { pid: pid!, index: index! };
}

/**
 * page -> the mirror keys that map it, built on the first lookup in a step and kept up to date by
 * the writes after it (freeing device pages one by one must not scan the whole table each time).
 */
const byPageIndex = new WeakMap<Draft, Map<number, Map<number, Set<string>>>>();

function pageKeys(d: Draft, device: number): Map<number, Set<string>> {
  let perDevice = byPageIndex.get(d);
  if (!perDevice) byPageIndex.set(d, (perDevice = new Map()));
  let m = perDevice.get(device);
  if (!m) {
    m = new Map();
    for (const [key, e] of Object.entries(d.device(device).mirror)) addKey(m, e.page, key);
    perDevice.set(device, m);
  }
  return m;
}

function addKey(m: Map<number, Set<string>>, page: number, key: string): void {
  const keys = m.get(page);
  if (keys) keys.add(key);
  else m.set(page, new Set([key]));
}

function setMirror(d: Draft, device: number, r: PteRef, e: DeviceMirrorEntry): void {
  const key = mirrorKey(r);
  const m = d.writableMirror(device);
  const index = byPageIndex.get(d)?.get(device);
  if (index) {
    const old = m[key];
    if (old) index.get(old.page)?.delete(key);
    addKey(index, e.page, key);
  }
  m[key] = e;
}

function deleteKeys(d: Draft, device: number, keys: readonly string[]): number {
  if (keys.length === 0) return 0;
  const m = d.writableMirror(device);
  const index = byPageIndex.get(d)?.get(device);
  for (const key of keys) {
    const old = m[key];
    if (old && index) index.get(old.page)?.delete(key);
    delete m[key];
  }
  return keys.length;
}

/** Drops the mirror entries for which `gone` is true. */
function dropMirror(d: Draft, device: number, gone: (key: string, e: DeviceMirrorEntry) => boolean): number {
  return deleteKeys(d, device, Object.entries(d.device(device).mirror).filter(([key, e]) => gone(key, e)).map(([key]) => key));
}

/** dmirror_migrate_finalize_and_map(): the device's page table records the new device pages (512 for a 2 MiB folio). */
export function dmirror_migrate_finalize_and_map(d: Draft, device: number, srcs: readonly MigrationSrc[]): void {
  d.call('dmirror_migrate_finalize_and_map', `device ${device} records the pages in its page table (dmirror->pt).`, () => {
    for (const s of srcs) {
      if (!s.migrate || s.dst === null || !s.at) continue;
      if (s.compound) {
        folioPages(d, s.dst).forEach((id, i) => setMirror(d, device, { pid: s.at!.pid, index: s.at!.index + i }, { page: id, write: s.dstWrite, atomic: false }));
      } else {
        setMirror(d, device, s.at, { page: s.dst, write: s.dstWrite, atomic: false });
      }
    }
  });
}

/** The device forgets the pages that moved back to system memory. */
export function dmirrorForgetMoved(d: Draft, device: number, srcs: readonly MigrationSrc[]): void {
  const mirror = d.device(device).mirror;
  const moved: string[] = [];
  for (const s of srcs) {
    if (!s.at || !s.migrate || s.dst === null) continue;
    const n = s.compound ? HPAGE_PMD_NR : 1;
    for (let i = 0; i < n; i++) {
      const key = mirrorKey({ pid: s.at.pid, index: s.at.index + i });
      if (Object.prototype.hasOwnProperty.call(mirror, key)) moved.push(key);
    }
  }
  deleteKeys(d, device, moved);
}

/** dmirror_interval_invalidate(): the MMU notifier drops the device's mappings of a range. */
export function dmirror_interval_invalidate(d: Draft, pid: number, start: number, pages: number): void {
  for (const dev of d.base.devices) {
    const inRange = (key: string) => {
      const r = parseKey(key);
      return r.pid === pid && r.index >= start && r.index < start + pages;
    };
    const n = Object.keys(d.device(dev.id).mirror).filter(inRange).length;
    if (n === 0) continue;
    d.call('dmirror_interval_invalidate', `the MMU notifier makes device ${dev.id} drop ${n} mapping(s).`, () => dropMirror(d, dev.id, inRange));
  }
}

/** MMU_NOTIFY_EXCLUSIVE: a CPU fault took the page back, the device drops its atomic mapping. */
export function dmirrorDropAtomic(d: Draft, r: PteRef): void {
  const key = mirrorKey(r);
  for (const dev of d.base.devices) if (d.device(dev.id).mirror[key]?.atomic) deleteKeys(d, dev.id, [key]);
}

// ---- device memory ---------------------------------------------------------------------------------

/**
 * Where the first free page of each device may be, within one step: every page before it is
 * allocated (an allocation moves it on, a free moves it back).
 */
const freeHint = new WeakMap<Draft, Map<number, number>>();

/** dmirror_devmem_alloc_page(): the first free page of the device. */
export function dmirror_devmem_alloc_page(d: Draft, device: number): number | null {
  const pages = d.device(device).pages;
  let hints = freeHint.get(d);
  if (!hints) freeHint.set(d, (hints = new Map()));
  for (let at = hints.get(device) ?? 0; at < pages.length; at++) {
    const id = pages[at]!;
    if (!d.page(id).allocated) {
      d.setPage(id, { allocated: true, anon: true, data: 0, dirty: false, anonExclusive: false }, 'allocated on the device');
      hints.set(device, at + 1);
      return id;
    }
  }
  hints.set(device, pages.length);
  return null;
}

/**
 * dmirror_devmem_alloc_page(is_large): a 2 MiB folio from the device's free folios: 512 free pages
 * with consecutive numbers starting on a 2 MiB boundary. Returns the head, or null.
 */
export function dmirror_devmem_alloc_folio(d: Draft, device: number): number | null {
  const pages = d.device(device).pages;
  for (let start = 0; start + HPAGE_PMD_NR <= pages.length; start++) {
    const first = d.page(pages[start]!);
    if (first.number % HPAGE_PMD_NR !== 0 || first.allocated) continue;
    let ok = true;
    for (let i = 1; i < HPAGE_PMD_NR && ok; i++) {
      const p = d.page(pages[start + i]!);
      ok = !p.allocated && p.number === first.number + i;
    }
    if (!ok) continue;
    const head = pages[start]!;
    for (let i = 0; i < HPAGE_PMD_NR; i++) {
      d.setPage(pages[start + i]!, { allocated: true, anon: true, data: 0, dirty: false, anonExclusive: false, head, order: HPAGE_PMD_ORDER, entireMapcount: 0 });
    }
    d.setPage(head, {}, 'allocated on the device (a 2 MiB folio)');
    return head;
  }
  return null;
}

/**
 * HMM_DMIRROR_FLAG_FAIL_ALLOC: consumed by the driver's next allocation (lib/test_hmm.c:870, :1140).
 * Toward the device a 4 KiB page is then left behind (dst = 0) and a 2 MiB folio falls back to small
 * pages; toward RAM the model applies it to 2 MiB folios only (for a 4 KiB page the kernel's
 * dmirror_devmem_fault_alloc_and_copy() returns VM_FAULT_OOM, which the model does not have).
 * Returns whether it was set.
 */
export function takeFailAlloc(d: Draft, device: number): boolean {
  if (!d.device(device).failAlloc) return false;
  d.setDevice(device, (dev) => ({ ...dev, failAlloc: false }));
  return true;
}

/** HMM_DMIRROR_FLAGS: dmirror_fops_unlocked_ioctl() sets the device's flags. */
export function dmirror_set_flags(d: Draft, device: number, failAlloc: boolean): void {
  d.device(device);
  d.call('dmirror_fops_unlocked_ioctl', `HMM_DMIRROR_FLAGS on device ${device}: ${failAlloc ? 'HMM_DMIRROR_FLAG_FAIL_ALLOC: the next 2 MiB allocation fails once' : 'no flags'}.`, () =>
    d.setDevice(device, (dev) => ({ ...dev, failAlloc })));
  d.result.ret = '0';
}

/** dmirror_devmem_free() (pgmap->ops->page_free): the freed device page leaves the device's table. */
export function dmirror_devmem_free(d: Draft, device: number, id: number): void {
  freeHint.get(d)?.delete(device);
  const keys = pageKeys(d, device).get(id);
  if (keys?.size) deleteKeys(d, device, [...keys]);
}

// ---- ioctls ----------------------------------------------------------------------------------------

/** The VMA chunks of [start, start+pages), as dmirror walks them; -EINVAL for a hole or no VM_READ. */
function vmaChunks(d: Draft, pid: number, start: number, pages: number): { vma: Vma; start: number; pages: number }[] | '-EINVAL' {
  const out: { vma: Vma; start: number; pages: number }[] = [];
  let i = start;
  while (i < start + pages) {
    const vma = d.vmaAt(pid, i);
    if (!vma || vma.prot === 'none') return '-EINVAL';
    const end = Math.min(start + pages, vma.start + vma.pages);
    out.push({ vma, start: i, pages: end - i });
    i = end;
  }
  return out;
}

/** dmirror_do_read(): copies from the device's page table; -ENOENT at the first missing page. */
function dmirrorDoRead(d: Draft, device: number, pid: number, start: number, pages: number): { ret: string; cpages: number; data: (number | null)[] } {
  const m = d.device(device).mirror;
  const data: (number | null)[] = [];
  for (let i = start; i < start + pages; i++) {
    const e = m[mirrorKey({ pid, index: i })];
    if (!e) return { ret: '-ENOENT', cpages: data.length, data };
    data.push(d.page(e.page).data);
  }
  return { ret: '0', cpages: data.length, data };
}

/**
 * A whole migrate_vma_* cycle for one chunk: setup, the driver's alloc and copy, pages, finalize.
 * Since 6.19 test_hmm passes MIGRATE_VMA_SELECT_COMPOUND and works in 2 MiB windows, so an aligned
 * 2 MiB buffer is one PMD per window.
 */
function migrateChunk(d: Draft, c: { vma: Vma; start: number; pages: number }, pid: number, select: 'system' | 'device_private', device: number): number {
  const { vma, start, pages } = c;
  const compound = d.k.profile.deviceThp && rangeAligned(d);
  if (compound && pmdBase(start) !== pmdBase(start + pages - 1)) {
    let n = 0;
    for (let s = start; s < start + pages; s = pmdBase(s) + HPAGE_PMD_NR) n += migrateChunk(d, { vma, start: s, pages: Math.min(start + pages, pmdBase(s) + HPAGE_PMD_NR) - s }, pid, select, device);
    return n;
  }
  const mig = d.call('migrate_vma_setup', compound ? 'MIGRATE_VMA_SELECT_COMPOUND.' : '', () => migrateVmaSetupIn(d, { pid, start, pages, select, device, compound, origin: 'driver' }, vma));
  const cpages = mig.srcs.reduce((n, s) => n + (s.migrate && s.src !== null ? (s.compound ? HPAGE_PMD_NR : 1) : 0), 0);
  migratePages(d, mig, false);
  migrateFinalize(d, d.migration(mig.id));
  return cpages;
}

/** HMM_DMIRROR_MIGRATE_TO_DEV: dmirror_migrate_to_device(). */
export function dmirror_migrate_to_device(d: Draft, pid: number, start: number, pages: number, device: number): void {
  d.device(device);
  d.call('dmirror_migrate_to_device', `HMM_DMIRROR_MIGRATE_TO_DEV on device ${device}: for each VMA chunk, migrate_vma_setup (SELECT_SYSTEM) -> alloc and copy -> migrate_vma_pages -> finalize_and_map -> migrate_vma_finalize.`, () => {
    const chunks = vmaChunks(d, pid, start, pages);
    if (chunks === '-EINVAL') {
      d.explain('no VMA, or a VMA without VM_READ, in the range: -EINVAL.');
      d.result.ret = '-EINVAL';
      return;
    }
    for (const c of chunks) migrateChunk(d, c, pid, 'system', device);
    const r = dmirrorDoRead(d, device, pid, start, pages);
    d.call('dmirror_do_read', r.ret === '0' ? `every page is in device ${device}'s table: cpages = ${r.cpages}.` : `a page is missing from device ${device}'s table: -ENOENT (cpages = ${r.cpages}).`);
    Object.assign(d.result, r);
  });
}

/** HMM_DMIRROR_MIGRATE_TO_SYS: dmirror_migrate_to_system(). */
export function dmirror_migrate_to_system(d: Draft, pid: number, start: number, pages: number, device: number): void {
  d.device(device);
  d.call('dmirror_migrate_to_system', `HMM_DMIRROR_MIGRATE_TO_SYS: migrate_vma_setup with SELECT_DEVICE_PRIVATE and owner = device ${device}.`, () => {
    const chunks = vmaChunks(d, pid, start, pages);
    if (chunks === '-EINVAL') {
      d.result.ret = '-EINVAL';
      return;
    }
    let cpages = 0;
    for (const c of chunks) cpages += migrateChunk(d, c, pid, 'device_private', device);
    Object.assign(d.result, { ret: '0', cpages });
  });
}

/** HMM_DMIRROR_RELEASE: dmirror_device_remove_chunks() evicts all device memory. */
export function dmirror_device_remove_chunks(d: Draft, device: number): void {
  d.call('dmirror_device_remove_chunks', `HMM_DMIRROR_RELEASE: device ${device} evicts all its memory.`, () => {
    d.call('dmirror_device_evict_chunk', 'migrate_device_range over every device PFN, copy to system pages, migrate_device_pages, migrate_device_finalize.', () => {
      const mig = migrateDeviceRange(d, device);
      migratePages(d, mig, false);
      migrateFinalize(d, d.migration(mig.id));
    });
    // dmirror->pt is left alone: it is destroyed only when the file is closed (dmirror_fops_release)
  });
  d.result.ret = '0';
}

/** HMM_DMIRROR_EXCLUSIVE: dmirror_exclusive(). */
export function dmirror_exclusive(d: Draft, pid: number, start: number, pages: number, device: number): void {
  d.call('dmirror_exclusive', 'HMM_DMIRROR_EXCLUSIVE: make_device_exclusive() on every page, recorded with the ATOMIC tag.', () => {
    makeDeviceExclusive(d, pid, start, pages, device);
    Object.assign(d.result, dmirrorDoRead(d, device, pid, start, pages));
  });
}

/** The device maps a page for atomic access (after make_device_exclusive). */
export function dmirrorMapAtomic(d: Draft, device: number, r: PteRef, page: number): void {
  setMirror(d, device, r, { page, write: true, atomic: true });
}

/** HMM_DMIRROR_CHECK_EXCLUSIVE: dmirror_check_atomic(). */
export function dmirror_check_atomic(d: Draft, device: number): void {
  const atomic = Object.values(d.device(device).mirror).filter((e) => e.atomic).length;
  d.call('dmirror_check_atomic', atomic ? `${atomic} page(s) still have the ATOMIC tag: -EPERM.` : 'no page is still mapped for atomic access: 0.');
  d.result.ret = atomic ? '-EPERM' : '0';
}

/**
 * HMM_DMIRROR_WRITE / READ: hmm_range_fault() faults what the device cannot use (a write to a
 * non-writable VMA is -EPERM), then the device reads or writes the pages.
 */
export function dmirror_access(d: Draft, pid: number, start: number, pages: number, device: number, write: boolean, value?: number): void {
  d.device(device);
  d.call(write ? 'dmirror_write' : 'dmirror_read', `HMM_DMIRROR_${write ? 'WRITE' : 'READ'}: hmm_range_fault(${write ? 'HMM_PFN_REQ_WRITE' : 'read'}) then the device ${write ? 'writes' : 'reads'} the pages.`, () => {
    const data: (number | null)[] = [];
    d.call('hmm_range_fault', '', () => {
      for (let i = start; i < start + pages; i++) {
        const vma = d.vmaAt(pid, i);
        if (!vma || vma.prot === 'none') {
          d.result.ret = '-EFAULT';
          return;
        }
        if (write && vma.prot !== 'rw') {
          d.explain(`PTE ${i}: a write fault is needed but the VMA has no VM_WRITE: -EPERM.`);
          d.result.ret = '-EPERM';
          return;
        }
        const ref = { pid, index: i };
        const v = viewPmd(d, ref) ?? view(d, ref);
        const own = v.kind === 'device-private' && d.page(v.target).device === device;
        if (!own) {
          const sig = accessToCompletion(d, ref, write ? 'write' : 'read');
          if (sig) refuse(`the fault on PTE ${i} gets ${sig}`);
        }
        const id = mappedPage(d, ref);
        if (write) d.setPage(id, { data: value ?? -(i - start), dirty: true });
        data.push(d.page(id).data);
        setMirror(d, device, ref, { page: id, write, atomic: false });
      }
    });
    if (d.result.ret === undefined) Object.assign(d.result, { ret: '0', cpages: data.length, data });
  });
}

/**
 * HMM_DMIRROR_SNAPSHOT: hmm_range_fault() with no fault flags, then dmirror_mkentry() per page:
 * ERROR without a readable VMA, NONE for what the device may not use, ZERO for the zero page,
 * DEV_PRIVATE_LOCAL for this device's own device-private pages.
 */
export function dmirror_snapshot(d: Draft, pid: number, start: number, pages: number, device: number): void {
  d.device(device);
  const prot: string[] = [];
  d.call('dmirror_snapshot', `HMM_DMIRROR_SNAPSHOT on device ${device}: what hmm_range_fault reports without faulting.`, () => {
    for (let i = start; i < start + pages; i++) {
      const vma = d.vmaAt(pid, i);
      if (!vma || vma.prot === 'none') {
        prot.push('ERROR');
        continue;
      }
      const ref = { pid, index: i };
      const pv = viewPmd(d, ref);
      // hmm_vma_handle_pmd() / hmm_vma_handle_absent_pmd() report order 9: HMM_DMIRROR_PROT_PMD
      const pmd = pv ? '|PMD' : '';
      const v = pv ?? view(d, ref);
      if (v.kind === 'present') {
        const page = d.page(v.target);
        // is_zero_pfn() is true only for the 4 KiB zero page, not for the huge zero folio
        if (page.kind === 'zero' && !pv) prot.push('ZERO|READ');
        else prot.push(`${(pv ? pmd_write(pv.raw) : pte_write(view(d, ref).raw)) ? 'WRITE' : 'READ'}${pmd}`);
      } else if (v.kind === 'device-private' && d.page(v.target).device === device) {
        prot.push(`DEV_PRIVATE_LOCAL|${v.row?.access === 'write' ? 'WRITE' : 'READ'}${pmd}`);
      } else {
        prot.push('NONE');
      }
    }
  });
  Object.assign(d.result, { ret: '0', prot });
}

// ---- the migrate_to_ram callback -------------------------------------------------------------------

/**
 * dmirror_devmem_fault() (pgmap->ops->migrate_to_ram), first half: migrate_vma_setup on the faulting
 * page with MIGRATE_VMA_SELECT_DEVICE_PRIVATE and fault_page set. Returns the migration in flight, or
 * null when the page was not collected (migrate_vma_check_page() failed: an extra reference).
 */
export function dmirror_devmem_fault(d: Draft, ref: PteRef, pageId: number): Migration | null {
  const page = d.page(pageId);
  const m = d.call('migrate_to_ram', `pgmap->ops->migrate_to_ram: device ${page.device}'s driver (lib/test_hmm.c) moves the page back to RAM.`, () =>
    d.call('dmirror_devmem_fault', 'migrate_vma_setup on the faulting page, MIGRATE_VMA_SELECT_DEVICE_PRIVATE, fault_page set.', () =>
      d.call('migrate_vma_setup', '', () =>
        // a device page has a device; the faulting PTE is inside its VMA
        migrateVmaSetupIn(d, { pid: ref.pid, start: ref.index, pages: 1, select: 'device_private', device: page.device!, faultPage: pageId, origin: 'fault' }, d.vmaAt(ref.pid, ref.index)!))));
  return faultMigration(d, m, pageId);
}

/**
 * dmirror_devmem_fault() for a device-private PMD (vmf->pte is NULL, so the order comes from the
 * folio): migrate the whole aligned 2 MiB with SELECT_DEVICE_PRIVATE | SELECT_COMPOUND and fault_page.
 */
export function dmirror_devmem_fault_pmd(d: Draft, ref: PteRef, head: number): Migration | null {
  const page = d.page(head);
  const m = d.call('migrate_to_ram', `pgmap->ops->migrate_to_ram: device ${page.device}'s driver (lib/test_hmm.c) moves the 2 MiB folio back to RAM.`, () =>
    d.call('dmirror_devmem_fault', 'order 9 (vmf->pte is NULL): migrate_vma_setup over the aligned 2 MiB, SELECT_DEVICE_PRIVATE | SELECT_COMPOUND, fault_page set.', () =>
      d.call('migrate_vma_setup', '', () =>
        // a device-private PMD lies in a VMA that covers its whole aligned 2 MiB
        migrateVmaSetupIn(d, { pid: ref.pid, start: pmdBase(ref.index), pages: HPAGE_PMD_NR, select: 'device_private', device: page.device!, compound: true, faultPage: head, origin: 'fault' }, d.vmaAt(ref.pid, ref.index)!))));
  return faultMigration(d, m, head);
}

/**
 * The migration a fault goes on with, or null when migrate_vma_setup() left the faulting page out
 * (e.g. migrate_vma_check_page() found an extra reference): dmirror_devmem_fault() still runs
 * migrate_vma_pages() and migrate_vma_finalize() over what it collected, so nothing stays in flight.
 */
function faultMigration(d: Draft, m: Migration, page: number): Migration | null {
  if (m.srcs.some((s) => s.src === page)) return m;
  dmirrorDevmemFaultFinish(d, m);
  return null;
}

/** dmirror_devmem_fault(), second half: allocate a system page, copy, migrate_vma_pages, finalize. */
export function dmirrorDevmemFaultFinish(d: Draft, mig: Migration): void {
  d.call('dmirror_devmem_fault', 'continues: allocate a system page, copy, migrate_vma_pages, migrate_vma_finalize.', () => {
    migratePages(d, mig, false);
    migrateFinalize(d, d.migration(mig.id));
  });
}
