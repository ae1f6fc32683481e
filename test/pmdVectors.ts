/**
 * The PMD-level vectors of the domain spec (pmd-and-thp.md, computed from the 7.3.4 macros), copied
 * into the project's fixtures so that nothing outside the repository is read at test time.
 */
import raw from './fixtures/pmd-vectors.json' with { type: 'json' };

export type PmdVectorKind =
  | 'pmd_encode' | 'set_pmd_migration_entry' | 'set_pmd_migration_entry_prefix_bug' | 'present_pmd' | 'arm64_pmd'
  | 'remove_migration_pmd' | 'remove_migration_pte_after_split' | 'migrate_vma_insert_huge_pmd_page' | 'split_pte'
  | 'split_then_change_pte' | 'copy_huge_pmd' | 'copy_nonpresent_pte' | 'change_huge_pmd' | 'move_huge_pmd'
  | 'pagemap_record' | 'mpfn';

export interface PmdDecoded {
  readonly present: boolean;
  readonly type?: number;
  readonly type_name?: string;
  readonly offset?: string;
  readonly pfn?: string;
  readonly mig_young?: boolean;
  readonly mig_dirty?: boolean;
  readonly swp_soft_dirty?: boolean;
  readonly swp_uffd?: boolean;
  readonly swp_exclusive?: boolean;
  readonly pmd_is_migration_entry?: boolean;
  readonly pmd_is_device_private_entry?: boolean;
  readonly valid_at_pmd?: boolean;
  readonly rw?: boolean;
  readonly accessed?: boolean;
  readonly dirty_hw?: boolean;
  readonly saved_dirty?: boolean;
  readonly soft_dirty?: boolean;
  readonly uffd?: boolean;
  readonly pse?: boolean;
  readonly protnone?: boolean;
  readonly special?: boolean;
  readonly nx?: boolean;
}

export interface PmdVector {
  readonly id: string;
  readonly kind: PmdVectorKind;
  readonly profile: '7.3' | 'series';
  readonly inputs: Readonly<Record<string, string | number | boolean>>;
  readonly pmd?: string;
  readonly pte?: string;
  readonly pagemap?: string;
  readonly mpfn?: string;
  readonly decoded?: PmdDecoded;
  readonly notes: string;
}

export const pmdVectors = raw as unknown as { meta: { count: number }; vectors: readonly PmdVector[] };

export function vectorsOf(kind: PmdVectorKind): readonly PmdVector[] {
  return pmdVectors.vectors.filter((v) => v.kind === kind);
}
