/**
 * The remaining kernel paths: mmap/munmap/exit (zap_pte_range), PTE markers (UFFDIO_POISON,
 * MADV_GUARD_INSTALL), GUP references and pins, memory_failure, make_device_exclusive, and reclaim
 * to swap (try_to_unmap_one).
 */
import type { PteBits } from '../kernel/u64.ts';
import { asPfn } from '../kernel/kernel.ts';
import { refuse, type Draft } from './draft.ts';
import { accessToCompletion } from './fault.ts';
import { dropMigrationPte } from './migrate.ts';
import { defaultVma } from './init.ts';
import { maybeFree, pageName, removeRmap, toPte, tryShareAnon, view, rmapWalk } from './mm.ts';
import type { Prot, PteRef, Vma } from './types.ts';
import { pte_dirty, pte_soft_dirty, pte_uffd_wp, pte_write } from './x86pte.ts';

export function mmap(d: Draft, pid: number, start: number, pages: number, prot: Prot, shared: boolean, file: boolean): void {
  const p = d.proc(pid);
  if (start + pages > p.ptes.length) refuse(`PTEs ${start}..${start + pages - 1} go past the ${p.ptes.length}-PTE range`);
  if (p.vmas.some((v) => v.start < start + pages && v.start + v.pages > start)) refuse(`PTEs ${start}..${start + pages - 1} overlap an existing VMA (this model does not do MAP_FIXED replacement)`);
  d.call('do_mmap', `a new ${shared ? 'shared' : 'private'} ${file ? 'file' : 'anonymous'} VMA, no PTEs yet (they are filled by faults).`, () => {
    const vma = defaultVma({ start, pages, prot, shared, anon: !file });
    d.setProcess(pid, (x) => ({ ...x, vmas: [...x.vmas, vma].sort((a, b) => a.start - b.start) }));
  });
}

/** zap_pte_range() for one PTE. */
function zapOne(d: Draft, ref: PteRef): void {
  const v = view(d, ref);
  if (v.kind === 'none') return;
  const k = d.k;
  switch (v.kind) {
    case 'present':
    case 'device_private':
    case 'device_exclusive':
      d.setPte(ref, 0n, -1);
      removeRmap(d, v.target);
      maybeFree(d, v.target);
      return;
    case 'swap': {
      const slotNo = Number(k.swp_offset(v.entry!));
      const slot = d.slot(slotNo);
      d.setPte(ref, 0n, -1);
      if (slot) {
        if (slot.count <= 1) {
          d.setSlot(slotNo, null);
          if (slot.cached !== null) {
            d.setPage(slot.cached, { swapSlot: null });
            maybeFree(d, slot.cached);
          }
        } else d.setSlot(slotNo, { ...slot, count: slot.count - 1 });
      }
      return;
    }
    case 'migration':
      d.setPte(ref, 0n, -1);
      dropMigrationPte(d, ref);
      return;
    default:
      d.setPte(ref, 0n, -1);
  }
}

function invalidateMirrors(d: Draft, pid: number, start: number, pages: number): void {
  for (const dev of d.base.devices) {
    const m = d.device(dev.id).mirror;
    const gone = Object.keys(m).filter((key) => {
      const [p, i] = key.split(':').map(Number);
      return p === pid && i! >= start && i! < start + pages;
    });
    if (gone.length) {
      d.call('dmirror_interval_invalidate', `the MMU notifier makes device ${dev.id} drop ${gone.length} mapping(s).`);
      d.setDevice(dev.id, (x) => {
        const mirror = { ...x.mirror };
        for (const key of gone) delete mirror[key];
        return { ...x, mirror };
      });
    }
  }
}

export function munmap(d: Draft, pid: number, start: number, pages: number): void {
  const p = d.proc(pid);
  d.call('do_vmi_munmap', `unmaps PTEs ${start}..${start + pages - 1}.`, () => {
    d.call('zap_pte_range', 'drops every mapping: rmap and references, swap slot counts; migration entries are just cleared.', () => {
      for (let i = start; i < start + pages && i < p.ptes.length; i++) zapOne(d, { pid, index: i });
    });
    invalidateMirrors(d, pid, start, pages);
    const vmas: Vma[] = [];
    for (const v of p.vmas) {
      const vEnd = v.start + v.pages;
      if (vEnd <= start || v.start >= start + pages) {
        vmas.push(v);
        continue;
      }
      if (v.start < start) vmas.push({ ...v, pages: start - v.start });
      if (vEnd > start + pages) vmas.push({ ...v, start: start + pages, pages: vEnd - start - pages });
    }
    d.setProcess(pid, (x) => ({ ...x, vmas }));
  });
}

export function exit(d: Draft, pid: number): void {
  const p = d.proc(pid);
  d.call('exit_mmap', `pid ${pid} exits: every VMA is unmapped.`, () => {
    for (const v of p.vmas) {
      d.call('unmap_vmas', '', () => {
        for (let i = v.start; i < v.start + v.pages; i++) zapOne(d, { pid, index: i });
      });
      invalidateMirrors(d, pid, v.start, v.pages);
    }
  });
  d.setProcess(pid, (x) => ({ ...x, alive: false, vmas: [] }));
}

export function uffdioPoison(d: Draft, ref: PteRef): void {
  if (!d.vmaAt(ref.pid, ref.index)) refuse(`no VMA covers PTE ${ref.index}`);
  const v = view(d, ref);
  if (v.kind !== 'none') {
    d.call('mfill_atomic_pte_poison', 'the PTE is not none: -EEXIST.');
    d.result.ret = '-EEXIST';
    return;
  }
  d.call('mfill_atomic_pte_poison', 'installs a PTE_MARKER_POISONED marker: any access gets SIGBUS.', () =>
    d.call('make_pte_marker', '', () => d.setPte(ref, d.k.make_pte_marker(2 as never), -1)));
}

export function guardInstall(d: Draft, pid: number, start: number, pages: number): void {
  d.call('madvise_guard_install', 'guard regions: zap what is mapped, then a PTE_MARKER_GUARD marker in every PTE.', () => {
    for (let i = start; i < start + pages; i++) {
      const ref = { pid, index: i };
      if (!d.vmaAt(pid, i)) refuse(`no VMA covers PTE ${i}`);
      const v = view(d, ref);
      if (v.kind === 'pte_marker' && d.k.pte_marker_get(v.entry!) & 4) continue;
      if (v.kind !== 'none') zapOne(d, ref);
      d.call('make_pte_marker', '', () => d.setPte(ref, d.k.make_pte_marker(4 as never), -1));
    }
  });
}

function presentPage(d: Draft, ref: PteRef, what: string): number {
  const v = view(d, ref);
  if (v.kind !== 'present') refuse(`${what} needs a present PTE at ${ref.index} of pid ${ref.pid} (fault the page in first)`);
  const p = d.page(v.target);
  if (p.kind === 'zero') refuse(`PTE ${ref.index} maps the shared zero page`);
  return v.target;
}

/** GUP faults the page in first (handle_mm_fault, with FOLL_WRITE a write fault). */
function gupFault(d: Draft, ref: PteRef, write: boolean): void {
  const sig = accessToCompletion(d, ref, write ? 'write' : 'read');
  if (sig) refuse(`GUP's fault on PTE ${ref.index} gets ${sig}: -EFAULT`);
}

export function folioGet(d: Draft, ref: PteRef, write: boolean): void {
  gupFault(d, ref, write);
  const id = presentPage(d, ref, 'get_user_pages');
  d.call('get_user_pages', `FOLL_GET: an extra reference on ${pageName(d.page(id))} (e.g. held for I/O).`, () =>
    d.setPage(id, { refs: d.page(id).refs + 1 }, 'refcount + 1'));
}

export function folioPut(d: Draft, ref: PteRef): void {
  const v = view(d, ref);
  const id = v.target;
  if (id < 0 || d.page(id).refs === 0) refuse(`there is no extra reference to drop on PTE ${ref.index}'s page`);
  d.call('folio_put', `drops the extra reference on ${pageName(d.page(id))}.`, () => d.setPage(id, { refs: d.page(id).refs - 1 }, 'refcount - 1'));
}

export function pinUserPages(d: Draft, ref: PteRef, write: boolean): void {
  gupFault(d, ref, write);
  const id = presentPage(d, ref, 'pin_user_pages');
  d.call('pin_user_pages', `FOLL_PIN: ${pageName(d.page(id))} is now maybe DMA-pinned (folio_maybe_dma_pinned()).`, () =>
    d.setPage(id, { pins: d.page(id).pins + 1 }, 'pinned'));
}

export function memoryFailure(d: Draft, ref: PteRef): void {
  if (!d.k.config.MEMORY_FAILURE) refuse('CONFIG_MEMORY_FAILURE=n: this kernel has no hwpoison handling');
  const id = presentPage(d, ref, 'memory_failure');
  const page = d.page(id);
  d.call('memory_failure', `a memory error in ${pageName(page)}: the page is marked HWPoison and unmapped everywhere.`, () => {
    d.setPage(id, { hwpoison: true }, 'PageHWPoison');
    d.call('try_to_unmap', 'TTU_HWPOISON', () => {
      for (const r of rmapWalk(d, id, ['present'])) {
        d.call('try_to_unmap_one', `pid ${r.pid} PTE ${r.index}: replaced by make_hwpoison_entry(page) with no soft-dirty/uffd/exclusive bits.`, () => {
          d.setPte(r, toPte(d, d.k.make_hwpoison_entry(asPfn(page.number))), id);
          removeRmap(d, id);
        });
      }
    });
  });
}

export function makeDeviceExclusive(d: Draft, pid: number, start: number, pages: number, device: number): number {
  if (!d.k.config.DEVICE_PRIVATE) refuse('CONFIG_DEVICE_PRIVATE=n: make_device_exclusive() does not exist');
  d.device(device);
  let n = 0;
  for (let i = start; i < start + pages; i++) {
    const ref = { pid, index: i };
    d.call('make_device_exclusive', `PTE ${i}: fault the page in writable (GUP with FOLL_WRITE), lock it, replace the PTE by a device-exclusive entry.`, () => {
      const sig = accessToCompletion(d, ref, 'write');
      if (sig) refuse(`the write fault on PTE ${i} gets ${sig}`);
      const v = view(d, ref);
      if (v.kind !== 'present' || !pte_write(v.raw)) refuse(`PTE ${i} did not become writable`);
      const page = d.page(v.target);
      if (pte_dirty(v.raw)) d.setPage(v.target, { dirty: true });
      let pte = toPte(d, d.k.make_device_exclusive_entry(asPfn(page.number))) as PteBits;
      if (pte_soft_dirty(v.raw)) pte = d.k.pte_swp_mksoft_dirty(pte);
      d.call('make_device_exclusive_entry', `SWP_DEVICE_EXCLUSIVE for pfn 0x${page.number.toString(16)}; the page stays mapped (mapcount unchanged) and in RAM.`, () =>
        d.setPte(ref, pte, v.target));
      d.setDevice(device, (x) => ({ ...x, mirror: { ...x.mirror, [`${pid}:${i}`]: { page: v.target, write: true, atomic: true } } }));
      n++;
    });
  }
  return n;
}

export function swapOut(d: Draft, pid: number, start: number, pages: number): void {
  const done = new Set<number>();
  d.call('shrink_folio_list', `reclaim picks the anon pages mapped at PTEs ${start}..${start + pages - 1}.`, () => {
    for (let i = start; i < start + pages; i++) {
      const v = view(d, { pid, index: i });
      if (v.kind !== 'present' || done.has(v.target)) continue;
      const id = v.target;
      done.add(id);
      const page = d.page(id);
      if (page.kind !== 'ram' || !page.anon) {
        d.explain(`PTE ${i}: ${pageName(page)} is not an anon RAM page: skipped.`);
        continue;
      }
      if (page.locked || page.refs > 0 || page.pins > 0) {
        d.explain(`PTE ${i}: ${pageName(page)} is locked, pinned or referenced: skipped.`);
        continue;
      }
      const slotNo = d.allocSlot();
      d.call('add_to_swap', `${pageName(page)} gets swap slot 0x${slotNo.toString(16)} on swap device 0 and enters the swap cache.`, () => {
        d.setPage(id, { swapSlot: slotNo }, `in the swap cache (slot 0x${slotNo.toString(16)})`);
        d.setSlot(slotNo, { slot: slotNo, count: 0, data: page.data, cached: id });
      });
      let count = 0;
      d.call('try_to_unmap', '', () => {
        for (const r of rmapWalk(d, id, ['present'])) {
          const rv = view(d, r);
          const p = d.page(id);
          const anonExclusive = p.anon && p.anonExclusive;
          d.call('try_to_unmap_one', `pid ${r.pid} PTE ${r.index}: a swap PTE for slot 0x${slotNo.toString(16)}${anonExclusive ? ', _PAGE_SWP_EXCLUSIVE (the page was exclusive)' : ''}${pte_soft_dirty(rv.raw) ? ', soft-dirty' : ''}.`, () => {
            if (anonExclusive && !tryShareAnon(d, id)) refuse('the page may be pinned: try_to_unmap_one fails');
            if (pte_dirty(rv.raw)) d.setPage(id, { dirty: true });
            let pte = toPte(d, d.k.swp_entry(0, BigInt(slotNo))) as PteBits;
            if (anonExclusive) pte = d.k.pte_swp_mkexclusive(pte);
            if (pte_soft_dirty(rv.raw)) pte = d.k.pte_swp_mksoft_dirty(pte);
            if (pte_uffd_wp(rv.raw)) pte = d.k.pte_swp_mkuffd_wp(pte);
            d.call(d.k.profile.api === 'softleaf' ? 'swp_pte_prepare' : 'swp_entry_to_pte', '', () => d.setPte(r, pte, -1));
            removeRmap(d, id);
            count++;
          });
        }
      });
      d.call('pageout', `writes the page to slot 0x${slotNo.toString(16)}; then the page leaves the swap cache and is freed.`, () => {
        d.setSlot(slotNo, { slot: slotNo, count, data: d.page(id).data, cached: null });
        d.setPage(id, { swapSlot: null, dirty: false });
        maybeFree(d, id);
      });
    }
  });
  if (done.size === 0) refuse(`no present pages at PTEs ${start}..${start + pages - 1} of pid ${pid} to swap out`);
}
