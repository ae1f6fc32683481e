import { SCENARIOS, DEFAULT_CONFIG, step, initialState } from './src/model/index.ts';
const opts = { profile: '7.3' as const, config: DEFAULT_CONFIG, platform: { arch: 'x86_64' as const, paging: 4 as const, migrationAd: true } };
const ids = SCENARIOS.filter((s) => /^(T|X02|hmm_.*(huge|thp|remap|partial))/.test(s.id));
const times = new Map<string, number>();
for (let rep = 0; rep < 4; rep++) {
  for (const sc of ids) {
    let s = initialState(sc, opts);
    sc.events.forEach((e, i) => {
      const t0 = performance.now();
      const r = step(s, e);
      if (r.ok) s = r.state;
      if (rep === 3) times.set(`${sc.id}#${i} ${e.type}`, performance.now() - t0);
    });
  }
}
console.log([...times].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${v.toFixed(1)}ms ${k}`).join('\n'));
console.log('total', [...times.values()].reduce((a, b) => a + b, 0).toFixed(0));
