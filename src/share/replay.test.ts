import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../model/kernel/config.ts';
import { DEFAULT_PLATFORM } from '../model/kernel/platform.ts';
import { findScenario, SCENARIOS } from '../model/scenarios/index.ts';
import { runScenario } from '../model/scenarios/run.ts';
import type { Scenario } from '../model/scenarios/types.ts';
import { checkLinkReplays, checkLinkSelection, decodeLink, encodeLink, type LinkState } from './index.ts';

const S02 = findScenario('S02')!;
const rfc = { profile: 'rfc', config: DEFAULT_CONFIG, platform: DEFAULT_PLATFORM } as const;

function viaLink(s: LinkState): LinkState {
  const r = decodeLink(encodeLink(s));
  if (!r.ok) throw new Error(r.error);
  return r.state;
}

describe('checkLinkReplays', () => {
  it('every built-in scenario replays under its own profile (or the RFC)', () => {
    for (const scenario of SCENARIOS) {
      const state = viaLink({ scenario, options: { ...rfc, profile: scenario.profile ?? 'rfc' }, cursor: scenario.events.length });
      expect([scenario.id, checkLinkReplays(state)]).toEqual([scenario.id, { ok: true }]);
    }
  });

  it('migrate_vma_finalize with no migration in progress is reported with its index and the machine\'s reason', () => {
    const scenario: Scenario = { ...S02, id: 'impossible', checkpoints: [], events: [S02.events[0]!, { type: 'migrate_vma_finalize' }, ...S02.events.slice(1)] };
    const state = viaLink({ scenario, options: rfc, cursor: 3 });
    const refused = runScenario(scenario, rfc).refused!;
    expect(refused.at).toBe(1);
    expect(refused.reason.length).toBeGreaterThan(0);
    expect(checkLinkReplays(state)).toEqual({ ok: false, at: 1, error: `event 2 (migrate_vma_finalize) cannot happen after step 1: ${refused.reason}` });
  });

  it('an event refused late in a long scenario names that event', () => {
    const events = [...S02.events, ...S02.events.slice(1), { type: 'migrate_vma_pages' } as const];
    const scenario: Scenario = { ...S02, id: 'late', checkpoints: [], events };
    const r = checkLinkReplays(viaLink({ scenario, options: rfc, cursor: 0 }));
    expect(r).toMatchObject({ ok: false, at: events.length - 1, error: expect.stringMatching(new RegExp(`^event ${events.length} \\(migrate_vma_pages\\) cannot happen after step ${events.length - 1}: .+`)) });
  });

  it('a cursor past the end is reported, with the last step that exists', () => {
    const r = decodeLink('v=1&k=rfc&s=S02&step=40');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(checkLinkReplays(r.state)).toEqual({ ok: false, at: S02.events.length, error: `step 40 is past the end: the scenario has ${S02.events.length} events` });
  });

  it('a platform the machine cannot run (arm64) is reported, not thrown', () => {
    const r = decodeLink('v=1&k=rfc&s=S02&arch=arm64');
    expect(r.ok && checkLinkReplays(r.state)).toMatchObject({ ok: false, at: 0, error: expect.stringMatching(/cannot start.*x86_64/) });
  });

  it('a setup the machine refuses is reported, not thrown', () => {
    const scenario: Scenario = { ...S02, id: 'clash', checkpoints: [], setup: { ...S02.setup, ram: ['0x10', '0x10'] } };
    expect(checkLinkReplays(viaLink({ scenario, options: rfc, cursor: 0 }))).toMatchObject({ ok: false, at: 0, error: expect.stringMatching(/cannot start/) });
  });
});

describe('checkLinkSelection: the link decoder refuses a PTE that does not exist at the link\'s step', () => {
  const decoded = (link: string): LinkState => {
    const r = decodeLink(link);
    if (!r.ok) throw new Error(r.error);
    return r.state;
  };
  it.each([
    ['a process that does not exist', 'v=1&k=v6.18&s=S02&step=4&sel=9.9999', 'sel=9.9999 names pid 9 PTE 9999, which does not exist at step 4: there is no process 9 (the processes are 1)'],
    ['an index past the page table', 'v=1&k=rfc&s=S02&step=2&sel=1.9999', /^sel=1\.9999 names pid 1 PTE 9999, which does not exist at step 2: pid 1 has PTEs 0\.\.\d+$/],
    ['a child before its fork', 'v=1&k=rfc&s=S10&step=0&sel=2.1', /^sel=2\.1 names pid 2 PTE 1, which does not exist at step 0: there is no process 2 \(the processes are 1\)$/],
  ])('%s', (_name, link, want) => {
    const state = decoded(link);
    expect(checkLinkReplays(state)).toEqual({ ok: true });
    expect(checkLinkSelection(state)).toEqual(want instanceof RegExp ? expect.stringMatching(want) : want);
  });

  it('a PTE that exists at the step is accepted, as is a link that selects nothing', () => {
    expect(checkLinkSelection(decoded('v=1&k=rfc&s=S10&step=6&sel=2.1'))).toBeNull();
    expect(checkLinkSelection(decoded('v=1&k=rfc&s=S02&step=4&sel=1.0'))).toBeNull();
    expect(checkLinkSelection(decoded('v=1&k=rfc&s=S02&step=4'))).toBeNull();
  });
});
