/**
 * Reading and editing one entry: the bit layout's fields, the bit switches, the hex editor, and the
 * "Decode values" box.
 */
import { expect, expected, test } from './fixtures.ts';

test('a selected entry\'s bit fields read out the kernel\'s encoding; toggling a bit or typing a value re-decodes it', async ({ app }) => {
  await app.open('v=1&k=rfc&s=S02&step=5');
  const mid = expected('S02', 3, 'rfc');

  // Pick another row, then the scenario's PTE again.
  await app.row(1, 0).click();
  await expect(app.selectedRow()).toHaveAccessibleName('PTE 0, none');
  await expect(app.bitLayout.getByRole('heading', { level: 2 })).toHaveText('Bit layout: pid 1 PTE 0');
  await expect(app.hexInput).toHaveValue('0x0000000000000000');
  await app.row(1, 1).click();
  await app.expectEntry(mid);

  // The fields of a writable device migration entry (after the series), each named by the model.
  for (const name of [
    'bits 59–63: swap type 30, SWP_MIGRATION_DEVICE_WRITE',
    'bits 9–42: device-private offset (SWP_PFN_BITS = 34) 0x10 (stored 0x3ffffffef, inverted)',
    'bit 44: SWP_MIG_DIRTY clear (stored 0x1, inverted)',
    'bit 43: SWP_MIG_YOUNG clear (stored 0x1, inverted)',
    'bit 1: _PAGE_SWP_SOFT_DIRTY set',
    'bit 0: _PAGE_PRESENT clear',
  ]) await expect(app.bitField(name)).toBeVisible();
  await expect(app.bit(61)).toHaveAccessibleName('bit 61: 1, swap type (SWP_TYPE_BITS = 5), changed by this step');
  await expect(app.bitLayout.getByText('bits 59, 60, 61 changed in this step (marked Δ)')).toBeVisible();
  const swpEntry = app.bitLayout.getByRole('group', { name: 'The arch-independent swp_entry_t' });
  await expect(swpEntry.getByRole('definition').filter({ hasText: '30 = SWP_MIGRATION_DEVICE_WRITE' })).toBeVisible();

  // Toggle soft-dirty off: the hex editor, the switch, the field and the summary follow.
  const softDirty = app.bit(1);
  await expect(softDirty).toHaveAccessibleName('bit 1: 1, _PAGE_SWP_SOFT_DIRTY');
  await expect(softDirty).toBeChecked();
  await softDirty.click();
  await expect(softDirty).not.toBeChecked();
  await expect(app.hexInput).toHaveValue('0xf7ffffffffffde00');
  await expect(app.bitLayout.getByRole('heading', { level: 2 })).toHaveText('Bit layout: a value of your own (x86_64)');
  await expect(app.bitField('bit 1: _PAGE_SWP_SOFT_DIRTY clear')).toBeVisible();
  await expect(app.bits).toHaveAccessibleName('64 bits of 0xf7ffffffffffde00: SWP_MIGRATION_DEVICE_WRITE(30) pfn=0x10');
  // The page table is not edited: the PTE keeps its value.
  await expect(app.selectedRow()).toContainText(mid.pte);

  // Bit 59 turns type 30 into 31: a PTE marker.
  await app.bit(59).click();
  await expect(app.hexInput).toHaveValue('0xffffffffffffde00');
  await expect(app.bitField('bits 59–63: swap type 31, SWP_PTE_MARKER')).toBeVisible();

  await app.button('Back to the PTE\'s value').click();
  await app.expectEntry(mid);

  // Type a value: the device-private entry of spec step 2.
  const dev = expected('S02', 2, 'rfc');
  await app.hexInput.fill(dev.pte);
  await expect(app.bitField(dev.typeField!)).toBeVisible();
  await expect(app.bits).toHaveAccessibleName(new RegExp(`^64 bits of ${dev.pte}: SWP_DEVICE_WRITE`));

  // A value that is not hex, and one wider than 64 bits: an error, and the last good value stays.
  for (const [bad, problem] of [
    ['0xcfffzfffffffde02', '"0xcfffzfffffffde02" is not hex: unexpected character "z"'],
    ['0x1cfffffffffffde02', '"0x1cfffffffffffde02" is wider than 64 bits (17 significant hex digits, at most 16)'],
  ] as const) {
    const why = `${problem}; the bits show the last valid value, ${dev.pte}`;
    await app.hexInput.fill(bad);
    await expect(app.hexInput).toHaveAccessibleDescription(why);
    await expect(app.bitLayout.getByRole('status')).toHaveText(why);
    await expect(app.bits).toHaveAccessibleName(new RegExp(`^64 bits of ${dev.pte}: `));
    await expect(app.bitField(dev.typeField!)).toBeVisible();
  }
  // Leaving the field puts the last good value back in it.
  await app.hexInput.blur();
  await expect(app.hexInput).toHaveValue(dev.pte);
});

test('leaving the hex editor after a bad value clears the error along with the text', async ({ app }) => {
  await app.open('v=1&k=rfc&s=S02&step=5');
  await app.hexInput.fill('0x12g4');
  await expect(app.hexInput).toHaveAccessibleDescription(`"0x12g4" is not hex: unexpected character "g"; the bits show the last valid value, ${expected('S02', 3, 'rfc').pte}`);
  await app.hexInput.blur();
  await expect(app.hexInput).toHaveValue(expected('S02', 3, 'rfc').pte);
  await expect(app.hexInput).toHaveAccessibleDescription('', { timeout: 1000 });
  await expect(app.bitLayout.getByRole('status')).toHaveText('', { timeout: 1000 });
});

test('values pasted into "Decode values" are decoded with the current kernel; a line that is not hex says why', async ({ app }) => {
  await app.open('v=1&k=rfc&s=S02&step=5');
  const panel = await app.openTab('Decode values');
  const input = panel.getByRole('textbox', { name: /^PTE values, one per line/ });
  const decoded = panel.getByRole('list', { name: 'Decoded values' }).getByRole('listitem');
  const [mig, dev, back] = [expected('S02', 1, 'rfc'), expected('S02', 2, 'rfc'), expected('S02', 4, 'rfc')];

  await input.fill([mig.pte, `# a comment`, `BUG: Bad page map in process task  pte:${dev.pte.slice(2)} pmd:0`, back.pte, '0x12g4'].join('\n'));
  await expect(decoded).toContainText([
    `${mig.pte} migration ${mig.summary}`,
    `${dev.pte} device-private ${dev.summary}`,
    `${back.pte} present ${back.summary}`,
    '"0x12g4" is not hex: unexpected character "g"',
  ]);
  await expect(panel.getByText('MAX_SWAPFILES 21')).toBeVisible();

  // The same bits under v6.18 are other types: the series renumbered them.
  await app.pickKernel('v6.18');
  await expect(panel.getByText('MAX_SWAPFILES 24')).toBeVisible();
  await expect(decoded).toContainText([
    `${mig.pte} hwpoison SWP_HWPOISON(24)`,
    `${dev.pte} migration SWP_MIGRATION_READ(25)`,
    `${back.pte} present ${back.summary}`,
  ]);

  // "show bits" opens the value in the bit layout.
  await app.pickKernel('rfc');
  await panel.getByRole('button', { name: `show the bits of ${dev.pte}` }).click();
  await expect(app.page.getByRole('tab', { name: 'Bit layout' })).toHaveAttribute('aria-selected', 'true');
  await expect(app.hexInput).toHaveValue(dev.pte);
  await expect(app.bitField(dev.typeField!)).toBeVisible();
});
