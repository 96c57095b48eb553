/*
 * The byte queue under the ws frame parser: chunks as pushed, read as whole
 * fields. Reads return views into the chunks when a field lies in one chunk
 * and copy only when it spans several. The chunk being read is a field of
 * its own and later ones wait in an array made only when a second chunk
 * arrives before the first is used up, so an idle connection holds no
 * array and the usual one-chunk-at-a-time parse touches none.
 */

const EMPTY = Buffer.alloc(0);

/** A FIFO of byte chunks read by field. */
export class InputQueue {
  /** The chunk being read (EMPTY when none). */
  #first: Buffer = EMPTY;
  /** Chunks queued behind #first, oldest first; null when none. */
  #rest: Buffer[] | null = null;
  #head = 0; // read offset in #first
  #length = 0;

  /** Bytes queued and not yet read. */
  get length(): number {
    return this.#length;
  }

  /** Queues `chunk` without copying it. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.#length === 0) {
      this.#first = buf;
      this.#head = 0;
    } else if (this.#rest === null) {
      this.#rest = [buf];
    } else {
      this.#rest.push(buf);
    }
    this.#length += buf.length;
  }

  /** Reads one byte; the caller checks `length` first. */
  byte(): number {
    const first = this.#first;
    const b = first[this.#head]!;
    this.#advance(first, 1);
    return b;
  }

  /** Reads exactly `n` bytes (n <= length): a view when contiguous, else a copy. */
  take(n: number): Buffer {
    const first = this.#first;
    if (first.length - this.#head >= n) {
      const out = first.subarray(this.#head, this.#head + n);
      this.#advance(first, n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const piece = this.takeUpTo(n - filled);
      out.set(piece, filled);
      filled += piece.length;
    }
    return out;
  }

  /** Reads up to `n` bytes from the first chunk, as a view (length > 0 required). */
  takeUpTo(n: number): Buffer {
    const first = this.#first;
    const k = Math.min(first.length - this.#head, n);
    const out = first.subarray(this.#head, this.#head + k);
    this.#advance(first, k);
    return out;
  }

  /** Replaces what is queued by one copy of it: the chunks it came from may be reused. */
  own(): void {
    if (this.#length === 0) return;
    const rest = Buffer.from(this.take(this.#length));
    this.#first = rest;
    this.#rest = null;
    this.#head = 0;
    this.#length = rest.length;
  }

  /** Drops everything queued. */
  clear(): void {
    this.#first = EMPTY;
    this.#rest = null;
    this.#head = 0;
    this.#length = 0;
  }

  #advance(first: Buffer, n: number): void {
    this.#head += n;
    this.#length -= n;
    if (this.#head === first.length) {
      this.#head = 0;
      const rest = this.#rest;
      if (rest === null) {
        this.#first = EMPTY; // the chunk is not held past its last byte
      } else {
        this.#first = rest.shift()!;
        if (rest.length === 0) this.#rest = null;
      }
    }
  }
}
