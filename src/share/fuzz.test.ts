/**
 * decodeLink against hostile input (fast-check, fixed seeds): it never throws, every refusal says
 * why, and whatever it accepts is a valid state.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../model/kernel/config.ts';
import { DEFAULT_PLATFORM } from '../model/kernel/platform.ts';
import { PROFILE_IDS } from '../model/kernel/profiles.ts';
import { findScenario } from '../model/scenarios/index.ts';
import { MAX_EVENTS, validateScenario } from '../model/scenarios/validate.ts';
import { decodeLink, encodeLink, type DecodeLinkResult } from './index.ts';
import { sampleScenario } from './sample.ts';

const S02 = findScenario('S02')!;
const rfc = { profile: 'rfc', config: DEFAULT_CONFIG, platform: DEFAULT_PLATFORM } as const;

/** What every decodeLink result must satisfy. Returns true so it can be a property. */
function wellFormed(input: string): boolean {
  let r: DecodeLinkResult;
  try {
    r = decodeLink(input);
  } catch (e) {
    throw new Error(`decodeLink threw on ${JSON.stringify(input.slice(0, 200))}: ${String(e)}`, { cause: e });
  }
  if (!r.ok) {
    expect(typeof r.error).toBe('string');
    expect(r.error.trim().length).toBeGreaterThan(0);
    return true;
  }
  expect(validateScenario(r.state.scenario).ok).toBe(true);
  expect(Number.isSafeInteger(r.state.cursor) && r.state.cursor >= 0 && r.state.cursor <= MAX_EVENTS).toBe(true);
  expect(PROFILE_IDS).toContain(r.state.options.profile);
  expect(r.warnings.every((w) => typeof w === 'string' && w.length > 0)).toBe(true);
  return true;
}

/**
 * The corpus of valid links, built on first use inside a test, not when the module loads: building
 * it runs the machine (sampleScenario), and code that runs at load time counts as covered by every
 * test, which makes mutation testing run the whole suite for each machine mutant.
 */
let corpus: string[] | undefined;
const VALID = (): string[] => (corpus ??= [
  encodeLink({ scenario: S02, options: rfc, cursor: 4, selection: { pid: 1, index: 1 }, view: { compare: true, panel: 'pfn' } }),
  encodeLink({ scenario: { ...S02, events: [...S02.events, { type: 'fork', pid: 1 }] }, options: { ...rfc, platform: { arch: 'x86_64', paging: 5, migrationAd: false } }, cursor: 8 }),
  encodeLink({ scenario: findScenario('hmm_exclusive_cow')!, options: { ...rfc, profile: '7.3' }, cursor: 3 }),
  encodeLink({ scenario: sampleScenario(60, 9), options: rfc, cursor: 17 }),
]);
const LINK_CHARS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=&#%'];

describe('decodeLink on hostile input', () => {
  it('the fuzz corpus decodes', () => {
    for (const l of VALID()) expect(decodeLink(l).ok).toBe(true);
  });

  it('random strings: never throws, always a reason or a valid state', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), wellFormed), { seed: 101, numRuns: 6000 });
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...LINK_CHARS), maxLength: 300 }), wellFormed), { seed: 102, numRuns: 6000 });
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...LINK_CHARS), maxLength: 300 }).map((s) => `v=1&k=rfc&z=eNp${s}`), wellFormed), { seed: 103, numRuns: 4000 });
  });

  type Op = { kind: 'flip' | 'insert' | 'delete' | 'truncate'; at: number; ch: string };
  const opArb: fc.Arbitrary<Op> = fc.record({
    kind: fc.constantFrom('flip', 'insert', 'delete', 'truncate'),
    at: fc.nat(),
    ch: fc.oneof(fc.constantFrom(...LINK_CHARS), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })),
  });
  const mutate = (s: string, ops: readonly Op[]): string => {
    for (const { kind, at, ch } of ops) {
      const i = s.length ? at % (s.length + (kind === 'insert' ? 1 : 0)) : 0;
      if (kind === 'flip') s = s.slice(0, i) + ch + s.slice(i + 1);
      else if (kind === 'insert') s = s.slice(0, i) + ch + s.slice(i);
      else if (kind === 'delete') s = s.slice(0, i) + s.slice(i + 1);
      else s = s.slice(0, i);
    }
    return s;
  };

  it('random mutations of valid links (flip, insert, delete characters, truncate): never throws, always a reason or a valid state', () => {
    fc.assert(
      fc.property(fc.constantFrom(...VALID()), fc.array(opArb, { minLength: 1, maxLength: 4 }), (link, ops) => wellFormed(mutate(link, ops))),
      { seed: 201, numRuns: 16000 },
    );
  });

  it('single-character flips inside a blob are caught (never read as a different scenario silently)', () => {
    const link = VALID()[1]!;
    const z = link.indexOf('z=') + 2;
    const original = decodeLink(link);
    fc.assert(
      fc.property(fc.integer({ min: z, max: link.length - 1 }), fc.constantFrom(...LINK_CHARS.slice(0, 64)), (i, ch) => {
        const r = decodeLink(link.slice(0, i) + ch + link.slice(i + 1));
        if (r.ok) expect(r).toEqual(original);
      }),
      { seed: 202, numRuns: 3000 },
    );
  });

  it('random key=value combinations: never throws, always a reason or a valid state', () => {
    const link = VALID()[1]!;
    const blob = link.slice(link.indexOf('z=') + 2);
    const keyArb = fc.oneof(fc.constantFrom('v', 'k', 's', 'z', 'step', 'sel', 'cfg', 'arch', 'pg', 'ad', 'cmp', 'panel'), fc.string({ unit: fc.constantFrom(...LINK_CHARS), maxLength: 6 }));
    const valueArb = fc.oneof(
      fc.constantFrom('0', '1', '2', '4', '5', '-1', '1.5', '', 'v6.18', 'rfc', '7.3', 'no-new-types', 'S02', 's16', 'X01', 'hmm_migrate', 'yyy', 'nyn', 'x86_64', 'arm64', 'pfn', 'layout', '1.1', '64.4194303', '65.0', '20000', '20001', '999999999', blob, blob.slice(0, 40)),
      fc.nat({ max: 100 }).map(String),
      fc.string({ unit: fc.constantFrom(...LINK_CHARS), maxLength: 12 }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(keyArb, valueArb), { maxLength: 8 }), fc.boolean(), (pairs, withV) =>
        wellFormed([...(withV ? [['v', '1'] as const] : []), ...pairs].map(([k, v]) => `${k}=${v}`).join('&'))),
      { seed: 301, numRuns: 10000 },
    );
  });
});
