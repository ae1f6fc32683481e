import { SCENARIOS, runScenario, checkInvariants, checkExpectation, DEFAULT_CONFIG, hex64, readPte, readPmd } from './src/model/index.ts';
const ids = process.argv.slice(2);
for (const profile of (process.env.PROFILES ?? '7.3,series').split(',') as any[]) {
  for (const sc of SCENARIOS.filter((s) => ids.length === 0 ? /^(T|X02|hmm_.*(huge|thp|remap|partial))/.test(s.id) : ids.includes(s.id))) {
    const t0 = performance.now();
    const r = runScenario(sc, { profile: sc.id === 'X02' ? (profile === '7.3' ? '7.3-pre-fix' : 'series-pre-fix') : profile, config: DEFAULT_CONFIG, platform: { arch: 'x86_64', paging: 4, migrationAd: true } });
    const ms = (performance.now() - t0).toFixed(0);
    const probs: string[] = [];
    if (r.refused) probs.push(`REFUSED at ${r.refused.at} (${sc.events[r.refused.at]!.type}): ${r.refused.reason}`);
    r.states.forEach((st, i) => { for (const inv of checkInvariants(st)) if (!inv.ok) probs.push(`state ${i}: ${inv.id}: ${inv.violations[0]?.message}`); });
    for (const [i, x] of Object.entries(sc.expect ?? {})) { const e = sc.events[Number(i)]!; const res = r.results[Number(i)+1]; if (!res) continue; const b = checkExpectation(x, res, 'pages' in e ? e.pages : 1); if (b.length) probs.push(`expect ${i} ${e.type}: ${b.join('; ')}`); }
    const cps = (sc.checkpoints ?? []).map((c) => {
      const st = r.states[c.after + 1]; if (!st) return `${c.step}@${c.after}:?`;
      let v: bigint;
      if (c.mid) { const tr = r.traces[c.after + 1]!; const ch = tr.flatMap((t) => t.fn === c.mid ? t.changes : []).find((x: any) => x.kind === (c.level ?? 'pte') && x.pid === c.pid && x.index === (c.level ? c.index - c.index % 512 : c.index)) as any; v = ch ? ch.after : -1n; }
      else { const p = st.processes.find((p) => p.pid === c.pid)!; v = c.level ? readPmd(p.ptes, c.index) : readPte(p.ptes, c.index); }
      return `${c.step}${c.level ? 'M' : ''}[${c.pid}:${c.index}]=${v < 0n ? 'none' : hex64(v)}`;
    });
    console.log(`${profile} ${sc.id} ${ms}ms ${probs.slice(0, 4).join(' | ')}\n   ${cps.join(' ')}`);
  }
}
