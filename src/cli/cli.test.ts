/**
 * The CLI driven in-process through `main()` with PassThrough streams, plus runs of the real
 * `bin/swapviz.mjs` entry (the built CLI in dist-cli/; test/pack-install.ts checks the packed one). Expected PTE values come from the spec's x86_64 closed form
 * pte = (type << 59) | ((~off & (2^50 - 1)) << 9) | flags and its type tables (§b.2).
 */
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { USAGE } from './main.ts';
import { runCli } from './testing.ts';

const M50 = (1n << 50n) - 1n;
const x86Pte = (type: number, off: bigint, flags = 0n): bigint => (BigInt(type) << 59n) | ((~off & M50) << 9n) | flags;
const hex64 = (v: bigint): string => '0x' + v.toString(16).padStart(16, '0');

/** Runs main() with the given argv; `stdin` undefined means an interactive terminal. */
const run = runCli;

const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');

function jsonLines(s: string): Record<string, unknown>[] {
  return lines(s).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('swapviz decode', () => {
  it('decode --json --kernel rfc 0xf7ffffffffffde02 reports SWP_MIGRATION_DEVICE_WRITE(30), pfn 0x10, soft-dirty, is_migration_entry', async () => {
    // S02 step 3 after RFC 4/6: type 30, offset 0x10, soft-dirty bit 1
    expect(x86Pte(30, 0x10n, 0x2n)).toBe(0xf7ffffffffffde02n);
    const r = await run(['decode', '--json', '--kernel', 'rfc', '0xf7ffffffffffde02']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const [o, ...more] = jsonLines(r.out);
    expect(more).toEqual([]);
    expect(o).toMatchObject({ typeName: 'SWP_MIGRATION_DEVICE_WRITE', type: 30, pfn: '0x10', softDirty: true, kind: 'device-migration', pfnSpace: 'device' });
    expect((o?.predicates as Record<string, boolean>).is_migration_entry).toBe(true);
    expect((o?.predicates as Record<string, boolean>).is_device_private_migration_entry).toBe(true);
  });

  it('a value the kernel never builds is flagged with each rule\'s kernel source, in text and in JSON', async () => {
    const r = await run(['decode', '--kernel', '7.3', '0x8400000001234867']);
    expect(r.out).toContain('    ! RW=1 with SavedDirty=1: ');
    expect(r.out).toContain('      kernel rule: arch/x86/include/asm/pgtable.h: clear_saveddirty_shift https://elixir.bootlin.com/linux/v7.3.4/A/ident/clear_saveddirty_shift');
    const j = await run(['decode', '--json', '--kernel', 'v6.18', '0x07fffffffffffe00']);
    expect(jsonLines(j.out)[0]).toMatchObject({
      problemRules: [{ rule: 'decode/swap-header-slot', source: 'include/linux/swap.h: SWAP_MAP_BAD', url: 'https://elixir.bootlin.com/linux/v6.18/A/ident/SWAP_MAP_BAD' }],
    });
  });

  it('piped stdin with a bad line in the middle gives one JSON object per non-empty line, in order, and exit code 1', async () => {
    const input = [
      '0x8000000001234867', // S01: present pfn 0x1234
      '',
      '0xdfffe7ffffdb9602', // S02 step 1 (v6.18): SWP_MIGRATION_WRITE(27)
      'not-a-pte',
      '   ',
      'e7ffffffffffde02', // S02 step 2 (v6.18): SWP_DEVICE_WRITE(28), no 0x
      '0x07ffffffffff7a0a', // S20: swap file 0, offset 0x42, sd + excl
    ].join('\n') + '\n';
    const r = await run(['decode', '--json', '--kernel', 'v6.18'], input);
    expect(r.code).toBe(1);
    const objs = jsonLines(r.out);
    expect(objs).toHaveLength(5);
    expect(objs[0]).toMatchObject({ pte: '0x8000000001234867', kind: 'present', pfn: '0x1234' });
    expect(objs[1]).toMatchObject({ pte: hex64(x86Pte(27, 0x1234n | (3n << 34n), 0x2n)), typeName: 'SWP_MIGRATION_WRITE', type: 27, migrationYoung: true, migrationDirty: true });
    expect(Object.keys(objs[2] ?? {}).sort()).toEqual(['error', 'input']);
    expect(objs[2]?.input).toBe('not-a-pte');
    expect(objs[2]?.error).toMatch(/not hex/);
    expect(objs[3]).toMatchObject({ pte: hex64(x86Pte(28, 0x10n, 0x2n)), typeName: 'SWP_DEVICE_WRITE', offset: '0x10' });
    expect(objs[4]).toMatchObject({ pte: hex64(x86Pte(0, 0x42n, 0xan)), typeName: 'swapfile_0', offset: '0x42', softDirty: true, exclusive: true });
  });

  it('in human mode a bad line is one line on stderr naming the line number, and the good lines are still decoded', async () => {
    const r = await run(['decode', '--kernel', 'v6.18'], '0x8000000001234867\n0x12zz\n0xc7ffffffffdb9600\n');
    expect(r.code).toBe(1);
    expect(lines(r.err)).toHaveLength(1);
    expect(r.err).toMatch(/line 2/);
    expect(r.err).toMatch(/"z"/);
    expect(r.out).toContain('0x8000000001234867');
    // S19 before the patch: hwpoison entry of PFN 0x1234
    expect(x86Pte(24, 0x1234n)).toBe(0xc7ffffffffdb9600n);
    expect(r.out).toMatch(/0xc7ffffffffdb9600 +SWP_HWPOISON\(24\)/);
    expect(r.out).not.toContain('zz');
  });

  it('a bad positional argument in human mode is one stderr line and exit code 1', async () => {
    const r = await run(['decode', '0x1_0000_0000_0000_0000']);
    expect(r.code).toBe(1);
    expect(lines(r.err)).toHaveLength(1);
    expect(r.err).toMatch(/wider than 64 bits/);
  });

  it('the pte: token of a "BUG: Bad page map" line is decoded', async () => {
    const bug = 'BUG: Bad page map in process a.out  pte:dfffe7ffffdb9602 pmd:1234567067';
    const r = await run(['decode', '--json', '--kernel', 'v6.18', bug]);
    expect(r.code).toBe(0);
    expect(jsonLines(r.out)[0]).toMatchObject({ pte: '0xdfffe7ffffdb9602', typeName: 'SWP_MIGRATION_WRITE', pfn: '0x1234' });
    const viaStdin = await run(['decode', '--json', '--kernel', 'rfc'], `[  42.000000] ${bug}\n`);
    expect(viaStdin.code).toBe(0);
    // the same raw value under the RFC numbering is type 27 = SWP_DEVICE_EXCLUSIVE
    expect(jsonLines(viaStdin.out)[0]).toMatchObject({ pte: '0xdfffe7ffffdb9602', type: 27, typeName: 'SWP_DEVICE_EXCLUSIVE' });
  });

  it('decode with no values on a terminal prints a hint and exits 2', async () => {
    const r = await run(['decode']);
    expect(r.code).toBe(2);
    expect(lines(r.err)).toHaveLength(1);
  });
});

describe('swapviz encode', () => {
  it('encode --type SWP_MIGRATION_WRITE --offset 0x1234 --young --dirty --soft-dirty --kernel v6.18 prints 0xdfffe7ffffdb9602', async () => {
    const r = await run(['encode', '--type', 'SWP_MIGRATION_WRITE', '--offset', '0x1234', '--young', '--dirty', '--soft-dirty', '--kernel', 'v6.18']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const want = hex64(x86Pte(27, 0x1234n | (1n << 34n) | (1n << 35n), 0x2n));
    expect(want).toBe('0xdfffe7ffffdb9602');
    expect(r.out.split(/\s+/)[0]).toBe(want);
  });

  it('encode with --no-migration-ad drops --young/--dirty and warns on stderr', async () => {
    const r = await run(['encode', '--type', 'SWP_MIGRATION_WRITE', '--offset', '0x1234', '--young', '--dirty', '--kernel', 'v6.18', '--no-migration-ad']);
    expect(r.code).toBe(0);
    expect(r.out.split(/\s+/)[0]).toBe(hex64(x86Pte(27, 0x1234n)));
    expect(r.err).toMatch(/migration_entry_supports_ad/);
  });

  it('encode --type by number uses the number as is', async () => {
    const r = await run(['encode', '--type', '31', '--offset', '4', '--json']);
    expect(r.code).toBe(0);
    expect(jsonLines(r.out)[0]).toMatchObject({ pte: hex64(x86Pte(31, 4n)), typeName: 'SWP_PTE_MARKER' });
  });

  it.each([
    ['a type the config compiles out', ['--no-device-private', '--type', 'SWP_DEVICE_WRITE', '--offset', '0x10'], /SWP_DEVICE_WRITE.*DEVICE_PRIVATE=n/],
    ['an unknown type name', ['--type', 'SWP_BOGUS', '--offset', '0x10'], /unknown swap type name "SWP_BOGUS"/],
    ['type 32', ['--type', '32', '--offset', '0x10'], /--type 32 is out of range/],
    ['a non-hex offset', ['--type', '1', '--offset', '0x12q4'], /--offset.*"q"/],
    ['an unknown flag', ['--type', '1', '--offset', '0x10', '--frobnicate'], /--frobnicate/],
    ['a type of another profile', ['--kernel', 'v6.18', '--type', 'SWP_MIGRATION_DEVICE_WRITE', '--offset', '0x10'], /SWP_MIGRATION_DEVICE_WRITE does not exist in v6\.18/],
    ['soft-dirty on arm64', ['--arch', 'arm64', '--type', '1', '--offset', '0x10', '--soft-dirty'], /arm64 has no swap soft-dirty bit/],
  ])('encode with %s exits non-zero with one stderr line naming the problem', async (_what, args, msg) => {
    const r = await run(['encode', ...args]);
    expect(r.code).not.toBe(0);
    expect(r.out).toBe('');
    expect(lines(r.err)).toHaveLength(1);
    expect(r.err).toMatch(msg);
  });
});

describe('swapviz encode suggestions', () => {
  it.each([
    [['--kernel', 'v6.18', '--type', 'SWP_MIGRATION_DEVICE_WRITE', '--offset', '0x10']],
    [['--kernel', 'v6.18', '--no-device-private', '--type', 'SWP_MIGRATION_DEVICE_WRITE', '--offset', '0x10']],
    [['--kernel', '7.3', '--no-migration', '--type', 'SWP_MIGRATION_DEVICE_READ', '--offset', '0x10']],
  ])('following the "--kernel" suggestion of an encode error works (%j)', async (args) => {
    const r = await run(['encode', ...args]);
    expect(r.code).not.toBe(0);
    const suggested = /it does in --kernel (\S+)/.exec(r.err)?.[1];
    if (suggested === undefined) return; // no suggestion is fine; a wrong one is not
    const i = args.indexOf('--kernel');
    const again = await run(['encode', ...args.slice(0, i), '--kernel', suggested, ...args.slice(i + 2)]);
    expect({ suggested, code: again.code, err: again.err }).toEqual({ suggested, code: 0, err: '' });
  });
});

/** Every subcommand the usage lists (`  swapviz NAME …`), so a new one is covered as soon as it is documented. */
const SUBCOMMANDS = [...USAGE.matchAll(/^ {2}swapviz ([a-z][\w-]*)/gm)].map((m) => m[1] ?? '');

describe('swapviz help', () => {
  it('the usage lists decode, encode, run and scenarios', () => {
    expect(SUBCOMMANDS).toEqual(expect.arrayContaining(['decode', 'encode', 'run', 'scenarios']));
  });

  it.each(SUBCOMMANDS)('swapviz %s --help prints a usage that names the subcommand, and exits 0', async (cmd) => {
    const r = await run([cmd, '--help']);
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    expect(r.out).toMatch(new RegExp(`swapviz ${cmd}\\b`));
    expect(r.out).toMatch(/^(swapviz — |Usage: swapviz )/);
  });

  it('swapviz with no command prints the usage and exits 2; an unknown command is one stderr line and exit 2', async () => {
    expect(await run([])).toEqual({ code: 2, out: USAGE, err: '' });
    const r = await run(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^swapviz: unknown command "frobnicate" \(try: .*\)\n$/);
  });
});

describe('bin/swapviz.mjs', () => {
  const bin = fileURLToPath(new URL('../../bin/swapviz.mjs', import.meta.url));

  it('the bin entry runs the built CLI (dist-cli, built by npm ci) and prints the PTE', async () => {
    const { stdout, code } = await new Promise<{ stdout: string; code: number }>((resolve, reject) => {
      execFile(process.execPath, [bin, 'encode', '--kernel', 'v6.18', '--type', '0', '--offset', '0x42', '--exclusive', '--soft-dirty'], { timeout: 30_000 }, (err, out) => {
        if (err && typeof err.code !== 'number') reject(err);
        else resolve({ stdout: out, code: typeof err?.code === 'number' ? err.code : 0 });
      });
    });
    expect(code).toBe(0);
    expect(stdout.split(/\s+/)[0]).toBe(hex64(x86Pte(0, 0x42n, 0xan)));
  }, 40_000);

  it('the bin entry reads piped stdin and sets the exit code', async () => {
    const child = spawn(process.execPath, [bin, 'decode', '--json', '--kernel', 'v6.18'], { stdio: ['pipe', 'pipe', 'pipe'], timeout: 30_000 });
    const outP = text(child.stdout);
    child.stdin.end('0xfffffffffffffc00\nzz\n');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const objs = jsonLines(await outP);
    expect(code).toBe(1);
    expect(objs).toHaveLength(2);
    expect(objs[0]).toMatchObject({ typeName: 'SWP_PTE_MARKER', marker: { bits: 1, uffdWp: true } });
    expect(objs[1]).toMatchObject({ input: 'zz' });
  }, 40_000);
});
