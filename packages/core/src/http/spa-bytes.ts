/*
 * A growable byte buffer with a hard cap, for the form parsers: field names,
 * field values and part header lines are collected here, never past `limit`.
 */
import { isUtf8 } from 'node:buffer';

/** Bytes collected up to a fixed limit; `push` reports overflow instead of growing past it. */
export class CappedBytes {
  readonly limit: number;
  #buf: Uint8Array;
  #len = 0;

  constructor(limit: number) {
    this.limit = limit;
    this.#buf = new Uint8Array(Math.min(64, Math.max(1, limit)));
  }

  get length(): number {
    return this.#len;
  }

  /** Append one byte; false (and nothing kept) when the limit would be passed. */
  pushByte(b: number): boolean {
    if (this.#len >= this.limit) return false;
    this.#ensure(this.#len + 1);
    this.#buf[this.#len++] = b;
    return true;
  }

  /** Append bytes; false (and nothing kept) when the limit would be passed. */
  push(bytes: Uint8Array): boolean {
    if (this.#len + bytes.length > this.limit) return false;
    this.#ensure(this.#len + bytes.length);
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
    return true;
  }

  /** A copy of the bytes collected so far. */
  bytes(): Buffer {
    return Buffer.from(this.#buf.subarray(0, this.#len));
  }

  /** The bytes as UTF-8 text, or undefined when they are not UTF-8. */
  text(): string | undefined {
    const view = Buffer.from(this.#buf.buffer, this.#buf.byteOffset, this.#len);
    return isUtf8(view) ? view.toString('utf8') : undefined;
  }

  clear(): void {
    this.#len = 0;
  }

  #ensure(n: number): void {
    if (n <= this.#buf.length) return;
    let size = this.#buf.length;
    while (size < n) size *= 2;
    const next = new Uint8Array(Math.min(size, this.limit));
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }
}

/** Decode UTF-8 strictly; undefined when the bytes are not UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  return isUtf8(view) ? view.toString('utf8') : undefined;
}
