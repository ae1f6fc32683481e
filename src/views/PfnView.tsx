import { linkVertical, scaleBand } from 'd3';
import { useEffect, useMemo, useRef, useState } from 'react';
import { pfnModel, type PfnModel, type PfnPageBox } from '../derive/index.ts';
import { captionLines } from './Assumptions.tsx';
import { ExportButtons } from './ExportButtons.tsx';
import { wrapLine } from './exportPicture.ts';
import { useSwapviz, useSwapvizShallow } from './StoreContext.tsx';
import { useCurrent } from './useDerived.ts';
import { useHighlights } from './useLesson.ts';

/** Narrower than this, the picture is drawn at this width and its panel scrolls. */
const MIN_W = 280;
/** The least room per PTE and per page box, so labels stay legible. */
const PER_BOX = 48;
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
  readonly ptes: { key: string; pid: number; index: number; x: number; w: number; ok: boolean; label: string }[];
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
  const physN = m.separate ? m.phys.length : m.phys.length + m.device.length;
  const devN = m.separate ? m.device.length : 0;
  // Each space is at least wide enough for its boxes and for its label (wrapped to a few lines).
  const least = (n: number) => Math.max(n * PER_BOX, LABEL_MIN);
  const need = 16 + Math.max(PER_BOX * pteKeys.length, m.separate ? least(physN) + GAP + least(devN) : PER_BOX * physN);
  const W = Math.max(MIN_W, available, need);
  const px = scaleBand<string>().domain(pteKeys).range([8, W - 8]).paddingInner(0.15);
  const boxes = new Map<string, { box: PfnPageBox; x: number; y: number; w: number }>();
  const strip = (list: readonly PfnPageBox[], x0: number, x1: number) => {
    const s = scaleBand<string>().domain(list.map((b) => `${b.space}:${b.number}`)).range([x0, x1]).paddingInner(0.12);
    const w = Math.min(s.bandwidth(), 120);
    // a box sits in the middle of its band, so a few boxes spread over the strip
    for (const b of list) boxes.set(`${b.space}:${b.number}`, { box: b, x: s(`${b.space}:${b.number}`)! + (s.bandwidth() - w) / 2, y: Y_PAGES, w });
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
      const w = Math.min(px.bandwidth(), 90);
      return { key: `${l.pid}:${l.index}`, pid: l.pid, index: l.index, x: px(`${l.pid}:${l.index}`)! + (px.bandwidth() - w) / 2, w, ok: l.ok, label: l.label };
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
  const { selection, scenario, options } = useSwapvizShallow((s) => ({ selection: s.selection, scenario: s.scenario, options: s.options }));
  const select = useSwapviz((s) => s.actions.select);
  const model = useMemo(() => pfnModel(state), [state]);
  const box = useRef<HTMLDivElement>(null);
  const available = useWidth(box);
  const lay = useMemo(() => layout(model, available), [model, available]);
  const svg = useRef<SVGSVGElement>(null);
  const bad = model.links.filter((l) => !l.ok).length;
  const hl = useHighlights().links;
  return (
    <section className="panel pfn-panel" aria-labelledby="pfn-h">
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
          {lay.ptes.map((p) => (
            <g key={p.key} className={`pte-box${p.ok ? '' : ' wrong'}${selection.pid === p.pid && selection.index === p.index ? ' selected' : ''}`}
              role="button" tabIndex={0} aria-label={`select pid ${p.pid} PTE ${p.index}`}
              onClick={() => select({ pid: p.pid, index: p.index })}
              onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select({ pid: p.pid, index: p.index }); } }}>
              <title>{p.label}</title>
              <rect x={p.x} y={Y_PTE} width={p.w} height={PTE_H} rx={3} />
              <text x={p.x + p.w / 2} y={Y_PTE + 19}>{p.w < 70 ? `${p.pid}:${p.index}` : `pid ${p.pid} #${p.index}`}</text>
            </g>
          ))}
          {[...lay.boxes.values()].map(({ box: b, x, y, w }) => (
            <g key={`${b.space}:${b.number}`} className={`page-box ${b.page ? b.page.kind : 'missing'}${b.page?.locked ? ' locked' : ''}`} role="img" aria-label={pageAria(b)}>
              <title>{pageAria(b)}</title>
              <rect x={x} y={y} width={w} height={BOX_H} rx={3} />
              <text className="pnum" x={x + w / 2} y={y + 16}>{fitNumber(b.number, w)}</text>
              <text className="pstate" x={x + w / 2} y={y + 32}>{pageBadges(b, w)}</text>
            </g>
          ))}
        </svg>
      </div>
      <ExportButtons svgRef={svg} name="swapviz-pfn" caption={captionLines(`swapviz: ${scenario.id} step ${cursor}, the PFN spaces`, options)} />
    </section>
  );
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
  const flags = [...(p.locked ? ['L'] : []), ...(p.dirty ? ['D'] : []), ...(p.anonExclusive ? ['X'] : []), ...(p.hwpoison ? ['HWP'] : [])];
  if (w < 56) return `m${p.mapcount}${flags.length ? ` ${flags.join('')}` : ''}`;
  return [...(w < 70 ? [] : [p.kind === 'device' ? 'dev' : 'ram']), `map ${p.mapcount}`, ...flags].join(' ');
}

function pageAria(b: PfnPageBox): string {
  const p = b.page;
  if (!p) return `${b.label}`;
  return `${b.label}: ${p.allocated ? `allocated, mapcount ${p.mapcount}${p.locked ? ', locked' : ''}${p.dirty ? ', dirty' : ''}${p.anonExclusive ? ', anon-exclusive' : ''}${p.hwpoison ? ', hwpoison' : ''}` : 'free'}`;
}
