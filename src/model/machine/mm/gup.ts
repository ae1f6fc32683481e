/** get_user_pages / pin_user_pages (mm/gup.c), and dropping the reference (folio_put). */
import { refuse, type Draft } from '../draft.ts';
import { mappedPage, pageName, view, viewPmd } from '../entries.ts';
import { folioOf } from '../folio.ts';
import type { PteRef } from '../types.ts';
import { accessToCompletion } from './memory/fault.ts';

/** The page a present PTE (or huge PMD) maps at `ref` (not the zero page), or a refusal naming `what` needs it. */
export function presentPage(d: Draft, ref: PteRef, what: string): number {
  const v = viewPmd(d, ref) ?? view(d, ref);
  if (v.kind !== 'present') refuse(`${what} needs a present PTE at ${ref.index} of pid ${ref.pid} (fault the page in first)`);
  if (d.page(v.target).kind === 'zero') refuse(`PTE ${ref.index} maps the shared zero page`);
  return mappedPage(d, ref);
}

/** GUP faults the page in first (handle_mm_fault, with FOLL_WRITE a write fault). */
function gupFault(d: Draft, ref: PteRef, write: boolean): void {
  const sig = accessToCompletion(d, ref, write ? 'write' : 'read');
  if (sig) refuse(`GUP's fault on PTE ${ref.index} gets ${sig}: -EFAULT`);
}

export function folioGet(d: Draft, ref: PteRef, write: boolean): void {
  gupFault(d, ref, write);
  const id = folioOf(d, presentPage(d, ref, 'get_user_pages')).id;
  d.call('get_user_pages', `FOLL_GET: an extra reference on ${pageName(d.page(id))} (e.g. held for I/O).`, () =>
    d.setPage(id, { refs: d.page(id).refs + 1 }, 'refcount + 1'));
}

export function folioPut(d: Draft, ref: PteRef): void {
  const t = mappedPage(d, ref);
  const id = t < 0 ? -1 : folioOf(d, t).id;
  if (id < 0 || d.page(id).refs === 0) refuse(`there is no extra reference to drop on PTE ${ref.index}'s page`);
  d.call('folio_put', `drops the extra reference on ${pageName(d.page(id))}.`, () => d.setPage(id, { refs: d.page(id).refs - 1 }, 'refcount - 1'));
}

export function pinUserPages(d: Draft, ref: PteRef, write: boolean): void {
  gupFault(d, ref, write);
  const id = folioOf(d, presentPage(d, ref, 'pin_user_pages')).id;
  d.call('pin_user_pages', `FOLL_PIN: ${pageName(d.page(id))} is now maybe DMA-pinned (folio_maybe_dma_pinned()).`, () =>
    d.setPage(id, { pins: d.page(id).pins + 1 }, 'pinned'));
}
