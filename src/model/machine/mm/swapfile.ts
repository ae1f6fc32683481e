/**
 * Swap slots (mm/swapfile.c): the allocator, the swap_map count of each slot (swap_duplicate on fork,
 * swap_free when a PTE stops using it) and the swap cache. Slot 0 of a swap device holds the swap
 * header and is never handed out (scan_swap_map_slots starts at 1), so no swapped-out page has
 * swp_entry(type, 0).
 */
import type { Draft } from '../draft.ts';
import { pageName } from '../entries.ts';
import { maybeFree } from './page_alloc.ts';

/** The first slot a swap device hands out: slot 0 is the swap header. */
export const SWAP_FIRST_USABLE_SLOT = 1;

/**
 * get_swap_pages(): the next free slot of swap device 0, never the header slot. A scenario whose
 * setup asks for slot 0 first (swapFirstSlot 0x0, as S30 did) gets slot 1: the trace says why.
 */
export function get_swap_page(d: Draft): number {
  let slot = d.allocSlot();
  while (slot < SWAP_FIRST_USABLE_SLOT) {
    d.explain(`slot 0x${slot.toString(16)} holds the swap header and is never handed out: the allocator skips it.`);
    slot = d.allocSlot();
  }
  return slot;
}

/** swap_duplicate(): one more PTE uses the slot (a swap PTE's slot is always in use: the invariants check it). */
export function swap_duplicate(d: Draft, slotNo: number): void {
  const slot = d.slot(slotNo)!;
  d.setSlot(slotNo, { ...slot, count: slot.count + 1 });
}

/**
 * swap_free() / free_swap_and_cache(): one PTE fewer uses the slot. When none is left the slot is
 * freed and its page leaves the swap cache. Returns true when the slot was freed. The slot is in use
 * (a swap PTE's slot always is: the invariants check it).
 */
export function swap_free(d: Draft, slotNo: number): boolean {
  const slot = d.slot(slotNo)!;
  if (slot.count > 1) {
    d.setSlot(slotNo, { ...slot, count: slot.count - 1 });
    return false;
  }
  d.call('swap_free', `slot 0x${slotNo.toString(16)} has no more users: freed${slot.cached !== null ? `, ${pageName(d.page(slot.cached))} leaves the swap cache` : ''}.`);
  d.setSlot(slotNo, null);
  if (slot.cached !== null) {
    d.setPage(slot.cached, { swapSlot: null });
    maybeFree(d, slot.cached);
  }
  return true;
}
