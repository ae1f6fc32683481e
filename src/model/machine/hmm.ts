/**
 * The test_hmm driver's ioctls (lib/test_hmm.c), as the hmm selftests call them
 * (tools/testing/selftests/mm/hmm-tests.c). Each runs whole kernel paths to completion and returns
 * what the selftest checks: ret, cpages, and the data the device saw.
 */
import { refuse, type Draft } from './draft.ts';
import { accessToCompletion } from './fault.ts';
import { migrateDeviceRange, migrateFinalize, migratePages, migrateVmaSetup } from './migrate.ts';
import { makeDeviceExclusive } from './misc.ts';
import { view } from './mm.ts';
import type { Vma } from './types.ts';
import { pte_write } from './x86pte.ts';

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
function deviceRead(d: Draft, device: number, pid: number, start: number, pages: number): { ret: string; cpages: number; data: (number | null)[] } {
  const m = d.device(device).mirror;
  const data: (number | null)[] = [];
  for (let i = start; i < start + pages; i++) {
    const e = m[`${pid}:${i}`];
    if (!e) return { ret: '-ENOENT', cpages: data.length, data };
    data.push(d.page(e.page).data);
  }
  return { ret: '0', cpages: data.length, data };
}

export function hmmMigrateToDev(d: Draft, pid: number, start: number, pages: number, device: number): void {
  d.device(device);
  d.call('dmirror_migrate_to_device', `HMM_DMIRROR_MIGRATE_TO_DEV on device ${device}: for each VMA chunk, migrate_vma_setup (SELECT_SYSTEM) -> alloc and copy -> migrate_vma_pages -> finalize_and_map -> migrate_vma_finalize.`, () => {
    const chunks = vmaChunks(d, pid, start, pages);
    if (chunks === '-EINVAL') {
      d.explain('no VMA, or a VMA without VM_READ, in the range: -EINVAL.');
      d.result.ret = '-EINVAL';
      return;
    }
    for (const c of chunks) {
      const mig = d.call('migrate_vma_setup', '', () =>
        migrateVmaSetup(d, { pid, start: c.start, pages: c.pages, select: 'system', device, origin: 'driver' }));
      if (!mig || typeof mig === 'string') continue;
      migratePages(d, mig, false);
      migrateFinalize(d, d.migrations().find((m) => m.id === mig.id)!);
    }
    const r = deviceRead(d, device, pid, start, pages);
    d.call('dmirror_do_read', r.ret === '0' ? `every page is in device ${device}'s table: cpages = ${r.cpages}.` : `a page is missing from device ${device}'s table: -ENOENT (cpages = ${r.cpages}).`);
    Object.assign(d.result, r);
  });
}

export function hmmMigrateToSys(d: Draft, pid: number, start: number, pages: number, device: number): void {
  d.device(device);
  d.call('dmirror_migrate_to_system', `HMM_DMIRROR_MIGRATE_TO_SYS: migrate_vma_setup with SELECT_DEVICE_PRIVATE and owner = device ${device}.`, () => {
    const chunks = vmaChunks(d, pid, start, pages);
    if (chunks === '-EINVAL') {
      d.result.ret = '-EINVAL';
      return;
    }
    let cpages = 0;
    for (const c of chunks) {
      const mig = d.call('migrate_vma_setup', '', () =>
        migrateVmaSetup(d, { pid, start: c.start, pages: c.pages, select: 'device_private', device, origin: 'driver' }));
      if (!mig || typeof mig === 'string') continue;
      cpages += mig.srcs.filter((s) => s.migrate && s.src !== null).length;
      migratePages(d, mig, false);
      migrateFinalize(d, d.migrations().find((m) => m.id === mig.id)!);
    }
    Object.assign(d.result, { ret: '0', cpages });
  });
}

export function hmmRelease(d: Draft, device: number): void {
  d.call('dmirror_device_remove_chunks', `HMM_DMIRROR_RELEASE: device ${device} evicts all its memory.`, () => {
    d.call('dmirror_device_evict_chunk', 'migrate_device_range over every device PFN, copy to system pages, migrate_device_pages, migrate_device_finalize.', () => {
      const mig = migrateDeviceRange(d, device);
      migratePages(d, mig, false);
      migrateFinalize(d, d.migrations().find((m) => m.id === mig.id)!);
    });
    d.setDevice(device, (x) => ({ ...x, mirror: {} }));
  });
  d.result.ret = '0';
}

export function hmmExclusive(d: Draft, pid: number, start: number, pages: number, device: number): void {
  d.call('dmirror_exclusive', `HMM_DMIRROR_EXCLUSIVE: make_device_exclusive() on every page, recorded with the ATOMIC tag.`, () => {
    makeDeviceExclusive(d, pid, start, pages, device);
    Object.assign(d.result, deviceRead(d, device, pid, start, pages));
  });
}

export function hmmCheckExclusive(d: Draft, device: number): void {
  const atomic = Object.values(d.device(device).mirror).filter((e) => e.atomic).length;
  d.call('dmirror_check_atomic', atomic ? `${atomic} page(s) still have the ATOMIC tag: -EPERM.` : 'no page is still mapped for atomic access: 0.');
  d.result.ret = atomic ? '-EPERM' : '0';
}

/**
 * HMM_DMIRROR_WRITE / READ: hmm_range_fault() faults what the device cannot use (a write to a
 * non-writable VMA is -EPERM), then the device reads or writes the pages.
 */
export function hmmAccess(d: Draft, pid: number, start: number, pages: number, device: number, write: boolean, value?: number): void {
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
        const v = view(d, ref);
        const own = v.kind === 'device_private' && d.page(v.target).device === device;
        if (!own) {
          const sig = accessToCompletion(d, ref, write ? 'write' : 'read');
          if (sig) refuse(`the fault on PTE ${i} gets ${sig}`);
        }
        const nv = view(d, ref);
        const id = nv.target;
        if (write) d.setPage(id, { data: value ?? -(i - start), dirty: true });
        data.push(d.page(id).data);
        d.setDevice(device, (x) => ({ ...x, mirror: { ...x.mirror, [`${pid}:${i}`]: { page: id, write, atomic: false } } }));
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
export function hmmSnapshot(d: Draft, pid: number, start: number, pages: number, device: number): void {
  d.device(device);
  const prot: string[] = [];
  d.call('dmirror_snapshot', `HMM_DMIRROR_SNAPSHOT on device ${device}: what hmm_range_fault reports without faulting.`, () => {
    for (let i = start; i < start + pages; i++) {
      const vma = d.vmaAt(pid, i);
      if (!vma || vma.prot === 'none') {
        prot.push('ERROR');
        continue;
      }
      const v = view(d, { pid, index: i });
      if (v.kind === 'present') {
        const page = d.page(v.target);
        if (page.kind === 'zero') prot.push('ZERO|READ');
        else prot.push(pte_write(v.raw) ? 'WRITE' : 'READ');
      } else if (v.kind === 'device_private' && d.page(v.target).device === device) {
        prot.push(`DEV_PRIVATE_LOCAL|${v.row?.access === 'write' ? 'WRITE' : 'READ'}`);
      } else {
        prot.push('NONE');
      }
    }
  });
  Object.assign(d.result, { ret: '0', prot });
}
