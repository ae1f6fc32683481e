/**
 * The entry views and builders the handlers share (entries.ts): what view()/viewPmd() report for
 * each kind of entry, which page a VA stands for, how a page is named, and which constructor each
 * profile's kernel code calls (domain spec §b, §d.1; pmd-and-thp.md §c).
 */
import { describe, expect, it } from 'vitest';
import { ev, M, THP_SETUP, X86_4 } from '../../../test/machine.ts';
import { DEFAULT_CONFIG } from '../kernel/config.ts';
import { getKernel } from '../kernel/kernel.ts';
import { pmd_mkinvalid, type Pmd } from '../kernel/arch/x86_pgtable.ts';
import { Draft } from './draft.ts';
import { makeDevicePrivateEntry, makeMigrationEntry, mappedPage, migrationEntry, pageName, pageNumberFn, readableMigrationFrom, view, viewPmd } from './entries.ts';
import { pageAt } from './pagestore.ts';

const THP = THP_SETUP;

const pageOf = (m: M, id: number) => pageAt(m.state.pages, id)!;

describe('view(): what the kernel sees at a PTE', () => {
  it('pte_none: no row, no swp_entry_t, no page', () => {
    const v = view(new Draft(new M().state), { pid: 1, index: 3 });
    expect(v).toEqual({ raw: 0n, kind: 'none', row: undefined, entry: null, target: -1 });
  });

  it('a present PTE: no row and no swp_entry_t (pte_to_swp_entry() is only for non-present PTEs); the mapped page', () => {
    const m = new M().do(ev.write(1));
    const v = view(new Draft(m.state), { pid: 1, index: 1 });
    expect(v.kind).toBe('present');
    expect(v.row).toBeUndefined();
    expect(v.entry).toBeNull();
    expect(pageOf(m, v.target).number).toBe(0x1234);
  });

  it('a migration entry: its type row, pte_to_swp_entry(), and the page it names', () => {
    const m = new M().do(ev.write(1), ev.unmap(1));
    const v = view(new Draft(m.state), { pid: 1, index: 1 });
    expect(v.kind).toBe('migration');
    expect(v.row?.name).toBe('SWP_MIGRATION_WRITE');
    expect(m.k.swp_type(v.entry!)).toBe(m.k.typeNumber('SWP_MIGRATION_WRITE'));
    expect(pageOf(m, v.target).number).toBe(0x1234);
  });
});

describe('viewPmd(): what the kernel sees at a PMD', () => {
  it('no PMD leaf over a PTE table or an empty PMD', () => {
    const m = new M({ setup: THP, profile: '7.3' });
    expect(viewPmd(new Draft(m.state), { pid: 1, index: 5 })).toBeNull();
  });

  it('a present THP: no row and no softleaf; the head page, and the PMD\'s reference is its first PTE index', () => {
    const m = new M({ setup: THP, profile: '7.3' }).do(ev.write(7));
    const v = viewPmd(new Draft(m.state), { pid: 1, index: 300 })!;
    expect(v.kind).toBe('present');
    expect(v.row).toBeUndefined();
    expect(v.entry).toBeNull();
    expect(v.ref).toEqual({ pid: 1, index: 0, pmd: true });
    expect(pageOf(m, v.target)).toMatchObject({ number: 0x12400, order: 9 });
  });

  it('a migration PMD: softleaf_from_pmd() and its type row', () => {
    const m = new M({ setup: THP, profile: '7.3' }).do(ev.write(7), ev.unmap(7));
    const v = viewPmd(new Draft(m.state), { pid: 1, index: 7 })!;
    expect(v.kind).toBe('migration');
    expect(v.row?.name).toBe('SWP_MIGRATION_WRITE');
    expect(m.k.swp_offset(v.entry!) & 0x3ffffn).toBe(0x12400n);
  });

  it('the transient pmdp_invalidate() value is still pmd_present() (PSE kept): classified at PMD level, not as a PTE', () => {
    const m = new M({ setup: THP, profile: '7.3' }).do(ev.write(7));
    const d = new Draft(m.state);
    const pv = viewPmd(d, { pid: 1, index: 0 })!;
    d.setPmd(pv.ref, pmd_mkinvalid(pv.raw as Pmd), pv.target);
    expect(viewPmd(d, { pid: 1, index: 0 })).toMatchObject({ kind: 'present', entry: null, target: pv.target });
  });
});

describe('mappedPage(): the page a VA stands for', () => {
  it('under a THP, the folio\'s page at that offset', () => {
    const m = new M({ setup: THP, profile: '7.3' }).do(ev.write(7));
    expect(pageOf(m, mappedPage(new Draft(m.state), { pid: 1, index: 5 })).number).toBe(0x12405);
  });

  it('under the huge zero PMD, the huge zero folio itself at every offset', () => {
    const m = new M({ setup: THP, profile: '7.3' }).do(ev.read(7));
    const d = new Draft(m.state);
    const head = mappedPage(d, { pid: 1, index: 0 });
    expect(pageOf(m, head).kind).toBe('zero');
    expect(mappedPage(d, { pid: 1, index: 5 })).toBe(head);
  });

  it('a 4 KiB PTE: its page; an empty PTE: none', () => {
    const m = new M().do(ev.write(1));
    const d = new Draft(m.state);
    expect(pageOf(m, mappedPage(d, { pid: 1, index: 1 })).number).toBe(0x1234);
    expect(mappedPage(d, { pid: 1, index: 2 })).toBe(-1);
  });
});

describe('pageName(): how the trace names a page', () => {
  it('a 4 KiB RAM page, the zero page, a THP\'s head and tail, the huge zero folio', () => {
    const m = new M({ setup: THP, profile: '7.3' }).do(ev.write(7), ev.read(600));
    expect(pageName(m.page(0x1234))).toBe('pfn 0x1234');
    expect(pageName(m.page(0x12400))).toBe('2 MiB folio at pfn 0x12400');
    expect(pageName(m.page(0x12401))).toBe('pfn 0x12401');
    const zero = pageOf(m, m.state.zeroPage);
    expect(pageName(zero)).toBe(`zero page (pfn 0x${zero.number.toString(16)})`);
    const hugeZero = pageOf(m, mappedPage(new Draft(m.state), { pid: 1, index: 600 }));
    expect(pageName(hugeZero)).toBe(`huge zero folio (pfn 0x${hugeZero.number.toString(16)})`);
  });

  it('a device page: by offset in its own space (series), by PFN where it has one (v6.18); the function that gives the number', () => {
    const own = new M({ profile: 'series' }).do(ev.write(1), ev.toDevice(1), ev.pages(), ev.finalize());
    const page = own.page(0x10, 'device');
    expect(pageName(page)).toBe('device page (offset 0x10)');
    expect(pageNumberFn(page)).toBe('device_private_page_to_offset');
    const phys = new M().do(ev.write(1), ev.toDevice(1), ev.pages(), ev.finalize());
    expect(pageName(phys.page(0x10))).toBe('device page (pfn 0x10)');
    expect(pageNumberFn(phys.page(0x10))).toBe('page_to_pfn');
    expect(pageNumberFn(phys.page(0x1234))).toBe('page_to_pfn');
  });
});

describe('the migration entry each profile builds, and its constructor', () => {
  const k = (profile: '7.3' | 'rfc' | 'series' | 'v6.18', MIGRATION = true) => getKernel(profile, { ...DEFAULT_CONFIG, MIGRATION }, X86_4);
  const typeOf = (kk: ReturnType<typeof k>, b: { entry: ReturnType<ReturnType<typeof k>['swp_entry']> }) => kk.typeName(kk.swp_type(b.entry));

  it('CONFIG_MIGRATION=n: make_*_migration_entry() are stubs that return swp_entry(0, 0)', () => {
    const off = k('v6.18', false);
    const b = migrationEntry(off, false, 'write', 0x1234n);
    expect([off.swp_type(b.entry), off.swp_offset(b.entry)]).toEqual([0, 0n]);
  });

  it('a device page before the series: the plain type and make_*_migration_entry(page_to_pfn)', () => {
    const kk = k('v6.18');
    const b = makeMigrationEntry(kk, { kind: 'device', space: 'phys', number: 0x10 }, 'read_exclusive');
    expect([typeOf(kk, b), b.ctor, b.inner, kk.swp_offset(b.entry)]).toEqual(['SWP_MIGRATION_READ_EXCLUSIVE', 'make_readable_exclusive_migration_entry', undefined, 0x10n]);
  });

  it('a device page under the RFC: SWP_MIGRATION_DEVICE_* from the RFC\'s constructors, with the device offset', () => {
    const kk = k('rfc');
    const b = makeMigrationEntry(kk, { kind: 'device', space: 'device', number: 0x10 }, 'read_exclusive');
    expect([typeOf(kk, b), b.ctor, b.inner, kk.swp_offset(b.entry)]).toEqual(['SWP_MIGRATION_DEVICE_READ_EXCLUSIVE', 'make_device_migration_readable_exclusive_migration_entry', undefined, 0x10n]);
  });

  it('under the series every page goes through make_*_migration_entry_from_page(), which picks the constructor', () => {
    const kk = k('series');
    const dev = makeMigrationEntry(kk, { kind: 'device', space: 'device', number: 0x10 }, 'write');
    expect([typeOf(kk, dev), dev.ctor, dev.inner]).toEqual(['SWP_MIGRATION_DEVICE_WRITE', 'make_writable_migration_entry_from_page', 'make_writable_migration_device_private_entry']);
    const ram = makeMigrationEntry(kk, { kind: 'ram', space: 'phys', number: 0x1234 }, 'read');
    expect([typeOf(kk, ram), ram.ctor, ram.inner]).toEqual(['SWP_MIGRATION_READ', 'make_readable_migration_entry_from_page', 'make_readable_migration_entry']);
  });

  it('readableMigrationFrom() keeps the PFN space: a device migration entry stays a device one', () => {
    const kk = k('rfc');
    const old = kk.swp_entry(kk.typeNumber('SWP_MIGRATION_DEVICE_WRITE')!, 0x10n);
    const b = readableMigrationFrom(kk, old, true);
    expect([typeOf(kk, b), kk.swp_offset(b.entry)]).toEqual(['SWP_MIGRATION_DEVICE_READ_EXCLUSIVE', 0x10n]);
    const ram = readableMigrationFrom(kk, kk.swp_entry(kk.typeNumber('SWP_MIGRATION_WRITE')!, 0x1234n), false);
    expect(typeOf(kk, ram)).toBe('SWP_MIGRATION_READ');
  });

  it('device-private entries: make_*_device_private_entry(), _from_page under the series; none without CONFIG_DEVICE_PRIVATE', () => {
    const kk = k('series');
    const b = makeDevicePrivateEntry(kk, { kind: 'device', space: 'device', number: 0x11 }, true);
    expect([typeOf(kk, b), b.ctor, b.inner, kk.swp_offset(b.entry)]).toEqual(['SWP_DEVICE_WRITE', 'make_writable_device_private_entry_from_page', 'make_writable_device_private_entry', 0x11n]);
    const off = getKernel('v6.18', { ...DEFAULT_CONFIG, DEVICE_PRIVATE: false }, X86_4);
    expect(() => makeDevicePrivateEntry(off, { kind: 'device', space: 'phys', number: 0x11 }, false)).toThrow(/CONFIG_DEVICE_PRIVATE=n/);
  });
});
