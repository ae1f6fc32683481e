/**
 * Scenarios S23–S31, which the spec leaves to us to derive (their values are checked in the tests
 * from the encoding rules), and X01, the bug the series prevents. A built-in's id and events never
 * change (links name them): S30, which once handed out swap slot 0, is kept and marked superseded
 * by S31.
 */
import type { Event } from '../machine/events.ts';
import type { MachineSetup } from '../machine/types.ts';
import { SPEC_SETUP } from './spec.ts';
import type { Scenario } from './types.ts';

const T = 1;
const base: MachineSetup = SPEC_SETUP;

const write = (index = 1): Event => ({ type: 'cpu_fault', pid: T, index, access: 'write' });
const read = (index = 1): Event => ({ type: 'cpu_fault', pid: T, index, access: 'read' });
const toDevice = (index = 1): Event => ({ type: 'migrate_vma_setup', pid: T, start: index, pages: 1, select: 'system', device: 0 });
const pages: Event = { type: 'migrate_vma_pages' };
const finalize: Event = { type: 'migrate_vma_finalize' };
const roundTrip = [write(), toDevice(), pages, finalize, read(), pages, finalize];

function sc(id: string, title: string, description: string, events: Event[], extra: Partial<Scenario> = {}): Scenario {
  return { schema: 1, id, title, description, source: 'derived from the spec\'s rules (§e, S23–S30)', setup: base, events, focus: { pid: T, index: 1 }, ...extra };
}

/** Two RAM pages and a device page that share the number 0x10 after the series. */
const twoSpaces: MachineSetup = { ...base, ram: ['0x1234', '0x10', '0x5678'], devices: [{ first: '0x10', physFirst: '0x3ffff0010', pages: 16 }] };
const twoSpacesEvents = [write(1), write(2), toDevice(1), pages, finalize, read(1)];

export const DERIVED_SCENARIOS: readonly Scenario[] = [
  sc('S23', 'The largest PFN', 'The device round trip for RAM PFN 0x3ffffffff, the largest SWP_PFN_MASK allows with 4-level paging: A/D sit right above it.', roundTrip,
    { setup: { ...base, ram: ['0x3ffffffff', '0x5678'] } }),
  sc('S24', '5-level paging', 'The same round trip with MAX_PHYSMEM_BITS 52: SWP_PFN_BITS is 40, so young/dirty move to offset bits 40/41.', roundTrip, { paging: 5 }),
  sc('S25', 'Realistic pre-series device PFNs', 'Before the series the device page takes a PFN near the top of the physical space (request_free_mem_region); after it, offset 0x10 in its own space.', roundTrip,
    { setup: { ...base, devices: [{ first: '0x10', physFirst: '0x3ffff0010', pages: 16 }] } }),
  sc('S26', 'The same number in two PFN spaces', 'After the series, RAM pfn 0x10 and device offset 0x10 both exist; only the swap type tells which one a migration entry means.',
    [...twoSpacesEvents, { type: 'migrate_folio_unmap', pid: T, index: 2 }], { setup: twoSpaces }),
  sc('S27', 'A device page inserted into an empty PTE', 'migrate_vma_setup on a none PTE collects a hole; migrate_vma_insert_page writes the device entry directly, with no soft-dirty bit.',
    [toDevice(), pages, finalize]),
  sc('S28', 'PROT_NONE and the inverted PFN', 'mprotect(PROT_NONE) keeps the page but clears _PAGE_PRESENT: the PFN is stored inverted, like a swap offset; mprotect back restores it.',
    [write(), { type: 'mprotect', pid: T, start: 0, pages: 512, prot: 'none' }, { type: 'mprotect', pid: T, start: 0, pages: 512, prot: 'rw' }]),
  sc('S29', 'uffd-wp over a migration entry', 'UFFDIO_WRITEPROTECT goes through change_pte_range too: a writable migration entry becomes READ_EXCLUSIVE and gets the swap uffd-wp bit.',
    [write(), toDevice(), { type: 'uffd_wp', pid: T, start: 1, pages: 1, enable: true }]),
  sc('S30', 'swp_entry(0, 0) (superseded by S31)',
    'Superseded by S31. This scenario asked the allocator for swap slot 0, which the kernel never hands out: slot 0 holds the swap header. It still opens, but its page gets slot 1; S31 shows swp_entry(0, 0) as what it is, an encoding no swapped-out page has.',
    [write(), { type: 'swap_out', pid: T, start: 1, pages: 1 }], { setup: { ...base, swapFirstSlot: '0x0' } }),
  sc('S31', 'Swap slot 0 is the header: swp_entry(0, 0) is an encoding only',
    'The allocator hands out slot 1 first, because slot 0 of a swap device holds the swap header: this page gets swp_entry(0, 1). swp_entry(0, 0) is still a valid encoding, PTE 0x07fffffffffffe00, not none because the offset is stored inverted (7.3\'s softleaf_type() even calls it SOFTLEAF_NONE): set bit 9 of the swapped-out PTE in the bit layout to see it. No page ever has it.',
    [write(), { type: 'swap_out', pid: T, start: 1, pages: 1 }], { setup: { ...base, swapFirstSlot: '0x1' } }),
  sc('X01', 'The bug the series prevents', 'Device pages in their own space but no new swap types: the migration entry for device offset 0x10 says "RAM pfn 0x10" and names another process page. Watch the invariant fire.',
    twoSpacesEvents, { setup: twoSpaces, profile: 'no-new-types', source: 'RFC cover letter and patch 4/6: why the SWP_MIGRATION_DEVICE_* types are needed' }),
];
