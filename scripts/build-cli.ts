/**
 * Builds the installable CLI: src/cli/main.ts and everything it imports (the model, the scenario
 * library, the link codec, fflate) bundled by esbuild into plain JavaScript in dist-cli/, with no
 * runtime dependencies. bin/swapviz.mjs loads dist-cli/main.mjs. A subcommand added to main.ts is
 * bundled with no change here; one loaded with `await import()` becomes its own chunk in dist-cli/.
 *
 *   node --import tsx scripts/build-cli.ts      (npm run build:cli; `prepare` runs it on npm ci / npm pack)
 */
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
export const CLI_DIR = join(ROOT, 'dist-cli');
/** The module bin/swapviz.mjs imports: it exports `main(argv, io)`. */
export const CLI_MAIN = join(CLI_DIR, 'main.mjs');

/** The Node.js version the bundle's syntax targets: the lowest the package's `engines` allows. */
function nodeTarget(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines?: { node?: string } };
  const m = /^>=\s*(\d+(?:\.\d+)*)$/.exec(pkg.engines?.node ?? '');
  if (!m) throw new Error(`package.json engines.node is "${pkg.engines?.node}": expected ">=X.Y"`);
  return `node${m[1]}`;
}

/** Rebuilds dist-cli/ from the current sources; returns the files written with their sizes. */
export async function buildCli(): Promise<{ file: string; bytes: number }[]> {
  rmSync(CLI_DIR, { recursive: true, force: true });
  const r = await build({
    absWorkingDir: ROOT,
    entryPoints: { main: 'src/cli/main.ts' },
    outdir: CLI_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: nodeTarget(),
    // Readable output: a stack trace from an installed swapviz names the functions of the sources.
    minify: false,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  return Object.entries(r.metafile.outputs).map(([file, o]) => ({ file: relative(ROOT, join(ROOT, file)), bytes: o.bytes }));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = await buildCli();
  for (const f of files) console.log(`build-cli: ${f.file} ${(f.bytes / 1024).toFixed(0)} KiB`);
}
