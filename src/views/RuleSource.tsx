import { problemRule, PROFILES, ruleLinks, type ArchId, type KernelRule, type ProblemKind, type ProfileId } from '../model/index.ts';

/**
 * Where the kernel states a rule, as links: the identifier at the profile's tag on elixir (or the
 * patch, for what only a series defines), from the rules registry. No view writes a link itself.
 */
export function RuleSource({ rule, profile, arch }: { rule: KernelRule; profile: ProfileId; arch: ArchId }) {
  const links = ruleLinks(rule, PROFILES[profile], arch);
  return (
    <span className="rule-src">
      {links.map((l, i) => (
        <span key={l.href}>
          {i > 0 ? '; ' : ''}
          <a href={l.href} target="_blank" rel="noreferrer noopener" title={`${rule.sentence} (${l.where})`}>{l.text}</a>
        </span>
      ))}
    </span>
  );
}

/** The list of what is wrong with a value, each problem with its kernel rule. */
export function ProblemList({ problems, kinds, profile, arch, label }: {
  problems: readonly string[]; kinds: readonly ProblemKind[]; profile: ProfileId; arch: ArchId; label: string;
}) {
  if (!problems.length) return null;
  return (
    <ul className="problems" aria-label={label}>
      {problems.map((p, i) => (
        <li key={`${kinds[i]}-${i}`}>
          {p} <span className="rule-label">(kernel rule: <RuleSource rule={problemRule(kinds[i]!)} profile={profile} arch={arch} />)</span>
        </li>
      ))}
    </ul>
  );
}
