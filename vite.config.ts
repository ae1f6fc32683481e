import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { availableParallelism } from 'node:os';

export default defineConfig({
  plugins: [react()],
  base: './',
  build: {
    target: 'es2022',
    sourcemap: true,
  },
  server: { port: 5173, strictPort: false },
  preview: { port: 4173, strictPort: true },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts'],
    environment: 'node',
    // Test files share a worker's module graph (the model is loaded once per worker, not once per
    // file): about half the suite's wall time. Tests keep no state of their own in modules.
    isolate: false,
    // The property tests replay thousands of random sequences: seconds on a quiet machine, more on
    // a loaded one. A timeout is not what they test.
    testTimeout: 30_000,
    // Vitest's default leaves one core free: on the 2-core machines here that is one worker, and
    // the suite's wall time is the sum of its files (33 s vs 28 s with two).
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
