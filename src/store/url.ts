/**
 * The address bar follows the user's position: the share link replaces the fragment
 * (history.replaceState, so stepping does not flood the history). Opening a link, or pasting a new
 * one into the address bar, loads it; a bad link leaves the open scenario in place with a message.
 */
import { linkOf, type SwapvizState, type SwapvizStore } from './store.ts';

/** The page's address without `?embed` (links made in an embed open the full app). */
function appPath(loc: Pick<Location, 'pathname' | 'search'>): string {
  return `${loc.pathname}${loc.search.replace(/[?&]embed\b[^&]*/, '').replace(/^&/, '?')}`;
}

/** The full share URL of a position: this page's address, without `?embed`, and the link. */
export function shareUrl(s: SwapvizState, loc: Pick<Location, 'origin' | 'pathname' | 'search'> = window.location): string {
  return `${loc.origin}${appPath(loc)}#${linkOf(s)}`;
}

/** The link of the full app for an embed's "Open in swapviz" (relative to this page). */
export function fullAppHref(s: SwapvizState, loc: Pick<Location, 'pathname' | 'search'> = window.location): string {
  return `${appPath(loc)}#${linkOf(s)}`;
}

/** Puts a URL in the address bar now (Copy link shows what it copied). */
export function showInAddressBar(url: string, win: Window = window): void {
  win.history.replaceState(null, '', url);
}

export function syncUrl(store: SwapvizStore, win: Window = window): () => void {
  let last = '';
  let timer: ReturnType<typeof setTimeout> | null = null;
  const write = () => {
    timer = null;
    const frag = linkOf(store.getState());
    if (frag === last) return;
    last = frag;
    const url = `${win.location.pathname}${win.location.search}#${frag}`;
    win.history.replaceState(null, '', url);
  };
  const open = (): boolean => {
    const h = win.location.hash.slice(1);
    if (!h || h === last) return false;
    last = h;
    // A link that cannot be opened stays in the address bar (to be read or fixed); the store keeps
    // the open scenario and says why.
    return store.getState().actions.openLink(`#${h}`);
  };
  // The link the page was opened with, as the store took it (a refused selection dropped, say).
  if (open()) write();
  const unsub = store.subscribe((s, p) => {
    if (s.scenario === p.scenario && s.options === p.options && s.cursor === p.cursor && s.selection === p.selection && s.compare === p.compare && s.comparePair === p.comparePair && s.panel === p.panel && s.lesson === p.lesson) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(write, 120);
  });
  if (!win.location.hash) write();
  win.addEventListener('hashchange', open);
  return () => {
    unsub();
    win.removeEventListener('hashchange', open);
    if (timer) clearTimeout(timer);
  };
}
