import { useRef, useState } from 'react';
import {
  CONFIG_OPTIONS, DERIVED_SCENARIOS, getKernel, hmmScenarios, hmmThpScenarios, maxPhysmemBits, THP_SCENARIOS, PROFILE_IDS, PROFILES, SPEC_SCENARIOS, type ProfileId, type Scenario,
} from '../model/index.ts';
import { AssumptionsNote } from './Assumptions.tsx';
import { builtinOf } from '../share/index.ts';
import { type OpenCapture, type Theme } from '../store/store.ts';
import { shareUrl, showInAddressBar } from '../store/url.ts';
import { download } from './exportPicture.ts';
import { useStoreApi, useSwapviz, useSwapvizShallow } from './StoreContext.tsx';

const GROUPS: [string, readonly Scenario[]][] = [
  ['The spec\'s scenarios (S01–S22)', SPEC_SCENARIOS],
  ['Derived scenarios and the bug', DERIVED_SCENARIOS],
  ['hmm selftests (device-private)', hmmScenarios()],
  ['Huge pages: PMD-level entries (T01–T11, X02)', THP_SCENARIOS],
  ['hmm selftests with THPs', hmmThpScenarios()],
];

/** Import: a scenario JSON file, or a `swapviz capture` snapshot (also by dropping it on the page). */
function ImportButton() {
  const importJson = useSwapviz((st) => st.actions.importJson);
  const file = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" onClick={() => file.current?.click()}>Import JSON</button>
      <input ref={file} type="file" accept=".json,application/json" className="sr-only" aria-label="Import a scenario JSON file or a captured process" tabIndex={-1}
        onChange={async (e) => {
          const f = e.target.files?.[0];
          if (f) importJson(await f.text(), f.name);
          e.target.value = '';
        }} />
    </>
  );
}

function ThemePick() {
  const theme = useSwapviz((st) => st.theme);
  const setTheme = useSwapviz((st) => st.actions.setTheme);
  return (
    <label>
      Theme{' '}
      <select value={theme} onChange={(e) => setTheme(e.target.value as Theme)}>
        <option value="system">system</option>
        <option value="light">light</option>
        <option value="dark">dark</option>
      </select>
    </label>
  );
}

/** The header over a captured process: what it is read as, and the way back. */
function CaptureHeader({ capture }: { capture: OpenCapture }) {
  const close = useSwapviz((st) => st.actions.closeCapture);
  const s = capture.snapshot;
  const kern = s.kernel;
  return (
    <header className="app-header">
      <h1>swapviz</h1>
      <div className="controls">
        <ThemePick />
        <div className="share">
          <button type="button" onClick={close}>Back to the scenario</button>
          <ImportButton />
        </div>
      </div>
      <p className="scenario-line">
        <strong>Captured process</strong> — pid {s.pid}{s.comm ? ` (${s.comm})` : ''}, {s.pageCount.toLocaleString('en-US')} pagemap records from {capture.name}.
      </p>
      <p className="assumptions">
        Read as {PROFILES[kern.profile].label} (Linux {kern.release}{kern.profileExact ? '' : ', not exact'}); {kern.arch}, {kern.paging}-level paging;{' '}
        {kern.config ? `config from ${kern.configSource}` : 'config not known: all options on assumed'}; frames {s.pfnVisible ? 'shown' : 'hidden (no CAP_SYS_ADMIN)'}.
      </p>
    </header>
  );
}

export function Header() {
  const capture = useSwapviz((st) => st.capture);
  return capture ? <CaptureHeader capture={capture} /> : <ScenarioHeader />;
}

function ScenarioHeader() {
  const { scenario, options, compare, comparePair } = useSwapvizShallow((s) => ({
    scenario: s.scenario, options: s.options, compare: s.compare, comparePair: s.comparePair,
  }));
  // What Kconfig makes of the config asked for: a forced-off option shows off, disabled, with the reason.
  const kconfig = getKernel(options.profile, options.config, options.platform);
  const a = useSwapviz((s) => s.actions);
  const store = useStoreApi();
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
        <label className="scenario-pick">
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
          {CONFIG_OPTIONS.map((o) => {
            const why = kconfig.locked[o];
            return (
              <span key={o}>
                <label title={why} className={why ? 'forced' : undefined}>
                  <input type="checkbox" checked={kconfig.config[o]} disabled={why !== undefined} aria-describedby={why ? `cfg-why-${o}` : undefined}
                    onChange={(e) => a.setConfig(o, e.target.checked)} /> CONFIG_{o}
                </label>
                {why ? <span id={`cfg-why-${o}`} className="sr-only">{why}</span> : null}
              </span>
            );
          })}
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
        <span className="compare-pick">
          <label>
            <input type="checkbox" checked={compare} onChange={(e) => a.setCompare(e.target.checked)}
              aria-label={`Compare ${PROFILES[comparePair[0]].short} and ${PROFILES[comparePair[1]].short}`} /> Compare
          </label>{' '}
          {([0, 1] as const).map((side) => (
            <span key={side}>
              {side === 1 ? ' and ' : null}
              <select value={comparePair[side]} aria-label={side === 0 ? 'Left kernel of the comparison' : 'Right kernel of the comparison'}
                title={PROFILES[comparePair[side]].label} onChange={(e) => a.setComparePair(side, e.target.value as ProfileId)}>
                {PROFILE_IDS.map((p) => <option key={p} value={p}>{PROFILES[p].short}</option>)}
              </select>
            </span>
          ))}
        </span>
        <ThemePick />
        <div className="share">
          <button type="button" onClick={copy}>{copied ? 'Link copied' : 'Copy link'}</button>
          <button type="button" onClick={exportJson}>Export JSON</button>
          <ImportButton />
        </div>
      </div>
      <p className="scenario-line"><strong>{scenario.id}</strong> — {scenario.title}. <span className="desc">{scenario.description}</span></p>
      <AssumptionsNote options={options} />
    </header>
  );
}
