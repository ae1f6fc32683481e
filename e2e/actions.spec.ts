/**
 * The Actions panel: what can happen to the selected PTE now. An enabled event applies; a disabled
 * one says why.
 */
import { expect, expected, test } from './fixtures.ts';

test('events applied from the Actions panel build the device round trip, and disabled ones say why', async ({ app }) => {
  await app.open('v=1&k=rfc&s=S01');
  const actions = app.page.getByRole('region', { name: 'What can happen to pid 1 PTE 1 now' });
  const button = (name: string) => actions.getByRole('button', { name, exact: true });
  await app.expectAt(0, 1);
  await expect(actions.getByText('A new event goes in at step 1; the 1 later event stay and are replayed after it.')).toBeVisible();

  // Nothing is migrating, so the driver cannot finish a migration: the button says why.
  await expect(button('migrate_vma_finalize')).toBeDisabled();
  await expect(button('migrate_vma_finalize')).toHaveAccessibleDescription('no migrate vma is in progress: migrate_vma_setup (or a CPU fault on a device-private entry) starts one');
  // The groups fold: the CPU and the driver are open, memory management opens on request.
  await expect(button('swap out (reclaim)')).toBeHidden();
  await actions.getByText('Memory management', { exact: true }).click();
  await expect(actions.getByText(/^\(\d+ of \d+ possible now\)$/).first()).toBeVisible();
  await expect(button('swap out (reclaim)')).toBeVisible();
  await expect(button('swap out (reclaim)')).toBeDisabled();
  await expect(button('swap out (reclaim)')).toHaveAccessibleDescription('no present pages at PTEs 1..1 of pid 1 to swap out');

  // A write fault on the empty PTE (do_anonymous_page).
  await button('write fault').click();
  await app.expectAt(1, 2);
  await expect(app.stepHeading).toHaveText('Step 1 of 2: CPU write fault on PTE 1 (pid 1)');
  await expect(app.selectedRow()).toContainText('0x8000000001234867');
  await app.expectEntry(expected('S01', 1, 'rfc'));
  await expect(app.page.getByRole('list', { name: 'Kernel functions that ran, in call order' }).getByRole('link', { name: 'do_anonymous_page' })).toBeVisible();

  // The device round trip by hand, from the end of the timeline: the same entries as S02.
  await app.toLast();
  await expect(actions.getByText(/A new event goes in/)).toHaveCount(0);
  await button('migrate_vma_setup → device 0').click();
  await app.expectEntry(expected('S02', 1, 'rfc'));
  await expect(button('migrate_vma_setup → device 0')).toHaveAccessibleDescription(/^a migrate_vma migration is already in progress/);
  await button('migrate_vma_pages').click();
  await button('migrate_vma_finalize').click();
  await app.expectAt(5, 5);
  await app.expectEntry(expected('S02', 2, 'rfc'));
  await expect(button('migrate_vma_finalize')).toHaveAccessibleDescription('no migrate vma is in progress: migrate_vma_setup (or a CPU fault on a device-private entry) starts one');
  await button('read fault').click();
  await app.expectEntry(expected('S02', 3, 'rfc'));
  await button('migrate_vma_pages').click();
  await button('migrate_vma_finalize').click();
  await app.expectAt(8, 8);
  await app.expectEntry(expected('S02', 4, 'rfc'));
  // The edited scenario travels whole in the link.
  await expect.poll(() => app.hash()).toMatch(/^v=1&k=rfc&step=8&z=/);
});
