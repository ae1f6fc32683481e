/**
 * The worked scenarios T01–T11 of pmd-and-thp.md §g: every checkpoint reproduces the spec's value
 * under 7.3 and under the series (both numberings), every trace names the spec's kernel path in
 * order, and X02 shows the set_pmd_migration_entry() bug under the pre-fix profiles only. Values here
 * are copied from the spec's tables, not computed by the model.
 */
import { describe, expect, it } from 'vitest';
import { vectorsOf } from '../../../test/pmdVectors.ts';
import { DEFAULT_CONFIG } from '../kernel/config.ts';
import type { ProfileId } from '../kernel/profiles.ts';
import { hex64 } from '../kernel/u64.ts';
import { isKernelFunction } from '../machine/functions.ts';
import { checkInvariants } from '../machine/invariants.ts';
import { readPmd, readPte } from '../machine/pagetable.ts';
import { runScenario, type ScenarioRun } from './run.ts';
import { THP_SCENARIOS } from './thp.ts';
import type { Checkpoint, Scenario } from './types.ts';

const X86 = { arch: 'x86_64', paging: 4, migrationAd: true } as const;
type Pair = readonly [v73: string, series: string];
const same = (v: string): Pair => [v, v];

/** Spec value of each checkpoint: scenario -> "step:pid:index" -> [7.3.4, series]. */
const SPEC: Readonly<Record<string, Readonly<Record<string, Pair>>>> = {
  T01: { '0:1:0': same('0x80000000124008e7') },
  T02: { '0:1:0': same('0x80000000124008e7'), '1:1:0': ['0xdfffe7fffdb7fe02', '0xc7ffe7fffdb7fe02'], '2:1:0': same('0x80000000566008e7') },
  T03: { '1:1:0': ['0xdfffe7fffdb7fe02', '0xc7ffe7fffdb7fe02'], '2:1:0': ['0xe7fffffffffbfe02', '0xcffffffffffbfe02'] },
  T04: { '1:1:0': ['0xdffffffffffbfe02', '0xf7fffffffffbfe02'], '2:1:0': same('0x8000000056600887') },
  T05: {
    '1:1:512': ['0xdffffffffffbfe02', '0xf7fffffffffbfe02'], '1:1:513': ['0xdffffffffffbfc02', '0xf7fffffffffbfc02'], '1:1:1023': ['0xdffffffffff80002', '0xf7fffffffff80002'],
    '2:1:512': same('0x8000000077000807'), '2:1:1023': same('0x80000000775fd807'),
    '3:1:0': ['0xdfffe7fffdb7fe02', '0xc7ffe7fffdb7fe02'], '3:1:511': ['0xdfffe7fffdb40002', '0xc7ffe7fffdb40002'],
    '4:1:0': ['0xe7fffffffff7fe02', '0xcffffffffff7fe02'], '4:1:511': ['0xe7fffffffff00202', '0xcffffffffff00202'],
  },
  T06: { '0:1:0': ['0xe7fffffffffbfe02', '0xcffffffffffbfe02'], '1:1:1': ['0xe7fffffffffbfc02', '0xcffffffffffbfc02'], '511:1:511': ['0xe7fffffffff80002', '0xcffffffffff80002'] },
  T07: {
    '1:1:0': ['0xeffffffffffbfe02', '0xd7fffffffffbfe02'], '1:2:0': ['0xeffffffffffbfe02', '0xd7fffffffffbfe02'],
    '2:1:0': ['0xcffffffffffbfe02', '0xe7fffffffffbfe02'], '2:2:0': ['0xcffffffffffbfe02', '0xe7fffffffffbfe02'],
    '3:1:0': same('0x8000000056600885'), '3:2:0': same('0x8000000056600885'),
  },
  T08: { '0:1:0': ['0xdfffe7fffdb7fe02', '0xc7ffe7fffdb7fe02'], '1:1:0': ['0xd7ffe7fffdb7fe02', '0xbfffe7fffdb7fe02'], '3:1:512': ['0xeffffffffffbfe00', '0xd7fffffffffbfe00'] },
  T09: {
    '1:1:0': ['0xdfffe7fffdb7fe02', '0xc7ffe7fffdb7fe02'], '2:1:0': ['0xd7ffe7fffdb7fe02', '0xbfffe7fffdb7fe02'],
    '1:1:255': ['0xdfffe7fffdb60002', '0xc7ffe7fffdb60002'], '2:1:255': ['0xd7ffe7fffdb60002', '0xbfffe7fffdb60002'],
    '1:1:256': ['0xdfffe7fffdb5fe02', '0xc7ffe7fffdb5fe02'], '2:1:256': ['0xdfffe7fffdb5fe02', '0xc7ffe7fffdb5fe02'],
    '1:1:511': ['0xdfffe7fffdb40002', '0xc7ffe7fffdb40002'], '2:1:511': ['0xdfffe7fffdb40002', '0xc7ffe7fffdb40002'],
  },
  T10: { '0:1:0': same('0x8000000012400867'), '1:1:1': same('0x8000000012401867'), '511:1:511': same('0x80000000125ff867') },
  T11: {
    '1:1:0': same('0x8000000003a002a5'), '2:1:0': ['0xeffffffffffbfe00', '0xd7fffffffffbfe00'],
    '3:1:0': ['0xd7fffffffffbfe00', '0xeffffffffffbfe00'], '4:1:0': same('0x8000000056600085'),
  },
};

/** The spec's kernel path of an event (§c and §g), in call order, per profile where names differ. */
const PATHS: Readonly<Record<string, Readonly<Record<number, (p: ProfileId) => readonly string[]>>>> = {
  T01: { 0: () => ['handle_mm_fault', 'create_huge_pmd', 'do_huge_pmd_anonymous_page', 'vma_alloc_anon_folio_pmd', 'map_anon_folio_pmd_nopf'] },
  T02: {
    1: (p) => ['migrate_pages', 'migrate_folio_unmap', 'try_to_migrate', 'try_to_migrate_one', 'set_pmd_migration_entry', 'pmdp_invalidate',
      p === 'series' ? 'make_writable_migration_entry_from_page' : 'make_writable_migration_entry', 'make_migration_entry_young', 'make_migration_entry_dirty',
      'set_pmd_at', 'folio_remove_rmap_pmd'],
    2: () => ['migrate_folio_move', 'remove_migration_ptes', 'remove_migration_pmd'],
  },
  T03: {
    1: () => ['migrate_vma_setup', 'migrate_vma_collect', 'migrate_vma_collect_huge_pmd', 'set_pmd_migration_entry', 'pmdp_invalidate', 'set_pmd_at', 'migrate_vma_unmap'],
    3: (p) => ['migrate_vma_finalize', 'remove_migration_ptes', 'remove_migration_pmd', p === 'series' ? 'make_writable_device_private_entry_from_page' : 'make_writable_device_private_entry'],
  },
  T04: {
    4: (p) => ['handle_mm_fault', 'do_huge_pmd_device_private', 'migrate_to_ram', 'dmirror_devmem_fault', 'migrate_vma_setup', 'migrate_vma_collect_huge_pmd',
      'set_pmd_migration_entry', 'pmdp_huge_get_and_clear', p === 'series' ? 'make_writable_migration_entry_from_page' : 'make_writable_migration_entry', 'set_pmd_at'],
    6: () => ['migrate_vma_finalize', 'remove_migration_ptes', 'remove_migration_pmd'],
  },
  T05: {
    3: () => ['dmirror_migrate_alloc_and_copy', 'migrate_vma_pages', 'migrate_vma_split_unmapped_folio', 'split_huge_pmd_address', '__split_huge_pmd_locked', 'folio_split_unmapped'],
    4: () => ['migrate_vma_finalize', 'remove_migration_ptes', 'remove_migration_pte'],
    9: () => ['dmirror_fops_unlocked_ioctl'].slice(1).concat(['migrate_vma_pages', 'migrate_vma_split_unmapped_folio', 'split_huge_pmd_address', '__split_huge_pmd_locked', 'folio_split_unmapped']),
  },
  T06: { 4: () => ['do_vmi_munmap', 'vma_adjust_trans_huge', '__split_huge_pmd', '__split_huge_pmd_locked', 'zap_pte_range'] },
  T07: {
    4: () => ['dup_mmap', 'copy_page_range', 'copy_huge_pmd', 'copy_huge_non_present_pmd', 'make_readable_device_private_entry'],
    5: () => ['handle_mm_fault', 'do_huge_pmd_device_private', 'migrate_to_ram', 'migrate_vma_collect_huge_pmd', 'set_pmd_migration_entry', 'pmdp_huge_get_and_clear',
      'migrate_device_unmap', 'try_to_migrate', 'try_to_migrate_one', 'set_pmd_migration_entry'],
  },
  T08: { 4: () => ['mprotect_fixup', 'change_protection', 'change_huge_pmd', 'change_non_present_huge_pmd', 'change_huge_pmd', 'change_non_present_huge_pmd'] },
  T09: { 2: () => ['mprotect_fixup', 'vma_adjust_trans_huge', '__split_huge_pmd', '__split_huge_pmd_locked', 'change_protection', 'change_pte_range', 'change_softleaf_pte'] },
  T10: { 1: () => ['do_vmi_munmap', 'vma_adjust_trans_huge', '__split_huge_pmd', '__split_huge_pmd_locked', 'pmdp_invalidate', 'folio_add_anon_rmap_ptes', 'zap_pte_range'] },
  T11: {
    0: () => ['handle_mm_fault', 'create_huge_pmd', 'do_huge_pmd_anonymous_page', 'set_huge_zero_folio'],
    2: () => ['migrate_vma_pages', 'migrate_vma_insert_huge_pmd_page'],
  },
};

const runs = new Map<string, ScenarioRun>();
function run(sc: Scenario, profile: ProfileId): ScenarioRun {
  const key = `${sc.id}|${profile}`;
  let r = runs.get(key);
  if (!r) {
    r = runScenario(sc, { profile, config: DEFAULT_CONFIG, platform: X86 });
    runs.set(key, r);
  }
  return r;
}

/** The value a checkpoint reads: the entry after event `after`, or the first change `mid` made to it. */
function valueAt(r: ScenarioRun, c: Checkpoint): string {
  if (c.mid) {
    const kind = c.level ?? 'pte';
    const index = c.level ? c.index - (c.index % 512) : c.index;
    for (const t of r.traces[c.after + 1]!) {
      if (t.fn !== c.mid) continue;
      const ch = t.changes.find((x) => x.kind === kind && x.pid === c.pid && x.index === index);
      if (ch && ch.kind !== 'page') return hex64(ch.after);
    }
    return 'no change';
  }
  const p = r.states[c.after + 1]!.processes.find((x) => x.pid === c.pid)!;
  return hex64(c.level ? readPmd(p.ptes, c.index) : readPte(p.ptes, c.index));
}

function isSubsequence(want: readonly string[], got: readonly string[]): boolean {
  let i = 0;
  for (const g of got) if (g === want[i]) i++;
  return i === want.length;
}

const T_SCENARIOS = THP_SCENARIOS.filter((s) => /^T\d+$/.test(s.id));

describe('T01–T11 reproduce the spec\'s values under 7.3 and the series', () => {
  it('every checkpoint of every T-scenario has a spec value, and every spec value a checkpoint', () => {
    for (const sc of T_SCENARIOS) {
      expect([sc.id, (sc.checkpoints ?? []).map((c) => `${c.step}:${c.pid}:${c.index}`).sort()]).toEqual([sc.id, Object.keys(SPEC[sc.id]!).sort()]);
    }
  });
  for (const sc of T_SCENARIOS) {
    for (const [col, profile] of [[0, '7.3'], [1, 'series']] as const) {
      it(`${sc.id} under ${profile}: ${sc.title}`, () => {
        const r = run(sc, profile);
        expect(r.refused).toBeNull();
        for (const c of sc.checkpoints!) {
          expect([`${sc.id} step ${c.step} pid ${c.pid} ${c.level ?? 'pte'} ${c.index}`, valueAt(r, c)]).toEqual([`${sc.id} step ${c.step} pid ${c.pid} ${c.level ?? 'pte'} ${c.index}`, SPEC[sc.id]![`${c.step}:${c.pid}:${c.index}`]![col]]);
        }
        r.states.forEach((st, i) => {
          const broken = checkInvariants(st).filter((x) => !x.ok);
          expect([i, broken.map((b) => `${b.id}: ${b.violations[0]?.message}`)]).toEqual([i, []]);
        });
        for (const t of r.traces.flat()) expect([t.fn, isKernelFunction(t.fn)]).toEqual([t.fn, true]);
        for (const [ev, path] of Object.entries(PATHS[sc.id] ?? {})) {
          const fns = r.traces[Number(ev) + 1]!.map((t) => t.fn);
          expect([sc.id, ev, path(profile), isSubsequence(path(profile), fns)]).toEqual([sc.id, ev, path(profile), true]);
        }
      });
    }
  }
  it('T02: pmdp_invalidate() writes the transient value first: P=0, PSE=1, PFN inverted, still pmd_present()', () => {
    const r = run(T_SCENARIOS.find((s) => s.id === 'T02')!, '7.3');
    const inv = r.traces[2]!.find((t) => t.fn === 'pmdp_invalidate')!;
    expect(inv.changes.map((c) => (c.kind === 'pmd' ? hex64(c.after) : c.kind))).toEqual(['0x800fffffeda008e6']);
  });
  it('T06/T09: a split records the PMD change and 512 PTE changes', () => {
    const r = run(T_SCENARIOS.find((s) => s.id === 'T06')!, '7.3');
    const split = r.traces[5]!.find((t) => t.fn === '__split_huge_pmd_locked')!;
    expect(split.changes.filter((c) => c.kind === 'pmd').map((c) => (c.kind === 'pmd' ? c.table : null))).toEqual(['split']);
    expect(split.changes.filter((c) => c.kind === 'pte')).toHaveLength(512);
  });
  it.each([['7.3', '0xeffffffffffbfe02', '0xeffffffffffbfe00'], ['series', '0xd7fffffffffbfe02', '0xd7fffffffffbfe00']] as const)(
    'T07 under %s: fork keeps soft-dirty on the device-private PMD (%s) but copy_nonpresent_pte() drops it on the same PTE (%s)', (profile, pmdValue, pteValue) => {
      expect(valueAt(run(T_SCENARIOS.find((s) => s.id === 'T07')!, profile), { step: 1, after: 4, pid: 2, index: 0, level: 'pmd' })).toBe(pmdValue);
      const pteLevel: Scenario = {
        schema: 1, id: 'T07-pte', title: 'T07 at PTE level', description: '', source: 'test', focus: { pid: 1, index: 0 },
        setup: { ...T_SCENARIOS[0]!.setup, processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: 512, prot: 'rw' }] }] },
        events: [
          { type: 'cpu_fault', pid: 1, index: 0, access: 'write' }, { type: 'migrate_vma_setup', pid: 1, start: 0, pages: 1, select: 'system', device: 0 },
          { type: 'migrate_vma_pages' }, { type: 'migrate_vma_finalize' }, { type: 'fork', pid: 1 },
        ],
      };
      const r = runScenario(pteLevel, { profile, config: DEFAULT_CONFIG, platform: X86 });
      expect(valueAt(r, { step: 0, after: 4, pid: 1, index: 0 })).toBe(pteValue);
      expect(vectorsOf('copy_nonpresent_pte').filter((v) => v.profile === profile).map((v) => v.pte)).toEqual(profile === 'series' ? [pteValue] : []);
    },
  );
});

describe('X02: the set_pmd_migration_entry() flags bug', () => {
  const x02 = THP_SCENARIOS.find((s) => s.id === 'X02')!;
  it.each([
    ['7.3-pre-fix', '0xdfffeffffffbfe06'],
    ['series-pre-fix', '0xf7ffeffffffbfe06'],
  ] as const)('under %s the child\'s READ device-private PMD becomes %s (WRITE + dirty + soft-dirty + uffd), and the shared THP ends up exclusive twice', (profile, value) => {
    const r = run(x02, profile);
    expect(r.refused).toBeNull();
    for (const c of x02.checkpoints!) expect(valueAt(r, c)).toBe(value);
    const last = checkInvariants(r.states.at(-1)!);
    expect(last.find((i) => i.id === 'exclusive-once')!.ok).toBe(false);
    expect(checkInvariants(r.states.at(-2)!).every((i) => i.ok)).toBe(true);
  });
  it.each([['7.3', '0xcffffffffffbfe02'], ['series', '0xe7fffffffffbfe02']] as const)('with the fix (%s) the same events give READ + sd (%s) and every invariant holds', (profile, value) => {
    const r = run(x02, profile);
    for (const c of x02.checkpoints!) expect(valueAt(r, c)).toBe(value);
    expect(checkInvariants(r.states.at(-1)!).every((i) => i.ok)).toBe(true);
  });
});

describe('the vectors that need a machine (split then mprotect, remove_migration_pte after a fallback split)', () => {
  const at = (id: string, profile: '7.3' | 'series', c: Checkpoint) => valueAt(run(T_SCENARIOS.find((s) => s.id === id)!, profile), c);
  it.each(vectorsOf('split_then_change_pte').map((v) => [v.id, v] as const))('%s: T09 after the mprotect', (_id, v) => {
    expect(at('T09', v.profile, { step: 2, after: 2, pid: 1, index: Number(v.inputs.index) })).toBe(v.pte);
  });
  it.each(vectorsOf('remove_migration_pte_after_split').map((v) => [v.id, v] as const))('%s: T05 after the fallback', (id, v) => {
    // fallback-dev-to-ram-i0: back to RAM, PTE 512 of T05; fallback-ram-to-dev-i511: to the device, PTE 511
    const c: Checkpoint = id.includes('dev-to-ram') ? { step: 2, after: 10, pid: 1, index: 512 } : { step: 4, after: 4, pid: 1, index: 511 };
    expect(at('T05', v.profile, c)).toBe(v.pte);
  });
});
