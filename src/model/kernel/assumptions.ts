/**
 * What a decoded value assumes, in words: the kernel profile, how the config differs from all-y
 * (and which options Kconfig forced off), the machine (arch, paging, whether migration entries
 * carry A/D), the MAX_SWAPFILES that follows, and which facts of the profile are inference. The
 * header, the embed, exported pictures and each compare column say this, from here.
 */
import { applyKconfig, CONFIG_OPTIONS } from './config.ts';
import { getKernel, type KernelOptions } from './kernel.ts';
import { maxPhysmemBits } from './platform.ts';
import { PROFILES, type KernelProfile } from './profiles.ts';

export interface Assumptions {
  readonly profile: KernelProfile;
  /** The config in words: "all options y", or the options that are n and why. */
  readonly config: string;
  /** "x86_64, 4-level paging (46-bit PA), migration entries carry A/D". */
  readonly machine: string;
  readonly maxSwapfiles: number;
  /** Facts of the profile that are inference rather than read from a posted kernel. */
  readonly inferred: readonly string[];
  /** Kernel, config and machine in one line (no inference). */
  readonly line: string;
}

export function configText(o: Pick<KernelOptions, 'config'>): string {
  const { config, locked } = applyKconfig(o.config);
  const off = CONFIG_OPTIONS.filter((c) => !config[c]);
  if (off.length === 0) return 'config: all options y';
  const asked = off.filter((c) => !o.config[c]);
  const forced = off.filter((c) => o.config[c] && locked[c]);
  const parts = asked.map((c) => `CONFIG_${c}=n`);
  if (forced.length) parts.push(`${forced.map((c) => `CONFIG_${c}=n`).join(', ')} (forced by CONFIG_MIGRATION=n)`);
  return `config: ${parts.join(', ')}`;
}

export function machineText(o: Pick<KernelOptions, 'platform'>): string {
  const p = o.platform;
  const paging = p.arch === 'x86_64' ? `${p.paging}-level paging (${maxPhysmemBits(p)}-bit PA)` : `${maxPhysmemBits(p)}-bit PA`;
  return `${p.arch}, ${paging}, migration entries ${p.migrationAd ? 'carry' : 'do not carry'} A/D`;
}

export function assumptionsOf(o: KernelOptions): Assumptions {
  const profile = PROFILES[o.profile];
  const k = getKernel(o.profile, o.config, o.platform);
  const config = configText(o);
  const machine = machineText(o);
  return {
    profile,
    config,
    machine,
    maxSwapfiles: k.MAX_SWAPFILES,
    inferred: profile.inferred,
    line: `${profile.label}; ${config}; ${machine}; MAX_SWAPFILES ${k.MAX_SWAPFILES}`,
  };
}
