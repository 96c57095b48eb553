/*
 * Masking (RFC 6455 §5.3) on each backend's raw functions; the public
 * argument checks and size routing are in index.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { js } from '../src/backends.js';
import { backends, hex, prng, randomBytes, useBackend } from './helpers.js';

describe.each(backends)('%s mask', (_name, maybe) => {
  const impl = useBackend(maybe);
  if (!impl) return;

  it('masks "Hello" as in RFC 6455 §5.7', () => {
    const out = new Uint8Array(5);
    impl.mask(new TextEncoder().encode('Hello'), hex('37fa213d'), out, 0, 5, 0);
    expect(out).toEqual(hex('7f9f4d5158'));
  });

  it('writes only output[offset, offset + length) and reads only source[0, length)', () => {
    const source = hex('0102030405060708');
    const out = new Uint8Array(10).fill(0xee);
    impl.mask(source, hex('ff00ff00'), out, 3, 5, 0);
    expect(out).toEqual(hex('eeeeee fe02fc04fa eeee'));
  });

  it('continues the key at phase, so masking in pieces equals masking at once', () => {
    const rand = prng(1);
    const source = randomBytes(rand, 301);
    const key = randomBytes(rand, 4);
    const whole = new Uint8Array(301);
    impl.mask(source, key, whole, 0, 301, 0);
    for (const cut of [1, 2, 3, 5, 8, 64, 150, 300]) {
      const pieces = new Uint8Array(301);
      impl.mask(source, key, pieces, 0, cut, 0);
      impl.mask(source.subarray(cut), key, pieces, cut, 301 - cut, cut & 3);
      expect(pieces).toEqual(whole);
    }
  });

  it('starts at key byte `phase`', () => {
    for (let phase = 0; phase < 4; phase++) {
      const out = new Uint8Array(6);
      impl.mask(new Uint8Array(6), hex('01020304'), out, 0, 6, phase);
      const key = [1, 2, 3, 4];
      expect(Array.from(out)).toEqual([0, 1, 2, 3, 4, 5].map((i) => key[(phase + i) & 3]));
    }
  });

  it('masks in place when source and output are the same bytes', () => {
    const buf = hex('00112233445566778899aabbccddeeff00');
    impl.mask(buf, hex('0f0f0f0f'), buf, 0, buf.length, 0);
    expect(buf).toEqual(hex('0f1e2d3c4b5a69788796a5b4c3d2e1f00f'));
  });

  it('does nothing for length 0', () => {
    const out = hex('aabb');
    impl.mask(new Uint8Array(0), hex('01020304'), out, 2, 0, 0);
    expect(out).toEqual(hex('aabb'));
  });

  it('unmask inverts mask at every phase and size', () => {
    const rand = prng(2);
    for (const size of [0, 1, 3, 4, 5, 31, 32, 33, 1000, 1024, 1027, 5000]) {
      for (let phase = 0; phase < 4; phase++) {
        const plain = randomBytes(rand, size);
        const key = randomBytes(rand, 4);
        const buf = new Uint8Array(size);
        impl.mask(plain, key, buf, 0, size, phase);
        impl.unmask(buf, key, phase);
        expect(buf).toEqual(plain);
      }
    }
  });

  it('unmask equals the byte-by-byte definition', () => {
    const rand = prng(3);
    for (const size of [7, 8, 9, 40, 1025]) {
      const buf = randomBytes(rand, size);
      const key = randomBytes(rand, 4);
      const want = buf.map((b, i) => b ^ key[(2 + i) & 3]!);
      impl.unmask(buf, key, 2);
      expect(buf).toEqual(want);
    }
  });

  it('leaves the key untouched', () => {
    const key = hex('deadbeef');
    impl.unmask(new Uint8Array(100), key, 1);
    expect(key).toEqual(hex('deadbeef'));
  });
});

describe('js mask', () => {
  it('gives the same bytes through the word path (>= 1 KiB) at any alignment', () => {
    const rand = prng(4);
    for (const misalign of [0, 1, 2, 3]) {
      const size = 1024 + misalign * 7;
      const source = randomBytes(rand, size + 4).subarray(misalign, misalign + size);
      const key = randomBytes(rand, 4);
      const out = new Uint8Array(size + 3);
      js.mask(source, key, out, 3 - misalign, size, misalign);
      const want = source.map((b, i) => b ^ key[(misalign + i) & 3]!);
      expect(out.subarray(3 - misalign, 3 - misalign + size)).toEqual(want);
    }
  });
});

describe.each(backends.slice(0, 1))('%s addon guards', (_name, maybe) => {
  const impl = useBackend(maybe);
  if (!impl) return;

  it('throws instead of touching memory when called past src/index.ts out of contract', () => {
    const key = hex('01020304');
    expect(() => impl.mask(new Uint8Array(4), key, new Uint8Array(12), 10, 4, 0)).toThrow(TypeError);
    expect(() => impl.mask(new Uint8Array(4), key, new Uint8Array(12), 0, 5, 0)).toThrow(TypeError);
    expect(() => impl.mask(new Float64Array(4) as never, key, new Uint8Array(12), 0, 4, 0)).toThrow(TypeError);
    expect(() => impl.unmask({} as never, key, 0)).toThrow(TypeError);
    expect(() => impl.utf8Update(new Uint8Array(4), 5)).toThrow('lws_native.utf8Update: arguments out of contract');
    expect(() => impl.utf8Update(new Uint8Array(4), 6)).toThrow(TypeError); // Reject is never handed back
  });
});
