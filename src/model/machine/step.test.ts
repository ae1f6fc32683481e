/**
 * step() itself: a refusal (Refuse) is the one way an event "cannot happen now"; anything else thrown
 * inside a handler is a model bug and must surface, not be disguised as a refusal (the property tests
 * and the link check count refusals as normal).
 */
import { expect, it } from 'vitest';
import { M } from '../../../test/machine.ts';
import type { Event } from './events.ts';
import { step } from './step.ts';

it('an error that is not a refusal is rethrown, not returned as a reason', () => {
  const s = new M().state;
  expect(() => step(s, { type: 'no_such_event', pid: 1 } as unknown as Event)).toThrow(TypeError);
  expect(step(s, { type: 'fork', pid: 9 })).toEqual({ ok: false, reason: 'there is no process 9' });
});
