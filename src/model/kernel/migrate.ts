/**
 * The migrate_vma src[]/dst[] words (include/linux/migrate.h): a PFN shifted by MIGRATE_PFN_SHIFT
 * with flag bits below it. The series (v6 04/13) adds MIGRATE_PFN_DEVICE_PRIVATE: the number is then a
 * device-private offset, not a PFN (migrate_pfn_from_page(), 01/13).
 */
import type { Kernel } from './kernel.ts';

export const MIGRATE_PFN_VALID = 1n << 0n;
export const MIGRATE_PFN_MIGRATE = 1n << 1n;
export const MIGRATE_PFN_WRITE = 1n << 3n;
/** Since 6.19 (device-private THP): src[0] of a 2 MiB folio; src[1..511] are 0. */
export const MIGRATE_PFN_COMPOUND = 1n << 4n;
/** The series v6 04/13. */
export const MIGRATE_PFN_DEVICE_PRIVATE = 1n << 5n;
export const MIGRATE_PFN_SHIFT = 6;

/** migrate_pfn(pfn) = (pfn << MIGRATE_PFN_SHIFT) | MIGRATE_PFN_VALID. */
export function migrate_pfn(pfn: number): bigint {
  return (BigInt(pfn) << BigInt(MIGRATE_PFN_SHIFT)) | MIGRATE_PFN_VALID;
}

/**
 * The src[] word migrate_vma_collect_pmd() / migrate_vma_collect_huge_pmd() / migrate_vma_collect_hole()
 * write: a hole is MIGRATE_PFN_MIGRATE (| COMPOUND for a whole aligned 2 MiB); a page is
 * migrate_pfn(number) (migrate_pfn_from_page() after the series, which marks device-private offsets)
 * | WRITE | MIGRATE | COMPOUND.
 */
export function srcMpfn(k: Kernel, page: { readonly kind: string; readonly number: number } | null, write: boolean, compound: boolean): bigint {
  let v = MIGRATE_PFN_MIGRATE | (compound ? MIGRATE_PFN_COMPOUND : 0n);
  if (page === null) return v;
  v |= migrate_pfn(page.number);
  if (write) v |= MIGRATE_PFN_WRITE;
  if (page.kind === 'device' && k.profile.fromPage) v |= MIGRATE_PFN_DEVICE_PRIVATE;
  return v;
}
