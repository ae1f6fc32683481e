/**
 * What the browser remembers between visits: each lesson's progress and whether the welcome was
 * dismissed. Storage is optional: when localStorage is missing, blocked (a sandboxed iframe, strict
 * privacy settings) or full, swapviz keeps the same data in memory for the visit and works as
 * before. What comes back from storage is data from outside and is checked like a link.
 */
import { findLesson } from '../model/lessons/library.ts';

/** The part of the Web Storage API swapviz uses. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const PROGRESS_KEY = 'swapviz.lessons.v1';
export const WELCOME_KEY = 'swapviz.welcome.v1';

export interface LessonProgress {
  /** Stop indices the learner has opened. */
  readonly seen: readonly number[];
  /** Stop indices whose question was answered right. */
  readonly solved: readonly number[];
  /** The learner finished the lesson. */
  readonly done: boolean;
}

export type Progress = Readonly<Record<string, LessonProgress>>;

const EMPTY: LessonProgress = { seen: [], solved: [], done: false };

/** A store that never fails: reads and writes go to `backing` while it works, and to memory once it does not. */
export function safeStore(backing: () => KeyValueStore | null | undefined): KeyValueStore {
  const memory = new Map<string, string>();
  let broken = false;
  const attempt = <T>(f: (s: KeyValueStore) => T, fallback: () => T): T => {
    if (!broken) {
      try {
        const s = backing();
        if (s) return f(s);
      } catch {
        /* storage blocked or full: keep going in memory */
      }
      broken = true;
    }
    return fallback();
  };
  return {
    getItem: (k) => attempt((s) => s.getItem(k), () => memory.get(k) ?? null),
    setItem: (k, v) => {
      memory.set(k, v);
      attempt((s) => s.setItem(k, v), () => undefined);
    },
    removeItem: (k) => {
      memory.delete(k);
      attempt((s) => s.removeItem(k), () => undefined);
    },
  };
}

/** The browser's localStorage behind safeStore (reading `window.localStorage` may itself throw). */
export function browserStore(): KeyValueStore {
  return safeStore(() => (typeof window === 'undefined' ? null : window.localStorage));
}

const stopList = (x: unknown, max: number): number[] =>
  Array.isArray(x) ? [...new Set(x.filter((n): n is number => Number.isInteger(n) && n >= 0 && n < max))].sort((a, b) => a - b) : [];

/** The stored progress, keeping only lessons and stops that exist; anything malformed reads as no progress. */
export function readProgress(store: KeyValueStore): Progress {
  let raw: unknown;
  try {
    raw = JSON.parse(store.getItem(PROGRESS_KEY) ?? '{}');
  } catch {
    return {};
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  const out: Record<string, LessonProgress> = {};
  for (const [id, v] of Object.entries(raw as Record<string, unknown>)) {
    const lesson = findLesson(id);
    if (!lesson || typeof v !== 'object' || v === null) continue;
    const o = v as Record<string, unknown>;
    out[id] = { seen: stopList(o.seen, lesson.stops.length), solved: stopList(o.solved, lesson.stops.length), done: o.done === true };
  }
  return out;
}

export function writeProgress(store: KeyValueStore, p: Progress): void {
  if (Object.keys(p).length === 0) store.removeItem(PROGRESS_KEY);
  else store.setItem(PROGRESS_KEY, JSON.stringify(p));
}

export function progressOf(p: Progress, id: string): LessonProgress {
  return p[id] ?? EMPTY;
}

/** Progress with a stop seen or solved, or the lesson done (a new object only when something changed). */
export function withProgress(p: Progress, id: string, change: { seen?: number; solved?: number; done?: boolean }): Progress {
  const cur = progressOf(p, id);
  const add = (list: readonly number[], n: number | undefined) => (n === undefined || list.includes(n) ? list : [...list, n].sort((a, b) => a - b));
  const next: LessonProgress = { seen: add(cur.seen, change.seen), solved: add(cur.solved, change.solved), done: cur.done || change.done === true };
  if (next.seen === cur.seen && next.solved === cur.solved && next.done === cur.done) return p;
  return { ...p, [id]: next };
}
