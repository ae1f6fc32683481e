/**
 * Events: what happens to the machine, one kernel entry point (or one driver call) each. Plain JSON
 * objects, validated field by field when they come from a file or a link.
 */
import type { Prot } from '../kernel/arch/x86_pgtable.ts';

type Range = { pid: number; start: number; pages: number };
type One = { pid: number; index: number };

export type Event =
  /** A CPU access that faults on one PTE, handled one kernel step at a time (see handle_mm_fault). */
  | ({ type: 'cpu_fault'; access: 'read' | 'write' } & One)
  /** User code touching a range: every fault runs to completion. `rmw` reads, checks and increments. */
  | ({ type: 'cpu_access'; access: 'read' | 'write' | 'rmw'; value?: number } & Range)
  | ({ type: 'mmap'; prot: Prot; shared?: boolean; file?: boolean } & Range)
  | ({ type: 'munmap' } & Range)
  | ({ type: 'mprotect'; prot: Prot } & Range)
  | { type: 'fork'; pid: number }
  | { type: 'exit'; pid: number }
  /** UFFDIO_WRITEPROTECT (registering the range for uffd-wp first if needed). */
  | ({ type: 'uffd_wp'; enable: boolean; unpopulated?: boolean } & Range)
  | ({ type: 'uffdio_poison' } & One)
  | ({ type: 'madvise_guard_install' } & Range)
  /** An extra reference on the mapped page (get_user_pages with FOLL_GET), or dropping it. */
  | ({ type: 'folio_get'; write?: boolean } & One)
  | ({ type: 'folio_put' } & One)
  /** A FOLL_PIN pin (pin_user_pages), which makes folio_maybe_dma_pinned() true. */
  | ({ type: 'pin_user_pages'; write?: boolean } & One)
  /** `compound`: MIGRATE_VMA_SELECT_COMPOUND (6.19+): a whole aligned 2 MiB moves as one folio. */
  | ({ type: 'migrate_vma_setup'; select: 'system' | 'device_private'; device: number; compound?: boolean } & Range)
  | { type: 'migrate_vma_pages'; failAlloc?: boolean }
  | { type: 'migrate_vma_finalize' }
  | { type: 'migrate_device_range'; device: number }
  | { type: 'migrate_device_pages' }
  | { type: 'migrate_device_finalize' }
  | ({ type: 'migrate_folio_unmap' } & One)
  | { type: 'migrate_folio_move' }
  | ({ type: 'make_device_exclusive'; device: number } & Range)
  | ({ type: 'memory_failure' } & One)
  | ({ type: 'swap_out' } & Range)
  | ({ type: 'hmm_migrate_to_dev'; device: number } & Range)
  | ({ type: 'hmm_migrate_to_sys'; device: number } & Range)
  | { type: 'hmm_release'; device: number }
  | ({ type: 'hmm_exclusive'; device: number } & Range)
  | { type: 'hmm_check_exclusive'; device: number }
  | ({ type: 'hmm_write'; device: number; value?: number } & Range)
  | ({ type: 'hmm_read'; device: number } & Range)
  /** HMM_DMIRROR_SNAPSHOT: hmm_range_fault without faulting; what the device may do with each page. */
  | ({ type: 'hmm_snapshot'; device: number } & Range)
  /** madvise(): MADV_HUGEPAGE / MADV_NOHUGEPAGE (VM_HUGEPAGE), MADV_COLLAPSE, MADV_FREE. */
  | ({ type: 'madvise'; advice: 'hugepage' | 'nohugepage' | 'collapse' | 'free' } & Range)
  /** mremap(MREMAP_MAYMOVE | MREMAP_FIXED [| MREMAP_DONTUNMAP]) of [start, start+pages) to PTE `to`. */
  | ({ type: 'mremap'; to: number; dontunmap?: boolean } & Range)
  /** HMM_DMIRROR_FLAGS: HMM_DMIRROR_FLAG_FAIL_ALLOC makes the next 2 MiB allocation fail once. */
  | { type: 'hmm_flags'; device: number; failAlloc: boolean }
  /** Reading /proc/PID/pagemap for the range (the records go to the result). */
  | ({ type: 'pagemap_read' } & Range);

export type EventType = Event['type'];

type FieldKind = 'pid' | 'index' | 'count' | 'device' | 'bool' | 'int' | { oneOf: readonly string[] };

/** The fields of each event type: name -> kind, `?` suffix = optional. */
export const EVENT_FIELDS: Readonly<Record<EventType, Readonly<Record<string, FieldKind>>>> = {
  cpu_fault: { pid: 'pid', index: 'index', access: { oneOf: ['read', 'write'] } },
  cpu_access: { pid: 'pid', start: 'index', pages: 'count', access: { oneOf: ['read', 'write', 'rmw'] }, 'value?': 'int' },
  mmap: { pid: 'pid', start: 'index', pages: 'count', prot: { oneOf: ['none', 'read', 'rw'] }, 'shared?': 'bool', 'file?': 'bool' },
  munmap: { pid: 'pid', start: 'index', pages: 'count' },
  mprotect: { pid: 'pid', start: 'index', pages: 'count', prot: { oneOf: ['none', 'read', 'rw'] } },
  fork: { pid: 'pid' },
  exit: { pid: 'pid' },
  uffd_wp: { pid: 'pid', start: 'index', pages: 'count', enable: 'bool', 'unpopulated?': 'bool' },
  uffdio_poison: { pid: 'pid', index: 'index' },
  madvise_guard_install: { pid: 'pid', start: 'index', pages: 'count' },
  folio_get: { pid: 'pid', index: 'index', 'write?': 'bool' },
  folio_put: { pid: 'pid', index: 'index' },
  pin_user_pages: { pid: 'pid', index: 'index', 'write?': 'bool' },
  migrate_vma_setup: { pid: 'pid', start: 'index', pages: 'count', select: { oneOf: ['system', 'device_private'] }, device: 'device', 'compound?': 'bool' },
  migrate_vma_pages: { 'failAlloc?': 'bool' },
  migrate_vma_finalize: {},
  migrate_device_range: { device: 'device' },
  migrate_device_pages: {},
  migrate_device_finalize: {},
  migrate_folio_unmap: { pid: 'pid', index: 'index' },
  migrate_folio_move: {},
  make_device_exclusive: { pid: 'pid', start: 'index', pages: 'count', device: 'device' },
  memory_failure: { pid: 'pid', index: 'index' },
  swap_out: { pid: 'pid', start: 'index', pages: 'count' },
  hmm_migrate_to_dev: { pid: 'pid', start: 'index', pages: 'count', device: 'device' },
  hmm_migrate_to_sys: { pid: 'pid', start: 'index', pages: 'count', device: 'device' },
  hmm_release: { device: 'device' },
  hmm_exclusive: { pid: 'pid', start: 'index', pages: 'count', device: 'device' },
  hmm_check_exclusive: { device: 'device' },
  hmm_write: { pid: 'pid', start: 'index', pages: 'count', device: 'device', 'value?': 'int' },
  hmm_read: { pid: 'pid', start: 'index', pages: 'count', device: 'device' },
  hmm_snapshot: { pid: 'pid', start: 'index', pages: 'count', device: 'device' },
  madvise: { pid: 'pid', start: 'index', pages: 'count', advice: { oneOf: ['hugepage', 'nohugepage', 'collapse', 'free'] } },
  mremap: { pid: 'pid', start: 'index', pages: 'count', to: 'index', 'dontunmap?': 'bool' },
  hmm_flags: { device: 'device', failAlloc: 'bool' },
  pagemap_read: { pid: 'pid', start: 'index', pages: 'count' },
};

export const EVENT_TYPES = Object.keys(EVENT_FIELDS) as EventType[];

export function isEventType(s: unknown): s is EventType {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(EVENT_FIELDS, s);
}

/** Limits a link or file can ask for (the machine refuses bigger ranges anyway). */
export const MAX_INDEX = 1 << 22;

export type ValidateResult = { ok: true; event: Event } | { ok: false; error: string };

/**
 * Checks an untrusted object is a well-formed event: a known type, every required field present
 * with the right kind, no unknown fields. Returns a fresh object (never the input).
 */
export function validateEvent(x: unknown, where = 'event'): ValidateResult {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return { ok: false, error: `${where} is not an object` };
  const o = x as Record<string, unknown>;
  if (!isEventType(o.type)) {
    const shown = typeof o.type === 'string' ? `"${o.type.slice(0, 40)}"` : o.type === undefined ? 'is missing and' : `(a ${Array.isArray(o.type) ? 'list' : typeof o.type})`;
    return { ok: false, error: `${where}.type ${shown} is not a known event (${EVENT_TYPES.length} kinds, e.g. cpu_fault, fork, migrate_vma_setup)` };
  }
  const spec = FIELD_SPECS[o.type];
  const out: Record<string, unknown> = { type: o.type };
  for (const f of spec.fields) {
    const v = o[f.name];
    if (v === undefined) {
      if (f.optional) continue;
      return { ok: false, error: `${where} (${o.type}) is missing "${f.name}"` };
    }
    const err = checkField(v, f.kind);
    if (err) return { ok: false, error: `${where}.${f.name}: ${err}` };
    out[f.name] = v;
  }
  for (const k of Object.keys(o)) {
    if (k !== 'type' && !spec.names.has(k)) return { ok: false, error: `${where} (${o.type}) has an unknown field "${k.slice(0, 40)}"` };
  }
  return { ok: true, event: out as Event };
}

/** EVENT_FIELDS parsed once: each field's name, whether it is optional, and its kind. */
const FIELD_SPECS = Object.fromEntries(
  EVENT_TYPES.map((t) => {
    const fields = Object.entries(EVENT_FIELDS[t]).map(([raw, kind]) => ({ name: raw.endsWith('?') ? raw.slice(0, -1) : raw, optional: raw.endsWith('?'), kind }));
    return [t, { fields, names: new Set(fields.map((f) => f.name)) }];
  }),
) as unknown as Record<EventType, { fields: { name: string; optional: boolean; kind: FieldKind }[]; names: ReadonlySet<string> }>;

function checkField(v: unknown, kind: FieldKind): string | null {
  if (typeof kind === 'object') {
    return typeof v === 'string' && kind.oneOf.includes(v) ? null : `must be one of ${kind.oneOf.join(', ')}`;
  }
  switch (kind) {
    case 'bool':
      return typeof v === 'boolean' ? null : 'must be true or false';
    case 'pid':
      return Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 64 ? null : 'must be a process id 1..64';
    case 'device':
      return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 7 ? null : 'must be a device number 0..7';
    case 'index':
      return Number.isInteger(v) && (v as number) >= 0 && (v as number) < MAX_INDEX ? null : `must be an integer 0..${MAX_INDEX - 1}`;
    case 'count':
      return Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_INDEX ? null : `must be an integer 1..${MAX_INDEX}`;
    case 'int':
      return Number.isSafeInteger(v) ? null : 'must be an integer';
  }
}

/** A short human title, e.g. "CPU write fault on PTE 1 of pid 1". */
export function describeEvent(e: Event): string {
  const who = 'pid' in e ? ` (pid ${e.pid})` : '';
  const rng = 'start' in e ? ` PTEs ${e.start}${e.pages > 1 ? `..${e.start + e.pages - 1}` : ''}` : '';
  const one = 'index' in e ? ` PTE ${e.index}` : '';
  switch (e.type) {
    case 'cpu_fault': return `CPU ${e.access} fault on${one}${who}`;
    case 'cpu_access': return `CPU ${e.access === 'rmw' ? 'read-modify-write' : e.access}s${rng}${who}`;
    case 'mmap': return `mmap ${e.prot === 'rw' ? 'PROT_READ|PROT_WRITE' : e.prot === 'read' ? 'PROT_READ' : 'PROT_NONE'} ${e.shared ? 'MAP_SHARED' : 'MAP_PRIVATE'}${e.file ? '' : '|MAP_ANONYMOUS'}${rng}${who}`;
    case 'munmap': return `munmap${rng}${who}`;
    case 'mprotect': return `mprotect(${e.prot === 'rw' ? 'PROT_READ|PROT_WRITE' : e.prot === 'read' ? 'PROT_READ' : 'PROT_NONE'})${rng}${who}`;
    case 'fork': return `fork()${who}`;
    case 'exit': return `exit${who}`;
    case 'uffd_wp': return `UFFDIO_WRITEPROTECT ${e.enable ? 'protect' : 'unprotect'}${rng}${who}`;
    case 'uffdio_poison': return `UFFDIO_POISON${one}${who}`;
    case 'madvise_guard_install': return `MADV_GUARD_INSTALL${rng}${who}`;
    case 'folio_get': return `get_user_pages (FOLL_GET${e.write ? ' | FOLL_WRITE' : ''}) takes a reference on${one}${who}`;
    case 'folio_put': return `put_page drops the extra reference on${one}${who}`;
    case 'pin_user_pages': return `pin_user_pages (FOLL_PIN${e.write ? ' | FOLL_WRITE' : ''}) on${one}${who}`;
    case 'migrate_vma_setup': return `driver: migrate_vma_setup (${e.select === 'system' ? 'SELECT_SYSTEM' : 'SELECT_DEVICE_PRIVATE'}${e.compound ? ' | SELECT_COMPOUND' : ''}, device ${e.device})${rng}${who}`;
    case 'migrate_vma_pages': return `driver: allocate and copy, migrate_vma_pages${e.failAlloc ? ' (allocation fails)' : ''}`;
    case 'migrate_vma_finalize': return 'driver: migrate_vma_finalize';
    case 'migrate_device_range': return `driver evicts device ${e.device}: migrate_device_range`;
    case 'migrate_device_pages': return 'driver: copy to RAM, migrate_device_pages';
    case 'migrate_device_finalize': return 'driver: migrate_device_finalize';
    case 'migrate_folio_unmap': return `migrate_pages: unmap${one}${who} (try_to_migrate)`;
    case 'migrate_folio_move': return 'migrate_pages: move to the new page and remap';
    case 'make_device_exclusive': return `driver: make_device_exclusive (device ${e.device})${rng}${who}`;
    case 'memory_failure': return `memory_failure on the page mapped at${one}${who}`;
    case 'swap_out': return `reclaim swaps out${rng}${who}`;
    case 'hmm_migrate_to_dev': return `HMM_DMIRROR_MIGRATE_TO_DEV (device ${e.device})${rng}${who}`;
    case 'hmm_migrate_to_sys': return `HMM_DMIRROR_MIGRATE_TO_SYS (device ${e.device})${rng}${who}`;
    case 'hmm_release': return `HMM_DMIRROR_RELEASE (device ${e.device} evicts its memory)`;
    case 'hmm_exclusive': return `HMM_DMIRROR_EXCLUSIVE (device ${e.device})${rng}${who}`;
    case 'hmm_check_exclusive': return `HMM_DMIRROR_CHECK_EXCLUSIVE (device ${e.device})`;
    case 'hmm_write': return `HMM_DMIRROR_WRITE (device ${e.device})${rng}${who}`;
    case 'hmm_read': return `HMM_DMIRROR_READ (device ${e.device})${rng}${who}`;
    case 'hmm_snapshot': return `HMM_DMIRROR_SNAPSHOT (device ${e.device})${rng}${who}`;
    case 'madvise': return `madvise(MADV_${e.advice.toUpperCase()})${rng}${who}`;
    case 'mremap': return `mremap(MREMAP_MAYMOVE | MREMAP_FIXED${e.dontunmap ? ' | MREMAP_DONTUNMAP' : ''})${rng} to PTE ${e.to}${who}`;
    case 'hmm_flags': return `HMM_DMIRROR_FLAGS (device ${e.device}): ${e.failAlloc ? 'HMM_DMIRROR_FLAG_FAIL_ALLOC' : 'none'}`;
    case 'pagemap_read': return `read /proc/self/pagemap for${rng}${who}`;
  }
}
