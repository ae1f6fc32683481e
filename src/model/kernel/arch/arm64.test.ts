/**
 * The arm64 layout (4K pages) through the model's entry points: classify() at PTE and PMD level,
 * decodePte(), the Kernel's PMD helpers and the PMD layout's own readers. Expected values are written
 * from the 7.3.4 headers, not computed by the code under test:
 * - pgtable-hwdef.h: PTE_VALID (0), PTE_TABLE_BIT (1), PTE_USER (6), PTE_RDONLY (7), PTE_AF (10),
 *   PTE_NG (11), PTE_GP (50), PTE_DBM (51); PMD_TYPE_MASK = 3, PMD_TYPE_TABLE = 3, PMD_TYPE_SECT = 1;
 *   PTE_ADDR_LOW = bits 12..49.
 * - pgtable-prot.h: PTE_SWP_EXCLUSIVE (2), PTE_SWP_UFFD (3), PTE_DIRTY (55), PTE_UFFD (58),
 *   PTE_PRESENT_INVALID = PTE_NG.
 * - pgtable.h: pte_none() / pmd_none() = !val; pte_present() = pte_valid() || pte_present_invalid();
 *   pmd_present() = pte_present(pmd_pte()); pmd_leaf() = pmd_present() && !pmd_table();
 *   pte_pfn() = (val & PTE_ADDR_LOW) >> 12; pmd_pfn() of a block = that & PMD_MASK; pmd_page() of a
 *   table = phys_to_page(__pmd_to_phys()); pmd_uffd() = pte_uffd();
 *   no pte_soft_dirty() (arm64 does not select HAVE_ARCH_SOFT_DIRTY); __swp_type(x) = (x >> 6) & 0x1f,
 *   __swp_offset(x) = (x >> 12) & (2^50 - 1); __swp_entry_to_pmd() is the identity.
 */
import { describe, expect, it } from 'vitest';
import { vectorsOf } from '../../../../test/pmdVectors.ts';
import { DEFAULT_CONFIG } from '../config.ts';
import { decodePte } from '../decode.ts';
import { getKernel, type Kernel } from '../kernel.ts';
import { classify, kindOfCode, newClassified, type EntryKind } from '../leafops.ts';
import type { Platform } from '../platform.ts';
import { hi32, lo32, type PmdBits } from '../u64.ts';

const ARM_48: Platform = { arch: 'arm64', paging: 4, migrationAd: true };
const k73 = (): Kernel => getKernel('7.3', DEFAULT_CONFIG, ARM_48);

const bit = (n: number): bigint => 1n << BigInt(n);
const PTE_VALID = bit(0);
const PTE_TABLE_BIT = bit(1);
const PTE_SWP_EXCLUSIVE = bit(2);
const PTE_SWP_UFFD = bit(3);
const PTE_USER = bit(6);
const PTE_AF = bit(10);
const PTE_NG = bit(11);
const PTE_PRESENT_INVALID = PTE_NG;
const PTE_GP = bit(50);
const PTE_DBM = bit(51);
const PTE_DIRTY = bit(55);
const PTE_UFFD = bit(58);
/** __swp_entry(type, offset) = (type << __SWP_TYPE_SHIFT) | (offset << __SWP_OFFSET_SHIFT) */
const swpEntry = (type: number, offset: bigint): bigint => (BigInt(type) << 6n) | (offset << 12n);
/** A level-3 page descriptor (bits 1:0 = 11) of a user page, young, not global. */
const page = (pfn: bigint, flags = 0n): bigint => (pfn << 12n) | PTE_VALID | PTE_TABLE_BIT | PTE_USER | PTE_AF | PTE_NG | flags;
/** A 2 MiB block descriptor (bits 1:0 = 01, PMD_TYPE_SECT). */
const block = (pfn: bigint, flags = 0n): bigint => (pfn << 12n) | PTE_VALID | PTE_USER | PTE_AF | PTE_NG | flags;

interface Want {
  kind: EntryKind;
  type?: number;
  offset?: number;
  pfn?: number;
  softDirty?: boolean;
  uffdWp?: boolean;
  exclusive?: boolean;
}

function classified(raw: bigint, level?: 'pmd'): Required<Want> {
  const c = classify(k73(), hi32(raw), lo32(raw), newClassified(), level);
  return { kind: kindOfCode(c.kind), type: c.type, offset: c.offset, pfn: c.pfn, softDirty: c.softDirty, uffdWp: c.uffdWp, exclusive: c.exclusive };
}

const NO_FLAGS = { softDirty: false, uffdWp: false, exclusive: false };

describe('arm64 PTEs: pte_none(), pte_present(), pte_pfn(), PTE_UFFD, the swap flags', () => {
  it.each<[string, bigint, Want]>([
    ['the zero PTE is pte_none()', 0n, { kind: 'none', ...NO_FLAGS }],
    ['only the high half set (offset 2^20 of swap type 0) is a swap entry, not none', swpEntry(0, 0x100000n), { kind: 'swap', type: 0, offset: 0x100000, ...NO_FLAGS }],
    ['a swap slot with PTE_SWP_UFFD and PTE_SWP_EXCLUSIVE', swpEntry(3, 0x42n) | PTE_SWP_UFFD | PTE_SWP_EXCLUSIVE, { kind: 'swap', type: 3, offset: 0x42, softDirty: false, uffdWp: true, exclusive: true }],
    ['bit 1 of a swap PTE is no soft-dirty bit (x86 keeps _PAGE_SWP_SOFT_DIRTY there)', swpEntry(3, 0x42n) | PTE_TABLE_BIT, { kind: 'swap', type: 3, offset: 0x42, ...NO_FLAGS }],
    ['a valid page with PTE_UFFD (bit 58)', page(0x1234n, PTE_UFFD), { kind: 'present', pfn: 0x1234, softDirty: false, uffdWp: true }],
    ['a valid page, dirty and writable, without PTE_UFFD: no soft-dirty on arm64', page(0x1234n, PTE_DIRTY | PTE_DBM), { kind: 'present', pfn: 0x1234, softDirty: false, uffdWp: false }],
    ['a PFN in PTE_ADDR_LOW\'s bits 32..49', page(0x3abcd12345n), { kind: 'present', pfn: 0x3abcd12345 }],
    ['PTE_GP (bit 50) is above PTE_ADDR_LOW', page(0x3abcd12345n, PTE_GP), { kind: 'present', pfn: 0x3abcd12345 }],
    ['present-invalid (PROT_NONE): PTE_PRESENT_INVALID without PTE_VALID', (0x1234n << 12n) | PTE_PRESENT_INVALID | PTE_AF | PTE_UFFD, { kind: 'present', pfn: 0x1234, uffdWp: true }],
  ])('%s', (_w, raw, want) => {
    expect(classified(raw)).toMatchObject(want);
  });
});

describe('arm64 PMDs: pmd_none(), pmd_present(), pmd_pfn(), pmd_uffd(), the identity swap layout', () => {
  it.each<[string, bigint, Want]>([
    ['the zero PMD is pmd_none()', 0n, { kind: 'none', ...NO_FLAGS }],
    ['only the high half set is a non-present PMD, not none', swpEntry(0, 0x100000n), { kind: 'swap', type: 0, offset: 0x100000, ...NO_FLAGS }],
    ['a block with PTE_UFFD', block(0x12400n, PTE_UFFD), { kind: 'present', pfn: 0x12400, softDirty: false, uffdWp: true }],
    ['a dirty block without PTE_UFFD', block(0x12400n, PTE_DIRTY), { kind: 'present', pfn: 0x12400, softDirty: false, uffdWp: false }],
    ['a block\'s pmd_pfn() drops the bits below PMD_MASK', block(0x12401n), { kind: 'present', pfn: 0x12400 }],
    ['a table descriptor (bits 1:0 = 11) is present; its frame is the PTE table\'s (pmd_page(): __pmd_to_phys(), not masked)', page(0x123456n), { kind: 'present', pfn: 0x123456 }],
    ['a present-invalid block', (0x12400n << 12n) | PTE_PRESENT_INVALID | PTE_AF, { kind: 'present', pfn: 0x12400 }],
    ['a migration PMD with PTE_SWP_UFFD', 0x00030000124006c0n | PTE_SWP_UFFD, { kind: 'migration', type: 27, offset: 0x3000012400, pfn: 0x12400, uffdWp: true, exclusive: false }],
    ['bit 2 of a PMD is no swap-exclusive bit', 0x00030000124006c0n | PTE_SWP_EXCLUSIVE, { kind: 'migration', type: 27, ...NO_FLAGS }],
  ])('%s', (_w, raw, want) => {
    expect(classified(raw, 'pmd')).toMatchObject(want);
  });

  it.each(vectorsOf('arm64_pmd').map((v) => [v.id, v] as const))('softleaf_from_pmd() of %s reads __swp_type() and __swp_offset()', (_id, v) => {
    const k = getKernel(v.profile, DEFAULT_CONFIG, ARM_48);
    const pmd = BigInt(v.pmd!) as PmdBits;
    const e = k.softleaf_from_pmd(pmd);
    expect([k.swp_type(e), k.swp_offset(e)]).toEqual([Number((pmd >> 6n) & 0x1fn), (pmd >> 12n) & ((1n << 50n) - 1n)]);
    expect([k.pmd_swp_uffd(pmd), k.pmd_swp_uffd(k.pmd_swp_mkuffd(pmd)), k.pmd_swp_mkuffd(pmd) ^ pmd]).toEqual([false, true, PTE_SWP_UFFD]);
  });

  it('pmd_uffd() is PTE_UFFD of the block; there is no pmd_soft_dirty() bit on arm64', () => {
    const pmd = k73().arch.pmd;
    const read = (raw: bigint) => [pmd.presentUffdWp(hi32(raw), lo32(raw)), pmd.presentSoftDirty(hi32(raw), lo32(raw))];
    expect(read(block(0x12400n, PTE_UFFD))).toEqual([true, false]);
    expect(read(block(0x12400n))).toEqual([false, false]);
    expect(read((1n << 64n) - 1n)).toEqual([true, false]);
  });
});

describe('arm64 decoding: what a reader sees', () => {
  const fieldsById = (raw: bigint, level: 'pte' | 'pmd' = 'pte') => Object.fromEntries(decodePte(k73(), raw, level).fields.map((f) => [f.id, f]));

  it('the layout fields a lesson names ({bits:swap.offset}, {bits:present.pfn}) are where the headers put them', () => {
    const a = k73().arch;
    const at = (list: typeof a.swapFields, id: string) => list.filter((f) => f.id === id).map((f) => [f.hi, f.lo]);
    expect(['offset', 'presentinvalid', 'type', 'uffd', 'exclusive'].map((id) => at(a.swapFields, id))).toEqual([[[61, 12]], [[11, 11]], [[10, 6]], [[3, 3]], [[2, 2]]]);
    expect(['uffd', 'dirty', 'dbm', 'gp', 'pfn', 'ng', 'af', 'valid'].map((id) => at(a.presentFields, id))).toEqual([[[58, 58]], [[55, 55]], [[51, 51]], [[50, 50]], [[49, 12]], [[11, 11]], [[10, 10]], [[0, 0]]]);
  });

  it('a block keeps the PTE names of the bits it shares; only bit 1 becomes PMD_TYPE_SECT', () => {
    const f = fieldsById(block(0x12400n), 'pmd');
    expect([f.valid!.name, f.af!.name, f.user!.name, f.ng!.name]).toEqual(['PTE_VALID', 'PTE_AF', 'PTE_USER (AP[1])', 'PTE_NG']);
    expect(f.table!.name).toMatch(/PMD_TYPE_SECT/);
  });

  it('a present PTE with a PFN beyond MAX_PHYSMEM_BITS (48): PTE_ADDR_LOW bit 48 set', () => {
    const d = decodePte(k73(), page(1n << 36n));
    expect([d.present?.pfn, d.problemKinds]).toEqual([2 ** 36, ['pfn-beyond-physmem']]);
    expect(d.problems[0]).toMatch(/^PFN 0x1000000000 is beyond MAX_PHYSMEM_BITS \(48\)/);
  });

  it('a present PTE or block the kernel builds has no problem', () => {
    expect(decodePte(k73(), page(0x1234n, PTE_UFFD | PTE_DBM)).problems).toEqual([]);
    expect(decodePte(k73(), block(0x12400n, PTE_UFFD | PTE_DBM), 'pmd').problems).toEqual([]);
  });

  it('what differs between a PTE and a PMD names the PTE macro and says what the PMD bit means', () => {
    const rows = k73().arch.pmd.differsFromPte;
    expect(rows.map((r) => [`${r.lo}-${r.hi}`, r.when])).toEqual([['1-1', 'present'], ['12-20', 'present'], ['2-2', 'non-present']]);
    const [table, low, exclusive] = rows;
    expect([table!.pte, table!.pmd]).toEqual([expect.stringMatching(/^PTE_TABLE_BIT/), expect.stringMatching(/block.*table descriptor/)]);
    expect([low!.pte, low!.pmd]).toEqual([expect.stringMatching(/output address bits 12-20/), expect.stringMatching(/2 MiB aligned/)]);
    expect([exclusive!.pte, exclusive!.pmd]).toEqual(['PTE_SWP_EXCLUSIVE', expect.stringMatching(/no PMD swap-exclusive bit/)]);
  });
});
