import { describe, expect, it } from 'vitest';
import { InputQueue } from '../../../src/roles/ws/input-queue.js';

describe('InputQueue', () => {
  it('reads fields across chunks, copying only when a field spans chunks', () => {
    const q = new InputQueue();
    const a = Buffer.from([1, 2, 3]);
    q.push(a);
    q.push(new Uint8Array([4, 5]));
    q.push(Buffer.alloc(0));
    expect(q.length).toBe(5);
    expect(q.byte()).toBe(1);
    const view = q.take(2);
    expect(view.buffer).toBe(a.buffer);
    expect([...q.take(2)]).toEqual([4, 5]);
    expect(q.length).toBe(0);
    q.push(Buffer.from([6, 7]));
    q.push(Buffer.from([8]));
    expect([...q.take(3)]).toEqual([6, 7, 8]);
    q.push(Buffer.from([9]));
    q.clear();
    expect(q.length).toBe(0);
  });

  it('keeps chunks in order across many pushes, with fields spanning three chunks', () => {
    const q = new InputQueue();
    const bytes = Array.from({ length: 40 }, (_, i) => i);
    // chunks of 1..5 bytes
    for (let i = 0, n = 1; i < bytes.length; i += n, n = (n % 5) + 1) q.push(Buffer.from(bytes.slice(i, i + n)));
    expect(q.length).toBe(40);
    const out: number[] = [q.byte(), ...q.take(9), ...q.takeUpTo(100), ...q.take(13)];
    while (q.length > 0) out.push(q.byte());
    expect(out).toEqual(bytes);
  });

  it('own() replaces what is left by one copy, and later pushes queue behind it', () => {
    const q = new InputQueue();
    const lent = Buffer.from([1, 2, 3, 4]);
    q.push(lent);
    q.push(Buffer.from([5, 6]));
    q.byte();
    q.own();
    lent.fill(0); // the lender reuses its buffer
    q.push(Buffer.from([7]));
    expect(q.length).toBe(6);
    expect([...q.take(6)]).toEqual([2, 3, 4, 5, 6, 7]);
    q.own(); // nothing left: nothing to copy
    expect(q.length).toBe(0);
    q.push(Buffer.from([8, 9]));
    expect([...q.take(2)]).toEqual([8, 9]);
  });
});
