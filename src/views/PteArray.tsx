import { useMemo, useRef, useState, type KeyboardEvent, type UIEvent } from 'react';
import {
  assumptionsOf, getKernel, kernelOf, PROFILES, PTRS_PER_PTE, readPmd, readPte, vaHex, type DecodedPte, type Kernel, type MachineState, type Process,
} from '../model/index.ts';
import { changedIn, decodeCached, decodePmdAt, decodePmdCached, pmdChangesIn, pteRows, rowEnd, rowStart, runSummary, type PteRow } from '../derive/index.ts';
import { InferenceNote } from './Assumptions.tsx';
import { KIND_STYLE, LEGEND_KINDS } from './kindStyle.ts';
import { useSwapviz } from './StoreContext.tsx';
import { useCompareSides, useCurrent, type CompareSide, type Marks } from './useDerived.ts';
import { useHighlights } from './useLesson.ts';

const ROW = 26;
/** Compare rows hold each kernel's value and its decoding, which may take two lines. */
const ROW_CMP = 50;
const VISIBLE = 16;

export function PteArrays() {
  const { state, marks } = useCurrent();
  const procs = state.processes.filter((p) => p.alive);
  const sides = useCompareSides();
  // A list's unfolded runs and scroll position belong to the scenario it shows.
  const scenarioId = useSwapviz((s) => s.scenario.id);
  return (
    <section className="panel pte-panel" aria-labelledby="pte-h">
      <h2 id="pte-h">Page table entries</h2>
      <Legend marks={marks} />
      {sides ? <CompareNote sides={sides} /> : null}
      <div className={`pte-columns${sides ? ' cmp' : ''}`}>
        {procs.map((p) => (
          <PteList key={`${scenarioId}:${p.pid}`} proc={p} state={state} marks={marks} sides={sides} />
        ))}
      </div>
    </section>
  );
}

/** Each compare column says what it assumes: its kernel and MAX_SWAPFILES; the config and machine both share. */
function CompareNote({ sides }: { sides: readonly [CompareSide, CompareSide] }) {
  const options = useSwapviz((s) => s.options);
  const [l, r] = sides.map((s) => assumptionsOf({ ...options, profile: s.profile }));
  return (
    <>
    <p className="cmp-note" role="note" aria-label="What the two columns assume">
      Left column: <strong>{l!.profile.label}</strong> (MAX_SWAPFILES {l!.maxSwapfiles}){sides[0].state ? '' : ', which cannot reach this step'}.
      Right column: <strong>{r!.profile.label}</strong> (MAX_SWAPFILES {r!.maxSwapfiles}){sides[1].state ? '' : ', which cannot reach this step'}.
      Both: {l!.config}; {l!.machine}.
    </p>
    {[l!, r!].filter((x, i, all) => all.findIndex((y) => y.profile.id === x.profile.id) === i).map((x) => <InferenceNote key={x.profile.id} profile={x.profile} />)}
    </>
  );
}

function Legend({ marks }: { marks: Marks }) {
  return (
    <ul className="legend" aria-label="Colour legend of entry kinds">
      {LEGEND_KINDS.map((k) => (
        <li key={k}>
          <span className={`swatch ${KIND_STYLE[k].cls}`} aria-hidden="true" />
          {KIND_STYLE[k].label}
        </li>
      ))}
      <li>
        <span className="swatch changed-swatch" aria-hidden="true">◆</span>{marks.undone ? `changed by step ${marks.step}, just undone` : 'changed by this step'}
      </li>
      <li><span className="lvl-swatch" aria-hidden="true">PMD</span>one entry for 2 MiB</li>
      <li><span className="lvl-swatch twist" aria-hidden="true">▸</span>PTEs of one shape, folded (click to unfold)</li>
    </ul>
  );
}

/** What the marked step did to one process's page table. */
interface StepMarks {
  /** PTE indices it wrote. */
  readonly pte: ReadonlySet<number>;
  /** PMDs (first PTE index) it wrote, split or collapsed. */
  readonly pmd: ReadonlySet<number>;
  /** PMDs it split into a PTE table: their rows are all new. */
  readonly split: ReadonlySet<number>;
}

/** Whether the step changed anything a row shows. */
function rowChanged(r: PteRow, m: StepMarks): boolean {
  if (r.kind === 'pmd') return m.pmd.has(r.index);
  if (r.kind === 'pte' && m.pte.has(r.index)) return true;
  const from = rowStart(r);
  const to = rowEnd(r);
  for (const s of m.split) if (s <= to && s + PTRS_PER_PTE - 1 >= from) return true;
  return false;
}

/** The DOM id of a row (the list's aria-activedescendant). */
function rowId(pid: number, r: PteRow): string | undefined {
  switch (r.kind) {
    case 'pte': return `pte-${pid}-${r.index}`;
    case 'pmd': return `pmd-${pid}-${r.index}`;
    case 'run': return `run-${pid}-${r.key}-${r.from}`;
    case 'fold': return undefined;
  }
}

function PteList({ proc, state, marks, sides }: { proc: Process; state: MachineState; marks: Marks; sides: readonly [CompareSide, CompareSide] | null }) {
  const selection = useSwapviz((s) => s.selection);
  const select = useSwapviz((s) => s.actions.select);
  const selected = selection.pid === proc.pid ? selection.index : undefined;
  const k = kernelOf(state);
  const trace = marks.info?.trace;
  const step = useMemo((): StepMarks => {
    const { changed, split } = pmdChangesIn(trace, proc.pid);
    return { pte: changedIn(trace, proc.pid), pmd: changed, split };
  }, [trace, proc.pid]);
  const hl = useHighlights().ptes;
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(() => new Set());
  /** A run row the keyboard is on (its first PTE), when the active row is not the selection. */
  const [activeRun, setActiveRun] = useState<number | null>(null);
  const rows = useMemo(() => {
    // PTEs a lesson points at stay rows of their own, like changed ones.
    const pointed = [...hl].filter((key) => key.startsWith(`${proc.pid}.`)).map((key) => Number(key.slice(key.indexOf('.') + 1)));
    const changed = pointed.length ? new Set([...step.pte, ...pointed]) : step.pte;
    return pteRows(proc.ptes, { kernel: k, changed, split: step.split, keep: selected, expanded });
  }, [proc.ptes, proc.pid, k, step, hl, selected, expanded]);
  const [top, setTop] = useState(0);
  const box = useRef<HTMLDivElement>(null);
  const rowH = sides ? ROW_CMP : ROW;
  const first = Math.max(0, Math.floor(top / rowH) - 4);
  const last = Math.min(rows.length, first + VISIBLE + 8);
  const selRow = selected === undefined ? -1 : rows.indexOf(selected);
  const runRow = activeRun === null ? -1 : rows.startsAt(activeRun);
  const activeRow = runRow >= 0 && rows.at(runRow).kind === 'run' ? runRow : selRow;
  const toggle = (key: number) => setExpanded((prev) => {
    const next = new Set(prev);
    if (!next.delete(key)) next.add(key);
    return next;
  });
  const reveal = (pos: number) => {
    const el = box.current;
    if (el && (pos * rowH < el.scrollTop || pos * rowH > el.scrollTop + el.clientHeight - rowH)) el.scrollTop = Math.max(0, pos * rowH - el.clientHeight / 2);
  };
  const onScroll = (e: UIEvent<HTMLDivElement>) => setTop(e.currentTarget.scrollTop);
  const onKey = (e: KeyboardEvent) => {
    if ((e.key === 'Enter' || e.key === ' ') && activeRow >= 0) {
      const r = rows.at(activeRow);
      if (r.kind !== 'run') return;
      e.preventDefault();
      e.stopPropagation();
      toggle(r.key);
      setActiveRun(r.key);
      return;
    }
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    e.stopPropagation();
    const dir = e.key === 'ArrowDown' ? 1 : -1;
    for (let i = (activeRow < 0 ? -dir : activeRow) + dir; i >= 0 && i < rows.length; i += dir) {
      const r = rows.at(i);
      if (r.kind === 'fold') continue;
      if (r.kind === 'run') setActiveRun(r.from);
      else {
        setActiveRun(null);
        select({ pid: proc.pid, index: r.index });
      }
      reveal(i);
      return;
    }
  };
  const label = `pid ${proc.pid} (${proc.name}): ${proc.ptes.length} PTEs`;
  const heads = sides?.map((s) => `${PROFILES[s.profile].short} (MAX_SWAPFILES ${getKernel(s.profile, state.options.config, state.options.platform).MAX_SWAPFILES})`);
  const common = { proc, state, kernel: k, sides, setSize: rows.length, rowH, marks };
  return (
    <div className={`pte-list-wrap${sides ? ' cmp' : ''}`}>
      <h3 className="pte-proc">{label}</h3>
      <div className="pte-head" aria-hidden="true">
        <span>PTE</span><span className="col-va">VA</span>{heads ? <><span>{heads[0]}</span><span>{heads[1]}</span></> : <><span>raw</span><span>decoded</span></>}
      </div>
      <div
        ref={box}
        className="pte-scroll"
        role="listbox"
        aria-label={`Page table of ${label}`}
        aria-activedescendant={activeRow >= 0 ? rowId(proc.pid, rows.at(activeRow)) : undefined}
        tabIndex={0}
        onScroll={onScroll}
        onKeyDown={onKey}
        style={{ height: Math.min(VISIBLE, Math.max(rows.length, 3)) * rowH }}
      >
        <div style={{ height: rows.length * rowH, position: 'relative' }}>
          {Array.from({ length: Math.max(0, last - first) }, (_, i) => rows.at(first + i)).map((r, i) => {
            const pos = first + i;
            const changed = rowChanged(r, step);
            switch (r.kind) {
              case 'fold':
                return <FoldRow key={`f${r.from}`} row={r} pos={pos} changed={changed} {...common} />;
              case 'run':
                return <RunRow key={`r${r.key}-${r.from}`} row={r} pos={pos} changed={changed} active={pos === activeRow} {...common}
                  onToggle={() => { toggle(r.key); setActiveRun(r.key); }} />;
              case 'pmd': {
                // Selecting the PMD keeps the 4 KiB page already picked inside it (the pagemap record's page).
                const inside = selected !== undefined && r.index <= selected && selected <= r.to;
                return <PmdRow key={`p${r.index}`} row={r} pos={pos} changed={changed} selected={inside} {...common}
                  onSelect={() => { setActiveRun(null); if (!inside) select({ pid: proc.pid, index: r.index }); }} />;
              }
              case 'pte':
                return <Row key={r.index} row={r} pos={pos} changed={changed} selected={r.index === selected} lesson={hl.has(`${proc.pid}.${r.index}`)} {...common}
                  onSelect={() => { setActiveRun(null); select({ pid: proc.pid, index: r.index }); }} />;
            }
          })}
        </div>
      </div>
    </div>
  );
}

function decodeIn(s: MachineState | null, pid: number, index: number): DecodedPte | null {
  const p = s?.processes.find((x) => x.pid === pid);
  return p && index < p.ptes.length ? decodeCached(kernelOf(s!), readPte(p.ptes, index)) : null;
}

const summaryOf = (d: DecodedPte) => (d.kind === 'none' ? 'none' : d.summary);

interface RowCommon {
  pos: number; rowH: number; setSize: number; proc: Process; state: MachineState; kernel: Kernel;
  changed: boolean; marks: Marks; sides: readonly [CompareSide, CompareSide] | null;
}

function changedWords(p: RowCommon): string {
  if (!p.changed) return '';
  return p.marks.undone ? `, changed by step ${p.marks.step}, undone` : ', changed by this step';
}

function FoldRow(props: RowCommon & { row: Extract<PteRow, { kind: 'fold' }> }) {
  const { row, state } = props;
  const n = row.to - row.from + 1;
  const text = `${n} empty PTEs (${vaHex(state, row.from)} – ${vaHex(state, row.to)})`;
  return (
    <div className={`pte-row fold${props.changed ? ' changed' : ''}`} role="option" aria-selected={false} aria-disabled="true" aria-posinset={props.pos + 1} aria-setsize={props.setSize}
      style={{ top: props.pos * props.rowH, height: props.rowH }} title={`PTEs ${row.from}–${row.to}: ${text}${changedWords(props)}`}>
      <span className="idx">{props.changed ? <span className="mark" aria-hidden="true">◆</span> : null}{row.from}–{row.to}</span>
      <span className="fold-text">{text}</span>
    </div>
  );
}

/** A PMD leaf: one row for its 512 PTE slots, selectable (the bit layout then shows the PMD). */
function PmdRow(props: RowCommon & { row: Extract<PteRow, { kind: 'pmd' }>; selected: boolean; onSelect: () => void }) {
  const { row, proc, state, sides } = props;
  const d = decodePmdCached(props.kernel, readPmd(proc.ptes, row.index));
  const ks = KIND_STYLE[d.kind];
  const l = sides?.[0].state ? decodePmdAt(sides[0].state, proc.pid, row.index) : null;
  const r = sides?.[1].state ? decodePmdAt(sides[1].state, proc.pid, row.index) : null;
  const names = sides?.map((s) => PROFILES[s.profile].short);
  const differs = l && r && l.raw !== r.raw;
  const sideText = (x: DecodedPte | null, i: 0 | 1) => (x ? x.summary : sides![i].state ? 'no PMD leaf here' : 'not reached');
  const both = sides ? `, ${names![0]}: ${sideText(l, 0)}, ${names![1]}: ${sideText(r, 1)}` : '';
  const where = `2 MiB at ${vaHex(state, row.index)}`;
  const name = `PMD ${row.index}–${row.to}, ${d.summary}${changedWords(props)}${both}${differs ? `, differs between ${names![0]} and ${names![1]}` : ''}`;
  return (
    <div id={`pmd-${proc.pid}-${row.index}`}
      className={`pte-row pmd-row ${ks.cls}${props.selected ? ' selected' : ''}${props.changed ? ' changed' : ''}${differs ? ' differs' : ''}`}
      role="option" aria-selected={props.selected} aria-label={name} aria-posinset={props.pos + 1} aria-setsize={props.setSize}
      title={`The PMD that maps PTEs ${row.index}–${row.to} (${where}) itself: ${name}`} style={{ top: props.pos * props.rowH, height: props.rowH }} onClick={props.onSelect}>
      <span className="idx">{props.changed ? <span className="mark" aria-hidden="true">◆</span> : null}<span className="lvl">PMD</span> {row.index}–{row.to}</span>
      {sides ? (
        <>
          <Side d={l} diff={!!differs} missing={sides[0].state ? 'no PMD leaf here' : undefined} />
          <Side d={r} diff={!!differs} missing={sides[1].state ? 'no PMD leaf here' : undefined} />
        </>
      ) : (
        <>
          <code className="hex">{d.pte}</code>
          <span className="dec"><span className={`kind ${ks.cls}`}>{ks.label}</span> {d.summary}</span>
        </>
      )}
    </div>
  );
}

/** PTEs of one shape folded into one row; a click (or Enter on it) unfolds or folds them. */
function RunRow(props: RowCommon & { row: Extract<PteRow, { kind: 'run' }>; active: boolean; onToggle: () => void }) {
  const { row, proc } = props;
  const s = runSummary(props.kernel, proc.ptes, row.from, row.to);
  const ks = KIND_STYLE[s.first.kind];
  const how = row.open ? 'unfolded, activate to fold them' : 'folded, activate to show each';
  const name = `PTEs ${row.from}–${row.to}, ${s.text}${changedWords(props)}; ${how}`;
  return (
    <div id={`run-${proc.pid}-${row.key}-${row.from}`}
      className={`pte-row run-row ${ks.cls}${row.open ? ' open' : ''}${props.changed ? ' changed' : ''}${props.active ? ' active' : ''}`}
      role="option" aria-selected={false} aria-label={name} aria-posinset={props.pos + 1} aria-setsize={props.setSize}
      title={name} style={{ top: props.pos * props.rowH, height: props.rowH }} onClick={props.onToggle}>
      <span className="idx">{props.changed ? <span className="mark" aria-hidden="true">◆</span> : null}<span className="twist" aria-hidden="true">{row.open ? '▾' : '▸'}</span> {row.from}–{row.to}</span>
      <code className="hex">{s.first.pte}…</code>
      <span className="dec"><span className={`kind ${ks.cls}`}>{ks.label}</span> <span className="count">{row.to - row.from + 1}×</span> {s.short}</span>
    </div>
  );
}

function Row(props: RowCommon & { row: Extract<PteRow, { kind: 'pte' }>; selected: boolean; onSelect: () => void; lesson?: boolean }) {
  const { row, pos, proc, state, sides } = props;
  const style = { top: pos * props.rowH, height: props.rowH };
  const raw = readPte(proc.ptes, row.index);
  const d = decodeCached(props.kernel, raw);
  const ks = KIND_STYLE[d.kind];
  const l = sides ? decodeIn(sides[0].state, proc.pid, row.index) : null;
  const r = sides ? decodeIn(sides[1].state, proc.pid, row.index) : null;
  const names = sides?.map((s) => PROFILES[s.profile].short);
  const differs = l && r && l.raw !== r.raw;
  const both = sides ? `, ${names![0]}: ${l ? summaryOf(l) : 'not reached'}, ${names![1]}: ${r ? summaryOf(r) : 'not reached'}` : '';
  const name = `PTE ${row.index}, ${summaryOf(d)}${changedWords(props)}${both}${differs ? `, differs between ${names![0]} and ${names![1]}` : ''}${props.lesson ? ', pointed out by the lesson' : ''}`;
  return (
    <div
      id={`pte-${proc.pid}-${row.index}`}
      className={`pte-row ${ks.cls}${props.selected ? ' selected' : ''}${props.changed ? ' changed' : ''}${differs ? ' differs' : ''}${props.lesson ? ' lesson-hl' : ''}`}
      role="option"
      aria-selected={props.selected}
      aria-label={name}
      aria-posinset={pos + 1}
      aria-setsize={props.setSize}
      title={name}
      style={style}
      onClick={props.onSelect}
    >
      <span className="idx">{props.changed ? <span className="mark" aria-hidden="true">◆</span> : null}{row.index}</span>
      <span className="va">{vaHex(state, row.index)}</span>
      {sides ? (
        <>
          <Side d={l} diff={!!differs} />
          <Side d={r} diff={!!differs} />
        </>
      ) : (
        <>
          <code className="hex">{d.pte}</code>
          <span className="dec"><span className={`kind ${ks.cls}`}>{ks.label}</span> {d.kind === 'none' ? '' : d.summary}</span>
        </>
      )}
    </div>
  );
}

/** One kernel's cell of a compare row: its value, and what that kernel reads in it. */
function Side({ d, diff, missing = 'not reached' }: { d: DecodedPte | null; diff: boolean; missing?: string }) {
  if (!d) return <span className="side muted">{missing}</span>;
  const ks = KIND_STYLE[d.kind];
  return (
    <span className="side">
      <span className="side-top"><code className={`hex${diff ? ' diff' : ''}`}>{d.pte}</code> <span className={`kind ${ks.cls}`}>{ks.label}</span></span>
      <span className="dec">{d.kind === 'none' ? '' : d.summary}</span>
    </span>
  );
}
