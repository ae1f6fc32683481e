import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from './config.ts';
import { decodePte } from './decode.ts';
import { PROBLEM_KINDS, type ProblemKind } from './decodeTypes.ts';
import { getKernel } from './kernel.ts';
import { ARCHES, DEFAULT_PLATFORM } from './platform.ts';
import { PROFILE_IDS, PROFILES, sourceUrl } from './profiles.ts';
import { identIsPatchOnly, INVARIANT_IDS, identSourceUrl, problemRule, ruleApplies, ruleById, ruleLinks, RULES, ruleSource, type KernelRule } from './rules.ts';
import { INVARIANTS } from '../machine/invariants.ts';
import { vectors } from '../../../test/vectors.ts';

describe('the rules registry', () => {
  it('has exactly one rule per invariant and per decode problem kind, and nothing else', () => {
    expect(RULES.map((r) => r.id).sort()).toEqual([
      ...INVARIANT_IDS.map((i) => `invariant/${i}`), ...PROBLEM_KINDS.map((p) => `decode/${p}`),
    ].sort());
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
  });

  it('the machine\'s invariants take their names and sentences from the registry', () => {
    expect(INVARIANTS.map((i) => i.id)).toEqual(INVARIANT_IDS);
    for (const i of INVARIANTS) {
      const r = RULES.find((x) => x.id === `invariant/${i.id}`)!;
      expect([i.name, i.rule]).toEqual([r.title, r.sentence]);
    }
  });

  it('every rule has a sentence and a kernel source (file and identifier) wherever it applies', () => {
    for (const r of RULES) {
      expect(r.sentence.length, r.id).toBeGreaterThan(40);
      for (const p of PROFILE_IDS) {
        for (const arch of ARCHES) {
          if (!ruleApplies(r, PROFILES[p], arch)) continue;
          const s = ruleSource(r, PROFILES[p], arch);
          expect(s.file, `${r.id} ${p} ${arch}`).toMatch(/^(include|arch|mm|lib)\/[\w/.-]+\.[ch]$/);
          expect(s.ident, `${r.id} ${p} ${arch}`).toMatch(/^\w+$/);
        }
      }
    }
  });

  it('every rule in the registry has a source link whose tag matches the profile (or the patch, for what only a series defines)', () => {
    for (const r of RULES) {
      for (const p of PROFILE_IDS) {
        const profile = PROFILES[p];
        for (const arch of ARCHES) {
          if (!ruleApplies(r, profile, arch)) continue;
          const [first, ...rest] = ruleLinks(r, profile, arch);
          const { ident } = ruleSource(r, profile, arch);
          expect(first!.href, `${r.id} under ${p}`).toBe(identSourceUrl(profile, ident));
          if (first!.href.startsWith('https://elixir.bootlin.com/')) {
            expect(first!.href).toBe(`https://elixir.bootlin.com/linux/${profile.sourceTag}/A/ident/${ident}`);
            expect(first!.href).toBe(sourceUrl(profile, ident));
            expect(first!.where).toBe(`${profile.sourceTag} on elixir.bootlin.com`);
          } else {
            expect(first!.href, `${r.id} under ${p}: a patch link`).toMatch(/^https:\/\/lore\.kernel\.org\/all\/\S+@nvidia\.com\/$/);
          }
          // A second link is the series' patch, and only profiles that apply a series have one.
          for (const l of rest) expect(l.href).toBe(profile.patchUrl);
          if (r.series && profile.patchUrl) expect(rest).toHaveLength(1);
          else expect(rest).toHaveLength(0);
        }
      }
    }
  });

  it('a rule that names a helper only a patch series adds links to that patch, not to a tag where it does not exist', () => {
    expect(identSourceUrl(PROFILES.rfc, 'make_writable_migration_device_private_entry')).toBe(PROFILES.rfc.patchUrl);
    expect(identSourceUrl(PROFILES.series, 'softleaf_is_migration_device_private')).toMatch(/^https:\/\/lore\.kernel\.org\//);
    expect(identSourceUrl(PROFILES['v6.18'], 'make_writable_migration_entry')).toBe('https://elixir.bootlin.com/linux/v6.18/A/ident/make_writable_migration_entry');
    expect(identSourceUrl(PROFILES['7.3'], 'softleaf_type')).toBe('https://elixir.bootlin.com/linux/v7.3.4/A/ident/softleaf_type');
  });

  it('under a profile that has patch-only helpers, a released helper still links to the tag, and only the patch helper to the patch', () => {
    // the RFC sits on v6.18 and adds make_*_migration_device_private_entry() in its patch 4
    expect(identSourceUrl(PROFILES.rfc, 'make_writable_migration_entry')).toBe('https://elixir.bootlin.com/linux/v6.18/A/ident/make_writable_migration_entry');
    expect(identIsPatchOnly(PROFILES.rfc, 'make_writable_migration_device_private_entry')).toBe(true);
    expect(identIsPatchOnly(PROFILES.rfc, 'make_writable_migration_entry')).toBe(false);
    expect(identIsPatchOnly(PROFILES['v6.18'], 'make_writable_migration_device_private_entry')).toBe(false);
  });

  it('a rule whose source is a patch-only helper says its first link is the patch, and a series rule adds the series by name', () => {
    const rule = {
      id: 'decode/pfn-too-wide', kind: 'decode', title: 't', sentence: 's', series: true,
      source: { file: 'include/linux/swapops.h', ident: 'make_writable_migration_device_private_entry' },
    } as KernelRule;
    expect(ruleLinks(rule, PROFILES.rfc, 'x86_64')).toEqual([
      { href: PROFILES.rfc.patchUrl, text: 'include/linux/swapops.h: make_writable_migration_device_private_entry', where: 'the patch on lore.kernel.org' },
      { href: PROFILES.rfc.patchUrl, text: 'the series: RFC', where: 'the patch on lore.kernel.org' },
    ]);
  });

  it('the PFN-names-its-page invariant changes with the series (device-private numbers get their own space), so it links the series too', () => {
    const links = ruleLinks(ruleById('invariant/pfn-names-page'), PROFILES.rfc, 'x86_64');
    expect(links.map((l) => l.text)).toEqual(['include/linux/swapops.h: pfn_swap_entry_to_page', 'the series: RFC']);
    expect(ruleLinks(ruleById('invariant/pfn-names-page'), PROFILES['v6.18'], 'x86_64')).toHaveLength(1);
  });

  it('every rule has a short title, and the registry finds it by id', () => {
    for (const r of RULES) {
      expect([r.id, r.title.length > 10, r.title.length < r.sentence.length]).toEqual([r.id, true, true]);
      expect(r.kind).toBe(r.id.startsWith('invariant/') ? 'invariant' : 'decode');
    }
    for (const k of PROBLEM_KINDS) expect(problemRule(k).id).toBe(`decode/${k}`);
  });

  it('the present-PTE, KNL and bit-8 rules are x86 facts; the SOFTLEAF_NONE rule holds only where softleaf_type() exists', () => {
    const notOn = (profile: (typeof PROFILE_IDS)[number], arch: (typeof ARCHES)[number]) =>
      RULES.filter((r) => !ruleApplies(r, PROFILES[profile], arch)).map((r) => r.id).sort();
    const x86Only = ['knl-ad', 'protnone-dirty', 'protnone-prot', 'protnone-rw', 'rw-saveddirty', 'shadow-stack', 'swap-bit8', 'unused-bits', 'user-global'].map((k) => `decode/${k}`);
    expect(notOn('7.3', 'x86_64')).toEqual([]);
    expect(notOn('series', 'x86_64')).toEqual([]);
    expect(notOn('v6.18', 'x86_64')).toEqual(['decode/softleaf-none']);
    expect(notOn('7.3', 'arm64')).toEqual(x86Only);
    expect(notOn('rfc', 'arm64')).toEqual([...x86Only, 'decode/softleaf-none'].sort());
  });

  it('a rule whose source differs by arch or API names each: MAX_PHYSMEM_BITS per arch, the PMD helpers per API', () => {
    const src = (kind: ProblemKind, p: (typeof PROFILE_IDS)[number], arch: (typeof ARCHES)[number]) => {
      const s = ruleSource(problemRule(kind), PROFILES[p], arch);
      return `${s.file}: ${s.ident}`;
    };
    expect(src('pfn-beyond-physmem', '7.3', 'x86_64')).toBe('arch/x86/include/asm/sparsemem.h: MAX_PHYSMEM_BITS');
    expect(src('pfn-beyond-physmem', '7.3', 'arm64')).toBe('arch/arm64/include/asm/sparsemem.h: MAX_PHYSMEM_BITS');
    expect(src('pmd-table', 'v6.18', 'x86_64')).toBe('arch/x86/include/asm/pgtable.h: pmd_leaf');
    expect(src('pmd-table', 'v6.18', 'arm64')).toBe('arch/arm64/include/asm/pgtable.h: pmd_leaf');
    expect(src('not-at-pmd', 'v6.18', 'x86_64')).toBe('include/linux/swapops.h: is_pmd_migration_entry');
    expect(src('not-at-pmd', '7.3', 'x86_64')).toBe('include/linux/leafops.h: pmd_is_valid_softleaf');
    expect(src('must-be-zero', '7.3', 'arm64')).toBe('arch/arm64/include/asm/pgtable.h: __SWP_TYPE_SHIFT');
    expect(src('must-be-zero', '7.3', 'x86_64')).toBe('arch/x86/include/asm/pgtable_64.h: SWP_OFFSET_FIRST_BIT');
  });

  it('the swap-header rule names the kernel\'s own code for each tag', () => {
    const r = problemRule('swap-header-slot');
    expect(ruleLinks(r, PROFILES['7.3'], 'x86_64')[0]!.text).toBe('mm/swapfile.c: swap_cluster_setup_bad_slot');
    expect(ruleLinks(r, PROFILES['v6.18'], 'x86_64')[0]!.text).toBe('include/linux/swap.h: SWAP_MAP_BAD');
  });
});

describe('sanity rules for present PTEs and impossible bit combinations (x86_64)', () => {
  const k = getKernel('rfc', DEFAULT_CONFIG, DEFAULT_PLATFORM);
  const k73 = getKernel('7.3', DEFAULT_CONFIG, DEFAULT_PLATFORM);
  const kinds = (v: bigint, kk = k) => decodePte(kk, v).problemKinds;
  const cases: [string, bigint, ProblemKind[]][] = [
    ['a device-private entry with bit 8 set (the issue\'s 0xcfffffffffffdf02) reads as PROT_NONE and is flagged as such', 0xcfffffffffffdf02n,
      ['rw-saveddirty', 'swap-bit8', 'protnone-rw', 'protnone-prot', 'unused-bits']],
    ['a writable PTE with SavedDirty', 0x8400000001234867n, ['rw-saveddirty']],
    ['a read-only PTE with Dirty (a shadow-stack PTE)', 0x8000000001234865n, ['shadow-stack']],
    ['PROT_NONE with RW', 0x000ffffffedcb922n, ['protnone-rw']],
    ['PROT_NONE with RW and SavedDirty', 0x040ffffffedcb922n, ['rw-saveddirty', 'protnone-rw']],
    ['PROT_NONE with Dirty', 0x000ffffffedcb960n, ['protnone-dirty']],
    ['PROT_NONE with USER', 0x040ffffffedcb924n, ['protnone-prot']],
    ['a present PTE with _PAGE_GLOBAL', 0x8000000001234925n, ['user-global']],
    ['a present PTE with bit 55 set', 0x8080000001234825n, ['unused-bits']],
    ['a present PTE whose PFN is beyond MAX_PHYSMEM_BITS (46)', 0x8000400000000825n, ['pfn-beyond-physmem']],
    ['swp_entry(0, 0): a valid encoding, but slot 0 is the swap header', 0x07fffffffffffe00n, ['swap-header-slot']],
  ];
  it.each(cases)('%s', (_name, v, want) => {
    expect(kinds(v)).toEqual(want);
  });

  it('what the kernel builds is not flagged: a read-only dirty PTE with SavedDirty, the PROT_NONE PTE of S28, slot 1, a writable dirty PTE', () => {
    for (const v of [0x8400000001234825n, 0x040ffffffedcb920n, 0x07fffffffffffc0an, 0x8000000001234867n, 0x0n]) expect([v, kinds(v)]).toEqual([v, []]);
  });

  it('no PTE of the spec\'s scenario tables (what the kernel really built) is flagged, before or after the series', () => {
    const kBefore = getKernel('v6.18', DEFAULT_CONFIG, DEFAULT_PLATFORM);
    const flagged: string[] = [];
    for (const sc of vectors.scenarios) {
      for (const st of sc.steps) {
        for (const [kk, v] of [[kBefore, st.before], [k, st.after_rfc]] as const) {
          const d = decodePte(kk, BigInt(v.pte));
          if (d.problems.length) flagged.push(`${sc.id} step ${st.step} ${v.pte}: ${d.problemKinds.join(', ')}`);
        }
      }
    }
    expect(flagged).toEqual([]);
  });

  it('under 7.3, swp_entry(0, 0) also reads as SOFTLEAF_NONE: both notes, each with its own rule', () => {
    expect(kinds(0x07fffffffffffe00n, k73)).toEqual(['softleaf-none', 'swap-header-slot']);
  });

  it('the present-PTE rules are x86 facts: an arm64 present PTE is checked only for its PFN', () => {
    const arm = getKernel('rfc', DEFAULT_CONFIG, { ...DEFAULT_PLATFORM, arch: 'arm64' });
    expect(Object.keys(arm.arch.presentRules)).toEqual(['pfn-beyond-physmem']);
    expect(Object.keys(k.arch.presentRules)).toContain('swap-bit8');
  });
});
