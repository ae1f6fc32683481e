import { useMemo } from 'react';
import { CONSTRUCTORS, getKernel, PREDICATES, type Kernel } from '../model/index.ts';
import { useSwapvizShallow } from './StoreContext.tsx';
import { useHighlights } from './useLesson.ts';

function TableFor({ k, other, caption }: { k: Kernel; other: Kernel | null; caption: string }) {
  const rows = k.table.rows.slice().reverse();
  const hl = useHighlights().rows;
  const moved = (name: string, n: number) => {
    if (!other) return null;
    const o = other.typeNumber(name);
    return o === undefined ? 'new' : o !== n ? `was ${o}` : null;
  };
  return (
    <table className="types">
      <caption>{caption}</caption>
      <thead>
        <tr><th scope="col">type</th><th scope="col">name</th><th scope="col">names a</th><th scope="col">config</th>{other ? <th scope="col">vs {other.profile.short}</th> : null}</tr>
      </thead>
      <tbody>
        {rows.map((r) => {
          const m = moved(r.name, r.number);
          return (
            <tr key={r.name} className={`${m ? 'differs' : ''}${hl.has(r.name) ? ' lesson-hl' : ''}`}>
              <td>{r.number}</td>
              <th scope="row"><code>{breakable(r.name)}</code></th>
              <td>{r.pfn === null ? 'marker bits' : r.pfn === 'ram' ? 'RAM pfn' : k.profile.deviceSpace === 'separate' ? 'device offset' : 'device pfn'}</td>
              <td>{r.config ? breakable(`CONFIG_${r.config}`) : 'always'}</td>
              {other ? <td>{m ?? ''}</td> : null}
            </tr>
          );
        })}
        <tr className="swapfiles">
          <td>0–{k.MAX_SWAPFILES - 1}</td>
          <th scope="row">swap devices</th>
          <td>slot</td>
          <td>CONFIG_SWAP</td>
          {other ? <td>{other.MAX_SWAPFILES !== k.MAX_SWAPFILES ? `was 0–${other.MAX_SWAPFILES - 1}` : ''}</td> : null}
        </tr>
      </tbody>
    </table>
  );
}

/** A long macro name that may wrap after its underscores. */
function breakable(name: string) {
  const parts = name.split('_');
  return parts.map((p, i) => (
    <span key={i}>{p}{i < parts.length - 1 ? <>_<wbr /></> : null}</span>
  ));
}

export function TypeTablePanel() {
  const { options, compare, comparePair } = useSwapvizShallow((s) => ({ options: s.options, compare: s.compare, comparePair: s.comparePair }));
  const k = getKernel(options.profile, options.config, options.platform);
  const pair = useMemo(() => {
    if (!compare) return null;
    return comparePair.map((p) => getKernel(p, options.config, options.platform));
  }, [compare, comparePair, options]);
  return (
    <section className="panel types-panel" aria-labelledby="types-h">
      <h2 id="types-h">Swap type numbers</h2>
      {k.forced.length ? <p className="note">Kconfig: {k.forced.join('; ')}.</p> : null}
      {pair ? (
        <div className="types-compare">
          <TableFor k={pair[0]!} other={null} caption={`${pair[0]!.profile.short}: MAX_SWAPFILES = ${pair[0]!.MAX_SWAPFILES}`} />
          <TableFor k={pair[1]!} other={pair[0]!} caption={`${pair[1]!.profile.short}: MAX_SWAPFILES = ${pair[1]!.MAX_SWAPFILES}`} />
        </div>
      ) : (
        <TableFor k={k} other={null} caption={`${k.profile.label}: MAX_SWAPFILES = ${k.MAX_SWAPFILES}`} />
      )}
      <NamingQuestion />
    </section>
  );
}

function NamingQuestion() {
  const renamed = [...CONSTRUCTORS, ...PREDICATES].filter((h) => h.renamedTo);
  return (
    <details className="naming">
      <summary>The naming question raised in review</summary>
      <ul>
        {renamed.map((h) => (
          <li key={h.name}>
            RFC <code>{h.name}()</code> → {h.renamedTo!.version} <code>{h.renamedTo!.name}()</code>. <span className="why">{h.renamedTo!.why}.</span>
          </li>
        ))}
      </ul>
    </details>
  );
}
