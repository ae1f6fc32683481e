import type { EntryKind } from '../model/index.ts';

/** The colour class and legend label of each PTE kind (colour is never the only cue: the kind is written in every row). */
export const KIND_STYLE: Readonly<Record<EntryKind, { readonly label: string; readonly cls: string }>> = {
  none: { label: 'none', cls: 'k-none' },
  present: { label: 'present', cls: 'k-present' },
  swap: { label: 'swap', cls: 'k-swap' },
  migration: { label: 'migration', cls: 'k-migration' },
  'device-migration': { label: 'device migration', cls: 'k-devmig' },
  'device-private': { label: 'device-private', cls: 'k-device' },
  'device-exclusive': { label: 'device-exclusive', cls: 'k-exclusive' },
  hwpoison: { label: 'hwpoison', cls: 'k-hwpoison' },
  'pte-marker': { label: 'PTE marker', cls: 'k-marker' },
  'swapin-error': { label: 'swapin error', cls: 'k-marker' },
};

export const LEGEND_KINDS: readonly EntryKind[] = ['present', 'swap', 'migration', 'device-migration', 'device-private', 'device-exclusive', 'hwpoison', 'pte-marker'];
