/**
 * The kernel-computed test vectors (copied from the domain spec's vectors.json into the project's
 * fixtures, so a clone needs nothing outside the repository).
 */
import raw from './fixtures/vectors.json' with { type: 'json' };

export interface PresentStep {
  pte: string;
  decoded: 'present' | 'swap-pte' | 'none';
  type?: number;
  type_name?: string;
  offset?: string;
  mig_pfn?: string;
}

export interface ScenarioVector {
  id: string;
  title: string;
  setup: string;
  steps: { step: number; event: string; kernel_path: string; pte_of: string; before: PresentStep; after_rfc: PresentStep; differs: boolean }[];
}

export interface Vectors {
  constants: Record<string, unknown> & {
    SWP_TYPE_SHIFT: number;
    SWP_OFFSET_MASK: string;
    x86_64_4level: Record<string, number | string>;
    x86_64_5level: Record<string, number | string>;
    arch_max_swapfile_size: { l1tf_bug_and_mitigated: boolean; x86_cache_bits: number; l5: boolean; pages: number; SWP_MIG_TOTAL_BITS: number; swap_migration_ad_supported: boolean }[];
  };
  type_tables: { variant: string; cflags: string; note: string; values: Record<string, number> }[];
  encode: { type: number; offset: string; soft_dirty: boolean; uffd_wp: boolean; exclusive: boolean; swp_entry_val: string; pte: string; decoded_type: number; decoded_offset: string; roundtrip_exact: boolean; type_name_before: string; type_name_after_rfc: string }[];
  decode: { pte: string; note: string; before: Record<string, unknown>; after_rfc: Record<string, unknown> }[];
  migration_before: MigrationVector[];
  migration_after_rfc: MigrationVector[];
  special_entries_before: SpecialVector[];
  special_entries_after_rfc: SpecialVector[];
  scenarios: ScenarioVector[];
  arm64: { vectors: { what: string; numbering: string; type: number; offset: string; pte: string; decoded_type: number; decoded_offset: string }[]; SWP_PFN_BITS_48bitPA: number };
}

export interface MigrationVector {
  kind: string;
  type: number;
  type_name: string;
  pfn: string;
  young: boolean;
  dirty: boolean;
  paging: '4-level' | '5-level';
  migration_entry_supports_ad: boolean;
  swp_offset: string;
  swp_entry_val: string;
  pte: string;
  decoded_pfn: string;
  decoded_young: boolean;
  decoded_dirty: boolean;
}

export interface SpecialVector {
  helper: string;
  pfn?: string;
  marker?: number;
  type: number;
  type_name: string;
  swp_entry_val?: string;
  pte: string;
  pte_soft_dirty?: string;
}

export const vectors = raw as unknown as Vectors;

export const big = (s: string): bigint => BigInt(s);
