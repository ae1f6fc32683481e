/**
 * The kernel profile, the kernel config and compare mode: the type numbers and the entries move
 * with them.
 */
import { esc, expect, expected, test } from './fixtures.ts';

test('the type numbers follow the kernel profile and the config', async ({ app }) => {
  await app.open('v=1&k=rfc&s=S20&step=2&panel=types');
  const panel = app.page.getByRole('tabpanel', { name: 'Type numbers' });
  const table = panel.getByRole('table');
  await expect(app.page.getByRole('tab', { name: 'Type numbers' })).toHaveAttribute('aria-selected', 'true');

  await expect(table).toHaveAccessibleName(/^RFC .*: MAX_SWAPFILES = 21$/);
  await expect(table.getByRole('row', { name: '24 SWP_MIGRATION_WRITE RAM pfn CONFIG_MIGRATION' })).toBeVisible();
  await expect(table.getByRole('row', { name: '30 SWP_MIGRATION_DEVICE_WRITE device offset CONFIG_DEVICE_PRIVATE' })).toBeVisible();
  await expect(table.getByRole('row', { name: '0–20 swap devices slot CONFIG_SWAP' })).toBeVisible();

  await app.pickKernel('v6.18');
  await expect(table).toHaveAccessibleName('v6.18 (series base): MAX_SWAPFILES = 24');
  await expect(table.getByRole('row', { name: '27 SWP_MIGRATION_WRITE RAM pfn CONFIG_MIGRATION' })).toBeVisible();
  await expect(table.getByRole('row', { name: /SWP_MIGRATION_DEVICE_WRITE/ })).toHaveCount(0);
  await expect(table.getByRole('row', { name: '0–23 swap devices slot CONFIG_SWAP' })).toBeVisible();
  // The swapped-out entry of S20 is type 0 under both kernels.
  const swapped = expected('S20', 1, 'v6.18');
  await expect(app.selectedRow()).toHaveAccessibleName(new RegExp(`^PTE 1, ${esc(swapped.summary)} off=0x42 `));
  await expect(app.selectedRow()).toContainText(swapped.pte);

  // Without CONFIG_MIGRATION, Kconfig also drops DEVICE_PRIVATE and MEMORY_FAILURE: only the marker is left.
  await app.config('MIGRATION').uncheck();
  await expect(panel.getByText(/^Kconfig: CONFIG_MEMORY_FAILURE=n: it selects MIGRATION \(mm\/Kconfig\); CONFIG_DEVICE_PRIVATE=n: .*\.$/)).toBeVisible();
  await expect(table).toHaveAccessibleName('v6.18 (series base): MAX_SWAPFILES = 31');
  await expect(table.getByRole('row')).toHaveCount(3);
  await expect(table.getByRole('row', { name: '31 SWP_PTE_MARKER marker bits always' })).toBeVisible();
  await expect(table.getByRole('row', { name: '0–30 swap devices slot CONFIG_SWAP' })).toBeVisible();
  await app.pickKernel('rfc');
  await expect(table).toHaveAccessibleName(/^RFC .*: MAX_SWAPFILES = 31$/);

  await app.config('MIGRATION').check();
  await expect(panel.getByText(/^Kconfig:/)).toHaveCount(0);
  await expect(table).toHaveAccessibleName(/^RFC .*: MAX_SWAPFILES = 21$/);
  // Only DEVICE_PRIVATE off: its six types go (three device, three device migration), swap files get 0–26.
  await app.config('DEVICE_PRIVATE').uncheck();
  await expect(table).toHaveAccessibleName(/^RFC .*: MAX_SWAPFILES = 27$/);
  await expect(table.getByRole('row', { name: /SWP_(MIGRATION_)?DEVICE_/ })).toHaveCount(0);
  await expect(table.getByRole('row', { name: '30 SWP_MIGRATION_WRITE RAM pfn CONFIG_MIGRATION' })).toBeVisible();
  await expect.poll(() => app.hash()).toContain('cfg=nyy');
});

test('compare mode shows both kernels\' values, marks the ones that differ, and puts the type tables side by side', async ({ app }) => {
  await app.open('v=1&k=rfc&s=S02&step=1');
  await app.compareBox.check();
  const table = app.pteTable(1);
  const row = app.selectedRow(1);

  // Step 1: a present PTE, the same under both.
  const present = expected('S02', 0, 'rfc');
  await expect(row).toHaveAccessibleName(/^PTE 1, present pfn=0x1234 /);
  await expect(row).not.toHaveAccessibleName(/differs between v6.18 and RFC/);
  await expect(row.getByRole('code')).toHaveText([present.pte, present.pte]);

  // Each spec step after it: both kernels' values, marked as different.
  for (const [spec, cursor] of [[1, 2], [2, 4], [3, 5]] as const) {
    await app.scrubber.fill(String(cursor));
    await app.expectAt(cursor, 7);
    const [before, after] = [expected('S02', spec, 'v6.18'), expected('S02', spec, 'rfc')];
    await expect(row).toHaveAccessibleName(new RegExp(`^PTE 1, .*, differs between v6.18 and RFC$`));
    await expect(row.getByRole('code')).toHaveText([before.pte, after.pte]);
  }
  // Untouched entries are the same under both and not marked.
  await expect(table.getByRole('option', { name: 'PTE 0, none' })).toBeVisible();

  await app.focusPage();
  await app.page.keyboard.press('End');
  await expect(row).not.toHaveAccessibleName(/differs/);

  // Type numbers: two tables, the RFC's saying what moved.
  const panel = await app.openTab('Type numbers');
  const tables = panel.getByRole('table');
  await expect(tables).toHaveCount(2);
  const [old, rfc] = [tables.nth(0), tables.nth(1)];
  await expect(old).toHaveAccessibleName('v6.18: MAX_SWAPFILES = 24');
  await expect(rfc).toHaveAccessibleName('RFC: MAX_SWAPFILES = 21');
  await expect(rfc.getByRole('row', { name: '24 SWP_MIGRATION_WRITE RAM pfn CONFIG_MIGRATION was 27' })).toBeVisible();
  await expect(rfc.getByRole('row', { name: '30 SWP_MIGRATION_DEVICE_WRITE device offset CONFIG_DEVICE_PRIVATE new' })).toBeVisible();
  await expect(rfc.getByRole('row', { name: '31 SWP_PTE_MARKER marker bits always' })).toBeVisible();
  await expect(rfc.getByRole('row', { name: '0–20 swap devices slot CONFIG_SWAP was 0–23' })).toBeVisible();
  // On a desktop screen they sit side by side (on a narrow one they wrap, one above the other).
  await app.page.setViewportSize({ width: 1920, height: 1080 });
  await expect.poll(async () => {
    const [a, b] = [await old.boundingBox(), await rfc.boundingBox()];
    return a && b ? b.x - (a.x + a.width) : -1;
  }, { message: 'the RFC table starts right of the v6.18 table' }).toBeGreaterThanOrEqual(0);

  // The compare view is part of the link.
  await expect.poll(() => app.hash()).toContain('cmp=1');
  await app.compareBox.uncheck();
  await expect(panel.getByRole('table')).toHaveCount(1);
  await expect(row.getByRole('code')).toHaveCount(1);
});
