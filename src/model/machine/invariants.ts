/**
 * Invariants checked after every step, each named with the kernel rule behind it. They compare the
 * raw PTE bits (decoded with the profile's own table) with what the machine knows each entry is
 * about, so an entry whose number names the wrong page is caught, not hidden.
 */
import { CLEAR_BIT_PROBLEMS, decodePte } from '../kernel/decode.ts';
import { classify, KIND, kindOfCode, newClassified, PMD_KIND_RULES } from '../kernel/leafops.ts';
import { kernelFor, type Kernel } from '../kernel/kernel.ts';
import { HPAGE_PMD_NR, HPAGE_PMD_ORDER } from '../kernel/platform.ts';
import { allPages, pageAt } from './pagestore.ts';
import { forEachPmd, forEachUsed } from './pagetable.ts';
import type { MachineState, Page } from './types.ts';

export type InvariantId =
  | 'pfn-names-page' | 'no-present-device-private' | 'mapcount' | 'migration-locked' | 'swap-type' | 'clear-bits' | 'exclusive-once' | 'pmd-leaf';

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

export const INVARIANTS: readonly { id: InvariantId; name: string; rule: string }[] = [
  {
    id: 'pfn-names-page',
    name: 'every PFN-carrying entry names its page, in the right space',
    rule: 'pfn_swap_entry_to_page() (softleaf_to_page() in 7.3) must give back the page the entry was made for: a migration, device-private, device-exclusive or hwpoison entry stores that page\'s number, and its type says which space the number is in',
  },
  {
    id: 'no-present-device-private',
    name: 'no present PTE maps a device-private page',
    rule: 'MEMORY_DEVICE_PRIVATE memory is not CPU-addressable: only SWP_DEVICE_* entries may point at it; any CPU access must fault into migrate_to_ram()',
  },
  {
    id: 'mapcount',
    name: 'a page\'s mapcount equals the PTEs that map it',
    rule: 'folio_mapcount() counts present, device-private and device-exclusive mappings (folio_add_*_rmap / folio_remove_rmap_pte); migration entries hold no mapping',
  },
  {
    id: 'migration-locked',
    name: 'migration entries exist only while their page is locked',
    rule: 'a migration entry is installed with the folio locked and removed before it is unlocked; migration_entry_wait() sleeps on that lock',
  },
  {
    id: 'swap-type',
    name: 'swap types: specials only at or above MAX_SWAPFILES, real swap entries name a used slot',
    rule: 'non_swap_entry(): a type >= MAX_SWAPFILES is one of the profile\'s special types; a type below it is a swap device whose swap_map count for the slot is non-zero',
  },
  {
    id: 'clear-bits',
    name: 'bits that must stay clear are clear',
    rule: 'the x86 swap format keeps bits 4-8 clear (_PAGE_PROTNONE, _PAGE_PSE, the KNL A/D erratum bits); a migration entry has nothing above SWP_MIG_DIRTY_BIT, and A/D only when migration_entry_supports_ad()',
  },
  {
    id: 'exclusive-once',
    name: 'an anon-exclusive page is mapped at most once',
    rule: 'PageAnonExclusive: only one process may map the page; fork and try_to_migrate clear it (folio_try_share_anon_rmap_pte / _pmd) before a second mapping appears',
  },
  {
    id: 'pmd-leaf',
    name: 'a PMD leaf maps one whole 2 MiB folio inside one VMA, and only migration or device-private entries sit in a PMD',
    rule: 'the THP fault, remove_migration_pmd() and migrate_vma_insert_huge_pmd_page() install a PMD only for a 512-aligned folio of order 9 whose 2 MiB a VMA covers (vma_adjust_trans_huge() splits it when a VMA boundary would cut it); softleaf_is_valid_pmd_entry(): "Only device private, migration entries valid for PMD"',
  },
];

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
  const pmdMaps = new Map<number, number>();
  const slots = new Map(s.swap.slots.map((x) => [x.slot, x]));
  const c = newClassified();
  const headOf = (id: number): Page | undefined => {
    const p = id >= 0 ? pageAt(s.pages, id) : undefined;
    return p && p.head !== p.id ? pageAt(s.pages, p.head) : p;
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
      if (c.kind === KIND.present) {
        const named = s.pageIndex.find(s.pages, 'phys', c.pfn);
        if (tp && tp.kind === 'device') add('no-present-device-private', { ...where, page: target, message: `${at} is a present PMD for ${pageLabel(tp)}` });
        if (named !== target) add('pfn-names-page', { ...where, page: target, ...(named !== undefined ? { named } : {}), message: `${at} maps pfn 0x${c.pfn.toString(16)}, which is ${named === undefined ? 'no page' : pageLabel(pageAt(s.pages, named)!)}` });
        if (tp && (tp.order !== HPAGE_PMD_ORDER || tp.head !== tp.id || tp.number % HPAGE_PMD_NR !== 0)) add('pmd-leaf', { ...where, page: target, message: `${at} maps ${pageLabel(tp)}, which is not the head of a 2 MiB folio` });
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
          message: `${at}: ${row.name} says ${space === 'device' ? 'device offset' : 'pfn'} 0x${c.pfn.toString(16)}, which is ${named === undefined ? 'no page' : pageLabel(pageAt(s.pages, named)!)}; the kernel made it for ${tp ? pageLabel(tp) : 'no page'}`,
        });
      }
      if (tp && (tp.order !== HPAGE_PMD_ORDER || tp.head !== tp.id)) add('pmd-leaf', { ...where, page: target, message: `${at}: ${row.name} names ${pageLabel(tp)}, which is not the head of a 2 MiB folio` });
      if (row.kind === 'migration' || row.kind === 'device-migration') {
        if (!tp || !tp.locked) add('migration-locked', { ...where, page: target, message: `${at} is a migration PMD but ${tp ? pageLabel(tp) : 'its folio'} is not locked` });
      } else if (target >= 0) {
        pmdMaps.set(target, (pmdMaps.get(target) ?? 0) + 1);
      }
    });
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
        const tp = headOf(target);
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
    const m = pmdMaps.get(pg.id) ?? 0;
    if (m !== pg.entireMapcount) add('mapcount', { page: pg.id, message: `${pageLabel(pg)}: entire mapcount ${pg.entireMapcount}, but ${m} PMD(s) map its 2 MiB folio` });
    if (pg.anonExclusive && n > 1) add('exclusive-once', { page: pg.id, message: `${pageLabel(pg)} is PageAnonExclusive but mapped ${n} times` });
    if (pg.anonExclusive && m > 1) add('exclusive-once', { page: pg.id, message: `${pageLabel(pg)} is PageAnonExclusive but ${m} PMDs map its 2 MiB folio` });
  }
  return INVARIANTS.map((i) => {
    const violations = out.get(i.id)!;
    return { ...i, ok: violations.length === 0, violations };
  });
}
