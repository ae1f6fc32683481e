import { strToU8, zlibSync } from 'fflate';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fromBase64url, toBase64url } from './base64url.ts';
import { adler32, MAX_INFLATED_BYTES, packJson, unpackJson } from './pack.ts';

describe('base64url', () => {
  it('toBase64url matches Node\'s base64url for every length 0..64', () => {
    const bytes = Uint8Array.from({ length: 64 }, (_, i) => (i * 151 + 7) & 255);
    for (let n = 0; n <= 64; n++) {
      const b = bytes.subarray(0, n);
      expect(toBase64url(b)).toBe(Buffer.from(b).toString('base64url'));
      const back = fromBase64url(toBase64url(b));
      expect(back.ok && [...back.bytes]).toEqual([...b]);
    }
  });

  it('fromBase64url names the first character outside the alphabet', () => {
    expect(fromBase64url('ab+d')).toEqual({ ok: false, error: 'character "+" at position 2 is not base64url' });
    expect(fromBase64url('abé')).toMatchObject({ ok: false });
  });

  it('fromBase64url refuses a length that is not whole bytes', () => {
    expect(fromBase64url('abcde')).toMatchObject({ ok: false, error: expect.stringMatching(/not a whole number of bytes/) });
  });
});

describe('packJson and unpackJson', () => {
  it('unpackJson(packJson(x)) is x', () => {
    const x = { a: [1, 2, 3], s: 'päge \u{1F600}', n: null };
    expect(unpackJson(packJson(x))).toMatchObject({ ok: true, value: x });
  });

  it('a packed blob is standard zlib: node:zlib inflates it', () => {
    const bytes = Buffer.from(packJson({ hello: 'world' }), 'base64url');
    expect(JSON.parse(inflateSync(bytes).toString('utf8'))).toEqual({ hello: 'world' });
  });

  it('adler32 is the zlib checksum (values from Python zlib.adler32)', () => {
    expect(adler32(strToU8('Wikipedia'))).toBe(0x11e60398);
    expect(adler32(new Uint8Array(0))).toBe(1);
    expect(adler32(new Uint8Array(100_000).fill(255))).toBe(0x149a302c);
  });

  it('a zip bomb stops at the inflated-size cap', () => {
    const bomb = toBase64url(zlibSync(new Uint8Array(MAX_INFLATED_BYTES + 1).fill(32), { level: 9 }));
    expect(unpackJson(bomb)).toEqual({ ok: false, error: `inflates to more than ${MAX_INFLATED_BYTES.toLocaleString('en-US')} bytes, more than any link carries` });
  });

  it('data that is not UTF-8 is refused', () => {
    expect(unpackJson(toBase64url(zlibSync(Uint8Array.of(0x22, 0xff, 0xfe, 0x22))))).toMatchObject({ ok: false, error: expect.stringMatching(/not UTF-8/) });
  });

  it('text that is not JSON is refused', () => {
    expect(unpackJson(toBase64url(zlibSync(strToU8('{"a":'))))).toMatchObject({ ok: false, error: expect.stringMatching(/^is not JSON/) });
  });
});
