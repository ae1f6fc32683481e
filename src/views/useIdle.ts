/**
 * Work that can wait until the step is on screen: the panels beside the step's own rows and bits
 * (the PFN spaces, the invariants, the actions' dry runs) are brought up to date when the page is
 * next idle, right after the frame that shows the step. Until then they say so (aria-busy).
 */
import { startTransition, useEffect, useState } from 'react';
import { whenIdle } from '../store/idle.ts';

export { inIdleSlices, whenIdle } from '../store/idle.ts';

/**
 * `value`, once the page has been idle since it changed; until then the value before it, and
 * `stale` true. The first render has the value itself.
 */
export function useIdleValue<T>(value: T): { value: T; stale: boolean } {
  const [shown, setShown] = useState(value);
  useEffect(() => {
    if (Object.is(shown, value)) return;
    return whenIdle(() => startTransition(() => setShown(value)));
  }, [shown, value]);
  return { value: shown, stale: !Object.is(shown, value) };
}
