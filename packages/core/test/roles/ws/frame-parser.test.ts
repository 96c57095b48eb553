import { describe, expect, it } from 'vitest';
import { WsFrameParser, type WsFrameParserOptions } from '../../../src/roles/ws/frame-parser.js';
import { feed, frame, hex, plain, splitEverywhere } from './split.js';

const KEY = hex('37 fa 21 3d');

/** Feeds every split of `bytes` and checks all give the same events; returns them. */
function parseAll(options: WsFrameParserOptions, bytes: Uint8Array) {
  const runs = splitEverywhere(bytes).map((chunks) => plain(feed(new WsFrameParser(options), chunks).events));
  for (const run of runs) expect(run).toEqual(runs[0]);
  return runs[0]!;
}

const text = (s: string) => ({ type: 'message', binary: false, data: Buffer.from(s).toString('hex'), first: true, final: true });
const bin = (b: Buffer) => ({ type: 'message', binary: true, data: b.toString('hex'), first: true, final: true });

describe('WsFrameParser: RFC 6455 §5.7 examples, every split', () => {
  it('reads a single-frame unmasked text message as a client', () => {
    expect(parseAll({ isServer: false }, hex('81 05 48 65 6c 6c 6f'))).toEqual([text('Hello')]);
  });

  it('reads a single-frame masked text message as a server', () => {
    expect(parseAll({ isServer: true }, hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'))).toEqual([text('Hello')]);
  });

  it('joins a fragmented unmasked text message', () => {
    expect(parseAll({ isServer: false }, hex('01 03 48 65 6c 80 02 6c 6f'))).toEqual([text('Hello')]);
  });

  it('reads an unmasked ping and a masked pong', () => {
    expect(parseAll({ isServer: false }, hex('89 05 48 65 6c 6c 6f'))).toEqual([
      { type: 'ping', data: Buffer.from('Hello').toString('hex') },
    ]);
    expect(parseAll({ isServer: true }, hex('8a 85 37 fa 21 3d 7f 9f 4d 51 58'))).toEqual([
      { type: 'pong', data: Buffer.from('Hello').toString('hex') },
    ]);
  });

  it('reads a 256-byte binary message with a 16-bit length', () => {
    const payload = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const bytes = Buffer.concat([hex('82 7e 01 00'), payload]);
    expect(parseAll({ isServer: false }, bytes)).toEqual([bin(payload)]);
  });

  it('reads a 64 KiB binary message with a 64-bit length', () => {
    const payload = Buffer.alloc(65536, 0xa5);
    const bytes = Buffer.concat([hex('82 7f 00 00 00 00 00 01 00 00'), payload]);
    expect(parseAll({ isServer: false }, bytes)).toEqual([bin(payload)]);
  });

  it('reads a masked 64 KiB binary message as a server', () => {
    const payload = Buffer.from(Array.from({ length: 65536 }, (_, i) => (i * 7) & 0xff));
    expect(parseAll({ isServer: true }, frame(0x82, payload, KEY))).toEqual([bin(payload)]);
  });
});

describe('WsFrameParser: sequences', () => {
  it('delivers control frames interleaved in a fragmented message before it', () => {
    const bytes = Buffer.concat([
      frame(0x01, Buffer.from('Hel'), KEY),
      frame(0x89, Buffer.from('p1'), KEY),
      frame(0x00, Buffer.from('l'), KEY),
      frame(0x8a, Buffer.alloc(0), KEY),
      frame(0x80, Buffer.from('o'), KEY),
    ]);
    expect(parseAll({ isServer: true }, bytes)).toEqual([
      { type: 'ping', data: Buffer.from('p1').toString('hex') },
      { type: 'pong', data: '' },
      text('Hello'),
    ]);
  });

  it('reads several messages from one chunk in order', () => {
    const bytes = Buffer.concat([frame(0x81, Buffer.from('a')), frame(0x82, hex('0102')), frame(0x81, Buffer.alloc(0))]);
    expect(parseAll({ isServer: false }, bytes)).toEqual([text('a'), bin(hex('0102')), text('')]);
  });

  it('reads empty fragments, including an empty final continuation', () => {
    const bytes = Buffer.concat([frame(0x01, Buffer.alloc(0)), frame(0x00, Buffer.from('x')), frame(0x80, Buffer.alloc(0))]);
    expect(parseAll({ isServer: false }, bytes)).toEqual([text('x')]);
  });

  it('reports a close and ignores every byte after it', () => {
    const bytes = Buffer.concat([frame(0x88, hex('03e8 6279 65')), frame(0x81, Buffer.from('late'))]);
    expect(parseAll({ isServer: false }, bytes)).toEqual([{ type: 'close', code: 1000, reason: 'bye' }]);
    const parser = new WsFrameParser({ isServer: false });
    parser.push(frame(0x88, Buffer.alloc(0)));
    expect(parser.state).toBe('closed');
    expect(parser.push(hex('ff ff ff'))).toEqual([]);
  });

  it('reports an empty close as code 1005', () => {
    expect(parseAll({ isServer: false }, hex('88 00'))).toEqual([{ type: 'close', code: 1005, reason: '' }]);
  });

  it('delivers a close inside a fragmented message and drops the partial message', () => {
    const bytes = Buffer.concat([frame(0x01, Buffer.from('par')), frame(0x88, hex('03e9'))]);
    expect(parseAll({ isServer: false }, bytes)).toEqual([{ type: 'close', code: 1001, reason: '' }]);
  });

  it('unmasks in place: the pushed chunk becomes the payload it carries', () => {
    const chunk = hex('81 85 37 fa 21 3d 7f 9f 4d 51 58');
    const [ev] = new WsFrameParser({ isServer: true }).push(chunk);
    expect(ev).toMatchObject({ type: 'message' });
    expect(chunk.subarray(6).toString()).toBe('Hello');
  });

  it('accepts a plain Uint8Array chunk', () => {
    const events = new WsFrameParser({ isServer: false }).push(new Uint8Array(hex('81 02 6869')));
    expect(plain(events)).toEqual([text('hi')]);
  });
});

describe("WsFrameParser: delivery 'fragments'", () => {
  const options: WsFrameParserOptions = { isServer: false, delivery: 'fragments' };

  it('delivers each frame of a message with first/final flags', () => {
    const bytes = Buffer.concat([frame(0x02, hex('01')), frame(0x00, hex('02')), frame(0x80, hex('03'))]);
    const events = plain(new WsFrameParser(options).push(bytes));
    expect(events).toEqual([
      { type: 'message', binary: true, data: '01', first: true, final: false },
      { type: 'message', binary: true, data: '02', first: false, final: false },
      { type: 'message', binary: true, data: '03', first: false, final: true },
    ]);
  });

  it('gives the same bytes and one first and one final piece for every split', () => {
    const bytes = Buffer.concat([frame(0x02, Buffer.alloc(300, 1)), frame(0x89, hex('aa')), frame(0x80, Buffer.alloc(70, 2))]);
    for (const chunks of splitEverywhere(bytes)) {
      const events = feed(new WsFrameParser(options), chunks).events;
      const pieces = events.filter((e) => e.type === 'message');
      expect(Buffer.concat(pieces.map((p) => p.data))).toEqual(Buffer.concat([Buffer.alloc(300, 1), Buffer.alloc(70, 2)]));
      expect(pieces.map((p) => p.first)).toEqual(pieces.map((_, i) => i === 0));
      expect(pieces.map((p) => p.final)).toEqual(pieces.map((_, i) => i === pieces.length - 1));
      expect(events.filter((e) => e.type === 'ping')).toHaveLength(1);
    }
  });

  it('ends every text piece on a code point boundary, holding back a split code point', () => {
    const euros = Buffer.from('€€€€'); // 12 bytes, 3 per code point
    for (const chunks of splitEverywhere(frame(0x81, euros))) {
      const pieces = feed(new WsFrameParser(options), chunks).events.filter((e) => e.type === 'message');
      for (const p of pieces) expect(p.data.length % 3).toBe(0);
      expect(pieces.map((p) => p.data.toString()).join('')).toBe('€€€€');
      expect(pieces.at(-1)!.final).toBe(true);
    }
  });

  it('carries a code point split across two frames into the next piece', () => {
    const bytes = Buffer.concat([frame(0x01, hex('41 e2 82')), frame(0x80, hex('ac 42'))]);
    expect(plain(new WsFrameParser(options).push(bytes))).toEqual([
      { type: 'message', binary: false, data: '41', first: true, final: false },
      { type: 'message', binary: false, data: 'e282ac42', first: false, final: true },
    ]);
  });

  it('delivers an empty final continuation as the final piece', () => {
    const bytes = Buffer.concat([frame(0x02, hex('01')), frame(0x80, Buffer.alloc(0))]);
    expect(plain(new WsFrameParser(options).push(bytes)).at(-1)).toEqual({
      type: 'message',
      binary: true,
      data: '',
      first: false,
      final: true,
    });
  });
});

describe('WsFrameParser: header errors, every split', () => {
  const cases: [string, WsFrameParserOptions, string, string, string][] = [
    ['a reserved data opcode', { isServer: false }, '83 00', 'LWS_ERR_WS_OPCODE', 'Cannot accept frame: opcode 0x3 is reserved'],
    ['a reserved control opcode', { isServer: false }, '8b 00', 'LWS_ERR_WS_OPCODE', 'Cannot accept frame: opcode 0xb is reserved'],
    [
      'RSV1 without an extension',
      { isServer: false },
      'c1 00',
      'LWS_ERR_WS_RSV_BITS',
      'Cannot accept frame: RSV bits 0x40 set without a negotiated extension',
    ],
    [
      'RSV2 and RSV3',
      { isServer: false },
      'b1 00',
      'LWS_ERR_WS_RSV_BITS',
      'Cannot accept frame: RSV bits 0x30 set without a negotiated extension',
    ],
    [
      'a fragmented ping',
      { isServer: false },
      '09 00',
      'LWS_ERR_WS_CONTROL_FRAGMENTED',
      'Cannot accept ping frame: control frames must not be fragmented',
    ],
    [
      'a continuation with no message',
      { isServer: false },
      '80 01 41',
      'LWS_ERR_WS_UNEXPECTED_CONTINUATION',
      'Cannot accept continuation frame: no message is in progress',
    ],
    [
      'a new message inside a fragmented one',
      { isServer: false },
      '01 01 41 82 00',
      'LWS_ERR_WS_EXPECTED_CONTINUATION',
      'Cannot accept binary frame: a fragmented message is in progress, expected a continuation frame',
    ],
    [
      'an unmasked frame at a server',
      { isServer: true },
      '81 01 41',
      'LWS_ERR_WS_MASK_REQUIRED',
      'Cannot accept frame: a client frame must be masked',
    ],
    [
      'a masked frame at a client',
      { isServer: false },
      '81 81 00 00 00 00 41',
      'LWS_ERR_WS_MASK_UNEXPECTED',
      'Cannot accept frame: a server frame must not be masked',
    ],
  ];

  for (const [what, options, bytes, code, message] of cases) {
    it(`fails ${what} with ${code} and close 1002`, () => {
      const events = parseAll(options, hex(bytes));
      expect(events.at(-1)).toEqual({ type: 'error', code, message, wire: { closeCode: 1002 } });
    });
  }

  it('fails at the header, before the payload arrives', () => {
    const parser = new WsFrameParser({ isServer: true });
    expect(plain(parser.push(hex('81 7e')))).toEqual([
      { type: 'error', code: 'LWS_ERR_WS_MASK_REQUIRED', message: 'Cannot accept frame: a client frame must be masked', wire: { closeCode: 1002 } },
    ]);
    expect(parser.state).toBe('failed');
    expect(parser.push(hex('81 00'))).toEqual([]);
  });

  it('delivers the messages before an error, then the error', () => {
    const events = parseAll({ isServer: false }, hex('81 01 41 83 00'));
    expect(events.map((e) => (e as { type: string }).type)).toEqual(['message', 'error']);
  });
});

describe('WsFrameParser: options', () => {
  it('throws RangeError for a non-positive limit', () => {
    expect(() => new WsFrameParser({ isServer: true, maxFrameSize: 0 })).toThrow(
      new RangeError('Cannot create WsFrameParser: maxFrameSize must be a positive integer, received 0'),
    );
    expect(() => new WsFrameParser({ isServer: true, maxMessageSize: 1.5 })).toThrow(RangeError);
  });

  it('skips UTF-8 validation when validateUtf8 is false', () => {
    const events = plain(new WsFrameParser({ isServer: false, validateUtf8: false }).push(hex('81 01 ff')));
    expect(events).toEqual([{ type: 'message', binary: false, data: 'ff', first: true, final: true }]);
  });
});
