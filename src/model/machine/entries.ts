/**
 * Entries as the machine's kernel code reads and builds them: `view()` classifies a PTE with the one
 * classifier (leafops.ts) and says which page the kernel's own bookkeeping ties it to; the builders
 * pick the constructor the profile's kernel code calls for a page (after the series, the
 * `make_*_entry_from_page()` helpers choose the SWP_MIGRATION_DEVICE_* types for device pages).
 */
import { type DeviceOffset, type Kernel, type Pfn, type PteMarker, type swp_entry_t } from '../kernel/kernel.ts';
import { classify, kindOfCode, newClassified, type EntryKind } from '../kernel/leafops.ts';
import type { Access, NumberedRow } from '../kernel/swapTypes.ts';
import { hi32, lo32, type PteBits } from '../kernel/u64.ts';
import type { Pte } from '../kernel/arch/x86_pgtable.ts';
import { pmdBase, refuse, type Draft } from './draft.ts';
import { folioPage } from './folio.ts';
import type { Pmd } from '../kernel/arch/x86_pgtable.ts';
import type { EntryRef, Page, PteRef } from './types.ts';

export interface EntryView {
  readonly raw: Pte;
  readonly kind: EntryKind;
  /** The special type's row (undefined for none, present and real swap entries). */
  readonly row: NumberedRow | undefined;
  /** The swp_entry_t of a non-present entry, null for none and present. */
  readonly entry: swp_entry_t | null;
  /** The page the kernel's own bookkeeping says this entry is about (-1: none). */
  readonly target: number;
}

const scratch = newClassified();

/** What the kernel sees at a PTE: pte_none / pte_present / the soft leaf and its type. */
export function view(d: Draft, r: PteRef): EntryView {
  const raw = d.pte(r) as Pte;
  const c = classify(d.k, hi32(raw), lo32(raw), scratch);
  const kind = kindOfCode(c.kind);
  // The table keeps no page for an empty PTE: target() is -1 there.
  const target = d.target(r);
  if (kind === 'none' || kind === 'present') return { raw, kind, row: undefined, entry: null, target };
  return { raw, kind, row: d.k.row(c.type), entry: d.k.pte_to_swp_entry(raw as PteBits), target };
}

/** What the kernel sees at a PMD: a leaf (huge present, migration, device-private) and its folio. */
export interface PmdView {
  readonly raw: Pmd;
  readonly kind: EntryKind;
  readonly row: NumberedRow | undefined;
  /** softleaf_from_pmd() of a non-present PMD, null for a present one. */
  readonly entry: swp_entry_t | null;
  /** The folio's head page (the huge zero folio for the huge zero PMD). */
  readonly target: number;
  /** The PMD as an entry reference: pid and the first PTE index of its 2 MiB range. */
  readonly ref: EntryRef;
}

const pmdScratch = newClassified();

/** The PMD leaf covering PTE `r`, classified at PMD level; null when the PMD is none or a PTE table. */
export function viewPmd(d: Draft, r: PteRef): PmdView | null {
  const e = d.pmdEntry(r);
  if (!e) return null;
  const raw = ((BigInt(e.hi) << 32n) | BigInt(e.lo)) as Pmd;
  const c = classify(d.k, e.hi, e.lo, pmdScratch, 'pmd');
  const kind = kindOfCode(c.kind);
  const ref: EntryRef = { pid: r.pid, index: pmdBase(r.index), pmd: true };
  if (kind === 'present') return { raw, kind, row: undefined, entry: null, target: e.target, ref };
  const entry = d.k.softleaf_from_pmd(raw);
  return { raw, kind, row: d.k.row(d.k.swp_type(entry)), entry, target: e.target, ref };
}

/** The page a VA stands for: the PTE's page, or the PMD-mapped folio's page at that offset (-1: none). */
export function mappedPage(d: Draft, r: PteRef): number {
  const pv = viewPmd(d, r);
  if (pv) {
    // A PMD leaf always has its folio (setPmd() is given it); the huge zero folio is one page.
    if (d.page(pv.target).kind === 'zero') return pv.target;
    return folioPage(d, pv.target, r.index - pv.ref.index);
  }
  return view(d, r).target;
}

/** "pfn 0x1234" / "device page (offset 0x10)" */
export function pageName(p: Page): string {
  const huge = p.order > 0 && p.head === p.id;
  if (p.kind === 'zero') return `${huge ? 'huge zero folio' : 'zero page'} (pfn 0x${p.number.toString(16)})`;
  if (p.space === 'device') return `${huge ? '2 MiB device folio' : 'device page'} (offset 0x${p.number.toString(16)})`;
  if (p.kind === 'device') return `${huge ? '2 MiB device folio' : 'device page'} (pfn 0x${p.number.toString(16)})`;
  return `${huge ? '2 MiB folio at ' : ''}pfn 0x${p.number.toString(16)}`;
}

/** page_to_pfn() before the series, device_private_page_to_offset() after it. */
export function pageNumberFn(p: Page): string {
  return p.space === 'device' ? 'device_private_page_to_offset' : 'page_to_pfn';
}

export interface Built {
  readonly entry: swp_entry_t;
  /** The constructor the kernel code calls, by its kernel name. */
  readonly ctor: string;
  /** The helper `ctor` calls in turn (the series' _from_page helpers), if any. */
  readonly inner?: string;
}

/** Records the constructor (and the helper it calls) in the trace. */
export function traceBuilt(d: Draft, b: Built, why: string): void {
  d.call(b.ctor, why, () => {
    if (b.inner) d.call(b.inner, '');
  });
}

const MIG_TYPE: Readonly<Record<Access, readonly [ram: string, device: string]>> = {
  read: ['SWP_MIGRATION_READ', 'SWP_MIGRATION_DEVICE_READ'],
  read_exclusive: ['SWP_MIGRATION_READ_EXCLUSIVE', 'SWP_MIGRATION_DEVICE_READ_EXCLUSIVE'],
  write: ['SWP_MIGRATION_WRITE', 'SWP_MIGRATION_DEVICE_WRITE'],
};

/** The constructor of each migration type, per naming: swapops (pfn), the RFC's, the series' (v1+). */
const MIG_CTOR: Readonly<Record<Access, { pfn: string; rfc: string; series: string; fromPage: string }>> = {
  read: { pfn: 'make_readable_migration_entry', rfc: 'make_readable_migration_device_private_entry', series: 'make_readable_migration_device_private_entry', fromPage: 'make_readable_migration_entry_from_page' },
  read_exclusive: {
    pfn: 'make_readable_exclusive_migration_entry', rfc: 'make_device_migration_readable_exclusive_migration_entry',
    series: 'make_readable_exclusive_migration_device_private_entry', fromPage: 'make_readable_exclusive_migration_entry_from_page',
  },
  write: { pfn: 'make_writable_migration_entry', rfc: 'make_writable_migration_device_private_entry', series: 'make_writable_migration_device_private_entry', fromPage: 'make_writable_migration_entry_from_page' },
};

/**
 * A migration entry of `access` for `offset`, named by the constructor the profile's code calls.
 * After the series a device-private page gets the SWP_MIGRATION_DEVICE_* type; before it (and in the
 * hypothetical world) the plain type, whose number then names a RAM PFN.
 */
export function migrationEntry(k: Kernel, device: boolean, access: Access, offset: bigint): Built {
  const devType = device && k.profile.numbering === 'rfc';
  const type = k.typeNumber(MIG_TYPE[access][devType ? 1 : 0]);
  const entry = type === undefined ? k.swp_entry(0, 0n) : k.swp_entry(type, offset);
  const names = MIG_CTOR[access];
  const direct = devType ? (k.profile.fromPage ? names.series : names.rfc) : names.pfn;
  return k.profile.fromPage ? { entry, ctor: names.fromPage, inner: direct } : { entry, ctor: direct };
}

/**
 * The migration entry migrate_vma_collect_pmd() / try_to_migrate_one() build for a page: RFC 4/6
 * picks the SWP_MIGRATION_DEVICE_* constructor when is_device_private_page(page); the series v1+
 * does it inside make_*_migration_entry_from_page().
 */
/** What the entry builders need of a page: whether it is a device page, and its number. */
export type PageNumber = Pick<Page, 'kind' | 'space' | 'number'>;

export function makeMigrationEntry(d: Draft | Kernel, page: PageNumber, access: Access): Built {
  // Before the series the device page's number is a real PFN. In the hypothetical world (own device
  // space, no new types) this passes a device offset where a PFN belongs: the bug the series prevents.
  return migrationEntry(kernelOfArg(d), page.kind === 'device', access, BigInt(numberOf(page)));
}

/** The page's number in its own space: a PFN, or a device offset after the series (types only). */
function numberOf(page: PageNumber): Pfn | DeviceOffset {
  return page.number as Pfn | DeviceOffset;
}

function kernelOfArg(d: Draft | Kernel): Kernel {
  return 'k' in d ? d.k : d;
}

/** The readable migration entry fork/mprotect switch to, keeping swp_offset() (PFN + A/D bits). */
export function readableMigrationFrom(d: Draft | Kernel, old: swp_entry_t, exclusive: boolean): Built {
  const k = kernelOfArg(d);
  const device = k.row(k.swp_type(old))!.kind === 'device-migration';
  return migrationEntry(k, device, exclusive ? 'read_exclusive' : 'read', k.swp_offset(old));
}

/** make_readable_device_private_entry(swp_offset(entry)): fork and mprotect downgrade SWP_DEVICE_WRITE. */
export function readableDeviceFrom(d: Draft | Kernel, old: swp_entry_t): swp_entry_t {
  const k = kernelOfArg(d);
  return k.swp_entry(k.typeNumber('SWP_DEVICE_READ')!, k.swp_offset(old));
}

/** The device-private entry of a device page (make_*_device_private_entry[_from_page]). */
export function makeDevicePrivateEntry(d: Draft | Kernel, page: PageNumber, write: boolean): Built {
  const k = kernelOfArg(d);
  const n = numberOf(page);
  if (!k.config.DEVICE_PRIVATE) refuse('CONFIG_DEVICE_PRIVATE=n: there is no device-private memory in this kernel');
  const entry = write ? k.make_writable_device_private_entry(n) : k.make_readable_device_private_entry(n);
  const direct = write ? 'make_writable_device_private_entry' : 'make_readable_device_private_entry';
  return k.profile.fromPage ? { entry, ctor: `${direct}_from_page`, inner: direct } : { entry, ctor: direct };
}

export function toPte(d: Draft, e: swp_entry_t): Pte {
  return d.k.swp_entry_to_pte(e) as Pte;
}

/** make_pte_marker(): the PTE of a marker. */
export function markerPte(d: Draft, marker: PteMarker): Pte {
  return d.k.make_pte_marker(marker) as Pte;
}

/** Whether a marker entry carries the given PTE_MARKER_* bit. */
export function hasMarker(d: Draft, v: EntryView, marker: PteMarker): boolean {
  return v.kind === 'pte-marker' && (d.k.pte_marker_get(v.entry!) & marker) !== 0;
}

/** Copies the swap soft-dirty and uffd-wp bits of `from` onto `to` (what every rebuild keeps). */
export function keepSwpFlags(d: Draft, from: Pte, to: Pte, which: { softDirty?: boolean; uffdWp?: boolean } = { softDirty: true, uffdWp: true }): Pte {
  const k = d.k;
  let out = to as PteBits;
  if (which.softDirty && k.pte_swp_soft_dirty(from as PteBits)) out = k.pte_swp_mksoft_dirty(out);
  if (which.uffdWp && k.pte_swp_uffd_wp(from as PteBits)) out = k.pte_swp_mkuffd_wp(out);
  return out as Pte;
}

export function requireMigration(d: Draft): void {
  if (!d.k.config.MIGRATION) refuse('CONFIG_MIGRATION=n: this kernel cannot migrate pages');
}
