/**
 * The store outside React: actions validate, then set; derived state comes from the timeline.
 */
import { describe, expect, it, vi } from 'vitest';
import { findScenario, hex64, readPte, runScenario, type MachineState, type Scenario } from '../model/index.ts';
import { encodeLink } from '../share/index.ts';
import { sampleScenario } from '../share/sample.ts';
import { createSwapvizStore, DEFAULT_OPTIONS, LINK_CHECK_AHEAD, linkOf, timelineOf } from './store.ts';
import { CHECKPOINT_EVERY, Timeline } from '../derive/index.ts';

const pte = (s: ReturnType<typeof createSwapvizStore>, pid = 1, index = 1) => {
  const st = s.getState();
  const m = timelineOf(st).stateAt(st.cursor);
  return hex64(readPte(m.processes.find((p) => p.pid === pid)!.ptes, index));
};

describe('the store', () => {
  it('opens on S02 under rfc at the initial state, with the scenario\'s PTE selected', () => {
    const s = createSwapvizStore();
    expect(s.getState().scenario.id).toBe('S02');
    expect(s.getState().options.profile).toBe('rfc');
    expect(s.getState().cursor).toBe(0);
    expect(s.getState().selection).toEqual({ pid: 1, index: 1 });
  });

  it('stepping moves the cursor within the reachable steps, and the PTE follows', () => {
    const s = createSwapvizStore();
    s.getState().actions.stepBy(4);
    expect(pte(s)).toBe('0xcfffffffffffde02');
    s.getState().actions.toEnd();
    expect(s.getState().cursor).toBe(7);
    s.getState().actions.stepBy(5);
    expect(s.getState().cursor).toBe(7);
    s.getState().actions.setProfile('v6.18');
    s.getState().actions.setCursor(4);
    expect(pte(s)).toBe('0xe7ffffffffffde02');
  });

  it('an event is inserted at the cursor; an impossible one is refused with the reason and changes nothing', () => {
    const s = createSwapvizStore({ scenario: findScenario('S01')! });
    s.getState().actions.applyEvent({ type: 'migrate_vma_finalize' });
    expect(s.getState().message?.text).toMatch(/cannot happen now: no migrate vma is in progress/);
    expect(s.getState().scenario.events).toHaveLength(1);
    s.getState().actions.toEnd();
    s.getState().actions.applyEvent({ type: 'fork', pid: 1 });
    expect(s.getState().scenario.events).toHaveLength(2);
    expect(s.getState().cursor).toBe(2);
    expect(pte(s, 2)).toBe('0x8400000001234805');
  });

  it('the spec marks and selftest assertions follow their events when one is inserted or deleted before them', () => {
    const s = createSwapvizStore();
    s.getState().actions.setCursor(2);
    s.getState().actions.applyEvent({ type: 'cpu_fault', pid: 1, index: 5, access: 'write' });
    expect(s.getState().scenario.events).toHaveLength(8);
    const cps = s.getState().scenario.checkpoints!;
    expect(cps.find((c) => c.step === 1)!.after).toBe(1);
    expect(cps.find((c) => c.step === 2)!.after).toBe(4);
    expect(cps.find((c) => c.step === 4)!.after).toBe(7);
    s.getState().actions.deleteEvent(2);
    expect(s.getState().scenario.checkpoints!.find((c) => c.step === 2)!.after).toBe(3);
    const h = createSwapvizStore({ scenario: findScenario('hmm_migrate_shared')! });
    h.getState().actions.setCursor(1);
    h.getState().actions.applyEvent({ type: 'cpu_access', pid: 1, start: 0, pages: 1, access: 'read' });
    expect(Object.keys(h.getState().scenario.expect!)).toEqual(['2']);
    expect(linkOf(h.getState())).toMatch(/&z=/);
  });

  it('deleting an event that a later one needs flags the later one, and the timeline stops before it', () => {
    const s = createSwapvizStore();
    s.getState().actions.deleteEvent(1); // migrate_vma_setup: pages/finalize become impossible
    expect(s.getState().message?.text).toMatch(/Event 2 .*cannot happen any more/);
    expect(timelineOf(s.getState()).reachable()).toBe(1);
  });

  it('a broken link leaves the open scenario and position in place, with a message', () => {
    const s = createSwapvizStore();
    s.getState().actions.setCursor(3);
    for (const bad of ['v=2&k=rfc&s=S02', 'v=1&k=foo&s=S02', 'v=1&k=rfc&s=NOPE', 'v=1&k=rfc&s=S02&step=99', 'v=1&k=rfc&z=AAAA', 'garbage']) {
      expect(s.getState().actions.openLink(bad)).toBe(false);
      expect(s.getState().message?.kind).toBe('error');
      expect(s.getState().scenario.id).toBe('S02');
      expect(s.getState().cursor).toBe(3);
    }
  });

  it('a good link opens at its step, and linkOf gives it back', () => {
    const s = createSwapvizStore();
    expect(s.getState().actions.openLink('#v=1&k=v6.18&s=S10&step=6&sel=2.1')).toBe(true);
    expect(s.getState().scenario.id).toBe('S10');
    expect(s.getState().cursor).toBe(6);
    expect(s.getState().selection).toEqual({ pid: 2, index: 1 });
    expect(linkOf(s.getState())).toBe('v=1&k=v6.18&s=S10&step=6&sel=2.1');
  });

  it('an edited scenario travels whole in the link and comes back equal', () => {
    const s = createSwapvizStore();
    s.getState().actions.toEnd();
    s.getState().actions.applyEvent({ type: 'fork', pid: 1 });
    const link = linkOf(s.getState());
    expect(link).toMatch(/&z=/);
    const t = createSwapvizStore();
    expect(t.getState().actions.openLink(link)).toBe(true);
    expect(t.getState().scenario).toEqual(s.getState().scenario);
    expect(t.getState().cursor).toBe(8);
  });

  it('importing malformed JSON names the bad field and keeps the scenario', () => {
    const s = createSwapvizStore();
    expect(s.getState().actions.importJson('{"schema":1,"id":"x","title":"x","events":[{"type":"fork"}]}')).toBe(false);
    expect(s.getState().message?.text).toMatch(/events\[0\] \(fork\) is missing "pid"/);
    expect(s.getState().scenario.id).toBe('S02');
  });
});

/** Runs the store's background work (the rest of a long link's check) to its end. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10_000 && vi.getTimerCount() > 0; i++) await vi.runOnlyPendingTimersAsync();
}

describe('a long link opens before all its events are checked', () => {
  /** S02's round trip to the device and back, over and over: more than LINK_CHECK_AHEAD + 500 events. */
  const long = (): Scenario => {
    const S02 = findScenario('S02')!;
    const events = [...S02.events];
    while (events.length < LINK_CHECK_AHEAD + 500) events.push(...S02.events.slice(1));
    return { ...S02, id: 'long', checkpoints: [], events };
  };

  it('it opens once the events up to LINK_CHECK_AHEAD past its step are stepped; the rest run in the background, each once', async () => {
    vi.useFakeTimers();
    try {
      const sc = long();
      const s = createSwapvizStore();
      expect(s.getState().actions.openLink(encodeLink({ scenario: sc, options: DEFAULT_OPTIONS, cursor: 5 }))).toBe(true);
      const t = timelineOf(s.getState());
      expect(s.getState()).toMatchObject({ cursor: 5, checking: true });
      expect(t.stepsRun).toBe(5 + LINK_CHECK_AHEAD);
      // stepping on while the check runs needs no more of it
      s.getState().actions.stepBy(1);
      expect(s.getState().cursor).toBe(6);
      await settle();
      expect(s.getState().checking).toBe(false);
      expect(s.getState().message).toBeNull();
      // every event stepped once by the first pass, plus the step at cursor 6 (its trace, replayed from a checkpoint)
      expect(t.checked).toBe(true);
      expect(t.stepsRun).toBeLessThanOrEqual(sc.events.length + 6);
    } finally {
      vi.useRealTimers();
    }
  });

  it('an event refused past the checked part refuses the link when the check gets there: the scenario open before comes back, with the reason', async () => {
    vi.useFakeTimers();
    try {
      const sc = long();
      const bad = { ...sc, events: [...sc.events, { type: 'migrate_vma_finalize' } as const, ...sc.events.slice(0, 3)] };
      expect(runScenario(bad, DEFAULT_OPTIONS).refused?.at).toBe(sc.events.length);
      const s = createSwapvizStore();
      expect(s.getState().actions.openLink('v=1&k=rfc&s=S02&step=3')).toBe(true);
      const before = s.getState().scenario;
      expect(s.getState().actions.openLink(encodeLink({ scenario: bad, options: DEFAULT_OPTIONS, cursor: 2 }))).toBe(true);
      expect(s.getState()).toMatchObject({ cursor: 2, checking: true });
      await settle();
      const st = s.getState();
      expect(st.scenario).toBe(before);
      expect(st.cursor).toBe(3);
      expect(st.checking).toBe(false);
      expect(st.message?.kind).toBe('error');
      expect(st.message?.text).toMatch(new RegExp(`^This link could not be opened: event ${sc.events.length + 1} \\(migrate_vma_finalize\\) cannot happen after step ${sc.events.length}: .+\\. Your scenario \\(S02, step 3\\) is still open\\.$`));
    } finally {
      vi.useRealTimers();
    }
  });

  it('a refusal found after the user has opened something else changes nothing', async () => {
    vi.useFakeTimers();
    try {
      const sc = long();
      const bad = { ...sc, events: [...sc.events, { type: 'migrate_vma_finalize' } as const] };
      const s = createSwapvizStore();
      expect(s.getState().actions.openLink(encodeLink({ scenario: bad, options: DEFAULT_OPTIONS, cursor: 0 }))).toBe(true);
      s.getState().actions.loadBuiltin('S01');
      await settle();
      expect(s.getState().scenario.id).toBe('S01');
      expect(s.getState().message).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it('a short link is checked in full before it opens (a refused event anywhere refuses it at once)', () => {
    const sc = long();
    // S02's 7 events, then 32 more round trips of 6: no migration is in progress after event 199
    const bad = { ...sc, events: [...sc.events.slice(0, 7 + 6 * 32), { type: 'migrate_vma_finalize' } as const] };
    const s = createSwapvizStore();
    expect(s.getState().actions.openLink(encodeLink({ scenario: bad, options: DEFAULT_OPTIONS, cursor: 0 }))).toBe(false);
    expect(s.getState().checking).toBe(false);
    expect(s.getState().message?.text).toMatch(/^This link could not be opened: event 200 \(migrate_vma_finalize\) cannot happen after step 199/);
    expect(s.getState().scenario.id).toBe('S02');
  });
});

describe('one replay', () => {
  it('opening a link steps each of its events once: the link check, the position and the step shown share one pass', () => {
    const sc = sampleScenario(120, 7);
    const cursor = 77;
    const link = encodeLink({ scenario: sc, options: DEFAULT_OPTIONS, cursor });
    const s = createSwapvizStore();
    expect(s.getState().actions.openLink(link)).toBe(true);
    const st = s.getState();
    expect(st.cursor).toBe(cursor);
    const t = timelineOf(st);
    // what the views read at the cursor: the state, the one before (for the marks) and the step's trace
    t.stateAt(cursor);
    t.stateAt(cursor - 1);
    expect(t.stepInfo(cursor)).not.toBeNull();
    expect(t.stepsRun).toBe(st.scenario.events.length);
  });
});

describe('no stale state', () => {
  it('unticking then re-ticking CONFIG_DEVICE_PRIVATE at S02 step 5 (rfc): the message goes, and the cursor goes back to 5', () => {
    const s = createSwapvizStore();
    expect(s.getState().actions.openLink('v=1&k=rfc&s=S02&step=5')).toBe(true);
    s.getState().actions.setConfig('DEVICE_PRIVATE', false);
    expect(s.getState().cursor).toBeLessThan(5);
    const at = s.getState().cursor;
    expect(s.getState().message?.text).toMatch(new RegExp(`cannot happen any more: .* You were at step 5; you are at step ${at}, the last one that can run, and go back to step 5 when it can run again`));
    // another switch that keeps the event impossible keeps both the message and the held step
    s.getState().actions.setProfile('v6.18');
    expect(s.getState().message?.topic).toBe('validity');
    expect(s.getState().heldCursor).toBe(5);
    s.getState().actions.setProfile('rfc');
    s.getState().actions.setConfig('DEVICE_PRIVATE', true);
    expect(s.getState().message).toBeNull();
    expect(s.getState().cursor).toBe(5);
    expect(s.getState().heldCursor).toBeNull();
  });

  it('moving the cursor yourself lets go of the held step', () => {
    const s = createSwapvizStore();
    s.getState().actions.openLink('v=1&k=rfc&s=S02&step=5');
    s.getState().actions.setConfig('DEVICE_PRIVATE', false);
    s.getState().actions.toStart();
    s.getState().actions.setConfig('DEVICE_PRIVATE', true);
    expect(s.getState().cursor).toBe(0);
  });

  it('a message about a refused action goes at the next move; one about the timeline stays while it holds', () => {
    const s = createSwapvizStore({ scenario: findScenario('S01')! });
    s.getState().actions.applyEvent({ type: 'migrate_vma_finalize' });
    expect(s.getState().message?.kind).toBe('error');
    s.getState().actions.toEnd();
    expect(s.getState().message).toBeNull();
    s.getState().actions.openLink('v=1&k=rfc&s=S02&step=5');
    s.getState().actions.setConfig('DEVICE_PRIVATE', false);
    s.getState().actions.toStart();
    expect(s.getState().message?.topic).toBe('validity');
  });

  it('a value of your own stays, to be decoded again, when the kernel, config or paging change; a step ends it', () => {
    const s = createSwapvizStore();
    const a = s.getState().actions;
    a.setScratch({ value: 0xcfffffffffffdf02n, arch: 'x86_64' });
    a.setProfile('v6.18');
    a.setConfig('MIGRATION', false);
    a.setPlatform({ paging: 5 });
    expect(s.getState().scratch).toEqual({ value: 0xcfffffffffffdf02n, arch: 'x86_64' });
    a.stepBy(1);
    expect(s.getState().scratch).toBeNull();
  });

  it('the "Decode values" text lives in the store (it survives the tab being closed)', () => {
    const s = createSwapvizStore();
    s.getState().actions.setDecodeText('0x1234');
    s.getState().actions.setPanel('types');
    s.getState().actions.setPanel('decode');
    expect(s.getState().decodeText).toBe('0x1234');
  });

  it('a step back records the step it undid; any other move does not', () => {
    const s = createSwapvizStore();
    const a = s.getState().actions;
    a.setCursor(5);
    a.stepBy(-1);
    expect(s.getState().undone).toBe(5);
    a.stepBy(-2);
    expect(s.getState().undone).toBeNull();
    a.stepBy(1);
    expect(s.getState().undone).toBeNull();
  });

  it('a link whose sel= names a PTE that does not exist opens without it, and says so', () => {
    const s = createSwapvizStore();
    expect(s.getState().actions.openLink('#v=1&k=v6.18&s=S02&step=4&sel=9.9999')).toBe(true);
    expect(s.getState().cursor).toBe(4);
    expect(s.getState().options.profile).toBe('v6.18');
    expect(s.getState().selection).toEqual({ pid: 1, index: 1 });
    expect(s.getState().message).toEqual({
      kind: 'info',
      text: 'The link\'s selection was refused: sel=9.9999 names pid 9 PTE 9999, which does not exist at step 4: there is no process 9 (the processes are 1). The rest of the link opened, with the scenario\'s own PTE (pid 1 PTE 1) selected.',
    });
    expect(linkOf(s.getState())).toBe('v=1&k=v6.18&s=S02&step=4');
  });

  it('the compare pair is part of the link when it is not the default', () => {
    const s = createSwapvizStore();
    s.getState().actions.setCompare(true);
    expect(linkOf(s.getState())).toBe('v=1&k=rfc&s=S02&cmp=1');
    s.getState().actions.setComparePair(0, '7.3');
    s.getState().actions.setComparePair(1, 'series');
    expect(linkOf(s.getState())).toBe('v=1&k=rfc&s=S02&cmp=1&pair=7.3_series');
    const t = createSwapvizStore();
    t.getState().actions.openLink(linkOf(s.getState()));
    expect(t.getState().comparePair).toEqual(['7.3', 'series']);
    t.getState().actions.openLink('v=1&k=rfc&s=S02&cmp=1');
    expect(t.getState().comparePair).toEqual(['v6.18', 'rfc']);
  });
});

describe('the timeline', () => {
  it('a state reached through checkpoints equals the one a plain replay reaches', () => {
    const base = findScenario('hmm_migrate_multiple')!;
    const sc: Scenario = { ...base, events: [...base.events, ...base.events] };
    expect(sc.events.length).toBeGreaterThan(2 * CHECKPOINT_EVERY);
    const options = { profile: 'rfc' as const, config: { DEVICE_PRIVATE: true, MIGRATION: true, MEMORY_FAILURE: true }, platform: { arch: 'x86_64' as const, paging: 4 as const, migrationAd: true } };
    const plain = runScenario(sc, options);
    expect(plain.refused).toBeNull();
    const t = new Timeline(sc, options);
    t.validity();
    const dump = (m: MachineState) => JSON.stringify({ ptes: m.processes.map((p) => Array.from({ length: 32 }, (_, j) => readPte(p.ptes, j).toString(16))), pages: m.pages, devices: m.devices });
    for (const i of [0, 1, CHECKPOINT_EVERY - 1, CHECKPOINT_EVERY, CHECKPOINT_EVERY + 3, 77, sc.events.length, 40, 3]) {
      expect([i, dump(t.stateAt(i))]).toEqual([i, dump(plain.states[i]!)]);
    }
  });

  it('the first pass runs only as far as it is asked: a state, a clamp, a slice; a refusal is known once it gets there', () => {
    const S02 = findScenario('S02')!;
    const events = [...S02.events, ...S02.events.slice(1), ...S02.events.slice(1), { type: 'migrate_vma_finalize' } as const];
    const sc: Scenario = { ...S02, id: 'partial', checkpoints: [], events };
    const refusedAt = runScenario(sc, DEFAULT_OPTIONS).refused!.at;
    expect(refusedAt).toBe(events.length - 1);
    const t = new Timeline(sc, DEFAULT_OPTIONS);
    t.stateAt(5);
    expect([t.stepsRun, t.checkedUpTo, t.checked, t.knownRefusal()]).toEqual([5, 5, false, null]);
    expect(t.reaches(9)).toBe(true);
    expect(t.stepsRun).toBe(9);
    expect(t.checkMore(3)).toBe(false);
    expect(t.checkedUpTo).toBe(12);
    // asking past the refused event runs the pass to it: the cursor stops before it
    expect(t.clamp(events.length)).toBe(refusedAt);
    expect(t.reaches(events.length)).toBe(false);
    expect([t.checked, t.knownRefusal()?.at, t.stepsRun]).toEqual([true, refusedAt, events.length]);
    // walk() after the pass replays from the start and stops before the refused event
    expect([...t.walk()].map((x) => x.cursor)).toEqual(Array.from({ length: refusedAt }, (_, i) => i + 1));
  });

  it('walk() on a fresh timeline is its first pass: every event stepped once, the refusal then known', () => {
    const S02 = findScenario('S02')!;
    const sc: Scenario = { ...S02, id: 'walk', checkpoints: [], events: [...S02.events, { type: 'migrate_vma_finalize' } as const] };
    const t = new Timeline(sc, DEFAULT_OPTIONS);
    const steps = [...t.walk()];
    expect(steps.map((x) => x.cursor)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(steps.every((x) => x.info.trace.length > 0)).toBe(true);
    expect([t.stepsRun, t.knownRefusal()?.at]).toEqual([8, 7]);
  });
});
