import { SCENARIOS, DEFAULT_CONFIG, runScenario, checkInvariants } from './src/model/index.ts';
const opts = { profile: '7.3' as const, config: DEFAULT_CONFIG, platform: { arch: 'x86_64' as const, paging: 4 as const, migrationAd: true } };
const ids = (process.argv[2] ?? 'hmm_migrate_partial_unmap_fault_thp_half').split(',');
for (let rep = 0; rep < 6; rep++) for (const id of ids) { const sc = SCENARIOS.find((s) => s.id === id)!; const r = runScenario(sc, opts); for (const st of r.states) checkInvariants(st); }
