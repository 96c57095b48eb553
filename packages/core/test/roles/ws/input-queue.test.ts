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
});
