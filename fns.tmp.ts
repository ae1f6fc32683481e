import { SCENARIOS, runScenario, DEFAULT_CONFIG, isKernelFunction } from './src/model/index.ts';
const miss = new Set<string>();
for (const profile of ['7.3', 'series', 'v6.18', 'rfc', '7.3-pre-fix'] as const)
for (const sc of SCENARIOS.filter((s) => /^(T|X02|hmm_.*(huge|thp|remap|partial))/.test(s.id))) {
  const r = runScenario(sc, { profile, config: DEFAULT_CONFIG, platform: { arch: 'x86_64', paging: 4, migrationAd: true } });
  if (r.refused) console.log(profile, sc.id, 'refused', r.refused);
  for (const t of r.traces.flat()) if (!isKernelFunction(t.fn)) miss.add(t.fn);
}
console.log([...miss].join(' '));
