import { useMemo } from 'react';
import { ARCHES, getKernel, parseU64Hex, PROFILES, type ArchId, type DecodedPte, type Kernel } from '../model/index.ts';
import { decodeCached } from '../derive/index.ts';
import { KIND_STYLE } from './kindStyle.ts';
import { ProblemList } from './RuleSource.tsx';
import { useSwapviz, useSwapvizShallow } from './StoreContext.tsx';

/**
 * Paste PTE values (a "Bad page map" line works too) and see them decoded with the current kernel,
 * or in compare mode with both kernels. The text lives in the store: it survives a tab switch, and a
 * new kernel, config or paging decodes it again.
 */
export function DecodeBox() {
  const { options, text, arch, compare, comparePair } = useSwapvizShallow((s) => ({
    options: s.options, text: s.decodeText, arch: s.decodeArch, compare: s.compare, comparePair: s.comparePair,
  }));
  const a = useSwapviz((s) => s.actions);
  const platform = { ...options.platform, arch };
  const kernels: Kernel[] = compare
    ? comparePair.map((p) => getKernel(p, options.config, platform))
    : [getKernel(options.profile, options.config, platform)];
  const lines = useMemo(() => text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).slice(0, 200), [text]);
  return (
    <section className="panel decode-panel" aria-labelledby="decode-h">
      <h2 id="decode-h">Decode PTE values</h2>
      <div className="decode-controls">
        <label htmlFor="decode-input">PTE values, one per line (hex, or a "pte:…" token from a Bad page map report)</label>
        <textarea id="decode-input" rows={4} value={text} spellCheck={false} onChange={(e) => a.setDecodeText(e.target.value)} />
        <label>
          Layout{' '}
          <select value={arch} onChange={(e) => a.setDecodeArch(e.target.value as ArchId)}>
            {ARCHES.map((x) => <option key={x} value={x}>{x}</option>)}
          </select>
        </label>
        <span className="note">with {kernels.map((k) => `${compare ? k.profile.short : k.profile.label}, MAX_SWAPFILES ${k.MAX_SWAPFILES}`).join(' and ')}</span>
      </div>
      <ul className="decoded" aria-label="Decoded values">
        {lines.map((l, i) => {
          const r = parseU64Hex(l);
          if (!r.ok) return <li key={i} className="error">{r.error}</li>;
          const ds = kernels.map((k) => decodeCached(k, r.value));
          const first = ds[0]!;
          return (
            <li key={i}>
              <code>{first.pte}</code>{' '}
              {compare ? (
                <ul className="decoded-cmp" aria-label={`${first.pte} under ${ds.map((d) => PROFILES[d.profile].short).join(' and ')}`}>
                  {ds.map((d) => (
                    <li key={d.profile}>
                      <strong>{PROFILES[d.profile].short}:</strong> <Decoding d={d} />
                    </li>
                  ))}
                </ul>
              ) : <Decoding d={first} />}
              <button type="button" className="small" onClick={() => { a.setScratch({ value: r.value, arch }); a.setPanel('layout'); }} aria-label={`show the bits of ${first.pte}`}>show bits</button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function Decoding({ d }: { d: DecodedPte }) {
  return (
    <>
      <span className={`kind ${KIND_STYLE[d.kind].cls}`}>{KIND_STYLE[d.kind].label}</span> {d.summary}
      <ProblemList problems={d.problems} kinds={d.problemKinds} profile={d.profile} arch={d.arch} label={`Why ${d.pte} is not something ${PROFILES[d.profile].short} builds`} />
    </>
  );
}
