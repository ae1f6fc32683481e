import type { RefObject } from 'react';
import { savePng, saveSvg } from './exportPicture.ts';
import { useSwapviz } from './StoreContext.tsx';

export function ExportButtons({ svgRef, name }: { svgRef: RefObject<SVGSVGElement | null>; name: string }) {
  const say = useSwapviz((s) => s.actions.say);
  const what = name.startsWith('swapviz-bits') ? 'bit layout' : 'PFN spaces';
  return (
    <div className="export">
      <button type="button" onClick={() => svgRef.current && saveSvg(svgRef.current, name)}>Save {what} as SVG</button>
      <button type="button" onClick={() => svgRef.current && savePng(svgRef.current, name).catch((e: Error) => say({ kind: 'error', text: `PNG export failed: ${e.message}` }))}>Save {what} as PNG</button>
    </div>
  );
}
