/**
 * Device migration (mm/migrate_device.c): what migrate_vma_setup collects (domain spec §d.1 step 1),
 * the restore path of migrate_device_unmap (S15), migrate_vma_pages with holes and failed
 * allocations (§d.1 steps 2-3), finalize, and eviction by migrate_device_range (S17).
 */
import { describe, expect, it } from 'vitest';
import { ACCESSED, DIRTY, ev, M, NX, onDevice, P, pageChanges, present, RW, SOFT_DIRTY, USER } from '../../../../test/machine.ts';
import { DEFAULT_CONFIG } from '../../kernel/config.ts';
import { decodePte } from '../../kernel/decode.ts';
import { Draft } from '../draft.ts';
import type { Event } from '../events.ts';
import { readPmd } from '../pagetable.ts';
import { pageAt } from '../pagestore.ts';
import type { MachineSetup } from '../types.ts';
import { runScenario } from '../../scenarios/run.ts';
import { THP_SCENARIOS } from '../../scenarios/thp.ts';
import { migrateVmaSetupIn } from './migrate_device.ts';

const WRITTEN = present(0x1234, NX | SOFT_DIRTY | DIRTY | ACCESSED | USER | RW | P);

describe('migrate_vma_setup (SELECT_SYSTEM): what is collected', () => {
  it('a present page: locked, referenced, its PTE a migration entry, its rmap dropped; cpages counts it', () => {
    const m = new M().do(ev.write(1), ev.toDevice(1));
    expect(m.type(1)).toBe('SWP_MIGRATION_WRITE');
    expect(m.page(0x1234)).toMatchObject({ locked: true, refs: 1, mapcount: 0, dirty: true });
    expect(m.result.cpages).toBe(1);
    expect(m.state.migrations[0]).toMatchObject({ api: 'migrate_vma', origin: 'driver', device: 0, to: 'device', phase: 'collected' });
    expect(m.state.migrations[0]!.srcs[0]).toMatchObject({ src: m.pageId(0x1234), migrate: true, write: true, ptes: [{ pid: 1, index: 1 }] });
    expect(m.why('migrate_vma_collect_pmd')).toMatch(/^MIGRATE_VMA_SELECT_SYSTEM: .*PTE 1: pfn 0x1234 collected \(MIGRATE_PFN_MIGRATE \| MIGRATE_PFN_WRITE\), rmap dropped\.$/);
    expect(m.why('migrate_vma_setup')).toBe('the driver asks to migrate PTEs 1..1 of pid 1.');
  });

  it('a none PTE of a private anon VMA and the zero page are holes: MIGRATE_PFN_MIGRATE with no page', () => {
    const m = new M().do(ev.read(2), ev.toDevice(1, 2));
    expect(m.state.migrations[0]!.srcs.map((s) => [s.src, s.hole])).toEqual([[null, { pid: 1, index: 1 }], [null, { pid: 1, index: 2 }]]);
    expect(m.result.cpages).toBe(2);
    expect(m.why('migrate_vma_collect_pmd')).toMatch(/PTE 1: none: .*PTE 2: the shared zero page, treated like a hole\.$/);
  });

  it('a run of PTEs collected alike reads as one sentence: T03 under v6.18 (no device THP) collects 512 pages', () => {
    const t03 = THP_SCENARIOS.find((s) => s.id === 'T03')!;
    const run = runScenario(t03, { profile: 'v6.18', config: DEFAULT_CONFIG, platform: { arch: 'x86_64', paging: 4, migrationAd: true } });
    const collect = run.traces.flat().filter((e) => e.fn === 'migrate_vma_collect_pmd').map((e) => e.why);
    expect(collect[0]).toMatch(/skipped\. PTEs 0\.\.511: pfn 0x12400–0x125ff collected \(MIGRATE_PFN_MIGRATE \| MIGRATE_PFN_WRITE\), rmap dropped\.$/);
  });

  it('PTEs whose pages do not follow each other keep a sentence each', () => {
    const m = new M().do(ev.write(1), ev.write(2), ev.write(3), ev.toDevice(1, 3));
    expect(m.why('migrate_vma_collect_pmd')).toMatch(/skipped\. PTE 1: pfn 0x1234 collected (.*) PTE 2: pfn 0x5678 collected .* PTE 3: pfn 0x9abc collected/);
  });

  it('the driver populates a hole directly: a writable device-private entry without soft-dirty in a VM_WRITE VMA', () => {
    const m = new M().do(ev.toDevice(1), ev.pages());
    expect(m.why('migrate_vma_insert_page')).toBe('fills the hole at PTE 1 with device page (pfn 0x10) (VM_WRITE: writable).');
    expect(m.why('make_writable_device_private_entry')).toBe('SWP_DEVICE_WRITE for page_to_pfn(page) = 0x10, with no soft-dirty bit.');
    m.do(ev.finalize());
    expect(m.decoded(1).swap).toMatchObject({ typeName: 'SWP_DEVICE_WRITE', pfn: 0x10, softDirty: false });
    expect(m.page(0x10)).toMatchObject({ mapcount: 1, anonExclusive: true, data: 0, locked: false });
    m.consistent();
  });

  it('a hole in a read-only VMA gets SWP_DEVICE_READ', () => {
    const m = new M().do(ev.mprotect(0, 8, 'read'), ev.toDevice(1), ev.pages());
    expect(m.why('migrate_vma_insert_page')).toMatch(/\(no VM_WRITE: read-only\)\.$/);
    m.do(ev.finalize());
    expect(m.type(1)).toBe('SWP_DEVICE_READ');
  });

  it('a hole the CPU filled meanwhile is not overwritten: the new page is dropped', () => {
    const m = new M().do(ev.toDevice(1), ev.write(1), ev.pages());
    expect(m.why('migrate_vma_insert_page')).toBe('PTE 1 changed meanwhile: abort, the new page is not used.');
    m.do(ev.finalize());
    expect(m.pte(1)).toBe(WRITTEN);
    expect(m.page(0x10)).toMatchObject({ allocated: false, locked: false });
  });

  it.each([
    ['a shared (shmem) VMA has no holes', [ev.mmap(8, 1, 'rw', true)], 8],
    ['device-private entries are skipped', [ev.write(1), ev.toDevice(1), ev.pages(), ev.finalize()], 1],
    ['swap entries are skipped', [ev.write(1), ev.swapOut(1)], 1],
    ['markers are skipped', [ev.guard(1)], 1],
  ] as const)('%s', (_w, setup, at) => {
    const m = new M().do(...setup);
    const before = m.pte(at);
    m.do(ev.toDevice(at));
    expect(m.result.cpages).toBe(0);
    expect(m.pte(at)).toBe(before);
  });

  it('a range across two VMAs is -EINVAL and nothing is collected', () => {
    const m = new M().do(ev.mmap(8, 2, 'rw'), ev.toDevice(7, 2));
    expect(m.result.ret).toBe('-EINVAL');
    expect(m.state.migrations).toEqual([]);
    expect(m.why('migrate_vma_setup')).toMatch(/the range is not inside one VMA: -EINVAL\.$/);
  });

  it('one migrate_vma at a time; an unknown device is refused', () => {
    const m = new M().do(ev.toDevice(1));
    expect(m.refused(ev.toDevice(2))).toBe('a migrate_vma migration is already in progress: finish it with migrate_vma_pages / migrate_vma_finalize (this model runs one at a time)');
    expect(new M().refused(ev.toDevice(1, 1, 1, 2))).toBe('there is no device 2 (this scenario has 1)');
  });
});

describe('migrate_device_unmap: pages that cannot move are restored at once (S15)', () => {
  it.each([
    ['a pin', ev.pin(1), /PTE 1: folio_try_share_anon_rmap_pte\(\) fails \(the page may be pinned\): PTE restored, page skipped\./],
  ] as const)('an exclusive page with %s is skipped at collect time', (_w, hold, why) => {
    const m = new M().do(ev.write(1), hold, ev.toDevice(1));
    expect(m.pte(1)).toBe(WRITTEN);
    expect(m.result.cpages).toBe(0);
    expect(m.page(0x1234)).toMatchObject({ locked: false, refs: 0, pins: 1 });
    expect(m.why('migrate_vma_collect_pmd')).toMatch(why);
  });

  it('an extra reference: migrate_vma_check_page fails and remove_migration_ptes(folio, folio) maps the page again', () => {
    const m = new M().do(ev.write(1), ev.get(1), ev.toDevice(1));
    expect(m.pte(1)).toBe(WRITTEN);
    expect(m.why('migrate_vma_check_page')).toBe('pfn 0x1234 has 1 extra reference(s): it cannot migrate; MIGRATE_PFN_MIGRATE is cleared.');
    expect(m.state.migrations[0]!.srcs).toEqual([]);
    expect(m.page(0x1234)).toMatchObject({ locked: false, refs: 1, mapcount: 1 });
    expect(m.result.cpages).toBe(0);
    m.consistent();
  });

  it('a page shared after fork: the other mapping is unmapped through the rmap (try_to_migrate) and both come back', () => {
    const m = new M().do(ev.write(1), ev.fork(), ev.toDevice(1));
    expect([m.type(1, 1), m.type(1, 2)]).toEqual(['SWP_MIGRATION_READ', 'SWP_MIGRATION_READ']);
    expect(m.why('try_to_migrate')).toBe('pfn 0x1234 is still mapped 1 more time(s): unmap through the rmap.');
    m.do(ev.pages(), ev.finalize());
    expect([m.type(1, 1), m.type(1, 2)]).toEqual(['SWP_DEVICE_READ', 'SWP_DEVICE_READ']);
    m.consistent();
  });

  it('a shared page with a pin in the other process: both restored, pins named', () => {
    const m = new M().do(ev.write(1), ev.fork(), ev.read(1, 2), { type: 'pin_user_pages', pid: 2, index: 1 }, ev.toDevice(1));
    expect(m.why('migrate_vma_check_page')).toBe('pfn 0x1234 has 1 pin(s): it cannot migrate; MIGRATE_PFN_MIGRATE is cleared.');
    expect([m.type(1, 1), m.type(1, 2)]).toEqual(['present', 'present']);
  });
});

describe('migrate_vma_pages and finalize', () => {
  it('pages runs once: a second call is refused', () => {
    const m = new M().do(ev.write(1), ev.toDevice(1), ev.pages());
    expect(m.refused(ev.pages())).toBe('migrate_vma_pages already ran for this migration: migrate_vma_finalize comes next');
  });

  it('a failed allocation leaves the page where it is: finalize restores it (dst = 0)', () => {
    const m = new M().do(ev.write(1), ev.toDevice(1), ev.pages(true));
    expect(m.why('dmirror_migrate_alloc_and_copy')).toMatch(/allocation fails: dst = 0, the page stays where it is\.$/);
    m.do(ev.finalize());
    expect(m.pte(1)).toBe(WRITTEN);
    expect(m.page(0x1234)).toMatchObject({ locked: false, refs: 0, allocated: true, mapcount: 1 });
    m.consistent();
  });

  it('finalize without pages restores every page and says so', () => {
    const m = new M().do(ev.write(1), ev.toDevice(1), ev.finalize());
    expect(m.pte(1)).toBe(WRITTEN);
    expect(m.why('migrate_vma_finalize')).toBe('migrate_vma_pages did not run: every page is restored where it was.');
    expect(m.state.migrations).toEqual([]);
  });

  it('a device that runs out of memory migrates what fits', () => {
    const m = new M().do({ type: 'cpu_access', pid: 1, start: 0, pages: 5, access: 'write' }, ev.toDevice(0, 5), ev.pages());
    expect(m.why('dmirror_migrate_alloc_and_copy')).toMatch(/device 0 is out of memory: dst = 0\.$/);
    m.do(ev.finalize());
    expect([0, 1, 2, 3, 4].map((i) => m.type(i))).toEqual(['SWP_DEVICE_WRITE', 'SWP_DEVICE_WRITE', 'SWP_DEVICE_WRITE', 'SWP_DEVICE_WRITE', 'present']);
    m.consistent();
  });

  it('only anonymous memory migrates to device-private memory: a page-cache page stays', () => {
    const m = new M().do(ev.mmap(8, 1, 'rw', true, true), ev.write(8), ev.unmap(8), ev.move());
    const n = new M().do(ev.mmap(8, 1, 'read', false, true), ev.read(8), ev.toDevice(8), ev.pages());
    expect(n.why('migrate_vma_pages')).toMatch(/pfn 0x1234 is a page-cache page: only anonymous memory migrates to device-private memory; MIGRATE_PFN_MIGRATE is cleared\.$/);
    n.do(ev.finalize());
    expect(n.type(8)).toBe('present');
    expect(n.page(0x10).allocated).toBe(false);
    expect(m.type(8)).toBe('present');
  });

  it('the data and the dirty flag move with the page, to the device and back', () => {
    const m = new M().do({ type: 'cpu_access', pid: 1, start: 1, pages: 1, access: 'write', value: 11 }, ev.toDevice(1), ev.pages());
    expect(m.why('migrate_folio')).toBe('pfn 0x1234 -> device page (pfn 0x10): data, dirty flag and mapping move over.');
    expect(pageChanges(m.trace, m.pageId(0x10))).toContain('dmirror_migrate_alloc_and_copy: copied from pfn 0x1234');
    expect(m.page(0x10)).toMatchObject({ data: 11, dirty: true, anon: true, locked: true });
    m.do(ev.finalize(), ev.fromDevice(1), ev.pages(), ev.finalize());
    expect(m.page(0x5678)).toMatchObject({ data: 11, dirty: true });
    expect(m.page(0x10).allocated).toBe(false);
  });
});

describe('SELECT_DEVICE_PRIVATE and migrate_device_range', () => {
  it('the driver brings its own pages back; present pages are not collected', () => {
    const m = onDevice().do(ev.write(2), ev.fromDevice(1, 2));
    expect(m.result.cpages).toBe(1);
    expect(m.type(2)).toBe('present');
    expect(m.state.migrations[0]).toMatchObject({ to: 'ram' });
    expect(m.why('migrate_vma_collect_pmd')).toMatch(/^MIGRATE_VMA_SELECT_DEVICE_PRIVATE: device-private entries owned by device 0 are collected\./);
  });

  it('holes are collected whatever the SELECT flags (vma_is_anonymous() only): cpages counts them, the driver leaves them empty', () => {
    const m = onDevice().do(ev.fromDevice(1, 2));
    expect(m.result.cpages).toBe(2);
    expect(m.state.migrations[0]!.srcs.map((s) => s.hole)).toEqual([null, { pid: 1, index: 2 }]);
    m.do(ev.pages());
    expect(m.why('alloc_page')).toMatch(/a hole toward system memory: the driver leaves dst = 0 \(there is nothing to copy back\)\.$/);
    m.do(ev.finalize());
    expect([m.type(1), m.type(2)]).toEqual(['present', 'none']);
    m.consistent();
    const hmmSys = onDevice().do({ type: 'hmm_migrate_to_sys', pid: 1, start: 1, pages: 2, device: 0 });
    expect(hmmSys.result).toEqual({ ret: '0', cpages: 1 });
  });

  it('another device\'s page is skipped (pgmap_owner)', () => {
    const m = onDevice({ setup: { ptes: 16, processes: [{ pid: 1, name: 't', vmas: [{ start: 0, pages: 8 }] }], devices: [{ first: '0x10', pages: 4 }, { first: '0x20', pages: 4 }] } });
    m.do(ev.fromDevice(1, 1, 1, 1));
    expect(m.result.cpages).toBe(0);
    expect(m.why('migrate_vma_collect_pmd')).toMatch(/PTE 1: the device page belongs to device 0, not to pgmap_owner 1: skipped\./);
  });

  it('migrate_device_range collects every allocated page of the device by PFN; free pages are not collected', () => {
    const m = onDevice().do({ type: 'migrate_device_range', device: 0 });
    expect(m.result.cpages).toBe(1);
    expect(m.state.migrations[0]).toMatchObject({ api: 'migrate_device', origin: 'evict', to: 'ram', device: 0 });
    expect(m.state.migrations[0]!.srcs[0]).toMatchObject({ hole: null, at: null, ptes: [{ pid: 1, index: 1 }] });
    expect(m.refused({ type: 'migrate_device_range', device: 0 })).toBe('an eviction is already in progress: finish it first');
    m.do({ type: 'migrate_device_pages' }, { type: 'migrate_device_finalize' });
    expect(m.decoded(1).present).toMatchObject({ pfn: 0x5678, writable: true });
    expect(m.fns()).toEqual(['migrate_device_finalize', '__migrate_device_finalize', 'remove_migration_ptes', 'remove_migration_pte']);
    m.consistent();
  });

  it('eviction skips a page that another migration holds locked', () => {
    const m = onDevice().do(ev.read(1), { type: 'migrate_device_range', device: 0 });
    expect(m.result.cpages).toBe(0);
    expect(m.why('migrate_device_range')).toMatch(/device page \(pfn 0x10\) is locked: skipped\.$/);
  });

  it('without CONFIG_DEVICE_PRIVATE there is no device-private memory to fill a hole with', () => {
    const m = new M({ config: { DEVICE_PRIVATE: false, MIGRATION: true, MEMORY_FAILURE: true } }).do(ev.toDevice(1));
    expect(m.refused(ev.pages())).toBe('CONFIG_DEVICE_PRIVATE=n: there is no device-private memory in this kernel');
  });
});

// ---- device THP (7.3: MIGRATE_VMA_SELECT_COMPOUND) -----------------------------------------------------

const N = 512;
/** pid 1: a VM_HUGEPAGE anon RW VMA over one aligned 2 MiB; RAM THPs 0x12400 then 0x56600; device 0 = one 2 MiB folio at 0x200, device 1 = 512 pages two apart (no 2 MiB folio), device 2 = 4 pages. */
const THP_SETUP: MachineSetup = {
  ptes: N,
  vaBase: '0x7f0000000000',
  processes: [{ pid: 1, name: 't', vmas: [{ start: 0, pages: N, prot: 'rw', thp: true }] }],
  ram: ['0x1234'],
  hugeRam: ['0x12400', '0x56600'],
  devices: [{ first: '0x200', physFirst: '0x200', pages: N }, { first: '0x400', physFirst: '0x400', pages: N, stride: 2 }, { first: '0x800', physFirst: '0x800', pages: 4 }],
  hugeZeroPfn: '0x3a00',
};
const thp = () => new M({ profile: '7.3', setup: THP_SETUP });
const compound = (select: 'system' | 'device_private', start = 0, device = 0, pages = N): Event => ({ type: 'migrate_vma_setup', pid: 1, start, pages, select, device, compound: true });
const PSE = 1n << 7n;
const pmdOf = (m: M, index = 0, pid = 1) => readPmd(m.state.processes.find((p) => p.pid === pid)!.ptes, index);
/** A device-private WRITE PMD at PTEs 0..511 (T03). */
const devicePmd = () => thp().do(ev.write(0), compound('system'), ev.pages(), ev.finalize());

describe('migrate_vma_collect_huge_pmd: what a huge PMD gives', () => {
  it.each([
    ['without SELECT_DEVICE_PRIVATE', compound('system'), 'a device-private PMD without SELECT_DEVICE_PRIVATE: skipped.'],
    ['for another pgmap_owner', compound('device_private', 0, 1), 'the device folio belongs to device 0, not to pgmap_owner 1: skipped.'],
  ] as const)('a device-private PMD is skipped %s (migrate_vma_collect_skip)', (_w, e, why) => {
    const m = devicePmd();
    const before = pmdOf(m);
    m.do(e);
    expect(m.result.cpages).toBe(0);
    expect(m.why('migrate_vma_collect_huge_pmd')).toMatch(new RegExp(`${why.replace(/[.()]/g, '\\$&')}$`));
    expect(pmdOf(m)).toBe(before);
    expect(m.page(0x200)).toMatchObject({ locked: false, refs: 0 });
  });

  it('a migration PMD (a THP that migrate_pages is moving) is left alone', () => {
    const m = thp().do(ev.write(0), ev.unmap(0));
    const before = pmdOf(m);
    m.do(compound('system'));
    expect(m.result.cpages).toBe(0);
    expect(m.why('migrate_vma_collect_huge_pmd')).toMatch(/SWP_MIGRATION_WRITE: a migration PMD is left alone\.$/);
    expect(pmdOf(m)).toBe(before);
  });

  it.each([
    ['the whole 2 MiB (SELECT_COMPOUND)', compound('system')],
    ['part of it (split_folio() would come next)', compound('system', 0, 0, 256)],
  ] as const)('a THP another migration holds locked is skipped before anything else: %s', (_w, e) => {
    // the pin makes migrate_folio_unmap's try_to_migrate fail: the folio stays locked, the PMD present
    const m = thp().do(ev.write(0), ev.pin(0), ev.unmap(0));
    const before = pmdOf(m);
    m.do(e);
    expect(m.result.cpages).toBe(0);
    expect(m.why('migrate_vma_collect_huge_pmd')).toMatch(/folio_trylock\(\) fails \(2 MiB folio at pfn 0x12400 is locked, e\.g\. already migrating\): skipped\.$/);
    expect(pmdOf(m)).toBe(before);
    expect(m.fns()).not.toContain('split_folio');
  });

  it('a pinned THP: set_pmd_migration_entry() fails, and split_folio() fails before it touches the PMD: the 2 MiB is skipped', () => {
    const m = thp().do(ev.write(0), ev.pin(0));
    const before = pmdOf(m);
    m.do(compound('system'));
    expect(m.result.cpages).toBe(0);
    expect(m.why('set_pmd_migration_entry')).toMatch(/folio_try_share_anon_rmap_pmd\(\) fails \(maybe pinned\): the old PMD is restored, -EBUSY\.$/);
    expect(m.why('split_folio')).toBe('set_pmd_migration_entry() failed: fall back to split_folio(). 2 MiB folio at pfn 0x12400 has extra references or pins: the split fails (-EAGAIN) before the PMD is touched; PTEs 0..511 are skipped (migrate_vma_collect_skip).');
    expect(m.fns()).not.toContain('migrate_vma_collect_pmd');
    expect(pmdOf(m)).toBe(before);
    expect(m.page(0x12400)).toMatchObject({ locked: false, refs: 0, pins: 1, order: 9 });
    m.consistent();
  });

  it.each([
    ['a pin', ev.pin(0), { pins: 1 }],
    ['an extra reference', ev.get(0), { refs: 1 }],
  ] as const)('part of a THP with %s: the split fails, the PMD stays and the range is skipped', (_w, hold, held) => {
    const m = thp().do(ev.write(0), hold);
    const before = pmdOf(m);
    m.do(compound('system', 0, 0, 256));
    expect(m.result.cpages).toBe(0);
    expect(m.why('split_folio')).toMatch(/the split fails \(-EAGAIN\) before the PMD is touched; PTEs 0\.\.511 are skipped/);
    expect(pmdOf(m)).toBe(before);
    expect(m.page(0x12400)).toMatchObject({ locked: false, order: 9, ...held });
  });

  it('part of an unpinned THP is split (PMD and folio) and its pages collected one by one', () => {
    const m = thp().do(ev.write(0), compound('system', 0, 0, 256));
    expect(m.result.cpages).toBe(256);
    expect(pmdOf(m)).toBe(0n);
    expect([m.type(0), m.type(255), m.type(256)]).toEqual(['SWP_MIGRATION_WRITE', 'SWP_MIGRATION_WRITE', 'present']);
    expect(m.page(0x12400).order).toBe(0);
  });
});

describe('migrate_vma_collect_pmd: a PTE-mapped large folio (migrate_vma_split_folio)', () => {
  it('is split first; the pages are then collected (locked by the walk, not by the split)', () => {
    const m = thp().do(ev.write(0), ev.munmap(256, 256), ev.toDevice(0, 256));
    expect(m.fns()).toContain('migrate_vma_split_folio');
    expect(m.result.cpages).toBe(256);
    expect(m.page(0x12400)).toMatchObject({ order: 0, locked: true });
    expect(m.page(0x124ff)).toMatchObject({ order: 0, locked: true });
    m.do(ev.pages(), ev.finalize());
    expect([m.type(0), m.type(255)]).toEqual(['SWP_DEVICE_WRITE', 'SWP_DEVICE_WRITE']);
    m.consistent();
  });

  it('with a pin the split fails and the rest of the PMD\'s range is skipped (migrate_vma_collect_skip(addr, end))', () => {
    const m = thp().do(ev.write(0), ev.munmap(256, 256), ev.pin(0), ev.toDevice(0, 256));
    expect(m.result.cpages).toBe(0);
    expect(m.why('migrate_vma_collect_pmd')).toMatch(/2 MiB folio at pfn 0x12400 is large and has extra references or pins: split_folio\(\) fails \(-EAGAIN\)\. PTE 0: migrate_vma_split_folio\(\) failed: PTEs 0\.\.255 are skipped \(migrate_vma_collect_skip\)\.$/);
    expect(m.type(0)).toBe('present');
    expect(m.page(0x12400)).toMatchObject({ order: 9, locked: false });
  });

  it('a small page that another migration holds locked is skipped (folio_trylock)', () => {
    const m = new M().do(ev.write(1), ev.pin(1), ev.unmap(1), ev.toDevice(1));
    expect(m.result.cpages).toBe(0);
    expect(m.why('migrate_vma_collect_pmd')).toMatch(/PTE 1: folio_trylock\(\) fails \(pfn 0x1234 is locked, e\.g\. already migrating\): skipped\.$/);
    expect(m.pte(1)).toBe(WRITTEN);
  });
});

describe('migrate_vma_pages with a COMPOUND src', () => {
  it('a device with no free 2 MiB folio: dmirror falls back to 512 small device pages (migrate_vma_split_unmapped_folio)', () => {
    const m = thp().do(ev.write(0), compound('system', 0, 1), ev.pages());
    expect(m.why('dmirror_migrate_alloc_and_copy')).toBe('the driver allocates device pages on device 1 and copies the data. device 1 has no free 2 MiB folio: fall back to 512 small pages.');
    expect(m.fns()).toContain('migrate_vma_split_unmapped_folio');
    m.do(ev.finalize());
    expect([m.decoded(0).swap?.pfn, m.decoded(1).swap?.pfn, m.decoded(511).swap?.pfn]).toEqual([0x400, 0x402, 0x400 + 2 * 511]);
    expect(m.type(511)).toBe('SWP_DEVICE_WRITE');
    m.consistent();
  });

  it('a device with only 4 free pages: 4 pages move, the other 508 (dst = 0) are restored as 4 KiB pages', () => {
    const m = thp().do(ev.write(0), compound('system', 0, 2), ev.pages());
    expect(pageAt(m.state.pages, m.state.zeroPage)!.locked).toBe(false);
    m.do(ev.finalize());
    expect([0, 3].map((i) => m.decoded(i).swap?.pfn)).toEqual([0x800, 0x803]);
    expect([m.type(4), m.type(511)]).toEqual(['present', 'present']);
    expect([m.decoded(4).present?.pfn, m.decoded(511).present?.pfn]).toEqual([0x12404, 0x125ff]);
    expect(m.page(0x12404)).toMatchObject({ order: 0, locked: false, mapcount: 1 });
    m.consistent();
  });

  it('a THP also PTE-mapped in a child: after the split, each small page finds its mappings in both processes', () => {
    const m = thp().do(ev.write(0), ev.fork(), ev.munmap(256, 256, 2), { type: 'hmm_flags', device: 0, failAlloc: true }, compound('system'));
    expect(m.type(0, 2)).toBe('SWP_MIGRATION_READ');
    m.do(ev.pages(), ev.finalize());
    expect([m.type(0, 1), m.type(255, 2), m.type(511, 1)]).toEqual(['SWP_DEVICE_READ', 'SWP_DEVICE_READ', 'SWP_DEVICE_READ']);
    expect([m.decoded(7, 1).swap?.pfn, m.decoded(7, 2).swap?.pfn]).toEqual([0x207, 0x207]);
    expect([m.page(0x207).mapcount, m.page(0x300).mapcount]).toEqual([2, 1]);
    m.consistent();
  });

  it('an aligned 2 MiB hole the CPU filled meanwhile is not overwritten: migrate_vma_insert_huge_pmd_page() aborts', () => {
    const m = thp().do(compound('system'), ev.write(0));
    const cpu = pmdOf(m);
    m.do(ev.pages());
    expect(m.why('migrate_vma_insert_huge_pmd_page')).toBe('the PMD at PTE 0 changed meanwhile (it must be none or the huge zero PMD): abort.');
    m.do(ev.finalize());
    expect(pmdOf(m)).toBe(cpu);
    expect(m.page(0x200)).toMatchObject({ allocated: false, locked: false });
    m.consistent();
  });
});

describe('migrate_device_range with a large device folio', () => {
  it('mapped by PTEs after a partial munmap, it is still one COMPOUND src (no split) and comes back as a 2 MiB RAM folio', () => {
    const m = devicePmd().do(ev.munmap(128, 128), { type: 'migrate_device_range', device: 0 });
    expect(m.result.cpages).toBe(N);
    expect(m.state.migrations[0]!.srcs).toHaveLength(1);
    expect(m.state.migrations[0]!.srcs[0]).toMatchObject({ src: m.pageId(0x200), compound: true, write: false });
    expect(m.page(0x200).order).toBe(9);
    m.do({ type: 'migrate_device_pages' }, { type: 'migrate_device_finalize' });
    expect([0, 300, 511].map((i) => m.decoded(i).present?.pfn)).toEqual([0x56600, 0x5672c, 0x567ff]);
    expect(m.type(128)).toBe('none');
    expect(m.page(0x56600)).toMatchObject({ order: 9, locked: false });
    m.consistent();
  });
});

describe('device THP: the huge zero PMD and eviction of a device-private PMD', () => {
  it('the huge zero PMD is a COMPOUND hole; migrate_vma_insert_huge_pmd_page() replaces it with a READ device-private PMD in a read-only VMA', () => {
    const ro: MachineSetup = { ...THP_SETUP, processes: [{ pid: 1, name: 't', vmas: [{ start: 0, pages: N, prot: 'read', thp: true }] }] };
    const m = new M({ profile: '7.3', setup: ro }).do(ev.read(0), compound('system'));
    expect(m.result.cpages).toBe(N);
    expect(m.why('migrate_vma_collect_huge_pmd')).toMatch(/the huge zero PMD counts as a hole: src\[0\] = MIGRATE_PFN_MIGRATE \| MIGRATE_PFN_COMPOUND\.$/);
    m.do(ev.pages());
    expect(m.why('migrate_vma_insert_huge_pmd_page')).toBe('fills the 2 MiB hole at PTEs 0..511 with 2 MiB device folio (pfn 0x200), replacing the huge zero PMD (no VM_WRITE: read-only).');
    m.do(ev.finalize());
    expect(decodePte(m.k, pmdOf(m)).swap).toMatchObject({ typeName: 'SWP_DEVICE_READ', pfn: 0x200 });
    m.consistent();
  });

  it('7.3: part of the huge zero PMD is collected as holes without a split; migrate_vma_insert_page() splits it when it inserts', () => {
    const m = thp().do(ev.read(0));
    const zero = pmdOf(m);
    m.do(compound('system', 8, 0, 4));
    expect(m.result.cpages).toBe(4);
    expect(m.why('migrate_vma_collect_huge_pmd')).toMatch(/the huge zero PMD counts as holes: src = MIGRATE_PFN_MIGRATE for PTEs 8\.\.11; the PMD stays until a page is inserted\.$/);
    expect(m.fns()).not.toContain('split_huge_pmd');
    expect(pmdOf(m)).toBe(zero);
    m.do(ev.pages());
    expect(m.state.migrations[0]!.phase).toBe('moved');
    expect(m.fns().filter((f) => f === 'split_huge_pmd')).toHaveLength(1);
    expect(m.why('split_huge_pmd')).toBe('migrate_vma_insert_page() on the huge zero PMD: split it first.');
    // dmirror_migrate_finalize_and_map() records each page at its own address
    expect(Object.keys(m.state.devices[0]!.mirror).sort()).toEqual(['1:10', '1:11', '1:8', '1:9']);
    m.do(ev.finalize());
    expect([m.type(7), m.type(8), m.type(11), m.type(12)]).toEqual(['present', 'SWP_DEVICE_WRITE', 'SWP_DEVICE_WRITE', 'present']);
    expect(m.page(m.decoded(7).present!.pfn).kind).toBe('zero');
    m.consistent();
  });

  it('7.3: when no page is inserted (the allocation fails) the huge zero PMD is never split', () => {
    const m = thp().do(ev.read(0));
    const zero = pmdOf(m);
    m.do(compound('system', 8, 0, 4), ev.pages(true), ev.finalize());
    expect(pmdOf(m)).toBe(zero);
    m.consistent();
  });

  it('v6.18: part of the huge zero PMD is split at collect time and its zero PTEs collected as holes', () => {
    const m = new M({ profile: 'v6.18', setup: THP_SETUP }).do(ev.read(0), { type: 'migrate_vma_setup', pid: 1, start: 8, pages: 4, select: 'system', device: 0 });
    expect(m.why('split_huge_pmd')).toBe('the range does not cover the aligned 2 MiB: split the huge zero PMD and collect the zero PTEs as holes.');
    expect(pmdOf(m)).toBe(0n);
    expect(m.result.cpages).toBe(4);
  });

  it('an untouched aligned 2 MiB of a VM_WRITE VMA gets a WRITE device-private PMD of zeroed pages', () => {
    const m = thp().do(compound('system'));
    expect(m.result.cpages).toBe(N);
    m.do(ev.pages());
    expect(m.why('migrate_vma_insert_huge_pmd_page')).toBe('fills the 2 MiB hole at PTEs 0..511 with 2 MiB device folio (pfn 0x200) (VM_WRITE: writable).');
    m.do(ev.finalize());
    expect(decodePte(m.k, pmdOf(m)).swap).toMatchObject({ typeName: 'SWP_DEVICE_WRITE', pfn: 0x200, softDirty: false });
    expect(m.page(0x3ff)).toMatchObject({ data: 0, locked: false });
    m.consistent();
  });

  it('an untouched aligned 2 MiB is a COMPOUND hole for SELECT_DEVICE_PRIVATE too; nothing is inserted on the way to RAM', () => {
    const m = thp().do(compound('device_private'));
    expect(m.result.cpages).toBe(N);
    m.do(ev.pages(), ev.finalize());
    expect(pmdOf(m)).toBe(0n);
    expect(m.page(0x200).allocated).toBe(false);
  });

  it('migrate_device_range over a device-private WRITE PMD: one COMPOUND src without MIGRATE_PFN_WRITE (migrate_device_pfn_lock); the migration PMD keeps the write bit and it comes back as a writable 2 MiB RAM folio', () => {
    const m = devicePmd().do({ type: 'migrate_device_range', device: 0 });
    expect(m.state.migrations[0]!.srcs).toEqual([expect.objectContaining({ src: m.pageId(0x200), compound: true, write: false, ptes: [{ pid: 1, index: 0, pmd: true }] })]);
    expect(decodePte(m.k, pmdOf(m)).swap?.typeName).toBe('SWP_MIGRATION_WRITE');
    expect(m.result.cpages).toBe(N);
    m.do({ type: 'migrate_device_pages' }, { type: 'migrate_device_finalize' });
    const pmd = pmdOf(m);
    expect(pmd & (P | RW | PSE)).toBe(P | RW | PSE);
    expect(Number((pmd >> 12n) & 0xffffffffn)).toBe(0x56600);
    expect(m.page(0x56600)).toMatchObject({ order: 9, entireMapcount: 1 });
    m.consistent();
  });

  it('eviction ignores HMM_DMIRROR_FLAG_FAIL_ALLOC (dmirror_device_evict_chunk() calls folio_alloc() directly): the folio still comes back whole', () => {
    const m = devicePmd().do({ type: 'hmm_flags', device: 0, failAlloc: true }, { type: 'hmm_release', device: 0 });
    expect(m.fns()).not.toContain('migrate_vma_split_unmapped_folio');
    expect(m.page(0x56600)).toMatchObject({ order: 9, entireMapcount: 1 });
    expect(pmdOf(m) & PSE).toBe(PSE);
    expect(m.state.devices[0]!.failAlloc).toBe(true);
    m.consistent();
  });
});

describe('what a reviewer reads in the trace and the srcs', () => {
  it('migrate_vma_collect names the PTE range it walks', () => {
    const m = new M().do(ev.toDevice(1, 3));
    expect(m.why('migrate_vma_collect')).toBe('walks PTEs 1..3 of pid 1 (walk_page_range).');
  });

  it('SELECT_COMPOUND on a kernel without device THP says so; 7.3 does not', () => {
    const line = 'MIGRATE_VMA_SELECT_COMPOUND does not exist in v6.18 (series base) (device-private THP arrived in 6.19): a THP is split and moves as 512 pages.';
    const old = new M({ setup: THP_SETUP }).do(ev.write(0), compound('system'));
    expect(old.why('migrate_vma_setup')).toBe(`the driver asks to migrate PTEs 0..511 of pid 1 (MIGRATE_VMA_SELECT_COMPOUND). ${line}`);
    const now = thp().do(ev.write(0), compound('system'));
    expect(now.why('migrate_vma_setup')).toBe('the driver asks to migrate PTEs 0..511 of pid 1 (MIGRATE_VMA_SELECT_COMPOUND).');
  });

  it('migrate_vma_collect_huge_pmd names the 512 PTEs of the PMD and locks the THP (folio_trylock)', () => {
    const m = thp().do(ev.write(0), compound('system'));
    expect(m.why('migrate_vma_collect_huge_pmd')).toMatch(/^pmd_trans_huge\(\) \|\| !pmd_present\(\) at PTEs 0\.\.511\./);
    expect(pageChanges(m.trace, m.pageId(0x12400))).toContain('migrate_vma_collect_huge_pmd: locked (folio_trylock)');
  });

  it('a small page is locked by the walk (folio_trylock); a dirty PTE marks the page-cache page dirty (folio_mark_dirty)', () => {
    const m = new M().do(ev.mmap(8, 1, 'rw', true, true), ev.write(8));
    expect(m.page(0x1234).dirty).toBe(false);
    m.do(ev.toDevice(8));
    expect(m.page(0x1234)).toMatchObject({ dirty: true, locked: true });
    expect(pageChanges(m.trace, m.pageId(0x1234))).toEqual(['migrate_vma_collect_pmd: locked (folio_trylock)', 'migrate_vma_collect_pmd: marked dirty (folio_mark_dirty)']);
    const clean = new M().do(ev.mmap(8, 1, 'rw', true, true), ev.read(8), ev.toDevice(8));
    expect(clean.page(0x1234).dirty).toBe(false);
  });

  it('a present THP without SELECT_SYSTEM is skipped: the PMD and the folio stay as they are', () => {
    const m = thp().do(ev.write(0));
    const before = pmdOf(m);
    m.do(compound('device_private'));
    expect(m.result.cpages).toBe(0);
    expect(m.why('migrate_vma_collect_huge_pmd')).toBe('pmd_trans_huge() || !pmd_present() at PTEs 0..511. a present THP without SELECT_SYSTEM: skipped.');
    expect(pmdOf(m)).toBe(before);
    expect(m.page(0x12400)).toMatchObject({ locked: false, refs: 0, order: 9 });
  });

  it.each([
    ['a writable THP', () => thp().do(ev.write(0)), 'system', true],
    ['a read-only THP', () => thp().do(ev.write(0), ev.mprotect(0, N, 'read')), 'system', false],
    ['a device-private WRITE PMD', devicePmd, 'device_private', true],
    ['a device-private WRITE PMD without soft-dirty (a filled hole)', () => thp().do(compound('system'), ev.pages(), ev.finalize()), 'device_private', true],
    ['a device-private READ PMD', () => devicePmd().do(ev.mprotect(0, N, 'read')), 'device_private', false],
  ] as const)('MIGRATE_PFN_WRITE of %s comes from the PMD', (_w, make, select, write) => {
    const m = make().do(compound(select));
    expect(m.state.migrations[0]!.srcs).toEqual([expect.objectContaining({ compound: true, write })]);
    expect(m.why('set_pmd_migration_entry')).toContain(write ? 'src[0] = migrate_pfn(head) | MIGRATE_PFN_WRITE | MIGRATE_PFN_MIGRATE' : 'src[0] = migrate_pfn(head) | MIGRATE_PFN_MIGRATE');
  });

  it.each([
    ['a pin', ev.pin(0)],
    ['an extra reference', ev.get(0)],
  ] as const)('a PTE-mapped large folio with %s is not split: the rest of the PMD\'s range is skipped', (_w, hold) => {
    const m = thp().do(ev.write(0), ev.munmap(256, 256), hold, ev.toDevice(0, 256));
    expect(m.fns()).not.toContain('migrate_vma_split_folio');
    expect(m.why('migrate_vma_collect_pmd')).toMatch(/2 MiB folio at pfn 0x12400 is large and has extra references or pins: split_folio\(\) fails \(-EAGAIN\)\. PTE 0: migrate_vma_split_folio\(\) failed: PTEs 0\.\.255 are skipped/);
    expect(m.result.cpages).toBe(0);
    expect(m.page(0x12400).order).toBe(9);
  });

  it('a range that ends at the PMD boundary but starts inside it is not "whole": the THP is split, not collected as one', () => {
    const m = thp().do(ev.write(0), compound('system', 8, 0, N - 8));
    expect(m.fns()).toContain('split_folio');
    expect(m.result.cpages).toBe(N - 8);
    expect([m.type(7), m.type(8)]).toEqual(['present', 'SWP_MIGRATION_WRITE']);
    expect(m.state.migrations[0]!.srcs.some((s) => s.compound)).toBe(false);
  });

  it('a CPU fault on a PTE-mapped device THP: migrate_vma_split_folio() leaves only the faulting page locked', () => {
    const m = devicePmd().do(ev.munmap(256, 256));
    const d = new Draft(m.state);
    const head = m.pageId(0x200);
    d.setPage(head, { locked: true }); // do_swap_page's trylock_page(vmf->page)
    const mig = migrateVmaSetupIn(d, { pid: 1, start: 5, pages: 1, select: 'device_private', device: 0, faultPage: head + 5, origin: 'fault' }, d.vmaAt(1, 5)!);
    expect(mig.srcs.map((s) => s.src)).toEqual([head + 5]);
    expect([d.page(head).locked, d.page(head + 5).locked, d.page(head + 6).locked]).toEqual([false, true, false]);
    expect(d.page(head).order).toBe(0);
  });

  it('a hole gets dst = 0 when the allocation fails, and migrate_vma_pages clears MIGRATE_PFN_MIGRATE', () => {
    const m = new M().do(ev.write(1), ev.toDevice(1), ev.pages(true));
    expect(m.state.migrations[0]!.srcs[0]).toMatchObject({ dst: null, migrate: false });
    m.do(ev.finalize());
    expect(m.why('remove_migration_ptes')).toBe('migration of pfn 0x1234 failed: remove_migration_ptes(folio, folio) restores it.');
  });

  it('a hole is zero-filled, never copied', () => {
    const m = new M().do(ev.write(2), ev.toDevice(1), ev.pages());
    expect(pageChanges(m.trace, m.pageId(0x10))).toContain('dmirror_migrate_alloc_and_copy: zero-filled');
    expect(m.page(0x10)).toMatchObject({ data: 0, locked: true });
  });
});

describe('fidelity: what the driver maps and what the srcs say', () => {
  const mirror = (m: M, device = 0) => m.state.devices[device]!.mirror;

  it.each([
    ['v6.18', true],
    ['7.3', false],
  ] as const)('%s: a hole in a VM_WRITE VMA is mapped by the device %s (MIGRATE_PFN_WRITE from VM_WRITE only before 6.19)', (profile, write) => {
    const m = new M({ profile }).do(ev.toDevice(1), ev.pages());
    expect(mirror(m)['1:1']).toMatchObject({ page: m.pageId(0x10), write, atomic: false });
  });

  it('a hole in a read-only VMA is never mapped writable by the device', () => {
    const m = new M().do(ev.mprotect(0, 8, 'read'), ev.toDevice(1), ev.pages());
    expect(mirror(m)['1:1']).toMatchObject({ write: false });
  });

  it('a hole the CPU filled meanwhile: the aborted insert clears MIGRATE_PFN_MIGRATE and the device does not map the unused page', () => {
    const m = new M().do(ev.toDevice(1), ev.write(1), ev.pages());
    expect(m.state.migrations[0]!.srcs[0]).toMatchObject({ migrate: false, dst: m.pageId(0x10) });
    expect(mirror(m)).toEqual({});
  });

  it.each([
    ['swapped out', [ev.write(1), ev.swapOut(1)]],
    ['unmapped', [ev.munmap(1)]],
  ] as const)('a hole whose PTE was %s meanwhile is not filled', (_w, meanwhile) => {
    const m = new M().do(ev.toDevice(1), ...meanwhile);
    const before = m.pte(1);
    m.do(ev.pages());
    expect(m.why('migrate_vma_insert_page')).toBe('PTE 1 changed meanwhile: abort, the new page is not used.');
    m.do(ev.finalize());
    expect(m.pte(1)).toBe(before);
    expect(m.page(0x10).allocated).toBe(false);
    m.consistent();
  });

  it('a 4 KiB hole under a THP the CPU faulted in meanwhile is not filled (the PMD is a leaf)', () => {
    const m = thp().do(compound('system', 8, 0, 4));
    expect(m.state.migrations[0]!.srcs).toHaveLength(4);
    m.do(ev.write(0));
    const cpu = pmdOf(m);
    m.do(ev.pages());
    expect(m.why('migrate_vma_insert_page')).toBe('PTE 8 changed meanwhile: abort, the new page is not used.');
    m.do(ev.finalize());
    expect(pmdOf(m)).toBe(cpu);
    m.consistent();
  });

  it.each([
    ['unmapped', [ev.munmap(0, N)]],
    ['given a PTE table by a 4 KiB fault (no THP in this VMA)', []],
  ] as const)('an aligned 2 MiB hole %s meanwhile: migrate_vma_insert_huge_pmd_page() aborts', (w, meanwhile) => {
    const setup: MachineSetup = { ...THP_SETUP, processes: [{ pid: 1, name: 't', vmas: [{ start: 0, pages: N, prot: 'rw', thp: meanwhile.length > 0 }] }] };
    const m = new M({ profile: '7.3', setup }).do(compound('system'), ...(meanwhile.length ? meanwhile : [ev.write(5)]));
    m.do(ev.pages());
    expect(m.why('migrate_vma_insert_huge_pmd_page')).toBe('the PMD at PTE 0 changed meanwhile (it must be none or the huge zero PMD): abort.');
    expect(m.state.migrations[0]!.srcs[0]!.migrate).toBe(false);
    expect(mirror(m)).toEqual({});
    m.do(ev.finalize());
    expect(pmdOf(m)).toBe(0n);
    expect(m.page(0x200).allocated).toBe(false);
    void w;
    m.consistent();
  });

  it('the huge zero PMD as a COMPOUND hole without a 2 MiB destination: the first migrate_vma_insert_page() splits it, the rest fill zero PTEs', () => {
    const m = thp().do(ev.read(0), { type: 'hmm_flags', device: 0, failAlloc: true }, compound('system'), ev.pages());
    expect(m.fns().filter((f) => f === 'split_huge_pmd')).toHaveLength(1);
    expect(m.why('split_huge_pmd')).toBe('migrate_vma_insert_page() on the huge zero PMD: split it first.');
    expect(m.fns().indexOf('split_huge_pmd')).toBeGreaterThan(m.fns().indexOf('migrate_vma_pages'));
    expect(m.state.migrations[0]!.srcs).toHaveLength(N);
    m.do(ev.finalize());
    expect([m.type(0), m.type(511)]).toEqual(['SWP_DEVICE_WRITE', 'SWP_DEVICE_WRITE']);
    m.consistent();
  });

  it('a huge zero PMD COMPOUND hole with no destination at all is never split', () => {
    const m = thp().do(ev.read(0));
    const zero = pmdOf(m);
    m.do(compound('system'), ev.pages(true), ev.finalize());
    expect(pmdOf(m)).toBe(zero);
    m.consistent();
  });

  it('the 2 MiB device destination is locked until finalize; the 512 fallback pages too', () => {
    const m = thp().do(ev.write(0), compound('system'), ev.pages());
    expect(m.page(0x200).locked).toBe(true);
    expect(pageChanges(m.trace, m.pageId(0x200))).toContain('dmirror_migrate_alloc_and_copy: locked');
    const s = thp().do(ev.write(0), compound('system', 0, 1), ev.pages());
    expect([s.page(0x400).locked, s.page(0x400 + 2 * 511).locked]).toEqual([true, true]);
    expect(s.state.migrations[0]!.srcs.every((x) => !x.compound)).toBe(true);
    expect(s.state.migrations[0]!.srcs).toHaveLength(N);
  });

  it('only a migration toward the device is mapped by dmirror_migrate_finalize_and_map; the way back erases what moved', () => {
    const m = onDevice().do(ev.fromDevice(1), ev.pages());
    expect(m.fns()).not.toContain('dmirror_migrate_finalize_and_map');
    expect(mirror(m)).toEqual({});
    const evict = onDevice().do({ type: 'migrate_device_range', device: 0 }, { type: 'migrate_device_pages' });
    expect(evict.fns()).not.toContain('dmirror_migrate_finalize_and_map');
    expect(Object.keys(mirror(evict))).toEqual(['1:1']);
    const there = new M().do(ev.write(1), ev.toDevice(1), ev.pages());
    expect(Object.keys(mirror(there))).toEqual(['1:1']);
  });

  it('part of a COMPOUND migration unmapped meanwhile: after the split its pages have no entries to restore, the rest move', () => {
    const m = thp().do(ev.write(0), { type: 'hmm_flags', device: 0, failAlloc: true }, compound('system'), ev.munmap(256, 256), ev.pages());
    const srcs = m.state.migrations[0]!.srcs;
    expect([srcs[0]!.ptes, srcs[300]!.ptes]).toEqual([[{ pid: 1, index: 0 }], []]);
    m.do(ev.finalize());
    expect([m.type(0), m.type(255), m.type(256)]).toEqual(['SWP_DEVICE_WRITE', 'SWP_DEVICE_WRITE', 'none']);
    expect([m.page(0x12400 + 300).allocated, m.page(0x200 + 300).allocated]).toEqual([false, false]);
    m.consistent();
  });
});
