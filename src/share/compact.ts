/**
 * Link v1's scenario blob: a whole scenario as one small JSON object, before compression.
 *
 *   { "i": id, "t": title, "d": description, "o": source, "u": setup (MachineSetup as is),
 *     "f": [focus pid, focus index], "e": [[code, ...fields], ...] (see eventCodes.ts),
 *     "a": migrationAd?, "g": paging?, "p": profile?,
 *     "c": [[step, after, pid, index, mid?, "pmd"?], ...]?, "x": expect (as is)? }
 *
 * A checkpoint at PMD level has a sixth element "pmd" (mid is then a string or null).
 *
 * The scenario schema is implied by the link version (link v1 carries scenario schema 1). Keys are
 * strict: a blob with a key not listed here is rejected, like validateScenario rejects unknown
 * fields. Whatever the compact form cannot get wrong by itself is left to validateScenario, which
 * checks every field and returns a fresh object.
 */
import { MAX_EVENTS, validateScenario } from '../model/scenarios/validate.ts';
import type { Scenario } from '../model/scenarios/types.ts';
import { compactEvent, expandEvent } from './eventCodes.ts';

/**
 * Blob key of each scenario field. Typed over every key of Scenario: a field added to Scenario
 * fails to compile here until it gets a key (and, being a format change, a new link version).
 */
export const BLOB_KEYS = {
  schema: null,
  id: 'i',
  title: 't',
  description: 'd',
  source: 'o',
  setup: 'u',
  migrationAd: 'a',
  paging: 'g',
  profile: 'p',
  events: 'e',
  focus: 'f',
  checkpoints: 'c',
  expect: 'x',
} as const satisfies { readonly [K in keyof Scenario]-?: string | null };

const KNOWN = new Set<string>(Object.values(BLOB_KEYS).filter((k): k is NonNullable<typeof k> => k !== null));

/** A scenario -> the v1 blob object (not yet JSON). Expects a valid scenario. */
export function compactScenario(s: Scenario): Record<string, unknown> {
  const out: Record<string, unknown> = {
    i: s.id,
    t: s.title,
    d: s.description,
    o: s.source,
    u: s.setup,
    f: [s.focus.pid, s.focus.index],
  };
  if (s.migrationAd !== undefined) out.a = s.migrationAd;
  if (s.paging !== undefined) out.g = s.paging;
  if (s.profile !== undefined) out.p = s.profile;
  if (s.checkpoints !== undefined) {
    out.c = s.checkpoints.map((c) => (c.level !== undefined
      ? [c.step, c.after, c.pid, c.index, c.mid ?? null, c.level]
      : c.mid !== undefined ? [c.step, c.after, c.pid, c.index, c.mid] : [c.step, c.after, c.pid, c.index]));
  }
  if (s.expect !== undefined) out.x = s.expect;
  out.e = s.events.map(compactEvent);
  return out;
}

export type ExpandScenarioResult = { ok: true; scenario: Scenario } | { ok: false; error: string };

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** An untrusted v1 blob object -> a validated scenario, or the first thing wrong with it. */
export function expandScenario(x: unknown): ExpandScenarioResult {
  if (!isObj(x)) return { ok: false, error: 'the scenario data is not an object' };
  for (const k of Object.keys(x)) {
    if (!KNOWN.has(k)) return { ok: false, error: `the scenario data has an unknown field ${JSON.stringify(k.slice(0, 40))}` };
  }
  const s: Record<string, unknown> = { schema: 1 };
  if (x.i !== undefined) s.id = x.i;
  if (x.t !== undefined) s.title = x.t;
  if (x.d !== undefined) s.description = x.d;
  if (x.o !== undefined) s.source = x.o;
  if (x.u !== undefined) s.setup = x.u;
  if (x.a !== undefined) s.migrationAd = x.a;
  if (x.g !== undefined) s.paging = x.g;
  if (x.p !== undefined) s.profile = x.p;
  if (x.x !== undefined) s.expect = x.x;
  if (x.f !== undefined) {
    if (!Array.isArray(x.f) || x.f.length !== 2) return { ok: false, error: 'scenario.focus must be [pid, index]' };
    s.focus = { pid: x.f[0] as unknown, index: x.f[1] as unknown };
  }
  if (x.c !== undefined) {
    if (!Array.isArray(x.c) || x.c.length > 256) return { ok: false, error: 'scenario.checkpoints must be a list of at most 256 checkpoints' };
    const cps: Record<string, unknown>[] = [];
    for (let i = 0; i < x.c.length; i++) {
      const c = x.c[i] as unknown;
      if (!Array.isArray(c) || c.length < 4 || c.length > 6) return { ok: false, error: `scenario.checkpoints[${i}] must be [step, after, pid, index, mid?, "pmd"?]` };
      const [step, after, pid, index, mid, level] = c as unknown[];
      cps.push({ step, after, pid, index, ...(mid !== undefined && mid !== null ? { mid } : {}), ...(c.length === 6 ? { level } : {}) });
    }
    s.checkpoints = cps;
  }
  if (!Array.isArray(x.e)) return { ok: false, error: 'scenario.events must be a list of events' };
  if (x.e.length > MAX_EVENTS) return { ok: false, error: `scenario.events has ${x.e.length} events; at most ${MAX_EVENTS}` };
  const events: Record<string, unknown>[] = [];
  for (let i = 0; i < x.e.length; i++) {
    const r = expandEvent(x.e[i], `scenario.events[${i}]`);
    if (!r.ok) return r;
    events.push(r.event);
  }
  s.events = events;
  const v = validateScenario(s, 'scenario');
  return v.ok ? { ok: true, scenario: v.scenario } : { ok: false, error: v.error };
}
