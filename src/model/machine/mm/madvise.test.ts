/** MADV_GUARD_INSTALL (mm/madvise.c): zap what is mapped, then a PTE_MARKER_GUARD marker in every PTE. */
import { describe, expect, it } from 'vitest';
import { ev, M, swapPte } from '../../../../test/machine.ts';

describe('madvise_guard_install', () => {
  it('mapped pages are zapped (and freed) and every PTE of the range gets a guard marker', () => {
    const m = new M().do(ev.write(1), ev.guard(0, 3));
    expect([0, 1, 2].map((i) => m.pte(i))).toEqual([swapPte(31, 4n), swapPte(31, 4n), swapPte(31, 4n)]);
    expect(m.page(0x1234)).toMatchObject({ allocated: false, mapcount: 0 });
    expect(m.fns()).toEqual(['madvise_guard_install', 'make_pte_marker', 'make_pte_marker', 'make_pte_marker']);
    m.consistent();
  });

  it('an existing guard marker is left as it is', () => {
    const m = new M().do(ev.guard(1), ev.guard(0, 2));
    expect(m.fns()).toEqual(['madvise_guard_install', 'make_pte_marker']);
    expect(m.pte(1)).toBe(swapPte(31, 4n));
  });

  it('other markers and swap entries are replaced, and the swap slot released', () => {
    const m = new M().do(ev.uffdPoison(1), ev.write(2), ev.swapOut(2), ev.guard(1, 2));
    expect([m.pte(1), m.pte(2)]).toEqual([swapPte(31, 4n), swapPte(31, 4n)]);
    expect(m.slot(0x42)).toBeUndefined();
  });

  it('outside every VMA it is refused', () => {
    expect(new M().refused(ev.guard(7, 2))).toBe('no VMA covers PTE 8');
  });

  it('an access to a guard region gets SIGSEGV', () => {
    const m = new M().do(ev.guard(1), { type: 'cpu_access', pid: 1, start: 0, pages: 3, access: 'read' });
    expect(m.result).toMatchObject({ signal: 'SIGSEGV', data: [0] });
  });
});
