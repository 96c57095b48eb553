/*
 * Shared by the @lws/native tests: both backends whatever the environment,
 * without a built addon the native half checks the loader's fallback instead
 * (or fails under LWS_REQUIRE_NATIVE=1),
 * hex fixtures, every-split feeding and a seeded PRNG.
 */
import { expect, it } from 'vitest';
import { js, loadNative, type Backend } from '../src/backends.js';

const nativeLoad = loadNative();

/** [name, backend] rows for describe.each; the native backend is undefined when it did not load. */
export const backends: [string, Backend | undefined][] = [
  ['native', nativeLoad.native],
  ['js', js],
];

/**
 * Call first in a describe.each body. Returns the backend, or registers a
 * test of what happens without it (the loader reports why and the public
 * API runs the TypeScript backend; under LWS_REQUIRE_NATIVE=1, a failure)
 * and returns undefined.
 */
export function useBackend(impl: Backend | undefined): Backend | undefined {
  if (impl) return impl;
  if (process.env.LWS_REQUIRE_NATIVE === '1') {
    it('loads the native addon (LWS_REQUIRE_NATIVE=1)', () => {
      throw new Error(`native addon did not load: ${nativeLoad.error}`);
    });
  } else {
    it(`falls back to TypeScript and says why when the addon is not built (${nativeLoad.error})`, async () => {
      expect(nativeLoad.error).toMatch(/\S/);
      const api = await import('../src/index.js');
      expect(api.backend).toBe('js');
      expect(api.nativeInfo()).toMatch(/^native: not loaded \(.+\)$/);
    });
  }
  return undefined;
}

export function hex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}

/** The whole buffer, then every 2-way split, then one byte at a time. */
export function* splitEverywhere(buf: Uint8Array): Generator<Uint8Array[]> {
  yield [buf];
  for (let i = 0; i <= buf.length; i++) yield [buf.subarray(0, i), buf.subarray(i)];
  yield Array.from(buf, (_, i) => buf.subarray(i, i + 1));
}

/** mulberry32: small, seeded, good enough to pick test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(rand: () => number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (rand() * 256) | 0;
  return out;
}

export type Utf8Update = (chunk: Uint8Array, state: number) => number;

/** What feeding chunks to a DFA gave: the value after each chunk, and the first invalid byte's stream index. */
export interface Utf8Trace {
  results: number[];
  failAt: number | undefined;
  final: number;
}

export function feedUtf8(update: Utf8Update, chunks: Uint8Array[]): Utf8Trace {
  const results: number[] = [];
  let state = 0;
  let base = 0;
  for (const chunk of chunks) {
    const r = update(chunk, state);
    results.push(r);
    if (r < 0) return { results, failAt: base - r - 1, final: r };
    state = r;
    base += chunk.length;
  }
  return { results, failAt: undefined, final: state };
}

/** toEqual walks typed arrays element by element (seconds at 64 KiB); this names the first differing byte instead. */
export function expectSameBytes(got: Uint8Array, want: Uint8Array, what = 'bytes'): void {
  if (Buffer.from(got.buffer, got.byteOffset, got.length).equals(want)) return;
  const at = got.findIndex((b, i) => b !== want[i]);
  const where = at < 0 ? Math.min(got.length, want.length) : at;
  expect.fail(`${what} differ at index ${where} (lengths ${got.length}, ${want.length})`);
}
