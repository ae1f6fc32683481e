/**
 * Validating a scenario that comes from outside (a JSON file, a share link): every field checked,
 * the first problem named with its path, nothing of the input kept by reference.
 */
import { MAX_INDEX, validateEvent, type Event } from '../machine/events.ts';
import { MAX_PTES } from '../machine/init.ts';
import type { MachineSetup, Vma } from '../machine/types.ts';
import { isProfileId } from '../kernel/profiles.ts';
import type { Checkpoint, Expectation, Scenario } from './types.ts';

export const MAX_EVENTS = 20_000;
const MAX_TEXT = 2_000;

export type ScenarioResult = { ok: true; scenario: Scenario } | { ok: false; error: string };

class Bad extends Error {}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function str(o: Record<string, unknown>, key: string, path: string, opts: { optional?: boolean; max?: number } = {}): string | undefined {
  const v = o[key];
  if (v === undefined && opts.optional) return undefined;
  if (typeof v !== 'string') throw new Bad(`${path}.${key} must be a string`);
  if (v.length > (opts.max ?? MAX_TEXT)) throw new Bad(`${path}.${key} is longer than ${opts.max ?? MAX_TEXT} characters`);
  return v;
}

function int(o: Record<string, unknown>, key: string, path: string, min: number, max: number, optional = false): number | undefined {
  const v = o[key];
  if (v === undefined && optional) return undefined;
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) throw new Bad(`${path}.${key} must be an integer ${min}..${max}`);
  return v as number;
}

function hexStr(o: Record<string, unknown>, key: string, path: string, optional = true): string | undefined {
  const v = str(o, key, path, { optional, max: 20 });
  if (v !== undefined && !/^(0x)?[0-9a-fA-F]{1,13}$/.test(v)) throw new Bad(`${path}.${key} must be a hex number such as "0x1234"`);
  return v;
}

function only(o: Record<string, unknown>, keys: string[], path: string): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new Bad(`${path} has an unknown field "${k.slice(0, 40)}"`);
}

function setupOf(x: unknown, path: string): MachineSetup {
  if (!isObj(x)) throw new Bad(`${path} must be an object`);
  only(x, ['ptes', 'vaBase', 'processes', 'ram', 'zeroPfn', 'devices', 'swapFirstSlot', 'hugeRam', 'hugeZeroPfn'], path);
  const out: { -readonly [K in keyof MachineSetup]: MachineSetup[K] } = {};
  const ptes = int(x, 'ptes', path, 1, MAX_PTES, true);
  if (ptes !== undefined) out.ptes = ptes;
  const va = hexStr(x, 'vaBase', path);
  if (va !== undefined) out.vaBase = va;
  const z = hexStr(x, 'zeroPfn', path);
  if (z !== undefined) out.zeroPfn = z;
  const sw = hexStr(x, 'swapFirstSlot', path);
  if (sw !== undefined) out.swapFirstSlot = sw;
  const hz = hexStr(x, 'hugeZeroPfn', path);
  if (hz !== undefined) out.hugeZeroPfn = hz;
  if (x.hugeRam !== undefined) {
    if (!Array.isArray(x.hugeRam) || x.hugeRam.length > 64) throw new Bad(`${path}.hugeRam must be a list of at most 64 hex head PFNs`);
    out.hugeRam = x.hugeRam.map((r, i) => {
      if (typeof r !== 'string' || !/^(0x)?[0-9a-fA-F]{1,13}$/.test(r)) throw new Bad(`${path}.hugeRam[${i}] must be a hex PFN`);
      return r;
    });
  }
  if (x.ram !== undefined) {
    if (!Array.isArray(x.ram) || x.ram.length > 4096) throw new Bad(`${path}.ram must be a list of at most 4096 hex PFNs`);
    out.ram = x.ram.map((r, i) => {
      if (typeof r !== 'string' || !/^(0x)?[0-9a-fA-F]{1,13}$/.test(r)) throw new Bad(`${path}.ram[${i}] must be a hex PFN`);
      return r;
    });
  }
  if (x.devices !== undefined) {
    if (!Array.isArray(x.devices) || x.devices.length > 8) throw new Bad(`${path}.devices must be a list of at most 8 devices`);
    out.devices = x.devices.map((d, i) => {
      const p = `${path}.devices[${i}]`;
      if (!isObj(d)) throw new Bad(`${p} must be an object`);
      only(d, ['first', 'physFirst', 'pages', 'stride'], p);
      const first = hexStr(d, 'first', p, false)!;
      const physFirst = hexStr(d, 'physFirst', p);
      const pages = int(d, 'pages', p, 1, 65536)!;
      const stride = int(d, 'stride', p, 1, 512, true);
      return { first, ...(physFirst !== undefined ? { physFirst } : {}), pages, ...(stride !== undefined ? { stride } : {}) };
    });
  }
  if (x.processes !== undefined) {
    if (!Array.isArray(x.processes) || x.processes.length < 1 || x.processes.length > 16) throw new Bad(`${path}.processes must be a list of 1..16 processes`);
    out.processes = x.processes.map((p0, i) => {
      const p = `${path}.processes[${i}]`;
      if (!isObj(p0)) throw new Bad(`${p} must be an object`);
      only(p0, ['pid', 'name', 'vmas'], p);
      const pid = int(p0, 'pid', p, 1, 64)!;
      const name = str(p0, 'name', p, { max: 40 })!;
      if (!Array.isArray(p0.vmas) || p0.vmas.length > 64) throw new Bad(`${p}.vmas must be a list of at most 64 VMAs`);
      const vmas = p0.vmas.map((v, j) => vmaOf(v, `${p}.vmas[${j}]`));
      return { pid, name, vmas };
    });
  }
  return out;
}

function vmaOf(v: unknown, p: string): Partial<Vma> {
  if (!isObj(v)) throw new Bad(`${p} must be an object`);
  only(v, ['start', 'pages', 'prot', 'shared', 'anon', 'thp'], p);
  const out: { -readonly [K in keyof Vma]?: Vma[K] } = { start: int(v, 'start', p, 0, MAX_PTES)!, pages: int(v, 'pages', p, 1, MAX_PTES)! };
  if (v.prot !== undefined) {
    if (v.prot !== 'none' && v.prot !== 'read' && v.prot !== 'rw') throw new Bad(`${p}.prot must be none, read or rw`);
    out.prot = v.prot;
  }
  for (const k of ['shared', 'anon', 'thp'] as const) {
    if (v[k] !== undefined) {
      if (typeof v[k] !== 'boolean') throw new Bad(`${p}.${k} must be true or false`);
      out[k] = v[k];
    }
  }
  return out;
}

function ref(x: unknown, path: string): { pid: number; index: number } {
  if (!isObj(x)) throw new Bad(`${path} must be an object`);
  only(x, ['pid', 'index'], path);
  return { pid: int(x, 'pid', path, 1, 64)!, index: int(x, 'index', path, 0, MAX_INDEX - 1)! };
}

function checkpointsOf(x: unknown, path: string, nEvents: number): Checkpoint[] {
  if (!Array.isArray(x) || x.length > 256) throw new Bad(`${path} must be a list of at most 256 checkpoints`);
  return x.map((c, i) => {
    const p = `${path}[${i}]`;
    if (!isObj(c)) throw new Bad(`${p} must be an object`);
    only(c, ['step', 'after', 'pid', 'index', 'mid', 'level'], p);
    const mid = str(c, 'mid', p, { optional: true, max: 80 });
    if (c.level !== undefined && c.level !== 'pmd') throw new Bad(`${p}.level must be "pmd" when given`);
    return {
      step: int(c, 'step', p, 0, 1000)!,
      after: int(c, 'after', p, -1, nEvents - 1)!,
      pid: int(c, 'pid', p, 1, 64)!,
      index: int(c, 'index', p, 0, MAX_INDEX - 1)!,
      ...(mid !== undefined ? { mid } : {}),
      ...(c.level !== undefined ? { level: 'pmd' as const } : {}),
    };
  });
}

function expectOf(x: unknown, path: string, nEvents: number): Record<number, Expectation> {
  if (!isObj(x)) throw new Bad(`${path} must be an object`);
  const out: Record<number, Expectation> = {};
  for (const [k, v] of Object.entries(x)) {
    const i = Number(k);
    if (!Number.isInteger(i) || i < 0 || i >= nEvents) throw new Bad(`${path} has a key "${k.slice(0, 20)}" that is not an event index`);
    const p = `${path}.${k}`;
    if (!isObj(v)) throw new Bad(`${p} must be an object`);
    only(v, ['ret', 'cpages', 'signal', 'data', 'base', 'prot', 'protEvery', 'pagemap'], p);
    const e: { -readonly [K in keyof Expectation]: Expectation[K] } = {};
    if (v.ret !== undefined) e.ret = str(v, 'ret', p, { max: 16 });
    if (v.cpages !== undefined) e.cpages = int(v, 'cpages', p, 0, MAX_INDEX);
    if (v.signal !== undefined) {
      if (v.signal !== 'SIGBUS' && v.signal !== 'SIGSEGV') throw new Bad(`${p}.signal must be SIGBUS or SIGSEGV`);
      e.signal = v.signal;
    }
    if (v.data !== undefined) {
      if (!['index', 'neg-index', 'zero', 'index+1'].includes(v.data as string)) throw new Bad(`${p}.data must be index, neg-index, zero or index+1`);
      e.data = v.data as Expectation['data'];
    }
    if (v.prot !== undefined) {
      if (!Array.isArray(v.prot) || v.prot.length > 4096 || !v.prot.every((s) => typeof s === 'string' && s.length < 40)) throw new Bad(`${p}.prot must be a list of strings`);
      e.prot = v.prot as string[];
    }
    if (v.base !== undefined) e.base = int(v, 'base', p, 0, MAX_INDEX);
    if (v.protEvery !== undefined) e.protEvery = str(v, 'protEvery', p, { max: 40 });
    if (v.pagemap !== undefined) {
      if (v.pagemap !== 'swap' && v.pagemap !== 'present' && v.pagemap !== 'none') throw new Bad(`${p}.pagemap must be swap, present or none`);
      e.pagemap = v.pagemap;
    }
    out[i] = e;
  }
  return out;
}

/** Validates an untrusted scenario object (schema 1). */
export function validateScenario(x: unknown, path = 'scenario'): ScenarioResult {
  try {
    if (!isObj(x)) throw new Bad(`${path} must be a JSON object`);
    if (x.schema !== 1) throw new Bad(`${path}.schema must be 1 (this swapviz reads scenario schema 1${typeof x.schema === 'number' && x.schema > 1 ? `; this file is schema ${x.schema}, from a newer swapviz` : ''})`);
    only(x, ['schema', 'id', 'title', 'description', 'source', 'setup', 'migrationAd', 'paging', 'profile', 'events', 'focus', 'checkpoints', 'expect'], path);
    if (!Array.isArray(x.events)) throw new Bad(`${path}.events must be a list of events`);
    if (x.events.length > MAX_EVENTS) throw new Bad(`${path}.events has ${x.events.length} events; at most ${MAX_EVENTS}`);
    const events: Event[] = x.events.map((e, i) => {
      const r = validateEvent(e, `${path}.events[${i}]`);
      if (!r.ok) throw new Bad(r.error);
      return r.event;
    });
    if (x.migrationAd !== undefined && typeof x.migrationAd !== 'boolean') throw new Bad(`${path}.migrationAd must be true or false`);
    if (x.paging !== undefined && x.paging !== 4 && x.paging !== 5) throw new Bad(`${path}.paging must be 4 or 5`);
    if (x.profile !== undefined && (typeof x.profile !== 'string' || !isProfileId(x.profile))) throw new Bad(`${path}.profile is not a known kernel profile`);
    const scenario: Scenario = {
      schema: 1,
      id: str(x, 'id', path, { max: 64 })!,
      title: str(x, 'title', path, { max: 200 })!,
      description: str(x, 'description', path, { optional: true }) ?? '',
      source: str(x, 'source', path, { optional: true, max: 300 }) ?? 'user scenario',
      setup: setupOf(x.setup ?? {}, `${path}.setup`),
      events,
      focus: x.focus === undefined ? { pid: 1, index: 0 } : ref(x.focus, `${path}.focus`),
      ...(x.migrationAd !== undefined ? { migrationAd: x.migrationAd as boolean } : {}),
      ...(x.paging !== undefined ? { paging: x.paging as 4 | 5 } : {}),
      ...(x.profile !== undefined ? { profile: x.profile as Scenario['profile'] } : {}),
      ...(x.checkpoints !== undefined ? { checkpoints: checkpointsOf(x.checkpoints, `${path}.checkpoints`, events.length) } : {}),
      ...(x.expect !== undefined ? { expect: expectOf(x.expect, `${path}.expect`, events.length) } : {}),
    };
    return { ok: true, scenario };
  } catch (e) {
    if (e instanceof Bad) return { ok: false, error: e.message };
    throw e;
  }
}

/** Parses and validates scenario JSON text. */
export function parseScenarioJson(text: string, path = 'scenario'): ScenarioResult {
  if (text.length > 4_000_000) return { ok: false, error: `${path} is larger than 4 MB` };
  let x: unknown;
  try {
    x = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `${path} is not valid JSON: ${(e as Error).message.slice(0, 120)}` };
  }
  return validateScenario(x, path);
}
