/**
 * The rules swapviz checks, in one registry: every invariant the machine checks after a step and
 * every problem decode reports for a value the kernel never builds. Each rule has an id, one
 * sentence, and where the kernel states it (a file and an identifier), linked at the profile's
 * tag exactly as the trace links its functions (sourceUrl), or to the patch for what only a patch
 * series defines. Views render rules from here; no view writes a kernel link of its own.
 *
 * It lives in the kernel layer because a rule is a kernel fact: decode (kernel/) and the
 * invariants (machine/) both read it, and machine/ may import kernel/, not the other way round.
 */
import type { ArchId } from './platform.ts';
import { CONSTRUCTORS, PREDICATES } from './helpers.ts';
import { PROBLEM_KINDS, type ProblemKind } from './decodeTypes.ts';
import { sourceUrl, type KernelProfile, type ProfileId } from './profiles.ts';

export type InvariantId =
  | 'pfn-names-page' | 'no-present-device-private' | 'mapcount' | 'migration-locked' | 'swap-type' | 'clear-bits' | 'exclusive-once' | 'pmd-leaf';

export const INVARIANT_IDS: readonly InvariantId[] = [
  'pfn-names-page', 'no-present-device-private', 'mapcount', 'migration-locked', 'swap-type', 'clear-bits', 'exclusive-once', 'pmd-leaf',
];

export type RuleId = `invariant/${InvariantId}` | `decode/${ProblemKind}`;

/** Where the kernel states a rule: a file and an identifier in it (a function, macro or type). */
export interface SourceRef {
  readonly file: string;
  readonly ident: string;
}

/** What picks a rule's source: the helper API of the profile and the architecture. */
export interface RuleContext {
  readonly api: KernelProfile['api'];
  readonly arch: ArchId;
}

export interface KernelRule {
  readonly id: RuleId;
  readonly kind: 'invariant' | 'decode';
  /** A few words, e.g. "a page's mapcount equals the PTEs that map it". */
  readonly title: string;
  /** The rule, one sentence. */
  readonly sentence: string;
  readonly source: SourceRef | ((c: RuleContext) => SourceRef);
  /** The profiles whose kernel has the rule (default: all). */
  readonly profiles?: readonly ProfileId[];
  /** The architectures whose layout has the rule (default: all). */
  readonly arches?: readonly ArchId[];
  /** The patch series changes the rule: profiles that apply it also link their patch. */
  readonly series?: boolean;
}

export interface RuleLink {
  readonly href: string;
  /** What the link names, e.g. "mm/swapfile.c: swap_cluster_setup_bad_slot". */
  readonly text: string;
  /** Where it points, e.g. "v7.3.4 on elixir.bootlin.com". */
  readonly where: string;
}

const SWAPOPS = 'include/linux/swapops.h';
const LEAFOPS = 'include/linux/leafops.h';
const X86_PGTABLE = 'arch/x86/include/asm/pgtable.h';
const X86_PGTABLE_TYPES = 'arch/x86/include/asm/pgtable_types.h';
const X86_PGTABLE_64 = 'arch/x86/include/asm/pgtable_64.h';
const SOFTLEAF: readonly ProfileId[] = ['7.3', 'series'];
const X86: readonly ArchId[] = ['x86_64'];

const byApi = (swapops: SourceRef, softleaf: SourceRef) => (c: RuleContext) => (c.api === 'softleaf' ? softleaf : swapops);
const byArch = (x86: SourceRef, arm: SourceRef) => (c: RuleContext) => (c.arch === 'x86_64' ? x86 : arm);

const INVARIANT_RULES: readonly (Omit<KernelRule, 'id' | 'kind'> & { inv: InvariantId })[] = [
  {
    inv: 'pfn-names-page',
    title: 'every PFN-carrying entry names its page, in the right space',
    sentence: 'pfn_swap_entry_to_page() (softleaf_to_page() in 7.3) must give back the page the entry was made for: a migration, device-private, device-exclusive or hwpoison entry stores that page\'s number, and its type says which space the number is in',
    source: byApi({ file: SWAPOPS, ident: 'pfn_swap_entry_to_page' }, { file: LEAFOPS, ident: 'softleaf_to_page' }),
    series: true,
  },
  {
    inv: 'no-present-device-private',
    title: 'no present PTE maps a device-private page',
    sentence: 'MEMORY_DEVICE_PRIVATE memory is not CPU-addressable: only SWP_DEVICE_* entries may point at it; any CPU access must fault into migrate_to_ram()',
    source: { file: 'include/linux/memremap.h', ident: 'MEMORY_DEVICE_PRIVATE' },
  },
  {
    inv: 'mapcount',
    title: 'a page\'s mapcount equals the PTEs that map it, and a folio\'s entire mapcount the PMDs that map it',
    sentence: 'folio_mapcount() counts present, device-private and device-exclusive mappings (folio_add_*_rmap / folio_remove_rmap_pte); a PMD maps a 2 MiB folio whole and counts in its entire mapcount (folio_add_anon_rmap_pmd); migration entries hold no mapping',
    source: { file: 'include/linux/mm.h', ident: 'folio_mapcount' },
  },
  {
    inv: 'migration-locked',
    title: 'migration entries exist only while their page is locked',
    sentence: 'a migration entry is installed with the folio locked and removed before it is unlocked; migration_entry_wait() sleeps on that lock',
    source: byApi({ file: 'mm/filemap.c', ident: 'migration_entry_wait_on_locked' }, { file: 'mm/filemap.c', ident: 'softleaf_entry_wait_on_locked' }),
  },
  {
    inv: 'swap-type',
    title: 'swap types: specials only at or above MAX_SWAPFILES, real swap entries name a used slot',
    sentence: 'non_swap_entry(): a type >= MAX_SWAPFILES is one of the profile\'s special types; a type below it is a swap device whose swap_map count for the slot is non-zero',
    source: byApi({ file: SWAPOPS, ident: 'non_swap_entry' }, { file: LEAFOPS, ident: 'softleaf_is_swap' }),
  },
  {
    inv: 'clear-bits',
    title: 'bits that must stay clear are clear',
    sentence: 'the x86 swap format keeps bits 4-8 clear (_PAGE_PROTNONE, _PAGE_PSE, the KNL A/D erratum bits); a migration entry has nothing above SWP_MIG_DIRTY_BIT, and A/D only when migration_entry_supports_ad()',
    source: byArch({ file: X86_PGTABLE_64, ident: 'SWP_OFFSET_FIRST_BIT' }, { file: 'arch/arm64/include/asm/pgtable.h', ident: '__SWP_TYPE_SHIFT' }),
  },
  {
    inv: 'exclusive-once',
    title: 'an anon-exclusive page is mapped at most once',
    sentence: 'PageAnonExclusive: only one process may map the page; fork and try_to_migrate clear it (folio_try_share_anon_rmap_pte / _pmd) before a second mapping appears',
    source: { file: 'include/linux/page-flags.h', ident: 'PageAnonExclusive' },
  },
  {
    inv: 'pmd-leaf',
    title: 'a PMD leaf maps one whole 2 MiB folio inside one VMA, and only migration or device-private entries sit in a PMD',
    sentence: 'the THP fault, remove_migration_pmd() and migrate_vma_insert_huge_pmd_page() install a PMD only for a 512-aligned folio of order 9 whose 2 MiB a VMA covers (vma_adjust_trans_huge() splits it when a VMA boundary would cut it); of the soft leaves, only migration and device-private entries are valid in a PMD',
    source: byApi({ file: SWAPOPS, ident: 'is_pmd_migration_entry' }, { file: LEAFOPS, ident: 'softleaf_is_valid_pmd_entry' }),
  },
];

const DECODE_RULES: Readonly<Record<ProblemKind, Omit<KernelRule, 'id' | 'kind'>>> = {
  'knl-ad': {
    title: 'a none PTE with only A/D set',
    sentence: 'pte_none() ignores exactly _PAGE_KNL_ERRATUM_MASK (A and D), which only the Knights Landing erratum sets in a non-present PTE; the kernel writes 0',
    source: { file: X86_PGTABLE_TYPES, ident: '_PAGE_KNL_ERRATUM_MASK' }, arches: X86,
  },
  'shadow-stack': {
    title: 'Write=0 with Dirty=1',
    sentence: 'pte_wrprotect(), pte_mkdirty() and pte_modify() move Dirty into SavedDirty whenever RW=0 (mksaveddirty_shift()), because Write=0,Dirty=1 marks a shadow-stack PTE',
    source: { file: X86_PGTABLE, ident: 'mksaveddirty_shift' }, arches: X86,
  },
  'rw-saveddirty': {
    title: 'RW=1 with SavedDirty=1',
    sentence: 'pte_mkwrite() sets RW and moves SavedDirty back into Dirty (clear_saveddirty_shift()): a writable PTE never keeps SavedDirty',
    source: { file: X86_PGTABLE, ident: 'clear_saveddirty_shift' }, arches: X86,
  },
  'protnone-rw': {
    title: 'PROT_NONE with RW',
    sentence: 'pte_modify() keeps only the _PAGE_CHG_MASK bits of the old PTE and takes the rest from the new protection; PAGE_NONE has no _PAGE_RW, so a PROT_NONE PTE is never writable',
    source: { file: X86_PGTABLE_TYPES, ident: '_PAGE_CHG_MASK' }, arches: X86,
  },
  'protnone-dirty': {
    title: 'PROT_NONE with Dirty',
    sentence: 'pte_modify() write-protects through pte_mksaveddirty() when the old PTE was writable, so the hardware Dirty bit of a PROT_NONE PTE is always clear (its dirtiness is in SavedDirty)',
    source: { file: X86_PGTABLE, ident: 'pte_modify' }, arches: X86,
  },
  'protnone-prot': {
    title: 'PROT_NONE with USER or NX',
    sentence: 'a PROT_NONE PTE takes its protection bits from PAGE_NONE (_PAGE_PROTNONE | _PAGE_ACCESSED): it has neither _PAGE_USER nor _PAGE_NX',
    source: { file: X86_PGTABLE_TYPES, ident: 'PAGE_NONE' }, arches: X86,
  },
  'swap-bit8': {
    title: 'bit 8 on a swap entry',
    sentence: 'the swap format starts at SWP_OFFSET_FIRST_BIT = _PAGE_BIT_PROTNONE + 1 and keeps bit 8 clear: with bit 8 set, pte_present() reads the entry as a PROT_NONE PTE',
    source: { file: X86_PGTABLE_64, ident: 'SWP_OFFSET_FIRST_BIT' }, arches: X86,
  },
  'user-global': {
    title: '_PAGE_GLOBAL in a user PTE',
    sentence: 'user PTEs take their bits from protection_map, which has no _PAGE_GLOBAL: only kernel mappings are global (in a PTE without _PAGE_PRESENT the same bit means PROT_NONE)',
    source: { file: 'arch/x86/mm/pgprot.c', ident: 'protection_map' }, arches: X86,
  },
  'unused-bits': {
    title: 'bits 52–57 set in a present PTE',
    sentence: 'no kernel macro puts a bit at 52–56 into a PTE (the MMU ignores them), and bit 57 (_PAGE_SOFTW4) is not used by mm for user pages',
    source: { file: X86_PGTABLE_TYPES, ident: '_PAGE_BIT_SOFTW4' }, arches: X86,
  },
  'pfn-beyond-physmem': {
    title: 'a PFN beyond MAX_PHYSMEM_BITS',
    sentence: 'pfn_pte() is called for pages that exist, and no page has a physical address at or above 2^MAX_PHYSMEM_BITS',
    source: byArch({ file: 'arch/x86/include/asm/sparsemem.h', ident: 'MAX_PHYSMEM_BITS' }, { file: 'arch/arm64/include/asm/sparsemem.h', ident: 'MAX_PHYSMEM_BITS' }),
  },
  'must-be-zero': {
    title: 'a swap PTE bit that must stay clear',
    sentence: 'the arch swap format leaves these bits clear (x86: bit 4, A/D for the KNL erratum, _PAGE_PSE for pmd_present(), _PAGE_PROTNONE for pte_present())',
    source: byArch({ file: X86_PGTABLE_64, ident: 'SWP_OFFSET_FIRST_BIT' }, { file: 'arch/arm64/include/asm/pgtable.h', ident: '__SWP_TYPE_SHIFT' }),
  },
  'mig-ad-unsupported': {
    title: 'migration A/D bits the machine cannot store',
    sentence: 'make_migration_entry_young()/dirty() store SWP_MIG_YOUNG/DIRTY only when migration_entry_supports_ad(), which swapfile_init() decides from the largest swap offset the arch can hold',
    source: { file: SWAPOPS, ident: 'migration_entry_supports_ad' },
  },
  'mig-high-bits': {
    title: 'offset bits above SWP_MIG_DIRTY_BIT',
    sentence: 'make_*_migration_entry() stores a PFN of at most SWP_PFN_BITS and the two A/D bits above it (SWP_MIG_TOTAL_BITS); nothing higher',
    source: { file: SWAPOPS, ident: 'SWP_MIG_TOTAL_BITS' },
  },
  'pfn-too-wide': {
    title: 'a PFN wider than SWP_PFN_BITS',
    sentence: 'PFN-carrying entries store a page\'s number, which fits in SWP_PFN_BITS = MAX_PHYSMEM_BITS - PAGE_SHIFT',
    source: { file: SWAPOPS, ident: 'SWP_PFN_BITS' },
  },
  'marker-bits': {
    title: 'marker bits outside PTE_MARKER_MASK',
    sentence: 'a PTE marker\'s offset holds only the PTE_MARKER_* bits (PTE_MARKER_MASK)',
    source: { file: SWAPOPS, ident: 'PTE_MARKER_MASK' },
  },
  'marker-empty': {
    title: 'a PTE marker without marker bits',
    sentence: 'make_pte_marker() is always called with at least one PTE_MARKER_* bit: a marker of 0 stands for nothing',
    source: { file: SWAPOPS, ident: 'make_pte_marker' },
  },
  'exclusive-on-special': {
    title: 'the swap-exclusive bit on a special entry',
    sentence: 'pte_swp_mkexclusive() is applied only to real swap entries (PG_anon_exclusive kept across swap-out); migration and device-private entries carry exclusivity in their type',
    source: { file: 'mm/rmap.c', ident: 'pte_swp_mkexclusive' },
  },
  'not-at-pmd': {
    title: 'a soft leaf that never sits in a PMD',
    sentence: 'only migration and device-private entries are valid at PMD level; a swap, hwpoison, device-exclusive or marker entry in a PMD trips VM_WARN_ON(!pmd_is_valid_softleaf()) in copy_huge_pmd(), change_huge_pmd() and the split',
    source: byApi({ file: SWAPOPS, ident: 'is_pmd_migration_entry' }, { file: LEAFOPS, ident: 'pmd_is_valid_softleaf' }),
  },
  'pmd-table': {
    title: 'a present PMD that is not a leaf',
    sentence: 'a present PMD without the leaf bit (x86 _PAGE_PSE, arm64 a table descriptor) points to a page of PTRS_PER_PTE PTEs (pmd_page()); it maps no 2 MiB page itself',
    source: byArch({ file: X86_PGTABLE, ident: 'pmd_leaf' }, { file: 'arch/arm64/include/asm/pgtable.h', ident: 'pmd_leaf' }),
  },
  'softleaf-none': {
    title: 'swp_entry(0, 0) read as SOFTLEAF_NONE',
    sentence: 'softleaf_type() calls an entry whose value is 0 SOFTLEAF_NONE, although the PTE of swp_entry(0, 0) is not pte_none()',
    source: { file: LEAFOPS, ident: 'softleaf_type' }, profiles: SOFTLEAF,
  },
  'swap-header-slot': {
    title: 'swap slot 0',
    sentence: 'slot 0 of every swap device holds the swap header: swapon marks it bad and the allocator never hands it out, so swp_entry(type, 0) is an encoding no swapped-out page has',
    source: byApi({ file: 'include/linux/swap.h', ident: 'SWAP_MAP_BAD' }, { file: 'mm/swapfile.c', ident: 'swap_cluster_setup_bad_slot' }),
  },
};

export const RULES: readonly KernelRule[] = [
  ...INVARIANT_RULES.map(({ inv, ...r }): KernelRule => ({ id: `invariant/${inv}`, kind: 'invariant', ...r })),
  ...PROBLEM_KINDS.map((p): KernelRule => ({ id: `decode/${p}`, kind: 'decode', ...DECODE_RULES[p] })),
];

const BY_ID = new Map<string, KernelRule>(RULES.map((r) => [r.id, r]));

export function ruleById(id: RuleId): KernelRule {
  return BY_ID.get(id)!;
}

export function invariantRule(id: InvariantId): KernelRule {
  return ruleById(`invariant/${id}`);
}

export function problemRule(kind: ProblemKind): KernelRule {
  return ruleById(`decode/${kind}`);
}

/** Whether the rule holds in this profile's kernel on this architecture. */
export function ruleApplies(rule: KernelRule, profile: KernelProfile, arch: ArchId): boolean {
  return (!rule.profiles || rule.profiles.includes(profile.id)) && (!rule.arches || rule.arches.includes(arch));
}

export function ruleSource(rule: KernelRule, profile: KernelProfile, arch: ArchId): SourceRef {
  return typeof rule.source === 'function' ? rule.source({ api: profile.api, arch }) : rule.source;
}

/** Helpers a patch series adds (no released kernel has them), by profile: where they are defined. */
const PATCH_HELPERS: readonly { name: string; profiles: readonly ProfileId[]; patch: string }[] = [...CONSTRUCTORS, ...PREDICATES]
  .filter((h): h is typeof h & { patch: string } => h.patch !== undefined)
  .map((h) => ({ name: h.name, profiles: h.profiles, patch: h.patch }));

/**
 * Where a kernel identifier is defined for a profile: the patch on lore for a helper only a patch
 * series adds, else the identifier at the profile's tag on elixir (sourceUrl). The trace and the
 * rules link through this one function.
 */
export function identSourceUrl(profile: KernelProfile, ident: string): string {
  const h = PATCH_HELPERS.find((x) => x.name === ident && x.profiles.includes(profile.id));
  return h ? h.patch : sourceUrl(profile, ident);
}

/** Whether identSourceUrl() leads to a patch rather than a tag. */
export function identIsPatchOnly(profile: KernelProfile, ident: string): boolean {
  return PATCH_HELPERS.some((x) => x.name === ident && x.profiles.includes(profile.id));
}

/** The links of a rule under a profile and arch: the kernel source, then the patch when the series changes it. */
export function ruleLinks(rule: KernelRule, profile: KernelProfile, arch: ArchId): RuleLink[] {
  const src = ruleSource(rule, profile, arch);
  const patch = identIsPatchOnly(profile, src.ident);
  const links: RuleLink[] = [{
    href: identSourceUrl(profile, src.ident),
    text: `${src.file}: ${src.ident}`,
    where: patch ? 'the patch on lore.kernel.org' : `${profile.sourceTag} on elixir.bootlin.com`,
  }];
  if (rule.series && profile.patchUrl) links.push({ href: profile.patchUrl, text: `the series: ${profile.short}`, where: 'the patch on lore.kernel.org' });
  return links;
}
