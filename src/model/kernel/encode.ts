/**
 * Encoding a swap PTE from (type, offset, flags), as the kernel does it: swp_entry() (which masks the
 * offset to 58 bits), swp_entry_to_pte() (the arch layout, which keeps 50), then the
 * pte_swp_mk*() flag helpers.
 */
import type { Kernel } from './kernel.ts';
import type { PmdBits, PteBits } from './u64.ts';

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

export type EncodePmdResult = { ok: true; pmd: PmdBits } | { ok: false; error: string };

/**
 * Encoding a non-present PMD: swp_entry_to_pmd() (softleaf_to_pmd() in 7.3.4), then
 * pmd_swp_mksoft_dirty() / pmd_swp_mkuffd(). There is no PMD swap-exclusive bit.
 */
export function encodeSwapPmd(k: Kernel, s: SwapPteSpec): EncodePmdResult {
  if (s.exclusive) return { ok: false, error: 'there is no PMD swap-exclusive bit: exclusivity lives in the migration type (READ_EXCLUSIVE / WRITE) or in PageAnonExclusive' };
  const r = encodeSwapPte(k, { type: s.type, offset: s.offset });
  if (!r.ok) return r;
  if (s.softDirty && !k.arch.hasSwapSoftDirty) return { ok: false, error: `${k.arch.id} has no swap soft-dirty bit (it does not select HAVE_ARCH_SOFT_DIRTY)` };
  let pmd = k.swp_entry_to_pmd(k.swp_entry(s.type, s.offset));
  if (s.softDirty) pmd = k.pmd_swp_mksoft_dirty(pmd);
  if (s.uffdWp) pmd = k.pmd_swp_mkuffd(pmd);
  return { ok: true, pmd };
}
