import { useRef, useState } from 'react';
import {
  ARCHES, differingBits, getKernel, hex, hex64, parseU64Hex, PROFILES, SWP_TYPE_SHIFT, toggleBit,
  type ArchId, type DecodedPte, type Kernel, type Level,
} from '../model/index.ts';
import { decodeEntry, entryAt } from '../derive/index.ts';
import { captionLines } from './Assumptions.tsx';
import { KIND_STYLE } from './kindStyle.ts';
import { ProblemList } from './RuleSource.tsx';
import { useSwapviz, useSwapvizShallow } from './StoreContext.tsx';
import { useCompareSides, useCurrent, useKernel } from './useDerived.ts';
import { BitSvg, GEOMETRY, useLanes } from './BitSvg.tsx';
import { ExportButtons } from './ExportButtons.tsx';
import { PagemapRecord } from './PagemapRecord.tsx';
import { refKey, useHighlights } from './useLesson.ts';

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
  // The entry the kernel has at the selected index: the PTE, or the PMD leaf that covers it. Its Δ
  // marks compare with the entry that covered the index before (a split's PTE 0 equals the PMD).
  const entry = entryAt(state, selection);
  const level: Level = entry?.level ?? 'pte';
  const live = entry?.value ?? 0n;
  const before = entryAt(marks.against, selection)?.value ?? live;
  const value = scratch?.value ?? live;
  const arch = scratch?.arch ?? k.arch.id;
  const kernelFor = (profile = k.profile.id): Kernel => (profile === k.profile.id && arch === k.arch.id ? k : getKernel(profile, k.config, { ...k.platform, arch }));
  const words: Word[] = sides
    ? sides.map((side) => {
      const own = scratch ? { level, value } : entryAt(side.state, selection) ?? { level, value: 0n };
      const was = scratch ? value : entryAt(side.against, selection)?.value ?? own.value;
      return { d: decodeEntry(kernelFor(side.profile), own), before: was, title: PROFILES[side.profile].short };
    })
    : [{ d: decodeEntry(kernelFor(), { level, value }), before: scratch === null ? before : value }];
  const d = words[0]!.d;
  const svg = useRef<SVGSVGElement>(null);
  const section = useRef<HTMLElement>(null);
  const g = GEOMETRY[useLanes(section)];
  const bitMarks = useSwapviz((s) => s.marks);
  const setMarks = useSwapviz((s) => s.actions.setMarks);
  const hl = useHighlights();
  const fieldsHl = scratch === null && !sides && hl.fieldsOf === refKey(selection) ? hl.fields : undefined;
  // Predicting the next step at a lesson's stop: the last step's Δ marks would only mislead.
  const predicting = bitMarks !== null && hl.atStop;
  const shownWords = predicting ? words.map((w) => ({ ...w, before: w.d.raw })) : words;
  const [textIsValue, setTextIsValue] = useState(true);
  const entryName = level === 'pmd' && entry ? `PMD ${entry.from}–${entry.to}` : `PTE ${selection.index}`;
  const title = scratch === null ? `pid ${selection.pid} ${entryName}` : `a value of your own (${arch}${level === 'pmd' ? ', read as a PMD' : ''})`;
  const changed = scratch === null && !sides && value !== before && !predicting;
  const stepWord = marks.undone ? `were changed by step ${marks.step}, which you just undid` : 'changed in this step';
  const what = scratch === null ? `${scenario.id} step ${cursor}, pid ${selection.pid} ${entryName}` : `a value of your own (${arch}${level === 'pmd' ? ', read as a PMD' : ''})`;
  const shown = { ...options, platform: { ...options.platform, arch } };
  const caption = sides
    ? captionLines(`swapviz: ${what}, ${sides.map((s) => PROFILES[s.profile].short).join(' and ')}`, shown, sides.map((s) => s.profile))
    : captionLines(`swapviz: ${what}: ${hex64(value)} = ${d.summary}`, shown);
  return (
    <section className="panel bit-panel" aria-labelledby="bits-h" ref={section}>
      <h2 id="bits-h">Bit layout: {title}</h2>
      <HexEditor value={value} live={live} level={level} onChange={(v) => setScratch(v === null ? null : { value: v, arch })} onValidity={setTextIsValue} />
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
      <div className="bits-scroll">
        <BitSvg words={shownWords} svgRef={svg} g={g} stale={!textIsValue} undone={marks.undone ? marks.step : null} marks={sides ? null : bitMarks} highlight={fieldsHl}
          label={sides ? `Bit layouts of ${title} under ${sides.map((s) => PROFILES[s.profile].short).join(' and ')}` : undefined}
          onToggle={(w, bit) => {
            if (bitMarks && !sides) setMarks(bitMarks.includes(bit) ? bitMarks.filter((b) => b !== bit) : [...bitMarks, bit]);
            else setScratch({ value: toggleBit(words[w]!.d.raw, bit), arch });
          }} />
      </div>
      {bitMarks && !sides ? (
        <p className="mark-bar" role="status">
          Marking the bits that will change: {bitMarks.length ? `${bitMarks.length === 1 ? 'bit' : 'bits'} ${bitMarks.join(', ')}` : 'none yet'}.{' '}
          <button type="button" onClick={() => document.getElementById('lesson-h')?.closest('section')?.querySelector<HTMLButtonElement>('form.question button[type="submit"]')?.focus()}>Back to the question</button>
        </p>
      ) : null}
      {words.map((w, i) => (
        <div key={i} className="word-notes">
          {sides ? (
            <p className="summary">
              <strong>{PROFILES[sides[i]!.profile].short}:</strong> <span className={`kind ${KIND_STYLE[w.d.kind].cls}`}>{KIND_STYLE[w.d.kind].label}</span> {w.d.summary}
              {scratch === null && !predicting && w.d.raw !== w.before ? <span className="xor-note"> — bits {differingBits(w.d.raw, w.before).join(', ')} {stepWord} (marked Δ)</span> : null}
            </p>
          ) : null}
          <ProblemList problems={w.d.problems} kinds={w.d.problemKinds} profile={w.d.profile} arch={w.d.arch}
            label={sides ? `Why this value is not something ${PROFILES[sides[i]!.profile].short} builds` : 'Why this value is not something the kernel builds'} />
        </div>
      ))}
      {sides ? null : <SwpEntry d={d} />}
      {level === 'pmd' ? <PmdNotes d={sides ? decodeEntry(kernelFor(), { level, value }) : d} k={kernelFor()} /> : null}
      {sides ? null : <PagemapRecord />}
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
function HexEditor({ value, live, level, onChange, onValidity }: {
  value: bigint; live: bigint; level: Level; onChange: (v: bigint | null) => void; onValidity: (ok: boolean) => void;
}) {
  const what = level === 'pmd' ? 'PMD' : 'PTE';
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
        {what} value{' '}
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
      {value !== live ? <button type="button" onClick={() => { reset(); onChange(null); }}>Back to the {what}'s value</button> : null}
      <span id="hex-error" className="error" role="status">{error ?? ''}</span>
    </div>
  );
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

/**
 * What is particular to a PMD: which bits mean something else than in a PTE (the arch's table), what
 * pmd_present() tests, whether this kind of entry may sit in a PMD, and the PMD helpers' answers.
 */
function PmdNotes({ d, k }: { d: DecodedPte; k: Kernel }) {
  const pmd = k.arch.pmd;
  const present = d.present !== null;
  const rows = pmd.differsFromPte.filter((r) => r.when === 'both' || r.when === (present ? 'present' : 'non-present'));
  const preds = d.pmdPredicates ?? {};
  const bits = (r: { hi: number; lo: number }) => (r.hi === r.lo ? `bit ${r.hi}` : `bits ${r.lo}–${r.hi}`);
  return (
    <div className="pmd-notes" role="group" aria-label="How this PMD differs from a PTE">
      <h3>A PMD, not a PTE ({k.arch.id}, {present ? 'a present PMD' : 'a non-present PMD'})</h3>
      <p className="note">{pmd.presentTest}.{present ? '' : ' A non-present PMD has the PTE swap layout (__swp_entry_to_pmd() only reinterprets it).'}</p>
      {d.atPmd && d.kind !== 'none' && d.kind !== 'present' ? (
        <p className={d.atPmd.valid ? 'note' : 'note bad-text'}>{d.atPmd.valid ? 'This kind may sit in a PMD' : 'This kind never sits in a PMD'}: {d.atPmd.why}.</p>
      ) : null}
      <table className="level-diff" aria-label={`Bits whose meaning differs between a PTE and a PMD (${present ? 'present' : 'non-present'})`}>
        <thead><tr><th scope="col">bits</th><th scope="col">in a PTE</th><th scope="col">in this PMD</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.hi}-${r.lo}`}><th scope="row">{bits(r)}</th><td>{r.pte}</td><td>{r.pmd}</td></tr>
          ))}
        </tbody>
      </table>
      <details>
        <summary>PMD helpers of this kernel ({Object.values(preds).filter(Boolean).length} true)</summary>
        <ul className="predicates">
          {Object.entries(preds).map(([name, v]) => (
            <li key={name} className={v ? 'yes' : 'no'}><code>{name}()</code> {v ? 'true' : 'false'}</li>
          ))}
        </ul>
      </details>
    </div>
  );
}
