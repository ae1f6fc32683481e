import { linkVertical, scaleBand } from 'd3';
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { pfnModel, type PfnModel, type PfnPageBox } from '../derive/index.ts';
import type { KernelOptions, MachineState, PteRef, Scenario } from '../model/index.ts';
import { captionLines } from './Assumptions.tsx';
import { ExportButtons } from './ExportButtons.tsx';
import { wrapLine } from './exportPicture.ts';
import { useSwapviz, useSwapvizShallow } from './StoreContext.tsx';
import { useCurrent } from './useDerived.ts';
import { useHighlights } from './useLesson.ts';
import { useIdleValue } from './useIdle.ts';

/** Narrower than this, the picture is drawn at this width and its panel scrolls. */
const MIN_W = 280;
/** The least room per PTE and per page box, so labels stay legible. */
const PER_BOX = 48;
/** A 2 MiB folio's box takes the room of this many page boxes. */
const BLOCK_UNITS = 3;
const BOX_H = 44;
const PTE_H = 30;
/** PTE boxes sit under their strip's label; page boxes sit over theirs: links run between the two rows only. */
const Y_PTE = 22;
const Y_PAGES = 132;
const GAP = 28;
/** The least width of a space: its label wraps to three lines at most. */
const LABEL_MIN = 100;
const PHYS_LABEL = 'CPU physical space (RAM PFNs)';
const DEV_LABEL = 'device-private space (offsets from 0)';

interface Region {
  readonly label: string;
  readonly x0: number;
  readonly x1: number;
}

interface Layout {
  readonly width: number;
  readonly height: number;
  readonly ptes: { key: string; pid: number; index: number; to: number; level: 'pte' | 'pmd'; x: number; w: number; ok: boolean; label: string }[];
  readonly boxes: Map<string, { box: PfnPageBox; x: number; y: number; w: number }>;
  /** The page strips: one address space with a hole (before the series) or two side by side (after it). */
  readonly regions: readonly Region[];
}

/**
 * Positions (d3 scales only; React draws). Strip labels are above the PTE row and under the page
 * row, so no link (which runs from a PTE box's bottom to a page box's top) crosses a label; the two
 * spaces sit side by side, so no link crosses the other space's boxes.
 */
function layout(m: PfnModel, available: number): Layout {
  const pteKeys = m.links.map((l) => `${l.pid}:${l.index}`);
  // A folio counts as BLOCK_UNITS boxes.
  const units = (list: readonly PfnPageBox[]) => list.reduce((n, b) => n + (b.nr > 1 ? BLOCK_UNITS : 1), 0);
  const physN = m.separate ? units(m.phys) : units(m.phys) + units(m.device);
  const devN = m.separate ? units(m.device) : 0;
  // Each space is at least wide enough for its boxes and for its label (wrapped to a few lines).
  const least = (n: number) => Math.max(n * PER_BOX, LABEL_MIN);
  const need = 16 + Math.max(PER_BOX * pteKeys.length, m.separate ? least(physN) + GAP + least(devN) : PER_BOX * physN);
  const W = Math.max(MIN_W, available, need);
  const px = scaleBand<string>().domain(pteKeys).range([8, W - 8]).paddingInner(0.15);
  const boxes = new Map<string, { box: PfnPageBox; x: number; y: number; w: number }>();
  const strip = (list: readonly PfnPageBox[], x0: number, x1: number) => {
    // Bands of one unit per page box, BLOCK_UNITS per folio: a band scale over the units, a box spans its units.
    const slots = list.flatMap((b) => Array.from({ length: b.nr > 1 ? BLOCK_UNITS : 1 }, (_, i) => `${b.space}:${b.number}#${i}`));
    const s = scaleBand<string>().domain(slots).range([x0, x1]).paddingInner(0.12);
    for (const b of list) {
      const n = b.nr > 1 ? BLOCK_UNITS : 1;
      const left = s(`${b.space}:${b.number}#0`)!;
      const band = s(`${b.space}:${b.number}#${n - 1}`)! + s.bandwidth() - left;
      const w = Math.min(band, 120 * n);
      // a box sits in the middle of its band, so a few boxes spread over the strip
      boxes.set(`${b.space}:${b.number}`, { box: b, x: left + (band - w) / 2, y: Y_PAGES, w });
    }
  };
  let regions: Region[];
  if (m.separate) {
    // What is left over after each space's least width goes in proportion to the boxes it holds.
    const extra = W - 16 - GAP - least(physN) - least(devN);
    const share = physN + devN ? physN / (physN + devN) : 0.5;
    const split = 8 + Math.round(least(physN) + extra * share);
    strip(m.phys, 8, split);
    strip(m.device, split + GAP, W - 8);
    regions = [
      { label: PHYS_LABEL, x0: 8, x1: split },
      { label: DEV_LABEL, x0: split + GAP, x1: W - 8 },
    ];
  } else {
    // one physical address space: RAM, then (in a hole of the address space) the device pages
    strip([...m.phys, ...m.device].sort((a, b) => a.number - b.number), 8, W - 8);
    regions = [{ label: 'physical address space (RAM, then the device hole)', x0: 8, x1: W - 8 }];
  }
  return {
    width: W,
    height: Y_PAGES + BOX_H + 26 + LABEL_LINE * Math.max(0, ...regions.map((r) => wrapLabel(r.label, r.x1 - r.x0).length - 1)),
    ptes: m.links.map((l) => {
      const w = Math.min(px.bandwidth(), l.level === 'pmd' || l.to > l.index ? 124 : 90);
      return { key: `${l.pid}:${l.index}`, pid: l.pid, index: l.index, to: l.to, level: l.level, x: px(`${l.pid}:${l.index}`)! + (px.bandwidth() - w) / 2, w, ok: l.ok, label: l.label };
    }),
    boxes,
    regions,
  };
}

const LABEL_LINE = 13;
/** Rough width of a character of the 11px strip-label font. */
const LABEL_CHAR_W = 6;

/** A strip label in lines that fit `width`. */
function wrapLabel(label: string, width: number): string[] {
  return wrapLine(label, Math.max(8, Math.floor(width / LABEL_CHAR_W)));
}

const path = linkVertical<{ source: [number, number]; target: [number, number] }, [number, number]>();

/** The width of an element's content box, followed as it changes (0 until it is laid out). */
function useWidth(ref: React.RefObject<HTMLElement | null>): number {
  const [w, setW] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    setW(el.clientWidth);
    const ro = new ResizeObserver(() => setW(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return w;
}

export function PfnPanel() {
  const { state, cursor } = useCurrent();
  const shown = useSwapvizShallow((s) => ({ selection: s.selection, scenario: s.scenario, options: s.options }));
  const select = useSwapviz((s) => s.actions.select);
  const hl = useHighlights().links;
  // Drawn when the page is next idle: the step's own rows and bits are painted first, the PFN
  // spaces (up to 96 entries and 96 pages) right after. Until then the drawing is not rendered
  // again (its props have not changed) and the panel is marked busy.
  const now = useMemo(() => ({ state, cursor, shown, hl }), [state, cursor, shown, hl]);
  const { value: later, stale } = useIdleValue(now);
  return (
    <section className="panel pfn-panel" aria-labelledby="pfn-h" aria-busy={stale}>
      <PfnDrawing state={later.state} cursor={later.cursor} shown={later.shown} hl={later.hl} select={select} />
    </section>
  );
}

const PfnDrawing = memo(function PfnDrawing({ state, cursor, shown, hl, select }: {
  state: MachineState; cursor: number; shown: { selection: PteRef; scenario: Scenario; options: KernelOptions }; hl: ReadonlySet<string>; select: (ref: PteRef) => void;
}) {
  const { selection, scenario, options } = shown;
  const model = useMemo(() => pfnModel(state), [state]);
  const box = useRef<HTMLDivElement>(null);
  const available = useWidth(box);
  const lay = useMemo(() => layout(model, available), [model, available]);
  const svg = useRef<SVGSVGElement>(null);
  const bad = model.links.filter((l) => !l.ok).length;
  return (
    <>
      <h2 id="pfn-h">PFN spaces</h2>
      <p className="note">
        {model.separate
          ? 'After the series: RAM PFNs and device-private offsets are two separate spaces; only the swap type says which one a number is in.'
          : 'Before the series: one physical address space; device-private pages take PFNs from a hole in it.'}
        {bad ? <strong className="bad-text"> {bad} entr{bad === 1 ? 'y names' : 'ies name'} the wrong page (red).</strong> : null}
        {model.truncated ? ` ${model.truncated} more entries not drawn.` : ''}
        {model.hiddenPages ? ` ${model.hiddenPages} more allocated pages not drawn.` : ''}
      </p>
      <div className="pfn-scroll" ref={box}>
        <svg ref={svg} className="pfn" viewBox={`0 0 ${lay.width} ${lay.height}`} width={lay.width} height={lay.height} role="group" aria-label="PTEs and the pages they name">
          <text className="strip-label" x={8} y={Y_PTE - 8}>PTEs that carry a PFN</text>
          {lay.regions.map((r) => (
            <text key={r.label} className="strip-label" x={r.x0} y={Y_PAGES + BOX_H + 16}>
              {wrapLabel(r.label, r.x1 - r.x0).map((l, i) => <tspan key={i} x={r.x0} dy={i ? LABEL_LINE : 0}>{l}</tspan>)}
            </text>
          ))}
          {lay.regions.length > 1 ? <line className="divider" x1={lay.regions[1]!.x0 - GAP / 2} x2={lay.regions[1]!.x0 - GAP / 2} y1={Y_PAGES - 6} y2={lay.height - 4} /> : null}
          {model.links.map((l) => {
            const from = lay.ptes.find((p) => p.key === `${l.pid}:${l.index}`)!;
            const to = lay.boxes.get(l.namedKey);
            const meant = l.targetKey ? lay.boxes.get(l.targetKey) : undefined;
            return (
              <g key={`${l.pid}:${l.index}`} className={`link${l.ok ? '' : ' wrong'}${hl.has(`${l.pid}.${l.index}`) ? ' lesson-hl' : ''}`} role="img" aria-label={l.label}>
                {to ? <path d={path({ source: [from.x + from.w / 2, Y_PTE + PTE_H], target: [to.x + to.w / 2, to.y] }) ?? ''} /> : null}
                {!l.ok && meant ? <path className="meant" d={path({ source: [from.x + from.w / 2, Y_PTE + PTE_H], target: [meant.x + meant.w / 2, meant.y] }) ?? ''} /> : null}
              </g>
            );
          })}
          {lay.ptes.map((p) => {
            const sel = selection.pid === p.pid && selection.index >= p.index && selection.index <= p.to;
            const pick = () => select({ pid: p.pid, index: sel ? selection.index : p.index });
            return (
              <g key={p.key} className={`pte-box${p.level === 'pmd' ? ' pmd' : ''}${p.ok ? '' : ' wrong'}${sel ? ' selected' : ''}`}
                role="button" tabIndex={0} aria-label={`select pid ${p.pid} ${entryName(p)}`}
                onClick={pick}
                onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); pick(); } }}>
                <title>{p.label}</title>
                <rect x={p.x} y={Y_PTE} width={p.w} height={PTE_H} rx={3} />
                <text x={p.x + p.w / 2} y={Y_PTE + 19}>{boxText(p)}</text>
              </g>
            );
          })}
          {[...lay.boxes.values()].map(({ box: b, x, y, w }) => (
            <g key={`${b.space}:${b.number}`} className={`page-box ${b.page ? b.page.kind : 'missing'}${b.page?.locked ? ' locked' : ''}${b.nr > 1 ? ' folio' : ''}`} role="img" aria-label={pageAria(b)}>
              <title>{pageAria(b)}</title>
              <rect x={x} y={y} width={w} height={BOX_H} rx={3} />
              <text className="pnum" x={x + w / 2} y={y + 16}>{b.nr > 1 ? fitRange(b.number, b.nr, w) : fitNumber(b.number, w)}</text>
              <text className="pstate" x={x + w / 2} y={y + (b.nr > 1 ? 30 : 32)}>{pageBadges(b, w)}</text>
              {b.nr > 1 ? <MappedBar b={b} x={x} y={y} w={w} /> : null}
            </g>
          ))}
        </svg>
      </div>
      <ExportButtons svgRef={svg} name="swapviz-pfn" caption={captionLines(`swapviz: ${scenario.id} step ${cursor}, the PFN spaces`, options)} />
    </>
  );
});

/** A link's entry: a PTE, PTEs a–b, or a PMD. */
function entryName(p: { index: number; to: number; level: 'pte' | 'pmd' }): string {
  return p.level === 'pmd' ? `PMD ${p.index}–${p.to}` : p.to > p.index ? `PTEs ${p.index}–${p.to}` : `PTE ${p.index}`;
}

/** The text in an entry's box, shorter in a narrow box (the box's title says it in full). */
function boxText(p: { pid: number; index: number; to: number; level: 'pte' | 'pmd'; w: number }): string {
  const range = p.to > p.index ? `${p.index}–${p.to}` : `${p.index}`;
  // About 6 px per character of the 10px monospace font.
  const full = p.level === 'pmd' ? `pid ${p.pid} PMD ${range}` : `pid ${p.pid} #${range}`;
  if (full.length * 6 + 6 <= p.w) return full;
  return p.level === 'pmd' ? `PMD ${p.pid}:${p.index}` : `${p.pid}:${range}`;
}

/** Under a folio's box, which of its 512 pages PTEs map (a bar per mapped range). */
function MappedBar({ b, x, y, w }: { b: PfnPageBox; x: number; y: number; w: number }) {
  const x0 = x + 4;
  const span = w - 8;
  return (
    <g className="mapped-bar" aria-hidden="true">
      <rect className="track" x={x0} y={y + BOX_H - 8} width={span} height={4} rx={1} />
      {b.mapped.map(([from, to]) => (
        <rect key={from} className="mapped" x={x0 + (span * from) / b.nr} y={y + BOX_H - 8} width={Math.max(1, (span * (to - from + 1)) / b.nr)} height={4} />
      ))}
    </g>
  );
}

/** A folio's first and last page numbers, or its first only when the box is narrow. */
function fitRange(n: number, nr: number, w: number): string {
  const text = `0x${n.toString(16)}…0x${(n + nr - 1).toString(16)}`;
  return text.length * NUM_CHAR_W <= w - 4 ? text : fitNumber(n, w);
}

/** Width of a character of the 11px monospace page-number font. */
const NUM_CHAR_W = 6.7;

/** A page's number in hex, its last digits only (after "…") when the box is too narrow for all of them. */
function fitNumber(n: number, w: number): string {
  const text = `0x${n.toString(16)}`;
  const fits = Math.max(3, Math.floor((w - 4) / NUM_CHAR_W));
  return text.length <= fits ? text : `…${text.slice(-(fits - 1))}`;
}

/** A page's state in a few characters, fewer in a narrow box (the box's title says it in full). */
function pageBadges(b: PfnPageBox, w: number): string {
  const p = b.page;
  if (!p) return w < 56 ? 'none' : 'no page';
  if (!p.allocated) return 'free';
  if (b.nr > 1) {
    const flags = [...(p.locked ? ['L'] : []), ...(p.dirty ? ['D'] : [])];
    return [...(w < 110 ? [] : ['2 MiB']), `PMD ${p.entireMapcount}`, `PTE ${b.pteMaps}`, ...flags].join(' ');
  }
  const flags = [...(p.locked ? ['L'] : []), ...(p.dirty ? ['D'] : []), ...(p.anonExclusive ? ['X'] : []), ...(p.hwpoison ? ['HWP'] : [])];
  if (w < 56) return `m${p.mapcount}${flags.length ? ` ${flags.join('')}` : ''}`;
  return [...(w < 70 ? [] : [p.kind === 'device' ? 'dev' : 'ram']), `map ${p.mapcount}`, ...flags].join(' ');
}

function pageAria(b: PfnPageBox): string {
  const p = b.page;
  if (!p) return `${b.label}`;
  if (b.nr > 1) {
    const ranges = b.mapped.map(([f, t]) => (f === t ? `${f}` : `${f}–${t}`)).join(', ');
    return `${b.label}: ${b.nr} pages, ${p.allocated ? `mapped by ${p.entireMapcount} PMD${p.entireMapcount === 1 ? '' : 's'} and ${b.pteMaps} PTE${b.pteMaps === 1 ? '' : 's'}${ranges ? ` (pages ${ranges})` : ''}${p.locked ? ', locked' : ''}${p.dirty ? ', dirty' : ''}` : 'free'}`;
  }
  return `${b.label}: ${p.allocated ? `allocated, mapcount ${p.mapcount}${p.locked ? ', locked' : ''}${p.dirty ? ', dirty' : ''}${p.anonExclusive ? ', anon-exclusive' : ''}${p.hwpoison ? ', hwpoison' : ''}` : 'free'}`;
}
