import { useMemo, useRef, useState, type KeyboardEvent, type UIEvent } from 'react';
import { decodePagemap, ENTRY_KINDS, hex, kpageflagNames, PROFILES, type DecodedPagemap, type Kernel } from '../model/index.ts';
import { captureRows, type CaptureRow } from '../derive/index.ts';
import { snapshotKernel, snapshotKpageflags, snapshotPageAddress, snapshotRecord, type Snapshot } from '../snapshot/index.ts';
import type { OpenCapture } from '../store/store.ts';
import { KIND_STYLE } from './kindStyle.ts';
import { RecordPicture } from './PagemapRecord.tsx';
import { useSwapviz } from './StoreContext.tsx';

const ROW = 26;
const VISIBLE = 18;

/** Records decoded so far, per snapshot (its kernel comes from the snapshot). */
const decodedOf = new WeakMap<Snapshot, Map<number, DecodedPagemap>>();

/**
 * A captured process (`swapviz capture PID`), read-only: what was captured and under which kernel,
 * the /proc/PID/pagemap records VMA by VMA (empty runs folded), and the selected record's bits.
 * Rows are pagemap records, not PTEs: what user space reads, which is not always what the PTE holds.
 */
export function CaptureView({ capture }: { capture: OpenCapture }) {
  const s = capture.snapshot;
  const k = useMemo(() => snapshotKernel(s), [s]);
  const rows = useMemo(() => captureRows(s, k), [s, k]);
  const rec = useMemo(() => decodePagemap(k, snapshotRecord(s, capture.record), { pfnVisible: s.pfnVisible }), [k, s, capture.record]);
  const flags = snapshotKpageflags(s, capture.record);
  const vma = s.vmas.find((v) => capture.record >= v.first && capture.record < v.first + v.count);
  const va = vma ? snapshotPageAddress(vma, capture.record - vma.first) : null;
  return (
    <main className="layout capture-layout">
      <div className="col-left">
        <CaptureInfo capture={capture} k={k} counts={rows.counts} />
      </div>
      <div className="col-right">
        <RecordList s={s} k={k} rows={rows} selected={capture.record} />
        <section className="panel" aria-labelledby="record-h">
          <h2 id="record-h">Pagemap record {va !== null ? `at ${hex(va)}` : ''}: <code>{rec.record}</code></h2>
          <RecordPicture rec={rec} label={`64 bits of the pagemap record ${rec.record}: ${rec.summary}`} />
          {flags !== null ? <p className="note">/proc/kpageflags of its page: <code>{hex(flags)}</code>{flags ? ` — ${kpageflagNames(flags).join(', ')}` : ''}</p> : null}
        </section>
      </div>
    </main>
  );
}

function CaptureInfo({ capture, k, counts }: { capture: OpenCapture; k: Kernel; counts: ReadonlyMap<string, number> }) {
  const s = capture.snapshot;
  const close = useSwapviz((st) => st.actions.closeCapture);
  const kern = s.kernel;
  const config = kern.config
    ? `CONFIG_MIGRATION=${kern.config.MIGRATION ? 'y' : 'n'} CONFIG_DEVICE_PRIVATE=${kern.config.DEVICE_PRIVATE ? 'y' : 'n'} CONFIG_MEMORY_FAILURE=${kern.config.MEMORY_FAILURE ? 'y' : 'n'} CONFIG_MEM_SOFT_DIRTY=${kern.config.MEM_SOFT_DIRTY ? 'y' : 'n'} (from ${kern.configSource})`
    : 'not known: the default config (all options on) is assumed';
  return (
    <section className="panel capture-info" aria-labelledby="capture-h">
      <h2 id="capture-h">Captured process: pid {s.pid}{s.comm ? ` (${s.comm})` : ''}</h2>
      <p className="note">Read-only: the /proc/{s.pid}/pagemap records of a live process, as <code>swapviz capture</code> read them from {capture.name}.</p>
      <dl className="capture-facts">
        <dt>Captured</dt><dd>{s.capturedAt}</dd>
        <dt>Kernel</dt><dd>{kern.release}, read as {PROFILES[kern.profile].label}{kern.profileExact ? '' : ` — not exact: ${kern.profileNote}`}</dd>
        <dt>Machine</dt><dd>{kern.arch}, {kern.paging}-level paging</dd>
        <dt>Config</dt><dd>{config}; MAX_SWAPFILES {k.MAX_SWAPFILES}</dd>
        <dt>Frames</dt><dd>{s.pfnVisible ? 'shown: the reader had CAP_SYS_ADMIN' : 'hidden (0): the reader had no CAP_SYS_ADMIN, so swapped records do not say their type, and only guard markers can be told apart'}</dd>
        <dt>Pages</dt><dd>{s.pageCount.toLocaleString('en-US')} in {s.vmas.length} VMAs{s.range ? `, range ${hex(s.range.start)}–${hex(s.range.end)}` : ''}</dd>
      </dl>
      {kern.lacks.length ? (
        <ul className="problems" aria-label="Pagemap bits this kernel never sets">
          {kern.lacks.map((l) => <li key={l.bit}><code>{l.bit}</code>: {l.why}</li>)}
        </ul>
      ) : null}
      {capture.warnings.length ? <ul className="notes" aria-label="Notes from loading the file">{capture.warnings.map((w) => <li key={w}>{w}</li>)}</ul> : null}
      <ul className="legend" aria-label="Records by the kind they imply">
        {[...ENTRY_KINDS, 'unknown' as const].filter((kind) => counts.has(kind)).map((kind) => (
          <li key={kind}>
            <span className={`swatch ${kind === 'unknown' ? 'k-none' : KIND_STYLE[kind].cls}`} aria-hidden="true" />
            {kind === 'unknown' ? 'kind not shown' : KIND_STYLE[kind].label}: {counts.get(kind)!.toLocaleString('en-US')}
          </li>
        ))}
      </ul>
      <button type="button" onClick={close}>Back to the scenario</button>
    </section>
  );
}

function RecordList({ s, k, rows, selected }: { s: Snapshot; k: Kernel; rows: ReturnType<typeof captureRows>; selected: number }) {
  const select = useSwapviz((st) => st.actions.selectRecord);
  const [top, setTop] = useState(0);
  const box = useRef<HTMLDivElement>(null);
  const first = Math.max(0, Math.floor(top / ROW) - 4);
  const last = Math.min(rows.length, first + VISIBLE + 8);
  const selRow = rows.indexOf(selected);
  const decode = (i: number) => {
    let decoded = decodedOf.get(s);
    if (!decoded) decodedOf.set(s, (decoded = new Map()));
    let d = decoded.get(i);
    if (!d) decoded.set(i, (d = decodePagemap(k, snapshotRecord(s, i), { pfnVisible: s.pfnVisible })));
    return d;
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    e.stopPropagation();
    const dir = e.key === 'ArrowDown' ? 1 : -1;
    for (let i = (selRow < 0 ? 0 : selRow) + dir; i >= 0 && i < rows.length; i += dir) {
      const r = rows.at(i);
      if (r.kind === 'page') {
        select(r.record);
        const el = box.current;
        if (el && (i * ROW < el.scrollTop || i * ROW > el.scrollTop + el.clientHeight - ROW)) el.scrollTop = Math.max(0, i * ROW - el.clientHeight / 2);
        return;
      }
    }
  };
  const label = `Pagemap records of pid ${s.pid}${s.comm ? ` (${s.comm})` : ''}`;
  return (
    <section className="panel pte-panel capture-records" aria-labelledby="records-h">
      <h2 id="records-h">{label}</h2>
      <div className="pte-head" aria-hidden="true"><span>page</span><span className="col-va">VA</span><span>record</span><span>decoded</span></div>
      <div ref={box} className="pte-scroll" role="listbox" aria-label={label} tabIndex={0} onKeyDown={onKey}
        aria-activedescendant={selRow >= 0 ? `rec-${selected}` : undefined}
        onScroll={(e: UIEvent<HTMLDivElement>) => setTop(e.currentTarget.scrollTop)}
        style={{ height: Math.min(VISIBLE, Math.max(rows.length, 3)) * ROW }}>
        <div style={{ height: rows.length * ROW, position: 'relative' }}>
          {Array.from({ length: Math.max(0, last - first) }, (_, i) => first + i).map((pos) => (
            <RecordRow key={pos} pos={pos} row={rows.at(pos)} s={s} decode={decode} selected={selected} setSize={rows.length} onSelect={select} />
          ))}
        </div>
      </div>
    </section>
  );
}

function RecordRow({ pos, row, s, decode, selected, setSize, onSelect }: {
  pos: number; row: CaptureRow; s: Snapshot; decode: (i: number) => DecodedPagemap; selected: number; setSize: number; onSelect: (i: number) => void;
}) {
  const style = { top: pos * ROW, height: ROW };
  if (row.kind === 'vma') {
    const v = s.vmas[row.vma]!;
    const text = `${hex(v.start)}–${hex(v.end)} ${v.perms} ${v.path || '[anonymous]'}: ${v.count.toLocaleString('en-US')} pages`;
    return (
      <div className="pte-row fold vma-row" role="option" aria-selected={false} aria-disabled="true" aria-posinset={pos + 1} aria-setsize={setSize} style={style} title={text}>
        <span className="fold-text">VMA {text}</span>
      </div>
    );
  }
  const v = s.vmas[row.vma]!;
  if (row.kind === 'fold') {
    const n = row.to - row.from + 1;
    const text = `${n.toLocaleString('en-US')} empty records (${hex(snapshotPageAddress(v, row.from - v.first))} – ${hex(snapshotPageAddress(v, row.to - v.first))})`;
    return (
      <div className="pte-row fold" role="option" aria-selected={false} aria-disabled="true" aria-posinset={pos + 1} aria-setsize={setSize} style={style} title={text}>
        <span className="idx">{row.from - v.first}–{row.to - v.first}</span><span className="fold-text">{text}</span>
      </div>
    );
  }
  const d = decode(row.record);
  const ks = d.kind ? KIND_STYLE[d.kind] : { label: 'kind not shown', cls: 'k-none' };
  const va = hex(snapshotPageAddress(v, row.record - v.first));
  const isSel = row.record === selected;
  return (
    <div id={`rec-${row.record}`} className={`pte-row ${ks.cls}${isSel ? ' selected' : ''}`} role="option" aria-selected={isSel}
      aria-label={`record at ${va}: ${d.record}, ${d.summary}`} aria-posinset={pos + 1} aria-setsize={setSize} style={style}
      title={`${va}: ${d.record} — ${d.summary}`} onClick={() => onSelect(row.record)}>
      <span className="idx">{row.record - v.first}</span>
      <span className="va col-va">{va}</span>
      <code className="hex">{d.record}</code>
      <span className="dec"><span className={`kind ${ks.cls}`}>{ks.label}</span> {d.summary}</span>
    </div>
  );
}
