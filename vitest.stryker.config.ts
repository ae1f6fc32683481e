/**
 * The Vitest config StrykerJS runs (stryker.config.mjs): the project's own, with a longer per-test
 * timeout, because instrumented code with per-test coverage runs several times slower than the
 * plain suite and the property tests would hit Vitest's 5 s default. Stryker has its own timeout
 * for a mutant that loops.
 */
import { mergeConfig } from 'vitest/config';
import base from './vite.config.ts';

export default mergeConfig(base, { test: { testTimeout: 60_000 } });
