/**
 * The production build published under a sub-path (https://OWNER.github.io/swapviz/): dist/ served
 * at /swapviz/ by a plain static server (e2e/static-server.ts: no index.html fallback, nothing
 * outside /swapviz/). Share links, copied links and embeds keep the sub-path, and the page loads
 * nothing from anywhere else: no fonts, scripts or data from the network.
 */
import type { Page, Request } from '@playwright/test';
import { expect, expected, SwapvizApp, test } from './fixtures.ts';

/** Every request of `page`, as full URLs. */
function recordRequests(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (r: Request) => urls.push(r.url()));
  return urls;
}

test('a share link opens at its step under /swapviz/, stepping and "Copy link" keep the sub-path, and nothing loads from elsewhere', async ({ app, context, baseURL }) => {
  expect(baseURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/swapviz\/$/);
  const requests = recordRequests(app.page);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);

  await app.open('#v=1&k=rfc&s=S02&step=4');
  await app.expectAt(4, 7);
  await expect(app.stepHeading).toHaveText('Step 4 of 7: driver: migrate_vma_finalize');
  await app.expectEntry(expected('S02', 2, 'rfc'));
  await expect(app.scenarioSelect).toHaveValue('S02');
  await expect(app.kernelSelect).toHaveValue('rfc');
  expect(new URL(app.page.url()).pathname).toBe('/swapviz/');

  await app.step();
  await app.expectAt(5, 7);
  await expect.poll(() => app.page.url()).toBe(`${baseURL}#v=1&k=rfc&s=S02&step=5`);

  await app.button('Copy link').click();
  await expect(app.button('Link copied')).toBeVisible();
  const copied = await app.page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(`${baseURL}#v=1&k=rfc&s=S02&step=5`);

  // The page's own files (HTML, script, style sheet, icon) came from /swapviz/, and nothing else was asked for.
  expect(requests.length).toBeGreaterThanOrEqual(3);
  expect(requests.filter((u) => !u.startsWith(baseURL ?? '')), 'requests outside the sub-path').toEqual([]);
});

test('an embed under /swapviz/ shows the step, and its "Open in swapviz" link opens the full app under /swapviz/', async ({ app, context, baseURL }) => {
  await app.open('#v=1&k=rfc&s=S02&step=4', { embed: true });
  await app.expectAt(4, 7);
  await expect(app.hexInput).toHaveValue(expected('S02', 2, 'rfc').pte);
  await expect(app.scenarioSelect).toHaveCount(0);

  const full = app.page.getByRole('link', { name: 'Open in swapviz' });
  await expect(full).toHaveAttribute('href', '/swapviz/#v=1&k=rfc&s=S02&step=4');
  const [opened] = await Promise.all([context.waitForEvent('page'), full.click()]);
  const fullApp = new SwapvizApp(opened);
  await fullApp.expectAt(4, 7);
  await expect(fullApp.scenarioSelect).toHaveValue('S02');
  expect(opened.url()).toBe(`${baseURL}#v=1&k=rfc&s=S02&step=4`);
  await opened.close();
});
