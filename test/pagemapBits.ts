/**
 * The /proc/PID/pagemap record's flag bits as fs/proc/task_mmu.c defines them, written out here for
 * the tests (not read from the model under test): PM_PRESENT 63, PM_SWAP 62, PM_FILE 61,
 * PM_GUARD_REGION 58, PM_UFFD_WP 57, PM_MMAP_EXCLUSIVE 56, PM_SOFT_DIRTY 55.
 */
export const PRESENT = 1n << 63n;
export const SWAP = 1n << 62n;
export const FILE = 1n << 61n;
export const GUARD = 1n << 58n;
export const UFFD = 1n << 57n;
export const EXCL = 1n << 56n;
export const SD = 1n << 55n;
