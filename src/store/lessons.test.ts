/**
 * Lessons in the store: opening a stop, the link that carries it, progress that survives a reload
 * when there is storage and does not break anything when there is none.
 */
import { describe, expect, it } from 'vitest';
import { findLesson, stopOptions } from '../model/index.ts';
import { createSwapvizStore, linkOf } from './store.ts';
import { PROGRESS_KEY, readProgress, safeStore, WELCOME_KEY, type KeyValueStore } from './progress.ts';

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

/** A storage that throws on every call, as a blocked localStorage does. */
const blocked: KeyValueStore = {
  getItem: () => { throw new DOMException('The operation is insecure.', 'SecurityError'); },
  setItem: () => { throw new DOMException('quota', 'QuotaExceededError'); },
  removeItem: () => { throw new DOMException('The operation is insecure.', 'SecurityError'); },
};

describe('lessons in the store', () => {
  it('openLesson opens the stop: its scenario, step, kernel, selection and view, and marks it seen', () => {
    const s = createSwapvizStore();
    const l = findLesson('two-spaces')!;
    expect(s.getState().actions.openLesson('two-spaces', 2)).toBe(true);
    const st = s.getState();
    const stop = l.stops[2]!;
    expect(st.lesson).toEqual({ id: 'two-spaces', stop: 2 });
    expect(st.scenario.id).toBe(stop.scenario);
    expect(st.cursor).toBe(stop.step);
    expect(st.options).toEqual(stopOptions(stop));
    expect(st.compare).toBe(stop.compare ?? false);
    expect(st.progress['two-spaces']).toEqual({ seen: [2], solved: [], done: false });
  });

  it('a stop\'s link opens exactly there in a store with no progress (a teacher sends "lesson 4, stop 3")', () => {
    const teacher = createSwapvizStore();
    teacher.getState().actions.openLesson('device', 2);
    const link = linkOf(teacher.getState());
    expect(link).toMatch(/&lesson=device&stop=3$/);
    const student = createSwapvizStore();
    expect(student.getState().progress).toEqual({});
    expect(student.getState().actions.openLink(link)).toBe(true);
    const st = student.getState();
    expect(st.lesson).toEqual({ id: 'device', stop: 2 });
    expect([st.scenario.id, st.cursor, st.options.profile]).toEqual([teacher.getState().scenario.id, teacher.getState().cursor, teacher.getState().options.profile]);
  });

  it('an unknown lesson is refused with a message and changes nothing', () => {
    const s = createSwapvizStore();
    expect(s.getState().actions.openLesson('nope')).toBe(false);
    expect(s.getState().lesson).toBeNull();
    expect(s.getState().message?.text).toMatch(/no lesson "nope"/);
  });

  it('closing the lesson keeps the position; a link without lesson= closes it', () => {
    const s = createSwapvizStore();
    s.getState().actions.openLesson('swap-entry', 1);
    s.getState().actions.closeLesson();
    expect(s.getState().lesson).toBeNull();
    expect(s.getState().scenario.id).toBe('S20');
    s.getState().actions.openLesson('swap-entry', 1);
    s.getState().actions.openLink('v=1&k=rfc&s=S02&step=2');
    expect(s.getState().lesson).toBeNull();
  });
});

describe('progress and the welcome in storage', () => {
  it('progress is written to storage and read back by the next visit; reset clears it', () => {
    const mem = memoryStore();
    const a = createSwapvizStore({ storage: mem });
    a.getState().actions.openLesson('swap-entry', 0);
    a.getState().actions.noteProgress('swap-entry', { solved: 0 });
    a.getState().actions.noteProgress('swap-entry', { done: true });
    const b = createSwapvizStore({ storage: mem });
    expect(b.getState().progress).toEqual({ 'swap-entry': { seen: [0], solved: [0], done: true } });
    b.getState().actions.resetProgress();
    expect(mem.data.has(PROGRESS_KEY)).toBe(false);
    expect(createSwapvizStore({ storage: mem }).getState().progress).toEqual({});
  });

  it('stored progress is checked like any outside data: unknown lessons, stops and junk are dropped', () => {
    const mem = memoryStore();
    mem.setItem(PROGRESS_KEY, JSON.stringify({ 'swap-entry': { seen: [0, 99, -1, 'x', 1, 1], solved: 'all', done: 'yes' }, nope: { seen: [0] } }));
    expect(readProgress(mem)).toEqual({ 'swap-entry': { seen: [0, 1], solved: [], done: false } });
    mem.setItem(PROGRESS_KEY, '{not json');
    expect(readProgress(mem)).toEqual({});
  });

  it('the welcome shows on a first visit until it is dismissed or a lesson is started from it, and stays away', () => {
    const mem = memoryStore();
    const a = createSwapvizStore({ storage: mem, welcome: true });
    expect(a.getState().welcome).toBe(true);
    a.getState().actions.dismissWelcome();
    expect(mem.getItem(WELCOME_KEY)).toBe('dismissed');
    expect(createSwapvizStore({ storage: mem, welcome: true }).getState().welcome).toBe(false);
    expect(createSwapvizStore({ storage: memoryStore(), welcome: false }).getState().welcome).toBe(false);
    const c = memoryStore();
    createSwapvizStore({ storage: c, welcome: true }).getState().actions.openLesson('swap-entry');
    expect(createSwapvizStore({ storage: c, welcome: true }).getState().welcome).toBe(false);
  });

  it('with storage blocked, everything works for the visit: lessons, progress, the welcome', () => {
    const store = safeStore(() => blocked);
    const s = createSwapvizStore({ storage: store, welcome: true });
    expect(s.getState().welcome).toBe(true);
    expect(s.getState().actions.openLesson('protnone', 3)).toBe(true);
    s.getState().actions.noteProgress('protnone', { solved: 3 });
    expect(s.getState().progress.protnone).toEqual({ seen: [3], solved: [3], done: false });
    s.getState().actions.dismissWelcome();
    expect(s.getState().welcome).toBe(false);
    s.getState().actions.stepBy(1);
    expect(s.getState().cursor).toBe(findLesson('protnone')!.stops[3]!.step + 1);
    expect(s.getState().message).toBeNull();
  });

  it('safeStore falls back to memory when reading window.localStorage itself throws', () => {
    const store = safeStore(() => { throw new DOMException('denied', 'SecurityError'); });
    store.setItem('k', 'v');
    expect(store.getItem('k')).toBe('v');
    store.removeItem('k');
    expect(store.getItem('k')).toBeNull();
  });
});
