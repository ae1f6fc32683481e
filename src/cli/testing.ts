/**
 * Runs the swapviz command in-process, as the bin does, with its standard streams captured: what the
 * CLI tests call. Not part of the CLI bundle.
 */
import { PassThrough } from 'node:stream';
import { text } from 'node:stream/consumers';
import { main } from './main.ts';

export interface RunResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** `swapviz ...argv`, with `stdin` piped in (a terminal when it is undefined). */
export async function runCli(argv: string[], stdin?: string): Promise<RunResult> {
  const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), stdinIsTty: stdin === undefined };
  const outP = text(io.stdout);
  const errP = text(io.stderr);
  io.stdin.end(stdin ?? '');
  const code = await main(argv, io);
  io.stdout.end();
  io.stderr.end();
  return { code, out: await outP, err: await errP };
}

/** The objects of a `--json` output, one per line. */
export function jsonLines(s: string): Record<string, unknown>[] {
  return s.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}
