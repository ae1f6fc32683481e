/**
 * The predicate helpers of each profile under their kernel names, defined once over the type table.
 *
 * swapops.h (v6.18 and the RFC) asks "is_<access>_<family>_entry"; leafops.h (v6.19+, 7.3) asks
 * "softleaf_is_<family>[_<access>]". The RFC makes the new device-migration types specialisations:
 * a SWP_MIGRATION_DEVICE_* entry also satisfies is_migration_entry() and the access-specific
 * migration predicates ("is-a"). The review asked to rename two helpers; v1 adopted that.
 */
import type { ProfileId } from './profiles.ts';
import { isMigrationKind, kindHasPfn, softleafTypeName, type EntryKind } from './leafops.ts';
import { RFC_PATCH4_URL, seriesV6PatchUrl } from './profiles.ts';
import type { Access, NumberedRow, TypeTable } from './swapTypes.ts';

export interface EntryFacts {
  /** The NumberedRow for a special type, undefined for a real swap file. */
  readonly row: NumberedRow | undefined;
  readonly type: number;
  /** swp_entry_t val == 0 (softleaf_type() reads that as SOFTLEAF_NONE). */
  readonly valIsZero: boolean;
  readonly table: TypeTable;
}

export interface Rename {
  readonly name: string;
  readonly version: string;
  readonly why: string;
}

export interface PredicateDef {
  /** The kernel name. */
  readonly name: string;
  readonly header: string;
  readonly profiles: readonly ProfileId[];
  /** The name the review proposed and a later version adopted. */
  readonly renamedTo?: Rename;
  /** For helpers a patch adds (not in any released kernel): the patch on lore. */
  readonly patch?: string;
  readonly test: (e: EntryFacts) => boolean;
}

/** What the PMD predicates read: pmd_none / pmd_present / pmd_trans_huge, and softleaf_from_pmd(). */
export interface PmdFacts {
  readonly none: boolean;
  readonly present: boolean;
  /** pmd_trans_huge(): a present 2 MiB leaf. */
  readonly leaf: boolean;
  /** softleaf_from_pmd(pmd) for a non-present, non-none PMD; null otherwise (it returns the none entry). */
  readonly entry: EntryFacts | null;
}

/** A PMD-level helper: it takes a pmd_t, not an entry. */
export interface PmdPredicateDef {
  readonly name: string;
  readonly header: string;
  readonly profiles: readonly ProfileId[];
  readonly test: (p: PmdFacts) => boolean;
}

export interface ConstructorDef {
  readonly name: string;
  readonly header: string;
  readonly profiles: readonly ProfileId[];
  /** The SWP_* type it builds (for a RAM page, with a `page` argument). */
  readonly typeName: string;
  /** The type a `_from_page` helper builds for a device-private page. */
  readonly deviceTypeName?: string;
  /** What its argument names: a RAM PFN, a device-private offset/PFN, marker bits, or a struct page. */
  readonly arg: 'pfn' | 'device' | 'marker' | 'page';
  readonly renamedTo?: Rename;
  /** For helpers a patch adds: the patch on lore. */
  readonly patch?: string;
}

const SWAPOPS = 'include/linux/swapops.h';
const LEAFOPS = 'include/linux/leafops.h';
const SWAPOPS_PROFILES: readonly ProfileId[] = ['v6.18', 'rfc', 'no-new-types'];
const RFC_ONLY: readonly ProfileId[] = ['rfc'];
const SOFTLEAF: readonly ProfileId[] = ['7.3', 'series', '7.3-pre-fix', 'series-pre-fix'];
const SERIES: readonly ProfileId[] = ['series', 'series-pre-fix'];
const ALL_PROFILES: readonly ProfileId[] = ['v6.18', 'rfc', '7.3', 'series', 'no-new-types', '7.3-pre-fix', 'series-pre-fix'];
/** v6 07/13 adds the types and their constructors, 08/13 the softleaf predicates, 06/13 and 10/13 the _from_page helpers. */
const V6_TYPES = seriesV6PatchUrl(7);
const V6_SOFTLEAF = seriesV6PatchUrl(8);
const V6_FROM_PAGE = seriesV6PatchUrl(6);
const V6_DEVICE_FROM_PAGE = seriesV6PatchUrl(10);

const CHIH_EN = 'Chih-En Lin (2025-12-01, review of RFC 4/6): helper names inconsistent; Jordan agreed, v1 renamed';

const is = (e: EntryFacts, k: EntryKind) => e.row?.kind === k;
// Stryker disable next-line OptionalChaining: acc() only runs after a family test (is/mig/devmig) found a row
const acc = (e: EntryFacts, a: Access) => e.row?.access === a;
/** swapops.h is_migration_entry(): with the RFC, the SWP_MIGRATION_DEVICE_* types are migration entries too. */
const mig = (e: EntryFacts) => isMigrationKind(e.row?.kind);
const devmig = (e: EntryFacts) => is(e, 'device-migration');
/**
 * leafops.h's softleaf_type() returns SOFTLEAF_NONE for val == 0 before any family test. val == 0 is
 * swap type 0 (a swap file), so no migration or PFN family test can be true for it anyway.
 */
// Stryker disable next-line ConditionalExpression,BooleanLiteral: the guard is not observable (see above)
const notNone = (e: EntryFacts) => !e.valIsZero;
/** leafops.h softleaf_is_migration(): val 0 is SOFTLEAF_NONE, so only real migration types count. */
const softleafMig = (e: EntryFacts) => notNone(e) && mig(e);
const hasPfn = (e: EntryFacts) => kindHasPfn(e.row?.kind);
/** softleaf_is_valid_pmd_entry(): softleaf_is_device_private() || softleaf_is_migration(). */
const validPmd = (e: EntryFacts) => is(e, 'device-private') || softleafMig(e);

export const PREDICATES: readonly PredicateDef[] = [
  // swapops.h (v6.18 base, RFC, the hypothetical world)
  { name: 'is_migration_entry', header: SWAPOPS, profiles: SWAPOPS_PROFILES, test: mig },
  { name: 'is_writable_migration_entry', header: SWAPOPS, profiles: SWAPOPS_PROFILES, test: (e) => mig(e) && acc(e, 'write') },
  { name: 'is_readable_migration_entry', header: SWAPOPS, profiles: SWAPOPS_PROFILES, test: (e) => mig(e) && acc(e, 'read') },
  { name: 'is_readable_exclusive_migration_entry', header: SWAPOPS, profiles: SWAPOPS_PROFILES, test: (e) => mig(e) && acc(e, 'read_exclusive') },
  { name: 'is_device_private_entry', header: SWAPOPS, profiles: SWAPOPS_PROFILES, test: (e) => is(e, 'device-private') },
  { name: 'is_writable_device_private_entry', header: SWAPOPS, profiles: SWAPOPS_PROFILES, test: (e) => is(e, 'device-private') && acc(e, 'write') },
  { name: 'is_device_exclusive_entry', header: SWAPOPS, profiles: SWAPOPS_PROFILES, test: (e) => is(e, 'device-exclusive') },
  { name: 'is_hwpoison_entry', header: SWAPOPS, profiles: SWAPOPS_PROFILES, test: (e) => is(e, 'hwpoison') },
  { name: 'is_pte_marker_entry', header: SWAPOPS, profiles: SWAPOPS_PROFILES, test: (e) => is(e, 'pte-marker') },
  { name: 'is_pfn_swap_entry', header: SWAPOPS, profiles: SWAPOPS_PROFILES, test: hasPfn },
  { name: 'non_swap_entry', header: SWAPOPS, profiles: SWAPOPS_PROFILES, test: (e) => e.type >= e.table.MAX_SWAPFILES },
  // RFC 4/6 additions
  { name: 'is_device_private_migration_entry', header: SWAPOPS, profiles: RFC_ONLY, patch: RFC_PATCH4_URL, test: devmig },
  { name: 'is_readable_device_migration_private_entry', header: SWAPOPS, profiles: RFC_ONLY, patch: RFC_PATCH4_URL, test: (e) => devmig(e) && acc(e, 'read') },
  { name: 'is_writable_device_migration_private_entry', header: SWAPOPS, profiles: RFC_ONLY, patch: RFC_PATCH4_URL, test: (e) => devmig(e) && acc(e, 'write') },
  {
    name: 'is_device_migration_readable_exclusive_entry', header: SWAPOPS, profiles: RFC_ONLY, patch: RFC_PATCH4_URL,
    renamedTo: { name: 'is_readable_exclusive_device_private_migration_entry', version: 'v1 (2025-12-31)', why: CHIH_EN },
    test: (e) => devmig(e) && acc(e, 'read_exclusive'),
  },
  // leafops.h (7.3)
  { name: 'softleaf_is_swap', header: LEAFOPS, profiles: SOFTLEAF, test: (e) => !e.valIsZero && e.type < e.table.MAX_SWAPFILES },
  { name: 'softleaf_is_migration', header: LEAFOPS, profiles: SOFTLEAF, test: softleafMig },
  { name: 'softleaf_is_migration_write', header: LEAFOPS, profiles: SOFTLEAF, test: (e) => softleafMig(e) && acc(e, 'write') },
  { name: 'softleaf_is_migration_read', header: LEAFOPS, profiles: SOFTLEAF, test: (e) => softleafMig(e) && acc(e, 'read') },
  { name: 'softleaf_is_migration_read_exclusive', header: LEAFOPS, profiles: SOFTLEAF, test: (e) => softleafMig(e) && acc(e, 'read_exclusive') },
  { name: 'softleaf_is_device_private', header: LEAFOPS, profiles: SOFTLEAF, test: (e) => is(e, 'device-private') },
  { name: 'softleaf_is_device_private_write', header: LEAFOPS, profiles: SOFTLEAF, test: (e) => is(e, 'device-private') && acc(e, 'write') },
  { name: 'softleaf_is_device_exclusive', header: LEAFOPS, profiles: SOFTLEAF, test: (e) => is(e, 'device-exclusive') },
  { name: 'softleaf_is_hwpoison', header: LEAFOPS, profiles: SOFTLEAF, test: (e) => is(e, 'hwpoison') },
  { name: 'softleaf_is_marker', header: LEAFOPS, profiles: SOFTLEAF, test: (e) => is(e, 'pte-marker') },
  { name: 'softleaf_has_pfn', header: LEAFOPS, profiles: SOFTLEAF, test: (e) => notNone(e) && hasPfn(e) },
  // "Only device private, migration entries valid for PMD"
  { name: 'softleaf_is_valid_pmd_entry', header: LEAFOPS, profiles: SOFTLEAF, test: validPmd },
  // the series (v3+): device-private migration entries get their own softleaf predicates; the generic
  // softleaf_is_migration*() accept them too ("is-a"), not the other way round.
  { name: 'softleaf_is_migration_device_private', header: LEAFOPS, profiles: SERIES, patch: V6_SOFTLEAF, test: (e) => notNone(e) && devmig(e) },
  { name: 'softleaf_is_migration_device_private_read', header: LEAFOPS, profiles: SERIES, patch: V6_SOFTLEAF, test: (e) => notNone(e) && devmig(e) && acc(e, 'read') },
  { name: 'softleaf_is_migration_device_private_write', header: LEAFOPS, profiles: SERIES, patch: V6_SOFTLEAF, test: (e) => notNone(e) && devmig(e) && acc(e, 'write') },
  { name: 'softleaf_is_migration_device_private_read_exclusive', header: LEAFOPS, profiles: SERIES, patch: V6_SOFTLEAF, test: (e) => notNone(e) && devmig(e) && acc(e, 'read_exclusive') },
];

const HUGE_MM = 'include/linux/huge_mm.h';
const PGTABLE = 'arch/x86/include/asm/pgtable.h';

/**
 * The PMD-level helpers under their kernel names. swapops.h (v6.18, the RFC) has is_swap_pmd() and
 * is_pmd_migration_entry(); leafops.h (6.19+) routes every PMD through softleaf_from_pmd().
 */
export const PMD_PREDICATES: readonly PmdPredicateDef[] = [
  { name: 'pmd_none', header: PGTABLE, profiles: ALL_PROFILES, test: (p) => p.none },
  { name: 'pmd_present', header: PGTABLE, profiles: ALL_PROFILES, test: (p) => p.present },
  { name: 'pmd_trans_huge', header: PGTABLE, profiles: ALL_PROFILES, test: (p) => p.present && p.leaf },
  { name: 'is_swap_pmd', header: SWAPOPS, profiles: SWAPOPS_PROFILES, test: (p) => !p.none && !p.present },
  { name: 'is_pmd_migration_entry', header: SWAPOPS, profiles: SWAPOPS_PROFILES, test: (p) => p.entry !== null && mig(p.entry) },
  { name: 'pmd_is_migration_entry', header: LEAFOPS, profiles: SOFTLEAF, test: (p) => p.entry !== null && softleafMig(p.entry) },
  { name: 'pmd_is_device_private_entry', header: LEAFOPS, profiles: SOFTLEAF, test: (p) => p.entry !== null && is(p.entry, 'device-private') },
  { name: 'pmd_is_valid_softleaf', header: LEAFOPS, profiles: SOFTLEAF, test: (p) => p.entry !== null && validPmd(p.entry) },
  // any non-none PMD that is not a PTE table: a present leaf, or any non-present PMD
  { name: 'pmd_is_huge', header: HUGE_MM, profiles: SOFTLEAF, test: (p) => !p.none && (!p.present || p.leaf) },
];

export function pmdPredicatesFor(profile: ProfileId): readonly PmdPredicateDef[] {
  return PMD_PREDICATES.filter((p) => p.profiles.includes(profile));
}

export const CONSTRUCTORS: readonly ConstructorDef[] = [
  { name: 'make_readable_migration_entry', header: SWAPOPS, profiles: ALL_PROFILES, typeName: 'SWP_MIGRATION_READ', arg: 'pfn' },
  { name: 'make_readable_exclusive_migration_entry', header: SWAPOPS, profiles: ALL_PROFILES, typeName: 'SWP_MIGRATION_READ_EXCLUSIVE', arg: 'pfn' },
  { name: 'make_writable_migration_entry', header: SWAPOPS, profiles: ALL_PROFILES, typeName: 'SWP_MIGRATION_WRITE', arg: 'pfn' },
  { name: 'make_readable_device_private_entry', header: SWAPOPS, profiles: ALL_PROFILES, typeName: 'SWP_DEVICE_READ', arg: 'device' },
  { name: 'make_writable_device_private_entry', header: SWAPOPS, profiles: ALL_PROFILES, typeName: 'SWP_DEVICE_WRITE', arg: 'device' },
  { name: 'make_device_exclusive_entry', header: SWAPOPS, profiles: ALL_PROFILES, typeName: 'SWP_DEVICE_EXCLUSIVE', arg: 'pfn' },
  { name: 'make_hwpoison_entry', header: SWAPOPS, profiles: ALL_PROFILES, typeName: 'SWP_HWPOISON', arg: 'pfn' },
  { name: 'make_pte_marker_entry', header: SWAPOPS, profiles: ALL_PROFILES, typeName: 'SWP_PTE_MARKER', arg: 'marker' },
  { name: 'make_readable_migration_device_private_entry', header: SWAPOPS, profiles: RFC_ONLY, patch: RFC_PATCH4_URL, typeName: 'SWP_MIGRATION_DEVICE_READ', arg: 'device' },
  { name: 'make_writable_migration_device_private_entry', header: SWAPOPS, profiles: RFC_ONLY, patch: RFC_PATCH4_URL, typeName: 'SWP_MIGRATION_DEVICE_WRITE', arg: 'device' },
  {
    name: 'make_device_migration_readable_exclusive_migration_entry', header: SWAPOPS, profiles: RFC_ONLY, patch: RFC_PATCH4_URL,
    typeName: 'SWP_MIGRATION_DEVICE_READ_EXCLUSIVE', arg: 'device',
    renamedTo: { name: 'make_readable_exclusive_migration_device_private_entry', version: 'v1 (2025-12-31)', why: CHIH_EN },
  },
  // the series v6
  { name: 'make_readable_migration_device_private_entry', header: SWAPOPS, profiles: SERIES, patch: V6_TYPES, typeName: 'SWP_MIGRATION_DEVICE_READ', arg: 'device' },
  { name: 'make_writable_migration_device_private_entry', header: SWAPOPS, profiles: SERIES, patch: V6_TYPES, typeName: 'SWP_MIGRATION_DEVICE_WRITE', arg: 'device' },
  { name: 'make_readable_exclusive_migration_device_private_entry', header: SWAPOPS, profiles: SERIES, patch: V6_TYPES, typeName: 'SWP_MIGRATION_DEVICE_READ_EXCLUSIVE', arg: 'device' },
  { name: 'make_readable_migration_entry_from_page', header: SWAPOPS, profiles: SERIES, patch: V6_FROM_PAGE, typeName: 'SWP_MIGRATION_READ', deviceTypeName: 'SWP_MIGRATION_DEVICE_READ', arg: 'page' },
  { name: 'make_readable_exclusive_migration_entry_from_page', header: SWAPOPS, profiles: SERIES, patch: V6_FROM_PAGE, typeName: 'SWP_MIGRATION_READ_EXCLUSIVE', deviceTypeName: 'SWP_MIGRATION_DEVICE_READ_EXCLUSIVE', arg: 'page' },
  { name: 'make_writable_migration_entry_from_page', header: SWAPOPS, profiles: SERIES, patch: V6_FROM_PAGE, typeName: 'SWP_MIGRATION_WRITE', deviceTypeName: 'SWP_MIGRATION_DEVICE_WRITE', arg: 'page' },
  { name: 'make_readable_device_private_entry_from_page', header: SWAPOPS, profiles: SERIES, patch: V6_DEVICE_FROM_PAGE, typeName: 'SWP_DEVICE_READ', deviceTypeName: 'SWP_DEVICE_READ', arg: 'page' },
  { name: 'make_writable_device_private_entry_from_page', header: SWAPOPS, profiles: SERIES, patch: V6_DEVICE_FROM_PAGE, typeName: 'SWP_DEVICE_WRITE', deviceTypeName: 'SWP_DEVICE_WRITE', arg: 'page' },
];

export function predicatesFor(profile: ProfileId): readonly PredicateDef[] {
  return PREDICATES.filter((p) => p.profiles.includes(profile));
}

export function constructorsFor(profile: ProfileId): readonly ConstructorDef[] {
  return CONSTRUCTORS.filter((c) => c.profiles.includes(profile));
}

/** The constructor that builds a type in a profile (the first one, by name). */
export function constructorForType(profile: ProfileId, typeName: string): ConstructorDef | undefined {
  return constructorsFor(profile).find((c) => c.typeName === typeName);
}

/** leafops.h softleaf_type() for 7.3: SOFTLEAF_NONE for val 0, SOFTLEAF_SWAP below MAX_SWAPFILES. */
export function softleafType(e: EntryFacts): string {
  if (e.valIsZero) return 'SOFTLEAF_NONE';
  if (e.type < e.table.MAX_SWAPFILES) return 'SOFTLEAF_SWAP';
  const r = e.row;
  return r ? softleafTypeName(r.kind, r.access) : 'SOFTLEAF_NONE';
}
