import { linkVertical, scaleBand } from 'd3';
import { useMemo, useRef } from 'react';
import { pfnModel, type PfnModel, type PfnPageBox } from '../derive/index.ts';
import { ExportButtons } from './ExportButtons.tsx';
import { useSwapviz } from './StoreContext.tsx';
import { useCurrent } from './useDerived.ts';
import { useHighlights } from './useLesson.ts';

const MIN_W = 760;
/** Room per PTE and per page box, so labels stay legible: the SVG grows and its panel scrolls. */
const PER_BOX = 64;
const BOX_H = 44;
const Y_PTE = 24;
const Y_PHYS = 150;
const Y_DEV = 236;

interface Layout {
  readonly width: number;
  readonly ptes: { key: string; pid: number; index: number; x: number; w: number; ok: boolean; label: string }[];
  readonly boxes: Map<string, { box: PfnPageBox; x: number; y: number; w: number }>;
  readonly height: number;
}

/** Positions: d3 scales only; React draws. */
function layout(m: PfnModel): Layout {
  const pteKeys = m.links.map((l) => `${l.pid}:${l.index}`);
  const W = Math.max(MIN_W, 16 + PER_BOX * Math.max(pteKeys.length, m.separate ? Math.max(m.phys.length, m.device.length) : m.phys.length + m.device.length));
  const px = scaleBand<string>().domain(pteKeys).range([8, W - 8]).paddingInner(0.15);
  const boxes = new Map<string, { box: PfnPageBox; x: number; y: number; w: number }>();
  const strip = (list: readonly PfnPageBox[], y: number, x0: number, x1: number) => {
    const s = scaleBand<string>().domain(list.map((b) => `${b.space}:${b.number}`)).range([x0, x1]).paddingInner(0.12);
    for (const b of list) boxes.set(`${b.space}:${b.number}`, { box: b, x: s(`${b.space}:${b.number}`)!, y, w: Math.min(s.bandwidth(), 120) });
  };
  if (m.separate) {
    strip(m.phys, Y_PHYS, 8, W - 8);
    strip(m.device, Y_DEV, 8, W - 8);
  } else {
    // one physical address space: RAM, then (in a hole of the address space) the device pages
    const all = [...m.phys, ...m.device].sort((a, b) => a.number - b.number);
    strip(all, Y_PHYS, 8, W - 8);
  }
  return {
    width: W,
    ptes: m.links.map((l) => ({ key: `${l.pid}:${l.index}`, pid: l.pid, index: l.index, x: px(`${l.pid}:${l.index}`)!, w: Math.min(px.bandwidth(), 90), ok: l.ok, label: l.label })),
    boxes,
    height: (m.separate ? Y_DEV : Y_PHYS) + BOX_H + 30,
  };
}

const path = linkVertical<{ source: [number, number]; target: [number, number] }, [number, number]>();

export function PfnPanel() {
  const { state } = useCurrent();
  const selection = useSwapviz((s) => s.selection);
  const select = useSwapviz((s) => s.actions.select);
  const model = useMemo(() => pfnModel(state), [state]);
  const lay = useMemo(() => layout(model), [model]);
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
      <div className="pfn-scroll">
      <svg ref={svg} className="pfn" viewBox={`0 0 ${lay.width} ${lay.height}`} width={lay.width} height={lay.height} role="group" aria-label="PTEs and the pages they name">
        <text className="strip-label" x={8} y={Y_PTE - 8}>PTEs that carry a PFN</text>
        <text className="strip-label" x={8} y={Y_PHYS - 8}>{model.separate ? 'CPU physical space (RAM PFNs)' : 'physical address space (RAM, then the device hole)'}</text>
        {model.separate ? <text className="strip-label" x={8} y={Y_DEV - 8}>device-private space (offsets from 0)</text> : null}
        {model.links.map((l) => {
          const from = lay.ptes.find((p) => p.key === `${l.pid}:${l.index}`)!;
          const to = lay.boxes.get(l.namedKey);
          const meant = l.targetKey ? lay.boxes.get(l.targetKey) : undefined;
          return (
            <g key={`${l.pid}:${l.index}`} className={`link${l.ok ? '' : ' wrong'}${hl.has(`${l.pid}.${l.index}`) ? ' lesson-hl' : ''}`} role="img" aria-label={l.label}>
              {to ? <path d={path({ source: [from.x + from.w / 2, Y_PTE + 30], target: [to.x + to.w / 2, to.y] }) ?? ''} /> : null}
              {!l.ok && meant ? <path className="meant" d={path({ source: [from.x + from.w / 2, Y_PTE + 30], target: [meant.x + meant.w / 2, meant.y] }) ?? ''} /> : null}
            </g>
          );
        })}
        {lay.ptes.map((p) => (
          <g key={p.key} className={`pte-box${p.ok ? '' : ' wrong'}${selection.pid === p.pid && selection.index === p.index ? ' selected' : ''}`}
            role="button" tabIndex={0} aria-label={`select pid ${p.pid} PTE ${p.index}`}
            onClick={() => select({ pid: p.pid, index: p.index })}
            onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select({ pid: p.pid, index: p.index }); } }}>
            <rect x={p.x} y={Y_PTE} width={p.w} height={30} rx={3} />
            <text x={p.x + p.w / 2} y={Y_PTE + 19}>{p.w < 70 ? `${p.pid}:${p.index}` : `pid ${p.pid} #${p.index}`}</text>
          </g>
        ))}
        {[...lay.boxes.values()].map(({ box, x, y, w }) => (
          <g key={`${box.space}:${box.number}`} className={`page-box ${box.page ? box.page.kind : 'missing'}${box.page?.locked ? ' locked' : ''}`} role="img" aria-label={pageAria(box)}>
            <rect x={x} y={y} width={w} height={BOX_H} rx={3} />
            <text className="pnum" x={x + w / 2} y={y + 16}>{`0x${box.number.toString(16)}`}</text>
            <text className="pstate" x={x + w / 2} y={y + 32}>{w < 70 ? pageBadges(box).replace(/^(dev|ram) /, '') : pageBadges(box)}</text>
          </g>
        ))}
      </svg>
      </div>
      <ExportButtons svgRef={svg} name="swapviz-pfn" />
    </section>
  );
}

function pageBadges(b: PfnPageBox): string {
  const p = b.page;
  if (!p) return 'no page';
  if (!p.allocated) return 'free';
  return [p.kind === 'device' ? 'dev' : 'ram', `map ${p.mapcount}`, ...(p.locked ? ['L'] : []), ...(p.dirty ? ['D'] : []), ...(p.anonExclusive ? ['X'] : []), ...(p.hwpoison ? ['HWP'] : [])].join(' ');
}

function pageAria(b: PfnPageBox): string {
  const p = b.page;
  if (!p) return `${b.label}`;
  return `${b.label}: ${p.allocated ? `allocated, mapcount ${p.mapcount}${p.locked ? ', locked' : ''}${p.dirty ? ', dirty' : ''}${p.anonExclusive ? ', anon-exclusive' : ''}${p.hwpoison ? ', hwpoison' : ''}` : 'free'}`;
}
