import { defineConfig, devices } from '@playwright/test';

/**
 * Playwright drives Debian's Chromium (browsers cannot be downloaded here): set SWAPVIZ_CHROMIUM to
 * use another binary. The suite runs against the production build served by `vite preview` at the
 * root; the `subpath` project runs e2e/subpath.spec.ts against the same dist/ served under
 * /swapviz/ by a plain static server (e2e/static-server.ts), as GitHub Pages serves it.
 */
const executablePath = process.env.SWAPVIZ_CHROMIUM ?? '/usr/bin/chromium';
const port = Number(process.env.SWAPVIZ_E2E_PORT ?? 4173);
const subpathPort = Number(process.env.SWAPVIZ_E2E_SUBPATH_PORT ?? port + 1);
const SUBPATH = /subpath\.spec\.ts$/;

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
  projects: [
    { name: 'root', testIgnore: SUBPATH },
    { name: 'subpath', testMatch: SUBPATH, use: { baseURL: `http://127.0.0.1:${subpathPort}/swapviz/` } },
  ],
  webServer: [
    {
      command: `npx vite preview --host 127.0.0.1 --port ${port} --strictPort`,
      url: `http://127.0.0.1:${port}/`,
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
    },
    {
      command: `node --import tsx e2e/static-server.ts --host 127.0.0.1 --port ${subpathPort} --base /swapviz/ --root dist`,
      url: `http://127.0.0.1:${subpathPort}/swapviz/`,
      reuseExistingServer: !process.env.CI,
      timeout: 30_000,
    },
  ],
});
