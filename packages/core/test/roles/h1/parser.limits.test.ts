/*
 * Every limit at its boundary: the last accepted size, the first refused one,
 * the status it answers, and that nothing is buffered past it.
 */
import { describe, expect, it } from 'vitest';
import { H1Parser } from '../../../src/roles/h1/parser.js';
import { ascii } from '../../helpers/split.js';
import { expectRequestError, expectResponseError, parseEvery, run } from './harness.js';

const get = (target: string) => `GET ${target} HTTP/1.1\r\nHost: a\r\n\r\n`;

describe('H1Parser limits: start line', () => {
  it('accepts a request line of maxStartLine bytes and answers 414 past it', () => {
    const ok = `/${'a'.repeat(20 - 'GET  HTTP/1.1'.length - 1)}`;
    expect(parseEvery('request', get(ok), { maxStartLine: 20 })[0]).toMatchObject({ head: { target: ok } });
    expectRequestError(get(`${ok}b`), 'LWS_ERR_H1_START_LINE_TOO_LONG', 'Cannot parse request line: longer than 20 bytes', 414, { maxStartLine: 20 });
  });

  it('holds the default 8192 bytes and fails at 8193 without waiting for the LF', () => {
    const line = `GET /${'a'.repeat(8192 - 'GET / HTTP/1.1'.length)} HTTP/1.1`;
    expect(line.length).toBe(8192);
    expect(run('request', [ascii(`${line}\r\nHost: a\r\n\r\n`)])[0]?.type).toBe('head');
    const parser = new H1Parser({ kind: 'request' }, { onHead() {} });
    expect(parser.execute(ascii(`GET /${'a'.repeat(8187)}`)).kind).toBe('ok');
    const r = parser.execute(ascii('aa'));
    expect(r.kind === 'error' && [r.error.code, r.error.message, r.error.wire.status]).toEqual(['LWS_ERR_H1_START_LINE_TOO_LONG', 'Cannot parse request line: longer than 8192 bytes', 414]);
  });

  it('answers a too long status line with 502', () => {
    expectResponseError('HTTP/1.1 200 OK-OK-OK-OK\r\n\r\n', 'LWS_ERR_H1_START_LINE_TOO_LONG', 'Cannot parse status line: longer than 16 bytes', { maxStartLine: 16 });
  });

  it('accepts a method of maxMethod bytes and answers 501 past it', () => {
    expect(parseEvery('request', 'ABC / HTTP/1.1\r\nHost: a\r\n\r\n', { maxMethod: 3 })[0]).toMatchObject({ head: { method: 'ABC' } });
    expectRequestError('ABCD / HTTP/1.1\r\nHost: a\r\n\r\n', 'LWS_ERR_H1_METHOD_TOO_LONG', 'Cannot accept method: 4 bytes, limit is 3', 501, { maxMethod: 3 });
    expectRequestError(`${'M'.repeat(33)} / HTTP/1.1\r\nHost: a\r\n\r\n`, 'LWS_ERR_H1_METHOD_TOO_LONG', 'Cannot accept method: 33 bytes, limit is 32', 501);
  });
});

describe('H1Parser limits: header section', () => {
  // "Host: a\r\n" (9) + "X: 12\r\n" (7) + "\r\n" (2) = 18 bytes
  const input = 'GET / HTTP/1.1\r\nHost: a\r\nX: 12\r\n\r\n';

  it('counts header lines with their CRLF and the final empty line: 18 fit in 18, not in 17 (431)', () => {
    expect(parseEvery('request', input, { maxHeaderBytes: 18 })[0]?.type).toBe('head');
    expectRequestError(input, 'LWS_ERR_H1_HEADERS_TOO_LARGE', 'Cannot parse header section: more than 17 bytes', 431, { maxHeaderBytes: 17 });
    expectRequestError(input, 'LWS_ERR_H1_HEADERS_TOO_LARGE', 'Cannot parse header section: more than 12 bytes', 431, { maxHeaderBytes: 12 });
  });

  it('fails an endless header line once past the limit, holding no more than the limit', () => {
    const parser = new H1Parser({ kind: 'request' }, { onHead() {} });
    expect(parser.execute(ascii('GET / HTTP/1.1\r\nX: ')).kind).toBe('ok');
    const kilo = ascii('a'.repeat(1024));
    let calls = 0;
    let r = parser.execute(kilo);
    while (r.kind === 'ok') {
      calls++;
      r = parser.execute(kilo);
    }
    expect(calls).toBe(15);
    expect(r.kind === 'error' && r.error.code).toBe('LWS_ERR_H1_HEADERS_TOO_LARGE');
  });

  it('accepts maxHeaders fields and answers 431 past it', () => {
    expect(parseEvery('request', input, { maxHeaders: 2 })[0]?.type).toBe('head');
    expectRequestError(input, 'LWS_ERR_H1_TOO_MANY_HEADERS', 'Cannot parse header section: more than 1 fields', 431, { maxHeaders: 1 });
    const many = `GET / HTTP/1.1\r\nHost: a\r\n${'X: 1\r\n'.repeat(100)}\r\n`;
    expectRequestError(many, 'LWS_ERR_H1_TOO_MANY_HEADERS', 'Cannot parse header section: more than 100 fields', 431);
  });
});

describe('H1Parser limits: body', () => {
  const post = (fields: string, body: string) => `POST / HTTP/1.1\r\nHost: a\r\n${fields}\r\n${body}`;

  it('answers 413 for a Content-Length past maxBodyBytes before reading the body', () => {
    expect(parseEvery('request', post('Content-Length: 10\r\n', '0123456789'), { maxBodyBytes: 10 })[1]).toEqual({ type: 'body', data: '0123456789' });
    expectRequestError(post('Content-Length: 11\r\n', '01234567890'), 'LWS_ERR_H1_BODY_TOO_LARGE', 'Cannot accept body: Content-Length is 11, limit is 10', 413, { maxBodyBytes: 10 });
  });

  it('answers 413 when chunks add up past maxBodyBytes, at the chunk that crosses it', () => {
    const body = '6\r\n012345\r\n5\r\n67890\r\n0\r\n\r\n';
    expect(parseEvery('request', post('Transfer-Encoding: chunked\r\n', body), { maxBodyBytes: 11 }).pop()).toMatchObject({ type: 'complete' });
    const events = parseEvery('request', post('Transfer-Encoding: chunked\r\n', body), { maxBodyBytes: 10 });
    expect(events.slice(1)).toEqual([
      { type: 'chunk', size: 6, extensions: [] },
      { type: 'body', data: '012345' },
      { type: 'error', code: 'LWS_ERR_H1_BODY_TOO_LARGE', message: 'Cannot accept body: more than 10 bytes', status: 413 },
    ]);
  });

  it('delivers a read-until-close body up to maxBodyBytes, then fails', () => {
    const events = parseEvery('response', 'HTTP/1.1 200 OK\r\n\r\nhello', { maxBodyBytes: 4 });
    expect(events.slice(1)).toEqual([
      { type: 'body', data: 'hell' },
      { type: 'error', code: 'LWS_ERR_H1_BODY_TOO_LARGE', message: 'Cannot accept body: more than 4 bytes', status: 502 },
    ]);
  });
});

describe('H1Parser limits: chunk extensions and trailers', () => {
  const chunked = (body: string) => `POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n${body}`;

  it('sums extension bytes over the message: 10 fit in 10, 11 answer 413', () => {
    const body = (last: string) => `1;aaaa\r\nx\r\n1;${last}\r\nx\r\n0\r\n\r\n`;
    expect(parseEvery('request', chunked(body('bbbb')), { maxChunkExtensionBytes: 10 }).pop()).toMatchObject({ type: 'complete' });
    expectRequestError(chunked(body('bbbbb')), 'LWS_ERR_H1_CHUNK_EXTENSION_TOO_LONG', 'Cannot parse chunk extension: more than 10 bytes in one message', 413, { maxChunkExtensionBytes: 10 });
  });

  it('fails an endless chunk extension at the default 4096 bytes', () => {
    const parser = new H1Parser({ kind: 'request' }, { onHead() {} });
    parser.execute(ascii(chunked('1;')));
    expect(parser.execute(ascii('a'.repeat(4094))).kind).toBe('ok');
    expect(parser.execute(ascii('a')).kind).toBe('ok'); // ";" + 4095 bytes + CR may still end in CRLF
    const r = parser.execute(ascii('aa'));
    expect(r.kind === 'error' && r.error.code).toBe('LWS_ERR_H1_CHUNK_EXTENSION_TOO_LONG');
  });

  it('counts trailer bytes like header bytes: 14 fit in 14, not in 13 (431)', () => {
    // "X: 1\r\n" (6) + "Y: 2\r\n" (6) + "\r\n" (2) = 14
    const input = chunked('0\r\nX: 1\r\nY: 2\r\n\r\n');
    expect(parseEvery('request', input, { maxTrailerBytes: 14 }).pop()).toEqual({ type: 'complete', trailers: [['x', '1'], ['y', '2']] });
    expectRequestError(input, 'LWS_ERR_H1_TRAILERS_TOO_LARGE', 'Cannot parse trailer section: more than 13 bytes', 431, { maxTrailerBytes: 13 });
  });

  it('accepts maxTrailers fields and answers 431 past it', () => {
    const input = chunked('0\r\nX: 1\r\nY: 2\r\n\r\n');
    expect(parseEvery('request', input, { maxTrailers: 2 }).pop()).toMatchObject({ type: 'complete' });
    expectRequestError(input, 'LWS_ERR_H1_TOO_MANY_TRAILERS', 'Cannot parse trailer section: more than 1 fields', 431, { maxTrailers: 1 });
  });
});
