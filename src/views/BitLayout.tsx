import { scaleBand } from 'd3';
import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import {
  ARCHES, differingBits, getKernel, hex, hex64, parseU64Hex, readPte, SWP_TYPE_SHIFT, testBit, toggleBit, type ArchId, type DecodedField, type DecodedPte,
} from '../model/index.ts';
import { decodeCached } from '../derive/index.ts';
import { KIND_STYLE } from './kindStyle.ts';
import { useSwapviz, useSwapvizShallow } from './StoreContext.tsx';
import { useCurrent, useKernel } from './useDerived.ts';
import { ExportButtons } from './ExportButtons.tsx';

const CELL = 24;
const LEFT = 74;
const LANE_GAP = 118;
const TOP = 22;
const WIDTH = LEFT + CELL * 32 + 12;
const HEIGHT = TOP + CELL + LANE_GAP + CELL + LANE_GAP - 16;

const x = scaleBand<number>().domain(Array.from({ length: 32 }, (_, i) => 31 - i)).range([LEFT, LEFT + CELL * 32]);

/** Which lane (0 = bits 63..32, 1 = bits 31..0) and position a bit is drawn at. */
function place(bit: number): { lane: number; x: number; y: number } {
  const lane = bit >= 32 ? 0 : 1;
  return { lane, x: x(bit % 32)!, y: TOP + lane * (CELL + LANE_GAP) };
}

export function BitLayoutPanel() {
  const { state, prev } = useCurrent();
  const k = useKernel();
  const { selection, scratch } = useSwapvizShallow((s) => ({ selection: s.selection, scratch: s.scratch }));
  const setScratch = useSwapviz((s) => s.actions.setScratch);
  const proc = state.processes.find((p) => p.pid === selection.pid);
  const live = proc && selection.index < proc.ptes.length ? readPte(proc.ptes, selection.index) : 0n;
  const prevProc = prev?.processes.find((p) => p.pid === selection.pid);
  const before = prevProc && selection.index < prevProc.ptes.length ? readPte(prevProc.ptes, selection.index) : live;
  const value = scratch?.value ?? live;
  const arch = scratch?.arch ?? k.arch.id;
  const kd = arch === k.arch.id ? k : getKernel(k.profile.id, k.config, { ...k.platform, arch });
  const d = decodeCached(kd, value);
  const svg = useRef<SVGSVGElement>(null);
  const title = scratch === null ? `pid ${selection.pid} PTE ${selection.index}` : `a value of your own (${arch})`;
  return (
    <section className="panel bit-panel" aria-labelledby="bits-h">
      <h2 id="bits-h">Bit layout: {title}</h2>
      <HexEditor value={value} live={live} onChange={(v) => setScratch(v === null ? null : { value: v, arch })} />
      {scratch ? (
        <label className="arch-pick">
          Layout{' '}
          <select value={arch} onChange={(e) => setScratch({ value, arch: e.target.value as ArchId })}>
            {ARCHES.map((x) => <option key={x} value={x}>{x}</option>)}
          </select>
        </label>
      ) : null}
      <p className="summary">
        <span className={`kind ${KIND_STYLE[d.kind].cls}`}>{KIND_STYLE[d.kind].label}</span> {d.summary}
        {value !== before && scratch === null ? <span className="xor-note"> — bits {differingBits(value, before).join(', ')} changed in this step (marked Δ)</span> : null}
      </p>
      <BitSvg d={d} before={scratch === null ? before : value} svgRef={svg} onToggle={(bit) => setScratch({ value: toggleBit(value, bit), arch })} />
      {d.problems.length ? (
        <ul className="problems" aria-label="Why this value is not something the kernel builds">
          {d.problems.map((p) => <li key={p}>{p}</li>)}
        </ul>
      ) : null}
      <SwpEntry d={d} />
      <ExportButtons svgRef={svg} name={`swapviz-bits-${d.pte}`} />
    </section>
  );
}

function HexEditor({ value, live, onChange }: { value: bigint; live: bigint; onChange: (v: bigint | null) => void }) {
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const shown = text ?? hex64(value);
  return (
    <div className="hex-editor">
      <label>
        PTE value{' '}
        <input
          value={shown}
          spellCheck={false}
          aria-describedby="hex-error"
          onChange={(e) => {
            setText(e.target.value);
            const r = parseU64Hex(e.target.value);
            if (r.ok) {
              setError(null);
              onChange(r.value === live ? null : r.value);
            } else setError(r.error);
          }}
          onBlur={() => {
            setText(null);
            setError(null);
          }}
        />
      </label>
      {value !== live ? <button type="button" onClick={() => { setText(null); setError(null); onChange(null); }}>Back to the PTE's value</button> : null}
      <span id="hex-error" className="error" role="status">{error ?? ''}</span>
    </div>
  );
}

function fieldParts(f: DecodedField): { lane: number; hi: number; lo: number }[] {
  if (f.hi >= 32 && f.lo < 32) return [{ lane: 0, hi: f.hi, lo: 32 }, { lane: 1, hi: 31, lo: f.lo }];
  return [{ lane: f.hi >= 32 ? 0 : 1, hi: f.hi, lo: f.lo }];
}

function BitSvg({ d, before, svgRef, onToggle }: { d: DecodedPte; before: bigint; svgRef: React.RefObject<SVGSVGElement | null>; onToggle: (bit: number) => void }) {
  const [focus, setFocus] = useState(63);
  const fields = d.fields;
  const changedBits = useMemo(() => new Set(differingBits(d.raw, before)), [d.raw, before]);
  const owner = useMemo(() => {
    const m = new Map<number, DecodedField>();
    for (const f of fields) for (let b = f.lo; b <= f.hi; b++) m.set(b, f);
    return m;
  }, [fields]);
  const onKey = (e: KeyboardEvent<SVGElement>) => {
    const moves: Record<string, number> = { ArrowLeft: 1, ArrowRight: -1, ArrowUp: 32, ArrowDown: -32 };
    if (e.key in moves) {
      e.preventDefault();
      e.stopPropagation();
      const n = Math.max(0, Math.min(63, focus + moves[e.key]!));
      setFocus(n);
      (svgRef.current?.querySelector(`[data-bit="${n}"]`) as SVGElement | null)?.focus();
    } else if (e.key === ' ' || e.key === 'Enter') {
      e.preventDefault();
      e.stopPropagation();
      onToggle(focus);
    }
  };
  return (
    <svg ref={svgRef} className="bits" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width="100%" role="group" aria-label={`64 bits of ${d.pte}: ${d.summary}`} onKeyDown={onKey}>
      {[0, 1].map((lane) => (
        <text key={lane} className="lane-label" x={4} y={TOP + lane * (CELL + LANE_GAP) + CELL / 2 + 4}>{lane === 0 ? 'bits 63–32' : 'bits 31–0'}</text>
      ))}
      {Array.from({ length: 64 }, (_, i) => 63 - i).map((bit) => {
        const p = place(bit);
        const on = testBit(d.raw, bit);
        const changed = changedBits.has(bit);
        const f = owner.get(bit);
        return (
          <g key={bit} className={`bit ${on ? 'on' : 'off'} role-${f?.role ?? 'other'}${changed ? ' xor' : ''}`}
            role="switch" aria-checked={on} data-bit={bit} tabIndex={bit === focus ? 0 : -1}
            aria-label={`bit ${bit}: ${on ? 1 : 0}${f ? `, ${f.name}` : ''}${changed ? ', changed by this step' : ''}`}
            onClick={() => { setFocus(bit); onToggle(bit); }}>
            <rect x={p.x} y={p.y} width={CELL - 1} height={CELL} rx={2} />
            <text className="bitval" x={p.x + CELL / 2 - 0.5} y={p.y + CELL / 2 + 4}>{on ? 1 : 0}</text>
            {bit % 4 === 0 || bit % 32 === 31 ? <text className="bitno" x={p.x + CELL / 2} y={p.y - 2}>{bit}</text> : null}
            {changed ? <text className="xor-mark" x={p.x + CELL / 2} y={p.y + CELL + 9}>Δ</text> : null}
          </g>
        );
      })}
      {fields.map((f) =>
        fieldParts(f).map((part, i) => {
          const a = place(part.hi);
          const b = place(part.lo);
          const x0 = a.x;
          const x1 = b.x + CELL - 1;
          const y = a.y + CELL + 12;
          const narrow = x1 - x0 < 70;
          return (
            <g key={`${f.id}-${part.lane}`} className={`field role-${f.role}${f.problem ? ' bad' : ''}`} role={i === 0 ? 'img' : undefined} aria-label={i === 0 ? f.label : undefined} aria-hidden={i === 0 ? undefined : true}>
              <title>{`${f.label}${f.note ? ` — ${f.note}` : ''}`}</title>
              <path d={`M${x0 + 1},${y} v4 H${x1 - 1} v-4`} />
              {narrow ? (
                <text className="flabel rot" transform={`translate(${(x0 + x1) / 2 - 3},${y + 8}) rotate(90)`}>{short(f)}</text>
              ) : (
                <>
                  <text className="flabel" x={(x0 + x1) / 2} y={y + 18}>{f.name.length > 48 ? f.name.slice(0, 46) + '…' : f.name}</text>
                  <text className="fvalue" x={(x0 + x1) / 2} y={y + 32}>{f.text}{f.inverted ? ' (un-inverted)' : ''}</text>
                </>
              )}
            </g>
          );
        }),
      )}
    </svg>
  );
}

function short(f: DecodedField): string {
  const n = f.name.replace(/^_PAGE_(SWP_)?/, '').replace(/^PTE_(SWP_)?/, '').replace(/^SWP_/, '').replace(/ \(.*$/, '');
  const v = f.text === 'set' ? '1' : f.text === 'clear' ? '0' : f.text.length > 6 ? '' : f.text;
  return `${n.length > 11 ? n.slice(0, 10) + '…' : n}${v ? `=${v}` : ''}`;
}

function SwpEntry({ d }: { d: DecodedPte }) {
  if (!d.swap) return null;
  const s = d.swap;
  return (
    <div className="swp-entry" role="group" aria-label="The arch-independent swp_entry_t">
      <h3>swp_entry_t (arch-independent, never stored in a page table)</h3>
      <dl>
        <dt>val</dt><dd><code>{hex64(s.swpEntry)}</code></dd>
        <dt>bit 63</dt><dd>0 (kept free for the XArray value tag)</dd>
        <dt>type, bits {SWP_TYPE_SHIFT}–62</dt><dd>{s.type} = {s.typeName}</dd>
        <dt>offset, bits 0–{SWP_TYPE_SHIFT - 1}</dt><dd><code>{hex(s.offset)}</code>{s.pfn !== null ? <> — {s.pfnSpace === 'device' ? 'device offset' : 'pfn'} <code>{hex(s.pfn)}</code></> : null}</dd>
        {s.softleafType ? <><dt>softleaf_type()</dt><dd>{s.softleafType}</dd></> : null}
      </dl>
      <details>
        <summary>Predicates of this kernel ({Object.values(s.predicates).filter(Boolean).length} true)</summary>
        <ul className="predicates">
          {Object.entries(s.predicates).map(([name, v]) => (
            <li key={name} className={v ? 'yes' : 'no'}><code>{name}()</code> {v ? 'true' : 'false'}</li>
          ))}
        </ul>
      </details>
    </div>
  );
}
