/**
 * Lessons: the welcome of a first visit, a whole lesson done with the keyboard, questions checked by
 * the model (and following the kernel), stop links, progress without storage, and every screen on a
 * phone.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

/** Presses Tab (or Shift+Tab) until `target` has the focus, as a keyboard user does; fails after `max` presses. */
async function tabTo(page: Page, target: Locator, { back = false, max = 60 } = {}): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  await expect(target).toBeFocused();
}

const lesson = (page: Page) => page.getByRole('region').filter({ has: page.getByText(/^Lesson \d+ of \d+: /) });
const verdict = (page: Page) => lesson(page).getByRole('status').first();

test('a first visit offers the lessons; lesson 1 can be done with the keyboard alone, a wrong answer explained by the model first', async ({ app, page }) => {
  await page.goto('./');
  const start = page.getByRole('button', { name: /^Start lesson 1: / });
  await expect(page.getByRole('heading', { name: /^New here\? Learn it in 7 short lessons$/ })).toBeVisible();
  await expect(start).toBeFocused();
  // The free explorer underneath opens on a step that shows something, with a hint for stepping.
  await expect(app.selectedRow()).toHaveAccessibleName(/^PTE 1, present pfn=/);
  await expect(app.timeline.getByText(/^Next: driver: migrate_vma_setup/)).toBeVisible();

  await page.keyboard.press('Enter');
  const heading = page.getByRole('heading', { level: 2, name: 'A present PTE, about to be swapped out' });
  await expect(heading).toBeFocused();
  await expect(page.getByText('Lesson 1 of 7: A swap entry inside a PTE · stop 1 of 5')).toBeVisible();

  // Stop 1: a type-number question, answered wrong, then right.
  const typeNumber = page.getByRole('textbox', { name: 'Type number' });
  await tabTo(page, typeNumber);
  await page.keyboard.type('27');
  await page.keyboard.press('Enter');
  await expect(verdict(page)).toContainText('✗ Not 27: the next entry is type 0.');
  await expect(page.getByRole('list', { name: 'The model\'s decode' })).toContainText('bits 59–63: swap type 0, swapfile_0');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('0');
  await page.keyboard.press('Enter');
  await expect(verdict(page)).toContainText('✓ Right: type 0, a real swap device.');

  // On to stop 4 with the keyboard.
  const next = page.getByRole('button', { name: 'Next stop', exact: true });
  for (const title of ['The type and the inverted offset', 'Flag bits, bits that must stay clear, and swp_entry_t', 'fork() shares the slot']) {
    await tabTo(page, next);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 2, name: title })).toBeFocused();
  }

  // Stop 4: mark the bit fork() changes, in the bit layout, with the arrow keys and Space.
  await tabTo(page, page.getByRole('button', { name: 'Mark bits in the bit layout' }));
  await page.keyboard.press('Enter');
  await expect(app.bits.getByRole('checkbox', { name: /^bit 63: / })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  for (let i = 0; i < 27; i++) await page.keyboard.press('ArrowRight');
  await expect(app.bits.getByRole('checkbox', { name: /^bit 4: / })).toBeFocused();
  await page.keyboard.press(' ');
  await expect(app.bits.getByRole('checkbox', { name: /^bit 4: / })).toBeChecked();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Back to the question' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Check', exact: true })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(verdict(page)).toContainText('✗ Not quite: bit 3 changes.');
  await expect(verdict(page)).toContainText('You did not mark bit 3: bit 3: _PAGE_SWP_EXCLUSIVE clear.');
  // Fix the marks: bit 4 off, bit 3 on.
  await tabTo(page, page.getByRole('button', { name: 'Mark bits in the bit layout' }), { back: true });
  await page.keyboard.press('Enter');
  await expect(app.bits.getByRole('checkbox', { name: /^bit 4: / })).toBeFocused();
  await page.keyboard.press(' ');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press(' ');
  await expect(app.bits.getByRole('checkbox', { name: /^bit 3: / })).toBeChecked();
  await expect(app.bits.getByRole('checkbox', { name: /^bit 4: / })).not.toBeChecked();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await expect(verdict(page)).toContainText('✓ Right: bit 3 changes.');
  // Take the step (→ from the page), and see it.
  await tabTo(page, page.getByRole('button', { name: 'Take the step' }));
  await page.keyboard.press('Enter');
  await app.expectAt(3, 3);

  await tabTo(page, next);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 2, name: 'Parent and child, one entry' })).toBeFocused();
  const finish = page.getByRole('button', { name: 'Finish the lesson' });
  await tabTo(page, finish);
  await page.keyboard.press('Enter');
  await expect(page.getByText('✓ Lesson 1 complete.')).toBeVisible();
  await tabTo(page, page.getByRole('button', { name: 'Leave the lesson' }));
  await page.keyboard.press('Enter');
  await expect(page.getByText('Lessons (1 of 7 done)')).toBeVisible();
});

test('a lesson-stop link opens on that stop in a fresh browser context, with no progress', async ({ app, browser, page }) => {
  await app.open('v=1&k=rfc&s=S02&step=0');
  await page.getByText('Lessons (0 of 7 done)').click();
  await page.getByRole('button', { name: /^Lesson 4: The device round trip/ }).click();
  await page.getByRole('button', { name: /^Stop 3: / }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Finalize' })).toBeVisible();
  await expect.poll(() => app.hash()).toBe('v=1&k=v6.18&s=S02&step=3&lesson=device&stop=3');
  const link = page.url();

  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  try {
    await other.goto(link);
    await expect(other.getByRole('heading', { level: 2, name: 'Finalize' })).toBeVisible();
    await expect(other.getByText('Lesson 4 of 7: The device round trip · stop 3 of 5')).toBeVisible();
    await expect(other.getByRole('button', { name: /^Stop 3: / })).toHaveAttribute('aria-current', 'step');
    await expect(other.getByRole('heading', { level: 2, name: /^Step 3 of 7: / })).toBeVisible();
    await expect(other.getByRole('combobox', { name: 'Kernel', exact: true })).toHaveValue('v6.18');
    await expect(other.getByRole('heading', { name: /^New here\?/ })).toHaveCount(0);
    await expect(other.getByRole('button', { name: /^Stop 3: .*answered/ })).toHaveCount(0);
  } finally {
    await fresh.close();
  }
});

test('a type-number question follows the kernel: switching v6.18 ↔ RFC changes the expected answer', async ({ app, page }) => {
  await app.open('v=1&k=rfc&s=S26&step=5&lesson=two-spaces&stop=2');
  await page.getByRole('button', { name: 'Reveal the answer' }).click();
  const said = lesson(page).getByText(/^The model says: /);
  await expect(said).toHaveText(/^The model says: \d+ \(SWP_MIGRATION_DEVICE_WRITE\)$/);
  const rfc = (await said.textContent())!.match(/(\d+)/)![1]!;
  await page.getByRole('textbox', { name: 'Type number' }).fill(rfc);
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await expect(verdict(page)).toContainText(`✓ Right: type ${rfc}, SWP_MIGRATION_DEVICE_WRITE.`);

  await app.pickKernel('v6.18');
  await expect(said).toHaveText(/^The model says: \d+ \(SWP_MIGRATION_WRITE\)$/);
  const base = (await said.textContent())!.match(/(\d+)/)![1]!;
  expect(base).not.toBe(rfc);
  await expect(verdict(page)).toContainText(`✗ Not ${rfc}: the next entry is type ${base}.`);
});

test('progress is kept across visits, and the app works when localStorage is blocked', async ({ app, page, browser }) => {
  await page.goto('./');
  await page.getByRole('button', { name: 'Explore on my own' }).click();
  await expect.poll(() => app.hash()).toMatch(/^v=1&/);
  await page.goto('./');
  await expect(app.stepHeading).toBeVisible();
  await expect(page.getByRole('heading', { name: /^New here\?/ })).toHaveCount(0);

  const blocked = await browser.newContext();
  await blocked.addInitScript(() => {
    Object.defineProperty(window, 'localStorage', { get() { throw new DOMException('The operation is insecure.', 'SecurityError'); } });
  });
  const p = await blocked.newPage();
  const errors: string[] = [];
  p.on('pageerror', (e) => errors.push(e.message));
  p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  try {
    await p.goto(page.url().replace(/#.*$/, ''));
    await p.getByRole('button', { name: /^Start lesson 1: / }).click();
    await p.getByRole('textbox', { name: 'Type number' }).fill('0');
    await p.getByRole('button', { name: 'Check', exact: true }).click();
    await expect(p.getByRole('button', { name: /^Stop 1: .*answered$/ })).toBeVisible();
    await p.getByRole('button', { name: 'Step forward' }).click();
    await expect(p.getByRole('heading', { level: 2, name: /^Step 2 of 2: / })).toBeVisible();
    expect(errors).toEqual([]);
  } finally {
    await blocked.close();
  }
});

test('with reduced motion the speed menu offers only the speed playback uses', async ({ app, page }) => {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await app.open('v=1&k=rfc&s=S02');
  const speed = app.combobox('Speed');
  await expect(speed).toHaveValue('1');
  await expect(speed.getByRole('option')).toHaveText(['0.5 steps/s', '1 step/s']);
  await expect(app.timeline.getByText('at most 1 step/s: reduced motion')).toBeVisible();
});

test('at 390×844 nothing scrolls sideways: the main page, a lesson, the embed; the bit layout reflows into four lanes', async ({ app, page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  await page.goto('./');
  await expect(app.stepHeading).toBeVisible();
  expect(await fits(), 'main page').toBe(true);
  // The PTE's own word (the pagemap record below it reflows the same way).
  await expect(app.bitLayout.getByRole('group', { name: /^64 bits of 0x/ }).getByText('63–48', { exact: true })).toBeVisible();
  await app.open('v=1&k=v6.18&s=S21&step=2&lesson=swap-entry&stop=4');
  await expect(page.getByRole('heading', { level: 2, name: 'fork() shares the slot' })).toBeVisible();
  expect(await fits(), 'a lesson').toBe(true);
  await app.open('v=1&k=rfc&s=S02&step=2', { embed: true });
  expect(await fits(), 'the embed').toBe(true);
});

test('a lesson has no serious or critical axe violations, light and dark, with a verdict and bits being marked', async ({ app, page }) => {
  test.slow(); // four axe scans
  const serious = async () => {
    const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')})`);
  };
  await app.open('v=1&k=v6.18&s=S20&step=1&lesson=swap-entry&stop=1');
  await page.getByRole('textbox', { name: 'Type number' }).fill('27');
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await expect(verdict(page)).toContainText('✗');
  for (const theme of ['light', 'dark'] as const) {
    await app.pickTheme(theme);
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    expect(await serious(), `${theme}, type-number question`).toEqual([]);
  }
  await app.open('v=1&k=v6.18&s=S21&step=2&lesson=swap-entry&stop=4');
  await app.bits.getByRole('checkbox', { name: /^bit 3: / }).click();
  expect(await serious(), 'dark, marking bits').toEqual([]);
  await app.open('v=1&k=v6.18&s=S02&step=3&lesson=device&stop=3');
  await page.getByRole('button', { name: 'Reveal the answer' }).click();
  expect(await serious(), 'dark, type-name question revealed').toEqual([]);
});
