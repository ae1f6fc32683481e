/**
 * The PFN spaces' model: which pages are drawn (a 2 MiB folio as one box of 512) and a link per
 * PFN-carrying entry (one per PMD; PTEs naming consecutive pages of a folio share one). pfnModel()
 * finds the entries per page-table page once and shares them between states; this holds it to a
 * plain walk over every entry, on the built-in scenarios and random ones, and to the THP scenarios.
 */
import { describe, expect, it } from 'vitest';
import {
  allPages, classify, DEFAULT_CONFIG, DEFAULT_PLATFORM, decodePte, findScenario, forEachPmd, forEachUsed, kernelOf, newClassified, pageAt, pageLabel, pmdEntry, readTarget,
  runScenario, SCENARIOS, type MachineState, type ProfileId, type Space,
} from '../model/index.ts';
import { sampleScenario } from '../share/sample.ts';
import { decodeCached } from './decoded.ts';
import { pfnModel, type PfnLink, type PfnPageBox } from './pfn.ts';
import { builtInRun } from '../../test/runs.ts';

/** The model by walking every entry plainly: a link per entry, then PTE links that continue a folio joined. */
function walk(s: MachineState, maxLinks = 96, maxPages = 96) {
  const k = kernelOf(s);
  const boxes = new Map<string, PfnPageBox>();
  const box = (space: Space, n: number): string => {
    const id = s.pageIndex.find(s.pages, space, n);
    const page = id === undefined ? null : pageAt(s.pages, id)!;
    const head = page ? pageAt(s.pages, page.head)! : null;
    if (head && head.order > 0) {
      const key = `${head.space}:${head.number}`;
      if (!boxes.has(key)) {
        const maps = Array.from({ length: 512 }, (_, i) => pageAt(s.pages, head.id + i)!.mapcount);
        const mapped: [number, number][] = [];
        maps.forEach((m, i) => {
          if (m === 0) return;
          if (mapped.at(-1)?.[1] === i - 1) mapped.at(-1)![1] = i;
          else mapped.push([i, i]);
        });
        boxes.set(key, {
          id: head.id, space: head.space, number: head.number, page: head, nr: 512, mapped, pteMaps: maps.reduce((x, y) => x + y, 0),
          label: `2 MiB folio ${pageLabel(head)}…0x${(head.number + 511).toString(16)}`,
        });
      }
      return key;
    }
    const key = `${space}:${n}`;
    if (!boxes.has(key)) {
      boxes.set(key, { id: id ?? null, space, number: n, label: page ? pageLabel(page) : `${space === 'device' ? 'device offset' : 'pfn'} 0x${n.toString(16)} (no page)`, page, nr: 1, mapped: [], pteMaps: page?.mapcount ?? 0 });
    }
    return key;
  };
  type Raw = { link: PfnLink; pfn: number; space: Space; summary: string };
  const raw: Raw[] = [];
  const c = newClassified();
  for (const proc of s.processes) {
    if (!proc.alive) continue;
    const entries: [number, 'pte' | 'pmd', number, number][] = [];
    forEachUsed(proc.ptes, (i, hi, lo) => entries.push([i, 'pte', hi, lo]));
    forEachPmd(proc.ptes, (i, hi, lo) => entries.push([i, 'pmd', hi, lo]));
    entries.sort((a, b) => a[0] - b[0]);
    for (const [i, level, hi, lo] of entries) {
      const v = (BigInt(hi) << 32n) | BigInt(lo);
      classify(k, hi, lo, c, level);
      if (c.pfn < 0) continue;
      const target = level === 'pmd' ? pmdEntry(proc.ptes, i)!.target : readTarget(proc.ptes, i);
      const tp = target >= 0 ? pageAt(s.pages, target)! : null;
      if (tp?.kind === 'zero') continue;
      const space: Space = c.deviceSpace ? 'device' : 'phys';
      const d = level === 'pmd' ? decodePte(k, v, 'pmd') : decodeCached(k, v);
      raw.push({ link: { pid: proc.pid, index: i, to: level === 'pmd' ? i + 511 : i, level, kind: d.kind, namedKey: '', targetKey: null, ok: tp !== null && tp.space === space && tp.number === c.pfn, label: '' }, pfn: c.pfn, space, summary: d.summary });
    }
  }
  const links: PfnLink[] = [];
  let truncated = 0;
  let prev: Raw | null = null;
  let first = '';
  for (const r of raw) {
    const l = r.link;
    const tp = l.level === 'pmd' ? pmdEntry(s.processes.find((p) => p.pid === l.pid)!.ptes, l.index)!.target : readTarget(s.processes.find((p) => p.pid === l.pid)!.ptes, l.index);
    const target = tp >= 0 ? pageAt(s.pages, tp)! : null;
    const last = links.at(-1);
    if (prev && last && l.level === 'pte' && last.level === 'pte' && last.pid === l.pid && last.to === l.index - 1 && prev.space === r.space && prev.pfn === r.pfn - 1
      && last.ok === l.ok && boxes.get(last.namedKey)!.nr > 1 && box(r.space, r.pfn) === last.namedKey) {
      const from = last.index;
      links[links.length - 1] = { ...last, to: l.index, label: `pid ${l.pid} PTEs ${from}–${l.index} (${first} … ${r.summary}) name pages ${r.space === 'device' ? 'device offset' : 'pfn'} 0x${(r.pfn - (l.index - from)).toString(16)}…${r.space === 'device' ? 'device offset' : 'pfn'} 0x${r.pfn.toString(16)} of ${boxes.get(last.namedKey)!.label}` };
      prev = r;
      continue;
    }
    if (links.length >= maxLinks) {
      truncated++;
      prev = null;
      continue;
    }
    const named = box(r.space, r.pfn);
    const targetKey = target ? box(target.space, target.number) : null;
    const nb = boxes.get(named)!;
    const ok = l.level === 'pmd' ? named === targetKey && nb.number === r.pfn : l.ok;
    const what = l.level === 'pmd' || nb.nr === 1 ? nb.label : `page ${r.space === 'device' ? 'device offset' : 'pfn'} 0x${r.pfn.toString(16)} of ${nb.label}`;
    const name = l.level === 'pmd' ? `PMD ${l.index}–${l.to}` : `PTE ${l.index}`;
    links.push({ ...l, namedKey: named, targetKey, ok, label: `pid ${l.pid} ${name} (${r.summary}) names ${what}${ok ? '' : `, but the kernel meant ${target ? pageLabel(target) : l.level === 'pmd' ? 'no folio' : 'no page'}`}` });
    prev = l.level === 'pte' ? r : null;
    first = r.summary;
  }
  let hiddenPages = 0;
  for (const p of allPages(s.pages)) {
    if (!p.allocated || p.kind === 'zero' || p.head !== p.id || boxes.has(`${p.space}:${p.number}`)) continue;
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
      const run = builtInRun(sc, sc.profile ?? profile);
      for (const s of run.states) expect(pfnModel(s)).toEqual(walk(s));
    }
  });

  it('with few links and pages allowed, the rest is counted as left out the same way', () => {
    const run = runScenario(sampleScenario(80, 9), { profile: 'rfc', config: DEFAULT_CONFIG, platform: DEFAULT_PLATFORM });
    for (const s of run.states) expect(pfnModel(s, 3, 4)).toEqual(walk(s, 3, 4));
  });
});

describe('pfnModel at PMD level', () => {
  const state = (id: string, step: number, profile: ProfileId = '7.3') => runScenario(findScenario(id)!, { profile, config: DEFAULT_CONFIG, platform: DEFAULT_PLATFORM }).states[step]!;

  it('a THP is one box of 512 pages, and its PMD one link to it (T01)', () => {
    const m = pfnModel(state('T01', 1));
    expect(m.phys.filter((b) => b.nr === 512)).toEqual([expect.objectContaining({ number: 0x12400, label: '2 MiB folio pfn 0x12400…0x125ff', mapped: [], pteMaps: 0 })]);
    expect(m.links).toEqual([expect.objectContaining({ pid: 1, index: 0, to: 511, level: 'pmd', namedKey: 'phys:74752', ok: true })]);
  });

  it('after a partial munmap the folio is still one box; the 384 PTEs that map it are two links, one per mapped range (T10)', () => {
    const m = pfnModel(state('T10', 2));
    expect(m.phys.find((b) => b.nr === 512)).toMatchObject({ mapped: [[0, 127], [256, 511]], pteMaps: 384 });
    expect(m.links.map((l) => [l.index, l.to, l.level, l.namedKey, l.ok])).toEqual([[0, 127, 'pte', 'phys:74752', true], [256, 511, 'pte', 'phys:74752', true]]);
    expect(m.links[1]!.label).toMatch(/^pid 1 PTEs 256–511 \(present pfn=0x12500 .* … present pfn=0x125ff .*\) name pages pfn 0x12500…pfn 0x125ff of 2 MiB folio pfn 0x12400…0x125ff$/);
  });

  it('after the series a device THP is a box of 512 in the device-private space, named by its device-private PMD (T03)', () => {
    const m = pfnModel(state('T03', 4, 'series'));
    expect(m.separate).toBe(true);
    expect(m.device).toEqual([expect.objectContaining({ number: 0x200, nr: 512, label: '2 MiB folio device offset 0x200…0x3ff' })]);
    expect(m.links).toEqual([expect.objectContaining({ level: 'pmd', kind: 'device-private', namedKey: 'device:512', ok: true })]);
  });
});
