/** madvise (mm/madvise.c): MADV_GUARD_INSTALL. */
import { PTE_MARKER_GUARD } from '../../kernel/kernel.ts';
import { refuse, type Draft } from '../draft.ts';
import { hasMarker, markerPte, view } from '../entries.ts';
import { zapOne } from './memory/zap.ts';

/** madvise_guard_install(): zap what is mapped, then a PTE_MARKER_GUARD marker in every PTE. */
export function guardInstall(d: Draft, pid: number, start: number, pages: number): void {
  d.call('madvise_guard_install', 'guard regions: zap what is mapped, then a PTE_MARKER_GUARD marker in every PTE.', () => {
    for (let i = start; i < start + pages; i++) {
      const ref = { pid, index: i };
      if (!d.vmaAt(pid, i)) refuse(`no VMA covers PTE ${i}`);
      const v = view(d, ref);
      if (hasMarker(d, v, PTE_MARKER_GUARD)) continue;
      if (v.kind !== 'none') zapOne(d, ref);
      d.call('make_pte_marker', '', () => d.setPte(ref, markerPte(d, PTE_MARKER_GUARD), -1));
    }
  });
}
