/**
 * CPU faults (mm/memory.c): do_anonymous_page, do_fault, do_wp_page, and do_swap_page for each kind
 * of soft leaf (domain spec §d.2, §d.4): swap-in exclusive or shared, markers' signals, hwpoison's
 * SIGBUS, device-private pages brought back, migration entries waited on.
 */
import { describe, expect, it } from 'vitest';
import {
  ACCESSED, DIRTY, ev, has, M, NX, onDevice, P, pageChanges, present, RW, SAVED_DIRTY, SOFT_DIRTY, SPECIAL, SWP_SD, UFFD, USER, THP_SETUP,
} from '../../../../../test/machine.ts';
import { PTE_MARKER_GUARD, PTE_MARKER_POISONED, type PteMarker } from '../../../kernel/kernel.ts';
import { Draft } from '../../draft.ts';
import { view } from '../../entries.ts';
import type { Event } from '../../events.ts';
import { readPmd } from '../../pagetable.ts';
import type { MachineSetup } from '../../types.ts';
import { lockPage } from '../page_alloc.ts';
import { accessToCompletion, cpuFaultStep } from './fault.ts';

const access = (start: number, a: 'read' | 'write' | 'rmw', pages = 1, value?: number) => ({ type: 'cpu_access', pid: 1, start, pages, access: a, ...(value !== undefined ? { value } : {}) }) as const;

describe('first touch of an empty PTE', () => {
  it.each([
    ['v6.18', 'set_pte_at'],
    ['7.3', 'map_anon_folio_pte_nopf'],
  ] as const)('%s: a write in a private anon VMA maps a new zeroed page writable and dirty (S01, %s)', (profile, fn) => {
    const m = new M({ profile }).do(ev.write(1));
    expect(m.pte(1)).toBe(present(0x1234, NX | SOFT_DIRTY | DIRTY | ACCESSED | USER | RW | P));
    expect(m.fns()).toEqual(['handle_mm_fault', 'handle_pte_fault', 'do_anonymous_page', fn]);
    expect(m.page(0x1234)).toMatchObject({ allocated: true, anon: true, dirty: true, data: 0, mapcount: 1, anonExclusive: true });
    expect(m.why('handle_pte_fault')).toBe('the PTE is none.');
  });

  it('a read maps the shared zero page, read-only and special', () => {
    const m = new M().do(ev.read(1));
    expect(m.pte(1)).toBe(present(0x2c00, NX | SPECIAL | ACCESSED | USER | P));
    expect(m.why('do_anonymous_page')).toBe('read fault in an anonymous VMA: map the shared zero page read-only.');
    expect(m.page(0x1234).allocated).toBe(false);
  });

  it('a write after reading the zero page copies it (wp_page_copy) into a new writable page', () => {
    const m = new M().do(ev.read(1), ev.write(1));
    expect(m.pte(1)).toBe(present(0x1234, NX | SOFT_DIRTY | DIRTY | ACCESSED | USER | RW | P));
    expect(m.why('wp_page_copy')).toBe('zero page (pfn 0x2c00) is the zero page: copy it to a new page (copy-on-write).');
    expect(m.page(0x2c00).mapcount).toBe(0);
  });

  it('a private file mapping: a read maps the page-cache page read-only; a write copies it into an anon page (do_cow_fault)', () => {
    const m = new M().do(ev.mmap(8, 2, 'rw', false, true), ev.read(8));
    expect(m.pte(8)).toBe(present(0x1234, NX | ACCESSED | USER | P));
    expect(m.why('do_read_fault')).toBe('maps the page-cache page read-only.');
    expect(m.page(0x1234)).toMatchObject({ anon: false, dirty: false, anonExclusive: false });
    m.do(ev.write(9));
    expect(m.fns()).toEqual(['handle_mm_fault', 'handle_pte_fault', 'do_cow_fault', 'finish_fault']);
    expect(m.pte(9)).toBe(present(0x5678, NX | SOFT_DIRTY | DIRTY | ACCESSED | USER | RW | P));
    expect(m.page(0x5678)).toMatchObject({ anon: true, dirty: true, anonExclusive: true });
  });

  it('a shared mapping: a write maps the shared page writable and dirty, a read maps it clean', () => {
    const m = new M().do(ev.mmap(8, 2, 'rw', true), ev.write(8), ev.read(9));
    expect(m.pte(8)).toBe(present(0x1234, NX | SOFT_DIRTY | DIRTY | ACCESSED | USER | RW | P));
    expect(m.pte(9)).toBe(present(0x5678, NX | ACCESSED | USER | RW | P));
    expect(m.why('do_shared_fault')).toBe('maps the shmem page shared.');
    expect(new M().do(ev.mmap(8, 1, 'rw', true, true), ev.read(8)).why('do_shared_fault')).toBe('maps the page-cache page shared.');
  });

  it.each([
    ['outside every VMA', ev.read(9), 'no VMA covers PTE 9 of pid 1: the access would get SIGSEGV'],
    ['a write to a read-only VMA', ev.write(8), 'the VMA at PTE 8 is not writable: the write would get SIGSEGV'],
    ['a read of a PROT_NONE VMA', ev.read(9), 'the VMA at PTE 9 is PROT_NONE: the access would get SIGSEGV'],
  ] as const)('%s is a SIGSEGV, which the machine refuses', (w, e, reason) => {
    const m = new M();
    if (w !== 'outside every VMA') m.do(ev.mmap(8, 1, 'read'), ev.mmap(9, 1, 'none'));
    expect(m.refused(e)).toBe(reason);
  });

  it('a PTE outside the process range is refused before anything runs', () => {
    expect(new M().refused(ev.read(16))).toBe("PTEs 16..16 go past pid 1's range of 16 PTEs");
    expect(new M().refused(access(15, 'read', 2))).toBe("PTEs 15..16 go past pid 1's range of 16 PTEs");
    expect(new M().refused(access(0, 'read', 17))).toBe("PTEs 0..16 go past pid 1's range of 16 PTEs");
    // the last PTE of the range is inside it: what stops this access is the missing VMA
    expect(new M().refused(ev.read(15))).toBe('no VMA covers PTE 15 of pid 1: the access would get SIGSEGV');
    expect(new M().refused({ type: 'fork', pid: 2 })).toBe('there is no process 2');
  });
});

describe('a present PTE: the MMU or do_wp_page', () => {
  it('a read of an old PTE: no fault, the hardware sets Accessed', () => {
    const m = new M().do(ev.write(1), ev.fork(), ev.read(1, 2));
    expect(m.fns()).toEqual(['hardware']);
    expect(m.why('hardware')).toBe('no fault: the MMU walks the page table and sets Accessed itself.');
    expect(has(m.pte(1, 2), ACCESSED)).toBe(true);
  });

  it('a write to a writable clean PTE: the hardware sets Dirty, not soft-dirty', () => {
    const m = new M().do(ev.mmap(8, 1, 'rw', true), ev.read(8), ev.write(8));
    expect(m.why('hardware')).toBe('no fault: the MMU walks the page table and sets Accessed and Dirty itself.');
    expect(m.pte(8)).toBe(present(0x1234, NX | DIRTY | ACCESSED | USER | RW | P));
  });

  it('a write to a read-only PTE of an exclusive page reuses it in place (wp_page_reuse)', () => {
    // back from the device through a READ_EXCLUSIVE entry: exclusive, but mapped read-only in a RW VMA
    const m = new M().do(ev.write(1), ev.mprotect(0, 8, 'read'), ev.toDevice(1), ev.pages(), ev.finalize(), ev.mprotect(0, 8, 'rw'), access(1, 'read'));
    expect(has(m.pte(1), RW)).toBe(false);
    expect(m.page(0x5678).anonExclusive).toBe(true);
    m.do(ev.write(1));
    expect(m.fns()).toEqual(['handle_mm_fault', 'handle_pte_fault', 'do_wp_page', 'wp_page_reuse']);
    expect(m.pte(1)).toBe(present(0x5678, NX | SOFT_DIRTY | DIRTY | ACCESSED | USER | RW | P));
    expect(m.why('handle_mm_fault')).toBe('write fault at PTE 1 of pid 1: the PTE is present but write-protected.');
  });

  it('after the child exits, the parent\'s write reuses the page it alone maps (wp_can_reuse_anon_folio)', () => {
    const m = new M().do(ev.write(1), ev.fork(), { type: 'exit', pid: 2 }, ev.write(1));
    expect(m.fns()).toEqual(['handle_mm_fault', 'handle_pte_fault', 'do_wp_page', 'wp_can_reuse_anon_folio', 'wp_page_reuse']);
    expect(m.pte(1)).toBe(present(0x1234, NX | SOFT_DIRTY | DIRTY | ACCESSED | USER | RW | P));
    expect(m.page(0x1234)).toMatchObject({ anonExclusive: true, mapcount: 1 });
    expect(m.why('wp_page_reuse')).toBe('pfn 0x1234 is exclusive to this process: make the PTE writable in place.');
  });

  it.each([
    ['still mapped by the child', [] as const],
    ['held by an extra reference', [ev.get(1)] as const],
  ])('a page %s is copied on write (wp_page_copy); the copy has the data', (_w, extra) => {
    const m = new M().do(access(1, 'write', 1, 5), ev.fork(), ...extra);
    if (extra.length) m.do({ type: 'exit', pid: 2 });
    m.do(ev.write(1));
    expect(m.fns()).toContain('wp_page_copy');
    expect(m.why('wp_page_copy')).toBe('pfn 0x1234 is shared: copy it to a new page (copy-on-write).');
    expect(m.pte(1)).toBe(present(0x5678, NX | SOFT_DIRTY | DIRTY | ACCESSED | USER | RW | P));
    expect(m.page(0x5678)).toMatchObject({ data: 5, anonExclusive: true, dirty: true });
  });

  it('a write-protected page-cache page in a private mapping is copied, never reused', () => {
    const m = new M().do(ev.mmap(8, 1, 'rw', false, true), ev.read(8), ev.write(8));
    expect(m.fns()).toContain('wp_page_copy');
    expect(m.page(0x1234)).toMatchObject({ mapcount: 0, allocated: false });
  });

  it('a page still in the swap cache is copied, not reused', () => {
    const m = new M().do(ev.write(1), ev.swapOut(1), ev.fork(), ev.read(1, 2));
    expect(m.page(0x5678)).toMatchObject({ mapcount: 1, swapSlot: 0x42 });
    m.do(ev.write(1, 2));
    expect(m.fns()).toContain('wp_page_copy');
  });
});

describe('do_swap_page: a real swap entry (swap-in)', () => {
  it('an exclusive entry comes back writable; a write fault makes it dirty; the slot is freed and the page dirty', () => {
    const m = new M().do(access(1, 'write', 1, 9), ev.swapOut(1), ev.write(1));
    expect(m.pte(1)).toBe(present(0x5678, NX | SOFT_DIRTY | DIRTY | ACCESSED | USER | RW | P));
    expect(m.fns()).toEqual(['handle_mm_fault', 'handle_pte_fault', 'do_swap_page', 'swapin_readahead', 'swap_free']);
    expect(m.why('do_swap_page')).toBe('pte_to_swp_entry() reads swapfile_0. _PAGE_SWP_EXCLUSIVE is set: map it writable and exclusive.');
    expect(m.slot(0x42)).toBeUndefined();
    expect(m.page(0x5678)).toMatchObject({ data: 9, dirty: true, anonExclusive: true, swapSlot: null, mapcount: 1 });
    m.consistent();
  });

  it('a read fault on an exclusive entry maps it writable but clean', () => {
    const m = new M().do(ev.write(1), ev.swapOut(1), ev.read(1));
    expect(m.pte(1)).toBe(present(0x5678, NX | SOFT_DIRTY | ACCESSED | USER | RW | P));
    expect(pageChanges(m.trace, m.pageId(0x5678))).toEqual(expect.arrayContaining(['swapin_readahead: read from swap slot 0x42']));
  });

  it('after fork the slot is shared: read-only and not exclusive; the second process finds the page in the swap cache', () => {
    const m = new M().do(ev.write(1), ev.fork(), ev.swapOut(1));
    expect(m.slot(0x42)?.count).toBe(2);
    m.do(ev.read(1, 1));
    expect(m.why('do_swap_page')).toMatch(/the slot is shared \(after fork\): map it read-only; a write will copy\.$/);
    expect(m.pte(1, 1)).toBe(present(0x5678, NX | SOFT_DIRTY | ACCESSED | USER | P));
    expect(m.page(0x5678)).toMatchObject({ anonExclusive: false, swapSlot: 0x42 });
    m.do(ev.read(1, 2));
    expect(m.fns()).toContain('swap_cache_get_folio');
    expect(m.why('swap_cache_get_folio')).toBe('pfn 0x5678 is still in the swap cache.');
    expect(m.slot(0x42)).toBeUndefined();
    expect(m.page(0x5678)).toMatchObject({ mapcount: 2, swapSlot: null, dirty: true });
  });

  it('a non-exclusive entry whose slot and page have no other user is mapped writable', () => {
    const m = new M().do(ev.write(1), ev.fork(), { type: 'exit', pid: 2 }, ev.swapOut(1));
    expect(m.decoded(1).swap?.exclusive).toBe(false);
    m.do(ev.read(1));
    expect(m.why('do_swap_page')).toMatch(/this is the only user of the slot: map it writable and exclusive\.$/);
    expect(has(m.pte(1), RW)).toBe(true);
  });

  it('a uffd-wp swap entry comes back uffd-wp and read-only, in a read-only VMA read-only', () => {
    const m = new M().do(ev.write(1), ev.uffdWp(1, 1, true), ev.swapOut(1), ev.read(1));
    expect(m.pte(1)).toBe(present(0x5678, NX | SOFT_DIRTY | UFFD | ACCESSED | USER | P));
    const r = new M().do(ev.write(1), ev.swapOut(1), ev.mprotect(0, 8, 'read'), ev.read(1));
    expect(r.pte(1)).toBe(present(0x5678, NX | SOFT_DIRTY | ACCESSED | USER | P));
  });

  it('the data survives the round trip', () => {
    const m = new M().do(access(1, 'write', 1, 1234), ev.swapOut(1), access(1, 'read'));
    expect(m.result.data).toEqual([1234]);
  });
});

describe('do_swap_page: the other soft leaves', () => {
  it('a hwpoison entry: VM_FAULT_HWPOISON, SIGBUS; the PTE stays', () => {
    const m = new M().do(ev.write(1), ev.poison(1));
    const hw = m.pte(1);
    m.do(ev.read(1));
    expect(m.result.signal).toBe('SIGBUS');
    expect(m.pte(1)).toBe(hw);
    expect(m.trace.at(-1)).toMatchObject({ fn: 'do_swap_page', why: 'a hwpoison entry: VM_FAULT_HWPOISON. The task gets SIGBUS.' });
    expect(new M().do(ev.write(1), ev.poison(1), access(0, 'read', 3)).result).toMatchObject({ signal: 'SIGBUS', data: [0] });
  });

  it.each([
    ['a guard marker', ev.guard(1), 'SIGSEGV', 'marker bits 4. PTE_MARKER_GUARD: a guard region. VM_FAULT_SIGSEGV.'],
    ['a poisoned marker', ev.uffdPoison(1), 'SIGBUS', 'marker bits 2. PTE_MARKER_POISONED: VM_FAULT_HWPOISON. The task gets SIGBUS.'],
  ] as const)('%s: %s', (_w, install, signal, why) => {
    for (const a of ['read', 'write'] as const) {
      const m = new M().do(install, a === 'read' ? ev.read(1) : ev.write(1));
      expect(m.result.signal).toBe(signal);
      expect(m.why('handle_pte_marker')).toBe(why);
      expect(m.type(1)).toBe('SWP_PTE_MARKER');
    }
  });

  it('a marker with both PTE_MARKER_POISONED and PTE_MARKER_GUARD bits: poisoned wins (handle_pte_marker checks it first)', () => {
    const m = new M();
    const d = new Draft(m.state);
    d.setPte({ pid: 1, index: 1 }, m.k.make_pte_marker((PTE_MARKER_POISONED | PTE_MARKER_GUARD) as PteMarker));
    expect(cpuFaultStep(d, { pid: 1, index: 1 }, 'read')).toEqual({ done: true, signal: 'SIGBUS' });
  });

  it('a device-private entry: read and write faults alike lock the page and start migrate_to_ram (S02 step 3)', () => {
    for (const a of ['read', 'write'] as const) {
      const m = onDevice().do(a === 'read' ? ev.read(1) : ev.write(1));
      expect(m.type(1)).toBe('SWP_MIGRATION_WRITE');
      expect(m.fns()).toEqual(expect.arrayContaining(['do_swap_page', 'migrate_to_ram', 'dmirror_devmem_fault', 'migrate_vma_setup']));
      expect(m.why('do_swap_page')).toMatch(/read and write faults are handled the same way: the memory is not CPU-addressable\.$/);
      expect(m.page(0x10)).toMatchObject({ locked: true });
      expect(m.state.migrations[0]).toMatchObject({ api: 'migrate_vma', origin: 'fault', to: 'ram', phase: 'collected' });
    }
  });

  it('an access runs migrate_to_ram to the end: the data is back in RAM and the device page is freed', () => {
    const m = new M().do(access(1, 'write', 1, 77), ev.toDevice(1), ev.pages(), ev.finalize(), access(1, 'rmw'));
    expect(m.result.data).toEqual([77]);
    expect(m.page(0x5678)).toMatchObject({ data: 78 });
    expect(m.page(0x10)).toMatchObject({ allocated: false, locked: false });
    expect(m.state.migrations).toEqual([]);
    m.consistent();
  });

  it('a device-exclusive entry: remove_device_exclusive_entry restores the PTE', () => {
    const m = new M().do(ev.write(1), ev.exclusive(1), ev.write(1));
    expect(m.why('remove_device_exclusive_entry')).toMatch(/^the device holds the page for atomics/);
    expect(has(m.pte(1), RW)).toBe(true);
  });

  it.each([
    ['write', [20, 20, 20]],
    ['rmw', [1, 2, 3]],
    ['read', [0, 1, 2]],
  ] as const)('cpu_access %s over a range faults every page to completion and reports what it read before', (a, after) => {
    const m = new M().do(access(0, 'write', 3), access(0, a, 3, 20));
    expect(m.result.data).toEqual([0, 1, 2]);
    expect(m.do(access(0, 'read', 3)).result.data).toEqual(after);
  });

  it('a write without a value stores the page index within the range', () => {
    const m = new M().do(access(2, 'write', 2), access(2, 'read', 2));
    expect(m.result.data).toEqual([0, 1]);
  });

  it('the second fault of a read-then-write stays a single event: cpu_access write on the zero page ends writable', () => {
    const m = new M().do(ev.read(1), access(1, 'write'));
    expect(has(m.pte(1), RW)).toBe(true);
    expect(m.pte(1) & SAVED_DIRTY).toBe(0n);
  });
});

describe('cpuFaultStep(): how far one fault takes an access', () => {
  const THP = THP_SETUP;
  const step1 = (m: M, index: number, a: 'read' | 'write') => cpuFaultStep(new Draft(m.state), { pid: 1, index }, a);

  it('faults that finish at once: first touch (4 KiB and THP), the MMU on a present PTE, a write-protect fault, a swap-in, a uffd-wp marker', () => {
    expect(step1(new M(), 1, 'write')).toEqual({ done: true });
    expect(step1(new M({ setup: THP, profile: '7.3' }), 7, 'write')).toEqual({ done: true });
    expect(step1(new M().do(ev.write(1)), 1, 'read')).toEqual({ done: true });
    expect(step1(new M().do(ev.write(1), ev.fork()), 1, 'write')).toEqual({ done: true });
    expect(step1(new M().do(ev.write(1), ev.swapOut(1)), 1, 'read')).toEqual({ done: true });
    expect(step1(new M().do(ev.uffdWp(1, 1, true, true)), 1, 'read')).toEqual({ done: true });
  });

  it('a migration entry waits; a guard marker is SIGSEGV, hwpoison SIGBUS; a device-private entry stops inside migrate_to_ram', () => {
    expect(step1(new M().do(ev.write(1), ev.unmap(1)), 1, 'read')).toEqual({ done: false, wait: 'migration' });
    expect(step1(new M().do(ev.guard(1)), 1, 'read')).toEqual({ done: true, signal: 'SIGSEGV' });
    expect(step1(new M().do(ev.write(1), ev.poison(1)), 1, 'read')).toEqual({ done: true, signal: 'SIGBUS' });
    const r = step1(onDevice(), 1, 'read');
    expect(r.done).toBe(false);
    expect(r).toHaveProperty('migration.api', 'migrate_vma');
  });

  it('a device-private page that is locked (already migrating): wait on the page lock and retry', () => {
    const m = onDevice();
    const d = new Draft(m.state);
    lockPage(d, m.pageId(0x10));
    expect(cpuFaultStep(d, { pid: 1, index: 1 }, 'read')).toEqual({ done: false, wait: 'migration' });
    expect(d.trace().map((t) => t.why).join(' ')).toContain('is locked (already migrating): wait on the page lock and retry.');
  });

  it('a device-private page migrate_vma_setup does not collect (an extra reference): the page is unlocked, nothing moves', () => {
    const m = onDevice();
    const d = new Draft(m.state);
    const id = m.pageId(0x10);
    d.setPage(id, { refs: 2 });
    expect(cpuFaultStep(d, { pid: 1, index: 1 }, 'read')).toEqual({ done: true });
    expect(d.page(id).locked).toBe(false);
    expect(view(d, { pid: 1, index: 1 }).kind).toBe('device-private');
    // the fault page is not trylocked again by migrate_vma_collect_pmd, nor unlocked by
    // migrate_device_unmap's restore (`fault_folio != folio`): do_swap_page locks and unlocks it
    expect(pageChanges(d.trace(), id)).toEqual(['do_swap_page: locked by do_swap_page (trylock)', 'do_swap_page: unlocked: nothing to migrate']);
  });

  it('an access to a device-private page that cannot migrate back (an extra reference) is refused: the kernel retries the fault, the CPU never reads it', () => {
    const m = onDevice();
    const d = new Draft(m.state);
    d.setPage(m.pageId(0x10), { refs: 2 });
    expect(() => accessToCompletion(d, { pid: 1, index: 1 }, 'read')).toThrow(/^the read at PTE 1 of pid 1 does not complete: the fault is retried while the device page cannot migrate back$/);
  });

  it('a cpu_fault leaves migrate_to_ram in flight with the page locked; migrate_vma_finalize leaves it locked, then do_swap_page unlocks and frees it', () => {
    const m = onDevice().do(ev.read(1));
    const id = m.pageId(0x10);
    expect(m.state.migrations[0]!.fault).toEqual({ page: id, pmd: false });
    expect(pageChanges(m.trace, id)).toEqual(['do_swap_page: locked by do_swap_page (trylock)']);
    m.do(ev.pages(), ev.finalize());
    expect(m.fns().slice(-1)).toEqual(['do_swap_page']);
    expect(m.why('do_swap_page')).toBe('migrate_to_ram() returned: unlock and put the faulting page.');
    expect(pageChanges(m.trace, id)).toEqual(['do_swap_page: unlocked (folio_unlock)', 'do_swap_page: freed']);
    expect(m.page(0x10)).toMatchObject({ allocated: false, locked: false });
    m.consistent();
  });

  it('a cpu_fault whose migration fails to allocate: finalize restores the device page, do_swap_page unlocks it and it stays', () => {
    const m = onDevice().do(ev.read(1), ev.pages(true), ev.finalize());
    expect(m.type(1)).toBe('SWP_DEVICE_WRITE');
    expect(pageChanges(m.trace, m.pageId(0x10))).toEqual(['do_swap_page: unlocked (folio_unlock)']);
    expect(m.page(0x10)).toMatchObject({ allocated: true, locked: false });
    m.consistent();
  });

  it('a swap entry whose slot is not in use is stale: refused ("Bad swap entry")', () => {
    const m = new M().do(ev.write(1), ev.swapOut(1));
    const d = new Draft(m.state);
    d.setPte({ pid: 1, index: 2 }, m.k.swp_entry_to_pte(m.k.swp_entry(0, 0x99n)));
    expect(() => cpuFaultStep(d, { pid: 1, index: 2 }, 'read')).toThrow(/swap slot 0x99 is not in use: a stale swap entry/);
  });

  it('a fault in a THP-enabled VMA whose PMD already holds a PTE table maps 4 KiB (pmd_none() is false)', () => {
    const setup: MachineSetup = { ...THP, processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: 1024, prot: 'rw' }] }] };
    const m = new M({ setup, profile: '7.3' }).do(ev.write(3), { type: 'madvise', pid: 1, start: 0, pages: 1024, advice: 'hugepage' }, ev.write(7));
    expect(readPmd(m.state.processes[0]!.ptes, 0)).toBe(0n);
    expect(m.decoded(7).kind).toBe('present');
    expect(m.fns()).toContain('do_anonymous_page');
  });
});

describe('the MMU, swap-in and markers, sentence by sentence', () => {
  const free = (start: number): Event => ({ type: 'madvise', pid: 1, start, pages: 1, advice: 'free' });

  it('a read through the MMU sets Accessed only; a write sets Dirty too', () => {
    const m = new M().do(ev.write(1), free(1), ev.read(1));
    expect(has(m.pte(1), ACCESSED)).toBe(true);
    expect(has(m.pte(1), DIRTY)).toBe(false);
    m.do(ev.write(1));
    expect(has(m.pte(1), DIRTY)).toBe(true);
  });

  it('a write to a swapped-in page still in the swap cache for another process\'s entry copies it (wp_can_reuse_anon_folio: the swap count pins it)', () => {
    const m = new M().do(ev.write(1), ev.fork(), ev.swapOut(1), ev.read(1));
    expect(m.why('swapin_readahead')).toBe('reads swap slot 0x42 into a new page.');
    const cached = m.pte(1);
    m.do(ev.write(1));
    expect(m.fns()).toContain('wp_page_copy');
    expect(m.pte(1) >> 12n & 0xfffffn).not.toBe(cached >> 12n & 0xfffffn);
    expect(m.decoded(1, 2).kind).toBe('swap');
    m.do(ev.read(1, 2));
    expect(m.why('swap_cache_get_folio')).toMatch(/^pfn 0x[0-9a-f]+ is still in the swap cache\.$/);
  });

  it('swap-in keeps a swap PTE without soft-dirty clean of it: fork dropped it from the device-private entry (S19 path)', () => {
    const m = onDevice().do(ev.fork());
    expect(has(m.pte(1), SWP_SD)).toBe(false);
    m.do(access(1, 'read'), ev.swapOut(1), ev.read(1));
    expect(m.decoded(1).kind).toBe('present');
    expect(has(m.pte(1), SOFT_DIRTY)).toBe(false);
  });

  it('a uffd-wp marker: a read maps the page and keeps uffd-wp; a write goes to the userfaultfd handler', () => {
    const m = new M().do(ev.uffdWp(1, 1, true, true));
    expect(m.decoded(1).kind).toBe('pte-marker');
    expect(m.refused(ev.write(1))).toBe('a write to a uffd-wp marker goes to the userfaultfd handler (handle_userfault); unprotect first');
    m.do(ev.read(1));
    expect(m.why('pte_marker_handle_uffd_wp')).toBe('not write-protected for this access: the marker is treated as a missing page.');
    expect(m.decoded(1).kind).toBe('present');
    expect(has(m.pte(1), UFFD)).toBe(true);
  });

  it('series: a CPU fault on a device migration entry (SWP_MIGRATION_DEVICE_*) waits like any migration entry', () => {
    const m = onDevice({ profile: 'series' }).do(ev.fromDevice(1));
    expect(m.type(1)).toMatch(/^SWP_MIGRATION_DEVICE_/);
    expect(m.refused(access(1, 'read'))).toBe('PTE 1 of pid 1 is under migration: the access sleeps in migration_entry_wait until migrate_*_finalize runs');
  });
});

describe('accessToCompletion(): an access run to the end (cpu_access, GUP, the device)', () => {
  const hmm = (type: 'hmm_read' | 'hmm_write', start: number, pages = 1): Event => ({ type, pid: 1, start, pages, device: 0 });

  it('no fault for a read of a young PTE or a write to a writable dirty one: nothing is traced', () => {
    const m = new M().do(ev.write(1), access(1, 'read'));
    expect(m.fns()).not.toContain('hardware');
    m.do(access(1, 'write'));
    expect(m.fns()).not.toContain('hardware');
  });

  it('a read of a young read-only PTE (shared after fork) needs no fault either', () => {
    const m = new M().do(ev.write(1), ev.fork(), access(1, 'read'));
    expect(m.fns()).toEqual([]);
  });

  it('the CPU taking back a device-exclusive page: restore_exclusive_pte gives a writable PTE, no uffd-wp where the entry had none', () => {
    const m = new M().do(ev.write(1), ev.exclusive(1), access(1, 'read'));
    expect(m.fns()).toContain('restore_exclusive_pte');
    expect(has(m.pte(1), RW)).toBe(true);
    expect(has(m.pte(1), UFFD)).toBe(false);
  });

  it('a write to a page shared after fork faults (COW) until the PTE is writable', () => {
    const m = new M().do(ev.write(1), ev.fork(), access(1, 'write'));
    expect(m.fns()).toContain('wp_page_copy');
    expect(has(m.pte(1), RW)).toBe(true);
    expect(m.pte(1)).not.toBe(m.pte(1, 2));
  });

  it('a write to a page swapped in shared (the slot still used by the child) faults again to copy it', () => {
    const m = new M().do(ev.write(1), ev.fork(), ev.swapOut(1), access(1, 'write'));
    expect(m.fns()).toEqual(expect.arrayContaining(['swapin_readahead', 'wp_page_copy']));
    expect(has(m.pte(1), RW | DIRTY)).toBe(true);
  });

  it('a write to a THP write-protected by fork: do_huge_pmd_wp_page until the mapping is writable', () => {
    const m = new M({ setup: THP_SETUP, profile: '7.3' }).do(ev.write(7), ev.fork(), hmm('hmm_write', 7));
    expect(m.fns()).toContain('do_huge_pmd_wp_page');
    const pmd = readPmd(m.state.processes[0]!.ptes, 7);
    expect(pmd === 0n ? has(m.pte(7), RW) : has(pmd, RW)).toBe(true);
  });

  it('an access to a PMD under migration sleeps (pmd_migration_entry_wait): refused until the migration ends', () => {
    const m = new M({ setup: THP_SETUP, profile: '7.3' }).do(ev.write(7), ev.unmap(7));
    expect(m.refused(access(3, 'read'))).toBe('the PMD at PTE 3 of pid 1 is under migration: the access sleeps in pmd_migration_entry_wait until migrate_*_finalize runs');
  });
});
