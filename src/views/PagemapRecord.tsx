import { useMemo, useRef, useState } from 'react';
import { hex, hex64, vaHex, type DecodedPagemap } from '../model/index.ts';
import { entryAt, PAGEMAP_ASSUMED, pagemapAt, pmdPagemapEnds } from '../derive/index.ts';
import { BitSvg, GEOMETRY, useLanes } from './BitSvg.tsx';
import { KIND_STYLE } from './kindStyle.ts';
import { useSwapviz, useSwapvizShallow } from './StoreContext.tsx';
import { useCurrent } from './useDerived.ts';

/**
 * The /proc/PID/pagemap record user space reads for the selected PTE (fs/proc/task_mmu.c
 * pte_to_pagemap_entry()), drawn with the same lanes and labels as the PTE. Inside a PMD leaf there
 * is a record per 4 KiB page (pagemap_pmd_range_thp()): the selected index picks the page.
 */
export function PagemapRecord() {
  const { state } = useCurrent();
  const { selection, scratch } = useSwapvizShallow((s) => ({ selection: s.selection, scratch: s.scratch }));
  const select = useSwapviz((s) => s.actions.select);
  const rec = useMemo(() => pagemapAt(state, selection), [state, selection]);
  const entry = entryAt(state, selection);
  const pmd = entry?.level === 'pmd' ? entry : null;
  const ends = useMemo(() => pmdPagemapEnds(state, selection.pid, selection.index), [state, selection.pid, selection.index]);
  // The record's picture is drawn only while the record is open: closed, it costs nothing per step.
  const [open, setOpen] = useState(false);
  if (scratch) return null;
  const sub = pmd ? selection.index - pmd.from : 0;
  return (
    <details className="pagemap-record" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        /proc/{selection.pid}/pagemap record of {pmd ? `4 KiB page ${sub} of this PMD` : 'this PTE'}: <code>{rec.record}</code> — {rec.summary}
      </summary>
      {pmd && ends ? (
        <div className="subpage">
          <label>
            4 KiB page of the PMD (0–{pmd.to - pmd.from}){' '}
            <input type="number" min={0} max={pmd.to - pmd.from} step={1} value={sub}
              onChange={(e) => {
                const i = Number(e.target.value);
                if (Number.isInteger(i) && i >= 0 && i <= pmd.to - pmd.from) select({ pid: selection.pid, index: pmd.from + i });
              }} />
          </label>
          <span className="note"> at {vaHex(state, selection.index)} (PTE index {selection.index})</span>
          <p className="note">
            The PMD has one record per 4 KiB page: page 0 reads <code>{hex64(ends.first)}</code>, page {ends.pages - 1} reads <code>{hex64(ends.last)}</code>
            {ends.step ? ` (each page ${hex(ends.step)} more)` : ''}.
          </p>
        </div>
      ) : null}
      {open ? <RecordPicture rec={rec} label={`64 bits of the pagemap record ${rec.record}: ${rec.summary}`} /> : null}
      <p className="note">
        {pmd
          ? <>What pagemap_pmd_range_thp() (fs/proc/task_mmu.c) reports for this page of the PMD: {rec.kind === 'present' ? 'the frame is the PMD\'s PFN plus the page\'s index; PM_MMAP_EXCLUSIVE is decided with the folio\'s head page for all 512' : 'PM_SWAP, the frame is the type and the entry\'s number plus the page\'s index (shifted by 5); never PM_MMAP_EXCLUSIVE'}
            {rec.file ? ', not anonymous (PM_FILE)' : ''}. It assumes {PAGEMAP_ASSUMED}.</>
          : <>What pte_to_pagemap_entry() (fs/proc/task_mmu.c) reports for this PTE: the page is {rec.exclusive ? 'mapped exactly once (PM_MMAP_EXCLUSIVE)' : 'not mapped exactly once'}
            {rec.file ? ', not anonymous (PM_FILE)' : ''}. It assumes {PAGEMAP_ASSUMED}.</>}
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
