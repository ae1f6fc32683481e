import { useMemo, useRef } from 'react';
import { hex, type DecodedPagemap } from '../model/index.ts';
import { PAGEMAP_ASSUMED, pagemapAt } from '../derive/index.ts';
import { BitSvg, GEOMETRY, useLanes } from './BitSvg.tsx';
import { KIND_STYLE } from './kindStyle.ts';
import { useSwapvizShallow } from './StoreContext.tsx';
import { useCurrent } from './useDerived.ts';

/**
 * The /proc/PID/pagemap record user space reads for the selected PTE (fs/proc/task_mmu.c
 * pte_to_pagemap_entry()), drawn with the same lanes and labels as the PTE.
 */
export function PagemapRecord() {
  const { state } = useCurrent();
  const { selection, scratch } = useSwapvizShallow((s) => ({ selection: s.selection, scratch: s.scratch }));
  const rec = useMemo(() => pagemapAt(state, selection), [state, selection]);
  if (scratch) return null;
  return (
    <details className="pagemap-record">
      <summary>/proc/{selection.pid}/pagemap record of this PTE: <code>{rec.record}</code> — {rec.summary}</summary>
      <RecordPicture rec={rec} label={`64 bits of the pagemap record ${rec.record}: ${rec.summary}`} />
      <p className="note">
        What pte_to_pagemap_entry() (fs/proc/task_mmu.c) reports for this PTE: the page is {rec.exclusive ? 'mapped exactly once (PM_MMAP_EXCLUSIVE)' : 'not mapped exactly once'}
        {rec.file ? ', not anonymous (PM_FILE)' : ''}. It assumes {PAGEMAP_ASSUMED}.
      </p>
    </details>
  );
}

/** A pagemap record's 64 bits, labelled like a PTE's; its kind as the record implies it. */
export function RecordPicture({ rec, label }: { rec: DecodedPagemap; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const g = GEOMETRY[useLanes(box)];
  const svg = useRef<SVGSVGElement>(null);
  const kind = rec.kind ? KIND_STYLE[rec.kind] : null;
  return (
    <div ref={box} className="record-picture">
      <p className="summary">
        {kind ? <span className={`kind ${kind.cls}`}>{kind.label}</span> : <span className="kind k-none">kind not shown</span>}{' '}
        {rec.summary}{rec.pfn !== null ? ` (${rec.pfnSpace === 'device' ? 'device offset' : 'pfn'} ${hex(rec.pfn)})` : ''}
      </p>
      <div className="bits-scroll">
        <BitSvg words={[{ d: { raw: rec.raw, fields: rec.fields, pte: rec.record, summary: rec.summary }, before: rec.raw }]} svgRef={svg} g={g}
          stale={false} undone={null} marks={null} label={label} readOnly onToggle={() => undefined} />
      </div>
      {rec.problems.length ? (
        <ul className="problems" aria-label="Why pte_to_pagemap_entry() never produces this record">
          {rec.problems.map((p) => <li key={p}>{p}</li>)}
        </ul>
      ) : null}
    </div>
  );
}
