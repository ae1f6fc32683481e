/**
 * Built-in scenarios run once per worker: several test files walk every state of every built-in
 * scenario under the default config and platform (invariants, PFN model, the trace's sentences, the
 * swap header). States are immutable, so they share one run per scenario and profile.
 *
 * Under mutation testing (StrykerJS's vitest runner, `npm run mutation`) the cache follows the run:
 * - in the dry run, where Stryker records which test executes which code, each test computes its own
 *   runs. A shared run would credit the scenario code to whichever test computed it first, and
 *   Stryker would then never run the other tests (the trace's sentences, say) against its mutants;
 * - in a mutant's run the runs are shared by that mutant's tests only, never carried over from the
 *   dry run or from another mutant (the test files share one module graph: isolate is off).
 */
import { DEFAULT_CONFIG } from '../src/model/kernel/config.ts';
import { DEFAULT_PLATFORM } from '../src/model/kernel/platform.ts';
import type { ProfileId } from '../src/model/kernel/profiles.ts';
import { runScenario, type ScenarioRun } from '../src/model/scenarios/run.ts';
import type { Scenario } from '../src/model/scenarios/types.ts';

let runs = new Map<Scenario, Map<ProfileId, ScenarioRun>>();
let runsFor: string | undefined = '';

/** What the cached runs belong to: '' without Stryker, else the active mutant or the running test. */
function cacheOwner(): string | undefined {
  const stryker = (globalThis as { __stryker__?: { activeMutant?: string; currentTestId?: string } }).__stryker__;
  if (!stryker) return '';
  return stryker.activeMutant !== undefined ? `mutant ${stryker.activeMutant}` : `test ${stryker.currentTestId}`;
}

/** runScenario(s) under `profile`, DEFAULT_CONFIG and DEFAULT_PLATFORM, computed once. */
export function builtInRun(s: Scenario, profile: ProfileId): ScenarioRun {
  const owner = cacheOwner();
  if (owner !== runsFor) {
    runs = new Map();
    runsFor = owner;
  }
  let byProfile = runs.get(s);
  if (!byProfile) runs.set(s, (byProfile = new Map()));
  let r = byProfile.get(profile);
  if (!r) byProfile.set(profile, (r = runScenario(s, { profile, config: DEFAULT_CONFIG, platform: DEFAULT_PLATFORM })));
  return r;
}
