/*
 * Randomized equality between the C++ and TypeScript backends (bufferutil's
 * sizes x offsets for the alignment paths), and of both against Node's
 * buffer.isUtf8. Seeded: a failure reproduces.
 */
import { isUtf8 } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { js } from '../src/backends.js';
import { Utf8State } from '../src/js/utf8.js';
import { utf8UpdateBulk } from '../src/utf8-bulk.js';
import { backends, expectSameBytes, feedUtf8, prng, randomBytes, useBackend } from './helpers.js';

const SIZES = [0, 1, 7, 8, 15, 16, 47, 48, 127, 128, 1024, 65536];
const OFFSETS = [0, 1, 3, 8];

/** Valid UTF-8 of about `n` UTF-16 units: ASCII with probability `asciiShare`, else 2-, 3- and 4-byte forms alike. */
function randomText(rand: () => number, n: number, asciiShare: number): Uint8Array {
  let s = '';
  while (s.length < n) {
    const r = rand();
    if (r < asciiShare) s += String.fromCharCode(0x20 + ((rand() * 95) | 0));
    else if (r < asciiShare + (1 - asciiShare) / 3) s += String.fromCharCode(0x80 + ((rand() * 0x780) | 0));
    else if (r < asciiShare + (2 * (1 - asciiShare)) / 3) {
      const cp = 0x800 + ((rand() * (0x10000 - 0x800)) | 0);
      s += String.fromCharCode(cp >= 0xd800 && cp <= 0xdfff ? cp - 0x800 : cp);
    } else s += String.fromCodePoint(0x10000 + ((rand() * 0x100000) | 0));
  }
  return new TextEncoder().encode(s);
}

/** Some bytes of `buf` replaced by bytes likely to break it (continuations, leads, F5..FF). */
function corrupt(rand: () => number, buf: Uint8Array, count: number): Uint8Array {
  const out = buf.slice();
  const evil = [0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xe0, 0xed, 0xa0, 0xf0, 0xf4, 0x90, 0xf5, 0xff, 0x41];
  for (let k = 0; k < count && out.length > 0; k++) out[(rand() * out.length) | 0] = evil[(rand() * evil.length) | 0]!;
  return out;
}

/** Cuts `buf` into 1..6 chunks at random places. */
function randomChunks(rand: () => number, buf: Uint8Array): Uint8Array[] {
  const cuts = Array.from({ length: (rand() * 6) | 0 }, () => (rand() * (buf.length + 1)) | 0).sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const cut of [...cuts, buf.length]) {
    chunks.push(buf.subarray(at, cut));
    at = cut;
  }
  return chunks;
}

describe.each(backends)('%s backend equals the TypeScript reference', (_name, maybe) => {
  const impl = useBackend(maybe);
  if (!impl) return;

  it.each(SIZES)('mask and unmask %i bytes at offsets 0, 1, 3, 8 and every phase', (size) => {
    const rand = prng(size + 11);
    for (const offset of OFFSETS) {
      for (let phase = 0; phase < 4; phase++) {
        // The source starts `offset` bytes into its buffer too: misaligned loads.
        const source = randomBytes(rand, size + offset).subarray(offset);
        const key = randomBytes(rand, 4);
        const fill = randomBytes(rand, size + offset + 5);
        const want = fill.slice();
        const got = fill.slice();
        js.mask(source, key, want, offset, size, phase);
        impl.mask(source, key, got, offset, size, phase);
        expectSameBytes(got, want, `mask output (offset ${offset}, phase ${phase})`);
        const a = source.slice();
        const b = source.slice();
        js.unmask(a, key, phase);
        impl.unmask(b, key, phase);
        expectSameBytes(b, a, `unmask (offset ${offset}, phase ${phase})`);
      }
    }
  });

  it('takes the same UTF-8 transition from every reachable state on every byte', () => {
    const states = new Set<number>([Utf8State.Accept]);
    for (const s of states) {
      for (let b = 0; b < 256; b++) {
        const got = impl.utf8Update(Uint8Array.of(b), s);
        expect(got, `state ${s}, byte ${b}`).toBe(js.utf8Update(Uint8Array.of(b), s));
        if (got >= 0) states.add(got);
      }
    }
    expect(states.size).toBe(8); // every state but Reject
  });

  it.each([
    ['ASCII-heavy', 0.95],
    ['multibyte', 0.1],
  ])('validates random %s text like buffer.isUtf8, in random chunks, valid and corrupted', (_what, ascii) => {
    const rand = prng(ascii * 100);
    for (let round = 0; round < 300; round++) {
      const valid = randomText(rand, 1 + ((rand() * 3000) | 0), ascii);
      for (const buf of [valid, corrupt(rand, valid, 1), corrupt(rand, valid, 1 + ((rand() * 4) | 0))]) {
        const chunks = randomChunks(rand, buf);
        const want = feedUtf8(js.utf8Update, chunks);
        expect(want.failAt === undefined && want.final === Utf8State.Accept).toBe(isUtf8(buf));
        expect(feedUtf8(impl.utf8Update, chunks)).toEqual(want);
        expect(feedUtf8((c, s) => utf8UpdateBulk(c, s, impl.utf8Update), chunks)).toEqual(want);
      }
    }
  });

  it('validates random bytes like buffer.isUtf8', () => {
    const rand = prng(7);
    for (let round = 0; round < 2000; round++) {
      // Short random buffers: long ones fail within a few bytes.
      const buf = randomBytes(rand, (rand() * 12) | 0);
      const want = js.utf8Update(buf, Utf8State.Accept);
      expect(want === Utf8State.Accept).toBe(isUtf8(buf));
      expect(impl.utf8Update(buf, Utf8State.Accept)).toBe(want);
    }
  });

  it('finds an invalid byte at every position of a 64 KiB chunk', () => {
    const rand = prng(8);
    const text = randomText(rand, 70000, 0.5).subarray(0, 65536);
    for (let at = 0; at < text.length; at += 997) {
      const buf = text.slice();
      buf[at] = 0xff;
      const want = js.utf8Update(buf, Utf8State.Accept);
      expect(want).toBe(-(at + 1));
      expect(impl.utf8Update(buf, Utf8State.Accept)).toBe(want);
      expect(utf8UpdateBulk(buf, Utf8State.Accept, impl.utf8Update)).toBe(want);
    }
  });
});
