import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { SwapvizState, SwapvizStore } from '../store/store.ts';

const Ctx = createContext<SwapvizStore | null>(null);

export function StoreProvider({ store, children }: { store: SwapvizStore; children: ReactNode }) {
  return <Ctx.Provider value={store}>{children}</Ctx.Provider>;
}

export function useStoreApi(): SwapvizStore {
  const s = useContext(Ctx);
  if (!s) throw new Error('StoreProvider missing');
  return s;
}

/** Select one value from the store. */
export function useSwapviz<T>(selector: (s: SwapvizState) => T): T {
  return useStore(useStoreApi(), selector);
}

/** Select several values as an object (shallow-compared, so a fresh object does not re-render forever). */
export function useSwapvizShallow<T extends object>(selector: (s: SwapvizState) => T): T {
  return useStore(useStoreApi(), useShallow(selector));
}

export const selectActions = (s: SwapvizState) => s.actions;
