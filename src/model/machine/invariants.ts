/**
 * Invariants checked after every step, each named with the kernel rule behind it. They compare the
 * raw PTE bits (decoded with the profile's own table) with what the machine knows each entry is
 * about, so an entry whose number names the wrong page is caught, not hidden.
 */
import { CLEAR_BIT_PROBLEMS, decodePte } from '../kernel/decode.ts';
import { classify, KIND, newClassified } from '../kernel/leafops.ts';
import { kernelFor, type Kernel } from '../kernel/kernel.ts';
import { INVARIANT_IDS, invariantRule, type InvariantId } from '../kernel/rules.ts';
import { allPages, pageAt } from './pagestore.ts';
import { forEachUsed } from './pagetable.ts';
import type { MachineState, Page } from './types.ts';

export type { InvariantId };

export interface Violation {
  readonly message: string;
  readonly pid?: number;
  readonly index?: number;
  readonly page?: number;
  /** For a PFN that names the wrong page: the page the bits name (if any). */
  readonly named?: number;
}

export interface InvariantResult {
  readonly id: InvariantId;
  readonly name: string;
  readonly rule: string;
  readonly ok: boolean;
  readonly violations: readonly Violation[];
}

/** The invariants, in check order; their names, sentences and sources are in the rules registry (kernel/rules.ts). */
export const INVARIANTS: readonly { id: InvariantId; name: string; rule: string }[] = INVARIANT_IDS.map((id) => {
  const r = invariantRule(id);
  return { id, name: r.title, rule: r.sentence };
});

const MAX_REPORTED = 20;

export function pageLabel(p: Page): string {
  if (p.kind === 'zero') return 'the zero page';
  return p.space === 'device' ? `device offset 0x${p.number.toString(16)}` : `${p.kind === 'device' ? 'device pfn' : 'pfn'} 0x${p.number.toString(16)}`;
}

export function kernelOf(s: MachineState): Kernel {
  return kernelFor(s.options);
}

/** Checks every invariant on a state. */
export function checkInvariants(s: MachineState): InvariantResult[] {
  const k = kernelOf(s);
  const out = new Map<InvariantId, Violation[]>(INVARIANTS.map((i) => [i.id, []]));
  const add = (id: InvariantId, v: Violation) => {
    const list = out.get(id)!;
    if (list.length < MAX_REPORTED) list.push(v);
  };
  const maps = new Map<number, number>();
  const slots = new Map(s.swap.slots.map((x) => [x.slot, x]));
  const c = newClassified();
  for (const p of s.processes) {
    if (!p.alive) continue;
    forEachUsed(p.ptes, (index, hi, lo, target) => {
      classify(k, hi, lo, c);
      if (c.kind === KIND.none) return;
      const where = { pid: p.pid, index };
      if (c.kind === KIND.present) {
        const named = s.pageIndex.find(s.pages, 'phys', c.pfn);
        const tp = target >= 0 ? pageAt(s.pages, target)! : undefined;
        if (tp && tp.kind === 'device') add('no-present-device-private', { ...where, page: target, message: `pid ${p.pid} PTE ${index} is a present PTE for ${pageLabel(tp)}` });
        if (named !== target) add('pfn-names-page', { ...where, page: target, ...(named !== undefined ? { named } : {}), message: `pid ${p.pid} PTE ${index} maps pfn 0x${c.pfn.toString(16)}, which is ${named === undefined ? 'no page' : pageLabel(pageAt(s.pages, named)!)}` });
        if (tp && tp.kind !== 'zero') maps.set(target, (maps.get(target) ?? 0) + 1);
        return;
      }
      const row = k.table.byNumber[c.type];
      if (c.kind === KIND.swap) {
        const slot = slots.get(c.offset);
        if (c.type !== 0 || !slot || slot.count === 0) add('swap-type', { ...where, message: `pid ${p.pid} PTE ${index} is a swap entry for device ${c.type} slot 0x${c.offset.toString(16)}, which is not in use` });
        return;
      }
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
        const tp = target >= 0 ? pageAt(s.pages, target)! : undefined;
        const what = named === undefined ? 'no page' : pageLabel(pageAt(s.pages, named)!);
        add('pfn-names-page', {
          ...where,
          page: target,
          ...(named !== undefined ? { named } : {}),
          message: `pid ${p.pid} PTE ${index}: ${row.name} says ${space === 'device' ? 'device offset' : 'pfn'} 0x${c.pfn.toString(16)}, which is ${what}; the kernel made it for ${tp ? pageLabel(tp) : 'no page'}`,
        });
      }
      if (row.kind === 'migration' || row.kind === 'device-migration') {
        const tp = target >= 0 ? pageAt(s.pages, target)! : undefined;
        if (!tp || !tp.locked) add('migration-locked', { ...where, page: target, message: `pid ${p.pid} PTE ${index} is a migration entry but ${tp ? pageLabel(tp) : 'its page'} is not locked` });
      } else if (row.kind === 'device-private' || row.kind === 'device-exclusive') {
        if (target >= 0) maps.set(target, (maps.get(target) ?? 0) + 1);
      }
    });
  }
  for (const pg of allPages(s.pages)) {
    if (pg.kind === 'zero') continue;
    const n = maps.get(pg.id) ?? 0;
    if (n !== pg.mapcount) add('mapcount', { page: pg.id, message: `${pageLabel(pg)}: mapcount ${pg.mapcount}, but ${n} PTE(s) map it` });
    if (pg.anonExclusive && n > 1) add('exclusive-once', { page: pg.id, message: `${pageLabel(pg)} is PageAnonExclusive but mapped ${n} times` });
  }
  return INVARIANTS.map((i) => {
    const violations = out.get(i.id)!;
    return { ...i, ok: violations.length === 0, violations };
  });
}
