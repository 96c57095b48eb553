import { describe, expect, it } from 'vitest';
import { H1Parser } from '../../../src/roles/h1/parser.js';
import { ascii } from '../../helpers/split.js';
import { expectResponseError, parseEvery, type H1Event } from './harness.js';

const heads = (events: H1Event[]) => events.flatMap((e) => (e.type === 'head' ? [e.head] : []));
const types = (events: H1Event[]) => events.map((e) => e.type);

describe('H1Parser responses: framing (RFC 9112 §6.3)', () => {
  it('parses a Content-Length response', () => {
    const events = parseEvery('response', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello');
    expect(events).toEqual([
      {
        type: 'head',
        head: {
          status: 200, reason: 'OK', version: '1.1', headers: [['content-length', '5'], ['content-type', 'text/plain']],
          framing: 'length', hasBody: true, contentLength: 5, keepAlive: true, upgrade: undefined,
        },
      },
      { type: 'body', data: 'hello' },
      { type: 'complete', trailers: [] },
    ]);
  });

  it('parses a chunked response with trailers', () => {
    const events = parseEvery('response', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n0\r\nGrpc-Status: 0\r\n\r\n');
    expect(events.slice(1)).toEqual([
      { type: 'chunk', size: 4, extensions: [] },
      { type: 'body', data: 'wiki' },
      { type: 'chunk', size: 0, extensions: [] },
      { type: 'complete', trailers: [['grpc-status', '0']] },
    ]);
  });

  it('reads a response without length until finish() and does not keep the connection', () => {
    const events = parseEvery('response', 'HTTP/1.1 200 OK\r\n\r\nall of it', { finish: true });
    expect(heads(events)[0]).toMatchObject({ framing: 'until-close', hasBody: true, keepAlive: false });
    expect(events.slice(1)).toEqual([{ type: 'body', data: 'all of it' }, { type: 'complete', trailers: [] }, { type: 'finished' }]);
  });

  it('reads no body after a HEAD request, whatever the framing fields say', () => {
    const input = 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
    const events = parseEvery('response', input, { expect: ['HEAD', 'HEAD', 'GET'] });
    expect(heads(events).map((h) => [h.framing, h.contentLength])).toEqual([['none', 100], ['none', undefined], ['length', 2]]);
    expect(types(events)).toEqual(['head', 'complete', 'head', 'complete', 'head', 'body', 'complete']);
  });

  it('reads no body for 204 and 304', () => {
    const input = 'HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n';
    const events = parseEvery('response', input);
    expect(heads(events).map((h) => [h.status, h.framing, h.hasBody])).toEqual([[204, 'none', false], [304, 'none', false]]);
    expect(types(events)).toEqual(['head', 'complete', 'head', 'complete']);
  });

  it('parses 1xx responses before the final one, which keeps the awaited method', () => {
    const input = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
    const events = parseEvery('response', input, { expect: ['HEAD', 'GET'] });
    expect(heads(events).map((h) => h.status)).toEqual([100, 103, 200, 200]);
    expect(types(events)).toEqual(['head', 'complete', 'head', 'complete', 'head', 'complete', 'head', 'body', 'complete']);
  });

  it('switches protocols after 101 and hands over the rest', () => {
    const input = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x02hi';
    const events = parseEvery('response', input);
    expect(heads(events)[0]).toMatchObject({ status: 101, upgrade: 'websocket', framing: 'none' });
    expect(events.slice(1)).toEqual([{ type: 'complete', trailers: [] }, { type: 'upgraded', rest: '\x81\x02hi' }]);
  });

  it('tunnels after a 2xx to CONNECT, and reads the body of a refusal', () => {
    const ok = parseEvery('response', 'HTTP/1.1 200 Connection Established\r\n\r\nTLS', { expect: ['CONNECT'] });
    expect(ok.slice(1)).toEqual([{ type: 'complete', trailers: [] }, { type: 'upgraded', rest: 'TLS' }]);
    const refused = parseEvery('response', 'HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 2\r\n\r\nno', { expect: ['CONNECT'] });
    expect(types(refused)).toEqual(['head', 'body', 'complete']);
  });

  it('keeps an HTTP/1.0 response connection only with keep-alive and a length', () => {
    const keep = parseEvery('response', 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n');
    const close = parseEvery('response', 'HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n');
    expect(heads(keep)[0]).toMatchObject({ version: '1.0', keepAlive: true });
    expect(heads(close)[0]).toMatchObject({ version: '1.0', keepAlive: false });
  });

  it('accepts a status line without reason, with an empty one, and obs-text in it', () => {
    const events = parseEvery('response', 'HTTP/1.1 200\r\nContent-Length: 0\r\n\r\nHTTP/1.1 404 \r\nContent-Length: 0\r\n\r\nHTTP/1.1 500 Erreur r\xe9seau\r\nContent-Length: 0\r\n\r\n');
    expect(heads(events).map((h) => h.reason)).toEqual(['', '', 'Erreur r\xe9seau']);
  });

  it('ignores Host rules on responses', () => {
    const events = parseEvery('response', 'HTTP/1.1 200 OK\r\nHost: a\r\nHost: b c\r\nContent-Length: 0\r\n\r\n');
    expect(types(events)).toEqual(['head', 'complete']);
  });

  it('finishes cleanly when idle', () => {
    const parser = new H1Parser({ kind: 'response' }, { onHead() {} });
    expect(parser.finish()).toEqual({ kind: 'ok', consumed: 0 });
  });
});

describe('H1Parser responses: failures carry 502, what a gateway answers', () => {
  it('fails a response cut short by the close', () => {
    const cut = (input: string, message: string) =>
      expect(parseEvery('response', input, { finish: true }).pop()).toEqual({ type: 'error', code: 'LWS_ERR_H1_INCOMPLETE_MESSAGE', message, status: 502 });
    cut('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhe', 'Cannot finish response: connection closed after 2 of 5 body bytes');
    cut('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhe', 'Cannot finish response: connection closed in a chunked body');
    cut('HTTP/1.1 200 OK\r\nContent-Le', 'Cannot finish response: connection closed in the header section');
    cut('HTTP/1.1 2', 'Cannot finish response: connection closed in the status line');
  });

  it('rejects malformed status lines', () => {
    for (const line of ['HTTP/1.1 20 OK', 'HTTP/1.1 2000 OK', 'HTTP/1.1 099 Low', 'HTTP/1.1 600 High', 'HTTP/1.1 abc', 'HTTP/1.1  200 OK', 'HTTP/1.1', 'HTTP/1.1 200 a\0b']) {
      expectResponseError(`${line}\r\n\r\n`, 'LWS_ERR_H1_BAD_STATUS_LINE', `Cannot parse status line: expected "HTTP/<version> <100-599> <reason>", got ${JSON.stringify(line)}`);
    }
  });

  it('rejects a malformed or unsupported response version', () => {
    expectResponseError('FOO 200 OK\r\n\r\n', 'LWS_ERR_H1_BAD_VERSION', 'Cannot parse HTTP version: expected "HTTP/<digit>.<digit>", got "FOO"');
    expectResponseError('HTTP/2 200 OK\r\n\r\n', 'LWS_ERR_H1_BAD_VERSION', 'Cannot parse HTTP version: expected "HTTP/<digit>.<digit>", got "HTTP/2"');
    expectResponseError('HTTP/2.0 200 OK\r\n\r\n', 'LWS_ERR_H1_VERSION_NOT_SUPPORTED', 'Cannot accept HTTP version: "HTTP/2.0", expected HTTP/1.0 or HTTP/1.1');
  });

  it('rejects bare CR and bare LF in a status line', () => {
    expectResponseError('HTTP/1.1 200 O\rK\r\n\r\n', 'LWS_ERR_H1_BARE_CR', 'Cannot parse status line: CR without LF');
    expectResponseError('HTTP/1.1 200 OK\n\r\n', 'LWS_ERR_H1_BARE_LF', 'Cannot parse status line: LF without CR');
  });

  it('rejects Content-Length with Transfer-Encoding and ambiguous Content-Length', () => {
    expectResponseError('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n', 'LWS_ERR_H1_CONTENT_LENGTH_WITH_TE', 'Cannot accept response: both Content-Length and Transfer-Encoding');
    expectResponseError('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n', 'LWS_ERR_H1_CONFLICTING_CONTENT_LENGTH', 'Cannot parse Content-Length: values "3" and "4" differ');
  });

  it('rejects transfer codings other than a lone chunked, which it cannot decode', () => {
    expectResponseError('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n', 'LWS_ERR_H1_UNSUPPORTED_TRANSFER_ENCODING', 'Cannot accept Transfer-Encoding: "gzip" is not supported, in "gzip"');
    expectResponseError('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n', 'LWS_ERR_H1_BAD_TRANSFER_ENCODING', 'Cannot parse Transfer-Encoding: chunked more than once in "chunked, chunked"');
    expectResponseError('HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', 'LWS_ERR_H1_BAD_TRANSFER_ENCODING', 'Cannot accept Transfer-Encoding: not allowed in HTTP/1.0, got "chunked"');
  });

  it('gives field syntax errors status 502 on responses', () => {
    expectResponseError('HTTP/1.1 200 OK\r\nX-A: 1\r\n 2\r\n\r\n', 'LWS_ERR_H1_OBS_FOLD', 'Cannot parse header: line starts with whitespace (obs-fold) in " 2"');
  });

  it('assumes GET framing for a response not announced with expectResponse()', () => {
    const parser = new H1Parser({ kind: 'response' }, { onHead() {} });
    expect(parser.execute(ascii('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n')).kind).toBe('ok');
    expect(parser.idle).toBe(false);
  });
});
