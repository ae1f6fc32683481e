/** The kernel options a scenario opens with: its own profile and machine needs on top of the current ones. */
import { DEFAULT_CONFIG, DEFAULT_PLATFORM, type KernelOptions, type Scenario } from '../model/index.ts';

/** The app's defaults: the series' RFC (where the new types are easiest to see), all options on, x86_64. */
export const DEFAULT_OPTIONS: KernelOptions = { profile: 'rfc', config: DEFAULT_CONFIG, platform: DEFAULT_PLATFORM };

export function optionsFor(s: Scenario, base: KernelOptions, override?: Partial<KernelOptions>): KernelOptions {
  return {
    profile: override?.profile ?? s.profile ?? base.profile,
    config: override?.config ?? base.config,
    platform: { ...base.platform, ...(override?.platform ?? {}) },
  };
}
