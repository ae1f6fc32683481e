/**
 * lib/test_hmm.c ("dmirror") as the hmm selftests drive it: each ioctl's result (ret, cpages, data,
 * snapshot flags) and the device page table it keeps. The whole selftest flows run in
 * src/model/scenarios/library.test.ts; these pin the driver's own rules one at a time.
 */
import { describe, expect, it } from 'vitest';
import { ev, M, onDevice } from '../../../../test/machine.ts';
import { Draft } from '../draft.ts';
import type { Event } from '../events.ts';
import { readPmd } from '../pagetable.ts';
import { dmirror_devmem_fault_pmd } from './test_hmm.ts';

const hmm = (type: 'hmm_migrate_to_dev' | 'hmm_migrate_to_sys' | 'hmm_read' | 'hmm_write' | 'hmm_snapshot' | 'hmm_exclusive', start: number, pages: number, device = 0, extra: object = {}): Event =>
  ({ type, pid: 1, start, pages, device, ...extra }) as Event;
const mirror = (m: M, device = 0) => m.state.devices[device]!.mirror;

describe('HMM_DMIRROR_MIGRATE_TO_DEV / _TO_SYS', () => {
  it('migrates each page, records it in the device page table and reads it back', () => {
    const m = new M().do({ type: 'cpu_access', pid: 1, start: 0, pages: 3, access: 'write' }, hmm('hmm_migrate_to_dev', 0, 3));
    expect(m.result).toEqual({ ret: '0', cpages: 3, data: [0, 1, 2] });
    expect(Object.keys(mirror(m))).toEqual(['1:0', '1:1', '1:2']);
    expect(mirror(m)['1:0']).toMatchObject({ write: true, atomic: false });
    expect(m.why('dmirror_do_read')).toBe('every page is in device 0\'s table: cpages = 3.');
    expect(m.fns().slice(0, 2)).toEqual(['dmirror_migrate_to_device', 'migrate_vma_setup']);
    m.consistent();
  });

  it('a read-only page is recorded read-only; an empty PTE is filled with a zeroed device page', () => {
    const m = new M().do(ev.write(1), ev.mprotect(1, 1, 'read'), hmm('hmm_migrate_to_dev', 0, 2));
    expect(m.result).toEqual({ ret: '0', cpages: 2, data: [0, 0] });
    expect([mirror(m)['1:0']!.write, mirror(m)['1:1']!.write]).toEqual([true, false]);
  });

  it('a range with a hole in the VMAs or a PROT_NONE VMA is -EINVAL', () => {
    const m = new M().do(ev.mmap(9, 1, 'none'));
    m.do(hmm('hmm_migrate_to_dev', 7, 2));
    expect(m.result).toEqual({ ret: '-EINVAL' });
    expect(m.why('dmirror_migrate_to_device')).toMatch(/no VMA, or a VMA without VM_READ, in the range: -EINVAL\.$/);
    m.do(hmm('hmm_migrate_to_dev', 9, 1));
    expect(m.result.ret).toBe('-EINVAL');
    m.do(hmm('hmm_migrate_to_sys', 9, 1));
    expect(m.result).toEqual({ ret: '-EINVAL' });
  });

  it('a page that did not move is missing from the device table: -ENOENT with the pages read so far', () => {
    const m = new M().do(ev.write(0), ev.write(1), ev.pin(1), hmm('hmm_migrate_to_dev', 0, 2));
    expect(m.result).toEqual({ ret: '-ENOENT', cpages: 1, data: [0] });
    expect(m.why('dmirror_do_read')).toBe('a page is missing from device 0\'s table: -ENOENT (cpages = 1).');
  });

  it('a range over two VMAs migrates chunk by chunk', () => {
    const m = new M().do(ev.mmap(8, 2, 'rw'), { type: 'cpu_access', pid: 1, start: 6, pages: 4, access: 'write' }, hmm('hmm_migrate_to_dev', 6, 4));
    expect(m.result).toMatchObject({ ret: '0', cpages: 4 });
    expect(m.fns().filter((f) => f === 'migrate_vma_setup')).toHaveLength(2);
  });

  it('TO_SYS brings the device\'s pages back and the device forgets them', () => {
    const m = new M().do({ type: 'cpu_access', pid: 1, start: 0, pages: 2, access: 'write' }, hmm('hmm_migrate_to_dev', 0, 2), hmm('hmm_migrate_to_sys', 0, 2));
    expect(m.result).toEqual({ ret: '0', cpages: 2 });
    expect([m.type(0), m.type(1)]).toEqual(['present', 'present']);
    expect(mirror(m)).toEqual({});
    m.consistent();
  });

  it('TO_SYS for another device moves nothing', () => {
    const two = { setup: { ptes: 16, processes: [{ pid: 1, name: 't', vmas: [{ start: 0, pages: 8 }] }], devices: [{ first: '0x10', pages: 4 }, { first: '0x20', pages: 4 }] } };
    const m = onDevice(two).do(hmm('hmm_migrate_to_sys', 1, 1, 1));
    expect(m.result).toEqual({ ret: '0', cpages: 0 });
    expect(m.type(1)).toBe('SWP_DEVICE_WRITE');
  });
});

describe('HMM_DMIRROR_READ / _WRITE (hmm_range_fault, then the device accesses the pages)', () => {
  it('READ faults pages in and reads them; the device records read-only mappings', () => {
    const m = new M().do({ type: 'cpu_access', pid: 1, start: 0, pages: 2, access: 'write', value: 4 }, hmm('hmm_read', 0, 3));
    expect(m.result).toEqual({ ret: '0', cpages: 3, data: [4, 4, 0] });
    expect(mirror(m)['1:2']).toMatchObject({ write: false, atomic: false });
    expect(m.fns().slice(0, 2)).toEqual(['dmirror_read', 'hmm_range_fault']);
  });

  it('WRITE stores -i (or the given value), dirties the pages and records writable mappings', () => {
    const m = new M().do(hmm('hmm_write', 0, 3));
    expect(m.result).toEqual({ ret: '0', cpages: 3, data: [-0, -1, -2] });
    expect(m.page(0x1234)).toMatchObject({ dirty: true });
    expect(mirror(m)['1:1']).toMatchObject({ write: true });
    m.do(hmm('hmm_write', 0, 1, 0, { value: 42 }), { type: 'cpu_access', pid: 1, start: 0, pages: 1, access: 'read' });
    expect(m.result.data).toEqual([42]);
  });

  it('the device reads its own device-private page without faulting it back', () => {
    const m = onDevice().do(hmm('hmm_read', 1, 1));
    expect(m.type(1)).toBe('SWP_DEVICE_WRITE');
    expect(m.result).toEqual({ ret: '0', cpages: 1, data: [0] });
  });

  it('WRITE to a read-only VMA is -EPERM; an unmapped or PROT_NONE page is -EFAULT', () => {
    const m = new M().do(ev.mmap(8, 1, 'read'), ev.mmap(9, 1, 'none'), hmm('hmm_write', 8, 1));
    expect(m.result).toEqual({ ret: '-EPERM' });
    expect(m.why('hmm_range_fault')).toBe('PTE 8: a write fault is needed but the VMA has no VM_WRITE: -EPERM.');
    m.do(hmm('hmm_read', 9, 1));
    expect(m.result).toEqual({ ret: '-EFAULT' });
    m.do(hmm('hmm_read', 10, 1));
    expect(m.result).toEqual({ ret: '-EFAULT' });
  });

  it('a fault that gets a signal is refused', () => {
    expect(new M().do(ev.guard(1)).refused(hmm('hmm_read', 1, 1))).toBe('the fault on PTE 1 gets SIGSEGV');
  });
});

describe('HMM_DMIRROR_SNAPSHOT (hmm_range_fault without faulting)', () => {
  it('each page as the device sees it', () => {
    const m = new M().do(ev.mmap(8, 1, 'none'), ev.read(0), ev.write(1), ev.write(2), ev.mprotect(2, 1, 'read'), ev.write(3), ev.toDevice(3), ev.pages(), ev.finalize(), ev.write(4), ev.swapOut(4));
    m.do(hmm('hmm_snapshot', 0, 10));
    expect(m.result).toEqual({ ret: '0', prot: ['ZERO|READ', 'WRITE', 'READ', 'DEV_PRIVATE_LOCAL|WRITE', 'NONE', 'NONE', 'NONE', 'NONE', 'ERROR', 'ERROR'] });
    expect(m.why('dmirror_snapshot')).toBe('HMM_DMIRROR_SNAPSHOT on device 0: what hmm_range_fault reports without faulting.');
  });

  it('a read-only device-private page is DEV_PRIVATE_LOCAL|READ; another device\'s page is NONE', () => {
    const two = { setup: { ptes: 16, processes: [{ pid: 1, name: 't', vmas: [{ start: 0, pages: 8 }] }], devices: [{ first: '0x10', pages: 4 }, { first: '0x20', pages: 4 }] } };
    const m = new M(two).do(ev.write(1), ev.mprotect(1, 1, 'read'), ev.toDevice(1), ev.pages(), ev.finalize());
    expect(m.do(hmm('hmm_snapshot', 1, 1)).result.prot).toEqual(['DEV_PRIVATE_LOCAL|READ']);
    expect(m.do(hmm('hmm_snapshot', 1, 1, 1)).result.prot).toEqual(['NONE']);
  });
});

describe('HMM_DMIRROR_RELEASE, _EXCLUSIVE, _CHECK_EXCLUSIVE', () => {
  it('RELEASE evicts every device page to RAM and empties the device table', () => {
    const m = new M().do({ type: 'cpu_access', pid: 1, start: 0, pages: 2, access: 'write', value: 6 }, hmm('hmm_migrate_to_dev', 0, 2), { type: 'hmm_release', device: 0 });
    expect(m.result).toEqual({ ret: '0' });
    expect(mirror(m)).toEqual({});
    expect(m.fns().slice(0, 3)).toEqual(['dmirror_device_remove_chunks', 'dmirror_device_evict_chunk', 'migrate_device_range']);
    m.do({ type: 'cpu_access', pid: 1, start: 0, pages: 2, access: 'read' });
    expect(m.result.data).toEqual([6, 6]);
    m.consistent();
  });

  it('EXCLUSIVE maps every page for atomics and reads it; CHECK_EXCLUSIVE is 0 once the CPU took them back', () => {
    const m = new M().do({ type: 'cpu_access', pid: 1, start: 0, pages: 2, access: 'write' }, hmm('hmm_exclusive', 0, 2));
    expect(m.result).toEqual({ ret: '0', cpages: 2, data: [0, 1] });
    expect(Object.values(mirror(m)).every((e) => e.atomic && e.write)).toBe(true);
    m.do({ type: 'hmm_check_exclusive', device: 0 });
    expect(m.result.ret).toBe('-EPERM');
    m.do({ type: 'cpu_access', pid: 1, start: 0, pages: 2, access: 'read' }, { type: 'hmm_check_exclusive', device: 0 });
    expect(m.result.ret).toBe('0');
    expect(m.why('dmirror_check_atomic')).toBe('no page is still mapped for atomic access: 0.');
  });

  it('a non-atomic device mapping survives the CPU taking an exclusive page back', () => {
    const two = { setup: { ptes: 16, processes: [{ pid: 1, name: 't', vmas: [{ start: 0, pages: 8 }] }], devices: [{ first: '0x10', pages: 4 }, { first: '0x20', pages: 4 }] } };
    const m = new M(two).do(ev.write(1), hmm('hmm_read', 1, 1, 1), ev.exclusive(1), ev.read(1));
    expect(Object.keys(mirror(m, 1))).toEqual(['1:1']);
    expect(mirror(m, 0)).toEqual({});
  });

  it('unknown devices are refused by every ioctl', () => {
    for (const e of [hmm('hmm_migrate_to_dev', 0, 1, 5), hmm('hmm_migrate_to_sys', 0, 1, 5), hmm('hmm_read', 0, 1, 5), hmm('hmm_snapshot', 0, 1, 5), { type: 'migrate_device_range', device: 5 } as Event]) {
      expect(new M().refused(e)).toBe('there is no device 5 (this scenario has 1)');
    }
  });
});

describe('the device page table kept in step with the device\'s own frees', () => {
  it('EXCLUSIVE over a page the device holds: the fault frees the device page (its entry goes), a page the device had read is re-recorded ATOMIC', () => {
    const m = onDevice().do(ev.write(2), hmm('hmm_read', 2, 1));
    const device = m.pageId(0x10);
    const read = mirror(m)['1:2']!.page;
    expect(mirror(m)['1:1']).toMatchObject({ page: device, atomic: false });
    expect(mirror(m)['1:2']).toMatchObject({ write: false, atomic: false });
    m.do(hmm('hmm_exclusive', 1, 2));
    expect(m.page(0x10).allocated).toBe(false);
    expect([m.type(1), m.type(2)]).toEqual(['SWP_DEVICE_EXCLUSIVE', 'SWP_DEVICE_EXCLUSIVE']);
    expect(mirror(m)).toEqual({
      '1:1': { page: m.pageId(m.decoded(1).swap!.pfn!), write: true, atomic: true },
      '1:2': { page: read, write: true, atomic: true },
    });
    m.do({ type: 'hmm_check_exclusive', device: 0 });
    expect(m.result.ret).toBe('-EPERM');
  });
});

describe('HMM_DMIRROR_FLAGS', () => {
  it('FAIL_ALLOC fails the next allocation of any size: migrating 4 KiB pages, the first stays in RAM (dst = 0) and the flag is spent', () => {
    const m = new M().do(ev.write(1), ev.write(2), { type: 'hmm_flags', device: 0, failAlloc: true }, hmm('hmm_migrate_to_dev', 1, 2));
    expect(m.trace.map((t) => t.why).join(' ')).toContain('HMM_DMIRROR_FLAG_FAIL_ALLOC: this allocation fails once: dst = 0, the page stays where it is.');
    expect([m.type(1), m.type(2)]).toEqual(['present', 'SWP_DEVICE_WRITE']);
    expect(m.state.devices[0]!.failAlloc).toBe(false);
    expect(m.result).toMatchObject({ ret: '-ENOENT', cpages: 0 });
    m.consistent();
  });
  it('0 clears FAIL_ALLOC: the next 2 MiB allocation is not failed', () => {
    const m = new M().do({ type: 'hmm_flags', device: 0, failAlloc: true }, { type: 'hmm_flags', device: 0, failAlloc: false });
    expect(m.result).toEqual({ ret: '0' });
    expect(m.why('dmirror_fops_unlocked_ioctl')).toBe('HMM_DMIRROR_FLAGS on device 0: no flags.');
    expect(m.state.devices[0]!.failAlloc).toBe(false);
  });
});

describe('device THP (7.3): the ioctls work in 2 MiB windows', () => {
  const N = 512;
  const setup = {
    ptes: 2 * N, vaBase: '0x7f0000000000', processes: [{ pid: 1, name: 't', vmas: [{ start: 0, pages: 2 * N, prot: 'rw' as const, thp: true }] }],
    ram: ['0x1234'], hugeRam: ['0x12400', '0x56600'], devices: [{ first: '0x400', physFirst: '0x400', pages: 2 * N }],
  };

  it('migrate_to_ram on a device folio with an extra reference: migrate_vma_check_page() fails, the PMD is restored and nothing is returned to migrate', () => {
    const m = new M({ profile: '7.3', setup }).do({ type: 'cpu_access', pid: 1, start: 0, pages: N, access: 'write' }, hmm('hmm_migrate_to_dev', 0, N));
    const before = readPmd(m.state.processes[0]!.ptes, 0);
    const d = new Draft(m.state);
    const head = m.pageId(0x400);
    d.setPage(head, { locked: true, refs: 1 });
    expect(dmirror_devmem_fault_pmd(d, { pid: 1, index: 5 }, head)).toBeNull();
    expect(d.trace().map((t) => t.why).join(' ')).toContain('2 MiB device folio (pfn 0x400) has 1 extra reference(s): it cannot migrate');
    expect(readPmd(d.finish().processes[0]!.ptes, 0)).toBe(before);
  });

  it('MIGRATE_TO_DEV over 4 MiB: one migrate_vma_setup (SELECT_COMPOUND) per 2 MiB, each THP one device-private PMD', () => {
    const m = new M({ profile: '7.3', setup }).do({ type: 'cpu_access', pid: 1, start: 0, pages: 2 * N, access: 'write' }, hmm('hmm_migrate_to_dev', 0, 2 * N));
    expect(m.result).toMatchObject({ ret: '0', cpages: 2 * N });
    expect(m.result.data).toHaveLength(2 * N);
    expect([m.result.data![0], m.result.data![N], m.result.data![2 * N - 1]]).toEqual([0, N, 2 * N - 1]);
    expect(m.trace.filter((t) => t.fn === 'migrate_vma_setup').map((t) => t.why)).toEqual(['MIGRATE_VMA_SELECT_COMPOUND.', 'MIGRATE_VMA_SELECT_COMPOUND.']);
    expect(m.trace.filter((t) => t.fn === 'migrate_vma_insert_huge_pmd_page' || t.fn === 'migrate_vma_split_unmapped_folio')).toEqual([]);
    m.do(hmm('hmm_snapshot', 0, 2 * N));
    expect(new Set(m.result.prot)).toEqual(new Set(['DEV_PRIVATE_LOCAL|WRITE|PMD']));
    m.consistent();
  });
});

describe('HMM_DMIRROR_RELEASE leaves dmirror->pt alone', () => {
  it('the device\'s mapping of a system page survives; the evicted device pages\' entries go with the pages', () => {
    const m = new M().do(ev.write(0), hmm('hmm_read', 0, 1), { type: 'cpu_access', pid: 1, start: 1, pages: 1, access: 'write' }, hmm('hmm_migrate_to_dev', 1, 1));
    const sys = mirror(m)['1:0']!;
    expect(Object.keys(mirror(m)).sort()).toEqual(['1:0', '1:1']);
    m.do({ type: 'hmm_release', device: 0 });
    expect(mirror(m)).toEqual({ '1:0': sys });
    expect(m.type(1)).toBe('present');
  });
});
