/**
 * The e2e fixtures: `app`, a page object that drives swapviz the way a person does (by role and
 * accessible name), and a guard that fails any test during which a page logged a console error or
 * threw. Specs import `test` and `expect` from here, never from @playwright/test.
 */
import { readFile } from 'node:fs/promises';
import { test as base, expect, type Download, type Locator, type Page } from '@playwright/test';
import { vectors, type PresentStep } from '../test/vectors.ts';

export { expect };

/** What vectors.json says one spec step shows, under one kernel. */
export interface Expected {
  readonly pte: string;
  /** `SWP_…(n)` for a swap-style entry, `present pfn=0x…` for a present one, `none`. */
  readonly summary: string;
  /** The accessible name of the swap-type field (bits 59–63), for swap-style entries. */
  readonly typeField: string | null;
}

export type Kernel = 'v6.18' | 'rfc';

/** vectors.json → scenarios → `id` → step `n`, as the app should show it under `kernel`. */
export function expected(id: string, n: number, kernel: Kernel): Expected {
  const sc = vectors.scenarios.find((s) => s.id === id);
  const st = sc?.steps.find((s) => s.step === n);
  if (!st) throw new Error(`vectors.json has no ${id} step ${n}`);
  const v: PresentStep & { pfn?: string } = kernel === 'rfc' ? st.after_rfc : st.before;
  if (v.decoded === 'swap-pte') {
    return { pte: v.pte, summary: `${v.type_name}(${v.type})`, typeField: `bits 59–63: swap type ${v.type}, ${v.type_name}` };
  }
  if (v.decoded === 'present') return { pte: v.pte, summary: `present pfn=${v.pfn}`, typeField: null };
  return { pte: v.pte, summary: 'none', typeField: null };
}

/** `s` as a literal inside a RegExp. */
export const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class SwapvizApp {
  constructor(readonly page: Page) {}

  // ---- opening -------------------------------------------------------------------------------

  /** Opens a share link (the fragment, with or without `#`), optionally in embed mode. */
  async open(link: string, { embed = false }: { embed?: boolean } = {}): Promise<void> {
    const frag = link.startsWith('#') ? link.slice(1) : link;
    await this.page.goto(`./${embed ? '?embed' : ''}#${frag}`);
    await expect(this.stepHeading).toBeVisible();
  }

  /** Types a new fragment into the address bar of the open page (a `hashchange`, no reload). */
  async changeHash(link: string): Promise<void> {
    const frag = link.startsWith('#') ? link.slice(1) : link;
    await this.page.evaluate((f) => { location.hash = f; }, frag);
  }

  /** The URL fragment the address bar shows now (it follows the position, via replaceState). */
  async hash(): Promise<string> {
    return this.page.evaluate(() => location.hash.slice(1));
  }

  // ---- header ----------------------------------------------------------------------------------

  combobox(name: string): Locator {
    return this.page.getByRole('combobox', { name, exact: true });
  }

  get scenarioSelect(): Locator {
    return this.combobox('Scenario');
  }

  get kernelSelect(): Locator {
    return this.combobox('Kernel');
  }

  async pickScenario(id: string): Promise<void> {
    await this.scenarioSelect.selectOption(id);
    await expect(this.scenarioLine).toContainText(id);
  }

  async pickKernel(k: string): Promise<void> {
    await this.kernelSelect.selectOption(k);
  }

  async pickTheme(t: 'system' | 'light' | 'dark'): Promise<void> {
    await this.combobox('Theme').selectOption(t);
  }

  get scenarioLine(): Locator {
    return this.page.getByRole('banner').getByRole('paragraph');
  }

  config(option: string): Locator {
    return this.page.getByRole('checkbox', { name: `CONFIG_${option}`, exact: true });
  }

  get compareBox(): Locator {
    return this.page.getByRole('checkbox', { name: 'Compare v6.18 and RFC' });
  }

  /** The compare checkbox, whatever pair it compares ("Compare <left> and <right>"). */
  get compareAny(): Locator {
    return this.page.getByRole('checkbox', { name: /^Compare / });
  }

  compareSide(side: 'Left' | 'Right'): Locator {
    return this.combobox(`${side} kernel of the comparison`);
  }

  /** The line that says what every value on the page assumes (kernel, config, machine, MAX_SWAPFILES). */
  get assumptions(): Locator {
    return this.page.getByRole('note', { name: 'What this page assumes' });
  }

  /** The message bar's note (role status, with a "Dismiss the message" button). */
  get info(): Locator {
    return this.page.getByRole('status').filter({ has: this.page.getByRole('button', { name: 'Dismiss the message' }) });
  }

  /** The message bar's error (role alert, with a "Dismiss the message" button). */
  get alert(): Locator {
    return this.page.getByRole('alert').filter({ has: this.page.getByRole('button', { name: 'Dismiss the message' }) });
  }

  button(name: string): Locator {
    return this.page.getByRole('button', { name, exact: true });
  }

  /** Moves the focus off any control (as a click on the page title does), so keys go to the page. */
  async focusPage(): Promise<void> {
    await this.page.getByRole('heading', { name: 'swapviz', level: 1 }).click();
  }

  // ---- the stepper ------------------------------------------------------------------------------

  get timeline(): Locator {
    return this.page.getByRole('navigation', { name: 'Timeline' });
  }

  get stepHeading(): Locator {
    return this.page.getByRole('heading', { level: 2, name: /^Step \d+ of \d+: / });
  }

  get scrubber(): Locator {
    return this.page.getByRole('slider', { name: 'Scrub through the steps' });
  }

  async step(): Promise<void> {
    await this.timeline.getByRole('button', { name: 'Step forward' }).click();
  }

  async stepBack(): Promise<void> {
    await this.timeline.getByRole('button', { name: 'Step back' }).click();
  }

  async toFirst(): Promise<void> {
    await this.timeline.getByRole('button', { name: 'Jump to the first step' }).click();
  }

  async toLast(): Promise<void> {
    await this.timeline.getByRole('button', { name: 'Jump to the last step' }).click();
  }

  /** The position reads `step n / total`, the step heading says `Step n of total`, the scrubber is at n. */
  async expectAt(n: number, total: number): Promise<void> {
    await expect(this.timeline.getByText(`step ${n} / ${total}`, { exact: true })).toBeVisible();
    await expect(this.stepHeading).toHaveText(new RegExp(`^Step ${n} of ${total}: `));
    await expect(this.scrubber).toHaveValue(String(n));
  }

  // ---- page tables ------------------------------------------------------------------------------

  pteTable(pid = 1): Locator {
    return this.page.getByRole('listbox', { name: new RegExp(`^Page table of pid ${pid} `) });
  }

  selectedRow(pid = 1): Locator {
    return this.pteTable(pid).getByRole('option', { selected: true });
  }

  row(pid: number, index: number): Locator {
    return this.pteTable(pid).getByRole('option', { name: new RegExp(`^PTE ${index}, `) });
  }

  /** The row of a PMD leaf ("PMD 0–511, <summary>…"), by its first PTE index. */
  pmdRow(pid: number, from: number): Locator {
    return this.pteTable(pid).getByRole('option', { name: new RegExp(`^PMD ${from}–\\d+, `) });
  }

  /** A row of PTEs of one shape, folded or not ("PTEs 1–127, 127 PTEs of one shape…"). */
  runRow(pid: number, from: number, to: number): Locator {
    return this.pteTable(pid).getByRole('option', { name: new RegExp(`^PTEs ${from}–${to}, `) });
  }

  // ---- the entry views --------------------------------------------------------------------------

  async openTab(name: 'Bit layout' | 'Type numbers' | 'Decode values'): Promise<Locator> {
    const tab = this.page.getByRole('tablist', { name: 'Entry views' }).getByRole('tab', { name });
    await tab.click();
    await expect(tab).toHaveAttribute('aria-selected', 'true');
    return this.page.getByRole('tabpanel', { name });
  }

  get bitLayout(): Locator {
    return this.page.getByRole('region', { name: /^Bit layout: / });
  }

  /** The 64 switches; its name is `64 bits of <hex>: <summary>`. */
  get bits(): Locator {
    return this.bitLayout.getByRole('group', { name: /^64 bits of / });
  }

  /** In compare mode, one kernel's 64 switches ("<kernel>: 64 bits of <hex>: <summary>"). */
  bitsUnder(kernel: string): Locator {
    return this.bitLayout.getByRole('group', { name: new RegExp(`^${esc(kernel)}: 64 bits of `) });
  }

  /** What the bit layout says is wrong with its value, one item per problem. */
  get problems(): Locator {
    return this.bitLayout.getByRole('list', { name: 'Why this value is not something the kernel builds' }).getByRole('listitem');
  }

  /** A field of the bit layout by its accessible name, e.g. "bit 1: _PAGE_SWP_SOFT_DIRTY set". */
  bitField(name: string): Locator {
    return this.bitLayout.getByRole('img', { name, exact: true });
  }

  /** The switch of one bit ("bit 1: 1, _PAGE_SWP_SOFT_DIRTY"). */
  bit(n: number): Locator {
    return this.bits.getByRole('switch', { name: new RegExp(`^bit ${n}: `) });
  }

  get hexInput(): Locator {
    return this.bitLayout.getByRole('textbox', { name: 'PTE value' });
  }

  /** The bit layout's value field when it shows a PMD. */
  get pmdInput(): Locator {
    return this.bitLayout.getByRole('textbox', { name: 'PMD value' });
  }

  /**
   * The selected PTE shows `e` everywhere it is drawn: its row in the page table (hex and decoded
   * summary), the bit layout's value, its 64 switches and its swap-type field.
   */
  async expectEntry(e: Expected, { pid = 1, index = 1 }: { pid?: number; index?: number } = {}): Promise<void> {
    const row = this.selectedRow(pid);
    await expect(row).toHaveAccessibleName(new RegExp(`^PTE ${index}, ${esc(e.summary)}( |,|$)`));
    await expect(row).toContainText(e.pte);
    await expect(this.bitLayout.getByRole('heading', { level: 2 })).toHaveText(`Bit layout: pid ${pid} PTE ${index}`);
    await expect(this.hexInput).toHaveValue(e.pte);
    await expect(this.bits).toHaveAccessibleName(e.summary === 'none' ? new RegExp(`^64 bits of ${e.pte}: `) : new RegExp(`^64 bits of ${e.pte}: ${esc(e.summary)}`));
    if (e.typeField) await expect(this.bitField(e.typeField)).toBeVisible();
  }

  // ---- files ------------------------------------------------------------------------------------

  /** Clicks `button` and returns the file it downloads, with its text. */
  async download(button: Locator): Promise<{ name: string; text: string; path: string }> {
    const [d]: [Download, void] = await Promise.all([this.page.waitForEvent('download'), button.click()]);
    const path = await d.path();
    return { name: d.suggestedFilename(), text: await readFile(path, 'utf8'), path };
  }

  /** Chooses a file in the (hidden) "Import a scenario JSON file" input. */
  async importJson(name: string, text: string): Promise<void> {
    await this.page.getByLabel('Import a scenario JSON file').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
  }
}

/** Every console error and uncaught exception of every page of the test's context. */
function watch(page: Page, problems: string[]): void {
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error on ${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught ${e.name} on ${page.url()}: ${e.message}`));
}

export const test = base.extend<{ app: SwapvizApp; consoleGuard: void }>({
  consoleGuard: [
    async ({ context }, use) => {
      const problems: string[] = [];
      for (const p of context.pages()) watch(p, problems);
      context.on('page', (p) => watch(p, problems));
      await use();
      expect(problems, 'no console errors or uncaught exceptions').toEqual([]);
    },
    { auto: true },
  ],
  app: async ({ page }, use) => {
    await use(new SwapvizApp(page));
  },
});
