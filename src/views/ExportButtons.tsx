import type { RefObject } from 'react';
import { savePng, saveSvg } from './exportPicture.ts';
import { useSwapviz } from './StoreContext.tsx';

/** Save buttons for a picture; the file carries `caption` under the picture (what it shows and assumes). */
export function ExportButtons({ svgRef, name, caption }: { svgRef: RefObject<SVGSVGElement | null>; name: string; caption: readonly string[] }) {
  const say = useSwapviz((s) => s.actions.say);
  const what = name.startsWith('swapviz-bits') ? 'bit layout' : 'PFN spaces';
  return (
    <div className="export">
      <button type="button" onClick={() => svgRef.current && saveSvg(svgRef.current, name, caption)}>Save {what} as SVG</button>
      <button type="button" onClick={() => svgRef.current && savePng(svgRef.current, name, caption).catch((e: Error) => say({ kind: 'error', text: `PNG export failed: ${e.message}` }))}>Save {what} as PNG</button>
    </div>
  );
}
