import { scaleBand } from 'd3';
import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import {
  ARCHES, differingBits, getKernel, hex, hex64, parseU64Hex, PROFILES, readPte, SWP_TYPE_SHIFT, testBit, toggleBit,
  type ArchId, type DecodedField, type DecodedPte, type Kernel, type MachineState, type PteRef,
} from '../model/index.ts';
import { decodeCached } from '../derive/index.ts';
import { captionLines } from './Assumptions.tsx';
import { KIND_STYLE } from './kindStyle.ts';
import { ProblemList } from './RuleSource.tsx';
import { useSwapviz, useSwapvizShallow } from './StoreContext.tsx';
import { useCompareSides, useCurrent, useKernel } from './useDerived.ts';
import { ExportButtons } from './ExportButtons.tsx';

const CELL = 24;
const LEFT = 74;
const LANE_GAP = 118;
const TOP = 22;
const WIDTH = LEFT + CELL * 32 + 12;
/** One 64-bit word: two lanes, each with room under it for its field labels (rotated ones too). */
const WORD_H = TOP + CELL + LANE_GAP + CELL + LANE_GAP + 24;
/** The kernel's name above each word in compare mode. */
const TITLE_H = 18;
/** Rotated labels of one-bit fields keep this many characters; the field's title has the rest. */
const ROT_CHARS = 17;
/** Rough width of a character of the 10.5px label font, to keep centred labels inside the picture. */
const CHAR_W = 5.8;

const x = scaleBand<number>().domain(Array.from({ length: 32 }, (_, i) => 31 - i)).range([LEFT, LEFT + CELL * 32]);

/** Which lane (0 = bits 63..32, 1 = bits 31..0) and position a bit is drawn at, in a word starting at y0. */
function place(bit: number, y0 = 0): { lane: number; x: number; y: number } {
  const lane = bit >= 32 ? 0 : 1;
  return { lane, x: x(bit % 32)!, y: y0 + TOP + lane * (CELL + LANE_GAP) };
}

function pteAt(s: MachineState | null, ref: PteRef): bigint | null {
  const p = s?.processes.find((q) => q.pid === ref.pid);
  return p && ref.index < p.ptes.length ? readPte(p.ptes, ref.index) : null;
}

/** One word the panel draws: a value decoded by one kernel, and what its Δ marks compare against. */
interface Word {
  readonly d: DecodedPte;
  readonly before: bigint;
  /** The kernel's name, in compare mode. */
  readonly title?: string;
}

export function BitLayoutPanel() {
  const { state, marks } = useCurrent();
  const k = useKernel();
  const sides = useCompareSides();
  const { selection, scratch, scenario, cursor, options } = useSwapvizShallow((s) => ({ selection: s.selection, scratch: s.scratch, scenario: s.scenario, cursor: s.cursor, options: s.options }));
  const setScratch = useSwapviz((s) => s.actions.setScratch);
  const live = pteAt(state, selection) ?? 0n;
  const before = pteAt(marks.against, selection) ?? live;
  const value = scratch?.value ?? live;
  const arch = scratch?.arch ?? k.arch.id;
  const kernelFor = (profile = k.profile.id): Kernel => (profile === k.profile.id && arch === k.arch.id ? k : getKernel(profile, k.config, { ...k.platform, arch }));
  const words: Word[] = sides
    ? sides.map((side) => {
      const own = scratch ? value : pteAt(side.state, selection) ?? 0n;
      const was = scratch ? value : pteAt(side.against, selection) ?? own;
      return { d: decodeCached(kernelFor(side.profile), own), before: was, title: PROFILES[side.profile].short };
    })
    : [{ d: decodeCached(kernelFor(), value), before: scratch === null ? before : value }];
  const d = words[0]!.d;
  const svg = useRef<SVGSVGElement>(null);
  const [textIsValue, setTextIsValue] = useState(true);
  const title = scratch === null ? `pid ${selection.pid} PTE ${selection.index}` : `a value of your own (${arch})`;
  const changed = scratch === null && !sides && value !== before;
  const stepWord = marks.undone ? `were changed by step ${marks.step}, which you just undid` : 'changed in this step';
  const what = scratch === null ? `${scenario.id} step ${cursor}, pid ${selection.pid} PTE ${selection.index}` : `a value of your own (${arch})`;
  const shown = { ...options, platform: { ...options.platform, arch } };
  const caption = sides
    ? captionLines(`swapviz: ${what}, ${sides.map((s) => PROFILES[s.profile].short).join(' and ')}`, shown, sides.map((s) => s.profile))
    : captionLines(`swapviz: ${what}: ${hex64(value)} = ${d.summary}`, shown);
  return (
    <section className="panel bit-panel" aria-labelledby="bits-h">
      <h2 id="bits-h">Bit layout: {title}</h2>
      <HexEditor value={value} live={live} onChange={(v) => setScratch(v === null ? null : { value: v, arch })} onValidity={setTextIsValue} />
      {scratch ? (
        <label className="arch-pick">
          Layout{' '}
          <select value={arch} onChange={(e) => setScratch({ value, arch: e.target.value as ArchId })}>
            {ARCHES.map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
        </label>
      ) : null}
      {sides ? null : (
        <p className="summary">
          <span className={`kind ${KIND_STYLE[d.kind].cls}`}>{KIND_STYLE[d.kind].label}</span> {d.summary}
          {changed ? <span className="xor-note"> — bits {differingBits(value, before).join(', ')} {stepWord} (marked Δ)</span> : null}
        </p>
      )}
      <BitSvg words={words} svgRef={svg} stale={!textIsValue} undone={marks.undone ? marks.step : null}
        label={sides ? `Bit layouts of ${title} under ${sides.map((s) => PROFILES[s.profile].short).join(' and ')}` : undefined}
        onToggle={(w, bit) => setScratch({ value: toggleBit(words[w]!.d.raw, bit), arch })} />
      {words.map((w, i) => (
        <div key={i} className="word-notes">
          {sides ? (
            <p className="summary">
              <strong>{PROFILES[sides[i]!.profile].short}:</strong> <span className={`kind ${KIND_STYLE[w.d.kind].cls}`}>{KIND_STYLE[w.d.kind].label}</span> {w.d.summary}
              {scratch === null && w.d.raw !== w.before ? <span className="xor-note"> — bits {differingBits(w.d.raw, w.before).join(', ')} {stepWord} (marked Δ)</span> : null}
            </p>
          ) : null}
          <ProblemList problems={w.d.problems} kinds={w.d.problemKinds} profile={w.d.profile} arch={w.d.arch}
            label={sides ? `Why this value is not something ${PROFILES[sides[i]!.profile].short} builds` : 'Why this value is not something the kernel builds'} />
        </div>
      ))}
      {sides ? null : <SwpEntry d={d} />}
      <ExportButtons svgRef={svg} name={`swapviz-bits-${d.pte}`} caption={caption} />
    </section>
  );
}

/**
 * The hex field. While it has focus it shows what was typed, as long as that text still describes
 * the value drawn (it parses to it, or it does not parse and the bits keep the last value that
 * did, which the status says); when the value changes under it (a step, another kernel) the field
 * shows the new value, so the text and the bits never disagree.
 */
function HexEditor({ value, live, onChange, onValidity }: {
  value: bigint; live: bigint; onChange: (v: bigint | null) => void; onValidity: (ok: boolean) => void;
}) {
  const [edit, setEdit] = useState<{ text: string; base: bigint } | null>(null);
  const current = edit && edit.base === value ? edit : null;
  const parsed = current ? parseU64Hex(current.text) : null;
  const error = parsed && !parsed.ok ? `${parsed.error}; the bits show the last valid value, ${hex64(value)}` : null;
  const shown = current?.text ?? hex64(value);
  const reset = () => {
    setEdit(null);
    onValidity(true);
  };
  return (
    <div className="hex-editor">
      <label>
        PTE value{' '}
        <input
          value={shown}
          spellCheck={false}
          aria-describedby="hex-error"
          aria-invalid={error !== null}
          onChange={(e) => {
            const text = e.target.value;
            const r = parseU64Hex(text);
            if (r.ok) {
              setEdit({ text, base: r.value });
              onValidity(true);
              onChange(r.value === live ? null : r.value);
            } else {
              setEdit({ text, base: value });
              onValidity(false);
            }
          }}
          onBlur={reset}
        />
      </label>
      {value !== live ? <button type="button" onClick={() => { reset(); onChange(null); }}>Back to the PTE's value</button> : null}
      <span id="hex-error" className="error" role="status">{error ?? ''}</span>
    </div>
  );
}

function fieldParts(f: DecodedField): { lane: number; hi: number; lo: number }[] {
  if (f.hi >= 32 && f.lo < 32) return [{ lane: 0, hi: f.hi, lo: 32 }, { lane: 1, hi: 31, lo: f.lo }];
  return [{ lane: f.hi >= 32 ? 0 : 1, hi: f.hi, lo: f.lo }];
}

/** The x of a centred label of `chars` characters over [x0, x1], kept inside the picture. */
function labelX(x0: number, x1: number, chars: number): number {
  const half = (chars * CHAR_W) / 2;
  const c = (x0 + x1) / 2;
  return Math.max(half + 2, Math.min(WIDTH - half - 2, c));
}

function BitSvg({ words, svgRef, onToggle, stale, undone, label }: {
  words: readonly Word[]; svgRef: React.RefObject<SVGSVGElement | null>; onToggle: (word: number, bit: number) => void;
  stale: boolean; undone: number | null; label?: string;
}) {
  const [focus, setFocus] = useState({ w: 0, bit: 63 });
  const [inside, setInside] = useState(false);
  const titled = words.length > 1;
  const blockH = WORD_H + (titled ? TITLE_H : 0);
  const height = blockH * words.length;
  const owners = useMemo(() => words.map((w) => {
    const m = new Map<number, DecodedField>();
    for (const f of w.d.fields) for (let b = f.lo; b <= f.hi; b++) m.set(b, f);
    return m;
  }), [words]);
  const onKey = (e: KeyboardEvent<SVGElement>) => {
    const moves: Record<string, number> = { ArrowLeft: 1, ArrowRight: -1, ArrowUp: 32, ArrowDown: -32 };
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
      <svg ref={svgRef} className={`bits${stale ? ' stale' : ''}`} viewBox={`0 0 ${WIDTH} ${height}`} width="100%" role="group"
        aria-label={label ?? `64 bits of ${words[0]!.d.pte}: ${words[0]!.d.summary}${stale ? ' (the last valid value: the text in the field is not a value)' : ''}`}
        onKeyDown={onKey} onFocus={() => setInside(true)} onBlur={() => setInside(false)}>
        {words.map((w, wi) => (
          <WordBits key={wi} word={w} wi={wi} y0={wi * blockH + (titled ? TITLE_H : 0)} owner={owners[wi]!} titled={titled}
            focusBit={focus.w === wi ? focus.bit : -1} undone={undone}
            onPick={(bit) => { setFocus({ w: wi, bit }); onToggle(wi, bit); }} onFocusBit={(bit) => setFocus({ w: wi, bit })} />
        ))}
      </svg>
      <p className="bit-focus" hidden={!inside || !focusedWord}>
        {focusedWord ? `${titled ? `${focusedWord.title}: ` : ''}bit ${focus.bit} is ${testBit(focusedWord.d.raw, focus.bit) ? 1 : 0}${focusedField ? ` — ${focusedField.label}${focusedField.note ? ` — ${focusedField.note}` : ''}` : ''}` : ''}
      </p>
    </>
  );
}

function WordBits({ word, wi, y0, owner, titled, focusBit, undone, onPick, onFocusBit }: {
  word: Word; wi: number; y0: number; owner: Map<number, DecodedField>; titled: boolean; focusBit: number; undone: number | null;
  onPick: (bit: number) => void; onFocusBit: (bit: number) => void;
}) {
  const d = word.d;
  const changedBits = useMemo(() => new Set(differingBits(d.raw, word.before)), [d.raw, word.before]);
  const changedWord = undone !== null ? `, changed by step ${undone}, undone` : ', changed by this step';
  const body = (
    <>
      {titled ? <text className="word-title" x={4} y={y0 - 5}>{word.title}: {d.pte} — {d.summary}</text> : null}
      {[0, 1].map((lane) => (
        <text key={lane} className="lane-label" x={4} y={y0 + TOP + lane * (CELL + LANE_GAP) + CELL / 2 + 4}>{lane === 0 ? 'bits 63–32' : 'bits 31–0'}</text>
      ))}
      {Array.from({ length: 64 }, (_, i) => 63 - i).map((bit) => {
        const p = place(bit, y0);
        const on = testBit(d.raw, bit);
        const changed = changedBits.has(bit);
        const f = owner.get(bit);
        return (
          <g key={bit} className={`bit ${on ? 'on' : 'off'} role-${f?.role ?? 'other'}${changed ? ' xor' : ''}`}
            role="switch" aria-checked={on} data-bit={bit} data-word={wi} tabIndex={bit === focusBit ? 0 : -1}
            aria-label={`bit ${bit}: ${on ? 1 : 0}${f ? `, ${f.name}` : ''}${changed ? changedWord : ''}`}
            onClick={() => onPick(bit)} onFocus={() => onFocusBit(bit)}>
            <rect x={p.x} y={p.y} width={CELL - 1} height={CELL} rx={2} />
            <text className="bitval" x={p.x + CELL / 2 - 0.5} y={p.y + CELL / 2 + 4}>{on ? 1 : 0}</text>
            {bit % 4 === 0 || bit % 32 === 31 ? <text className="bitno" x={p.x + CELL / 2} y={p.y - 2}>{bit}</text> : null}
            {changed ? <text className="xor-mark" x={p.x + CELL / 2} y={p.y + CELL + 9}>Δ</text> : null}
          </g>
        );
      })}
      {d.fields.map((f) =>
        fieldParts(f).map((part, i) => {
          const a = place(part.hi, y0);
          const b = place(part.lo, y0);
          const x0 = a.x;
          const x1 = b.x + CELL - 1;
          const y = a.y + CELL + 12;
          const narrow = x1 - x0 < 70;
          const value = `${f.text}${f.inverted ? ' (un-inverted)' : ''}`;
          return (
            <g key={`${f.id}-${part.lane}`} className={`field role-${f.role}${f.problem ? ' bad' : ''}`} role={i === 0 ? 'img' : undefined} aria-label={i === 0 ? f.label : undefined} aria-hidden={i === 0 ? undefined : true}>
              <title>{`${f.label}${f.note ? ` — ${f.note}` : ''}`}</title>
              <path d={`M${x0 + 1},${y} v4 H${x1 - 1} v-4`} />
              {narrow ? (
                <text className="flabel rot" transform={`translate(${(x0 + x1) / 2 - 3},${y + 8}) rotate(90)`}>{short(f)}</text>
              ) : (
                <>
                  <text className="flabel" x={labelX(x0, x1, f.name.length)} y={y + 18}>{f.name}</text>
                  <text className="fvalue" x={labelX(x0, x1, value.length)} y={y + 32}>{value}</text>
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

function short(f: DecodedField): string {
  const n = f.name.replace(/_PAGE_(SWP_)?/g, '').replace(/^PTE_(SWP_)?/, '').replace(/^SWP_/, '').replace(/ \(.*$/, '');
  const v = f.text === 'set' ? '1' : f.text === 'clear' ? '0' : f.value < 10n ? String(f.value) : f.text.length > 6 ? '' : f.text;
  return `${n.length > ROT_CHARS ? n.slice(0, ROT_CHARS - 1) + '…' : n}${v ? `=${v}` : ''}`;
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
