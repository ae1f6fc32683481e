/**
 * The outer syntax of a link: `key=value` parts joined by `&`, after the `#` of a URL. Finding the
 * fragment in whatever was pasted, and splitting it, is all this file does; what the keys mean
 * depends on the link version (link.ts).
 */

/** The longest input decodeLink reads (a 200-event scenario is under 2,000 characters). */
export const MAX_LINK_CHARS = 100_000;

/** The only characters in a link (URL-unreserved, plus `=` and `&`). */
const SAFE = /^[A-Za-z0-9._=&-]*$/;

/**
 * A fragment pasted without its `#` (or read from location.hash) starts with a key=value part; then
 * a `/`, `:` or `?` in it is a character outside the alphabet, reported where it stands, not a
 * sign of a URL without a fragment.
 */
const BARE_FRAGMENT = /^[A-Za-z0-9._-]+=/;

export type FragmentResult = { ok: true; fragment: string } | { ok: false; error: string };
export type ParamsResult = { ok: true; params: ReadonlyMap<string, string> } | { ok: false; error: string };

/**
 * `#v=1&…`, `v=1&…` or `https://…/#v=1&…` -> the fragment text. Whitespace anywhere is dropped
 * (links get wrapped in e-mails); %-escapes are undone (some apps escape `=` and `&`).
 */
export function fragmentOf(input: unknown): FragmentResult {
  if (typeof input !== 'string') return { ok: false, error: 'the link is not text' };
  if (input.length > MAX_LINK_CHARS) {
    return { ok: false, error: `the link is ${input.length.toLocaleString('en-US')} characters long; a swapviz link is at most ${MAX_LINK_CHARS.toLocaleString('en-US')}` };
  }
  let s = input.replace(/\s+/g, '');
  const hash = s.indexOf('#');
  if (hash >= 0) s = s.slice(hash + 1);
  else if (!BARE_FRAGMENT.test(s) && /[/:?]/.test(s)) return { ok: false, error: 'this URL has no "#…" part, so it carries no swapviz link' };
  if (s === '') return { ok: false, error: 'the link is empty' };
  if (s.includes('%')) {
    try {
      s = decodeURIComponent(s);
    } catch {
      return { ok: false, error: 'the link has a broken %-escape' };
    }
  }
  return { ok: true, fragment: s };
}

/**
 * The link version, looked up before anything else is checked: a newer swapviz may write parts
 * this one cannot parse, and "made by a newer swapviz" is the useful thing to say then.
 */
export function peekVersion(fragment: string): string | undefined {
  for (const part of fragment.split('&')) if (part.startsWith('v=')) return part.slice(2);
  return undefined;
}

/** The fragment's key=value parts. A key given twice is an error: the link would mean two things. */
export function splitParams(s: string): ParamsResult {
  if (!SAFE.test(s)) {
    const i = [...s].findIndex((c) => !SAFE.test(c));
    const c = [...s][i] ?? '?';
    return { ok: false, error: `the link contains ${JSON.stringify(c)} at position ${i}; a swapviz link has only letters, digits and . _ - = &` };
  }
  const params = new Map<string, string>();
  for (const part of s.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 1) return { ok: false, error: `the part ${JSON.stringify(clip(part))} is not key=value` };
    const key = part.slice(0, eq);
    if (params.has(key)) return { ok: false, error: `the link gives "${clip(key)}" twice` };
    params.set(key, part.slice(eq + 1));
  }
  return { ok: true, params };
}

/** [key, value] pairs -> `k=v&k=v`. Values must already be in the safe alphabet. */
export function formatParams(pairs: readonly (readonly [string, string])[]): string {
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

export function clip(s: string, n = 40): string {
  return s.length > n ? `${s.slice(0, n - 3)}...` : s;
}
