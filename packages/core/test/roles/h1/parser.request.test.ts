import { describe, expect, it } from 'vitest';
import { headerValue, headerValues, H1Parser, type H1RequestHead } from '../../../src/roles/h1/parser.js';
import { ascii } from '../../helpers/split.js';
import { parseEvery, run, type H1Event } from './harness.js';

const heads = (events: H1Event[]) => events.flatMap((e) => (e.type === 'head' ? [e.head] : []));

describe('H1Parser requests: sample messages give the same events for every split', () => {
  it('parses a GET into its head and completes it with no body', () => {
    const events = parseEvery('request', 'GET /index.html?a=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\n\r\n');
    expect(events).toEqual([
      {
        type: 'head',
        head: {
          method: 'GET', target: '/index.html?a=1', targetForm: 'origin', authority: undefined, version: '1.1',
          headers: [['host', 'example.com'], ['user-agent', 't']], framing: 'none', hasBody: false,
          contentLength: undefined, keepAlive: true, upgrade: undefined, host: 'example.com', expectContinue: false,
        },
      },
      { type: 'complete', trailers: [] },
    ]);
  });

  it('delivers a Content-Length body and completes at its last byte', () => {
    const events = parseEvery('request', 'POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world');
    expect(heads(events)[0]).toMatchObject({ method: 'POST', framing: 'length', contentLength: 11, hasBody: true });
    expect(events.slice(1)).toEqual([{ type: 'body', data: 'hello world' }, { type: 'complete', trailers: [] }]);
  });

  it('treats Content-Length: 0 as no body', () => {
    const events = parseEvery('request', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n');
    expect(heads(events)[0]).toMatchObject({ framing: 'length', contentLength: 0, hasBody: false });
    expect(events[1]).toEqual({ type: 'complete', trailers: [] });
  });

  it('decodes a chunked body with extensions and trailers', () => {
    const input =
      'POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n' +
      '5;name=val;q="a \\"b\\""\r\nhello\r\n6\r\n world\r\n0;last\r\nX-Sum: 42\r\nX-Other:  y \r\n\r\n';
    expect(parseEvery('request', input).slice(1)).toEqual([
      { type: 'chunk', size: 5, extensions: [['name', 'val'], ['q', 'a "b"']] },
      { type: 'body', data: 'hello' },
      { type: 'chunk', size: 6, extensions: [] },
      { type: 'body', data: ' world' },
      { type: 'chunk', size: 0, extensions: [['last', undefined]] },
      { type: 'complete', trailers: [['x-sum', '42'], ['x-other', 'y']] },
    ]);
  });

  it('parses three pipelined requests in order, pausing after each', () => {
    const input =
      'GET /1 HTTP/1.1\r\nHost: a\r\n\r\n' +
      'POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc' +
      'GET /3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n';
    const paused = parseEvery('request', input, { pauseOnComplete: true });
    expect(paused).toEqual(parseEvery('request', input));
    expect(heads(paused).map((h) => [h.target, h.keepAlive])).toEqual([['/1', true], ['/2', true], ['/3', false]]);
    expect(paused.map((e) => e.type)).toEqual(['head', 'complete', 'head', 'body', 'complete', 'head', 'complete']);
  });

  it('returns paused with the bytes consumed up to the pause point', () => {
    const parser: H1Parser = new H1Parser({ kind: 'request' }, { onHead() {}, onComplete: () => parser.pause() });
    const first = 'GET /1 HTTP/1.1\r\nHost: a\r\n\r\n';
    const r = parser.execute(ascii(`${first}GET /2 HTTP/1.1\r\nHost: a\r\n\r\n`));
    expect(r).toEqual({ kind: 'paused', consumed: first.length });
    expect(parser.execute(ascii('x'))).toEqual({ kind: 'paused', consumed: 0 });
    parser.resume();
    expect(parser.idle).toBe(true);
  });

  it('hands the bytes after an accepted Upgrade request to the next role', () => {
    const input =
      'GET /chat HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n\x81\x05hello';
    const events = parseEvery('request', input, { acceptUpgrade: true });
    expect(heads(events)[0]).toMatchObject({ upgrade: 'websocket', keepAlive: true });
    expect(events.slice(1)).toEqual([{ type: 'complete', trailers: [] }, { type: 'upgraded', rest: '\x81\x05hello' }]);
  });

  it('reads the body of an accepted Upgrade request before switching', () => {
    const input = 'POST / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: h2c\r\nContent-Length: 2\r\n\r\nhiPRI';
    expect(parseEvery('request', input, { acceptUpgrade: true }).slice(1)).toEqual([
      { type: 'body', data: 'hi' },
      { type: 'complete', trailers: [] },
      { type: 'upgraded', rest: 'PRI' },
    ]);
  });

  it('keeps parsing HTTP/1.1 when an Upgrade is not accepted', () => {
    const input = 'GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n';
    expect(heads(parseEvery('request', input)).map((h) => h.target)).toEqual(['/', '/2']);
  });

  it('tunnels after an accepted CONNECT and exposes its authority as host', () => {
    const input = 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\x16\x03\x01';
    const events = parseEvery('request', input, { acceptUpgrade: true });
    expect(heads(events)[0]).toMatchObject({ targetForm: 'authority', authority: 'example.com:443', host: 'example.com:443', upgrade: undefined });
    expect(events[events.length - 1]).toEqual({ type: 'upgraded', rest: '\x16\x03\x01' });
  });

  it('accepts an upgrade after pausing in onHead: the next execute returns upgraded', () => {
    let head: H1RequestHead | undefined;
    const parser: H1Parser<'request'> = new H1Parser({ kind: 'request' }, { onHead: (h) => { head = h; parser.pause(); } });
    const req = 'GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n';
    expect(parser.execute(ascii(`${req}ws`))).toEqual({ kind: 'paused', consumed: req.length });
    expect(head?.upgrade).toBe('websocket');
    parser.acceptUpgrade();
    parser.resume();
    expect(parser.execute(ascii('ws'))).toEqual({ kind: 'upgraded', consumed: 0 });
  });

  it('ignores Upgrade without the upgrade connection option and in HTTP/1.0', () => {
    const noOption = parseEvery('request', 'GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n');
    const v10 = parseEvery('request', 'GET / HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n');
    expect(heads(noOption)[0]?.upgrade).toBeUndefined();
    expect(heads(v10)[0]?.upgrade).toBeUndefined();
  });

  it('refuses acceptUpgrade() with a TypeError for a request that asked for none', () => {
    const parser: H1Parser = new H1Parser({ kind: 'request' }, { onHead() {} });
    parser.execute(ascii('GET / HTTP/1.1\r\nHost: a\r\n\r\n'));
    expect(() => parser.acceptUpgrade()).toThrow(new TypeError('Cannot accept upgrade: the last request asked for no Upgrade and is not CONNECT'));
  });

  it('keeps an HTTP/1.0 connection alive only with Connection: keep-alive', () => {
    const plain = parseEvery('request', 'GET / HTTP/1.0\r\n\r\n');
    const keep = parseEvery('request', 'GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n');
    expect(heads(plain)[0]).toMatchObject({ version: '1.0', keepAlive: false, host: undefined });
    expect(heads(keep)[0]).toMatchObject({ version: '1.0', keepAlive: true });
  });

  it('closes an HTTP/1.1 connection on Connection: close', () => {
    const events = parseEvery('request', 'GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n');
    expect(heads(events)[0]?.keepAlive).toBe(false);
  });

  it('accepts an absolute-form target and takes the host from it, not from Host', () => {
    const events = parseEvery('request', 'GET http://Example.com:8080/p?q HTTP/1.1\r\nHost: other\r\n\r\n');
    expect(heads(events)[0]).toMatchObject({
      target: 'http://Example.com:8080/p?q', targetForm: 'absolute', authority: 'Example.com:8080', host: 'Example.com:8080',
    });
  });

  it('accepts the asterisk-form with OPTIONS', () => {
    const events = parseEvery('request', 'OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(heads(events)[0]).toMatchObject({ method: 'OPTIONS', target: '*', targetForm: 'asterisk' });
  });

  it('reports Expect: 100-continue on HTTP/1.1 only', () => {
    const v11 = parseEvery('request', 'PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nx');
    const v10 = parseEvery('request', 'PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx');
    expect(heads(v11)[0]?.expectContinue).toBe(true);
    expect(heads(v10)[0]?.expectContinue).toBe(false);
  });

  it('ignores empty lines before a request line (RFC 9112 §2.2)', () => {
    const input = 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n';
    expect(heads(parseEvery('request', input)).map((h) => h.target)).toEqual(['/', '/2']);
  });

  it('parses any token as a method; the server decides 405/501', () => {
    const events = parseEvery('request', "M-SEARCH!#$%&'*+.^_`|~ / HTTP/1.1\r\nHost: a\r\n\r\n", { maxMethod: 64 });
    expect(heads(events)[0]?.method).toBe("M-SEARCH!#$%&'*+.^_`|~");
  });

  it('lowercases names, trims values, keeps order, duplicates and obs-text', () => {
    const input = 'GET / HTTP/1.1\r\nHost: a\r\nX-A: \t1 \t\r\nSet-Cookie: a=1\r\nx-a: 2\r\nSet-Cookie: b=2\r\nX-Empty:\r\nX-Latin: caf\xe9\r\n\r\n';
    const h = heads(parseEvery('request', input))[0] as unknown as H1RequestHead;
    expect(h.headers).toEqual([['host', 'a'], ['x-a', '1'], ['set-cookie', 'a=1'], ['x-a', '2'], ['set-cookie', 'b=2'], ['x-empty', ''], ['x-latin', 'caf\xe9']]);
    expect(headerValue(h.headers, 'x-a')).toBe('1, 2');
    expect(headerValue(h.headers, 'x-none')).toBeUndefined();
    expect(headerValues(h.headers, 'set-cookie')).toEqual(['a=1', 'b=2']);
  });

  it('parses heads that cross the 4 KiB decoding window alike for every split', () => {
    const fields = Array.from({ length: 45 }, (_, i) => `X-Field-${i}: ${'v'.repeat(80)}${i}\r\n`).join('');
    const one = `GET /big HTTP/1.1\r\nHost: a\r\n${fields}\r\n`;
    expect(one.length).toBeGreaterThan(4096);
    const events = parseEvery('request', `${one}${one}`);
    expect(heads(events).map((h) => (h.headers as unknown[]).length)).toEqual([46, 46]);
    expect(heads(events)[1]?.headers).toEqual(heads(events)[0]?.headers);
  });

  it('pausing in onHead and onBody gives the same events', () => {
    const input = 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n';
    expect(parseEvery('request', input, { pauseOnHead: true, pauseOnBody: true })).toEqual(parseEvery('request', input));
  });

  it('accepts a plain Uint8Array and passes body views of it', () => {
    const bodies: Uint8Array[] = [];
    const parser = new H1Parser({ kind: 'request' }, { onHead() {}, onBody: (b) => bodies.push(b) });
    const input = new Uint8Array(ascii('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nok'));
    expect(parser.execute(input)).toEqual({ kind: 'ok', consumed: input.length });
    expect(bodies[0]?.buffer).toBe(input.buffer);
  });
});

describe('H1Parser requests: end of input and misuse', () => {
  it('finishes cleanly between messages', () => {
    expect(parseEvery('request', 'GET / HTTP/1.1\r\nHost: a\r\n\r\n', { finish: true }).pop()).toEqual({ type: 'finished' });
  });

  it('fails a request cut in its head, start line or body with 400', () => {
    const cases: [string, string][] = [
      ['GET / HT', 'Cannot finish request: connection closed in the request line'],
      ['GET / HTTP/1.1\r\nHost: a\r\n', 'Cannot finish request: connection closed in the header section'],
      ['POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc', 'Cannot finish request: connection closed after 3 of 10 body bytes'],
      ['POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab', 'Cannot finish request: connection closed in a chunked body'],
      ['POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: 1\r\n', 'Cannot finish request: connection closed in the trailer section'],
    ];
    for (const [input, message] of cases) {
      expect(parseEvery('request', input, { finish: true }).pop()).toEqual({ type: 'error', code: 'LWS_ERR_H1_INCOMPLETE_MESSAGE', message, status: 400 });
    }
  });

  it('stays failed after an error and reports the same error with nothing consumed', () => {
    const parser = new H1Parser({ kind: 'request' }, { onHead() {} });
    const first = parser.execute(ascii('GET / HTTP/9.9\r\n'));
    expect(first.kind).toBe('error');
    const again = parser.execute(ascii('GET / HTTP/1.1\r\nHost: a\r\n\r\n'));
    expect(again).toEqual({ kind: 'error', consumed: 0, error: first.kind === 'error' ? first.error : undefined });
    expect(parser.finish()).toEqual(again);
  });

  it('throws when execute() is called after finish() or from a handler', () => {
    const parser: H1Parser = new H1Parser({ kind: 'request' }, { onHead: () => void parser.execute(ascii('x')) });
    expect(() => parser.execute(ascii('GET / HTTP/1.1\r\nHost: a\r\n\r\n'))).toThrow('Cannot execute: called again from a handler');
    const done = new H1Parser({ kind: 'request' }, { onHead() {} });
    done.finish();
    expect(() => done.execute(ascii('GET'))).toThrow('Cannot execute: finish() was called');
  });

  it('rethrows a handler exception and fails the parser with LWS_ERR_CORE_HANDLER_THREW', () => {
    const boom = new Error('boom');
    const parser = new H1Parser({ kind: 'request' }, { onHead: () => { throw boom; } });
    expect(() => parser.execute(ascii('GET / HTTP/1.1\r\nHost: a\r\n\r\n'))).toThrow(boom);
    const r = parser.execute(ascii('GET'));
    expect(r.kind === 'error' && r.error).toMatchObject({ code: 'LWS_ERR_CORE_HANDLER_THREW', message: 'Cannot parse: a handler threw', wire: { status: 500 }, cause: boom });
  });

  it('checks its options with TypeError and RangeError', () => {
    const onHead = () => {};
    expect(() => new H1Parser({ kind: 'both' as 'request' }, { onHead })).toThrow(new TypeError('Cannot create H1Parser: kind must be "request" or "response", got both'));
    expect(() => new H1Parser({ kind: 'request' }, {} as never)).toThrow(new TypeError('Cannot create H1Parser: handlers.onHead is not a function'));
    expect(() => new H1Parser({ kind: 'request', maxHeaders: -1 }, { onHead })).toThrow(new RangeError('Cannot create H1Parser: maxHeaders must be a non-negative integer, got -1'));
    expect(() => new H1Parser({ kind: 'request', maxStartLine: Infinity }, { onHead })).toThrow(RangeError);
    expect(() => new H1Parser({ kind: 'request', maxBodyBytes: Infinity }, { onHead })).not.toThrow();
    expect(() => new H1Parser({ kind: 'request' }, { onHead }).expectResponse('GET')).toThrow(new TypeError('Cannot expect a response: this parser parses requests'));
  });

  it('run() feeds chunk lists too', () => {
    const events = run('request', [ascii('GET / HTTP/1.1\r\n'), ascii('Host: a\r\n\r\n')]);
    expect(events.map((e) => e.type)).toEqual(['head', 'complete']);
  });
});
