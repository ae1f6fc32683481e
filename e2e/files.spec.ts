/**
 * Files: pictures of the diagrams, and a scenario exported as JSON and imported again.
 */
import { expect, expected, test } from './fixtures.ts';

test('the bit layout and the PFN spaces save as standalone SVG and PNG files', async ({ app }) => {
  await app.open('v=1&k=rfc&s=S02&step=5');
  const pte = expected('S02', 3, 'rfc').pte;

  const svg = await app.download(app.button('Save bit layout as SVG'));
  expect(svg.name).toBe(`swapviz-bits-${pte}.svg`);
  expect(svg.text).toContain('<svg');
  expect(svg.text).toContain('xmlns="http://www.w3.org/2000/svg"');
  expect(svg.text).toContain(`aria-label="64 bits of ${pte}: SWP_MIGRATION_DEVICE_WRITE(30)`);
  expect(svg.text).toMatch(/^<svg [^>]*width="\d+"[^>]*height="\d+"/);

  const png = await app.download(app.button('Save bit layout as PNG'));
  expect(png.name).toBe(`swapviz-bits-${pte}.png`);
  expect(png.text.slice(1, 4)).toBe('PNG');

  const pfn = await app.download(app.button('Save PFN spaces as SVG'));
  expect(pfn.name).toMatch(/\.svg$/);
  expect(pfn.text).toContain('<svg');
  expect(pfn.text).toContain('names device offset 0x10');
});

test('a scenario exported as JSON imports again; a malformed file is refused with the bad field named', async ({ app }) => {
  await app.open('v=1&k=rfc&s=S02&step=4');
  const file = await app.download(app.button('Export JSON'));
  expect(file.name).toBe('S02.swapviz.json');
  const scenario = JSON.parse(file.text) as { id: string; title: string; events: unknown[]; setup: { ptes: number } };
  expect(scenario.id).toBe('S02');
  expect(scenario.events).toHaveLength(7);
  expect(scenario.setup.ptes).toBe(512);

  // Import it over another scenario: it opens at its first step.
  await app.pickScenario('S01');
  await app.expectAt(0, 1);
  await app.importJson(file.name, file.text);
  await expect(app.scenarioSelect).toHaveValue('S02');
  await app.expectAt(0, 7);
  await app.toLast();
  await app.expectEntry(expected('S02', 4, 'rfc'));

  // Someone's own version of it: it is listed as theirs.
  const mine = { ...scenario, id: 'mine', title: 'My round trip' };
  await app.importJson('mine.json', JSON.stringify(mine));
  await expect(app.scenarioSelect.getByRole('option', { selected: true })).toHaveText('mine: My round trip (yours)');
  await expect(app.scenarioLine).toContainText('mine — My round trip.');
  await app.step();
  await app.expectAt(1, 7);
  await expect.poll(() => app.hash()).toMatch(/^v=1&k=rfc&step=1&z=/);

  // Broken files: the error names the field; the open scenario stays where it is.
  const badEvent = { ...mine, events: mine.events.map((e, i) => (i === 1 ? { ...(e as object), pages: 'one' } : e)) };
  for (const [name, text, why] of [
    ['bad-event.json', JSON.stringify(badEvent), /^The file could not be imported: the file\.events\[1\]\.pages: must be an integer 1\.\.\d+\. /],
    ['bad-setup.json', JSON.stringify({ ...mine, setup: 'big' }), /^The file could not be imported: the file\.setup must be an object\./],
    ['truncated.json', file.text.slice(0, 200), /^The file could not be imported: the file is not valid JSON: /],
  ] as const) {
    await app.importJson(name, text);
    await expect(app.alert, name).toContainText(why);
    await expect(app.alert).toContainText('Your scenario (mine, step 1) is still open.');
    await expect(app.scenarioLine).toContainText('mine — My round trip.');
    await app.expectAt(1, 7);
    await app.button('Dismiss the message').click();
  }
});
