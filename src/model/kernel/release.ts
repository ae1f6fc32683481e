/**
 * Which swapviz profile reads a running kernel's entries, from its release string (`uname -r`,
 * os.release()). Only released kernels are candidates: the RFC and the series are patch sets no
 * distribution ships, and no-new-types is hypothetical.
 *
 *   >= 7.3 (and anything newer)  '7.3'    softleaf API; numbering unchanged since 6.15
 *   6.19 .. 7.2                  '7.3'    softleaf API since 6.19, same numbering
 *   6.15 .. 6.18                 'v6.18'  the numbering of 6.15 .. 6.18 (one SWP_DEVICE_EXCLUSIVE)
 *   4.2 .. 6.14                  'v6.18'  closest, with a note: special types are numbered
 *                                         differently there (two device-exclusive types before 6.15)
 *   < 4.2                        none     bits 55-60 of pagemap held the page shift
 */
import { pagemapReadable, PAGEMAP_V2_SINCE } from './pagemap.ts';
import type { ProfileId } from './profiles.ts';

export interface KernelRelease {
  readonly text: string;
  readonly major: number;
  readonly minor: number;
}

/** "6.18.44-fc-v973" -> 6.18; null when the text does not start with MAJOR.MINOR. */
export function parseKernelRelease(text: string): KernelRelease | null {
  const m = /^(\d{1,4})\.(\d{1,4})(?:[.\-+_~]|$)/.exec(text.trim());
  if (!m) return null;
  return { text: text.trim(), major: Number(m[1]), minor: Number(m[2]) };
}

export type ReleaseProfile =
  | {
    readonly ok: true;
    readonly profile: ProfileId;
    /** The profile's swap-type numbering is this kernel's, so its type names are right (known for 6.15 .. 7.3). */
    readonly exact: boolean;
    readonly note: string;
  }
  | { readonly ok: false; readonly error: string };

const atLeast = (r: KernelRelease, major: number, minor: number) => r.major > major || (r.major === major && r.minor >= minor);

/** The profile whose numbering and helper names read a kernel of this release (see the table above). */
export function profileForRelease(r: KernelRelease): ReleaseProfile {
  const v = `${r.major}.${r.minor}`;
  if (!pagemapReadable(r)) {
    const [maj, min] = PAGEMAP_V2_SINCE;
    return { ok: false, error: `Linux ${v}: before ${maj}.${min} pagemap bits 55-60 hold the page shift and PM_MMAP_EXCLUSIVE (bit 56) does not exist, so swapviz cannot read its records` };
  }
  if (atLeast(r, 7, 4)) return { ok: true, profile: '7.3', exact: false, note: `Linux ${v} is newer than every profile: read with 7.3's type numbering (unchanged since 6.15) and softleaf names` };
  if (atLeast(r, 7, 3)) return { ok: true, profile: '7.3', exact: true, note: `Linux ${v}: the 7.3 profile` };
  if (atLeast(r, 6, 19)) return { ok: true, profile: '7.3', exact: true, note: `Linux ${v}: softleaf API (since 6.19) and the type numbering of 7.3 (unchanged since 6.15); read with the 7.3 profile` };
  if (atLeast(r, 6, 15)) return { ok: true, profile: 'v6.18', exact: true, note: `Linux ${v}: the type numbering of v6.18 (one SWP_DEVICE_EXCLUSIVE since 6.15)` };
  return {
    ok: true, profile: 'v6.18', exact: false,
    note: `Linux ${v} predates 6.15, which merged SWP_DEVICE_EXCLUSIVE_WRITE/READ into one type: its special swap types are numbered differently from every swapviz profile, so the type names read with v6.18 are unreliable (the records themselves are exact)`,
  };
}
