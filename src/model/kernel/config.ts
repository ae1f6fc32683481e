/**
 * The kernel config options that change the swap-type numbering (include/linux/swap.h), and the
 * Kconfig rule that ties them together (mm/Kconfig): MEMORY_FAILURE selects MIGRATION, and
 * DEVICE_PRIVATE depends on ZONE_DEVICE -> MEMORY_HOTREMOVE, which selects MIGRATION. So with
 * MIGRATION off the other two cannot be on.
 */

export type ConfigOption = 'DEVICE_PRIVATE' | 'MIGRATION' | 'MEMORY_FAILURE';

export const CONFIG_OPTIONS: readonly ConfigOption[] = ['DEVICE_PRIVATE', 'MIGRATION', 'MEMORY_FAILURE'];

export type KernelConfig = Readonly<Record<ConfigOption, boolean>>;

export const DEFAULT_CONFIG: KernelConfig = { DEVICE_PRIVATE: true, MIGRATION: true, MEMORY_FAILURE: true };

export interface KconfigResult {
  config: KernelConfig;
  /** One sentence per option that Kconfig forced off, e.g. "CONFIG_MEMORY_FAILURE=n: it selects MIGRATION". */
  forced: string[];
  /**
   * Options this config cannot turn on, whatever was asked for, with the reason (one sentence):
   * with MIGRATION=n, DEVICE_PRIVATE and MEMORY_FAILURE are off.
   */
  locked: Partial<Record<ConfigOption, string>>;
}

/** Why Kconfig turns an option off when MIGRATION is off. */
const NEEDS_MIGRATION: Partial<Record<ConfigOption, string>> = {
  MEMORY_FAILURE: 'CONFIG_MEMORY_FAILURE=n: it selects MIGRATION (mm/Kconfig)',
  DEVICE_PRIVATE: 'CONFIG_DEVICE_PRIVATE=n: it depends on ZONE_DEVICE, which needs MEMORY_HOTREMOVE, which selects MIGRATION (mm/Kconfig)',
};

/** Applies the Kconfig dependencies: MIGRATION=n forces DEVICE_PRIVATE=n and MEMORY_FAILURE=n. */
export function applyKconfig(wanted: KernelConfig): KconfigResult {
  if (wanted.MIGRATION) return { config: { ...wanted }, forced: [], locked: {} };
  const forced: string[] = [];
  if (wanted.MEMORY_FAILURE) forced.push(NEEDS_MIGRATION.MEMORY_FAILURE!);
  if (wanted.DEVICE_PRIVATE) forced.push(NEEDS_MIGRATION.DEVICE_PRIVATE!);
  return { config: { DEVICE_PRIVATE: false, MIGRATION: false, MEMORY_FAILURE: false }, forced, locked: { ...NEEDS_MIGRATION } };
}

export function configKey(c: KernelConfig): string {
  return CONFIG_OPTIONS.map((o) => (c[o] ? '1' : '0')).join('');
}

export function describeConfig(c: KernelConfig): string {
  return CONFIG_OPTIONS.map((o) => `CONFIG_${o}=${c[o] ? 'y' : 'n'}`).join(' ');
}
