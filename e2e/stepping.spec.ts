/**
 * Stepping through the spec's scenarios with the mouse and the keyboard: at every spec step the
 * selected PTE shows the value the kernel computed (test/fixtures/vectors.json), under the RFC and
 * under v6.18.
 */
import { expect, expected, test } from './fixtures.ts';

/** The cursor (events applied) at which each spec step of S02 holds: spec.ts's checkpoints, by hand. */
const S02_AT = [1, 2, 4, 5, 7] as const;

test('S02 under the RFC, stepped with the mouse, shows the kernel\'s value at every spec step', async ({ app }) => {
  await app.open('v=1&k=rfc&s=S02');
  await app.expectAt(0, 7);
  await expect(app.button('Step back')).toBeDisabled();
  await expect(app.button('Jump to the first step')).toBeDisabled();
  await app.expectEntry({ pte: '0x0000000000000000', summary: 'none', typeField: null });

  let at = 0;
  for (const [spec, cursor] of S02_AT.entries()) {
    while (at < cursor) {
      await app.step();
      at++;
    }
    await app.expectAt(cursor, 7);
    await expect(app.page.getByText(`Spec S02: step ${spec}`)).toBeVisible();
    await app.expectEntry(expected('S02', spec, 'rfc'));
  }
  await expect(app.button('Step forward')).toBeDisabled();
  await expect(app.button('Jump to the last step')).toBeDisabled();

  await app.stepBack();
  await app.stepBack();
  await app.expectAt(5, 7);
  await app.expectEntry(expected('S02', 3, 'rfc'));
  await app.toFirst();
  await app.expectAt(0, 7);
  await app.toLast();
  await app.expectAt(7, 7);
  await app.expectEntry(expected('S02', 4, 'rfc'));
});

test('S02 under v6.18, stepped with the keyboard, shows the kernel\'s value at every spec step', async ({ app }) => {
  await app.open('v=1&k=rfc&s=S02&step=5');
  await app.expectEntry(expected('S02', 3, 'rfc'));
  await app.pickKernel('v6.18');
  // Switching the kernel keeps the position and re-encodes the entry.
  await app.expectAt(5, 7);
  await app.expectEntry(expected('S02', 3, 'v6.18'));

  await app.focusPage();
  const keys = app.page.keyboard;
  await keys.press('End');
  await app.expectAt(7, 7);
  await app.expectEntry(expected('S02', 4, 'v6.18'));
  await keys.press('Home');
  await app.expectAt(0, 7);
  let at = 0;
  for (const [spec, cursor] of S02_AT.entries()) {
    while (at < cursor) {
      await keys.press('ArrowRight');
      at++;
    }
    await app.expectAt(cursor, 7);
    await app.expectEntry(expected('S02', spec, 'v6.18'));
  }
  await keys.press('ArrowLeft');
  await keys.press('ArrowLeft');
  await keys.press('ArrowLeft');
  await app.expectAt(4, 7);
  await app.expectEntry(expected('S02', 2, 'v6.18'));

  // Space plays (a step every half second at the default speed) and pauses; the position then stays.
  await keys.press('Space');
  await expect(app.button('Pause')).toHaveAttribute('aria-pressed', 'true');
  await expect(app.scrubber).not.toHaveValue('4');
  await keys.press('Space');
  await expect(app.button('Play')).toHaveAttribute('aria-pressed', 'false');
  const paused = Number(await app.scrubber.inputValue());
  expect(paused).toBeGreaterThan(4);
  await app.expectAt(paused, 7);
});

test('S10 and S17, picked from the Scenario list, match the kernel under both kernels', async ({ app }) => {
  await app.open('v=1&k=rfc&s=S02');
  for (const kernel of ['rfc', 'v6.18'] as const) {
    await app.pickKernel(kernel);

    // S10: fork() while a device-private page is mid-migration; steps 0, 1 in the parent, 2 in the child.
    await app.pickScenario('S10');
    await app.expectAt(0, 6);
    await app.focusPage();
    await app.page.keyboard.press('End');
    await app.expectAt(6, 6);
    await app.stepBack();
    await app.expectAt(5, 6);
    await app.expectEntry(expected('S10', 0, kernel));
    await app.step();
    await app.expectAt(6, 6);
    await app.expectEntry(expected('S10', 1, kernel));
    const child = expected('S10', 2, kernel);
    await app.row(2, 1).click();
    await expect(app.selectedRow(1)).toHaveCount(0);
    await app.expectEntry(child, { pid: 2, index: 1 });

    // S17: the driver evicts a device-private page.
    await app.pickScenario('S17');
    await app.expectAt(0, 7);
    for (const [spec, cursor] of [[0, 4], [1, 5], [2, 7]] as const) {
      await app.scrubber.fill(String(cursor));
      await app.expectAt(cursor, 7);
      await app.expectEntry(expected('S17', spec, kernel));
    }
  }
});
