/**
 * A captured process (`swapviz capture`, test/fixtures/capture-sample.json: the capture test's C
 * program, 64 pages, some written, some guard pages, the rest untouched) opens in the app as a
 * read-only view of its pagemap records.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodePagemap, hex } from '../src/model/index.ts';
import { parseSnapshot, snapshotKernel, snapshotPageAddress, snapshotRecord } from '../src/snapshot/index.ts';
import { expect, test } from './fixtures.ts';

const text = readFileSync(fileURLToPath(new URL('../test/fixtures/capture-sample.json', import.meta.url)), 'utf8');

test('a captured snapshot opens as pagemap records, guard pages as guard markers; a record shows its bits; back to the scenario', async ({ app }) => {
  const parsed = parseSnapshot(text);
  if (!parsed.ok) throw new Error(parsed.error);
  const s = parsed.snapshot;
  const k = snapshotKernel(s);
  const v = s.vmas[0]!;
  const decoded = Array.from({ length: s.pageCount }, (_, i) => decodePagemap(k, snapshotRecord(s, i), { pfnVisible: s.pfnVisible }));
  const present = decoded.findIndex((d) => d.present);
  const guard = decoded.findIndex((d) => d.guard);
  expect(present).toBeGreaterThanOrEqual(0);
  expect(guard).toBeGreaterThanOrEqual(0);

  await app.open('v=1&k=rfc&s=S02&step=3');
  await app.importJson('capture-sample.json', text);
  await expect(app.page.getByRole('heading', { level: 2, name: `Captured process: pid ${s.pid} (${s.comm})` })).toBeVisible();
  await expect(app.page.getByText(`Read as ${'v6.18 (series base)'} (Linux ${s.kernel.release}`)).toBeVisible();

  const list = app.page.getByRole('listbox', { name: `Pagemap records of pid ${s.pid} (${s.comm})` });
  const at = (i: number) => hex(snapshotPageAddress(v, i));
  const row = (i: number) => list.getByRole('option', { name: `record at ${at(i)}: ${decoded[i]!.record}, ${decoded[i]!.summary}` });
  await expect(row(present)).toBeVisible();
  await expect(row(guard)).toHaveAccessibleName(/GUARD/);

  // The first record is selected and drawn; picking the guard page draws its record.
  await expect(app.page.getByRole('heading', { level: 2, name: `Pagemap record at ${at(present)}: ${decoded[present]!.record}` })).toBeVisible();
  await row(guard).scrollIntoViewIfNeeded();
  await row(guard).click();
  await expect(row(guard)).toHaveAttribute('aria-selected', 'true');
  await expect(app.page.getByRole('group', { name: `64 bits of the pagemap record ${decoded[guard]!.record}: ${decoded[guard]!.summary}` })).toBeVisible();
  await expect(app.page.getByRole('img', { name: /^bit 62: 1/ }).first()).toBeVisible();

  // Back: the scenario is where it was.
  await app.button('Back to the scenario').first().click();
  await app.expectAt(3, 7);
});

test('a damaged snapshot is refused with the field named, and the scenario stays open', async ({ app }) => {
  await app.open('v=1&k=rfc&s=S02&step=3');
  const broken = text.replace('"pageCount":64', '"pageCount":65');
  await app.importJson('broken.json', broken);
  await expect(app.alert).toContainText('The capture could not be opened: ');
  await expect(app.alert).toContainText('pageCount');
  await expect(app.alert).toContainText('Your scenario (S02, step 3) is still open.');
  await app.expectAt(3, 7);
});
