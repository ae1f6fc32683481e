import { assumptionsOf, type KernelOptions, type KernelProfile, type ProfileId } from '../model/index.ts';

/**
 * What every value on the page assumes, said in words from the model: the kernel profile, the
 * config (and what Kconfig forced off), the machine, MAX_SWAPFILES; and for a profile that is
 * partly inference (the series on 7.3.4, the hypothetical no-new-types), which facts are.
 */
export function AssumptionsNote({ options }: { options: KernelOptions }) {
  const a = assumptionsOf(options);
  return (
    <div className="assumes">
      <p role="note" aria-label="What this page assumes">
        Decoded as <strong>{a.profile.label}</strong>; {a.config}; {a.machine}; MAX_SWAPFILES {a.maxSwapfiles}.
      </p>
      <InferenceNote profile={a.profile} />
    </div>
  );
}

/** For a profile that is partly inference: which facts are (nothing for a posted kernel). */
export function InferenceNote({ profile }: { profile: KernelProfile }) {
  const n = profile.inferred.length;
  if (!n) return null;
  return (
    <details className="inferred">
      <summary>
        {profile.hypothetical ? 'Hypothetical: no posted kernel is built this way' : `${n} fact${n === 1 ? '' : 's'} of ${profile.short} ${n === 1 ? 'is' : 'are'} inference, not a posted kernel`}
      </summary>
      <ul aria-label={`What is inference in ${profile.short}`}>
        {profile.inferred.map((f) => <li key={f}>{f}</li>)}
      </ul>
    </details>
  );
}

/**
 * The caption of an exported picture: where it comes from and what it assumes, a line each. With
 * `pair` (compare mode), both kernels and what is inference in each.
 */
export function captionLines(what: string, options: KernelOptions, pair?: readonly ProfileId[]): string[] {
  const profiles = pair ?? [options.profile];
  const all = profiles.map((p) => assumptionsOf({ ...options, profile: p }));
  const a = all[0]!;
  const sides = ['Left', 'Right'];
  return [
    what,
    ...all.map((x, i) => `${pair ? `${sides[i] ?? 'Kernel'} kernel` : 'Kernel'}: ${x.profile.label}${pair ? ` (MAX_SWAPFILES ${x.maxSwapfiles})` : ''}`),
    `${a.config}; ${a.machine}${pair ? '' : `; MAX_SWAPFILES ${a.maxSwapfiles}`}`,
    ...all.flatMap((x) => x.inferred.map((f) => `Inference in ${x.profile.short}, not a posted kernel: ${f}`)),
  ].filter((l, i, list) => list.indexOf(l) === i);
}
