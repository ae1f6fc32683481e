/**
 * mremap(MREMAP_MAYMOVE | MREMAP_FIXED [| MREMAP_DONTUNMAP]) at the PTE level (mm/mremap.c): a VMA at
 * the destination is unmapped first, move_ptes() moves every entry as it is (move_soft_dirty_pte()
 * keeps it soft-dirty), the pages, swap slots and migrations in flight follow the entries; without
 * MREMAP_DONTUNMAP the old range is unmapped and its page tables freed. The PMD level (move_huge_pmd)
 * is in huge_memory.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ev, has, M, SOFT_DIRTY, SWP_SD } from '../../../../test/machine.ts';
import type { Event } from '../events.ts';
import { readPmd } from '../pagetable.ts';
import type { MachineSetup } from '../types.ts';

const mremap = (start: number, pages: number, to: number, dontunmap = false, pid = 1): Event => ({ type: 'mremap', pid, start, pages, to, dontunmap });
const vmas = (m: M, pid = 1) => m.state.processes.find((p) => p.pid === pid)!.vmas.map((v) => [v.start, v.pages, v.prot, v.shared]);

describe('mremap (move_page_tables -> move_ptes)', () => {
  it('present entries move as they are, none PTEs stay none; the page keeps its one mapping; the VMA moves', () => {
    const m = new M().do(ev.write(1), ev.write(2));
    const [one, two] = [m.pte(1), m.pte(2)];
    m.do(mremap(1, 3, 10));
    expect([m.pte(10), m.pte(11), m.pte(12)]).toEqual([one, two, 0n]);
    expect([m.pte(1), m.pte(2), m.pte(3)]).toEqual([0n, 0n, 0n]);
    expect(has(m.pte(10), SOFT_DIRTY)).toBe(true);
    expect(m.page(0x1234)).toMatchObject({ allocated: true, mapcount: 1 });
    expect(vmas(m)).toEqual([[0, 1, 'rw', false], [4, 4, 'rw', false], [10, 3, 'rw', false]]);
    expect(m.fns()).toEqual(['mremap', 'move_page_tables', 'move_ptes']);
    expect(m.why('mremap')).toBe('moves PTEs 1..3 to 10..12.');
    expect(m.why('move_page_tables')).toContain('the pages and their rmap stay');
    expect(m.result.ret).toBe('0');
    m.consistent();
  });

  it('a swap entry moves with its soft-dirty bit; the slot keeps its one user, and a fault at the new place swaps the data in', () => {
    const m = new M().do({ type: 'cpu_access', pid: 1, start: 1, pages: 1, access: 'write', value: 7 }, ev.swapOut(1));
    const swp = m.pte(1);
    expect(has(swp, SWP_SD)).toBe(true);
    m.do(mremap(1, 1, 10));
    expect([m.pte(10), m.pte(1)]).toEqual([swp, 0n]);
    expect(m.slot(0x42)?.count).toBe(1);
    m.do({ type: 'cpu_access', pid: 1, start: 10, pages: 1, access: 'read' });
    expect(m.result.data).toEqual([7]);
    m.consistent();
  });

  it('a migration entry moves, and the migration in flight maps the new page at the new place', () => {
    const m = new M().do(ev.write(1), ev.unmap(1), mremap(1, 1, 10), ev.move());
    expect(m.decoded(10).present?.pfn).toBe(0x5678);
    expect(m.pte(1)).toBe(0n);
    expect(m.page(0x5678).mapcount).toBe(1);
    m.consistent();
  });

  it('a VMA at the destination is unmapped first (do_vmi_munmap): what it mapped is freed', () => {
    const m = new M().do(ev.mmap(10, 2, 'read'), ev.read(11), ev.write(1));
    expect(m.decoded(1).present?.pfn).toBe(0x1234);
    m.do(ev.mmap(12, 1, 'rw'), ev.write(12), mremap(1, 2, 10));
    expect(m.fns().slice(0, 4)).toEqual(['mremap', 'do_vmi_munmap', 'zap_pte_range', 'move_page_tables']);
    expect(m.decoded(10).present?.pfn).toBe(0x1234);
    expect(vmas(m)).toEqual([[0, 1, 'rw', false], [3, 5, 'rw', false], [10, 2, 'rw', false], [12, 1, 'rw', false]]);
    m.consistent();
  });

  it.each([
    ['a VMA that starts where the destination ends', [ev.mmap(12, 2, 'rw')], mremap(1, 2, 10)],
    ['the VMA that ends where the destination starts', [], mremap(1, 2, 8)],
  ] as const)('%s is not unmapped', (_w, setup, e) => {
    const m = new M().do(...setup, ev.write(1), e);
    expect(m.fns()).not.toContain('do_vmi_munmap');
    expect(m.fns()[0]).toBe('mremap');
  });

  it('MREMAP_DONTUNMAP leaves the old VMA in place with empty PTEs; the next fault there gets a fresh page', () => {
    const m = new M().do(ev.write(1), mremap(1, 1, 10, true));
    expect(m.why('mremap')).toBe('moves PTEs 1..1 to 10..10, leaving the old VMA in place (MREMAP_DONTUNMAP).');
    expect(vmas(m)).toEqual([[0, 8, 'rw', false], [10, 1, 'rw', false]]);
    expect([m.pte(1), m.decoded(10).present?.pfn]).toEqual([0n, 0x1234]);
    m.do(ev.write(1));
    expect(m.decoded(1).present?.pfn).toBe(0x5678);
    m.consistent();
  });

  it('MREMAP_DONTUNMAP is allowed on a shared mapping (only VM_DONTEXPAND / VM_PFNMAP VMAs are refused)', () => {
    const m = new M().do(ev.mmap(8, 2, 'rw', true), ev.write(8), mremap(8, 1, 12, true));
    expect(vmas(m)).toEqual([[0, 8, 'rw', false], [8, 2, 'rw', true], [12, 1, 'rw', true]]);
    expect(m.decoded(12).present?.pfn).toBe(0x1234);
  });

  /** One process over two PTE tables; its VMA covers the first table whole. */
  const TWO_TABLES: MachineSetup = { ptes: 1024, processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: 512, prot: 'rw' }] }], ram: ['0x1234'] };
  const hasTable = (m: M, chunk: number) => Boolean(m.state.processes[0]!.ptes.chunks[chunk]);

  it.each([
    ['without MREMAP_DONTUNMAP the old range\'s PTE table is freed (free_pgtables)', false, false],
    ['with MREMAP_DONTUNMAP the old VMA keeps its PTE table', true, true],
  ] as const)('%s', (_w, dontunmap, kept) => {
    const m = new M({ setup: TWO_TABLES }).do(ev.write(5));
    expect(hasTable(m, 0)).toBe(true);
    m.do(mremap(0, 512, 512, dontunmap));
    expect([hasTable(m, 0), hasTable(m, 1), m.decoded(517).present?.pfn]).toEqual([kept, true, 0x1234]);
  });

  it('the device forgets the old range (the MMU notifier), and only that range', () => {
    const m = new M().do({ type: 'hmm_write', pid: 1, start: 0, pages: 4, device: 0 }, mremap(1, 2, 10));
    expect(Object.keys(m.state.devices[0]!.mirror).sort()).toEqual(['1:0', '1:3']);
    expect(m.why('dmirror_interval_invalidate')).toBe('the MMU notifier makes device 0 drop 2 mapping(s).');
  });

  it.each([
    ['a range that leaves its VMA', mremap(6, 3, 10), 'PTEs 6..8 are not inside one VMA: -EFAULT'],
    ['a range with no VMA', mremap(9, 1, 12), 'PTEs 9..9 are not inside one VMA: -EFAULT'],
    ['a destination past the process range', mremap(1, 2, 15), "the destination PTEs 15..16 go past pid 1's range of 16 PTEs"],
    ['a destination overlapping the start of the source', mremap(2, 3, 0), 'the destination overlaps the source: mremap(MREMAP_FIXED) returns -EINVAL'],
    ['a destination overlapping the end of the source', mremap(1, 3, 3), 'the destination overlaps the source: mremap(MREMAP_FIXED) returns -EINVAL'],
  ] as const)('%s is refused', (_w, e, reason) => {
    expect(new M().do(ev.write(1)).refused(e)).toBe(reason);
  });

  it.each([
    ['right after the source', 1, 4],
    ['right before the source', 4, 1],
  ] as const)('a destination %s does not overlap it', (_w, start, to) => {
    const m = new M().do(ev.write(start), mremap(start, 3, to));
    expect(m.decoded(to).present?.pfn).toBe(0x1234);
    m.consistent();
  });
});

describe('mremap of THPs (move_huge_pmd or split, then move_ptes)', () => {
  /** A VM_HUGEPAGE VMA over two 2 MiB ranges, room for the destination after it; three THPs of RAM. */
  const THP: MachineSetup = {
    ptes: 2048,
    processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: 1024, prot: 'rw', thp: true }] }],
    ram: ['0x1234'],
    hugeRam: ['0x12400', '0x56600', '0x78800'],
  };
  const pmd = (m: M, i: number) => readPmd(m.state.processes[0]!.ptes, i);

  it('a whole present PMD to an aligned address moves as one entry; move_soft_dirty_pmd() marks it soft-dirty', () => {
    const m = new M({ setup: THP }).do(ev.write(0));
    const before = pmd(m, 0);
    m.do(mremap(0, 512, 1024));
    expect([pmd(m, 1024), pmd(m, 0)]).toEqual([before, 0n]);
    expect(m.why('move_huge_pmd')).toBe('the whole 2 MiB moves to an aligned address: one PMD moves; move_soft_dirty_pmd() marks it soft-dirty.');
    expect(m.fns()).not.toContain('split_huge_pmd');
    m.consistent();
  });

  it('a migration PMD moved whole stays in the migration in flight: the move maps the new THP at the new place', () => {
    const m = new M({ setup: THP }).do(ev.write(0), ev.unmap(0), mremap(0, 512, 1024), ev.move());
    expect(Number((pmd(m, 1024) >> 12n) & 0xffffffffffn)).toBe(0x56600);
    expect(m.page(0x56600)).toMatchObject({ entireMapcount: 1, order: 9 });
    m.consistent();
  });

  it('a migration PMD moved to an unaligned address is split: each migration PTE moves and the move maps every new page in order', () => {
    const m = new M({ setup: THP }).do(ev.write(0), ev.unmap(0), mremap(0, 512, 1030));
    expect(m.why('split_huge_pmd')).toBe('the 2 MiB range is not moved whole or not to an aligned address: split it first.');
    m.do(ev.move());
    expect([1030, 1031, 1541].map((i) => m.decoded(i).present?.pfn)).toEqual([0x56600, 0x56601, 0x567ff]);
    m.consistent();
  });

  it('a range across two THPs is cut at the PMD boundary: each huge PMD is split and only the range moves', () => {
    const m = new M({ setup: THP }).do(ev.write(0), ev.write(512), mremap(500, 30, 1030));
    expect(m.fns().filter((f) => f === 'split_huge_pmd')).toHaveLength(2);
    expect([m.decoded(1030).present?.pfn, m.decoded(1042).present?.pfn, m.decoded(1059).present?.pfn]).toEqual([0x125f4, 0x56600, 0x56611]);
    expect([m.decoded(499).present?.pfn, m.decoded(530).present?.pfn, m.pte(500), m.pte(529)]).toEqual([0x125f3, 0x56612, 0n, 0n]);
    m.consistent();
  });

  it('a range longer than a PTE table moves table by table, and only the range moves', () => {
    const small: MachineSetup = { ...THP, processes: [{ pid: 1, name: 'task', vmas: [{ start: 0, pages: 1024, prot: 'rw' }] }] };
    const m = new M({ setup: small }).do(ev.write(0), ev.write(599), ev.write(700), mremap(0, 600, 1024));
    expect([m.decoded(1024).present?.pfn, m.decoded(1623).present?.pfn, m.decoded(700).present?.pfn]).toEqual([0x1234, 0x1235, 0x1236]);
    expect(m.pte(1724)).toBe(0n);
    m.consistent();
  });
});
