/**
 * /proc/kpageflags: one u64 of page flags per PFN (root only), after
 * include/uapi/linux/kernel-page-flags.h and fs/proc/page.c stable_page_flags(). A captured
 * snapshot carries the word of each present page's PFN; this names its bits.
 */

/**
 * Bit numbers: 0..26 are the stable uapi flags; 32.. are include/linux/kernel-page-flags.h's
 * "kernel hacking assistances", which fs/proc/page.c exports too and which may change. Named as in
 * 7.3.4: bit 34 is KPF_OWNER_2 (older kernels called it KPF_MAPPEDTODISK, after PG_mappedtodisk,
 * now an alias of PG_owner_2), and bit 39 (KPF_UNCACHED, PG_uncached) no longer exists.
 */
export const KPAGEFLAGS: readonly (readonly [name: string, bit: number])[] = [
  ['KPF_LOCKED', 0], ['KPF_ERROR', 1], ['KPF_REFERENCED', 2], ['KPF_UPTODATE', 3], ['KPF_DIRTY', 4], ['KPF_LRU', 5],
  ['KPF_ACTIVE', 6], ['KPF_SLAB', 7], ['KPF_WRITEBACK', 8], ['KPF_RECLAIM', 9], ['KPF_BUDDY', 10], ['KPF_MMAP', 11],
  ['KPF_ANON', 12], ['KPF_SWAPCACHE', 13], ['KPF_SWAPBACKED', 14], ['KPF_COMPOUND_HEAD', 15], ['KPF_COMPOUND_TAIL', 16],
  ['KPF_HUGE', 17], ['KPF_UNEVICTABLE', 18], ['KPF_HWPOISON', 19], ['KPF_NOPAGE', 20], ['KPF_KSM', 21], ['KPF_THP', 22],
  ['KPF_OFFLINE', 23], ['KPF_ZERO_PAGE', 24], ['KPF_IDLE', 25], ['KPF_PGTABLE', 26],
  ['KPF_RESERVED', 32], ['KPF_MLOCKED', 33], ['KPF_OWNER_2', 34], ['KPF_PRIVATE', 35], ['KPF_PRIVATE_2', 36],
  ['KPF_OWNER_PRIVATE', 37], ['KPF_ARCH', 38], ['KPF_SOFTDIRTY', 40], ['KPF_ARCH_2', 41], ['KPF_ARCH_3', 42],
];

const BY_NAME: ReadonlyMap<string, number> = new Map(KPAGEFLAGS);

/** The bit of a KPF_* name (throws for a name the kernel does not have). */
export function kpfBit(name: string): number {
  const b = BY_NAME.get(name);
  if (b === undefined) throw new RangeError(`${name} is not a /proc/kpageflags bit`);
  return b;
}

/** Whether a kpageflags word has the named flag. */
export function kpfTest(flags: bigint, name: string): boolean {
  return ((flags >> BigInt(kpfBit(name))) & 1n) === 1n;
}

/** The KPF_* names set in a word, low bit first. */
export function kpageflagNames(flags: bigint): string[] {
  return KPAGEFLAGS.filter(([, b]) => ((flags >> BigInt(b)) & 1n) === 1n).map(([n]) => n);
}
