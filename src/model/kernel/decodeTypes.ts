import type { FieldRole, Level, PmdPresentInfo, PresentInfo, PresentRule } from './arch/layout.ts';
import type { EntryKind } from './leafops.ts';
import type { ArchId } from './platform.ts';
import type { ProfileId } from './profiles.ts';
import type { Access, NumberedRow } from './swapTypes.ts';

export type { Level, PmdPresentInfo, PresentInfo };

export interface DecodedField {
  readonly id: string;
  /** Kernel macro or field name. */
  readonly name: string;
  readonly hi: number;
  readonly lo: number;
  readonly role: FieldRole;
  readonly inverted?: boolean;
  readonly note: string;
  /** The bits as stored in the PTE. */
  readonly stored: bigint;
  /** The value they mean (un-inverted where the arch inverts). */
  readonly value: bigint;
  /** Short text of the value, e.g. "27 = SWP_MIGRATION_WRITE" or "set". */
  readonly text: string;
  /** Accessible name, e.g. "bits 59–63: swap type 27, SWP_MIGRATION_WRITE". */
  readonly label: string;
  /** Why these bits are wrong, when they are. */
  readonly problem?: string;
}

export interface SwapInfo {
  readonly type: number;
  readonly typeName: string;
  /** The special-type row, undefined for a real swap file. */
  readonly row: NumberedRow | undefined;
  /** The arch-independent swp_entry_t value. */
  readonly swpEntry: bigint;
  readonly offset: number;
  readonly softDirty: boolean;
  readonly uffdWp: boolean;
  readonly exclusive: boolean;
  /** offset & SWP_PFN_MASK for PFN-carrying types, else null. */
  readonly pfn: number | null;
  /** Which space the number names: the CPU physical space or the device-private space. */
  readonly pfnSpace: 'phys' | 'device' | null;
  readonly migration: {
    readonly access: Access;
    /** is_migration_entry_young(): false when A/D are not supported. */
    readonly young: boolean;
    readonly dirty: boolean;
    readonly youngBitSet: boolean;
    readonly dirtyBitSet: boolean;
  } | null;
  readonly marker: { readonly bits: number; readonly uffdWp: boolean; readonly poisoned: boolean; readonly guard: boolean } | null;
  /** Every predicate helper of the profile, by kernel name. */
  readonly predicates: Readonly<Record<string, boolean>>;
  /** 7.3: enum softleaf_type name; null for swapops profiles. */
  readonly softleafType: string | null;
}

export interface DecodedPte {
  readonly raw: bigint;
  /** The level the value was decoded at: a PTE, or a PMD (decodePmd). */
  readonly level: Level;
  /** 0x + 16 hex digits (the entry's value at either level; the CLI names it `pmd` for a PMD). */
  readonly pte: string;
  readonly arch: ArchId;
  readonly profile: ProfileId;
  readonly kind: EntryKind;
  /** One line, in the spec's legend, e.g. "SWP_MIGRATION_WRITE(27) pfn=0x1234+A+D sd". */
  readonly summary: string;
  /** Bit fields from bit 63 down to bit 0, covering all 64 bits. */
  readonly fields: readonly DecodedField[];
  /** At PMD level a present entry is a PmdPresentInfo (leaf, invalidated). */
  readonly present: PresentInfo | PmdPresentInfo | null;
  readonly swap: SwapInfo | null;
  /** PMD level only: every PMD helper of the profile (pmd_present, pmd_is_migration_entry, …); null for a PTE. */
  readonly pmdPredicates: Readonly<Record<string, boolean>> | null;
  /**
   * PMD level only: whether this kind of entry may sit in a PMD (softleaf_is_valid_pmd_entry() for a
   * soft leaf) and why; null for a PTE.
   */
  readonly atPmd: { readonly valid: boolean; readonly why: string } | null;
  /** Why this value is not something the kernel would build (empty when it is fine). */
  readonly problems: readonly string[];
  /** What kind each problem is, index for index. */
  readonly problemKinds: readonly ProblemKind[];
}

/** What a decode problem is about; every kind has its rule, sentence and kernel source in rules.ts. */
export type ProblemKind =
  | 'knl-ad'
  | PresentRule
  | 'must-be-zero'
  | 'mig-ad-unsupported'
  | 'mig-high-bits'
  | 'pfn-too-wide'
  | 'marker-bits'
  | 'marker-empty'
  | 'exclusive-on-special'
  | 'softleaf-none'
  | 'swap-header-slot'
  /** A soft leaf of a kind that never sits in a PMD (pmd_is_valid_softleaf() is false). */
  | 'not-at-pmd'
  /** A present PMD without the leaf bit: it points to a PTE table and maps no 2 MiB page. */
  | 'pmd-table';

/** Every problem kind, in the order the registry lists them. */
export const PROBLEM_KINDS: readonly ProblemKind[] = [
  'knl-ad', 'shadow-stack', 'rw-saveddirty', 'protnone-rw', 'protnone-dirty', 'protnone-prot', 'swap-bit8', 'user-global',
  'unused-bits', 'pfn-beyond-physmem', 'must-be-zero', 'mig-ad-unsupported', 'mig-high-bits', 'pfn-too-wide', 'marker-bits',
  'marker-empty', 'exclusive-on-special', 'softleaf-none', 'swap-header-slot', 'not-at-pmd', 'pmd-table',
];

/** Problems that break a layout rule (the "bits that must stay clear" invariant). */
export const CLEAR_BIT_PROBLEMS: readonly ProblemKind[] = ['must-be-zero', 'mig-ad-unsupported', 'mig-high-bits', 'pfn-too-wide', 'marker-bits'];
