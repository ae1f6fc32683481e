import { afterEach, describe, expect, it, vi } from 'vitest';
import { inIdleSlices, whenIdle } from './idle.ts';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('idle work (no requestIdleCallback here: a timer with an 8 ms budget)', () => {
  it('whenIdle runs the work later, not now, and a cancelled one never runs', async () => {
    vi.useFakeTimers();
    const ran: string[] = [];
    whenIdle(() => ran.push('a'));
    const cancel = whenIdle(() => ran.push('b'));
    cancel();
    expect(ran).toEqual([]);
    await vi.runAllTimersAsync();
    expect(ran).toEqual(['a']);
  });

  it('inIdleSlices runs the pieces in slices of the idle budget until one says it is done, then calls done once', async () => {
    vi.useFakeTimers();
    let clock = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => clock);
    let pieces = 0;
    let done = 0;
    inIdleSlices(() => {
      // each piece takes 3 ms of the slice's 8 ms: the third leaves less than 1 ms, so a slice runs three
      clock += 3;
      return ++pieces === 10;
    }, () => done++);
    expect(pieces).toBe(0);
    await vi.advanceTimersToNextTimerAsync();
    expect(pieces).toBe(3);
    await vi.advanceTimersToNextTimerAsync();
    expect(pieces).toBe(6);
    await vi.runAllTimersAsync();
    expect([pieces, done]).toEqual([10, 1]);
  });

  it('a slice runs one piece even when that piece spends the whole budget; a cancelled run stops', async () => {
    vi.useFakeTimers();
    let clock = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => clock);
    let pieces = 0;
    let done = false;
    const cancel = inIdleSlices(() => {
      clock += 20;
      return ++pieces === 5;
    }, () => { done = true; });
    await vi.advanceTimersToNextTimerAsync();
    await vi.advanceTimersToNextTimerAsync();
    expect(pieces).toBe(2);
    cancel();
    await vi.runAllTimersAsync();
    expect([pieces, done]).toEqual([2, false]);
  });
});
