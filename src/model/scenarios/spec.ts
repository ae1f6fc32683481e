/**
 * The teaching scenarios S01–S22 of the domain spec: one anonymous page at VA 0x7f0000001000
 * (PTE 1 of a page-table page starting at 0x7f0000000000), RAM pages 0x1234 then 0x5678, device
 * page 0x10. Each checkpoint pins a spec table row to the event after which it holds.
 */
import type { Event } from '../machine/events.ts';
import type { MachineSetup } from '../machine/types.ts';
import type { Checkpoint, Scenario } from './types.ts';

const TASK = 1;
const CHILD = 2;
const PTE = 1;

/** One private anonymous RW VMA over the 512 PTEs at 0x7f0000000000; RAM 0x1234 then 0x5678; device page 0x10. */
export const SPEC_SETUP: MachineSetup = {
  ptes: 512,
  vaBase: '0x7f0000000000',
  processes: [{ pid: TASK, name: 'task', vmas: [{ start: 0, pages: 512, prot: 'rw' }] }],
  ram: ['0x1234', '0x5678'],
  devices: [{ first: '0x10', pages: 16 }],
  swapFirstSlot: '0x42',
};

const e = {
  write: { type: 'cpu_fault', pid: TASK, index: PTE, access: 'write' } as Event,
  read: { type: 'cpu_fault', pid: TASK, index: PTE, access: 'read' } as Event,
  toDevice: { type: 'migrate_vma_setup', pid: TASK, start: PTE, pages: 1, select: 'system', device: 0 } as Event,
  pages: { type: 'migrate_vma_pages' } as Event,
  finalize: { type: 'migrate_vma_finalize' } as Event,
  fork: { type: 'fork', pid: TASK } as Event,
  mprotectRead: { type: 'mprotect', pid: TASK, start: 0, pages: 512, prot: 'read' } as Event,
};

const at = (step: number, after: number, pid = TASK, mid?: string): Checkpoint => ({ step, after, pid, index: PTE, ...(mid ? { mid } : {}) });

function spec(id: string, title: string, description: string, events: Event[], checkpoints: Checkpoint[], extra: Partial<Scenario> = {}): Scenario {
  return {
    schema: 1,
    id,
    title,
    description,
    source: `domain spec §e, ${id}`,
    setup: SPEC_SETUP,
    events,
    focus: { pid: TASK, index: PTE },
    checkpoints,
    ...extra,
  };
}

// Prefixes: the states the spec's "Setup" lines start from.
const S01 = [e.write];
const S02_1 = [e.write, e.toDevice];
const S02_2 = [...S02_1, e.pages, e.finalize];
const S02_3 = [...S02_2, e.read];
const S03_0 = [e.write, e.mprotectRead];
const S03_1 = [...S03_0, e.toDevice];
const S03_2 = [...S03_1, e.pages, e.finalize];
const S20_1 = [e.write, { type: 'swap_out', pid: TASK, start: PTE, pages: 1 } as Event];

export const SPEC_SCENARIOS: readonly Scenario[] = [
  spec('S01', 'First write to an anonymous page', 'A write fault on an empty PTE: do_anonymous_page maps a new page writable, young and dirty.', S01, [at(0, -1), at(1, 0)]),
  spec(
    'S02', 'Migrate a dirty page to device memory, then a CPU fault brings it back',
    'The device round trip: present -> migration entry -> device-private entry -> migration entry -> present at a new PFN, old and clean.',
    [...S02_3, e.pages, e.finalize],
    [at(0, 0), at(1, 1), at(2, 3), at(3, 4), at(4, 6)],
  ),
  spec(
    'S03', 'Migrate a read-only exclusive anon page to the device and back',
    'After mprotect(PROT_READ) the page is exclusive but not writable: READ_EXCLUSIVE migration entries and a readable device entry.',
    [...S03_2, e.read, e.pages, e.finalize],
    [at(0, 1), at(1, 2), at(2, 4), at(3, 5), at(4, 7)],
  ),
  spec(
    'S04', 'Migration entries for a page shared after fork',
    'fork() write-protects both mappings; try_to_migrate_one then gives each a READ migration entry (not exclusive any more).',
    [e.write, e.fork, { type: 'migrate_folio_unmap', pid: TASK, index: PTE }],
    [at(0, 1), at(1, 1, CHILD), at(2, 2), at(3, 2, CHILD)],
  ),
  spec('S05', 'fork() of a writable dirty anon PTE (COW)', 'Both get a read-only PTE; Dirty moves to SavedDirty; the child\'s PTE is old.', [e.write, e.fork], [at(0, 0), at(1, 1), at(2, 1, CHILD)]),
  spec('S06', 'fork() while a writable migration entry is installed', 'copy_nonpresent_pte turns a writable migration entry into a readable one in parent and child, keeping PFN and A/D.', [...S02_1, e.fork], [at(0, 1), at(1, 2), at(2, 2, CHILD)]),
  spec('S07', 'fork() while a read-exclusive migration entry is installed', 'READ_EXCLUSIVE becomes READ in both: the page is shared now.', [...S03_1, e.fork], [at(0, 2), at(1, 3), at(2, 3, CHILD)]),
  spec('S08', 'fork() with a writable device-private entry', 'SWP_DEVICE_WRITE becomes SWP_DEVICE_READ in both; soft-dirty is dropped on purpose.', [...S02_2, e.fork], [at(0, 3), at(1, 4), at(2, 4, CHILD)]),
  spec('S09', 'fork() with a readable device-private entry', 'A SWP_DEVICE_READ entry is copied unchanged (soft-dirty kept).', [...S03_2, e.fork], [at(0, 4), at(1, 5), at(2, 5, CHILD)]),
  spec(
    'S10', 'fork() while a device-private page is mid-migration',
    'The migration entry of a device page: SWP_MIGRATION_READ before the series, SWP_MIGRATION_DEVICE_READ after it.',
    [...S02_3, e.fork], [at(0, 4), at(1, 5), at(2, 5, CHILD)],
  ),
  spec('S11', 'mprotect() over a writable migration entry', 'change_pte_range drops write: WRITE becomes READ_EXCLUSIVE (the folio is anon).', [...S02_1, e.mprotectRead], [at(0, 1), at(1, 2)]),
  spec('S12', 'mprotect() over a writable device-private entry', 'SWP_DEVICE_WRITE becomes SWP_DEVICE_READ; soft-dirty dropped.', [...S02_2, e.mprotectRead], [at(0, 3), at(1, 4)]),
  spec('S13', 'mprotect() while a device-private page is mid-migration', 'After the series: SWP_MIGRATION_DEVICE_WRITE becomes SWP_MIGRATION_DEVICE_READ_EXCLUSIVE.', [...S02_3, e.mprotectRead], [at(0, 4), at(1, 5)]),
  spec(
    'S14', 'A CPU touches a page while it migrates (RAM to RAM)',
    'The fault sleeps in migration_entry_wait; when the move finishes the PTE maps the new page, young and dirty carried over.',
    [e.write, { type: 'migrate_folio_unmap', pid: TASK, index: PTE }, e.read, { type: 'migrate_folio_move' }],
    [at(0, 1), at(1, 2), at(2, 3)],
  ),
  spec(
    'S15', 'migrate_vma_setup restore path: the page has an extra reference',
    'Collect installs a migration entry; the reference check fails; remove_migration_ptes(folio, folio) maps the same page again.',
    [e.write, { type: 'folio_get', pid: TASK, index: PTE }, e.toDevice],
    [at(0, 2, TASK, 'migrate_vma_collect_pmd'), at(1, 2)],
  ),
  spec(
    'S16', 'The restore path on a CPU whose migration entries cannot carry A/D',
    'migration_entry_supports_ad() is false (L1TF-capped swap size): the entry has no A/D and the page comes back old and clean.',
    [e.write, { type: 'folio_get', pid: TASK, index: PTE }, e.toDevice],
    [at(0, 0), at(1, 2, TASK, 'migrate_vma_collect_pmd'), at(2, 2)],
    { migrationAd: false },
  ),
  spec(
    'S17', 'The driver evicts a device-private page',
    'migrate_device_range -> try_to_migrate_one builds a migration entry from a non-present PTE (no A/D); finalize maps a new RAM page.',
    [...S02_2, { type: 'migrate_device_range', device: 0 }, { type: 'migrate_device_pages' }, { type: 'migrate_device_finalize' }],
    [at(0, 3), at(1, 4), at(2, 6)],
  ),
  spec(
    'S18', 'The device takes exclusive access, then the CPU faults',
    'make_device_exclusive leaves the page in RAM behind a SWP_DEVICE_EXCLUSIVE entry; a CPU fault restores an old, writable, dirty PTE.',
    [e.write, { type: 'make_device_exclusive', pid: TASK, start: PTE, pages: 1, device: 0 }, e.read],
    [at(0, 0), at(1, 1), at(2, 2)],
  ),
  spec('S19', 'Memory failure on a mapped anon page', 'try_to_unmap_one (TTU_HWPOISON) puts a hwpoison entry with no flag bits.', [e.write, { type: 'memory_failure', pid: TASK, index: PTE }], [at(0, 0), at(1, 1)]),
  spec('S20', 'An anon page swapped out to swap device 0, slot 0x42', 'A real swap entry: type 0, the slot as offset, exclusive and soft-dirty bits.', S20_1, [at(0, 0), at(1, 1)]),
  spec('S21', 'fork() of a swapped-out exclusive page', 'swap_duplicate; the parent\'s exclusive bit is cleared; the child gets the same entry.', [...S20_1, e.fork], [at(0, 1), at(1, 2), at(2, 2, CHILD)]),
  spec(
    'S22', 'PTE markers: uffd-wp, poisoned, guard',
    'Type 31 with no page behind it: the offset holds marker bits (uffd-wp 1, poisoned 2, guard 4). The only special type the series does not renumber.',
    [
      { type: 'uffd_wp', pid: TASK, start: 1, pages: 1, enable: true, unpopulated: true },
      { type: 'uffdio_poison', pid: TASK, index: 2 },
      { type: 'madvise_guard_install', pid: TASK, start: 3, pages: 1 },
    ],
    [{ step: 0, after: 0, pid: TASK, index: 1 }, { step: 1, after: 1, pid: TASK, index: 2 }, { step: 2, after: 2, pid: TASK, index: 3 }],
  ),
];
