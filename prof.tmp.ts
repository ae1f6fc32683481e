import { SCENARIOS, runScenario, checkInvariants, DEFAULT_CONFIG } from './src/model/index.ts';
const opts = { profile: '7.3' as const, config: DEFAULT_CONFIG, platform: { arch: 'x86_64' as const, paging: 4 as const, migrationAd: true } };
const ids = SCENARIOS.filter((s) => /^(T|X02|hmm_.*(huge|thp|remap|partial))/.test(s.id));
for (let rep = 0; rep < 3; rep++) {
  let run = 0, inv = 0;
  for (const sc of ids) {
    const t0 = performance.now();
    const r = runScenario(sc, opts);
    const t1 = performance.now();
    for (const st of r.states) checkInvariants(st);
    inv += performance.now() - t1; run += t1 - t0;
  }
  console.log(`run ${run.toFixed(0)} ms, invariants ${inv.toFixed(0)} ms over ${ids.length} scenarios`);
}
