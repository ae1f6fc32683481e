/**
 * A kernel instance: profile + config + platform, with the swapops.h helpers under their kernel
 * names and argument order. Constants are derived from each other as in the kernel
 * (SWP_TYPE_SHIFT from BITS_PER_XA_VALUE and MAX_SWAPFILES_SHIFT, SWP_PFN_BITS from
 * MAX_PHYSMEM_BITS). Helpers whose config option is off behave like the kernel's stubs: the
 * constructors return swp_entry(0, 0) and the predicates return false.
 *
 * Sources: include/linux/swapops.h [base e1afacb68573 and 7.3.4], include/linux/swap.h,
 * RFC PATCH 4/6 for the SWP_MIGRATION_DEVICE_* helpers.
 */
import { applyKconfig, configKey, type ConfigOption, type KernelConfig } from './config.ts';
import { arm64 } from './arch/arm64.ts';
import type { ArchLayout } from './arch/layout.ts';
import { x86_64 } from './arch/x86_64.ts';
import { pmdPredicatesFor, predicatesFor, type EntryFacts, type PmdFacts, type PmdPredicateDef, type PredicateDef } from './helpers.ts';
import { PROFILES, type KernelProfile, type ProfileId } from './profiles.ts';
import { BITS_PER_XA_VALUE, maxPhysmemBits, PAGE_SHIFT, platformKey, type ArchId, type Platform } from './platform.ts';
import { isMigrationKind, KIND } from './leafops.ts';
import { buildTypeTable, MAX_SWAPFILES_SHIFT, SWP_TYPE_COUNT, typeName, type NumberedRow, type TypeTable } from './swapTypes.ts';
import { hi32, lo32, type Brand, type PmdBits, type PteBits } from './u64.ts';

/** A CPU physical frame number: RAM, or (before the series) a device-private page's PFN. */
export type Pfn = Brand<number, 'pfn'>;
/** A page's number in the device-private address space (after the series; starts at 0). */
export type DeviceOffset = Brand<number, 'device-offset'>;
/** PTE marker bits (PTE_MARKER_UFFD_WP 1, PTE_MARKER_POISONED 2, PTE_MARKER_GUARD 4). */
export type PteMarker = Brand<number, 'pte-marker'>;

export const asPfn = (n: number): Pfn => n as Pfn;
export const asDeviceOffset = (n: number): DeviceOffset => n as DeviceOffset;

export const PTE_MARKER_UFFD_WP = 1 as PteMarker;
export const PTE_MARKER_POISONED = 2 as PteMarker;
export const PTE_MARKER_GUARD = 4 as PteMarker;
export const PTE_MARKER_MASK = 7;

/** swp_entry_t: the arch-independent, never-stored form (bit 63 clear, type 62..58, offset 57..0). */
export interface swp_entry_t {
  readonly val: bigint;
}

export const SWP_TYPE_SHIFT = BITS_PER_XA_VALUE - MAX_SWAPFILES_SHIFT; // 58
export const SWP_OFFSET_MASK = (1n << BigInt(SWP_TYPE_SHIFT)) - 1n;

export class Kernel {
  readonly profile: KernelProfile;
  /** The config after Kconfig's dependencies. */
  readonly config: KernelConfig;
  /** Options Kconfig forced off, one sentence each. */
  readonly forced: readonly string[];
  /** Options this config cannot turn on, with the reason (see applyKconfig). */
  readonly locked: Readonly<Partial<Record<ConfigOption, string>>>;
  readonly platform: Platform;
  readonly arch: ArchLayout;
  readonly table: TypeTable;
  readonly predicates: readonly PredicateDef[];
  readonly pmdPredicates: readonly PmdPredicateDef[];

  readonly SWP_TYPE_SHIFT = SWP_TYPE_SHIFT;
  readonly SWP_OFFSET_MASK = SWP_OFFSET_MASK;
  readonly MAX_PHYSMEM_BITS: number;
  readonly SWP_PFN_BITS: number;
  readonly SWP_PFN_MASK: bigint;
  readonly SWP_MIG_YOUNG_BIT: number;
  readonly SWP_MIG_DIRTY_BIT: number;
  readonly SWP_MIG_TOTAL_BITS: number;
  readonly SWP_MIG_YOUNG: bigint;
  readonly SWP_MIG_DIRTY: bigint;
  readonly MAX_SWAPFILES: number;
  /** 2^SWP_PFN_BITS as a number (offset % span = the PFN). */
  readonly pfnSpan: number;
  /** 1 / pfnSpan (exact: pfnSpan is a power of two), so a split of the offset multiplies instead of dividing. */
  readonly pfnSpanInverse: number;
  /**
   * Per type number, precomputed for the classifier (leafops.ts): the KIND code, which space the
   * number names (0 = no PFN, 1 = CPU physical, 2 = device-private), and whether it is a migration
   * type (whose offset carries SWP_MIG_YOUNG/DIRTY above the PFN).
   */
  readonly kindByType: Uint8Array;
  readonly pfnByType: Uint8Array;
  readonly migrationByType: Uint8Array;
  /** is_migration_entry_young()/_dirty() read the bits: CONFIG_MIGRATION and migration_entry_supports_ad(). */
  readonly adReadable: boolean;
  /** The name of every type number (the SWP_* macro, or swapfile_N). */
  private readonly typeNames: readonly string[];

  constructor(profileId: ProfileId, config: KernelConfig, platform: Platform) {
    this.profile = PROFILES[profileId];
    const k = applyKconfig(config);
    this.config = k.config;
    this.forced = k.forced;
    this.locked = k.locked;
    this.platform = platform;
    this.arch = platform.arch === 'arm64' ? arm64 : x86_64;
    this.table = buildTypeTable(this.profile.numbering, this.config);
    this.predicates = predicatesFor(profileId);
    this.pmdPredicates = pmdPredicatesFor(profileId);
    this.MAX_PHYSMEM_BITS = maxPhysmemBits(platform);
    this.SWP_PFN_BITS = Math.min(this.MAX_PHYSMEM_BITS - PAGE_SHIFT, SWP_TYPE_SHIFT);
    this.SWP_PFN_MASK = (1n << BigInt(this.SWP_PFN_BITS)) - 1n;
    this.SWP_MIG_YOUNG_BIT = this.SWP_PFN_BITS;
    this.SWP_MIG_DIRTY_BIT = this.SWP_PFN_BITS + 1;
    this.SWP_MIG_TOTAL_BITS = this.SWP_PFN_BITS + 2;
    this.SWP_MIG_YOUNG = 1n << BigInt(this.SWP_MIG_YOUNG_BIT);
    this.SWP_MIG_DIRTY = 1n << BigInt(this.SWP_MIG_DIRTY_BIT);
    this.MAX_SWAPFILES = this.table.MAX_SWAPFILES;
    this.pfnSpan = 2 ** this.SWP_PFN_BITS;
    this.pfnSpanInverse = 2 ** -this.SWP_PFN_BITS;
    this.kindByType = new Uint8Array(SWP_TYPE_COUNT).fill(KIND.swap);
    this.pfnByType = new Uint8Array(SWP_TYPE_COUNT);
    this.migrationByType = new Uint8Array(SWP_TYPE_COUNT);
    this.adReadable = platform.migrationAd && this.config.MIGRATION;
    // Stryker disable next-line ObjectLiteral,ArrowFunction: a cache of typeName(table, t); without it typeName() computes the same names
    this.typeNames = Array.from({ length: SWP_TYPE_COUNT }, (_, t) => typeName(this.table, t));
    for (const r of this.table.rows) {
      this.kindByType[r.number] = KIND[r.kind];
      if (r.pfn !== null) this.pfnByType[r.number] = r.pfn === 'device' && this.profile.deviceSpace === 'separate' ? 2 : 1;
      if (isMigrationKind(r.kind)) this.migrationByType[r.number] = 1;
    }
  }

  /** The number of a SWP_* type in this kernel, or undefined when the config compiles it out. */
  typeNumber(name: string): number | undefined {
    return this.table.byName[name]?.number;
  }

  typeName(type: number): string {
    // Stryker disable next-line LogicalOperator: the cache and typeName(table, type) give the same name
    return this.typeNames[type] ?? typeName(this.table, type);
  }

  row(type: number): NumberedRow | undefined {
    return this.table.byNumber[type];
  }

  // ---- generic swp_entry_t -------------------------------------------------------------------

  swp_entry(type: number, offset: bigint): swp_entry_t {
    return { val: (BigInt(type) << BigInt(SWP_TYPE_SHIFT)) | (offset & SWP_OFFSET_MASK) };
  }

  swp_type(e: swp_entry_t): number {
    return Number(e.val >> BigInt(SWP_TYPE_SHIFT));
  }

  swp_offset(e: swp_entry_t): bigint {
    return e.val & SWP_OFFSET_MASK;
  }

  /** swp_offset_pfn() [v6.18] / softleaf_to_pfn() [7.3]: the offset masked to SWP_PFN_BITS. */
  swp_offset_pfn(e: swp_entry_t): number {
    return Number(this.swp_offset(e) & this.SWP_PFN_MASK);
  }

  migration_entry_supports_ad(): boolean {
    return this.platform.migrationAd;
  }

  make_migration_entry_young(e: swp_entry_t): swp_entry_t {
    if (!this.migration_entry_supports_ad()) return e;
    return this.swp_entry(this.swp_type(e), this.swp_offset(e) | this.SWP_MIG_YOUNG);
  }

  make_migration_entry_dirty(e: swp_entry_t): swp_entry_t {
    if (!this.migration_entry_supports_ad()) return e;
    return this.swp_entry(this.swp_type(e), this.swp_offset(e) | this.SWP_MIG_DIRTY);
  }

  /** is_migration_entry_young() [v6.18] / softleaf_is_migration_young() [7.3]. */
  is_migration_entry_young(e: swp_entry_t): boolean {
    if (!this.adReadable) return false;
    return (this.swp_offset(e) & this.SWP_MIG_YOUNG) !== 0n;
  }

  is_migration_entry_dirty(e: swp_entry_t): boolean {
    if (!this.adReadable) return false;
    return (this.swp_offset(e) & this.SWP_MIG_DIRTY) !== 0n;
  }

  // ---- constructors ----------------------------------------------------------------------------

  /** Builds an entry of a SWP_* type, or swp_entry(0, 0) when the config compiles the type out. */
  private make(name: string, offset: bigint): swp_entry_t {
    const n = this.typeNumber(name);
    if (n === undefined) return this.swp_entry(0, 0n);
    return this.swp_entry(n, offset);
  }

  private requireRfc(helper: string): void {
    if (this.profile.numbering !== 'rfc') {
      throw new Error(`${helper}() does not exist in ${this.profile.label}: the series (RFC 4/6, v6 07/13) adds it`);
    }
  }

  make_readable_migration_entry(offset: Pfn): swp_entry_t {
    return this.make('SWP_MIGRATION_READ', BigInt(offset));
  }

  make_readable_exclusive_migration_entry(offset: Pfn): swp_entry_t {
    return this.make('SWP_MIGRATION_READ_EXCLUSIVE', BigInt(offset));
  }

  make_writable_migration_entry(offset: Pfn): swp_entry_t {
    return this.make('SWP_MIGRATION_WRITE', BigInt(offset));
  }

  /** Takes page_to_pfn() before the series, device_private_page_to_offset() after it. */
  make_readable_device_private_entry(offset: Pfn | DeviceOffset): swp_entry_t {
    return this.make('SWP_DEVICE_READ', BigInt(offset));
  }

  make_writable_device_private_entry(offset: Pfn | DeviceOffset): swp_entry_t {
    return this.make('SWP_DEVICE_WRITE', BigInt(offset));
  }

  make_device_exclusive_entry(offset: Pfn): swp_entry_t {
    return this.make('SWP_DEVICE_EXCLUSIVE', BigInt(offset));
  }

  /** make_hwpoison_entry(page) = swp_entry(SWP_HWPOISON, page_to_pfn(page)). */
  make_hwpoison_entry(pfn: Pfn): swp_entry_t {
    return this.make('SWP_HWPOISON', BigInt(pfn));
  }

  make_pte_marker_entry(marker: PteMarker): swp_entry_t {
    return this.make('SWP_PTE_MARKER', BigInt(marker));
  }

  /** RFC 4/6. */
  make_readable_migration_device_private_entry(offset: DeviceOffset): swp_entry_t {
    this.requireRfc('make_readable_migration_device_private_entry');
    return this.make('SWP_MIGRATION_DEVICE_READ', BigInt(offset));
  }

  /** RFC 4/6. */
  make_writable_migration_device_private_entry(offset: DeviceOffset): swp_entry_t {
    this.requireRfc('make_writable_migration_device_private_entry');
    return this.make('SWP_MIGRATION_DEVICE_WRITE', BigInt(offset));
  }

  /** RFC 4/6 (v1 renamed it make_readable_exclusive_migration_device_private_entry). */
  make_device_migration_readable_exclusive_migration_entry(offset: DeviceOffset): swp_entry_t {
    this.requireRfc('make_device_migration_readable_exclusive_migration_entry');
    return this.make('SWP_MIGRATION_DEVICE_READ_EXCLUSIVE', BigInt(offset));
  }

  /** The series v1+ name of the RFC's make_device_migration_readable_exclusive_migration_entry(). */
  make_readable_exclusive_migration_device_private_entry(offset: DeviceOffset): swp_entry_t {
    this.requireRfc('make_readable_exclusive_migration_device_private_entry');
    return this.make('SWP_MIGRATION_DEVICE_READ_EXCLUSIVE', BigInt(offset));
  }

  pte_marker_get(e: swp_entry_t): number {
    return Number(this.swp_offset(e) & BigInt(PTE_MARKER_MASK));
  }

  // ---- predicates --------------------------------------------------------------------------------

  facts(e: swp_entry_t): EntryFacts {
    const type = this.swp_type(e);
    return { row: this.row(type), type, valIsZero: e.val === 0n, table: this.table };
  }

  /** Runs one predicate of this profile by its kernel name. */
  is(name: string, e: swp_entry_t): boolean {
    const p = this.predicates.find((d) => d.name === name);
    if (!p) throw new Error(`${name}() does not exist in ${this.profile.label}`);
    return p.test(this.facts(e));
  }

  /** Every predicate of the profile, keyed by kernel name. */
  allPredicates(e: swp_entry_t): Record<string, boolean> {
    const f = this.facts(e);
    const out: Record<string, boolean> = {};
    for (const p of this.predicates) out[p.name] = p.test(f);
    return out;
  }

  // ---- PTE <-> entry (arch) -------------------------------------------------------------------

  /** swp_entry_to_pte(): never sets the soft-dirty/uffd/exclusive bits. */
  swp_entry_to_pte(e: swp_entry_t): PteBits {
    return this.arch.swpEntryToPte(this.swp_type(e), this.swp_offset(e)) as PteBits;
  }

  /** pte_to_swp_entry() [v6.18] (softleaf_from_pte() [7.3] for a non-present, non-none PTE). */
  pte_to_swp_entry(pte: PteBits): swp_entry_t {
    const clean = this.pte_swp_clear_flags(pte);
    const hi = hi32(clean);
    const lo = lo32(clean);
    return this.swp_entry(this.arch.swpType(hi, lo), BigInt(this.arch.swpOffset(hi, lo)));
  }

  pte_swp_clear_flags(pte: PteBits): PteBits {
    const m = this.arch.swpFlagMask;
    return (pte & ~(m.softDirty | m.uffdWp | m.exclusive)) as PteBits;
  }

  pte_swp_mksoft_dirty(pte: PteBits): PteBits {
    return (pte | this.arch.swpFlagMask.softDirty) as PteBits;
  }

  pte_swp_soft_dirty(pte: PteBits): boolean {
    return (pte & this.arch.swpFlagMask.softDirty) !== 0n;
  }

  pte_swp_clear_soft_dirty(pte: PteBits): PteBits {
    return (pte & ~this.arch.swpFlagMask.softDirty) as PteBits;
  }

  pte_swp_mkuffd_wp(pte: PteBits): PteBits {
    return (pte | this.arch.swpFlagMask.uffdWp) as PteBits;
  }

  pte_swp_uffd_wp(pte: PteBits): boolean {
    return (pte & this.arch.swpFlagMask.uffdWp) !== 0n;
  }

  pte_swp_clear_uffd_wp(pte: PteBits): PteBits {
    return (pte & ~this.arch.swpFlagMask.uffdWp) as PteBits;
  }

  pte_swp_mkexclusive(pte: PteBits): PteBits {
    return (pte | this.arch.swpFlagMask.exclusive) as PteBits;
  }

  pte_swp_exclusive(pte: PteBits): boolean {
    return (pte & this.arch.swpFlagMask.exclusive) !== 0n;
  }

  pte_swp_clear_exclusive(pte: PteBits): PteBits {
    return (pte & ~this.arch.swpFlagMask.exclusive) as PteBits;
  }

  // ---- PMD <-> entry (arch; the PMD swap layout is the PTE's) --------------------------------------

  /** swp_entry_to_pmd() [v6.18] / softleaf_to_pmd() [7.3.4]: a reinterpretation, no flag bits. */
  swp_entry_to_pmd(e: swp_entry_t): PmdBits {
    return this.arch.pmd.swpEntryToPmd(this.swp_type(e), this.swp_offset(e)) as PmdBits;
  }

  /**
   * softleaf_from_pmd(): the none entry (val 0) for pmd_present() || pmd_none(); otherwise the
   * soft-dirty and uffd bits are stripped and the generic entry rebuilt from __swp_type/__swp_offset.
   * (pmd_to_swp_entry() before 6.19, which callers used only after is_swap_pmd().)
   */
  softleaf_from_pmd(pmd: PmdBits): swp_entry_t {
    const hi = hi32(pmd);
    const lo = lo32(pmd);
    const a = this.arch.pmd;
    if (a.pmdNone(hi, lo) || a.pmdPresent(hi, lo)) return this.swp_entry(0, 0n);
    return this.swp_entry(a.swpType(hi, lo), BigInt(a.swpOffset(hi, lo)));
  }

  pmd_swp_mksoft_dirty(pmd: PmdBits): PmdBits {
    return (pmd | this.arch.pmd.swpFlagMask.softDirty) as PmdBits;
  }

  pmd_swp_soft_dirty(pmd: PmdBits): boolean {
    return (pmd & this.arch.pmd.swpFlagMask.softDirty) !== 0n;
  }

  pmd_swp_clear_soft_dirty(pmd: PmdBits): PmdBits {
    return (pmd & ~this.arch.pmd.swpFlagMask.softDirty) as PmdBits;
  }

  /** pmd_swp_mkuffd() [7.3.4] (pmd_swp_mkuffd_wp() before the 2026 rename). */
  pmd_swp_mkuffd(pmd: PmdBits): PmdBits {
    return (pmd | this.arch.pmd.swpFlagMask.uffd) as PmdBits;
  }

  pmd_swp_uffd(pmd: PmdBits): boolean {
    return (pmd & this.arch.pmd.swpFlagMask.uffd) !== 0n;
  }

  pmd_swp_clear_uffd(pmd: PmdBits): PmdBits {
    return (pmd & ~this.arch.pmd.swpFlagMask.uffd) as PmdBits;
  }

  /** What the PMD predicates read from a PMD value. */
  pmdFacts(pmd: PmdBits): PmdFacts {
    const hi = hi32(pmd);
    const lo = lo32(pmd);
    const a = this.arch.pmd;
    const none = a.pmdNone(hi, lo);
    const present = !none && a.pmdPresent(hi, lo);
    return { none, present, leaf: present && a.pmdLeaf(hi, lo), entry: none || present ? null : this.facts(this.softleaf_from_pmd(pmd)) };
  }

  /** Every PMD helper of the profile (pmd_is_migration_entry() & co.), keyed by kernel name. */
  allPmdPredicates(pmd: PmdBits): Record<string, boolean> {
    const f = this.pmdFacts(pmd);
    const out: Record<string, boolean> = {};
    for (const p of this.pmdPredicates) out[p.name] = p.test(f);
    return out;
  }

  /** make_pte_marker(): the PTE of a marker entry. */
  make_pte_marker(marker: PteMarker): PteBits {
    return this.swp_entry_to_pte(this.make_pte_marker_entry(marker));
  }
}

/** What picks a kernel: the profile, the config asked for (Kconfig applied on top), and the machine. */
export interface KernelOptions {
  readonly profile: ProfileId;
  readonly config: KernelConfig;
  readonly platform: Platform;
}

const cache = new Map<string, Kernel>();

/** A kernel for (profile, config, platform), built once and shared. */
export function getKernel(profile: ProfileId, config: KernelConfig, platform: Platform): Kernel {
  const key = `${profile}|${configKey(config)}|${platformKey(platform)}`;
  let k = cache.get(key);
  if (!k) {
    k = new Kernel(profile, config, platform);
    cache.set(key, k);
  }
  return k;
}

const byOptions = new WeakMap<KernelOptions, Kernel>();

/** The kernel of a set of options (remembered per options object: every state of a run shares one). */
export function kernelFor(o: KernelOptions): Kernel {
  let k = byOptions.get(o);
  // Stryker disable next-line ConditionalExpression: a memo over getKernel(), which returns the same cached kernel
  if (!k) {
    k = getKernel(o.profile, o.config, o.platform);
    byOptions.set(o, k);
  }
  return k;
}

/** A stable key for a set of options (for caches). */
export function optionsKey(o: KernelOptions): string {
  return `${o.profile}|${configKey(o.config)}|${platformKey(o.platform)}`;
}

export type { ArchId };
