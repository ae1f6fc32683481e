/**
 * step(state, event): the machine as a pure reducer. It returns the next state, the trace of kernel
 * functions that ran, and the event's result; or, for an event that cannot happen now, the reason.
 */
import { Draft, Refuse, refuse } from './draft.ts';
import type { Event } from './events.ts';
import { accessToCompletion, cpuFaultStep } from './fault.ts';
import { fork } from './fork.ts';
import { hmmAccess, hmmCheckExclusive, hmmExclusive, hmmMigrateToDev, hmmMigrateToSys, hmmRelease, hmmSnapshot } from './hmm.ts';
import { currentMigration, migrateDeviceRange, migrateFinalize, migrateFolioMove, migrateFolioUnmap, migratePages, migrateVmaSetup } from './migrate.ts';
import {
  exit, folioGet, folioPut, guardInstall, makeDeviceExclusive, memoryFailure, mmap, munmap, pinUserPages, swapOut, uffdioPoison,
} from './misc.ts';
import { view } from './mm.ts';
import { mprotect, uffdWriteprotect } from './mprotect.ts';
import type { MachineState, StepOutcome } from './types.ts';

function checkRange(d: Draft, pid: number, start: number, pages: number): void {
  const p = d.proc(pid);
  if (start + pages > p.ptes.length) refuse(`PTEs ${start}..${start + pages - 1} go past pid ${pid}'s range of ${p.ptes.length} PTEs`);
}

function apply(d: Draft, e: Event): void {
  switch (e.type) {
    case 'cpu_fault': {
      checkRange(d, e.pid, e.index, 1);
      const r = cpuFaultStep(d, { pid: e.pid, index: e.index }, e.access);
      if (r.done && r.signal) d.result.signal = r.signal;
      return;
    }
    case 'cpu_access': {
      checkRange(d, e.pid, e.start, e.pages);
      const data: (number | null)[] = [];
      const mode = e.access === 'read' ? 'read' : 'write';
      for (let i = e.start; i < e.start + e.pages; i++) {
        const ref = { pid: e.pid, index: i };
        const sig = accessToCompletion(d, ref, mode);
        if (sig) {
          d.result.signal = sig;
          break;
        }
        const v = view(d, ref);
        const page = d.page(v.target);
        data.push(page.data);
        if (e.access === 'write') d.setPage(v.target, { data: e.value ?? i - e.start });
        if (e.access === 'rmw') d.setPage(v.target, { data: (page.data ?? 0) + 1 });
      }
      d.result.data = data;
      return;
    }
    case 'mmap':
      return mmap(d, e.pid, e.start, e.pages, e.prot, e.shared ?? false, e.file ?? false);
    case 'munmap':
      checkRange(d, e.pid, e.start, e.pages);
      return munmap(d, e.pid, e.start, e.pages);
    case 'mprotect':
      checkRange(d, e.pid, e.start, e.pages);
      return mprotect(d, e.pid, e.start, e.pages, e.prot);
    case 'fork': {
      const child = fork(d, e.pid);
      d.result.note = `child pid ${child}`;
      return;
    }
    case 'exit':
      return exit(d, e.pid);
    case 'uffd_wp':
      checkRange(d, e.pid, e.start, e.pages);
      return uffdWriteprotect(d, e.pid, e.start, e.pages, e.enable, e.unpopulated ?? false);
    case 'uffdio_poison':
      checkRange(d, e.pid, e.index, 1);
      return uffdioPoison(d, { pid: e.pid, index: e.index });
    case 'madvise_guard_install':
      checkRange(d, e.pid, e.start, e.pages);
      return guardInstall(d, e.pid, e.start, e.pages);
    case 'folio_get':
      checkRange(d, e.pid, e.index, 1);
      return folioGet(d, { pid: e.pid, index: e.index }, e.write ?? false);
    case 'folio_put':
      checkRange(d, e.pid, e.index, 1);
      return folioPut(d, { pid: e.pid, index: e.index });
    case 'pin_user_pages':
      checkRange(d, e.pid, e.index, 1);
      return pinUserPages(d, { pid: e.pid, index: e.index }, e.write ?? false);
    case 'migrate_vma_setup': {
      checkRange(d, e.pid, e.start, e.pages);
      d.device(e.device);
      if (d.migrations().some((m) => m.api === 'migrate_vma')) {
        refuse('a migrate_vma migration is already in progress: finish it with migrate_vma_pages / migrate_vma_finalize (this model runs one at a time)');
      }
      d.call('migrate_vma_setup', `the driver asks to migrate PTEs ${e.start}..${e.start + e.pages - 1} of pid ${e.pid}.`, () => {
        const m = migrateVmaSetup(d, { pid: e.pid, start: e.start, pages: e.pages, select: e.select, device: e.device, origin: 'driver' });
        if (typeof m === 'string') d.result.ret = m;
        else d.result.cpages = m.srcs.filter((s) => s.migrate).length;
      });
      return;
    }
    case 'migrate_vma_pages':
      return migratePages(d, currentMigration(d, 'migrate_vma'), e.failAlloc ?? false);
    case 'migrate_vma_finalize':
      return migrateFinalize(d, currentMigration(d, 'migrate_vma'));
    case 'migrate_device_range': {
      if (d.migrations().some((m) => m.api === 'migrate_device')) refuse('an eviction is already in progress: finish it first');
      const m = migrateDeviceRange(d, e.device);
      d.result.cpages = m.srcs.length;
      return;
    }
    case 'migrate_device_pages':
      return migratePages(d, currentMigration(d, 'migrate_device'), false);
    case 'migrate_device_finalize':
      return migrateFinalize(d, currentMigration(d, 'migrate_device'));
    case 'migrate_folio_unmap':
      checkRange(d, e.pid, e.index, 1);
      if (d.migrations().some((m) => m.api === 'migrate_folio')) refuse('a migrate_pages migration is already in progress: migrate_folio_move finishes it');
      return migrateFolioUnmap(d, { pid: e.pid, index: e.index });
    case 'migrate_folio_move':
      return migrateFolioMove(d, currentMigration(d, 'migrate_folio'));
    case 'make_device_exclusive':
      checkRange(d, e.pid, e.start, e.pages);
      d.result.cpages = makeDeviceExclusive(d, e.pid, e.start, e.pages, e.device);
      return;
    case 'memory_failure':
      checkRange(d, e.pid, e.index, 1);
      return memoryFailure(d, { pid: e.pid, index: e.index });
    case 'swap_out':
      checkRange(d, e.pid, e.start, e.pages);
      return swapOut(d, e.pid, e.start, e.pages);
    case 'hmm_migrate_to_dev':
      checkRange(d, e.pid, e.start, e.pages);
      return hmmMigrateToDev(d, e.pid, e.start, e.pages, e.device);
    case 'hmm_migrate_to_sys':
      checkRange(d, e.pid, e.start, e.pages);
      return hmmMigrateToSys(d, e.pid, e.start, e.pages, e.device);
    case 'hmm_release':
      return hmmRelease(d, e.device);
    case 'hmm_exclusive':
      checkRange(d, e.pid, e.start, e.pages);
      return hmmExclusive(d, e.pid, e.start, e.pages, e.device);
    case 'hmm_check_exclusive':
      return hmmCheckExclusive(d, e.device);
    case 'hmm_write':
      checkRange(d, e.pid, e.start, e.pages);
      return hmmAccess(d, e.pid, e.start, e.pages, e.device, true, e.value);
    case 'hmm_read':
      checkRange(d, e.pid, e.start, e.pages);
      return hmmAccess(d, e.pid, e.start, e.pages, e.device, false);
    case 'hmm_snapshot':
      checkRange(d, e.pid, e.start, e.pages);
      return hmmSnapshot(d, e.pid, e.start, e.pages, e.device);
  }
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

export interface Replay {
  readonly states: readonly MachineState[];
  /** Index of the first refused event, and why; -1 when all applied. */
  readonly failedAt: number;
  readonly reason: string | null;
}

/** Applies events in order from `initial`; stops at the first refused one. */
export function replay(initial: MachineState, events: readonly Event[]): Replay {
  const states = [initial];
  let s = initial;
  for (let i = 0; i < events.length; i++) {
    const r = step(s, events[i]!);
    if (!r.ok) return { states, failedAt: i, reason: r.reason };
    s = r.state;
    states.push(s);
  }
  return { states, failedAt: -1, reason: null };
}
