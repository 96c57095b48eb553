import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LwsError } from '../../../src/errors.js';
import { WsFrameParser, type WsFrameParserOptions } from '../../../src/roles/ws/frame-parser.js';
import { WsFrameWriter } from '../../../src/roles/ws/frame-writer.js';
import { PerMessageDeflate } from '../../../src/roles/ws/permessage-deflate.js';
import type { PerMessageDeflateParams } from '../../../src/roles/ws/permessage-deflate-negotiation.js';
import { feed, frame, hex, plain, splitEverywhere } from './split.js';

const DEFAULTS: PerMessageDeflateParams = {
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
};
const TAIL = hex('00 00 ff ff');
const pmd = (isServer: boolean, params: Partial<PerMessageDeflateParams> = {}, threshold = 0, zlib: 'auto' | 'node' = 'auto') =>
  new PerMessageDeflate({ isServer, params: { ...DEFAULTS, ...params }, threshold, zlib });
/** The implementation 'auto' picks here: the addon's streams unless LWS_NO_NATIVE=1 (or no addon). */
const AUTO = new PerMessageDeflate({ isServer: true, params: DEFAULTS }).zlib;
/** [sender, receiver] implementations: each against itself and against the other. */
const PAIRS: ['auto' | 'node', 'auto' | 'node'][] = [['auto', 'auto'], ['auto', 'node'], ['node', 'auto'], ['node', 'node']];
const pairName = ([s, r]: readonly ['auto' | 'node', 'auto' | 'node']) => `${s === 'auto' ? AUTO : 'node'} -> ${r === 'auto' ? AUTO : 'node'}`;

function clientParser(params: Partial<PerMessageDeflateParams> = {}, extra: Partial<WsFrameParserOptions> = {}, zlib: 'auto' | 'node' = 'auto') {
  return new WsFrameParser({ isServer: false, deflate: pmd(false, params, 0, zlib), ...extra });
}

function textOf(result: Buffer | LwsError): string {
  if (result instanceof LwsError) throw result;
  return result.toString();
}

/** Some text that compresses, with long-range repeats. */
function corpus(n: number, seed = 1): Buffer {
  const words = ['lws', 'socket', 'frame', 'deflate', '{"id":', 'κόσμε', 'window', '\n'];
  const parts: string[] = [];
  let x = seed;
  for (let length = 0; length < n; ) {
    x = (x * 1103515245 + 12345) >>> 0;
    const part = words[x % words.length] + String(x % 97);
    parts.push(part);
    length += Buffer.byteLength(part);
  }
  return Buffer.from(parts.join('')).subarray(0, n);
}

describe('PerMessageDeflate: RFC 7692 §7.2.3 examples', () => {
  it('compresses "Hello" to f2 48 cd c9 c9 07 00', () => {
    expect(pmd(true).compress(Buffer.from('Hello'))).toEqual(hex('f2 48 cd c9 c9 07 00'));
  });

  it('compresses a second "Hello" to f2 00 11 00 00 with context takeover (§7.2.3.2)', () => {
    const c = pmd(true);
    c.compress(Buffer.from('Hello'));
    expect(c.compress(Buffer.from('Hello'))).toEqual(hex('f2 00 11 00 00'));
  });

  it('compresses the second "Hello" afresh without context takeover', () => {
    const c = pmd(true, { serverNoContextTakeover: true });
    c.compress(Buffer.from('Hello'));
    expect(c.compress(Buffer.from('Hello'))).toEqual(hex('f2 48 cd c9 c9 07 00'));
  });

  it('inflates both "Hello" messages sharing the window', () => {
    const d = pmd(false);
    expect(textOf(d.decompress([hex('f2 48 cd c9 c9 07 00')], 100))).toBe('Hello');
    expect(textOf(d.decompress([hex('f2 00 11 00 00')], 100))).toBe('Hello');
  });

  it('inflates a BFINAL block, two blocks, a stored block and an empty message (§7.2.3.3-§7.2.3.6)', () => {
    expect(textOf(pmd(false).decompress([hex('f3 48 cd c9 c9 07 00 00')], 100))).toBe('Hello');
    expect(textOf(pmd(false).decompress([hex('f2 48 05 00 00 00 ff ff ca c9 c9 07 00')], 100))).toBe('Hello');
    expect(textOf(pmd(false).decompress([hex('00 05 00 fa ff 48 65 6c 6c 6f 00')], 100))).toBe('Hello');
    expect(textOf(pmd(false).decompress([hex('00')], 100))).toBe('');
    expect(pmd(true).compress(Buffer.alloc(0))).toEqual(hex('00'));
  });
});

describe('WsFrameParser with permessage-deflate, every split', () => {
  function parseAll(make: () => WsFrameParser, bytes: Uint8Array) {
    const runs = splitEverywhere(bytes).map((chunks) => plain(feed(make(), chunks).events));
    for (const run of runs) expect(run).toEqual(runs[0]);
    return runs[0]!;
  }
  const hello = { type: 'message', binary: false, data: Buffer.from('Hello').toString('hex'), first: true, final: true };

  it('reads the compressed "Hello" frame c1 07 f2 48 cd c9 c9 07 00', () => {
    expect(parseAll(() => clientParser(), hex('c1 07 f2 48 cd c9 c9 07 00'))).toEqual([hello]);
  });

  it('reads the two "Hello" messages sharing the LZ77 window', () => {
    expect(parseAll(() => clientParser(), hex('c1 07 f2 48 cd c9 c9 07 00 c1 05 f2 00 11 00 00'))).toEqual([hello, hello]);
  });

  it('reads a compressed message split into fragments (41 03 f2 48 cd / 80 04 c9 c9 07 00)', () => {
    expect(parseAll(() => clientParser(), hex('41 03 f2 48 cd 80 04 c9 c9 07 00'))).toEqual([hello]);
    const fragments = () => clientParser({}, { delivery: 'fragments' });
    expect(parseAll(fragments, hex('41 03 f2 48 cd 89 00 80 04 c9 c9 07 00'))).toEqual([{ type: 'ping', data: '' }, hello]);
  });

  it('reads uncompressed messages between compressed ones', () => {
    expect(parseAll(() => clientParser(), hex('81 05 48 65 6c 6c 6f c1 07 f2 48 cd c9 c9 07 00'))).toEqual([hello, hello]);
  });

  it('rejects RSV1 on a continuation or a control frame with close 1002', () => {
    const error = (message: string) => ({ type: 'error', code: 'LWS_ERR_WS_RSV_BITS', message, wire: { closeCode: 1002 } });
    expect(parseAll(() => clientParser(), hex('41 03 f2 48 cd c0 04 c9 c9 07 00'))).toEqual([
      error("Cannot accept frame: RSV1 is set on a continuation frame, allowed only on a message's first frame"),
    ]);
    expect(parseAll(() => clientParser(), hex('c9 00'))).toEqual([
      error("Cannot accept frame: RSV1 is set on a control frame, allowed only on a message's first frame"),
    ]);
    expect(parseAll(() => clientParser(), hex('a1 00'))).toEqual([
      error('Cannot accept frame: RSV bits 0x20 set without a negotiated extension'),
    ]);
  });

  it('rejects corrupt compressed data with close 1007', () => {
    expect(parseAll(() => clientParser(), hex('c2 01 ff'))).toEqual([
      { type: 'error', code: 'LWS_ERR_WS_INFLATE', message: 'Cannot inflate message: invalid block type', wire: { closeCode: 1007 } },
    ]);
  });

  it('rejects compressed text that inflates to invalid UTF-8 with close 1007', () => {
    const payload = pmd(true).compress(hex('41 ff 42'));
    expect(parseAll(() => clientParser(), frame(0xc1, payload))).toEqual([
      {
        type: 'error',
        code: 'LWS_ERR_WS_INVALID_UTF8',
        message: 'Cannot accept text message: payload is not valid UTF-8',
        wire: { closeCode: 1007 },
      },
    ]);
  });
});

describe.each(['auto', 'node'] as const)('compression bomb (%s)', (zlib) => {
  // 16 MiB of zeros deflate to ~16 KiB; the sync-flushed segment repeats
  // validly, so 256 copies (4 MiB on the wire) would inflate to 4 GiB.
  const segment = deflateRawSync(Buffer.alloc(16 * 1024 * 1024), { finishFlush: constants.Z_SYNC_FLUSH });
  const bomb = Buffer.concat(Array.from({ length: 256 }, () => segment));

  it('stops inflating at the limit with close 1009, without inflating the rest', () => {
    const parser = clientParser({}, { maxMessageSize: 8 * 1024 * 1024 }, zlib);
    const started = performance.now();
    const events = parser.push(frame(0xc2, bomb));
    expect(performance.now() - started).toBeLessThan(2000); // inflating 4 GiB takes far longer
    expect(plain(events)).toEqual([
      {
        type: 'error',
        code: 'LWS_ERR_WS_MESSAGE_TOO_BIG',
        message: `Cannot inflate message: it exceeds the limit of ${8 * 1024 * 1024} bytes`,
        wire: { closeCode: 1009 },
      },
    ]);
  });

  it('accepts a message inflating to exactly the limit', () => {
    const parser = clientParser({}, { maxMessageSize: 16 * 1024 * 1024 }, zlib);
    expect(parser.push(frame(0xc2, segment))).toMatchObject([{ type: 'message', binary: true }]);
  });
});

describe('PerMessageDeflate: context takeover and window sizes', () => {
  const messages = [corpus(100, 1), corpus(40_000, 2), corpus(3_000, 3), corpus(70_000, 4), corpus(10, 5), corpus(100, 1)];

  for (const bits of [8, 9, 10, 12, 15]) {
    for (const noTakeover of [false, true]) {
      it.each(PAIRS.map((pair) => [pairName(pair), ...pair] as const))(`round-trips with ${bits}-bit windows${noTakeover ? ', no context takeover' : ''} (%s)`, (_, from, to) => {
        const params = { serverMaxWindowBits: bits, clientMaxWindowBits: bits, serverNoContextTakeover: noTakeover, clientNoContextTakeover: noTakeover };
        const sender = pmd(true, params, 0, from);
        const receiver = pmd(false, params, 0, to);
        const wire = messages.map((m) => sender.compress(m));
        const same = (a: Buffer | LwsError | undefined, b: Buffer | undefined) => Buffer.isBuffer(a) && b !== undefined && a.equals(b);
        wire.forEach((payload, i) => expect(same(receiver.decompress([payload], 1 << 20), messages[i])).toBe(true));
        // A strict inflater with the agreed window decodes the whole stream:
        // no back-reference reaches further than 2^bits (8 bits: zlib's 9 is safe).
        const stream = Buffer.concat(noTakeover ? [wire[3]!, TAIL] : wire.flatMap((w) => [w, TAIL]));
        const expected = noTakeover ? messages[3] : Buffer.concat(messages);
        expect(same(inflateRawSync(stream, { windowBits: bits, finishFlush: constants.Z_SYNC_FLUSH }), expected)).toBe(true);
      });
    }
  }

  it('shrinks a repeated message with context takeover', () => {
    const c = pmd(true);
    const first = c.compress(corpus(2000)).length;
    expect(c.compress(corpus(2000)).length).toBeLessThan(first / 10);
  });

  it.each(['auto', 'node'] as const)('inflates with a 15-bit window, so a peer reaching beyond its agreed window still decodes (%s)', (zlib) => {
    const receiver = pmd(true, { clientMaxWindowBits: 9 }, 0, zlib); // we agreed the client uses 512 bytes
    const sender = pmd(false); // but it compresses with 32 KiB, as browsers would accept
    const text = corpus(4000);
    const first = sender.compress(text);
    expect(textOf(receiver.decompress([first], 1 << 20))).toBe(text.toString());
    const second = sender.compress(text);
    expect(second.length).toBeLessThan(first.length / 10); // refers 4000 bytes back
    expect(textOf(receiver.decompress([second], 1 << 20))).toBe(text.toString());
  });

  it.each(['auto', 'node'] as const)('fails a reference before the start of the stream with close 1007 (%s)', (zlib) => {
    const result = pmd(true, {}, 0, zlib).decompress([hex('f2 00 11 00 00')], 100);
    expect(result).toMatchObject({ code: 'LWS_ERR_WS_INFLATE', wire: { closeCode: 1007 } });
    expect((result as LwsError).message).toBe('Cannot inflate message: invalid distance too far back');
  });

  it('applies the threshold', () => {
    const c = new PerMessageDeflate({ isServer: true, params: DEFAULTS });
    expect(c.threshold).toBe(1024);
    expect(c.shouldCompress(1023)).toBe(false);
    expect(c.shouldCompress(1024)).toBe(true);
  });

  it('sends small messages uncompressed through the writer, and they round-trip', () => {
    const writer = new WsFrameWriter({ isServer: true, deflate: new PerMessageDeflate({ isServer: true, params: DEFAULTS, threshold: 64 }) });
    const parser = clientParser();
    const small = Buffer.concat(writer.message('tiny'));
    const big = Buffer.concat(writer.message(corpus(500).toString()));
    const none = Buffer.concat(writer.message(corpus(500).toString(), { compress: false }));
    expect([small[0], big[0], none[0]]).toEqual([0x81, 0xc1, 0x81]);
    const events = parser.push(Buffer.concat([small, big, none, big]));
    expect(events.map((e) => (e as { data: Buffer }).data.length)).toEqual([4, 500, 500, 500]);
  });

  it('throws RangeError for invalid options', () => {
    expect(() => new PerMessageDeflate({ isServer: true, params: DEFAULTS, level: 10 })).toThrow(
      new RangeError('Cannot create PerMessageDeflate: level must be -1-9, received 10'),
    );
    expect(() => new PerMessageDeflate({ isServer: true, params: { ...DEFAULTS, serverMaxWindowBits: 16 } })).toThrow(RangeError);
    expect(() => new PerMessageDeflate({ isServer: true, params: DEFAULTS, threshold: -1 })).toThrow(RangeError);
  });
});

describe('PerMessageDeflate: the addon\'s streams and node:zlib interoperate', () => {
  it('uses the addon\'s streams unless LWS_NO_NATIVE=1, and node:zlib when asked', () => {
    if (process.env.LWS_NO_NATIVE === '1') expect(AUTO).toBe('node');
    if (process.env.LWS_REQUIRE_NATIVE === '1') expect(AUTO).toBe('native');
    expect(pmd(true, {}, 0, 'node').zlib).toBe('node');
  });

  /** 300 messages of 0..16 KiB (a few to 100 KiB), some sent in fragments, some empty, some repeated. */
  function conversation(seed: number): { data: Buffer; fragments: number }[] {
    let x = seed;
    const next = () => (x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const out: { data: Buffer; fragments: number }[] = [];
    for (let m = 0; m < 300; m++) {
      const size = m % 25 === 0 ? 0 : m % 50 === 7 ? (next() * 100_000) | 0 : (next() * 16_384) | 0;
      const repeat = m > 0 && next() < 0.1;
      const data = repeat ? out[(next() * m) | 0]!.data : next() < 0.8 ? corpus(size, m + seed) : Buffer.from(Array.from({ length: size }, () => (next() * 256) | 0));
      out.push({ data, fragments: next() < 0.2 ? 1 + ((next() * 4) | 0) : 1 });
    }
    return out;
  }

  for (const bits of [15, 9, 8]) {
    for (const noTakeover of [false, true]) {
      it.each(PAIRS.map((pair) => [pairName(pair), ...pair] as const))(
        `a long conversation, ${bits}-bit windows${noTakeover ? ', no context takeover' : ', context takeover'} (%s)`,
        (_, from, to) => {
          const params = { serverMaxWindowBits: bits, clientMaxWindowBits: bits, serverNoContextTakeover: noTakeover, clientNoContextTakeover: noTakeover };
          const sender = pmd(true, params, 0, from);
          const receiver = pmd(false, params, 0, to);
          let wireBytes = 0;
          let plainBytes = 0;
          conversation(bits * 2 + (noTakeover ? 1 : 0)).forEach(({ data, fragments }, i) => {
            const step = Math.ceil(data.length / fragments) || 1;
            const pieces: Buffer[] = [];
            for (let at = 0, f = 0; f < fragments; f++, at += step) pieces.push(sender.compress(data.subarray(at, at + step), f === fragments - 1));
            const got = receiver.decompress(pieces, 1 << 20);
            if (!(Buffer.isBuffer(got) && got.equals(data))) expect.fail(`message ${i} (${data.length} bytes, ${fragments} fragments) did not round-trip: ${String(got)}`);
            wireBytes += pieces.reduce((n, p) => n + p.length, 0);
            plainBytes += data.length;
          });
          expect(wireBytes).toBeLessThan(plainBytes * 0.5);
          sender.dispose();
          receiver.dispose();
        },
      );
    }
  }

  it.each(['auto', 'node'] as const)('compresses an empty message to 00, also after a fragment and with the window in use (%s)', (zlib) => {
    const sender = pmd(true, {}, 0, zlib);
    const receiver = pmd(false, {}, 0, 'node');
    const empty = sender.compress(Buffer.alloc(0));
    expect(empty).toEqual(hex('00'));
    expect(textOf(receiver.decompress([empty], 10))).toBe('');
    expect(textOf(receiver.decompress([sender.compress(Buffer.from('Hello'))], 10))).toBe('Hello');
    expect(sender.compress(Buffer.alloc(0))).toEqual(hex('00'));
    const parts = [sender.compress(Buffer.from('Hel'), false), sender.compress(Buffer.alloc(0), true)];
    expect(textOf(receiver.decompress([hex('00')], 10))).toBe('');
    expect(textOf(receiver.decompress(parts, 10))).toBe('Hel');
    expect(textOf(receiver.decompress([sender.compress(Buffer.from('Hello'))], 10))).toBe('Hello');
  });

  it.each(['auto', 'node'] as const)('dispose(): idempotent; compress then throws and decompress fails without throwing (%s)', (zlib) => {
    const c = pmd(true, {}, 0, zlib);
    c.compress(Buffer.from('Hello'));
    expect(textOf(c.decompress([hex('f2 48 cd c9 c9 07 00')], 100))).toBe('Hello');
    c.dispose();
    c.dispose();
    expect(() => c.compress(Buffer.from('Hello'))).toThrow('Cannot compress: the permessage-deflate state was disposed');
    expect(c.decompress([hex('f2 48 cd c9 c9 07 00')], 100)).toMatchObject({
      code: 'LWS_ERR_WS_INFLATE',
      message: 'Cannot inflate message: the permessage-deflate state was disposed',
    });
  });

  it.each(['auto', 'node'] as const)('keeps working after a too-big message is refused (%s)', (zlib) => {
    const c = pmd(false, {}, 0, zlib);
    const big = pmd(true).compress(corpus(5000));
    expect(c.decompress([big], 100)).toMatchObject({ code: 'LWS_ERR_WS_MESSAGE_TOO_BIG', wire: { closeCode: 1009 } });
  });
});
