/**
 * Huge pages (issue 12): a PMD leaf is one row of the page table, selected like a PTE; a THP goes to
 * the device and back as one PMD; a partial munmap splits a device-private PMD into 512 PTEs that
 * fold into runs and unfold row by row; one word reads differently under 7.3.4 and the series.
 * Values are pmd-and-thp.md §g (T03, T04, T06) and §f (pagemap records).
 */
import AxeBuilder from '@axe-core/playwright';
import { esc, expect, test, type SwapvizApp } from './fixtures.ts';

type Profile = '7.3' | 'series';

/** T04 step by step: the PMD's kind, value and decoding under each kernel (pmd-and-thp.md §g T01–T04). */
const T04: readonly { step: number; kind: string; pmd: Record<Profile, string>; summary: Record<Profile, string> }[] = [
  { step: 1, kind: 'present', pmd: { '7.3': '0x80000000124008e7', series: '0x80000000124008e7' }, summary: { '7.3': 'present huge pfn=0x12400 RW,A,D,SD', series: 'present huge pfn=0x12400 RW,A,D,SD' } },
  { step: 2, kind: 'migration', pmd: { '7.3': '0xdfffe7fffdb7fe02', series: '0xc7ffe7fffdb7fe02' }, summary: { '7.3': 'SWP_MIGRATION_WRITE(27) pfn=0x12400+A+D sd', series: 'SWP_MIGRATION_WRITE(24) pfn=0x12400+A+D sd' } },
  { step: 4, kind: 'device-private', pmd: { '7.3': '0xe7fffffffffbfe02', series: '0xcffffffffffbfe02' }, summary: { '7.3': 'SWP_DEVICE_WRITE(28) off=0x200 sd', series: 'SWP_DEVICE_WRITE(25) off=0x200 sd' } },
  { step: 5, kind: 'migration', pmd: { '7.3': '0xdffffffffffbfe02', series: '0xf7fffffffffbfe02' }, summary: { '7.3': 'SWP_MIGRATION_WRITE(27) pfn=0x200 sd', series: 'SWP_MIGRATION_DEVICE_WRITE(30) pfn=0x200 sd' } },
  { step: 7, kind: 'present', pmd: { '7.3': '0x8000000056600887', series: '0x8000000056600887' }, summary: { '7.3': 'present huge pfn=0x56600 RW,old,SD', series: 'present huge pfn=0x56600 RW,old,SD' } },
];
/** How the kind badge names the series' device migration entries. */
const BADGE: Record<string, string> = { present: 'present', migration: 'migration', 'device-private': 'device-private' };

/** The selected PMD over PTEs 0–511 shows `pmd` = `summary` in its row, the bit layout and its 64 bits. */
async function expectPmd(app: SwapvizApp, pmd: string, summary: string, badge: string): Promise<void> {
  const row = app.pmdRow(1, 0);
  await expect(row).toHaveAccessibleName(new RegExp(`^PMD 0–511, ${esc(summary)}(,|$)`));
  await expect(row).toHaveAttribute('aria-selected', 'true');
  await expect(row).toContainText(pmd);
  await expect(row.getByText(badge, { exact: true })).toBeVisible();
  await expect(app.bitLayout.getByRole('heading', { level: 2 })).toHaveText('Bit layout: pid 1 PMD 0–511');
  await expect(app.pmdInput).toHaveValue(pmd);
  await expect(app.bits).toHaveAccessibleName(new RegExp(`^64 bits of ${pmd}: ${esc(summary)}`));
}

for (const profile of ['7.3', 'series'] as const) {
  test(`T04 under ${profile}: a THP goes to the device and back as one PMD row, whose kind and value follow every stage`, async ({ app }) => {
    await app.open(`v=1&k=${profile}&s=T04`);
    await app.expectAt(0, 7);
    // Nothing mapped yet: only the selected PTE 0 stands out of the fold.
    await expect(app.pmdRow(1, 0)).toHaveCount(0);
    await expect(app.pteTable(1).getByRole('option', { name: /^PTE / })).toHaveAccessibleName('PTE 0, none');
    let at = 0;
    for (const s of T04) {
      while (at < s.step) {
        await app.step();
        at++;
      }
      await app.expectAt(s.step, 7);
      const badge = profile === 'series' && s.step === 5 ? 'device migration' : BADGE[s.kind]!;
      await expectPmd(app, s.pmd[profile], s.summary[profile], badge);
      // One row for the whole 2 MiB: no PTE rows.
      await expect(app.pteTable(1).getByRole('option', { name: /^PTE / })).toHaveCount(0);
    }

    // The bit layout says which bits mean something else in a PMD.
    await app.stepBack();
    await app.stepBack();
    await app.stepBack();
    await app.expectAt(4, 7);
    const notes = app.bitLayout.getByRole('group', { name: 'How this PMD differs from a PTE' });
    await expect(notes.getByRole('table', { name: /^Bits whose meaning differs between a PTE and a PMD \(non-present\)/ })).toContainText('no PMD swap-exclusive bit');
    await expect(notes).toContainText('This kind may sit in a PMD');

    // The pagemap record of each 4 KiB page of the device-private PMD (§f): PM_SWAP, stepping by 0x20.
    const records = { '7.3': ['0x408000000000401c', '0x4080000000007ffc'], series: ['0x4080000000004019', '0x4080000000007ff9'] }[profile];
    const pagemap = app.bitLayout.locator('details').filter({ hasText: '/proc/1/pagemap record of 4 KiB page' });
    await pagemap.getByText(/^\/proc\/1\/pagemap record of 4 KiB page 0 of this PMD/).click();
    await expect(pagemap.getByText(`/proc/1/pagemap record of 4 KiB page 0 of this PMD: ${records[0]}`)).toBeVisible();
    await pagemap.getByRole('spinbutton', { name: /^4 KiB page of the PMD/ }).fill('511');
    await expect(pagemap.getByText(`/proc/1/pagemap record of 4 KiB page 511 of this PMD: ${records[1]}`)).toBeVisible();
    await expect(pagemap).toContainText('(each page 0x20 more)');
    // Page 511 is still inside the PMD: its row stays selected and the link keeps the page.
    await expect(app.pmdRow(1, 0)).toHaveAttribute('aria-selected', 'true');

    // The PFN spaces draw the device THP as one box of 512 pages, linked to the PMD.
    await expect(app.page.getByRole('img', { name: /^pid 1 PMD 0–511 \(SWP_DEVICE_WRITE\(\d+\) off=0x200 sd\) names 2 MiB folio / })).toBeAttached();
    await expect(app.page.getByRole('img', { name: /^2 MiB folio (device pfn|device offset) 0x200…0x3ff: 512 pages, mapped by 1 PMD and 0 PTEs/ })).toBeVisible();
  });
}

test('T06: a partial munmap splits the device-private PMD into 512 PTEs, folded into runs that unfold into PTE i = PMD − i·0x200', async ({ app }) => {
  await app.open('v=1&k=7.3&s=T06&step=4');
  await expectPmd(app, '0xe7fffffffffbfe02', 'SWP_DEVICE_WRITE(28) off=0x200 sd', 'device-private');

  await app.step();
  await app.expectAt(5, 5);
  // The PMD row is gone; the selected PTE 0 equals the PMD, and the rest folds: 1–127, the 128 unmapped, 256–511.
  await expect(app.pmdRow(1, 0)).toHaveCount(0);
  await expect(app.selectedRow(1)).toHaveAccessibleName(/^PTE 0, SWP_DEVICE_WRITE\(28\) off=0x200 sd, changed by this step$/);
  await expect(app.selectedRow(1)).toContainText('0xe7fffffffffbfe02');
  const first = app.runRow(1, 1, 127);
  const second = app.runRow(1, 256, 511);
  await expect(first).toHaveAccessibleName(/^PTEs 1–127, 127 PTEs of one shape, numbers counting up by 1: SWP_DEVICE_WRITE\(28\) off=0x201 sd … 0x27f, changed by this step; folded/);
  await expect(second).toHaveAccessibleName(/^PTEs 256–511, 256 PTEs of one shape, numbers counting up by 1: SWP_DEVICE_WRITE\(28\) off=0x300 sd … 0x3ff, changed by this step; folded/);
  await expect(app.pteTable(1).getByRole('option')).toHaveCount(4);
  await expect(app.pteTable(1).getByRole('option', { name: /^PTEs 128–255: 128 empty PTEs/ })).toHaveCount(0);
  await expect(app.pteTable(1).getByRole('option').nth(2)).toContainText('128 empty PTEs');
  // The step says what happened to the PMD, decoded.
  await expect(app.page.getByText('pid 1 PMD 0–511: 0xe7fffffffffbfe02 (SWP_DEVICE_WRITE(28) off=0x200 sd) → a table of 512 PTEs (split)')).toBeVisible();

  // Unfold the first run (PTE 0, selected, is of its shape too): every PTE is a row of its own, PTE i = PMD − i·0x200.
  await first.click();
  await expect(app.runRow(1, 0, 127)).toHaveAccessibleName(/^PTEs 0–127, 128 PTEs of one shape, .*; unfolded, activate to fold them$/);
  await expect(app.row(1, 1)).toContainText('0xe7fffffffffbfc02');
  await expect(app.row(1, 1)).toHaveAccessibleName(/^PTE 1, SWP_DEVICE_WRITE\(28\) off=0x201 sd, changed by this step$/);
  await expect(app.row(1, 2)).toContainText('0xe7fffffffffbfa02');
  await app.row(1, 1).click();
  await expect(app.bitLayout.getByRole('heading', { level: 2 })).toHaveText('Bit layout: pid 1 PTE 1');
  await expect(app.hexInput).toHaveValue('0xe7fffffffffbfc02');
  // Compared with the PMD that covered it a step ago, PTE 1 differs in one bit of the (inverted) offset.
  await expect(app.bitLayout.getByText(/^\s*— bits 9 changed in this step \(marked Δ\)$/)).toBeVisible();

  // The second run, scrolled to (the list draws only the rows in view), unfolded and scrolled to its end: PTE 511 = PMD − 511·0x200.
  await app.pteTable(1).evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await app.runRow(1, 256, 511).click();
  await expect(app.pteTable(1).getByRole('option').first()).toHaveAttribute('aria-setsize', String(1 + 128 + 1 + 1 + 256));
  await app.pteTable(1).evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await expect(app.row(1, 511)).toContainText('0xe7fffffffff80002');
  await expect(app.row(1, 511)).toHaveAccessibleName(/^PTE 511, SWP_DEVICE_WRITE\(28\) off=0x3ff sd, changed by this step$/);

  // A step back: the PMD again, marked as what the undone step changed.
  await app.stepBack();
  await expect(app.pmdRow(1, 0)).toHaveAccessibleName(/^PMD 0–511, SWP_DEVICE_WRITE\(28\) off=0x200 sd, changed by step 5, undone$/);
  await expect(app.row(1, 1)).toHaveCount(0);
});

test('the keyboard walks into a folded run and unfolds it with Enter', async ({ app }) => {
  await app.open('v=1&k=7.3&s=T06&step=5');
  const list = app.pteTable(1);
  await list.focus();
  await app.page.keyboard.press('ArrowDown');
  const run = app.runRow(1, 1, 127);
  await expect(list).toHaveAttribute('aria-activedescendant', (await run.getAttribute('id'))!);
  await app.page.keyboard.press('Enter');
  const open = app.runRow(1, 0, 127);
  await expect(open).toHaveAccessibleName(/unfolded/);
  await expect(list).toHaveAttribute('aria-activedescendant', (await open.getAttribute('id'))!);
  await app.page.keyboard.press('ArrowDown');
  await expect(app.selectedRow(1)).toHaveAccessibleName(/^PTE 0, /);
  await app.page.keyboard.press('ArrowDown');
  await expect(app.selectedRow(1)).toHaveAccessibleName(/^PTE 1, /);
  // The cursor did not move: arrows in the list move in the list.
  await app.expectAt(5, 5);
});

test('compare mode: the word 0xe7fffffffffbfe02 in a PMD is a device-private WRITE under 7.3.4 and a device migration READ under the series', async ({ app }) => {
  await app.open('v=1&k=series&s=T03&step=4');
  await app.compareAny.check();
  await app.compareSide('Left').selectOption('7.3');
  await app.compareSide('Right').selectOption('series');
  // The same step, each kernel's own value: the PMD row shows both.
  await expect(app.pmdRow(1, 0)).toHaveAccessibleName(/^PMD 0–511, SWP_DEVICE_WRITE\(25\) off=0x200 sd, changed by this step, v7\.3\.4: SWP_DEVICE_WRITE\(28\) off=0x200 sd, series v6: SWP_DEVICE_WRITE\(25\) off=0x200 sd, differs between v7\.3\.4 and series v6$/);
  // One word, read by both: 7.3.4's device-private PMD is the series' SWP_MIGRATION_DEVICE_READ.
  await app.pmdInput.fill('0xe7fffffffffbfe02');
  await expect(app.bitsUnder('v7.3.4')).toHaveAccessibleName(/^v7\.3\.4: 64 bits of 0xe7fffffffffbfe02: SWP_DEVICE_WRITE\(28\) off=0x200 sd$/);
  await expect(app.bitsUnder('series v6')).toHaveAccessibleName(/^series v6: 64 bits of 0xe7fffffffffbfe02: SWP_MIGRATION_DEVICE_READ\(28\) pfn=0x200 sd$/);
  await expect(app.bitLayout.getByRole('heading', { level: 2 })).toHaveText('Bit layout: a value of your own (x86_64, read as a PMD)');
});

test('the PMD views have no serious or critical axe violations: a PMD selected with its notes, a split with a run unfolded, light and dark', async ({ app, page }) => {
  test.slow(); // four axe scans
  const serious = async () => {
    const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')})`);
  };
  for (const theme of ['light', 'dark'] as const) {
    await app.open('v=1&k=series&s=T03&step=4');
    await app.pickTheme(theme);
    await expect(app.bitLayout.getByRole('group', { name: 'How this PMD differs from a PTE' })).toBeVisible();
    expect(await serious(), `${theme}, a device-private PMD selected`).toEqual([]);
    await app.open('v=1&k=7.3&s=T06&step=5');
    await app.runRow(1, 256, 511).click();
    await expect(app.runRow(1, 256, 511)).toHaveAccessibleName(/unfolded/);
    expect(await serious(), `${theme}, the split with a run unfolded`).toEqual([]);
  }
});
