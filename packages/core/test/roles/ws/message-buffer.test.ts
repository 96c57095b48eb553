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
});
