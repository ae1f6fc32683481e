/**
 * Which profile reads a running kernel: the release boundaries of release.ts's table (6.15 merged
 * the two device-exclusive types, 6.19 brought leafops.h, 7.3 is the newest profile, 4.2 the first
 * pagemap with flag bits 55-60), and how `uname -r` strings are parsed.
 */
import { describe, expect, it } from 'vitest';
import { parseKernelRelease, profileForRelease } from './release.ts';

const of = (text: string) => profileForRelease(parseKernelRelease(text)!);

describe('parseKernelRelease', () => {
  it.each([
    ['6.18.44-fc-v973', 6, 18, '6.18.44-fc-v973'],
    ['  7.3.4\n', 7, 3, '7.3.4'],
    ['6.19', 6, 19, '6.19'],
    ['6.19-rc3', 6, 19, '6.19-rc3'],
    ['6.19+', 6, 19, '6.19+'],
    ['6.19_1', 6, 19, '6.19_1'],
    ['6.19~rc1', 6, 19, '6.19~rc1'],
    ['1000.9999.1', 1000, 9999, '1000.9999.1'],
  ] as const)('"%s" is %i.%i', (text, major, minor, trimmed) => {
    expect(parseKernelRelease(text)).toEqual({ text: trimmed, major, minor });
  });

  it.each(['6.19x', '6.19rc1', 'x6.19', '12345.1', '6.12345', '6.', '.6'])('"%s" does not start with MAJOR.MINOR', (t) => {
    expect(parseKernelRelease(t)).toBeNull();
  });
});

describe('profileForRelease: the boundaries', () => {
  it.each([
    ['4.1.0', null, false],
    ['4.2.0', 'v6.18', false],
    ['5.19.0', 'v6.18', false],
    ['6.14.11', 'v6.18', false],
    ['6.15.0', 'v6.18', true],
    ['6.18.2', 'v6.18', true],
    ['6.19.0', '7.3', true],
    ['7.0.1', '7.3', true],
    ['7.2.9', '7.3', true],
    ['7.3.0', '7.3', true],
    ['7.4.0', '7.3', false],
    ['8.0.0', '7.3', false],
  ] as const)('%s -> %s (exact: %s)', (text, profile, exact) => {
    const r = of(text);
    if (profile === null) expect(r.ok).toBe(false);
    else expect(r).toMatchObject({ ok: true, profile, exact });
  });

  it('each note says why', () => {
    expect(of('3.10.0')).toEqual({
      ok: false, error: 'Linux 3.10: before 4.2 pagemap bits 55-60 hold the page shift and PM_MMAP_EXCLUSIVE (bit 56) does not exist, so swapviz cannot read its records',
    });
    expect(of('7.5.1')).toMatchObject({ note: 'Linux 7.5 is newer than every profile: read with 7.3\'s type numbering (unchanged since 6.15) and softleaf names' });
    expect(of('7.3.4')).toMatchObject({ note: 'Linux 7.3: the 7.3 profile' });
    expect(of('6.19.2')).toMatchObject({ note: 'Linux 6.19: softleaf API (since 6.19) and the type numbering of 7.3 (unchanged since 6.15); read with the 7.3 profile' });
    expect(of('6.16.0')).toMatchObject({ note: 'Linux 6.16: the type numbering of v6.18 (one SWP_DEVICE_EXCLUSIVE since 6.15)' });
    expect(of('6.8.0')).toMatchObject({
      note: 'Linux 6.8 predates 6.15, which merged SWP_DEVICE_EXCLUSIVE_WRITE/READ into one type: its special swap types are numbered differently from every swapviz profile, so the type names read with v6.18 are unreliable (the records themselves are exact)',
    });
  });
});
