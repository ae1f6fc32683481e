/**
 * The PFN spaces' model: which pages are drawn and a link per PFN-carrying entry. pfnModel() finds
 * the entries per page-table page once and shares them between states; this holds it to a plain
 * walk over every entry, on the built-in scenarios and random ones.
 */
import { describe, expect, it } from 'vitest';
import {
  allPages, classify, DEFAULT_CONFIG, DEFAULT_PLATFORM, forEachUsed, kernelOf, newClassified, pageAt, pageLabel, runScenario, SCENARIOS,
  type MachineState, type ProfileId, type Space,
} from '../model/index.ts';
import { sampleScenario } from '../share/sample.ts';
import { decodeCached } from './decoded.ts';
import { pfnModel, type PfnLink, type PfnPageBox } from './pfn.ts';

function walk(s: MachineState, maxLinks = 96, maxPages = 96) {
  const k = kernelOf(s);
  const boxes = new Map<string, PfnPageBox>();
  const box = (space: Space, n: number): string => {
    const key = `${space}:${n}`;
    if (!boxes.has(key)) {
      const id = s.pageIndex.find(s.pages, space, n);
      const page = id === undefined ? null : pageAt(s.pages, id)!;
      boxes.set(key, { id: id ?? null, space, number: n, label: page ? pageLabel(page) : `${space === 'device' ? 'device offset' : 'pfn'} 0x${n.toString(16)} (no page)`, page });
    }
    return key;
  };
  const links: PfnLink[] = [];
  let truncated = 0;
  const c = newClassified();
  for (const proc of s.processes) {
    if (!proc.alive) continue;
    forEachUsed(proc.ptes, (index, hi, lo, target) => {
      classify(k, hi, lo, c);
      if (c.pfn < 0) return;
      if (links.length >= maxLinks) {
        truncated++;
        return;
      }
      const tp = target >= 0 ? pageAt(s.pages, target)! : null;
      if (tp?.kind === 'zero') return;
      const named = box(c.deviceSpace ? 'device' : 'phys', c.pfn);
      const targetKey = tp ? box(tp.space, tp.number) : null;
      const d = decodeCached(k, (BigInt(hi) << 32n) | BigInt(lo));
      links.push({
        pid: proc.pid, index, kind: d.kind, namedKey: named, targetKey, ok: named === targetKey,
        label: `pid ${proc.pid} PTE ${index} (${d.summary}) names ${boxes.get(named)!.label}${named === targetKey ? '' : `, but the kernel meant ${tp ? pageLabel(tp) : 'no page'}`}`,
      });
    });
  }
  let hiddenPages = 0;
  for (const p of allPages(s.pages)) {
    if (!p.allocated || p.kind === 'zero' || boxes.has(`${p.space}:${p.number}`)) continue;
    if (boxes.size >= maxPages) hiddenPages++;
    else box(p.space, p.number);
  }
  const all = [...boxes.values()];
  return {
    phys: all.filter((b) => b.space === 'phys').sort((a, b) => a.number - b.number),
    device: all.filter((b) => b.space === 'device').sort((a, b) => a.number - b.number),
    separate: k.profile.deviceSpace === 'separate', links, truncated, hiddenPages,
  };
}

describe('pfnModel', () => {
  it.each(['rfc', 'no-new-types'] as ProfileId[])('%s: every state of every built-in scenario gives what a walk over every entry gives', (profile) => {
    for (const sc of SCENARIOS) {
      const run = runScenario(sc, { profile: sc.profile ?? profile, config: DEFAULT_CONFIG, platform: DEFAULT_PLATFORM });
      for (const s of run.states) expect(pfnModel(s)).toEqual(walk(s));
    }
  });

  it('with few links and pages allowed, the rest is counted as left out the same way', () => {
    const run = runScenario(sampleScenario(80, 9), { profile: 'rfc', config: DEFAULT_CONFIG, platform: DEFAULT_PLATFORM });
    for (const s of run.states) expect(pfnModel(s, 3, 4)).toEqual(walk(s, 3, 4));
  });
});
