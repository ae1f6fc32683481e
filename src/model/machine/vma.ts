/** The VMA covering a PTE, and what its flags mean for the entries inside it (mm/mmap.c). */
import { vm_page_prot } from '../kernel/arch/x86_pgtable.ts';
import type { Draft } from './draft.ts';
import type { PteRef, Vma } from './types.ts';

export function vmaOf(d: Draft, r: PteRef): Vma | undefined {
  return d.vmaAt(r.pid, r.index);
}

/** VM_WRITE */
export function vmaWritable(v: Vma): boolean {
  return v.prot === 'rw';
}

/** is_cow_mapping(): a private mapping that may be written (fork write-protects, faults copy). */
export function isCow(v: Vma): boolean {
  return !v.shared;
}

/** vma->vm_page_prot: vm_get_page_prot(vm_flags). */
export function pageProt(v: Vma): bigint {
  return vm_page_prot(v.prot, v.shared);
}

export function defaultVma(v: Partial<Vma>): Vma {
  return {
    start: v.start ?? 0,
    pages: v.pages ?? 1,
    prot: v.prot ?? 'rw',
    shared: v.shared ?? false,
    anon: v.anon ?? true,
    uffdWp: v.uffdWp ?? false,
    uffdWpUnpopulated: v.uffdWpUnpopulated ?? false,
    thp: v.thp ?? false,
  };
}
