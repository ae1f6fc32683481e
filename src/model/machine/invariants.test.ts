/**
 * checkInvariants() keeps what each page-table page contributes and moves its per-page counts from
 * the last state it checked to the next, so a step's check costs what the step changed. These tests
 * hold it to a plain scan of every entry and every page (written here, independently), on states
 * visited in order, in random order, across scenarios, and with corrupted pages.
 */
import { describe, expect, it } from 'vitest';
import { CLEAR_BIT_PROBLEMS, decodePte } from '../kernel/decode.ts';
import { DEFAULT_CONFIG } from '../kernel/config.ts';
import { kernelFor } from '../kernel/kernel.ts';
import { classify, KIND, kindOfCode, newClassified, PMD_KIND_RULES } from '../kernel/leafops.ts';
import { HPAGE_PMD_NR, HPAGE_PMD_ORDER } from '../kernel/platform.ts';
import type { ProfileId } from '../kernel/profiles.ts';
import { runScenario } from '../scenarios/run.ts';
import { findScenario, THP_SCENARIOS, hmmThpScenarios } from '../scenarios/index.ts';
import { mulberry32, sampleScenario } from '../../share/sample.ts';
import { checkInvariants, INVARIANTS, pageLabel, type InvariantId, type Violation } from './invariants.ts';
import { allPages, pageAt, pageStoreOf } from './pagestore.ts';
import { forEachPmd, forEachUsed } from './pagetable.ts';
import type { MachineState, Page } from './types.ts';
import { builtInRun } from '../../../test/runs.ts';

/** The rules, checked the plain way: every entry of every live process, then every page. */
function reference(s: MachineState) {
  const k = kernelFor(s.options);
  const out = new Map<InvariantId, Violation[]>(INVARIANTS.map((i) => [i.id, []]));
  const add = (id: InvariantId, v: Violation) => {
    const list = out.get(id)!;
    if (list.length < 20) list.push(v);
  };
  const label = (id: number) => pageLabel(pageAt(s.pages, id)!);
  const maps = new Map<number, number>();
  const pmdMaps = new Map<number, number>();
  const slots = new Map(s.swap.slots.map((x) => [x.slot, x]));
  const c = newClassified();
  const headOf = (id: number) => {
    const pg = id >= 0 ? pageAt(s.pages, id) : undefined;
    return pg && pg.head !== pg.id ? pageAt(s.pages, pg.head) : pg;
  };
  for (const p of s.processes) {
    if (!p.alive) continue;
    forEachPmd(p.ptes, (index, hi, lo, target) => {
      classify(k, hi, lo, c, 'pmd');
      const where = { pid: p.pid, index };
      const at = `pid ${p.pid} PMD at PTE ${index}`;
      const vma = p.vmas.find((v) => index >= v.start && index < v.start + v.pages);
      if (!vma || index + HPAGE_PMD_NR > vma.start + vma.pages) add('pmd-leaf', { ...where, message: `${at}: its 2 MiB are not all inside one VMA` });
      const tp = target >= 0 ? pageAt(s.pages, target) : undefined;
      const notHead = (pg: Page) => pg.order !== HPAGE_PMD_ORDER || pg.head !== pg.id;
      if (c.kind === KIND.present) {
        const named = s.pageIndex.find(s.pages, 'phys', c.pfn);
        if (tp?.kind === 'device') add('no-present-device-private', { ...where, page: target, message: `${at} is a present PMD for ${pageLabel(tp)}` });
        if (named !== target) add('pfn-names-page', { ...where, page: target, ...(named !== undefined ? { named } : {}), message: `${at} maps pfn 0x${c.pfn.toString(16)}, which is ${named === undefined ? 'no page' : label(named)}` });
        if (tp && (notHead(tp) || tp.number % HPAGE_PMD_NR !== 0)) add('pmd-leaf', { ...where, page: target, message: `${at} maps ${pageLabel(tp)}, which is not the head of a 2 MiB folio` });
        if (tp && tp.kind !== 'zero') pmdMaps.set(target, (pmdMaps.get(target) ?? 0) + 1);
        return;
      }
      const rule = PMD_KIND_RULES[kindOfCode(c.kind)];
      if (!rule.valid) {
        add('pmd-leaf', { ...where, message: `${at} holds a ${kindOfCode(c.kind)} entry: ${rule.why}` });
        return;
      }
      const row = k.table.byNumber[c.type]!;
      const dec = decodePte(k, (BigInt(hi) << 32n) | BigInt(lo), 'pmd');
      dec.problems.forEach((msg, i) => {
        if (CLEAR_BIT_PROBLEMS.includes(dec.problemKinds[i]!)) add('clear-bits', { ...where, message: `${at}: ${msg}` });
      });
      const space = c.deviceSpace === 1 ? 'device' : 'phys';
      const named = s.pageIndex.find(s.pages, space, c.pfn);
      if (named !== target) {
        add('pfn-names-page', {
          ...where, page: target, ...(named !== undefined ? { named } : {}),
          message: `${at}: ${row.name} says ${space === 'device' ? 'device offset' : 'pfn'} 0x${c.pfn.toString(16)}, which is ${named === undefined ? 'no page' : label(named)}; the kernel made it for ${tp ? pageLabel(tp) : 'no page'}`,
        });
      }
      if (tp && notHead(tp)) add('pmd-leaf', { ...where, page: target, message: `${at}: ${row.name} names ${pageLabel(tp)}, which is not the head of a 2 MiB folio` });
      if (row.kind === 'migration' || row.kind === 'device-migration') {
        if (!tp || !tp.locked) add('migration-locked', { ...where, page: target, message: `${at} is a migration PMD but ${tp ? pageLabel(tp) : 'its folio'} is not locked` });
      } else if (target >= 0) {
        pmdMaps.set(target, (pmdMaps.get(target) ?? 0) + 1);
      }
    });
    forEachUsed(p.ptes, (index, hi, lo, target) => {
      classify(k, hi, lo, c);
      const where = { pid: p.pid, index };
      const tp = target >= 0 ? pageAt(s.pages, target) : undefined;
      if (c.kind === KIND.present) {
        const named = s.pageIndex.find(s.pages, 'phys', c.pfn);
        if (tp?.kind === 'device') add('no-present-device-private', { ...where, page: target, message: `pid ${p.pid} PTE ${index} is a present PTE for ${pageLabel(tp)}` });
        if (named !== target) add('pfn-names-page', { ...where, page: target, ...(named !== undefined ? { named } : {}), message: `pid ${p.pid} PTE ${index} maps pfn 0x${c.pfn.toString(16)}, which is ${named === undefined ? 'no page' : label(named)}` });
        if (tp && tp.kind !== 'zero') maps.set(target, (maps.get(target) ?? 0) + 1);
        return;
      }
      if (c.kind === KIND.swap) {
        const slot = slots.get(c.offset);
        if (c.type !== 0 || !slot || slot.count === 0) add('swap-type', { ...where, message: `pid ${p.pid} PTE ${index} is a swap entry for device ${c.type} slot 0x${c.offset.toString(16)}, which is not in use` });
        return;
      }
      const row = k.table.byNumber[c.type];
      if (!row) {
        add('swap-type', { ...where, message: `pid ${p.pid} PTE ${index}: type ${c.type} >= MAX_SWAPFILES is not a special type of ${k.profile.label}` });
        return;
      }
      const dec = decodePte(k, (BigInt(hi) << 32n) | BigInt(lo));
      dec.problems.forEach((msg, i) => {
        if (CLEAR_BIT_PROBLEMS.includes(dec.problemKinds[i]!)) add('clear-bits', { ...where, message: `pid ${p.pid} PTE ${index}: ${msg}` });
      });
      if (row.pfn === null) return;
      const space = c.deviceSpace === 1 ? 'device' : 'phys';
      const named = s.pageIndex.find(s.pages, space, c.pfn);
      if (named !== target) {
        add('pfn-names-page', {
          ...where, page: target, ...(named !== undefined ? { named } : {}),
          message: `pid ${p.pid} PTE ${index}: ${row.name} says ${space === 'device' ? 'device offset' : 'pfn'} 0x${c.pfn.toString(16)}, which is ${named === undefined ? 'no page' : label(named)}; the kernel made it for ${tp ? pageLabel(tp) : 'no page'}`,
        });
      }
      if (row.kind === 'migration' || row.kind === 'device-migration') {
        const head = headOf(target);
        if (!head || !head.locked) add('migration-locked', { ...where, page: target, message: `pid ${p.pid} PTE ${index} is a migration entry but ${head ? pageLabel(head) : 'its page'} is not locked` });
      } else if ((row.kind === 'device-private' || row.kind === 'device-exclusive') && target >= 0) {
        maps.set(target, (maps.get(target) ?? 0) + 1);
      }
    });
  }
  for (const pg of allPages(s.pages)) {
    if (pg.kind === 'zero') continue;
    const n = maps.get(pg.id) ?? 0;
    const m = pmdMaps.get(pg.id) ?? 0;
    if (n !== pg.mapcount) add('mapcount', { page: pg.id, message: `${pageLabel(pg)}: mapcount ${pg.mapcount}, but ${n} PTE(s) map it` });
    if (m !== pg.entireMapcount) add('mapcount', { page: pg.id, message: `${pageLabel(pg)}: entire mapcount ${pg.entireMapcount}, but ${m} PMD(s) map its 2 MiB folio` });
    if (pg.anonExclusive && n > 1) add('exclusive-once', { page: pg.id, message: `${pageLabel(pg)} is PageAnonExclusive but mapped ${n} times` });
    if (pg.anonExclusive && m > 1) add('exclusive-once', { page: pg.id, message: `${pageLabel(pg)} is PageAnonExclusive but ${m} PMDs map its 2 MiB folio` });
  }
  return INVARIANTS.map((i) => ({ ...i, ok: out.get(i.id)!.length === 0, violations: out.get(i.id)! }));
}

/** The same state with one page changed (as a bug in a handler would leave it). */
function withPage(s: MachineState, id: number, patch: Partial<Page>): MachineState {
  const pages = [...allPages(s.pages)].map((p) => (p.id === id ? { ...p, ...patch } : p));
  return { ...s, pages: pageStoreOf(pages) };
}

function states(profile: ProfileId, seed: number): MachineState[] {
  const sc = sampleScenario(40, seed, profile === 'no-new-types' ? 'v6.18' : profile);
  const run = runScenario(sc, { profile, config: DEFAULT_CONFIG, platform: { arch: 'x86_64', paging: 4, migrationAd: true } });
  return run.states;
}

describe('checkInvariants gives what a plain scan of every entry and page gives', () => {
  it.each(['v6.18', 'rfc', '7.3', 'series'] as ProfileId[])('%s: stepping forward, backward and jumping across random scenarios', (profile) => {
    const rand = mulberry32(11);
    const all = [1, 2, 3].flatMap((seed) => states(profile, seed));
    const order = [...all.keys(), ...[...all.keys()].reverse(), ...Array.from({ length: 60 }, () => Math.floor(rand() * all.length))];
    for (const i of order) expect([i, checkInvariants(all[i]!)]).toEqual([i, reference(all[i]!)]);
  });

  it('a page whose mapcount, lock or exclusivity is wrong is reported, and no longer once it is right again', () => {
    const used = (s: MachineState) => [...allPages(s.pages)].filter((p) => p.kind !== 'zero' && p.allocated);
    const all = [4, 5, 6].flatMap((seed) => states('rfc', seed)).filter((s) => used(s).length > 0);
    expect(all.length).toBeGreaterThan(20);
    const rand = mulberry32(5);
    let bad = 0;
    for (let n = 0; n < 80; n++) {
      const s = all[Math.floor(rand() * all.length)]!;
      const pages = used(s);
      const pg = pages[Math.floor(rand() * pages.length)]!;
      const patch = [{ mapcount: pg.mapcount + 1 }, { locked: !pg.locked }, { anonExclusive: !pg.anonExclusive }][n % 3]!;
      const broken = withPage(s, pg.id, patch);
      const want = reference(broken);
      if (want.some((r) => !r.ok)) bad++;
      expect(checkInvariants(broken)).toEqual(want);
      expect(checkInvariants(s)).toEqual(reference(s));
    }
    expect(bad).toBeGreaterThan(10);
  });

  it('huge pages: every state of the THP scenarios, in order and shuffled, and with a folio\'s entire mapcount or lock broken', () => {
    const all: MachineState[] = [];
    for (const sc of [...THP_SCENARIOS, ...hmmThpScenarios()]) {
      for (const profile of ['7.3', 'series'] as ProfileId[]) {
        all.push(...builtInRun(sc, profile).states);
      }
    }
    const withLeaf = all.filter((s) => s.processes.some((p) => p.ptes.chunks.some((c) => c?.pmd)));
    expect(withLeaf.length).toBeGreaterThan(20);
    const rand = mulberry32(7);
    const order = [...all.keys(), ...Array.from({ length: 80 }, () => Math.floor(rand() * all.length))];
    for (const i of order) expect([i, checkInvariants(all[i]!)]).toEqual([i, reference(all[i]!)]);
    let bad = 0;
    for (let n = 0; n < 60; n++) {
      const s = withLeaf[Math.floor(rand() * withLeaf.length)]!;
      const heads = [...allPages(s.pages)].filter((p) => p.order > 0 && p.head === p.id);
      if (heads.length === 0) continue;
      const pg = heads[Math.floor(rand() * heads.length)]!;
      const broken = withPage(s, pg.id, [{ entireMapcount: pg.entireMapcount + 1 }, { locked: !pg.locked }, { order: 0 }][n % 3]!);
      const want = reference(broken);
      if (want.some((r) => !r.ok)) bad++;
      expect(checkInvariants(broken)).toEqual(want);
    }
    expect(bad).toBeGreaterThan(10);
  });

  it('X01 under the hypothetical kernel: the wrong PFN is reported the same way', () => {
    const sc = findScenario('X01')!;
    const run = runScenario(sc, { profile: 'no-new-types', config: DEFAULT_CONFIG, platform: { arch: 'x86_64', paging: 4, migrationAd: true } });
    const results = run.states.map((s) => checkInvariants(s));
    expect(results.some((r) => r.some((x) => !x.ok))).toBe(true);
    run.states.forEach((s, i) => expect(results[i]).toEqual(reference(s)));
  });
});
