/**
 * step(state, event): the machine as a pure reducer. It returns the next state, the trace of kernel
 * functions that ran, and the event's result; or, for an event that cannot happen now, the reason.
 * Each event type has one handler, in the module named after the kernel file that runs it.
 */
import { Draft, Refuse, refuse } from './draft.ts';
import {
  dmirror_access, dmirror_check_atomic, dmirror_device_remove_chunks, dmirror_exclusive, dmirror_migrate_to_device,
  dmirror_migrate_to_system, dmirror_set_flags, dmirror_snapshot,
} from './drivers/test_hmm.ts';
import { mappedPage } from './entries.ts';
import type { Event, EventType } from './events.ts';
import { folioGet, folioPut, pinUserPages } from './mm/gup.ts';
import { pagemap_read } from './proc/task_mmu.ts';
import { guardInstall, madvise } from './mm/madvise.ts';
import { mremap } from './mm/mremap.ts';
import { memoryFailure } from './mm/memory-failure.ts';
import { accessToCompletion, cpuFaultStep, migrateToRamReturned } from './mm/memory/fault.ts';
import { currentMigration, migrateFolioMove, migrateFolioUnmap } from './mm/migrate.ts';
import { migrateDeviceRangeEvent, migrateFinalize, migratePages, migrateVmaSetupEvent } from './mm/migrate_device.ts';
import { exit, fork, mmap, munmap } from './mm/mmap.ts';
import { mprotect } from './mm/mprotect.ts';
import { makeDeviceExclusive } from './mm/rmap.ts';
import { uffdioPoison, uffdWriteprotect } from './mm/userfaultfd.ts';
import { swapOut } from './mm/vmscan.ts';
import type { MachineState, StepOutcome } from './types.ts';

type Handler<T extends EventType> = (d: Draft, e: Extract<Event, { type: T }>) => void;

/** CPU accesses over a range, each fault run to completion (a write stores the value, rmw increments). */
function cpuAccess(d: Draft, e: Extract<Event, { type: 'cpu_access' }>): void {
  const data: (number | null)[] = [];
  for (let i = e.start; i < e.start + e.pages; i++) {
    const ref = { pid: e.pid, index: i };
    const sig = accessToCompletion(d, ref, e.access === 'read' ? 'read' : 'write');
    if (sig) {
      d.result.signal = sig;
      break;
    }
    const target = mappedPage(d, ref);
    const page = d.page(target);
    data.push(page.data);
    if (e.access === 'write') d.setPage(target, { data: e.value ?? i - e.start });
    if (e.access === 'rmw') d.setPage(target, { data: (page.data ?? 0) + 1 });
  }
  d.result.data = data;
}

const HANDLERS: { readonly [T in EventType]: Handler<T> } = {
  cpu_fault: (d, e) => {
    const r = cpuFaultStep(d, { pid: e.pid, index: e.index }, e.access);
    if (r.done && r.signal) d.result.signal = r.signal;
  },
  cpu_access: cpuAccess,
  mmap: (d, e) => mmap(d, e.pid, e.start, e.pages, e.prot, e.shared ?? false, e.file ?? false),
  munmap: (d, e) => munmap(d, e.pid, e.start, e.pages),
  mprotect: (d, e) => mprotect(d, e.pid, e.start, e.pages, e.prot),
  fork: (d, e) => void fork(d, e.pid),
  exit: (d, e) => exit(d, e.pid),
  uffd_wp: (d, e) => uffdWriteprotect(d, e.pid, e.start, e.pages, e.enable, e.unpopulated ?? false),
  uffdio_poison: (d, e) => uffdioPoison(d, e),
  madvise_guard_install: (d, e) => guardInstall(d, e.pid, e.start, e.pages),
  folio_get: (d, e) => folioGet(d, e, e.write ?? false),
  folio_put: (d, e) => folioPut(d, e),
  pin_user_pages: (d, e) => pinUserPages(d, e, e.write ?? false),
  migrate_vma_setup: (d, e) => migrateVmaSetupEvent(d, { pid: e.pid, start: e.start, pages: e.pages, select: e.select, device: e.device, ...(e.compound ? { compound: true } : {}) }),
  migrate_vma_pages: (d, e) => migratePages(d, currentMigration(d, 'migrate_vma'), e.failAlloc ?? false),
  migrate_vma_finalize: (d) => {
    const m = currentMigration(d, 'migrate_vma');
    migrateFinalize(d, m);
    // a CPU fault's migration (a cpu_fault event left it in flight): migrate_to_ram() returns
    if (m.fault) migrateToRamReturned(d, m.fault);
  },
  migrate_device_range: (d, e) => migrateDeviceRangeEvent(d, e.device),
  migrate_device_pages: (d) => migratePages(d, currentMigration(d, 'migrate_device'), false),
  migrate_device_finalize: (d) => migrateFinalize(d, currentMigration(d, 'migrate_device')),
  migrate_folio_unmap: (d, e) => migrateFolioUnmap(d, e),
  migrate_folio_move: (d) => migrateFolioMove(d, currentMigration(d, 'migrate_folio')),
  make_device_exclusive: (d, e) => {
    d.result.cpages = makeDeviceExclusive(d, e.pid, e.start, e.pages, e.device);
  },
  memory_failure: (d, e) => memoryFailure(d, e),
  swap_out: (d, e) => swapOut(d, e.pid, e.start, e.pages),
  hmm_migrate_to_dev: (d, e) => dmirror_migrate_to_device(d, e.pid, e.start, e.pages, e.device),
  hmm_migrate_to_sys: (d, e) => dmirror_migrate_to_system(d, e.pid, e.start, e.pages, e.device),
  hmm_release: (d, e) => dmirror_device_remove_chunks(d, e.device),
  hmm_exclusive: (d, e) => dmirror_exclusive(d, e.pid, e.start, e.pages, e.device),
  hmm_check_exclusive: (d, e) => dmirror_check_atomic(d, e.device),
  hmm_write: (d, e) => dmirror_access(d, e.pid, e.start, e.pages, e.device, true, e.value),
  hmm_read: (d, e) => dmirror_access(d, e.pid, e.start, e.pages, e.device, false),
  hmm_snapshot: (d, e) => dmirror_snapshot(d, e.pid, e.start, e.pages, e.device),
  madvise: (d, e) => madvise(d, e.pid, e.start, e.pages, e.advice),
  mremap: (d, e) => mremap(d, e.pid, e.start, e.pages, e.to, e.dontunmap ?? false),
  hmm_flags: (d, e) => dmirror_set_flags(d, e.device, e.failAlloc),
  pagemap_read: (d, e) => pagemap_read(d, e.pid, e.start, e.pages),
};

/** Every event that names PTEs of a process must stay inside that process's range. */
function checkRange(d: Draft, e: Event): void {
  if ('start' in e) inRange(d, e.pid, e.start, e.pages);
  else if ('index' in e) inRange(d, e.pid, e.index, 1);
}

function inRange(d: Draft, pid: number, start: number, pages: number): void {
  const p = d.proc(pid);
  if (start + pages > p.ptes.length) refuse(`PTEs ${start}..${start + pages - 1} go past pid ${pid}'s range of ${p.ptes.length} PTEs`);
}

function apply<T extends EventType>(d: Draft, e: Extract<Event, { type: T }>): void {
  checkRange(d, e);
  (HANDLERS[e.type as T] as Handler<T>)(d, e);
}

export function step(state: MachineState, event: Event): StepOutcome {
  const d = new Draft(state);
  try {
    apply(d, event);
  } catch (err) {
    if (err instanceof Refuse) return { ok: false, reason: err.message };
    throw err;
  }
  return { ok: true, state: d.finish(), trace: d.trace(), result: d.result };
}
