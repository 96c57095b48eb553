import { describe, expect, it } from 'vitest';
import { LwsError } from '../../../src/errors.js';
import { formatExtension, parseExtensions } from '../../../src/roles/ws/extensions.js';
import {
  computeAccept,
  generateKey,
  selectSubprotocol,
  upgradeRequestHeaders,
  upgradeResponseHeaders,
  validateUpgradeRequest,
  validateUpgradeResponse,
  type WsHeaders,
} from '../../../src/roles/ws/handshake.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

const request: WsHeaders = [
  ['host', 'server.example.com'],
  ['upgrade', 'websocket'],
  ['connection', 'Upgrade'],
  ['sec-websocket-key', KEY],
  ['origin', 'http://example.com'],
  ['sec-websocket-protocol', 'chat, superchat'],
  ['sec-websocket-version', '13'],
];

function without(headers: WsHeaders, name: string, ...extra: [string, string][]): WsHeaders {
  return [...headers.filter(([n]) => n !== name), ...extra];
}

function failure(r: ReturnType<typeof validateUpgradeRequest>) {
  if (r.ok) throw new Error('expected a failure');
  return { code: r.error.code, message: r.error.message, wire: r.error.wire, status: r.status, headers: r.headers };
}

describe('Sec-WebSocket-Accept and keys', () => {
  it('computes the RFC 6455 §1.3 example', () => {
    expect(computeAccept(KEY)).toBe(ACCEPT);
  });

  it('generates distinct keys of 16 base64 bytes', () => {
    const a = generateKey();
    expect(Buffer.from(a, 'base64')).toHaveLength(16);
    expect(a).toMatch(/^[+/0-9A-Za-z]{22}==$/);
    expect(generateKey()).not.toBe(a);
  });
});

describe('validateUpgradeRequest', () => {
  it('accepts the RFC 6455 §1.2 request', () => {
    expect(validateUpgradeRequest('GET', request)).toEqual({
      ok: true,
      request: { key: KEY, protocols: ['chat', 'superchat'], extensions: [], origin: 'http://example.com' },
    });
  });

  it('accepts token lists and any case in Upgrade and Connection', () => {
    const headers = without(without(request, 'upgrade', ['upgrade', 'h2c, WebSocket']), 'connection', ['connection', 'keep-alive, UPGRADE']);
    expect(validateUpgradeRequest('GET', headers).ok).toBe(true);
  });

  it('finds Upgrade and Connection tokens only as whole list elements, on any line', () => {
    const withTokens = (upgrade: string[], connection: string[]): boolean =>
      validateUpgradeRequest('GET', [
        ...request.filter(([n]) => n !== 'upgrade' && n !== 'connection'),
        ...upgrade.map((v) => ['upgrade', v] as [string, string]),
        ...connection.map((v) => ['connection', v] as [string, string]),
      ]).ok;
    expect(withTokens([',, \twebsocket\t ,'], ['keep-alive ,upgrade'])).toBe(true);
    expect(withTokens(['h2c', 'websocket'], ['keep-alive', 'Upgrade'])).toBe(true);
    expect(withTokens(['websockets'], ['upgrade'])).toBe(false);
    expect(withTokens(['xwebsocket, web socket'], ['upgrade'])).toBe(false);
    expect(withTokens(['websocket'], ['upgraded, upgrad'])).toBe(false);
    expect(withTokens(['websocket'], [''])).toBe(false);
    // case-insensitive in ASCII only: a Kelvin sign is not a K
    expect(withTokens(['WEBSOC\u212aET'], ['upgrade'])).toBe(false);
  });

  it('parses offered extensions in order', () => {
    const headers = [...request, ['sec-websocket-extensions', 'permessage-deflate; client_max_window_bits, x-foo'] as [string, string]];
    const r = validateUpgradeRequest('GET', headers);
    expect(r.ok && r.request.extensions).toEqual([
      { name: 'permessage-deflate', params: [['client_max_window_bits', true]] },
      { name: 'x-foo', params: [] },
    ]);
  });

  it('rejects a method other than GET with 405 and Allow: GET', () => {
    expect(failure(validateUpgradeRequest('POST', request))).toEqual({
      code: 'LWS_ERR_WS_HANDSHAKE_METHOD',
      message: 'Cannot upgrade to websocket: method is "POST", expected GET',
      wire: { status: 405 },
      status: 405,
      headers: [['allow', 'GET']],
    });
  });

  it('rejects a missing or wrong Upgrade with 400', () => {
    expect(failure(validateUpgradeRequest('GET', without(request, 'upgrade', ['upgrade', 'h2c'])))).toEqual({
      code: 'LWS_ERR_WS_HANDSHAKE_UPGRADE',
      message: 'Cannot upgrade to websocket: Upgrade is "h2c", expected "websocket"',
      wire: { status: 400 },
      status: 400,
      headers: [],
    });
    expect(failure(validateUpgradeRequest('GET', without(request, 'upgrade'))).message).toBe(
      'Cannot upgrade to websocket: Upgrade is missing, expected "websocket"',
    );
  });

  it('rejects a Connection without the upgrade token with 400', () => {
    expect(failure(validateUpgradeRequest('GET', without(request, 'connection', ['connection', 'keep-alive'])))).toEqual({
      code: 'LWS_ERR_WS_HANDSHAKE_CONNECTION',
      message: 'Cannot upgrade to websocket: Connection is "keep-alive", expected "upgrade"',
      wire: { status: 400 },
      status: 400,
      headers: [],
    });
  });

  it('rejects another or a missing version with 426 and Sec-WebSocket-Version: 13', () => {
    expect(failure(validateUpgradeRequest('GET', without(request, 'sec-websocket-version', ['sec-websocket-version', '8'])))).toEqual({
      code: 'LWS_ERR_WS_HANDSHAKE_VERSION',
      message: 'Cannot upgrade to websocket: Sec-WebSocket-Version is "8", expected 13',
      wire: { status: 426 },
      status: 426,
      headers: [['sec-websocket-version', '13']],
    });
    expect(failure(validateUpgradeRequest('GET', without(request, 'sec-websocket-version'))).status).toBe(426);
  });

  it('rejects a key that is not base64 of 16 bytes with 400', () => {
    for (const key of ['abc', 'dGhlIHNhbXBsZSBub25jZQ', 'dGhlIHNhbXBsZSBub25jZQ==x', 'dGhlIHNhbXBsZSBub25j']) {
      expect(failure(validateUpgradeRequest('GET', without(request, 'sec-websocket-key', ['sec-websocket-key', key])))).toEqual({
        code: 'LWS_ERR_WS_HANDSHAKE_KEY',
        message: `Cannot upgrade to websocket: Sec-WebSocket-Key is "${key}", expected base64 of 16 bytes`,
        wire: { status: 400 },
        status: 400,
        headers: [],
      });
    }
    const twoKeys = [...request, ['sec-websocket-key', KEY] as [string, string]];
    expect(failure(validateUpgradeRequest('GET', twoKeys)).code).toBe('LWS_ERR_WS_HANDSHAKE_KEY');
  });

  it('rejects a malformed Sec-WebSocket-Extensions with 400', () => {
    const headers = [...request, ['sec-websocket-extensions', 'permessage-deflate; =1'] as [string, string]];
    expect(failure(validateUpgradeRequest('GET', headers))).toEqual({
      code: 'LWS_ERR_WS_HANDSHAKE_EXTENSION',
      message: 'Cannot parse Sec-WebSocket-Extensions: expected a parameter name, found "=" at 20 in "permessage-deflate; =1"',
      wire: { status: 400 },
      status: 400,
      headers: [],
    });
  });
});

describe('parseExtensions / formatExtension', () => {
  it('reads tokens, quoted values and several header lines', () => {
    expect(parseExtensions('permessage-deflate ; client_max_window_bits="10";server_no_context_takeover , , foo')).toEqual([
      {
        name: 'permessage-deflate',
        params: [
          ['client_max_window_bits', '10'],
          ['server_no_context_takeover', true],
        ],
      },
      { name: 'foo', params: [] },
    ]);
    expect(parseExtensions('')).toEqual([]);
  });

  it('rejects a quoted value that is not a token and garbage after an extension', () => {
    expect((parseExtensions('a; b="x y"') as LwsError).message).toBe(
      'Cannot parse Sec-WebSocket-Extensions: expected a token inside the quoted string, found end of value in "a; b="x y""',
    );
    expect((parseExtensions('a b') as LwsError).message).toBe(
      'Cannot parse Sec-WebSocket-Extensions: expected "," or ";", found "b" at 2 in "a b"',
    );
    expect(parseExtensions('a; b=')).toBeInstanceOf(LwsError);
  });

  it('formats an extension', () => {
    expect(formatExtension({ name: 'permessage-deflate', params: [['client_max_window_bits', '10'], ['server_no_context_takeover', true]] })).toBe(
      'permessage-deflate; client_max_window_bits=10; server_no_context_takeover',
    );
  });
});

describe('selectSubprotocol (client preference order)', () => {
  it('picks the first name in the client list the server supports', () => {
    expect(selectSubprotocol(['chat', 'superchat'], ['superchat', 'chat'])).toEqual({ ok: true, protocol: 'chat' });
    expect(selectSubprotocol(['x', 'superchat'], ['superchat', 'chat'])).toEqual({ ok: true, protocol: 'superchat' });
  });

  it('uses the default protocol when the client lists none', () => {
    expect(selectSubprotocol([], ['chat'])).toEqual({ ok: true, protocol: undefined });
  });

  it('fails with 400 when none is supported; names compare exactly', () => {
    const r = selectSubprotocol(['Chat', 'x'], ['chat']);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.status).toBe(400);
      expect(r.error).toMatchObject({
        code: 'LWS_ERR_WS_HANDSHAKE_PROTOCOL',
        message: 'Cannot upgrade to websocket: none of the subprotocols "Chat, x" is supported',
        wire: { status: 400 },
      });
    }
  });
});

describe('handshake headers', () => {
  it('builds the 101 response headers', () => {
    expect(upgradeResponseHeaders(KEY, { protocol: 'chat', extensions: 'permessage-deflate' })).toEqual([
      ['upgrade', 'websocket'],
      ['connection', 'Upgrade'],
      ['sec-websocket-accept', ACCEPT],
      ['sec-websocket-protocol', 'chat'],
      ['sec-websocket-extensions', 'permessage-deflate'],
    ]);
    expect(upgradeResponseHeaders(KEY)).toHaveLength(3);
  });

  it('builds the client request headers', () => {
    expect(upgradeRequestHeaders({ key: KEY, protocols: ['chat', 'superchat'], extensions: 'permessage-deflate' })).toEqual([
      ['upgrade', 'websocket'],
      ['connection', 'Upgrade'],
      ['sec-websocket-key', KEY],
      ['sec-websocket-version', '13'],
      ['sec-websocket-protocol', 'chat, superchat'],
      ['sec-websocket-extensions', 'permessage-deflate'],
    ]);
    expect(upgradeRequestHeaders({ key: KEY })).toHaveLength(4);
  });
});

describe('validateUpgradeResponse (client)', () => {
  const response: WsHeaders = [
    ['upgrade', 'websocket'],
    ['connection', 'Upgrade'],
    ['sec-websocket-accept', ACCEPT],
    ['sec-websocket-protocol', 'chat'],
  ];
  const expectOk = { key: KEY, protocols: ['chat', 'superchat'], extensions: ['permessage-deflate'] };

  function error(status: number, headers: WsHeaders) {
    const r = validateUpgradeResponse(status, headers, expectOk);
    if (!(r instanceof LwsError)) throw new Error('expected an error');
    return { code: r.code, message: r.message, wire: r.wire };
  }

  it('accepts the RFC 6455 §1.3 response', () => {
    expect(validateUpgradeResponse(101, response, expectOk)).toEqual({ protocol: 'chat', extensions: [] });
  });

  it('returns the accepted extensions for their own checks', () => {
    const headers = [...response, ['sec-websocket-extensions', 'permessage-deflate; server_no_context_takeover'] as [string, string]];
    expect(validateUpgradeResponse(101, headers, expectOk)).toEqual({
      protocol: 'chat',
      extensions: [{ name: 'permessage-deflate', params: [['server_no_context_takeover', true]] }],
    });
  });

  it('fails a status other than 101', () => {
    expect(error(200, response)).toEqual({
      code: 'LWS_ERR_WS_HANDSHAKE_STATUS',
      message: 'Cannot complete websocket handshake: status is 200, expected 101',
      wire: {},
    });
  });

  it('fails a missing Upgrade or Connection', () => {
    expect(error(101, without(response, 'upgrade'))).toEqual({
      code: 'LWS_ERR_WS_HANDSHAKE_UPGRADE',
      message: 'Cannot complete websocket handshake: Upgrade is missing, expected "websocket"',
      wire: {},
    });
    expect(error(101, without(response, 'connection', ['connection', 'close']))).toEqual({
      code: 'LWS_ERR_WS_HANDSHAKE_CONNECTION',
      message: 'Cannot complete websocket handshake: Connection is "close", expected "upgrade"',
      wire: {},
    });
  });

  it('fails a wrong Sec-WebSocket-Accept', () => {
    expect(error(101, without(response, 'sec-websocket-accept', ['sec-websocket-accept', 'x']))).toEqual({
      code: 'LWS_ERR_WS_HANDSHAKE_ACCEPT',
      message: `Cannot complete websocket handshake: Sec-WebSocket-Accept is "x", expected "${ACCEPT}"`,
      wire: {},
    });
  });

  it('fails a subprotocol we did not offer', () => {
    expect(error(101, without(response, 'sec-websocket-protocol', ['sec-websocket-protocol', 'mqtt']))).toEqual({
      code: 'LWS_ERR_WS_HANDSHAKE_PROTOCOL',
      message: 'Cannot complete websocket handshake: the server chose subprotocol "mqtt", which was not offered',
      wire: {},
    });
    expect(validateUpgradeResponse(101, without(response, 'sec-websocket-protocol'), expectOk)).toEqual({
      protocol: undefined,
      extensions: [],
    });
  });

  it('fails an extension we did not offer, or one accepted twice', () => {
    expect(error(101, [...response, ['sec-websocket-extensions', 'x-foo']])).toEqual({
      code: 'LWS_ERR_WS_HANDSHAKE_EXTENSION',
      message: 'Cannot complete websocket handshake: the server accepted extension "x-foo", which was not offered',
      wire: {},
    });
    expect(error(101, [...response, ['sec-websocket-extensions', 'permessage-deflate, permessage-deflate']]).message).toBe(
      'Cannot complete websocket handshake: the server accepted extension "permessage-deflate" twice',
    );
    expect(error(101, [...response, ['sec-websocket-extensions', ';']]).wire).toEqual({});
  });
});
