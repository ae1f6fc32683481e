/**
 * Built-in scenarios run once per worker: several test files walk every state of every built-in
 * scenario under the default config and platform (invariants, PFN model, the trace's sentences, the
 * swap header). States are immutable, so they share one run per scenario and profile.
 */
import { DEFAULT_CONFIG } from '../src/model/kernel/config.ts';
import { DEFAULT_PLATFORM } from '../src/model/kernel/platform.ts';
import type { ProfileId } from '../src/model/kernel/profiles.ts';
import { runScenario, type ScenarioRun } from '../src/model/scenarios/run.ts';
import type { Scenario } from '../src/model/scenarios/types.ts';

const runs = new Map<Scenario, Map<ProfileId, ScenarioRun>>();

/** runScenario(s) under `profile`, DEFAULT_CONFIG and DEFAULT_PLATFORM, computed once. */
export function builtInRun(s: Scenario, profile: ProfileId): ScenarioRun {
  let byProfile = runs.get(s);
  if (!byProfile) runs.set(s, (byProfile = new Map()));
  let r = byProfile.get(profile);
  if (!r) byProfile.set(profile, (r = runScenario(s, { profile, config: DEFAULT_CONFIG, platform: DEFAULT_PLATFORM })));
  return r;
}
