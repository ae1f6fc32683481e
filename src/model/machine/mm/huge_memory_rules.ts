/**
 * The entry rewrites of mm/huge_memory.c as pure functions of the kernel and the old value: what
 * set_pmd_migration_entry(), remove_migration_pmd(), __split_huge_pmd_locked(), copy_huge_pmd(),
 * change_huge_pmd() and move_soft_dirty_pmd() write. The handlers in huge_memory.ts call them on the
 * machine's state; the tests call them on the domain vectors (pmd-and-thp.md §c).
 */
import {
  folio_mk_pmd, mk_pte, pmd_dirty, pmd_mkdirty, pmd_mkold, pmd_mksoft_dirty, pmd_mkuffd, pmd_mkwrite, pmd_soft_dirty, pmd_uffd,
  pmd_write, pmd_young, pte_mkdirty, pte_mkold, pte_mksoft_dirty, pte_mkuffd_wp, pte_mkwrite, type Pmd, type Pte,
} from '../../kernel/arch/x86_pgtable.ts';
import type { Kernel, swp_entry_t } from '../../kernel/kernel.ts';
import type { Access, NumberedRow } from '../../kernel/swapTypes.ts';
import { hi32, lo32, type PmdBits, type PteBits } from '../../kernel/u64.ts';
import { makeDevicePrivateEntry, makeMigrationEntry, migrationEntry, readableDeviceFrom, readableMigrationFrom, type Built, type PageNumber } from '../entries.ts';

/** The soft leaf in a non-present PMD, with its type row (undefined for none and present PMDs). */
export interface PmdLeaf {
  readonly entry: swp_entry_t;
  readonly row: NumberedRow | undefined;
}

export function pmdLeaf(k: Kernel, pmd: PmdBits): PmdLeaf | null {
  const f = k.pmdFacts(pmd);
  if (f.none || f.present) return null;
  const entry = k.softleaf_from_pmd(pmd);
  return { entry, row: k.row(k.swp_type(entry)) };
}

/** softleaf_to_pfn(): the number a PFN-carrying entry names (a PFN, or after the series a device offset). */
export function softleafNumber(k: Kernel, e: swp_entry_t): number {
  return k.swp_offset_pfn(e);
}

/** The page an entry names, as the builders need it: a device page or a RAM page, and its number. */
export function entryPage(k: Kernel, l: PmdLeaf, plus = 0): PageNumber {
  const device = l.row?.pfn === 'device';
  const separate = k.profile.deviceSpace === 'separate';
  return { kind: device ? 'device' : 'ram', space: device && separate ? 'device' : 'phys', number: softleafNumber(k, l.entry) + plus };
}

// ---- set_pmd_migration_entry() ----------------------------------------------------------------------

export interface SetPmdMigration {
  readonly pmd: Pmd;
  readonly built: Built;
  /** Which branch ran: the present PMD (pmdp_invalidate()) or the non-present one (pmdp_huge_get_and_clear()). */
  readonly present: boolean;
  readonly access: Access;
  /** What the function read from the old value (the pre-fix code reads a swap PMD as a present one). */
  readonly read: { readonly writable: boolean; readonly young: boolean; readonly dirty: boolean; readonly softDirty: boolean; readonly uffd: boolean };
}

/**
 * set_pmd_migration_entry() (mm/huge_memory.c, the June 2026 fix's form unless the profile has
 * pmdFlagsBug): a present PMD gives writable/young/dirty/soft-dirty/uffd from pmd_write() & co.; a
 * non-present (device-private) one gives writable = softleaf_is_device_private_write(), the swap
 * soft-dirty and uffd bits, and no A/D. The type is WRITE, READ_EXCLUSIVE if anon-exclusive, else
 * READ, of page_to_pfn(page) (after the series: the _from_page helpers, device types for device pages).
 */
export function set_pmd_migration_value(k: Kernel, old: Pmd, page: PageNumber, anonExclusive: boolean): SetPmdMigration {
  const f = k.pmdFacts(old);
  const present = f.present;
  let read: SetPmdMigration['read'];
  if (present || k.profile.pmdFlagsBug) {
    // the present-PMD helpers; before the fix also on the non-present value
    read = { writable: pmd_write(old), young: pmd_young(old), dirty: pmd_dirty(old), softDirty: pmd_soft_dirty(old), uffd: pmd_uffd(old) };
  } else {
    const l = pmdLeaf(k, old);
    const row = l!.row!; // a non-present PMD here is a migration or device-private entry
    const devWrite = row.kind === 'device-private' && row.access === 'write';
    read = { writable: devWrite, young: false, dirty: false, softDirty: k.pmd_swp_soft_dirty(old), uffd: k.pmd_swp_uffd(old) };
  }
  const access: Access = read.writable ? 'write' : anonExclusive ? 'read_exclusive' : 'read';
  const built = makeMigrationEntry(k, page, access);
  let entry = built.entry;
  if (read.young) entry = k.make_migration_entry_young(entry);
  if (read.dirty) entry = k.make_migration_entry_dirty(entry);
  let pmd = k.swp_entry_to_pmd(entry);
  if (read.softDirty) pmd = k.pmd_swp_mksoft_dirty(pmd);
  if (read.uffd) pmd = k.pmd_swp_mkuffd(pmd);
  return { pmd, built, present, access, read };
}

// ---- remove_migration_pmd() -------------------------------------------------------------------------

export interface RemoveMigrationPmd {
  readonly pmd: Pmd;
  /** The device-private entry built for a device destination (null for a RAM one). */
  readonly built: Built | null;
  /** pmd_write() of the PMD it rebuilt (before a device destination replaced it). */
  readonly writable: boolean;
  readonly young: boolean;
  readonly dirty: boolean;
}

/**
 * remove_migration_pmd(): folio_mk_pmd(dst, vm_page_prot), soft-dirty from the swap bit, writable
 * for a WRITE entry, uffd (which write-protects, and unlike the PTE version comes after mkwrite),
 * old unless the entry says young, dirty if the folio and the entry say so. A device-private
 * destination turns it into a device-private PMD (WRITE if pmd_write()) with swap sd/uffd copied.
 */
export function remove_migration_pmd_value(k: Kernel, mig: Pmd, dst: PageNumber & { readonly dirty: boolean }, vmProt: bigint): RemoveMigrationPmd {
  const l = pmdLeaf(k, mig);
  if (!l) throw new Error('remove_migration_pmd() on a PMD that is not a migration entry');
  const young = k.is_migration_entry_young(l.entry);
  const dirty = k.is_migration_entry_dirty(l.entry);
  let pmde = folio_mk_pmd(dst.number, vmProt);
  if (k.pmd_swp_soft_dirty(mig)) pmde = pmd_mksoft_dirty(pmde);
  if (l.row!.access === 'write') pmde = pmd_mkwrite(pmde);
  if (k.pmd_swp_uffd(mig)) pmde = pmd_mkuffd(pmde);
  if (!young) pmde = pmd_mkold(pmde);
  if (dst.dirty && dirty) pmde = pmd_mkdirty(pmde);
  const writable = pmd_write(pmde);
  if (dst.kind !== 'device') return { pmd: pmde, built: null, writable, young, dirty: dst.dirty && dirty };
  const built = makeDevicePrivateEntry(k, dst, writable);
  let pmd = k.swp_entry_to_pmd(built.entry);
  if (k.pmd_swp_soft_dirty(mig)) pmd = k.pmd_swp_mksoft_dirty(pmd);
  if (k.pmd_swp_uffd(mig)) pmd = k.pmd_swp_mkuffd(pmd);
  return { pmd, built, writable, young: false, dirty: false };
}

// ---- __split_huge_pmd_locked() ----------------------------------------------------------------------

export interface SplitOptions {
  /** freeze: present and device-private PMDs become migration PTEs (the folio is about to migrate). */
  readonly freeze: boolean;
  /** PageAnonExclusive of the head page. */
  readonly anonExclusive: boolean;
  /** folio_test_anon(): a READ_EXCLUSIVE migration entry stays exclusive only for an anon folio. */
  readonly anon: boolean;
  /** The VMA's vm_page_prot (a present PMD's PTEs start from mk_pte(page + i, vm_page_prot)). */
  readonly vmProt: bigint;
}

export interface SplitPte {
  readonly pte: Pte;
  /** The constructor that built a non-present PTE (null for a present one). */
  readonly built: Built | null;
}

/**
 * PTE i of a split (pmd-and-thp.md §c.5): the same kind of entry for page + i. Because x86 stores the
 * offset inverted, a non-present PTE i is the PMD minus i * 0x200 when the kind does not change.
 * Present: mk_pte + RW if write, old if !young, pte_mkdirty if dirty (which sets soft-dirty on x86),
 * then soft-dirty and uffd. With freeze, present and device-private PMDs become migration PTEs.
 */
export function split_pte_value(k: Kernel, pmd: Pmd, i: number, o: SplitOptions): SplitPte {
  return split_ptes(k, pmd, o)(i);
}

/** split_pte_value() for every i of one PMD: what does not depend on i is worked out once. */
export function split_ptes(k: Kernel, pmd: Pmd, o: SplitOptions): (i: number) => SplitPte {
  const f = k.pmdFacts(pmd);
  if (f.present) {
    const pfn = k.arch.pmd.presentPfn(hi32(pmd), lo32(pmd));
    const write = pmd_write(pmd);
    const young = pmd_young(pmd);
    const dirty = pmd_dirty(pmd);
    const sd = pmd_soft_dirty(pmd);
    const uffd = pmd_uffd(pmd);
    if (o.freeze) {
      const access: Access = write ? 'write' : o.anonExclusive ? 'read_exclusive' : 'read';
      return (i) => {
        const built = migrationEntry(k, false, access, BigInt(pfn + i));
        let e = built.entry;
        if (young) e = k.make_migration_entry_young(e);
        if (dirty) e = k.make_migration_entry_dirty(e);
        let pte = k.swp_entry_to_pte(e);
        if (sd) pte = k.pte_swp_mksoft_dirty(pte);
        if (uffd) pte = k.pte_swp_mkuffd_wp(pte);
        return { pte: pte as Pte, built };
      };
    }
    return (i) => {
      let pte = mk_pte(pfn + i, o.vmProt);
      if (write) pte = pte_mkwrite(pte);
      if (!young) pte = pte_mkold(pte);
      if (dirty) pte = pte_mkdirty(pte);
      if (sd) pte = pte_mksoft_dirty(pte);
      if (uffd) pte = pte_mkuffd_wp(pte);
      return { pte, built: null };
    };
  }
  const l = pmdLeaf(k, pmd);
  if (!l || !l.row) throw new Error(`__split_huge_pmd_locked() on a PMD that is neither present nor a valid soft leaf`);
  const row = l.row;
  const kind = row.kind;
  const first = entryPage(k, l);
  const sd = k.pmd_swp_soft_dirty(pmd);
  const uffd = k.pmd_swp_uffd(pmd);
  const young = k.is_migration_entry_young(l.entry);
  const dirty = k.is_migration_entry_dirty(l.entry);
  let make: (page: PageNumber) => Built;
  if (kind === 'migration' || kind === 'device-migration') {
    let access = row.access!;
    if (access === 'read_exclusive' && !o.anon) access = 'read';
    const a = access;
    make = (page) => migrationEntry(k, kind === 'device-migration', a, BigInt(page.number));
  } else if (kind === 'device-private') {
    const write = row.access === 'write';
    const access: Access = write ? 'write' : o.anonExclusive ? 'read_exclusive' : 'read';
    make = o.freeze ? (page) => makeMigrationEntry(k, page, access) : (page) => makeDevicePrivateEntry(k, page, write);
  } else {
    throw new Error(`${row.name} is not valid at PMD level: __split_huge_pmd_locked() warns (VM_WARN_ON(!pmd_is_valid_softleaf()))`);
  }
  const migration = kind === 'migration' || kind === 'device-migration';
  return (i) => {
    const built = make({ kind: first.kind, space: first.space, number: first.number + i });
    let e = built.entry;
    if (migration && young) e = k.make_migration_entry_young(e);
    if (migration && dirty) e = k.make_migration_entry_dirty(e);
    let pte = k.swp_entry_to_pte(e);
    if (sd) pte = k.pte_swp_mksoft_dirty(pte);
    if (uffd) pte = k.pte_swp_mkuffd_wp(pte);
    return { pte: pte as Pte, built };
  };
}

// ---- copy_huge_pmd() -> copy_huge_non_present_pmd() ---------------------------------------------------

export interface CopyHugePmd {
  readonly parent: Pmd;
  readonly child: Pmd;
  /** The constructor of the downgraded entry, when there is one. */
  readonly built: Built | null;
  /** The downgraded device-private entry (make_readable_device_private_entry), when there is one. */
  readonly device: boolean;
}

/**
 * fork over a non-present PMD (§c.6): a WRITE or READ_EXCLUSIVE migration PMD becomes READ in parent
 * and child (the whole swp_offset, A/D included, is reused); a device-private WRITE PMD becomes READ
 * in both and keeps its soft-dirty bit (the PTE path drops it); everything else is copied. The child
 * loses the uffd bit unless its VMA is uffd-wp registered.
 */
export function copy_huge_pmd_values(k: Kernel, parent: Pmd, childUffdWp: boolean): CopyHugePmd {
  const l = pmdLeaf(k, parent);
  if (!l || !l.row) throw new Error('copy_huge_non_present_pmd() on a present or none PMD');
  let p = parent;
  let built: Built | null = null;
  let device = false;
  const kind = l.row.kind;
  if ((kind === 'migration' || kind === 'device-migration') && l.row.access !== 'read') {
    built = readableMigrationFrom(k, l.entry, false);
    p = keepPmdFlags(k, parent, k.swp_entry_to_pmd(built.entry), true, true);
  } else if (kind === 'device-private' && l.row.access === 'write') {
    device = true;
    p = keepPmdFlags(k, parent, k.swp_entry_to_pmd(readableDeviceFrom(k, l.entry)), true, true);
  }
  const child = childUffdWp ? p : k.pmd_swp_clear_uffd(p);
  return { parent: p, child, built, device };
}

function keepPmdFlags(k: Kernel, from: Pmd, to: Pmd, softDirty: boolean, uffd: boolean): Pmd {
  let out = to;
  if (softDirty && k.pmd_swp_soft_dirty(from)) out = k.pmd_swp_mksoft_dirty(out);
  if (uffd && k.pmd_swp_uffd(from)) out = k.pmd_swp_mkuffd(out);
  return out;
}

// ---- change_huge_pmd() -> change_non_present_huge_pmd() ------------------------------------------------

export interface ChangeHugePmdFlags {
  /** folio_test_anon() of the entry's folio: WRITE becomes READ_EXCLUSIVE for anon, READ otherwise. */
  readonly anon: boolean;
  /** MM_CP_UFFD_WP / MM_CP_UFFD_WP_RESOLVE. */
  readonly uffdWp: boolean;
  readonly uffdWpResolve: boolean;
}

export interface ChangeHugePmd {
  readonly pmd: Pmd;
  readonly built: Built | null;
  readonly device: boolean;
}

/**
 * mprotect / UFFDIO_WRITEPROTECT over a non-present PMD (§c.7): a WRITE migration PMD becomes
 * READ_EXCLUSIVE (anon) or READ, soft-dirty copied, uffd not copied, A/D kept in the offset; a
 * device-private WRITE PMD becomes READ, soft-dirty dropped, uffd kept. The new protection is not
 * looked at. Then MM_CP_UFFD_WP sets the swap uffd bit and *_RESOLVE clears it.
 */
export function change_huge_pmd_value(k: Kernel, old: Pmd, f: ChangeHugePmdFlags): ChangeHugePmd {
  const l = pmdLeaf(k, old);
  if (!l || !l.row) throw new Error('change_non_present_huge_pmd() on a present or none PMD');
  let pmd = old;
  let built: Built | null = null;
  let device = false;
  const kind = l.row.kind;
  if ((kind === 'migration' || kind === 'device-migration') && l.row.access === 'write') {
    built = readableMigrationFrom(k, l.entry, f.anon);
    pmd = keepPmdFlags(k, old, k.swp_entry_to_pmd(built.entry), true, false);
  } else if (kind === 'device-private' && l.row.access === 'write') {
    device = true;
    pmd = keepPmdFlags(k, old, k.swp_entry_to_pmd(readableDeviceFrom(k, l.entry)), false, true);
  }
  if (f.uffdWp) pmd = k.pmd_swp_mkuffd(pmd);
  else if (f.uffdWpResolve) pmd = k.pmd_swp_clear_uffd(pmd);
  return { pmd, built, device };
}

// ---- move_huge_pmd() -> move_soft_dirty_pmd() ------------------------------------------------------------

/**
 * move_soft_dirty_pmd() (mm/mremap.c, CONFIG_MEM_SOFT_DIRTY): a moved present PMD becomes soft-dirty,
 * and of the non-present ones only a migration PMD gets the swap soft-dirty bit; a device-private
 * PMD is moved as it is (move_soft_dirty_pte() marks every non-present PTE).
 */
export function move_soft_dirty_pmd(k: Kernel, pmd: Pmd): Pmd {
  const f = k.pmdFacts(pmd);
  if (f.none) return pmd;
  if (f.present) return pmd_mksoft_dirty(pmd);
  const kind = pmdLeaf(k, pmd)!.row!.kind;
  return kind === 'migration' || kind === 'device-migration' ? k.pmd_swp_mksoft_dirty(pmd) : pmd;
}

/** move_soft_dirty_pte(): a moved PTE is soft-dirty, present or not. */
export function move_soft_dirty_pte(k: Kernel, pte: Pte, present: boolean): Pte {
  if (present) return pte_mksoft_dirty(pte);
  return k.pte_swp_mksoft_dirty(pte as PteBits) as Pte;
}

// ---- migrate_vma_insert_huge_pmd_page() -----------------------------------------------------------------

/** A hole filled with a 2 MiB device folio: device-private WRITE if VM_WRITE, else READ, no sd/uffd. */
export function insert_huge_pmd_value(k: Kernel, dev: PageNumber, vmWrite: boolean): { pmd: Pmd; built: Built } {
  const built = makeDevicePrivateEntry(k, dev, vmWrite);
  return { pmd: k.swp_entry_to_pmd(built.entry), built };
}

/** The pieces of a PMD that the split and the traces name, for the explanations. */
export function describeRead(r: SetPmdMigration['read']): string {
  const on = Object.entries(r).filter(([, v]) => v).map(([n]) => n);
  return on.length ? on.join(', ') : 'nothing';
}
