/**
 * Page migration (mm/migrate.c): remove_migration_pte()'s rebuild rules (domain spec §d.1 step 4,
 * §d.4) and migrate_pages() split into its unmap and move halves; migration_entry_wait().
 * Expected PTE values follow the x86 layout (spec §c.1).
 */
import { describe, expect, it } from 'vitest';
import {
  ACCESSED, DIRTY, ev, has, M, NX, onDevice, P, present, RW, SAVED_DIRTY, SOFT_DIRTY, USER, THP_SETUP,
} from '../../../../test/machine.ts';
import { Draft, Refuse } from '../draft.ts';
import { view, viewPmd } from '../entries.ts';
import { migrateFolioUnmap, removeMigrationPte } from './migrate.ts';

const THP = THP_SETUP;

/** The reason a direct call of a handler refuses (fails the test when it goes through). */
function refusal(f: () => void): string {
  try {
    f();
  } catch (e) {
    if (e instanceof Refuse) return e.message;
    throw e;
  }
  throw new Error('the call was not refused');
}

/** The why of every page change of the last step that names `page`. */
const pageChanges = (m: M, pfn: number): string[] =>
  m.trace.flatMap((t) => t.changes).flatMap((c) => (c.kind === 'page' && c.page === m.pageId(pfn) ? [c.what] : []));

describe('remove_migration_pte(): the new PTE from the migration entry', () => {
  it('a writable, young, dirty entry gives a writable, young, dirty PTE for the new page (S14)', () => {
    const m = new M().do(ev.write(1), ev.unmap(1));
    expect(m.decoded(1).swap).toMatchObject({ typeName: 'SWP_MIGRATION_WRITE', migration: { young: true, dirty: true }, softDirty: true });
    m.do(ev.move());
    expect(m.pte(1)).toBe(present(0x5678, NX | SOFT_DIRTY | DIRTY | ACCESSED | USER | RW | P));
    expect(m.page(0x5678)).toMatchObject({ mapcount: 1, anonExclusive: true, dirty: true, allocated: true });
    expect(m.page(0x1234)).toMatchObject({ mapcount: 0, allocated: false, locked: false, refs: 0 });
    expect(m.why('remove_migration_pte')).toBe('pid 1 PTE 1: SWP_MIGRATION_WRITE -> a present PTE for pfn 0x5678. young, dirty, writable.');
    m.consistent();
  });

  it('without SWP_MIG_YOUNG the PTE is old; without SWP_MIG_DIRTY it is clean although the page is dirty (S16)', () => {
    const m = new M({ platform: { arch: 'x86_64', paging: 4, migrationAd: false } }).do(ev.write(1), ev.unmap(1), ev.move());
    expect(m.pte(1)).toBe(present(0x5678, NX | SOFT_DIRTY | USER | RW | P));
    expect(m.page(0x5678).dirty).toBe(true);
    expect(m.why('remove_migration_pte')).toMatch(/old \(no SWP_MIG_YOUNG\), clean, writable\.$/);
  });

  it('a clean page comes back clean even from a young entry; a read entry stays read-only and not exclusive', () => {
    const m = new M().do(ev.mmap(8, 1, 'read', false, true), ev.read(8), ev.unmap(8));
    expect(m.decoded(8).swap).toMatchObject({ typeName: 'SWP_MIGRATION_READ', migration: { young: true, dirty: false } });
    m.do(ev.move());
    expect(m.pte(8)).toBe(present(0x5678, NX | ACCESSED | USER | P));
    expect(m.page(0x5678)).toMatchObject({ anon: false, anonExclusive: false, dirty: false });
    expect(m.why('remove_migration_pte')).toMatch(/young, clean\.$/);
  });

  it('a read-exclusive entry comes back read-only and exclusive, its dirtiness in SavedDirty', () => {
    const m = new M().do(ev.write(1), ev.mprotect(0, 8, 'read'), ev.unmap(1));
    expect(m.type(1)).toBe('SWP_MIGRATION_READ_EXCLUSIVE');
    m.do(ev.move());
    expect(m.pte(1)).toBe(present(0x5678, NX | SAVED_DIRTY | SOFT_DIRTY | ACCESSED | USER | P));
    expect(m.page(0x5678).anonExclusive).toBe(true);
  });

  it('after fork both mappings migrate as read entries; the old child PTE comes back old (S04)', () => {
    const m = new M().do(ev.write(1), ev.fork(), ev.unmap(1));
    expect([m.type(1, 1), m.type(1, 2)]).toEqual(['SWP_MIGRATION_READ', 'SWP_MIGRATION_READ']);
    expect(m.decoded(1, 2).swap?.migration).toMatchObject({ young: false, dirty: true });
    m.do(ev.move());
    expect(m.pte(1, 1)).toBe(present(0x5678, NX | SAVED_DIRTY | SOFT_DIRTY | ACCESSED | USER | P));
    expect(m.pte(1, 2)).toBe(present(0x5678, NX | SAVED_DIRTY | SOFT_DIRTY | USER | P));
    expect(m.page(0x5678)).toMatchObject({ mapcount: 2, anonExclusive: false });
    m.consistent();
  });

  it('uffd-wp on a read-only entry is carried to the new PTE (pte_mkuffd_wp)', () => {
    const m = new M().do(ev.write(1), ev.uffdWp(1, 1, true), ev.unmap(1));
    expect(m.decoded(1).swap).toMatchObject({ typeName: 'SWP_MIGRATION_READ_EXCLUSIVE', uffdWp: true });
    m.do(ev.move());
    expect(m.decoded(1).present).toMatchObject({ pfn: 0x5678, uffdWp: true, writable: false });
  });

  it('a soft-dirty bit is carried only when the entry has it', () => {
    const m = new M().do(ev.mmap(8, 1, 'read', false, true), ev.read(8), ev.unmap(8), ev.move());
    expect(has(m.pte(8), SOFT_DIRTY)).toBe(false);
  });

  it('a device-private destination gets a device-private entry, writable for a writable entry, soft-dirty kept, no A/D (S02 step 2)', () => {
    const m = new M().do(ev.write(1), ev.toDevice(1), ev.pages(), ev.finalize());
    expect(m.decoded(1).swap).toMatchObject({ typeName: 'SWP_DEVICE_WRITE', pfn: 0x10, softDirty: true, uffdWp: false });
    expect(m.page(0x10)).toMatchObject({ mapcount: 1, anonExclusive: true, dirty: true, locked: false });
    expect(m.why('remove_migration_pte')).toMatch(/-> a device-private entry for device page \(pfn 0x10\)\. the rebuilt PTE would be writable\.$/);
    expect(m.fns()).toContain('make_writable_device_private_entry');
    m.consistent();
  });

  it('a read-exclusive entry to the device gives SWP_DEVICE_READ with the uffd-wp bit carried', () => {
    const m = new M().do(ev.write(1), ev.uffdWp(1, 1, true), ev.toDevice(1), ev.pages(), ev.finalize());
    expect(m.decoded(1).swap).toMatchObject({ typeName: 'SWP_DEVICE_READ', uffdWp: true, softDirty: true });
    expect(m.why('remove_migration_pte')).toMatch(/the rebuilt PTE would be read-only\.$/);
    expect(m.page(0x10).anonExclusive).toBe(true);
  });

  it('after the series the device entry names the device offset, built from the page', () => {
    const m = new M({ profile: 'series' }).do(ev.write(1), ev.toDevice(1), ev.pages(), ev.finalize());
    expect(m.decoded(1).swap).toMatchObject({ typeName: 'SWP_DEVICE_WRITE', pfnSpace: 'device', pfn: 0x10 });
    expect(m.fns()).toEqual(expect.arrayContaining(['make_writable_device_private_entry_from_page', 'make_writable_device_private_entry']));
    expect(m.trace.some((t) => /device_private_page_to_offset\(page\) = 0x10/.test(t.why))).toBe(true);
  });

  it('back from the device: old and clean, writable for SWP_DEVICE_WRITE, soft-dirty kept (S02 step 4)', () => {
    const m = onDevice().do(ev.read(1), ev.pages(), ev.finalize());
    expect(m.pte(1)).toBe(present(0x5678, NX | SOFT_DIRTY | USER | RW | P));
    m.consistent();
  });
});

describe('migrate_pages(): unmap and move', () => {
  it('unmap locks the folio, takes a reference and makes every mapping a migration entry', () => {
    const m = new M().do(ev.write(1), ev.unmap(1));
    expect(m.page(0x1234)).toMatchObject({ locked: true, refs: 1, mapcount: 0 });
    expect(m.fns()).toEqual(expect.arrayContaining(['migrate_pages', 'migrate_folio_unmap', 'try_to_migrate', 'try_to_migrate_one']));
    expect(m.why('migrate_pages')).toBe('moves pfn 0x1234 to another RAM page (NUMA balancing, compaction, …).');
    expect(m.why('try_to_migrate')).toBe('rmap walk over every mapping.');
    expect(m.state.migrations).toHaveLength(1);
  });

  it('move copies data and the dirty flag to the new page and frees the old one', () => {
    const m = new M().do({ type: 'cpu_access', pid: 1, start: 1, pages: 1, access: 'write', value: 7 }, ev.unmap(1), ev.move());
    expect(m.page(0x5678)).toMatchObject({ data: 7, dirty: true, anon: true });
    expect(m.why('move_to_new_folio')).toBe('pfn 0x1234 -> pfn 0x5678 (migrate_folio copies data and flags).');
    expect(pageChanges(m, 0x5678)).toEqual(['allocated', 'copied from pfn 0x1234']);
    expect(m.state.migrations).toEqual([]);
    m.do({ type: 'cpu_access', pid: 1, start: 1, pages: 1, access: 'read' });
    expect(m.result.data).toEqual([7]);
  });

  it.each([
    ['an extra reference (FOLL_GET)', ev.get(1), 'pfn 0x1234 has 1 extra reference(s): -EAGAIN, the migration is undone.'],
    ['a FOLL_PIN pin', ev.pin(1), 'pfn 0x1234 has 1 extra reference(s): -EAGAIN, the migration is undone.'],
  ] as const)('with %s the move fails and remove_migration_ptes(src, src) maps the old page again', (_w, hold, why) => {
    const m = new M().do(ev.write(1), hold, ev.unmap(1));
    m.do(ev.move());
    expect(m.why('folio_migrate_mapping')).toBe(why);
    expect(m.why('remove_migration_ptes')).toBe('remove_migration_ptes(src, src): the old page is mapped again.');
    expect(m.pte(1)).toBe(present(0x1234, NX | SOFT_DIRTY | DIRTY | ACCESSED | USER | RW | P));
    expect(m.page(0x1234)).toMatchObject({ locked: false, mapcount: 1, allocated: true });
    expect(m.page(0x5678).allocated).toBe(false);
    expect(m.state.migrations).toEqual([]);
    m.consistent();
  });

  it('two pins are counted as pins', () => {
    const m = new M().do(ev.write(1), ev.pin(1), ev.pin(1), ev.fork(), ev.unmap(1), ev.move());
    expect(m.why('folio_migrate_mapping')).toMatch(/has 2 extra reference/);
  });

  it.each([
    ['a none PTE', (m: M) => m, 'PTE 1 of pid 1 is not present: migrate_pages moves mapped RAM pages'],
    ['the zero page', (m: M) => m.do(ev.read(1)), 'PTE 1 maps the shared zero page, which migrate_pages does not move'],
    ['a second migration', (m: M) => m.do(ev.write(1), ev.write(2), ev.unmap(2)), 'a migrate_pages migration is already in progress: migrate_folio_move finishes it'],
  ] as const)('migrate_folio_unmap refuses %s', (_w, setup, reason) => {
    expect(setup(new M()).refused(ev.unmap(1))).toBe(reason);
  });

  it('migrate_folio_unmap refuses a device-private PMD (the THP is on the device: nothing mapped to move)', () => {
    const m = new M({ setup: THP, profile: '7.3' }).do(ev.write(7), { type: 'migrate_vma_setup', pid: 1, start: 0, pages: 512, select: 'system', device: 0, compound: true }, ev.pages(), ev.finalize());
    expect(m.refused(ev.unmap(7))).toBe('the PMD at 7 of pid 1 is not present: migrate_pages moves mapped RAM pages');
  });

  it('a folio someone else holds locked is not migrated (folio_trylock() fails in migrate_folio_unmap)', () => {
    const m = new M().do(ev.write(1));
    const d = new Draft(m.state);
    d.setPage(m.pageId(0x1234), { locked: true });
    expect(refusal(() => migrateFolioUnmap(d, { pid: 1, index: 1 }))).toBe('pfn 0x1234 is locked (another migration holds it)');
  });

  it('a migrate_vma in flight on another page does not stop migrate_pages (the two migrations are independent)', () => {
    const m = new M().do(ev.write(1), ev.write(2), ev.toDevice(2), ev.unmap(1));
    expect(m.state.migrations.map((x) => x.api)).toEqual(['migrate_vma', 'migrate_folio']);
    expect(m.type(1)).toBe('SWP_MIGRATION_WRITE');
  });

  it('without CONFIG_MIGRATION nothing migrates', () => {
    const m = new M({ config: { DEVICE_PRIVATE: false, MIGRATION: false, MEMORY_FAILURE: false } }).do(ev.write(1));
    expect(m.refused(ev.unmap(1))).toBe('CONFIG_MIGRATION=n: this kernel cannot migrate pages');
    expect(m.refused(ev.toDevice(1))).toBe('CONFIG_MIGRATION=n: this kernel cannot migrate pages');
  });

  it.each([
    [ev.move(), 'no migrate folio is in progress: migrate_folio_unmap starts one'],
    [ev.pages(), 'no migrate vma is in progress: migrate_vma_setup (or a CPU fault on a device-private entry) starts one'],
    [ev.finalize(), 'no migrate vma is in progress: migrate_vma_setup (or a CPU fault on a device-private entry) starts one'],
    [{ type: 'migrate_device_pages' } as const, 'no migrate device is in progress: migrate_device_range starts one'],
  ] as const)('%j without a migration in flight is refused', (e, reason) => {
    expect(new M().refused(e)).toBe(reason);
  });
});

describe('a CPU access to a migration entry (migration_entry_wait)', () => {
  it.each([
    ['v6.18', 'migration_entry_wait_on_locked', 'pte_to_swp_entry() reads SWP_MIGRATION_WRITE.'],
    ['7.3', 'softleaf_entry_wait_on_locked', 'softleaf_from_pte() reads SWP_MIGRATION_WRITE.'],
  ] as const)('%s: the fault sleeps (%s); the PTE is not changed', (profile, wait, read) => {
    const m = new M({ profile }).do(ev.write(1), ev.unmap(1));
    const before = m.pte(1);
    m.do(ev.read(1));
    expect(m.pte(1)).toBe(before);
    expect(m.fns()).toEqual(['handle_mm_fault', 'handle_pte_fault', 'do_swap_page', 'migration_entry_wait']);
    expect(m.why('do_swap_page')).toBe(read);
    expect(m.why('migration_entry_wait')).toContain(`(${wait})`);
    expect(m.result.signal).toBeUndefined();
  });

  it('an access that must complete is refused until the migration finishes', () => {
    const m = new M().do(ev.write(1), ev.unmap(1));
    expect(m.refused({ type: 'cpu_access', pid: 1, start: 1, pages: 1, access: 'read' })).toBe('PTE 1 of pid 1 is under migration: the access sleeps in migration_entry_wait until migrate_*_finalize runs');
  });

  it('munmap of one collected page takes only its entry off the migration: the other page still moves', () => {
    const m = new M().do(ev.write(1), ev.write(2), ev.toDevice(1, 2), ev.munmap(2, 1), ev.pages(), ev.finalize());
    expect([m.type(1), m.decoded(1).swap?.pfn, m.pte(2)]).toEqual(['SWP_DEVICE_WRITE', 0x10, 0n]);
    m.consistent();
  });

  it('munmap of a migration entry clears it and takes it off the migration; the move then leaves it alone', () => {
    const m = new M().do(ev.write(1), ev.fork(), ev.unmap(1), ev.munmap(1, 1, 2));
    expect(m.pte(1, 2)).toBe(0n);
    expect(m.state.migrations[0]!.srcs[0]!.ptes).toEqual([{ pid: 1, index: 1 }]);
    m.do(ev.move());
    expect([m.pte(1, 2), has(m.pte(1, 1), P)]).toEqual([0n, true]);
    expect(m.page(0x5678).mapcount).toBe(1);
    m.consistent();
  });
});

describe('remove_migration_pte() leaves what is not its migration entry', () => {
  it('a PTE that no longer holds the entry (unmapped VMA) is skipped', () => {
    const m = new M().do(ev.write(1), ev.unmap(1));
    // the mapping goes away with its VMA: the PTE is cleared, so nothing is rebuilt there
    m.do({ type: 'munmap', pid: 1, start: 0, pages: 8 }, ev.move());
    expect(m.pte(1)).toBe(0n);
    expect(m.page(0x5678).mapcount).toBe(0);
    expect(m.fns()).not.toContain('remove_migration_pte');
    m.consistent();
  });
});

describe('remove_migration_pte() rebuilds only the migration entries of its folio (page_vma_mapped_walk, PVMW_MIGRATION)', () => {
  it('a migration entry for another folio and a present PTE are left as they are', () => {
    const m = new M().do(ev.write(1), ev.write(2), ev.unmap(1));
    const d = new Draft(m.state);
    const [a, b, c] = [m.pageId(0x1234), m.pageId(0x5678), m.pageId(0x9abc)];
    removeMigrationPte(d, { pid: 1, index: 1 }, b, c); // PTE 1 is a migration entry for pfn 0x1234, not 0x5678
    removeMigrationPte(d, { pid: 1, index: 2 }, b, c); // PTE 2 maps pfn 0x5678 present
    expect([view(d, { pid: 1, index: 1 }).raw, view(d, { pid: 1, index: 2 }).raw]).toEqual([m.pte(1), m.pte(2)]);
    removeMigrationPte(d, { pid: 1, index: 1 }, a, a);
    expect(view(d, { pid: 1, index: 1 }).raw).toBe(present(0x1234, NX | SOFT_DIRTY | DIRTY | ACCESSED | USER | RW | P));
  });
});

describe('migrate_pages() of a 2 MiB folio', () => {
  /** pid 1 maps the THP with a PMD; its fork child maps the first half with PTEs (the rest unmapped). Page 5 holds 55, page 300 holds 77. */
  const halfInChild = () => new M({ setup: THP, profile: '7.3' }).do(
    ev.write(7),
    { type: 'cpu_access', pid: 1, start: 5, pages: 1, access: 'write', value: 55 },
    { type: 'cpu_access', pid: 1, start: 300, pages: 1, access: 'write', value: 77 },
    ev.fork(), ev.munmap(256, 256, 2),
  );

  it('page i of the old folio becomes page i of the new one: idx = softleaf_to_pfn(entry) - pvmw.pfn; folio_copy() copies every page', () => {
    const m = halfInChild().do(ev.unmap(7));
    expect(m.decoded(5, 2).swap).toMatchObject({ typeName: 'SWP_MIGRATION_READ', pfn: 0x12405 });
    m.do(ev.move());
    expect(m.decoded(5, 2).present?.pfn).toBe(0x56605);
    expect(m.decoded(0, 2).present?.pfn).toBe(0x56600);
    expect([m.page(0x56605).data, m.page(0x5672c).data]).toEqual([55, 77]);
    expect(pageChanges(m, 0x56600)).toContain('copied from 2 MiB folio at pfn 0x12400 (512 pages)');
    expect(m.page(0x12400).allocated).toBe(false);
    m.consistent();
  });

  it('when the move fails, remove_migration_ptes(src, src) maps page i of the old folio again', () => {
    const m = halfInChild().do(ev.get(7), ev.unmap(7), ev.move());
    expect(m.fns()).toContain('folio_migrate_mapping');
    expect(m.fns()).not.toContain('move_to_new_folio');
    expect([m.decoded(5, 2).present?.pfn, m.decoded(0, 2).present?.pfn]).toEqual([0x12405, 0x12400]);
    m.consistent();
  });

  it('a migration PMD split meanwhile (mprotect of half) comes back as 512 PTEs for the pages of the new folio; the fork child\'s PMD as a PMD', () => {
    const m = new M({ setup: THP, profile: '7.3' }).do(ev.write(7), ev.fork(), ev.unmap(7), ev.mprotect(0, 256, 'read'));
    expect(m.decoded(300).swap).toMatchObject({ typeName: 'SWP_MIGRATION_READ', pfn: 0x1252c });
    m.do(ev.move());
    expect([m.decoded(5).present?.pfn, m.decoded(300).present?.pfn]).toEqual([0x56605, 0x5672c]);
    const child = viewPmd(new Draft(m.state), { pid: 2, index: 0 });
    expect([child?.kind, child?.target]).toEqual(['present', m.pageId(0x56600)]);
    m.consistent();
  });

  it('a partially mapped THP (on the deferred split list) is split first (try_split_folio) and its page moves as a 4 KiB page', () => {
    const m = new M({ setup: THP, profile: '7.3' }).do(ev.write(7), ev.munmap(256, 256), ev.unmap(7));
    expect(m.fns().slice(0, 3)).toEqual(['try_split_folio', 'migrate_pages', 'migrate_folio_unmap']);
    expect(m.why('try_split_folio')).toBe('2 MiB folio at pfn 0x12400 is partially mapped (on the deferred split list): split it now and migrate its 4 KiB folios.');
    expect(m.why('migrate_pages')).toBe('moves pfn 0x12407 to another RAM page (NUMA balancing, compaction, …).');
    expect([m.page(0x12400).order, m.page(0x12407).locked, m.type(7), m.type(8)]).toEqual([0, true, 'SWP_MIGRATION_WRITE', 'present']);
    m.do(ev.move());
    expect([m.decoded(7).present?.pfn, m.decoded(8).present?.pfn]).toEqual([0x1234, 0x12408]);
    m.consistent();
  });

  it('a partially mapped THP with an extra reference: the split fails, it migrates whole, and folio_migrate_mapping() undoes it (-EAGAIN)', () => {
    const m = new M({ setup: THP, profile: '7.3' }).do(ev.write(7), ev.munmap(256, 256), ev.get(7), ev.unmap(7));
    expect(m.fns().slice(0, 2)).toEqual(['try_split_folio', 'migrate_pages']);
    expect(m.trace[0]!.why).toMatch(/the split fails \(extra references\): 2 MiB folio at pfn 0x12400 migrates whole\.$/);
    expect(m.why('migrate_pages')).toBe('moves 2 MiB folio at pfn 0x12400 to another 2 MiB RAM folio (NUMA balancing, compaction, …).');
    expect([m.type(0), m.type(7), m.type(255)]).toEqual(['SWP_MIGRATION_WRITE', 'SWP_MIGRATION_WRITE', 'SWP_MIGRATION_WRITE']);
    m.do(ev.move());
    expect(m.why('folio_migrate_mapping')).toMatch(/extra reference\(s\): -EAGAIN, the migration is undone\.$/);
    expect([m.decoded(0).present?.pfn, m.decoded(7).present?.pfn, m.decoded(255).present?.pfn]).toEqual([0x12400, 0x12407, 0x124ff]);
    m.consistent();
  });

  it('a fully PTE-mapped THP migrates whole (no split): every PTE gets a migration entry and maps page i of the new 2 MiB folio', () => {
    const m = new M({ setup: THP, profile: '7.3' }).do(ev.write(7), ev.mprotect(0, 256, 'read'), ev.unmap(300));
    expect(m.fns()).not.toContain('try_split_folio');
    expect(m.why('migrate_pages')).toBe('moves 2 MiB folio at pfn 0x12400 to another 2 MiB RAM folio (NUMA balancing, compaction, …).');
    expect([m.type(0), m.type(300), m.type(511)]).toEqual(['SWP_MIGRATION_READ_EXCLUSIVE', 'SWP_MIGRATION_WRITE', 'SWP_MIGRATION_WRITE']);
    m.do(ev.move());
    expect([m.decoded(0).present?.pfn, m.decoded(300).present?.pfn, m.decoded(511).present?.pfn]).toEqual([0x56600, 0x5672c, 0x567ff]);
    expect([m.page(0x56600).order, m.page(0x12400).allocated]).toEqual([9, false]);
    m.consistent();
  });
});

describe('fork during a migration: the child\'s copy of the entry is remapped too (the rmap walk finds it)', () => {
  it('migrate_pages: the child\'s entry joins the migration; the state before the fork keeps its own list', () => {
    const m = new M().do(ev.write(1), ev.unmap(1));
    const before = m.state;
    m.do(ev.fork());
    expect(m.state.migrations[0]!.srcs[0]!.ptes).toEqual([{ pid: 1, index: 1 }, { pid: 2, index: 1 }]);
    expect(before.migrations[0]!.srcs[0]!.ptes).toEqual([{ pid: 1, index: 1 }]);
    m.do(ev.move());
    expect([m.decoded(1, 1).present?.pfn, m.decoded(1, 2).present?.pfn]).toEqual([0x5678, 0x5678]);
    m.consistent();
  });

  it('each entry joins the source of its own page, in its own migration', () => {
    const m = new M().do(ev.write(1), ev.write(2), ev.write(3), ev.toDevice(1, 2), ev.unmap(3), ev.fork());
    const [vma, folio] = m.state.migrations;
    expect(vma!.srcs.map((s) => s.ptes)).toEqual([[{ pid: 1, index: 1 }, { pid: 2, index: 1 }], [{ pid: 1, index: 2 }, { pid: 2, index: 2 }]]);
    expect(folio!.srcs[0]!.ptes).toEqual([{ pid: 1, index: 3 }, { pid: 2, index: 3 }]);
    m.do(ev.pages(), ev.finalize(), ev.move());
    expect([m.type(1, 2), m.decoded(1, 2).swap?.pfn, m.type(2, 2), m.decoded(2, 2).swap?.pfn]).toEqual(['SWP_DEVICE_READ', 0x10, 'SWP_DEVICE_READ', 0x11]);
    expect(m.type(3, 2)).toBe('present');
    m.consistent();
  });
});
