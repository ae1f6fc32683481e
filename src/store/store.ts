/**
 * The app's store (zustand, vanilla, created by a factory): the scenario (whose events are the
 * log), the cursor, the selection and the view options. Everything else (machine states, decoded
 * entries, invariants) is derived from these through the Timeline, never stored beside them.
 * Actions validate, then `set`; the rules live in the model.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import {
  cursorAfterDelete, DEFAULT_OPTIONS, deleteEvent, insertEvent, optionsFor, replaceEvent, timelineFor, type Timeline,
} from '../derive/index.ts';
import {
  type ArchId, DEFAULT_SCENARIO_ID, describeEvent, findScenario, parseScenarioJson, SetupError, step,
  type ConfigOption, type Event, type Platform, type ProfileId, type PteRef, type KernelOptions, type Scenario,
} from '../model/index.ts';
import { checkLinkReplays, checkLinkSelection, decodeLink, encodeLink, type LinkState } from '../share/index.ts';
import { parseSnapshot, type Snapshot } from '../snapshot/index.ts';
import { inIdleSlices } from './idle.ts';
import { findLesson, stopOptions, type LessonPos } from '../model/lessons/index.ts';
import {
  readProgress, safeStore, WELCOME_KEY, withProgress, writeProgress, type KeyValueStore, type Progress,
} from './progress.ts';

export { DEFAULT_OPTIONS };

/** A file that says it is a `swapviz capture` snapshot (near its start), without parsing all of it. */
function looksLikeSnapshot(text: string): boolean {
  return /^\s*\{/.test(text) && /"format"\s*:\s*"swapviz-pagemap-snapshot"/.test(text.slice(0, 4096));
}

/** The first record that is not empty (what a user wants to see first), or 0. */
function firstUsedRecord(s: Snapshot): number {
  const { hi, lo } = s.records;
  for (let i = 0; i < s.pageCount; i++) if (hi[i] !== 0 || lo[i] !== 0) return i;
  return 0;
}

export type Panel = 'layout' | 'pfn' | 'types' | 'decode';
export type Theme = 'system' | 'light' | 'dark';

/** A value shown in the bit layout instead of the selected PTE: edited bits, or a pasted value. */
export interface Scratch {
  readonly value: bigint;
  readonly arch: ArchId;
}

export interface Message {
  readonly kind: 'error' | 'info';
  readonly text: string;
  /**
   * `validity`: a later event cannot happen under the current scenario and options; it is
   * re-checked on every change and goes when it no longer holds. Any other message is about the
   * moment it was said (a refused action, a link that was opened) and goes at the next change of
   * position, selection, options or scenario.
   */
  readonly topic?: 'validity';
}

/** The two kernel profiles compare mode puts side by side, left and right. */
export type ComparePair = readonly [ProfileId, ProfileId];

/** What compare mode shows unless the user (or a link) picks another pair. */
export const DEFAULT_COMPARE_PAIR: ComparePair = ['v6.18', 'rfc'];

/** What the "Decode values" box shows on a first visit. */
export const DEFAULT_DECODE_TEXT = '0xf7ffffffffffde02\n0xdfffe7ffffdb9602';

export interface Actions {
  loadScenario(s: Scenario, opts?: Partial<KernelOptions>, cursor?: number, selection?: PteRef): boolean;
  loadBuiltin(id: string): void;
  setProfile(p: ProfileId): void;
  setConfig(o: ConfigOption, on: boolean): void;
  setPlatform(patch: Partial<Omit<Platform, 'arch'>>): void;
  setCursor(n: number): void;
  stepBy(delta: number): void;
  toStart(): void;
  toEnd(): void;
  select(ref: PteRef): void;
  setScratch(v: Scratch | null): void;
  setDecodeText(text: string): void;
  setDecodeArch(arch: ArchId): void;
  setComparePair(side: 0 | 1, p: ProfileId): void;
  applyEvent(e: Event): void;
  deleteEvent(i: number): void;
  replaceEvent(i: number, e: Event): void;
  openLink(text: string): boolean;
  /** Opens a scenario JSON file, or a `swapviz capture` snapshot as the read-only captured view. */
  importJson(text: string, name?: string): boolean;
  /** Leaves the captured view; the scenario that was open is there again. */
  closeCapture(): void;
  /** Selects record `i` of the open capture. */
  selectRecord(i: number): void;
  setCompare(on: boolean): void;
  setPanel(p: Panel): void;
  setTheme(t: Theme): void;
  setPlaying(on: boolean): void;
  setSpeed(stepsPerSecond: number): void;
  dismissMessage(): void;
  say(m: Message): void;
  // lessons
  /** Opens a stop of a lesson: its scenario, step, kernel, selection and view. */
  openLesson(id: string, stop?: number): boolean;
  closeLesson(): void;
  /** The bits marked for a bits question (null: the bit layout edits values again). */
  setMarks(bits: readonly number[] | null): void;
  noteProgress(id: string, change: { seen?: number; solved?: number; done?: boolean }): void;
  resetProgress(): void;
  dismissWelcome(): void;
}

export interface SwapvizState {
  readonly scenario: Scenario;
  readonly options: KernelOptions;
  readonly cursor: number;
  readonly selection: PteRef;
  readonly compare: boolean;
  readonly comparePair: ComparePair;
  readonly panel: Panel;
  readonly theme: Theme;
  /**
   * A value being edited in the bit layout / decode box; null = the selected PTE's value. It stays
   * (and is decoded again) when the kernel, config or paging change; a move or a new selection ends it.
   */
  readonly scratch: Scratch | null;
  /** The text of the "Decode values" box and the layout it decodes with (kept across tab switches). */
  readonly decodeText: string;
  readonly decodeArch: ArchId;
  /**
   * The step the user was at before a kernel, config or paging switch made it unreachable: the
   * next switch goes back to it if it can (null: the cursor is where the user put it).
   */
  readonly heldCursor: number | null;
  /** The step whose transition the last move undid (a step back from it), for the Δ/◆ marks; else null. */
  readonly undone: number | null;
  readonly message: Message | null;
  readonly playing: boolean;
  readonly speed: number;
  readonly embed: boolean;
  /** The lesson being followed and its stop; null = exploring freely. */
  readonly lesson: LessonPos | null;
  /** Bits the learner marked in the bit layout for a bits question; null = not marking. */
  readonly marks: readonly number[] | null;
  /** Each lesson's progress (kept in localStorage when there is one). */
  readonly progress: Progress;
  /** The welcome is shown: a first visit (no link) that has not dismissed it before. */
  readonly welcome: boolean;
  /** A captured process open in the read-only captured view (the scenario stays open behind it). */
  readonly capture: OpenCapture | null;
  /**
   * A long link opened before all its events were checked: the rest are being stepped in the
   * background (the timeline's first pass, in slices). If one cannot happen, the link is refused
   * then, and the scenario that was open before it comes back.
   */
  readonly checking: boolean;
  readonly actions: Actions;
}

export type SwapvizStore = StoreApi<SwapvizState>;

/** A snapshot opened from a file, the record selected in it, and what its loader noted. */
export interface OpenCapture {
  readonly snapshot: Snapshot;
  readonly name: string;
  readonly record: number;
  readonly warnings: readonly string[];
}

/** The timeline of the current scenario and options. */
export function timelineOf(s: Pick<SwapvizState, 'scenario' | 'options'>): Timeline {
  return timelineFor(s.scenario, s.options);
}

/**
 * A link opens once its events up to this many past its step have been checked; the rest are checked
 * in the background (a 10,000-event link opens without waiting for all of them).
 */
export const LINK_CHECK_AHEAD = 256;
/** Events the background check steps between two looks at the clock (store/idle.ts). */
const BACKGROUND_BATCH = 16;

function tryTimeline(s: Scenario, o: KernelOptions, cursor?: number, checkAll = true): Timeline | string {
  try {
    const t = timelineFor(s, o);
    if (cursor !== undefined) t.keep(cursor);
    if (checkAll) t.validity();
    return t;
  } catch (e) {
    if (e instanceof SetupError) return e.message;
    throw e;
  }
}

export interface StoreInit {
  scenario?: Scenario;
  options?: KernelOptions;
  cursor?: number;
  selection?: PteRef;
  embed?: boolean;
  /** Where progress and the welcome's dismissal are kept (default: memory only). */
  storage?: KeyValueStore;
  /** A first visit without a link: show the welcome unless it was dismissed before. */
  welcome?: boolean;
}

export function createSwapvizStore(init: StoreInit = {}): SwapvizStore {
  const scenario = init.scenario ?? findScenario(DEFAULT_SCENARIO_ID)!;
  const options = init.options ?? optionsFor(scenario, DEFAULT_OPTIONS);
  const storage = init.storage ?? safeStore(() => null);
  return createStore<SwapvizState>()((set, get) => {
    const say = (m: Message) => set({ message: m });
    const where = () => `${get().scenario.id}, step ${get().cursor}`;

    /** Loads a scenario; `checkAll` false: its later events may still be unchecked (a long link's). */
    const load = (s: Scenario, opts: Partial<KernelOptions> | undefined, cursor: number, selection: PteRef | undefined, checkAll: boolean): boolean => {
      const o = optionsFor(s, get().options, opts);
      const t = tryTimeline(s, o, cursor, checkAll);
      if (typeof t === 'string') {
        say({ kind: 'error', text: `Cannot open "${s.title}": ${t}. Your scenario (${where()}) is still open.` });
        return false;
      }
      set({
        scenario: s,
        options: o,
        cursor: t.clamp(cursor),
        selection: selection ?? s.focus,
        scratch: null,
        playing: false,
        message: null,
        heldCursor: null,
        undone: null,
        checking: !t.checked,
      });
      return true;
    };

    /**
     * Finishes the first pass of a link's timeline in slices (between frames); if an event cannot
     * happen, the link is refused as if it had been checked before it opened, and what was open
     * before comes back (unless the user has since moved on to another scenario or kernel).
     */
    const checkInBackground = (t: Timeline, before: Partial<SwapvizState>, kept: string): void => {
      inIdleSlices(() => t.checkMore(BACKGROUND_BATCH), () => {
        const r = t.knownRefusal();
        if (timelineOf(get()) !== t) return;
        if (!r) {
          set({ checking: false });
          return;
        }
        const e = t.scenario.events[r.at];
        set({ ...before, checking: false, playing: false, message: { kind: 'error', text: `This link could not be opened: event ${r.at + 1} (${e?.type ?? '?'}) cannot happen after step ${r.at}: ${r.reason}. Your scenario (${kept}) is still open.` } });
      });
    };

    const actions: Actions = {
      loadScenario(s, opts, cursor = 0, selection) {
        return load(s, opts, cursor, selection, true);
      },
      loadBuiltin(id) {
        const s = findScenario(id);
        if (!s) say({ kind: 'error', text: `There is no built-in scenario "${id}".` });
        else actions.loadScenario(s, s.profile ? { profile: s.profile } : undefined);
      },
      setProfile(p) {
        switchOptions({ ...get().options, profile: p });
      },
      setConfig(o, on) {
        switchOptions({ ...get().options, config: { ...get().options.config, [o]: on } });
      },
      setPlatform(patch) {
        switchOptions({ ...get().options, platform: { ...get().options.platform, ...patch } });
      },
      setCursor(n) {
        const { cursor } = get();
        const t = timelineOf(get());
        const next = t.clamp(Math.round(n));
        if (next === cursor) return;
        set({ cursor: next, scratch: null, heldCursor: null, undone: next === cursor - 1 ? cursor : null, ...stale() });
      },
      stepBy(delta) {
        actions.setCursor(get().cursor + delta);
      },
      toStart() {
        actions.setCursor(0);
      },
      toEnd() {
        actions.setCursor(timelineOf(get()).reachable());
      },
      select(ref) {
        set({ selection: ref, scratch: null, ...stale() });
      },
      setScratch(v) {
        set({ scratch: v });
      },
      setDecodeText(text) {
        set({ decodeText: text });
      },
      setDecodeArch(arch) {
        set({ decodeArch: arch });
      },
      setComparePair(side, p) {
        const pair: [ProfileId, ProfileId] = [...get().comparePair];
        pair[side] = p;
        set({ comparePair: pair });
      },
      applyEvent(e) {
        const { scenario, cursor } = get();
        const t = timelineOf(get());
        const r = step(t.stateAt(cursor), e);
        if (!r.ok) {
          say({ kind: 'error', text: `${describeEvent(e)} cannot happen now: ${r.reason}.` });
          return;
        }
        set({ scenario: insertEvent(scenario, cursor, e), cursor: cursor + 1, scratch: null, message: null, heldCursor: null, undone: null });
        flagLater();
      },
      deleteEvent(i) {
        const { scenario, cursor } = get();
        if (i < 0 || i >= scenario.events.length) return;
        const next = deleteEvent(scenario, i);
        set({ scenario: next, cursor: cursorAfterDelete(cursor, i, next.events.length), message: null, heldCursor: null, undone: null });
        flagLater();
      },
      replaceEvent(i, e) {
        const { scenario } = get();
        if (i < 0 || i >= scenario.events.length) return;
        set({ scenario: replaceEvent(scenario, i, e), message: null, heldCursor: null, undone: null });
        flagLater();
      },
      openLink(text) {
        const r = decodeLink(text);
        if (!r.ok) {
          say({ kind: 'error', text: `This link could not be opened: ${r.error}. Your scenario (${where()}) is still open.` });
          return false;
        }
        // Events far past the link's step are checked after it opens (checkInBackground).
        const check = checkLinkReplays(r.state, LINK_CHECK_AHEAD);
        if (!check.ok) {
          say({ kind: 'error', text: `This link could not be opened: ${check.error}. Your scenario (${where()}) is still open.` });
          return false;
        }
        const st: LinkState = r.state;
        // A selected PTE that does not exist at the link's step is refused; the rest of the link opens.
        const badSel = checkLinkSelection(st);
        const g = get();
        const before: Partial<SwapvizState> = {
          scenario: g.scenario, options: g.options, cursor: g.cursor, selection: g.selection, compare: g.compare, comparePair: g.comparePair,
          panel: g.panel, lesson: g.lesson, marks: g.marks, welcome: g.welcome, scratch: g.scratch, heldCursor: g.heldCursor, undone: g.undone,
        };
        const kept = where();
        const ok = load(st.scenario, st.options, st.cursor, badSel ? undefined : st.selection, !check.pending);
        if (ok && check.pending) checkInBackground(timelineOf(get()), before, kept);
        if (ok) {
          set({ compare: st.view?.compare ?? false, comparePair: st.view?.pair ?? DEFAULT_COMPARE_PAIR, panel: st.view?.panel ?? get().panel, lesson: st.lesson ?? null, marks: null, welcome: false });
          if (st.lesson) actions.noteProgress(st.lesson.id, { seen: st.lesson.stop });
          const focus = get().selection;
          const notes = [
            r.migratedFrom !== undefined ? `This link was made by an older swapviz (link version ${r.migratedFrom}) and was converted.` : '',
            ...r.warnings,
            badSel ? `The link's selection was refused: ${badSel}. The rest of the link opened, with the scenario's own PTE (pid ${focus.pid} PTE ${focus.index}) selected.` : '',
          ].filter(Boolean);
          if (notes.length) say({ kind: 'info', text: notes.join(' ') });
        }
        return ok;
      },
      importJson(text, name = 'the file') {
        if (looksLikeSnapshot(text)) {
          const snap = parseSnapshot(text);
          if (!snap.ok) {
            say({ kind: 'error', text: `The capture could not be opened: ${snap.error}. Your scenario (${where()}) is still open.` });
            return false;
          }
          const first = firstUsedRecord(snap.snapshot);
          set({ capture: { snapshot: snap.snapshot, name, record: first, warnings: snap.warnings }, playing: false, message: null });
          return true;
        }
        const r = parseScenarioJson(text, 'the file');
        if (!r.ok) {
          say({ kind: 'error', text: `The file could not be imported: ${r.error}. Your scenario (${where()}) is still open.` });
          return false;
        }
        return actions.loadScenario(r.scenario);
      },
      closeCapture() {
        set({ capture: null });
      },
      selectRecord(i) {
        const c = get().capture;
        if (c && Number.isInteger(i) && i >= 0 && i < c.snapshot.pageCount) set({ capture: { ...c, record: i } });
      },
      setCompare(on) {
        set({ compare: on });
      },
      setPanel(p) {
        set({ panel: p });
      },
      setTheme(t) {
        set({ theme: t });
      },
      setPlaying(on) {
        set({ playing: on });
      },
      setSpeed(n) {
        set({ speed: Math.max(0.25, Math.min(20, n)) });
      },
      dismissMessage() {
        set({ message: null });
      },
      say,
      // ---- lessons ----
      openLesson(id, stop = 0) {
        const lesson = findLesson(id);
        const st = lesson?.stops[stop];
        const scenario = st ? findScenario(st.scenario) : undefined;
        if (!lesson || !st || !scenario) {
          say({ kind: 'error', text: `There is no lesson "${id}" with a stop ${stop + 1}.` });
          return false;
        }
        if (!actions.loadScenario(scenario, stopOptions(st), st.step, st.select)) return false;
        // Starting a lesson from the welcome answers it: it does not come back.
        if (get().welcome) storage.setItem(WELCOME_KEY, 'dismissed');
        set({ lesson: { id, stop }, panel: st.panel ?? 'layout', compare: st.compare ?? false, marks: null, welcome: false });
        actions.noteProgress(id, { seen: stop });
        return true;
      },
      closeLesson() {
        set({ lesson: null, marks: null });
      },
      setMarks(bits) {
        set({ marks: bits === null ? null : [...new Set(bits)].sort((a, b) => a - b) });
      },
      noteProgress(id, change) {
        const p = withProgress(get().progress, id, change);
        if (p === get().progress) return;
        set({ progress: p });
        writeProgress(storage, p);
      },
      resetProgress() {
        set({ progress: {} });
        writeProgress(storage, {});
      },
      dismissWelcome() {
        set({ welcome: false });
        storage.setItem(WELCOME_KEY, 'dismissed');
      },
    };

    /** The message, unless it was about an earlier moment: what to merge into a change of position. */
    function stale(): Partial<SwapvizState> {
      const m = get().message;
      return m && m.topic !== 'validity' ? { message: null } : {};
    }

    /**
     * A new kernel, config or paging. The value being edited stays (the views decode it again). The
     * step stays where it was if it can still be reached; if not, the cursor stops at the last step
     * that can, and the step is held: a later switch that makes it reachable again goes back to it.
     */
    function switchOptions(o: KernelOptions): void {
      const { scenario, cursor, heldCursor } = get();
      const t = tryTimeline(scenario, o);
      if (typeof t === 'string') {
        say({ kind: 'error', text: `Cannot switch: ${t}.` });
        return;
      }
      const wanted = heldCursor ?? cursor;
      const reach = t.reachable();
      set({ options: o, cursor: Math.min(wanted, reach), heldCursor: wanted > reach ? wanted : null, undone: null, ...stale() });
      flagLater();
    }

    /**
     * After an edit or a switch, say which later event (if any) became impossible, or drop that
     * message when nothing is impossible any more.
     */
    function flagLater(): void {
      const t = timelineOf(get());
      const r = t.validity();
      const { heldCursor, message, scenario } = get();
      if (r) {
        const held = heldCursor !== null
          ? ` You were at step ${heldCursor}; you are at step ${get().cursor}, the last one that can run, and go back to step ${heldCursor} when it can run again (undo the change).`
          : '';
        set({ message: { kind: 'error', topic: 'validity', text: `Event ${r.at + 1} (${describeEvent(scenario.events[r.at]!)}) cannot happen any more: ${r.reason}. The steps after it are not shown until you change or delete it.${held}` } });
      } else if (message?.topic === 'validity') {
        set({ message: null });
      }
    }

    return {
      scenario,
      options,
      cursor: init.cursor ?? 0,
      selection: init.selection ?? scenario.focus,
      compare: false,
      comparePair: DEFAULT_COMPARE_PAIR,
      panel: 'layout',
      theme: 'system',
      scratch: null,
      decodeText: DEFAULT_DECODE_TEXT,
      decodeArch: 'x86_64',
      heldCursor: null,
      undone: null,
      message: null,
      playing: false,
      speed: 2,
      embed: init.embed ?? false,
      lesson: null,
      marks: null,
      progress: readProgress(storage),
      welcome: (init.welcome ?? false) && storage.getItem(WELCOME_KEY) !== 'dismissed',
      capture: null,
      checking: false,
      actions,
    };
  });
}

/** The share link of the store's current position. */
export function linkOf(s: SwapvizState): string {
  const focus = s.scenario.focus;
  const defaultPair = s.comparePair[0] === DEFAULT_COMPARE_PAIR[0] && s.comparePair[1] === DEFAULT_COMPARE_PAIR[1];
  const view = {
    ...(s.compare ? { compare: true } : {}),
    ...(s.compare && !defaultPair ? { pair: s.comparePair } : {}),
    ...(s.panel !== 'layout' ? { panel: s.panel } : {}),
  };
  return encodeLink({
    scenario: s.scenario,
    options: s.options,
    cursor: s.cursor,
    ...(s.selection.pid !== focus.pid || s.selection.index !== focus.index ? { selection: s.selection } : {}),
    ...(Object.keys(view).length ? { view } : {}),
    ...(s.lesson ? { lesson: s.lesson } : {}),
  });
}
