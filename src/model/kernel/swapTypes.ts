/**
 * The swap-type numbering of include/linux/swap.h as ONE table.
 *
 * The 32 type values (MAX_SWAPFILES_SHIFT = 5) are handed out from the top down:
 *   [swap files 0..MAX_SWAPFILES-1][HWPOISON][MIGRATION x3][DEVICE x N][PTE_MARKER]
 * Each special block exists only when its config option is on, so MAX_SWAPFILES and every
 * special number follow from which rows are enabled. The rows below are listed in kernel order
 * (bottom-up); nothing else in swapviz writes a type number down.
 */
import type { ConfigOption, KernelConfig } from './config.ts';
import type { EntryKind } from './leafops.ts';

export const MAX_SWAPFILES_SHIFT = 5;
export const SWP_TYPE_COUNT = 1 << MAX_SWAPFILES_SHIFT;

/**
 * Which numbering block of swap.h is in force:
 * - `base`: v6.15 .. v7.3 (single SWP_DEVICE_EXCLUSIVE; PTE markers always compiled in);
 * - `rfc`: RFC "Remove device private pages from physical address space" patch 4/6 applied
 *   (SWP_DEVICE_NUM 6; the same hunk in v1..v6 of the series);
 * - `v6.1`: historical (CONFIG_PTE_MARKER optional, SWP_SWAPIN_ERROR, two device-exclusive types).
 */
export type Numbering = 'base' | 'rfc' | 'v6.1';

export type Access = 'read' | 'read_exclusive' | 'write';

export type Block = 'hwpoison' | 'migration' | 'device' | 'marker' | 'swapin_error';

/** Which page a PFN-carrying type's number names. */
export type PfnKind = 'ram' | 'device';

export interface TypeRow {
  readonly name: string;
  readonly block: Block;
  /** The config option that compiles the block in; null = always. */
  readonly config: ConfigOption | 'PTE_MARKER' | null;
  /** The entry kind (leafops.h) an entry of this type is. */
  readonly kind: Exclude<EntryKind, 'none' | 'present' | 'swap'>;
  readonly access: Access | null;
  /** The page the entry's number names, or null when it carries no PFN (markers). */
  readonly pfn: PfnKind | null;
  readonly numberings: readonly Numbering[];
  /** One sentence a reader needs: what an entry of this type means. */
  readonly meaning: string;
}

const ALL: readonly Numbering[] = ['v6.1', 'base', 'rfc'];

export const TYPE_ROWS: readonly TypeRow[] = [
  {
    name: 'SWP_HWPOISON', block: 'hwpoison', config: 'MEMORY_FAILURE', kind: 'hwpoison', access: null, pfn: 'ram',
    numberings: ALL, meaning: 'the RAM page at this PFN had a memory error; any access gets SIGBUS',
  },
  {
    name: 'SWP_MIGRATION_READ', block: 'migration', config: 'MIGRATION', kind: 'migration', access: 'read', pfn: 'ram',
    numberings: ALL, meaning: 'the page is being migrated; it was mapped read-only and may be shared',
  },
  {
    name: 'SWP_MIGRATION_READ_EXCLUSIVE', block: 'migration', config: 'MIGRATION', kind: 'migration', access: 'read_exclusive', pfn: 'ram',
    numberings: ALL, meaning: 'the page is being migrated; it was mapped read-only and is exclusive to this anon mapping',
  },
  {
    name: 'SWP_MIGRATION_WRITE', block: 'migration', config: 'MIGRATION', kind: 'migration', access: 'write', pfn: 'ram',
    numberings: ALL, meaning: 'the page is being migrated; it was mapped writable',
  },
  {
    name: 'SWP_DEVICE_WRITE', block: 'device', config: 'DEVICE_PRIVATE', kind: 'device-private', access: 'write', pfn: 'device',
    numberings: ALL, meaning: 'the page lives in device-private memory; the CPU mapping was writable',
  },
  {
    name: 'SWP_DEVICE_READ', block: 'device', config: 'DEVICE_PRIVATE', kind: 'device-private', access: 'read', pfn: 'device',
    numberings: ALL, meaning: 'the page lives in device-private memory; the CPU mapping was read-only',
  },
  {
    name: 'SWP_DEVICE_EXCLUSIVE_WRITE', block: 'device', config: 'DEVICE_PRIVATE', kind: 'device-exclusive', access: 'write', pfn: 'ram',
    numberings: ['v6.1'], meaning: 'a device holds this RAM page for exclusive (atomic) access; it was writable (merged into SWP_DEVICE_EXCLUSIVE in v6.15)',
  },
  {
    name: 'SWP_DEVICE_EXCLUSIVE_READ', block: 'device', config: 'DEVICE_PRIVATE', kind: 'device-exclusive', access: 'read', pfn: 'ram',
    numberings: ['v6.1'], meaning: 'a device holds this RAM page for exclusive (atomic) access; it was read-only (merged into SWP_DEVICE_EXCLUSIVE in v6.15)',
  },
  {
    name: 'SWP_DEVICE_EXCLUSIVE', block: 'device', config: 'DEVICE_PRIVATE', kind: 'device-exclusive', access: null, pfn: 'ram',
    numberings: ['base', 'rfc'], meaning: 'a device holds this RAM page for exclusive (atomic) access; a CPU fault takes it back',
  },
  {
    name: 'SWP_MIGRATION_DEVICE_READ', block: 'device', config: 'DEVICE_PRIVATE', kind: 'device-migration', access: 'read', pfn: 'device',
    numberings: ['rfc'], meaning: 'a device-private page is being migrated; the number is a device-private offset, read-only, maybe shared',
  },
  {
    name: 'SWP_MIGRATION_DEVICE_READ_EXCLUSIVE', block: 'device', config: 'DEVICE_PRIVATE', kind: 'device-migration', access: 'read_exclusive', pfn: 'device',
    numberings: ['rfc'], meaning: 'a device-private page is being migrated; the number is a device-private offset, read-only, exclusive',
  },
  {
    name: 'SWP_MIGRATION_DEVICE_WRITE', block: 'device', config: 'DEVICE_PRIVATE', kind: 'device-migration', access: 'write', pfn: 'device',
    numberings: ['rfc'], meaning: 'a device-private page is being migrated; the number is a device-private offset, writable',
  },
  {
    name: 'SWP_PTE_MARKER', block: 'marker', config: null, kind: 'pte-marker', access: null, pfn: null,
    numberings: ['base', 'rfc'], meaning: 'no page: the offset holds PTE marker bits (uffd-wp, poisoned, guard)',
  },
  {
    name: 'SWP_PTE_MARKER', block: 'marker', config: 'PTE_MARKER', kind: 'pte-marker', access: null, pfn: null,
    numberings: ['v6.1'], meaning: 'no page: the offset holds PTE marker bits (CONFIG_PTE_MARKER, before v6.2)',
  },
  {
    name: 'SWP_SWAPIN_ERROR', block: 'swapin_error', config: null, kind: 'swapin-error', access: null, pfn: null,
    numberings: ['v6.1'], meaning: 'swap-in failed; replaced by the PTE_MARKER_SWAPIN_ERROR marker in v6.2',
  },
];

/** The count macro of each block, as swap.h names it. */
export const BLOCK_COUNT_MACRO: Readonly<Record<Block, string>> = {
  hwpoison: 'SWP_HWPOISON_NUM',
  migration: 'SWP_MIGRATION_NUM',
  device: 'SWP_DEVICE_NUM',
  marker: 'SWP_PTE_MARKER_NUM',
  swapin_error: 'SWP_SWAPIN_ERROR_NUM',
};

export interface NumberedRow extends TypeRow {
  readonly number: number;
}

export interface TypeTable {
  readonly numbering: Numbering;
  readonly MAX_SWAPFILES: number;
  /** SWP_HWPOISON_NUM, SWP_MIGRATION_NUM, SWP_DEVICE_NUM, SWP_PTE_MARKER_NUM (and SWP_SWAPIN_ERROR_NUM for v6.1). */
  readonly counts: Readonly<Record<string, number>>;
  /** Enabled special rows with their numbers, bottom-up. */
  readonly rows: readonly NumberedRow[];
  /** Index = type number (0..31); undefined below MAX_SWAPFILES (a real swap file). */
  readonly byNumber: readonly (NumberedRow | undefined)[];
  readonly byName: Readonly<Record<string, NumberedRow>>;
}

export interface NumberingOptions {
  /** CONFIG_PTE_MARKER, only meaningful for the v6.1 numbering (always on since v6.2). */
  readonly PTE_MARKER?: boolean;
}

/**
 * Computes MAX_SWAPFILES and every special type number for a numbering and config, exactly as the
 * swap.h macros do. It takes the config as given (Kconfig-unreachable combinations included, so
 * the arithmetic can be compared with the kernel's); callers that model a buildable kernel apply
 * `applyKconfig` first.
 */
export function buildTypeTable(numbering: Numbering, config: KernelConfig, opts: NumberingOptions = {}): TypeTable {
  const enabled = TYPE_ROWS.filter((r) => r.numberings.includes(numbering) && rowEnabled(r, config, opts));
  const counts: Record<string, number> = {};
  const blocks: Block[] = numbering === 'v6.1'
    ? ['hwpoison', 'migration', 'device', 'marker', 'swapin_error']
    : ['hwpoison', 'migration', 'device', 'marker'];
  for (const b of blocks) counts[BLOCK_COUNT_MACRO[b]] = enabled.filter((r) => r.block === b).length;
  const MAX_SWAPFILES = SWP_TYPE_COUNT - enabled.length;
  const rows: NumberedRow[] = [];
  const byNumber: (NumberedRow | undefined)[] = new Array<NumberedRow | undefined>(SWP_TYPE_COUNT).fill(undefined);
  const byName: Record<string, NumberedRow> = {};
  let next = MAX_SWAPFILES;
  for (const b of blocks) {
    for (const r of enabled) {
      if (r.block !== b) continue;
      const row: NumberedRow = { ...r, number: next++ };
      rows.push(row);
      byNumber[row.number] = row;
      byName[row.name] = row;
    }
  }
  return { numbering, MAX_SWAPFILES, counts, rows, byNumber, byName };
}

function rowEnabled(r: TypeRow, config: KernelConfig, opts: NumberingOptions): boolean {
  if (r.config === null) return true;
  if (r.config === 'PTE_MARKER') return opts.PTE_MARKER ?? true;
  return config[r.config];
}

/** The kernel-side name of a type number: the SWP_* macro, or `swapfile_N` for a real swap device. */
export function typeName(table: TypeTable, type: number): string {
  return table.byNumber[type]?.name ?? `swapfile_${type}`;
}

/** Every type name the numbering can produce under some config (for the CLI's --type NAME). */
export function allTypeNames(numbering: Numbering): string[] {
  return [...new Set(TYPE_ROWS.filter((r) => r.numberings.includes(numbering)).map((r) => r.name))];
}
