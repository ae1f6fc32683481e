import { describe, expect, it } from 'vitest';
import { assumptionsOf, configText, machineText } from './assumptions.ts';
import { DEFAULT_CONFIG } from './config.ts';
import { DEFAULT_PLATFORM } from './platform.ts';
import { PROFILES } from './profiles.ts';

describe('what a page assumes, in words', () => {
  it('the defaults: the profile, all options y, x86_64 4-level paging, A/D carried, MAX_SWAPFILES', () => {
    const a = assumptionsOf({ profile: 'rfc', config: DEFAULT_CONFIG, platform: DEFAULT_PLATFORM });
    expect(a.config).toBe('config: all options y');
    expect(a.machine).toBe('x86_64, 4-level paging (46-bit PA), migration entries carry A/D');
    expect(a.line).toMatch(/^RFC .*; config: all options y; x86_64, 4-level paging \(46-bit PA\), migration entries carry A\/D; MAX_SWAPFILES 21$/);
    expect(a.inferred).toEqual([]);
  });

  it('CONFIG_MIGRATION=n names the two options Kconfig forces off with it', () => {
    const a = assumptionsOf({ profile: 'v6.18', config: { ...DEFAULT_CONFIG, MIGRATION: false }, platform: { ...DEFAULT_PLATFORM, paging: 5, migrationAd: false } });
    expect(a.config).toBe('config: CONFIG_MIGRATION=n, CONFIG_DEVICE_PRIVATE=n, CONFIG_MEMORY_FAILURE=n (forced by CONFIG_MIGRATION=n)');
    expect(a.machine).toBe('x86_64, 5-level paging (52-bit PA), migration entries do not carry A/D');
    expect(a.maxSwapfiles).toBe(31);
  });

  it('only an option asked off is listed as asked', () => {
    expect(assumptionsOf({ profile: 'rfc', config: { ...DEFAULT_CONFIG, DEVICE_PRIVATE: false }, platform: DEFAULT_PLATFORM }).config).toBe('config: CONFIG_DEVICE_PRIVATE=n');
  });

  it('the series and the hypothetical profile say what is inference', () => {
    for (const p of ['series', 'no-new-types'] as const) {
      expect(assumptionsOf({ profile: p, config: DEFAULT_CONFIG, platform: DEFAULT_PLATFORM }).inferred.length).toBeGreaterThan(0);
    }
  });

  it('the line joins the profile label, the config, the machine and MAX_SWAPFILES; the profile and its inference are the profile\'s own', () => {
    const a = assumptionsOf({ profile: 'series', config: DEFAULT_CONFIG, platform: DEFAULT_PLATFORM });
    expect(a.profile).toBe(PROFILES.series);
    expect(a.inferred).toBe(PROFILES.series.inferred);
    expect(a.line).toBe(`${PROFILES.series.label}; config: all options y; x86_64, 4-level paging (46-bit PA), migration entries carry A/D; MAX_SWAPFILES ${a.maxSwapfiles}`);
  });

  it.each([
    [{ DEVICE_PRIVATE: false, MIGRATION: false, MEMORY_FAILURE: false }, 'config: CONFIG_DEVICE_PRIVATE=n, CONFIG_MIGRATION=n, CONFIG_MEMORY_FAILURE=n'],
    [{ DEVICE_PRIVATE: false, MIGRATION: false, MEMORY_FAILURE: true }, 'config: CONFIG_DEVICE_PRIVATE=n, CONFIG_MIGRATION=n, CONFIG_MEMORY_FAILURE=n (forced by CONFIG_MIGRATION=n)'],
    [{ DEVICE_PRIVATE: true, MIGRATION: true, MEMORY_FAILURE: false }, 'config: CONFIG_MEMORY_FAILURE=n'],
  ] as const)('configText(%j) = %s', (config, text) => {
    expect(configText({ config })).toBe(text);
  });

  it.each([
    [{ arch: 'arm64', paging: 4, migrationAd: true }, 'arm64, 48-bit PA, migration entries carry A/D'],
    [{ arch: 'arm64', paging: 5, migrationAd: false }, 'arm64, 52-bit PA, migration entries do not carry A/D'],
    [{ arch: 'x86_64', paging: 5, migrationAd: true }, 'x86_64, 5-level paging (52-bit PA), migration entries carry A/D'],
  ] as const)('machineText(%j) = %s', (platform, text) => {
    expect(machineText({ platform })).toBe(text);
  });
});
