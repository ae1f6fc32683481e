/** Decoding for the views, with a per-kernel cache: the same values repeat across rows and steps. */
import { decodePte, kernelOf, readPte, type DecodedPte, type Kernel, type MachineState } from '../model/index.ts';

const cache = new WeakMap<Kernel, Map<bigint, DecodedPte>>();

/** decodePte with a small per-kernel cache (the same values repeat across rows and steps). */
export function decodeCached(k: Kernel, raw: bigint): DecodedPte {
  let m = cache.get(k);
  if (!m) {
    m = new Map();
    cache.set(k, m);
  }
  let d = m.get(raw);
  if (!d) {
    if (m.size > 20000) m.clear();
    d = decodePte(k, raw);
    m.set(raw, d);
  }
  return d;
}

export function decodeAt(s: MachineState, pid: number, index: number): DecodedPte {
  const p = s.processes.find((x) => x.pid === pid);
  return decodeCached(kernelOf(s), p && index < p.ptes.length ? readPte(p.ptes, index) : 0n);
}

