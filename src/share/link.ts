/**
 * Share links: the whole state worth sharing (a scenario, the kernel it runs under, a step, what is
 * selected) as a URL fragment, and back. A link is a public contract: every version ever written
 * keeps decoding.
 *
 * Link format, version 1: `key=value` parts joined by `&`, in this order when encoded:
 *
 *   v=1              link version (required)
 *   k=rfc            kernel profile: v6.18 | rfc | 7.3 | no-new-types (required)
 *   s=S02            a built-in scenario, unmodified, by id (case-insensitive) -- or, instead, z=
 *   step=4           the cursor: events applied, 0..events (default 0)
 *   sel=1.1          selected PTE, pid.index
 *   cfg=yyy          CONFIG_DEVICE_PRIVATE, CONFIG_MIGRATION, CONFIG_MEMORY_FAILURE as y/n (default yyy)
 *   arch=x86_64      x86_64 | arm64 (default x86_64)
 *   pg=4             paging levels 4 | 5 (default 4)
 *   ad=1             migration entries carry A/D: 1 | 0 (default 1)
 *   cmp=1            compare view on (1) or off (0); absent = not set
 *   pair=v6.18_rfc   the two kernel profiles compare mode shows, as k= tokens joined by _ (added
 *                    within v1, optional: absent = not set, and the app then compares v6.18 and rfc)
 *   panel=pfn        layout | pfn | types | decode; absent = not set
 *   lesson=device    a lesson, by id (src/model/lessons), shown at stop= (added later in v1: a swapviz
 *   stop=3           without lessons ignores both with a warning and opens the same position)
 *   z=eNq…           any other scenario, whole: compact JSON (compact.ts, eventCodes.ts), zlib,
 *                    base64url (pack.ts)
 *
 * Everything but z is readable. Exactly one of s and z is present. Defaults are link v1's, fixed
 * forever (tokens.ts). Example: S02 at step 4 under the RFC is `v=1&k=rfc&s=S02&step=4`.
 *
 * Decoding trusts nothing: every part is checked and the first problem is named. Unknown keys are
 * tolerated and reported in `warnings` (a link may be read by an older swapviz of the same link
 * version; anything whose loss would change what a link shows must bump the version instead).
 * Inside the blob, keys are strict (an unknown key is an error), like validateScenario.
 */
import { MAX_INDEX } from '../model/machine/events.ts';
import type { KernelOptions } from '../model/kernel/kernel.ts';
import type { ProfileId } from '../model/kernel/profiles.ts';
import { findScenario, SCENARIOS } from '../model/scenarios/index.ts';
import type { Scenario } from '../model/scenarios/types.ts';
import { MAX_EVENTS, validateScenario } from '../model/scenarios/validate.ts';
import { findLesson } from '../model/lessons/library.ts';
import { LESSON_ID, MAX_STOPS } from '../model/lessons/validate.ts';
import { compactScenario, expandScenario } from './compact.ts';
import { sameJson } from './equal.ts';
import { packJson, unpackJson } from './pack.ts';
import { clip, formatParams, fragmentOf, peekVersion, splitParams } from './params.ts';
import { pastTheEnd } from './replay.ts';
import {
  ARCH_TOKENS, configToken, PANEL_TOKENS, parseConfigToken, PROFILE_TOKENS, reverse, V1_DEFAULT_CONFIG, V1_DEFAULT_PLATFORM,
  type Panel,
} from './tokens.ts';

/** The version encodeLink writes, and the newest decodeLink reads. */
export const LINK_VERSION = 1;


export interface LinkView {
  compare?: boolean;
  panel?: Panel;
  /** The two profiles compare mode shows, left and right. */
  pair?: readonly [ProfileId, ProfileId];
}

/** A lesson and a stop in it: `stop` is the index (0-based); the link writes stop=index+1. */
export interface LinkLesson {
  id: string;
  stop: number;
}

export interface LinkState {
  /** The whole scenario (initial setup + events). */
  scenario: Scenario;
  /** Kernel profile, config, arch/paging/migrationAd. */
  options: KernelOptions;
  /** 0..scenario.events.length (0 = the initial state). */
  cursor: number;
  selection?: { pid: number; index: number };
  /** An empty view ({}) encodes like no view: it decodes as absent. */
  view?: LinkView;
  lesson?: LinkLesson;
}

export type DecodeLinkResult =
  | { ok: true; state: LinkState; migratedFrom?: number; warnings: string[] }
  | { ok: false; error: string };

class Bad extends Error {}

const SAFE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The built-in scenario this one is, unmodified (deep-equal, same id spelling), if any. */
export function builtinOf(s: Scenario): Scenario | undefined {
  const b = findScenario(s.id);
  if (!b || b.id !== s.id || !SAFE_ID.test(b.id)) return undefined;
  return b === s || sameJson(b, s) ? b : undefined;
}

export { checkLinkReplays, checkLinkSelection, type ReplayCheck } from './replay.ts';

// ---- encoding --------------------------------------------------------------------------------

/**
 * The URL fragment (without `#`) for a state. Throws (TypeError/RangeError) only for a state no
 * link can describe, which is a bug in the caller: an unknown profile, a cursor that is not an
 * integer 0..MAX_EVENTS, an invalid scenario.
 */
/**
 * The scenario part of a link, per scenario object: the built-in it is (by id), or its packed blob.
 * Scenarios are immutable values, so stepping through a long custom scenario does not
 * re-validate and re-compress it for every new position.
 */
const scenarioPart = new WeakMap<Scenario, ['s' | 'z', string]>();

function partOf(scenario: Scenario): ['s' | 'z', string] {
  let p = scenarioPart.get(scenario);
  if (!p) {
    const builtin = builtinOf(scenario);
    if (builtin) p = ['s', builtin.id];
    else {
      const v = validateScenario(scenario);
      if (!v.ok) throw new TypeError(`encodeLink: the scenario is invalid: ${v.error}`);
      p = ['z', packJson(compactScenario(scenario))];
    }
    scenarioPart.set(scenario, p);
  }
  return p;
}

export function encodeLink(s: LinkState): string {
  const { options: o } = s;
  const profile = (PROFILE_TOKENS as Readonly<Record<string, string>>)[o.profile];
  if (profile === undefined) throw new TypeError(`encodeLink: unknown kernel profile ${JSON.stringify(o.profile)}`);
  if (!Number.isSafeInteger(s.cursor) || s.cursor < 0 || s.cursor > MAX_EVENTS) throw new RangeError(`encodeLink: cursor ${s.cursor} is not an integer 0..${MAX_EVENTS}`);
  const parts: [string, string][] = [['v', String(LINK_VERSION)], ['k', profile]];
  const part = partOf(s.scenario);
  if (part[0] === 's') parts.push(part);
  if (s.cursor !== 0) parts.push(['step', String(s.cursor)]);
  if (s.selection) {
    const { pid, index } = s.selection;
    if (!Number.isInteger(pid) || pid < 1 || pid > 64 || !Number.isInteger(index) || index < 0 || index >= MAX_INDEX) {
      throw new RangeError(`encodeLink: selection ${pid}.${index} is not a PTE (pid 1..64, index 0..${MAX_INDEX - 1})`);
    }
    parts.push(['sel', `${pid}.${index}`]);
  }
  const cfg = configToken(o.config);
  if (cfg !== configToken(V1_DEFAULT_CONFIG)) parts.push(['cfg', cfg]);
  const arch = (ARCH_TOKENS as Readonly<Record<string, string>>)[o.platform.arch];
  if (arch === undefined) throw new TypeError(`encodeLink: unknown arch ${JSON.stringify(o.platform.arch)}`);
  if (o.platform.arch !== V1_DEFAULT_PLATFORM.arch) parts.push(['arch', arch]);
  if (o.platform.paging !== 4 && o.platform.paging !== 5) throw new RangeError(`encodeLink: paging ${String(o.platform.paging)} is not 4 or 5`);
  if (o.platform.paging !== V1_DEFAULT_PLATFORM.paging) parts.push(['pg', String(o.platform.paging)]);
  if (o.platform.migrationAd !== V1_DEFAULT_PLATFORM.migrationAd) parts.push(['ad', o.platform.migrationAd ? '1' : '0']);
  if (s.view?.compare !== undefined) parts.push(['cmp', s.view.compare ? '1' : '0']);
  if (s.view?.pair !== undefined) {
    const tokens = s.view.pair.map((p) => (PROFILE_TOKENS as Readonly<Record<string, string>>)[p]);
    if (tokens.length !== 2 || tokens.some((t) => t === undefined)) throw new TypeError(`encodeLink: the compare pair ${JSON.stringify(s.view.pair)} is not two kernel profiles`);
    parts.push(['pair', tokens.join(PAIR_SEPARATOR)]);
  }
  if (s.view?.panel !== undefined) {
    const panel = (PANEL_TOKENS as Readonly<Record<string, string>>)[s.view.panel];
    if (panel === undefined) throw new TypeError(`encodeLink: unknown panel ${JSON.stringify(s.view.panel)}`);
    parts.push(['panel', panel]);
  }
  if (s.lesson) parts.push(...lessonParts(s.lesson));
  if (part[0] === 'z') parts.push(part);
  return formatParams(parts);
}

// ---- decoding --------------------------------------------------------------------------------

/**
 * One decoder per link version ever released, each turning its version's parts into the current
 * LinkState. Versions are never removed: a link made today must open forever. To add version 2:
 * write decodeV2 for the new format and add it here; keep decodeV1 reading the v1 format exactly
 * as it does now and have it end in a migrateV1ToV2 of its result (so v1 keeps its own frozen
 * defaults, tokens and event codes, and only the migration knows what changed). decodeLink reports
 * `migratedFrom` for any link older than LINK_VERSION.
 */
type VersionDecoder = (params: ReadonlyMap<string, string>, warnings: string[]) => LinkState;

const DECODERS: Readonly<Record<number, VersionDecoder>> = {
  1: decodeV1,
};

/**
 * A fragment (`#…` or bare) or a full URL -> the state it describes, or what is wrong with it.
 * Never throws, whatever the input; nothing in the input is ever evaluated.
 */
export function decodeLink(input: string): DecodeLinkResult {
  try {
    const f = fragmentOf(input);
    if (!f.ok) return f;
    const v = peekVersion(f.fragment);
    if (v === undefined) return { ok: false, error: 'the link has no version (v=…): it is not a swapviz share link' };
    if (!/^[0-9]{1,9}$/.test(v)) return { ok: false, error: `the link version ${JSON.stringify(clip(v))} is not a number` };
    const version = Number(v);
    if (version > LINK_VERSION) return { ok: false, error: `made by a newer swapviz: link version ${version}, this one reads up to ${LINK_VERSION}` };
    const p = splitParams(f.fragment);
    if (!p.ok) return p;
    const params = p.params;
    const decoder = DECODERS[version];
    if (!decoder) return { ok: false, error: `link version ${version} does not exist (versions 1..${LINK_VERSION})` };
    const warnings: string[] = [];
    const state = decoder(params, warnings);
    return version < LINK_VERSION ? { ok: true, state, migratedFrom: version, warnings } : { ok: true, state, warnings };
  } catch (e) {
    if (e instanceof Bad) return { ok: false, error: e.message };
    return { ok: false, error: `the link could not be read (${e instanceof Error ? clip(e.message, 120) : 'unknown error'})` };
  }
}

const V1_KEYS = new Set(['v', 'k', 's', 'z', 'step', 'sel', 'cfg', 'arch', 'pg', 'ad', 'cmp', 'pair', 'panel', 'lesson', 'stop']);
/** pair=: two k= tokens; `_` appears in no profile token. */
const PAIR_SEPARATOR = '_';
const PROFILE_BY_TOKEN = reverse(PROFILE_TOKENS);
const ARCH_BY_TOKEN = reverse(ARCH_TOKENS);
const PANEL_BY_TOKEN = reverse(PANEL_TOKENS);

function oneOf<T>(params: ReadonlyMap<string, string>, key: string, table: ReadonlyMap<string, T>, what: string): T | undefined {
  const t = params.get(key);
  if (t === undefined) return undefined;
  const v = table.get(t);
  if (v === undefined) throw new Bad(`unknown ${what} ${JSON.stringify(clip(t))} (${key}= is one of ${[...table.keys()].join(', ')})`);
  return v;
}

function flag(params: ReadonlyMap<string, string>, key: string, what: string): boolean | undefined {
  const t = params.get(key);
  if (t === undefined) return undefined;
  if (t !== '0' && t !== '1') throw new Bad(`${key} ${JSON.stringify(clip(t))} is not 0 or 1 (${what})`);
  return t === '1';
}

function decodeV1(params: ReadonlyMap<string, string>, warnings: string[]): LinkState {
  for (const k of params.keys()) {
    if (!V1_KEYS.has(k)) warnings.push(`ignored the part "${clip(k)}=…": version 1 links have no such part`);
  }
  const k = params.get('k');
  if (k === undefined) throw new Bad('the link names no kernel profile (k=…)');
  const profile = PROFILE_BY_TOKEN.get(k);
  if (profile === undefined) throw new Bad(`unknown kernel profile ${JSON.stringify(clip(k))} (this swapviz knows ${[...PROFILE_BY_TOKEN.keys()].join(', ')})`);

  const id = params.get('s');
  const blob = params.get('z');
  if (id !== undefined && blob !== undefined) throw new Bad('the link has both a built-in scenario (s=) and scenario data (z=)');
  let scenario: Scenario;
  if (id !== undefined) {
    const b = SAFE_ID.test(id) ? findScenario(id) : undefined;
    if (!b) throw new Bad(`unknown built-in scenario ${JSON.stringify(clip(id))} (this swapviz has ${SCENARIOS.length}: ${SCENARIOS.slice(0, 3).map((x) => x.id).join(', ')}, …)`);
    scenario = b;
  } else if (blob !== undefined) {
    const u = unpackJson(blob);
    if (!u.ok) throw new Bad(`the scenario data (z=) ${u.error}`);
    const x = expandScenario(u.value);
    if (!x.ok) throw new Bad(`the scenario in the link is invalid: ${x.error}`);
    scenario = x.scenario;
  } else {
    throw new Bad('the link names no scenario (s=… or z=…)');
  }

  const step = params.get('step');
  let cursor = 0;
  if (step !== undefined) {
    if (!/^[0-9]{1,9}$/.test(step)) throw new Bad(`step ${JSON.stringify(clip(step))} is not a non-negative integer`);
    cursor = Number(step);
    if (cursor > MAX_EVENTS) throw new Bad(`step ${cursor} is past the end of any scenario (at most ${MAX_EVENTS} events)`);
  }
  if (cursor > scenario.events.length) warnings.push(pastTheEnd(cursor, scenario.events.length));

  let selection: LinkState['selection'];
  const sel = params.get('sel');
  if (sel !== undefined) {
    const m = /^([0-9]{1,2})\.([0-9]{1,7})$/.exec(sel);
    const pid = m ? Number(m[1]) : NaN;
    const index = m ? Number(m[2]) : NaN;
    if (!(pid >= 1 && pid <= 64 && index >= 0 && index < MAX_INDEX)) {
      throw new Bad(`sel ${JSON.stringify(clip(sel))} is not a PTE as pid.index (pid 1..64, index 0..${MAX_INDEX - 1})`);
    }
    selection = { pid, index };
  }

  let config = V1_DEFAULT_CONFIG;
  const cfg = params.get('cfg');
  if (cfg !== undefined) {
    const c = parseConfigToken(cfg);
    if (!c) throw new Bad(`cfg ${JSON.stringify(clip(cfg))} is not three y/n letters (CONFIG_DEVICE_PRIVATE, CONFIG_MIGRATION, CONFIG_MEMORY_FAILURE)`);
    config = c;
  }
  const arch = oneOf(params, 'arch', ARCH_BY_TOKEN, 'arch') ?? V1_DEFAULT_PLATFORM.arch;
  const pg = params.get('pg');
  if (pg !== undefined && pg !== '4' && pg !== '5') throw new Bad(`pg ${JSON.stringify(clip(pg))} is not 4 or 5 (paging levels)`);
  const paging = pg === undefined ? V1_DEFAULT_PLATFORM.paging : pg === '5' ? 5 : 4;
  const migrationAd = flag(params, 'ad', 'whether migration entries carry A/D') ?? V1_DEFAULT_PLATFORM.migrationAd;

  const compare = flag(params, 'cmp', 'the compare view');
  const panel = oneOf(params, 'panel', PANEL_BY_TOKEN, 'panel');
  let pair: LinkView['pair'];
  const pt = params.get('pair');
  if (pt !== undefined) {
    const ids = pt.split(PAIR_SEPARATOR).map((t) => PROFILE_BY_TOKEN.get(t));
    if (ids.length !== 2 || ids.some((x) => x === undefined)) {
      throw new Bad(`pair ${JSON.stringify(clip(pt))} is not two kernel profiles joined by _ (each one of ${[...PROFILE_BY_TOKEN.keys()].join(', ')})`);
    }
    pair = [ids[0]!, ids[1]!];
  }
  const view: LinkView = { ...(compare !== undefined ? { compare } : {}), ...(panel !== undefined ? { panel } : {}), ...(pair ? { pair } : {}) };

  const lesson = decodeLesson(params, warnings);

  return {
    scenario,
    options: { profile, config: { ...config }, platform: { arch, paging, migrationAd } },
    cursor,
    ...(selection ? { selection } : {}),
    ...(Object.keys(view).length ? { view } : {}),
    ...(lesson ? { lesson } : {}),
  };
}

// ---- lessons (lesson=, stop=) -------------------------------------------------------------------

function lessonParts(l: LinkLesson): [string, string][] {
  if (!LESSON_ID.test(l.id)) throw new TypeError(`encodeLink: ${JSON.stringify(l.id)} is not a lesson id`);
  if (!Number.isInteger(l.stop) || l.stop < 0 || l.stop >= MAX_STOPS) throw new RangeError(`encodeLink: stop ${l.stop} is not an index 0..${MAX_STOPS - 1}`);
  return [['lesson', l.id], ['stop', String(l.stop + 1)]];
}

/**
 * lesson= and stop=. Malformed parts are errors; a lesson this swapviz does not have, or a stop past
 * its end, only warns (a newer swapviz may have more): the position in the link still opens.
 */
function decodeLesson(params: ReadonlyMap<string, string>, warnings: string[]): LinkLesson | undefined {
  const id = params.get('lesson');
  const stopText = params.get('stop');
  if (id === undefined) {
    if (stopText !== undefined) throw new Bad('stop= needs a lesson= to be a stop of');
    return undefined;
  }
  if (!LESSON_ID.test(id)) throw new Bad(`lesson ${JSON.stringify(clip(id))} is not a lesson id (lowercase letters, digits and dashes)`);
  let stop = 1;
  if (stopText !== undefined) {
    if (!/^[0-9]{1,3}$/.test(stopText) || Number(stopText) < 1 || Number(stopText) > MAX_STOPS) throw new Bad(`stop ${JSON.stringify(clip(stopText))} is not a stop number 1..${MAX_STOPS}`);
    stop = Number(stopText);
  }
  const lesson = findLesson(id);
  if (!lesson) {
    warnings.push(`this swapviz has no lesson "${id}": the link's position opened without it`);
    return undefined;
  }
  if (stop > lesson.stops.length) {
    warnings.push(`lesson "${id}" has ${lesson.stops.length} stops, not ${stop}: opened its last stop`);
    stop = lesson.stops.length;
  }
  return { id, stop: stop - 1 };
}
