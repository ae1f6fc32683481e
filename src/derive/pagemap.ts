/**
 * The /proc/PID/pagemap record of a PTE of the machine, with the context pte_to_pagemap_entry()
 * reads taken from the machine: the folio the entry is about (anon or not, mapped once or not),
 * the zero page, the VMA's uffd-wp registration. Two things the machine does not track are assumed
 * and said: the VMA's soft-dirty bit is clear (as after `echo 4 > /proc/PID/clear_refs`) and the
 * reader has CAP_SYS_ADMIN (the frame is shown).
 */
import {
  decodePagemap, kernelOf, pageAt, pagemapOfPte, pmdEntry, readPte, readTarget, type DecodedPagemap, type MachineState, type PagemapContext, type PteRef,
} from '../model/index.ts';
import { pagemapRecords } from './pmd.ts';

/** What the context assumes beyond what the machine says, in one sentence. */
export const PAGEMAP_ASSUMED = 'the VMA\'s soft-dirty bit cleared (after clear_refs 4) and a reader with CAP_SYS_ADMIN';

export function pagemapContextAt(s: MachineState, ref: PteRef, showPfn = true): PagemapContext {
  const proc = s.processes.find((p) => p.pid === ref.pid);
  const vma = proc?.vmas.find((v) => ref.index >= v.start && ref.index < v.start + v.pages);
  const target = proc && ref.index < proc.ptes.length ? readTarget(proc.ptes, ref.index) : -1;
  const page = target >= 0 ? pageAt(s.pages, target) : undefined;
  const zero = page?.kind === 'zero';
  return {
    vma: { softDirty: false, uffd: vma?.uffdWp ? 'wp' : 'none' },
    page: page && !zero ? { anon: page.anon, mappedOnce: page.mapcount === 1 } : null,
    zeroPfn: zero,
    showPfn,
  };
}

/**
 * The record of PTE `ref` at state `s`, decoded under the state's kernel; inside a PMD leaf, the
 * record of that 4 KiB page of it (pagemap_pmd_range_thp(), as pagemapRecords() gives it).
 */
export function pagemapAt(s: MachineState, ref: PteRef, showPfn = true): DecodedPagemap {
  const k = kernelOf(s);
  const proc = s.processes.find((p) => p.pid === ref.pid);
  if (proc && ref.index < proc.ptes.length && pmdEntry(proc.ptes, ref.index)) {
    return decodePagemap(k, pagemapRecords(s, ref.pid, ref.index, 1, showPfn)[0]!, { pfnVisible: showPfn });
  }
  const pte = proc && ref.index < proc.ptes.length ? readPte(proc.ptes, ref.index) : 0n;
  return decodePagemap(k, pagemapOfPte(k, pte, pagemapContextAt(s, ref, showPfn)), { pfnVisible: showPfn });
}
