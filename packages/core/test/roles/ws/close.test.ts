import { describe, expect, it } from 'vitest';
import { LwsError } from '../../../src/errors.js';
import {
  closeCodeFor,
  encodeClosePayload,
  isValidCloseCode,
  parseClosePayload,
  truncateUtf8,
  WsCloseHandshake,
} from '../../../src/roles/ws/close.js';
import { WsFrameParser } from '../../../src/roles/ws/frame-parser.js';
import { feed, frame, hex, plain, splitEverywhere } from './split.js';

function closeCode(code: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code);
  return b;
}

function parseClose(payload: Buffer) {
  const runs = splitEverywhere(frame(0x88, payload)).map((c) => plain(feed(new WsFrameParser({ isServer: false }), c).events));
  for (const run of runs) expect(run).toEqual(runs[0]);
  return runs[0]![0];
}

describe('close codes (RFC 6455 §7.4, IANA registry)', () => {
  const valid = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999];
  const invalid = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535];

  it.each(valid)('accepts close code %i', (code) => {
    expect(isValidCloseCode(code)).toBe(true);
    expect(parseClose(closeCode(code))).toEqual({ type: 'close', code, reason: '' });
  });

  it.each(invalid)('rejects close code %i with close 1002', (code) => {
    expect(isValidCloseCode(code)).toBe(false);
    expect(parseClose(closeCode(code))).toEqual({
      type: 'error',
      code: 'LWS_ERR_WS_CLOSE_CODE',
      message: `Cannot accept close frame: close code ${code} is not allowed`,
      wire: { closeCode: 1002 },
    });
  });

  it('rejects a non-integer code', () => {
    expect(isValidCloseCode(1000.5)).toBe(false);
  });
});

describe('close payloads', () => {
  it('rejects a 1-byte close payload with close 1002', () => {
    expect(parseClose(hex('03'))).toEqual({
      type: 'error',
      code: 'LWS_ERR_WS_CLOSE_PAYLOAD',
      message: 'Cannot accept close frame: payload is 1 byte, expected 0 or at least 2',
      wire: { closeCode: 1002 },
    });
  });

  it('rejects a reason that is not UTF-8 with close 1007', () => {
    expect(parseClose(hex('03e8 ce ba e1 bd 80 ff'))).toEqual({
      type: 'error',
      code: 'LWS_ERR_WS_INVALID_UTF8',
      message: 'Cannot accept close frame: reason is not valid UTF-8',
      wire: { closeCode: 1007 },
    });
  });

  it('reads a code and a UTF-8 reason', () => {
    expect(parseClose(Buffer.concat([closeCode(4001), Buffer.from('κόσμε')]))).toEqual({
      type: 'close',
      code: 4001,
      reason: 'κόσμε',
    });
    expect(parseClosePayload(Buffer.alloc(0))).toEqual({ code: 1005, reason: '' });
  });

  it('encodes code and reason, and an empty payload without a code', () => {
    expect(encodeClosePayload(1000, 'bye')).toEqual(hex('03e8 627965'));
    expect(encodeClosePayload()).toEqual(Buffer.alloc(0));
  });

  it('truncates a reason at a UTF-8 boundary to 123 bytes', () => {
    const reason = 'a' + '€'.repeat(50); // 1 + 150 bytes
    const payload = encodeClosePayload(1000, reason);
    expect(payload.length).toBe(2 + 121); // 1 + 40 × 3; the 41st € would end at byte 124
    expect(payload.subarray(2).toString()).toBe('a' + '€'.repeat(40));
    expect(truncateUtf8('😀😀', 7)).toEqual(Buffer.from('😀'));
    expect(truncateUtf8('abc', 3)).toEqual(Buffer.from('abc'));
  });

  it('throws RangeError for a code that may not be sent, TypeError for a reason without a code', () => {
    expect(() => encodeClosePayload(1005)).toThrow(new RangeError('Cannot build close frame: close code 1005 may not be sent'));
    expect(() => encodeClosePayload(undefined, 'why')).toThrow(
      new TypeError('Cannot build close frame: reason "why" needs a close code'),
    );
  });

  it('maps an error to its close code, 1002 when it has none', () => {
    expect(closeCodeFor(new LwsError('LWS_ERR_WS_INFLATE', 'x', { closeCode: 1007 }))).toBe(1007);
    expect(closeCodeFor(new LwsError('LWS_ERR_WS_PROTOCOL', 'x'))).toBe(1002);
  });
});

describe('WsCloseHandshake', () => {
  it('we close first: send, then the peer replies; the server ends the transport', () => {
    const hs = new WsCloseHandshake({ isServer: true });
    expect(hs.start(1000, 'done')).toEqual({ code: 1000, reason: 'done' });
    expect(hs.state).toBe('closing-local');
    expect(hs.shouldCloseTransport).toBe(false);
    expect(hs.start(1001)).toBeNull();
    expect(hs.receive({ code: 1000, reason: '' })).toBeNull();
    expect(hs.state).toBe('closed');
    expect(hs.shouldCloseTransport).toBe(true);
    expect(hs.result()).toEqual({ code: 1000, reason: '', clean: true });
  });

  it('peer closes first: we echo its code; a client waits for the server to end TCP', () => {
    const hs = new WsCloseHandshake({ isServer: false });
    expect(hs.receive({ code: 4000, reason: 'bye' })).toEqual({ code: 4000, reason: '' });
    expect(hs.state).toBe('closed');
    expect(hs.shouldCloseTransport).toBe(false);
    expect(hs.start(1000)).toBeNull();
    expect(hs.result()).toEqual({ code: 4000, reason: 'bye', clean: true });
  });

  it('replies to a close without a code with an empty close', () => {
    const hs = new WsCloseHandshake({ isServer: true });
    expect(hs.receive({ code: 1005, reason: '' })).toEqual({ reason: '' });
    expect(hs.receive({ code: 1000, reason: '' })).toBeNull();
  });

  it('fails: sends the error close code with its message and ends the transport at once', () => {
    const hs = new WsCloseHandshake({ isServer: false });
    const error = new LwsError('LWS_ERR_WS_INVALID_UTF8', 'Cannot accept text message: payload is not valid UTF-8', {
      closeCode: 1007,
    });
    expect(hs.fail(error)).toEqual({ code: 1007, reason: error.message });
    expect(hs.shouldCloseTransport).toBe(true);
    expect(hs.fail(error)).toBeNull();
    expect(hs.result()).toEqual({ code: 1006, reason: '', clean: false });
  });

  it('reports 1006 when the transport ended without a close', () => {
    expect(new WsCloseHandshake({ isServer: true }).result()).toEqual({ code: 1006, reason: '', clean: false });
  });

  it('throws RangeError when starting with a code that may not be sent', () => {
    expect(() => new WsCloseHandshake({ isServer: true }).start(1006)).toThrow(RangeError);
  });
});
