/**
 * /proc/kpageflags bit names: include/uapi/linux/kernel-page-flags.h (0..26) and
 * include/linux/kernel-page-flags.h (32..42) of 7.3.4, written out here from the headers.
 */
import { describe, expect, it } from 'vitest';
import { KPAGEFLAGS, kpageflagNames, kpfBit, kpfTest } from './kpageflags.ts';

/** Every KPF_* #define of the two headers, in bit order. */
const HEADERS: readonly (readonly [string, number])[] = [
  ['KPF_LOCKED', 0], ['KPF_ERROR', 1], ['KPF_REFERENCED', 2], ['KPF_UPTODATE', 3], ['KPF_DIRTY', 4], ['KPF_LRU', 5], ['KPF_ACTIVE', 6],
  ['KPF_SLAB', 7], ['KPF_WRITEBACK', 8], ['KPF_RECLAIM', 9], ['KPF_BUDDY', 10], ['KPF_MMAP', 11], ['KPF_ANON', 12], ['KPF_SWAPCACHE', 13],
  ['KPF_SWAPBACKED', 14], ['KPF_COMPOUND_HEAD', 15], ['KPF_COMPOUND_TAIL', 16], ['KPF_HUGE', 17], ['KPF_UNEVICTABLE', 18], ['KPF_HWPOISON', 19],
  ['KPF_NOPAGE', 20], ['KPF_KSM', 21], ['KPF_THP', 22], ['KPF_OFFLINE', 23], ['KPF_ZERO_PAGE', 24], ['KPF_IDLE', 25], ['KPF_PGTABLE', 26],
  ['KPF_RESERVED', 32], ['KPF_MLOCKED', 33], ['KPF_OWNER_2', 34], ['KPF_PRIVATE', 35], ['KPF_PRIVATE_2', 36], ['KPF_OWNER_PRIVATE', 37],
  ['KPF_ARCH', 38], ['KPF_SOFTDIRTY', 40], ['KPF_ARCH_2', 41], ['KPF_ARCH_3', 42],
];

describe('/proc/kpageflags', () => {
  it('names every bit the 7.3.4 headers define, and no other', () => {
    expect(KPAGEFLAGS).toEqual(HEADERS);
  });

  it.each(HEADERS)('%s is bit %i: kpfBit() finds it, kpfTest() reads only that bit', (name, bit) => {
    expect(kpfBit(name)).toBe(bit);
    expect(kpfTest(1n << BigInt(bit), name)).toBe(true);
    expect(kpfTest(~(1n << BigInt(bit)) & ((1n << 64n) - 1n), name)).toBe(false);
    expect(kpageflagNames(1n << BigInt(bit))).toEqual([name]);
  });

  it('a name the kernel does not have is refused', () => {
    expect(() => kpfBit('KPF_UNCACHED')).toThrow(new RangeError('KPF_UNCACHED is not a /proc/kpageflags bit'));
    expect(() => kpfTest(1n, 'KPF_NOPE')).toThrow(RangeError);
  });

  it('a word names its flags low bit first; bits no header defines name nothing', () => {
    // an anonymous THP head page on the LRU, uptodate and mapped: what a capture of a fresh THP reads
    const head = (1n << 3n) | (1n << 5n) | (1n << 11n) | (1n << 12n) | (1n << 14n) | (1n << 15n) | (1n << 22n);
    expect(kpageflagNames(head)).toEqual(['KPF_UPTODATE', 'KPF_LRU', 'KPF_MMAP', 'KPF_ANON', 'KPF_SWAPBACKED', 'KPF_COMPOUND_HEAD', 'KPF_THP']);
    expect(kpageflagNames((1n << 27n) | (1n << 31n) | (1n << 39n) | (1n << 43n) | (1n << 63n))).toEqual([]);
    expect(kpageflagNames(0n)).toEqual([]);
  });
});
