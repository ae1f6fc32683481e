/**
 * A 64-bit word drawn as lanes of bits, WaveDrom-style, with the decoder's fields labelled under
 * them: the PTE in the bit layout, a pagemap record, a captured record. Views draw whatever has a
 * raw value and labelled fields; nothing here knows what the bits mean.
 */
import { scaleBand } from 'd3';
import { useEffect, useMemo, useState, type KeyboardEvent } from 'react';
import { differingBits, testBit, type DecodedField } from '../model/index.ts';

/** What a word picture needs: the value, its fields (bit 63 down to 0), and text for its name. */
export interface Drawn {
  readonly raw: bigint;
  readonly fields: readonly DecodedField[];
  /** 0x + 16 hex digits. */
  readonly pte: string;
  readonly summary: string;
}

/** One word drawn: the value, what its Δ marks compare against, and (several words) its title. */
export interface DrawnWord {
  readonly d: Drawn;
  readonly before: bigint;
  readonly title?: string;
}

/**
 * A word is drawn as lanes of bits, WaveDrom-style: two 32-bit lanes, or four 16-bit lanes when the
 * panel is narrow (a phone), so that cells and field labels keep a readable size. Each lane has room
 * under it for its field labels (rotated ones too).
 */
export interface Geometry {
  readonly lanes: 2 | 4;
  /** Bits per lane. */
  readonly per: number;
  readonly cell: number;
  readonly left: number;
  readonly gap: number;
  readonly top: number;
  readonly width: number;
  /** One 64-bit word. */
  readonly wordH: number;
  readonly x: (bitInLane: number) => number;
}

function geometry(lanes: 2 | 4): Geometry {
  const per = 64 / lanes;
  const cell = lanes === 2 ? 24 : 21;
  const left = lanes === 2 ? 74 : 38;
  const gap = lanes === 2 ? 130 : 108;
  const top = 22;
  const band = scaleBand<number>().domain(Array.from({ length: per }, (_, i) => per - 1 - i)).range([left, left + cell * per]);
  return { lanes, per, cell, left, gap, top, width: left + cell * per + 12, wordH: top + lanes * (cell + gap) + 24, x: (b) => band(b)! };
}

export const GEOMETRY = { 2: geometry(2), 4: geometry(4) } as const;
/** The kernel's name above each word in compare mode. */
const TITLE_H = 18;
/** Rough width of a character of the 10.5px label font, to keep centred labels inside the picture. */
const CHAR_W = 5.9;

/** Which lane (0 = the top bits) and position a bit is drawn at, in a word starting at y0. */
function place(g: Geometry, bit: number, y0 = 0): { lane: number; x: number; y: number } {
  const lane = g.lanes - 1 - Math.floor(bit / g.per);
  return { lane, x: g.x(bit % g.per), y: y0 + g.top + lane * (g.cell + g.gap) };
}

/** Four lanes below this panel width (CSS px). */
const NARROW = 620;

/** 2 or 4 lanes, following the width of the element (ResizeObserver). */
export function useLanes(ref: React.RefObject<HTMLElement | null>): 2 | 4 {
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

/** The x of a centred label of `chars` characters over [x0, x1], kept inside the picture. */
function labelX(g: Geometry, x0: number, x1: number, chars: number): number {
  const half = (chars * CHAR_W) / 2;
  const c = (x0 + x1) / 2;
  return Math.max(half + 2, Math.min(g.width - half - 2, c));
}

/** A label cut to `n` characters, with an ellipsis (the full text is in the field's <title> and accessible name). */
function clipText(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

export function BitSvg({ words, svgRef, g, onToggle, stale, undone, label, marks, highlight, readOnly = false }: {
  words: readonly DrawnWord[]; svgRef: React.RefObject<SVGSVGElement | null>; g: Geometry; onToggle: (word: number, bit: number) => void;
  stale: boolean; undone: number | null; label?: string;
  /** The bits are shown, not switched (a record read from the kernel). */
  readOnly?: boolean;
  /** Bits marked for a lesson question; null = clicking edits the value. */
  marks: readonly number[] | null;
  /** Field ids a lesson points at. */
  highlight?: ReadonlySet<string>;
}) {
  const [focus, setFocus] = useState({ w: 0, bit: 63 });
  const [inside, setInside] = useState(false);
  const titled = words.length > 1;
  const blockH = g.wordH + (titled ? TITLE_H : 0);
  const height = blockH * words.length;
  const owners = useMemo(() => words.map((w) => {
    const m = new Map<number, DecodedField>();
    for (const f of w.d.fields) for (let b = f.lo; b <= f.hi; b++) m.set(b, f);
    return m;
  }), [words]);
  const onKey = (e: KeyboardEvent<SVGElement>) => {
    const moves: Record<string, number> = { ArrowLeft: 1, ArrowRight: -1, ArrowUp: g.per, ArrowDown: -g.per };
    if (e.key in moves) {
      e.preventDefault();
      e.stopPropagation();
      const n = Math.max(0, Math.min(63, focus.bit + moves[e.key]!));
      setFocus({ w: focus.w, bit: n });
      (svgRef.current?.querySelector(`[data-word="${focus.w}"][data-bit="${n}"]`) as SVGElement | null)?.focus();
    } else if (e.key === ' ' || e.key === 'Enter') {
      e.preventDefault();
      e.stopPropagation();
      onToggle(focus.w, focus.bit);
    }
  };
  const focusedField = owners[focus.w]?.get(focus.bit);
  const focusedWord = words[focus.w];
  return (
    <>
      <svg ref={svgRef} className={`bits lanes-${g.lanes}${stale ? ' stale' : ''}${marks ? ' marking' : ''}`} viewBox={`0 0 ${g.width} ${height}`} width="100%" role="group"
        aria-label={label ?? `64 bits of ${words[0]!.d.pte}: ${words[0]!.d.summary}${stale ? ' (the last valid value: the text in the field is not a value)' : ''}`}
        onKeyDown={onKey} onFocus={() => setInside(true)} onBlur={() => setInside(false)}>
        {words.map((w, wi) => (
          <WordBits key={wi} word={w} wi={wi} g={g} y0={wi * blockH + (titled ? TITLE_H : 0)} owner={owners[wi]!} titled={titled}
            focusBit={focus.w === wi ? focus.bit : -1} undone={undone} marks={marks} highlight={highlight} readOnly={readOnly}
            onPick={(bit) => { setFocus({ w: wi, bit }); onToggle(wi, bit); }} onFocusBit={(bit) => setFocus({ w: wi, bit })} />
        ))}
      </svg>
      <p className="bit-focus" hidden={!inside || !focusedWord}>
        {focusedWord ? `${titled ? `${focusedWord.title}: ` : ''}bit ${focus.bit} is ${testBit(focusedWord.d.raw, focus.bit) ? 1 : 0}${focusedField ? ` — ${focusedField.label}${focusedField.note ? ` — ${focusedField.note}` : ''}` : ''}` : ''}
      </p>
    </>
  );
}

function WordBits({ word, wi, g, y0, owner, titled, focusBit, undone, marks, highlight, readOnly, onPick, onFocusBit }: {
  word: DrawnWord; wi: number; g: Geometry; y0: number; owner: Map<number, DecodedField>; titled: boolean; focusBit: number; undone: number | null;
  marks: readonly number[] | null; highlight?: ReadonlySet<string>; readOnly: boolean;
  onPick: (bit: number) => void; onFocusBit: (bit: number) => void;
}) {
  const d = word.d;
  const CELL = g.cell;
  const marked = useMemo(() => new Set(marks ?? []), [marks]);
  const changedBits = useMemo(() => new Set(differingBits(d.raw, word.before)), [d.raw, word.before]);
  const changedWord = undone !== null ? `, changed by step ${undone}, undone` : ', changed by this step';
  const body = (
    <>
      {titled ? <text className="word-title" x={4} y={y0 - 5}>{word.title}: {d.pte} — {d.summary}</text> : null}
      {Array.from({ length: g.lanes }, (_, lane) => {
        const hi = 63 - lane * g.per;
        return <text key={lane} className="lane-label" x={4} y={y0 + g.top + lane * (CELL + g.gap) + CELL / 2 + 4}>{g.lanes === 2 ? `bits ${hi}–${hi - g.per + 1}` : `${hi}–${hi - g.per + 1}`}</text>;
      })}
      {highlight?.size ? d.fields.filter((f) => highlight.has(f.id)).flatMap((f) => fieldParts(g, f).map((part) => {
        const a = place(g, part.hi, y0);
        const b = place(g, part.lo, y0);
        return <rect key={`hl-${f.id}-${part.lane}`} className="hl-band" x={a.x - 2} y={a.y - 3} width={b.x + CELL + 1 - a.x} height={CELL + 6} rx={4} />;
      })) : null}
      {Array.from({ length: 64 }, (_, i) => 63 - i).map((bit) => {
        const p = place(g, bit, y0);
        const on = testBit(d.raw, bit);
        const changed = changedBits.has(bit);
        const f = owner.get(bit);
        const isMarked = marked.has(bit);
        const name = `bit ${bit}: ${on ? 1 : 0}${f ? `, ${f.name}` : ''}${changed ? changedWord : ''}`;
        return (
          <g key={bit} className={`bit ${on ? 'on' : 'off'} role-${f?.role ?? 'other'}${changed ? ' xor' : ''}${isMarked ? ' marked' : ''}`}
            role={readOnly ? 'img' : marks ? 'checkbox' : 'switch'} aria-checked={readOnly ? undefined : marks ? isMarked : on} data-bit={bit} data-word={wi} tabIndex={bit === focusBit ? 0 : -1}
            aria-label={marks ? `${name}; marked as changing: ${isMarked ? 'yes' : 'no'}` : name}
            onClick={readOnly ? undefined : () => onPick(bit)} onFocus={() => onFocusBit(bit)}>
            <rect x={p.x} y={p.y} width={CELL - 1} height={CELL} rx={2} />
            <text className="bitval" x={p.x + CELL / 2 - 0.5} y={p.y + CELL / 2 + 4}>{on ? 1 : 0}</text>
            {bit % 4 === 0 || bit % g.per === g.per - 1 ? <text className="bitno" x={p.x + CELL / 2} y={p.y - 2}>{bit}</text> : null}
            {changed ? <text className="xor-mark" x={p.x + CELL / 2} y={p.y + CELL + 9}>Δ</text> : null}
            {isMarked ? <path className="mark-tick" d={`M${p.x + 1},${p.y - 1} h7 l-7,7 z`} /> : null}
          </g>
        );
      })}
      {d.fields.map((f) =>
        fieldParts(g, f).map((part, i) => {
          const a = place(g, part.hi, y0);
          const b = place(g, part.lo, y0);
          const x0 = a.x;
          const x1 = b.x + CELL - 1;
          const y = a.y + CELL + 12;
          const narrow = x1 - x0 < 70;
          const full = `${f.text}${f.inverted ? ' (un-inverted)' : ''}`;
          // In four narrow lanes a long label is cut (the whole text is in <title> and the accessible name).
          const fit = Math.max(8, Math.floor((x1 - x0 + 40) / 6));
          const name = g.lanes === 4 ? clipText(f.name, fit) : f.name;
          const value = g.lanes === 4 ? clipText(full, fit) : full;
          return (
            <g key={`${f.id}-${part.lane}`} className={`field role-${f.role}${f.problem ? ' bad' : ''}${highlight?.has(f.id) ? ' lesson-hl' : ''}`} role={i === 0 ? 'img' : undefined} aria-label={i === 0 ? f.label : undefined} aria-hidden={i === 0 ? undefined : true}>
              <title>{`${f.label}${f.note ? ` — ${f.note}` : ''}`}</title>
              <path d={`M${x0 + 1},${y} v4 H${x1 - 1} v-4`} />
              {narrow ? (
                <text className="flabel rot" transform={`translate(${(x0 + x1) / 2 - 3},${y + 8}) rotate(90)`}>{short(f, rotChars(g))}</text>
              ) : (
                <>
                  <text className="flabel" x={labelX(g, x0, x1, name.length)} y={y + 18}>{name}</text>
                  <text className="fvalue" x={labelX(g, x0, x1, value.length)} y={y + 32}>{value}</text>
                </>
              )}
            </g>
          );
        }),
      )}
    </>
  );
  return titled ? <g role="group" aria-label={`${word.title}: 64 bits of ${d.pte}: ${d.summary}`}>{body}</g> : body;
}

/**
 * How many characters a rotated label (of a narrow field) may take: it runs down from under the lane
 * into the gap before the next lane, and must end before that lane starts.
 */
function rotChars(g: Geometry): number {
  // It starts 20 px under the lane; the next lane's bit numbers take the last 14 px of the gap.
  return Math.floor((g.gap - 34) / CHAR_W);
}

/** A narrow field's rotated label: its name without the common prefixes, and its value, in `max` characters (the field's title has the rest). */
export function short(f: DecodedField, max: number): string {
  const n = f.name.replace(/_PAGE_(SWP_)?/g, '').replace(/^PTE_(SWP_)?/, '').replace(/^(SWP|PM)_/, '').replace(/ \(.*$/, '');
  const v = f.text === 'set' ? '1' : f.text === 'clear' ? '0' : f.value < 10n ? String(f.value) : f.text.length > 6 ? '' : f.text;
  const tail = v ? `=${v}` : '';
  const room = max - tail.length;
  return `${n.length > room ? n.slice(0, room - 1) + '…' : n}${tail}`;
}

