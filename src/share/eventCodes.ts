/**
 * Link v1's compact event encoding: an event is the array `[code, ...fields]`, with the fields in
 * the order written below (EVENT_FIELDS' order when this table was written).
 *
 * This table is a public contract: every link ever shared uses it. It is written out, never derived
 * from EVENT_FIELDS (whose key order nobody promises to keep). Rules:
 *   - never renumber or reuse a code; a new event type gets the next free code, at the end;
 *   - never reorder an event's fields or enum values; a new optional field goes at the end;
 *   - anything else (a renamed type or field, a removed value) needs a new link version.
 * share/eventCodes.test.ts checks the table against EVENT_FIELDS, so a model change that this
 * table does not follow fails the tests instead of producing links that mean something else.
 *
 * Field encodings: integers as JSON numbers, booleans as 0/1, enums as the value's index in the
 * list below, an absent optional field as null (trailing absent fields are left out).
 */
import type { Event, EventType } from '../model/machine/events.ts';

export type FieldCodec =
  | { readonly name: string; readonly kind: 'int' }
  | { readonly name: string; readonly kind: 'bool' }
  | { readonly name: string; readonly kind: 'enum'; readonly values: readonly string[] };

const int = (name: string): FieldCodec => ({ name, kind: 'int' });
const bool = (name: string): FieldCodec => ({ name, kind: 'bool' });
const oneOf = (name: string, ...values: string[]): FieldCodec => ({ name, kind: 'enum', values });

const RANGE = [int('pid'), int('start'), int('pages')];
const ONE = [int('pid'), int('index')];
const PROT = oneOf('prot', 'none', 'read', 'rw');

/**
 * Event type -> [link code, fields in link order]. Codes 0..31 as of link v1; 32..35 added with the
 * PMD level (madvise, mremap, hmm_flags, pagemap_read), and migrate_vma_setup's optional `compound`
 * field appended at the end of its fields.
 */
export const EVENT_CODES_V1: Readonly<Record<EventType, readonly [number, readonly FieldCodec[]]>> = {
  cpu_fault: [0, [...ONE, oneOf('access', 'read', 'write')]],
  cpu_access: [1, [...RANGE, oneOf('access', 'read', 'write', 'rmw'), int('value')]],
  mmap: [2, [...RANGE, PROT, bool('shared'), bool('file')]],
  munmap: [3, RANGE],
  mprotect: [4, [...RANGE, PROT]],
  fork: [5, [int('pid')]],
  exit: [6, [int('pid')]],
  uffd_wp: [7, [...RANGE, bool('enable'), bool('unpopulated')]],
  uffdio_poison: [8, ONE],
  madvise_guard_install: [9, RANGE],
  folio_get: [10, [...ONE, bool('write')]],
  folio_put: [11, ONE],
  pin_user_pages: [12, [...ONE, bool('write')]],
  migrate_vma_setup: [13, [...RANGE, oneOf('select', 'system', 'device_private'), int('device'), bool('compound')]],
  migrate_vma_pages: [14, [bool('failAlloc')]],
  migrate_vma_finalize: [15, []],
  migrate_device_range: [16, [int('device')]],
  migrate_device_pages: [17, []],
  migrate_device_finalize: [18, []],
  migrate_folio_unmap: [19, ONE],
  migrate_folio_move: [20, []],
  make_device_exclusive: [21, [...RANGE, int('device')]],
  memory_failure: [22, ONE],
  swap_out: [23, RANGE],
  hmm_migrate_to_dev: [24, [...RANGE, int('device')]],
  hmm_migrate_to_sys: [25, [...RANGE, int('device')]],
  hmm_release: [26, [int('device')]],
  hmm_exclusive: [27, [...RANGE, int('device')]],
  hmm_check_exclusive: [28, [int('device')]],
  hmm_write: [29, [...RANGE, int('device'), int('value')]],
  hmm_read: [30, [...RANGE, int('device')]],
  hmm_snapshot: [31, [...RANGE, int('device')]],
  madvise: [32, [...RANGE, oneOf('advice', 'hugepage', 'nohugepage', 'collapse', 'free')]],
  mremap: [33, [...RANGE, int('to'), bool('dontunmap')]],
  hmm_flags: [34, [int('device'), bool('failAlloc')]],
  pagemap_read: [35, RANGE],
};

const BY_CODE: ReadonlyMap<number, readonly [EventType, readonly FieldCodec[]]> = new Map(
  (Object.entries(EVENT_CODES_V1) as [EventType, readonly [number, readonly FieldCodec[]]][]).map(([type, [code, fields]]) => [code, [type, fields]]),
);

export type CompactEvent = readonly (number | null)[];

/** An event (already valid) -> `[code, ...fields]`. Throws on an event type the table lacks. */
export function compactEvent(e: Event): CompactEvent {
  const row = (EVENT_CODES_V1 as Readonly<Record<string, readonly [number, readonly FieldCodec[]]>>)[e.type];
  if (!row) throw new TypeError(`event type ${JSON.stringify(e.type)} has no link code`);
  const [code, fields] = row;
  const o = e as unknown as Readonly<Record<string, unknown>>;
  const out: (number | null)[] = [code];
  for (const f of fields) {
    const v = o[f.name];
    if (v === undefined) out.push(null);
    else if (f.kind === 'bool') out.push(v ? 1 : 0);
    else if (f.kind === 'enum') {
      const i = f.values.indexOf(v as string);
      if (i < 0) throw new TypeError(`${e.type}.${f.name} ${JSON.stringify(v)} has no link code`);
      out.push(i);
    }
    else out.push(v as number);
  }
  while (out.length > 1 && out[out.length - 1] === null) out.pop();
  return out;
}

export type ExpandResult = { ok: true; event: Record<string, unknown> } | { ok: false; error: string };

/**
 * `[code, ...fields]` from a link -> an event-shaped object, to be checked by validateEvent.
 * Checks what the compact form itself can get wrong (the code, the arity, each value's JSON type,
 * enum and boolean codes); the ranges are validateEvent's job.
 */
export function expandEvent(x: unknown, where: string): ExpandResult {
  if (!Array.isArray(x) || x.length === 0) return { ok: false, error: `${where} is not an event ([code, ...fields])` };
  const code = x[0] as unknown;
  const row = typeof code === 'number' ? BY_CODE.get(code) : undefined;
  if (!row) return { ok: false, error: `${where} has an unknown event code ${shortly(code)} (this swapviz knows 0..${BY_CODE.size - 1})` };
  const [type, fields] = row;
  if (x.length - 1 > fields.length) return { ok: false, error: `${where} (${type}) has ${x.length - 1} fields; at most ${fields.length}` };
  const out: Record<string, unknown> = { type };
  for (let i = 0; i < fields.length && i + 1 < x.length; i++) {
    const f = fields[i]!;
    const v = x[i + 1] as unknown;
    if (v === null) continue;
    const at = `${where}.${f.name} (${type})`;
    if (typeof v !== 'number' || !Number.isInteger(v)) return { ok: false, error: `${at} must be an integer code` };
    if (f.kind === 'bool') {
      if (v !== 0 && v !== 1) return { ok: false, error: `${at} must be 0 or 1` };
      out[f.name] = v === 1;
    } else if (f.kind === 'enum') {
      const s = f.values[v];
      if (s === undefined || v < 0) return { ok: false, error: `${at} must be a value code 0..${f.values.length - 1} (${f.values.join(', ')})` };
      out[f.name] = s;
    } else {
      out[f.name] = v;
    }
  }
  return { ok: true, event: out };
}

/** A value for an error message, without serialising it (it may be nested a million deep). */
function shortly(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 20 ? `${v.slice(0, 17)}...` : v);
  if (v === null) return 'null';
  return Array.isArray(v) ? '(a list)' : `(${typeof v})`;
}
