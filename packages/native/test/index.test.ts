/*
 * The public entry: backend selection from the environment, argument checks
 * with std-style messages, size routing, and the Utf8Validator's stream rules.
 * Runs on whichever backend the environment selects (CI runs both).
 */
import { isUtf8 } from 'node:buffer';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { js, loadNative } from '../src/backends.js';
import { backend, backendReason, isValidUtf8, mask, nativeInfo, unmask, Utf8Validator } from '../src/index.js';
import { expectSameBytes, hex, prng, randomBytes, splitEverywhere } from './helpers.js';

function mockLoadFailure(error: string): void {
  vi.doMock('../src/backends.js', async (load) => ({ ...(await load()), loadNative: () => ({ error }) }));
  vi.resetModules();
}

describe('backend selection', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.doUnmock('../src/backends.js');
    vi.resetModules();
  });

  it('reports the backend the environment asked for, and why', () => {
    if (process.env.LWS_NO_NATIVE === '1') {
      expect([backend, backendReason]).toEqual(['js', 'LWS_NO_NATIVE=1']);
      expect(nativeInfo()).toBe('native: not loaded (LWS_NO_NATIVE=1)');
    } else if (loadNative().native) {
      expect([backend, backendReason, nativeInfo()]).toEqual(['native', undefined, 'native: mask, utf8']);
    } else {
      expect(backend).toBe('js');
      expect(nativeInfo()).toBe(`native: not loaded (${backendReason})`);
    }
  });

  it('uses TypeScript under LWS_NO_NATIVE=1', async () => {
    vi.stubEnv('LWS_NO_NATIVE', '1');
    vi.resetModules();
    const fresh = await import('../src/index.js');
    expect([fresh.backend, fresh.backendReason]).toEqual(['js', 'LWS_NO_NATIVE=1']);
  });

  it('falls back to TypeScript with the load error as reason', async () => {
    vi.stubEnv('LWS_NO_NATIVE', '');
    vi.stubEnv('LWS_REQUIRE_NATIVE', '');
    mockLoadFailure('no such file');
    const fresh = await import('../src/index.js');
    expect([fresh.backend, fresh.backendReason, fresh.nativeInfo()]).toEqual([
      'js',
      'no such file',
      'native: not loaded (no such file)',
    ]);
  });

  it('throws at import under LWS_REQUIRE_NATIVE=1 when the addon does not load', async () => {
    vi.stubEnv('LWS_NO_NATIVE', '');
    vi.stubEnv('LWS_REQUIRE_NATIVE', '1');
    mockLoadFailure('no such file');
    await expect(import('../src/index.js')).rejects.toThrow(
      'Cannot load @lws/native with LWS_REQUIRE_NATIVE=1: no such file (build it: pnpm build:native)',
    );
  });
});

describe('mask and unmask', () => {
  const key = hex('01020304');

  const b = (n: number) => new Uint8Array(n);
  const misuse: [string, () => void, typeof TypeError][] = [
    ['Cannot mask: source must be a Uint8Array, received string "ab"', () => mask('ab' as never, key, b(2), 0, 2), TypeError],
    ['Cannot mask: mask key must be a Uint8Array, received Array', () => mask(b(2), [1, 2, 3, 4] as never, b(2), 0, 2), TypeError],
    ['Cannot mask: mask key is 3 bytes, expected 4', () => mask(b(2), b(3), b(2), 0, 2), RangeError],
    ['Cannot mask: output must be a Uint8Array, received null', () => mask(b(2), key, null as never, 0, 2), TypeError],
    ['Cannot mask: offset must be a non-negative integer, received -1', () => mask(b(2), key, b(2), -1, 2), RangeError],
    ['Cannot mask: length must be a non-negative integer, received 1.5', () => mask(b(2), key, b(2), 0, 1.5), RangeError],
    ['Cannot mask: length must be a number, received string "2"', () => mask(b(2), key, b(2), 0, '2' as never), TypeError],
    ['Cannot mask: length 10 exceeds source length 4', () => mask(b(4), key, b(20), 0, 10), RangeError],
    ['Cannot mask: offset 8 + length 10 exceeds output length 12', () => mask(b(10), key, b(12), 8, 10), RangeError],
    ['Cannot mask: phase must be a non-negative integer, received NaN', () => mask(b(2), key, b(2), 0, 2, NaN), RangeError],
    ['Cannot unmask: buffer must be a Uint8Array, received undefined', () => unmask(undefined as never, key), TypeError],
    ['Cannot unmask: mask key is 8 bytes, expected 4', () => unmask(b(2), b(8)), RangeError],
    ['Cannot unmask: phase must be a non-negative integer, received -4', () => unmask(b(2), key, -4), RangeError],
  ];

  it.each(misuse)('throws "%s"', (message, call, type) => {
    expect(call).toThrow(new type(message));
    expect(call).toThrow(type);
  });

  it('masks in place when source and output are the same bytes', () => {
    const buf = hex('00112233445566778899aabbccddeeff' + '00'.repeat(200));
    const want = buf.map((b, i) => b ^ key[(1 + i) & 3]!);
    mask(buf.subarray(4), key, buf, 4, buf.length - 4, 1);
    expectSameBytes(buf.subarray(4), want.subarray(4));
  });

  it('gives the byte-by-byte answer on both sides of every size threshold, at any phase', () => {
    const rand = prng(21);
    for (let size = 0; size <= 300; size += 1 + (size >> 4)) {
      for (const phase of [0, 1, 6, 2 ** 40 + 3]) {
        const source = randomBytes(rand, size);
        const k = randomBytes(rand, 4);
        const want = source.map((b, i) => b ^ k[(phase + i) & 3]!);
        const out = new Uint8Array(size + 2);
        mask(source, k, out, 2, size, phase);
        expectSameBytes(out.subarray(2), want, `mask ${size}`);
        unmask(source, k, phase);
        expectSameBytes(source, want, `unmask ${size}`);
      }
    }
  });

  it('defaults phase to 0', () => {
    const buf = hex('00000000');
    unmask(buf, key);
    expect(buf).toEqual(key);
  });
});

describe('isValidUtf8', () => {
  it('agrees with buffer.isUtf8 below and above the size threshold', () => {
    const rand = prng(22);
    for (let size = 0; size < 200; size++) {
      const text = new TextEncoder().encode('aé€𝄞'.repeat(50)).subarray(0, size);
      expect(isValidUtf8(text)).toBe(isUtf8(text));
      const bytes = randomBytes(rand, size);
      expect(isValidUtf8(bytes)).toBe(isUtf8(bytes));
    }
  });

  it('rejects a non-Uint8Array', () => {
    expect(() => isValidUtf8('é' as never)).toThrow(
      new TypeError('Cannot validate UTF-8: buffer must be a Uint8Array, received string "é"'),
    );
  });
});

describe('Utf8Validator', () => {
  // Long enough that some splits take the DFA path and some the bulk path.
  const text = new TextEncoder().encode('A message of plain ASCII, then €uro and 𝄞 clef.');

  it('validates a message split anywhere, and ends complete', () => {
    for (const chunks of splitEverywhere(text)) {
      const v = new Utf8Validator();
      expect(chunks.map((c) => v.update(c))).not.toContain(false);
      expect([v.complete, v.failed, v.end()]).toEqual([true, false, true]);
    }
  });

  it('fails in the chunk holding the first invalid byte, and stays failed until reset', () => {
    const bad = Buffer.concat([text.subarray(0, 40), hex('eda080'), text.subarray(40)]); // a surrogate at 40..42
    for (const chunks of splitEverywhere(bad)) {
      const v = new Utf8Validator();
      const results = chunks.map((c) => v.update(c));
      let end = 0;
      const failing = chunks.findIndex((c) => (end += c.length) > 41); // the A0 is byte 41
      expect(results.indexOf(false)).toBe(failing);
      expect(results.slice(failing).every((r) => r === false)).toBe(true);
      expect([v.failed, v.complete, v.end(), v.update(hex('41'))]).toEqual([true, false, false, false]);
      v.reset();
      expect([v.failed, v.complete, v.update(text), v.end()]).toEqual([false, true, true, true]);
    }
  });

  it('is incomplete while a code point is pending', () => {
    const v = new Utf8Validator();
    expect(v.update(hex('68e282'))).toBe(true);
    expect([v.complete, v.end(), v.failed]).toEqual([false, false, false]);
    expect(v.update(hex('ac'))).toBe(true);
    expect([v.complete, v.end()]).toEqual([true, true]);
  });

  it('matches the TypeScript DFA on long random streams', () => {
    const rand = prng(23);
    for (let round = 0; round < 50; round++) {
      const buf = randomBytes(rand, 4096).map((b) => (b < 200 ? b & 0x7f : b));
      const v = new Utf8Validator();
      let offset = 0;
      while (offset < buf.length) {
        const n = 1 + ((rand() * 200) | 0);
        const chunk = buf.subarray(offset, offset + n);
        offset += chunk.length;
        v.update(chunk);
      }
      expect(v.end()).toBe(js.utf8Update(buf, 0) === 0);
    }
  });

  it('rejects a non-Uint8Array', () => {
    expect(() => new Utf8Validator().update([0x41] as never)).toThrow(
      new TypeError('Cannot validate UTF-8: chunk must be a Uint8Array, received Array'),
    );
  });
});
