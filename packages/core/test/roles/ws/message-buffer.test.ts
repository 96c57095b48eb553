import { describe, expect, it } from 'vitest';
import { MessageBuffer } from '../../../src/roles/ws/message-buffer.js';

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
    // arrives in three reads: 5000 bytes (11384 more to come), 10000, then 1384
    m.push(frame.subarray(0, 5000), 11384);
    m.push(frame.subarray(5000, 15000), 1384);
    m.push(frame.subarray(15000), 0);
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
});
