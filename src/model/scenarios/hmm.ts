/**
 * The device-migration flows of the kernel's hmm selftests (tools/testing/selftests/mm/hmm-tests.c,
 * device-private variant), driving lib/test_hmm.c's ioctls. Each scenario ends where the selftest
 * makes its last assertion; `expect` holds what the selftest asserts after each event.
 *
 * The selftests use HMM_BUFFER_SIZE = 1024 pages; these use `n` pages (16 by default) so the views
 * stay readable. The flows, and every assertion, are the same for any n.
 */
import type { Event } from '../machine/events.ts';
import type { MachineSetup } from '../machine/types.ts';
import type { Expectation, Scenario } from './types.ts';

const PID = 1;
const CHILD = 2;

function setup(n: number, devices = 1): MachineSetup {
  return {
    ptes: Math.max(512, Math.ceil((2 * n) / 512) * 512),
    vaBase: '0x7f0000000000',
    processes: [{ pid: PID, name: 'hmm-tests', vmas: [] }],
    ram: ['0x20000'],
    devices: Array.from({ length: devices }, (_, i) => ({ first: `0x${(i * 0x400).toString(16)}`, physFirst: `0x${(0x3ffff0000 + i * 0x400).toString(16)}`, pages: Math.max(64, 2 * n) })),
  };
}

type Step = [Event, Expectation?];

function hmm(id: string, title: string, description: string, steps: Step[], n: number, extra: Partial<Scenario> = {}): Scenario {
  const expect: Record<number, Expectation> = {};
  steps.forEach(([, x], i) => {
    if (x) expect[i] = x;
  });
  return {
    schema: 1,
    id,
    title,
    description,
    source: `tools/testing/selftests/mm/hmm-tests.c: ${id.replace(/^hmm_/, '')}`,
    setup: setup(n),
    events: steps.map(([e]) => e),
    focus: { pid: PID, index: 0 },
    expect,
    ...extra,
  };
}

const mmap = (pages: number, prot: 'none' | 'read' | 'rw' = 'rw', more: Partial<{ shared: boolean; file: boolean; start: number }> = {}): Event =>
  ({ type: 'mmap', pid: PID, start: more.start ?? 0, pages, prot, ...(more.shared ? { shared: true } : {}), ...(more.file ? { file: true } : {}) });
const write = (pages: number, pid = PID, start = 0): Event => ({ type: 'cpu_access', pid, start, pages, access: 'write' });
const read = (pages: number, pid = PID, start = 0): Event => ({ type: 'cpu_access', pid, start, pages, access: 'read' });
const rmw = (pages: number, pid = PID): Event => ({ type: 'cpu_access', pid, start: 0, pages, access: 'rmw' });
const toDev = (pages: number, device = 0, start = 0): Event => ({ type: 'hmm_migrate_to_dev', pid: PID, start, pages, device });
const ok = (cpages: number, data?: Expectation['data']): Expectation => ({ ret: '0', cpages, ...(data ? { data } : {}) });

/** fork, the child reads, writes through the device and reads again, exits; the parent reads. */
function forkChildWrites(n: number, parentSees: Expectation['data']): Step[] {
  return [
    [{ type: 'fork', pid: PID }],
    [read(n, CHILD), { data: 'index' }],
    [{ type: 'hmm_write', pid: CHILD, start: 0, pages: n, device: 0 }, { ret: '0', cpages: n }],
    [read(n, CHILD), { data: 'neg-index' }],
    [{ type: 'exit', pid: CHILD }],
    [read(n), { data: parentSees }],
  ];
}

/** anon_write_child, with and without migrating to the device first (the selftest's `migrate` variants). */
function anonWriteChild(n: number, migrate: boolean): Scenario {
  return migrate
    ? hmm('hmm_anon_write_child', 'hmm: anon_write_child (migrate)', 'Migrate, fork, the child reads (both mappings come back as one read-only page), the child\'s device write breaks COW; the parent keeps its data.', [
      [mmap(n)], [write(n)], [toDev(n), ok(n, 'index')], ...forkChildWrites(n, 'index'),
    ], n)
    : hmm('hmm_anon_write_child_nomigrate', 'hmm: anon_write_child (no migration)', 'The same without migration: fork, the child\'s device write copies the page (COW); the parent keeps its data.', [
      [mmap(n)], [write(n)], ...forkChildWrites(n, 'index'),
    ], n);
}

export function hmmScenarios(n = 16): Scenario[] {
  const half = n / 2;
  return [
    hmm('hmm_migrate', 'hmm: migrate', 'Write a private anon buffer, migrate it to device memory: every PTE becomes a writable device-private entry.', [
      [mmap(n)], [write(n)], [toDev(n), ok(n, 'index')],
    ], n),
    hmm('hmm_migrate_file_private', 'hmm: migrate_file_private', 'A private file mapping: the writes make anon COW copies, which migrate like any anon page.', [
      [mmap(n, 'rw', { file: true })], [write(n)], [toDev(n), ok(n, 'index')],
    ], n),
    hmm('hmm_migrate_fault', 'hmm: migrate_fault', 'Migrate, let the CPU read the first half back (migrate_to_ram), migrate the whole range again.', [
      [mmap(n)], [write(n)], [toDev(n), ok(n, 'index')], [read(half), { data: 'index' }], [toDev(n), ok(n, 'index')],
    ], n),
    hmm('hmm_migrate_release', 'hmm: migrate_release', 'Migrate, then the device releases its memory (eviction through migrate_device_range); the CPU reads without faulting to the device.', [
      [mmap(n)], [write(n)], [toDev(n), ok(n, 'index')], [{ type: 'hmm_release', device: 0 }, { ret: '0' }], [read(half), { data: 'index' }],
    ], n),
    hmm('hmm_migrate_shared', 'hmm: migrate_shared', 'MAP_SHARED|MAP_ANONYMOUS is shmem, not anonymous: migrate_vma skips it and the ioctl fails with -ENOENT.', [
      [mmap(n, 'rw', { shared: true })], [toDev(n), { ret: '-ENOENT' }],
    ], n),
    hmm('hmm_migrate_mixed', 'hmm: migrate_mixed', 'Six pages in different states, two devices: -EINVAL for PROT_NONE and for a hole, then zero page, read-only and writable pages migrate to device 1; device 0 cannot take device 1\'s page.', [
      [mmap(6, 'none')],
      [toDev(6, 1), { ret: '-EINVAL' }],
      [{ type: 'munmap', pid: PID, start: 1, pages: 1 }],
      [toDev(3, 1), { ret: '-EINVAL' }],
      [{ type: 'mprotect', pid: PID, start: 2, pages: 1, prot: 'read' }],
      [read(1, PID, 2), { data: 'zero' }],
      [{ type: 'mprotect', pid: PID, start: 3, pages: 1, prot: 'rw' }],
      [write(1, PID, 3)],
      [{ type: 'mprotect', pid: PID, start: 3, pages: 1, prot: 'read' }],
      [{ type: 'mprotect', pid: PID, start: 4, pages: 2, prot: 'rw' }],
      [write(2, PID, 4)],
      [toDev(4, 1, 2), { ret: '0', cpages: 4 }],
      [toDev(1, 0, 5), { ret: '-ENOENT' }],
    ], 6, { setup: setup(6, 2) }),
    hmm('hmm_migrate_multiple', 'hmm: migrate_multiple', 'Ten rounds of map, write, migrate to the device, read back on the CPU (faulting every page home), unmap.',
      Array.from({ length: 10 }, (): Step[] => [
        [mmap(n)], [write(n)], [toDev(n), ok(n, 'index')], [read(n), { data: 'index' }], [{ type: 'munmap', pid: PID, start: 0, pages: n }],
      ]).flat(), n),
    anonWriteChild(n, true),
    anonWriteChild(n, false),
    hmm('hmm_anon_write_child_shared', 'hmm: anon_write_child_shared', 'A shared anonymous mapping: the child\'s device write is seen by the parent (no COW).', [
      [mmap(n, 'rw', { shared: true })], [write(n)], ...forkChildWrites(n, 'neg-index'),
    ], n),
    hmm('hmm_exclusive', 'hmm: exclusive', 'The device maps every page for atomics (device-exclusive entries); a CPU read-modify-write takes them back.', [
      [mmap(n)], [write(n)], [{ type: 'hmm_exclusive', pid: PID, start: 0, pages: n, device: 0 }, ok(n, 'index')],
      [rmw(n), { data: 'index' }], [read(n), { data: 'index+1' }], [{ type: 'hmm_check_exclusive', device: 0 }, { ret: '0' }],
    ], n),
    hmm('hmm_exclusive_mprotect', 'hmm: exclusive_mprotect', 'After mprotect(PROT_READ) the device-exclusive entries stay, but the device\'s write fault is refused: -EPERM.', [
      [mmap(n)], [write(n)], [{ type: 'hmm_exclusive', pid: PID, start: 0, pages: n, device: 0 }, ok(n, 'index')],
      [{ type: 'mprotect', pid: PID, start: 0, pages: n, prot: 'read' }],
      [{ type: 'hmm_write', pid: PID, start: 0, pages: n, device: 0 }, { ret: '-EPERM' }],
    ], n),
    hmm('hmm_exclusive_cow', 'hmm: exclusive_cow', 'fork() restores device-exclusive entries to present PTEs and copies them as COW; parent and child each increment their own copy.', [
      [mmap(n)], [write(n)], [{ type: 'hmm_exclusive', pid: PID, start: 0, pages: n, device: 0 }, ok(n, 'index')],
      [{ type: 'fork', pid: PID }],
      [rmw(n, CHILD), { data: 'index' }], [read(n, CHILD), { data: 'index+1' }],
      [rmw(n), { data: 'index' }], [read(n), { data: 'index+1' }],
    ], n),
    hmm('hmm_cow_in_device', 'hmm: hmm_cow_in_device', 'Migrate, fork, the parent writes: its pages come back from the device and are copied on write; the snapshot shows writable RAM.', [
      [mmap(4)], [write(4)], [toDev(4), ok(4, 'index')], [{ type: 'fork', pid: PID }],
      [write(4)], [{ type: 'exit', pid: CHILD }],
      [{ type: 'hmm_snapshot', pid: PID, start: 0, pages: 4, device: 0 }, { ret: '0', prot: ['WRITE', 'WRITE', 'WRITE', 'WRITE'] }],
    ], 4),
    hmm('hmm_gup_test', 'hmm: hmm_gup_test', 'GUP with FOLL_WRITE on device-private pages faults them back to writable RAM (one plain get, three pins).', [
      [mmap(4)], [write(4)], [toDev(4), ok(4, 'index')],
      [{ type: 'folio_get', pid: PID, index: 0, write: true }],
      [{ type: 'folio_get', pid: PID, index: 1, write: true }],
      [{ type: 'pin_user_pages', pid: PID, index: 2, write: true }],
      [{ type: 'pin_user_pages', pid: PID, index: 3, write: true }],
      [{ type: 'hmm_snapshot', pid: PID, start: 0, pages: 4, device: 0 }, { ret: '0', prot: ['WRITE', 'WRITE', 'WRITE', 'WRITE'] }],
      [read(4), { data: 'index' }],
    ], 4),
    hmm('hmm_snapshot', 'hmm: snapshot', 'Seven pages in seven states, as device 0 sees them without faulting: ERROR, ERROR, ZERO|READ, READ, WRITE, DEV_PRIVATE_LOCAL|WRITE, NONE.', [
      [mmap(7, 'none')],
      [{ type: 'munmap', pid: PID, start: 1, pages: 1 }],
      [{ type: 'mprotect', pid: PID, start: 2, pages: 1, prot: 'read' }], [read(1, PID, 2)],
      [{ type: 'mprotect', pid: PID, start: 3, pages: 1, prot: 'rw' }], [write(1, PID, 3)], [{ type: 'mprotect', pid: PID, start: 3, pages: 1, prot: 'read' }],
      [{ type: 'mprotect', pid: PID, start: 4, pages: 3, prot: 'rw' }], [write(1, PID, 4)],
      [toDev(1, 0, 5), ok(1)], [toDev(1, 1, 6), ok(1)],
      [{ type: 'hmm_snapshot', pid: PID, start: 0, pages: 7, device: 0 }, { ret: '0', prot: ['ERROR', 'ERROR', 'ZERO|READ', 'READ', 'WRITE', 'DEV_PRIVATE_LOCAL|WRITE', 'NONE'] }],
    ], 7, { setup: setup(7, 2) }),
  ];
}
