import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { LwsRing, type LwsRingPolicy, type LwsRingReader } from '../../src/misc/ring.js';

/** Reads everything waiting, consuming one element at a time. */
function drain<T>(reader: LwsRingReader<T>): T[] {
  const out: T[] = [];
  while (reader.waiting > 0) {
    out.push(reader.peek() as T);
    reader.consume();
  }
  return out;
}

/** A ring whose destroy callback records what it freed, and counts live elements. */
function tracked(capacity: number, policy: LwsRingPolicy = 'wait') {
  const destroyed: number[] = [];
  const ring = new LwsRing<number>({ capacity, policy, destroy: (n) => destroyed.push(n) });
  return { ring, destroyed };
}

/** mulberry32: a small seeded PRNG, so the random test replays exactly. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

describe('LwsRing construction', () => {
  it.each([0, -1, 1.5, Number.NaN, Infinity, 2 ** 32])('rejects capacity %s with a RangeError', (capacity) => {
    expect(() => new LwsRing({ capacity })).toThrow(
      new RangeError(`Cannot create ring: capacity must be an integer from 1 to 4294967295, got ${capacity}`),
    );
  });

  it('rejects an unknown policy and a non-function destroy with a TypeError', () => {
    expect(() => new LwsRing({ capacity: 1, policy: 'block' as LwsRingPolicy })).toThrow(
      new TypeError(`Cannot create ring: policy must be 'wait' or 'drop-oldest', got 'block'`),
    );
    expect(() => new LwsRing({ capacity: 1, destroy: 42 as unknown as () => void })).toThrow(
      new TypeError('Cannot create ring: destroy must be a function, got number'),
    );
  });

  it('starts empty with every slot free and the wait policy', () => {
    const ring = new LwsRing<string>({ capacity: 4 });
    expect([ring.capacity, ring.size, ring.freeSlots, ring.readerCount, ring.policy]).toEqual([4, 0, 4, 0, 'wait']);
    expect(ring.slowestReader).toBeUndefined();
  });

  it('rejects a bad consume or peek count with a RangeError', () => {
    const reader = new LwsRing<number>({ capacity: 2 }).addReader();
    expect(() => reader.consume(-1)).toThrow(
      new RangeError('Cannot consume: count must be a non-negative integer, got -1'),
    );
    expect(() => reader.peek(0.5)).toThrow(new RangeError('Cannot peek: count must be a non-negative integer, got 0.5'));
    expect(() => new LwsRing({ capacity: 1 }).addReader({ start: 'tail' as 'head' })).toThrow(
      new TypeError(`Cannot add reader: start must be 'head' or 'oldest', got 'tail'`),
    );
  });
});

describe('LwsRing readers', () => {
  it('gives a single reader its elements in FIFO order', () => {
    const ring = new LwsRing<string>({ capacity: 4 });
    const reader = ring.addReader();
    for (const s of ['a', 'b', 'c']) expect(ring.insert(s)).toBe(true);
    expect(reader.waiting).toBe(3);
    expect([reader.peek(), reader.peek(1), reader.peek(2), reader.peek(3)]).toEqual(['a', 'b', 'c', undefined]);
    expect(drain(reader)).toEqual(['a', 'b', 'c']);
    expect(ring.size).toBe(0);
  });

  it('consumes at most what is waiting and returns how many it passed', () => {
    const ring = new LwsRing<number>({ capacity: 4 });
    const reader = ring.addReader();
    ring.insertMany([1, 2, 3]);
    expect(reader.consume(2)).toBe(2);
    expect(reader.consume(10)).toBe(1);
    expect(reader.consume()).toBe(0);
    expect(reader.consume(0)).toBe(0);
  });

  it('shows a new reader only elements inserted after it joined', () => {
    const ring = new LwsRing<number>({ capacity: 8 });
    const early = ring.addReader();
    ring.insertMany([1, 2, 3]);
    const late = ring.addReader();
    expect(late.waiting).toBe(0);
    ring.insert(4);
    expect(drain(late)).toEqual([4]);
    expect(drain(early)).toEqual([1, 2, 3, 4]);
  });

  it("shows a reader started at 'oldest' the backlog still held for the slowest reader", () => {
    const ring = new LwsRing<number>({ capacity: 8 });
    const slow = ring.addReader();
    ring.insertMany([1, 2, 3]);
    slow.consume();
    const joiner = ring.addReader({ start: 'oldest' });
    expect(drain(joiner)).toEqual([2, 3]);
    expect(ring.size).toBe(2);
  });

  it('keeps each reader at its own pace: all see the same sequence, memory follows the slowest', () => {
    const { ring, destroyed } = tracked(5);
    const paces = [1, 2, 3];
    const readers = paces.map(() => ring.addReader());
    const seen: number[][] = paces.map(() => []);
    let next = 0;
    for (let round = 0; round < 300; round++) {
      while (ring.insert(next)) next++;
      readers.forEach((r, i) => {
        for (let k = 0; k < (paces[i] as number) && r.waiting > 0; k++) {
          seen[i]?.push(r.peek() as number);
          r.consume();
        }
      });
      expect(ring.size).toBe(Math.max(...readers.map((r) => r.waiting)));
    }
    for (const [i, r] of readers.entries()) seen[i]?.push(...drain(r));
    const all = Array.from({ length: next }, (_, i) => i);
    expect(seen).toEqual([all, all, all]);
    expect(destroyed).toEqual(all);
  });

  it('wraps around many times without losing or reordering elements', () => {
    const ring = new LwsRing<number>({ capacity: 3 });
    const reader = ring.addReader();
    const out: number[] = [];
    for (let i = 0; i < 10_000; i += 2) {
      ring.insertMany([i, i + 1]);
      out.push(...drain(reader));
    }
    expect(out).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
  });

  it('releases a removed reader’s hold at once, and ignores a second remove', () => {
    const { ring, destroyed } = tracked(4);
    const fast = ring.addReader();
    const slow = ring.addReader();
    ring.insertMany([1, 2, 3]);
    drain(fast);
    expect(destroyed).toEqual([]);
    slow.remove();
    expect(destroyed).toEqual([1, 2, 3]);
    expect([ring.size, ring.readerCount, slow.removed, slow.waiting]).toEqual([0, 1, true, 0]);
    slow.remove();
    expect(ring.readerCount).toBe(1);
  });

  it('makes a removed reader inert: nothing waiting, nothing to consume', () => {
    const ring = new LwsRing<number>({ capacity: 2 });
    const reader = ring.addReader();
    ring.insert(1);
    reader.remove();
    expect([reader.peek(), reader.consume(), reader.waiting, reader.dropped]).toEqual([undefined, 0, 0, 0]);
  });
});

describe("LwsRing 'wait' policy", () => {
  it('refuses an insert that would overrun the slowest reader, and names that reader', () => {
    const ring = new LwsRing<number>({ capacity: 3 });
    const fast = ring.addReader();
    const slow = ring.addReader();
    expect(ring.insertMany([1, 2, 3, 4])).toBe(3);
    drain(fast);
    expect([ring.freeSlots, ring.insert(4)]).toEqual([0, false]);
    expect(ring.slowestReader).toBe(slow);
    slow.consume();
    expect([ring.freeSlots, ring.insert(4), ring.freeSlots]).toEqual([1, true, 0]);
    expect(drain(slow)).toEqual([2, 3, 4]);
    expect(slow.dropped).toBe(0);
  });

  it('lets the writer go on once the slowest reader is removed (a server dropping that client)', () => {
    const ring = new LwsRing<number>({ capacity: 2 });
    const keen = ring.addReader();
    ring.addReader();
    ring.insertMany([1, 2]);
    drain(keen);
    expect(ring.insert(3)).toBe(false);
    ring.slowestReader?.remove();
    expect(ring.insert(3)).toBe(true);
    expect(drain(keen)).toEqual([3]);
  });

  it('works with capacity 1: one element in flight at a time', () => {
    const { ring, destroyed } = tracked(1);
    const reader = ring.addReader();
    expect([ring.insert(1), ring.insert(2)]).toEqual([true, false]);
    expect(drain(reader)).toEqual([1]);
    expect([ring.insert(2), reader.peek()]).toEqual([true, 2]);
    expect(destroyed).toEqual([1]);
  });
});

describe("LwsRing 'drop-oldest' policy", () => {
  it('always inserts, moving lagging readers past dropped elements and counting them', () => {
    const { ring, destroyed } = tracked(3, 'drop-oldest');
    const fast = ring.addReader();
    const slow = ring.addReader();
    for (let i = 1; i <= 5; i++) {
      expect(ring.insert(i)).toBe(true);
      fast.consume();
    }
    expect([slow.dropped, slow.waiting, slow.peek()]).toEqual([2, 3, 3]);
    expect(destroyed).toEqual([1, 2]);
    expect(drain(slow)).toEqual([3, 4, 5]);
    expect([fast.dropped, slow.dropped]).toEqual([0, 2]);
    expect(destroyed).toEqual([1, 2, 3, 4, 5]);
  });

  it('drops only for the readers that lag, and insertMany reports every element inserted', () => {
    const ring = new LwsRing<number>({ capacity: 2, policy: 'drop-oldest' });
    const a = ring.addReader();
    ring.insert(1);
    const b = ring.addReader();
    expect(ring.insertMany([2, 3, 4])).toBe(3);
    expect([drain(a), a.dropped]).toEqual([[3, 4], 2]);
    expect([drain(b), b.dropped]).toEqual([[3, 4], 1]);
  });

  it('works with capacity 1: the newest element replaces the unread one', () => {
    const { ring, destroyed } = tracked(1, 'drop-oldest');
    const reader = ring.addReader();
    ring.insertMany([1, 2, 3]);
    expect([reader.peek(), reader.dropped, destroyed]).toEqual([3, 2, [1, 2]]);
  });
});

describe('LwsRing destroy callback', () => {
  it('frees an element only when the last reader consumes it', () => {
    const { ring, destroyed } = tracked(4);
    const a = ring.addReader();
    const b = ring.addReader();
    ring.insertMany([1, 2]);
    a.consume(2);
    b.consume();
    expect(destroyed).toEqual([1]);
    b.consume();
    expect(destroyed).toEqual([1, 2]);
  });

  it('frees an element at once when no reader is attached', () => {
    const { ring, destroyed } = tracked(2);
    expect(ring.insertMany([1, 2, 3])).toBe(3);
    expect([destroyed, ring.size]).toEqual([[1, 2, 3], 0]);
  });

  it('frees everything on clear, counting unread elements as dropped', () => {
    const { ring, destroyed } = tracked(4);
    const a = ring.addReader();
    const b = ring.addReader();
    ring.insertMany([1, 2, 3]);
    a.consume();
    ring.clear();
    expect([destroyed, ring.size, a.dropped, b.dropped, a.waiting]).toEqual([[1, 2, 3], 0, 2, 3, 0]);
    ring.insert(4);
    expect([drain(a), drain(b)]).toEqual([[4], [4]]);
  });

  it('lets destroy use the ring: re-inserting from the callback keeps every element intact', () => {
    const destroyed: number[] = [];
    const ring: LwsRing<number> = new LwsRing<number>({
      capacity: 2,
      destroy: (n) => {
        destroyed.push(n);
        if (n < 10) ring.insert(n + 10);
      },
    });
    const reader = ring.addReader();
    ring.insertMany([1, 2]);
    expect(drain(reader)).toEqual([1, 2, 11, 12]);
    expect(destroyed).toEqual([1, 2, 11, 12]);
  });

  it('never holds more than capacity live elements, with a reader that never reads', () => {
    for (const policy of ['wait', 'drop-oldest'] as const) {
      let live = 0;
      const ring = new LwsRing<object>({ capacity: 16, policy, destroy: () => live-- });
      const stuck = ring.addReader();
      const busy = ring.addReader();
      for (let i = 0; i < 1000; i++) {
        if (ring.insert({ i })) live++;
        busy.consume();
        expect(live).toBeLessThanOrEqual(16);
        expect(live).toBe(ring.size);
      }
      stuck.remove();
      busy.remove();
      expect(live).toBe(0);
    }
  });
});

/** A full garbage collection; V8 exposes `gc` to contexts made after the flag is set. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('LwsRing memory', () => {
  it('lets go of a freed element so the garbage collector can reclaim it', async () => {
    for (const policy of ['wait', 'drop-oldest'] as const) {
      const ring = new LwsRing<object>({ capacity: 4, policy });
      const reader = ring.addReader();
      const refs = [new WeakRef({}), new WeakRef({})];
      for (const ref of refs) ring.insert(ref.deref() as object);
      reader.consume(2);
      // A WeakRef made in this job keeps its target alive until the job ends.
      await new Promise((resolve) => setImmediate(resolve));
      collectGarbage();
      expect(refs.map((r) => r.deref())).toEqual([undefined, undefined]);
    }
  });
});

/*
 * The model: every inserted value kept in an array by sequence number, reader
 * tails moved eagerly, the oldest tail recomputed from scratch after each step.
 */
class Model {
  values: number[] = [];
  oldest = 0;
  readers: { tail: number; dropped: number }[] = [];
  destroyed: number[] = [];
  readonly capacity: number;
  readonly policy: LwsRingPolicy;
  constructor(capacity: number, policy: LwsRingPolicy) {
    this.capacity = capacity;
    this.policy = policy;
  }
  get head(): number {
    return this.values.length;
  }
  insert(v: number): boolean {
    if (this.head - this.oldest === this.capacity) {
      if (this.policy === 'wait') return false;
      for (const r of this.readers) {
        if (r.tail === this.oldest) {
          r.tail++;
          r.dropped++;
        }
      }
      this.destroyed.push(this.values[this.oldest] as number);
      this.oldest++;
    }
    this.values.push(v);
    this.release();
    return true;
  }
  clear(): void {
    for (const r of this.readers) {
      r.dropped += this.head - r.tail;
      r.tail = this.head;
    }
    while (this.oldest < this.head) this.destroyed.push(this.values[this.oldest++] as number);
  }
  release(): void {
    const min = Math.min(this.head, ...this.readers.map((r) => r.tail));
    while (this.oldest < min) this.destroyed.push(this.values[this.oldest++] as number);
  }
}

describe('LwsRing against an array model', () => {
  it.each([
    [1, 'wait'],
    [3, 'wait'],
    [7, 'wait'],
    [1, 'drop-oldest'],
    [4, 'drop-oldest'],
    [7, 'drop-oldest'],
  ] as const)('agrees on every step of a seeded random run (capacity %i, %s)', (capacity, policy) => {
    const rand = prng(capacity * 7919 + policy.length);
    const destroyed: number[] = [];
    const ring = new LwsRing<number>({ capacity, policy, destroy: (n) => destroyed.push(n) });
    const model = new Model(capacity, policy);
    const readers: LwsRingReader<number>[] = [];
    let next = 0;
    let checked = 0; // destroy order is compared once per element, not once per step
    for (let step = 0; step < 3000; step++) {
      const op = rand(10);
      if (op < 4) {
        expect(ring.insert(next)).toBe(model.insert(next));
        next++;
      } else if (op < 7 && readers.length > 0) {
        const i = rand(readers.length);
        const n = rand(capacity + 2);
        const r = model.readers[i] as Model['readers'][number];
        const k = Math.min(n, model.head - r.tail);
        expect(readers[i]?.consume(n)).toBe(k);
        r.tail += k;
        model.release();
      } else if (op < 8 && readers.length < 5) {
        const start = rand(2) === 0 ? 'head' : 'oldest';
        readers.push(ring.addReader({ start }));
        model.readers.push({ tail: start === 'head' ? model.head : model.oldest, dropped: 0 });
      } else if (op < 9 && readers.length > 0) {
        const i = rand(readers.length);
        readers.splice(i, 1)[0]?.remove();
        model.readers.splice(i, 1);
        model.release();
      } else if (op === 9 && rand(10) === 0) {
        ring.clear();
        model.clear();
      }
      expect([ring.size, ring.freeSlots]).toEqual([model.head - model.oldest, capacity - (model.head - model.oldest)]);
      expect(destroyed.slice(checked)).toEqual(model.destroyed.slice(checked));
      checked = destroyed.length;
      expect(model.head - destroyed.length).toBe(ring.size);
      for (const [i, reader] of readers.entries()) {
        const r = model.readers[i] as Model['readers'][number];
        expect([reader.waiting, reader.dropped]).toEqual([model.head - r.tail, r.dropped]);
        const off = rand(capacity + 1);
        expect(reader.peek(off)).toBe(model.values[r.tail + off]);
      }
      if (readers.length > 0) {
        expect(ring.slowestReader?.waiting).toBe(Math.max(...readers.map((r) => r.waiting)));
      }
    }
    expect(model.head).toBeGreaterThan(capacity * 50);
  });
});
