/**
 * The CLI's JSON shape of a decoded PTE: one flat object, 64-bit numbers as `0x…` strings.
 */
import type { DecodedPte } from '../model/kernel/index.ts';
import { hex, hex64 } from '../model/kernel/index.ts';

export type DecodeJson = Record<string, unknown>;

export function decodedToJson(d: DecodedPte, input?: string): DecodeJson {
  const base: DecodeJson = { ...(input !== undefined ? { input } : {}), pte: d.pte, kind: d.kind, summary: d.summary };
  if (d.present) {
    const p = d.present;
    return {
      ...base,
      pfn: hex(p.pfn),
      writable: p.writable,
      accessed: p.accessed,
      dirty: p.dirty,
      savedDirty: p.savedDirty,
      softDirty: p.softDirty,
      uffdWp: p.uffdWp,
      protnone: p.protnone,
      nx: p.nx,
      special: p.special,
      problems: d.problems,
    };
  }
  if (d.swap) {
    const s = d.swap;
    return {
      ...base,
      type: s.type,
      typeName: s.typeName,
      offset: hex(s.offset),
      pfn: s.pfn === null ? null : hex(s.pfn),
      pfnSpace: s.pfnSpace,
      swpEntry: hex64(s.swpEntry),
      softDirty: s.softDirty,
      uffdWp: s.uffdWp,
      exclusive: s.exclusive,
      migrationYoung: s.migration?.young ?? false,
      migrationDirty: s.migration?.dirty ?? false,
      marker: s.marker ? { bits: s.marker.bits, uffdWp: s.marker.uffdWp, poisoned: s.marker.poisoned, guard: s.marker.guard } : null,
      predicates: s.predicates,
      ...(s.softleafType !== null ? { softleafType: s.softleafType } : {}),
      problems: d.problems,
    };
  }
  return { ...base, problems: d.problems };
}
