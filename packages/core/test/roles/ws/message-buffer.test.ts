import { describe, expect, it } from 'vitest';
import { MessageBuffer } from '../../../src/roles/ws/message-buffer.js';

/** A copy in memory of its own (Buffer.from may take adjacent slices of Node's pool, which a view could join). */
function apart(b: Buffer): Buffer {
  const out = Buffer.alloc(b.length);
  b.copy(out);
  return out;
}

describe('MessageBuffer', () => {
  it('keeps a trickled message in a few buffers, not one per byte', () => {
    const m = new MessageBuffer();
    const bytes = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i & 0xff));
    for (let i = 0; i < bytes.length; i++) m.push(bytes.subarray(i, i + 1));
    const pieces = m.takePieces();
    expect(pieces.length).toBeLessThanOrEqual(Math.ceil(100_000 / 4096) + 2);
    expect(Buffer.concat(pieces).equals(bytes)).toBe(true);
  });

  it('keeps the first piece and large pieces as views', () => {
    const m = new MessageBuffer();
    const first = Buffer.from('a');
    const large = Buffer.alloc(300, 2);
    m.push(first);
    m.push(Buffer.from('b'));
    m.push(large);
    const pieces = m.takePieces();
    expect(pieces[0]).toBe(first);
    expect(pieces[2]).toBe(large);
    expect(Buffer.concat(pieces).subarray(0, 2).toString()).toBe('ab');
  });

  it('returns a single piece without copying, and empty after take or clear', () => {
    const m = new MessageBuffer();
    const only = Buffer.from('hello');
    m.push(only);
    expect(m.take()).toBe(only);
    expect(m.take()).toHaveLength(0);
    m.push(only);
    m.clear();
    expect(m.take()).toHaveLength(0);
  });

  it('collects a frame announced by its size into one buffer of that size', () => {
    const m = new MessageBuffer();
    const frame = Buffer.from(Array.from({ length: 16384 }, (_, i) => i & 0xff));
    // arrives in three reads, each in a buffer of its own: 5000 bytes (11384 more to come), 10000, then 1384
    expect(m.push(apart(frame.subarray(0, 5000)), 11384)).toBe(true); // kept open: the next read may continue it
    expect(m.push(apart(frame.subarray(5000, 15000)), 1384)).toBe(false); // it did not: both copied
    expect(m.push(apart(frame.subarray(15000)), 0)).toBe(false);
    const out = m.take();
    expect(out.equals(frame)).toBe(true);
    // exactly one allocation of the frame's size (Node 24's Buffer pool takes up to 32 KiB)
    expect(out.buffer.byteLength).toBe(16384 < Buffer.poolSize >>> 1 ? Buffer.poolSize : 16384);
  });

  it('does not size a buffer from a header announcing more than 64 KiB, and mixes with later frames', () => {
    const m = new MessageBuffer();
    const first = Buffer.alloc(10, 1);
    m.push(first, 1 << 20); // a 1 MiB frame claimed: keep the view, allocate nothing for the rest
    expect(m.takePieces()[0]).toBe(first);
    m.push(Buffer.from('ab'), 2); // fill mode for a 4-byte frame
    m.push(Buffer.from('cd'), 0);
    m.push(Buffer.from('e')); // a continuation frame after it: appended as usual
    expect(m.take().toString()).toBe('abcde');
    m.push(Buffer.from('xy'), 5);
    m.clear();
    expect(m.take()).toHaveLength(0);
  });

  it('extends the first piece of a frame in place when the next pieces continue it in memory', () => {
    const m = new MessageBuffer();
    const read = Buffer.from(Array.from({ length: 30_000 }, (_, i) => (i * 7) & 0xff));
    const frame = read.subarray(1000, 21_000); // a 20 000-byte frame's payload inside one read buffer
    expect(m.empty).toBe(true);
    expect(m.push(frame.subarray(0, 6000), 14_000)).toBe(true);
    expect(m.empty).toBe(false);
    expect(m.continues(frame.subarray(6000, 7000))).toBe(true);
    expect(m.continues(frame.subarray(6001, 7000))).toBe(false); // a gap
    expect(m.continues(apart(frame.subarray(6000, 7000)))).toBe(false); // another buffer
    expect(m.push(frame.subarray(6000, 15_000), 5000)).toBe(true);
    expect(m.push(frame.subarray(15_000), 0)).toBe(true);
    const out = m.take();
    expect(out.equals(frame)).toBe(true);
    expect(out.buffer).toBe(read.buffer); // a view: nothing copied
    expect(out.byteOffset).toBe(frame.byteOffset);
    expect(m.empty).toBe(true);
  });

  it('copies a lent piece even when it would continue the open view', () => {
    const m = new MessageBuffer();
    const read = Buffer.alloc(20_000, 3);
    expect(m.push(read.subarray(0, 5000), 10_000)).toBe(true);
    expect(m.push(read.subarray(5000, 15_000), 0, true)).toBe(false);
    const out = m.take();
    read.fill(9); // the lender reuses its buffer: what was lent must have been copied
    expect(out.length).toBe(15_000);
    expect(out.subarray(5000).every((b) => b === 3)).toBe(true);
  });

  it('forgets the open view on clear, so the next message starts fresh', () => {
    const m = new MessageBuffer();
    const read = Buffer.alloc(20_000, 4);
    m.push(read.subarray(0, 5000), 10_000);
    m.clear();
    expect(m.empty).toBe(true);
    expect(m.continues(read.subarray(5000))).toBe(false);
    m.push(Buffer.from('x'));
    expect(m.take().toString()).toBe('x');
  });
});
