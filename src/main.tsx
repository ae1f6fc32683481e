import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { DEFAULT_SCENARIO_STEP } from './model/index.ts';
import { browserStore } from './store/progress.ts';
import { createSwapvizStore } from './store/store.ts';
import { syncUrl } from './store/url.ts';
import { App } from './views/App.tsx';
import { StoreProvider } from './views/StoreContext.tsx';
import './views/styles.css';

const embed = new URLSearchParams(location.search).has('embed');
// No link: a first visit (the welcome, unless dismissed before) on the default scenario at a step that
// shows something. A link opens exactly where it says.
const firstVisit = !location.hash && !embed;
const store = createSwapvizStore({ embed, storage: browserStore(), welcome: firstVisit, ...(location.hash ? {} : { cursor: DEFAULT_SCENARIO_STEP }) });
syncUrl(store);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreProvider store={store}>
      <App />
    </StoreProvider>
  </StrictMode>,
);
