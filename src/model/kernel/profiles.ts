/**
 * Kernel profiles: which kernel (or kernel + patch series) swapviz models. A profile fixes the
 * swap-type numbering, where device-private pages get their numbers from, and the helper API
 * names (swapops.h is_*_entry vs leafops.h softleaf_*).
 */
import type { Numbering } from './swapTypes.ts';

export type ProfileId = 'v6.18' | 'rfc' | '7.3' | 'series' | 'no-new-types' | '7.3-pre-fix' | 'series-pre-fix';

export const PROFILE_IDS: readonly ProfileId[] = ['v6.18', 'rfc', '7.3', 'series', 'no-new-types', '7.3-pre-fix', 'series-pre-fix'];

/**
 * Where a device-private page's number lives:
 * - `physical`: before the series, device-private pages take PFNs from a hole in the physical
 *   address space (request_free_mem_region() + memremap_pages()); an entry's offset is page_to_pfn().
 * - `separate`: after the series (patch 6), device pages live in their own device-private address
 *   space starting at 0; an entry's offset is device_private_page_to_offset().
 */
export type DeviceSpace = 'physical' | 'separate';

export interface KernelProfile {
  readonly id: ProfileId;
  readonly label: string;
  /** A few characters for column heads and captions ("v6.18", "RFC"). */
  readonly short: string;
  readonly summary: string;
  readonly numbering: Extract<Numbering, 'base' | 'rfc'>;
  readonly deviceSpace: DeviceSpace;
  /** `swapops`: is_migration_entry() & co.; `softleaf`: v6.19+ leafops.h softleaf_is_migration() & co. */
  readonly api: 'swapops' | 'softleaf';
  /** The tag whose source the trace links to (elixir.bootlin.com). */
  readonly sourceTag: string;
  /** Name of the x86 swap uffd bit in this kernel. */
  readonly swpUffdMacro: string;
  /**
   * Whether entries are built through the series' make_*_entry_from_page(page, flags) helpers (v1+),
   * which pick the device variant when is_device_private_page(page).
   */
  readonly fromPage: boolean;
  /** A world that no posted kernel has: shown to make a bug visible. */
  readonly hypothetical: boolean;
  /** An older state of a real kernel, kept to show a bug a later fix removed (opt-in, not a default). */
  readonly historical: boolean;
  /**
   * Device-private THP (Balbir Singh's series, merged for 6.19): MIGRATE_VMA_SELECT_COMPOUND,
   * device-private PMDs, do_huge_pmd_device_private(). Without it a THP is split before it moves to
   * a device, and no device-private PMD ever exists.
   */
  readonly deviceThp: boolean;
  /**
   * set_pmd_migration_entry() reads a non-present (device-private) PMD with the present-PMD helpers
   * (pmd_write/young/dirty/soft_dirty/uffd_wp): the bug fixed by "mm/huge_memory: use correct flags
   * for device private PMD entry" (2026-06-01). On x86 the swap soft-dirty bit is the RW position,
   * so it invents write, dirty, soft-dirty and uffd.
   */
  readonly pmdFlagsBug: boolean;
  /** Facts of this profile that are inference rather than read from a posted kernel, one sentence each. */
  readonly inferred: readonly string[];
  /** Where series-only helpers are defined (a patch on lore), for profiles that apply a patch series. */
  readonly patchUrl?: string;
  /** Where the profile's facts come from. */
  readonly source: string;
}

/** Lorenzo Stoakes, "mm/huge_memory: use correct flags for device private PMD entry" (2026-06-01). */
export const PMD_FLAGS_FIX_URL = 'https://lore.kernel.org/all/20260601083044.57132-1-ljs@kernel.org/';
export const RFC_PATCH4_URL = 'https://lore.kernel.org/all/20251128044146.80050-5-jniethe@nvidia.com/';
export const RFC_COVER_URL = 'https://lore.kernel.org/all/20251128044146.80050-1-jniethe@nvidia.com/';
/** The series' latest posting, v6 (2026-02-02): patch N/13 is message -(N+1)-. */
export const SERIES_V6_COVER_URL = 'https://lore.kernel.org/all/20260202113642.59295-1-jniethe@nvidia.com/';
export function seriesV6PatchUrl(n: number): string {
  return `https://lore.kernel.org/all/20260202113642.59295-${n + 1}-jniethe@nvidia.com/`;
}

type CurrentId = Exclude<ProfileId, '7.3-pre-fix' | 'series-pre-fix'>;

const CURRENT: Readonly<Record<CurrentId, KernelProfile>> = {
  'v6.18': {
    id: 'v6.18',
    short: 'v6.18',
    label: 'v6.18 (series base)',
    summary: 'Linux at the RFC base (e1afacb68573, 2025-11-27): MAX_SWAPFILES 24, device-private pages have physical PFNs',
    numbering: 'base',
    deviceSpace: 'physical',
    api: 'swapops',
    sourceTag: 'v6.18',
    swpUffdMacro: '_PAGE_SWP_UFFD_WP',
    fromPage: false,
    hypothetical: false,
    historical: false,
    deviceThp: false,
    pmdFlagsBug: false,
    inferred: [],
    source: 'include/linux/swap.h and swapops.h at e1afacb68573 (swapops.h blob 64ea151a7ae3)',
  },
  rfc: {
    id: 'rfc',
    short: 'RFC',
    label: 'RFC "Remove device private pages from physical address space"',
    summary: 'RFC 1-6/6 (Jordan Niethe, 2025-11-28) on v6.18: three SWP_MIGRATION_DEVICE_* types, MAX_SWAPFILES 21, device pages in their own offset space',
    numbering: 'rfc',
    deviceSpace: 'separate',
    api: 'swapops',
    sourceTag: 'v6.18',
    swpUffdMacro: '_PAGE_SWP_UFFD_WP',
    fromPage: false,
    hypothetical: false,
    historical: false,
    deviceThp: false,
    pmdFlagsBug: false,
    inferred: [],
    patchUrl: RFC_PATCH4_URL,
    source: 'RFC PATCH 4/6 <20251128044146.80050-5-jniethe@nvidia.com> (identical swap.h hunk in v1..v6)',
  },
  '7.3': {
    id: '7.3',
    short: 'v7.3.4',
    label: 'v7.3.4 (softleaf API)',
    summary: 'Linux 7.3.4: same numbering as v6.18 (the series is not merged), helpers renamed softleaf_*',
    numbering: 'base',
    deviceSpace: 'physical',
    api: 'softleaf',
    sourceTag: 'v7.3.4',
    swpUffdMacro: '_PAGE_SWP_UFFD',
    fromPage: false,
    hypothetical: false,
    historical: false,
    deviceThp: true,
    pmdFlagsBug: false,
    inferred: [],
    source: 'include/linux/leafops.h and swap.h of Linux 7.3.4',
  },
  series: {
    id: 'series',
    short: 'series v6',
    label: 'v7.3.4 + the series v6 (softleaf API)',
    summary: 'The series\' latest posting (v6, Jordan Niethe, 2026-02-02) applied to Linux 7.3.4: SOFTLEAF_MIGRATION_DEVICE_PRIVATE_* types, MAX_SWAPFILES 21, device pages in their own offset space, entries built from struct pages',
    numbering: 'rfc',
    deviceSpace: 'separate',
    api: 'softleaf',
    sourceTag: 'v7.3.4',
    swpUffdMacro: '_PAGE_SWP_UFFD',
    fromPage: true,
    hypothetical: false,
    historical: false,
    deviceThp: true,
    pmdFlagsBug: false,
    inferred: [
      'v6 was posted on drm-tip 23427233a451, not on 7.3.4: applying it to 7.3.4 is the natural rebase, not a posted kernel.',
      'set_pmd_migration_entry() after the June 2026 fix reads a non-present PMD with softleaf helpers; rebased, the series builds its entries with make_*_migration_entry_from_page(page, 0) and A/D only for a present PMD.',
    ],
    patchUrl: seriesV6PatchUrl(7),
    source: 'Niethe v6 <20260202113642.59295-1-jniethe@nvidia.com> patches 06-10/13 on include/linux/leafops.h, swapops.h and swap.h of Linux 7.3.4',
  },
  'no-new-types': {
    id: 'no-new-types',
    short: 'no new types',
    label: 'separate device space without new types (the bug)',
    summary: 'Hypothetical: patch 6 (own device space) without patch 4 (new swap types). A migration entry of a device page then names a RAM PFN',
    numbering: 'base',
    deviceSpace: 'separate',
    api: 'swapops',
    sourceTag: 'v6.18',
    swpUffdMacro: '_PAGE_SWP_UFFD_WP',
    fromPage: false,
    hypothetical: true,
    historical: false,
    deviceThp: false,
    pmdFlagsBug: false,
    inferred: ['No kernel was ever built this way: patch 6/6 (own device space) without patch 4/6 (new swap types) shows the bug the new types prevent.'],
    source: 'the RFC cover letter and patch 4/6 changelog: why the new types are needed',
  },
};

/**
 * A historical profile: `base` with the June 2026 set_pmd_migration_entry() fix reverted. Every
 * encoding fact (numbering, device space, API, macros) is the base's; only what it says of itself
 * and the PMD-flags bug differ.
 */
function preFix(base: KernelProfile, own: Pick<KernelProfile, 'id' | 'short' | 'label' | 'summary' | 'inferred' | 'patchUrl' | 'source'>): KernelProfile {
  return { ...base, ...own, historical: true, pmdFlagsBug: true };
}

export const PROFILES: Readonly<Record<ProfileId, KernelProfile>> = {
  ...CURRENT,
  '7.3-pre-fix': preFix(CURRENT['7.3'], {
    id: '7.3-pre-fix',
    short: 'v7.3.4 pre-fix',
    label: 'v7.3 before the PMD-flags fix (historical)',
    summary: 'Linux 6.19 to 7.3 before "mm/huge_memory: use correct flags for device private PMD entry" (June 2026): set_pmd_migration_entry() reads a device-private PMD with the present-PMD helpers and invents write, dirty, soft-dirty and uffd',
    inferred: [
      'This is 7.3.4 with the June 2026 fix reverted: the code before it is the fix\'s own pre-image (Fixes: 65edfda6f3f2, merged for 6.19). Which 7.3.y releases still had it is not pinned; the source links show 7.3.4, which has the fix.',
    ],
    patchUrl: PMD_FLAGS_FIX_URL,
    source: 'the pre-image of <20260601083044.57132-1-ljs@kernel.org> in mm/huge_memory.c; everything else as 7.3.4',
  }),
  'series-pre-fix': preFix(CURRENT.series, {
    id: 'series-pre-fix',
    short: 'series v6 pre-fix',
    label: 'the series v6 as posted, before the PMD-flags fix (historical)',
    summary: 'Niethe v6 as posted (2026-02-02, on drm-tip 23427233a451, before the June 2026 fix): the series\' numbering, with set_pmd_migration_entry() still reading a device-private PMD with the present-PMD helpers',
    inferred: [
      'v6 was posted on drm-tip 23427233a451: its 06/13 hunk context is the pre-fix set_pmd_migration_entry() (if (pmd_write(pmdval)) … applied to the non-present value). The rest is modelled as the series on 7.3.4.',
    ],
    patchUrl: seriesV6PatchUrl(6),
    source: 'Niethe v6 06/13 <20260202113642.59295-7-jniethe@nvidia.com> hunk context; everything else as the series profile',
  }),
};

export function isProfileId(s: string): s is ProfileId {
  return (PROFILE_IDS as readonly string[]).includes(s);
}

/** elixir.bootlin.com identifier search for a kernel function or macro at the profile's tag. */
export function sourceUrl(profile: KernelProfile, ident: string): string {
  return `https://elixir.bootlin.com/linux/${profile.sourceTag}/A/ident/${encodeURIComponent(ident)}`;
}
