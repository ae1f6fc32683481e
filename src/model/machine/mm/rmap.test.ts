/**
 * The reverse map (mm/rmap.c): try_to_migrate_one()'s migration entries (domain spec §d.1, §d.3
 * "try_to_migrate_one"), make_device_exclusive() and its restore (§d.3 "device-exclusive", S18),
 * and the mapcount / PageAnonExclusive bookkeeping they rely on.
 */
import { describe, expect, it } from 'vitest';
import {
  ACCESSED, DIRTY, ev, has, M, NX, onDevice, P, present, RW, SAVED_DIRTY, SOFT_DIRTY, SWP_SD, SWP_UFFD, swapPte, UFFD, USER, THP_SETUP,
} from '../../../../test/machine.ts';
import { Draft } from '../draft.ts';
import type { Event } from '../events.ts';
import { pageAt } from '../pagestore.ts';
import { readPmd } from '../pagetable.ts';
import { rmapWalk, tryToMigrateOne } from './rmap.ts';
import { viewPmd } from '../entries.ts';

const THP = THP_SETUP;

describe('try_to_migrate_one(): which migration entry each mapping gets', () => {
  it('a writable dirty young PTE: SWP_MIGRATION_WRITE with SWP_MIG_YOUNG and SWP_MIG_DIRTY, soft-dirty copied; the folio is marked dirty', () => {
    const m = new M().do(ev.write(1), ev.unmap(1));
    expect(m.pte(1)).toBe(swapPte(27, 0x1234n | (3n << 34n), SWP_SD));
    expect(m.page(0x1234)).toMatchObject({ dirty: true, mapcount: 0 });
    expect(m.why('make_writable_migration_entry')).toBe('make_writable_migration_entry(page_to_pfn(page) = 0x1234): SWP_MIGRATION_WRITE(27).');
    expect(m.why('make_migration_entry_young')).toBe('the PTE was young: SWP_MIG_YOUNG goes into the offset.');
    expect(m.why('make_migration_entry_dirty')).toBe('the PTE was dirty: SWP_MIG_DIRTY goes into the offset.');
  });

  it('without A/D support the calls are traced but the entry stays as it is (S16)', () => {
    const m = new M({ platform: { arch: 'x86_64', paging: 4, migrationAd: false } }).do(ev.write(1), ev.unmap(1));
    expect(m.pte(1)).toBe(swapPte(27, 0x1234n, SWP_SD));
    expect(m.why('make_migration_entry_young')).toBe('migration_entry_supports_ad() is false: the entry stays as it is.');
    expect(m.why('make_migration_entry_dirty')).toBe('migration_entry_supports_ad() is false: the entry stays as it is.');
  });

  it('an old, clean PTE gets neither bit: only the parent\'s young PTE calls make_migration_entry_young', () => {
    const m = new M().do(ev.mmap(8, 1, 'read', false, true), ev.read(8), ev.fork(), ev.unmap(8, 2));
    expect(m.decoded(8, 2).swap?.migration).toMatchObject({ young: false, dirty: false });
    expect(m.decoded(8, 1).swap?.migration).toMatchObject({ young: true, dirty: false });
    expect(m.fns().filter((f) => f === 'make_migration_entry_young')).toHaveLength(1);
    expect(m.fns()).not.toContain('make_migration_entry_dirty');
    expect(m.page(0x1234).dirty).toBe(false);
  });

  it('a read-only exclusive anon PTE: SWP_MIGRATION_READ_EXCLUSIVE; SavedDirty counts as dirty (S03)', () => {
    const m = new M().do(ev.write(1), ev.mprotect(0, 8, 'read'), ev.unmap(1));
    expect(m.pte(1)).toBe(swapPte(26, 0x1234n | (3n << 34n), SWP_SD));
  });

  it('a page shared after fork: SWP_MIGRATION_READ in every mapping; the child\'s old PTE has no young bit (S04)', () => {
    const m = new M().do(ev.write(1), ev.fork(), ev.unmap(1));
    expect(m.pte(1, 1)).toBe(swapPte(25, 0x1234n | (3n << 34n), SWP_SD));
    expect(m.pte(1, 2)).toBe(swapPte(25, 0x1234n | (2n << 34n), SWP_SD));
    expect(m.state.migrations[0]!.srcs[0]!.ptes).toEqual([{ pid: 1, index: 1 }, { pid: 2, index: 1 }]);
  });

  it('a uffd-wp PTE keeps uffd-wp as the swap uffd bit', () => {
    const m = new M().do(ev.write(1), ev.uffdWp(1, 1, true), ev.unmap(1));
    expect(m.pte(1)).toBe(swapPte(26, 0x1234n | (3n << 34n), SWP_SD | SWP_UFFD));
  });

  it('a page-cache page that is written through a shared mapping: SWP_MIGRATION_WRITE, but never READ_EXCLUSIVE', () => {
    const m = new M().do(ev.mmap(8, 1, 'rw', true, true), ev.write(8), ev.unmap(8));
    expect(m.type(8)).toBe('SWP_MIGRATION_WRITE');
    const r = new M().do(ev.mmap(8, 1, 'read', false, true), ev.read(8), ev.unmap(8));
    expect(r.type(8)).toBe('SWP_MIGRATION_READ');
  });

  it('a maybe-pinned exclusive page cannot be shared: the PTE stays, and the move restores nothing', () => {
    const m = new M().do(ev.write(1), ev.pin(1), ev.unmap(1));
    expect(has(m.pte(1), P)).toBe(true);
    expect(m.trace.some((t) => t.fn === 'try_to_migrate_one' && /folio_try_share_anon_rmap_pte\(\) fails \(maybe pinned\)/.test(t.why))).toBe(true);
    expect(m.state.migrations[0]!.srcs[0]!.ptes).toEqual([]);
    expect(m.page(0x1234)).toMatchObject({ anonExclusive: true, mapcount: 1 });
    m.do(ev.move());
    expect(m.page(0x1234)).toMatchObject({ locked: false, refs: 0, mapcount: 1 });
  });
});

describe('device-private pages through the rmap (migrate_device_range, S17)', () => {
  it.each([
    ['v6.18', 'SWP_MIGRATION_WRITE'],
    ['7.3', 'SWP_MIGRATION_WRITE'],
    ['rfc', 'SWP_MIGRATION_DEVICE_WRITE'],
    ['series', 'SWP_MIGRATION_DEVICE_WRITE'],
    ['no-new-types', 'SWP_MIGRATION_WRITE'],
  ] as const)('%s: a SWP_DEVICE_WRITE mapping becomes %s of the device number, with no A/D and soft-dirty copied', (profile, type) => {
    const m = onDevice({ profile }).do({ type: 'migrate_device_range', device: 0 });
    expect(m.decoded(1).swap).toMatchObject({ typeName: type, pfn: 0x10, softDirty: true, migration: { young: false, dirty: false } });
    expect(m.result.cpages).toBe(1);
    // migrate_device_pfn_lock(): src = migrate_pfn(pfn) | MIGRATE_PFN_MIGRATE, never WRITE; the entry keeps it
    expect(m.state.migrations[0]!.srcs[0]!.write).toBe(false);
  });

  it('the hypothetical kernel says what is wrong: a device offset in a type that means "RAM PFN"', () => {
    const m = onDevice({ profile: 'no-new-types' }).do({ type: 'migrate_device_range', device: 0 });
    expect(m.trace.some((t) => t.why.endsWith('SWP_MIGRATION_WRITE(27) — the number is a device offset, but this type says "RAM PFN".'))).toBe(true);
    const v = onDevice({ profile: 'v6.18' }).do({ type: 'migrate_device_range', device: 0 });
    expect(v.why('make_writable_migration_entry')).toBe('make_writable_migration_entry(page_to_pfn(page) = 0x10): SWP_MIGRATION_WRITE(27).');
  });

  it('the series builds it from the page: make_writable_migration_entry_from_page -> make_writable_migration_device_private_entry', () => {
    const m = onDevice({ profile: 'series' }).do({ type: 'migrate_device_range', device: 0 });
    const i = m.fns().indexOf('make_writable_migration_entry_from_page');
    expect(m.trace[i + 1]).toMatchObject({ fn: 'make_writable_migration_device_private_entry', depth: m.trace[i]!.depth + 1 });
    expect(m.trace[i]!.why).toBe('make_writable_migration_entry_from_page(page): SWP_MIGRATION_DEVICE_WRITE(30).');
  });

  it('the RFC calls its device constructor directly, with the device offset', () => {
    const m = onDevice({ profile: 'rfc' }).do({ type: 'migrate_device_range', device: 0 });
    expect(m.why('make_writable_migration_device_private_entry')).toBe('make_writable_migration_device_private_entry(device_private_page_to_offset(page) = 0x10): SWP_MIGRATION_DEVICE_WRITE(30).');
  });

  it.each([
    ['rfc', 'make_device_migration_readable_exclusive_migration_entry', 'SWP_MIGRATION_DEVICE_READ_EXCLUSIVE'],
    ['series', 'make_readable_exclusive_migration_entry_from_page', 'SWP_MIGRATION_DEVICE_READ_EXCLUSIVE'],
    ['v6.18', 'make_readable_exclusive_migration_entry', 'SWP_MIGRATION_READ_EXCLUSIVE'],
  ] as const)('%s: a SWP_DEVICE_READ entry of an exclusive page is collected with %s (S03 step 3)', (profile, ctor, type) => {
    const m = new M({ profile }).do(ev.write(1), ev.mprotect(0, 8, 'read'), ev.toDevice(1), ev.pages(), ev.finalize(), ev.read(1));
    expect(m.type(1)).toBe(type);
    expect(m.fns()).toContain(ctor);
  });

  it.each([
    ['rfc', 'make_readable_migration_device_private_entry', 'SWP_MIGRATION_DEVICE_READ'],
    ['series', 'make_readable_migration_entry_from_page', 'SWP_MIGRATION_DEVICE_READ'],
    ['7.3', 'make_readable_migration_entry', 'SWP_MIGRATION_READ'],
  ] as const)('%s: a device page shared after fork is collected with %s', (profile, ctor, type) => {
    const m = onDevice({ profile }).do(ev.fork(), { type: 'migrate_device_range', device: 0 });
    expect([m.type(1, 1), m.type(1, 2)]).toEqual([type, type]);
    expect(m.fns()).toContain(ctor);
    expect(m.state.migrations[0]!.srcs[0]!.write).toBe(false);
  });

  it('eviction brings every mapping back to RAM: old, clean, read-only when shared', () => {
    const m = onDevice().do(ev.fork(), { type: 'hmm_release', device: 0 });
    expect(m.pte(1, 1)).toBe(present(0x5678, NX | USER | P));
    expect(m.pte(1, 2)).toBe(present(0x5678, NX | USER | P));
    expect(m.page(0x10)).toMatchObject({ allocated: false, mapcount: 0, locked: false });
    expect(m.result.ret).toBe('0');
    m.consistent();
  });
});

describe('make_device_exclusive() and restore_exclusive_pte() (S18)', () => {
  it('the PTE becomes SWP_DEVICE_EXCLUSIVE of the RAM PFN with soft-dirty; the page stays mapped, dirty, in RAM', () => {
    const m = new M().do(ev.write(1), ev.exclusive(1));
    expect(m.pte(1)).toBe(swapPte(30, 0x1234n, SWP_SD));
    expect(m.page(0x1234)).toMatchObject({ mapcount: 1, dirty: true, allocated: true });
    expect(m.result.cpages).toBe(1);
    expect(m.state.devices[0]!.mirror['1:1']).toEqual({ page: m.pageId(0x1234), write: true, atomic: true });
    expect(m.why('make_device_exclusive_entry')).toBe('SWP_DEVICE_EXCLUSIVE for pfn 0x1234; the page stays mapped (mapcount unchanged) and in RAM.');
    m.consistent();
  });

  it('it faults the page in writable first (GUP with FOLL_WRITE), breaking COW', () => {
    const m = new M().do(ev.read(1), ev.exclusive(1));
    expect(m.type(1)).toBe('SWP_DEVICE_EXCLUSIVE');
    expect(m.decoded(1).swap!.pfn).toBe(0x1234);
    const n = new M().do(ev.exclusive(1, 3));
    expect([n.type(1), n.type(2), n.type(3)]).toEqual(['SWP_DEVICE_EXCLUSIVE', 'SWP_DEVICE_EXCLUSIVE', 'SWP_DEVICE_EXCLUSIVE']);
    expect(n.result.cpages).toBe(3);
  });

  it('a clean page stays clean: the entry has no soft-dirty when the PTE had none', () => {
    // the hardware sets Dirty (not soft-dirty) on a write through a writable clean PTE
    const m = new M().do(ev.write(1), ev.swapOut(1), ev.read(1));
    expect(has(m.pte(1), SOFT_DIRTY)).toBe(true);
    const c = new M().do(ev.mmap(8, 1, 'rw', true), ev.read(8));
    expect(has(c.pte(8), SOFT_DIRTY)).toBe(false);
  });

  it('a CPU fault takes the page back: a fresh old PTE, dirty and writable again (S18 step 2); the device drops its atomic mapping', () => {
    const m = new M().do(ev.write(1), ev.exclusive(1), ev.read(1));
    expect(m.pte(1)).toBe(present(0x1234, NX | SOFT_DIRTY | DIRTY | USER | RW | P));
    expect(m.fns()).toEqual(expect.arrayContaining(['do_swap_page', 'remove_device_exclusive_entry', 'restore_exclusive_pte']));
    expect(m.state.devices[0]!.mirror).toEqual({});
    m.do({ type: 'hmm_check_exclusive', device: 0 });
    expect(m.result.ret).toBe('0');
    m.consistent();
  });

  it('while the device holds it, HMM_DMIRROR_CHECK_EXCLUSIVE is -EPERM', () => {
    const m = new M().do(ev.write(1), ev.exclusive(1), { type: 'hmm_check_exclusive', device: 0 });
    expect(m.result.ret).toBe('-EPERM');
    expect(m.why('dmirror_check_atomic')).toBe('1 page(s) still have the ATOMIC tag: -EPERM.');
  });

  it('in a VMA made read-only meanwhile the restored PTE is read-only and not dirty', () => {
    const m = new M().do(ev.write(1), ev.exclusive(1), ev.mprotect(0, 8, 'read'), ev.read(1));
    expect(m.pte(1)).toBe(present(0x1234, NX | SOFT_DIRTY | USER | P));
  });

  it('uffd-wp set on the entry comes back on the PTE, which then stays read-only', () => {
    const m = new M().do(ev.write(1), ev.exclusive(1), ev.uffdWp(1, 1, true));
    expect(m.pte(1)).toBe(swapPte(30, 0x1234n, SWP_SD | SWP_UFFD));
    m.do(ev.read(1));
    expect(m.pte(1)).toBe(present(0x1234, NX | SOFT_DIRTY | UFFD | USER | P));
  });

  it.each([
    ['without CONFIG_DEVICE_PRIVATE', { config: { DEVICE_PRIVATE: false, MIGRATION: true, MEMORY_FAILURE: true } }, ev.exclusive(1), 'CONFIG_DEVICE_PRIVATE=n: make_device_exclusive() does not exist'],
    ['for a device that does not exist', {}, ev.exclusive(1, 1, 1, 3), 'there is no device 3 (this scenario has 1)'],
    ['when the write fault gets SIGSEGV (guard region)', {}, ev.exclusive(2), 'the write fault on PTE 2 gets SIGSEGV'],
    ['when the write fault gets SIGBUS (poisoned)', {}, ev.exclusive(3), 'the write fault on PTE 3 gets SIGBUS'],
  ] as const)('it is refused %s', (_w, o, e, reason) => {
    const m = new M(o);
    if (!('config' in o)) m.do(ev.guard(2), ev.uffdPoison(3));
    expect(m.refused(e)).toBe(reason);
  });

  it('a write fault restores it too, and HMM_DMIRROR_EXCLUSIVE reports what the device read', () => {
    const m = new M().do({ type: 'cpu_access', pid: 1, start: 1, pages: 2, access: 'write' }, { type: 'hmm_exclusive', pid: 1, start: 1, pages: 2, device: 0 });
    expect(m.result).toMatchObject({ ret: '0', cpages: 2, data: [0, 1] });
    m.do(ev.write(2));
    expect(m.pte(2)).toBe(present(0x5678, NX | SOFT_DIRTY | DIRTY | USER | RW | P));
  });
});

describe('mapcount and PageAnonExclusive (folio_add_anon_rmap_pte / folio_remove_rmap_pte / folio_try_share_anon_rmap_pte)', () => {
  it('a new anon page is mapped once and exclusive; fork shares it; the COW copy is exclusive again', () => {
    const m = new M().do(ev.write(1));
    expect(m.page(0x1234)).toMatchObject({ mapcount: 1, anonExclusive: true });
    m.do(ev.fork());
    expect(m.page(0x1234)).toMatchObject({ mapcount: 2, anonExclusive: false });
    m.do(ev.write(1, 2));
    expect(m.page(0x1234)).toMatchObject({ mapcount: 1, anonExclusive: false });
    expect(m.page(0x5678)).toMatchObject({ mapcount: 1, anonExclusive: true });
    m.consistent();
  });

  it('a page-cache page is never anon-exclusive', () => {
    const m = new M().do(ev.mmap(8, 1, 'rw', false, true), ev.read(8));
    expect(m.page(0x1234)).toMatchObject({ anon: false, mapcount: 1, anonExclusive: false });
  });

  it('the last unmap frees the page; an earlier one only lowers the count', () => {
    const m = new M().do(ev.write(1), ev.fork(), ev.munmap(1, 1, 2));
    expect(m.page(0x1234)).toMatchObject({ mapcount: 1, allocated: true });
    m.do(ev.munmap(1, 1, 1));
    expect(m.page(0x1234)).toMatchObject({ mapcount: 0, allocated: false, data: null });
  });

  it('a migration entry holds no mapping: the count drops at unmap and comes back at remove_migration_pte', () => {
    const m = new M().do(ev.write(1), ev.fork(), ev.unmap(1));
    expect(m.page(0x1234).mapcount).toBe(0);
    m.consistent();
  });

  it('the device page of a device-private entry counts its mappings', () => {
    const m = onDevice().do(ev.fork());
    expect(m.page(0x10).mapcount).toBe(2);
    m.do({ type: 'exit', pid: 2 });
    expect(m.page(0x10)).toMatchObject({ mapcount: 1, allocated: true });
    m.do({ type: 'exit', pid: 1 });
    expect(m.page(0x10)).toMatchObject({ mapcount: 0, allocated: false });
  });

  it('a present PTE is not rewritten by an unrelated event: the rmap walk only visits mappings of the page', () => {
    const m = new M().do(ev.write(1), ev.write(2));
    const other = m.pte(2);
    m.do(ev.unmap(1));
    expect(m.pte(2)).toBe(other);
    expect(has(m.pte(2), ACCESSED | DIRTY)).toBe(true);
    expect(other & SAVED_DIRTY).toBe(0n);
  });
});

describe('the rmap bookkeeping behind the walks', () => {
  const free = (start: number, pages = 1): Event => ({ type: 'madvise', pid: 1, start, pages, advice: 'free' });

  it('the shared zero page is never counted: a read fault maps it (special PTE) and unmapping leaves its mapcount 0', () => {
    const m = new M().do(ev.read(1), ev.read(2));
    expect(pageAt(m.state.pages, m.state.zeroPage)!.mapcount).toBe(0);
    m.do(ev.munmap(1, 2));
    expect(pageAt(m.state.pages, m.state.zeroPage)!.mapcount).toBe(0);
  });

  it('rmapWalk() keeps only the kinds asked for: a migration entry of the page is not a present mapping', () => {
    const m = new M().do(ev.write(1), ev.unmap(1));
    const d = new Draft(m.state);
    const id = m.pageId(0x1234);
    expect(rmapWalk(d, id, ['present'])).toEqual([]);
    expect(rmapWalk(d, id, ['migration'])).toEqual([{ pid: 1, index: 1 }]);
  });

  it('try_to_migrate_one() on a PMD: a migration PMD or no PMD at all is not a mapping to migrate (page_vma_mapped_walk skips it)', () => {
    const m = new M({ setup: THP, profile: '7.3' }).do(ev.write(7), ev.unmap(7));
    const d = new Draft(m.state);
    const before = readPmd(m.state.processes[0]!.ptes, 0);
    const head = m.pageId(0x12400);
    expect(tryToMigrateOne(d, { pid: 1, index: 0, pmd: true }, head)).toBe(false);
    expect(tryToMigrateOne(d, { pid: 1, index: 512, pmd: true }, head)).toBe(false);
    expect(d.pmd({ pid: 1, index: 0 })).toBe(before);
  });

  it('a PTE the MMU dirtied after MADV_FREE cleaned the folio: try_to_migrate_one() moves pte_dirty() to the folio (folio_mark_dirty)', () => {
    const m = new M().do(ev.write(1), free(1), ev.write(1));
    expect(has(m.pte(1), DIRTY)).toBe(true);
    expect(m.page(0x1234).dirty).toBe(false);
    m.do(ev.unmap(1));
    expect(m.page(0x1234).dirty).toBe(true);
  });

  it('a device-private entry of an exclusive page: try_to_migrate_one() shares it (PageAnonExclusive cleared) before the migration entry', () => {
    const m = onDevice();
    expect(m.page(0x10).anonExclusive).toBe(true);
    m.do({ type: 'migrate_device_range', device: 0 });
    expect(m.type(1)).toBe('SWP_MIGRATION_WRITE');
    expect(m.page(0x10).anonExclusive).toBe(false);
  });
});

describe('try_to_migrate_one() on a PMD: which migration entry', () => {
  it.each([
    ['a writable THP', [] as Event[], 'SWP_MIGRATION_WRITE'],
    ['a read-only THP exclusive to its process (PageAnonExclusive)', [ev.mprotect(0, 1024, 'read')], 'SWP_MIGRATION_READ_EXCLUSIVE'],
    ['a THP shared with a child after fork', [ev.fork(), ev.mprotect(0, 1024, 'read')], 'SWP_MIGRATION_READ'],
  ])('%s: %s', (_what, events, type) => {
    const m = new M({ setup: THP, profile: '7.3' }).do(ev.write(7), ...events, ev.unmap(7));
    expect(viewPmd(new Draft(m.state), { pid: 1, index: 0 })?.row?.name).toBe(type);
  });
});

describe('make_device_exclusive()', () => {
  it('on a THP: GUP with FOLL_SPLIT_PMD splits the PMD first; only the PTE asked for becomes device-exclusive', () => {
    const m = new M({ setup: THP, profile: '7.3' }).do(ev.write(7), ev.exclusive(5));
    expect(m.why('split_huge_pmd')).toBe('GUP with FOLL_SPLIT_PMD: a device-exclusive entry is PTE-only (fw.level == FW_LEVEL_PTE).');
    expect(m.type(5)).toBe('SWP_DEVICE_EXCLUSIVE');
    expect(m.decoded(4).kind).toBe('present');
    expect(readPmd(m.state.processes[0]!.ptes, 0)).toBe(0n);
    m.consistent();
  });

  it('a page that is not anonymous (a shared file mapping) is refused: -EOPNOTSUPP', () => {
    const m = new M().do(ev.mmap(8, 2, 'rw', true, true), ev.write(8));
    expect(m.refused(ev.exclusive(8))).toMatch(/not anonymous: make_device_exclusive\(\) returns -EOPNOTSUPP/);
  });

  it('the folio takes the PTE\'s dirty bit when the PTE goes (folio_mark_dirty), even after MADV_FREE cleaned it', () => {
    const m = new M().do(ev.write(1), { type: 'madvise', pid: 1, start: 1, pages: 1, advice: 'free' });
    expect(m.page(0x1234).dirty).toBe(false);
    m.do(ev.exclusive(1));
    expect(m.type(1)).toBe('SWP_DEVICE_EXCLUSIVE');
    expect(m.page(0x1234).dirty).toBe(true);
  });
});
