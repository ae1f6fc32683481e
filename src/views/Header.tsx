import { useRef, useState } from 'react';
import {
  CONFIG_OPTIONS, DERIVED_SCENARIOS, hmmScenarios, maxPhysmemBits, PROFILE_IDS, PROFILES, SPEC_SCENARIOS, type ProfileId, type Scenario,
} from '../model/index.ts';
import { builtinOf } from '../share/index.ts';
import { type Theme } from '../store/store.ts';
import { shareUrl, showInAddressBar } from '../store/url.ts';
import { download } from './exportPicture.ts';
import { useStoreApi, useSwapviz, useSwapvizShallow } from './StoreContext.tsx';

const GROUPS: [string, readonly Scenario[]][] = [
  ['The spec\'s scenarios (S01–S22)', SPEC_SCENARIOS],
  ['Derived scenarios and the bug', DERIVED_SCENARIOS],
  ['hmm selftests (device-private)', hmmScenarios()],
];

export function Header() {
  const { scenario, options, compare, theme } = useSwapvizShallow((s) => ({ scenario: s.scenario, options: s.options, compare: s.compare, theme: s.theme }));
  const a = useSwapviz((s) => s.actions);
  const store = useStoreApi();
  const file = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);
  const builtin = builtinOf(scenario) !== undefined;
  const copy = async () => {
    const url = shareUrl(store.getState());
    try {
      await navigator.clipboard.writeText(url);
    } catch {
      /* clipboard denied: the address bar has the same link */
    }
    showInAddressBar(url);
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };
  const exportJson = () => {
    const s = store.getState().scenario;
    download(`${s.id}.swapviz.json`, new Blob([JSON.stringify(s, null, 2) + '\n'], { type: 'application/json' }));
  };
  return (
    <header className="app-header">
      <h1>swapviz</h1>
      <div className="controls">
        <label>
          Scenario{' '}
          <select value={builtin ? scenario.id : ''} onChange={(e) => a.loadBuiltin(e.target.value)}>
            {builtin ? null : <option value="">{scenario.id}: {scenario.title} (yours)</option>}
            {GROUPS.map(([title, list]) => (
              <optgroup key={title} label={title}>
                {list.map((s) => <option key={s.id} value={s.id}>{s.id.replace(/^hmm_/, '')}: {s.title.replace(/^hmm: /, '')}</option>)}
              </optgroup>
            ))}
          </select>
        </label>
        <label>
          Kernel{' '}
          <select value={options.profile} onChange={(e) => a.setProfile(e.target.value as ProfileId)}>
            {PROFILE_IDS.map((p) => <option key={p} value={p}>{PROFILES[p].label}</option>)}
          </select>
        </label>
        <fieldset className="config">
          <legend>Kernel config</legend>
          {CONFIG_OPTIONS.map((o) => (
            <label key={o}>
              <input type="checkbox" checked={options.config[o]} onChange={(e) => a.setConfig(o, e.target.checked)} /> CONFIG_{o}
            </label>
          ))}
        </fieldset>
        <fieldset className="machine">
          <legend>Machine (x86_64)</legend>
          <label>
            Paging{' '}
            <select value={options.platform.paging} onChange={(e) => a.setPlatform({ paging: Number(e.target.value) === 5 ? 5 : 4 })}>
              <option value={4}>4-level ({maxPhysmemBits({ arch: 'x86_64', paging: 4 })}-bit PA)</option>
              <option value={5}>5-level ({maxPhysmemBits({ arch: 'x86_64', paging: 5 })}-bit PA)</option>
            </select>
          </label>
          <label>
            <input type="checkbox" checked={options.platform.migrationAd} onChange={(e) => a.setPlatform({ migrationAd: e.target.checked })} /> migration entries carry A/D
          </label>
        </fieldset>
        <label>
          <input type="checkbox" checked={compare} onChange={(e) => a.setCompare(e.target.checked)} /> Compare v6.18 and RFC
        </label>
        <label>
          Theme{' '}
          <select value={theme} onChange={(e) => a.setTheme(e.target.value as Theme)}>
            <option value="system">system</option>
            <option value="light">light</option>
            <option value="dark">dark</option>
          </select>
        </label>
        <div className="share">
          <button type="button" onClick={copy}>{copied ? 'Link copied' : 'Copy link'}</button>
          <button type="button" onClick={exportJson}>Export JSON</button>
          <button type="button" onClick={() => file.current?.click()}>Import JSON</button>
          <input ref={file} type="file" accept=".json,application/json" className="sr-only" aria-label="Import a scenario JSON file" tabIndex={-1}
            onChange={async (e) => {
              const f = e.target.files?.[0];
              if (f) a.importJson(await f.text());
              e.target.value = '';
            }} />
        </div>
      </div>
      <p className="scenario-line"><strong>{scenario.id}</strong> — {scenario.title}. <span className="desc">{scenario.description}</span></p>
    </header>
  );
}
