/**
 * Share links: a link opens where it was made; the address bar follows the position; a broken link
 * is explained and the open scenario stays; embed mode.
 */
import { DEFAULT_CONFIG, DEFAULT_PLATFORM, findScenario, type Scenario } from '../src/model/index.ts';
import { encodeLink } from '../src/share/index.ts';
import { esc, expect, expected, SwapvizApp, test } from './fixtures.ts';

test('a link opens at its step, the address bar follows the steps, and a copied link reopens the same place', async ({ app, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await app.open('#v=1&k=rfc&s=S02&step=4');
  await app.expectAt(4, 7);
  await expect(app.stepHeading).toHaveText('Step 4 of 7: driver: migrate_vma_finalize');
  await expect(app.page.getByText('Spec S02: step 2')).toBeVisible();
  await app.expectEntry(expected('S02', 2, 'rfc'));
  await expect(app.kernelSelect).toHaveValue('rfc');
  await expect(app.scenarioSelect).toHaveValue('S02');

  // Step, pick another entry, switch the kernel: the address bar follows (history.replaceState).
  const historyLength = await app.page.evaluate(() => history.length);
  await app.step();
  await app.step();
  await app.expectAt(6, 7);
  await expect.poll(() => app.hash()).toBe('v=1&k=rfc&s=S02&step=6');
  await app.row(1, 0).click();
  await expect.poll(() => app.hash()).toBe('v=1&k=rfc&s=S02&step=6&sel=1.0');
  await app.pickKernel('v6.18');
  await expect.poll(() => app.hash()).toBe('v=1&k=v6.18&s=S02&step=6&sel=1.0');
  expect(await app.page.evaluate(() => history.length), 'stepping added no history entries').toBe(historyLength);

  // "Copy link" puts the link on the clipboard; it opens the same place in a new page.
  await app.button('Copy link').click();
  await expect(app.button('Link copied')).toBeVisible();
  const copied = await app.page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#v=1&k=v6\.18&s=S02&step=6&sel=1\.0$/);

  const other = new SwapvizApp(await context.newPage());
  await other.page.goto(copied);
  await other.expectAt(6, 7);
  await expect(other.scenarioSelect).toHaveValue('S02');
  await expect(other.kernelSelect).toHaveValue('v6.18');
  await expect(other.selectedRow()).toHaveAccessibleName('PTE 0, none');
  await expect(other.bitLayout.getByRole('heading', { level: 2 })).toHaveText('Bit layout: pid 1 PTE 0');
  await other.row(1, 1).click();
  await other.step();
  await other.expectEntry(expected('S02', 4, 'v6.18'));
  await other.page.close();
});

test('a broken link of any kind says what is wrong, and the open scenario stays at its step', async ({ app, context }) => {
  // Two links the app makes itself: an edited scenario (carried whole, as z=…), and one whose
  // history became impossible (event 3 changed to a finalize, so event 4's finalize has nothing to finish).
  await app.open('v=1&k=rfc&s=S01');
  await app.button('write fault').click();
  await app.expectAt(1, 2);
  await expect.poll(() => app.hash()).toMatch(/^v=1&k=rfc&step=1&z=[A-Za-z0-9_-]{20,}$/);
  const edited = await app.hash();

  await app.open('v=1&k=rfc&s=S02&step=3');
  await app.page.getByText('Events of this scenario (7)').click();
  await app.button('Change event 3').click();
  await app.page.getByRole('textbox', { name: 'Event 3 as JSON' }).fill('{"type":"migrate_vma_finalize"}');
  await app.button('Apply').click();
  await expect(app.alert).toHaveText(/^Event 4 \(driver: migrate_vma_finalize\) cannot happen any more: /);
  await expect(app.timeline.getByRole('alert')).toHaveText(/^Event 4 cannot happen: .*\. The timeline stops before it\.$/);
  await expect.poll(() => app.hash()).toMatch(/&z=/);
  const impossible = await app.hash();

  // Open a good link, then paste broken ones into the address bar.
  await app.open('v=1&k=rfc&s=S10&step=3');
  await app.expectAt(3, 6);
  await expect(app.alert).toHaveCount(0);
  const [head, blob] = edited.split('&z=') as [string, string];
  const broken: [string, RegExp][] = [
    ['garbage', /^the link has no version \(v=…\): it is not a swapviz share link\.$/],
    [`${head}&z=${blob.slice(0, Math.floor(blob.length / 2))}`, /^the scenario data \(z=\) .+\.$/],
    ['v=2&k=rfc&s=S02&step=1', /^made by a newer swapviz: link version 2, this one reads up to 1\.$/],
    ['v=1&k=foo&s=S02', /^unknown kernel profile "foo" \(this swapviz knows v6\.18, rfc, .+\)\.$/],
    ['v=1&k=rfc&s=NOPE', /^unknown built-in scenario "NOPE" \(.+\)\.$/],
    ['v=1&k=rfc&s=S02&step=8', /^step 8 is past the end: the scenario has 7 events\.$/],
    [impossible, /^event 4 \(migrate_vma_finalize\) cannot happen after step 3: no migrate vma is in progress.+\.$/],
  ];
  const kept = ' Your scenario (S10, step 3) is still open.';
  for (const [link, why] of broken) {
    await app.changeHash(link);
    const text = app.alert.getByText(/^This link could not be opened: /);
    await expect(text, link).toHaveText(new RegExp(`^This link could not be opened: ${why.source.slice(1, -1)}${esc(kept)}$`));
    await expect(app.scenarioLine).toContainText('S10 — fork() while a device-private page is mid-migration');
    await app.expectAt(3, 6);
    await expect(app.selectedRow()).toHaveAccessibleName(/^PTE 1, /);
    await app.button('Dismiss the message').click();
    await expect(app.alert).toHaveCount(0);
  }

  // The scenario still works, and the address bar gets a good link again.
  await app.step();
  await app.expectAt(4, 6);
  await expect.poll(() => app.hash()).toBe('v=1&k=rfc&s=S10&step=4');

  // A page opened on a broken link shows the message over the default scenario.
  const fresh = new SwapvizApp(await context.newPage());
  await fresh.page.goto('./#v=1&k=rfc&s=S02&step=99');
  await expect(fresh.alert).toContainText('This link could not be opened: step 99 is past the end: the scenario has 7 events. Your scenario (S02, step 0) is still open.');
  await fresh.expectAt(0, 7);
  await expect(fresh.scenarioSelect).toHaveValue('S02');
  await fresh.page.close();
});

test('embed mode shows the stepper and the diagrams, and links to the full app at the same place', async ({ app, context }) => {
  await app.open('#v=1&k=rfc&s=S02&step=2', { embed: true });
  await app.expectAt(2, 7);
  await expect(app.bitLayout).toBeVisible();
  await expect(app.hexInput).toHaveValue(expected('S02', 1, 'rfc').pte);
  await expect(app.page.getByRole('region', { name: 'PFN spaces' })).toBeVisible();
  await expect(app.page.getByRole('region', { name: /^What can happen to / })).toHaveCount(0);
  await expect(app.scenarioSelect).toHaveCount(0);
  await expect(app.kernelSelect).toHaveCount(0);
  await expect(app.button('Copy link')).toHaveCount(0);

  const full = app.page.getByRole('link', { name: 'Open in swapviz' });
  await expect(full).toHaveAttribute('href', '/#v=1&k=rfc&s=S02&step=2');

  const [opened] = await Promise.all([context.waitForEvent('page'), full.click()]);
  const fullApp = new SwapvizApp(opened);
  await fullApp.expectAt(2, 7);
  await expect(fullApp.scenarioSelect).toHaveValue('S02');
  await expect(fullApp.page.getByRole('region', { name: 'What can happen to pid 1 PTE 1 now' })).toBeVisible();
  await opened.close();

  // Keys step the embed too.
  await app.page.getByText('S02', { exact: true }).click();
  await app.page.keyboard.press('ArrowRight');
  await app.expectAt(3, 7);
});

test('the embed\'s "Open in swapviz" link follows the steps taken inside the embed', async ({ app }) => {
  await app.open('#v=1&k=rfc&s=S02&step=2', { embed: true });
  await app.step();
  await app.expectAt(3, 7);
  await expect(app.page.getByRole('link', { name: 'Open in swapviz' })).toHaveAttribute('href', '/#v=1&k=rfc&s=S02&step=3', { timeout: 1500 });
});

test('deleting an event of a built-in scenario keeps the address bar on a valid link', async ({ app }) => {
  await app.open('v=1&k=rfc&s=S02&step=3');
  await app.page.getByText('Events of this scenario (7)').click();
  await app.button('Delete event 7: driver: migrate_vma_finalize').click();
  await expect(app.page.getByText('Events of this scenario (6)')).toBeVisible();
  await expect.poll(() => app.hash(), { timeout: 2000 }).toMatch(/^v=1&k=rfc&step=3&z=/);
});

test('a long link opens before all its events are checked; one that cannot happen far past its step refuses it when the check gets there', async ({ app }) => {
  // S02's round trip, over and over (2,000 events), then a finalize with no migration in progress.
  const S02 = findScenario('S02')!;
  const events = [...S02.events];
  while (events.length < 2000) events.push(...S02.events.slice(1));
  const long: Scenario = { ...S02, id: 'long', title: 'long', checkpoints: [], events: [...events, { type: 'migrate_vma_finalize' }] };
  const options = { profile: 'rfc' as const, config: DEFAULT_CONFIG, platform: DEFAULT_PLATFORM };
  await app.open('v=1&k=rfc&s=S10&step=3');
  await app.expectAt(3, 6);
  await app.changeHash(encodeLink({ scenario: long, options, cursor: 2 }));
  const text = app.alert.getByText(/^This link could not be opened: /);
  await expect(text).toHaveText(`This link could not be opened: event ${events.length + 1} (migrate_vma_finalize) cannot happen after step ${events.length}: no migrate vma is in progress: migrate_vma_setup (or a CPU fault on a device-private entry) starts one. Your scenario (S10, step 3) is still open.`);
  await expect(app.scenarioLine).toContainText('S10 — fork() while a device-private page is mid-migration');
  await app.expectAt(3, 6);

  // The same link without the bad event opens, and stays open once every event is checked.
  await app.changeHash(encodeLink({ scenario: { ...long, events }, options, cursor: 2 }));
  await app.expectAt(2, events.length);
  await expect(app.timeline.getByRole('status').filter({ hasText: /^Checking that/ })).toHaveCount(0);
  await expect(app.alert).toHaveCount(0);
  await app.step();
  await app.expectAt(3, events.length);
});
