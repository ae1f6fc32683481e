import type { Event } from '../machine/events.ts';
import type { MachineSetup } from '../machine/types.ts';
import type { ProfileId } from '../kernel/profiles.ts';

/** A spec table row: "after event `after`, PTE (pid, index) holds this step's value". */
export interface Checkpoint {
  /** The step number in the spec's table. */
  readonly step: number;
  /** Index of the event after which the value holds; -1 = the initial state. */
  readonly after: number;
  readonly pid: number;
  readonly index: number;
  /**
   * The value is the one a kernel function wrote in the middle of the event (e.g. the migration
   * entry that migrate_vma_setup installs and then removes again on the restore path): the first
   * change to this PTE made by that function, as the trace records it.
   */
  readonly mid?: string;
  /** 'pmd': the value is the PMD covering PTE `index` (a leaf), not the PTE. */
  readonly level?: 'pmd';
}

/** What the kernel's selftest asserts after an event. */
export interface Expectation {
  readonly ret?: string;
  readonly cpages?: number;
  readonly signal?: 'SIGBUS' | 'SIGSEGV';
  /** Data the event read or the device returned: 'index' = i, 'neg-index' = -i, 'zero' = 0, 'index+1' = i+1. */
  readonly data?: 'index' | 'neg-index' | 'zero' | 'index+1';
  /** i counts from `base` (default 0): the buffer index of the event's first page (ptr[i] == i after a partial munmap). */
  readonly base?: number;
  /** HMM_DMIRROR_SNAPSHOT result, page by page. */
  readonly prot?: readonly string[];
  /** HMM_DMIRROR_SNAPSHOT: every page reports these flags (e.g. DEV_PRIVATE_LOCAL|WRITE|PMD for a device THP). */
  readonly protEvery?: string;
  /** /proc/self/pagemap: every record of the range is swapped (PM_SWAP, not PM_PRESENT), present, or neither. */
  readonly pagemap?: 'swap' | 'present' | 'none';
}

export interface Scenario {
  /** Schema version of the scenario format. */
  readonly schema: 1;
  readonly id: string;
  readonly title: string;
  /** One line for the picker. */
  readonly description: string;
  /** Where it comes from: the spec table, or the hmm selftest. */
  readonly source: string;
  readonly setup: MachineSetup;
  /** Machine options the scenario needs (S16: migration entries cannot carry A/D; S24: 5-level paging). */
  readonly migrationAd?: boolean;
  readonly paging?: 4 | 5;
  /** The profile the scenario is meant to be watched under (the bug demo), if any. */
  readonly profile?: ProfileId;
  readonly events: readonly Event[];
  /** The PTE the scenario is about (selected when it opens). */
  readonly focus: { readonly pid: number; readonly index: number };
  readonly checkpoints?: readonly Checkpoint[];
  /** Selftest assertions by event index. */
  readonly expect?: Readonly<Record<number, Expectation>>;
}
