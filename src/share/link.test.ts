import fc from 'fast-check';
import { strToU8, zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type KernelConfig } from '../model/kernel/config.ts';
import { DEFAULT_PLATFORM, type Platform } from '../model/kernel/platform.ts';
import { PROFILE_IDS, type ProfileId } from '../model/kernel/profiles.ts';
import { EVENT_FIELDS, EVENT_TYPES, MAX_INDEX, type Event } from '../model/machine/events.ts';
import { findScenario, SCENARIOS } from '../model/scenarios/index.ts';
import type { Scenario } from '../model/scenarios/types.ts';
import { toBase64url } from './base64url.ts';
import { decodeLink, encodeLink, LINK_VERSION, MAX_INFLATED_BYTES, type LinkState } from './index.ts';

const options = (profile: ProfileId, config: KernelConfig = DEFAULT_CONFIG, platform: Platform = DEFAULT_PLATFORM) => ({ profile, config, platform });
const S02 = findScenario('S02')!;

function roundTrip(s: LinkState): LinkState {
  const r = decodeLink(encodeLink(s));
  if (!r.ok) throw new Error(r.error);
  expect(r.warnings).toEqual([]);
  return r.state;
}

describe('round trip: decodeLink(encodeLink(s)) is s', () => {
  for (const profile of ['v6.18', 'rfc'] as const) {
    it(`every built-in scenario at every step under ${profile} round-trips, referenced by id`, () => {
      let n = 0;
      for (const scenario of SCENARIOS) {
        for (let cursor = 0; cursor <= scenario.events.length; cursor++) {
          const s: LinkState = { scenario, options: options(profile), cursor };
          const link = encodeLink(s);
          expect(link).not.toContain('z=');
          expect(link).toContain(`&s=${scenario.id}`);
          expect(roundTrip(s)).toEqual(s);
          n++;
        }
      }
      expect(n).toBeGreaterThan(SCENARIOS.length);
    });
  }

  it('a built-in scenario with an event appended round-trips and is carried whole, not referenced by id', () => {
    const scenario: Scenario = { ...S02, events: [...S02.events, { type: 'fork', pid: 1 }] };
    const s: LinkState = { scenario, options: options('rfc'), cursor: scenario.events.length };
    const link = encodeLink(s);
    expect(link).not.toMatch(/(^|&)s=/);
    expect(link).toMatch(/&z=[A-Za-z0-9_-]+$/);
    expect(roundTrip(s)).toEqual(s);
  });

  it('a built-in scenario with only its title changed is carried whole', () => {
    const s: LinkState = { scenario: { ...S02, title: 'mine' }, options: options('rfc'), cursor: 0 };
    expect(encodeLink(s)).toContain('&z=');
    expect(roundTrip(s)).toEqual(s);
  });

  it('every built-in scenario, carried whole (renamed), round-trips through the compressed blob', () => {
    for (const b of SCENARIOS) {
      const s: LinkState = { scenario: { ...b, id: `copy-of-${b.id}` }, options: options('v6.18'), cursor: b.events.length };
      expect(encodeLink(s)).toContain('&z=');
      expect(roundTrip(s)).toEqual(s);
    }
  });

  it('a copy of a built-in scenario that is deep-equal to it is referenced by id', () => {
    const copy = JSON.parse(JSON.stringify(S02)) as Scenario;
    expect(encodeLink({ scenario: copy, options: options('rfc'), cursor: 4 })).toBe('v=1&k=rfc&s=S02&step=4');
  });

  it('every profile, config, platform, selection and view round-trips', () => {
    const configs: KernelConfig[] = [];
    for (let m = 0; m < 8; m++) configs.push({ DEVICE_PRIVATE: !!(m & 1), MIGRATION: !!(m & 2), MEMORY_FAILURE: !!(m & 4) });
    for (const profile of PROFILE_IDS) {
      for (const config of configs) {
        for (const arch of ['x86_64', 'arm64'] as const) {
          for (const paging of [4, 5] as const) {
            for (const migrationAd of [true, false]) {
              const s: LinkState = { scenario: S02, options: { profile, config, platform: { arch, paging, migrationAd } }, cursor: 3 };
              expect(roundTrip(s)).toEqual(s);
            }
          }
        }
      }
    }
    for (const view of [
      { compare: true }, { compare: false }, { panel: 'layout' }, { panel: 'pfn' }, { panel: 'types', compare: true }, { panel: 'decode', compare: false },
      { compare: true, pair: ['7.3', 'series'] }, { pair: ['no-new-types', 'v6.18'] }, { compare: true, pair: ['rfc', 'rfc'] },
    ] as const) {
      const s: LinkState = { scenario: S02, options: options('rfc'), cursor: 0, selection: { pid: 64, index: MAX_INDEX - 1 }, view };
      expect(roundTrip(s)).toEqual(s);
    }
  });

  it('the compare pair is an optional view part, pair=<k>_<k>; a link without it has no pair (the app then compares v6.18 and rfc)', () => {
    const s: LinkState = { scenario: S02, options: options('rfc'), cursor: 2, view: { compare: true, pair: ['7.3', 'series'] } };
    expect(encodeLink(s)).toBe('v=1&k=rfc&s=S02&step=2&cmp=1&pair=7.3_series');
    const old = decodeLink('v=1&k=rfc&s=S02&step=2&cmp=1');
    expect(old.ok && old.state.view).toEqual({ compare: true });
    expect(old.ok && old.warnings).toEqual([]);
  });

  it('an empty view encodes like no view', () => {
    const s: LinkState = { scenario: S02, options: options('rfc'), cursor: 1, view: {} };
    expect(encodeLink(s)).toBe('v=1&k=rfc&s=S02&step=1');
  });

  it('random valid events of every type round-trip through the blob (property, fixed seed)', () => {
    const fieldArb = (kind: (typeof EVENT_FIELDS)[keyof typeof EVENT_FIELDS][string]): fc.Arbitrary<unknown> => {
      if (typeof kind === 'object') return fc.constantFrom(...kind.oneOf);
      switch (kind) {
        case 'pid': return fc.integer({ min: 1, max: 64 });
        case 'device': return fc.integer({ min: 0, max: 7 });
        case 'index': return fc.integer({ min: 0, max: MAX_INDEX - 1 });
        case 'count': return fc.integer({ min: 1, max: MAX_INDEX });
        case 'bool': return fc.boolean();
        case 'int': return fc.maxSafeInteger();
      }
    };
    const eventArb: fc.Arbitrary<Event> = fc.constantFrom(...EVENT_TYPES).chain((type) => {
      const fields = Object.entries(EVENT_FIELDS[type]).map(([raw, kind]) => {
        const optional = raw.endsWith('?');
        const name = optional ? raw.slice(0, -1) : raw;
        return [name, optional ? fc.option(fieldArb(kind), { nil: undefined }) : fieldArb(kind)] as const;
      });
      return fc.tuple(...fields.map(([, a]) => a)).map((vals) => {
        const e: Record<string, unknown> = { type };
        fields.forEach(([name], i) => {
          if (vals[i] !== undefined) e[name] = vals[i];
        });
        return e as Event;
      });
    });
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 40 }), fc.nat({ max: 60 }), (events, cursor) => {
        const { checkpoints: _drop, ...base } = S02;
        const s: LinkState = { scenario: { ...base, id: 'random', events }, options: options('rfc'), cursor: Math.min(cursor, events.length) };
        expect(roundTrip(s)).toEqual(s);
      }),
      { seed: 0x11e4, numRuns: 400 },
    );
  });
});

describe('the link format', () => {
  it(`S02 at step 4 under the RFC is "v=1&k=rfc&s=S02&step=4"`, () => {
    expect(encodeLink({ scenario: S02, options: options('rfc'), cursor: 4 })).toBe('v=1&k=rfc&s=S02&step=4');
  });

  it('every link starts with its version', () => {
    expect(LINK_VERSION).toBe(1);
    expect(encodeLink({ scenario: { ...S02, id: 'x' }, options: options('v6.18'), cursor: 0 })).toMatch(/^v=1&k=v6\.18&z=/);
  });

  it('parts that differ from the v1 defaults are written readably, in a fixed order', () => {
    const s: LinkState = {
      scenario: S02,
      options: { profile: 'no-new-types', config: { DEVICE_PRIVATE: false, MIGRATION: true, MEMORY_FAILURE: true }, platform: { arch: 'arm64', paging: 5, migrationAd: false } },
      cursor: 2,
      selection: { pid: 1, index: 1 },
      view: { compare: true, panel: 'pfn' },
    };
    expect(encodeLink(s)).toBe('v=1&k=no-new-types&s=S02&step=2&sel=1.1&cfg=nyy&arch=arm64&pg=5&ad=0&cmp=1&panel=pfn');
  });

  it('decodeLink reads a #fragment, a bare fragment and a full URL alike', () => {
    const want = decodeLink('v=1&k=rfc&s=S02&step=4');
    expect(want.ok).toBe(true);
    for (const input of ['#v=1&k=rfc&s=S02&step=4', 'https://example.org/swapviz/?x=1#v=1&k=rfc&s=S02&step=4', '  #v=1&k=rfc&\n s=S02&step=4 ', 'v%3D1%26k%3Drfc&s=S02&step=4']) {
      expect(decodeLink(input)).toEqual(want);
    }
  });

  it('a built-in scenario id is read case-insensitively; parts may come in any order', () => {
    const r = decodeLink('step=4&s=s02&k=rfc&v=1');
    expect(r.ok && r.state.scenario).toBe(S02);
  });

  it('encodeLink throws on a state no link can describe', () => {
    expect(() => encodeLink({ scenario: S02, options: options('nope' as ProfileId), cursor: 0 })).toThrow(/unknown kernel profile/);
    expect(() => encodeLink({ scenario: S02, options: options('rfc'), cursor: -1 })).toThrow(/cursor -1/);
    expect(() => encodeLink({ scenario: S02, options: options('rfc'), cursor: 1.5 })).toThrow(/cursor 1.5/);
    expect(() => encodeLink({ scenario: S02, options: options('rfc'), cursor: 0, selection: { pid: 0, index: 0 } })).toThrow(/selection/);
    const bad = { ...S02, id: 'bad', events: [{ type: 'fork', pid: 99 }] } as unknown as Scenario;
    expect(() => encodeLink({ scenario: bad, options: options('rfc'), cursor: 0 })).toThrow(/scenario is invalid/);
  });
});

describe('decodeLink names what is wrong', () => {
  const errorOf = (link: string): string => {
    const r = decodeLink(link);
    if (r.ok) throw new Error(`decoded: ${link}`);
    return r.error;
  };
  const blob = encodeLink({ scenario: { ...S02, events: [...S02.events, { type: 'fork', pid: 1 }] }, options: options('rfc'), cursor: 0 });

  it.each([
    ['an empty link', '', /empty/],
    ['an oversized link', `v=1&k=rfc&s=S02&x=${'a'.repeat(100_000)}`, /at most 100,000/],
    ['a URL without a fragment', 'https://example.org/swapviz/', /no "#…" part/],
    ['a character outside the link alphabet', 'v=1&k=rfc&s=S02&step=<4>', /contains "<" at position 21/],
    ['a "/" inside a bare fragment', 'v=1&k=rfc&s=S02/step=4', /^the link contains "\/" at position 15; a swapviz link has only letters, digits and \. _ - = &$/],
    ['a "?" inside a bare fragment', 'v=1&k=rfc&s=S02&step=4?x', /^the link contains "\?" at position 22; /],
    ['a "/" inside the fragment of a URL', 'https://example.org/#v=1&k=rfc/s=S02', /^the link contains "\/" at position 9; /],
    ['a "+" inside the fragment', 'v=1&k=rfc&s=S02+', /^the link contains "\+" at position 15; /],
    ['a ":" inside a bare fragment', 'v=1&k=rfc:s=S02', /^the link contains ":" at position 9; /],
    ['a bad compare pair', 'v=1&k=rfc&s=S02&cmp=1&pair=v6.18_x', `pair "v6.18_x" is not two kernel profiles joined by _ (each one of ${PROFILE_IDS.join(', ')})`],
    ['a compare pair of three', 'v=1&k=rfc&s=S02&pair=v6.18_rfc_7.3', /^pair "v6.18_rfc_7.3" is not two kernel profiles/],
    ['a broken %-escape', 'v=1&k=rfc&s=S02%', /%-escape/],
    ['a part that is not key=value', 'v=1&k=rfc&s=S02&step', /"step" is not key=value/],
    ['a key given twice', 'v=1&k=rfc&s=S02&step=1&step=2', /"step" twice/],
    ['a missing version', 'k=rfc&s=S02', /no version/],
    ['a version that is not a number', 'v=one&k=rfc&s=S02', /link version "one" is not a number/],
    ['a version from the future', 'v=2&k=rfc&s=S02', /^made by a newer swapviz: link version 2, this one reads up to 1$/],
    ['version 0', 'v=0&k=rfc&s=S02', /link version 0 does not exist/],
    ['a missing profile', 'v=1&s=S02', /no kernel profile/],
    ['an unknown profile', 'v=1&k=v9.9&s=S02', /unknown kernel profile "v9.9" \(this swapviz knows v6.18, rfc, 7.3, series, no-new-types, 7.3-pre-fix, series-pre-fix\)/],
    ['an unknown built-in scenario', 'v=1&k=rfc&s=S99', /unknown built-in scenario "S99"/],
    ['no scenario at all', 'v=1&k=rfc', /names no scenario/],
    ['both s= and z=', `${blob}&s=S02`, /both a built-in scenario/],
    ['a negative step', 'v=1&k=rfc&s=S02&step=-1', /step "-1" is not a non-negative integer/],
    ['a fractional step', 'v=1&k=rfc&s=S02&step=1.5', /step "1.5" is not a non-negative integer/],
    ['an empty step', 'v=1&k=rfc&s=S02&step=', /step "" is not a non-negative integer/],
    ['an absurd step', 'v=1&k=rfc&s=S02&step=999999', /past the end of any scenario/],
    ['a bad selection', 'v=1&k=rfc&s=S02&sel=0.1', /sel "0.1" is not a PTE/],
    ['a bad config', 'v=1&k=rfc&s=S02&cfg=yes', /cfg "yes" is not three y\/n letters/],
    ['an unknown arch', 'v=1&k=rfc&s=S02&arch=riscv', /unknown arch "riscv"/],
    ['a bad paging level', 'v=1&k=rfc&s=S02&pg=3', /pg "3" is not 4 or 5/],
    ['a bad A/D flag', 'v=1&k=rfc&s=S02&ad=yes', /ad "yes" is not 0 or 1/],
    ['an unknown panel', 'v=1&k=rfc&s=S02&panel=bits', /unknown panel "bits"/],
    ['a blob that is not base64url', 'v=1&k=rfc&z=abc.def', /scenario data \(z=\) is not base64url: character "\." at position 3/],
    ['a truncated blob', blob.slice(0, -12), /scenario data \(z=\) is truncated or corrupted/],
    ['a blob with a character missing', blob.slice(0, -1), /not a whole number of bytes|truncated or corrupted/],
    ['a blob with a corrupted checksum', blob.slice(0, -1) + (blob.endsWith('A') ? 'B' : 'A'), /checksum does not match|truncated or corrupted/],
    ['a blob too short to be compressed data', 'v=1&k=rfc&z=eNo', /truncated: 2 bytes/],
    ['a blob with a wrong header', 'v=1&k=rfc&z=AAAAAAAAAAAAAAAA', /zlib header/],
  ])('%s', (_name, link, want) => {
    expect(errorOf(link)).toMatch(want);
  });

  it('a zip bomb in z= stops at the inflated-size cap', () => {
    const bomb = toBase64url(zlibSync(new Uint8Array(MAX_INFLATED_BYTES * 4).fill(91), { level: 9 }));
    expect(errorOf(`v=1&k=rfc&z=${bomb}`)).toMatch(/^the scenario data \(z=\) inflates to more than 4,194,304 bytes/);
  });

  it('scenario data nested a hundred thousand deep is refused with a reason', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const z = toBase64url(zlibSync(strToU8(`{"i":"x","t":"t","e":[${deep}]}`), { level: 9 }));
    expect(errorOf(`v=1&k=rfc&z=${z}`)).toMatch(/scenario.events\[0\] has an unknown event code \(a list\)/);
  });

  it('scenario data that breaks a scenario rule is refused with the field\'s path', () => {
    const z = toBase64url(zlibSync(strToU8('{"i":"x","t":"t","e":[[5,65]]}')));
    expect(errorOf(`v=1&k=rfc&z=${z}`)).toBe('the scenario in the link is invalid: scenario.events[0].pid: must be a process id 1..64');
    const z2 = toBase64url(zlibSync(strToU8('{"i":"x","t":"t","e":[],"why":1}')));
    expect(errorOf(`v=1&k=rfc&z=${z2}`)).toBe('the scenario in the link is invalid: the scenario data has an unknown field "why"');
  });

  it('a future version is refused before anything else is read', () => {
    expect(errorOf('v=7&k=rfc9&s=nothing&step=-4&z=!!!')).toBe('made by a newer swapviz: link version 7, this one reads up to 1');
  });

  it('unknown parts are tolerated and reported as warnings', () => {
    const r = decodeLink('v=1&k=rfc&s=S02&step=4&theme=dark');
    expect(r.ok && r.warnings).toEqual(['ignored the part "theme=…": version 1 links have no such part']);
  });

  it('a step past the end decodes with a warning (checkLinkReplays reports it as an error)', () => {
    const r = decodeLink('v=1&k=rfc&s=S02&step=40');
    expect(r.ok && r.warnings).toEqual([`step 40 is past the end: the scenario has ${S02.events.length} events`]);
  });

  it('decodeLink never throws, even for input that is not a string', () => {
    for (const x of [undefined, null, 42, {}, [], Symbol('x')]) {
      const r = decodeLink(x as unknown as string);
      expect(r.ok).toBe(false);
    }
  });
});

describe('lesson links (lesson=, stop=)', () => {
  const at = (link: string) => {
    const r = decodeLink(link);
    if (!r.ok) throw new Error(r.error);
    return r;
  };

  it('a lesson and a stop round-trip, written after the view as lesson=<id>&stop=<n> (n counts from 1)', () => {
    const s: LinkState = { scenario: S02, options: options('v6.18'), cursor: 3, lesson: { id: 'device', stop: 2 } };
    expect(encodeLink(s)).toBe('v=1&k=v6.18&s=S02&step=3&lesson=device&stop=3');
    expect(roundTrip(s)).toEqual(s);
  });

  it('lesson= without stop= opens the first stop', () => {
    expect(at('v=1&k=rfc&s=S02&lesson=device').state.lesson).toEqual({ id: 'device', stop: 0 });
  });

  it('a lesson this swapviz does not have, or a stop past its end, opens the position with a warning', () => {
    const r = at('v=1&k=rfc&s=S02&step=1&lesson=not-a-lesson&stop=2');
    expect(r.state.lesson).toBeUndefined();
    expect(r.state.cursor).toBe(1);
    expect(r.warnings).toEqual(['this swapviz has no lesson "not-a-lesson": the link\'s position opened without it']);
    const past = at('v=1&k=rfc&s=S02&lesson=device&stop=40');
    expect(past.state.lesson?.stop).toBeLessThan(40);
    expect(past.warnings[0]).toMatch(/^lesson "device" has \d+ stops, not 40: opened its last stop$/);
  });

  it.each([
    ['a stop without a lesson', 'v=1&k=rfc&s=S02&stop=2', /stop= needs a lesson=/],
    ['a lesson id with capitals', 'v=1&k=rfc&s=S02&lesson=Device', /lesson "Device" is not a lesson id/],
    ['stop 0', 'v=1&k=rfc&s=S02&lesson=device&stop=0', /stop "0" is not a stop number 1\.\.40/],
    ['a stop that is not a number', 'v=1&k=rfc&s=S02&lesson=device&stop=two', /stop "two" is not a stop number/],
  ])('%s is an error', (_name, link, want) => {
    const r = decodeLink(link);
    expect(r.ok ? 'decoded' : r.error).toMatch(want);
  });

  it('encodeLink throws on a lesson no link can carry', () => {
    expect(() => encodeLink({ scenario: S02, options: options('rfc'), cursor: 0, lesson: { id: 'Bad id', stop: 0 } })).toThrow(TypeError);
    expect(() => encodeLink({ scenario: S02, options: options('rfc'), cursor: 0, lesson: { id: 'device', stop: -1 } })).toThrow(RangeError);
  });
});
