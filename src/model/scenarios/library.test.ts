import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../kernel/config.ts';
import { PROFILES as KERNEL_PROFILES, type ProfileId } from '../kernel/profiles.ts';
import { checkInvariants } from '../machine/invariants.ts';
import { readPte } from '../machine/pagetable.ts';
import { isKernelFunction } from '../machine/functions.ts';
import { hmmScenarios, SCENARIOS, THP_SCENARIOS } from './index.ts';
import { checkExpectation, runScenario } from './run.ts';
import type { Scenario } from './types.ts';
import { builtInRun } from '../../../test/runs.ts';

const X86 = { arch: 'x86_64', paging: 4, migrationAd: true } as const;
const PROFILES: ProfileId[] = ['v6.18', 'rfc', '7.3'];
/** The PMD-level scenarios (device-private THP, 6.19+) run under both numberings of the kernels that have it. */
const THP_PROFILES: ProfileId[] = ['7.3', 'series'];

const profilesOf = (s: Scenario): ProfileId[] => (s.profile && KERNEL_PROFILES[s.profile].deviceThp ? THP_PROFILES : PROFILES);

function pagesOf(s: Scenario, i: number): number {
  const e = s.events[i]!;
  return 'pages' in e ? e.pages : 1;
}

/** T01–T11 and X02 are checked step by step, with their spec values, in thp.test.ts. */
const STEP_BY_STEP = new Set(THP_SCENARIOS.map((s) => s.id));

describe('every built-in scenario runs under every real profile (PMD-level ones under 7.3 and the series)', () => {
  it('the PMD-level scenarios left out here are the ones thp.test.ts checks step by step', () => {
    expect([...STEP_BY_STEP]).toEqual(expect.arrayContaining(['T01', 'T05', 'T11', 'X02']));
  });
  for (const s of SCENARIOS.filter((x) => !STEP_BY_STEP.has(x.id))) {
    for (const profile of profilesOf(s)) {
      it(`${s.id} under ${profile}: no event refused, every invariant holds after every step, every selftest assertion passes`, () => {
        const r = builtInRun(s, profile);
        expect(r.refused).toBeNull();
        for (const t of r.traces.flat()) expect([t.fn, isKernelFunction(t.fn)]).toEqual([t.fn, true]);
        r.states.forEach((st, i) => {
          const broken = checkInvariants(st).filter((x) => !x.ok);
          expect([i, broken.map((b) => `${b.id}: ${b.violations[0]?.message}`)]).toEqual([i, []]);
        });
        for (const [i, x] of Object.entries(s.expect ?? {})) {
          expect([s.events[Number(i)]!.type, checkExpectation(x, r.results[Number(i) + 1]!, pagesOf(s, Number(i)))]).toEqual([s.events[Number(i)]!.type, []]);
        }
      });
    }
  }
});

describe('swap slot 0 is the swap header', () => {
  it('no built-in scenario allocates swap slot 0, not even S30, whose setup asks for it', () => {
    const used: string[] = [];
    for (const s of SCENARIOS) {
      const r = builtInRun(s, 'v6.18');
      r.states.forEach((st, i) => {
        if (st.swap.slots.some((x) => x.slot === 0)) used.push(`${s.id} step ${i}`);
      });
    }
    expect(used).toEqual([]);
  });

  it('S30 still opens; its page gets slot 1 and the trace says why slot 0 was skipped', () => {
    const s30 = SCENARIOS.find((s) => s.id === 'S30')!;
    expect(s30.title).toMatch(/superseded by S31/);
    const r = runScenario(s30, { profile: '7.3', config: DEFAULT_CONFIG, platform: X86 });
    expect(r.refused).toBeNull();
    expect(r.states.at(-1)!.swap.slots.map((x) => x.slot)).toEqual([1]);
    expect(r.traces.at(-1)!.map((t) => t.why).join(' ')).toMatch(/slot 0x0 holds the swap header and is never handed out/);
  });

  it('S31 swaps its page out to swp_entry(0, 1): PTE 0x07fffffffffffc0a, one bit (9) away from swp_entry(0, 0)', () => {
    const s31 = SCENARIOS.find((s) => s.id === 'S31')!;
    const r = runScenario(s31, { profile: 'rfc', config: DEFAULT_CONFIG, platform: X86 });
    const p = r.states.at(-1)!.processes.find((x) => x.pid === 1)!;
    expect(readPte(p.ptes, 1)).toBe(0x07fffffffffffc0an);
    expect(s31.description).toContain('0x07fffffffffffe00');
  });
});

describe('the bug the series prevents (X01)', () => {
  const x01 = SCENARIOS.find((s) => s.id === 'X01')!;
  it('without the new types, the device migration entry names RAM pfn 0x10, another page: pfn-names-page fires', () => {
    const r = runScenario(x01, { profile: 'no-new-types', config: DEFAULT_CONFIG, platform: X86 });
    expect(r.refused).toBeNull();
    const last = checkInvariants(r.states.at(-1)!);
    const v = last.find((x) => x.id === 'pfn-names-page')!;
    expect(v.ok).toBe(false);
    expect(v.violations[0]!.message).toMatch(/SWP_MIGRATION_WRITE says pfn 0x10, which is pfn 0x10; the kernel made it for device offset 0x10/);
    // one step earlier (the page still on the device) everything is consistent
    expect(checkInvariants(r.states.at(-2)!).every((x) => x.ok)).toBe(true);
  });
  it('with RFC patch 4/6 the same events are consistent', () => {
    const r = runScenario(x01, { profile: 'rfc', config: DEFAULT_CONFIG, platform: X86 });
    expect(checkInvariants(r.states.at(-1)!).every((x) => x.ok)).toBe(true);
  });
});

describe('hmm selftests at their real size', () => {
  it('hmm_migrate with HMM_BUFFER_SIZE = 1024 pages: cpages == npages and the device holds i at page i', () => {
    const s = hmmScenarios(1024).find((x) => x.id === 'hmm_migrate')!;
    const r = runScenario(s, { profile: 'rfc', config: DEFAULT_CONFIG, platform: X86 });
    expect(r.refused).toBeNull();
    expect(checkExpectation(s.expect![2]!, r.results[3]!, 1024)).toEqual([]);
    expect(checkInvariants(r.states.at(-1)!).every((x) => x.ok)).toBe(true);
  });
});
