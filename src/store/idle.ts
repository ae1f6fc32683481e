/**
 * Work that can wait until the page is idle: after the frame that shows a step is painted, in the
 * time left before the next one (requestIdleCallback), or within `timeout` ms if the page is never
 * idle. Without requestIdleCallback (Node, the tests) it runs on a timer with an 8 ms budget.
 */
export interface IdleBudget {
  /** Milliseconds the work may still take in this slice. */
  timeRemaining(): number;
}

export function whenIdle(work: (budget: IdleBudget) => void, timeout = 100): () => void {
  if (typeof requestIdleCallback === 'function') {
    const id = requestIdleCallback((deadline) => work(deadline), { timeout });
    return () => cancelIdleCallback(id);
  }
  const id = setTimeout(() => {
    const end = performance.now() + 8;
    work({ timeRemaining: () => Math.max(0, end - performance.now()) });
  }, 0);
  return () => clearTimeout(id);
}

/**
 * Runs `step` (one small piece of work; true when all is done) in idle slices until it is done,
 * at least one piece per slice (so a page that is never idle still gets there); `done` then.
 * Returns a cancel function.
 */
export function inIdleSlices(step: () => boolean, done: () => void): () => void {
  let cancel = () => {};
  const slice = (budget: IdleBudget) => {
    let finished = step();
    while (!finished && budget.timeRemaining() > 1) finished = step();
    if (finished) done();
    else cancel = whenIdle(slice);
  };
  cancel = whenIdle(slice);
  return () => cancel();
}
