/**
 * The Vitest config StrykerJS runs (stryker.config.mjs): the project's own, with
 * - a longer per-test timeout: instrumented code with per-test coverage runs several times slower
 *   than the plain suite, and the property tests would hit Vitest's 5 s default (Stryker has its
 *   own timeout for a mutant that loops);
 * - quick test files first: a mutant run stops at the first failing test (bail), so the focused
 *   table tests get their chance to kill it before the long property runs start. Files that failed
 *   last time still go first, as in Vitest's default order;
 * - the model's own tests only (src/model, test/): mutation testing asks whether they notice a
 *   wrong model. The link codec, store and CLI suites test their own layers; they replay whole
 *   scenarios and would only make every surviving model mutant slower.
 */
import { mergeConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { relative } from 'node:path';
import base from './vite.config.ts';

class QuickFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const { cache, config } = this.ctx;
    const info = (f: TestSpecification) => {
      const key = `${f.project.name}:${relative(config.root, f.moduleId)}`;
      const r = cache.getFileTestResults(key);
      return { failed: r?.failed ?? false, duration: r?.duration ?? cache.getFileStats(key)?.size ?? 0 };
    };
    return [...files].sort((a, b) => {
      const x = info(a);
      const y = info(b);
      if (x.failed !== y.failed) return x.failed ? -1 : 1;
      return x.duration - y.duration;
    });
  }
}

// One worker per Stryker test runner: Stryker's own concurrency (2) already uses both cores.
const config = mergeConfig(base, { test: { testTimeout: 60_000, maxWorkers: 1, sequence: { sequencer: QuickFirst } } });
config.test!.include = ['src/model/**/*.test.ts', 'test/**/*.test.ts'];
export default config;
