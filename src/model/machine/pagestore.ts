/**
 * Every page of a state (struct page / folio state: mapcount, refs, lock, ...), stored in blocks of
 * PAGE_BLOCK so that a step that touches a few pages copies a few small blocks, not the whole array.
 * Blocks are shared between states and copied on write, like the page-table pages.
 */
import type { Page } from './types.ts';

export const PAGE_BLOCK = 64;

export interface PageStore {
  readonly length: number;
  readonly blocks: readonly (readonly Page[])[];
}

export function pageStoreOf(pages: readonly Page[]): PageStore {
  const blocks: Page[][] = [];
  for (let i = 0; i < pages.length; i += PAGE_BLOCK) blocks.push(pages.slice(i, i + PAGE_BLOCK));
  return { length: pages.length, blocks };
}

export function pageAt(s: PageStore, id: number): Page | undefined {
  // an id that is not an integer (null from a hole's src) names no page: it must not read page 0
  return Number.isInteger(id) && id >= 0 && id < s.length ? s.blocks[Math.floor(id / PAGE_BLOCK)]![id % PAGE_BLOCK] : undefined;
}

/** Every page, in id order. */
export function* allPages(s: PageStore): Generator<Page> {
  for (const b of s.blocks) yield* b;
}

/** A writable view of the pages for one step: blocks are copied the first time they are written. */
export class PageWriter {
  private blocks: Page[][] | null = null;
  private readonly owned = new Set<number>();
  private size: number;

  constructor(private readonly base: PageStore) {
    this.size = base.length;
  }

  get length(): number {
    return this.size;
  }

  get(id: number): Page | undefined {
    if (!Number.isInteger(id) || id < 0 || id >= this.size) return undefined;
    const blocks = this.blocks ?? this.base.blocks;
    return blocks[Math.floor(id / PAGE_BLOCK)]![id % PAGE_BLOCK];
  }

  private block(bi: number): Page[] {
    const blocks = (this.blocks ??= this.base.blocks.slice() as Page[][]);
    if (!this.owned.has(bi)) {
      blocks[bi] = blocks[bi] ? blocks[bi]!.slice() : [];
      this.owned.add(bi);
    }
    return blocks[bi]!;
  }

  set(id: number, p: Page): void {
    this.block(Math.floor(id / PAGE_BLOCK))[id % PAGE_BLOCK] = p;
  }

  push(p: Page): void {
    const id = this.size++;
    this.block(Math.floor(id / PAGE_BLOCK))[id % PAGE_BLOCK] = p;
  }

  finish(): PageStore {
    if (!this.blocks) return this.base;
    return { length: this.size, blocks: this.blocks };
  }
}
