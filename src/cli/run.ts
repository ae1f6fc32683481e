/** `swapviz run`: replays a scenario. Filled in with the state machine (issue 3). */
import type { Io } from './main.ts';

export async function runCommand(_argv: string[], io: Io): Promise<number> {
  io.stderr.write('swapviz run: not available yet\n');
  return 2;
}
