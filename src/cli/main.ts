/**
 * swapviz CLI: decode PTE values and pagemap records (from arguments or one per line on stdin),
 * encode swap PTEs, replay scenarios, and capture a live process's pagemap. `main` takes its
 * streams as arguments so tests can drive it in-process.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import {
  allTypeNames, applyKconfig, decodePagemap, decodePte, isMigrationKind, describeConfig, describePlatform, encodeSwapPmd, encodeSwapPte, getKernel, hex64,
  isProfileId, pagemapOfPmd, pagemapOfPte, parseU64Hex, PROFILE_IDS, DEFAULT_PAGEMAP_CONTEXT_TEXT, type ArchId, type Kernel, type KernelConfig,
  type Level, type ProfileId,
} from '../model/kernel/index.ts';
import { captureCommand } from './capture.ts';
import { decodedToJson, pagemapToJson, problemSources } from './json.ts';
import { runCommand } from './run.ts';
import { UsageError } from './errors.ts';

export interface Io {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Whether stdin is a terminal (then `decode` without values prints usage instead of waiting). */
  stdinIsTty?: boolean;
}

export { UsageError };

export const KERNEL_OPTIONS = {
  kernel: { type: 'string', default: 'rfc' },
  arch: { type: 'string', default: 'x86_64' },
  paging: { type: 'string', default: '4' },
  'no-migration-ad': { type: 'boolean', default: false },
  'no-device-private': { type: 'boolean', default: false },
  'no-migration': { type: 'boolean', default: false },
  'no-memory-failure': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

export type KernelFlags = {
  kernel?: string | boolean;
  arch?: string | boolean;
  paging?: string | boolean;
  'no-migration-ad'?: string | boolean;
  'no-device-private'?: string | boolean;
  'no-migration'?: string | boolean;
  'no-memory-failure'?: string | boolean;
};

export function kernelFromFlags(v: KernelFlags): Kernel {
  const profile = String(v.kernel ?? 'rfc');
  if (!isProfileId(profile)) throw new UsageError(`unknown --kernel "${profile}": expected one of ${PROFILE_IDS.join(', ')}`);
  const arch = String(v.arch ?? 'x86_64');
  if (arch !== 'x86_64' && arch !== 'arm64') throw new UsageError(`unknown --arch "${arch}": expected x86_64 or arm64`);
  const paging = String(v.paging ?? '4');
  if (paging !== '4' && paging !== '5') throw new UsageError(`--paging must be 4 or 5, not "${paging}"`);
  const config: KernelConfig = {
    DEVICE_PRIVATE: !v['no-device-private'],
    MIGRATION: !v['no-migration'],
    MEMORY_FAILURE: !v['no-memory-failure'],
  };
  return getKernel(profile as ProfileId, applyKconfig(config).config, {
    arch: arch as ArchId,
    paging: paging === '5' ? 5 : 4,
    migrationAd: !v['no-migration-ad'],
  });
}

export const USAGE = `swapviz — Linux swap entries in PTEs, and device-private page migration

Usage:
  swapviz decode [options] [--level pte|pmd] [PTE...]
                                        decode PTE (or PMD) values; with none given, one per line from stdin
  swapviz pagemap [options] [--no-cap-sys-admin] [RECORD...]
                                        decode /proc/PID/pagemap records (arguments or stdin), naming
                                        the swap type under --kernel
  swapviz capture PID [--range START-END] [--out FILE] [--no-kpageflags]
                                        snapshot a live process's pagemap (Linux; capture --help)
  swapviz encode --type N|NAME --offset HEX [--soft-dirty] [--uffd-wp] [--exclusive] [--young] [--dirty] [--level pte|pmd] [options]
  swapviz run SCENARIO [--kernel …] [--json]
                                        replay a built-in scenario (S01…S30, T01…T11, hmm_*), a JSON file or a share link
  swapviz scenarios                     list the built-in scenarios

Options:
  --kernel v6.18|rfc|7.3|series|no-new-types|7.3-pre-fix|series-pre-fix
                                        kernel profile (default rfc; series = the series v6 on 7.3.4)
  --level pte|pmd                       decode/encode: the value is a PTE (default) or a PMD: pmd_present()
                                        is true for PROT_NONE and the invalidated PMD; only migration and
                                        device-private entries may sit in a PMD
  --arch x86_64|arm64                   PTE layout (default x86_64)
  --paging 4|5                          x86_64 paging levels; on arm64 4 = 48-bit PA, 5 = 52-bit PA
  --no-migration-ad                     migration_entry_supports_ad() is false (L1TF-capped CPUs)
  --no-device-private --no-migration --no-memory-failure
                                        kernel config (MIGRATION=n forces the other two off)
  --json                                one JSON object per input line (64-bit numbers as 0x… strings)
  --no-cap-sys-admin                    pagemap: the records were read without CAP_SYS_ADMIN, so
                                        their frame (PFN, swap type and offset) is 0 and says nothing

decode --json adds "pagemap": the record pte_to_pagemap_entry() gives the PTE, assuming
${DEFAULT_PAGEMAP_CONTEXT_TEXT}.
With --level pmd the JSON names the value "pmd" instead of "pte", "pagemap" is the record of the first
4 KiB page (pagemap_pmd_range_thp()) and "predicates" holds the PMD helpers too (pmd_present,
pmd_is_migration_entry, pmd_is_valid_softleaf, …).

A PTE or record is hex with or without 0x; a "pte:…" token from a "BUG: Bad page map" line is accepted too.
On stdin, empty lines and lines starting with # are skipped.
`;

function write(s: Writable, text: string): void {
  s.write(text.endsWith('\n') ? text : text + '\n');
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'decode':
        return await decodeCommand(rest, io);
      case 'pagemap':
        return await pagemapCommand(rest, io);
      case 'capture':
        return await captureCommand(rest, io);
      case 'encode':
        return encodeCommand(rest, io);
      case 'run':
        return await runCommand(rest, io);
      case 'scenarios':
        return await runCommand(['--list', ...rest], io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        write(io.stdout, USAGE);
        return cmd === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${cmd}" (try: decode, pagemap, capture, encode, run, scenarios)`);
    }
  } catch (e) {
    if (e instanceof UsageError || isParseArgsError(e)) {
      write(io.stderr, `swapviz: ${(e as Error).message}`);
      return 2;
    }
    throw e;
  }
}

function isParseArgsError(e: unknown): boolean {
  const code: unknown = e instanceof TypeError ? (e as unknown as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** --level pte|pmd (default pte). */
function levelFromFlag(v: string | boolean | undefined): Level {
  const level = String(v ?? 'pte');
  if (level !== 'pte' && level !== 'pmd') throw new UsageError(`--level must be pte or pmd, not "${level}"`);
  return level;
}

async function decodeCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { ...KERNEL_OPTIONS, level: { type: 'string', default: 'pte' } }, allowPositionals: true, strict: true });
  if (values.help) {
    write(io.stdout, USAGE);
    return 0;
  }
  const k = kernelFromFlags(values);
  const level = levelFromFlag(values.level);
  let failures = 0;
  const one = (input: string, lineNo?: number) => {
    const parsed = parseU64Hex(input);
    if (!parsed.ok) {
      failures++;
      if (values.json) write(io.stdout, JSON.stringify({ input: input.trim(), error: parsed.error }));
      else write(io.stderr, `swapviz: ${lineNo !== undefined ? `line ${lineNo}: ` : ''}${parsed.error}`);
      return;
    }
    const d = decodePte(k, parsed.value, level);
    if (values.json) {
      write(io.stdout, JSON.stringify(decodedToJson(d, input.trim(), level === 'pmd' ? pagemapOfPmd(k, d.raw) : pagemapOfPte(k, d.raw))));
      return;
    }
    const lines = [`${d.pte}  ${d.summary}`];
    if (d.swap) {
      lines.push(`    swp_entry_t ${hex64(d.swap.swpEntry)}${d.swap.softleafType ? `  ${d.swap.softleafType}` : ''}`);
    }
    const yes = Object.entries({ ...(d.swap?.predicates ?? {}), ...(d.pmdPredicates ?? {}) }).filter(([, v]) => v).map(([n]) => n);
    if (yes.length && (d.swap || d.pmdPredicates)) lines.push(`    true: ${yes.join(' ')}`);
    const sources = problemSources(d);
    d.problems.forEach((p, i) => lines.push(`    ! ${p}`, `      kernel rule: ${sources[i]!.source} ${sources[i]!.url}`));
    write(io.stdout, lines.join('\n'));
  };
  if (positionals.length > 0 && !values.json) {
    write(io.stdout, `# ${k.profile.label}; ${describePlatform(k.platform)}; ${describeConfig(k.config)}; MAX_SWAPFILES ${k.MAX_SWAPFILES}${level === 'pmd' ? '; PMD level' : ''}`);
  }
  const code = await eachInput(positionals, io, `swapviz decode: give ${level === 'pmd' ? 'PMD' : 'PTE'} values as arguments, or pipe them in one per line`, one);
  return code ?? (failures > 0 ? 1 : 0);
}

/**
 * Calls `one` for each positional, or else for each line of stdin (skipping empty lines and
 * # comments, with its line number). Returns 2 (after a hint) when stdin is a terminal.
 */
async function eachInput(positionals: string[], io: Io, hint: string, one: (input: string, lineNo?: number) => void): Promise<number | null> {
  if (positionals.length > 0) {
    for (const p of positionals) one(p);
    return null;
  }
  if (io.stdinIsTty) {
    write(io.stderr, hint);
    return 2;
  }
  const rl = createInterface({ input: io.stdin, crlfDelay: Infinity });
  let n = 0;
  for await (const line of rl) {
    n++;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    one(line, n);
  }
  return null;
}

async function pagemapCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...KERNEL_OPTIONS, 'no-cap-sys-admin': { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    write(io.stdout, USAGE);
    return 0;
  }
  const k = kernelFromFlags(values);
  const pfnVisible = !values['no-cap-sys-admin'];
  let failures = 0;
  const one = (input: string, lineNo?: number) => {
    const parsed = parseU64Hex(input);
    if (!parsed.ok) {
      failures++;
      if (values.json) write(io.stdout, JSON.stringify({ input: input.trim(), error: parsed.error }));
      else write(io.stderr, `swapviz: ${lineNo !== undefined ? `line ${lineNo}: ` : ''}${parsed.error}`);
      return;
    }
    const d = decodePagemap(k, parsed.value, { pfnVisible });
    if (values.json) {
      write(io.stdout, JSON.stringify(pagemapToJson(d, input.trim())));
      return;
    }
    const lines = [`${d.record}  ${d.summary}`];
    lines.push(`    kind ${d.kind ?? 'unknown (the record cannot tell)'}${d.swapEntry?.softleafType ? `  ${d.swapEntry.softleafType}` : ''}`);
    for (const p of d.problems) lines.push(`    ! ${p}`);
    write(io.stdout, lines.join('\n'));
  };
  if (positionals.length > 0 && !values.json) {
    write(io.stdout, `# ${k.profile.label}; ${describeConfig(k.config)}; MAX_SWAPFILES ${k.MAX_SWAPFILES}; records read ${pfnVisible ? 'with' : 'without'} CAP_SYS_ADMIN`);
  }
  const code = await eachInput(positionals, io, 'swapviz pagemap: give records as arguments, or pipe them in one per line', one);
  return code ?? (failures > 0 ? 1 : 0);
}

function encodeCommand(argv: string[], io: Io): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...KERNEL_OPTIONS,
      type: { type: 'string' },
      offset: { type: 'string' },
      'soft-dirty': { type: 'boolean', default: false },
      'uffd-wp': { type: 'boolean', default: false },
      exclusive: { type: 'boolean', default: false },
      young: { type: 'boolean', default: false },
      dirty: { type: 'boolean', default: false },
      level: { type: 'string', default: 'pte' },
    },
    allowPositionals: false,
    strict: true,
  });
  if (values.help) {
    write(io.stdout, USAGE);
    return 0;
  }
  const k = kernelFromFlags(values);
  if (values.type === undefined) throw new UsageError('encode needs --type N or --type SWP_NAME');
  if (values.offset === undefined) throw new UsageError('encode needs --offset HEX (the swap slot, PFN or marker bits)');
  const type = resolveType(k, values.type);
  const off = parseU64Hex(values.offset);
  if (!off.ok) throw new UsageError(`--offset: ${off.error}`);
  let offset = off.value;
  const warnings: string[] = [];
  if (offset > k.SWP_OFFSET_MASK) warnings.push(`offset is wider than 58 bits: swp_entry() truncates it to ${hex64(offset & k.SWP_OFFSET_MASK)}`);
  else if (offset >= 1n << BigInt(k.arch.offsetBits)) warnings.push(`offset is wider than the ${k.arch.offsetBits} bits ${k.arch.id} stores: the PTE keeps only the low ${k.arch.offsetBits}`);
  const row = k.row(type);
  if (values.young || values.dirty) {
    if (!isMigrationKind(row?.kind)) throw new UsageError('--young/--dirty apply only to migration entry types');
    let e = k.swp_entry(type, offset);
    if (values.young) e = k.make_migration_entry_young(e);
    if (values.dirty) e = k.make_migration_entry_dirty(e);
    if (!k.migration_entry_supports_ad()) warnings.push('migration_entry_supports_ad() is false: --young/--dirty are dropped, as the kernel does');
    offset = k.swp_offset(e);
  }
  const level = levelFromFlag(values.level);
  const spec = { type, offset, softDirty: values['soft-dirty'], uffdWp: values['uffd-wp'], exclusive: values.exclusive };
  const r = level === 'pmd' ? encodeSwapPmd(k, spec) : encodeSwapPte(k, spec);
  if (!r.ok) throw new UsageError(r.error);
  const d = decodePte(k, 'pmd' in r ? r.pmd : r.pte, level);
  if (d.kind === 'none') warnings.push(`this encodes to a ${level === 'pmd' ? 'PMD that pmd_none()' : 'PTE that pte_none()'} reads as empty: the kernel would not see the entry`);
  for (const p of d.problems) warnings.push(p);
  for (const w of warnings) write(io.stderr, `swapviz: warning: ${w}`);
  if (values.json) write(io.stdout, JSON.stringify(decodedToJson(d, undefined, level === 'pmd' ? pagemapOfPmd(k, d.raw) : pagemapOfPte(k, d.raw))));
  else write(io.stdout, `${d.pte}  ${d.summary}`);
  return 0;
}

function resolveType(k: Kernel, text: string): number {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n > 31) throw new UsageError(`--type ${n} is out of range: a swap type is 5 bits (0..31)`);
    return n;
  }
  const name = text.toUpperCase();
  const n = k.typeNumber(name);
  if (n !== undefined) return n;
  if (allTypeNames(k.profile.numbering).includes(name)) {
    const why = k.forced.length ? ` (${k.forced.join('; ')})` : '';
    throw new UsageError(`${name} does not exist in this kernel: ${describeConfig(k.config)} compiles it out${why}`);
  }
  const other = PROFILE_IDS.find((p) => getKernel(p, k.config, k.platform).typeNumber(name) !== undefined);
  if (other) throw new UsageError(`${name} does not exist in ${k.profile.label}; it does in --kernel ${other}`);
  const anyConfig = PROFILE_IDS.find((p) => allTypeNames(getKernel(p, k.config, k.platform).profile.numbering).includes(name));
  if (anyConfig) throw new UsageError(`${name} does not exist in ${k.profile.label}, and ${describeConfig(k.config)} compiles it out of --kernel ${anyConfig} too`);
  throw new UsageError(`unknown swap type name "${text}" (expected a number 0..31 or one of: ${k.table.rows.map((r) => r.name).join(', ')})`);
}
