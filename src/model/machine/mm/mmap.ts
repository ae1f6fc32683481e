/**
 * Address-space changes (mm/mmap.c, mm/vma.c): mmap, munmap (do_vmi_munmap), exit (exit_mmap) and
 * fork (dup_mmap, whose page tables copy_page_range copies).
 */
import { refuse, type Draft } from '../draft.ts';
import { dmirror_interval_invalidate } from '../drivers/test_hmm.ts';
import { emptyTable } from '../pagetable.ts';
import type { Process, Prot, Vma } from '../types.ts';
import { defaultVma } from '../vma.ts';
import { splitAtBoundary } from './huge_memory.ts';
import { copyPageRange } from './memory/copy.ts';
import { zapRange } from './memory/zap.ts';

export function mmap(d: Draft, pid: number, start: number, pages: number, prot: Prot, shared: boolean, file: boolean): void {
  const p = d.proc(pid);
  if (p.vmas.some((v) => v.start < start + pages && v.start + v.pages > start)) refuse(`PTEs ${start}..${start + pages - 1} overlap an existing VMA (this model does not do MAP_FIXED replacement)`);
  d.call('do_mmap', `a new ${shared ? 'shared' : 'private'} ${file ? 'file' : 'anonymous'} VMA, no PTEs yet (they are filled by faults).`, () => {
    const vma = defaultVma({ start, pages, prot, shared, anon: !file });
    d.setProcess(pid, (x) => ({ ...x, vmas: [...x.vmas, vma].sort((a, b) => a.start - b.start) }));
  });
}

/** The VMAs left after removing [start, start + pages): the parts of each VMA before and after the range. */
export function vmasWithout(vmas: readonly Vma[], start: number, pages: number): Vma[] {
  const end = start + pages;
  const out: Vma[] = [];
  for (const v of vmas) {
    const vEnd = v.start + v.pages;
    if (v.start < start) out.push({ ...v, pages: Math.min(vEnd, start) - v.start });
    if (vEnd > end) out.push({ ...v, start: Math.max(v.start, end), pages: vEnd - Math.max(v.start, end) });
  }
  return out;
}

export function munmap(d: Draft, pid: number, start: number, pages: number): void {
  const p = d.proc(pid);
  d.call('do_vmi_munmap', `unmaps PTEs ${start}..${start + pages - 1}.`, () => {
    splitAtBoundary(d, pid, start);
    splitAtBoundary(d, pid, start + pages);
    d.call('zap_pte_range', 'drops every mapping: rmap and references, swap slot counts; migration entries are just cleared.', () => zapRange(d, pid, start, pages, true));
    dmirror_interval_invalidate(d, pid, start, pages);
    d.setProcess(pid, (x) => ({ ...x, vmas: vmasWithout(p.vmas, start, pages) }));
  });
}

export function exit(d: Draft, pid: number): void {
  const p = d.proc(pid);
  d.call('exit_mmap', `pid ${pid} exits: every VMA is unmapped.`, () => {
    for (const v of p.vmas) {
      d.call('unmap_vmas', '', () => zapRange(d, pid, v.start, v.pages, true));
      dmirror_interval_invalidate(d, pid, v.start, v.pages);
    }
  });
  d.setProcess(pid, (x) => ({ ...x, alive: false, vmas: [] }));
}

/** fork(): dup_mmap copies every VMA, and copy_page_range every page table. Returns the child's pid. */
export function fork(d: Draft, pid: number): number {
  const parent = d.proc(pid);
  const childPid = Math.max(...d.allProcs().map((p) => p.pid), ...d.base.processes.map((p) => p.pid)) + 1;
  const name = parent.name === 'task' ? 'child' : `${parent.name}'s child`;
  if (parent.name === 'task') d.setProcess(pid, (p) => ({ ...p, name: 'parent' }));
  const child: Process = {
    pid: childPid,
    name,
    alive: true,
    vmas: parent.vmas.map((v) => ({ ...v, uffdWp: false, uffdWpUnpopulated: false })),
    ptes: emptyTable(parent.ptes.length),
  };
  d.addProcess(child);
  d.call('dup_mmap', `pid ${pid} forks: pid ${childPid} gets a copy of every VMA.`, () => {
    d.call('copy_page_range', 'copies the page tables of every VMA (COW for private ones).', () => {
      parent.vmas.forEach((vma, n) => copyPageRange(d, pid, childPid, vma, child.vmas[n]!));
    });
  });
  d.result.note = `child pid ${childPid}`;
  return childPid;
}
