/**
 * The compressed part of a link: JSON text, UTF-8, deflated in the zlib format (RFC 1950: a 2-byte
 * header, raw deflate, the Adler-32 of the uncompressed bytes), then base64url.
 *
 * zlib rather than raw deflate because the checksum catches a corrupted blob that still inflates
 * (deflate alone has no integrity check, and fflate does not verify the zlib trailer, so this file
 * does). Anyone can read a blob with standard tools: `zlib.inflateSync(Buffer.from(z, 'base64url'))`.
 *
 * Unpacking never trusts its input: the base64url is checked character by character, the inflated
 * size is capped while inflating (a zip bomb stops at the cap, it never lands in memory), and the
 * bytes must be UTF-8 and JSON.
 */
import { Inflate, strFromU8, strToU8, zlibSync } from 'fflate';
import { fromBase64url, toBase64url } from './base64url.ts';

/** Inflated bytes a link may carry (a 20,000-event scenario is well under 1 MB of compact JSON). */
export const MAX_INFLATED_BYTES = 4 * 1024 * 1024;

/** Compressed bytes fed to the inflater at a time: bounds what one step can produce (~1032x: 4 MiB). */
const CHUNK = 4096;

export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; ) {
    // 5552 bytes is the most that can be summed before b overflows 2^32 (zlib's NMAX).
    const end = Math.min(bytes.length, i + 5552);
    for (; i < end; i++) {
      a += bytes[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** JSON value -> compressed base64url text. */
export function packJson(value: unknown): string {
  return toBase64url(zlibSync(strToU8(JSON.stringify(value)), { level: 9, mem: 8 }));
}

export type UnpackResult = { ok: true; value: unknown; bytes: number } | { ok: false; error: string };

/** Compressed base64url text -> JSON value, or what is wrong with it. Never throws. */
export function unpackJson(text: string, maxBytes = MAX_INFLATED_BYTES): UnpackResult {
  const b = fromBase64url(text);
  if (!b.ok) return { ok: false, error: `is not base64url: ${b.error}` };
  const z = b.bytes;
  if (z.length < 8) return { ok: false, error: `is truncated: ${z.length} bytes, too short for compressed data` };
  const cmf = z[0]!;
  const flg = z[1]!;
  if ((cmf & 0x0f) !== 8 || cmf >> 4 > 7 || ((cmf << 8) | flg) % 31 !== 0 || flg & 0x20) {
    return { ok: false, error: 'is corrupted: the zlib header is wrong' };
  }
  const body = z.subarray(2, z.length - 4);
  const chunks: Uint8Array[] = [];
  let total = 0;
  let tooBig = false;
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    if (total > maxBytes) {
      tooBig = true;
      return;
    }
    chunks.push(chunk);
  });
  try {
    for (let i = 0; i < body.length && !tooBig; i += CHUNK) {
      inflater.push(body.subarray(i, Math.min(body.length, i + CHUNK)), i + CHUNK >= body.length);
    }
  } catch (e) {
    return { ok: false, error: `is truncated or corrupted: inflating fails (${errorText(e)})` };
  }
  if (tooBig) return { ok: false, error: `inflates to more than ${maxBytes.toLocaleString('en-US')} bytes, more than any link carries` };
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  const want = ((z[z.length - 4]! << 24) | (z[z.length - 3]! << 16) | (z[z.length - 2]! << 8) | z[z.length - 1]!) >>> 0;
  if (adler32(out) !== want) return { ok: false, error: 'is truncated or corrupted: the checksum does not match' };
  let json: string;
  try {
    json = strFromU8(out);
  } catch (e) {
    return { ok: false, error: `is not UTF-8 text (${errorText(e)})` };
  }
  const again = strToU8(json);
  if (again.length !== out.length || again.some((v, i) => v !== out[i])) return { ok: false, error: 'is not UTF-8 text' };
  try {
    return { ok: true, value: JSON.parse(json) as unknown, bytes: total };
  } catch (e) {
    return { ok: false, error: `is not JSON (${errorText(e)})` };
  }
}

function errorText(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.length > 120 ? `${m.slice(0, 117)}...` : m;
}
