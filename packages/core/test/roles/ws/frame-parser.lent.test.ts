/*
 * Lent chunks (the transport's shared read buffer, reused after each call):
 * the parser must give events and keep unparsed bytes that no later reuse
 * of the buffer can change. Each case parses a client stream with owned
 * chunks, with every chunk lent from one buffer that is scribbled over
 * after each push, and as 'own' chunks (a connection's own read buffer:
 * large payloads kept as views, the buffer replaced once they are), and
 * requires the same events.
 */
import { describe, expect, it } from 'vitest';
import { PerMessageDeflate } from '../../../src/roles/ws/permessage-deflate.js';
import { OWN_MIN_PAYLOAD, WsFrameParser, type WsFrameEvent, type WsFrameParserOptions } from '../../../src/roles/ws/frame-parser.js';
import { WsFrameWriter } from '../../../src/roles/ws/frame-writer.js';
import { plain } from './split.js';

const PARAMS = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };

function payload(n: number, seed: number): Buffer {
  return Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));
}

/** A client stream touching every place the parser keeps bytes. */
function clientStream(deflate: boolean): Buffer {
  const w = new WsFrameWriter({ isServer: false, ...(deflate ? { deflate: new PerMessageDeflate({ isServer: false, params: PARAMS, threshold: 0 }) } : {}) });
  const frames: Buffer[] = [
    ...w.message(payload(16 * 1024, 1), { binary: true }),
    ...w.message('hello'),
    ...w.ping('are you there'),
    ...w.message(payload(300, 2), { binary: true }),
    ...w.fragment('κόσμε, part one; ', { first: true, final: false }),
    ...w.pong('pong payload'),
    ...w.fragment(payload(70_000, 3).toString('latin1').replace(/[^\x20-\x7e]/g, 'x'), { first: false, final: false }),
    ...w.fragment(' and the end', { first: false, final: true }),
    ...w.message(payload(100_000, 4), { binary: true }),
    ...w.message(payload(5, 5), { binary: true }),
    ...w.close(1000, 'bye'),
  ];
  return Buffer.concat(frames);
}

/** How the chunks are handed over: owned, lent from one reused buffer, or 'own' (lent, large payloads may be kept). */
type Mode = 'owned' | 'lent' | 'own';

interface Parsed {
  events: WsFrameEvent[];
  /** Pushes after which the parser said it kept views of the chunk. */
  kept: number;
  /** Pushes that carried payload of large frames. */
  large: number;
}

function parse(opts: WsFrameParserOptions, stream: Buffer, step: number, mode: Mode): Parsed {
  const parser = new WsFrameParser(opts);
  let buffer = Buffer.alloc(step);
  const out: Parsed = { events: [], kept: 0, large: 0 };
  for (let at = 0; at < stream.length; at += step) {
    const piece = stream.subarray(at, Math.min(at + step, stream.length));
    if (mode === 'owned') {
      out.events.push(...parser.push(Buffer.from(piece)));
      continue;
    }
    piece.copy(buffer);
    out.events.push(...parser.push(buffer.subarray(0, piece.length), mode === 'own' ? 'own' : true));
    if (parser.largeFrames) out.large++;
    if (parser.keptView) {
      out.kept++;
      buffer = Buffer.alloc(step); // the kept buffer is left to the views, as the transport does
    } else {
      buffer.fill(0xee); // the next read overwrites it
    }
  }
  return out;
}

describe('WsFrameParser with lent chunks', () => {
  for (const deflate of [false, true]) {
    for (const delivery of ['whole', 'fragments'] as const) {
      it(`gives the same events as owned chunks (${deflate ? 'deflate' : 'no deflate'}, ${delivery})`, () => {
        const stream = clientStream(deflate);
        const opts = (): WsFrameParserOptions => ({
          isServer: true,
          delivery,
          maxMessageSize: 1 << 20,
          ...(deflate ? { deflate: new PerMessageDeflate({ isServer: true, params: PARAMS }) } : {}),
        });
        for (const step of [1, 3, 13, 127, 1000, 4096, 16 * 1024 + 3, 65_536, stream.length]) {
          const owned = plain(parse(opts(), stream, step, 'owned').events);
          expect(owned.at(-1)).toEqual({ type: 'close', code: 1000, reason: 'bye' });
          const lent = parse(opts(), stream, step, 'lent');
          expect(plain(lent.events)).toEqual(owned);
          expect(lent.kept).toBe(0); // a lent chunk is never kept
          // the 16 KiB, 70 KB and 100 KB frames (compressed, these payloads shrink under OWN_MIN_PAYLOAD)
          if (!deflate) expect(lent.large).toBeGreaterThan(0);
          const own = parse(opts(), stream, step, 'own');
          expect(plain(own.events)).toEqual(owned);
          // a large payload arriving whole in one chunk is kept, not copied
          if (step >= 65_536 && !deflate) expect(own.kept).toBeGreaterThan(0);
          // no piece reaches OWN_MIN_PAYLOAD: only the 16 KiB frame's first piece is kept, open for the rest
          // to extend it in memory (here the next chunk lands in a new buffer, so the frame is copied after all)
          if (step < OWN_MIN_PAYLOAD) expect(own.kept).toBe(!deflate && delivery === 'whole' ? 1 : 0);
        }
      });
    }
  }

  it('reports no large frames and keeps nothing for small messages', () => {
    const w = new WsFrameWriter({ isServer: false });
    const stream = Buffer.concat(Array.from({ length: 50 }, (_, i) => w.message(payload(OWN_MIN_PAYLOAD - 1, i), { binary: true })).flat());
    for (const mode of ['lent', 'own'] as const) {
      const got = parse({ isServer: true }, stream, 65_536, mode);
      expect(got.events).toHaveLength(50);
      expect(got.kept).toBe(0);
      expect(got.large).toBe(0);
    }
  });

  it('delivers a frame split over two reads as one view when the second read lands right after the first', () => {
    const w = new WsFrameWriter({ isServer: false });
    const body = payload(20_000, 7);
    const stream = Buffer.concat([...w.message(payload(100, 6), { binary: true }), ...w.message(body, { binary: true }), ...w.close(1000)]);
    // the transport's own-buffer rule: after a push that kept views, the next read goes right after it
    const read = Buffer.alloc(64 * 1024);
    const parser = new WsFrameParser({ isServer: true });
    const events: WsFrameEvent[] = [];
    let at = 0;
    for (const [from, to] of [[0, 8_000], [8_000, 15_000], [15_000, stream.length]] as const) {
      const chunk = read.subarray(at, at + (to - from));
      stream.copy(chunk, 0, from, to);
      events.push(...parser.push(chunk, 'own'));
      expect(parser.keptView).toBe(true); // each read held part of the 20 000-byte frame, kept in place
      at += to - from;
    }
    const got = events.find((e) => e.type === 'message' && e.data.length === 20_000);
    expect(got?.type === 'message' && got.data.equals(body)).toBe(true);
    expect(got?.type === 'message' && got.data.buffer).toBe(read.buffer); // one view across three reads: no copy
    expect(events.at(-1)).toEqual({ type: 'close', code: 1000, reason: '' });
  });

  it('copies the frame once when the rest of it lands elsewhere', () => {
    const w = new WsFrameWriter({ isServer: false });
    const body = payload(20_000, 8);
    const stream = Buffer.concat(w.message(body, { binary: true }));
    const parser = new WsFrameParser({ isServer: true });
    // Buffer.alloc, not Buffer.from: two slices of Node's pool may lie side by side and be joined
    const first = Buffer.alloc(9_000);
    stream.copy(first, 0, 0, 9_000);
    expect(parser.push(first, 'own')).toEqual([]);
    expect(parser.keptView).toBe(true);
    const second = Buffer.alloc(stream.length - 9_000); // another buffer
    stream.copy(second, 0, 9_000);
    const [ev] = parser.push(second, 'own');
    expect(parser.keptView).toBe(false); // the rest was copied, not kept
    first.fill(0); // the first read's buffer is free again
    second.fill(0);
    expect(ev?.type === 'message' && ev.data.equals(body)).toBe(true);
  });

  it('keeps small pieces of a later frame of a fragmented message as copies, not views', () => {
    const w = new WsFrameWriter({ isServer: false });
    const rest = payload(20_000, 9);
    const stream = Buffer.concat([...w.fragment(Buffer.from('a'), { binary: true, first: true, final: false }), ...w.fragment(rest, { first: false, final: true })]);
    const parser = new WsFrameParser({ isServer: true });
    const kept: boolean[] = [];
    const events: WsFrameEvent[] = [];
    for (let at = 0; at < stream.length; at += 1000) {
      const chunk = Buffer.alloc(Math.min(1000, stream.length - at)); // each read in a new buffer (not a pool slice)
      stream.copy(chunk, 0, at, at + chunk.length);
      events.push(...parser.push(chunk, 'own'));
      kept.push(parser.keptView);
    }
    // the message already holds 'a': its second frame's 1000-byte pieces are copied (none would pin a read buffer)
    expect(kept.every((k) => !k)).toBe(true);
    const [ev] = events;
    expect(ev?.type === 'message' && ev.data.equals(Buffer.concat([Buffer.from('a'), rest]))).toBe(true);
  });
});
