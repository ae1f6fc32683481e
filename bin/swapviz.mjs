#!/usr/bin/env node
// The swapviz command. It runs the built CLI, dist-cli/main.mjs: plain JavaScript bundled from
// src/cli/main.ts by scripts/build-cli.ts, which `npm ci` and `npm pack` run through `prepare`
// (in a checkout, `npm run build:cli` rebuilds it after editing the sources).
let cli;
try {
  cli = await import('../dist-cli/main.mjs');
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes('dist-cli')) throw e;
  process.stderr.write('swapviz: the CLI is not built (no dist-cli/main.mjs): run `npm run build:cli` in the checkout\n');
  process.exit(1);
}
// A reader that stops early (`swapviz decode … | head`) closes the pipe: stop quietly, no stack trace.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
process.exitCode = await cli.main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  stdinIsTty: process.stdin.isTTY === true,
});
