import { describe, expect, it } from 'vitest';
import { WsFrameParser, type WsFrameParserOptions } from '../../../src/roles/ws/frame-parser.js';
import { feed, frame, hex, plain, splitEverywhere } from './split.js';

function lastEvent(options: WsFrameParserOptions, bytes: Uint8Array) {
  const runs = splitEverywhere(bytes).map((chunks) => plain(feed(new WsFrameParser(options), chunks).events));
  for (const run of runs) expect(run).toEqual(runs[0]);
  return runs[0]!.at(-1);
}

describe('WsFrameParser: control frame limit', () => {
  it('rejects a 126-byte ping with close 1002', () => {
    expect(lastEvent({ isServer: false }, hex('89 7e 00 7e' + '00'.repeat(126)))).toEqual({
      type: 'error',
      code: 'LWS_ERR_WS_CONTROL_TOO_LONG',
      message: 'Cannot accept ping frame: payload is 126 bytes, limit is 125',
      wire: { closeCode: 1002 },
    });
  });

  it('rejects a close announcing a 64-bit length before its payload arrives', () => {
    const parser = new WsFrameParser({ isServer: false });
    const [ev] = plain(parser.push(hex('88 7f 00 00 00 00 00 01 00 00')));
    expect(ev).toEqual({
      type: 'error',
      code: 'LWS_ERR_WS_CONTROL_TOO_LONG',
      message: 'Cannot accept close frame: payload is 65536 bytes, limit is 125',
      wire: { closeCode: 1002 },
    });
  });

  it('accepts a 125-byte pong', () => {
    expect(lastEvent({ isServer: false }, frame(0x8a, Buffer.alloc(125, 7)))).toMatchObject({ type: 'pong' });
  });
});

describe('WsFrameParser: 64-bit lengths', () => {
  it('rejects a 64-bit length with the most significant bit set with close 1002', () => {
    expect(lastEvent({ isServer: false }, hex('82 7f 80 00 00 00 00 00 00 00'))).toEqual({
      type: 'error',
      code: 'LWS_ERR_WS_LENGTH_INVALID',
      message: 'Cannot accept frame: 64-bit payload length has its most significant bit set',
      wire: { closeCode: 1002 },
    });
  });

  it('states a huge length exactly when rejecting it as too big', () => {
    expect(lastEvent({ isServer: false }, hex('82 7f 7f ff ff ff ff ff ff ff'))).toEqual({
      type: 'error',
      code: 'LWS_ERR_WS_FRAME_TOO_BIG',
      message: 'Cannot accept frame: payload is 9223372036854775807 bytes, limit is 16777216',
      wire: { closeCode: 1009 },
    });
  });

  it('accepts a non-minimal length encoding (a sender rule, RFC 6455 §5.2)', () => {
    expect(lastEvent({ isServer: false }, hex('82 7e 00 01 aa'))).toMatchObject({ type: 'message', data: 'aa' });
  });
});

describe('WsFrameParser: maxFrameSize and maxMessageSize', () => {
  it('rejects a frame over maxFrameSize with close 1009 at its header', () => {
    const parser = new WsFrameParser({ isServer: false, maxFrameSize: 100 });
    expect(plain(parser.push(hex('82 65')))).toEqual([
      {
        type: 'error',
        code: 'LWS_ERR_WS_FRAME_TOO_BIG',
        message: 'Cannot accept frame: payload is 101 bytes, limit is 100',
        wire: { closeCode: 1009 },
      },
    ]);
  });

  it('accepts a frame of exactly maxFrameSize', () => {
    expect(lastEvent({ isServer: false, maxFrameSize: 100 }, frame(0x82, Buffer.alloc(100)))).toMatchObject({
      type: 'message',
    });
  });

  it('rejects a fragmented message growing over maxMessageSize with close 1009', () => {
    const bytes = Buffer.concat([frame(0x02, Buffer.alloc(60)), frame(0x00, Buffer.alloc(40)), frame(0x80, Buffer.alloc(1))]);
    expect(lastEvent({ isServer: false, maxMessageSize: 100 }, bytes)).toEqual({
      type: 'error',
      code: 'LWS_ERR_WS_MESSAGE_TOO_BIG',
      message: 'Cannot accept message: it reaches 101 bytes, limit is 100',
      wire: { closeCode: 1009 },
    });
  });

  it('counts each message on its own', () => {
    const one = frame(0x82, Buffer.alloc(80));
    const events = new WsFrameParser({ isServer: false, maxMessageSize: 100 }).push(Buffer.concat([one, one, one]));
    expect(events.map((e) => e.type)).toEqual(['message', 'message', 'message']);
  });

  it('applies maxMessageSize in fragments mode too', () => {
    const bytes = Buffer.concat([frame(0x02, Buffer.alloc(60)), frame(0x80, Buffer.alloc(41))]);
    const options: WsFrameParserOptions = { isServer: false, maxMessageSize: 100, delivery: 'fragments' };
    for (const chunks of splitEverywhere(bytes)) {
      const { error } = feed(new WsFrameParser(options), chunks);
      expect(error).toMatchObject({ code: 'LWS_ERR_WS_MESSAGE_TOO_BIG', wire: { closeCode: 1009 } });
    }
  });

  it('does not count control frames towards the message size', () => {
    const bytes = Buffer.concat([frame(0x02, Buffer.alloc(60)), frame(0x89, Buffer.alloc(100)), frame(0x80, Buffer.alloc(40))]);
    const events = new WsFrameParser({ isServer: false, maxMessageSize: 100 }).push(bytes);
    expect(events.map((e) => e.type)).toEqual(['ping', 'message']);
  });
});
