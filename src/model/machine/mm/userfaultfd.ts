/** userfaultfd (mm/userfaultfd.c): UFFDIO_WRITEPROTECT and UFFDIO_POISON. */
import { PTE_MARKER_POISONED } from '../../kernel/kernel.ts';
import { refuse, type Draft } from '../draft.ts';
import { markerPte, view } from '../entries.ts';
import type { PteRef } from '../types.ts';
import { changeProtection, splitAndPatch } from './mprotect.ts';

/** UFFDIO_WRITEPROTECT (registering the range for uffd-wp first if needed): mwriteprotect_range(). */
export function uffdWriteprotect(d: Draft, pid: number, start: number, pages: number, enable: boolean, unpopulated: boolean): void {
  d.call('mwriteprotect_range', `UFFDIO_WRITEPROTECT ${enable ? 'sets' : 'clears'} uffd-wp on PTEs ${start}..${start + pages - 1}.`, () => {
    const covered = splitAndPatch(d, pid, start, pages, (v) => ({ ...v, uffdWp: true, uffdWpUnpopulated: v.uffdWpUnpopulated || unpopulated }));
    for (const v of covered) {
      d.call('uffd_wp_range', '', () =>
        changeProtection(d, pid, v, { uffdWp: enable, uffdWpResolve: !enable, tryChangeWritable: !enable && v.prot === 'rw' && !v.shared }));
    }
  });
}

/** UFFDIO_POISON: mfill_atomic_pte_poison() installs a PTE_MARKER_POISONED marker in a none PTE. */
export function uffdioPoison(d: Draft, ref: PteRef): void {
  if (!d.vmaAt(ref.pid, ref.index)) refuse(`no VMA covers PTE ${ref.index}`);
  if (d.pmdEntry(ref) || view(d, ref).kind !== 'none') {
    d.call('mfill_atomic_pte_poison', 'the PTE is not none: -EEXIST.');
    d.result.ret = '-EEXIST';
    return;
  }
  d.call('mfill_atomic_pte_poison', 'installs a PTE_MARKER_POISONED marker: any access gets SIGBUS.', () =>
    d.call('make_pte_marker', '', () => d.setPte(ref, markerPte(d, PTE_MARKER_POISONED))));
}
