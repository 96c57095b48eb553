import { backend } from '@lws/native';
import { describe, expect, it } from 'vitest';
import { WsFrameParser, type WsFrameParserOptions } from '../../../src/roles/ws/frame-parser.js';
import { feed, frame, hex, plain, splitEverywhere } from './split.js';

const INVALID = {
  type: 'error',
  code: 'LWS_ERR_WS_INVALID_UTF8',
  message: 'Cannot accept text message: payload is not valid UTF-8',
  wire: { closeCode: 1007 },
};

function parseAll(options: WsFrameParserOptions, bytes: Uint8Array) {
  const runs = splitEverywhere(bytes).map((chunks) => plain(feed(new WsFrameParser(options), chunks).events));
  for (const run of runs) expect(run).toEqual(runs[0]);
  return runs[0]!;
}

describe(`WsFrameParser: UTF-8 of text messages (@lws/native backend: ${backend})`, () => {
  it('accepts code points split across fragments, every split', () => {
    // "κόσμε" then U+1F600, cut inside code points at the frame boundaries
    const all = Buffer.from('κόσμε😀');
    const bytes = Buffer.concat([frame(0x01, all.subarray(0, 3)), frame(0x00, all.subarray(3, 12)), frame(0x80, all.subarray(12))]);
    expect(parseAll({ isServer: false }, bytes)).toEqual([
      { type: 'message', binary: false, data: all.toString('hex'), first: true, final: true },
    ]);
  });

  const invalid: [string, string][] = [
    ['an overlong NUL (c0 80)', 'c0 80'],
    ['a surrogate (ed a0 80)', 'ed a0 80'],
    ['a code point above U+10FFFF (f4 90 80 80)', 'f4 90 80 80'],
    ['a byte that never appears (f5)', 'f5'],
    ['a stray continuation byte (80)', '41 80'],
  ];
  for (const [what, bytes] of invalid) {
    it(`fails ${what} with close 1007`, () => {
      expect(parseAll({ isServer: false }, frame(0x81, hex(bytes)))).toEqual([INVALID]);
    });
  }

  it('fails a message ending inside a code point with close 1007', () => {
    expect(parseAll({ isServer: false }, frame(0x81, hex('41 e2 82')))).toEqual([INVALID]);
    const split = Buffer.concat([frame(0x01, hex('e2')), frame(0x80, hex('82'))]);
    expect(parseAll({ isServer: false }, split)).toEqual([INVALID]);
  });

  it('fails fast, inside the first fragment, before the message is complete', () => {
    const parser = new WsFrameParser({ isServer: false });
    // text frame of 10 bytes, FIN clear; only 4 payload bytes have arrived
    expect(plain(parser.push(hex('01 0a 41 42 f5 43')))).toEqual([INVALID]);
    expect(parser.state).toBe('failed');
  });

  it('fails fast as soon as the invalid byte arrives when fed one byte at a time', () => {
    const parser = new WsFrameParser({ isServer: true });
    const bytes = frame(0x01, Buffer.concat([Buffer.from('κόσμε'), hex('ed a0 80'), Buffer.from('tail')]), hex('01020304'));
    const invalidAt = 6 + Buffer.from('κόσμε').length + 1; // the a0 byte after ed
    for (let i = 0; i < bytes.length; i++) {
      const events = parser.push(bytes.subarray(i, i + 1));
      if (i < invalidAt) expect(events).toEqual([]);
      else {
        expect(plain(events)).toEqual([INVALID]);
        break;
      }
    }
  });

  it('does not validate binary messages', () => {
    expect(parseAll({ isServer: false }, frame(0x82, hex('ff fe')))).toMatchObject([{ type: 'message', binary: true }]);
  });

  it('fails invalid UTF-8 in fragments mode after delivering the valid pieces', () => {
    const bytes = Buffer.concat([frame(0x01, Buffer.from('ok')), frame(0x80, hex('ff'))]);
    const events = plain(new WsFrameParser({ isServer: false, delivery: 'fragments' }).push(bytes));
    expect(events).toEqual([{ type: 'message', binary: false, data: '6f6b', first: true, final: false }, INVALID]);
  });

  it('validates the next message from a clean state', () => {
    const bytes = Buffer.concat([frame(0x81, Buffer.from('é')), frame(0x81, Buffer.from('ü'))]);
    expect(parseAll({ isServer: false }, bytes).map((e) => (e as { type: string }).type)).toEqual(['message', 'message']);
  });
});
