/**
 * Standard base64 (RFC 4648 §4, `+/`, `=` padding) for the page data of a snapshot: what
 * `base64 -d` and every language's standard library read, so `jq -r .vmas[0].pages.data | base64 -d
 * | xxd` shows the raw records. Written out here because the snapshot codec is pure ES2022 (no
 * atob/btoa, no Buffer) and must decode ten million characters in a few tens of milliseconds.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const CODES = new Uint8Array(64);
for (let i = 0; i < 64; i++) CODES[i] = ALPHABET.charCodeAt(i);
/** Character code -> 6-bit value; 255 for anything else. */
const VALUE = new Uint8Array(256).fill(255);
for (let i = 0; i < 64; i++) VALUE[ALPHABET.charCodeAt(i)] = i;
const PAD = '='.charCodeAt(0);

/** The base64 text of `bytes`, with padding. */
export function toBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  // in slices, so String.fromCharCode never gets too many arguments
  const SLICE = 3 * 8192;
  for (let s = 0; s < bytes.length; s += SLICE) {
    const end = Math.min(bytes.length, s + SLICE);
    const out = new Uint8Array(Math.ceil((end - s) / 3) * 4);
    let o = 0;
    let i = s;
    for (; i + 2 < end; i += 3) {
      const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
      out[o++] = CODES[n >>> 18]!;
      out[o++] = CODES[(n >>> 12) & 63]!;
      out[o++] = CODES[(n >>> 6) & 63]!;
      out[o++] = CODES[n & 63]!;
    }
    const rest = end - i;
    if (rest > 0) {
      const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
      out[o++] = CODES[n >>> 18]!;
      out[o++] = CODES[(n >>> 12) & 63]!;
      out[o++] = rest === 2 ? CODES[(n >>> 6) & 63]! : PAD;
      out[o] = PAD;
    }
    parts.push(String.fromCharCode.apply(null, out as unknown as number[]));
  }
  return parts.join('');
}

/** The number of bytes a padded base64 text of `chars` characters holds, or -1 if no text has that length. */
export function base64ByteLength(text: string): number {
  if (text.length % 4 !== 0) return -1;
  let pad = 0;
  if (text.length > 0 && text.charCodeAt(text.length - 1) === PAD) pad++;
  if (text.length > 1 && text.charCodeAt(text.length - 2) === PAD) pad++;
  return (text.length / 4) * 3 - pad;
}

/**
 * Decodes padded base64 into `out` at `at`; returns the number of bytes written, or an error
 * naming the first bad character. `out` must have room for base64ByteLength(text) bytes.
 */
export function fromBase64Into(text: string, out: Uint8Array, at = 0): { ok: true; bytes: number } | { ok: false; error: string } {
  const n = base64ByteLength(text);
  if (n < 0) return { ok: false, error: `its length ${text.length} is not a multiple of 4 (padded base64)` };
  const full = n - (n % 3);
  let o = at;
  let i = 0;
  for (; o - at < full; i += 4) {
    const a = VALUE[text.charCodeAt(i) & 0xff]!;
    const b = VALUE[text.charCodeAt(i + 1) & 0xff]!;
    const c = VALUE[text.charCodeAt(i + 2) & 0xff]!;
    const d = VALUE[text.charCodeAt(i + 3) & 0xff]!;
    if ((a | b | c | d) === 255 || text.charCodeAt(i) > 0xff || text.charCodeAt(i + 1) > 0xff || text.charCodeAt(i + 2) > 0xff || text.charCodeAt(i + 3) > 0xff) {
      return { ok: false, error: badChar(text, i) };
    }
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >>> 16;
    out[o++] = (v >>> 8) & 255;
    out[o++] = v & 255;
  }
  const rest = n - full;
  if (rest > 0) {
    const a = VALUE[text.charCodeAt(i) & 0xff]!;
    const b = VALUE[text.charCodeAt(i + 1) & 0xff]!;
    const c = rest === 2 ? VALUE[text.charCodeAt(i + 2) & 0xff]! : 0;
    if ((a | b | c) === 255 || text.charCodeAt(i) > 0xff || text.charCodeAt(i + 1) > 0xff) return { ok: false, error: badChar(text, i) };
    const v = (a << 18) | (b << 12) | (c << 6);
    out[o] = v >>> 16;
    if (rest === 2) out[o + 1] = (v >>> 8) & 255;
  }
  return { ok: true, bytes: n };
}

function badChar(text: string, from: number): string {
  for (let j = from; j < from + 4; j++) {
    const ch = text.charCodeAt(j);
    if (ch > 0xff || VALUE[ch] === 255) {
      if (ch === PAD) return `padding "=" at position ${j} before the end`;
      return `character ${JSON.stringify(text[j])} at position ${j} is not base64`;
    }
  }
  return `bad base64 at position ${from}`;
}
