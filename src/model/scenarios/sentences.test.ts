/**
 * What the machine says: every sentence of the trace (kernel function: why) that the built-in
 * scenarios produce, under each real profile, with the numbers (PFNs, PTE indices, counts) written
 * as #. The file is the model's prose in one place, reviewed with git diff like a golden vector:
 * a changed or lost explanation shows up there. After rewording on purpose, regenerate it with
 *   npx vitest run -u src/model/scenarios/sentences.test.ts
 */
import { expect, it } from 'vitest';
import type { ProfileId } from '../kernel/profiles.ts';
import { SCENARIOS } from './index.ts';
import { builtInRun } from '../../../test/runs.ts';

const PROFILES: readonly ProfileId[] = ['v6.18', 'rfc', '7.3', 'series'];

it('the built-in scenarios explain every step with the sentences of test/fixtures/trace-sentences.txt', async () => {
  const said = new Map<string, Set<ProfileId>>();
  for (const profile of PROFILES) {
    for (const s of SCENARIOS) {
      const r = builtInRun(s, profile);
      for (const step of r.traces) {
        for (const t of step) {
          const line = `${t.fn}: ${t.why}`.replace(/0x[0-9a-f]+/g, '0x#').replace(/\b\d+\b/g, '#');
          const who = said.get(line) ?? new Set<ProfileId>();
          who.add(profile);
          said.set(line, who);
        }
      }
    }
  }
  const text = [...said].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([line, who]) => (who.size === PROFILES.length ? line : `${line}    [${PROFILES.filter((p) => who.has(p)).join(' ')}]`))
    .join('\n');
  await expect(`${text}\n`).toMatchFileSnapshot('../../../test/fixtures/trace-sentences.txt');
});
