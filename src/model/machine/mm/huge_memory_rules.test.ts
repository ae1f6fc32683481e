/**
 * The PMD rewrites of mm/huge_memory.c against the kernel-computed vectors (pmd-vectors.json):
 * set_pmd_migration_entry() (and its pre-fix form), remove_migration_pmd(), the 512 PTEs of
 * __split_huge_pmd_locked(), fork, mprotect / uffd-wp and mremap over non-present PMDs, and
 * migrate_vma_insert_huge_pmd_page(). Plus a property test of the split formula PTE[i] = PMD − i·0x200.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { vectorsOf, type PmdVector } from '../../../../test/pmdVectors.ts';
import { PAGE_COPY } from '../../kernel/arch/x86_64.ts';
import { pmd_soft_dirty, pmd_uffd, pte_uffd_wp, type Pmd, type Pte } from '../../kernel/arch/x86_pgtable.ts';
import { DEFAULT_CONFIG } from '../../kernel/config.ts';
import { getKernel, type Kernel } from '../../kernel/kernel.ts';
import type { ProfileId } from '../../kernel/profiles.ts';
import type { Access } from '../../kernel/swapTypes.ts';
import { hex64 } from '../../kernel/u64.ts';
import { makeMigrationEntry, type PageNumber } from '../entries.ts';
import {
  change_huge_pmd_value, copy_huge_pmd_values, entryPage, insert_huge_pmd_value, move_soft_dirty_pmd, move_soft_dirty_pte, pmdLeaf, remove_migration_pmd_value,
  set_pmd_migration_value, split_pte_value,
} from './huge_memory_rules.ts';

const kernel = (profile: ProfileId, ad = true): Kernel => getKernel(profile, DEFAULT_CONFIG, { arch: 'x86_64', paging: 4, migrationAd: ad });
const pmdOf = (s: string | number | boolean | undefined): Pmd => BigInt(String(s)) as Pmd;
const cases = (kind: Parameters<typeof vectorsOf>[0]) => vectorsOf(kind).map((v) => [v.id, v] as const);

const devPage = (k: Kernel, n: number): PageNumber => ({ kind: 'device', space: k.profile.deviceSpace === 'separate' ? 'device' : 'phys', number: n });
const ramPage = (n: number): PageNumber => ({ kind: 'ram', space: 'phys', number: n });

/** A migration PMD as the vectors' prose describes it: "write+A+D+sd of pfn 0x12400", "read_exclusive of device THP 0x200". */
function migrationPmd(k: Kernel, text: string): Pmd {
  const m = /^(write|read_exclusive|read)((?:\+(?:A|D|sd))*) of (pfn|device THP) (0x[0-9a-f]+)$/.exec(text);
  if (!m) throw new Error(`unparsed: ${text}`);
  const page = m[3] === 'pfn' ? ramPage(Number(m[4])) : devPage(k, Number(m[4]));
  let e = makeMigrationEntry(k, page, m[1] as Access).entry;
  if (m[2]!.includes('+A')) e = k.make_migration_entry_young(e);
  if (m[2]!.includes('+D')) e = k.make_migration_entry_dirty(e);
  let pmd = k.swp_entry_to_pmd(e);
  if (m[2]!.includes('+sd')) pmd = k.pmd_swp_mksoft_dirty(pmd);
  return pmd;
}

describe('set_pmd_migration_entry()', () => {
  const run = (v: PmdVector, profile: ProfileId) => {
    const k = kernel(profile, v.inputs.ad_supported !== false);
    const old = pmdOf(v.inputs.source_pmd);
    const leaf = pmdLeaf(k, old);
    const page = v.inputs.page_pfn !== undefined ? ramPage(Number(v.inputs.page_pfn)) : leaf ? entryPage(k, leaf) : ramPage(Number(v.inputs.pfn));
    return set_pmd_migration_value(k, old, page, Boolean(v.inputs.anon_exclusive));
  };
  it.each(cases('set_pmd_migration_entry'))('%s', (_id, v) => {
    expect(hex64(run(v, v.profile).pmd)).toBe(v.pmd);
  });
  it.each(cases('set_pmd_migration_entry_prefix_bug'))('%s: before the June 2026 fix (the series as posted)', (_id, v) => {
    expect(hex64(run(v, 'series-pre-fix').pmd)).toBe(v.pmd);
    // the fixed code reads the swap bits: READ, soft-dirty only where the PMD had it, no uffd, no dirty
    const fixed = run(v, 'series');
    expect(fixed.read).toMatchObject({ writable: false, young: false, dirty: false, uffd: false });
  });
  it('the pre-fix code reads bit 1 (swap soft-dirty) as RW, bit 58 as dirty and bits 11/10 as soft-dirty/uffd: T07.2 in both numberings', () => {
    // T07 step 2: the child's READ device-private PMD with sd, not exclusive after fork
    const k73 = kernel('7.3-pre-fix');
    expect(hex64(set_pmd_migration_value(k73, 0xeffffffffffbfe02n as Pmd, devPage(k73, 0x200), false).pmd)).toBe('0xdfffeffffffbfe06');
    const kS = kernel('series-pre-fix');
    expect(hex64(set_pmd_migration_value(kS, 0xd7fffffffffbfe02n as Pmd, devPage(kS, 0x200), false).pmd)).toBe('0xf7ffeffffffbfe06');
    const fixed = kernel('7.3');
    expect(hex64(set_pmd_migration_value(fixed, 0xeffffffffffbfe02n as Pmd, devPage(fixed, 0x200), false).pmd)).toBe('0xcffffffffffbfe02');
  });
});

describe('remove_migration_pmd()', () => {
  it.each(cases('remove_migration_pmd'))('%s', (_id, v) => {
    const k = kernel(v.profile);
    const mig = migrationPmd(k, String(v.inputs.migration_pmd));
    const dst: PageNumber = v.inputs.new !== undefined
      ? devPage(k, Number(/0x[0-9a-f]+/.exec(String(v.inputs.new))![0]))
      : ramPage(Number(/0x[0-9a-f]+/.exec(String(v.inputs.new_pfn))![0]));
    expect(hex64(remove_migration_pmd_value(k, mig, { ...dst, dirty: v.inputs.folio_dirty !== false }, PAGE_COPY).pmd)).toBe(v.pmd);
  });
});

describe('migrate_vma_insert_huge_pmd_page()', () => {
  it.each(cases('migrate_vma_insert_huge_pmd_page'))('%s', (_id, v) => {
    const k = kernel(v.profile);
    expect(hex64(insert_huge_pmd_value(k, devPage(k, Number(v.inputs.device)), v.inputs.vma === 'VM_WRITE').pmd)).toBe(v.pmd);
  });
});

describe('__split_huge_pmd_locked(): PTE i of 512', () => {
  it.each(cases('split_pte'))('%s', (_id, v) => {
    const k = kernel(v.profile);
    const r = split_pte_value(k, pmdOf(v.inputs.source_pmd), Number(v.inputs.index), {
      freeze: Boolean(v.inputs.freeze), anonExclusive: Boolean(v.inputs.PageAnonExclusive), anon: true, vmProt: PAGE_COPY,
    });
    expect(hex64(r.pte)).toBe(v.pte);
  });

  const swapPmds: Readonly<Record<string, readonly Pmd[]>> = {
    '7.3': [0xdfffe7fffdb7fe02n, 0xd7ffe7fffdb7fe06n, 0xcfffe7fffdb7fe00n, 0xe7fffffffffbfe02n, 0xeffffffffffbfe06n, 0xe7fff80001fffe00n] as Pmd[],
    series: [0xc7ffe7fffdb7fe02n, 0xbfffe7fffdb7fe06n, 0xcffffffffffbfe02n, 0xd7fffffffffbfe06n, 0xf7fffffffffbfe02n, 0xeffffffffffbfe00n, 0xe7fffffffffbfe06n] as Pmd[],
  };
  for (const profile of ['7.3', 'series'] as const) {
    it(`under ${profile}: a swap-type PMD split without freeze gives PTE[0] == PMD and PTE[i] == PMD − i·0x200, for random PMDs and indices`, () => {
      const k = kernel(profile);
      fc.assert(
        fc.property(fc.constantFrom(...swapPmds[profile]!), fc.integer({ min: 0, max: 511 }), fc.boolean(), (pmd, i, excl) => {
          const pte = split_pte_value(k, pmd, i, { freeze: false, anonExclusive: excl, anon: true, vmProt: PAGE_COPY }).pte;
          expect(hex64(pte)).toBe(hex64(pmd - BigInt(i) * 0x200n));
        }),
        { numRuns: 400, seed: 0x2606 },
      );
    });
  }
  it('with freeze a device-private PMD becomes migration PTEs (device migration types after the series), still PMD − i·0x200 within the new type', () => {
    const k = kernel('series');
    const pte0 = split_pte_value(k, 0xcffffffffffbfe02n as Pmd, 0, { freeze: true, anonExclusive: true, anon: true, vmProt: PAGE_COPY }).pte;
    fc.assert(fc.property(fc.integer({ min: 0, max: 511 }), (i) => {
      const pte = split_pte_value(k, 0xcffffffffffbfe02n as Pmd, i, { freeze: true, anonExclusive: true, anon: true, vmProt: PAGE_COPY }).pte;
      expect(pte).toBe(pte0 - BigInt(i) * 0x200n);
    }), { numRuns: 100, seed: 7 });
  });
  it('READ_EXCLUSIVE stays exclusive only for an anon folio', () => {
    const k = kernel('7.3');
    const r = split_pte_value(k, 0xd7ffe7fffdb7fe02n as Pmd, 0, { freeze: false, anonExclusive: false, anon: false, vmProt: PAGE_COPY });
    expect(hex64(r.pte)).toBe('0xcfffe7fffdb7fe02');
  });
});

describe('fork: copy_huge_pmd() -> copy_huge_non_present_pmd()', () => {
  it.each(cases('copy_huge_pmd'))('%s', (id, v) => {
    const k = kernel(v.profile);
    const r = copy_huge_pmd_values(k, pmdOf(v.inputs.parent_before), Boolean(v.inputs.child_vma_uffd_wp));
    expect(hex64(id.includes('-parent-') ? r.parent : r.child)).toBe(v.pmd);
  });
  it('keeps soft-dirty on a device-private WRITE PMD (T07.1), unlike copy_nonpresent_pte()', () => {
    expect(hex64(copy_huge_pmd_values(kernel('7.3'), 0xe7fffffffffbfe02n as Pmd, false).parent)).toBe('0xeffffffffffbfe02');
    expect(hex64(copy_huge_pmd_values(kernel('series'), 0xcffffffffffbfe02n as Pmd, false).parent)).toBe('0xd7fffffffffbfe02');
  });
});

describe('mprotect / UFFDIO_WRITEPROTECT: change_huge_pmd() -> change_non_present_huge_pmd()', () => {
  it.each(cases('change_huge_pmd'))('%s', (_id, v) => {
    const k = kernel(v.profile);
    const before = String(v.inputs.before).startsWith('0x') ? pmdOf(v.inputs.before) : migrationPmd(k, 'write+A+D+sd of pfn 0x12400');
    const op = String(v.inputs.op);
    const r = change_huge_pmd_value(k, before, { anon: Boolean(v.inputs.folio_anon), uffdWp: op === 'uffd-wp-protect', uffdWpResolve: op === 'uffd-wp-resolve' });
    expect(hex64(r.pmd)).toBe(v.pmd);
  });
  it('T08: a migration WRITE PMD with the uffd bit loses it (as at PTE level)', () => {
    expect(hex64(change_huge_pmd_value(kernel('7.3'), 0xdfffe7fffdb7fe06n as Pmd, { anon: true, uffdWp: false, uffdWpResolve: false }).pmd)).toBe('0xd7ffe7fffdb7fe02');
  });
});

describe('mremap: move_huge_pmd() -> move_soft_dirty_pmd()', () => {
  const before: Readonly<Record<string, (k: Kernel) => Pmd>> = {
    'mig write A D, no sd': (k) => migrationPmd(k, 'write+A+D of pfn 0x12400'),
    'device-private write, no sd': (k) => k.swp_entry_to_pmd(k.swp_entry(k.typeNumber('SWP_DEVICE_WRITE')!, 0x200n)),
  };
  it.each(cases('move_huge_pmd'))('%s', (_id, v) => {
    const k = kernel(v.profile);
    expect(hex64(move_soft_dirty_pmd(k, before[String(v.inputs.before)]!(k)))).toBe(v.pmd);
  });
});

describe('what the rules are never given, and the uffd bit through each rewrite', () => {
  const k = kernel('7.3');
  const none = 0n as Pmd;
  const presentThp = 0x80000000124008e7n as Pmd;
  const hwpoison = k.swp_entry_to_pmd(k.swp_entry(k.typeNumber('SWP_HWPOISON')!, 0x12400n));
  const opts = { freeze: false, anonExclusive: false, anon: true, vmProt: PAGE_COPY };

  it('each rewrite throws on a PMD its kernel function never sees', () => {
    expect(() => remove_migration_pmd_value(k, none, { ...ramPage(0x56600), dirty: true }, PAGE_COPY)).toThrow('remove_migration_pmd() on a PMD that is not a migration entry');
    expect(() => split_pte_value(k, none, 0, opts)).toThrow('__split_huge_pmd_locked() on a PMD that is neither present nor a valid soft leaf');
    expect(() => split_pte_value(k, hwpoison, 0, opts)).toThrow('SWP_HWPOISON is not valid at PMD level: __split_huge_pmd_locked() warns (VM_WARN_ON(!pmd_is_valid_softleaf()))');
    expect(() => copy_huge_pmd_values(k, none, false)).toThrow('copy_huge_non_present_pmd() on a present or none PMD');
    expect(() => change_huge_pmd_value(k, presentThp, {} as Parameters<typeof change_huge_pmd_value>[2])).toThrow('change_non_present_huge_pmd() on a present or none PMD');
  });

  it('move_soft_dirty_pmd() leaves an empty PMD empty', () => {
    expect(move_soft_dirty_pmd(k, none)).toBe(0n);
  });

  it('uffd-wp survives remove_migration_pmd() to a device page and each split (pmd_swp_uffd / pmd_uffd -> the PTEs)', () => {
    const mig = k.pmd_swp_mkuffd(migrationPmd(k, 'read of pfn 0x12400'));
    const back = remove_migration_pmd_value(k, mig, { ...devPage(k, 0x200), dirty: false }, PAGE_COPY).pmd;
    expect([k.pmd_swp_uffd(back), pmdLeaf(k, back)?.row?.name]).toEqual([true, 'SWP_DEVICE_READ']);
    expect(k.pte_swp_uffd_wp(split_pte_value(k, mig, 3, opts).pte)).toBe(true);
    expect(k.pte_swp_uffd_wp(split_pte_value(k, migrationPmd(k, 'read of pfn 0x12400'), 3, opts).pte)).toBe(false);
    expect(pte_uffd_wp(split_pte_value(k, (presentThp | (1n << 10n)) as Pmd, 3, opts).pte)).toBe(true);
    expect(pte_uffd_wp(split_pte_value(k, presentThp, 3, opts).pte)).toBe(false);
  });
});

describe('the PMD rewrites, flag by flag', () => {
  const k73 = kernel('7.3');
  const ks = kernel('series');
  const A = 1n << 5n;
  const D = 1n << 6n;
  const RW = 1n << 1n;
  const SD = 1n << 11n;
  const UF = 1n << 10n;
  const thp = 0x80000000124008e7n; // present, RW, A, D, PSE, soft-dirty: pfn 0x12400
  const devicePmd = (k: Kernel, write: boolean) => k.swp_entry_to_pmd((write ? k.make_writable_device_private_entry : k.make_readable_device_private_entry).call(k, 0x200 as never));
  const opts = (o: Partial<{ freeze: boolean; anonExclusive: boolean; anon: boolean }> = {}) => ({ freeze: false, anonExclusive: false, anon: true, vmProt: PAGE_COPY, ...o });
  const mig = (k: Kernel, pte: bigint) => ({ type: k.typeName(k.swp_type(k.pte_to_swp_entry(pte as never))), pfn: k.swp_offset(k.pte_to_swp_entry(pte as never)) & 0xfffffn, young: k.is_migration_entry_young(k.pte_to_swp_entry(pte as never)), dirty: k.is_migration_entry_dirty(k.pte_to_swp_entry(pte as never)), sd: k.pte_swp_soft_dirty(pte as never), uffd: k.pte_swp_uffd_wp(pte as never) });

  it('entryPage(): the page an entry names, in its own space, at an offset into the folio', () => {
    expect(entryPage(ks, pmdLeaf(ks, devicePmd(ks, true) as Pmd)!, 5)).toEqual({ kind: 'device', space: 'device', number: 0x205 });
    expect(entryPage(k73, pmdLeaf(k73, devicePmd(k73, true) as Pmd)!)).toEqual({ kind: 'device', space: 'phys', number: 0x200 });
    expect(entryPage(ks, pmdLeaf(ks, migrationPmd(ks, 'read of pfn 0x12400'))!, 3)).toEqual({ kind: 'ram', space: 'phys', number: 0x12403 });
  });

  it('a frozen split of a present PMD: page i gets a migration entry for pfn + i with the PMD\'s access, A/D, soft-dirty and uffd-wp', () => {
    const full = split_pte_value(k73, (thp | SD | UF) as Pmd, 5, opts({ freeze: true }));
    expect(mig(k73, full.pte)).toEqual({ type: 'SWP_MIGRATION_WRITE', pfn: 0x12405n, young: true, dirty: true, sd: true, uffd: true });
    expect(full.built?.ctor).toBe('make_writable_migration_entry');
    const bare = split_pte_value(k73, (thp & ~(RW | A | D | SD)) as Pmd, 5, opts({ freeze: true, anonExclusive: true }));
    expect(mig(k73, bare.pte)).toEqual({ type: 'SWP_MIGRATION_READ_EXCLUSIVE', pfn: 0x12405n, young: false, dirty: false, sd: false, uffd: false });
    expect(mig(k73, split_pte_value(k73, (thp & ~RW) as Pmd, 5, opts({ freeze: true })).pte).type).toBe('SWP_MIGRATION_READ');
  });

  it('a plain split of a present PMD: an old PMD gives old PTEs, a clean one clean PTEs, a dirty one dirty PTEs', () => {
    const old = split_pte_value(k73, (thp & ~(A | D)) as Pmd, 1, opts()).pte;
    expect([old & A, old & D]).toEqual([0n, 0n]);
    const young = split_pte_value(k73, thp as Pmd, 1, opts()).pte;
    expect([young & A, young & D]).toEqual([A, D]);
  });

  it('splitting a READ_EXCLUSIVE migration PMD of an anon folio keeps READ_EXCLUSIVE; of a file folio it becomes READ', () => {
    const pmd = migrationPmd(k73, 'read_exclusive of pfn 0x12400');
    expect(mig(k73, split_pte_value(k73, pmd, 2, opts({ anon: true })).pte).type).toBe('SWP_MIGRATION_READ_EXCLUSIVE');
    expect(mig(k73, split_pte_value(k73, pmd, 2, opts({ anon: false })).pte).type).toBe('SWP_MIGRATION_READ');
  });

  it('freezing a device-private PMD: a read one gives READ (not exclusive) or READ_EXCLUSIVE; the series picks the device types', () => {
    expect(mig(k73, split_pte_value(k73, devicePmd(k73, false) as Pmd, 1, opts({ freeze: true })).pte)).toMatchObject({ type: 'SWP_MIGRATION_READ', pfn: 0x201n });
    expect(mig(k73, split_pte_value(k73, devicePmd(k73, false) as Pmd, 1, opts({ freeze: true, anonExclusive: true })).pte).type).toBe('SWP_MIGRATION_READ_EXCLUSIVE');
    expect(mig(ks, split_pte_value(ks, devicePmd(ks, true) as Pmd, 1, opts({ freeze: true })).pte)).toMatchObject({ type: 'SWP_MIGRATION_DEVICE_WRITE', pfn: 0x201n });
  });

  it('remove_migration_pmd(): uffd-wp kept for a RAM folio; soft-dirty only where the migration PMD had it (device folio)', () => {
    const uffd = k73.pmd_swp_mkuffd(migrationPmd(k73, 'write of pfn 0x12400'));
    expect(pmd_uffd(remove_migration_pmd_value(k73, uffd, { ...ramPage(0x56600), dirty: true }, PAGE_COPY).pmd)).toBe(true);
    const plain = remove_migration_pmd_value(k73, migrationPmd(k73, 'write of pfn 0x12400'), { ...devPage(k73, 0x200), dirty: true }, PAGE_COPY).pmd;
    expect([k73.pmd_swp_soft_dirty(plain), k73.pmd_swp_uffd(plain)]).toEqual([false, false]);
  });

  it('fork and mprotect leave a read-only device-private PMD as it is (only SWP_DEVICE_WRITE is downgraded)', () => {
    const ro = devicePmd(k73, false) as Pmd;
    expect(copy_huge_pmd_values(k73, ro, false)).toMatchObject({ parent: ro, child: ro, built: null, device: false });
    expect(change_huge_pmd_value(k73, ro, { anon: true, uffdWp: false, uffdWpResolve: false })).toMatchObject({ pmd: ro, built: null, device: false });
  });

  it('mremap: a present PMD becomes soft-dirty, a device migration PMD gets the swap soft-dirty bit, a moved present PTE too', () => {
    expect(pmd_soft_dirty((thp & ~SD) as Pmd)).toBe(false);
    expect(pmd_soft_dirty(move_soft_dirty_pmd(k73, (thp & ~SD) as Pmd))).toBe(true);
    expect(ks.pmd_swp_soft_dirty(move_soft_dirty_pmd(ks, migrationPmd(ks, 'write of device THP 0x200')))).toBe(true);
    expect(move_soft_dirty_pte(k73, 0x8000000001234867n as Pte, true)).toBe(0x8000000001234867n | SD);
  });
});
