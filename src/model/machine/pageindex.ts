/**
 * Which page has a given number in a space: (space, number) -> page id. Pages are only ever added,
 * so one index serves a state and every state after it, and adding a page never copies it. Edits
 * branch a timeline, and two branches may add different pages under the same id, so a lookup checks
 * the id against the pages of the state asking.
 */
import { pageAt, PageWriter, type PageStore } from './pagestore.ts';
import type { Space } from './types.ts';

export class PageIndex {
  private readonly bySpace: Record<Space, Map<number, number[]>> = { phys: new Map(), device: new Map() };

  add(space: Space, number: number, id: number): void {
    const m = this.bySpace[space];
    const ids = m.get(number);
    if (!ids) m.set(number, [id]);
    else if (!ids.includes(id)) ids.push(id);
  }

  /** The id of the page numbered `number` in `space` among `pages`, if there is one. */
  find(pages: PageStore | PageWriter, space: Space, number: number): number | undefined {
    const ids = this.bySpace[space].get(number);
    if (!ids) return undefined;
    for (const id of ids) {
      const p = pages instanceof PageWriter ? pages.get(id) : pageAt(pages, id);
      if (p && p.space === space && p.number === number) return id;
    }
    return undefined;
  }
}
