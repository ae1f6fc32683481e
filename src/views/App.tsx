import { useEffect } from 'react';
import { ActionsPanel } from './Actions.tsx';
import { AssumptionsNote } from './Assumptions.tsx';
import { CaptureView } from './CaptureView.tsx';
import { BitLayoutPanel } from './BitLayout.tsx';
import { DecodeBox } from './DecodeBox.tsx';
import { EditorPanel } from './Editor.tsx';
import { Header } from './Header.tsx';
import { InvariantsPanel } from './Invariants.tsx';
import { LessonPanel } from './LessonPanel.tsx';
import { LessonsMenu, Welcome } from './Lessons.tsx';
import { PfnPanel } from './PfnView.tsx';
import { PteArrays } from './PteArray.tsx';
import { StepPanel } from './StepPanel.tsx';
import { useStoreApi, useSwapviz, useSwapvizShallow } from './StoreContext.tsx';
import { TimelineBar } from './Timeline.tsx';
import { TypeTablePanel } from './TypeTable.tsx';
import { fullAppHref } from '../store/url.ts';

/** ←/→ step, Home/End jump, Space plays — unless the focus is in a field that uses those keys. */
function useKeyboard() {
  const store = useStoreApi();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      const el = e.target instanceof Element ? e.target : null;
      if (el && (el.closest('input, textarea, select, [contenteditable="true"]') || (el.tagName === 'BUTTON' && (e.key === ' ' || e.key === 'Enter')))) return;
      const { actions, playing } = store.getState();
      switch (e.key) {
        case 'ArrowRight': actions.stepBy(1); break;
        case 'ArrowLeft': actions.stepBy(-1); break;
        case 'Home': actions.toStart(); break;
        case 'End': actions.toEnd(); break;
        case ' ': actions.setPlaying(!playing); break;
        default: return;
      }
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);
}

/** Light or dark: the user's choice, or the system's (followed live) when the choice is "system". */
function useTheme() {
  const theme = useSwapviz((s) => s.theme);
  useEffect(() => {
    const media = matchMedia('(prefers-color-scheme: dark)');
    const apply = () => {
      document.documentElement.dataset.theme = theme === 'system' ? (media.matches ? 'dark' : 'light') : theme;
    };
    apply();
    media.addEventListener('change', apply);
    return () => media.removeEventListener('change', apply);
  }, [theme]);
}

function MessageBar() {
  const { message } = useSwapvizShallow((s) => ({ message: s.message }));
  const dismiss = useSwapviz((s) => s.actions.dismissMessage);
  if (!message) return null;
  return (
    <div className={`message ${message.kind}`} role={message.kind === 'error' ? 'alert' : 'status'}>
      <span>{message.text}</span>
      <button type="button" onClick={dismiss} aria-label="Dismiss the message">✕</button>
    </div>
  );
}

function Panels() {
  const panel = useSwapviz((s) => s.panel);
  const setPanel = useSwapviz((s) => s.actions.setPanel);
  const tabs: [typeof panel, string][] = [['layout', 'Bit layout'], ['types', 'Type numbers'], ['decode', 'Decode values']];
  const current = panel === 'pfn' ? 'layout' : panel;
  return (
    <div className="tabs-wrap">
      <div role="tablist" aria-label="Entry views">
        {tabs.map(([id, label]) => (
          <button key={id} type="button" role="tab" id={`tab-${id}`} aria-selected={current === id} aria-controls={`tabpanel-${id}`} tabIndex={current === id ? 0 : -1} onClick={() => setPanel(id)}>{label}</button>
        ))}
      </div>
      <div role="tabpanel" id={`tabpanel-${current}`} aria-labelledby={`tab-${current}`}>
        {current === 'layout' ? <BitLayoutPanel /> : current === 'types' ? <TypeTablePanel /> : <DecodeBox />}
      </div>
    </div>
  );
}

/** A file dropped anywhere on the page is imported (a scenario, or a captured process). */
function useFileDrop() {
  const store = useStoreApi();
  useEffect(() => {
    const over = (e: DragEvent) => {
      if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
    };
    const drop = (e: DragEvent) => {
      const f = e.dataTransfer?.files[0];
      if (!f) return;
      e.preventDefault();
      void f.text().then((text) => store.getState().actions.importJson(text, f.name));
    };
    window.addEventListener('dragover', over);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('drop', drop);
    };
  }, [store]);
}

export function App() {
  useKeyboard();
  useTheme();
  useFileDrop();
  const embed = useSwapviz((s) => s.embed);
  const capture = useSwapviz((s) => s.capture);
  if (embed) return <EmbedApp />;
  return (
    <div className="app">
      <Header />
      <MessageBar />
      {capture ? <CaptureView capture={capture} /> : <Explorer />}
      <footer className="app-footer">
        Kernel facts: include/linux/swap.h, swapops.h, leafops.h; arch/x86 and arch/arm64 pgtable headers; mm/migrate_device.c, mm/migrate.c, mm/memory.c, mm/mprotect.c, mm/rmap.c; lib/test_hmm.c; fs/proc/task_mmu.c. Keys: ←/→ step, Home/End, Space play.
      </footer>
    </div>
  );
}

/** The scenarios: the stepper, the lessons and the diagrams. */
function Explorer() {
  return (
      <main className="layout">
        <div className="col-left">
          <Welcome />
          <LessonPanel />
          <LessonsMenu />
          <TimelineBar />
          <StepPanel />
          <ActionsPanel />
          <EditorPanel />
        </div>
        <div className="col-right">
          <PteArrays />
          <Panels />
          <PfnPanel />
          <InvariantsPanel />
        </div>
      </main>
  );
}

/** Read-only: the diagrams and the stepper, with a link to the full app. */
function EmbedApp() {
  const scenario = useSwapviz((s) => s.scenario);
  const options = useSwapviz((s) => s.options);
  const full = useSwapviz((s) => fullAppHref(s));
  return (
    <div className="app embed">
      <MessageBar />
      <p className="embed-title"><strong>{scenario.id}</strong> — {scenario.title} <a href={full} target="_blank" rel="noopener">Open in swapviz</a></p>
      <AssumptionsNote options={options} />
      <TimelineBar />
      <StepPanel />
      <div className="embed-grid">
        <BitLayoutPanel />
        <PfnPanel />
      </div>
    </div>
  );
}
