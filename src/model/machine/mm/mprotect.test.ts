/**
 * mprotect (mm/mprotect.c change_pte_range / change_softleaf_pte) and the userfaultfd ioctls that
 * drive the same walk (mm/userfaultfd.c): what each kind of entry becomes (domain spec §d.3
 * "mprotect", §d.4). Expected PTE values follow the x86 layout and pte_modify() (spec §c.1).
 */
import { describe, expect, it } from 'vitest';
import {
  ACCESSED, DIRTY, ev, has, M, NX, onDevice, P, present, PROTNONE, RW, SAVED_DIRTY, SOFT_DIRTY, SWP_SD, SWP_UFFD, swapPte, UFFD, USER,
} from '../../../../test/machine.ts';

const WRITTEN = present(0x1234, NX | SOFT_DIRTY | DIRTY | ACCESSED | USER | RW | P); // S01
const READ_ONLY = present(0x1234, NX | SAVED_DIRTY | SOFT_DIRTY | ACCESSED | USER | P); // S03 step 0
/** PAGE_NONE: the PFN stored inverted (~0x1234 in bits 12..51), PROTNONE | ACCESSED, SavedDirty and soft-dirty kept. */
const PROT_NONE = 0x040ffffffedcb920n;

describe('mprotect on present PTEs (pte_modify)', () => {
  it('PROT_READ clears RW and moves Dirty to SavedDirty; PFN, Accessed and soft-dirty stay (S03 step 0)', () => {
    const m = new M().do(ev.write(1), ev.mprotect(0, 8, 'read'));
    expect(m.pte(1)).toBe(READ_ONLY);
    expect(m.why('pte_modify')).toMatch(/RW goes, so Dirty moves to SavedDirty\.$/);
    expect(m.fns()).toEqual(['mprotect_fixup', 'change_protection', 'change_pte_range', 'pte_modify']);
  });

  it('PROT_NONE stores the PFN inverted (flip_protnone_guard) and keeps it present', () => {
    const m = new M().do(ev.write(1), ev.mprotect(0, 8, 'none'));
    expect(m.pte(1)).toBe(PROT_NONE);
    expect(has(m.pte(1), PROTNONE) && !has(m.pte(1), P)).toBe(true);
    expect(m.decoded(1).present).toMatchObject({ pfn: 0x1234, protnone: true });
  });

  it('back from PROT_NONE to PROT_READ the PFN is stored plainly again', () => {
    const m = new M().do(ev.write(1), ev.mprotect(0, 8, 'none'), ev.mprotect(0, 8, 'read'));
    expect(m.pte(1)).toBe(READ_ONLY);
  });

  it('PROT_READ|PROT_WRITE makes an exclusive anon page writable at once (can_change_pte_writable), SavedDirty back to Dirty', () => {
    const m = new M().do(ev.write(1), ev.mprotect(0, 8, 'read'), ev.mprotect(0, 8, 'rw'));
    expect(m.pte(1)).toBe(WRITTEN);
    expect(m.why('change_pte_range')).toMatch(/MM_CP_TRY_CHANGE_WRITABLE/);
    expect(m.trace.some((t) => /can_change_pte_writable\(\) \(the anon page is exclusive\)/.test(t.why))).toBe(true);
  });

  it('from PROT_NONE straight to read-write: writable again', () => {
    const m = new M().do(ev.write(1), ev.mprotect(0, 8, 'none'), ev.mprotect(0, 8, 'rw'));
    expect(m.pte(1)).toBe(WRITTEN);
  });

  it('a page shared after fork stays read-only: the write fault will copy it', () => {
    const m = new M().do(ev.write(1), ev.fork(), ev.mprotect(0, 8, 'read'), ev.mprotect(0, 8, 'rw'));
    expect(has(m.pte(1), RW)).toBe(false);
  });

  it('the shared zero page stays read-only', () => {
    const m = new M().do(ev.read(1), ev.mprotect(0, 8, 'read'), ev.mprotect(0, 8, 'rw'));
    expect(has(m.pte(1), RW)).toBe(false);
  });

  it('a shared mapping takes RW from its vm_page_prot (PAGE_SHARED)', () => {
    const m = new M().do(ev.mmap(8, 1, 'rw', true), ev.write(8), ev.mprotect(8, 1, 'read'));
    expect(m.pte(8)).toBe(present(0x1234, NX | SAVED_DIRTY | SOFT_DIRTY | ACCESSED | USER | P));
    m.do(ev.mprotect(8, 1, 'rw'));
    expect(m.pte(8)).toBe(present(0x1234, NX | SOFT_DIRTY | DIRTY | ACCESSED | USER | RW | P));
    expect(m.why('change_pte_range')).not.toMatch(/MM_CP_TRY_CHANGE_WRITABLE/);
  });

  it('the same protection again changes nothing and says so', () => {
    const m = new M().do(ev.write(1));
    const before = m.state;
    m.do(ev.mprotect(0, 8, 'rw'));
    expect(m.pte(1)).toBe(WRITTEN);
    expect(m.fns()).toEqual(['mprotect_fixup']);
    expect(m.why('mprotect_fixup')).toBe('vm_flags do not change: nothing to do.');
    expect(m.state.processes[0]!.vmas).toEqual(before.processes[0]!.vmas);
  });

  it.each([
    ['a VMA after the range', [0, 2], [2, 6]],
    ['a VMA before the range', [2, 6], [0, 2]],
  ] as const)('%s with another protection does not count: the range\'s own VMA already has it, so nothing changes', (_what, range, other) => {
    const m = new M().do(ev.write(0), ev.write(2), ev.mprotect(other[0], other[1], 'read'));
    const ptes = [m.pte(0), m.pte(2)];
    m.do(ev.mprotect(range[0], range[1], 'rw'));
    expect(m.fns()).toEqual(['mprotect_fixup']);
    expect(m.why('mprotect_fixup')).toBe('vm_flags do not change: nothing to do.');
    expect([m.pte(0), m.pte(2)]).toEqual(ptes);
  });

  it('a range whose VMA ends exactly where it starts, or starts where it ends, is not touched by the split', () => {
    const m = new M().do(ev.write(1), ev.write(5), ev.mprotect(0, 4, 'read'), ev.mprotect(4, 4, 'none'));
    expect(m.state.processes[0]!.vmas.map((v) => [v.start, v.pages, v.prot])).toEqual([[0, 4, 'read'], [4, 4, 'none']]);
    m.do(ev.mprotect(4, 4, 'rw'));
    expect(m.state.processes[0]!.vmas.map((v) => [v.start, v.pages, v.prot])).toEqual([[0, 4, 'read'], [4, 4, 'rw']]);
    expect(has(m.pte(1), RW)).toBe(false);
    expect(has(m.pte(5), RW)).toBe(true);
  });

  it.each([
    ['rw', 'VM_READ|VM_WRITE'],
    ['read', 'VM_READ'],
    ['none', 'none'],
  ] as const)('the trace names the new vm_flags for %s: %s', (prot, flags) => {
    const m = new M().do(ev.mprotect(0, 8, 'read'), ev.mprotect(0, 8, prot === 'read' ? 'none' : prot));
    if (prot === 'read') m.do(ev.mprotect(0, 8, 'read'));
    expect(m.why('mprotect_fixup')).toBe(`vm_flags change to ${flags}; vm_page_prot is recomputed.`);
  });

  it('a partial range splits the VMA in three; only the middle changes', () => {
    const m = new M().do(ev.write(1), ev.write(3), ev.mprotect(2, 2, 'read'));
    expect(m.state.processes[0]!.vmas.map((v) => [v.start, v.pages, v.prot])).toEqual([[0, 2, 'rw'], [2, 2, 'read'], [4, 4, 'rw']]);
    expect(m.pte(1)).toBe(WRITTEN);
    expect(has(m.pte(3), RW)).toBe(false);
  });

  it('a range that leaves the VMAs is refused with -ENOMEM, and nothing changes', () => {
    const m = new M().do(ev.write(1));
    expect(m.refused(ev.mprotect(6, 4, 'read'))).toBe('PTEs 6..9 of pid 1 are not all inside VMAs: -ENOMEM');
    expect(m.refused(ev.mprotect(8, 1, 'read'))).toMatch(/not all inside VMAs/);
  });

  it('the range may span two VMAs', () => {
    const m = new M().do(ev.mmap(8, 2, 'rw'), ev.write(7), ev.write(8), ev.mprotect(7, 2, 'read'));
    expect([has(m.pte(7), RW), has(m.pte(8), RW)]).toEqual([false, false]);
    expect(m.state.processes[0]!.vmas.map((v) => [v.start, v.pages, v.prot])).toEqual([[0, 7, 'rw'], [7, 1, 'read'], [8, 1, 'read'], [9, 1, 'rw']]);
  });
});

describe('mprotect on soft leaves (change_pte_range; change_softleaf_pte in 7.3)', () => {
  const says = (m: M, fn: string, re: RegExp) => expect(m.trace.some((t) => t.fn === fn && re.test(t.why))).toBe(true);

  it.each([
    ['v6.18', 'change_pte_range'],
    ['7.3', 'change_softleaf_pte'],
    ['rfc', 'change_pte_range'],
  ] as const)('%s: a writable migration entry of an anon page becomes SWP_MIGRATION_READ_EXCLUSIVE in %s; PFN, A/D and soft-dirty kept (S11)', (profile, fn) => {
    const m = new M({ profile }).do(ev.write(1), ev.toDevice(1));
    const before = m.decoded(1).swap!;
    m.do(ev.mprotect(0, 8, 'read'));
    const after = m.decoded(1).swap!;
    expect([after.typeName, after.offset, after.softDirty]).toEqual(['SWP_MIGRATION_READ_EXCLUSIVE', before.offset, true]);
    says(m, fn, /^a writable migration entry: .*\(the folio is anon\); soft-dirty copied\.$/);
  });

  it('a writable migration entry of a page-cache page becomes SWP_MIGRATION_READ', () => {
    const m = new M().do(ev.mmap(8, 1, 'rw', true, true), ev.write(8), ev.unmap(8));
    expect(m.type(8)).toBe('SWP_MIGRATION_WRITE');
    m.do(ev.mprotect(8, 1, 'read'));
    expect(m.type(8)).toBe('SWP_MIGRATION_READ');
    says(m, 'change_pte_range', /SWP_MIGRATION_READ \(not anon\)/);
  });

  it('the uffd-wp bit of a writable migration entry is not copied to the readable one (only soft-dirty is)', () => {
    // a shared mapping keeps RW under uffd-wp registration of another range; build MIG_WRITE with uffd via a file page
    const m = new M().do(ev.write(1), ev.toDevice(1), ev.uffdWp(1, 1, true));
    expect(m.decoded(1).swap).toMatchObject({ typeName: 'SWP_MIGRATION_READ_EXCLUSIVE', uffdWp: true, softDirty: true });
    m.do(ev.uffdWp(1, 1, false));
    expect(m.decoded(1).swap).toMatchObject({ typeName: 'SWP_MIGRATION_READ_EXCLUSIVE', uffdWp: false, softDirty: true });
  });

  it.each([
    ['rfc', 'SWP_MIGRATION_DEVICE_READ_EXCLUSIVE'],
    ['series', 'SWP_MIGRATION_DEVICE_READ_EXCLUSIVE'],
    ['v6.18', 'SWP_MIGRATION_READ_EXCLUSIVE'],
    ['no-new-types', 'SWP_MIGRATION_READ_EXCLUSIVE'],
  ] as const)('%s: a device page mid-migration (writable) becomes %s (S13)', (profile, type) => {
    const m = onDevice({ profile }).do(ev.fromDevice(1), ev.mprotect(0, 8, 'read'));
    expect(m.type(1)).toBe(type);
    expect(m.decoded(1).swap).toMatchObject({ pfn: 0x10, softDirty: true });
  });

  it('SWP_DEVICE_WRITE becomes SWP_DEVICE_READ and loses soft-dirty (S12)', () => {
    const m = onDevice().do(ev.mprotect(0, 8, 'read'));
    expect(m.decoded(1).swap).toMatchObject({ typeName: 'SWP_DEVICE_READ', softDirty: false, uffdWp: false, pfn: 0x10 });
    expect(m.fns()).toContain('make_readable_device_private_entry');
  });

  it('SWP_DEVICE_READ, a readable migration entry, a swap entry and a hwpoison entry are left alone', () => {
    const m = new M().do(ev.write(1), ev.write(2), ev.write(3), ev.write(4), ev.mprotect(1, 1, 'read'), ev.toDevice(1), ev.pages(), ev.finalize());
    m.do(ev.swapOut(2), ev.poison(3), ev.fork(), ev.unmap(4));
    const before = [1, 2, 3, 4].map((i) => m.pte(i));
    expect([m.type(1), m.type(2), m.type(3), m.type(4)]).toEqual(['SWP_DEVICE_READ', 'swapfile_0', 'SWP_HWPOISON', 'SWP_MIGRATION_READ']);
    m.do(ev.mprotect(0, 8, 'rw'));
    expect([1, 2, 3, 4].map((i) => m.pte(i))).toEqual(before);
  });

  it('poisoned and guard markers are left alone, even by uffd-wp unprotect', () => {
    const m = new M().do(ev.uffdPoison(1), ev.guard(2));
    const before = [m.pte(1), m.pte(2)];
    m.do(ev.mprotect(0, 8, 'read'), ev.uffdWp(0, 8, true), ev.uffdWp(0, 8, false));
    expect([m.pte(1), m.pte(2)]).toEqual(before);
  });
});

describe('UFFDIO_WRITEPROTECT (mwriteprotect_range -> change_protection)', () => {
  it('protect sets uffd-wp and write-protects a present PTE; unprotect clears it and makes an exclusive page writable again', () => {
    const m = new M().do(ev.write(1), ev.uffdWp(1, 1, true));
    expect(m.pte(1)).toBe(READ_ONLY | UFFD);
    expect(m.fns()).toEqual(['mwriteprotect_range', 'uffd_wp_range', 'change_protection', 'change_pte_range', 'pte_modify']);
    expect(m.why('change_pte_range')).toMatch(/MM_CP_UFFD_WP\./);
    m.do(ev.uffdWp(1, 1, false));
    expect(m.pte(1)).toBe(WRITTEN);
    expect(m.why('change_pte_range')).toMatch(/MM_CP_UFFD_WP_RESOLVE, MM_CP_TRY_CHANGE_WRITABLE\./);
  });

  it('the trace names the range and whether uffd-wp is set or cleared', () => {
    const m = new M().do(ev.uffdWp(2, 3, true));
    expect(m.why('mwriteprotect_range')).toBe('UFFDIO_WRITEPROTECT sets uffd-wp on PTEs 2..4.');
    m.do(ev.uffdWp(2, 3, false));
    expect(m.why('mwriteprotect_range')).toBe('UFFDIO_WRITEPROTECT clears uffd-wp on PTEs 2..4.');
  });

  it('unprotect in a read-only VMA does not try to make PTEs writable (vma_wants_manual_pte_write_upgrade: no VM_WRITE)', () => {
    const m = new M().do(ev.write(1), ev.mprotect(0, 8, 'read'), ev.uffdWp(1, 1, true), ev.uffdWp(1, 1, false));
    expect(m.why('change_pte_range')).toMatch(/MM_CP_UFFD_WP_RESOLVE\.$/);
    expect([has(m.pte(1), RW), has(m.pte(1), UFFD)]).toEqual([false, false]);
  });

  it('registers the range: the VMA is split and marked VM_UFFD_WP; UFFD_FEATURE_WP_UNPOPULATED sticks', () => {
    const m = new M().do(ev.uffdWp(2, 2, true, true), ev.uffdWp(2, 2, false));
    expect(m.state.processes[0]!.vmas.map((v) => [v.start, v.pages, v.uffdWp, v.uffdWpUnpopulated])).toEqual([[0, 2, false, false], [2, 2, true, true], [4, 4, false, false]]);
  });

  it('unprotect of a page shared after fork clears uffd-wp but leaves it read-only', () => {
    const m = new M().do(ev.write(1), ev.fork(), ev.uffdWp(1, 1, true), ev.uffdWp(1, 1, false));
    expect(has(m.pte(1), UFFD) || has(m.pte(1), RW)).toBe(false);
  });

  it('a write to a uffd-wp protected PTE goes to the uffd handler: the fault is refused until unprotect', () => {
    const m = new M().do(ev.write(1), ev.uffdWp(1, 1, true));
    expect(m.refused(ev.write(1))).toMatch(/userfaultfd write-protected/);
    m.do(ev.read(1));
    expect(has(m.pte(1), UFFD)).toBe(true);
  });

  it('mprotect back to read-write leaves a uffd-wp protected PTE read-only (can_change_pte_writable: userfaultfd_pte_wp)', () => {
    const m = new M().do(ev.write(1), ev.write(2), ev.uffdWp(1, 1, true), ev.mprotect(0, 8, 'read'), ev.mprotect(0, 8, 'rw'));
    expect([has(m.pte(1), RW), has(m.pte(1), UFFD)]).toEqual([false, true]);
    // the page beside it, not write-protected for uffd, is writable at once
    expect(has(m.pte(2), RW)).toBe(true);
  });

  it('protect sets the swap uffd bit on a swap entry; unprotect clears it', () => {
    const m = new M().do(ev.write(1), ev.fork(), ev.swapOut(1));
    expect(m.pte(1)).toBe(swapPte(0, 0x42n, SWP_SD));
    m.do(ev.uffdWp(1, 1, true));
    expect(m.pte(1)).toBe(swapPte(0, 0x42n, SWP_SD | SWP_UFFD));
    m.do(ev.uffdWp(1, 1, false));
    expect(m.pte(1)).toBe(swapPte(0, 0x42n, SWP_SD));
  });

  it('protect with UFFD_FEATURE_WP_UNPOPULATED puts a uffd-wp marker in none PTEs; without it they stay none', () => {
    const m = new M().do(ev.uffdWp(1, 1, true));
    expect(m.pte(1)).toBe(0n);
    m.do(ev.uffdWp(2, 1, true, true));
    expect(m.pte(2)).toBe(swapPte(31, 1n));
    expect(m.fns()).toContain('make_pte_marker');
  });

  it('unprotect drops a uffd-wp marker; protecting again leaves an existing marker as it is', () => {
    const m = new M().do(ev.uffdWp(2, 1, true, true), ev.uffdWp(2, 1, true, true));
    expect(m.pte(2)).toBe(swapPte(31, 1n));
    m.do(ev.uffdWp(2, 1, false));
    expect(m.pte(2)).toBe(0n);
    expect(m.why('change_pte_range')).toMatch(/MM_CP_UFFD_WP_RESOLVE/);
    expect(m.trace.some((t) => t.why === 'a uffd-wp marker is dropped on unprotect: the next fault is not trapped.')).toBe(true);
  });

  it('a read fault on a uffd-wp marker maps the zero page, still write-protected for uffd', () => {
    const m = new M().do(ev.uffdWp(2, 1, true, true), ev.read(2));
    expect(m.decoded(2).present).toMatchObject({ pfn: 0x2c00, uffdWp: true, writable: false });
    expect(m.fns()).toContain('pte_marker_handle_uffd_wp');
  });

  it('a write fault on a uffd-wp marker goes to the uffd handler', () => {
    const m = new M().do(ev.uffdWp(2, 1, true, true));
    expect(m.refused(ev.write(2))).toMatch(/uffd-wp marker goes to the userfaultfd handler/);
  });

  it('a device-private entry gets the swap uffd bit (and is made readable, as every change_protection does)', () => {
    const m = onDevice().do(ev.uffdWp(1, 1, true));
    expect(m.decoded(1).swap).toMatchObject({ typeName: 'SWP_DEVICE_READ', uffdWp: true, softDirty: false });
    m.do(ev.uffdWp(1, 1, false));
    expect(m.decoded(1).swap).toMatchObject({ typeName: 'SWP_DEVICE_READ', uffdWp: false });
  });
});

describe('UFFDIO_POISON (mfill_atomic_pte_poison)', () => {
  it('a none PTE gets a PTE_MARKER_POISONED marker; any access then gets SIGBUS', () => {
    const m = new M().do(ev.uffdPoison(1));
    expect(m.pte(1)).toBe(swapPte(31, 2n));
    expect(m.fns()).toEqual(['mfill_atomic_pte_poison', 'make_pte_marker']);
    m.consistent();
    m.do(ev.read(1));
    expect(m.result.signal).toBe('SIGBUS');
    expect(m.pte(1)).toBe(swapPte(31, 2n));
  });

  it('the marker maps no page: reclaiming the page mapped beside it leaves the marker alone', () => {
    const m = new M().do(ev.write(1), ev.uffdPoison(2), ev.swapOut(1));
    expect(m.pte(2)).toBe(swapPte(31, 2n));
    expect(m.slot(0x42)?.count).toBe(1);
  });

  it('a PTE that is not none is -EEXIST and stays', () => {
    const m = new M().do(ev.write(1), ev.uffdPoison(1));
    expect(m.result.ret).toBe('-EEXIST');
    expect(m.trace.map((t) => [t.fn, t.why])).toEqual([['mfill_atomic_pte_poison', 'the PTE is not none: -EEXIST.']]);
    expect(m.pte(1)).toBe(WRITTEN);
  });

  it('outside every VMA it is refused', () => {
    expect(new M().refused(ev.uffdPoison(9))).toBe('no VMA covers PTE 9');
  });
});
