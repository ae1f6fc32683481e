/**
 * Encoding a swap PTE from (type, offset, flags), as the kernel does it: swp_entry() (which masks the
 * offset to 58 bits), swp_entry_to_pte() (the arch layout, which keeps 50), then the
 * pte_swp_mk*() flag helpers.
 */
import type { Kernel } from './kernel.ts';
import type { PteBits } from './u64.ts';

export interface SwapPteSpec {
  readonly type: number;
  readonly offset: bigint;
  readonly softDirty?: boolean;
  readonly uffdWp?: boolean;
  readonly exclusive?: boolean;
}

export type EncodeResult = { ok: true; pte: PteBits } | { ok: false; error: string };

export function encodeSwapPte(k: Kernel, s: SwapPteSpec): EncodeResult {
  if (!Number.isInteger(s.type) || s.type < 0 || s.type > 31) {
    return { ok: false, error: `type ${s.type} is out of range: a swap type is 5 bits (0..31)` };
  }
  if (s.offset < 0n) return { ok: false, error: 'offset must not be negative' };
  if (s.softDirty && !k.arch.hasSwapSoftDirty) {
    return { ok: false, error: `${k.arch.id} has no swap soft-dirty bit (it does not select HAVE_ARCH_SOFT_DIRTY)` };
  }
  let pte = k.swp_entry_to_pte(k.swp_entry(s.type, s.offset));
  if (s.softDirty) pte = k.pte_swp_mksoft_dirty(pte);
  if (s.uffdWp) pte = k.pte_swp_mkuffd_wp(pte);
  if (s.exclusive) pte = k.pte_swp_mkexclusive(pte);
  return { ok: true, pte };
}
