/** The step panel's lines: a PMD change decoded at PMD level, a split's 512 PTE writes as one line. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, findScenario, kernelOf, runScenario } from '../model/index.ts';
import { changeLines, GROUP_MIN } from './changes.ts';

const run = (id: string) => runScenario(findScenario(id)!, { profile: '7.3', config: DEFAULT_CONFIG, platform: { arch: 'x86_64', paging: 4, migrationAd: true } });

describe('changeLines', () => {
  it('T06\'s partial munmap: the split is a PMD line (device-private before, a table after) and one line for PTEs 0–511; the zap one line for 128–255', () => {
    const r = run('T06');
    const k = kernelOf(r.states[5]!);
    const split = r.traces[5]!.find((t) => t.fn === '__split_huge_pmd_locked')!;
    const lines = changeLines(k, split.changes);
    expect(lines.map((l) => l.kind)).toEqual(['pmd', 'ptes']);
    expect(lines[0]).toMatchObject({ pid: 1, from: 0, to: 511, table: 'split', after: null });
    expect(lines[0]!.kind === 'pmd' && lines[0]!.before!.summary).toBe('SWP_DEVICE_WRITE(28) off=0x200 sd');
    expect(lines[1]).toMatchObject({ pid: 1, from: 0, to: 511 });
    const zap = changeLines(k, r.traces[5]!.find((t) => t.fn === 'zap_pte_range')!.changes);
    expect(zap).toEqual([expect.objectContaining({ kind: 'ptes', from: 128, to: 255 })]);
  });

  it('T03\'s finalize: the PMD goes from a migration PMD to a device-private PMD, both decoded at PMD level', () => {
    const r = run('T03');
    const lines = r.traces[4]!.flatMap((t) => changeLines(kernelOf(r.states[4]!), t.changes)).filter((l) => l.kind === 'pmd');
    expect(lines.map((l) => l.kind === 'pmd' && [l.before?.summary, l.after?.summary])).toEqual([['SWP_MIGRATION_WRITE(27) pfn=0x12400+A+D sd', 'SWP_DEVICE_WRITE(28) off=0x200 sd']]);
  });

  it(`fewer than ${GROUP_MIN} consecutive PTE changes, or PTEs that are not next to each other, stay a line each`, () => {
    const c = (index: number) => ({ kind: 'pte' as const, pid: 1, index, before: 0n, after: 1n });
    const k = kernelOf(run('T01').states[0]!);
    expect(changeLines(k, [c(1), c(2), c(3)]).map((l) => l.kind)).toEqual(['pte', 'pte', 'pte']);
    expect(changeLines(k, [c(1), c(2), c(3), c(4), c(9)]).map((l) => l.kind)).toEqual(['ptes', 'pte']);
  });
});
