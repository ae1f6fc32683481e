/**
 * fork's page-table copy (mm/memory.c copy_pte_range): what each kind of entry becomes in the parent
 * and in the child (domain spec §d.3 "fork", §d.4), with the flags each path keeps or drops.
 * Expected PTE values are written from the x86 bit layout (spec §c.1), not read from the model.
 */
import { describe, expect, it } from 'vitest';
import {
  ACCESSED, DIRTY, ev, has, M, onDevice, P, present, RW, SAVED_DIRTY, SOFT_DIRTY, SPECIAL, SWP_EXCL, SWP_SD, SWP_UFFD, swapPte, UFFD, USER, NX,
} from '../../../../../test/machine.ts';

const PARENT = 1;
const CHILD = 2;

describe('fork: present PTEs (copy_present_ptes)', () => {
  it('a writable private anon PTE is write-protected in both; Dirty moves to SavedDirty; the child is old; the page is shared', () => {
    const m = new M().do(ev.write(1), ev.fork());
    expect(m.pte(1, PARENT)).toBe(present(0x1234, NX | SAVED_DIRTY | SOFT_DIRTY | ACCESSED | USER | P));
    expect(m.pte(1, CHILD)).toBe(present(0x1234, NX | SAVED_DIRTY | SOFT_DIRTY | USER | P));
    expect(m.page(0x1234)).toMatchObject({ mapcount: 2, anonExclusive: false });
    expect(m.fns()).toEqual(expect.arrayContaining(['dup_mmap', 'copy_page_range', 'copy_present_ptes', 'wrprotect_ptes', '__copy_present_ptes']));
    m.consistent();
  });

  it('the child gets the next pid, named after its parent', () => {
    const m = new M().do(ev.fork());
    expect(m.state.processes.map((p) => [p.pid, p.name, p.alive])).toEqual([[1, 'parent', true], [2, 'child', true]]);
    expect(m.result.note).toBe('child pid 2');
    m.do(ev.fork(2));
    expect(m.state.processes.map((p) => [p.pid, p.name])).toEqual([[1, 'parent'], [2, 'child'], [3, "child's child"]]);
  });

  it('a pid freed by exit is not reused', () => {
    const m = new M().do(ev.fork(), { type: 'exit', pid: 2 }, ev.fork());
    expect(m.state.processes.map((p) => p.pid)).toEqual([1, 2, 3]);
  });

  it('a read-only private PTE stays as it is in the parent (no wrprotect_ptes); the child is old', () => {
    const m = new M().do(ev.write(1), ev.mprotect(0, 8, 'read'));
    const before = m.pte(1);
    m.do(ev.fork());
    expect(m.pte(1, PARENT)).toBe(before);
    expect(m.pte(1, CHILD)).toBe(before & ~ACCESSED);
    expect(m.fns()).not.toContain('wrprotect_ptes');
  });

  it('a shared mapping is not write-protected; the child copy is clean and old (pte_mkclean for VM_SHARED)', () => {
    const m = new M().do(ev.mmap(8, 2, 'rw', true), ev.write(8));
    const parent = m.pte(8);
    expect(parent).toBe(present(0x1234, NX | SOFT_DIRTY | DIRTY | ACCESSED | USER | RW | P));
    m.do(ev.fork());
    expect(m.pte(8, PARENT)).toBe(parent);
    expect(m.pte(8, CHILD)).toBe(present(0x1234, NX | SOFT_DIRTY | USER | RW | P));
    expect(m.why('__copy_present_ptes')).toMatch(/clean and old\.$/);
    expect(m.page(0x1234).mapcount).toBe(2);
  });

  it('a private file page is write-protected like anon memory, but has no PageAnonExclusive to share', () => {
    const m = new M().do(ev.mmap(8, 2, 'rw', false, true), ev.read(8), ev.fork());
    expect(m.page(0x1234)).toMatchObject({ anon: false, mapcount: 2, anonExclusive: false });
    expect(has(m.pte(8, CHILD), RW)).toBe(false);
  });

  it('the child never inherits uffd-wp on a present PTE (the child VMA is not registered)', () => {
    const m = new M().do(ev.write(1), ev.uffdWp(1, 1, true), ev.fork());
    expect(has(m.pte(1, PARENT), UFFD)).toBe(true);
    expect(has(m.pte(1, CHILD), UFFD)).toBe(false);
    expect(m.state.processes[1]!.vmas.every((v) => !v.uffdWp && !v.uffdWpUnpopulated)).toBe(true);
    expect(m.state.processes[0]!.vmas.some((v) => v.uffdWp)).toBe(true);
  });

  it('the shared zero page is mapped in the child without touching its mapcount', () => {
    const m = new M().do(ev.read(1), ev.fork());
    const zero = m.page(0x2c00);
    expect(m.pte(1, CHILD)).toBe(present(0x2c00, NX | SPECIAL | USER | P));
    expect([zero.kind, zero.mapcount]).toEqual(['zero', 0]);
  });
});

describe('fork: a maybe-DMA-pinned exclusive anon page is copied now (copy_present_page)', () => {
  it('the child gets its own dirty writable copy with the same data; the parent keeps its writable PTE and exclusive page', () => {
    const m = new M().do({ type: 'cpu_access', pid: 1, start: 1, pages: 1, access: 'write', value: 42 }, ev.pin(1));
    const parentPte = m.pte(1);
    m.do(ev.fork());
    expect(m.fns()).toContain('copy_present_page');
    expect(m.pte(1, PARENT)).toBe(parentPte);
    expect(m.pte(1, CHILD)).toBe(present(0x5678, NX | SOFT_DIRTY | DIRTY | ACCESSED | USER | RW | P));
    expect(m.page(0x1234)).toMatchObject({ mapcount: 1, anonExclusive: true, pins: 1, data: 42 });
    expect(m.page(0x5678)).toMatchObject({ mapcount: 1, anonExclusive: true, dirty: true, data: 42, allocated: true });
    m.consistent();
  });

  it('a read-only VMA gets a read-only copy', () => {
    const m = new M().do(ev.write(1), ev.pin(1), ev.mprotect(0, 8, 'read'), ev.fork());
    expect(m.pte(1, CHILD)).toBe(present(0x5678, NX | SOFT_DIRTY | ACCESSED | USER | P) | SAVED_DIRTY);
  });

  it('a pin on a shared mapping does not copy: shared pages are shared anyway', () => {
    const m = new M().do(ev.mmap(8, 1, 'rw', true), ev.write(8), ev.pin(8), ev.fork());
    expect(m.fns()).not.toContain('copy_present_page');
    expect(m.page(0x1234).mapcount).toBe(2);
  });

  it('a plain extra reference (FOLL_GET) does not copy', () => {
    const m = new M().do(ev.write(1), ev.get(1), ev.fork());
    expect(m.fns()).not.toContain('copy_present_page');
    expect(m.pte(1, CHILD) >> 12n & 0xffffffffffn).toBe(0x1234n);
  });

  it('a pinned page that is no longer exclusive is shared, not copied', () => {
    // after a first fork the page is shared; the second fork cannot break what the first did
    const m = new M().do(ev.write(1), ev.fork(), ev.pin(1, 2));
    expect(m.page(0x1234).anonExclusive).toBe(false);
    // the pin's write fault copied the page for the child (COW): pid 2 now holds 0x5678 exclusive
    m.do(ev.fork(1));
    expect(m.fns()).not.toContain('copy_present_page');
  });
});

describe('fork: swap entries (copy_nonpresent_pte)', () => {
  it('swap_duplicate() raises the slot count; the parent loses _PAGE_SWP_EXCLUSIVE; both keep soft-dirty (S21)', () => {
    const m = new M().do(ev.write(1), ev.swapOut(1));
    expect(m.pte(1)).toBe(swapPte(0, 0x42n, SWP_EXCL | SWP_SD));
    expect(m.slot(0x42)?.count).toBe(1);
    m.do(ev.fork());
    expect(m.pte(1, PARENT)).toBe(swapPte(0, 0x42n, SWP_SD));
    expect(m.pte(1, CHILD)).toBe(swapPte(0, 0x42n, SWP_SD));
    expect(m.slot(0x42)?.count).toBe(2);
    expect(m.why('copy_nonpresent_pte')).toMatch(/_PAGE_SWP_EXCLUSIVE is cleared/);
    m.consistent();
  });

  it('a shared swap entry is copied as is and counted once more', () => {
    const m = new M().do(ev.write(1), ev.swapOut(1), ev.fork(), ev.fork(2));
    expect(m.slot(0x42)?.count).toBe(3);
    expect(m.pte(1, 3)).toBe(swapPte(0, 0x42n, SWP_SD));
    expect(m.why('copy_nonpresent_pte')).not.toMatch(/EXCLUSIVE/);
  });

  it('the child drops the swap uffd-wp bit; the parent keeps it', () => {
    const m = new M().do(ev.write(1), ev.uffdWp(1, 1, true), ev.swapOut(1), ev.fork());
    expect(has(m.pte(1, PARENT), SWP_UFFD)).toBe(true);
    expect(m.pte(1, CHILD)).toBe(swapPte(0, 0x42n, SWP_SD));
  });

  it('after fork each process swaps the page in read-only; the last one to fault it in frees the slot', () => {
    const m = new M().do(ev.write(1), ev.swapOut(1), ev.fork(), ev.read(1, CHILD));
    expect(m.slot(0x42)?.count).toBe(1);
    expect(has(m.pte(1, CHILD), RW)).toBe(false);
    m.do(ev.read(1, PARENT));
    expect(m.slot(0x42)).toBeUndefined();
    expect(m.pte(1, PARENT) >> 12n & 0xffffffffffn).toBe(m.pte(1, CHILD) >> 12n & 0xffffffffffn);
    m.consistent();
  });
});

describe('fork: migration entries', () => {
  it.each([
    ['a writable migration entry (S06)', 'rw', 'SWP_MIGRATION_WRITE'],
    ['a read-exclusive migration entry (S07)', 'read', 'SWP_MIGRATION_READ_EXCLUSIVE'],
  ] as const)('%s becomes SWP_MIGRATION_READ in parent and child, keeping PFN, A/D and soft-dirty', (_w, prot, type) => {
    const m = new M().do(ev.write(1), ev.mprotect(0, 8, prot), ev.toDevice(1));
    expect(m.type(1)).toBe(type);
    const before = m.decoded(1).swap!;
    m.do(ev.fork());
    for (const pid of [PARENT, CHILD]) {
      const s = m.decoded(1, pid).swap!;
      expect([s.typeName, s.pfn, s.migration?.young, s.migration?.dirty, s.softDirty]).toEqual(['SWP_MIGRATION_READ', 0x1234, true, true, true]);
      expect(s.offset).toBe(before.offset);
    }
  });

  it('a readable migration entry is copied as is', () => {
    const m = new M().do(ev.write(1), ev.fork(), ev.unmap(1));
    expect([m.type(1, PARENT), m.type(1, CHILD)]).toEqual(['SWP_MIGRATION_READ', 'SWP_MIGRATION_READ']);
    const before = m.pte(1, PARENT);
    m.do(ev.fork(PARENT));
    expect(m.pte(1, PARENT)).toBe(before);
    expect(m.pte(1, 3)).toBe(before);
    expect(m.why('copy_nonpresent_pte')).toBe('a readable migration entry: copied as is.');
  });

  it('the child joins the migration: finalize remaps the child too (read-only, not exclusive)', () => {
    const m = new M().do(ev.write(1), ev.toDevice(1), ev.fork(), ev.pages(), ev.finalize());
    expect([m.type(1, PARENT), m.type(1, CHILD)]).toEqual(['SWP_DEVICE_READ', 'SWP_DEVICE_READ']);
    expect(m.page(0x10)).toMatchObject({ mapcount: 2, anonExclusive: false });
    m.consistent();
  });

  it('uffd-wp on a migration entry stays with the parent and is dropped in the child', () => {
    const m = new M().do(ev.write(1), ev.uffdWp(1, 1, true), ev.toDevice(1));
    expect(m.type(1)).toBe('SWP_MIGRATION_READ_EXCLUSIVE');
    m.do(ev.fork());
    expect([m.decoded(1, PARENT).swap!.uffdWp, m.decoded(1, CHILD).swap!.uffdWp]).toEqual([true, false]);
    expect(m.type(1, CHILD)).toBe('SWP_MIGRATION_READ');
  });

  it('in a shared mapping a writable migration entry stays writable in both', () => {
    const m = new M().do(ev.mmap(8, 1, 'rw', true), ev.write(8), ev.unmap(8));
    expect(m.type(8)).toBe('SWP_MIGRATION_WRITE');
    m.do(ev.fork());
    expect([m.type(8, PARENT), m.type(8, CHILD)]).toEqual(['SWP_MIGRATION_WRITE', 'SWP_MIGRATION_WRITE']);
    m.do(ev.move());
    expect(has(m.pte(8, PARENT), RW) && has(m.pte(8, CHILD), RW)).toBe(true);
  });

  it.each([
    ['rfc', 'SWP_MIGRATION_DEVICE_WRITE', 'SWP_MIGRATION_DEVICE_READ'],
    ['series', 'SWP_MIGRATION_DEVICE_WRITE', 'SWP_MIGRATION_DEVICE_READ'],
    ['v6.18', 'SWP_MIGRATION_WRITE', 'SWP_MIGRATION_READ'],
  ] as const)('%s: a device page mid-migration (%s) becomes %s in both (S10)', (profile, from, to) => {
    const m = onDevice({ profile }).do(ev.fromDevice(1));
    expect(m.type(1)).toBe(from);
    m.do(ev.fork());
    expect([m.type(1, PARENT), m.type(1, CHILD)]).toEqual([to, to]);
    expect(m.decoded(1, CHILD).swap!.pfn).toBe(0x10);
    if (profile === 'series') expect(m.fns()).toEqual(expect.arrayContaining(['make_readable_migration_entry_from_page', 'make_readable_migration_device_private_entry']));
  });
});

describe('fork: device-private entries', () => {
  it('SWP_DEVICE_WRITE becomes SWP_DEVICE_READ in both; soft-dirty is dropped; the device page is mapped twice (S08)', () => {
    const m = onDevice();
    expect(m.decoded(1).swap).toMatchObject({ typeName: 'SWP_DEVICE_WRITE', softDirty: true });
    m.do(ev.fork());
    for (const pid of [PARENT, CHILD]) expect(m.decoded(1, pid).swap).toMatchObject({ typeName: 'SWP_DEVICE_READ', softDirty: false, pfn: 0x10 });
    expect(m.page(0x10)).toMatchObject({ mapcount: 2, anonExclusive: false });
    expect(m.fns()).toContain('make_readable_device_private_entry');
    m.consistent();
  });

  it('SWP_DEVICE_READ is copied unchanged, soft-dirty kept (S09)', () => {
    const m = new M().do(ev.write(1), ev.mprotect(0, 8, 'read'), ev.toDevice(1), ev.pages(), ev.finalize());
    const before = m.pte(1);
    expect(m.decoded(1).swap).toMatchObject({ typeName: 'SWP_DEVICE_READ', softDirty: true });
    m.do(ev.fork());
    expect([m.pte(1, PARENT), m.pte(1, CHILD)]).toEqual([before, before]);
    expect(m.fns()).not.toContain('make_readable_device_private_entry');
  });

  it('uffd-wp on a device-private entry is kept in the parent, dropped in the child', () => {
    const m = onDevice().do(ev.uffdWp(1, 1, true));
    expect(m.decoded(1).swap).toMatchObject({ typeName: 'SWP_DEVICE_READ', uffdWp: true });
    m.do(ev.fork());
    expect([m.decoded(1, PARENT).swap!.uffdWp, m.decoded(1, CHILD).swap!.uffdWp]).toEqual([true, false]);
  });
});

describe('fork: other soft leaves', () => {
  it('a device-exclusive entry is first restored in the parent, then copied as a present PTE', () => {
    const m = new M().do(ev.write(1), ev.exclusive(1));
    expect(m.type(1)).toBe('SWP_DEVICE_EXCLUSIVE');
    m.do(ev.fork());
    expect(m.fns()).toEqual(expect.arrayContaining(['try_restore_exclusive_pte', 'restore_exclusive_pte', 'copy_present_ptes', 'wrprotect_ptes']));
    expect(m.pte(1, PARENT)).toBe(present(0x1234, NX | SAVED_DIRTY | SOFT_DIRTY | USER | P));
    expect(m.pte(1, CHILD)).toBe(present(0x1234, NX | SAVED_DIRTY | SOFT_DIRTY | USER | P));
    expect(m.state.devices[0]!.mirror).toEqual({});
    expect(m.page(0x1234).mapcount).toBe(2);
    m.consistent();
  });

  it('a hwpoison entry is copied to the child as is', () => {
    const m = new M().do(ev.write(1), ev.poison(1));
    const hw = m.pte(1);
    m.do(ev.fork());
    expect([m.pte(1, PARENT), m.pte(1, CHILD)]).toEqual([hw, hw]);
    expect(m.type(1, CHILD)).toBe('SWP_HWPOISON');
  });

  it.each([
    ['a uffd-wp marker is dropped (the child VMA is not uffd-wp registered)', (m: M) => m.do(ev.uffdWp(1, 1, true, true)), 'none', 'nothing'],
    ['a poisoned marker is kept', (m: M) => m.do(ev.uffdPoison(1)), 'SWP_PTE_MARKER', 'poisoned/guard markers'],
    ['a guard marker is kept', (m: M) => m.do(ev.guard(1)), 'SWP_PTE_MARKER', 'poisoned/guard markers'],
  ] as const)('copy_pte_marker: %s', (_w, setup, childType, keeps) => {
    const m = setup(new M());
    const parent = m.pte(1);
    m.do(ev.fork());
    expect(m.pte(1, PARENT)).toBe(parent);
    expect(m.type(1, CHILD)).toBe(childType);
    if (childType !== 'none') expect(m.pte(1, CHILD)).toBe(parent);
    expect(m.why('copy_pte_marker')).toMatch(new RegExp(`^keeps ${keeps.replace('/', '\\/')};`));
  });

  it('empty PTEs stay empty and untouched PTEs are not copied', () => {
    const m = new M().do(ev.write(1), ev.fork());
    for (let i = 0; i < 16; i++) if (i !== 1) expect(m.pte(i, CHILD)).toBe(0n);
  });
});
