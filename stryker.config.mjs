/**
 * Mutation testing (StrykerJS + its Vitest runner): does the unit suite notice when the model is
 * wrong? Run it through `npm run mutation [files or folders]` (scripts/mutation.mjs), which passes the
 * files to --mutate and prints a per-file table. Not part of `npm test`: it is slow on two cores.
 *
 * - perTest coverage: each mutant runs only the tests that executed its code. Mutants in code that
 *   runs when a module loads ("static": tables, module-level fixtures) run the whole suite, so tests
 *   build their fixtures inside the test, not at module level.
 * - incremental: results are kept in reports/stryker-incremental.json (git-ignored: it is a local
 *   cache of this machine's last run, rewritten by every run); the next run retests only mutants whose
 *   code or covering tests changed. `npm run mutation -- --force` retests everything.
 */
export default {
  $schema: './node_modules/@stryker-mutator/core/schema/stryker-schema.json',
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts', related: true },
  coverageAnalysis: 'perTest',
  // The default set is what the targets cover: the kernel model, and the machine's kernel handlers
  // (mm/**, the test_hmm driver, the entry builders, the dispatch). Any file can be named instead:
  // `npm run mutation src/model/machine/invariants.ts`.
  mutate: [
    'src/model/kernel/**/*.ts',
    'src/model/machine/mm/**/*.ts',
    'src/model/machine/drivers/**/*.ts',
    'src/model/machine/entries.ts',
    'src/model/machine/step.ts',
    '!src/**/*.test.ts',
    '!src/model/**/index.ts',
    // types only: nothing to mutate
    '!src/model/kernel/decodeTypes.ts',
    '!src/model/kernel/arch/layout.ts',
  ],
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  concurrency: 2,
  timeoutMS: 20000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  ignorePatterns: ['dist', 'e2e', 'test-results', 'playwright-report', 'bench/out', 'reports'],
};
