/**
 * mm/huge_memory.c path by path: the branches of the THP code that the scenario tests do not take
 * (the huge zero folio shared by two PMDs, uffd-wp on a huge PMD, do_huge_pmd_wp_page's reuse and
 * fallback, set_pmd_migration_entry()'s -EBUSY, copy_huge_pmd() of a pinned THP, of the huge zero
 * PMD and of migration PMDs, change_huge_pmd()'s can_change_pmd_writable(), zap and MADV_FREE of the
 * odd PMDs, split_folio() of a THP two processes map). Expected values follow the kernel source
 * (7.3.4); a few rules that no event sequence reaches (a lock held by another thread, a reference
 * held elsewhere) are driven by calling the handler on a Draft.
 */
import { describe, expect, it } from 'vitest';
import { ACCESSED, DIRTY, ev, has, M, P, pageChanges, RW, SAVED_DIRTY, SPECIAL, swapPte, THP_SETUP_WIDE, UFFD, X86_4 } from '../../../../test/machine.ts';
import { decodePmd } from '../../kernel/decode.ts';
import { Draft } from '../draft.ts';
import { view, viewPmd } from '../entries.ts';
import type { Event } from '../events.ts';
import { readPmd } from '../pagetable.ts';
import type { MachineSetup, MachineState } from '../types.ts';
import { pageProt } from '../vma.ts';
import { changeHugePmd, copyHugePmd, hugePmdFault, removeMigrationPmd, splitFolioEverywhere, splitHugePmd } from './huge_memory.ts';
import { accessToCompletion } from './memory/fault.ts';

const THP: MachineSetup = THP_SETUP_WIDE;

const thp = (o: { setup?: MachineSetup; migrationAd?: boolean } = {}) =>
  new M({ setup: o.setup ?? THP, profile: '7.3', platform: { ...X86_4, migrationAd: o.migrationAd ?? true } });
const pmdOf = (s: MachineState, index: number, pid = 1) => readPmd(s.processes.find((p) => p.pid === pid)!.ptes, index);
const pmd = (m: M, index: number, pid = 1) => pmdOf(m.state, index, pid);
const pfnOf = (v: bigint) => Number((v >> 12n) & 0xfffffffffn);
const exit = (pid: number): Event => ({ type: 'exit', pid });
const madvFree = (start: number, pages: number, pid = 1): Event => ({ type: 'madvise', pid, start, pages, advice: 'free' });
const toDev: Event = { type: 'hmm_migrate_to_dev', pid: 1, start: 0, pages: 512, device: 0 };

/** The x86 huge zero PMD: folio_mk_pmd(pfn 0x3a00, PAGE_COPY = P|USER|A|NX) + PSE + pmd_mkspecial. */
const HUGE_ZERO_PMD = 0x8000000003a002a5n;
/** A fresh anon THP at 0x12400: P|RW|USER|A|D|PSE + soft-dirty (pmd_mkdirty), NX. */
const THP_PMD = 0x80000000124008e7n;

/** The message of a Refuse thrown by a handler called directly. */
function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as { message: string }).message;
  }
  throw new Error('not refused');
}

describe('the huge zero folio (get_huge_zero_folio)', () => {
  it('is made once and shared: a read fault in a second 2 MiB maps the same folio; no struct page is refcounted', () => {
    const m = thp().do(ev.read(0), ev.read(600));
    expect([pmd(m, 0), pmd(m, 512)]).toEqual([HUGE_ZERO_PMD, HUGE_ZERO_PMD]);
    const zero = m.page(0x3a00);
    expect([zero.kind, zero.order, zero.mapcount, zero.entireMapcount]).toEqual(['zero', 9, 0, 0]);
    expect(m.state.pages.length).toBe(thp().do(ev.read(0)).state.pages.length);
  });
  it('refuses a read fault when the setup\'s hugeZeroPfn is a RAM folio the scenario already uses', () => {
    const m = thp({ setup: { ...THP, hugeZeroPfn: '0x12400' } }).do(ev.write(0));
    expect(m.refused(ev.read(600))).toMatch(/pfn 0x12400 is a RAM page of this scenario: the huge zero folio needs its own \(setup\.hugeZeroPfn\)/);
  });
  it('fork: the child maps it too, old (copy_huge_pmd out_zero_page: pmd_mkold), with the uffd bit cleared when the child VMA is not uffd-wp', () => {
    const m = thp().do(ev.read(0), ev.fork());
    expect(pmd(m, 0, 1)).toBe(HUGE_ZERO_PMD);
    expect(pmd(m, 0, 2)).toBe(HUGE_ZERO_PMD & ~ACCESSED);
    const wp = thp().do(ev.read(0), ev.uffdWp(0, 512, true), ev.fork());
    expect(has(pmd(wp, 0, 1), UFFD)).toBe(true);
    expect(pmd(wp, 0, 2)).toBe(HUGE_ZERO_PMD & ~ACCESSED);
    wp.consistent();
  });
  it('splitting a uffd-wp huge zero PMD gives 512 special zero-page PTEs with uffd-wp (__split_huge_zero_page_pmd: pmd_uffd -> pte_mkuffd)', () => {
    const m = thp().do(ev.read(0), ev.uffdWp(0, 512, true), ev.munmap(0, 1));
    expect(m.why('__split_huge_zero_page_pmd')).toMatch(/uffd copied/);
    for (const i of [1, 511]) {
      const pte = m.pte(i);
      expect([i, pfnOf(pte), has(pte, P), has(pte, RW), has(pte, SPECIAL), has(pte, UFFD)]).toEqual([i, 0x2c00, true, false, true, true]);
    }
    m.consistent();
  });
  it('zap_huge_pmd: no folio behind it (vm_normal_folio_pmd() is NULL), so no rmap to drop; the folio is never freed', () => {
    const m = thp().do(ev.read(0), ev.munmap(0, 512));
    expect(m.fns()).toContain('zap_huge_pmd');
    expect(pmd(m, 0)).toBe(0n);
    const zero = m.page(0x3a00);
    expect([zero.allocated, zero.entireMapcount]).toEqual([true, 0]);
    m.consistent();
  });
  it('MADV_FREE leaves it alone (nothing to free)', () => {
    const m = thp().do(ev.read(0), madvFree(0, 512));
    expect(m.why('madvise_free_huge_pmd')).toBe('the huge zero folio: nothing to free.');
    expect(pmd(m, 0)).toBe(HUGE_ZERO_PMD);
  });
  it('mprotect(PROT_READ|PROT_WRITE) keeps it read-only: can_change_pmd_writable() needs an exclusive anon folio', () => {
    const m = thp().do(ev.read(0), ev.mprotect(0, 512, 'read'), ev.mprotect(0, 512, 'rw'));
    expect(pmd(m, 0)).toBe(HUGE_ZERO_PMD);
  });
});

describe('write faults on a write-protected huge PMD (do_huge_pmd_wp_page)', () => {
  it('a uffd-wp huge PMD sends the write to the handler; UFFDIO_WRITEPROTECT unprotect clears the bit and, the folio being exclusive, makes it writable (MM_CP_TRY_CHANGE_WRITABLE)', () => {
    const m = thp().do(ev.write(0), ev.uffdWp(0, 512, true));
    expect([has(pmd(m, 0), UFFD), has(pmd(m, 0), RW)]).toEqual([true, false]);
    expect(m.refused(ev.write(3))).toMatch(/userfaultfd write-protected/);
    m.do(ev.uffdWp(0, 512, false));
    expect([has(pmd(m, 0), UFFD), has(pmd(m, 0), RW)]).toEqual([false, true]);
    expect(m.why('change_huge_pmd')).toMatch(/can_change_pmd_writable\(\)/);
    m.do(ev.write(3));
    expect(m.fns()).toEqual(['hardware']);
  });
  it('after the child exits, the parent\'s read-only THP has folio_ref_count 1: SetPageAnonExclusive and reuse, the PMD as a fresh fault made it', () => {
    const m = thp().do(ev.write(0), ev.fork(), exit(2));
    expect(m.page(0x12400).anonExclusive).toBe(false);
    m.do(ev.write(3));
    expect(m.fns()).toEqual(['handle_mm_fault', 'wp_huge_pmd', 'do_huge_pmd_wp_page']);
    expect(m.why('do_huge_pmd_wp_page')).toMatch(/exclusive to this process: reuse it/);
    expect(pmd(m, 0)).toBe(THP_PMD);
    expect(m.page(0x12400).anonExclusive).toBe(true);
    m.consistent();
  });
  it('a cpu_access write to a writable THP that MADV_FREE made clean: the MMU sets Dirty again (a writable PMD alone does not finish the write)', () => {
    const m = thp().do(ev.write(0), madvFree(0, 512));
    expect([has(pmd(m, 0), RW), has(pmd(m, 0), DIRTY)]).toEqual([true, false]);
    m.do({ type: 'cpu_access', pid: 1, start: 3, pages: 1, access: 'write', value: 7 });
    expect(has(pmd(m, 0), DIRTY)).toBe(true);
    expect(m.page(0x12403).data).toBe(7);
    m.consistent();
  });
  it('while a child still maps pages of the folio with PTEs (after its own split), the parent\'s write falls back: folio_ref_count > 1', () => {
    const m = thp().do(ev.write(0), ev.fork(), ev.write(5, 2));
    expect(m.page(0x12400).entireMapcount).toBe(1);
    m.do(ev.write(3));
    expect(m.fns()).toEqual(expect.arrayContaining(['do_huge_pmd_wp_page', '__split_huge_pmd_locked']));
    expect(pmd(m, 0)).toBe(0n);
    expect(pfnOf(m.pte(3, 2))).toBe(0x12403);
    expect(pfnOf(m.pte(3, 1))).not.toBe(0x12403);
    expect(m.page(0x12403).mapcount).toBe(1);
    m.consistent();
  });
  it('a read-only PMD of a PageAnonExclusive folio is reused at once (the early check): a read-exclusive migration PMD restored in a writable VMA', () => {
    const m = thp().do(ev.write(0), ev.mprotect(0, 512, 'read'), ev.unmap(0));
    expect(decodePmd(m.k, pmd(m, 0)).swap!.migration!.access).toBe('read_exclusive');
    m.do(ev.mprotect(0, 512, 'rw'));
    expect(m.why('change_non_present_huge_pmd')).toBe('nothing to downgrade.');
    m.do(ev.move());
    const moved = pmd(m, 0);
    expect([pfnOf(moved), has(moved, RW), m.page(0x56600).anonExclusive]).toEqual([0x56600, false, true]);
    m.do(ev.write(3));
    expect(m.fns()).not.toContain('__split_huge_pmd_locked');
    expect(pmd(m, 0)).toBe(THP_PMD - 0x12400000n + 0x56600000n);
    m.consistent();
  });
});

describe('set_pmd_migration_entry()', () => {
  it('a pinned exclusive THP: folio_try_share_anon_rmap_pmd() fails, the PMD is restored and the folio stays exclusive (-EBUSY)', () => {
    const m = thp().do(ev.write(0), ev.pin(0), ev.unmap(0));
    expect(m.fns()).toEqual(expect.arrayContaining(['set_pmd_migration_entry', 'pmdp_invalidate']));
    expect(m.fns()).not.toContain('set_pmd_at');
    expect(m.why('set_pmd_migration_entry')).toMatch(/folio_try_share_anon_rmap_pmd\(\) fails \(maybe pinned\): the old PMD is restored, -EBUSY\.$/);
    expect(pmd(m, 0)).toBe(THP_PMD);
    expect([m.page(0x12400).anonExclusive, m.page(0x12400).entireMapcount]).toEqual([true, 1]);
    m.do(ev.move()).consistent();
    expect(pmd(m, 0)).toBe(THP_PMD);
  });
  it('without migration_entry_supports_ad() a young dirty THP\'s migration PMD carries no A/D (make_migration_entry_young/dirty leave it)', () => {
    const m = thp({ migrationAd: false }).do(ev.write(0), ev.unmap(0));
    expect(m.why('make_migration_entry_young')).toBe('migration_entry_supports_ad() is false: unchanged.');
    expect(m.why('make_migration_entry_dirty')).toBe('migration_entry_supports_ad() is false: unchanged.');
    const mig = decodePmd(m.k, pmd(m, 0)).swap!.migration!;
    expect([mig.access, mig.youngBitSet, mig.dirtyBitSet]).toEqual(['write', false, false]);
    const ad = decodePmd(m.k, pmd(thp().do(ev.write(0), ev.unmap(0)), 0)).swap!.migration!;
    expect([ad.youngBitSet, ad.dirtyBitSet]).toEqual([true, true]);
  });
});

describe('copy_huge_pmd()', () => {
  it('a maybe-pinned exclusive THP: folio_try_dup_anon_rmap_pmd() fails, the parent\'s PMD is split and the PTEs copied (-EAGAIN); the child gets copies', () => {
    const m = thp().do(ev.write(0), ev.pin(0), ev.fork());
    expect(m.why('copy_huge_pmd')).toMatch(/may be DMA-pinned: folio_try_dup_anon_rmap_pmd\(\) fails/);
    expect(m.fns().slice(0, 5)).toEqual(['dup_mmap', 'copy_page_range', 'copy_huge_pmd', '__split_huge_pmd', '__split_huge_pmd_locked']);
    expect([pmd(m, 0, 1), pmd(m, 0, 2)]).toEqual([0n, 0n]);
    expect(pfnOf(m.pte(0, 1))).toBe(0x12400);
    expect(pfnOf(m.pte(0, 2))).not.toBe(0x12400);
    m.consistent();
  });
  it('a writable migration PMD becomes READ in parent and child; the child\'s joins the migration and both map the new folio after it', () => {
    const m = thp().do(ev.write(0), ev.unmap(0), ev.fork());
    expect(m.why('copy_huge_non_present_pmd')).toMatch(/^a migration PMD: WRITE\/READ_EXCLUSIVE become READ/);
    expect(pmd(m, 0, 2)).toBe(pmd(m, 0, 1));
    expect(decodePmd(m.k, pmd(m, 0, 1)).swap!.migration!.access).toBe('read');
    m.do(ev.move());
    for (const pid of [1, 2]) expect([pid, pfnOf(pmd(m, 0, pid)), has(pmd(m, 0, pid), RW)]).toEqual([pid, 0x56600, false]);
    expect(m.page(0x56600).entireMapcount).toBe(2);
    m.consistent();
  });
  it('a READ migration PMD is copied as is, the parent\'s untouched', () => {
    const m = thp().do(ev.write(0), ev.fork(), ev.unmap(0));
    const before = pmd(m, 0, 1);
    expect(decodePmd(m.k, before).swap!.migration!.access).toBe('read');
    m.do(ev.fork(1));
    expect(m.why('copy_huge_non_present_pmd')).toBe('a migration PMD: a READ entry is copied as is.');
    expect([pmd(m, 0, 1), pmd(m, 0, 3)]).toEqual([before, before]);
    m.do(ev.move());
    expect(m.page(0x56600).entireMapcount).toBe(3);
    m.consistent();
  });
  it('a device-private PMD made read-only by the first fork is copied as is by the second, and the device folio\'s entire mapcount goes to 3', () => {
    const m = thp().do(ev.write(0), toDev, ev.fork());
    const shared = pmd(m, 0, 1);
    expect(decodePmd(m.k, shared).swap!.typeName).toBe('SWP_DEVICE_READ');
    m.do(ev.fork(1));
    expect(m.why('copy_huge_non_present_pmd')).toBe('a device-private PMD: copied as is; folio_try_dup_anon_rmap_pmd() shares the device folio.');
    expect([pmd(m, 0, 1), pmd(m, 0, 3)]).toEqual([shared, shared]);
    const d = new Draft(m.state);
    expect(d.page(viewPmd(d, { pid: 1, index: 0 })!.target).entireMapcount).toBe(3);
    m.consistent();
  });
  it('a shared THP forked again: folio_try_share_anon_rmap_pmd() has nothing to clear, the entire mapcount goes to 3', () => {
    const m = thp().do(ev.write(0), ev.fork(), ev.fork(1));
    // copy_huge_pmd() write-protects the parent's PMD whatever it was (mm/huge_memory.c: pmdp_set_wrprotect() after out_zero_page)
    expect(m.why('pmdp_set_wrprotect')).toBe('the parent\'s huge PMD is read-only already: nothing changes.');
    expect(pmd(m, 0, 3)).toBe(pmd(m, 0, 2));
    expect([m.page(0x12400).entireMapcount, m.page(0x12400).anonExclusive]).toEqual([3, false]);
  });
});

describe('change_huge_pmd()', () => {
  it('mprotect read then read-write: an exclusive THP is writable at once (can_change_pmd_writable()), a shared one stays read-only', () => {
    const m = thp().do(ev.write(0), ev.mprotect(0, 512, 'read'));
    expect(has(pmd(m, 0), RW)).toBe(false);
    m.do(ev.mprotect(0, 512, 'rw'));
    expect(m.why('change_huge_pmd')).toMatch(/can_change_pmd_writable\(\): the anon folio is exclusive, made writable right away\./);
    expect(has(pmd(m, 0), RW)).toBe(true);
    const shared = thp().do(ev.write(0), ev.fork(), ev.mprotect(0, 512, 'read'), ev.mprotect(0, 512, 'rw'));
    expect(shared.why('change_huge_pmd')).not.toMatch(/can_change_pmd_writable/);
    expect(has(pmd(shared, 0), RW)).toBe(false);
  });
});

describe('zap, MADV_FREE and split of the other PMDs', () => {
  it('munmap of a migration PMD: zap_huge_pmd() drops it from the migration (no rmap to remove); the migration then maps nothing', () => {
    const m = thp().do(ev.write(0), ev.unmap(0), ev.munmap(0, 512));
    expect(m.why('zap_huge_pmd')).toBe('PMD at PTE 0: SWP_MIGRATION_WRITE, pmdp_huge_get_and_clear_full().');
    expect(pmd(m, 0)).toBe(0n);
    expect(m.state.migrations.flatMap((x) => x.srcs.flatMap((s) => s.ptes))).toEqual([]);
    m.do(ev.move()).consistent();
    expect(m.page(0x56600).entireMapcount).toBe(0);
  });
  it('MADV_FREE of a THP another process maps leaves it (folio_maybe_mapped_shared())', () => {
    const m = thp().do(ev.write(0), ev.fork());
    const before = pmd(m, 0);
    m.do(madvFree(0, 512));
    expect(m.why('madvise_free_huge_pmd')).toBe('2 MiB folio at pfn 0x12400 is mapped by another process too (folio_maybe_mapped_shared()): left as it is.');
    expect(pmd(m, 0)).toBe(before);
    expect(m.page(0x12400).dirty).toBe(true);
  });
  it('splitting a PMD the MMU dirtied after MADV_FREE cleaned the folio sets the folio dirty (folio_set_dirty in __split_huge_pmd_locked)', () => {
    const m = thp().do(ev.write(0), madvFree(0, 512));
    expect([has(pmd(m, 0), DIRTY), m.page(0x12400).dirty]).toEqual([false, false]);
    m.do(ev.write(3));
    expect([has(pmd(m, 0), DIRTY), m.page(0x12400).dirty]).toEqual([true, false]);
    m.do(ev.mprotect(0, 256, 'read'));
    expect(pmd(m, 0)).toBe(0n);
    expect(m.page(0x12400).dirty).toBe(true);
    expect(has(m.pte(300), DIRTY)).toBe(true);
  });
  it('memory_failure() on a THP two processes map: split_folio() first splits the other process\'s PMD too (unmap_folio)', () => {
    const m = thp().do(ev.write(0), ev.fork(), ev.poison(3));
    expect([pmd(m, 0, 1), pmd(m, 0, 2)]).toEqual([0n, 0n]);
    expect(m.page(0x12400).order).toBe(0);
    expect([m.type(3, 1), m.type(3, 2)]).toEqual(['SWP_HWPOISON', 'SWP_HWPOISON']);
    expect(pfnOf(m.pte(4, 2))).toBe(0x12404);
    m.consistent();
  });
});

describe('do_huge_pmd_device_private() and the end of migrate_to_ram()', () => {
  it('a cpu_fault leaves the 2 MiB migration in flight with the folio locked; finalize leaves it locked, then do_huge_pmd_device_private unlocks and frees it', () => {
    const m = thp().do(ev.write(0), toDev, ev.read(3));
    const head = m.pageId(0x200);
    expect(m.state.migrations[0]!.fault).toEqual({ page: head, pmd: true });
    m.do(ev.pages(), ev.finalize());
    expect(m.fns().slice(-1)).toEqual(['do_huge_pmd_device_private']);
    expect(pageChanges(m.trace, head)).toEqual(['do_huge_pmd_device_private: unlocked (folio_unlock)', 'do_huge_pmd_device_private: freed (the whole 2 MiB folio)']);
    expect(m.page(0x200)).toMatchObject({ allocated: false, locked: false });
    m.consistent();
  });
});

describe('rules no event sequence reaches (the handler called on a Draft)', () => {
  const onDevice = () => thp().do(ev.write(0), toDev);
  const faultOnDevicePmd = (m: M, patch: { locked?: boolean; refs?: number }) => {
    const d = new Draft(m.state);
    const ref = { pid: 1, index: 3 };
    const head = viewPmd(d, ref)!.target;
    d.setPage(head, patch);
    const r = hugePmdFault(d, ref, d.vmaAt(1, 3)!, viewPmd(d, ref)!, 'read');
    return { d, r, head };
  };
  it('do_huge_pmd_device_private(): another thread holds the folio lock, folio_trylock() fails: return 0 and retry, nothing changes', () => {
    const m = onDevice();
    const before = pmd(m, 0);
    const { d, r } = faultOnDevicePmd(m, { locked: true });
    expect(r).toEqual({ done: false, wait: 'migration' });
    expect(d.pmd({ pid: 1, index: 0 })).toBe(before);
    expect(d.trace().map((t) => t.fn)).toEqual(['handle_mm_fault', 'do_huge_pmd_device_private']);
    expect(d.trace()[1]!.why).toMatch(/is locked \(already migrating\): folio_trylock\(\) fails, return 0 and retry\./);
  });
  it('do_huge_pmd_device_private(): a device folio with an extra reference is not migrated (migrate_vma_check_page); the PMD is restored and the folio unlocked', () => {
    const m = onDevice();
    const before = pmd(m, 0);
    const { d, r, head } = faultOnDevicePmd(m, { refs: 1 });
    expect(r).toEqual({ done: true });
    expect(d.trace().map((t) => t.fn)).toContain('migrate_vma_check_page');
    expect(d.pmd({ pid: 1, index: 0 })).toBe(before);
    expect([d.page(head).locked, d.page(head).refs]).toEqual([false, 1]);
    expect(d.migrations()).toEqual([]);
    // migrate_device_unmap's restore leaves the fault folio locked (`fault_folio != folio`)
    expect(pageChanges(d.trace(), head)).toEqual(['do_huge_pmd_device_private: locked (folio_trylock)', 'do_huge_pmd_device_private: unlocked: nothing to migrate']);
  });
  it('an access to a device-private PMD whose folio cannot migrate back (an extra reference) is refused: the kernel retries the fault', () => {
    const m = onDevice();
    const d = new Draft(m.state);
    d.setPage(viewPmd(d, { pid: 1, index: 3 })!.target, { refs: 1 });
    expect(refusal(() => accessToCompletion(d, { pid: 1, index: 3 }, 'write'))).toBe('the write at PTE 3 of pid 1 does not complete: the fault is retried while the device page cannot migrate back');
  });
  it('a PMD holding a kind that is not valid at PMD level (a swap entry) is refused, not guessed at', () => {
    const m = thp().do(ev.write(600));
    const d = new Draft(m.state);
    const ref = { pid: 1, index: 0 };
    d.setPmd(ref, swapPte(0, 0x42n), -1); // a swap entry of type 0: present clear, PSE clear
    const pv = viewPmd(d, ref)!;
    expect(pv.kind).toBe('swap');
    expect(refusal(() => hugePmdFault(d, ref, d.vmaAt(1, 0)!, pv, 'read'))).toMatch(/^the PMD holds .*swap.*, which is not valid at PMD level$/i);
  });
  it('__split_huge_pmd_locked(freeze): a maybe-pinned exclusive THP cannot be shared, so it is split without freezing (present PTEs, every page PageAnonExclusive)', () => {
    const m = thp().do(ev.write(0), ev.pin(0));
    const d = new Draft(m.state);
    splitHugePmd(d, { pid: 1, index: 0 }, true, 'split_huge_pmd_address(freeze) for try_to_migrate');
    expect(d.trace().find((t) => t.fn === '__split_huge_pmd_locked')!.why).toMatch(/folio_try_share_anon_rmap_pmd\(\) fails \(maybe pinned\): not frozen\./);
    for (const i of [0, 511]) {
      expect(view(d, { pid: 1, index: i }).kind).toBe('present');
      const p = d.page(d.target({ pid: 1, index: i }));
      expect([i, p.mapcount, p.anonExclusive]).toEqual([i, 1, true]);
    }
    const unpinned = new Draft(thp().do(ev.write(0)).state);
    splitHugePmd(unpinned, { pid: 1, index: 0 }, true, 'split_huge_pmd_address(freeze)');
    expect(view(unpinned, { pid: 1, index: 7 }).kind).toBe('migration');
    expect(unpinned.page(unpinned.target({ pid: 1, index: 0 })).anonExclusive).toBe(false);
  });
  it('copy_huge_pmd() into a uffd-wp child VMA (UFFD_FEATURE_EVENT_FORK, which fork in this model does not keep) leaves the uffd bit: userfaultfd_protected(dst_vma)', () => {
    const two: MachineSetup = { ...THP, processes: [...(THP.processes ?? []), { pid: 2, name: 'child', vmas: [{ start: 0, pages: 1024, prot: 'rw', thp: true }] }] };
    const m = thp({ setup: two }).do(ev.write(0), ev.read(600), ev.uffdWp(0, 1024, true));
    const d = new Draft(m.state);
    const childVma = { ...d.vmaAt(2, 0)!, uffdWp: true };
    for (const i of [0, 512]) expect(copyHugePmd(d, { pid: 1, index: i }, { pid: 2, index: i }, childVma)).toBe(true);
    expect(d.pmd({ pid: 2, index: 0 })).toBe((THP_PMD & ~(RW | ACCESSED | DIRTY)) | SAVED_DIRTY | UFFD);
    expect(d.pmd({ pid: 2, index: 512 })).toBe((HUGE_ZERO_PMD & ~ACCESSED) | UFFD);
  });
  it('change_non_present_huge_pmd(): a writable migration PMD becomes READ_EXCLUSIVE for an anon folio, READ for any other (folio_test_anon())', () => {
    const m = thp().do(ev.write(0), ev.unmap(0));
    const flags = { uffdWp: false, uffdWpResolve: false, tryChangeWritable: false };
    const got = (anon: boolean) => {
      const d = new Draft(m.state);
      const ref = { pid: 1, index: 0 };
      d.setPage(viewPmd(d, ref)!.target, { anon });
      changeHugePmd(d, ref, d.vmaAt(1, 0)!, 0n, flags);
      return [decodePmd(m.k, d.pmd(ref)).swap!.typeName, d.trace().find((t) => t.fn === 'change_non_present_huge_pmd')!.why];
    };
    expect(got(true)).toEqual(['SWP_MIGRATION_READ_EXCLUSIVE', 'a writable migration PMD: SWP_MIGRATION_READ_EXCLUSIVE (anon folio); soft-dirty copied, the uffd bit is not.']);
    expect(got(false)).toEqual(['SWP_MIGRATION_READ', 'a writable migration PMD: SWP_MIGRATION_READ (not anon); soft-dirty copied, the uffd bit is not.']);
  });
  it('remove_migration_pmd() leaves a PMD that is not a migration entry of the old folio alone (page_vma_mapped_walk() would not find it)', () => {
    const m = thp().do(ev.write(0), ev.write(512));
    const d = new Draft(m.state);
    removeMigrationPmd(d, { pid: 1, index: 0, pmd: true }, m.pageId(0x12400), m.pageId(0x56600));
    const unmapped = thp().do(ev.write(0), ev.unmap(0));
    const mig = new Draft(unmapped.state);
    const before = mig.pmd({ pid: 1, index: 0 });
    // the migration PMD names the folio at 0x12400; asked about the page at 0x1234 instead
    removeMigrationPmd(mig, { pid: 1, index: 0, pmd: true }, unmapped.pageId(0x1234), unmapped.pageId(0x12400));
    expect([d.pmd({ pid: 1, index: 0 }), d.trace()]).toEqual([THP_PMD, []]);
    expect([mig.pmd({ pid: 1, index: 0 }), mig.trace()]).toEqual([before, []]);
  });
});

describe('what the THP fault and the MMU say and do', () => {
  it('a process range whose VA is not 2 MiB aligned (2 pages off) gets no THP: thp_vma_suitable_order() fails, a 4 KiB page is mapped', () => {
    const m = thp({ setup: { ...THP, vaBase: '0x7f0000002000' } }).do(ev.write(0));
    expect(pmd(m, 0)).toBe(0n);
    expect([m.type(0), pfnOf(m.pte(0))]).toEqual(['present', 0x1234]);
  });
  it('a VMA that starts inside a 2 MiB range gets no THP there (thp_vma_suitable_order()), but gets one in the next, whole 2 MiB', () => {
    const setup: MachineSetup = { ...THP, processes: [{ pid: 1, name: 'task', vmas: [{ start: 8, pages: 1016, prot: 'rw', thp: true }] }] };
    const m = thp({ setup }).do(ev.write(10));
    expect([pmd(m, 0), m.type(10), m.fns()]).toEqual([0n, 'present', expect.arrayContaining(['do_anonymous_page'])]);
    m.do(ev.write(600));
    expect(pfnOf(pmd(m, 512))).toBe(0x12400);
    m.consistent();
  });
  it('the huge zero folio, like the 4 KiB zero page, is allocated, not PageAnon, unlocked, clean, not PageAnonExclusive and not poisoned', () => {
    const m = thp().do(ev.read(0));
    expect(m.page(0x3a00)).toMatchObject({ kind: 'zero', allocated: true, anon: false, locked: false, dirty: false, anonExclusive: false, hwpoison: false, order: 9 });
    expect(m.page(0x2c00)).toMatchObject({ kind: 'zero', anon: false, order: 0 });
  });
  it('do_huge_pmd_anonymous_page says which folio a read and a write fault map', () => {
    expect(thp().do(ev.read(0)).why('do_huge_pmd_anonymous_page')).toBe('a read fault: map the huge zero folio read-only.');
    expect(thp().do(ev.write(0)).why('do_huge_pmd_anonymous_page')).toBe('a write fault: allocate a 2 MiB folio.');
  });
  it('an access to a present huge PMD is the MMU\'s: a read sets Accessed only, a write Accessed and Dirty (after MADV_FREE made it old and clean)', () => {
    const m = thp().do(ev.write(0), madvFree(0, 512));
    expect(pmd(m, 0)).toBe(THP_PMD & ~(ACCESSED | DIRTY));
    m.do(ev.read(3));
    expect(m.fns()).toEqual(['hardware']);
    expect(m.why('hardware')).toBe('no fault: the MMU walks to the huge PMD and sets Accessed itself.');
    expect(pmd(m, 0)).toBe(THP_PMD & ~DIRTY);
    m.do(ev.write(3));
    expect(m.why('hardware')).toBe('no fault: the MMU walks to the huge PMD and sets Accessed and Dirty itself.');
    expect(pmd(m, 0)).toBe(THP_PMD);
  });
  it('a write to the huge zero PMD: do_huge_zero_wp_pmd() maps a new THP with map_anon_folio_pmd_pf()', () => {
    const m = thp().do(ev.read(0), ev.write(3));
    expect(m.fns()).toEqual(['handle_mm_fault', 'wp_huge_pmd', 'do_huge_pmd_wp_page', 'do_huge_zero_wp_pmd', 'map_anon_folio_pmd_pf']);
    expect(m.why('do_huge_zero_wp_pmd')).toBe('a write to the huge zero folio: allocate a 2 MiB folio and map it instead.');
  });
  it('a fault on a migration PMD waits on the folio lock with the profile\'s helper (softleaf_entry_wait_on_locked from 7.3, migration_entry_wait_on_locked before)', () => {
    const wait = (profile: 'v6.18' | '7.3') => {
      const m = new M({ setup: THP, profile, platform: X86_4 }).do(ev.write(0), ev.unmap(0), ev.read(3));
      expect(m.fns()).toEqual(['handle_mm_fault', 'pmd_migration_entry_wait']);
      return m.why('pmd_migration_entry_wait');
    };
    const says = (fn: string) => `pmd_is_migration_entry(): the 2 MiB folio is migrating. Take the PMD lock, re-check, sleep on the folio lock (${fn}); the PMD is not changed and the fault is retried.`;
    expect(wait('7.3')).toBe(says('softleaf_entry_wait_on_locked'));
    expect(wait('v6.18')).toBe(says('migration_entry_wait_on_locked'));
  });
  it('an access that meets a migration PMD sleeps until the migration ends: the machine refuses it and names pmd_migration_entry_wait', () => {
    const m = thp().do(ev.write(0), ev.unmap(0));
    expect(m.refused({ type: 'cpu_access', pid: 1, start: 3, pages: 1, access: 'read' })).toMatch(/^the PMD at PTE 3 of pid 1 is under migration: the access sleeps in pmd_migration_entry_wait/);
  });
  it('hugePmdFault() reports the access done for a present PMD (the MMU, a reuse, the huge zero copy) and falls back when the THP is shared', () => {
    const fault = (m: M, access: 'read' | 'write') => {
      const d = new Draft(m.state);
      const ref = { pid: 1, index: 3 };
      return hugePmdFault(d, ref, d.vmaAt(1, 3)!, viewPmd(d, ref)!, access);
    };
    expect(fault(thp().do(ev.write(0)), 'read')).toEqual({ done: true });
    expect(fault(thp().do(ev.read(0)), 'write')).toEqual({ done: true });
    expect(fault(thp().do(ev.write(0), ev.mprotect(0, 512, 'read'), ev.unmap(0), ev.mprotect(0, 512, 'rw'), ev.move()), 'write')).toEqual({ done: true });
    expect(fault(thp().do(ev.write(0), ev.fork(), exit(2)), 'write')).toEqual({ done: true });
    expect(fault(thp().do(ev.write(0), ev.fork()), 'write')).toBe('fallback');
    // mapped by this PMD alone but pinned: folio_ref_count() counts the pin too
    const pinned = thp().do(ev.write(0), ev.fork(), exit(2));
    const d = new Draft(pinned.state);
    const ref = { pid: 1, index: 3 };
    d.setPage(pinned.pageId(0x12400), { pins: 1 });
    expect(hugePmdFault(d, ref, d.vmaAt(1, 3)!, viewPmd(d, ref)!, 'write')).toBe('fallback');
  });
  it('a write to a read-only THP whose only mapping is this PMD but which someone holds a reference to falls back (folio_ref_count > 1)', () => {
    const m = thp().do(ev.write(0), ev.fork(), exit(2), ev.get(0));
    m.do(ev.write(3));
    expect(m.fns()).toEqual(expect.arrayContaining(['do_huge_pmd_wp_page', '__split_huge_pmd_locked']));
    expect(pmd(m, 0)).toBe(0n);
  });
});

describe('set_pmd_migration_entry(), what it reads and writes', () => {
  it('the present branch records pmdp_invalidate()\'s transient PMD: P cleared, PFN stored inverted, PSE and the other flags kept', () => {
    const m = thp().do(ev.write(0), ev.unmap(0));
    const inv = m.trace.find((t) => t.fn === 'pmdp_invalidate')!;
    // pfn_pmd(0x12400, flags & ~_PAGE_PRESENT): protnone_mask() inverts the PFN within PHYSICAL_PMD_PAGE_MASK (bits 21..51)
    expect(inv.changes).toEqual([{ kind: 'pmd', pid: 1, index: 0, before: THP_PMD, after: 0x800fffffeda008e6n }]);
  });
  it('a dirty PMD: folio_mark_dirty() and make_migration_entry_dirty(); a clean old one (after MADV_FREE) neither, nor make_migration_entry_young()', () => {
    const dirty = thp().do(ev.write(0));
    const head = dirty.pageId(0x12400);
    dirty.do(ev.unmap(0));
    expect(pageChanges(dirty.trace, head)).toEqual(['migrate_folio_unmap: locked', 'set_pmd_migration_entry: marked dirty (folio_mark_dirty)']);
    expect(dirty.fns()).toEqual(expect.arrayContaining(['make_migration_entry_young', 'make_migration_entry_dirty']));
    const clean = thp().do(ev.write(0), madvFree(0, 512), ev.unmap(0));
    expect(pageChanges(clean.trace, head)).toEqual(['migrate_folio_unmap: locked']);
    expect(clean.fns()).not.toContain('make_migration_entry_young');
    expect(clean.fns()).not.toContain('make_migration_entry_dirty');
    const young = thp().do(ev.write(0), madvFree(0, 512), ev.read(3), ev.unmap(0));
    expect(young.fns()).toContain('make_migration_entry_young');
    expect(young.fns()).not.toContain('make_migration_entry_dirty');
  });
  it('the migration entry is made from the PFN (7.3: page_to_pfn) or from the page (the series\' *_from_page helpers)', () => {
    expect(thp().do(ev.write(0), ev.unmap(0)).why('make_writable_migration_entry')).toBe('make_writable_migration_entry(page_to_pfn(page) = 0x12400): SWP_MIGRATION_WRITE.');
    const series = new M({ setup: THP, profile: 'series', platform: X86_4 }).do(ev.write(0), ev.unmap(0));
    expect(series.why('make_writable_migration_entry_from_page')).toBe('make_writable_migration_entry_from_page(page): SWP_MIGRATION_WRITE.');
  });
  it('set_pmd_at names the swap bits it copies: soft-dirty, and the uffd bit of a uffd-wp THP', () => {
    expect(thp().do(ev.write(0), ev.unmap(0)).why('set_pmd_at')).toBe('the migration PMD + pmd_swp_mksoft_dirty.');
    expect(thp().do(ev.write(0), ev.uffdWp(0, 512, true), ev.unmap(0)).why('set_pmd_at')).toBe('the migration PMD + pmd_swp_mksoft_dirty + pmd_swp_mkuffd.');
  });
  it('a device-private PMD (the non-present branch) is read with pmdp_huge_get_and_clear(): writable from the entry, no A/D (7.3); the pre-fix kernel read it as if present', () => {
    const m = thp().do(ev.write(0), toDev, ev.read(3));
    expect(m.why('pmdp_huge_get_and_clear')).toBe('the non-present PMD is read and cleared; writable = softleaf_is_device_private_write(), soft-dirty and uffd from pmd_swp_*(), no A/D: it reads writable, softDirty.');
    const old = new M({ setup: THP, profile: '7.3-pre-fix', platform: X86_4 }).do(ev.write(0), toDev, ev.read(3));
    expect(old.why('pmdp_huge_get_and_clear')).toMatch(/^the non-present PMD is read and cleared; this kernel \(before the June 2026 fix\) then reads it with pmd_write\(\)\/pmd_young\(\)\/pmd_dirty\(\)/);
  });
});

describe('__split_huge_pmd_locked(), copy_huge_pmd(), change_huge_pmd(), zap and MADV_FREE: the trace rows and values', () => {
  const rows = (m: M, from: string) => {
    const i = m.trace.findIndex((t) => t.fn === from);
    const end = m.trace.findIndex((t, j) => j > i && t.depth <= m.trace[i]!.depth);
    return m.trace.slice(i, end < 0 ? undefined : end).map((t) => `${t.fn}: ${t.why}`);
  };
  it('a pinned THP forked: the parent\'s PMD is split (not frozen: pmdp_invalidate\'s transient value, then 512 PTEs) and the child gets its own copy of each page', () => {
    const m = thp().do(ev.write(0), ev.pin(0), ev.fork());
    expect(m.why('__split_huge_pmd')).toBe('the pinned THP is copied at PTE level.');
    expect(m.why('__split_huge_pmd_locked')).toBe('PMD at PTEs 0..511 -> 512 PTEs.');
    expect(m.trace.find((t) => t.fn === 'pmdp_invalidate')!.changes).toEqual([{ kind: 'pmd', pid: 1, index: 0, before: THP_PMD, after: 0x800fffffeda008e6n }]);
    expect([m.type(0, 2), pfnOf(m.pte(0, 2)), m.type(511, 2)]).toEqual(['present', 0x1234, 'present']);
  });
  it('splitting a huge zero PMD without uffd-wp gives special zero-page PTEs without it', () => {
    const m = thp().do(ev.read(0), ev.munmap(0, 1));
    expect(m.why('__split_huge_zero_page_pmd')).toBe('512 special PTEs mapping the 4 KiB zero page.');
    expect([has(m.pte(1), UFFD), has(m.pte(1), SPECIAL)]).toEqual([false, true]);
  });
  it('splitting a device-private PMD does not invalidate it first (only a present PMD goes through pmdp_invalidate())', () => {
    const m = thp().do(ev.write(0), toDev, ev.munmap(0, 1));
    expect(m.fns()).toContain('__split_huge_pmd_locked');
    expect(m.fns()).not.toContain('pmdp_invalidate');
  });
  it('splitting a clean PMD of a clean folio (after MADV_FREE) leaves the folio clean; a PMD the MMU dirtied sets it dirty, said as a page change', () => {
    const clean = thp().do(ev.write(0), madvFree(0, 512), ev.mprotect(0, 256, 'read'));
    expect(pmd(clean, 0)).toBe(0n);
    expect(clean.page(0x12400).dirty).toBe(false);
    const dirtied = thp().do(ev.write(0), madvFree(0, 512), ev.write(3), ev.mprotect(0, 256, 'read'));
    expect(pageChanges(dirtied.trace, dirtied.pageId(0x12400))).toEqual(['__split_huge_pmd_locked: folio_set_dirty: the PMD was dirty']);
  });
  it('__split_huge_pmd_locked(freeze) of a pinned THP that is not PageAnonExclusive freezes it anyway (no folio_try_share_anon_rmap_pmd() to fail)', () => {
    const m = thp().do(ev.write(0), ev.fork());
    const d = new Draft(m.state);
    d.setPage(m.pageId(0x12400), { pins: 1 });
    splitHugePmd(d, { pid: 1, index: 0 }, true, 'split_huge_pmd_address(freeze)');
    expect(view(d, { pid: 1, index: 5 }).kind).toBe('migration');
    expect(d.trace().find((t) => t.fn === '__split_huge_pmd_locked')!.why).toBe('freeze: PMD at PTEs 0..511 -> 512 PTEs.');
  });
  it('a VMA boundary on a 2 MiB line cuts no PMD: mprotect of exactly the THP at PTEs 512..1023 changes the huge PMD, no split', () => {
    const m = thp().do(ev.write(600), ev.mprotect(512, 512, 'read'));
    expect(m.fns()).not.toContain('vma_adjust_trans_huge');
    expect(m.why('change_huge_pmd')).toBe('PMD at PTE 512: the range covers all 2 MiB. pmd_modify(): keep _HPAGE_CHG_MASK (PFN, PSE, A, D, soft-dirty, uffd), take the rest from vm_page_prot.');
    expect(has(pmd(m, 512), RW)).toBe(false);
  });
  it('a munmap that ends at the end of the process range has no PMD to split there (and no PTE past it to look at)', () => {
    const m = new M().do(ev.munmap(4, 12));
    expect(m.fns()).not.toContain('vma_adjust_trans_huge');
    expect(m.state.processes[0]!.vmas).toEqual([expect.objectContaining({ start: 0, pages: 4 })]);
  });
  it('fork of the huge zero PMD: no rmap (the zero folio\'s entire mapcount stays 0)', () => {
    const m = thp().do(ev.read(0), ev.fork());
    expect(m.why('copy_huge_pmd')).toBe('the huge zero folio: the child maps it too (mm_get_huge_zero_folio()), old.');
    expect(m.page(0x3a00).entireMapcount).toBe(0);
  });
  it('fork of a writable THP: pmdp_set_wrprotect() on the parent, then the child\'s old read-only PMD', () => {
    const m = thp().do(ev.write(0), ev.fork());
    expect(rows(m, 'copy_huge_pmd')).toEqual([
      'copy_huge_pmd: the child maps 2 MiB folio at pfn 0x12400 too: old, read-only; folio_try_dup_anon_rmap_pmd() shares it.',
      'pmdp_set_wrprotect: a writable private mapping: write-protect the parent\'s huge PMD (Dirty moves to SavedDirty).',
    ]);
  });
  it('copy_huge_non_present_pmd() calls the make_readable_* constructor only for a writable entry', () => {
    expect(rows(thp().do(ev.write(0), ev.unmap(0), ev.fork()), 'copy_huge_non_present_pmd').map((r) => r.split(':')[0])).toEqual(['copy_huge_non_present_pmd', 'make_readable_migration_entry']);
    expect(rows(thp().do(ev.write(0), ev.unmap(0), ev.fork()), 'make_readable_migration_entry')).toEqual(['make_readable_migration_entry: ']);
    expect(rows(thp().do(ev.write(0), ev.fork(), ev.unmap(0), ev.fork(1)), 'copy_huge_non_present_pmd')).toHaveLength(1);
    expect(rows(thp().do(ev.write(0), toDev, ev.fork()), 'copy_huge_non_present_pmd').map((r) => r.split(':')[0])).toEqual(['copy_huge_non_present_pmd', 'make_readable_device_private_entry']);
    expect(rows(thp().do(ev.write(0), toDev, ev.fork(), ev.fork(1)), 'copy_huge_non_present_pmd')).toHaveLength(1);
  });
  it('change_non_present_huge_pmd() calls the make_readable_* constructor only for a writable entry', () => {
    expect(rows(thp().do(ev.write(0), ev.unmap(0), ev.mprotect(0, 512, 'read')), 'change_non_present_huge_pmd')).toEqual([
      'change_non_present_huge_pmd: a writable migration PMD: SWP_MIGRATION_READ_EXCLUSIVE (anon folio); soft-dirty copied, the uffd bit is not.',
      'make_readable_exclusive_migration_entry: ',
    ]);
    expect(rows(thp().do(ev.write(0), toDev, ev.mprotect(0, 512, 'read')), 'change_non_present_huge_pmd').map((r) => r.split(':')[0])).toEqual(['change_non_present_huge_pmd', 'make_readable_device_private_entry']);
    expect(rows(thp().do(ev.write(0), toDev, ev.mprotect(0, 512, 'read'), ev.mprotect(0, 512, 'rw')), 'change_non_present_huge_pmd')).toEqual(['change_non_present_huge_pmd: nothing to downgrade.']);
  });
  it('mprotect of a uffd-wp THP keeps the uffd bit (only MM_CP_UFFD_WP_RESOLVE clears it)', () => {
    const m = thp().do(ev.write(0), ev.uffdWp(0, 512, true), ev.mprotect(0, 512, 'read'));
    expect(has(pmd(m, 0), UFFD)).toBe(true);
  });
  it('change_huge_pmd() without MM_CP_TRY_CHANGE_WRITABLE leaves an exclusive read-only THP read-only', () => {
    const m = thp().do(ev.write(0), ev.mprotect(0, 512, 'read'), ev.mprotect(0, 512, 'rw'), ev.uffdWp(0, 512, true));
    const d = new Draft(m.state);
    const ref = { pid: 1, index: 0 };
    const vma = d.vmaAt(1, 0)!;
    // the UFFDIO_WRITEPROTECT unprotect flags, less MM_CP_TRY_CHANGE_WRITABLE; vm_page_prot of a private VMA has no RW
    changeHugePmd(d, ref, vma, pageProt(vma), { uffdWp: false, uffdWpResolve: true, tryChangeWritable: false });
    expect([has(d.pmd(ref), RW), has(d.pmd(ref), UFFD)]).toEqual([false, false]);
  });
  it('copy_huge_pmd() shares a pinned THP that is not PageAnonExclusive (folio_try_dup_anon_rmap_pmd() fails only for an exclusive one)', () => {
    const m = thp().do(ev.write(0), ev.fork());
    const d = new Draft(m.state);
    d.setPage(m.pageId(0x12400), { pins: 1 });
    expect(copyHugePmd(d, { pid: 1, index: 0 }, { pid: 2, index: 512 }, d.vmaAt(2, 512)!)).toBe(true);
    expect(d.trace().map((t) => t.fn)).not.toContain('__split_huge_pmd');
    expect(d.page(m.pageId(0x12400)).entireMapcount).toBe(3);
  });
  it('can_change_pmd_writable() needs an anon folio (PageAnon()): a read-only THP of a non-anon folio stays read-only', () => {
    const m = thp().do(ev.write(0), ev.mprotect(0, 512, 'read'));
    const d = new Draft(m.state);
    const ref = { pid: 1, index: 0 };
    d.setPage(m.pageId(0x12400), { anon: false });
    const vma = { ...d.vmaAt(1, 0)!, prot: 'rw' as const };
    changeHugePmd(d, ref, vma, pageProt(vma), { uffdWp: false, uffdWpResolve: false, tryChangeWritable: true });
    expect(has(d.pmd(ref), RW)).toBe(false);
    const anon = new Draft(m.state);
    changeHugePmd(anon, ref, vma, pageProt(vma), { uffdWp: false, uffdWpResolve: false, tryChangeWritable: true });
    expect(has(anon.pmd(ref), RW)).toBe(true);
  });
  it('zap_huge_pmd() of a present THP says so', () => {
    expect(thp().do(ev.write(0), ev.munmap(0, 512)).why('zap_huge_pmd')).toBe('PMD at PTE 0: a huge PMD, pmdp_huge_get_and_clear_full().');
  });
  it('MADV_FREE of a THP this process alone maps: old and clean, said as a page change; of a device-private PMD: nothing changes', () => {
    const m = thp().do(ev.write(0), madvFree(0, 512));
    expect(m.why('madvise_free_huge_pmd')).toBe('2 MiB folio at pfn 0x12400: old and clean, the folio becomes lazily freeable.');
    expect(pageChanges(m.trace, m.pageId(0x12400))).toEqual(['madvise_free_huge_pmd: folio_mark_lazyfree: clean']);
    const dev = thp().do(ev.write(0), toDev, madvFree(0, 512));
    expect(dev.trace.flatMap((t) => t.changes)).toEqual([]);
  });
  it('split_folio(): a pinned THP cannot be split (memory_failure refuses); the PMDs of every process are split first, and a PTE-mapped THP has no PMD to split', () => {
    expect(thp().do(ev.write(0), ev.pin(0)).refused(ev.poison(3))).toMatch(/the THP cannot be split/);
    const two = thp().do(ev.write(0), ev.fork(), ev.poison(3));
    expect(two.why('__split_huge_pmd')).toBe('the PMD first.');
    expect(two.why('split_folio')).toBe('2 MiB folio at pfn 0x12400 becomes 512 order-0 folios.');
    expect(rows(two, 'split_folio').slice(0, 2)).toEqual(['split_folio: 2 MiB folio at pfn 0x12400 becomes 512 order-0 folios.', 'split_huge_pmd: unmap_folio(): pid 2 maps the folio with a PMD.']);
    const ptes = thp().do(ev.write(0), ev.mprotect(0, 1, 'read'), ev.poison(3));
    expect(ptes.fns().slice(0, 2)).toEqual(['try_to_split_thp_page', 'split_folio']);
  });
  it('split_folio() of a THP locked by someone else fails (can_split_folio), unless the caller holds the lock', () => {
    const m = thp().do(ev.write(0));
    const head = m.pageId(0x12400);
    const d = new Draft(m.state);
    d.setPage(head, { locked: true });
    d.call('test', '', () => expect(splitFolioEverywhere(d, head)).toBe(false));
    expect(d.trace()[0]!.why).toBe('2 MiB folio at pfn 0x12400 has extra references or is locked: the folio cannot be split now.');
    expect(splitFolioEverywhere(d, head, true)).toBe(true);
    expect(d.page(head).order).toBe(0);
  });
});
