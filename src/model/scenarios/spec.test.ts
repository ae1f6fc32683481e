import { describe, expect, it } from 'vitest';
import { vectors } from '../../../test/vectors.ts';
import { DEFAULT_CONFIG } from '../kernel/config.ts';
import { hex64 } from '../kernel/u64.ts';
import type { ProfileId } from '../kernel/profiles.ts';
import { createMachine } from '../machine/init.ts';
import { readPte } from '../machine/pagetable.ts';
import { step } from '../machine/step.ts';
import { isKernelFunction } from '../machine/functions.ts';
import type { MachineState, TraceEntry } from '../machine/types.ts';
import { SPEC_SCENARIOS } from './spec.ts';

function run(id: string, profile: ProfileId) {
  const sc = SPEC_SCENARIOS.find((s) => s.id === id)!;
  let s: MachineState = createMachine(sc.setup, { profile, config: DEFAULT_CONFIG, platform: { arch: 'x86_64', paging: 4, migrationAd: sc.migrationAd ?? true } });
  const states = [s];
  const traces: TraceEntry[][] = [[]];
  for (const [i, ev] of sc.events.entries()) {
    const r = step(s, ev);
    if (!r.ok) throw new Error(`${id} event ${i} (${ev.type}) refused: ${r.reason}`);
    s = r.state;
    states.push(s);
    traces.push([...r.trace]);
  }
  return { sc, states, traces };
}

function valueAt(id: string, profile: ProfileId, stepNo: number): string {
  const { sc, states, traces } = run(id, profile);
  const cp = sc.checkpoints!.find((c) => c.step === stepNo)!;
  if (cp.mid) {
    const entry = traces[cp.after + 1]!.find((t) => t.fn === cp.mid && t.changes.some((c) => c.kind === 'pte' && c.pid === cp.pid && c.index === cp.index))!;
    const ch = entry.changes.find((c) => c.kind === 'pte' && c.pid === cp.pid && c.index === cp.index)!;
    return hex64((ch as { after: bigint }).after);
  }
  const st = states[cp.after + 1]!;
  const proc = st.processes.find((p) => p.pid === cp.pid)!;
  return hex64(readPte(proc.ptes, cp.index));
}

describe('spec scenarios S01–S22 reproduce the kernel-computed PTE values', () => {
  for (const v of vectors.scenarios) {
    describe(`${v.id}: ${v.title}`, () => {
      for (const st of v.steps) {
        it(`step ${st.step} (${st.event}) before the series: ${st.before.pte}`, () => expect(valueAt(v.id, 'v6.18', st.step)).toBe(st.before.pte));
        it(`step ${st.step} after RFC 4/6: ${st.after_rfc.pte}`, () => expect(valueAt(v.id, 'rfc', st.step)).toBe(st.after_rfc.pte));
        it(`step ${st.step} in 7.3 equals the pre-series value`, () => expect(valueAt(v.id, '7.3', st.step)).toBe(st.before.pte));
        it(`step ${st.step} under the series v6 equals the RFC value`, () => expect(valueAt(v.id, 'series', st.step)).toBe(st.after_rfc.pte));
      }
    });
  }
});

/** Kernel functions of a spec kernel_path, in order, as a given profile's trace names them. */
const softleaf = (p: ProfileId) => p === '7.3' || p === 'series';

function pathFunctions(path: string, profile: ProfileId): string[] {
  if (path === '-') return [];
  return path
    .replace(/pgmap->ops->/g, '')
    .split('->')
    .map((p) => p.trim())
    .filter((p) => softleaf(profile) || !/\(7\.3\)$/.test(p))
    .map((p) => p.replace(/\(.*\)$/, '').trim())
    .map((p) => (p === 'swp_pte_prepare' && !softleaf(profile) ? '' : p))
    .map((p) => (p === 'map_anon_folio_pte_nopf' && !softleaf(profile) ? '' : p))
    // v1 of the series renamed the RFC's read-exclusive constructor (Chih-En Lin's review)
    .map((p) => (p === 'make_device_migration_readable_exclusive_migration_entry' && profile === 'series' ? 'make_readable_exclusive_migration_device_private_entry' : p))
    .filter(Boolean);
}

function isSubsequence(want: string[], got: string[]): boolean {
  let i = 0;
  for (const g of got) if (g === want[i]) i++;
  return i === want.length;
}

describe('every trace names real kernel functions, in call order', () => {
  for (const v of vectors.scenarios) {
    for (const profile of ['v6.18', 'rfc', '7.3', 'series'] as ProfileId[]) {
      it(`${v.id} under ${profile}: the spec's kernel path of every step appears in the trace, in order`, () => {
        const { sc, traces } = run(v.id, profile);
        for (const st of v.steps) {
          const cp = sc.checkpoints!.find((c) => c.step === st.step)!;
          const fns = (traces[cp.after + 1] ?? []).map((t) => t.fn);
          for (const f of fns) expect([f, isKernelFunction(f)]).toEqual([f, true]);
          const want = pathFunctions(st.kernel_path, profile);
          expect([st.kernel_path, isSubsequence(want, fns)]).toEqual([st.kernel_path, true]);
        }
      });
    }
  }
});
