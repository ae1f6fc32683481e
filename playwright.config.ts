import { defineConfig, devices } from '@playwright/test';

/**
 * Playwright drives Debian's Chromium (browsers cannot be downloaded here): set SWAPVIZ_CHROMIUM to
 * use another binary. The suite runs against the production build served by `vite preview`.
 */
const executablePath = process.env.SWAPVIZ_CHROMIUM ?? '/usr/bin/chromium';
const port = Number(process.env.SWAPVIZ_E2E_PORT ?? 4173);

export default defineConfig({
  testDir: './e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  reporter: process.env.CI ? 'list' : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}/`,
    trace: 'retain-on-failure',
    ...devices['Desktop Chrome'],
    launchOptions: {
      executablePath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  webServer: {
    command: `npx vite preview --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
