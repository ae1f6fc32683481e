/**
 * Property tests: thousands of random event sequences on a small machine. In every reachable state
 * every invariant holds; a refused event changes nothing; replaying a sequence twice gives
 * identical states.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../kernel/config.ts';
import type { ProfileId } from '../kernel/profiles.ts';
import type { Event } from './events.ts';
import { createMachine } from './init.ts';
import { checkInvariants } from './invariants.ts';
import { readPte } from './pagetable.ts';
import { step } from './step.ts';
import type { MachineSetup, MachineState } from './types.ts';

/**
 * How many random sequences each property checks, times SWAPVIZ_PROPERTY_RUNS (default 1). Mutation
 * runs (vitest.stryker.config.ts) scale it down: a surviving mutant reruns every property test, and
 * the focused tests are the ones that pin kernel rules. The unit suite runs the full counts.
 */
const RUN_SCALE = Number(process.env.SWAPVIZ_PROPERTY_RUNS ?? '1');
const runs = (n: number) => Math.max(1, Math.round(n * RUN_SCALE));

const N = 6;
const SETUP: MachineSetup = {
  ptes: 8,
  processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: N, prot: 'rw' }] }],
  ram: ['0x100', '0x101', '0x102', '0x103', '0x104', '0x105', '0x106', '0x107'],
  devices: [{ first: '0x0', physFirst: '0x3ffff0000', pages: 4 }, { first: '0x10', physFirst: '0x3ffff0010', pages: 4 }],
};

const pid = fc.oneof({ weight: 8, arbitrary: fc.constant(1) }, { weight: 2, arbitrary: fc.constant(2) }, { weight: 1, arbitrary: fc.constant(3) });
const index = fc.integer({ min: 0, max: N - 1 });
const device = fc.constantFrom(0, 1);
const range = fc.record({ pid, start: fc.integer({ min: 0, max: N - 1 }), pages: fc.integer({ min: 1, max: 3 }) });

const single: fc.Arbitrary<Event> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ type: fc.constant('cpu_fault' as const), pid, index, access: fc.constantFrom('read' as const, 'write' as const) }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('cpu_access' as const), pid, start: index, pages: fc.constant(1), access: fc.constantFrom('read' as const, 'write' as const, 'rmw' as const) }) },
  { weight: 4, arbitrary: range.chain((r) => fc.record({ type: fc.constant('migrate_vma_setup' as const), pid: fc.constant(r.pid), start: fc.constant(r.start), pages: fc.constant(r.pages), select: fc.constantFrom('system' as const, 'device_private' as const), device })) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('migrate_vma_pages' as const), failAlloc: fc.boolean() }) },
  { weight: 3, arbitrary: fc.constant({ type: 'migrate_vma_finalize' as const }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('migrate_device_range' as const), device }) },
  { weight: 1, arbitrary: fc.constant({ type: 'migrate_device_pages' as const }) },
  { weight: 1, arbitrary: fc.constant({ type: 'migrate_device_finalize' as const }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('migrate_folio_unmap' as const), pid, index }) },
  { weight: 1, arbitrary: fc.constant({ type: 'migrate_folio_move' as const }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('fork' as const), pid }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('exit' as const), pid: fc.constantFrom(2, 3) }) },
  { weight: 1, arbitrary: range.chain((r) => fc.record({ type: fc.constant('mprotect' as const), pid: fc.constant(r.pid), start: fc.constant(r.start), pages: fc.constant(r.pages), prot: fc.constantFrom('none' as const, 'read' as const, 'rw' as const) })) },
  { weight: 1, arbitrary: range.chain((r) => fc.record({ type: fc.constant('uffd_wp' as const), pid: fc.constant(r.pid), start: fc.constant(r.start), pages: fc.constant(r.pages), enable: fc.boolean() })) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('make_device_exclusive' as const), pid, start: index, pages: fc.constant(1), device }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('memory_failure' as const), pid, index }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('swap_out' as const), pid, start: index, pages: fc.integer({ min: 1, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('munmap' as const), pid, start: index, pages: fc.constant(1) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('folio_get' as const), pid, index }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('folio_put' as const), pid, index }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('uffdio_poison' as const), pid, index }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('madvise_guard_install' as const), pid, start: index, pages: fc.constant(1) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('hmm_migrate_to_dev' as const), pid, start: index, pages: fc.integer({ min: 1, max: 2 }), device }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('hmm_migrate_to_sys' as const), pid, start: index, pages: fc.integer({ min: 1, max: 2 }), device }) },
);

/** A driver that runs a migration start to finish (sometimes stopping early), or one single event. */
const chunk: fc.Arbitrary<Event[]> = fc.oneof(
  { weight: 5, arbitrary: single.map((e) => [e]) },
  {
    weight: 2,
    arbitrary: fc.tuple(range, fc.constantFrom('system' as const, 'device_private' as const), device, fc.boolean(), fc.integer({ min: 1, max: 3 })).map(
      ([r, select, dev, failAlloc, upTo]): Event[] => [
        { type: 'migrate_vma_setup', ...r, select, device: dev },
        { type: 'migrate_vma_pages', failAlloc },
        { type: 'migrate_vma_finalize' },
      ].slice(0, upTo) as Event[],
    ),
  },
  { weight: 1, arbitrary: fc.tuple(pid, index).map(([p, i]): Event[] => [{ type: 'migrate_folio_unmap', pid: p, index: i }, { type: 'cpu_fault', pid: p, index: i, access: 'read' }, { type: 'migrate_folio_move' }]) },
  { weight: 1, arbitrary: device.map((dv): Event[] => [{ type: 'migrate_device_range', device: dv }, { type: 'migrate_device_pages' }, { type: 'migrate_device_finalize' }]) },
);

/** Sequences start by touching a few pages, then mix everything. */
const events: fc.Arbitrary<Event[]> = fc.tuple(fc.array(index, { minLength: 1, maxLength: 4 }), fc.array(chunk, { minLength: 1, maxLength: 16 })).map(([touch, rest]) => [
  ...touch.map((i): Event => ({ type: 'cpu_fault', pid: 1, index: i, access: 'write' })),
  ...rest.flat(),
]);

/** Everything observable about a state, as text. */
function fingerprint(s: MachineState): string {
  return JSON.stringify({
    procs: s.processes.map((p) => ({ pid: p.pid, alive: p.alive, vmas: p.vmas, ptes: Array.from({ length: p.ptes.length }, (_, i) => readPte(p.ptes, i).toString(16)) })),
    pages: s.pages,
    devices: s.devices,
    swap: s.swap,
    migrations: s.migrations,
    cursor: s.ramCursor,
  });
}

function run(profile: ProfileId, events: Event[]) {
  let s = createMachine(SETUP, { profile, config: DEFAULT_CONFIG, platform: { arch: 'x86_64', paging: 4, migrationAd: true } });
  const prints = [fingerprint(s)];
  const problems: string[] = [];
  for (const [i, e] of events.entries()) {
    const before = fingerprint(s);
    const r = step(s, e);
    if (!r.ok) {
      if (fingerprint(s) !== before) problems.push(`event ${i} (${e.type}) was refused but changed the state`);
      expect(r.reason.length).toBeGreaterThan(0);
      continue;
    }
    s = r.state;
    prints.push(fingerprint(s));
    for (const inv of checkInvariants(s)) {
      if (!inv.ok) problems.push(`after event ${i} (${JSON.stringify(e)}): ${inv.id}: ${inv.violations[0]?.message}`);
    }
    if (problems.length) break;
  }
  return { prints, problems };
}

describe('random event sequences', () => {
  for (const profile of ['v6.18', 'rfc', '7.3'] as ProfileId[]) {
    it(`under ${profile}: every invariant holds in every reachable state, and refused events change nothing`, () => {
      fc.assert(
        fc.property(events, (evs) => {
          const { problems } = run(profile, evs);
          expect(problems).toEqual([]);
        }),
        { numRuns: runs(700), seed: 20251128 },
      );
    });
  }
  it('replaying the same sequence twice gives identical states', () => {
    fc.assert(
      fc.property(events, fc.constantFrom<ProfileId>('v6.18', 'rfc'), (evs, profile) => {
        expect(run(profile, evs).prints).toEqual(run(profile, evs).prints);
      }),
      { numRuns: runs(300), seed: 7 },
    );
  });
});

// ---- the PMD level ----------------------------------------------------------------------------------

/** Two 2 MiB ranges of a VM_HUGEPAGE VMA, two THPs of RAM, a device with two 2 MiB folios and one fragmented device. */
const PMD_SETUP: MachineSetup = {
  ptes: 1536,
  processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: 1024, prot: 'rw', thp: true }] }],
  ram: ['0x100', '0x101', '0x102', '0x103'],
  hugeRam: ['0x12400', '0x56600'],
  devices: [{ first: '0x200', physFirst: '0x3ffff0000', pages: 1024 }, { first: '0x1000', physFirst: '0x3ffff1000', pages: 64, stride: 2 }],
};

const pmdPid = fc.oneof({ weight: 6, arbitrary: fc.constant(1) }, { weight: 2, arbitrary: fc.constant(2) });
/** PTE indices that matter: the first pages of each 2 MiB range, their middle and their ends. */
const pmdIndex = fc.constantFrom(0, 1, 255, 256, 511, 512, 513, 767, 1023);
const base = fc.constantFrom(0, 512);
const pmdRange = fc.oneof(
  { weight: 3, arbitrary: fc.record({ pid: pmdPid, start: base, pages: fc.constant(512) }) },
  { weight: 2, arbitrary: fc.record({ pid: pmdPid, start: pmdIndex, pages: fc.constantFrom(1, 2, 128, 256) }) },
);

const pmdEvent: fc.Arbitrary<Event> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ type: fc.constant('cpu_fault' as const), pid: pmdPid, index: pmdIndex, access: fc.constantFrom('read' as const, 'write' as const) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('cpu_access' as const), pid: pmdPid, start: pmdIndex, pages: fc.constantFrom(1, 2), access: fc.constantFrom('read' as const, 'write' as const) }) },
  { weight: 3, arbitrary: pmdRange.chain((r) => fc.record({ type: fc.constant('migrate_vma_setup' as const), pid: fc.constant(r.pid), start: fc.constant(r.start), pages: fc.constant(r.pages), select: fc.constantFrom('system' as const, 'device_private' as const), device: fc.constantFrom(0, 1), compound: fc.boolean() })) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('migrate_vma_pages' as const), failAlloc: fc.boolean() }) },
  { weight: 3, arbitrary: fc.constant({ type: 'migrate_vma_finalize' as const }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('migrate_folio_unmap' as const), pid: pmdPid, index: pmdIndex }) },
  { weight: 2, arbitrary: fc.constant({ type: 'migrate_folio_move' as const }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('migrate_device_range' as const), device: fc.constantFrom(0, 1) }) },
  { weight: 1, arbitrary: fc.constant({ type: 'migrate_device_pages' as const }) },
  { weight: 1, arbitrary: fc.constant({ type: 'migrate_device_finalize' as const }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('fork' as const), pid: fc.constant(1) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('exit' as const), pid: fc.constant(2) }) },
  { weight: 2, arbitrary: pmdRange.chain((r) => fc.record({ type: fc.constant('mprotect' as const), pid: fc.constant(r.pid), start: fc.constant(r.start), pages: fc.constant(r.pages), prot: fc.constantFrom('none' as const, 'read' as const, 'rw' as const) })) },
  { weight: 2, arbitrary: pmdRange.map((r) => ({ type: 'munmap' as const, ...r })) },
  { weight: 1, arbitrary: pmdRange.chain((r) => fc.record({ type: fc.constant('mremap' as const), pid: fc.constant(r.pid), start: fc.constant(r.start), pages: fc.constant(r.pages), to: fc.constantFrom(1024, 1152), dontunmap: fc.boolean() })) },
  { weight: 2, arbitrary: pmdRange.chain((r) => fc.record({ type: fc.constant('madvise' as const), pid: fc.constant(r.pid), start: fc.constant(r.start), pages: fc.constant(r.pages), advice: fc.constantFrom('hugepage' as const, 'nohugepage' as const, 'collapse' as const, 'free' as const) })) },
  { weight: 1, arbitrary: pmdRange.chain((r) => fc.record({ type: fc.constant('uffd_wp' as const), pid: fc.constant(r.pid), start: fc.constant(r.start), pages: fc.constant(r.pages), enable: fc.boolean() })) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('hmm_flags' as const), device: fc.constantFrom(0, 1), failAlloc: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('hmm_migrate_to_dev' as const), pid: pmdPid, start: base, pages: fc.constant(512), device: fc.constantFrom(0, 1) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('hmm_migrate_to_sys' as const), pid: pmdPid, start: base, pages: fc.constant(512), device: fc.constantFrom(0, 1) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('swap_out' as const), pid: pmdPid, start: pmdIndex, pages: fc.constant(1) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('memory_failure' as const), pid: pmdPid, index: pmdIndex }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('make_device_exclusive' as const), pid: pmdPid, start: pmdIndex, pages: fc.constant(1), device: fc.constant(0) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('folio_get' as const), pid: pmdPid, index: pmdIndex }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('folio_put' as const), pid: pmdPid, index: pmdIndex }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('hmm_snapshot' as const), pid: pmdPid, start: base, pages: fc.constant(512), device: fc.constant(0) }) },
);

/** A driver's whole migrate_vma cycle (sometimes stopping early), a migrate_pages pair, or one event. */
const pmdChunk: fc.Arbitrary<Event[]> = fc.oneof(
  { weight: 5, arbitrary: pmdEvent.map((e) => [e]) },
  {
    weight: 2,
    arbitrary: fc.tuple(pmdRange, fc.constantFrom('system' as const, 'device_private' as const), fc.constantFrom(0, 1), fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 3 })).map(
      ([r, select, device, compound, failAlloc, upTo]): Event[] => [
        { type: 'migrate_vma_setup', ...r, select, device, compound },
        { type: 'migrate_vma_pages', failAlloc },
        { type: 'migrate_vma_finalize' },
      ].slice(0, upTo) as Event[],
    ),
  },
  { weight: 1, arbitrary: fc.tuple(pmdPid, pmdIndex).map(([p, i]): Event[] => [{ type: 'migrate_folio_unmap', pid: p, index: i }, { type: 'cpu_fault', pid: p, index: i, access: 'read' }, { type: 'migrate_folio_move' }]) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1).map((dv): Event[] => [{ type: 'migrate_device_range', device: dv }, { type: 'migrate_device_pages' }, { type: 'migrate_device_finalize' }]) },
);

/** Sequences start by faulting in a THP (or two), then mix everything. */
const pmdEvents: fc.Arbitrary<Event[]> = fc.tuple(fc.subarray([0, 512], { minLength: 1 }), fc.array(pmdChunk, { minLength: 1, maxLength: 7 })).map(([touch, rest]) => [
  ...touch.map((i): Event => ({ type: 'cpu_fault', pid: 1, index: i, access: 'write' })),
  ...rest.flat(),
]);

/** A cheap digest of everything a step may change (the full fingerprint of a 1536-PTE state is slow). */
function digest(s: MachineState): string {
  let pages = 0;
  for (const b of s.pages.blocks) for (const p of b) pages = (pages * 31 + p.mapcount * 7 + p.entireMapcount * 11 + p.refs * 13 + (p.locked ? 17 : 0) + (p.allocated ? 19 : 0) + (p.data ?? 23) + p.head) % 1_000_000_007;
  const procs = s.processes.map((p) => {
    let w = 0;
    for (const c of p.ptes.chunks) {
      if (!c) continue;
      if (c.pmd) w = (w * 31 + c.pmd.hi * 3 + c.pmd.lo) % 1_000_000_007;
      else for (let k = 0; k < c.words.length; k++) w = (w * 31 + c.words[k]!) % 1_000_000_007;
    }
    return `${p.pid}:${p.alive}:${JSON.stringify(p.vmas)}:${w}`;
  });
  return `${s.pages.length}|${pages}|${procs.join(';')}|${JSON.stringify(s.migrations)}|${JSON.stringify(s.devices.map((d) => [d.failAlloc, Object.keys(d.mirror).length]))}`;
}

describe('random event sequences at the PMD level', () => {
  for (const profile of ['7.3', 'series', 'v6.18'] as ProfileId[]) {
    it(`under ${profile}: THP faults, splits, device THP migrations, fork, mprotect, mremap and madvise keep every invariant, and refused events change nothing`, () => {
      fc.assert(
        fc.property(pmdEvents, (evs) => {
          let s = createMachine(PMD_SETUP, { profile, config: DEFAULT_CONFIG, platform: { arch: 'x86_64', paging: 4, migrationAd: true } });
          const problems: string[] = [];
          for (const [i, e] of evs.entries()) {
            const before = digest(s);
            const r = step(s, e);
            if (!r.ok) {
              if (digest(s) !== before) problems.push(`event ${i} (${e.type}) was refused but changed the state`);
              continue;
            }
            s = r.state;
            for (const inv of checkInvariants(s)) {
              if (!inv.ok) problems.push(`after event ${i} (${JSON.stringify(e)}): ${inv.id}: ${inv.violations[0]?.message}`);
            }
            if (problems.length) break;
          }
          expect(problems).toEqual([]);
        }),
        { numRuns: runs(profile === 'v6.18' ? 8 : 20), seed: 0x12400 },
      );
    }, 60_000);
  }
});
