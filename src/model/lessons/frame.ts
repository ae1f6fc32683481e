/**
 * A lesson frame: what a stop's text and question are about, taken from the model at one position
 * (the state at the cursor, the step that led there, and the next step when there is one). Texts
 * are filled and answers computed from a frame, so they follow the kernel being shown.
 */
import { decodePte, type DecodedPte } from '../kernel/decode.ts';
import { getKernel, type Kernel, type KernelOptions } from '../kernel/kernel.ts';
import { applyKconfig, DEFAULT_CONFIG, type KernelConfig } from '../kernel/config.ts';
import { DEFAULT_PLATFORM } from '../kernel/platform.ts';
import type { Event } from '../machine/events.ts';
import { kernelOf } from '../machine/invariants.ts';
import { readPte } from '../machine/pagetable.ts';
import type { MachineState, PteRef, TraceEntry } from '../machine/types.ts';
import type { Stop } from './types.ts';

export interface NextStep {
  readonly event: Event;
  readonly state: MachineState;
  readonly trace: readonly TraceEntry[];
}

export interface LessonFrame {
  readonly kernel: Kernel;
  readonly state: MachineState;
  readonly selection: PteRef;
  /** The selected PTE, decoded. */
  readonly now: DecodedPte;
  /** The trace of the step that led here (null at step 0). */
  readonly trace: readonly TraceEntry[] | null;
  /** The next event and what it does (null at the end, or when it cannot happen). */
  readonly next: NextStep | null;
  /** Config options Kconfig forced off, one sentence each (the state holds the config after Kconfig). */
  readonly forced: readonly string[];
}

/** The raw value of a PTE in a state (0 when the process or index does not exist). */
export function pteValue(s: MachineState, r: PteRef): bigint {
  const p = s.processes.find((x) => x.pid === r.pid);
  return p && r.index < p.ptes.length ? readPte(p.ptes, r.index) : 0n;
}

/** Whether a state has that PTE (a live process, an index in its range). */
export function hasPte(s: MachineState, r: PteRef): boolean {
  const p = s.processes.find((x) => x.pid === r.pid);
  return !!p && p.alive && r.index >= 0 && r.index < p.ptes.length;
}

/** The frame at a state; `requested` is the config asked for (what Kconfig then forced off is part of the lesson). */
export function lessonFrame(state: MachineState, selection: PteRef, trace: readonly TraceEntry[] | null, next: NextStep | null, requested?: KernelConfig): LessonFrame {
  const kernel = kernelOf(state);
  const forced = requested ? applyKconfig(requested).forced : [];
  return { kernel, state, selection, now: decodePte(kernel, pteValue(state, selection)), trace, next, forced };
}

/** The kernel options a stop names: its profile, all config options on except those it turns off, x86_64. */
export function stopOptions(stop: Stop): KernelOptions {
  const config: KernelConfig = { ...DEFAULT_CONFIG, ...Object.fromEntries((stop.kernel.off ?? []).map((o) => [o, false])) };
  return {
    profile: stop.kernel.profile,
    config,
    platform: {
      ...DEFAULT_PLATFORM,
      ...(stop.kernel.paging ? { paging: stop.kernel.paging } : {}),
      ...(stop.kernel.migrationAd !== undefined ? { migrationAd: stop.kernel.migrationAd } : {}),
    },
  };
}

/** The same kernel (config, machine) under another profile, for texts that compare two kernels. */
export function sibling(k: Kernel, profile: Kernel['profile']['id']): Kernel {
  return getKernel(profile, k.config, k.platform);
}
