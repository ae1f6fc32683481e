import { useMemo, useRef, useState, type KeyboardEvent, type UIEvent } from 'react';
import { getKernel, readPte, vaHex, type MachineState, type Process } from '../model/index.ts';
import { timelineFor } from '../derive/index.ts';
import { changedIn, decodeCached, pteRows, type PteRow } from '../derive/index.ts';
import { KIND_STYLE, LEGEND_KINDS } from './kindStyle.ts';
import { useSwapviz, useSwapvizShallow } from './StoreContext.tsx';
import { useCurrent } from './useDerived.ts';
import { useHighlights } from './useLesson.ts';

const ROW = 26;
const VISIBLE = 16;

/** The state of the same scenario at the same cursor under the other profile (compare mode). */
function useCompareStates(): { left: MachineState | null; right: MachineState | null } {
  const { compare, scenario, options, cursor } = useSwapvizShallow((s) => ({ compare: s.compare, scenario: s.scenario, options: s.options, cursor: s.cursor }));
  return useMemo(() => {
    if (!compare) return { left: null, right: null };
    const at = (profile: 'v6.18' | 'rfc') => {
      try {
        const t = timelineFor(scenario, { ...options, profile });
        return cursor <= t.reachable() ? t.stateAt(cursor) : null;
      } catch {
        return null;
      }
    };
    return { left: at('v6.18'), right: at('rfc') };
  }, [compare, scenario, options, cursor]);
}

export function PteArrays() {
  const { state, info } = useCurrent();
  const procs = state.processes.filter((p) => p.alive);
  const cmp = useCompareStates();
  return (
    <section className="panel pte-panel" aria-labelledby="pte-h">
      <h2 id="pte-h">Page table entries</h2>
      <Legend />
      <div className="pte-columns">
        {procs.map((p) => (
          <PteList key={p.pid} proc={p} state={state} changed={changedIn(info?.trace, p.pid)} cmp={cmp} />
        ))}
      </div>
    </section>
  );
}

function Legend() {
  return (
    <ul className="legend" aria-label="Colour legend of entry kinds">
      {LEGEND_KINDS.map((k) => (
        <li key={k}>
          <span className={`swatch ${KIND_STYLE[k].cls}`} aria-hidden="true" />
          {KIND_STYLE[k].label}
        </li>
      ))}
      <li>
        <span className="swatch changed-swatch" aria-hidden="true">◆</span>changed by this step
      </li>
    </ul>
  );
}

function PteList({ proc, state, changed, cmp }: { proc: Process; state: MachineState; changed: Set<number>; cmp: { left: MachineState | null; right: MachineState | null } }) {
  const selection = useSwapviz((s) => s.selection);
  const select = useSwapviz((s) => s.actions.select);
  const selected = selection.pid === proc.pid ? selection.index : undefined;
  const hl = useHighlights().ptes;
  const rows = useMemo(() => pteRows(proc.ptes, changed, selected), [proc.ptes, changed, selected]);
  const [top, setTop] = useState(0);
  const box = useRef<HTMLDivElement>(null);
  const first = Math.max(0, Math.floor(top / ROW) - 4);
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
        if (el && (i * ROW < el.scrollTop || i * ROW > el.scrollTop + el.clientHeight - ROW)) el.scrollTop = Math.max(0, i * ROW - el.clientHeight / 2);
        return;
      }
    }
  };
  const k = getKernel(state.options.profile, state.options.config, state.options.platform);
  const label = `pid ${proc.pid} (${proc.name}): ${proc.ptes.length} PTEs`;
  return (
    <div className={`pte-list-wrap${cmp.left ? ' cmp' : ''}`}>
      <h3 className="pte-proc">{label}</h3>
      <div className="pte-head" aria-hidden="true">
        <span>PTE</span><span className="col-va">VA</span>{cmp.left ? <><span>v6.18</span><span>RFC</span></> : <span>raw</span>}<span>decoded</span>
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
        style={{ height: Math.min(VISIBLE, Math.max(rows.length, 3)) * ROW }}
      >
        <div style={{ height: rows.length * ROW, position: 'relative' }}>
          {Array.from({ length: Math.max(0, last - first) }, (_, i) => rows.at(first + i)).map((r, i) => (
            <Row key={r.kind === 'pte' ? r.index : `f${r.from}`} row={r} pos={first + i} setSize={rows.length} proc={proc} state={state} kernel={k}
              changed={r.kind === 'pte' && changed.has(r.index)} selected={r.kind === 'pte' && r.index === selected}
              lesson={r.kind === 'pte' && hl.has(`${proc.pid}.${r.index}`)}
              onSelect={(index) => select({ pid: proc.pid, index })} cmp={cmp} />
          ))}
        </div>
      </div>
    </div>
  );
}

function Row(props: {
  row: PteRow; pos: number; setSize: number; proc: Process; state: MachineState; kernel: ReturnType<typeof getKernel>;
  changed: boolean; selected: boolean; onSelect: (i: number) => void; cmp: { left: MachineState | null; right: MachineState | null };
  lesson?: boolean;
}) {
  const { row, pos, proc, state } = props;
  const style = { top: pos * ROW, height: ROW };
  if (row.kind === 'fold') {
    const n = row.to - row.from + 1;
    return (
      <div className="pte-row fold" role="option" aria-selected={false} aria-disabled="true" aria-posinset={pos + 1} aria-setsize={props.setSize} style={style}>
        <span className="idx">{row.from}–{row.to}</span>
        <span className="fold-text">{n} empty PTEs ({vaHex(state, row.from)} – {vaHex(state, row.to)})</span>
      </div>
    );
  }
  const raw = readPte(proc.ptes, row.index);
  const d = decodeCached(props.kernel, raw);
  const ks = KIND_STYLE[d.kind];
  const other = (s: MachineState | null) => {
    const p = s?.processes.find((x) => x.pid === proc.pid);
    return p ? decodeCached(getKernel(s!.options.profile, s!.options.config, s!.options.platform), readPte(p.ptes, row.index)) : null;
  };
  const l = props.cmp.left ? other(props.cmp.left) : null;
  const r = props.cmp.right ? other(props.cmp.right) : null;
  const differs = l && r && l.raw !== r.raw;
  const name = `PTE ${row.index}, ${d.kind === 'none' ? 'none' : d.summary}${props.changed ? ', changed by this step' : ''}${differs ? ', differs between v6.18 and RFC' : ''}${props.lesson ? ', pointed out by the lesson' : ''}`;
  return (
    <div
      id={`pte-${proc.pid}-${row.index}`}
      className={`pte-row ${ks.cls}${props.selected ? ' selected' : ''}${props.changed ? ' changed' : ''}${differs ? ' differs' : ''}${props.lesson ? ' lesson-hl' : ''}`}
      role="option"
      aria-selected={props.selected}
      aria-label={name}
      aria-posinset={pos + 1}
      aria-setsize={props.setSize}
      style={style}
      onClick={() => props.onSelect(row.index)}
    >
      <span className="idx">{props.changed ? <span className="mark" aria-hidden="true">◆</span> : null}{row.index}</span>
      <span className="va">{vaHex(state, row.index)}</span>
      {l && r ? (
        <>
          <code className={`hex${differs ? ' diff' : ''}`}>{l.pte}</code>
          <code className={`hex${differs ? ' diff' : ''}`}>{r.pte}</code>
        </>
      ) : (
        <code className="hex">{d.pte}</code>
      )}
      <span className="dec"><span className={`kind ${ks.cls}`}>{ks.label}</span> {d.kind === 'none' ? '' : d.summary}</span>
    </div>
  );
}
