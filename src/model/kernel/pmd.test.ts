/**
 * PMD-level entries against the kernel-computed vectors of pmd-and-thp.md (pmd-vectors.json): every
 * non-present PMD is built with the model's constructors and encoded with swp_entry_to_pmd(), then
 * decoded back; every present huge PMD is built with the x86 pmd_* helpers; the pagemap record of
 * each subpage, the migrate_vma src[] word, and the arm64 layout.
 */
import { describe, expect, it } from 'vitest';
import { vectorsOf, type PmdVector } from '../../../test/pmdVectors.ts';
import { makeDevicePrivateEntry, makeMigrationEntry } from '../machine/entries.ts';
import {
  folio_mk_pmd, pmd_mkdirty, pmd_mkinvalid, pmd_mkold, pmd_mkspecial, pmd_mkwrite, pmd_modify, vm_page_prot, type Pmd,
} from './arch/x86_pgtable.ts';
import { PAGE_COPY, PAGE_NONE, PAGE_READONLY } from './arch/x86_64.ts';
import { DEFAULT_CONFIG } from './config.ts';
import { decodePmd, decodePte } from './decode.ts';
import { encodeSwapPmd } from './encode.ts';
import { getKernel, type Kernel, type swp_entry_t } from './kernel.ts';
import { PMD_KIND_RULES } from './leafops.ts';
import { hmm_pfn_of_device_private } from './hmm.ts';
import { srcMpfn } from './migrate.ts';
import { pagemapOfPmd, type PagemapContext } from './pagemap.ts';
import type { PmdPresentInfo } from './arch/layout.ts';
import type { ProfileId } from './profiles.ts';
import type { Access } from './swapTypes.ts';
import { hex, hex64, type PmdBits } from './u64.ts';

const kernelOf = (profile: ProfileId, o: { paging?: 4 | 5; ad?: boolean; arch?: 'x86_64' | 'arm64' } = {}): Kernel =>
  getKernel(profile, DEFAULT_CONFIG, { arch: o.arch ?? 'x86_64', paging: o.paging ?? 4, migrationAd: o.ad ?? true });

const ACCESS: Record<string, Access> = { read: 'read', read_exclusive: 'read_exclusive', write: 'write' };

/** The entry a vector's inputs describe, built with the constructor the profile's kernel code calls. */
function entryOf(k: Kernel, i: PmdVector['inputs']): swp_entry_t {
  const what = String(i.entry);
  const devNumber = Number(i.device_pfn ?? i.device_offset ?? NaN);
  const device = { kind: 'device' as const, space: k.profile.deviceSpace === 'separate' ? 'device' as const : 'phys' as const, number: devNumber };
  if (what.startsWith('device_private_')) return makeDevicePrivateEntry(k, device, what.endsWith('write')).entry;
  const access = ACCESS[what.replace(/^migration_(device_)?/, '')]!;
  const page = i.page === 'device_private' || what.startsWith('migration_device_') ? device : { kind: 'ram' as const, space: 'phys' as const, number: Number(i.pfn) };
  let e = makeMigrationEntry(k, page, access).entry;
  if (i.young) e = k.make_migration_entry_young(e);
  if (i.dirty) e = k.make_migration_entry_dirty(e);
  return e;
}

function encodePmd(k: Kernel, i: PmdVector['inputs']): PmdBits {
  let pmd = k.swp_entry_to_pmd(entryOf(k, i));
  if (i.soft_dirty) pmd = k.pmd_swp_mksoft_dirty(pmd);
  if (i.uffd) pmd = k.pmd_swp_mkuffd(pmd);
  return pmd;
}

function optionsOf(v: PmdVector): { paging: 4 | 5; ad: boolean } {
  return { paging: v.inputs.paging === '5-level' ? 5 : 4, ad: v.inputs.ad_supported !== false };
}

/** What decodePmd() says, in the vectors' field names. */
function decodedFields(k: Kernel, raw: bigint): Record<string, unknown> {
  const d = decodePmd(k, raw);
  if (d.present) {
    const p = d.present as PmdPresentInfo;
    return {
      present: true, pfn: hex(p.pfn), rw: p.writable, accessed: p.accessed, dirty_hw: p.dirty, saved_dirty: p.savedDirty,
      soft_dirty: p.softDirty, uffd: p.uffdWp, pse: p.leaf, protnone: p.protnone, special: p.special, nx: p.nx,
    };
  }
  const s = d.swap!;
  return {
    present: false, type: s.type, type_name: s.typeName, offset: hex(s.offset), pfn: s.pfn === null ? null : hex(s.pfn),
    mig_young: s.migration?.youngBitSet ?? false, mig_dirty: s.migration?.dirtyBitSet ?? false, swp_soft_dirty: s.softDirty, swp_uffd: s.uffdWp,
    pmd_is_migration_entry: d.pmdPredicates!.pmd_is_migration_entry, pmd_is_device_private_entry: d.pmdPredicates!.pmd_is_device_private_entry,
    valid_at_pmd: d.pmdPredicates!.pmd_is_valid_softleaf && d.atPmd!.valid,
  };
}

describe('non-present PMDs (pmd_encode vectors): swp_entry_to_pmd() of the entry the kernel builds', () => {
  it.each(vectorsOf('pmd_encode').map((v) => [v.id, v] as const))('%s', (_id, v) => {
    const k = kernelOf(v.profile, optionsOf(v));
    const pmd = encodePmd(k, v.inputs);
    expect(hex64(pmd)).toBe(v.pmd);
    expect(decodedFields(k, pmd)).toEqual(v.decoded);
    // decode then re-encode: softleaf_from_pmd() + pmd_swp_* flags give the same 64 bits
    const d = decodePmd(k, pmd);
    const back = encodeSwapPmd(k, { type: d.swap!.type, offset: BigInt(d.swap!.offset), softDirty: d.swap!.softDirty, uffdWp: d.swap!.uffdWp });
    expect(back.ok && hex64(back.pmd)).toBe(v.pmd);
    expect(d.problems).toEqual([]);
  });
});

const T01 = pmd_mkwrite(pmd_mkdirty(folio_mk_pmd(0x12400, PAGE_COPY)));

/** How each present vector's value comes about, with the x86 pmd_* helpers. */
const PRESENT_BUILDERS: Readonly<Record<string, () => Pmd>> = {
  'present-pmd-rw-old-clean-7.3': () => pmd_mkold(pmd_mkwrite(folio_mk_pmd(0x12400, PAGE_COPY))),
  'present-pmd-ro-excl-7.3': () => pmd_modify(T01, vm_page_prot('read', false)),
  'present-pmd-huge-zero-7.3': () => pmd_mkspecial(folio_mk_pmd(0x3a00, PAGE_READONLY)),
  'present-pmd-protnone-7.3': () => pmd_modify(T01, PAGE_NONE),
  'present-pmd-mprotect-ro-7.3': () => pmd_modify(T01, vm_page_prot('read', false)),
  'present-pmd-invalidated-7.3': () => pmd_mkinvalid(T01),
};

describe('present huge PMDs: PSE at bit 7, the PFN at bit 21 and up, PAT at bit 12', () => {
  it('map_anon_folio_pmd_nopf() builds T01: folio_mk_pmd, pmd_mkdirty (D parked in SavedDirty), maybe_pmd_mkwrite (moved back)', () => {
    expect(hex64(folio_mk_pmd(0x12400, PAGE_COPY))).toBe('0x80000000124000a5');
    expect(hex64(pmd_mkdirty(folio_mk_pmd(0x12400, PAGE_COPY)))).toBe('0x84000000124008a5');
    expect(hex64(T01)).toBe('0x80000000124008e7');
  });
  it('pfn_pmd() truncates an unaligned PFN to its 2 MiB boundary', () => {
    expect(hex64(folio_mk_pmd(0x12401, PAGE_COPY))).toBe(hex64(folio_mk_pmd(0x12400, PAGE_COPY)));
  });
  it.each(vectorsOf('present_pmd').map((v) => [v.id, v] as const))('%s', (id, v) => {
    const k = kernelOf('7.3');
    expect(hex64(PRESENT_BUILDERS[id]!())).toBe(v.pmd);
    expect(decodedFields(k, BigInt(v.pmd!))).toEqual(v.decoded);
    const d = decodePmd(k, BigInt(v.pmd!));
    expect(d.kind).toBe('present');
    expect(d.pmdPredicates).toMatchObject({ pmd_present: true, pmd_trans_huge: true, pmd_is_huge: true, pmd_is_migration_entry: false });
  });
  it('P=0 does not mean non-present at PMD level: the invalidated and PROT_NONE PMDs are pmd_present(), while the same bits as a PTE are not', () => {
    const k = kernelOf('7.3');
    const inv = pmd_mkinvalid(T01);
    expect(decodePmd(k, inv).kind).toBe('present');
    expect((decodePmd(k, inv).present as PmdPresentInfo).invalidated).toBe(true);
    expect(decodePmd(k, inv).summary).toMatch(/^invalidated present huge pfn=0x12400/);
    expect(decodePte(k, inv).kind).not.toBe('present');
    expect(decodePmd(k, pmd_modify(T01, PAGE_NONE)).summary).toMatch(/^PROT_NONE present huge pfn=0x12400/);
  });
  it('a present PMD without PSE is a table pointer, not a 2 MiB page', () => {
    const d = decodePmd(kernelOf('7.3'), 0x0000000123456067n);
    expect(d.kind).toBe('present');
    expect(d.pmdPredicates).toMatchObject({ pmd_trans_huge: false, pmd_is_huge: false });
    expect(d.problemKinds).toContain('pmd-table');
  });
  it('the bit layout of a present PMD labels PSE, PAT_LARGE and the 2 MiB PFN, and names what differs from a PTE', () => {
    const d = decodePmd(kernelOf('7.3'), T01);
    const byId = Object.fromEntries(d.fields.map((f) => [f.id, f]));
    expect(byId.pse!.label).toBe('bit 7: _PAGE_PSE set');
    expect(byId.patlarge!.label).toBe('bit 12: _PAGE_PAT_LARGE clear');
    expect(byId.pfn!.label).toBe('bits 21–51: PFN 0x12400');
    expect(d.fields.reduce((n, f) => n + f.hi - f.lo + 1, 0)).toBe(64);
    expect(kernelOf('7.3').arch.pmd.differsFromPte.map((x) => `${x.lo}-${x.hi}`)).toEqual(['0-0', '3-3', '7-7', '12-12', '13-20']);
  });
});

describe('which kinds may sit in a PMD', () => {
  const k = kernelOf('7.3');
  it.each([
    ['SWP_HWPOISON', /memory_failure\(\) splits a THP first/],
    ['SWP_DEVICE_EXCLUSIVE', /FOLL_SPLIT_PMD/],
    ['SWP_PTE_MARKER', /PTE-only/],
  ])('a %s PMD is flagged with the reason the kernel never builds one', (name, why) => {
    const pmd = encodeSwapPmd(k, { type: k.typeNumber(name)!, offset: 0x12400n });
    const d = decodePmd(k, pmd.ok ? pmd.pmd : 0n);
    expect(d.atPmd!.valid).toBe(false);
    expect(d.problemKinds).toContain('not-at-pmd');
    expect(d.problems.join(' ')).toMatch(why);
    expect(d.pmdPredicates!.pmd_is_valid_softleaf).toBe(false);
  });
  it('a real swap entry in a PMD: reclaim splits the THP first', () => {
    const d = decodePmd(k, encodeSwapPmd(k, { type: 0, offset: 0x42n }).ok ? k.swp_entry_to_pmd(k.swp_entry(0, 0x42n)) : 0n);
    expect(d.problems.join(' ')).toMatch(/TTU_SPLIT_HUGE_PMD/);
  });
  it('only migration and device-private kinds are valid, as softleaf_is_valid_pmd_entry() says', () => {
    expect(Object.entries(PMD_KIND_RULES).filter(([, r]) => r.valid).map(([kind]) => kind).sort())
      .toEqual(['device-migration', 'device-private', 'migration', 'none', 'present']);
  });
  it('there is no PMD swap-exclusive bit: encoding one is refused, and bit 3 set is a problem', () => {
    expect(encodeSwapPmd(k, { type: 27, offset: 0x12400n, exclusive: true })).toMatchObject({ ok: false, error: /no PMD swap-exclusive bit/ });
    const d = decodePmd(k, 0xdfffe7fffdb7fe0an);
    expect(d.swap!.exclusive).toBe(false);
    expect(d.problemKinds).toContain('must-be-zero');
  });
});

describe('arm64 PMDs: the PTE layout (identity __swp_entry_to_pmd)', () => {
  it.each(vectorsOf('arm64_pmd').map((v) => [v.id, v] as const))('%s', (_id, v) => {
    const k = kernelOf(v.profile, { arch: 'arm64' });
    const pmd = encodePmd(k, v.inputs);
    expect(hex64(pmd)).toBe(v.pmd);
    expect(decodePmd(k, pmd).kind).not.toBe('present');
  });
});

const ctxOf = (v: PmdVector): PagemapContext => ({
  vma: { softDirty: Boolean(v.inputs.vma_softdirty), uffd: 'none' }, page: { anon: Boolean(v.inputs.anon), mappedOnce: true },
  zeroPfn: false, showPfn: Boolean(v.inputs.show_pfn),
});

describe('pagemap records of a PMD-mapped THP (pagemap_pmd_range_thp(), one per 4 KiB subpage)', () => {
  it.each(vectorsOf('pagemap_record').map((v) => [v.id, v] as const))('%s', (_id, v) => {
    const k = kernelOf(v.profile);
    expect(hex64(pagemapOfPmd(k, BigInt(v.inputs.pmd as string), ctxOf(v), Number(v.inputs.index)))).toBe(v.pagemap);
  });
  it('a non-present PMD reads like 512 PTE entries with consecutive PFNs: the record steps by 0x20', () => {
    const k = kernelOf('7.3');
    const ctx = ctxOf(vectorsOf('pagemap_record')[0]!);
    for (const i of [0, 1, 2, 255, 511]) expect(pagemapOfPmd(k, 0xe7fffffffffbfe02n, ctx, i) - pagemapOfPmd(k, 0xe7fffffffffbfe02n, ctx, 0)).toBe(BigInt(i) * 0x20n);
  });
});

describe('migrate_vma src[] of a 2 MiB folio (mpfn vectors)', () => {
  const cases: Readonly<Record<string, (k: Kernel) => bigint>> = {
    'mpfn-collect-huge-ram-write-7.3': (k) => srcMpfn(k, { kind: 'ram', number: 0x12400 }, true, true),
    'mpfn-collect-huge-hole-7.3': (k) => srcMpfn(k, null, false, true),
    'mpfn-collect-huge-dev-write-7.3': (k) => srcMpfn(k, { kind: 'device', number: 0x200 }, true, true),
    'mpfn-collect-huge-dev-write-series': (k) => srcMpfn(k, { kind: 'device', number: 0x200 }, true, true),
  };
  it.each(vectorsOf('mpfn').map((v) => [v.id, v] as const))('%s', (id, v) => {
    expect(hex64(cases[id]!(kernelOf(v.profile)))).toBe(v.mpfn);
  });
});

describe('hmm_range_fault() words of a device-private PMD (§c.9)', () => {
  it.each([['7.3', '0xc120000000000200'], ['series', '0xc290000000000200']] as const)('page 0 of the WRITE device THP 0x200 under %s is %s', (profile, value) => {
    expect(hex64(hmm_pfn_of_device_private(kernelOf(profile), 0x200, 0, 9, true))).toBe(value);
  });
});
