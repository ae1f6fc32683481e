/**
 * Device migration (mm/migrate_device.c): what migrate_vma_setup collects (domain spec §d.1 step 1),
 * the restore path of migrate_device_unmap (S15), migrate_vma_pages with holes and failed
 * allocations (§d.1 steps 2-3), finalize, and eviction by migrate_device_range (S17).
 */
import { describe, expect, it } from 'vitest';
import { ACCESSED, DIRTY, ev, M, NX, onDevice, P, present, RW, SOFT_DIRTY, USER } from '../../../../test/machine.ts';
import { DEFAULT_CONFIG } from '../../kernel/config.ts';
import { runScenario } from '../../scenarios/run.ts';
import { THP_SCENARIOS } from '../../scenarios/thp.ts';

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
