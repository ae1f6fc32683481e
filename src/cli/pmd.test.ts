/**
 * The CLI at PMD level: `swapviz decode --level pmd` (the same JSON fields, `pmd` for the value, the
 * PMD helpers among the predicates), `encode --level pmd`, and `swapviz run` of the THP scenarios
 * under 7.3, the series and the historical pre-fix profiles. Values are pmd-and-thp.md's.
 */
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from './testing.ts';

const run = runCli;

const json = jsonLines;

describe('swapviz decode --level pmd', () => {
  it('names the value "pmd", keeps the PTE field names, and adds the PMD predicates (T03.2 under the series)', async () => {
    const r = await run(['decode', '--json', '--level', 'pmd', '--kernel', 'series', '0xcffffffffffbfe02']);
    expect(r.code).toBe(0);
    const [o] = json(r.out);
    expect(o).toMatchObject({ pmd: '0xcffffffffffbfe02', level: 'pmd', kind: 'device-private', typeName: 'SWP_DEVICE_WRITE', type: 25, pfn: '0x200', pfnSpace: 'device', softDirty: true, validAtPmd: true, pagemap: '0x4080000000004019' });
    expect(o).not.toHaveProperty('pte');
    expect(o!.predicates).toMatchObject({ pmd_is_device_private_entry: true, pmd_is_migration_entry: false, pmd_is_valid_softleaf: true, softleaf_is_valid_pmd_entry: true, pmd_present: false });
  });

  it('the same word is DEVICE_WRITE under 7.3 and a device-migration READ under the series (g.1 item 3)', async () => {
    const [a] = json((await run(['decode', '--json', '--level', 'pmd', '--kernel', '7.3', '0xe7fffffffffbfe02'])).out);
    const [b] = json((await run(['decode', '--json', '--level', 'pmd', '--kernel', 'series', '0xe7fffffffffbfe02'])).out);
    expect([a!.typeName, b!.typeName]).toEqual(['SWP_DEVICE_WRITE', 'SWP_MIGRATION_DEVICE_READ']);
    expect((b!.predicates as Record<string, boolean>).pmd_is_migration_entry).toBe(true);
  });

  it('a PMD with P=0 can be present: the invalidated PMD and PROT_NONE are pmd_present(), and a PTE decode says otherwise', async () => {
    const [inv, pn] = json((await run(['decode', '--json', '--level', 'pmd', '--kernel', '7.3', '0x800fffffeda008e6', '0x040fffffeda009a0'])).out);
    expect(inv).toMatchObject({ kind: 'present', pfn: '0x12400', huge: true, invalidated: true, predicates: { pmd_present: true, pmd_trans_huge: true } });
    expect(pn).toMatchObject({ kind: 'present', pfn: '0x12400', protnone: true, invalidated: false });
    const [pte] = json((await run(['decode', '--json', '--kernel', '7.3', '0x800fffffeda008e6'])).out);
    expect(pte!.kind).not.toBe('present');
  });

  it('a kind that never sits in a PMD is decoded, with the reason, and the human form shows it', async () => {
    const r = await run(['decode', '--level', 'pmd', '--kernel', '7.3', '0xc7fffffffffbfe02']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/SWP_HWPOISON\(24\)/);
    expect(r.out).toMatch(/! SWP_HWPOISON never sits in a PMD: memory_failure\(\) splits a THP first/);
  });

  it('--level with another value is a usage error', async () => {
    const r = await run(['decode', '--level', 'pud', '0x0']);
    expect(r).toEqual({ code: 2, out: '', err: 'swapviz: --level must be pte or pmd, not "pud"\n' });
  });
});

describe('swapviz encode --level pmd', () => {
  it('T02.1 under 7.3: SWP_MIGRATION_WRITE of 0x12400 with A, D and soft-dirty', async () => {
    const r = await run(['encode', '--level', 'pmd', '--kernel', '7.3', '--type', 'SWP_MIGRATION_WRITE', '--offset', '0x12400', '--young', '--dirty', '--soft-dirty']);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out.split(/\s+/)[0]).toBe('0xdfffe7fffdb7fe02');
  });
  it('refuses --exclusive: there is no PMD swap-exclusive bit', async () => {
    const r = await run(['encode', '--level', 'pmd', '--kernel', '7.3', '--type', '27', '--offset', '0x12400', '--exclusive']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no PMD swap-exclusive bit/);
  });
});

describe('swapviz run of the PMD scenarios', () => {
  it.each([
    ['7.3', '0xe7fffffffffbfe02'],
    ['series', '0xcffffffffffbfe02'],
  ])('run T03 --kernel %s --json: the finalize step turns the migration PMD into %s', async (kernel, value) => {
    const r = await run(['run', 'T03', '--json', '--kernel', kernel]);
    expect(r.code).toBe(0);
    const steps = json(r.out);
    expect((steps[3]!.pmdChanges as { after: string }[]).at(-1)!.after).toBe(value);
  });
  it('run T06 shows the split: the PMD becomes a table and 512 PTEs appear (the first few listed)', async () => {
    const r = await run(['run', 'T06']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/pid 1 PMD at PTE 0: 0xe7fffffffffbfe02 -> a table of 512 PTEs \(split\)/);
    expect(r.out).toMatch(/pid 1 PTE 1: 0x0000000000000000 -> 0xe7fffffffffbfc02 {2}SWP_DEVICE_WRITE\(28\) off=0x201 sd/);
    expect(r.out).toMatch(/… and \d+ more PTEs/);
  });
  it('run X02 under the pre-fix profile reports the exclusive-once invariant firing', async () => {
    const r = await run(['run', 'X02']);
    expect(r.out).toMatch(/v7\.3 before the PMD-flags fix/);
    expect(r.out).toMatch(/0xdfffeffffffbfe06/);
    expect(r.out).toMatch(/! invariant "an anon-exclusive page is mapped at most once" fails/);
  });
  it('an hmm THP selftest flow reports its assertions as holding', async () => {
    const r = await run(['run', 'hmm_migrate_anon_huge_fault', '--kernel', 'series']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/result: ret 0, snapshot 512 × DEV_PRIVATE_LOCAL\|WRITE\|PMD/);
    expect(r.out).toMatch(/result: ret 0, pagemap 512 records, 0x4080000000000019 … 0x4080000000003ff9/);
    expect(r.out).not.toMatch(/✗/);
  });
});
