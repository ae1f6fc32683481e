/**
 * Address-space changes (mm/mmap.c, mm/vma.c): mmap, munmap (zap_pte_range drops what each entry
 * held) and exit; the MMU notifier that makes a device forget an unmapped range.
 */
import { describe, expect, it } from 'vitest';
import { ev, M, onDevice } from '../../../../test/machine.ts';

const vmas = (m: M, pid = 1) => m.state.processes.find((p) => p.pid === pid)!.vmas.map((v) => [v.start, v.pages, v.prot, v.shared, v.anon]);

describe('mmap', () => {
  it('adds a VMA with its flags, kept in address order; no PTE is filled', () => {
    const m = new M().do(ev.mmap(12, 2, 'read', true, true), ev.mmap(8, 1, 'none'));
    expect(vmas(m)).toEqual([[0, 8, 'rw', false, true], [8, 1, 'none', false, true], [12, 2, 'read', true, false]]);
    expect(m.why('do_mmap')).toBe('a new private anonymous VMA, no PTEs yet (they are filled by faults).');
    expect(new M().do(ev.mmap(12, 2, 'read', true, true)).why('do_mmap')).toBe('a new shared file VMA, no PTEs yet (they are filled by faults).');
  });

  it('an overlap with an existing VMA is refused', () => {
    expect(new M().refused(ev.mmap(7, 2, 'rw'))).toBe('PTEs 7..8 overlap an existing VMA (this model does not do MAP_FIXED replacement)');
    expect(new M().do(ev.mmap(8, 2, 'rw')).refused(ev.mmap(9, 1, 'rw'))).toMatch(/overlap/);
  });

  it('a VMA right after another is not an overlap', () => {
    expect(vmas(new M().do(ev.mmap(8, 8, 'rw')))).toHaveLength(2);
  });
});

describe('munmap (do_vmi_munmap -> zap_pte_range)', () => {
  it('splits the VMA around the hole and clears the PTEs; a present page loses its mapping and is freed', () => {
    const m = new M().do(ev.write(3), ev.munmap(2, 2));
    expect(vmas(m)).toEqual([[0, 2, 'rw', false, true], [4, 4, 'rw', false, true]]);
    expect(m.pte(3)).toBe(0n);
    expect(m.page(0x1234)).toMatchObject({ allocated: false, mapcount: 0, data: null, dirty: false, anonExclusive: false });
    expect(m.fns()).toEqual(['do_vmi_munmap', 'zap_pte_range']);
  });

  it('a whole VMA, or the head or tail of one, goes away', () => {
    expect(vmas(new M().do(ev.munmap(0, 8)))).toEqual([]);
    expect(vmas(new M().do(ev.munmap(0, 3)))).toEqual([[3, 5, 'rw', false, true]]);
    expect(vmas(new M().do(ev.munmap(5, 3)))).toEqual([[0, 5, 'rw', false, true]]);
  });

  it('a device-private entry: the device page is freed and leaves the device\'s page table', () => {
    const m = onDevice().do({ type: 'hmm_read', pid: 1, start: 1, pages: 1, device: 0 });
    expect(Object.keys(m.state.devices[0]!.mirror)).toEqual(['1:1']);
    m.do(ev.munmap(1));
    expect(m.page(0x10)).toMatchObject({ allocated: false, mapcount: 0 });
    expect(m.state.devices[0]!.mirror).toEqual({});
  });

  it('the MMU notifier drops the device\'s mappings of the range, and only those', () => {
    const m = new M().do({ type: 'hmm_write', pid: 1, start: 0, pages: 4, device: 0 }, ev.munmap(1, 2));
    expect(Object.keys(m.state.devices[0]!.mirror).sort()).toEqual(['1:0', '1:3']);
    expect(m.why('dmirror_interval_invalidate')).toBe('the MMU notifier makes device 0 drop 2 mapping(s).');
    const n = new M().do({ type: 'hmm_write', pid: 1, start: 0, pages: 1, device: 0 }, ev.munmap(4, 2));
    expect(n.fns()).not.toContain('dmirror_interval_invalidate');
  });

  it('markers and hwpoison entries are just cleared; a pinned page stays allocated', () => {
    const m = new M().do(ev.guard(1), ev.write(2), ev.poison(2), ev.write(3), ev.pin(3), ev.munmap(0, 8));
    expect([1, 2, 3].map((i) => m.pte(i))).toEqual([0n, 0n, 0n]);
    expect(m.page(0x5678)).toMatchObject({ allocated: true, pins: 1, mapcount: 0 });
    m.consistent();
  });
});

describe('exit (exit_mmap)', () => {
  it('zaps every VMA and leaves the process dead; events for it are refused', () => {
    const m = new M().do(ev.mmap(8, 2, 'rw'), ev.write(1), ev.write(9), { type: 'exit', pid: 1 });
    expect(m.state.processes[0]).toMatchObject({ alive: false, vmas: [] });
    expect(m.fns()).toEqual(['exit_mmap', 'unmap_vmas', 'unmap_vmas']);
    expect(m.why('exit_mmap')).toBe('pid 1 exits: every VMA is unmapped.');
    expect([m.page(0x1234).allocated, m.page(0x5678).allocated]).toEqual([false, false]);
    expect(m.refused(ev.read(1))).toBe('there is no process 1');
    expect(m.refused(ev.fork())).toBe('there is no process 1');
  });

  it('the device forgets what the process had mapped', () => {
    const m = new M().do({ type: 'hmm_write', pid: 1, start: 0, pages: 2, device: 0 }, { type: 'exit', pid: 1 });
    expect(m.state.devices[0]!.mirror).toEqual({});
  });
});
