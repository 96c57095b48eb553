/*
 * The persistent raw DEFLATE streams (createRawDeflate / createRawInflate,
 * src/native/zlib.cc): RFC 7692 examples, long runs with the window carried
 * across messages, every window size, parity with node:zlib both ways, the
 * output cap, corrupt data, reset and close. The streams exist only with the
 * addon; they are tested whenever it is built, under LWS_NO_NATIVE=1 too
 * (through a fresh import without that variable), and the public API's
 * answer without the addon (null) is tested as well.
 */
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadNative } from '../src/backends.js';
import * as api from '../src/index.js';
import { expectSameBytes, hex, prng, randomBytes } from './helpers.js';

type Api = typeof api;
const SYNC = constants.Z_SYNC_FLUSH;
const TAIL = hex('00 00 ff ff');
const nativeLoad = loadNative();

/** The index module with the addon in use, whatever LWS_NO_NATIVE says; undefined without a built addon. */
async function importNative(): Promise<Api | undefined> {
  if (!nativeLoad.zlib) return undefined;
  if (api.nativeZlibVersion !== undefined) return api;
  vi.stubEnv('LWS_NO_NATIVE', '');
  vi.resetModules();
  try {
    return (await import('../src/index.js')) as Api;
  } finally {
    vi.unstubAllEnvs();
    vi.resetModules();
  }
}

/** Text-like bytes that compress, with repeats near and far. */
function textish(rand: () => number, n: number): Buffer {
  const words = ['lws', 'socket', '{"id":', 'deflate', 'κόσμε', 'window', '\n', 'frame'];
  const parts: string[] = [];
  let len = 0;
  while (len < n) {
    const w = words[(rand() * words.length) | 0]! + String((rand() * 1000) | 0);
    parts.push(w);
    len += Buffer.byteLength(w);
  }
  return Buffer.from(parts.join('')).subarray(0, n);
}

/** A message of `n` bytes: text, random bytes, or a mix. */
function message(rand: () => number, n: number): Buffer {
  const kind = rand();
  if (kind < 0.5) return textish(rand, n);
  if (kind < 0.7) return Buffer.from(randomBytes(rand, n));
  const half = n >> 1;
  return Buffer.concat([textish(rand, half), Buffer.from(randomBytes(rand, n - half))]);
}

/** `buf` cut at 0-4 random places (empty pieces included). */
function split(rand: () => number, buf: Uint8Array): Uint8Array[] {
  const cuts = Array.from({ length: (rand() * 5) | 0 }, () => (rand() * (buf.length + 1)) | 0).sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let at = 0;
  for (const c of cuts) {
    pieces.push(buf.subarray(at, c));
    at = c;
  }
  pieces.push(buf.subarray(at));
  return pieces;
}

function ok(r: Buffer | api.InflateFailure): Buffer {
  if (!Buffer.isBuffer(r)) throw new Error(`inflate failed: ${r.reason}: ${r.message}`);
  return r;
}

describe('without the addon', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('createRawDeflate and createRawInflate return null under LWS_NO_NATIVE=1 (callers keep node:zlib)', async () => {
    vi.stubEnv('LWS_NO_NATIVE', '1');
    vi.resetModules();
    const fresh = (await import('../src/index.js')) as Api;
    expect([fresh.createRawDeflate(), fresh.createRawInflate(), fresh.nativeZlibVersion]).toEqual([null, null, undefined]);
  });

  it('still checks the options', async () => {
    expect(() => api.createRawDeflate({ level: 10 })).toThrow(
      new RangeError('Cannot create RawDeflate: level must be an integer from -1 to 9, received 10'),
    );
    expect(() => api.createRawDeflate({ windowBits: 8 })).toThrow(RangeError);
    expect(() => api.createRawDeflate({ memLevel: 0 })).toThrow(RangeError);
    expect(() => api.createRawInflate({ windowBits: 16 })).toThrow(
      new RangeError('Cannot create RawInflate: windowBits must be an integer from 8 to 15, received 16'),
    );
  });
});

describe('raw DEFLATE streams', async () => {
  const n = await importNative();
  if (!n) {
    // registered only where the addon is required: there its absence is the failure
    if (process.env.LWS_REQUIRE_NATIVE === '1') {
      it('the addon is built (LWS_REQUIRE_NATIVE=1)', () => {
        throw new Error(`native addon did not load: ${nativeLoad.error}`);
      });
    }
    it('are not offered without the built addon', () => {
      expect([api.createRawDeflate(), api.createRawInflate()]).toEqual([null, null]);
    });
    return;
  }
  const deflater = (o?: api.RawDeflateOptions) => n.createRawDeflate(o)!;
  const inflater = (o?: api.RawInflateOptions) => n.createRawInflate(o)!;

  it("run the node process's own zlib", () => {
    expect(n.nativeZlibVersion).toMatch(/^\d+\.\d+/);
    expect(process.versions.zlib.startsWith(n.nativeZlibVersion!)).toBe(true);
  });

  it('compress the RFC 7692 §7.2.3.1-2 examples, the window carried to the second "Hello"', () => {
    const d = deflater();
    expect(d.deflate(Buffer.from('Hello'))).toEqual(Buffer.from(hex('f2 48 cd c9 c9 07 00 00 00 ff ff')));
    expect(d.deflate(Buffer.from('Hello'))).toEqual(Buffer.from(hex('f2 00 11 00 00 00 00 ff ff')));
    d.reset();
    expect(d.deflate(Buffer.from('Hello'))).toEqual(Buffer.from(hex('f2 48 cd c9 c9 07 00 00 00 ff ff')));
    d.close();
  });

  it('inflate the §7.2.3 examples: shared window, BFINAL, two blocks, stored, empty', () => {
    const i = inflater();
    expect(ok(i.inflate([hex('f2 48 cd c9 c9 07 00'), TAIL], 100)).toString()).toBe('Hello');
    expect(ok(i.inflate([hex('f2 00 11 00 00'), TAIL], 100)).toString()).toBe('Hello');
    for (const payload of ['f3 48 cd c9 c9 07 00 00', 'f2 48 05 00 00 00 ff ff ca c9 c9 07 00', '00 05 00 fa ff 48 65 6c 6c 6f 00']) {
      expect(ok(inflater().inflate([hex(payload), TAIL], 100)).toString()).toBe('Hello');
    }
    expect(ok(inflater().inflate([hex('00'), TAIL], 100)).length).toBe(0);
    i.close();
  });

  it('carry the window across 60 messages of 0..256 KiB, inflated from split pieces, matching node:zlib', () => {
    const rand = prng(7);
    const d = deflater();
    const i = inflater();
    const wire: Buffer[] = [];
    const plain: Buffer[] = [];
    for (let m = 0; m < 60; m++) {
      const size = m % 10 === 0 ? 0 : (rand() ** 3 * 256 * 1024) | 0; // mostly small, some large
      const msg = message(rand, size);
      const out = d.deflate(msg);
      wire.push(out);
      plain.push(msg);
      expectSameBytes(ok(i.inflate(split(rand, out), 1 << 20)), msg, `message ${m}`);
    }
    // the whole conversation is one valid raw DEFLATE stream for node:zlib
    expectSameBytes(inflateRawSync(Buffer.concat(wire), { finishFlush: SYNC }), Buffer.concat(plain), 'node:zlib inflate');
    d.close();
    i.close();
  });

  it('inflate what node:zlib compressed with a preset dictionary (the fallback) as one continuing stream', () => {
    const rand = prng(8);
    const i = inflater();
    let history = Buffer.alloc(0);
    for (let m = 0; m < 40; m++) {
      const msg = message(rand, (rand() * 40_000) | 0);
      const dict = history.subarray(Math.max(0, history.length - 32768));
      const out = deflateRawSync(msg, { finishFlush: SYNC, ...(dict.length > 0 ? { dictionary: dict } : {}) });
      expectSameBytes(ok(i.inflate(out, 1 << 20)), msg, `message ${m}`);
      history = Buffer.concat([dict, msg]);
    }
  });

  it('give byte-identical output to deflateRawSync for a fresh stream', () => {
    const rand = prng(9);
    for (const level of [-1, 1, 9]) {
      for (const windowBits of [9, 12, 15]) {
        const msg = message(rand, 5000);
        const d = deflater({ level, windowBits, memLevel: 8 });
        expectSameBytes(d.deflate(msg), deflateRawSync(msg, { level, windowBits, memLevel: 8, finishFlush: SYNC }), `level ${level}, ${windowBits} bits`);
        d.close();
      }
    }
  });

  for (let bits = 9; bits <= 15; bits++) {
    it(`stay within a ${bits}-bit window: a strict ${bits}-bit inflater decodes the whole conversation`, () => {
      const rand = prng(bits);
      const d = deflater({ windowBits: bits });
      const i = inflater({ windowBits: bits });
      const plain: Buffer[] = [];
      const wire: Buffer[] = [];
      for (let m = 0; m < 12; m++) {
        const msg = textish(rand, (rand() * 6000) | 0);
        const out = d.deflate(msg);
        expectSameBytes(ok(i.inflate([out], 1 << 20)), msg, `message ${m}`);
        plain.push(msg);
        wire.push(out);
      }
      expectSameBytes(inflateRawSync(Buffer.concat(wire), { windowBits: bits, finishFlush: SYNC }), Buffer.concat(plain));
    });
  }

  it('reset(): the next message starts a new stream (with or without freeing the memory)', () => {
    const rand = prng(10);
    const a = textish(rand, 3000);
    const b = textish(rand, 3000);
    for (const release of [false, true]) {
      const d = deflater();
      const i = inflater();
      ok(i.inflate(d.deflate(a), 1 << 20));
      d.reset(release);
      const fresh = d.deflate(b);
      expectSameBytes(fresh, deflateRawSync(b, { finishFlush: SYNC }), 'after deflate reset');
      i.reset(release);
      expectSameBytes(ok(i.inflate(fresh, 1 << 20)), b, 'after inflate reset');
      d.close();
      i.close();
    }
  });

  it('continue one message over several calls (Z_NO_FLUSH, then sync): the pieces concatenate', () => {
    const rand = prng(11);
    const msg = textish(rand, 100_000);
    const d = deflater();
    const parts = [d.deflate(msg.subarray(0, 30_000), n.ZlibFlush.None), d.deflate(msg.subarray(30_000, 60_000), n.ZlibFlush.None), d.deflate(msg.subarray(60_000))];
    expect(parts[2]!.subarray(-4)).toEqual(Buffer.from(TAIL));
    expectSameBytes(ok(inflater().inflate(parts, msg.length)), msg);
    const finished = deflater().deflate(msg, n.ZlibFlush.Finish);
    expectSameBytes(inflateRawSync(finished), msg, 'Z_FINISH');
  });

  it('flush an empty input once: 00 00 00 ff ff, then nothing (nothing pending)', () => {
    const d = deflater();
    expect(d.deflate(new Uint8Array(0))).toEqual(Buffer.from(hex('00 00 00 ff ff')));
    expect(d.deflate(new Uint8Array(0)).length).toBe(0);
    expect(d.deflate(Buffer.from('Hello'))).toEqual(Buffer.from(hex('f2 48 cd c9 c9 07 00 00 00 ff ff')));
  });

  it('restart after a final block keeping the window (a BFINAL message, then one referring back)', () => {
    const text = Buffer.from('permessage-deflate with a final block, then a reference back into it');
    const first = deflateRawSync(text); // Z_FINISH: BFINAL set
    const second = deflateRawSync(text, { dictionary: text, finishFlush: SYNC });
    expect(second.length).toBeLessThan(12); // one back-reference
    const i = inflater();
    expect(ok(i.inflate([first, TAIL], 1000)).toString()).toBe(text.toString());
    expect(ok(i.inflate([second, TAIL], 1000)).toString()).toBe(text.toString());
  });

  it('round-trip 3 MiB messages (output beyond the kept scratch size)', () => {
    const msg = message(prng(12), 3 * 1024 * 1024);
    const d = deflater();
    const i = inflater();
    for (let k = 0; k < 2; k++) expectSameBytes(ok(i.inflate(d.deflate(msg), msg.length)), msg);
  });

  describe('maxOutput', () => {
    const zeros = deflateRawSync(Buffer.alloc(10_000_000), { finishFlush: SYNC }); // ~10 KB

    it('stops a bomb as soon as the output exceeds it', () => {
      // 400 copies of the segment: 4 GB if inflated in full
      const bomb = Array.from({ length: 400 }, () => zeros);
      const started = performance.now();
      const r = inflater().inflate(bomb, 1_000_000);
      expect(performance.now() - started).toBeLessThan(1000); // all 4 GB would take many seconds
      expect(r).toBeInstanceOf(n.InflateFailure);
      expect(r).toMatchObject({ reason: 'too-big', message: 'output exceeds 1000000 bytes' });
    });

    it('accepts output of exactly maxOutput bytes, refuses one more', () => {
      expect(ok(inflater().inflate(zeros, 10_000_000)).length).toBe(10_000_000);
      expect(inflater().inflate(zeros, 9_999_999)).toMatchObject({ reason: 'too-big' });
      expect(ok(inflater().inflate([hex('00'), TAIL], 0)).length).toBe(0);
      expect(inflater().inflate([hex('f2 48 cd c9 c9 07 00'), TAIL], 4)).toMatchObject({ reason: 'too-big' });
    });

    it('resets the stream after a failure', () => {
      const i = inflater();
      expect(i.inflate(zeros, 5)).toMatchObject({ reason: 'too-big' });
      expect(ok(i.inflate([hex('f2 48 cd c9 c9 07 00'), TAIL], 100)).toString()).toBe('Hello');
    });
  });

  it('report corrupt data with zlib\'s message, then start afresh', () => {
    const i = inflater();
    expect(i.inflate(hex('ff 00 ff'), 100)).toEqual(new n.InflateFailure('corrupt', 'invalid block type'));
    expect(i.inflate([hex('00 05 00 00 00'), TAIL], 100)).toMatchObject({ reason: 'corrupt', message: 'invalid stored block lengths' });
    // a distance reaching before the start of the stream
    expect(i.inflate([hex('f2 00 11 00 00'), TAIL], 100)).toMatchObject({ reason: 'corrupt', message: 'invalid distance too far back' });
    expect(ok(i.inflate([hex('f2 48 cd c9 c9 07 00'), TAIL], 100)).toString()).toBe('Hello');
  });

  it('refuse a distance beyond a smaller inflate window', () => {
    const text = textish(prng(13), 4000);
    const d = deflater();
    d.deflate(text);
    const i = inflater({ windowBits: 9 });
    ok(i.inflate(deflateRawSync(text, { finishFlush: SYNC }), 1 << 20));
    expect(i.inflate(d.deflate(text), 1 << 20)).toMatchObject({ reason: 'corrupt', message: 'invalid distance too far back' });
  });

  it('throw a clear Error after close(), never crash; close is idempotent', () => {
    const d = deflater();
    const i = inflater();
    d.deflate(Buffer.from('Hello'));
    ok(i.inflate([hex('f2 48 cd c9 c9 07 00'), TAIL], 100));
    d.close();
    i.close();
    d.close();
    i.close();
    expect([d.closed, i.closed]).toEqual([true, true]);
    expect(() => d.deflate(Buffer.from('Hello'))).toThrow(new Error('Cannot deflate: the RawDeflate was closed'));
    expect(() => d.reset()).toThrow(new Error('Cannot reset: the RawDeflate was closed'));
    expect(() => i.inflate(TAIL, 100)).toThrow(new Error('Cannot inflate: the RawInflate was closed'));
    // the addon's own objects refuse too, below the TypeScript checks
    const raw = new nativeLoad.zlib!.RawDeflate(-1, 8, 15);
    raw.close();
    expect(() => raw.deflate(Buffer.from('x'), SYNC)).toThrow('Cannot deflate: the stream is closed');
    const rawInflate = new nativeLoad.zlib!.RawInflate(15);
    rawInflate.close();
    expect(() => rawInflate.inflate(TAIL, 10)).toThrow('Cannot inflate: the stream is closed');
  });

  it('check arguments with TypeError / RangeError', () => {
    const d = deflater();
    const i = inflater();
    expect(() => d.deflate('Hello' as unknown as Uint8Array)).toThrow(new TypeError('Cannot deflate: data must be a Uint8Array, received string "Hello"'));
    expect(() => d.deflate(Buffer.from('x'), 1)).toThrow(new RangeError('Cannot deflate: flush must be 0, 2, 3 or 4 (ZlibFlush), received number 1'));
    expect(() => i.inflate([TAIL, 'x' as unknown as Uint8Array], 10)).toThrow(new TypeError('Cannot inflate: input[1] must be a Uint8Array, received string "x"'));
    expect(() => i.inflate({} as Uint8Array, 10)).toThrow(TypeError);
    expect(() => i.inflate(TAIL, -1)).toThrow(new RangeError('Cannot inflate: maxOutput must be a non-negative integer, received number -1'));
    expect(() => i.inflate(TAIL, 1.5)).toThrow(RangeError);
    // the addon rejects nonsense that bypassed the checks
    const raw = new nativeLoad.zlib!.RawInflate(15);
    expect(() => raw.inflate([42 as unknown as Uint8Array], 10)).toThrow(TypeError);
    expect(() => (nativeLoad.zlib!.RawDeflate as unknown as (...a: number[]) => unknown)(-1, 8, 15)).toThrow(TypeError);
    expect(() => new nativeLoad.zlib!.RawDeflate(-1, 8, 8)).toThrow(TypeError);
  });

  it('accept a Uint8Array that is not a Buffer, and views into larger buffers', () => {
    const backing = new Uint8Array(100).fill(65);
    const d = deflater();
    const out = d.deflate(backing.subarray(10, 20));
    expect(Buffer.isBuffer(out)).toBe(true);
    expect(ok(inflater().inflate(new Uint8Array(out), 100)).toString()).toBe('A'.repeat(10));
  });
});

describe('raw DEFLATE streams: many at once', async () => {
  const n = await importNative();
  if (!n) {
    it('without the addon there are no streams to allocate', () => {
      expect(api.createRawDeflate()).toBeNull();
    });
    return;
  }
  it('allocate nothing until used, and free on reset(true) and close()', () => {
    // 2000 idle streams cost no zlib state: RSS grows far less than 2000 x 256 KiB
    const before = process.memoryUsage().rss;
    const idle = Array.from({ length: 2000 }, () => n!.createRawDeflate()!);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    for (const d of idle) d.close();
    // used and released: each allocates and frees its z_stream
    const d = n!.createRawDeflate()!;
    for (let k = 0; k < 500; k++) {
      d.deflate(Buffer.from(`message ${k}`));
      d.reset(true);
    }
    d.close();
  });
});
