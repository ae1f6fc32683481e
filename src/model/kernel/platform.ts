/**
 * The machine the kernel runs on: architecture, paging depth, and whether migration entries can
 * carry the young/dirty bits (migration_entry_supports_ad(), decided at boot by swapfile_init()).
 */

export type ArchId = 'x86_64' | 'arm64';
export const ARCHES: readonly ArchId[] = ['x86_64', 'arm64'];

export interface Platform {
  readonly arch: ArchId;
  /**
   * x86_64: 4- or 5-level paging (MAX_PHYSMEM_BITS 46 or 52, chosen at run time by
   * pgtable_l5_enabled()). arm64 with 4K pages: 4 = 48-bit PA, 5 = 52-bit PA (LPA2 enabled).
   */
  readonly paging: 4 | 5;
  /** migration_entry_supports_ad(): the global swap_migration_ad_supported. */
  readonly migrationAd: boolean;
}

export const DEFAULT_PLATFORM: Platform = { arch: 'x86_64', paging: 4, migrationAd: true };

export const PAGE_SHIFT = 12;
/**
 * PMD_SHIFT with 4 KiB pages on x86_64 (pgtable_64_types.h) and arm64 (pgtable-hwdef.h, 4K granule):
 * a PMD maps 2 MiB. HPAGE_PMD_ORDER and HPAGE_PMD_NR follow (include/linux/huge_mm.h).
 */
export const PMD_SHIFT = 21;
export const HPAGE_PMD_ORDER = PMD_SHIFT - PAGE_SHIFT;
export const HPAGE_PMD_NR = 1 << HPAGE_PMD_ORDER;
export const BITS_PER_LONG = 64;
/** include/linux/xarray.h: XArray value entries lose one bit to the tag. */
export const BITS_PER_XA_VALUE = BITS_PER_LONG - 1;

/** arch/x86/include/asm/sparsemem.h, arch/arm64/include/asm/sparsemem.h. */
export function maxPhysmemBits(p: Pick<Platform, 'arch' | 'paging'>): number {
  if (p.arch === 'x86_64') return p.paging === 5 ? 52 : 46;
  return p.paging === 5 ? 52 : 48;
}

export function platformKey(p: Platform): string {
  return `${p.arch}/${p.paging}/${p.migrationAd ? 'ad' : 'noad'}`;
}

export function describePlatform(p: Platform): string {
  const paging = p.arch === 'x86_64' ? `${p.paging}-level paging` : `${maxPhysmemBits(p)}-bit PA`;
  return `${p.arch}, ${paging}, migration A/D ${p.migrationAd ? 'carried' : 'not carried'}`;
}

/** What the boot CPU reports that decides the swap-file size cap on x86 (arch/x86/mm/init.c). */
export interface X86SwapCpu {
  /** X86_BUG_L1TF set and l1tf_mitigation != L1TF_MITIGATION_OFF. */
  readonly l1tfMitigated: boolean;
  /** boot_cpu_data.x86_cache_bits. */
  readonly cacheBits: number;
  readonly paging: 4 | 5;
}

/** x86 SWP_OFFSET_FIRST_BIT (= _PAGE_BIT_PROTNONE + 1). */
const X86_SWP_OFFSET_FIRST_BIT = 9;
const X86_SWP_OFFSET_BITS = 50;

/**
 * arch_max_swapfile_size() on x86_64: generic_max_swapfile_size() (= 2^50, the arch offset width),
 * capped on L1TF-affected CPUs at l1tf_pfn_limit() << (PAGE_SHIFT - SWP_OFFSET_FIRST_BIT).
 */
export function x86ArchMaxSwapfileSize(cpu: X86SwapCpu): bigint {
  const generic = 1n << BigInt(X86_SWP_OFFSET_BITS);
  if (!cpu.l1tfMitigated) return generic;
  const l1tfPfnLimit = 1n << BigInt(cpu.cacheBits - 1 - PAGE_SHIFT);
  const limit = l1tfPfnLimit << BigInt(PAGE_SHIFT - X86_SWP_OFFSET_FIRST_BIT);
  // Stryker disable next-line EqualityOperator: min_t(): when the two are equal either is the answer
  return limit < generic ? limit : generic;
}

/** SWP_PFN_BITS = MAX_PHYSMEM_BITS - PAGE_SHIFT (include/linux/swapops.h). */
export function swpPfnBits(p: Pick<Platform, 'arch' | 'paging'>): number {
  return maxPhysmemBits(p) - PAGE_SHIFT;
}

/** mm/swapfile.c swapfile_init(): swap_migration_ad_supported = max size >= 1 << SWP_MIG_TOTAL_BITS. */
export function x86SwapMigrationAdSupported(cpu: X86SwapCpu): boolean {
  const total = swpPfnBits({ arch: 'x86_64', paging: cpu.paging }) + 2;
  return x86ArchMaxSwapfileSize(cpu) >= 1n << BigInt(total);
}
