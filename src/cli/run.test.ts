/**
 * `swapviz run`: replays built-in scenarios, JSON files and share links; errors name the problem.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findScenario } from '../model/index.ts';
import { jsonLines, runCli } from './testing.ts';

const run = runCli;

const json = jsonLines;

describe('swapviz run', () => {
  it('run S02 --json prints one object per step, with the PTE values of the spec (after RFC 4/6)', async () => {
    const r = await run(['run', 'S02', '--json']);
    expect(r.code).toBe(0);
    const steps = json(r.out);
    expect(steps).toHaveLength(7);
    const after = (i: number) => (steps[i]!.changes as { after: string }[]).at(-1)?.after;
    expect(after(0)).toBe('0x8000000001234867');
    expect(after(1)).toBe('0xc7ffe7ffffdb9602');
    expect(after(3)).toBe('0xcfffffffffffde02');
    expect(after(4)).toBe('0xf7ffffffffffde02');
    expect(after(6)).toBe('0x8000000005678807');
    const fns = (steps[4]!.trace as { fn: string }[]).map((t) => t.fn);
    expect(fns).toEqual(expect.arrayContaining(['do_swap_page', 'migrate_to_ram', 'migrate_vma_setup', 'migrate_vma_collect_pmd', 'make_writable_migration_device_private_entry']));
  });

  it('--kernel v6.18 gives the pre-series values', async () => {
    const r = await run(['run', 'S02', '--json', '--kernel', 'v6.18']);
    const steps = json(r.out);
    expect((steps[4]!.changes as { after: string }[]).at(-1)?.after).toBe('0xdfffffffffffde02');
  });

  it('the human form names every step and the PTEs it changed', async () => {
    const r = await run(['run', 's17']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/step 5: driver evicts device 0: migrate_device_range/);
    expect(r.out).toMatch(/try_to_migrate_one/);
    expect(r.out).toMatch(/0xcfffffffffffde02 -> 0xf7ffffffffffde02/);
  });

  it('an hmm selftest scenario reports its assertions as holding', async () => {
    const r = await run(['run', 'hmm_migrate_mixed']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/result: ret -EINVAL/);
    expect(r.out).toMatch(/result: ret -ENOENT/);
    expect(r.out).not.toMatch(/✗/);
  });

  it('a scenario JSON file runs, and a malformed one gets an error naming the bad field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'swapviz-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(findScenario('S01')));
    expect((await run(['run', good])).code).toBe(0);
    const bad = join(dir, 'bad.json');
    const s = JSON.parse(JSON.stringify(findScenario('S01'))) as { events: Record<string, unknown>[] };
    s.events[0]!.access = 'execute';
    writeFileSync(bad, JSON.stringify(s));
    const r = await run(['run', bad]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/events\[0\]\.access: must be one of read, write/);
  });

  it('a share link runs from the step it names; a broken link says why', async () => {
    expect((await run(['run', 'http://x/#v=1&k=v6.18&s=S05&step=1', '--json'])).code).toBe(0);
    const r = await run(['run', '#v=2&k=rfc&s=S02']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/newer swapviz/);
  });

  it('an event that cannot happen stops the replay with the machine\'s reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'swapviz-'));
    const f = join(dir, 'refused.json');
    writeFileSync(f, JSON.stringify({ schema: 1, id: 'x', title: 'x', events: [{ type: 'migrate_vma_finalize' }] }));
    const r = await run(['run', f]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/step 1 .*cannot happen: no migrate vma is in progress/);
  });

  it('an unknown scenario name is a usage error', async () => {
    const r = await run(['run', 'S99']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/not a built-in scenario/);
  });
});
