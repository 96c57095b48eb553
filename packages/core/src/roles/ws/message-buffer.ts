/*
 * Collects the payload pieces of one ws message. Large pieces and the first
 * piece are kept as views (no copy); later small ones are copied into a
 * scratch buffer, so a peer that trickles a message a byte per read costs
 * bytes, not one Buffer object (~100 bytes of heap) per byte.
 */

const SMALL = 256;
const SCRATCH = 4096;
const EMPTY = Buffer.alloc(0);

/** An append-only list of bytes, read once with take(). */
export class MessageBuffer {
  #pieces: Buffer[] = [];
  #scratch: Buffer | null = null;
  #used = 0;

  /** Appends `piece`; keeps a view of it when large or first, copies it when small. */
  push(piece: Buffer): void {
    if (piece.length === 0) return;
    if (piece.length >= SMALL || (this.#pieces.length === 0 && this.#scratch === null)) {
      this.#seal();
      this.#pieces.push(piece);
      return;
    }
    if (this.#scratch === null || this.#used + piece.length > this.#scratch.length) {
      this.#seal();
      this.#scratch = Buffer.allocUnsafe(SCRATCH);
    }
    piece.copy(this.#scratch, this.#used);
    this.#used += piece.length;
  }

  /** The pieces so far (for an inflater that takes a list); clears the buffer. */
  takePieces(): Buffer[] {
    this.#seal();
    const pieces = this.#pieces;
    this.#pieces = [];
    return pieces;
  }

  /** Everything appended, as one Buffer (a view when there was one piece); clears the buffer. */
  take(): Buffer {
    const pieces = this.takePieces();
    if (pieces.length === 1) return pieces[0]!;
    return pieces.length === 0 ? EMPTY : Buffer.concat(pieces);
  }

  /** Drops everything. */
  clear(): void {
    this.#pieces = [];
    this.#scratch = null;
    this.#used = 0;
  }

  #seal(): void {
    const scratch = this.#scratch;
    if (scratch === null) return;
    if (this.#used > 0) {
      const used = scratch.subarray(0, this.#used);
      // A mostly empty scratch is copied out rather than pinned whole.
      this.#pieces.push(this.#used < scratch.length / 2 ? Buffer.from(used) : used);
    }
    this.#scratch = null;
    this.#used = 0;
  }
}
