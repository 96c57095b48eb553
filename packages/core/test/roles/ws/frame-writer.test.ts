import { describe, expect, it } from 'vitest';
import { WsFrameParser } from '../../../src/roles/ws/frame-parser.js';
import { randomMaskKey, WsFrameWriter } from '../../../src/roles/ws/frame-writer.js';
import { PerMessageDeflate } from '../../../src/roles/ws/permessage-deflate.js';
import { hex, plain } from './split.js';

const KEY = hex('37 fa 21 3d');
const fixedKey = () => KEY;
const server = () => new WsFrameWriter({ isServer: true });
const client = () => new WsFrameWriter({ isServer: false, maskKey: fixedKey });
const join = (bufs: Buffer[]) => Buffer.concat(bufs);

describe('WsFrameWriter: RFC 6455 §5.7 examples', () => {
  it('writes an unmasked "Hello" as a server', () => {
    expect(join(server().message('Hello'))).toEqual(hex('81 05 48 65 6c 6c 6f'));
  });

  it('writes a masked "Hello" as a client', () => {
    expect(join(client().message('Hello'))).toEqual(hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'));
  });

  it('writes a fragmented "Hello"', () => {
    const w = server();
    const frames = [
      w.fragment('Hel', { first: true, final: false }),
      w.fragment('lo', { first: false, final: true }),
    ].map(join);
    expect(Buffer.concat(frames)).toEqual(hex('01 03 48 65 6c 80 02 6c 6f'));
  });

  it('writes an unmasked ping and a masked pong', () => {
    expect(join(server().ping('Hello'))).toEqual(hex('89 05 48 65 6c 6c 6f'));
    expect(join(client().pong('Hello'))).toEqual(hex('8a 85 37 fa 21 3d 7f 9f 4d 51 58'));
  });

  it('writes 256 bytes with a 16-bit length and 64 KiB with a 64-bit length', () => {
    expect(join(server().message(Buffer.alloc(256))).subarray(0, 4)).toEqual(hex('82 7e 01 00'));
    expect(join(server().message(Buffer.alloc(65536))).subarray(0, 10)).toEqual(hex('82 7f 00 00 00 00 00 01 00 00'));
  });
});

describe('WsFrameWriter: encoding', () => {
  it('uses the shortest length encoding', () => {
    const header = (n: number) => join(server().message(Buffer.alloc(n))).subarray(0, 2 + (n < 126 ? 0 : n < 65536 ? 2 : 8));
    expect(header(0)).toEqual(hex('82 00'));
    expect(header(125)).toEqual(hex('82 7d'));
    expect(header(126)).toEqual(hex('82 7e 00 7e'));
    expect(header(65535)).toEqual(hex('82 7e ff ff'));
    expect(header(65536)).toEqual(hex('82 7f 0000 0000 0001 0000'));
  });

  it('sends a Uint8Array as binary unless binary is false', () => {
    expect(join(server().message(Buffer.from('a')))[0]).toBe(0x82);
    expect(join(server().message(Buffer.from('a'), { binary: false }))[0]).toBe(0x81);
  });

  it('returns [header, payload] without copying a large payload on a server', () => {
    const payload = Buffer.alloc(4096, 1);
    const bufs = server().message(payload);
    expect(bufs).toHaveLength(2);
    expect(bufs[1]!.buffer).toBe(payload.buffer);
    expect(bufs[0]).toEqual(hex('82 7e 10 00'));
  });

  it('returns one buffer for a small payload', () => {
    expect(server().message(Buffer.alloc(100))).toHaveLength(1);
  });

  it('masks a copy on a client, leaving the caller’s data unchanged', () => {
    const payload = Buffer.alloc(4096, 1);
    const bufs = client().message(payload);
    expect(bufs).toHaveLength(1);
    expect(payload.every((b) => b === 1)).toBe(true);
  });

  it('draws a fresh random key for each client frame by default', () => {
    const w = new WsFrameWriter({ isServer: false });
    const keys = new Set(Array.from({ length: 2000 }, () => join(w.message('x')).subarray(2, 6).toString('hex')));
    expect(keys.size).toBeGreaterThan(1990);
    expect(randomMaskKey()).toHaveLength(4);
  });
});

describe('WsFrameWriter: control frames and state', () => {
  it('writes a close with code and reason, and an empty close', () => {
    expect(join(server().close(1000, 'bye'))).toEqual(hex('88 05 03 e8 62 79 65'));
    expect(join(server().close())).toEqual(hex('88 00'));
  });

  it('truncates a long close reason at a UTF-8 boundary within 125 bytes', () => {
    const frame = join(server().close(1001, 'é'.repeat(100)));
    expect(frame[1]).toBe(2 + 122);
    expect(frame.subarray(4).toString()).toBe('é'.repeat(61));
  });

  it('throws RangeError for a 126-byte ping and for a close code that may not be sent', () => {
    expect(() => server().ping(Buffer.alloc(126))).toThrow(new RangeError('Cannot send ping: payload is 126 bytes, limit is 125'));
    expect(() => server().close(1006)).toThrow(RangeError);
  });

  it('throws Error when fragment flags do not match the message in progress', () => {
    const w = server();
    expect(() => w.fragment('x', { first: false, final: true })).toThrow(
      new Error('Cannot send continuation fragment: no fragmented message is in progress'),
    );
    w.fragment('x', { first: true, final: false });
    expect(w.inProgress).toBe(true);
    expect(() => w.message('y')).toThrow(new Error('Cannot send first fragment: a fragmented message is in progress'));
    expect(join(w.ping('p'))[0]).toBe(0x89); // control frames may interleave
    w.fragment('z', { first: false, final: true });
    expect(w.inProgress).toBe(false);
  });
});

describe('WsFrameWriter → WsFrameParser round trips', () => {
  const sizes = [0, 1, 125, 126, 1024, 1025, 65535, 65536, 70000];

  for (const isServer of [true, false]) {
    it(`${isServer ? 'server → client' : 'client → server'}: every length, text and binary`, () => {
      const writer = new WsFrameWriter({ isServer });
      const parser = new WsFrameParser({ isServer: !isServer });
      for (const n of sizes) {
        const data = Buffer.from(Array.from({ length: n }, (_, i) => 0x61 + (i % 26)));
        const events = parser.push(join(writer.message(data)));
        expect(events).toEqual([{ type: 'message', binary: true, data, first: true, final: true }]);
        const [ev] = parser.push(join(writer.message(data.toString())));
        expect(ev).toMatchObject({ type: 'message', binary: false });
        expect((ev as { data: Buffer }).data.toString()).toBe(data.toString());
      }
    });
  }

  it('client → server: fragments with interleaved control frames', () => {
    const writer = new WsFrameWriter({ isServer: false });
    const bytes = Buffer.concat([
      ...writer.fragment('κό', { first: true, final: false }),
      ...writer.ping('?'),
      ...writer.fragment('σμε', { first: false, final: true }),
      ...writer.close(1000, 'ok'),
    ]);
    expect(plain(new WsFrameParser({ isServer: true }).push(bytes))).toEqual([
      { type: 'ping', data: '3f' },
      { type: 'message', binary: false, data: Buffer.from('κόσμε').toString('hex'), first: true, final: true },
      { type: 'close', code: 1000, reason: 'ok' },
    ]);
  });

  it('compresses with RSV1 on the first frame only, and round-trips fragmented', () => {
    const params = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
    const writer = new WsFrameWriter({ isServer: false, deflate: new PerMessageDeflate({ isServer: false, params, threshold: 0 }) });
    const parser = new WsFrameParser({ isServer: true, deflate: new PerMessageDeflate({ isServer: true, params }) });
    const first = join(writer.fragment('Hello, ', { first: true, final: false }));
    const last = join(writer.fragment('Hello!', { first: false, final: true }));
    expect(first[0]).toBe(0x41); // RSV1 | text, no FIN
    expect(last[0]).toBe(0x80); // FIN | continuation, no RSV1
    const [ev] = parser.push(Buffer.concat([first, last]));
    expect((ev as { data: Buffer }).data.toString()).toBe('Hello, Hello!');
  });
});
