/**
 * get_user_pages / pin_user_pages (mm/gup.c) and folio_put: the references other rules look at
 * (folio_maybe_dma_pinned() at fork, extra references at migration and reclaim).
 */
import { describe, expect, it } from 'vitest';
import { ev, has, M, RW } from '../../../../test/machine.ts';

describe('GUP references and pins', () => {
  it('FOLL_GET faults the page in and takes a reference; folio_put drops it', () => {
    const w = new M().do({ type: 'folio_get', pid: 1, index: 1, write: true });
    expect(w.page(0x1234)).toMatchObject({ refs: 1, mapcount: 1 });
    expect(w.why('get_user_pages')).toBe('FOLL_GET: an extra reference on pfn 0x1234 (e.g. held for I/O).');
    expect(w.trace.at(-1)?.changes).toEqual([{ kind: 'page', page: w.pageId(0x1234), what: 'refcount + 1' }]);
    w.do(ev.put(1));
    expect(w.page(0x1234).refs).toBe(0);
    expect(w.why('folio_put')).toBe('drops the extra reference on pfn 0x1234.');
  });

  it('a read GUP on an empty anon PTE maps the zero page, which cannot be referenced', () => {
    expect(new M().refused(ev.get(1))).toBe('PTE 1 maps the shared zero page');
  });

  it('FOLL_PIN with FOLL_WRITE breaks COW first and pins the private copy', () => {
    const m = new M().do(ev.write(1), ev.fork(), { type: 'pin_user_pages', pid: 2, index: 1, write: true });
    expect(m.page(0x5678)).toMatchObject({ pins: 1, anonExclusive: true });
    expect(m.page(0x1234).pins).toBe(0);
    expect(has(m.pte(1, 2), RW)).toBe(true);
    expect(m.why('pin_user_pages')).toBe('FOLL_PIN: pfn 0x5678 is now maybe DMA-pinned (folio_maybe_dma_pinned()).');
  });

  it('pins add up', () => {
    const m = new M().do(ev.write(1), ev.pin(1), ev.pin(1));
    expect(m.page(0x1234).pins).toBe(2);
  });

  it('folio_put without an extra reference is refused', () => {
    expect(new M().refused(ev.put(1))).toBe("there is no extra reference to drop on PTE 1's page");
    expect(new M().do(ev.write(1)).refused(ev.put(1))).toBe("there is no extra reference to drop on PTE 1's page");
  });

  it('a GUP whose fault gets a signal is -EFAULT', () => {
    const m = new M().do(ev.guard(1));
    expect(m.refused(ev.get(1))).toBe("GUP's fault on PTE 1 gets SIGSEGV: -EFAULT");
    expect(m.refused(ev.pin(1))).toBe("GUP's fault on PTE 1 gets SIGSEGV: -EFAULT");
  });
});
