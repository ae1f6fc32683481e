/**
 * `swapviz pagemap` (decoding /proc/PID/pagemap records) and the `pagemap` field of
 * `swapviz decode --json`, driven in-process through main(). Expected records are the spec's
 * worked examples (hmm-and-pagemap.md A.5) or rebuilt here from the x86 closed form.
 */
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from './testing.ts';

const M50 = (1n << 50n) - 1n;
const x86Pte = (type: number, off: bigint, flags = 0n): bigint => (BigInt(type) << 59n) | ((~off & M50) << 9n) | flags;
const hex64 = (v: bigint): string => '0x' + v.toString(16).padStart(16, '0');

const run = runCli;

describe('swapviz pagemap', () => {
  it.each([
    ['v6.18', 'SWP_DEVICE_WRITE', 'device-private', 'phys'],
    ['7.3', 'SWP_DEVICE_WRITE', 'device-private', 'phys'],
    ['rfc', 'SWP_MIGRATION_DEVICE_READ', 'device-migration', 'device'],
    ['series', 'SWP_MIGRATION_DEVICE_READ', 'device-migration', 'device'],
  ])('--kernel %s: a record with type 28 (0x400000000000021C) is %s', async (kernel, typeName, kind, pfnSpace) => {
    const r = await run(['pagemap', '--kernel', kernel, '--json', '0x400000000000021C']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(jsonLines(r.out)).toEqual([expect.objectContaining({
      input: '0x400000000000021C', record: '0x400000000000021c', type: 28, typeName, kind, pfn: '0x10', pfnSpace, swap: true, present: false, problems: [],
    })]);
  });

  it('stdin with a bad line in the middle gives one JSON object per non-empty line, in order, and exit code 1', async () => {
    const input = ['0x8100000000001234', '', 'not-a-record', '# a comment', '440000000000009f', '0x4000000000000840'].join('\n') + '\n';
    const r = await run(['pagemap', '--kernel', '7.3', '--json'], input);
    expect(r.code).toBe(1);
    const objs = jsonLines(r.out);
    expect(objs).toHaveLength(4);
    expect(objs[0]).toMatchObject({ kind: 'present', pfn: '0x1234', exclusive: true, softDirty: false });
    expect(Object.keys(objs[1] ?? {}).sort()).toEqual(['error', 'input']);
    expect(objs[1]).toMatchObject({ input: 'not-a-record', error: expect.stringMatching(/not hex/) });
    expect(objs[2]).toMatchObject({ kind: 'pte-marker', guard: true, typeName: 'SWP_PTE_MARKER', softleafType: 'SOFTLEAF_MARKER', marker: { bits: 4, guard: true } });
    expect(objs[3]).toMatchObject({ kind: 'swap', typeName: 'swapfile_0', offset: '0x42', pfn: null });
  });

  it('in human mode each record is a line with its summary and kind; a bad line is one stderr line naming its number', async () => {
    const r = await run(['pagemap', '--kernel', 'v6.18'], '0x400000000002469B\nzz\n0x0080000000000000\n');
    expect(r.code).toBe(1);
    expect(r.out.split('\n')).toEqual([
      '0x400000000002469b  SWP_MIGRATION_WRITE(27) pfn=0x1234', '    kind migration',
      '0x0080000000000000  none soft-dirty', '    kind none', '',
    ]);
    expect(r.err).toMatch(/^swapviz: line 2: "zz" is not hex[^\n]*\n$/);
  });

  it('--no-cap-sys-admin: the frame says nothing, only a guard marker can still be told', async () => {
    const r = await run(['pagemap', '--json', '--no-cap-sys-admin', '0x4400000000000000', '0x4000000000000000', '0x8100000000000000']);
    expect(r.code).toBe(0);
    const [guard, swapped, present] = jsonLines(r.out);
    expect(guard).toMatchObject({ kind: 'pte-marker', typeName: null, pfnVisible: false });
    expect(swapped).toMatchObject({ kind: null, typeName: null, summary: 'swapped, type hidden (no CAP_SYS_ADMIN)' });
    expect(present).toMatchObject({ kind: 'present', pfn: null, exclusive: true });
  });

  it('a record pte_to_pagemap_entry() never makes is decoded with its problem', async () => {
    const r = await run(['pagemap', '--json', '0xC000000000000000']);
    expect(jsonLines(r.out)[0]).toMatchObject({ kind: null, problems: [expect.stringMatching(/both set/)] });
  });

  it('without records on a terminal it prints a hint and exits 2', async () => {
    const r = await run(['pagemap']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/give records as arguments, or pipe them in/);
  });
});

describe('swapviz decode --json has the pagemap record', () => {
  it.each([
    ['a present anon PTE, just written (pte_mkdirty sets soft-dirty)', 0x8000000001234867n, '0x8180000000001234'],
    ['a clean present anon PTE', 0x8000000001234067n, '0x8100000000001234'],
    ['a guard marker', x86Pte(31, 4n), '0x440000000000009f'],
    ['a migration entry with A and D (masked away)', x86Pte(27, 0x1234n | (3n << 34n), 0x2n), '0x408000000002469b'],
    ['a none PTE', 0n, '0x0000000000000000'],
  ])('%s: %s', async (_, pte, record) => {
    const r = await run(['decode', '--kernel', 'v6.18', '--json', hex64(pte)]);
    expect(r.code).toBe(0);
    expect(jsonLines(r.out)[0]).toMatchObject({ pte: hex64(pte), pagemap: record });
  });

  it('the help says which context the record assumes', async () => {
    const r = await run(['help']);
    expect(r.out).toMatch(/"pagemap": the record pte_to_pagemap_entry\(\) gives the PTE, assuming\s+a private anonymous page mapped once, VMA soft-dirty cleared, no userfaultfd, opener with CAP_SYS_ADMIN/);
  });

  it('capture --help explains the command', async () => {
    const r = await run(['capture', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Usage: swapviz capture PID \[--range START-END\] \[--out FILE\] \[--no-kpageflags\]/);
  });
});
