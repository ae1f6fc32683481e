export * from './types.ts';
export * from './events.ts';
export { createMachine, SetupError, DEFAULT_PTES, MAX_PTES, DEFAULT_VA_BASE } from './init.ts';
export { step } from './step.ts';
export { checkInvariants, INVARIANTS, pageLabel, kernelOf, type InvariantResult, type InvariantId, type Violation } from './invariants.ts';
export { dryRunner, eventCandidates, eventChoices, GROUP_TITLES, type ChoiceCandidate, type EventChoice, type ChoiceGroup } from './catalog.ts';
export {
  readPte, readHi, readLo, readTarget, forEachUsed, chunkEntryEmpty, PTRS_PER_PTE, readPmd, pmdEntry, hasPteTable, forEachPmd,
  type PteTable, type PteChunk, type PmdEntry,
} from './pagetable.ts';
export { vaOf, vaHex } from './va.ts';
export { KERNEL_FUNCTIONS, isKernelFunction } from './functions.ts';
export { pageAt, allPages, PAGE_BLOCK, type PageStore } from './pagestore.ts';
export type { PageIndex } from './pageindex.ts';
export { pagemapContextFor } from './proc/task_mmu.ts';
export { HPAGE_PMD_NR } from './folio.ts';
