import { useMemo, useState } from 'react';
import { ARCHES, getKernel, parseU64Hex, type ArchId } from '../model/index.ts';
import { decodeCached } from '../derive/index.ts';
import { KIND_STYLE } from './kindStyle.ts';
import { useSwapviz, useSwapvizShallow } from './StoreContext.tsx';

/** Paste PTE values (a "Bad page map" line works too) and see them decoded with the current kernel. */
export function DecodeBox() {
  const [text, setText] = useState('0xf7ffffffffffde02\n0xdfffe7ffffdb9602');
  const [arch, setArch] = useState<ArchId>('x86_64');
  const { options } = useSwapvizShallow((s) => ({ options: s.options }));
  const a = useSwapviz((s) => s.actions);
  const k = getKernel(options.profile, options.config, { ...options.platform, arch });
  const lines = useMemo(() => text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).slice(0, 200), [text]);
  return (
    <section className="panel decode-panel" aria-labelledby="decode-h">
      <h2 id="decode-h">Decode PTE values</h2>
      <div className="decode-controls">
        <label htmlFor="decode-input">PTE values, one per line (hex, or a "pte:…" token from a Bad page map report)</label>
        <textarea id="decode-input" rows={4} value={text} spellCheck={false} onChange={(e) => setText(e.target.value)} />
        <label>
          Layout{' '}
          <select value={arch} onChange={(e) => setArch(e.target.value as ArchId)}>
            {ARCHES.map((x) => <option key={x} value={x}>{x}</option>)}
          </select>
        </label>
        <span className="note">with {k.profile.label}, MAX_SWAPFILES {k.MAX_SWAPFILES}</span>
      </div>
      <ul className="decoded" aria-label="Decoded values">
        {lines.map((l, i) => {
          const r = parseU64Hex(l);
          if (!r.ok) return <li key={i} className="error">{r.error}</li>;
          const d = decodeCached(k, r.value);
          return (
            <li key={i}>
              <code>{d.pte}</code> <span className={`kind ${KIND_STYLE[d.kind].cls}`}>{KIND_STYLE[d.kind].label}</span> {d.summary}
              <button type="button" className="small" onClick={() => { a.setScratch({ value: r.value, arch }); a.setPanel('layout'); }} aria-label={`show the bits of ${d.pte}`}>show bits</button>
              {d.problems.length ? <ul className="problems">{d.problems.map((p) => <li key={p}>{p}</li>)}</ul> : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
