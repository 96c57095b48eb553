/*
 * Incremental UTF-8 validation for large chunks on Node's buffer.isUtf8
 * (simdutf): the DFA finishes the code point the previous chunk left open,
 * isUtf8 checks the whole code points in the middle at SIMD speed, and the
 * DFA takes the at most three bytes of a code point this chunk leaves open.
 *
 *   chunk:  | head: ends a code point | body: whole code points | tail |
 *             DFA from `state`          isUtf8                    DFA
 */
import { isUtf8 } from 'node:buffer';
import { step, Utf8State } from './js/utf8.js';

/** A DFA with the Backend.utf8Update contract. */
export type Utf8Update = (chunk: Uint8Array, state: number) => number;

/**
 * Same contract and results as `dfa(chunk, state)`: the new state, or -(i + 1)
 * for the first invalid byte i. `dfa` only runs over the body when isUtf8
 * rejects it, to find that byte.
 */
export function utf8UpdateBulk(chunk: Uint8Array, state: number, dfa: Utf8Update): number {
  const n = chunk.length;
  let head = 0;
  let s = state;
  while (s !== Utf8State.Accept) {
    if (head === n) return s;
    s = step(s, chunk[head]!);
    if (s === Utf8State.Reject) return -(head + 1);
    head++;
  }
  const tail = openTail(chunk, head);
  if (tail > head) {
    const body = head === 0 && tail === n ? chunk : chunk.subarray(head, tail);
    if (!isUtf8(body)) {
      const r = dfa(body, Utf8State.Accept);
      if (r < 0) return r - head;
      s = r;
    }
  }
  for (let i = tail; i < n; i++) {
    s = step(s, chunk[i]!);
    if (s === Utf8State.Reject) return -(i + 1);
  }
  return s;
}

/**
 * Index of a lead byte in the last three (not before `from`) whose sequence
 * runs past the end of the chunk; `chunk.length` when there is none.
 */
function openTail(chunk: Uint8Array, from: number): number {
  const n = chunk.length;
  for (let k = 1; k <= 3 && n - k >= from; k++) {
    const b = chunk[n - k]!;
    if ((b & 0xc0) === 0x80) continue; // continuation: keep looking back
    const needed = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return needed > k ? n - k : n;
  }
  return n;
}
