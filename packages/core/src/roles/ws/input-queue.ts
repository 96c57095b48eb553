/*
 * The byte queue under the ws frame parser: chunks as pushed, read as whole
 * fields. Reads return views into the chunks when a field lies in one chunk
 * and copy only when it spans several.
 */

/** A FIFO of byte chunks read by field. */
export class InputQueue {
  #chunks: Buffer[] = [];
  #head = 0; // read offset in #chunks[0]
  #length = 0;

  /** Bytes queued and not yet read. */
  get length(): number {
    return this.#length;
  }

  /** Queues `chunk` without copying it. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.#chunks.push(buf);
    this.#length += buf.length;
  }

  /** Reads one byte; the caller checks `length` first. */
  byte(): number {
    const first = this.#chunks[0]!;
    const b = first[this.#head]!;
    this.#advance(first, 1);
    return b;
  }

  /** Reads exactly `n` bytes (n <= length): a view when contiguous, else a copy. */
  take(n: number): Buffer {
    const first = this.#chunks[0]!;
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
    const first = this.#chunks[0]!;
    const k = Math.min(first.length - this.#head, n);
    const out = first.subarray(this.#head, this.#head + k);
    this.#advance(first, k);
    return out;
  }

  /** Replaces what is queued by one copy of it: the chunks it came from may be reused. */
  own(): void {
    if (this.#length === 0) return;
    const rest = Buffer.from(this.take(this.#length));
    this.#chunks = [rest];
    this.#head = 0;
    this.#length = rest.length;
  }

  /** Drops everything queued. */
  clear(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#length = 0;
  }

  #advance(first: Buffer, n: number): void {
    this.#head += n;
    this.#length -= n;
    if (this.#head === first.length) {
      this.#chunks.shift();
      this.#head = 0;
    }
  }
}
