/** The pagemap record of a machine's PTE, with the context read from the machine. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, DEFAULT_PLATFORM, findScenario, hex64, runScenario, type ProfileId } from '../model/index.ts';
import { pagemapAt, pagemapContextAt } from './pagemap.ts';

const run = (id: string, profile: ProfileId) => runScenario(findScenario(id)!, { profile, config: DEFAULT_CONFIG, platform: DEFAULT_PLATFORM });

describe('pagemapAt', () => {
  it('S02: the written page is present, exclusive and soft-dirty; on the device it reads as a swapped record of the device type, numbered by the profile', () => {
    for (const [profile, deviceRecord] of [['v6.18', '0x408000000000021c'], ['rfc', '0x4080000000000219']] as const) {
      const r = run('S02', profile);
      expect(hex64(pagemapAt(r.states[1]!, { pid: 1, index: 1 }).raw)).toBe('0x8180000000001234');
      const dev = pagemapAt(r.states[4]!, { pid: 1, index: 1 });
      expect([profile, hex64(dev.raw), dev.kind]).toEqual([profile, deviceRecord, 'device-private']);
      expect(hex64(pagemapAt(r.states[4]!, { pid: 1, index: 1 }, false).raw)).toBe('0x4080000000000000');
    }
  });

  it('after fork the page is mapped twice: no PM_MMAP_EXCLUSIVE; a read fault maps the zero page, which has no page to be exclusive', () => {
    const r = run('S05', 'v6.18');
    const last = r.states.at(-1)!;
    expect(pagemapContextAt(last, { pid: 1, index: 1 }).page).toEqual({ anon: true, mappedOnce: false });
    expect(pagemapAt(last, { pid: 1, index: 1 }).exclusive).toBe(false);
    const z = runScenario({ ...findScenario('S01')!, events: [{ type: 'cpu_fault', pid: 1, index: 1, access: 'read' }] }, { profile: 'v6.18', config: DEFAULT_CONFIG, platform: DEFAULT_PLATFORM });
    const ctx = pagemapContextAt(z.states[1]!, { pid: 1, index: 1 });
    expect([ctx.zeroPfn, ctx.page]).toEqual([true, null]);
    expect(pagemapAt(z.states[1]!, { pid: 1, index: 1 }).exclusive).toBe(false);
  });

  it.each([
    ['7.3', '0x8180000000012400', '0x81800000000125ff', '0x408000000000401c', '0x4080000000007ffc'],
    ['series', '0x8180000000012400', '0x81800000000125ff', '0x4080000000004019', '0x4080000000007ff9'],
  ] as const)('inside a PMD leaf, under %s, the record is the 4 KiB page\'s: frame + index for the THP (T01), PM_SWAP stepping by 0x20 for the device-private PMD (T03.2, pmd-and-thp.md §f)', (profile, thp0, thp511, dev0, dev511) => {
    const rec = (id: string, step: number, index: number) => hex64(pagemapAt(run(id, profile).states[step]!, { pid: 1, index }).raw);
    expect([rec('T01', 1, 0), rec('T01', 1, 511), rec('T03', 4, 0), rec('T03', 4, 511)]).toEqual([thp0, thp511, dev0, dev511]);
    expect(pagemapAt(run('T03', profile).states[4]!, { pid: 1, index: 3 }).kind).toBe('device-private');
  });
});
