import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../model/kernel/config.ts';
import { DEFAULT_PLATFORM } from '../model/kernel/platform.ts';
import { findScenario } from '../model/scenarios/index.ts';
import { checkLinkReplays, decodeLink, encodeLink } from './index.ts';
import { sampleScenario } from './sample.ts';

const rfc = { profile: 'rfc', config: DEFAULT_CONFIG, platform: DEFAULT_PLATFORM } as const;

describe('link sizes', () => {
  it('the S02 link at step 4 is 22 characters: v=1&k=rfc&s=S02&step=4', () => {
    const link = encodeLink({ scenario: findScenario('S02')!, options: rfc, cursor: 4 });
    expect(link).toBe('v=1&k=rfc&s=S02&step=4');
    expect(link.length).toBe(22);
  });

  it('the S02 link at step 0 leaves the step out: 15 characters', () => {
    expect(encodeLink({ scenario: findScenario('S02')!, options: rfc, cursor: 0 })).toBe('v=1&k=rfc&s=S02');
  });

  it.each([1, 2, 3])('a generated 200-event scenario (seed %i) that replays has a link under 2,000 characters', (seed) => {
    const scenario = sampleScenario(200, seed);
    expect(scenario.events).toHaveLength(200);
    const link = encodeLink({ scenario, options: rfc, cursor: 200, selection: { pid: 1, index: 1 } });
    expect(link.length).toBeLessThan(2000);
    const r = decodeLink(link);
    expect(r.ok && r.state.scenario).toEqual(scenario);
    expect(r.ok && checkLinkReplays(r.state)).toEqual({ ok: true });
  });
});
