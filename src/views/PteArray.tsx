import { useMemo, useRef, useState, type KeyboardEvent, type UIEvent } from 'react';
import { assumptionsOf, getKernel, kernelOf, PROFILES, readPte, vaHex, type DecodedPte, type MachineState, type Process } from '../model/index.ts';
import { changedIn, decodeCached, pteRows, type PteRow } from '../derive/index.ts';
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
  return (
    <section className="panel pte-panel" aria-labelledby="pte-h">
      <h2 id="pte-h">Page table entries</h2>
      <Legend marks={marks} />
      {sides ? <CompareNote sides={sides} /> : null}
      <div className={`pte-columns${sides ? ' cmp' : ''}`}>
        {procs.map((p) => (
          <PteList key={p.pid} proc={p} state={state} changed={changedIn(marks.info?.trace, p.pid)} marks={marks} sides={sides} />
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
    </ul>
  );
}

function PteList({ proc, state, changed, marks, sides }: { proc: Process; state: MachineState; changed: Set<number>; marks: Marks; sides: readonly [CompareSide, CompareSide] | null }) {
  const selection = useSwapviz((s) => s.selection);
  const select = useSwapviz((s) => s.actions.select);
  const selected = selection.pid === proc.pid ? selection.index : undefined;
  const rows = useMemo(() => pteRows(proc.ptes, changed, selected), [proc.ptes, changed, selected]);
  const hl = useHighlights().ptes;
  const [top, setTop] = useState(0);
  const box = useRef<HTMLDivElement>(null);
  const rowH = sides ? ROW_CMP : ROW;
  const first = Math.max(0, Math.floor(top / rowH) - 4);
  const last = Math.min(rows.length, first + VISIBLE + 8);
  const selRow = selected === undefined ? -1 : rows.indexOf(selected);
  const onScroll = (e: UIEvent<HTMLDivElement>) => setTop(e.currentTarget.scrollTop);
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    e.stopPropagation();
    const dir = e.key === 'ArrowDown' ? 1 : -1;
    for (let i = (selRow < 0 ? 0 : selRow) + dir; i >= 0 && i < rows.length; i += dir) {
      const r = rows.at(i);
      if (r.kind === 'pte') {
        select({ pid: proc.pid, index: r.index });
        const el = box.current;
        if (el && (i * rowH < el.scrollTop || i * rowH > el.scrollTop + el.clientHeight - rowH)) el.scrollTop = Math.max(0, i * rowH - el.clientHeight / 2);
        return;
      }
    }
  };
  const k = getKernel(state.options.profile, state.options.config, state.options.platform);
  const label = `pid ${proc.pid} (${proc.name}): ${proc.ptes.length} PTEs`;
  const heads = sides?.map((s) => `${PROFILES[s.profile].short} (MAX_SWAPFILES ${getKernel(s.profile, state.options.config, state.options.platform).MAX_SWAPFILES})`);
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
        aria-activedescendant={selRow >= 0 ? `pte-${proc.pid}-${selected}` : undefined}
        tabIndex={0}
        onScroll={onScroll}
        onKeyDown={onKey}
        style={{ height: Math.min(VISIBLE, Math.max(rows.length, 3)) * rowH }}
      >
        <div style={{ height: rows.length * rowH, position: 'relative' }}>
          {Array.from({ length: Math.max(0, last - first) }, (_, i) => rows.at(first + i)).map((r, i) => (
            <Row key={r.kind === 'pte' ? r.index : `f${r.from}`} row={r} pos={first + i} rowH={rowH} setSize={rows.length} proc={proc} state={state} kernel={k}
              changed={r.kind === 'pte' && changed.has(r.index)} marks={marks} selected={r.kind === 'pte' && r.index === selected}
              lesson={r.kind === 'pte' && hl.has(`${proc.pid}.${r.index}`)}
              onSelect={(index) => select({ pid: proc.pid, index })} sides={sides} />
          ))}
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

function Row(props: {
  row: PteRow; pos: number; rowH: number; setSize: number; proc: Process; state: MachineState; kernel: ReturnType<typeof getKernel>;
  changed: boolean; marks: Marks; selected: boolean; onSelect: (i: number) => void; sides: readonly [CompareSide, CompareSide] | null;
  lesson?: boolean;
}) {
  const { row, pos, proc, state, sides } = props;
  const style = { top: pos * props.rowH, height: props.rowH };
  if (row.kind === 'fold') {
    const n = row.to - row.from + 1;
    return (
      <div className="pte-row fold" role="option" aria-selected={false} aria-disabled="true" aria-posinset={pos + 1} aria-setsize={props.setSize} style={style}
        title={`PTEs ${row.from}–${row.to}: ${n} empty PTEs (${vaHex(state, row.from)} – ${vaHex(state, row.to)})`}>
        <span className="idx">{row.from}–{row.to}</span>
        <span className="fold-text">{n} empty PTEs ({vaHex(state, row.from)} – {vaHex(state, row.to)})</span>
      </div>
    );
  }
  const raw = readPte(proc.ptes, row.index);
  const d = decodeCached(props.kernel, raw);
  const ks = KIND_STYLE[d.kind];
  const l = sides ? decodeIn(sides[0].state, proc.pid, row.index) : null;
  const r = sides ? decodeIn(sides[1].state, proc.pid, row.index) : null;
  const names = sides?.map((s) => PROFILES[s.profile].short);
  const differs = l && r && l.raw !== r.raw;
  const changedText = props.changed ? (props.marks.undone ? `, changed by step ${props.marks.step}, undone` : ', changed by this step') : '';
  const both = sides ? `, ${names![0]}: ${l ? summaryOf(l) : 'not reached'}, ${names![1]}: ${r ? summaryOf(r) : 'not reached'}` : '';
  const name = `PTE ${row.index}, ${summaryOf(d)}${changedText}${both}${differs ? `, differs between ${names![0]} and ${names![1]}` : ''}${props.lesson ? ', pointed out by the lesson' : ''}`;
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
      onClick={() => props.onSelect(row.index)}
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
function Side({ d, diff }: { d: DecodedPte | null; diff: boolean }) {
  if (!d) return <span className="side muted">not reached</span>;
  const ks = KIND_STYLE[d.kind];
  return (
    <span className="side">
      <span className="side-top"><code className={`hex${diff ? ' diff' : ''}`}>{d.pte}</code> <span className={`kind ${ks.cls}`}>{ks.label}</span></span>
      <span className="dec">{d.kind === 'none' ? '' : d.summary}</span>
    </span>
  );
}
