/**
 * The built-in lessons, in the order of the concepts: a swap entry inside a PTE, the type numbers,
 * migration entries, the device round trip, fork and mprotect, why the series adds three types,
 * PROT_NONE and SavedDirty. Every number in a text is a placeholder (text.ts); every stop is checked
 * against the model under the kernel it names (src/derive/lesson.test.ts).
 *
 * Lesson ids are part of share links: never rename one. Stops may be added at the end.
 */
import type { Lesson } from './types.ts';

const P2 = { pid: 1, index: 2 };

const pte = (pid: number, index: number) => ({ kind: 'pte', pid, index }) as const;
const field = (id: string) => ({ kind: 'field', id }) as const;
const row = (name: string) => ({ kind: 'type-row', name }) as const;
const fn = (name: string) => ({ kind: 'trace', fn: name }) as const;
const link = (pid: number, index: number) => ({ kind: 'pfn-link', pid, index }) as const;

const v618 = { profile: 'v6.18' } as const;
const rfc = { profile: 'rfc' } as const;

export const LESSONS: readonly Lesson[] = [
  {
    id: 'swap-entry',
    title: 'A swap entry inside a PTE',
    summary: 'Type bits, the inverted offset and why (L1TF), the flag bits, the bits that must stay clear, and swp_entry_t.',
    stops: [
      {
        scenario: 'S20', step: 1, kernel: v618,
        title: 'A present PTE, about to be swapped out',
        text: '{at} of pid {pid} maps a page: `_PAGE_PRESENT` ({bits:present}) is set and the frame number is {pfn}. '
          + 'Reclaim is about to write the page to a swap device and unmap it. With the present bit clear the MMU ignores every other bit, '
          + 'so the kernel uses them to remember where the page went: which swap device (the swap type, {bits:swap.type}) '
          + 'and which slot on it (the offset, {bits:swap.offset}). Swap devices are numbered from zero, in the order they were enabled.',
        highlight: [pte(1, 1), field('present')],
        question: { kind: 'type-number', prompt: 'Reclaim uses the first swap device. Which swap type number will {at} hold after the next step?' },
      },
      {
        scenario: 'S20', step: 2, kernel: v618,
        title: 'The type and the inverted offset',
        text: '`try_to_unmap_one()` replaced the PTE with {pte}. The type, in {bits:type}, is {typenum}: a real swap device, '
          + 'because it is below MAX_SWAPFILES ({max_swapfiles}). The slot is {field:offset}, yet {bits:offset} store {stored:offset}: '
          + 'x86 keeps the offset bitwise inverted. The reason is L1 Terminal Fault (L1TF): a CPU may speculatively treat a non-present PTE '
          + 'as if it held a physical address. Inverted, a small offset looks like a huge address where no cached RAM lives, so nothing leaks. '
          + '`pte_to_swp_entry()` undoes the inversion.',
        highlight: [field('type'), field('offset'), fn('try_to_unmap_one')],
      },
      {
        scenario: 'S20', step: 2, kernel: v618,
        title: 'Flag bits, bits that must stay clear, and swp_entry_t',
        text: 'Below the offset sit flags that are not part of the entry: soft-dirty ({bits:softdirty}), uffd-wp ({bits:uffd}) and exclusive '
          + '({bits:exclusive}: the page was not shared, so swap-in may map it writable without a copy). Other bits must stay clear: '
          + '{bits:protnone} is `_PAGE_PROTNONE` (set, `pte_present()` would see a PROT_NONE page), {bits:pse} is `_PAGE_PSE`, and '
          + '{bits:knl} are the A/D bits that Knights Landing CPUs may set on their own. `pte_to_swp_entry()` strips the flags and gives the '
          + 'arch-independent `swp_entry_t` {swp_entry}: type on top, offset below. It is never stored in a page table.',
        highlight: [field('softdirty'), field('uffd'), field('exclusive'), field('protnone'), field('pse'), field('knl')],
      },
      {
        scenario: 'S21', step: 2, kernel: v618,
        title: 'fork() shares the slot',
        text: 'The same swapped-out page, and now the process forks. The child gets a copy of the page table: both PTEs will name the same slot, '
          + 'and `copy_nonpresent_pte()` raises the slot\'s count with `swap_duplicate()`. A slot that two processes share is no longer '
          + 'exclusive to either of them.',
        highlight: [pte(1, 1), field('exclusive')],
        question: { kind: 'bits', prompt: 'Mark the bits of {at} that fork() changes in the bit layout (or none), then check.' },
      },
      {
        scenario: 'S21', step: 3, kernel: v618,
        title: 'Parent and child, one entry',
        text: 'The parent\'s exclusive bit ({bits:exclusive}) is clear now, and the child\'s copy, {at:2.1}, holds the same value, {pte}. '
          + 'Both give the same `swp_entry_t`, {swp_entry}: type {typenum}, slot {field:offset}. Whichever process touches the page first, '
          + '`do_swap_page()` reads it back from that slot.',
        highlight: [pte(1, 1), pte(2, 1), field('exclusive'), fn('copy_nonpresent_pte')],
      },
    ],
  },
  {
    id: 'type-numbers',
    title: 'Special types and their numbers',
    summary: 'The type table, MAX_SWAPFILES, and how config options move the numbers (MIGRATION=n forces the other two off).',
    stops: [
      {
        scenario: 'S22', step: 1, kernel: v618, panel: 'types',
        title: 'The type table',
        text: 'The type field has {const:MAX_SWAPFILES_SHIFT} bits. `include/linux/swap.h` hands the numbers out from the top: '
          + 'the PTE marker gets {type:SWP_PTE_MARKER}, then come the device-private block, the migration block, and hwpoison at '
          + '{type:SWP_HWPOISON}. What is left below, {swapfiles}, is for real swap devices: MAX_SWAPFILES is {max_swapfiles}. '
          + 'The selected PTE holds a marker: type {typenum}, no page behind it, only marker bits in the offset ({field:marker}).',
        highlight: [row('SWP_PTE_MARKER'), row('SWP_HWPOISON'), pte(1, 1)],
      },
      {
        scenario: 'S19', step: 1, kernel: rfc, panel: 'types',
        title: 'A memory error',
        text: 'A memory error is about to hit the page that {at} maps. `memory_failure()` unmaps it with `try_to_unmap_one()` and leaves '
          + 'a hwpoison entry behind, so the next access gets SIGBUS instead of reading broken memory. '
          + 'The type table shows the numbers of {profile}.',
        highlight: [pte(1, 1)],
        question: { kind: 'type-number', prompt: 'Which type number will {at} hold after the memory error?' },
      },
      {
        scenario: 'S19', step: 2, kernel: rfc,
        title: 'Hwpoison sits at MAX_SWAPFILES',
        text: 'The hwpoison entry is type {typenum}, the lowest special number, equal to MAX_SWAPFILES ({max_swapfiles}). Its offset is '
          + 'the PFN of the broken page, {field:pfn}. Under {profile@v6.18} the same entry is type {type:SWP_HWPOISON@v6.18}: the series '
          + 'adds device types at the top of the table, so every block below them moves down, hwpoison included, while the PTE marker '
          + 'keeps {type:SWP_PTE_MARKER}.',
        highlight: [row('SWP_HWPOISON'), field('type'), field('pfn')],
      },
      {
        scenario: 'S14', step: 1, kernel: { profile: 'v6.18', off: ['DEVICE_PRIVATE'] }, panel: 'types',
        title: 'Config options move the numbers',
        text: 'This kernel is built with CONFIG_DEVICE_PRIVATE=n: there is no device-private memory, so the device block is empty '
          + '(SWP_DEVICE_NUM is {count:SWP_DEVICE_NUM}) and MAX_SWAPFILES grows to {max_swapfiles}. Blocks above the missing one keep their '
          + 'numbers; blocks below it move up. Next, `migrate_pages()` unmaps this writable page and leaves a writable migration entry.',
        highlight: [row('SWP_MIGRATION_WRITE'), pte(1, 1)],
        question: { kind: 'type-number', prompt: 'Which type number will that migration entry get in this kernel?' },
      },
      {
        scenario: 'S22', step: 1, kernel: { profile: 'v6.18', off: ['MIGRATION'] }, panel: 'types',
        title: 'MIGRATION=n takes the others with it',
        text: 'Now CONFIG_MIGRATION=n. Kconfig does not allow the other two options without it: {forced}. With only the PTE marker left, '
          + 'MAX_SWAPFILES is {max_swapfiles}, and the marker keeps {type:SWP_PTE_MARKER}: the one special type whose number never moves. '
          + 'The uffd-wp marker in {at} means the same in every configuration.',
        highlight: [row('SWP_PTE_MARKER'), pte(1, 1)],
      },
    ],
  },
  {
    id: 'migration',
    title: 'Migration entries',
    summary: 'The PFN in the offset, young and dirty above it, and machines that cannot carry them.',
    stops: [
      {
        scenario: 'S14', step: 1, kernel: v618,
        title: 'A page about to move',
        text: '{at} maps a writable, young, dirty page ({summary}). `migrate_pages()` is about to move it to another RAM page. '
          + 'While the data is copied nobody may write to it, so `try_to_migrate_one()` replaces the PTE with a migration entry: '
          + 'a swap-style entry whose offset holds the page\'s own PFN, so that a fault can find the page and wait for it.',
        highlight: [pte(1, 1)],
        question: { kind: 'helper', prompt: 'Which helper builds that migration entry?' },
      },
      {
        scenario: 'S14', step: 2, kernel: v618,
        title: 'The PFN in the offset, A/D above it',
        text: 'The entry is {summary}. Its offset carries the PFN, {field:pfn}, in the low {const:SWP_PFN_BITS} bits ({bits:pfn}; '
          + 'SWP_PFN_BITS follows MAX_PHYSMEM_BITS). Right above them, SWP_MIG_YOUNG ({bits:mig-young}) and SWP_MIG_DIRTY ({bits:mig-dirty}) '
          + 'remember that the PTE was young and dirty, so the new PTE can be too. The type, {typename}, says the mapping was writable.',
        highlight: [field('pfn'), field('mig-young'), field('mig-dirty'), fn('try_to_migrate_one')],
        question: { kind: 'bits', prompt: 'A CPU reads the page while it moves. Which bits of {at} change? Mark them (or none), then check.' },
      },
      {
        scenario: 'S14', step: 3, kernel: v618,
        title: 'A fault waits',
        text: 'The fault found a migration entry and slept in `migration_entry_wait()` until the page was unlocked; the PTE did not change. '
          + 'When the move is done, `remove_migration_pte()` builds a present PTE for the new page from the entry: writable because the type '
          + 'says so, young and dirty because the entry\'s A/D bits say so.',
        highlight: [fn('migration_entry_wait'), field('mig-young'), field('mig-dirty')],
      },
      {
        scenario: 'S15', step: 2, kernel: v618,
        title: 'The restore path',
        text: 'Here a driver wants the page on its device, but someone holds an extra reference (`get_user_pages()`), so '
          + '`migrate_vma_setup()` cannot move it. It still installs a migration entry first; then `migrate_vma_check_page()` finds the '
          + 'reference and `remove_migration_ptes(folio, folio)` maps the same page again, with the A/D bits taken from the entry.',
        highlight: [pte(1, 1), fn('get_user_pages')],
        question: { kind: 'bits', prompt: 'Which bits of {at} will differ after `migrate_vma_setup()`? Mark them (or none), then check.' },
      },
      {
        scenario: 'S16', step: 2, kernel: { profile: 'v6.18', migrationAd: false },
        title: 'A machine that cannot carry A/D',
        text: 'The same steps on another machine: here `migration_entry_supports_ad()` is false. It is decided at boot: on a CPU with the L1TF '
          + 'mitigation the usable swap offset is capped, and when the cap leaves no room above the PFN, `make_migration_entry_young()` and '
          + '`make_migration_entry_dirty()` leave the entry as it is. {at} is {pte} now.',
        highlight: [pte(1, 1)],
        question: { kind: 'value', prompt: 'What raw value will {at} hold after `migrate_vma_setup()` restores it? Type it in hex.' },
      },
      {
        scenario: 'S16', step: 3, kernel: { profile: 'v6.18', migrationAd: false },
        title: 'Old and clean',
        text: 'The page came back old (`_PAGE_ACCESSED`, {bits:accessed}, clear) and clean (`_PAGE_DIRTY`, {bits:dirty}, clear): the entry had no '
          + 'A/D bits to copy back. Nothing is lost: the folio itself is still marked dirty, so reclaim writes it out; the PTE only lost the '
          + 'hint that it was recently used.',
        highlight: [field('accessed'), field('dirty'), fn('remove_migration_pte')],
      },
    ],
  },
  {
    id: 'device',
    title: 'The device round trip',
    summary: 'migrate_vma_setup, _pages and _finalize; device-private entries; the CPU fault that brings the page back old and clean.',
    stops: [
      {
        scenario: 'S02', step: 1, kernel: v618,
        title: 'Three calls move a page to the device',
        text: 'A driver moves pages to its memory in three calls. `migrate_vma_setup()` collects the pages and replaces each PTE with a '
          + 'migration entry; the driver then allocates device pages and copies the data; `migrate_vma_pages()` moves the struct page state; '
          + '`migrate_vma_finalize()` replaces each migration entry with what the page has become. Device-private memory is not '
          + 'CPU-addressable, so that is not a present PTE.',
        highlight: [pte(1, 1)],
        question: { kind: 'helper', prompt: '`migrate_vma_setup()` runs next. Which helper builds the entry for {at}?' },
      },
      {
        scenario: 'S02', step: 2, kernel: v618,
        title: 'Collected',
        text: '`migrate_vma_collect_pmd()` cleared the PTE and installed {summary}: the same kind of migration entry that `migrate_pages()` '
          + 'uses, with the RAM PFN {field:pfn} and the A/D bits. The driver now copies the data; `migrate_vma_pages()` does not touch the PTE.',
        highlight: [fn('migrate_vma_collect_pmd'), field('pfn'), field('mig-young'), field('mig-dirty')],
      },
      {
        scenario: 'S02', step: 3, kernel: v618,
        title: 'Finalize',
        text: 'The data is on the device page. `migrate_vma_finalize()` calls `remove_migration_ptes()` for every page; for each migration '
          + 'entry, `remove_migration_pte()` builds what would be a present PTE for the new page, sees that the page is device-private, and '
          + 'puts a device-private entry there instead: writable if the PTE would have been writable.',
        highlight: [pte(1, 1), fn('migrate_vma_pages')],
        question: { kind: 'type-name', prompt: 'Which type will {at} hold after `migrate_vma_finalize()`?' },
      },
      {
        scenario: 'S02', step: 4, kernel: v618,
        title: 'A device-private entry',
        text: '{at} holds {summary}. Its offset names the device page, {field:pfn}; before the series a device page takes its PFN from a '
          + 'hole in the physical address space (the PFN view shows where). No A/D bits survive. Any CPU access, read or write, faults into '
          + '`do_swap_page()`, which calls the driver\'s `migrate_to_ram()`: it starts the same three calls in the other direction.',
        highlight: [row('SWP_DEVICE_WRITE'), field('pfn'), link(1, 1), fn('make_writable_device_private_entry')],
        question: { kind: 'bits', prompt: 'A CPU reads the page. Which bits of {at} does the fault\'s `migrate_vma_setup()` change? Mark them, then check.' },
      },
      {
        scenario: 'S02', step: 7, kernel: v618,
        title: 'Back in RAM, old and clean',
        text: 'The fault brought the page back: the migration entry made from the device-private entry had no A/D bits (a non-present PTE '
          + 'has none to copy), the data went to a new RAM page, and finalize mapped it. {at} maps PFN {pfn}: writable, but old '
          + '({bits:accessed} clear) and clean ({bits:dirty} clear). Soft-dirty ({bits:softdirty}) survived the whole trip.',
        highlight: [field('accessed'), field('dirty'), field('softdirty'), fn('remove_migration_pte')],
      },
    ],
  },
  {
    id: 'fork-mprotect',
    title: 'fork and mprotect rewrite entries',
    summary: 'Which transitions downgrade the type, and which drop soft-dirty.',
    stops: [
      {
        scenario: 'S06', step: 2, kernel: v618,
        title: 'fork() meets a migration entry',
        text: '{at} holds a writable migration entry ({typename}) while its page moves to the device, and the process forks. '
          + '`copy_nonpresent_pte()` copies the entry to the child. Left writable, it would let whichever process faults first map the '
          + 'page writable, although two processes now share it.',
        highlight: [pte(1, 1), field('type')],
        question: { kind: 'type-name', prompt: 'Which type will the parent\'s {at} hold after fork()?' },
      },
      {
        scenario: 'S06', step: 3, kernel: v618,
        title: 'Downgraded in both',
        text: 'Parent and child now hold {summary}: `copy_nonpresent_pte()` rebuilt the entry as a readable one with `{ctor:SWP_MIGRATION_READ}()` '
          + 'and copied it. The offset (PFN {field:pfn} with its A/D bits) and soft-dirty are kept. A read-exclusive entry is downgraded the '
          + 'same way: after fork the page is shared.',
        highlight: [pte(1, 1), pte(2, 1), fn('copy_nonpresent_pte'), field('type')],
      },
      {
        scenario: 'S11', step: 2, kernel: v618,
        title: 'mprotect() meets a migration entry',
        text: 'The same writable migration entry, but this time the process calls mprotect(PROT_READ). `change_pte_range()` cannot clear a '
          + 'write bit in an entry that has none, so it changes the type instead. Unlike after fork, the page is still mapped by this '
          + 'process only.',
        highlight: [pte(1, 1), field('type')],
        question: { kind: 'type-name', prompt: 'Which type will {at} hold after mprotect(PROT_READ)?' },
      },
      {
        scenario: 'S08', step: 4, kernel: v618,
        title: 'fork() meets a device-private entry',
        text: 'Now the page lives on the device: {at} holds {summary}, soft-dirty set ({bits:softdirty}). On fork, '
          + '`copy_nonpresent_pte()` turns a writable device-private entry into a readable one in both processes, so that a later CPU fault '
          + 'knows the page is shared. On the way it drops soft-dirty, on purpose.',
        highlight: [field('softdirty'), field('type')],
        question: { kind: 'bits', prompt: 'Mark the bits of {at} that fork() changes, then check.' },
      },
      {
        scenario: 'S12', step: 5, kernel: v618,
        title: 'mprotect() does the same',
        text: '`mprotect()` rewrites a writable device-private entry the same way: {at} is {summary} now, soft-dirty dropped. '
          + 'A readable device-private entry is left as it is by both, soft-dirty included (scenario S09): only writable entries are '
          + 'downgraded, and only the downgrade loses soft-dirty.',
        highlight: [field('softdirty'), field('type'), fn('change_pte_range')],
      },
    ],
  },
  {
    id: 'two-spaces',
    title: 'Why the series adds three types',
    summary: 'One number, two PFN spaces: the SWP_MIGRATION_DEVICE_* types, compare mode, and the bug without them.',
    stops: [
      {
        scenario: 'S26', step: 5, kernel: rfc,
        title: 'Two spaces, one number',
        text: 'With the series, device pages no longer take PFNs from the physical address space: they live in their own device-private '
          + 'space, numbered from zero. The page of {at} went to the device, and its entry says {pfn}, an offset in that space. {at:1.2} maps '
          + 'the RAM page with PFN {pfn:1.2}: the same number, in the other space. Nothing in the number says which space it is in; '
          + 'the swap type does: {typename} always names a device offset.',
        highlight: [link(1, 1), link(1, 2), field('pfn')],
      },
      {
        scenario: 'S26', step: 5, kernel: rfc,
        title: 'The fault back',
        text: 'A CPU touches {at}. `do_swap_page()` calls the driver\'s `migrate_to_ram()`, which builds a migration entry for the device '
          + 'page. Before the series that was an ordinary writable migration entry, because its number was a real PFN. With the series '
          + 'the number is a device offset. Predict, then switch the kernel and predict again.',
        highlight: [pte(1, 1)],
        question: { kind: 'type-number', prompt: 'Which type number will {at} hold after the fault\'s `migrate_vma_setup()`?' },
      },
      {
        scenario: 'S26', step: 6, kernel: rfc, compare: true,
        title: 'One step, two kernels',
        text: 'Compare mode shows the step under {profile@v6.18} and under the RFC. Before the series {at} holds SWP_MIGRATION_WRITE '
          + '({type:SWP_MIGRATION_WRITE@v6.18}) with the device page\'s physical PFN. With it, {at} holds {typename} ({typenum}), one of '
          + 'the new SWP_MIGRATION_DEVICE types. They cost swap devices: MAX_SWAPFILES drops from {max_swapfiles@v6.18} to '
          + '{max_swapfiles@rfc}, and every special type below them is renumbered: only the PTE marker keeps its number.',
        highlight: [row('SWP_MIGRATION_DEVICE_WRITE'), field('type'), pte(1, 1)],
      },
      {
        scenario: 'X01', step: 6, kernel: { profile: 'no-new-types' },
        title: 'Without the new types',
        text: 'What if device pages got their own space but no new types? This hypothetical kernel shows it. The fault back built {summary}: '
          + 'a plain migration entry holding the device offset {pfn}. Everyone who reads a plain migration entry takes its number as a '
          + 'RAM PFN, so the entry now names the RAM page of {at:1.2}. The PFN view draws that link in red, and an invariant fails. '
          + 'The new types exist to prevent exactly this.',
        highlight: [link(1, 1), field('pfn'), field('type')],
      },
      {
        scenario: 'S26', step: 6, kernel: rfc, select: P2,
        title: 'Same number, other helper',
        text: '{at} maps the RAM page with PFN {pfn}, the same number as the device page. `migrate_pages()` is about to unmap it, '
          + 'and `try_to_migrate_one()` picks the constructor from the page: RAM or device-private.',
        highlight: [pte(1, 2), link(1, 2)],
        question: { kind: 'helper', prompt: 'Which helper builds the migration entry of {at}?' },
      },
    ],
  },
  {
    id: 'protnone',
    title: 'PROT_NONE and SavedDirty',
    summary: 'The present-side twin of the inverted offset, and where Dirty goes when a PTE is write-protected.',
    stops: [
      {
        scenario: 'S28', step: 1, kernel: v618,
        title: 'A present PTE',
        text: '{at} maps PFN {pfn}, stored as it is in {bits:pfn}. The process is about to call mprotect(PROT_NONE). A PROT_NONE page '
          + 'stays mapped but allows no access: x86 clears `_PAGE_PRESENT` ({bits:present}) so that the MMU faults, and sets '
          + '`_PAGE_PROTNONE` (the `_PAGE_GLOBAL` bit, {bits:global}) so that the kernel still sees a present page.',
        highlight: [field('pfn'), field('present'), field('global')],
      },
      {
        scenario: 'S28', step: 2, kernel: v618,
        title: 'The inverted PFN',
        text: 'Now the PTE is {pte}. `_PAGE_PRESENT` is clear, so L1TF applies here too: the CPU might speculate with the PFN bits. '
          + 'x86 therefore stores the PFN of every non-present, non-zero PTE inverted (`__pte_needs_invert()`): {bits:pfn} hold '
          + '{stored:pfn}, and `pte_pfn()` flips them back to {pfn}. The swap offset\'s trick, on the present side.',
        highlight: [field('pfn'), field('global'), field('present'), fn('pte_modify')],
      },
      {
        scenario: 'S28', step: 2, kernel: v618,
        title: 'And back',
        text: 'mprotect(PROT_READ|PROT_WRITE) is next. `change_pte_range()` calls `pte_modify()`, which keeps the PFN, A, D and soft-dirty, '
          + 'takes the rest from the new protection, and flips the PFN back because the PTE is present again.',
        highlight: [pte(1, 1)],
        question: { kind: 'value', prompt: 'What raw value will {at} hold? Type it in hex.' },
      },
      {
        scenario: 'S05', step: 1, kernel: v618,
        title: 'fork() and SavedDirty',
        text: 'Another process forks with a writable, dirty page mapped. Both PTEs become read-only, so that the first write copies the page '
          + '(copy-on-write). On x86 a PTE with Write clear and Dirty set marks a shadow-stack page, so the kernel never leaves a '
          + 'write-protected PTE dirty: it moves Dirty to `_PAGE_SAVED_DIRTY` instead.',
        highlight: [pte(1, 1), field('dirty'), field('rw')],
        question: { kind: 'bits', prompt: 'Mark the bits of the parent\'s {at} that fork() changes, then check.' },
      },
      {
        scenario: 'S05', step: 2, kernel: v618,
        title: 'Dirty, saved',
        text: 'The parent\'s PTE is {summary}: `_PAGE_RW` ({bits:rw}) and `_PAGE_DIRTY` ({bits:dirty}) are clear, `_PAGE_SAVED_DIRTY` '
          + '({bits:saveddirty}) is set, and `pte_dirty()` reads both bits, so the page is still dirty to the kernel. The child\'s PTE is also '
          + 'old. Like the inverted PFN, it keeps out of a PTE a bit pattern that the hardware would misread.',
        highlight: [field('saveddirty'), field('dirty'), field('rw'), pte(2, 1)],
      },
    ],
  },
];

/** A lesson by id. */
export function findLesson(id: string): Lesson | undefined {
  return LESSONS.find((l) => l.id === id);
}
