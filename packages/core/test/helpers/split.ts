/*
 * Byte-split helpers for incremental parser tests (STYLE §D): every parser
 * must give the same events however its input is cut.
 */

/** Bytes from hex, whitespace ignored: `hex('81 05 48')`. */
export function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) throw new TypeError(`Cannot parse hex: ${JSON.stringify(s)}`);
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

/** Bytes of a latin1 string: `ascii('GET / HTTP/1.1\r\n')`. */
export function ascii(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'latin1'));
}

/**
 * Every 2-way split (the empty first and last pieces included), then one
 * byte at a time. Pieces are views into `bytes`.
 */
export function* splitEverywhere(bytes: Uint8Array): Generator<Uint8Array[]> {
  for (let i = 0; i <= bytes.length; i++) yield [bytes.subarray(0, i), bytes.subarray(i)];
  yield Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
}

/**
 * Feeds `chunks` in order. `feed` returns how many bytes of the chunk it
 * took (undefined: all) or 'stop'; bytes not taken are fed again, so a
 * parser that pauses can resume inside `feed` and be re-fed the rest.
 * Throws if `feed` takes nothing twice in a row (a stuck parser).
 */
export function feedAll(chunks: Iterable<Uint8Array>, feed: (chunk: Uint8Array) => number | 'stop' | void): void {
  for (let chunk of chunks) {
    let stalls = 0;
    for (;;) {
      const took = feed(chunk);
      if (took === 'stop') return;
      const n = took ?? chunk.length;
      if (n >= chunk.length) break;
      stalls = n === 0 ? stalls + 1 : 0;
      if (stalls > 1) throw new Error(`feedAll: stuck with ${chunk.length} bytes not taken`);
      chunk = chunk.subarray(n);
    }
  }
}
