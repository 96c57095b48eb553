/*
 * LwsRing: a bounded ring with one writer and many readers, each reading at its
 * own tail (lws_ring as used by minimal-ws-server-ring, minimal-http-server-sse-ring
 * and minimal-ws-broker). An element is freed, and handed to `destroy`, once every
 * reader has consumed it: the oldest tail decides (lws_ring_update_oldest_tail).
 */

/** What `insert` does when the slowest reader still holds every slot. */
export type LwsRingPolicy = 'wait' | 'drop-oldest';

/** Options of `new LwsRing()`. */
export interface LwsRingOptions<T> {
  /** Most elements alive at once: a positive integer, allocated up front. */
  capacity: number;
  /**
   * `'wait'` (default): `insert` fails while full, the writer waits for the slowest reader.
   * `'drop-oldest'`: `insert` frees the oldest element and moves lagging readers past it.
   */
  policy?: LwsRingPolicy;
  /** Called exactly once per element when the ring lets go of it (lws_ring's destroy_element); must not throw. */
  destroy?: (item: T) => void;
}

/** Options of `ring.addReader()`. */
export interface LwsRingReaderOptions {
  /**
   * `'head'` (default): see only elements inserted from now on.
   * `'oldest'`: also see every element still held for the slowest reader (lws_ring_get_oldest_tail).
   */
  start?: 'head' | 'oldest';
}

interface ReaderState {
  /** Sequence number of the next element to read; may lag `oldest` after drops until synced. */
  tail: number;
  dropped: number;
  attached: boolean;
}

const MAX_CAPACITY = 2 ** 32 - 1; // the longest JS array

/*
 * Elements are numbered by insertion (sequence numbers, safe for 2^53 inserts);
 * element `s` lives in slot `s % capacity`. Live elements are [oldest, head).
 * `atTail` counts readers per tail, so the oldest tail moves in amortised O(1):
 * when no reader is left at `oldest`, `release()` walks forward, freeing each
 * element it passes, to the next occupied tail. No scan over readers is needed.
 * A reader behind `oldest` (its elements were dropped) is counted at `oldest`
 * and catches up, adding to its `dropped` counter, the next time it is used.
 */
class RingCore<T> {
  readonly capacity: number;
  readonly policy: LwsRingPolicy;
  readonly destroy: ((item: T) => void) | undefined;
  readonly slots: (T | undefined)[];
  readonly readers = new Map<LwsRingReader<T>, ReaderState>();
  readonly atTail = new Map<number, number>();
  head = 0;
  oldest = 0;

  constructor(capacity: number, policy: LwsRingPolicy, destroy: ((item: T) => void) | undefined) {
    this.capacity = capacity;
    this.policy = policy;
    this.destroy = destroy;
    this.slots = new Array<T | undefined>(capacity).fill(undefined);
  }

  insert(item: T): boolean {
    let freed = false;
    let victim: T | undefined;
    if (this.head - this.oldest === this.capacity) {
      if (this.policy === 'wait') return false;
      // Readers at the oldest tail lose that element: move them one place on.
      const behind = this.atTail.get(this.oldest) ?? 0;
      this.atTail.delete(this.oldest);
      victim = this.#unlinkOldest();
      freed = true;
      if (behind > 0) this.#count(this.oldest, behind);
    }
    this.slots[this.head % this.capacity] = item;
    this.head++;
    // State is final before user code runs, so a destroy callback may use the ring.
    if (freed) this.destroy?.(victim as T);
    if (this.readers.size === 0) this.release();
    return true;
  }

  /** Frees elements from `oldest` up to the first tail a reader still sits at. */
  release(): void {
    while (this.oldest < this.head && (this.readers.size === 0 || !this.atTail.has(this.oldest))) {
      const item = this.#unlinkOldest();
      this.destroy?.(item);
    }
  }

  sync(state: ReaderState): void {
    if (state.tail < this.oldest) {
      state.dropped += this.oldest - state.tail;
      state.tail = this.oldest;
    }
  }

  consume(state: ReaderState, n: number): number {
    this.sync(state);
    const k = Math.min(n, this.head - state.tail);
    if (k === 0) return 0;
    const from = state.tail;
    this.#count(from, -1);
    this.#count(from + k, 1);
    state.tail += k;
    if (from === this.oldest) this.release();
    return k;
  }

  attach(handle: LwsRingReader<T>, state: ReaderState): void {
    this.readers.set(handle, state);
    this.#count(state.tail, 1);
  }

  detach(handle: LwsRingReader<T>, state: ReaderState): void {
    this.sync(state);
    this.readers.delete(handle);
    this.#count(state.tail, -1);
    state.attached = false;
    this.release();
  }

  clear(): void {
    this.atTail.clear();
    if (this.readers.size > 0) this.atTail.set(this.head, this.readers.size);
    this.release();
  }

  #unlinkOldest(): T {
    const i = this.oldest % this.capacity;
    const item = this.slots[i] as T;
    this.slots[i] = undefined; // drop the reference: memory stays bounded by live elements
    this.oldest++;
    return item;
  }

  #count(tail: number, delta: number): void {
    const n = (this.atTail.get(tail) ?? 0) + delta;
    if (n === 0) this.atTail.delete(tail);
    else this.atTail.set(tail, n);
  }
}

function checkCount(what: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`Cannot ${what}: count must be a non-negative integer, got ${String(n)}`);
  }
}

/**
 * One reader's view of an {@link LwsRing}: its own tail (lws_ring "tail"), made by
 * `ring.addReader()`. Peek at an element, use it, then consume it in the same
 * synchronous turn: under `'drop-oldest'` an insert in between may drop it.
 *
 * @example
 * ```ts
 * const reader = ring.addReader();
 * while (reader.waiting > 0) {
 *   send(reader.peek()!);
 *   reader.consume();
 * }
 * ```
 */
export interface LwsRingReader<T> {
  /** Elements this reader has not consumed yet (lws_ring_get_count_waiting_elements). */
  readonly waiting: number;
  /** Elements dropped before this reader consumed them (`'drop-oldest'`, or `ring.clear()`); only grows. */
  readonly dropped: number;
  /** True once `remove()` was called. */
  readonly removed: boolean;
  /**
   * The element `offset` places after this reader's tail, without consuming it
   * (lws_ring_get_element); `undefined` when fewer are waiting.
   */
  peek(offset?: number): T | undefined;
  /**
   * Moves this tail past up to `n` (default 1) elements and returns how many it
   * passed (lws_ring_consume). Elements no other reader still needs are freed now.
   */
  consume(n?: number): number;
  /** Detaches this reader, releasing its hold on unread elements; calling it again does nothing. */
  remove(): void;
}

class RingReader<T> implements LwsRingReader<T> {
  #core: RingCore<T>;
  #state: ReaderState;

  constructor(core: RingCore<T>, start: 'head' | 'oldest') {
    this.#core = core;
    this.#state = { tail: start === 'oldest' ? core.oldest : core.head, dropped: 0, attached: true };
    core.attach(this, this.#state);
  }

  get waiting(): number {
    if (!this.#state.attached) return 0;
    this.#core.sync(this.#state);
    return this.#core.head - this.#state.tail;
  }

  get dropped(): number {
    if (this.#state.attached) this.#core.sync(this.#state);
    return this.#state.dropped;
  }

  get removed(): boolean {
    return !this.#state.attached;
  }

  peek(offset = 0): T | undefined {
    checkCount('peek', offset);
    if (offset >= this.waiting) return undefined;
    return this.#core.slots[(this.#state.tail + offset) % this.#core.capacity];
  }

  consume(n = 1): number {
    checkCount('consume', n);
    if (!this.#state.attached) return 0;
    return this.#core.consume(this.#state, n);
  }

  remove(): void {
    if (this.#state.attached) this.#core.detach(this, this.#state);
  }
}

/**
 * A bounded ring of elements with one writer and many readers, each with its own
 * tail (lws_ring). Memory holds at most `capacity` elements; an element is freed
 * (and passed to `destroy`) when every reader has consumed it, or when it is
 * dropped under the `'drop-oldest'` policy. Insert, peek, consume and remove are
 * amortised O(1); only `slowestReader` scans the readers.
 *
 * @example
 * ```ts
 * const ring = new LwsRing<string>({ capacity: 8 });
 * const a = ring.addReader();
 * const b = ring.addReader();
 * ring.insert('hello');
 * a.peek(); // 'hello'
 * a.consume();
 * ring.size; // 1: b still holds it
 * b.consume();
 * ring.size; // 0
 * ```
 */
export class LwsRing<T> {
  #core: RingCore<T>;

  constructor(options: LwsRingOptions<T>) {
    const { capacity, policy = 'wait', destroy } = options;
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY) {
      throw new RangeError(
        `Cannot create ring: capacity must be an integer from 1 to ${MAX_CAPACITY}, got ${String(capacity)}`,
      );
    }
    if (policy !== 'wait' && policy !== 'drop-oldest') {
      throw new TypeError(`Cannot create ring: policy must be 'wait' or 'drop-oldest', got '${String(policy)}'`);
    }
    if (destroy !== undefined && typeof destroy !== 'function') {
      throw new TypeError(`Cannot create ring: destroy must be a function, got ${typeof destroy}`);
    }
    this.#core = new RingCore(capacity, policy, destroy);
  }

  /** Most elements alive at once. */
  get capacity(): number {
    return this.#core.capacity;
  }

  /** The overflow policy chosen at construction. */
  get policy(): LwsRingPolicy {
    return this.#core.policy;
  }

  /** Elements alive: inserted and not yet consumed by every reader. */
  get size(): number {
    return this.#core.head - this.#core.oldest;
  }

  /** Inserts that succeed without dropping anything (lws_ring_get_count_free_elements). */
  get freeSlots(): number {
    return this.#core.capacity - this.size;
  }

  /** Readers attached now. */
  get readerCount(): number {
    return this.#core.readers.size;
  }

  /**
   * A reader at the oldest tail, the one the writer waits for under `'wait'`: a
   * server can flow-control or drop its client. `undefined` with no readers. O(readers).
   */
  get slowestReader(): LwsRingReader<T> | undefined {
    let slowest: LwsRingReader<T> | undefined;
    let min = Infinity;
    for (const [reader, state] of this.#core.readers) {
      const tail = Math.max(state.tail, this.#core.oldest);
      if (tail < min) {
        min = tail;
        slowest = reader;
        if (tail === this.#core.oldest) break;
      }
    }
    return slowest;
  }

  /**
   * Adds `item` at the head (lws_ring_insert). Under `'wait'` returns false, and
   * keeps nothing, when full. With no reader attached the item is freed at once.
   */
  insert(item: T): boolean {
    return this.#core.insert(item);
  }

  /** Inserts `items` in order until one does not fit; returns how many were inserted. */
  insertMany(items: readonly T[]): number {
    let n = 0;
    while (n < items.length && this.#core.insert(items[n] as T)) n++;
    return n;
  }

  /** Attaches a new reader, by default at the head: it sees only elements inserted from now on. */
  addReader(options: LwsRingReaderOptions = {}): LwsRingReader<T> {
    const { start = 'head' } = options;
    if (start !== 'head' && start !== 'oldest') {
      throw new TypeError(`Cannot add reader: start must be 'head' or 'oldest', got '${String(start)}'`);
    }
    return new RingReader<T>(this.#core, start);
  }

  /** Frees every element now; readers that had some waiting count them as dropped. */
  clear(): void {
    this.#core.clear();
  }
}
