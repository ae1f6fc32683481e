/**
 * Every function a trace may name, with the file it lives in (the profile's tag picks the version).
 * A trace entry is a real kernel (or lib/test_hmm.c driver) function, or "hardware" for what the MMU
 * does without a fault. The tests check every trace against this list.
 */
export const KERNEL_FUNCTIONS: Readonly<Record<string, string>> = {
  // mm/memory.c: faults, fork, zap
  handle_mm_fault: 'mm/memory.c', handle_pte_fault: 'mm/memory.c', do_anonymous_page: 'mm/memory.c', map_anon_folio_pte_nopf: 'mm/memory.c',
  set_pte_at: 'include/linux/pgtable.h', do_cow_fault: 'mm/memory.c', do_read_fault: 'mm/memory.c', do_shared_fault: 'mm/memory.c',
  finish_fault: 'mm/memory.c', do_wp_page: 'mm/memory.c', wp_can_reuse_anon_folio: 'mm/memory.c', wp_page_reuse: 'mm/memory.c',
  wp_page_copy: 'mm/memory.c', do_swap_page: 'mm/memory.c', remove_device_exclusive_entry: 'mm/memory.c', restore_exclusive_pte: 'mm/memory.c',
  try_restore_exclusive_pte: 'mm/memory.c', handle_pte_marker: 'mm/memory.c', pte_marker_handle_uffd_wp: 'mm/memory.c',
  copy_page_range: 'mm/memory.c', copy_present_ptes: 'mm/memory.c', __copy_present_ptes: 'mm/memory.c', copy_present_page: 'mm/memory.c',
  copy_nonpresent_pte: 'mm/memory.c', copy_pte_marker: 'mm/memory.c', wrprotect_ptes: 'include/linux/pgtable.h', zap_pte_range: 'mm/memory.c',
  unmap_vmas: 'mm/memory.c',
  // the driver's migrate_to_ram hook (struct dev_pagemap_ops)
  migrate_to_ram: 'include/linux/memremap.h',
  // mm/migrate.c, mm/migrate_device.c, mm/rmap.c
  migration_entry_wait: 'mm/migrate.c', remove_migration_ptes: 'mm/migrate.c', remove_migration_pte: 'mm/migrate.c', migrate_pages: 'mm/migrate.c',
  migrate_folio_unmap: 'mm/migrate.c', try_split_folio: 'mm/migrate.c', migrate_folio_move: 'mm/migrate.c', move_to_new_folio: 'mm/migrate.c', migrate_folio: 'mm/migrate.c',
  folio_migrate_mapping: 'mm/migrate.c',
  migrate_vma_setup: 'mm/migrate_device.c', migrate_vma_collect: 'mm/migrate_device.c', migrate_vma_collect_pmd: 'mm/migrate_device.c',
  migrate_vma_unmap: 'mm/migrate_device.c', migrate_device_unmap: 'mm/migrate_device.c', migrate_vma_check_page: 'mm/migrate_device.c',
  migrate_vma_pages: 'mm/migrate_device.c', migrate_device_pages: 'mm/migrate_device.c', migrate_vma_insert_page: 'mm/migrate_device.c',
  migrate_vma_finalize: 'mm/migrate_device.c', migrate_device_finalize: 'mm/migrate_device.c', __migrate_device_finalize: 'mm/migrate_device.c',
  migrate_device_range: 'mm/migrate_device.c',
  try_to_migrate: 'mm/rmap.c', try_to_migrate_one: 'mm/rmap.c', try_to_unmap: 'mm/rmap.c', try_to_unmap_one: 'mm/rmap.c',
  make_device_exclusive: 'mm/rmap.c', swp_pte_prepare: 'mm/rmap.c',
  // mm/mprotect.c, userfaultfd, madvise, mmap
  mprotect_fixup: 'mm/mprotect.c', change_protection: 'mm/mprotect.c', change_pte_range: 'mm/mprotect.c', change_softleaf_pte: 'mm/mprotect.c',
  pte_modify: 'arch/x86/include/asm/pgtable.h',
  mwriteprotect_range: 'mm/userfaultfd.c', uffd_wp_range: 'mm/userfaultfd.c', mfill_atomic_pte_poison: 'mm/userfaultfd.c',
  madvise_guard_install: 'mm/madvise.c', do_mmap: 'mm/mmap.c', do_vmi_munmap: 'mm/vma.c', dup_mmap: 'mm/mmap.c', exit_mmap: 'mm/mmap.c',
  // GUP, memory failure, reclaim, swap
  get_user_pages: 'mm/gup.c', pin_user_pages: 'mm/gup.c', folio_put: 'include/linux/mm.h', memory_failure: 'mm/memory-failure.c',
  shrink_folio_list: 'mm/vmscan.c', pageout: 'mm/vmscan.c', add_to_swap: 'mm/swap_state.c', swap_cache_get_folio: 'mm/swap_state.c',
  swapin_readahead: 'mm/swap_state.c', swap_free: 'mm/swapfile.c', alloc_page: 'include/linux/gfp.h',
  // swapops.h helpers
  swp_entry_to_pte: 'include/linux/swapops.h', make_pte_marker: 'include/linux/swapops.h',
  make_migration_entry_young: 'include/linux/swapops.h', make_migration_entry_dirty: 'include/linux/swapops.h',
  make_readable_migration_entry: 'include/linux/swapops.h', make_readable_exclusive_migration_entry: 'include/linux/swapops.h',
  make_writable_migration_entry: 'include/linux/swapops.h', make_readable_device_private_entry: 'include/linux/swapops.h',
  make_writable_device_private_entry: 'include/linux/swapops.h', make_device_exclusive_entry: 'include/linux/swapops.h',
  make_hwpoison_entry: 'include/linux/swapops.h',
  make_readable_migration_device_private_entry: 'include/linux/swapops.h (RFC 4/6)',
  make_writable_migration_device_private_entry: 'include/linux/swapops.h (RFC 4/6)',
  make_device_migration_readable_exclusive_migration_entry: 'include/linux/swapops.h (RFC 4/6)',
  make_readable_exclusive_migration_device_private_entry: 'include/linux/swapops.h (series v6 07/13)',
  make_readable_migration_entry_from_page: 'include/linux/swapops.h (series v6 06/13)',
  make_readable_exclusive_migration_entry_from_page: 'include/linux/swapops.h (series v6 06/13)',
  make_writable_migration_entry_from_page: 'include/linux/swapops.h (series v6 06/13)',
  make_readable_device_private_entry_from_page: 'include/linux/swapops.h (series v6 10/13)',
  make_writable_device_private_entry_from_page: 'include/linux/swapops.h (series v6 10/13)',
  // lib/test_hmm.c, the reference driver
  dmirror_devmem_fault: 'lib/test_hmm.c', dmirror_devmem_fault_alloc_and_copy: 'lib/test_hmm.c', dmirror_migrate_alloc_and_copy: 'lib/test_hmm.c',
  dmirror_migrate_finalize_and_map: 'lib/test_hmm.c', dmirror_device_evict_chunk: 'lib/test_hmm.c', dmirror_device_remove_chunks: 'lib/test_hmm.c',
  dmirror_migrate_to_device: 'lib/test_hmm.c', dmirror_migrate_to_system: 'lib/test_hmm.c', dmirror_do_read: 'lib/test_hmm.c',
  dmirror_exclusive: 'lib/test_hmm.c', dmirror_check_atomic: 'lib/test_hmm.c', dmirror_write: 'lib/test_hmm.c', dmirror_read: 'lib/test_hmm.c',
  dmirror_snapshot: 'lib/test_hmm.c', dmirror_interval_invalidate: 'lib/test_hmm.c', hmm_range_fault: 'mm/hmm.c',
  dmirror_fops_unlocked_ioctl: 'lib/test_hmm.c',
  // the PMD level: THP faults, splits, fork/mprotect/zap/mremap of huge PMDs (mm/huge_memory.c and callers)
  create_huge_pmd: 'mm/memory.c', wp_huge_pmd: 'mm/memory.c',
  do_huge_pmd_anonymous_page: 'mm/huge_memory.c', vma_alloc_anon_folio_pmd: 'mm/huge_memory.c', map_anon_folio_pmd_nopf: 'mm/huge_memory.c',
  map_anon_folio_pmd_pf: 'mm/huge_memory.c', set_huge_zero_folio: 'mm/huge_memory.c', do_huge_pmd_wp_page: 'mm/huge_memory.c',
  do_huge_zero_wp_pmd: 'mm/huge_memory.c', do_huge_pmd_device_private: 'mm/huge_memory.c', set_pmd_migration_entry: 'mm/huge_memory.c',
  remove_migration_pmd: 'mm/huge_memory.c', __split_huge_pmd: 'mm/huge_memory.c', __split_huge_pmd_locked: 'mm/huge_memory.c',
  split_huge_pmd_address: 'mm/huge_memory.c', __split_huge_zero_page_pmd: 'mm/huge_memory.c', vma_adjust_trans_huge: 'mm/huge_memory.c',
  copy_huge_pmd: 'mm/huge_memory.c', copy_huge_non_present_pmd: 'mm/huge_memory.c', change_huge_pmd: 'mm/huge_memory.c',
  change_non_present_huge_pmd: 'mm/huge_memory.c', zap_huge_pmd: 'mm/huge_memory.c', move_huge_pmd: 'mm/huge_memory.c',
  madvise_free_huge_pmd: 'mm/huge_memory.c', folio_split_unmapped: 'mm/huge_memory.c',
  split_folio: 'include/linux/huge_mm.h', split_folio_to_list: 'include/linux/huge_mm.h', split_huge_pmd: 'include/linux/huge_mm.h',
  try_to_split_thp_page: 'mm/memory-failure.c',
  pmdp_invalidate: 'mm/pgtable-generic.c', pmdp_huge_get_and_clear: 'include/linux/pgtable.h', set_pmd_at: 'arch/x86/include/asm/pgtable.h',
  pmdp_set_wrprotect: 'arch/x86/include/asm/pgtable.h',
  folio_remove_rmap_pmd: 'mm/rmap.c', folio_add_anon_rmap_ptes: 'mm/rmap.c', pmd_migration_entry_wait: 'mm/migrate.c',
  migrate_vma_collect_huge_pmd: 'mm/migrate_device.c', migrate_vma_collect_hole: 'mm/migrate_device.c',
  migrate_vma_split_unmapped_folio: 'mm/migrate_device.c', migrate_vma_split_folio: 'mm/migrate_device.c',
  migrate_vma_insert_huge_pmd_page: 'mm/migrate_device.c',
  hugepage_madvise: 'mm/khugepaged.c', madvise_collapse: 'mm/khugepaged.c', collapse_huge_page: 'mm/khugepaged.c',
  madvise_free_single_vma: 'mm/madvise.c', madvise_free_pte_range: 'mm/madvise.c',
  mremap: 'mm/mremap.c', move_page_tables: 'mm/mremap.c', move_ptes: 'mm/mremap.c',
  pagemap_read: 'fs/proc/task_mmu.c',
};

export function isKernelFunction(name: string): boolean {
  return name === 'hardware' || Object.prototype.hasOwnProperty.call(KERNEL_FUNCTIONS, name);
}
