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
 *   scenarios and would only make every surviving model mutant slower;
 * - the property tests (properties.test.ts) with a tenth of their random sequences
 *   (SWAPVIZ_PROPERTY_RUNS, default 0.1 here; set it to 1 for full runs): they run last and almost
 *   never kill a mutant first (2 of ~500 kills in the machine-handler runs), but every surviving
 *   mutant pays for all of them. With the same seed a scaled run is a prefix of the full one, so a
 *   scaled score can only be lower than the full one, never higher.
 */
import { mergeConfig } from 'vitest/config';
import { BaseSequencer, type Reporter, type TestSpecification, type Vitest } from 'vitest/node';
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

/**
 * A test file that cannot even load counts as one failed test. Stryker's vitest runner builds a
 * mutant's result from the tests it collected, and a file whose import throws has none, so a static
 * mutant that breaks a module's load (a PAGEMAP_BITS name emptied, say) was scored Survived
 * (stryker-js#6150, open for 9.6 and 10.0). This adds the failure where the runner looks for it.
 */
class LoadFailureAsFailedTest implements Reporter {
  #vitest: Vitest | undefined;
  onInit(vitest: Vitest): void {
    this.#vitest = vitest;
  }
  onTestRunEnd(): void {
    for (const file of this.#vitest?.state.getFiles() ?? []) {
      if (file.result?.state !== 'fail' || file.tasks.length > 0) continue;
      file.tasks.push({
        type: 'test', id: `${file.id}_load`, name: 'the test file loads', mode: 'run', file, suite: file, context: {} as never, meta: {},
        timeout: 0, annotations: [], artifacts: [], result: { state: 'fail', errors: file.result.errors ?? [{ message: 'the test file failed to load' }], duration: 0 },
      } as unknown as (typeof file.tasks)[number]);
    }
  }
}

// One worker per Stryker test runner: Stryker's own concurrency (2) already uses both cores.
const config = mergeConfig(base, {
  test: {
    testTimeout: 60_000, maxWorkers: 1, sequence: { sequencer: QuickFirst }, reporters: ['default', new LoadFailureAsFailedTest()],
    env: { SWAPVIZ_PROPERTY_RUNS: process.env.SWAPVIZ_PROPERTY_RUNS ?? '0.1' },
  },
});
config.test!.include = ['src/model/**/*.test.ts', 'test/**/*.test.ts'];
export default config;
