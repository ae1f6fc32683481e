/**
 * The swapops.h helpers of a Kernel under their kernel names: the generic swp_entry_t, the swap-PTE
 * flag helpers, markers, migration A/D; and the x86 present-PTE helpers (pgtable.h) the machine
 * builds PTEs with. Expected values follow the spec's formulas (§a, §c.1).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from './config.ts';
import {
  asPfn, getKernel, Kernel, kernelFor, optionsKey, PTE_MARKER_GUARD, PTE_MARKER_MASK, PTE_MARKER_POISONED, PTE_MARKER_UFFD_WP, SWP_OFFSET_MASK, SWP_TYPE_SHIFT, type PteMarker,
} from './kernel.ts';
import { ENTRY_KINDS, type EntryKind } from './leafops.ts';
import type { PmdBits, PteBits } from './u64.ts';
import {
  mk_pte, pte_dirty, pte_hw_dirty, pte_mkclean, pte_mkdirty, pte_mkold, pte_mkspecial, pte_mkuffd_wp, pte_mkwrite, pte_mkyoung, pte_modify, pte_none,
  pte_pfn, pte_present, pte_protnone, pte_set_hw_dirty, pte_soft_dirty, pte_special, pte_uffd_wp, pte_write, pte_wrprotect, pte_young, vm_page_prot, type Pte,
  pmd_clear_uffd, pmd_dirty, pmd_flags, pmd_hw_dirty, pmd_mkclean, pmd_mkold, pmd_mksoft_dirty, pmd_mkspecial, pmd_mkuffd, pmd_mkwrite, pmd_mkyoung,
  pmd_modify, pmd_none, pmd_pfn, pmd_present, pmd_set_hw_dirty, pmd_soft_dirty, pmd_special, pmd_trans_huge, pmd_uffd, pmd_write, pmd_wrprotect, pmd_young,
  type Pmd,
} from './arch/x86_pgtable.ts';
import { PAGE_COPY, PAGE_NONE, PAGE_SHARED } from './arch/x86_64.ts';

const X86 = { arch: 'x86_64', paging: 4, migrationAd: true } as const;
const k = getKernel('v6.18', DEFAULT_CONFIG, X86);
const M50 = (1n << 50n) - 1n;
const x86Pte = (type: number, off: bigint, flags = 0n) => ((BigInt(type) << 59n) | ((~off & M50) << 9n) | flags) as PteBits;

describe('swp_entry_t', () => {
  it('SWP_TYPE_SHIFT 58 and a 58-bit offset mask; swp_entry() truncates wider offsets', () => {
    expect([SWP_TYPE_SHIFT, SWP_OFFSET_MASK]).toEqual([58, 0x03ffffffffffffffn]);
    expect(k.swp_entry(3, (1n << 58n) | 5n).val).toBe((3n << 58n) | 5n);
    expect([k.swp_type({ val: (31n << 58n) | 1n }), k.swp_offset({ val: (31n << 58n) | 1n })]).toEqual([31, 1n]);
  });

  it('swp_offset_pfn() keeps SWP_PFN_BITS of the offset (drops the migration A/D bits)', () => {
    expect(k.swp_offset_pfn(k.swp_entry(27, 0x1234n | (3n << 34n)))).toBe(0x1234);
    expect(getKernel('v6.18', DEFAULT_CONFIG, { ...X86, paging: 5 }).swp_offset_pfn(k.swp_entry(27, 0x1234n | (3n << 34n)))).toBe(0xc00001234);
  });

  it('typeNumber / typeName / row name the types of the config', () => {
    expect([k.typeNumber('SWP_HWPOISON'), k.typeNumber('SWP_MIGRATION_DEVICE_READ'), k.typeName(3), k.typeName(31), k.row(30)?.name, k.row(3)]).toEqual([24, undefined, 'swapfile_3', 'SWP_PTE_MARKER', 'SWP_DEVICE_EXCLUSIVE', undefined]);
  });
});

describe('swap-PTE flag bits (bits 1, 2, 3 on x86)', () => {
  const base = x86Pte(5, 0x42n);
  it.each([
    ['soft-dirty', 0x2n, (p: PteBits) => k.pte_swp_mksoft_dirty(p), (p: PteBits) => k.pte_swp_soft_dirty(p), (p: PteBits) => k.pte_swp_clear_soft_dirty(p)],
    ['uffd-wp', 0x4n, (p: PteBits) => k.pte_swp_mkuffd_wp(p), (p: PteBits) => k.pte_swp_uffd_wp(p), (p: PteBits) => k.pte_swp_clear_uffd_wp(p)],
    ['exclusive', 0x8n, (p: PteBits) => k.pte_swp_mkexclusive(p), (p: PteBits) => k.pte_swp_exclusive(p), (p: PteBits) => k.pte_swp_clear_exclusive(p)],
  ] as const)('%s: make sets only its bit, the test reads it, clear removes only it', (_n, b, mk, test, clear) => {
    const all = (base | 0xen) as PteBits;
    expect(mk(base)).toBe(base | b);
    expect([test(mk(base)), test(base), test((all & ~b) as PteBits)]).toEqual([true, false, false]);
    expect(clear(all)).toBe(all & ~b);
  });

  it('pte_swp_clear_flags strips all three; pte_to_swp_entry reads type and offset through them', () => {
    expect(k.pte_swp_clear_flags((base | 0xen) as PteBits)).toBe(base);
    expect(k.pte_to_swp_entry((base | 0xen) as PteBits).val).toBe((5n << 58n) | 0x42n);
  });

  it('swp_entry_to_pte never sets a flag bit', () => {
    expect(k.swp_entry_to_pte(k.swp_entry(5, 0x42n))).toBe(base);
  });
});

describe('PTE markers (PTE_MARKER_UFFD_WP 1, POISONED 2, GUARD 4)', () => {
  it('the values, and make_pte_marker() is SWP_PTE_MARKER with the bits as offset', () => {
    expect([PTE_MARKER_UFFD_WP, PTE_MARKER_POISONED, PTE_MARKER_GUARD, PTE_MARKER_MASK]).toEqual([1, 2, 4, 7]);
    expect(k.make_pte_marker(PTE_MARKER_GUARD)).toBe(0xfffffffffffff600n);
    expect(k.pte_marker_get(k.make_pte_marker_entry(7 as PteMarker))).toBe(7);
    expect(k.pte_marker_get(k.swp_entry(31, 0x1fn))).toBe(7);
  });
});

describe('migration A/D (SWP_MIG_YOUNG / SWP_MIG_DIRTY)', () => {
  it('make_migration_entry_young/dirty set offset bits 34/35 (4-level) and keep the type and PFN', () => {
    const e = k.make_writable_migration_entry(asPfn(0x1234));
    expect(k.make_migration_entry_young(e).val).toBe(e.val | (1n << 34n));
    expect(k.make_migration_entry_dirty(e).val).toBe(e.val | (1n << 35n));
    expect([k.is_migration_entry_young(e), k.is_migration_entry_dirty(e)]).toEqual([false, false]);
    expect(k.is_migration_entry_young(k.make_migration_entry_young(e))).toBe(true);
    expect(k.is_migration_entry_dirty(k.make_migration_entry_young(e))).toBe(false);
    expect(k.is_migration_entry_dirty(k.make_migration_entry_dirty(e))).toBe(true);
    expect(k.migration_entry_supports_ad()).toBe(true);
  });

  it('without support they return the very same entry and read false', () => {
    const n = getKernel('v6.18', DEFAULT_CONFIG, { ...X86, migrationAd: false });
    const e = n.make_writable_migration_entry(asPfn(0x1234));
    expect(n.make_migration_entry_young(e)).toBe(e);
    expect(n.make_migration_entry_dirty(e)).toBe(e);
    expect(n.migration_entry_supports_ad()).toBe(false);
  });

  it('the constants follow from SWP_PFN_BITS', () => {
    expect([k.SWP_PFN_BITS, k.SWP_MIG_YOUNG_BIT, k.SWP_MIG_DIRTY_BIT, k.SWP_MIG_TOTAL_BITS, k.SWP_PFN_MASK, k.SWP_MIG_YOUNG, k.SWP_MIG_DIRTY, k.pfnSpan]).toEqual([34, 34, 35, 36, (1n << 34n) - 1n, 1n << 34n, 1n << 35n, 2 ** 34]);
  });
});

describe('x86 present-PTE helpers (pgtable.h, pgtable-invert.h)', () => {
  const pte = mk_pte(0x1234, PAGE_COPY);
  it('mk_pte: PFN and protection; a PROT_NONE PTE stores the PFN inverted and pte_pfn() undoes it', () => {
    expect(pte).toBe(0x8000000001234025n);
    const none = mk_pte(0x1234, PAGE_NONE);
    expect(none).toBe(0x000ffffffedcb120n);
    expect([pte_pfn(pte), pte_pfn(none)]).toEqual([0x1234, 0x1234]);
    expect([pte_present(none), pte_protnone(none), pte_protnone(pte), pte_none(0x60n), pte_none(0x10n)]).toEqual([true, true, false, true, false]);
  });

  it('young/old, special, soft-dirty, uffd-wp', () => {
    expect([pte_young(pte), pte_young(pte_mkold(pte)), pte_young(pte_mkyoung(pte_mkold(pte)))]).toEqual([true, false, true]);
    expect([pte_special(pte), pte_special(pte_mkspecial(pte))]).toEqual([false, true]);
    expect([pte_soft_dirty(pte), pte_soft_dirty(pte_mkdirty(pte))]).toEqual([false, true]);
    const wp = pte_mkuffd_wp(pte_mkwrite(pte));
    expect([pte_uffd_wp(wp), pte_write(wp)]).toEqual([true, false]);
  });

  it('the SavedDirty shuffle: a write-protected PTE never has Dirty; pte_mkwrite moves it back', () => {
    const rw = pte_mkwrite(pte_mkdirty(pte));
    expect(rw).toBe(0x8000000001234867n);
    const ro = pte_wrprotect(rw);
    expect(ro).toBe(0x8400000001234825n);
    expect([pte_dirty(ro), pte_hw_dirty(ro), pte_write(ro)]).toEqual([true, false, false]);
    expect(pte_mkwrite(ro)).toBe(rw);
    expect(pte_mkdirty(pte)).toBe(0x8400000001234825n);
    expect(pte_mkclean(ro)).toBe(0x8000000001234825n);
    expect(pte_mkclean(rw)).toBe(0x8000000001234825n | 0x2n);
    expect(pte_set_hw_dirty(pte)).toBe(0x8000000001234065n);
  });

  it('pte_modify keeps PFN, A, D, soft-dirty, uffd-wp and special, takes the rest from the new protection', () => {
    const rw = pte_mkspecial(pte_mkwrite(pte_mkdirty(pte))) as Pte;
    expect(pte_modify(rw, PAGE_COPY)).toBe(0x8400000001234a25n);
    expect(pte_modify(rw, PAGE_SHARED)).toBe(0x8000000001234a67n);
    expect(pte_modify(pte_modify(rw, PAGE_COPY), PAGE_SHARED)).toBe(0x8000000001234a67n);
    expect(pte_modify(rw, PAGE_NONE)).toBe(0x040ffffffedcbb20n);
    expect(pte_modify(pte_modify(rw, PAGE_NONE), PAGE_COPY)).toBe(0x8400000001234a25n);
  });

  it('vm_page_prot for each protection (x86 with NX, no pkeys)', () => {
    expect([vm_page_prot('none', false), vm_page_prot('read', false), vm_page_prot('read', true), vm_page_prot('rw', false), vm_page_prot('rw', true)]).toEqual([0x120n, PAGE_COPY, PAGE_COPY, PAGE_COPY, PAGE_COPY | 0x2n]);
    expect([PAGE_NONE, PAGE_COPY, PAGE_SHARED]).toEqual([0x120n, 0x8000000000000025n, 0x8000000000000027n]);
  });
});

describe('a kernel as its constructor builds it (a fresh instance, not the shared cache)', () => {
  /**
   * Per type number: the kind, which space the number names (0 none, 1 CPU physical, 2
   * device-private) and whether SWP_MIG_YOUNG/DIRTY ride above the PFN (spec §b.2 tables).
   */
  const expectTypes = (k: Kernel, special: Record<number, [EntryKind, 0 | 1 | 2, 0 | 1]>) => {
    for (let t = 0; t < 32; t++) {
      const [kind, space, mig] = special[t] ?? ['swap', 0, 0];
      expect([t, ENTRY_KINDS[k.kindByType[t]!], k.pfnByType[t], k.migrationByType[t]]).toEqual([t, kind, space, mig]);
    }
  };

  it('v6.18: a device-private number is a CPU PFN; migration types carry A/D', () => {
    const k = new Kernel('v6.18', DEFAULT_CONFIG, X86);
    expectTypes(k, {
      24: ['hwpoison', 1, 0], 25: ['migration', 1, 1], 26: ['migration', 1, 1], 27: ['migration', 1, 1],
      28: ['device-private', 1, 0], 29: ['device-private', 1, 0], 30: ['device-exclusive', 1, 0], 31: ['pte-marker', 0, 0],
    });
    expect([k.typeName(3), k.typeName(24), k.typeName(31)]).toEqual(['swapfile_3', 'SWP_HWPOISON', 'SWP_PTE_MARKER']);
  });

  it('the RFC: device-private and device-migration numbers are device offsets; device-exclusive stays a RAM PFN', () => {
    const k = new Kernel('rfc', DEFAULT_CONFIG, X86);
    expectTypes(k, {
      21: ['hwpoison', 1, 0], 22: ['migration', 1, 1], 23: ['migration', 1, 1], 24: ['migration', 1, 1],
      25: ['device-private', 2, 0], 26: ['device-private', 2, 0], 27: ['device-exclusive', 1, 0],
      28: ['device-migration', 2, 1], 29: ['device-migration', 2, 1], 30: ['device-migration', 2, 1], 31: ['pte-marker', 0, 0],
    });
  });

  it('SWP_PFN_BITS and the migration bits above it, per machine', () => {
    const c = (p: typeof X86 | { arch: 'x86_64' | 'arm64'; paging: 4 | 5; migrationAd: boolean }) => {
      const k = new Kernel('7.3', DEFAULT_CONFIG, p);
      return [k.MAX_PHYSMEM_BITS, k.SWP_PFN_BITS, k.SWP_MIG_YOUNG_BIT, k.SWP_MIG_DIRTY_BIT, k.SWP_MIG_TOTAL_BITS, k.pfnSpan];
    };
    expect(c(X86)).toEqual([46, 34, 34, 35, 36, 2 ** 34]);
    expect(c({ ...X86, paging: 5 })).toEqual([52, 40, 40, 41, 42, 2 ** 40]);
    expect(c({ arch: 'arm64', paging: 4, migrationAd: true })).toEqual([48, 36, 36, 37, 38, 2 ** 36]);
  });

  it('is_migration_entry_young()/_dirty() read the bits only with CONFIG_MIGRATION and migration_entry_supports_ad()', () => {
    expect(new Kernel('v6.18', DEFAULT_CONFIG, X86).adReadable).toBe(true);
    expect(new Kernel('v6.18', DEFAULT_CONFIG, { ...X86, migrationAd: false }).adReadable).toBe(false);
    expect(new Kernel('v6.18', { ...DEFAULT_CONFIG, MIGRATION: false }, X86).adReadable).toBe(false);
  });
});

describe('PMD helpers of a kernel', () => {
  const k73 = getKernel('7.3', DEFAULT_CONFIG, X86);
  /** T01 of pmd-vectors.json: a fresh RW huge PMD. */
  const T01 = 0x80000000124008e7n as PmdBits;

  it('softleaf_from_pmd() gives the none entry (val 0) for a none or present PMD, and the entry otherwise', () => {
    expect(k73.softleaf_from_pmd(0n as PmdBits).val).toBe(0n);
    expect(k73.softleaf_from_pmd(0x60n as PmdBits).val).toBe(0n);
    expect(k73.softleaf_from_pmd(T01).val).toBe(0n);
    expect(k73.softleaf_from_pmd(x86Pte(27, 0x12400n, 0x6n) as bigint as PmdBits).val).toBe((27n << 58n) | 0x12400n);
  });

  it('pmdFacts(): only a non-present, non-none PMD has an entry', () => {
    expect(k73.pmdFacts(0x60n as PmdBits)).toEqual({ none: true, present: false, leaf: false, entry: null });
    expect(k73.pmdFacts(T01)).toEqual({ none: false, present: true, leaf: true, entry: null });
    expect(k73.pmdFacts(x86Pte(27, 0x12400n) as bigint as PmdBits)).toMatchObject({ none: false, present: false, leaf: false, entry: { type: 27, valIsZero: false } });
  });

  it('the PMD swap soft-dirty and uffd bits (bits 1 and 2 on x86): make sets, test reads, clear removes only its bit', () => {
    const base = x86Pte(27, 0x12400n) as bigint as PmdBits;
    const all = (base | 0x6n) as PmdBits;
    expect([k73.pmd_swp_mksoft_dirty(base), k73.pmd_swp_mkuffd(base)]).toEqual([base | 0x2n, base | 0x4n]);
    expect([k73.pmd_swp_soft_dirty(all), k73.pmd_swp_soft_dirty(base), k73.pmd_swp_uffd(all), k73.pmd_swp_uffd(base)]).toEqual([true, false, true, false]);
    expect([k73.pmd_swp_clear_soft_dirty(all), k73.pmd_swp_clear_uffd(all)]).toEqual([base | 0x4n, base | 0x2n]);
  });
});

describe('kernels per options', () => {
  it('optionsKey names the profile, the config digits and the platform', () => {
    expect(optionsKey({ profile: '7.3', config: DEFAULT_CONFIG, platform: X86 })).toBe('7.3|111|x86_64/4/ad');
    expect(optionsKey({ profile: 'rfc', config: { ...DEFAULT_CONFIG, MIGRATION: false }, platform: { arch: 'arm64', paging: 5, migrationAd: false } })).toBe('rfc|101|arm64/5/noad');
  });

  it('kernelFor() gives the kernel of the options, the same one every time', () => {
    const o = { profile: 'series', config: DEFAULT_CONFIG, platform: X86 } as const;
    expect(kernelFor(o)).toBe(getKernel('series', DEFAULT_CONFIG, X86));
    expect(kernelFor(o).profile.id).toBe('series');
  });
});

describe('x86 huge-PMD helpers (pgtable.h): each reads or changes only its bits', () => {
  /** T01 of pmd-vectors.json: P|RW|USER|A|D|PSE|soft-dirty|NX, PFN 0x12400. */
  const T01 = 0x80000000124008e7n as Pmd;
  const TABLE = 0x0000000123456067n as Pmd;
  const PROTNONE = 0x040fffffeda009a0n as Pmd;
  const INVALIDATED = 0x800fffffeda008e6n as Pmd;

  it('tests: huge, write, dirty (D or SavedDirty), young, soft-dirty, uffd, special, none, present', () => {
    expect([pmd_trans_huge(T01), pmd_trans_huge(TABLE), pmd_write(T01), pmd_write(PROTNONE)]).toEqual([true, false, true, false]);
    expect([pmd_dirty(T01), pmd_dirty(PROTNONE), pmd_dirty(0x80000000124008a7n as Pmd), pmd_hw_dirty(T01), pmd_hw_dirty(PROTNONE)]).toEqual([true, true, false, true, false]);
    expect([pmd_young(T01), pmd_young(0x80000000124008c7n as Pmd), pmd_soft_dirty(T01), pmd_soft_dirty(0x80000000124000e7n as Pmd)]).toEqual([true, false, true, false]);
    expect([pmd_uffd(T01), pmd_uffd((T01 | 0x400n) as Pmd), pmd_special(T01), pmd_special((T01 | 0x200n) as Pmd)]).toEqual([false, true, false, true]);
    expect([pmd_none(0x60n as Pmd), pmd_none(0x10n as Pmd), pmd_present(INVALIDATED), pmd_present(PROTNONE), pmd_present(0x60n as Pmd)]).toEqual([true, false, true, true, false]);
    expect([pmd_pfn(T01), pmd_pfn(INVALIDATED), pmd_pfn(PROTNONE), pmd_pfn(TABLE)]).toEqual([0x12400, 0x12400, 0x12400, 0x123456]);
  });

  it('pmd_flags(): everything outside the PFN mask that PSE selects', () => {
    expect([pmd_flags(T01), pmd_flags(TABLE)]).toEqual([0x80000000000008e7n, 0x67n]);
  });

  it('changes: young/old, soft-dirty, special, clean, hardware dirty', () => {
    expect([pmd_mkold(T01), pmd_mkyoung(0x80000000124008c7n as Pmd)]).toEqual([0x80000000124008c7n, T01]);
    expect([pmd_mksoft_dirty(0x80000000124000e7n as Pmd), pmd_mkspecial(T01)]).toEqual([T01, 0x8000000012400ae7n]);
    expect([pmd_mkclean(T01), pmd_mkclean(0x84000000124008a5n as Pmd)]).toEqual([0x80000000124008a7n, 0x80000000124008a5n]);
    expect(pmd_set_hw_dirty(0x80000000124000a5n as Pmd)).toBe(0x80000000124000e5n);
  });

  it('the SavedDirty shuffle: wrprotect parks D in SavedDirty, mkwrite moves it back; mkuffd write-protects too', () => {
    expect(pmd_wrprotect(T01)).toBe(0x84000000124008a5n);
    expect(pmd_mkwrite(0x84000000124008a5n as Pmd)).toBe(T01);
    expect(pmd_mkuffd(T01)).toBe(0x8400000012400ca5n);
    expect(pmd_clear_uffd(0x8400000012400ca5n as Pmd)).toBe(0x84000000124008a5n);
  });

  it('pmd_modify() to PAGE_NONE and back: the PFN is stored inverted exactly while P is clear', () => {
    expect(pmd_modify(T01, PAGE_NONE)).toBe(PROTNONE);
    expect(pmd_modify(PROTNONE, PAGE_COPY)).toBe(0x84000000124008a5n);
    expect(pmd_modify(T01, PAGE_SHARED)).toBe(0x80000000124008e7n);
  });
});
