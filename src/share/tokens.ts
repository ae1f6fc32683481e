/**
 * Link v1's readable tokens: how the kernel profile, config, platform and view appear outside the
 * compressed blob. Written out (not taken from the model's ids) because links are a public contract:
 * if the model renames a profile or an arch, these tables keep reading old links, and the
 * `satisfies` clauses make the rename a compile error here.
 *
 * Defaults (a part that is left out means this): cfg=yyy, arch=x86_64, pg=4, ad=1, step=0. They
 * are link v1's defaults, fixed forever, not the app's current defaults.
 */
import type { ConfigOption, KernelConfig } from '../model/kernel/config.ts';
import type { ArchId, Platform } from '../model/kernel/platform.ts';
import type { ProfileId } from '../model/kernel/profiles.ts';

/** k=: the kernel profile. */
export const PROFILE_TOKENS = {
  'v6.18': 'v6.18',
  rfc: 'rfc',
  '7.3': '7.3',
  series: 'series',
  'no-new-types': 'no-new-types',
  '7.3-pre-fix': '7.3-pre-fix',
  'series-pre-fix': 'series-pre-fix',
} as const satisfies Readonly<Record<ProfileId, string>>;

/** arch=: the architecture. */
export const ARCH_TOKENS = { x86_64: 'x86_64', arm64: 'arm64' } as const satisfies Readonly<Record<ArchId, string>>;

/** cfg=: one y/n per option, in this order (CONFIG_DEVICE_PRIVATE, CONFIG_MIGRATION, CONFIG_MEMORY_FAILURE). */
export const CONFIG_ORDER: readonly ConfigOption[] = ['DEVICE_PRIVATE', 'MIGRATION', 'MEMORY_FAILURE'];

export type Panel = 'layout' | 'pfn' | 'types' | 'decode';

/** panel=: the panel in view. */
export const PANEL_TOKENS = { layout: 'layout', pfn: 'pfn', types: 'types', decode: 'decode' } as const satisfies Readonly<Record<Panel, string>>;

export const V1_DEFAULT_CONFIG: KernelConfig = { DEVICE_PRIVATE: true, MIGRATION: true, MEMORY_FAILURE: true };
export const V1_DEFAULT_PLATFORM: Platform = { arch: 'x86_64', paging: 4, migrationAd: true };

export function reverse<K extends string>(table: Readonly<Record<K, string>>): ReadonlyMap<string, K> {
  return new Map((Object.entries(table) as [K, string][]).map(([k, t]) => [t, k]));
}

export function configToken(c: KernelConfig): string {
  return CONFIG_ORDER.map((o) => (c[o] ? 'y' : 'n')).join('');
}

export function parseConfigToken(t: string): KernelConfig | null {
  if (!/^[yn]{3}$/.test(t)) return null;
  const c: Record<ConfigOption, boolean> = { ...V1_DEFAULT_CONFIG };
  CONFIG_ORDER.forEach((o, i) => {
    c[o] = t[i] === 'y';
  });
  return c;
}
