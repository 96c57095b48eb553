/*
 * Lent chunks (the transport's shared read buffer, reused after each call):
 * the parser must give events and keep unparsed bytes that no later reuse
 * of the buffer can change. Each case parses a client stream twice, once
 * with owned chunks and once with every chunk lent from one buffer that is
 * scribbled over after each push, and requires the same events.
 */
import { describe, expect, it } from 'vitest';
import { PerMessageDeflate } from '../../../src/roles/ws/permessage-deflate.js';
import { WsFrameParser, type WsFrameEvent, type WsFrameParserOptions } from '../../../src/roles/ws/frame-parser.js';
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

function parse(opts: WsFrameParserOptions, stream: Buffer, step: number, lent: boolean): WsFrameEvent[] {
  const parser = new WsFrameParser(opts);
  const shared = Buffer.alloc(step);
  const events: WsFrameEvent[] = [];
  for (let at = 0; at < stream.length; at += step) {
    const piece = stream.subarray(at, Math.min(at + step, stream.length));
    if (lent) {
      piece.copy(shared);
      events.push(...parser.push(shared.subarray(0, piece.length), true));
      shared.fill(0xee); // the next read overwrites it
    } else {
      events.push(...parser.push(Buffer.from(piece)));
    }
  }
  return events;
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
          const owned = plain(parse(opts(), stream, step, false));
          expect(owned.at(-1)).toEqual({ type: 'close', code: 1000, reason: 'bye' });
          expect(plain(parse(opts(), stream, step, true))).toEqual(owned);
        }
      });
    }
  }
});
