#!/usr/bin/env node
// The swapviz CLI. It runs the TypeScript sources through tsx, so `npx swapviz …` works in a
// checkout right after `npm ci`, with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  stdinIsTty: process.stdin.isTTY === true,
});
