/*
 * Collects the payload pieces of one ws message. Large pieces and the first
 * piece are kept as views (no copy); later small ones are copied into a
 * scratch buffer, so a peer that trickles a message a byte per read costs
 * bytes, not one Buffer object (~100 bytes of heap) per byte. A frame of at
 * most FILL_MAX bytes that does not arrive in one read is copied into one
 * buffer of its exact size from its first piece: one allocation instead of
 * a scratch, a copy out of it and a concat (bench/ws-echo.ts, 16 KiB).
 * When that first piece may be kept (not lent), it is kept as a view
 * instead, and a next piece that continues it in memory (the next read
 * landed right after it in the same buffer) extends the view: no copy at
 * all. Only a next piece elsewhere makes the one buffer and copies both.
 */

const SMALL = 256;
const SCRATCH = 4096;
/** Largest frame collected into one buffer sized from its header (more is never allocated before it arrives). */
export const FILL_MAX = 64 * 1024;
const EMPTY = Buffer.alloc(0);
/** No pieces: shared by every buffer between messages, never pushed to (an idle connection holds no array). */
const NO_PIECES = Object.freeze([]) as unknown as Buffer[];

/** An append-only list of bytes, read once with take(). */
export class MessageBuffer {
  #pieces: Buffer[] = NO_PIECES;
  #scratch: Buffer | null = null;
  #used = 0;
  #fill: Buffer | null = null;
  #filled = 0;
  /** The last piece, kept as a view of a frame still arriving: the next piece may extend it. */
  #open: Buffer | null = null;

  /**
   * Appends `piece`; keeps a view of it when large or first, copies it when
   * small. `more`: bytes of the same frame still to come (a size hint).
   * `lent`: the piece's memory is reused later, so it is always copied.
   * Returns whether the piece's memory is kept (a view), not copied.
   */
  push(piece: Buffer, more = 0, lent = false): boolean {
    if (piece.length === 0) return false;
    if (this.#open !== null) return this.#continue(piece, more, lent);
    const fill = this.#fill;
    if (fill !== null) {
      if (this.#filled + piece.length <= fill.length) {
        piece.copy(fill, this.#filled);
        this.#filled += piece.length;
        return false;
      }
      this.#sealFill();
    }
    if (more > 0 && piece.length + more <= FILL_MAX && this.#pieces.length === 0 && this.#scratch === null) {
      if (!lent) {
        this.#add(piece);
        this.#open = piece;
        return true;
      }
      const b = Buffer.allocUnsafe(piece.length + more);
      piece.copy(b, 0);
      this.#fill = b;
      this.#filled = piece.length;
      return false;
    }
    if (piece.length >= SMALL || (this.#pieces.length === 0 && this.#scratch === null)) {
      this.#seal();
      this.#add(lent ? Buffer.from(piece) : piece);
      return !lent;
    }
    if (this.#scratch === null || this.#used + piece.length > this.#scratch.length) {
      this.#seal();
      this.#scratch = Buffer.allocUnsafe(SCRATCH);
    }
    piece.copy(this.#scratch, this.#used);
    this.#used += piece.length;
    return false;
  }

  /** Nothing collected: a frame still arriving would be kept open (see push). */
  get empty(): boolean {
    return this.#pieces.length === 0 && this.#scratch === null && this.#fill === null && this.#open === null;
  }

  /** Whether `piece` continues the open view in memory (push() would extend it without a copy). */
  continues(piece: Buffer): boolean {
    const open = this.#open;
    return open !== null && open.buffer === piece.buffer && open.byteOffset + open.length === piece.byteOffset;
  }

  /** The next piece of the frame whose first piece is the open view. */
  #continue(piece: Buffer, more: number, lent: boolean): boolean {
    const open = this.#open!;
    const joins = !lent && this.continues(piece);
    this.#open = null;
    if (joins) {
      const joined = Buffer.from(open.buffer, open.byteOffset, open.length + piece.length);
      this.#pieces[this.#pieces.length - 1] = joined;
      if (more > 0) this.#open = joined;
      return true;
    }
    // elsewhere in memory: the frame goes into one buffer of its size after all
    this.#pieces = NO_PIECES;
    const b = Buffer.allocUnsafe(open.length + piece.length + more);
    open.copy(b, 0);
    piece.copy(b, open.length);
    this.#fill = b;
    this.#filled = open.length + piece.length;
    if (more === 0) this.#sealFill();
    return false;
  }

  /** The pieces so far (for an inflater that takes a list); clears the buffer. */
  takePieces(): Buffer[] {
    this.#open = null;
    this.#sealFill();
    this.#seal();
    const pieces = this.#pieces;
    this.#pieces = NO_PIECES;
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
    this.#open = null;
    this.#fill = null;
    this.#filled = 0;
    this.#pieces = NO_PIECES;
    this.#scratch = null;
    this.#used = 0;
  }

  #add(piece: Buffer): void {
    if (this.#pieces === NO_PIECES) this.#pieces = [piece];
    else this.#pieces.push(piece);
  }

  #sealFill(): void {
    const fill = this.#fill;
    if (fill === null) return;
    this.#add(this.#filled === fill.length ? fill : fill.subarray(0, this.#filled));
    this.#fill = null;
    this.#filled = 0;
  }

  #seal(): void {
    const scratch = this.#scratch;
    if (scratch === null) return;
    if (this.#used > 0) {
      const used = scratch.subarray(0, this.#used);
      // A mostly empty scratch is copied out rather than pinned whole.
      this.#add(this.#used < scratch.length / 2 ? Buffer.from(used) : used);
    }
    this.#scratch = null;
    this.#used = 0;
  }
}
