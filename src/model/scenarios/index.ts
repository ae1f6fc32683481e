import { DERIVED_SCENARIOS } from './derived.ts';
import { hmmScenarios } from './hmm.ts';
import { SPEC_SCENARIOS } from './spec.ts';
import { hmmThpScenarios, THP_SCENARIOS } from './thp.ts';
import type { Scenario } from './types.ts';

export type { Checkpoint, Expectation, Scenario } from './types.ts';
export { SPEC_SCENARIOS } from './spec.ts';
export { DERIVED_SCENARIOS } from './derived.ts';
export { hmmScenarios } from './hmm.ts';
export { THP_SCENARIOS, hmmThpScenarios } from './thp.ts';

/** Every built-in scenario, in picker order (the PMD-level ones after the PTE-level ones). */
export const SCENARIOS: readonly Scenario[] = [...SPEC_SCENARIOS, ...DERIVED_SCENARIOS, ...hmmScenarios(), ...THP_SCENARIOS, ...hmmThpScenarios()];

/** The scenario a first visit opens: the device round trip. */
export const DEFAULT_SCENARIO_ID = 'S02';
/** The step a first visit opens it at: the page is mapped (not 64 zero bits), and the next step makes the first migration entry. */
export const DEFAULT_SCENARIO_STEP = 1;

export function findScenario(id: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.id.toLowerCase() === id.toLowerCase());
}
export { validateScenario, parseScenarioJson, MAX_EVENTS } from './validate.ts';
export { runScenario, initialState, checkExpectation, scenarioPlatform, type ScenarioRun } from './run.ts';
