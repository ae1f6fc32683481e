/**
 * Which events make sense now, for a selected PTE: each candidate is tried with step() (pure, so a
 * dry run is just a call), and offered enabled, or disabled with the machine's reason.
 */
import { describeEvent, type Event } from './events.ts';
import { pageAt } from './pagestore.ts';
import { PTRS_PER_PTE } from './pagetable.ts';
import { step } from './step.ts';
import type { MachineState, PteRef } from './types.ts';

export type ChoiceGroup = 'cpu' | 'driver' | 'process' | 'memory' | 'selftest';

export interface EventChoice {
  readonly group: ChoiceGroup;
  readonly label: string;
  readonly event: Event;
  readonly enabled: boolean;
  /** Why the event cannot happen now (the machine's refusal), when disabled. */
  readonly reason: string | null;
}

export const GROUP_TITLES: Readonly<Record<ChoiceGroup, string>> = {
  cpu: 'CPU',
  driver: 'Device driver',
  process: 'Process',
  memory: 'Memory management',
  selftest: 'hmm selftest ioctls',
};

/** Above this many PTEs, expensive whole-process events are offered without a dry run. */
const DRY_RUN_LIMIT = 8192;

function candidates(s: MachineState, sel: PteRef): [ChoiceGroup, string, Event][] {
  const { pid, index } = sel;
  const one = { pid, start: index, pages: 1 };
  const proc = s.processes.find((p) => p.pid === pid);
  const vma = proc?.vmas.find((v) => index >= v.start && index < v.start + v.pages);
  const whole = vma ? { pid, start: vma.start, pages: vma.pages } : one;
  const devices = s.devices.map((d) => d.id);
  const out: [ChoiceGroup, string, Event][] = [
    ['cpu', 'read fault', { type: 'cpu_fault', pid, index, access: 'read' }],
    ['cpu', 'write fault', { type: 'cpu_fault', pid, index, access: 'write' }],
    ['cpu', 'read (to completion)', { type: 'cpu_access', ...one, access: 'read' }],
    ['cpu', 'write (to completion)', { type: 'cpu_access', ...one, access: 'write' }],
  ];
  for (const device of devices) {
    out.push(['driver', `migrate_vma_setup → device ${device}`, { type: 'migrate_vma_setup', ...one, select: 'system', device }]);
    out.push(['driver', `migrate_vma_setup ← device ${device} (SELECT_DEVICE_PRIVATE)`, { type: 'migrate_vma_setup', ...one, select: 'device_private', device }]);
  }
  out.push(
    ['driver', 'migrate_vma_pages', { type: 'migrate_vma_pages' }],
    ['driver', 'migrate_vma_pages (allocation fails)', { type: 'migrate_vma_pages', failAlloc: true }],
    ['driver', 'migrate_vma_finalize', { type: 'migrate_vma_finalize' }],
  );
  for (const device of devices) out.push(['driver', `evict device ${device}: migrate_device_range`, { type: 'migrate_device_range', device }]);
  out.push(
    ['driver', 'migrate_device_pages', { type: 'migrate_device_pages' }],
    ['driver', 'migrate_device_finalize', { type: 'migrate_device_finalize' }],
    ['driver', `make_device_exclusive (device ${devices[0] ?? 0})`, { type: 'make_device_exclusive', ...one, device: devices[0] ?? 0 }],
    ['process', 'fork()', { type: 'fork', pid }],
    ['process', 'exit', { type: 'exit', pid }],
    ['process', 'mprotect(PROT_READ)', { type: 'mprotect', ...whole, prot: 'read' }],
    ['process', 'mprotect(PROT_READ|PROT_WRITE)', { type: 'mprotect', ...whole, prot: 'rw' }],
    ['process', 'mprotect(PROT_NONE)', { type: 'mprotect', ...whole, prot: 'none' }],
    ['process', 'uffd-wp protect', { type: 'uffd_wp', ...one, enable: true, unpopulated: true }],
    ['process', 'uffd-wp unprotect', { type: 'uffd_wp', ...one, enable: false }],
    ['process', 'UFFDIO_POISON', { type: 'uffdio_poison', pid, index }],
    ['process', 'MADV_GUARD_INSTALL', { type: 'madvise_guard_install', ...one }],
    ['process', 'munmap this page', { type: 'munmap', ...one }],
    ['process', 'get_user_pages (extra reference)', { type: 'folio_get', pid, index }],
    ['process', 'put_page (drop it)', { type: 'folio_put', pid, index }],
    ['process', 'pin_user_pages (FOLL_PIN)', { type: 'pin_user_pages', pid, index }],
    ['memory', 'migrate_pages: unmap (try_to_migrate)', { type: 'migrate_folio_unmap', pid, index }],
    ['memory', 'migrate_pages: move and remap', { type: 'migrate_folio_move' }],
    ['memory', 'swap out (reclaim)', { type: 'swap_out', ...one }],
    ['memory', 'memory_failure (hwpoison)', { type: 'memory_failure', pid, index }],
  );
  for (const device of devices) {
    out.push(['selftest', `HMM_DMIRROR_MIGRATE_TO_DEV (device ${device})`, { type: 'hmm_migrate_to_dev', ...one, device }]);
    out.push(['selftest', `HMM_DMIRROR_MIGRATE_TO_SYS (device ${device})`, { type: 'hmm_migrate_to_sys', ...one, device }]);
  }
  // The PMD level: the aligned 2 MiB around the selection.
  const base = index - (index % PTRS_PER_PTE);
  const huge = { pid, start: base, pages: PTRS_PER_PTE };
  out.push(
    ['process', 'MADV_HUGEPAGE (the VMA)', { type: 'madvise', ...whole, advice: 'hugepage' }],
    ['process', 'MADV_NOHUGEPAGE (the VMA)', { type: 'madvise', ...whole, advice: 'nohugepage' }],
    ['process', 'MADV_COLLAPSE (this 2 MiB)', { type: 'madvise', ...huge, advice: 'collapse' }],
    ['process', 'MADV_FREE (this 2 MiB)', { type: 'madvise', ...huge, advice: 'free' }],
    ['process', 'munmap half of this 2 MiB', { type: 'munmap', pid, start: base + PTRS_PER_PTE / 4, pages: PTRS_PER_PTE / 2 }],
    ['process', 'read /proc/self/pagemap (this 2 MiB)', { type: 'pagemap_read', ...huge }],
  );
  const end = Math.max(0, ...(proc?.vmas ?? []).map((v) => v.start + v.pages));
  const to = Math.ceil(end / PTRS_PER_PTE) * PTRS_PER_PTE;
  if (vma && to + PTRS_PER_PTE <= s.ptesPerProcess) out.push(['process', `mremap this 2 MiB to PTE ${to}`, { type: 'mremap', ...huge, to }]);
  for (const device of devices) {
    out.push(['driver', `migrate_vma_setup → device ${device} (SELECT_COMPOUND, this 2 MiB)`, { type: 'migrate_vma_setup', ...huge, select: 'system', device, compound: true }]);
    out.push(['driver', `migrate_vma_setup ← device ${device} (SELECT_DEVICE_PRIVATE | SELECT_COMPOUND, this 2 MiB)`, { type: 'migrate_vma_setup', ...huge, select: 'device_private', device, compound: true }]);
    out.push(['selftest', `HMM_DMIRROR_FLAGS: FAIL_ALLOC (device ${device})`, { type: 'hmm_flags', device, failAlloc: true }]);
  }
  return out;
}

const EXPENSIVE = new Set(['fork', 'exit', 'mprotect']);
/** Above this many pages in use on a device, evicting it is offered without a dry run. */
const DRY_RUN_DEVICE_LIMIT = 256;

/** An event offered for the selection, before its dry run. */
export interface ChoiceCandidate {
  readonly group: ChoiceGroup;
  readonly label: string;
  readonly event: Event;
}

/** The events worth offering for the selected PTE (cheap: no dry run yet). */
export function eventCandidates(s: MachineState, sel: PteRef): ChoiceCandidate[] {
  return candidates(s, sel).map(([group, label, event]) => ({ group, label, event }));
}

/** Dry-runs candidates against one state: enabled, or disabled with the machine's reason. */
export function dryRunner(s: MachineState): (c: ChoiceCandidate) => EventChoice {
  const big = s.ptesPerProcess > DRY_RUN_LIMIT;
  const busyDevices = new Set(s.devices.filter((dev) => dev.pages.filter((id) => pageAt(s.pages, id)?.allocated).length > DRY_RUN_DEVICE_LIMIT).map((dev) => dev.id));
  return ({ group, label, event }) => {
    if (big && EXPENSIVE.has(event.type)) return { group, label, event, enabled: true, reason: null };
    if (event.type === 'migrate_device_range' && busyDevices.has(event.device)) return { group, label, event, enabled: true, reason: null };
    const r = step(s, event);
    return { group, label, event, enabled: r.ok, reason: r.ok ? null : r.reason };
  };
}

export function eventChoices(s: MachineState, sel: PteRef): EventChoice[] {
  return eventCandidates(s, sel).map(dryRunner(s));
}

export { describeEvent };
