/**
 * The initial machine: processes with their VMAs and empty PTE ranges, free RAM pages, the shared
 * zero page, device-private memory per device, an empty swap device.
 */
import { applyKconfig } from '../kernel/config.ts';
import { HPAGE_PMD_NR } from '../kernel/platform.ts';
import { PROFILES } from '../kernel/profiles.ts';
import { PageIndex } from './pageindex.ts';
import { pageStoreOf } from './pagestore.ts';
import { emptyTable } from './pagetable.ts';
import { defaultVma } from './vma.ts';
import type { Device, KernelOptions, MachineSetup, MachineState, Page, Process } from './types.ts';

export const DEFAULT_VA_BASE = 0x7f0000000000n;
/** The huge zero folio's PFN when the setup names none: pmd-and-thp.md's illustrative 0x3a00. */
export const DEFAULT_HUGE_ZERO_PFN = 0x3a00;
export const DEFAULT_PTES = 512;
/** Up to a 4 GiB range of 4 KiB pages per process. */
export const MAX_PTES = 1_048_576;

export class SetupError extends Error {}

function hexNum(s: string | undefined, fallback: number, what: string): number {
  if (s === undefined) return fallback;
  if (!/^(0x)?[0-9a-fA-F]{1,13}$/.test(s)) throw new SetupError(`${what} "${String(s).slice(0, 30)}" is not a hex number of at most 13 digits`);
  return Number.parseInt(s.replace(/^0x/, ''), 16);
}

/** Builds the state every scenario starts from. Throws SetupError on a malformed setup. */
export function createMachine(setup: MachineSetup, options: KernelOptions): MachineState {
  if (options.platform.arch !== 'x86_64') {
    throw new SetupError('the state machine runs x86_64 page tables (present PTEs are arch-specific); arm64 is available in the decoder and bit layout');
  }
  const ptes = setup.ptes ?? DEFAULT_PTES;
  if (!Number.isInteger(ptes) || ptes < 1 || ptes > MAX_PTES) throw new SetupError(`ptes must be 1..${MAX_PTES}, not ${ptes}`);
  const vaBase = BigInt(hexNum(setup.vaBase, Number(DEFAULT_VA_BASE), 'vaBase')) & ~0xfffn;
  const opts: KernelOptions = { ...options, config: applyKconfig(options.config).config };
  const processes: Process[] = (setup.processes ?? [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: ptes }] }]).map((p) => {
    const vmas = p.vmas.map(defaultVma);
    for (const v of vmas) {
      if (v.start < 0 || v.start + v.pages > ptes) throw new SetupError(`pid ${p.pid}: VMA ${v.start}+${v.pages} is outside the ${ptes}-PTE range`);
    }
    return { pid: p.pid, name: p.name, alive: true, vmas, ptes: emptyTable(ptes) };
  });
  const pages: Page[] = [];
  const pageIndex = new PageIndex();
  const seen = new Set<string>();
  const add = (p: Omit<Page, 'id' | 'head' | 'order' | 'entireMapcount'>, order = 0, head?: number) => {
    const key = `${p.space}:${p.number}`;
    if (seen.has(key)) throw new SetupError(`two pages have number 0x${p.number.toString(16)} in the ${p.space === 'phys' ? 'physical' : 'device-private'} space`);
    const id = pages.length;
    pages.push({
      id, kind: p.kind, space: p.space, number: p.number, device: p.device, allocated: p.allocated, anon: p.anon, mapcount: p.mapcount, refs: p.refs, pins: p.pins,
      locked: p.locked, dirty: p.dirty, anonExclusive: p.anonExclusive, hwpoison: p.hwpoison, data: p.data, swapSlot: p.swapSlot, head: head ?? id, order, entireMapcount: 0,
    });
    seen.add(key);
    pageIndex.add(p.space, p.number, id);
    return id;
  };
  const blank = { anon: true, mapcount: 0, refs: 0, pins: 0, locked: false, dirty: false, anonExclusive: false, hwpoison: false, data: null, swapSlot: null } as const;
  const zeroPfn = hexNum(setup.zeroPfn, 0x2c00, 'zeroPfn');
  // the shared zero page is not PageAnon (it has no anon_vma; vm_normal_page() does not even return it)
  const zeroPage = add({ kind: 'zero', space: 'phys', number: zeroPfn, device: null, allocated: true, ...blank, anon: false, data: 0 });
  const ramOrder = (setup.ram ?? ['0x1234', '0x5678']).map((s) => hexNum(s, 0, 'ram PFN'));
  const hugeRamOrder = (setup.hugeRam ?? []).map((s) => hexNum(s, 0, 'hugeRam head PFN'));
  for (const h of hugeRamOrder) if (h % HPAGE_PMD_NR !== 0) throw new SetupError(`hugeRam head PFN 0x${h.toString(16)} is not 2 MiB aligned (a multiple of 0x200)`);
  const hugeZeroPfn = hexNum(setup.hugeZeroPfn, DEFAULT_HUGE_ZERO_PFN, 'hugeZeroPfn');
  if (hugeZeroPfn % HPAGE_PMD_NR !== 0) throw new SetupError(`hugeZeroPfn 0x${hugeZeroPfn.toString(16)} is not 2 MiB aligned (a multiple of 0x200)`);
  const ramPages = ramOrder.map((pfn) => add({ kind: 'ram', space: 'phys', number: pfn, device: null, allocated: false, ...blank }));
  const deviceSpace = PROFILES[opts.profile].deviceSpace === 'separate' ? 'device' : 'phys';
  const devices: Device[] = (setup.devices ?? [{ first: '0x10', pages: 16 }]).map((d, id) => {
    const first = deviceSpace === 'phys' ? hexNum(d.physFirst ?? d.first, 0x10, 'device physFirst') : hexNum(d.first, 0x10, 'device first page');
    if (!Number.isInteger(d.pages) || d.pages < 1 || d.pages > 65536) throw new SetupError(`device ${id}: pages must be 1..65536`);
    const stride = d.stride ?? 1;
    if (!Number.isInteger(stride) || stride < 1 || stride > 512) throw new SetupError(`device ${id}: stride must be 1..512`);
    const ids: number[] = [];
    for (let i = 0; i < d.pages; i++) {
      ids.push(add({ kind: 'device', space: deviceSpace, number: first + i * stride, device: id, allocated: false, ...blank }));
    }
    return { id, pages: ids, mirror: {}, failAlloc: false };
  });
  return {
    options: opts,
    vaBase,
    ptesPerProcess: ptes,
    processes,
    pages: pageStoreOf(pages),
    pageIndex,
    pageSet: {},
    ramOrder,
    ramPages,
    ramFree: ramPages.length,
    ramMaxPfn: ramOrder.reduce((m, n) => Math.max(m, n), 0),
    ramCursor: 0,
    zeroPage,
    hugeZeroPfn,
    hugeRamOrder,
    hugeRamCursor: 0,
    devices,
    swap: { slots: [], nextSlot: hexNum(setup.swapFirstSlot, 0x42, 'swapFirstSlot') },
    migrations: [],
    nextMigrationId: 1,
    time: 0,
  };
}
