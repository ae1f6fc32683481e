/**
 * The PMD-level scenarios: T01–T11 of pmd-and-thp.md §g (x86_64, 4-level; RAM THP 0x12400,
 * destination THP 0x56600, device THP 0x200), X02 (the set_pmd_migration_entry() flags bug), and the
 * hmm selftests that touch THPs (§e), driving lib/test_hmm.c at the real 2 MiB size. Checkpoints with
 * level 'pmd' read the PMD covering the PTE.
 */
import type { Event } from '../machine/events.ts';
import type { MachineSetup } from '../machine/types.ts';
import type { Checkpoint, Expectation, Scenario } from './types.ts';

const T = 1;
const CHILD = 2;
const N = 512;

/** One private anonymous RW VMA with VM_HUGEPAGE over `ptes` PTEs at 0x7f0000000000; THPs 0x12400 then 0x56600; device THP 0x200. */
function thpSetup(extra: Partial<MachineSetup> & { ptes?: number; prot?: 'read' | 'rw' } = {}): MachineSetup {
  const { prot = 'rw', ...rest } = extra;
  const ptes = rest.ptes ?? N;
  return {
    ptes,
    vaBase: '0x7f0000000000',
    processes: [{ pid: T, name: 'task', vmas: [{ start: 0, pages: ptes, prot, thp: true }] }],
    ram: ['0x1234'],
    hugeRam: ['0x12400', '0x56600'],
    devices: [{ first: '0x200', physFirst: '0x200', pages: N }],
    hugeZeroPfn: '0x3a00',
    ...rest,
  };
}

const ev = {
  write: (index = 0, pid = T): Event => ({ type: 'cpu_fault', pid, index, access: 'write' }),
  read: (index = 0, pid = T): Event => ({ type: 'cpu_fault', pid, index, access: 'read' }),
  toDevice: (start = 0, device = 0): Event => ({ type: 'migrate_vma_setup', pid: T, start, pages: N, select: 'system', device, compound: true }),
  toRam: (start = 0, device = 0): Event => ({ type: 'migrate_vma_setup', pid: T, start, pages: N, select: 'device_private', device, compound: true }),
  pages: { type: 'migrate_vma_pages' } as Event,
  finalize: { type: 'migrate_vma_finalize' } as Event,
  unmap: (index = 0): Event => ({ type: 'migrate_folio_unmap', pid: T, index }),
  move: { type: 'migrate_folio_move' } as Event,
  fork: { type: 'fork', pid: T } as Event,
  failAlloc: (device = 0): Event => ({ type: 'hmm_flags', device, failAlloc: true }),
};

/** A checkpoint of the PMD covering PTE `index` (or, with `pte`, of the PTE). */
const pmd = (step: number, after: number, index = 0, pid = T, mid?: string): Checkpoint => ({ step, after, pid, index, level: 'pmd', ...(mid ? { mid } : {}) });
const pte = (step: number, after: number, index: number, mid?: string, pid = T): Checkpoint => ({ step, after, pid, index, ...(mid ? { mid } : {}) });

function t(id: string, title: string, description: string, events: Event[], checkpoints: Checkpoint[], extra: Partial<Scenario> = {}): Scenario {
  return {
    schema: 1, id, title, description, source: `pmd-and-thp.md §g, ${id}`, setup: thpSetup(), profile: '7.3', events, focus: { pid: T, index: 0 }, checkpoints, ...extra,
  };
}

const T01 = [ev.write()];
const T03 = [...T01, ev.toDevice(), ev.pages, ev.finalize];
const T05_RAM = Array.from({ length: N }, (_, i) => `0x${(0x77000 + 3 * i).toString(16)}`);

export const THP_SCENARIOS: readonly Scenario[] = [
  t('T01', 'A present anonymous THP', 'A write fault in a VM_HUGEPAGE VMA: do_huge_pmd_anonymous_page maps a 2 MiB folio with one PMD (PSE, PFN at bit 21, RW A D SD NX).', T01, [pmd(0, 0)]),
  t('T02', 'A THP migrated RAM to RAM', 'try_to_migrate_one -> set_pmd_migration_entry (the transient pmdp_invalidate value first), then remove_migration_pmd onto a new THP: A/D survive.',
    [...T01, ev.unmap(), ev.move], [pmd(0, 0), pmd(1, 1), pmd(2, 2)]),
  t('T03', 'A THP migrated to a device THP', 'migrate_vma_collect_huge_pmd with SELECT_COMPOUND installs a migration PMD; remove_migration_pmd turns it into a device-private WRITE PMD with soft-dirty: A/D are lost.',
    T03, [pmd(1, 1), pmd(2, 3)]),
  t('T04', 'The CPU faults on the device-private PMD', 'do_huge_pmd_device_private -> migrate_to_ram moves the whole 2 MiB back: a migration PMD from the non-present branch (no A/D), then RW, old, clean.',
    [...T03, ev.read(), ev.pages, ev.finalize], [pmd(1, 4), pmd(2, 6)]),
  t('T05', 'The 4 KiB fallbacks', 'To a device that cannot give 2 MiB (FAIL_ALLOC): the migration PMD splits (freeze) into 512 migration PTEs, each finalized onto a small device page. Back to RAM without a 2 MiB folio: the device migration PMD splits and each page comes back old and clean.',
    [
      ev.write(), ev.failAlloc(1), ev.toDevice(0, 1), ev.pages, ev.finalize,
      ev.write(N), { type: 'hmm_migrate_to_dev', pid: T, start: N, pages: N, device: 0 }, ev.failAlloc(0), ev.toRam(N, 0), ev.pages, ev.finalize,
    ],
    [
      pte(3, 3, 0, '__split_huge_pmd_locked'), pte(3, 3, 511, '__split_huge_pmd_locked'), pte(4, 4, 0), pte(4, 4, 511),
      pte(1, 9, N, '__split_huge_pmd_locked'), pte(1, 9, N + 1, '__split_huge_pmd_locked'), pte(1, 9, N + 511, '__split_huge_pmd_locked'), pte(2, 10, N), pte(2, 10, N + 511),
    ],
    {
      setup: thpSetup({ ptes: 2 * N, ram: T05_RAM, devices: [{ first: '0x200', physFirst: '0x200', pages: N }, { first: '0x400', physFirst: '0x400', pages: N, stride: 2 }] }),
      focus: { pid: T, index: N },
    }),
  t('T06', 'A partial munmap splits a device-private PMD', '__split_huge_pmd_locked (no freeze) gives 512 device-private PTEs of the same type: PTE 0 equals the PMD and PTE i = PMD − i·0x200.',
    [...T03, { type: 'munmap', pid: T, start: 128, pages: 128 }], [pte(0, 4, 0), pte(1, 4, 1), pte(511, 4, 511)]),
  t('T07', 'fork over a device-private PMD, then the child reads', 'copy_huge_non_present_pmd: WRITE becomes READ in both and soft-dirty is kept (dropped at PTE level). The child\'s fault migrates both mappings with READ migration PMDs (not exclusive after fork) to one shared read-only THP.',
    [...T03, ev.fork, ev.read(0, CHILD), ev.pages, ev.finalize],
    [pmd(1, 4), pmd(1, 4, 0, CHILD), pmd(2, 5), pmd(2, 5, 0, CHILD), pmd(3, 7), pmd(3, 7, 0, CHILD)]),
  t('T08', 'mprotect(PROT_READ) over a migration PMD and a device-private PMD', 'change_non_present_huge_pmd: a WRITE migration PMD becomes READ_EXCLUSIVE (A/D and soft-dirty kept); a device-private WRITE PMD becomes READ and loses soft-dirty.',
    [ev.write(), ev.write(N), { type: 'hmm_migrate_to_dev', pid: T, start: N, pages: N, device: 0 }, ev.unmap(), { type: 'mprotect', pid: T, start: 0, pages: 2 * N, prot: 'read' }],
    [pmd(0, 3), pmd(1, 4), pmd(3, 4, N)], { setup: thpSetup({ ptes: 2 * N }) }),
  t('T09', 'mprotect of the first 1 MiB while a migration PMD is installed', 'The VMA split splits the migration PMD into 512 migration PTEs (PTE i = PMD − i·0x200); change_softleaf_pte makes PTEs 0–255 READ_EXCLUSIVE.',
    [...T01, ev.unmap(), { type: 'mprotect', pid: T, start: 0, pages: 256, prot: 'read' }],
    [0, 255, 256, 511].flatMap((i) => [pte(1, 2, i, '__split_huge_pmd_locked'), pte(2, 2, i)])),
  t('T10', 'A partial munmap of a present THP', 'The split maps 512 PTEs with the PMD\'s flags (RW A D SD); the folio stays large until something splits it.',
    [...T01, { type: 'munmap', pid: T, start: 128, pages: 128 }], [pte(0, 1, 0), pte(1, 1, 1), pte(511, 1, 511)]),
  t('T11', 'The huge zero page to the device and back', 'A read maps the huge zero PMD; migrate_vma counts it as a hole and inserts a device-private READ PMD; a read fault brings it back as READ_EXCLUSIVE, then a read-only, old, clean THP.',
    [ev.read(), ev.toDevice(), ev.pages, ev.finalize, ev.read(), ev.pages, ev.finalize],
    [pmd(1, 0), pmd(2, 3), pmd(3, 4), pmd(4, 6)],
    { setup: thpSetup({ prot: 'read', hugeRam: ['0x56600'] }) }),
  t('X02', 'The set_pmd_migration_entry() flags bug (before the June 2026 fix)', 'T07 on a kernel before "mm/huge_memory: use correct flags for device private PMD entry": the child\'s READ device-private PMD is read as a present PMD, so the migration entry says WRITE, dirty, soft-dirty and uffd; both processes then map the shared THP writable and exclusive. Watch exclusive-once fire.',
    [...T03, ev.fork, ev.read(0, CHILD), ev.pages, ev.finalize],
    [pmd(2, 5), pmd(2, 5, 0, CHILD)],
    { profile: '7.3-pre-fix', source: 'pmd-and-thp.md §d "Base mismatch"; Lorenzo Stoakes, 20260601083044.57132-1-ljs@kernel.org' }),
];

// ---- hmm selftests with THPs (tools/testing/selftests/mm/hmm-tests.c, §e) ------------------------------

const PID = 1;

/** The hmm buffer: 2 MiB-aligned (map = ALIGN(ptr, size)), device memory for two 2 MiB folios. */
function hmmSetup(ptes = 2 * N): MachineSetup {
  return {
    ptes,
    vaBase: '0x7f0000000000',
    processes: [{ pid: PID, name: 'hmm-tests', vmas: [] }],
    ram: ['0x20000'],
    devices: [{ first: '0x0', physFirst: '0x3ffff0000', pages: 2 * N }],
  };
}

type Step = [Event, Expectation?];

function hmm(id: string, title: string, description: string, steps: Step[], extra: Partial<Scenario> = {}): Scenario {
  const expect: Record<number, Expectation> = {};
  steps.forEach(([, x], i) => {
    if (x) expect[i] = x;
  });
  return {
    schema: 1, id, title, description, source: `tools/testing/selftests/mm/hmm-tests.c: ${id.replace(/^hmm_/, '').replace(/_(thp|nothp|q\d|half|quarter|zero)+$/, '')}`,
    setup: hmmSetup(), profile: '7.3', events: steps.map(([e]) => e), focus: { pid: PID, index: 0 }, expect, ...extra,
  };
}

const mmap = (prot: 'read' | 'rw' = 'rw', start = 0, pages = N): Event => ({ type: 'mmap', pid: PID, start, pages, prot });
const huge = (advice: 'hugepage' | 'nohugepage' = 'hugepage', start = 0, pages = N): Event => ({ type: 'madvise', pid: PID, start, pages, advice });
const write = (pages = N, start = 0, pid = PID): Event => ({ type: 'cpu_access', pid, start, pages, access: 'write' });
const read = (pages = N, start = 0, pid = PID): Event => ({ type: 'cpu_access', pid, start, pages, access: 'read' });
const toDev = (pages = N, start = 0): Event => ({ type: 'hmm_migrate_to_dev', pid: PID, start, pages, device: 0 });
const toSys = (pages = N, start = 0): Event => ({ type: 'hmm_migrate_to_sys', pid: PID, start, pages, device: 0 });
const munmap = (start: number, pages: number): Event => ({ type: 'munmap', pid: PID, start, pages });
const ok = (cpages: number, data?: Expectation['data']): Expectation => ({ ret: '0', cpages, ...(data ? { data } : {}) });
const flags: Event = { type: 'hmm_flags', device: 0, failAlloc: true };

/** migrate_partial_unmap_fault: migrate, munmap half at `offset`, the CPU reads what is still mapped. */
function partialUnmap(useThp: boolean, offset: number): Scenario {
  const half = N / 2;
  const reads: Step[] = [];
  if (offset > 0) reads.push([read(offset, 0), { data: 'index' }]);
  if (offset + half < N) reads.push([read(N - offset - half, offset + half), { data: 'index', base: offset + half }]);
  return hmm('hmm_migrate_partial_unmap_fault', `hmm: migrate_partial_unmap_fault (${useThp ? 'THP' : 'MADV_NOHUGEPAGE'}, offset ${offset === 0 ? '0' : offset === N / 4 ? 'size/4' : 'size/2'})`,
    `Migrate 2 MiB to the device, munmap 1 MiB at offset ${offset * 4} KiB${useThp ? ': the device-private PMD splits into 512 device-private PTEs' : ''}, then read what is left: each fault is order 0 and splits the device folio first (migrate_vma_split_folio).`, [
      [mmap()], [huge(useThp ? 'hugepage' : 'nohugepage')], [write()], [toDev(), ok(N, 'index')], [munmap(offset, half)], ...reads,
    ]);
}

/** migrate_remap_fault: mremap to map + size + offset before or after the migration, then read at the new address. */
function remap(before: boolean, dontunmap: boolean, offset: number, name: string): Scenario {
  const mv: Event = { type: 'mremap', pid: PID, start: 0, pages: N, to: N + offset, ...(dontunmap ? { dontunmap: true } : {}) };
  const steps: Step[] = before
    ? [[mmap()], [huge()], [write()], [mv, { ret: '0' }], [toDev(N, N + offset), ok(N, 'index')], [read(N, N + offset), { data: 'index' }]]
    : [[mmap()], [huge()], [write()], [toDev(), ok(N, 'index')], [mv, { ret: '0' }], [read(N, N + offset), { data: 'index' }]];
  return hmm(`hmm_migrate_remap_fault_${name}`, `hmm: migrate_remap_fault (${before ? 'mremap first' : 'migrate first'}${dontunmap ? ', MREMAP_DONTUNMAP' : ''}, offset ${offset === 0 ? '0' : 'size/4'})`,
    offset === 0
      ? 'The destination is 2 MiB aligned: move_huge_pmd moves the PMD whole (a device-private PMD is not marked soft-dirty).'
      : `The destination is not aligned: move_page_tables splits the PMD first (every moved PTE is marked soft-dirty)${before ? ', and the unaligned range then migrates as 4 KiB pages' : ''}.`,
    steps, { setup: hmmSetup(3 * N) });
}

export function hmmThpScenarios(): Scenario[] {
  return [
    hmm('hmm_migrate_anon_huge_empty', 'hmm: migrate_anon_huge_empty', 'A PROT_READ MADV_HUGEPAGE buffer never touched: the aligned 2 MiB hole becomes one device-private READ PMD (migrate_vma_insert_huge_pmd_page).', [
      [mmap('read')], [huge()], [toDev(), ok(N, 'zero')],
    ]),
    hmm('hmm_migrate_anon_huge_zero', 'hmm: migrate_anon_huge_zero', 'A read maps the huge zero PMD, which migrate_vma treats as a hole: a device-private READ PMD; the CPU reads it back as a READ_EXCLUSIVE migration PMD, then a read-only THP of zeros.', [
      [mmap('read')], [huge()], [read(), { data: 'zero' }], [toDev(), ok(N, 'zero')], [read(), { data: 'zero' }],
    ]),
    hmm('hmm_migrate_anon_huge_free', 'hmm: migrate_anon_huge_free', 'A written THP moves to the device as one device-private WRITE PMD; MADV_FREE then leaves the non-present PMD alone.', [
      [mmap()], [huge()], [write()], [toDev(), ok(N, 'index')], [{ type: 'madvise', pid: PID, start: 0, pages: N, advice: 'free' }, { ret: '0' }],
    ]),
    hmm('hmm_migrate_anon_huge_fault', 'hmm: migrate_anon_huge_fault', 'MADV_COLLAPSE makes a THP of 512 written pages; it moves to the device as one PMD: SNAPSHOT reports DEV_PRIVATE_LOCAL|WRITE|PMD and pagemap PM_SWAP for every page; the CPU reads it back.', [
      [mmap()], [write()], [{ type: 'madvise', pid: PID, start: 0, pages: N, advice: 'collapse' }, { ret: '0' }], [toDev(), ok(N, 'index')],
      [{ type: 'hmm_snapshot', pid: PID, start: 0, pages: N, device: 0 }, { ret: '0', protEvery: 'DEV_PRIVATE_LOCAL|WRITE|PMD' }],
      [{ type: 'pagemap_read', pid: PID, start: 0, pages: N }, { ret: '0', pagemap: 'swap' }],
      [read(), { data: 'index' }],
    ]),
    partialUnmap(true, N / 4),
    remap(false, false, 0, 'thp'),
    remap(true, true, 0, 'thp_dontunmap'),
    hmm('hmm_migrate_anon_huge_err', 'hmm: migrate_anon_huge_err', 'FAIL_ALLOC makes the device\'s 2 MiB allocation fail once: the THP moves as 512 small device pages; then, remapped and moved as a THP, FAIL_ALLOC makes the way back fall back to 512 small RAM pages.', [
      [mmap()], [huge()], [write()], [flags, { ret: '0' }], [toDev(), ok(N, 'index')], [read(3), { data: 'index' }],
      [munmap(0, N)], [mmap()], [huge()], [write()], [toDev(), ok(N, 'index')], [flags, { ret: '0' }], [toSys(), { ret: '0' }], [read(3), { data: 'index' }],
    ]),
    hmm('hmm_migrate_anon_huge_zero_err', 'hmm: migrate_anon_huge_zero_err', 'FAIL_ALLOC on a PROT_READ hole: 512 × migrate_vma_insert_page, device-private READ PTEs; then the huge zero PMD is split by the first migrate_vma_insert_page.', [
      [mmap('read')], [huge()], [flags, { ret: '0' }], [toDev(), ok(N, 'zero')], [read(3), { data: 'zero' }],
      [munmap(0, N)], [mmap('read')], [huge()], [read(1), { data: 'zero' }], [flags, { ret: '0' }], [toDev(), ok(N, 'zero')], [read(), { data: 'zero' }],
    ]),
    hmm('hmm_anon_write_child_thp', 'hmm: anon_write_child (THP, migrate)', 'A device-private WRITE PMD, fork: both become READ PMDs (soft-dirty kept); the child\'s read brings both mappings back to one read-only THP; the child\'s device write breaks COW; the parent keeps its data.', [
      [mmap()], [huge()], [write()], [toDev(), ok(N, 'index')],
      [{ type: 'fork', pid: PID }], [read(N, 0, CHILD), { data: 'index' }], [{ type: 'hmm_write', pid: CHILD, start: 0, pages: N, device: 0 }, { ret: '0', cpages: N }],
      [read(N, 0, CHILD), { data: 'neg-index' }], [{ type: 'exit', pid: CHILD }], [read(), { data: 'index' }],
    ]),
    hmm('hmm_anon_write_huge', 'hmm: anon_write_huge', 'No migration: HMM_DMIRROR_WRITE on an untouched MADV_HUGEPAGE range faults in one THP (hmm_range_fault with write) and the device writes it; the CPU sees the device\'s data.', [
      [mmap()], [huge()], [{ type: 'hmm_write', pid: PID, start: 0, pages: N, device: 0 }, { ret: '0', cpages: N }], [read(), { data: 'neg-index' }],
    ]),
  ];
}
