/**
 * memory_failure() (mm/memory-failure.c): a poisoned page is unmapped everywhere through
 * try_to_unmap_one(TTU_HWPOISON); every mapping becomes make_hwpoison_entry(page), with no flag bits
 * (domain spec §d.3 "hwpoison", S19); an access then gets SIGBUS.
 */
import { describe, expect, it } from 'vitest';
import { ev, M, swapPte } from '../../../../test/machine.ts';
import type { MachineSetup } from '../types.ts';

describe('memory_failure', () => {
  it.each([
    ['v6.18', 24],
    ['rfc', 21],
  ] as const)('%s: the mapping becomes SWP_HWPOISON(%i) of the PFN with no soft-dirty/uffd/exclusive bits (S19)', (profile, type) => {
    const m = new M({ profile }).do(ev.write(1), ev.poison(1));
    expect(m.pte(1)).toBe(swapPte(type, 0x1234n));
    expect(m.fns()).toEqual(['memory_failure', 'try_to_unmap', 'try_to_unmap_one']);
    expect(m.why('memory_failure')).toBe('a memory error in pfn 0x1234: the page is marked HWPoison and unmapped everywhere.');
    expect(m.why('try_to_unmap')).toBe('TTU_HWPOISON');
    expect(m.why('try_to_unmap_one')).toContain('make_hwpoison_entry(page)');
    expect(m.trace.find((t) => t.fn === 'memory_failure')!.changes).toContainEqual({ kind: 'page', page: m.pageId(0x1234), what: 'PageHWPoison' });
    expect(m.page(0x1234)).toMatchObject({ hwpoison: true, mapcount: 0, allocated: true });
    m.consistent();
  });

  it('every process mapping the page gets the entry; the poisoned page is never freed or reused', () => {
    const m = new M().do(ev.write(1), ev.uffdWp(1, 1, true), ev.fork(), ev.poison(1, 2));
    expect([m.pte(1, 1), m.pte(1, 2)]).toEqual([swapPte(24, 0x1234n), swapPte(24, 0x1234n)]);
    m.do({ type: 'exit', pid: 1 }, { type: 'exit', pid: 2 });
    expect(m.page(0x1234)).toMatchObject({ allocated: true, hwpoison: true });
  });

  it('a read or write of a hwpoison entry gets SIGBUS', () => {
    for (const e of [ev.read(1), ev.write(1)]) {
      const m = new M().do(ev.write(1), ev.poison(1), e);
      expect(m.result.signal).toBe('SIGBUS');
    }
  });

  it.each([
    ['without CONFIG_MEMORY_FAILURE', { config: { DEVICE_PRIVATE: true, MIGRATION: true, MEMORY_FAILURE: false } }, [ev.write(1)], 'CONFIG_MEMORY_FAILURE=n: this kernel has no hwpoison handling'],
    ['on a none PTE', {}, [], 'memory_failure needs a present PTE at 1 of pid 1 (fault the page in first)'],
    ['on the shared zero page', {}, [ev.read(1)], 'PTE 1 maps the shared zero page'],
  ] as const)('it is refused %s', (_w, o, setup, reason) => {
    expect(new M(o).do(...setup).refused(ev.poison(1))).toBe(reason);
  });

  describe('on a THP (pmd-and-thp.md: memory failure splits a THP first; a hwpoison entry is PTE-only)', () => {
    /** A VM_HUGEPAGE VMA over one 2 MiB range, one THP of RAM at pfn 0x12400. */
    const THP: MachineSetup = {
      ptes: 512,
      processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: 512, prot: 'rw', thp: true }] }],
      ram: ['0x1234'],
      hugeRam: ['0x12400'],
    };

    it.each([
      ['mapped by a huge PMD: the PMD is split first', [], ['try_to_split_thp_page', '__split_huge_pmd', '__split_huge_pmd_locked', 'pmdp_invalidate', 'folio_add_anon_rmap_ptes', 'split_folio']],
      ['PTE-mapped (mprotect split the PMD, the folio stays large)', [ev.mprotect(3, 1, 'read')], ['try_to_split_thp_page', 'split_folio']],
    ] as const)('%s: try_to_split_thp_page() makes it 512 order-0 folios, and only the poisoned page gets the entry', (_w, setup, split) => {
      const m = new M({ setup: THP }).do(ev.write(0), ...setup);
      expect(m.page(0x12400).order).toBe(9);
      m.do(ev.poison(5));
      expect(m.fns()).toEqual([...split, 'memory_failure', 'try_to_unmap', 'try_to_unmap_one']);
      expect(m.why('try_to_split_thp_page')).toContain('hwpoison entry is PTE-only');
      expect(m.pte(5)).toBe(swapPte(24, 0x12405n));
      expect([m.type(4), m.type(6), m.decoded(4).present?.pfn, m.decoded(6).present?.pfn]).toEqual(['present', 'present', 0x12404, 0x12406]);
      expect(m.page(0x12405)).toMatchObject({ hwpoison: true, mapcount: 0, order: 0 });
      expect(m.page(0x12400)).toMatchObject({ hwpoison: false, mapcount: 1, order: 0 });
      m.consistent();
    });

    it('a THP with an extra reference cannot be split: memory_failure() fails with "unsplit thp"', () => {
      const m = new M({ setup: THP }).do(ev.write(0), ev.get(0));
      expect(m.refused(ev.poison(5))).toMatch(/cannot be split.*"unsplit thp"/);
    });
  });
});
