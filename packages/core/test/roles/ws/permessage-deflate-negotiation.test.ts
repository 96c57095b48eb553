import { describe, expect, it } from 'vitest';
import { LwsError } from '../../../src/errors.js';
import { formatExtension, parseExtensions, type WsExtension } from '../../../src/roles/ws/extensions.js';
import {
  acceptPerMessageDeflate,
  negotiatePerMessageDeflate,
  perMessageDeflateOffer,
  type PerMessageDeflateNegotiation,
} from '../../../src/roles/ws/permessage-deflate-negotiation.js';

function offers(header: string): WsExtension[] {
  const parsed = parseExtensions(header);
  if (parsed instanceof LwsError) throw parsed;
  return parsed;
}

function negotiate(header: string, prefs: PerMessageDeflateNegotiation = {}) {
  return negotiatePerMessageDeflate(offers(header), prefs);
}

const DEFAULTS = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };

describe('negotiatePerMessageDeflate (server)', () => {
  it('accepts a bare offer with a bare response', () => {
    expect(negotiate('permessage-deflate')).toEqual({
      ok: true,
      params: DEFAULTS,
      response: { name: 'permessage-deflate', params: [] },
      header: 'permessage-deflate',
    });
  });

  it('accepts client_max_window_bits without a value, limiting it only when configured', () => {
    expect(negotiate('permessage-deflate; client_max_window_bits')).toMatchObject({ header: 'permessage-deflate', params: DEFAULTS });
    expect(negotiate('permessage-deflate; client_max_window_bits', { clientMaxWindowBits: 10 })).toMatchObject({
      header: 'permessage-deflate; client_max_window_bits=10',
      params: { ...DEFAULTS, clientMaxWindowBits: 10 },
    });
  });

  it('takes the smaller of the offered and configured client window', () => {
    expect(negotiate('permessage-deflate; client_max_window_bits=9', { clientMaxWindowBits: 12 })).toMatchObject({
      header: 'permessage-deflate; client_max_window_bits=9',
      params: { clientMaxWindowBits: 9 },
    });
  });

  it('cannot limit a client that did not offer client_max_window_bits', () => {
    expect(negotiate('permessage-deflate', { clientMaxWindowBits: 10 })).toMatchObject({
      header: 'permessage-deflate',
      params: { clientMaxWindowBits: 15 },
    });
  });

  it('honours server_max_window_bits, 8 included, and the smaller configured value', () => {
    expect(negotiate('permessage-deflate; server_max_window_bits=8')).toMatchObject({
      header: 'permessage-deflate; server_max_window_bits=8',
      params: { serverMaxWindowBits: 8 },
    });
    expect(negotiate('permessage-deflate; server_max_window_bits=12', { serverMaxWindowBits: 10 })).toMatchObject({
      header: 'permessage-deflate; server_max_window_bits=10',
    });
    expect(negotiate('permessage-deflate', { serverMaxWindowBits: 11 })).toMatchObject({
      header: 'permessage-deflate; server_max_window_bits=11',
    });
  });

  it('echoes both no_context_takeover parameters, offered or configured', () => {
    expect(negotiate('permessage-deflate; server_no_context_takeover; client_no_context_takeover')).toMatchObject({
      header: 'permessage-deflate; server_no_context_takeover; client_no_context_takeover',
      params: { ...DEFAULTS, serverNoContextTakeover: true, clientNoContextTakeover: true },
    });
    expect(negotiate('permessage-deflate', { serverNoContextTakeover: true, clientNoContextTakeover: true })).toMatchObject({
      header: 'permessage-deflate; server_no_context_takeover; client_no_context_takeover',
    });
  });

  it('declines bad offers, saying why, and accepts the first acceptable one', () => {
    const header = [
      'permessage-deflate; server_max_window_bits=16',
      'permessage-deflate; client_max_window_bits=7',
      'permessage-deflate; server_max_window_bits=010',
      'permessage-deflate; server_max_window_bits',
      'permessage-deflate; client_no_context_takeover=1',
      'permessage-deflate; server_no_context_takeover; server_no_context_takeover',
      'permessage-deflate; foo',
      'x-other',
      'permessage-deflate; server_max_window_bits=9',
      'permessage-deflate',
    ].join(', ');
    const r = negotiate(header);
    expect(r).toMatchObject({ ok: true, header: 'permessage-deflate; server_max_window_bits=9' });
    const declined = negotiate(header.split(', x-other')[0]!);
    expect(declined).toEqual({
      ok: false,
      declined: [
        'Cannot accept permessage-deflate offer "permessage-deflate; server_max_window_bits=16": parameter "server_max_window_bits" must be 8-15, received "16"',
        'Cannot accept permessage-deflate offer "permessage-deflate; client_max_window_bits=7": parameter "client_max_window_bits" must be 8-15, received "7"',
        'Cannot accept permessage-deflate offer "permessage-deflate; server_max_window_bits=010": parameter "server_max_window_bits" must be 8-15, received "010"',
        'Cannot accept permessage-deflate offer "permessage-deflate; server_max_window_bits": parameter "server_max_window_bits" needs a value',
        'Cannot accept permessage-deflate offer "permessage-deflate; client_no_context_takeover=1": parameter "client_no_context_takeover" takes no value, received "1"',
        'Cannot accept permessage-deflate offer "permessage-deflate; server_no_context_takeover; server_no_context_takeover": duplicate parameter "server_no_context_takeover"',
        'Cannot accept permessage-deflate offer "permessage-deflate; foo": unknown parameter "foo"',
      ],
    });
  });

  it('reports nothing declined when permessage-deflate was not offered', () => {
    expect(negotiate('x-webkit-deflate-frame')).toEqual({ ok: false, declined: [] });
  });

  it('accepts a quoted window value (RFC 6455 §9.1)', () => {
    expect(negotiate('permessage-deflate; server_max_window_bits="10"')).toMatchObject({ params: { serverMaxWindowBits: 10 } });
  });

  it('throws RangeError for configured window bits outside 8-15', () => {
    expect(() => negotiate('permessage-deflate', { serverMaxWindowBits: 7 })).toThrow(
      new RangeError('Cannot negotiate permessage-deflate: serverMaxWindowBits must be 8-15, received 7'),
    );
    expect(() => perMessageDeflateOffer({ clientMaxWindowBits: 16 })).toThrow(RangeError);
  });
});

describe('perMessageDeflateOffer (client)', () => {
  it('offers client_max_window_bits without a value by default', () => {
    expect(formatExtension(perMessageDeflateOffer())).toBe('permessage-deflate; client_max_window_bits');
  });

  it('offers every configured parameter', () => {
    const prefs = { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 12 };
    expect(formatExtension(perMessageDeflateOffer(prefs))).toBe(
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12',
    );
  });

  it('round-trips through a server negotiation', () => {
    const prefs = { serverMaxWindowBits: 10, clientMaxWindowBits: 12 };
    const r = negotiatePerMessageDeflate([perMessageDeflateOffer(prefs)]);
    if (!r.ok) throw new Error('declined');
    expect(acceptPerMessageDeflate(r.response, prefs)).toEqual(r.params);
  });
});

describe('acceptPerMessageDeflate (client)', () => {
  function accept(header: string, prefs: PerMessageDeflateNegotiation = {}) {
    return acceptPerMessageDeflate(offers(header)[0]!, prefs);
  }
  function failure(header: string, prefs: PerMessageDeflateNegotiation = {}) {
    const r = accept(header, prefs);
    if (!(r instanceof LwsError)) throw new Error('expected an error');
    return { code: r.code, message: r.message, wire: r.wire };
  }

  it('accepts a bare response', () => {
    expect(accept('permessage-deflate')).toEqual(DEFAULTS);
  });

  it('applies the window limits and takeover flags of the response', () => {
    expect(accept('permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=10')).toEqual({
      serverNoContextTakeover: true,
      clientNoContextTakeover: true,
      serverMaxWindowBits: 9,
      clientMaxWindowBits: 10,
    });
    expect(accept('permessage-deflate', { clientMaxWindowBits: 11, clientNoContextTakeover: true })).toEqual({
      ...DEFAULTS,
      clientNoContextTakeover: true,
      clientMaxWindowBits: 11,
    });
  });

  const failures: [string, string, PerMessageDeflateNegotiation, string][] = [
    ['an unknown parameter', 'permessage-deflate; foo=1', {}, 'unknown parameter "foo"'],
    ['a duplicate parameter', 'permessage-deflate; server_max_window_bits=10; server_max_window_bits=10', {}, 'duplicate parameter "server_max_window_bits"'],
    ['client_max_window_bits without a value', 'permessage-deflate; client_max_window_bits', {}, 'parameter "client_max_window_bits" needs a value'],
    ['an out-of-range window', 'permessage-deflate; server_max_window_bits=7', {}, 'parameter "server_max_window_bits" must be 8-15, received "7"'],
    ['a value on server_no_context_takeover', 'permessage-deflate; server_no_context_takeover=x', {}, 'parameter "server_no_context_takeover" takes no value, received "x"'],
    [
      'a requested server_no_context_takeover left out',
      'permessage-deflate',
      { serverNoContextTakeover: true },
      'server_no_context_takeover was requested but not accepted',
    ],
    [
      'a requested server_max_window_bits left out',
      'permessage-deflate',
      { serverMaxWindowBits: 10 },
      'server_max_window_bits must be at most 10, received none',
    ],
    [
      'a server window larger than requested',
      'permessage-deflate; server_max_window_bits=12',
      { serverMaxWindowBits: 10 },
      'server_max_window_bits must be at most 10, received 12',
    ],
    [
      'a client window larger than offered',
      'permessage-deflate; client_max_window_bits=12',
      { clientMaxWindowBits: 10 },
      'client_max_window_bits must be at most 10, received 12',
    ],
  ];
  for (const [what, header, prefs, reason] of failures) {
    it(`fails ${what}`, () => {
      expect(failure(header, prefs)).toEqual({
        code: 'LWS_ERR_WS_HANDSHAKE_EXTENSION',
        message: `Cannot accept permessage-deflate response: ${reason}`,
        wire: {},
      });
    });
  }
});
