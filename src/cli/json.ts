/**
 * The CLI's JSON shapes of a decoded PTE and of a decoded pagemap record: one flat object each,
 * 64-bit numbers as `0x…` strings.
 */
import type { DecodedPagemap, DecodedPte, PmdPresentInfo } from '../model/kernel/index.ts';
import { hex, hex64, problemRule, PROFILES, ruleLinks } from '../model/kernel/index.ts';

export type DecodeJson = Record<string, unknown>;

/** The kernel rule of each problem of a decoded PTE, index for index: its registry id and source link. */
export function problemSources(d: DecodedPte): { rule: string; source: string; url: string }[] {
  return d.problemKinds.map((kind) => {
    const r = problemRule(kind);
    const [l] = ruleLinks(r, PROFILES[d.profile], d.arch);
    return { rule: r.id, source: l!.text, url: l!.href };
  });
}

/**
 * `pagemap`: the entry's /proc/PID/pagemap record under the default context, when given. A PMD
 * (d.level 'pmd') is named `pmd` instead of `pte`, says `level`, and its `predicates` include the PMD
 * helpers; a present PMD also says whether it is a huge leaf and whether it is the invalidated value.
 */
export function decodedToJson(d: DecodedPte, input?: string, pagemap?: bigint): DecodeJson {
  const pmd = d.level === 'pmd';
  const base: DecodeJson = {
    ...(input !== undefined ? { input } : {}), ...(pmd ? { pmd: d.pte, level: 'pmd' } : { pte: d.pte }), kind: d.kind, summary: d.summary,
    ...(pagemap !== undefined ? { pagemap: hex64(pagemap) } : {}),
    ...(d.atPmd ? { validAtPmd: d.atPmd.valid, ...(d.atPmd.valid ? {} : { whyNotAtPmd: d.atPmd.why }) } : {}),
  };
  if (d.present) {
    const p = d.present;
    const m = pmd ? (p as PmdPresentInfo) : null;
    return {
      ...base,
      pfn: hex(p.pfn),
      ...(m ? { huge: m.leaf, invalidated: m.invalidated, predicates: d.pmdPredicates } : {}),
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
      problemRules: problemSources(d),
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
      predicates: pmd ? { ...s.predicates, ...d.pmdPredicates } : s.predicates,
      ...(s.softleafType !== null ? { softleafType: s.softleafType } : {}),
      problems: d.problems,
      problemRules: problemSources(d),
    };
  }
  return { ...base, ...(pmd ? { predicates: d.pmdPredicates } : {}), problems: d.problems, problemRules: problemSources(d) };
}

export function pagemapToJson(d: DecodedPagemap, input?: string): DecodeJson {
  const s = d.swapEntry;
  return {
    ...(input !== undefined ? { input } : {}),
    record: d.record,
    kind: d.kind,
    summary: d.summary,
    present: d.present,
    swap: d.swap,
    file: d.file,
    exclusive: d.exclusive,
    uffdWp: d.uffdWp,
    guard: d.guard,
    softDirty: d.softDirty,
    pfnVisible: d.pfnVisible,
    pfn: d.pfn === null ? null : hex(d.pfn),
    pfnSpace: d.pfnSpace,
    type: s ? s.type : null,
    typeName: s ? s.typeName : null,
    offset: s ? hex(s.offset) : null,
    ...(s?.softleafType ? { softleafType: s.softleafType } : {}),
    marker: d.marker ? { bits: d.marker.bits, uffdWp: d.marker.uffdWp, poisoned: d.marker.poisoned, guard: d.marker.guard } : null,
    problems: d.problems,
  };
}
