/**
 * A page that never misstates what it decodes (issue 9): one user flow per finding, each opened
 * from the share link that showed it.
 */
import { esc, expect, expected, test } from './fixtures.ts';

const RFC = 'RFC "Remove device private pages from physical address space"';

test('unticking CONFIG_MIGRATION shows the two options Kconfig forces off as off and disabled, with the reason, and says so above the page', async ({ app }) => {
  await app.open('#v=1&k=v6.18&s=S02&step=4');
  await expect(app.assumptions).toHaveText('Decoded as v6.18 (series base); config: all options y; x86_64, 4-level paging (46-bit PA), migration entries carry A/D; MAX_SWAPFILES 24.');
  await app.config('MIGRATION').uncheck();
  for (const [option, why] of [
    ['DEVICE_PRIVATE', 'CONFIG_DEVICE_PRIVATE=n: it depends on ZONE_DEVICE, which needs MEMORY_HOTREMOVE, which selects MIGRATION (mm/Kconfig)'],
    ['MEMORY_FAILURE', 'CONFIG_MEMORY_FAILURE=n: it selects MIGRATION (mm/Kconfig)'],
  ] as const) {
    await expect(app.config(option)).not.toBeChecked();
    await expect(app.config(option)).toBeDisabled();
    await expect(app.config(option)).toHaveAccessibleDescription(why);
  }
  await expect(app.assumptions).toHaveText(
    'Decoded as v6.18 (series base); config: CONFIG_MIGRATION=n, CONFIG_DEVICE_PRIVATE=n, CONFIG_MEMORY_FAILURE=n (forced by CONFIG_MIGRATION=n); x86_64, 4-level paging (46-bit PA), migration entries carry A/D; MAX_SWAPFILES 31.',
  );
  await expect.poll(() => app.hash()).toContain('cfg=yny');

  // Ticking MIGRATION again gives the other two back, as they were asked for.
  await app.config('MIGRATION').check();
  for (const option of ['DEVICE_PRIVATE', 'MEMORY_FAILURE']) {
    await expect(app.config(option)).toBeChecked();
    await expect(app.config(option)).toBeEnabled();
  }
  await expect(app.assumptions).toContainText('config: all options y');
});

test('the embed and the header say which kernel, config and paging the values assume, and what in a profile is inference', async ({ app }) => {
  await app.open('#v=1&k=series&s=S02&step=2&cfg=yyn&pg=5', { embed: true });
  await expect(app.assumptions).toHaveText(
    'Decoded as v7.3.4 + the series v6 (softleaf API); config: CONFIG_MEMORY_FAILURE=n; x86_64, 5-level paging (52-bit PA), migration entries carry A/D; MAX_SWAPFILES 22.',
  );
  const inference = app.page.getByText('2 facts of series v6 are inference, not a posted kernel');
  await inference.click();
  const facts = app.page.getByRole('list', { name: 'What is inference in series v6' }).getByRole('listitem');
  await expect(facts).toHaveCount(2);
  await expect(facts.first()).toContainText('v6 was posted on drm-tip 23427233a451, not on 7.3.4');

  // The full app says the same; the hypothetical profile says it is one.
  await app.open('#v=1&k=no-new-types&s=X01&step=6');
  await expect(app.assumptions).toContainText('Decoded as separate device space without new types (the bug); config: all options y;');
  await app.page.getByText('Hypothetical: no posted kernel is built this way').click();
  await expect(app.page.getByRole('list', { name: 'What is inference in no new types' })).toContainText('No kernel was ever built this way');

  // A saved picture carries the same statement under it.
  await app.open('#v=1&k=rfc&s=S20&step=2&cfg=yny');
  await app.expectAt(2, 2);
  const svg = await app.download(app.button('Save bit layout as SVG'));
  const caption = svg.text.slice(svg.text.indexOf('<text class="caption"'));
  expect(caption).toContain(`swapviz: S20 step 2, pid 1 PTE 1: ${expected('S20', 1, 'rfc').pte} = swapfile_0(0) off=0x42 `);
  expect(caption).toContain(`Kernel: ${RFC}`);
  expect(caption).toContain('config: CONFIG_MIGRATION=n, CONFIG_DEVICE_PRIVATE=n, CONFIG_MEMORY_FAILURE=n (forced by CONFIG_MIGRATION=n); x86_64, 4-level');
  expect(caption).toContain('MAX_SWAPFILES 31');
  expect(caption).not.toContain('undefined');
  const pfn = await app.download(app.button('Save PFN spaces as SVG'));
  expect(pfn.text).toContain('swapviz: S20 step 2, the PFN spaces');
  expect(pfn.text).toContain('MAX_SWAPFILES 31');
});

test('undoing a config change takes the message away and goes back to the step; a message about a link goes at the next move', async ({ app }) => {
  await app.open('#v=1&k=rfc&s=S02&step=5');
  await app.config('DEVICE_PRIVATE').uncheck();
  await expect(app.alert).toContainText('Event 4 (driver: migrate_vma_finalize) cannot happen any more: CONFIG_DEVICE_PRIVATE=n');
  await expect(app.alert).toContainText('You were at step 5; you are at step 3, the last one that can run, and go back to step 5 when it can run again (undo the change).');
  await app.expectAt(3, 7);
  // Another kernel does not make the event possible: the message stays, and so does the step to go back to.
  await app.pickKernel('v6.18');
  await expect(app.alert).toContainText('You were at step 5');
  await app.pickKernel('rfc');
  await app.config('DEVICE_PRIVATE').check();
  await expect(app.alert).toHaveCount(0);
  await expect(app.timeline.getByRole('alert')).toHaveCount(0);
  await app.expectAt(5, 7);
  await expect.poll(() => app.hash()).toBe('v=1&k=rfc&s=S02&step=5');

  // A link that cannot be opened says so; once you move on, the message is over.
  await app.changeHash('v=1&k=rfc&s=NOPE');
  await expect(app.alert).toContainText('This link could not be opened: unknown built-in scenario "NOPE"');
  await app.stepBack();
  await app.expectAt(4, 7);
  await expect(app.alert).toHaveCount(0);
});

test('a value of your own stays and is decoded again when the kernel, config or paging change; the field never disagrees with the bits; pasted values survive a tab switch', async ({ app }) => {
  await app.open('#v=1&k=rfc&s=S02&step=5');
  const mine = '0xcfffffffffffdf02';
  await app.hexInput.fill(mine);
  await expect(app.bitLayout.getByRole('heading', { level: 2 })).toHaveText('Bit layout: a value of your own (x86_64)');
  for (const change of [
    () => app.pickKernel('v6.18'),
    () => app.config('MIGRATION').uncheck(),
    () => app.combobox('Paging').selectOption('5'),
  ]) {
    await change();
    await expect(app.hexInput).toHaveValue(mine);
    await expect(app.bits).toHaveAccessibleName(new RegExp(`^64 bits of ${mine}: PROT_NONE present pfn=0x2 `));
  }
  await expect(app.assumptions).toContainText('5-level paging (52-bit PA)');

  // Text that is not a value: the bits say they show the last valid value, and which.
  await app.hexInput.fill('0xcfffz');
  await expect(app.hexInput).toHaveAccessibleDescription(`"0xcfffz" is not hex: unexpected character "z"; the bits show the last valid value, ${mine}`);
  await expect(app.bits).toHaveAccessibleName(/\(the last valid value: the text in the field is not a value\)$/);

  // While the field keeps the focus, the steps move on under it: its text follows the bits.
  await app.open('#v=1&k=rfc&s=S02');
  await app.combobox('Speed').selectOption('8');
  await app.timeline.getByRole('button', { name: 'Play' }).click();
  await app.hexInput.fill('0x1');
  await expect(app.hexInput).toBeFocused();
  await app.expectAt(7, 7);
  const name = await app.bits.getAttribute('aria-label');
  await expect(app.hexInput).toHaveValue(name!.match(/^64 bits of (0x[0-9a-f]{16}):/)![1]!);

  // "Decode values": the pasted text stays across tab switches and is decoded again for another kernel.
  const panel = await app.openTab('Decode values');
  const input = panel.getByRole('textbox', { name: /^PTE values, one per line/ });
  await input.fill('0xf7ffffffffffde02');
  await app.openTab('Type numbers');
  const again = await app.openTab('Decode values');
  await expect(again.getByRole('textbox', { name: /^PTE values, one per line/ })).toHaveValue('0xf7ffffffffffde02');
  await expect(again.getByRole('list', { name: 'Decoded values' })).toContainText('SWP_MIGRATION_DEVICE_WRITE(30)');
  await app.pickKernel('v6.18');
  await expect(again.getByRole('list', { name: 'Decoded values' })).toContainText('SWP_DEVICE_EXCLUSIVE(30)');
});

test('a link whose sel= names a PTE that does not exist opens without it and says so; every character outside the alphabet is named where it stands', async ({ app }) => {
  await app.open('#v=1&k=v6.18&s=S02&step=4&sel=9.9999');
  await expect(app.info).toContainText("The link's selection was refused: sel=9.9999 names pid 9 PTE 9999, which does not exist at step 4: there is no process 9 (the processes are 1). The rest of the link opened, with the scenario's own PTE (pid 1 PTE 1) selected.");
  await app.expectAt(4, 7);
  await expect(app.kernelSelect).toHaveValue('v6.18');
  await expect(app.bitLayout.getByRole('heading', { level: 2 })).toHaveText('Bit layout: pid 1 PTE 1');
  await expect(app.page.getByRole('heading', { name: 'What can happen to pid 1 PTE 1 now' })).toBeVisible();
  await expect(app.page.getByRole('heading', { name: /pid 9/ })).toHaveCount(0);
  await expect.poll(() => app.hash()).toBe('v=1&k=v6.18&s=S02&step=4');

  for (const [link, char, at] of [
    ['v=1&k=rfc&s=S02/x', '/', 15],
    ['v=1&k=rfc&s=S02&step=2?x', '?', 22],
    ['v=1&k=rfc&s=S02&step=2+1', '+', 22],
    ['v=1&k=rfc&s=S02 &step=2', ' ', 15],
  ] as const) {
    await app.changeHash(link);
    await expect(app.alert, link).toContainText(`This link could not be opened: the link contains ${JSON.stringify(char)} at position ${at}; a swapviz link has only letters, digits and . _ - = &.`);
    await app.expectAt(4, 7);
    await app.button('Dismiss the message').click();
  }
});

test('every invariant and every problem of a value links to its kernel source at the profile\'s tag, and values the kernel never builds are flagged by name', async ({ app }) => {
  await app.open('#v=1&k=rfc&s=S02&step=5');
  const inv = app.page.getByRole('region', { name: /^Invariants/ });
  const mapcount = inv.getByRole('listitem').filter({ hasText: 'a page\'s mapcount equals the PTEs that map it' });
  await mapcount.getByText('kernel rule').click();
  await expect(mapcount.getByRole('link', { name: 'include/linux/mm.h: folio_mapcount' })).toHaveAttribute('href', 'https://elixir.bootlin.com/linux/v6.18/A/ident/folio_mapcount');
  const names = inv.getByRole('listitem').filter({ hasText: 'every PFN-carrying entry names its page' });
  await names.getByText('kernel rule').click();
  await expect(names.getByRole('link', { name: 'include/linux/swapops.h: pfn_swap_entry_to_page' })).toHaveAttribute('href', 'https://elixir.bootlin.com/linux/v6.18/A/ident/pfn_swap_entry_to_page');
  await expect(names.getByRole('link', { name: 'the series: RFC' })).toHaveAttribute('href', 'https://lore.kernel.org/all/20251128044146.80050-5-jniethe@nvidia.com/');

  await app.pickKernel('7.3');
  await expect(names.getByRole('link', { name: 'include/linux/leafops.h: softleaf_to_page' })).toHaveAttribute('href', 'https://elixir.bootlin.com/linux/v7.3.4/A/ident/softleaf_to_page');
  await expect(names.getByRole('link', { name: /^the series/ })).toHaveCount(0);

  // The trace links the same way: a helper only the series adds goes to its patch, not to a tag.
  await app.pickKernel('series');
  const trace = app.page.getByRole('list', { name: 'Kernel functions that ran, in call order' });
  await expect(trace.getByRole('link', { name: 'make_writable_migration_entry_from_page', exact: true })).toHaveAttribute('href', /^https:\/\/lore\.kernel\.org\/all\/20260202113642\.59295-7-jniethe@nvidia\.com\/$/);
  await expect(trace.getByRole('link', { name: 'handle_mm_fault', exact: true })).toHaveAttribute('href', 'https://elixir.bootlin.com/linux/v7.3.4/A/ident/handle_mm_fault');

  // The value: a device-private entry with bit 8 set. It reads as PROT_NONE, and each rule it breaks is named.
  await app.pickKernel('rfc');
  await app.hexInput.fill('0xcfffffffffffdf02');
  await expect(app.bits).toHaveAccessibleName(/^64 bits of 0xcfffffffffffdf02: PROT_NONE present pfn=0x2 RW,old,SavedDirty,SD,uffd-wp,special$/);
  for (const [text, link, href] of [
    ['RW=1 with SavedDirty=1', 'arch/x86/include/asm/pgtable.h: clear_saveddirty_shift', 'clear_saveddirty_shift'],
    ['bit 8 (_PAGE_PROTNONE) is set on what is otherwise a swap entry (SWP_DEVICE_WRITE(25) off=0x10 sd)', 'arch/x86/include/asm/pgtable_64.h: SWP_OFFSET_FIRST_BIT', 'SWP_OFFSET_FIRST_BIT'],
    ['PROT_NONE with RW=1', 'arch/x86/include/asm/pgtable_types.h: _PAGE_CHG_MASK', '_PAGE_CHG_MASK'],
    ['PROT_NONE with _PAGE_NX', 'arch/x86/include/asm/pgtable_types.h: PAGE_NONE', 'PAGE_NONE'],
    ['bits 52–57 are set', 'arch/x86/include/asm/pgtable_types.h: _PAGE_BIT_SOFTW4', '_PAGE_BIT_SOFTW4'],
  ] as const) {
    const item = app.problems.filter({ hasText: text });
    await expect(item, text).toHaveCount(1);
    await expect(item.getByRole('link', { name: link })).toHaveAttribute('href', `https://elixir.bootlin.com/linux/v6.18/A/ident/${href}`);
  }
  await expect(app.problems).toHaveCount(5);

  // PROT_NONE with Dirty, and a writable PTE with SavedDirty, each on its own.
  await app.hexInput.fill('0x000ffffffedcb960');
  await expect(app.problems).toHaveText([/^PROT_NONE with Dirty=1: pte_modify\(\) moves Dirty into SavedDirty/]);
  await app.hexInput.fill('0x8400000001234867');
  await expect(app.problems).toHaveText([/^RW=1 with SavedDirty=1: /]);
  // What the kernel builds is not flagged.
  await app.hexInput.fill('0x8400000001234825');
  await expect(app.problems).toHaveCount(0);
});

test('S30 is marked superseded and never hands out slot 0; S31 shows swp_entry(0, 0) as an encoding no page gets', async ({ app }) => {
  await app.open('#v=1&k=7.3&s=S30&step=2');
  await expect(app.scenarioSelect.getByRole('option', { name: 'S30: swp_entry(0, 0) (superseded by S31)' })).toHaveCount(1);
  await expect(app.scenarioLine).toContainText('Superseded by S31.');
  await expect(app.selectedRow()).toHaveAccessibleName(/^PTE 1, swapfile_0\(0\) off=0x1 /);
  await expect(app.page.getByRole('list', { name: 'Kernel functions that ran, in call order' })).toContainText('slot 0x0 holds the swap header and is never handed out');

  await app.pickScenario('S31');
  await app.toLast();
  await expect(app.selectedRow()).toHaveAccessibleName(/^PTE 1, swapfile_0\(0\) off=0x1 sd,excl/);
  await expect(app.hexInput).toHaveValue('0x07fffffffffffc0a');
  await expect(app.scenarioLine).toContainText('set bit 9 of the swapped-out PTE in the bit layout to see it');
  await app.bit(9).click();
  await expect(app.hexInput).toHaveValue('0x07fffffffffffe0a');
  await expect(app.bits).toHaveAccessibleName('64 bits of 0x07fffffffffffe0a: swapfile_0(0) off=0x0 sd,excl');
  const header = app.problems.filter({ hasText: 'slot 0 of a swap device holds the swap header' });
  await expect(header.getByRole('link', { name: 'mm/swapfile.c: swap_cluster_setup_bad_slot' })).toHaveAttribute('href', 'https://elixir.bootlin.com/linux/v7.3.4/A/ident/swap_cluster_setup_bad_slot');
  await expect(app.problems.filter({ hasText: 'softleaf_type() treats val == 0 as SOFTLEAF_NONE' })).toHaveCount(1);
});

test('a step back marks what the undone step changed; compare mode shows both kernels in the bit layout and the decode box, for any pair', async ({ app }) => {
  await app.open('#v=1&k=rfc&s=S02&step=5');
  await app.stepBack();
  await app.expectAt(4, 7);
  await expect(app.selectedRow()).toHaveAccessibleName(new RegExp(`^PTE 1, ${esc(expected('S02', 2, 'rfc').summary)} off=0x10 sd, changed by step 5, undone$`));
  await expect(app.bit(61)).toHaveAccessibleName('bit 61: 0, swap type (SWP_TYPE_BITS = 5), changed by step 5, undone');
  await expect(app.bitLayout.getByText('bits 59, 60, 61 were changed by step 5, which you just undid (marked Δ)')).toBeVisible();
  await expect(app.page.getByRole('list', { name: 'Colour legend of entry kinds' })).toContainText('changed by step 5, just undone');
  await expect(app.page.getByText('You stepped back: step 5 (CPU read fault on PTE 1 (pid 1)) is undone; what it changed is marked ◆ and Δ.')).toBeVisible();
  // Forward again: the marks are the step's own.
  await app.step();
  await expect(app.bit(61)).toHaveAccessibleName('bit 61: 1, swap type (SWP_TYPE_BITS = 5), changed by this step');

  // Compare mode reaches the bit layout and the decode box.
  await app.compareBox.check();
  await expect(app.page.getByRole('note', { name: 'What the two columns assume' })).toHaveText(
    `Left column: v6.18 (series base) (MAX_SWAPFILES 24). Right column: ${RFC} (MAX_SWAPFILES 21). Both: config: all options y; x86_64, 4-level paging (46-bit PA), migration entries carry A/D.`,
  );
  const [before, after] = [expected('S02', 3, 'v6.18'), expected('S02', 3, 'rfc')];
  await expect(app.bitsUnder('v6.18')).toHaveAccessibleName(new RegExp(`^v6\\.18: 64 bits of ${before.pte}: ${esc(before.summary)}`));
  await expect(app.bitsUnder('RFC')).toHaveAccessibleName(new RegExp(`^RFC: 64 bits of ${after.pte}: ${esc(after.summary)}`));
  await expect(app.bitsUnder('v6.18').getByRole('img', { name: before.typeField! })).toBeVisible();
  await expect(app.bitsUnder('RFC').getByRole('img', { name: after.typeField! })).toBeVisible();

  const panel = await app.openTab('Decode values');
  await panel.getByRole('textbox', { name: /^PTE values, one per line/ }).fill(after.pte);
  const both = panel.getByRole('list', { name: `${after.pte} under v6.18 and RFC` }).getByRole('listitem');
  // The same bits, read by each kernel: the series renumbered the types.
  await expect(both).toHaveText(['v6.18: device-exclusive SWP_DEVICE_EXCLUSIVE(30) off=0x10 sd', 'RFC: device migration SWP_MIGRATION_DEVICE_WRITE(30) pfn=0x10 sd']);

  // Any two profiles: the pair is picked in the header, travels in the link, and every view follows.
  await app.compareSide('Left').selectOption('7.3');
  await app.compareSide('Right').selectOption('series');
  await expect(app.compareAny).toHaveAccessibleName('Compare v7.3.4 and series v6');
  await expect.poll(() => app.hash()).toContain('cmp=1&pair=7.3_series');
  await expect(panel.getByRole('list', { name: `${after.pte} under v7.3.4 and series v6` }).getByRole('listitem')).toHaveCount(2);
  const types = await app.openTab('Type numbers');
  await expect(types.getByRole('table').nth(0)).toHaveAccessibleName('v7.3.4: MAX_SWAPFILES = 24');
  await expect(types.getByRole('table').nth(1)).toHaveAccessibleName('series v6: MAX_SWAPFILES = 21');
  await app.openTab('Bit layout');
  await expect(app.bitsUnder('v7.3.4')).toBeVisible();
  await expect(app.bitsUnder('series v6')).toBeVisible();
  // The column that is partly inference says which facts are.
  const table = app.page.getByRole('region', { name: 'Page table entries' });
  await table.getByText('2 facts of series v6 are inference, not a posted kernel').click();
  await expect(table.getByRole('list', { name: 'What is inference in series v6' }).getByRole('listitem')).toHaveCount(2);
  await expect(app.selectedRow()).toHaveAccessibleName(/, v7\.3\.4: .*, series v6: .*, differs between v7\.3\.4 and series v6$/);
});

test('at 1280×720 nothing is cut off without its full text on hover and focus; the PFN diagram fits its panel and no link crosses a label', async ({ app }) => {
  await app.page.setViewportSize({ width: 1280, height: 720 });
  await app.open('#v=1&k=rfc&s=S02&step=5');
  const row = app.selectedRow();
  const full = 'SWP_MIGRATION_DEVICE_WRITE(30) pfn=0x10 sd';
  // The decoded cell is narrower than its text: the row's title carries all of it (hover)...
  await expect(row).toHaveAttribute('title', `PTE 1, ${full}, changed by this step`);
  const cell = row.getByText(full);
  const cut = () => cell.evaluate((el) => el.scrollWidth > el.clientWidth);
  expect(await cut()).toBe(true);
  // ...and with the keyboard on the table, the row shows it whole.
  await app.focusPage();
  await app.page.keyboard.press('Tab');
  while (!(await app.pteTable().evaluate((el) => el === document.activeElement))) await app.page.keyboard.press('Tab');
  await expect.poll(cut).toBe(false);

  // Every label of the bit layout is inside the picture, and a focused bit names its whole field.
  const overflow = await app.bits.evaluate((svg) => {
    const s = svg.getBoundingClientRect();
    return [...svg.querySelectorAll('text')].filter((t) => {
      const b = t.getBoundingClientRect();
      return b.left < s.left - 0.5 || b.right > s.right + 0.5 || b.top < s.top - 0.5 || b.bottom > s.bottom + 0.5;
    }).map((t) => t.textContent);
  });
  expect(overflow).toEqual([]);
  await app.bit(5).focus();
  await expect(app.bitLayout.getByText('bit 5 is 0 — bits 5–6: _PAGE_KNL_ERRATUM_MASK (A, D) 0x0 — Knights Landing may set A/D on non-present PTEs; pte_none() ignores exactly these two bits')).toBeVisible();

  // The PFN diagram: as wide as its panel at most, and its links stay off its labels.
  await app.open('#v=1&k=rfc&s=S26&step=7');
  const pfn = app.page.getByRole('region', { name: 'PFN spaces' });
  const picture = pfn.getByRole('group', { name: 'PTEs and the pages they name' });
  await picture.scrollIntoViewIfNeeded();
  const [p, r] = [await picture.boundingBox(), await pfn.boundingBox()];
  expect(p!.x + p!.width).toBeLessThanOrEqual(r!.x + r!.width);
  const crossings = await picture.evaluate((svg) => {
    const labels = [...svg.querySelectorAll(':scope > text')].map((t) => ({ text: t.textContent, b: t.getBoundingClientRect() }));
    const links = [...svg.querySelectorAll('[role="img"] path')].map((l) => l.getBoundingClientRect());
    const hit = (a: DOMRect, b: DOMRect) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    return labels.filter((l) => links.some((k) => hit(l.b, k))).map((l) => l.text);
  });
  expect(crossings).toEqual([]);
});
