import { describe, expect, it } from 'vitest';
import { assumptionsOf } from './assumptions.ts';
import { DEFAULT_CONFIG } from './config.ts';
import { DEFAULT_PLATFORM } from './platform.ts';

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
});
