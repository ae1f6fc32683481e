/**
 * Primitives the event handlers share: reading an entry the way the kernel classifies it,
 * building entries with the constructor the profile's kernel code would call, page allocation,
 * rmap and reference counting.
 */
import type { Access, NumberedRow } from '../kernel/swapTypes.ts';
import { asDeviceOffset, asPfn, type swp_entry_t } from '../kernel/kernel.ts';
import type { PteBits } from '../kernel/u64.ts';
import { refuse, type Draft } from './draft.ts';
import type { Page, PteRef, Vma } from './types.ts';
import { pte_present, vm_page_prot, type Pte } from './x86pte.ts';

export type EntryKind = 'none' | 'present' | 'swap' | 'migration' | 'device_private' | 'device_exclusive' | 'hwpoison' | 'pte_marker';

export interface EntryView {
  readonly raw: Pte;
  readonly kind: EntryKind;
  readonly row: NumberedRow | undefined;
  readonly entry: swp_entry_t | null;
  /** The page the kernel's own bookkeeping says this entry is about (-1: none). */
  readonly target: number;
}

/** pte_none() on x86: ignores the two bits of _PAGE_KNL_ERRATUM_MASK. */
export function pteNone(v: bigint): boolean {
  return (v & ~0x60n) === 0n;
}

/** What the kernel sees at a PTE: pte_none / pte_present / the swap entry and its type. */
export function view(d: Draft, r: PteRef): EntryView {
  const raw = d.pte(r) as Pte;
  const target = d.target(r);
  if (pteNone(raw)) return { raw, kind: 'none', row: undefined, entry: null, target: -1 };
  if (pte_present(raw)) return { raw, kind: 'present', row: undefined, entry: null, target };
  const entry = d.k.pte_to_swp_entry(raw as PteBits);
  const row = d.k.row(d.k.swp_type(entry));
  const kind: EntryKind = row ? (row.family === 'swapin_error' ? 'pte_marker' : row.family) : 'swap';
  return { raw, kind, row, entry, target };
}

export function vmaOf(d: Draft, r: PteRef): Vma | undefined {
  return d.vmaAt(r.pid, r.index);
}

export function vmaWritable(v: Vma): boolean {
  return v.prot === 'rw';
}

export function pageProt(v: Vma): bigint {
  return vm_page_prot(v.prot, v.shared);
}

/** "pfn 0x1234" / "device offset 0x10" */
export function pageName(p: Page): string {
  if (p.kind === 'zero') return `zero page (pfn 0x${p.number.toString(16)})`;
  if (p.space === 'device') return `device page (offset 0x${p.number.toString(16)})`;
  if (p.kind === 'device') return `device page (pfn 0x${p.number.toString(16)})`;
  return `pfn 0x${p.number.toString(16)}`;
}

// ---- allocation ----------------------------------------------------------------------------------

/**
 * alloc_page(): the next free RAM page in the scenario's order, round-robin from where the last
 * allocation stopped (so a just-freed page is not handed out again at once); else the lowest free
 * RAM page made earlier; else a new PFN after the largest.
 */
export function allocRamPage(d: Draft, anon = true): number {
  const order = d.base.ramOrder;
  for (let n = 0; n < order.length; n++) {
    const at = (d.ramCursor + n) % order.length;
    const id = d.findPage('phys', order[at]!);
    if (id !== undefined && !d.page(id).allocated) {
      d.ramCursor = (at + 1) % order.length;
      d.setPage(id, { allocated: true, anon, data: 0, dirty: false, anonExclusive: false, hwpoison: false }, 'allocated');
      return id;
    }
  }
  let max = 0;
  let reuse = -1;
  for (const i of d.ramPages()) {
    const p = d.page(i);
    if (p.number > max) max = p.number;
    if (!p.allocated && (reuse < 0 || p.number < d.page(reuse).number)) reuse = i;
  }
  if (reuse >= 0) {
    d.setPage(reuse, { allocated: true, anon, data: 0, dirty: false, anonExclusive: false, hwpoison: false }, 'allocated');
    return reuse;
  }
  const id = d.addPage({
    kind: 'ram', space: 'phys', number: max + 1, device: null, allocated: true, anon, mapcount: 0, refs: 0, pins: 0,
    locked: false, dirty: false, anonExclusive: false, hwpoison: false, data: 0, swapSlot: null,
  });
  d.explain(`allocated a new RAM page, pfn 0x${(max + 1).toString(16)}.`);
  return id;
}

/** The device driver's page allocator (dmirror_devmem_alloc_page): first free page of the device. */
export function allocDevicePage(d: Draft, device: number): number | null {
  for (const id of d.device(device).pages) {
    if (!d.page(id).allocated) {
      d.setPage(id, { allocated: true, anon: true, data: 0, dirty: false, anonExclusive: false }, 'allocated on the device');
      return id;
    }
  }
  return null;
}

/** Drops one reference; frees the page when nothing maps, pins or caches it (folio_put). */
export function maybeFree(d: Draft, id: number): void {
  const p = d.page(id);
  if (p.kind === 'zero' || !p.allocated) return;
  if (p.mapcount > 0 || p.refs > 0 || p.pins > 0 || p.locked || p.swapSlot !== null || p.hwpoison) return;
  d.setPage(id, { allocated: false, data: null, dirty: false, anonExclusive: false }, 'freed');
  if (p.kind === 'device' && p.device !== null) {
    const dev = d.device(p.device);
    const stale = Object.entries(dev.mirror).filter(([, e]) => e.page === id);
    if (stale.length) {
      d.setDevice(p.device, (x) => {
        const mirror = { ...x.mirror };
        for (const [key] of stale) delete mirror[key];
        return { ...x, mirror };
      });
    }
  }
}

export function getRef(d: Draft, id: number): void {
  d.setPage(id, { refs: d.page(id).refs + 1 });
}

export function putRef(d: Draft, id: number): void {
  const p = d.page(id);
  d.setPage(id, { refs: Math.max(0, p.refs - 1) });
  maybeFree(d, id);
}

/** folio_add_{new_,}anon_rmap_pte(): mapcount + 1; RMAP_EXCLUSIVE sets PageAnonExclusive. */
export function addRmap(d: Draft, id: number, exclusive: boolean): void {
  const p = d.page(id);
  if (p.kind === 'zero') return;
  d.setPage(id, { mapcount: p.mapcount + 1, anonExclusive: p.anon && (exclusive || (p.mapcount === 0 ? false : p.anonExclusive)) });
}

/** folio_remove_rmap_pte(): mapcount - 1. */
export function removeRmap(d: Draft, id: number): void {
  const p = d.page(id);
  if (p.kind === 'zero') return;
  d.setPage(id, { mapcount: Math.max(0, p.mapcount - 1) });
}

/** folio_try_share_anon_rmap_pte(): clears PageAnonExclusive; fails if the page may be DMA-pinned. */
export function tryShareAnon(d: Draft, id: number): boolean {
  const p = d.page(id);
  if (p.pins > 0) return false;
  if (p.anonExclusive) d.setPage(id, { anonExclusive: false });
  return true;
}

// ---- entry construction -------------------------------------------------------------------------

/** page_to_pfn() before the series, device_private_page_to_offset() after it. */
export function pageNumberFn(p: Page): string {
  return p.space === 'device' ? 'device_private_page_to_offset' : 'page_to_pfn';
}

/**
 * The migration entry migrate_vma_collect_pmd()/try_to_migrate_one() build for a page:
 * RFC 4/6 picks the SWP_MIGRATION_DEVICE_* constructor when is_device_private_page(page).
 */
export function makeMigrationEntry(d: Draft, page: Page, access: Access): { entry: swp_entry_t; ctor: string } {
  const k = d.k;
  if (page.kind === 'device' && k.profile.numbering === 'rfc') {
    const off = asDeviceOffset(page.number);
    if (access === 'write') return { entry: k.make_writable_migration_device_private_entry(off), ctor: 'make_writable_migration_device_private_entry' };
    if (access === 'read_exclusive') {
      return { entry: k.make_device_migration_readable_exclusive_migration_entry(off), ctor: 'make_device_migration_readable_exclusive_migration_entry' };
    }
    return { entry: k.make_readable_migration_device_private_entry(off), ctor: 'make_readable_migration_device_private_entry' };
  }
  // Before the series the device page's number is a real PFN. In the hypothetical world (own device
  // space, no new types) this passes a device offset where a PFN belongs: the bug the series prevents.
  const pfn = asPfn(page.number);
  if (access === 'write') return { entry: k.make_writable_migration_entry(pfn), ctor: 'make_writable_migration_entry' };
  if (access === 'read_exclusive') return { entry: k.make_readable_exclusive_migration_entry(pfn), ctor: 'make_readable_exclusive_migration_entry' };
  return { entry: k.make_readable_migration_entry(pfn), ctor: 'make_readable_migration_entry' };
}

/** The readable migration entry fork/mprotect switch to, keeping swp_offset() (PFN + A/D bits). */
export function readableMigrationFrom(d: Draft, old: swp_entry_t, exclusive: boolean): { entry: swp_entry_t; ctor: string } {
  const k = d.k;
  const off = k.swp_offset(old);
  const isDev = k.profile.numbering === 'rfc' && k.row(k.swp_type(old))?.pfn === 'device';
  if (isDev) {
    const name = exclusive ? 'SWP_MIGRATION_DEVICE_READ_EXCLUSIVE' : 'SWP_MIGRATION_DEVICE_READ';
    return {
      entry: k.swp_entry(k.typeNumber(name)!, off),
      ctor: exclusive ? 'make_device_migration_readable_exclusive_migration_entry' : 'make_readable_migration_device_private_entry',
    };
  }
  const name = exclusive ? 'SWP_MIGRATION_READ_EXCLUSIVE' : 'SWP_MIGRATION_READ';
  return {
    entry: k.swp_entry(k.typeNumber(name)!, off),
    ctor: exclusive ? 'make_readable_exclusive_migration_entry' : 'make_readable_migration_entry',
  };
}

/** make_readable_device_private_entry(swp_offset(entry)): fork and mprotect downgrade SWP_DEVICE_WRITE. */
export function readableDeviceFrom(d: Draft, old: swp_entry_t): swp_entry_t {
  return d.k.swp_entry(d.k.typeNumber('SWP_DEVICE_READ')!, d.k.swp_offset(old));
}

export function makeDevicePrivateEntry(d: Draft, page: Page, write: boolean): { entry: swp_entry_t; ctor: string } {
  const k = d.k;
  const n = page.space === 'device' ? asDeviceOffset(page.number) : asPfn(page.number);
  if (!k.config.DEVICE_PRIVATE) refuse('CONFIG_DEVICE_PRIVATE=n: there is no device-private memory in this kernel');
  return write
    ? { entry: k.make_writable_device_private_entry(n), ctor: 'make_writable_device_private_entry' }
    : { entry: k.make_readable_device_private_entry(n), ctor: 'make_readable_device_private_entry' };
}

export function toPte(d: Draft, e: swp_entry_t): Pte {
  return d.k.swp_entry_to_pte(e) as Pte;
}

export function requireMigration(d: Draft): void {
  if (!d.k.config.MIGRATION) refuse('CONFIG_MIGRATION=n: this kernel cannot migrate pages');
}

export function forEachIndex(start: number, pages: number, f: (i: number) => void): void {
  for (let i = start; i < start + pages; i++) f(i);
}

/** Every PTE of every live process whose entry refers to page `id` (an rmap walk). */
export function rmapWalk(d: Draft, id: number, kinds: readonly EntryKind[]): PteRef[] {
  return d.refsTo(id).filter((ref) => kinds.includes(view(d, ref).kind));
}
