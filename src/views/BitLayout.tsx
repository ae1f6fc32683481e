import { scaleBand } from 'd3';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import {
  ARCHES, differingBits, getKernel, hex, hex64, parseU64Hex, readPte, SWP_TYPE_SHIFT, testBit, toggleBit, type ArchId, type DecodedField, type DecodedPte,
} from '../model/index.ts';
import { decodeCached } from '../derive/index.ts';
import { KIND_STYLE } from './kindStyle.ts';
import { useSwapviz, useSwapvizShallow } from './StoreContext.tsx';
import { useCurrent, useKernel } from './useDerived.ts';
import { ExportButtons } from './ExportButtons.tsx';
import { useHighlights, refKey } from './useLesson.ts';

/**
 * The word is drawn as lanes of bits, WaveDrom-style: two 32-bit lanes, or four 16-bit lanes when
 * the panel is narrow (a phone), so that cells and field labels keep a readable size.
 */
interface Geometry {
  readonly lanes: 2 | 4;
  /** Bits per lane. */
  readonly per: number;
  readonly cell: number;
  readonly left: number;
  readonly gap: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
  readonly x: (bitInLane: number) => number;
}

function geometry(lanes: 2 | 4): Geometry {
  const per = 64 / lanes;
  const cell = lanes === 2 ? 24 : 21;
  const left = lanes === 2 ? 74 : 38;
  const gap = lanes === 2 ? 104 : 96;
  const top = 22;
  const band = scaleBand<number>().domain(Array.from({ length: per }, (_, i) => per - 1 - i)).range([left, left + cell * per]);
  return { lanes, per, cell, left, gap, top, width: left + cell * per + 8, height: top + lanes * (cell + gap) - 4, x: (b) => band(b)! };
}

const GEOMETRY = { 2: geometry(2), 4: geometry(4) } as const;

/** Which lane (0 = the top bits) and position a bit is drawn at. */
function place(g: Geometry, bit: number): { lane: number; x: number; y: number } {
  const lane = g.lanes - 1 - Math.floor(bit / g.per);
  return { lane, x: g.x(bit % g.per), y: g.top + lane * (g.cell + g.gap) };
}

/** Four lanes below this panel width (CSS px). */
const NARROW = 620;

/** 2 or 4 lanes, following the width of the element (ResizeObserver). */
function useLanes(ref: React.RefObject<HTMLElement | null>): 2 | 4 {
  const [lanes, setLanes] = useState<2 | 4>(() => (typeof window !== 'undefined' && window.innerWidth < NARROW ? 4 : 2));
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(([e]) => setLanes(e && e.contentRect.width < NARROW ? 4 : 2));
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return lanes;
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
  const section = useRef<HTMLElement>(null);
  const lanes = useLanes(section);
  const marks = useSwapviz((s) => s.marks);
  const setMarks = useSwapviz((s) => s.actions.setMarks);
  const hl = useHighlights();
  const fieldsHl = scratch === null && hl.fieldsOf === refKey(selection) ? hl.fields : undefined;
  // Predicting the next step at the stop: the last step's Δ marks would only mislead.
  const predicting = marks !== null && hl.atStop;
  const title = scratch === null ? `pid ${selection.pid} PTE ${selection.index}` : `a value of your own (${arch})`;
  const onToggle = (bit: number) => {
    if (marks) setMarks(marks.includes(bit) ? marks.filter((b) => b !== bit) : [...marks, bit]);
    else setScratch({ value: toggleBit(value, bit), arch });
  };
  return (
    <section className="panel bit-panel" aria-labelledby="bits-h" ref={section}>
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
        {value !== before && scratch === null && !predicting ? <span className="xor-note"> — bits {differingBits(value, before).join(', ')} changed in this step (marked Δ)</span> : null}
      </p>
      <div className="bits-scroll">
        <BitSvg d={d} before={scratch === null && !predicting ? before : value} svgRef={svg} onToggle={onToggle} g={GEOMETRY[lanes]} marks={marks} highlight={fieldsHl} />
      </div>
      {marks ? (
        <p className="mark-bar" role="status">
          Marking the bits that will change: {marks.length ? `${marks.length === 1 ? 'bit' : 'bits'} ${marks.join(', ')}` : 'none yet'}.{' '}
          <button type="button" onClick={() => document.getElementById('lesson-h')?.closest('section')?.querySelector<HTMLButtonElement>('form.question button[type="submit"]')?.focus()}>Back to the question</button>
        </p>
      ) : null}
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

/** A field cut at lane boundaries, top lane first. */
function fieldParts(g: Geometry, f: DecodedField): { lane: number; hi: number; lo: number }[] {
  const out: { lane: number; hi: number; lo: number }[] = [];
  for (let hi = f.hi; hi >= f.lo;) {
    const lo = Math.max(f.lo, hi - (hi % g.per));
    out.push({ lane: g.lanes - 1 - Math.floor(hi / g.per), hi, lo });
    hi = lo - 1;
  }
  return out;
}

interface BitSvgProps {
  d: DecodedPte;
  before: bigint;
  svgRef: React.RefObject<SVGSVGElement | null>;
  onToggle: (bit: number) => void;
  g: Geometry;
  /** Bits marked for a lesson question; null = clicking edits the value. */
  marks: readonly number[] | null;
  /** Field ids a lesson points at. */
  highlight?: ReadonlySet<string>;
}

function BitSvg({ d, before, svgRef, onToggle, g, marks, highlight }: BitSvgProps) {
  const CELL = g.cell;
  const marked = useMemo(() => new Set(marks ?? []), [marks]);
  const [focus, setFocus] = useState(63);
  const fields = d.fields;
  const changedBits = useMemo(() => new Set(differingBits(d.raw, before)), [d.raw, before]);
  const owner = useMemo(() => {
    const m = new Map<number, DecodedField>();
    for (const f of fields) for (let b = f.lo; b <= f.hi; b++) m.set(b, f);
    return m;
  }, [fields]);
  const onKey = (e: KeyboardEvent<SVGElement>) => {
    const moves: Record<string, number> = { ArrowLeft: 1, ArrowRight: -1, ArrowUp: g.per, ArrowDown: -g.per };
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
    <svg ref={svgRef} className={`bits lanes-${g.lanes}${marks ? ' marking' : ''}`} viewBox={`0 0 ${g.width} ${g.height}`} width="100%" role="group" aria-label={`64 bits of ${d.pte}: ${d.summary}`} onKeyDown={onKey}>
      {Array.from({ length: g.lanes }, (_, lane) => {
        const hi = 63 - lane * g.per;
        return <text key={lane} className="lane-label" x={4} y={g.top + lane * (g.cell + g.gap) + CELL / 2 + 4}>{g.lanes === 2 ? `bits ${hi}–${hi - g.per + 1}` : `${hi}–${hi - g.per + 1}`}</text>;
      })}
      {highlight?.size ? fields.filter((f) => highlight.has(f.id)).flatMap((f) => fieldParts(g, f).map((part) => {
        const a = place(g, part.hi);
        const b = place(g, part.lo);
        return <rect key={`hl-${f.id}-${part.lane}`} className="hl-band" x={a.x - 2} y={a.y - 3} width={b.x + CELL + 1 - a.x} height={CELL + 6} rx={4} />;
      })) : null}
      {Array.from({ length: 64 }, (_, i) => 63 - i).map((bit) => {
        const p = place(g, bit);
        const on = testBit(d.raw, bit);
        const changed = changedBits.has(bit);
        const f = owner.get(bit);
        const isMarked = marked.has(bit);
        const name = `bit ${bit}: ${on ? 1 : 0}${f ? `, ${f.name}` : ''}${changed ? ', changed by this step' : ''}`;
        return (
          <g key={bit} className={`bit ${on ? 'on' : 'off'} role-${f?.role ?? 'other'}${changed ? ' xor' : ''}${isMarked ? ' marked' : ''}`}
            role={marks ? 'checkbox' : 'switch'} aria-checked={marks ? isMarked : on} data-bit={bit} tabIndex={bit === focus ? 0 : -1}
            aria-label={marks ? `${name}; marked as changing: ${isMarked ? 'yes' : 'no'}` : name}
            onClick={() => { setFocus(bit); onToggle(bit); }}>
            <rect x={p.x} y={p.y} width={CELL - 1} height={CELL} rx={2} />
            <text className="bitval" x={p.x + CELL / 2 - 0.5} y={p.y + CELL / 2 + 4}>{on ? 1 : 0}</text>
            {bit % 4 === 0 || bit % g.per === g.per - 1 ? <text className="bitno" x={p.x + CELL / 2} y={p.y - 2}>{bit}</text> : null}
            {changed ? <text className="xor-mark" x={p.x + CELL / 2} y={p.y + CELL + 9}>Δ</text> : null}
            {isMarked ? <path className="mark-tick" d={`M${p.x + 1},${p.y - 1} h7 l-7,7 z`} /> : null}
          </g>
        );
      })}
      {fields.map((f) =>
        fieldParts(g, f).map((part, i) => {
          const a = place(g, part.hi);
          const b = place(g, part.lo);
          const x0 = a.x;
          const x1 = b.x + CELL - 1;
          const y = a.y + CELL + 12;
          const narrow = x1 - x0 < 70;
          // In four narrow lanes a long label is cut (the whole text is in <title> and the accessible name).
          const fit = g.lanes === 4 ? Math.max(8, Math.floor((x1 - x0 + 40) / 6)) : 48;
          return (
            <g key={`${f.id}-${part.lane}`} className={`field role-${f.role}${f.problem ? ' bad' : ''}${highlight?.has(f.id) ? ' lesson-hl' : ''}`} role={i === 0 ? 'img' : undefined} aria-label={i === 0 ? f.label : undefined} aria-hidden={i === 0 ? undefined : true}>
              <title>{`${f.label}${f.note ? ` — ${f.note}` : ''}`}</title>
              <path d={`M${x0 + 1},${y} v4 H${x1 - 1} v-4`} />
              {narrow ? (
                <text className="flabel rot" transform={`translate(${(x0 + x1) / 2 - 3},${y + 8}) rotate(90)`}>{short(f)}</text>
              ) : (
                <>
                  <text className="flabel" x={(x0 + x1) / 2} y={y + 18}>{clipText(f.name, fit)}</text>
                  <text className="fvalue" x={(x0 + x1) / 2} y={y + 32}>{clipText(`${f.text}${f.inverted ? ' (un-inverted)' : ''}`, g.lanes === 4 ? fit : 80)}</text>
                </>
              )}
            </g>
          );
        }),
      )}
    </svg>
  );
}

/** A label cut to `n` characters, with an ellipsis (the full text is in the field's <title> and accessible name). */
function clipText(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
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
