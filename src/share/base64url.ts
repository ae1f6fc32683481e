/**
 * base64url (RFC 4648 §5) without padding: the only alphabet a link's binary part uses, so it
 * survives URLs, chat apps and e-mail untouched. Written out here because the codec is pure
 * ES2022 (no atob/btoa, no Buffer).
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Character code -> 6-bit value, -1 for characters outside the alphabet. */
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

const valueAt = (s: string, i: number): number => {
  const c = s.charCodeAt(i);
  return c < 128 ? VALUE[c]! : -1;
};

/** Bytes to base64url text, no `=` padding. */
export function toBase64url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]!;
  }
  return out;
}

export type FromBase64urlResult = { ok: true; bytes: Uint8Array } | { ok: false; error: string };

/** base64url text (no padding; a trailing `=` run is tolerated) to bytes; names the first bad character. */
export function fromBase64url(text: string): FromBase64urlResult {
  const s = text.replace(/=+$/, '');
  for (let i = 0; i < s.length; i++) {
    if (valueAt(s, i) < 0) {
      return { ok: false, error: `character ${JSON.stringify(s[i])} at position ${i} is not base64url` };
    }
  }
  if (s.length % 4 === 1) return { ok: false, error: `its length ${s.length} is not a whole number of bytes (a character is missing or extra)` };
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let o = 0;
  let i = 0;
  for (; i + 3 < s.length; i += 4) {
    const n = (valueAt(s, i) << 18) | (valueAt(s, i + 1) << 12) | (valueAt(s, i + 2) << 6) | valueAt(s, i + 3);
    out[o++] = n >>> 16;
    out[o++] = (n >>> 8) & 255;
    out[o++] = n & 255;
  }
  const rest = s.length - i;
  if (rest >= 2) {
    const n = (valueAt(s, i) << 18) | (valueAt(s, i + 1) << 12) | (rest === 3 ? valueAt(s, i + 2) << 6 : 0);
    out[o] = n >>> 16;
    if (rest === 3) out[o + 1] = (n >>> 8) & 255;
  }
  return { ok: true, bytes: out };
}
