/**
 * Golden links: links made by link format v1 when it shipped, and what each means. They are a
 * public contract: if a change makes any of them decode differently, that change breaks links
 * people have shared. Never edit an entry of test/fixtures/golden-links.json; add new ones.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../model/machine/events.ts';
import { decodeLink, encodeLink } from './index.ts';

interface Golden {
  name: string;
  about: string;
  link: string;
  expect: Record<string, unknown> & { builtin: boolean; events?: unknown[] };
}

const fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/golden-links.json', import.meta.url), 'utf8')) as { linkVersion: number; links: Golden[] };

/** JSON with sorted keys (and undefined-valued keys left out), so a hash does not depend on key order. */
function canonical(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonical).join(',')}]`;
  if (x && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(x);
}
const sha256 = (x: unknown) => createHash('sha256').update(canonical(x)).digest('hex');

describe('golden links (test/fixtures/golden-links.json)', () => {
  it('the fixture holds the ten links of link v1, then the lesson links added to v1 (lesson=, stop=), then the PMD-level ones', () => {
    expect(fixture.linkVersion).toBe(1);
    expect(fixture.links.map((g) => g.name)).toEqual([
      's02-step4-rfc', 's16-no-migration-ad', 'x01-no-new-types', 's24-5-level-paging', 's26-view-selection-config',
      'hmm-builtin-7.3', 'custom-s02-plus-fork', 'custom-5-level-arm64', 'custom-every-event-type', 'generated-200-events',
      'lesson-device-stop-3', 'lesson-two-spaces-x01',
      't06-builtin-series', 'x02-pre-fix', 'custom-pmd-events',
    ]);
    expect(fixture.links[0]!.link).toBe('v=1&k=rfc&s=S02&step=4');
  });

  for (const g of fixture.links) {
    it(`${g.name} (${g.about}) still decodes to the same state`, () => {
      const r = decodeLink(g.link);
      if (!r.ok) throw new Error(`${g.name}: ${r.error}`);
      const s = r.state;
      const got: Record<string, unknown> = {
        scenarioId: s.scenario.id,
        builtin: !g.link.includes('&z='),
        eventCount: s.scenario.events.length,
        eventsSha256: sha256(s.scenario.events),
        ...(g.expect.builtin ? {} : { scenarioSha256: sha256(s.scenario) }),
        profile: s.options.profile,
        config: s.options.config,
        platform: s.options.platform,
        cursor: s.cursor,
        selection: s.selection ?? null,
        view: s.view ?? null,
        warnings: r.warnings,
        ...(s.lesson ? { lesson: s.lesson } : {}),
        ...(g.expect.events ? { events: s.scenario.events } : {}),
      };
      expect(got).toEqual(g.expect);
    });
  }

  it('re-encoding a golden link gives a link that means the same; readable-only links come back character for character', () => {
    for (const g of fixture.links) {
      const r = decodeLink(g.link);
      if (!r.ok) throw new Error(r.error);
      const again = encodeLink(r.state);
      expect(decodeLink(again)).toEqual(r);
      if (g.expect.builtin) expect(again).toBe(g.link);
    }
  });

  it('between them, the golden links use every event code', () => {
    const seen = new Set<string>();
    for (const g of fixture.links) {
      const r = decodeLink(g.link);
      if (r.ok) for (const e of r.state.scenario.events) seen.add(e.type);
    }
    expect([...EVENT_TYPES].filter((t) => !seen.has(t))).toEqual([]);
  });
});
