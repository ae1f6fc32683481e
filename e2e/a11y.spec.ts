/**
 * Accessibility: axe (WCAG 2 A and AA rules) finds nothing serious or critical on the main page in
 * both themes and in compare mode, nor on the embed page.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

async function seriousViolations(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length}×, e.g. ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')})`);
}

test('the main page has no serious or critical axe violations, in the light and dark themes and in compare mode', async ({ app }) => {
  await app.open('v=1&k=rfc&s=S02&step=5');
  for (const theme of ['light', 'dark'] as const) {
    await app.pickTheme(theme);
    await expect(app.page.locator('html')).toHaveAttribute('data-theme', theme);
    expect(await seriousViolations(app.page), `${theme} theme`).toEqual([]);
  }
  await app.compareBox.check();
  await expect(app.selectedRow()).toHaveAccessibleName(/differs between v6.18 and RFC/);
  expect(await seriousViolations(app.page), 'compare mode (dark)').toEqual([]);
  await app.pickTheme('light');
  await app.openTab('Type numbers');
  expect(await seriousViolations(app.page), 'compare mode, type numbers (light)').toEqual([]);
});

test('the embed page has no serious or critical axe violations', async ({ app }) => {
  await app.open('v=1&k=rfc&s=S02&step=2', { embed: true });
  expect(await seriousViolations(app.page)).toEqual([]);
});

test('what issue 9 added has no serious or critical axe violations: forced-off options, problems with their rules, compare mode in the bit layout and the decode box', async ({ app }) => {
  await app.open('v=1&k=rfc&s=S20&step=2');
  await app.config('MIGRATION').uncheck();
  await app.hexInput.fill('0xcfffffffffffdf02');
  await expect(app.problems).toHaveCount(5);
  for (const theme of ['light', 'dark'] as const) {
    await app.pickTheme(theme);
    expect(await seriousViolations(app.page), `forced options and problems, ${theme}`).toEqual([]);
  }
  await app.config('MIGRATION').check();
  await app.compareAny.check();
  await app.compareSide('Left').selectOption('7.3');
  await expect(app.bitsUnder('v7.3.4')).toBeVisible();
  expect(await seriousViolations(app.page), 'compare mode, bit layout (dark)').toEqual([]);
  await app.openTab('Decode values');
  await app.pickTheme('light');
  expect(await seriousViolations(app.page), 'compare mode, decode box (light)').toEqual([]);
});
