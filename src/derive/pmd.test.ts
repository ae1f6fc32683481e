/**
 * The PMD level as the views read it (the rows are in rows.test.ts): which PMDs a step changed or
 * split; a 2 MiB folio is one block with a link
 * per PMD; every 4 KiB page has its pagemap record; migrate_vma's src[] words.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, findScenario, runScenario, type ScenarioRun } from '../model/index.ts';
import { blockKeyOf, decodePmdAt, entryAt, folioBlocks, pagemapRecords, pmdChangesIn, pmdLinks, pmdPagemapEnds, srcWord, dstWord } from './pmd.ts';

const OPTS = { config: DEFAULT_CONFIG, platform: { arch: 'x86_64', paging: 4, migrationAd: true } } as const;
const runs = new Map<string, ScenarioRun>();
function played(id: string, profile: '7.3' | 'series' = '7.3'): ScenarioRun {
  const key = `${id}|${profile}`;
  if (!runs.has(key)) runs.set(key, runScenario(findScenario(id)!, { profile, ...OPTS }));
  return runs.get(key)!;
}

describe('pmdChangesIn', () => {
  it('the partial munmap of T06 changed and split the PMD over PTEs 0–511; the step before it changed the PMD without a split', () => {
    const r = played('T06');
    expect(pmdChangesIn(r.traces[5], 1)).toEqual({ changed: new Set([0]), split: new Set([0]) });
    expect(pmdChangesIn(r.traces[4], 1)).toEqual({ changed: new Set([0]), split: new Set() });
    expect(pmdChangesIn(r.traces[5], 2)).toEqual({ changed: new Set(), split: new Set() });
  });
});

describe('decodePmdAt', () => {
  it.each([['7.3', 'SWP_DEVICE_WRITE(28) off=0x200 sd'], ['series', 'SWP_DEVICE_WRITE(25) off=0x200 sd']] as const)('under %s the device-private PMD of T03 reads %s', (profile, summary) => {
    const s = played('T03', profile).states[4]!;
    expect(decodePmdAt(s, 1, 100)!.summary).toBe(summary);
    expect(decodePmdAt(s, 1, 100)!.level).toBe('pmd');
  });
});

describe('the PFN view of 2 MiB folios', () => {
  it('a THP is one block of 512 pages, and its PMD links to it', () => {
    const s = played('T01').states[1]!;
    expect(folioBlocks(s)).toEqual([expect.objectContaining({ key: 'phys:74752', first: 0x12400, nr: 512, kind: 'ram', pmdMaps: 1, pteMaps: 0 })]);
    expect(pmdLinks(s)).toEqual([expect.objectContaining({ pid: 1, index: 0, kind: 'present', namedKey: 'phys:74752', ok: true })]);
  });
  it('a device THP after the series is a block in the device-private space; every page of it belongs to the block', () => {
    const s = played('T03', 'series').states[4]!;
    const b = folioBlocks(s).find((x) => x.kind === 'device')!;
    expect([b.space, b.first, b.nr, b.pmdMaps]).toEqual(['device', 0x200, 512, 1]);
    expect(blockKeyOf(s, b.head + 511)).toBe(b.key);
    expect(pmdLinks(s)[0]).toMatchObject({ kind: 'device-private', namedKey: 'device:512', ok: true });
  });
  it('after a partial munmap the folio is still one block, now mapped by 384 PTEs (T10)', () => {
    const s = played('T10').states[2]!;
    expect(folioBlocks(s)).toEqual([expect.objectContaining({ first: 0x12400, pmdMaps: 0, pteMaps: 384 })]);
  });
});

describe('pagemap records of every 4 KiB page', () => {
  it('a migration PMD (T02.1) gives 512 records stepping by 0x20, as pagemap_read reports', () => {
    const s = played('T02').states[2]!;
    const recs = pagemapRecords(s, 1, 0, 512);
    expect(['0x' + recs[0]!.toString(16), '0x' + recs[1]!.toString(16), '0x' + recs[511]!.toString(16)]).toEqual(['0x408000000024801b', '0x408000000024803b', '0x408000000024bffb']);
  });
});

describe('entryAt and pmdPagemapEnds', () => {
  it('inside a PMD leaf the entry is the PMD over its 512 slots; after the split it is the PTE', () => {
    const r = played('T06');
    expect(entryAt(r.states[4]!, { pid: 1, index: 300 })).toEqual({ level: 'pmd', value: 0xe7fffffffffbfe02n, from: 0, to: 511 });
    expect(entryAt(r.states[5]!, { pid: 1, index: 300 })).toEqual({ level: 'pte', value: 0xe7fffffffffbfe02n - 300n * 0x200n, from: 300, to: 300 });
    expect(entryAt(r.states[5]!, { pid: 9, index: 0 })).toBeNull();
  });
  it('the records of a migration PMD\'s first and last page step by 0x20 (T02.1); a present THP\'s frames by 1 (T01)', () => {
    expect(pmdPagemapEnds(played('T02').states[2]!, 1, 7)).toEqual({ first: 0x408000000024801bn, last: 0x408000000024bffbn, step: 0x20n, pages: 512 });
    expect(pmdPagemapEnds(played('T01').states[1]!, 1, 0)).toMatchObject({ first: 0x8180000000012400n, last: 0x81800000000125ffn, step: 1n });
    expect(pmdPagemapEnds(played('T06').states[5]!, 1, 0)).toBeNull();
  });
});

describe('migrate_vma src[] and dst[] words', () => {
  it('a collected THP is migrate_pfn(head) | WRITE | MIGRATE | COMPOUND (0x49001b); its 2 MiB device destination is WRITE | COMPOUND (the driver passes the write bit on)', () => {
    const r = played('T03');
    const m = r.states[2]!.migrations[0]!;
    expect(srcWord(r.states[2]!, m.srcs[0]!)).toBe(0x49001bn);
    const after = r.states[3]!.migrations[0]!;
    // migrate_pfn(0x200) = 0x200 << MIGRATE_PFN_SHIFT | VALID, then WRITE (1 << 3) and COMPOUND (1 << 4)
    expect(dstWord(r.states[3]!, after.srcs[0]!)).toBe((0x200n << 6n) | 0x1n | 0x8n | 0x10n);
  });
});
