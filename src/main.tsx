import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createSwapvizStore } from './store/store.ts';
import { syncUrl } from './store/url.ts';
import { App } from './views/App.tsx';
import { StoreProvider } from './views/StoreContext.tsx';
import './views/styles.css';

const embed = new URLSearchParams(location.search).has('embed');
const store = createSwapvizStore({ embed });
syncUrl(store);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreProvider store={store}>
      <App />
    </StoreProvider>
  </StrictMode>,
);
