/**
 * The hmm_range_fault() output word (include/linux/hmm.h): the number in the low bits, flags at the
 * top. A device-private PMD of the caller's owner fills 512 of them with the folio's order
 * (hmm_vma_handle_absent_pmd(), 6.19+). The series (v6 12/13) adds HMM_PFN_DEVICE_PRIVATE (bit 57)
 * and moves HMM_PFN_ORDER_SHIFT from 53 to 52.
 */
import type { Kernel } from './kernel.ts';

export const HMM_PFN_VALID = 1n << 63n;
export const HMM_PFN_WRITE = 1n << 62n;
export const HMM_PFN_ERROR = 1n << 61n;
/** The series v6 12/13: the number is a device-private offset. */
export const HMM_PFN_DEVICE_PRIVATE = 1n << 57n;

/**
 * HMM_PFN_ORDER_SHIFT: 53 in 7.3.4, 52 with the series (which needs bit 57 for
 * HMM_PFN_DEVICE_PRIVATE). The series' profiles are the ones that build entries from struct pages
 * (fromPage, v1+), and 12/13 is part of the same posting.
 */
export function hmmPfnOrderShift(k: Kernel): number {
  return k.profile.fromPage ? 52 : 53;
}

/**
 * The hmm_pfns[i] of page `i` of a device-private folio of order `order` whose first page has the
 * number `first`: (first + i) | HMM_PFN_VALID | order << HMM_PFN_ORDER_SHIFT | WRITE? | DEVICE_PRIVATE (series).
 */
export function hmm_pfn_of_device_private(k: Kernel, first: number, i: number, order: number, write: boolean): bigint {
  let v = BigInt(first + i) | HMM_PFN_VALID | (BigInt(order) << BigInt(hmmPfnOrderShift(k)));
  if (write) v |= HMM_PFN_WRITE;
  if (k.profile.fromPage) v |= HMM_PFN_DEVICE_PRIVATE;
  return v;
}
