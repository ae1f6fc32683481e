import type { MachineState } from './types.ts';

/** The virtual address of PTE `index` in the range. */
export function vaOf(s: Pick<MachineState, 'vaBase'>, index: number): bigint {
  return s.vaBase + BigInt(index) * 4096n;
}

export function vaHex(s: Pick<MachineState, 'vaBase'>, index: number): string {
  return '0x' + vaOf(s, index).toString(16);
}
