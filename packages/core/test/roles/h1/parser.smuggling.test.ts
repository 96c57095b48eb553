/*
 * Request hardening: framing ambiguities (RFC 9112 §6.3, §11.2), strict
 * field syntax (RFC 9112 §5, RFC 9110 §5.5), Host rules (RFC 9110 §7.2),
 * request-line and target forms (RFC 9112 §3), strict CRLF.
 */
import { describe, expect, it } from 'vitest';
import { H1Parser } from '../../../src/roles/h1/parser.js';
import { expectRequestError, parseEvery } from './harness.js';

const req = (fields: string, body = '') => `POST / HTTP/1.1\r\nHost: a\r\n${fields}\r\n${body}`;

describe('H1Parser smuggling defences: message framing', () => {
  it('rejects Content-Length with Transfer-Encoding with 400, in either order', () => {
    const message = 'Cannot accept request: both Content-Length and Transfer-Encoding';
    expectRequestError(req('Content-Length: 5\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\n'), 'LWS_ERR_H1_CONTENT_LENGTH_WITH_TE', message, 400);
    expectRequestError(req('Transfer-Encoding: chunked\r\nContent-Length: 5\r\n', '0\r\n\r\n'), 'LWS_ERR_H1_CONTENT_LENGTH_WITH_TE', message, 400);
  });

  it('rejects differing Content-Length values with 400, in one line or several', () => {
    const message = 'Cannot parse Content-Length: values "5" and "6" differ';
    expectRequestError(req('Content-Length: 5\r\nContent-Length: 6\r\n'), 'LWS_ERR_H1_CONFLICTING_CONTENT_LENGTH', message, 400);
    expectRequestError(req('Content-Length: 5, 6\r\n'), 'LWS_ERR_H1_CONFLICTING_CONTENT_LENGTH', message, 400);
  });

  it('accepts repeated equal Content-Length values as one (RFC 9110 §8.6)', () => {
    for (const fields of ['Content-Length: 5, 5\r\n', 'Content-Length: 5\r\nContent-Length: 005\r\n']) {
      const events = parseEvery('request', req(fields, 'hello'));
      expect(events.slice(1)).toEqual([{ type: 'body', data: 'hello' }, { type: 'complete', trailers: [] }]);
    }
  });

  it('rejects malformed Content-Length values with 400', () => {
    for (const bad of ['+5', '-1', '0x10', '1e3', '5 5', '']) {
      expectRequestError(req(`Content-Length: ${bad}\r\n`), 'LWS_ERR_H1_BAD_CONTENT_LENGTH', `Cannot parse Content-Length: expected digits, got ${JSON.stringify(bad)}`, 400);
    }
    expectRequestError(req('Content-Length: 5,\r\n'), 'LWS_ERR_H1_BAD_CONTENT_LENGTH', 'Cannot parse Content-Length: expected digits, got ""', 400);
  });

  it('rejects a Content-Length past 2^53 - 1 with 400 and accepts 2^53 - 1', () => {
    expectRequestError(req('Content-Length: 9007199254740992\r\n'), 'LWS_ERR_H1_BAD_CONTENT_LENGTH', 'Cannot parse Content-Length: "9007199254740992" is larger than 2^53 - 1', 400);
    const events = parseEvery('request', req('Content-Length: 9007199254740991\r\n'));
    expect(events[0]).toMatchObject({ head: { contentLength: Number.MAX_SAFE_INTEGER } });
  });

  it('rejects a request Transfer-Encoding that does not end in chunked with 400', () => {
    for (const te of ['gzip', 'chunked, gzip', 'xchunked']) {
      expectRequestError(req(`Transfer-Encoding: ${te}\r\n`), 'LWS_ERR_H1_BAD_TRANSFER_ENCODING', `Cannot parse Transfer-Encoding: ${JSON.stringify(te)} does not end in chunked`, 400);
    }
  });

  it('rejects chunked applied twice with 400, in one line or several', () => {
    const message = 'Cannot parse Transfer-Encoding: chunked more than once in "chunked, chunked"';
    expectRequestError(req('Transfer-Encoding: chunked, chunked\r\n'), 'LWS_ERR_H1_BAD_TRANSFER_ENCODING', message, 400);
    expectRequestError(req('Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n'), 'LWS_ERR_H1_BAD_TRANSFER_ENCODING', message, 400);
  });

  it('rejects malformed transfer codings with 400', () => {
    expectRequestError(req('Transfer-Encoding: chunked,\r\n'), 'LWS_ERR_H1_BAD_TRANSFER_ENCODING', 'Cannot parse Transfer-Encoding: invalid coding "" in "chunked,"', 400);
    expectRequestError(req('Transfer-Encoding: chunked;a=1\r\n'), 'LWS_ERR_H1_BAD_TRANSFER_ENCODING', 'Cannot parse Transfer-Encoding: invalid coding "chunked;a=1" in "chunked;a=1"', 400);
    expectRequestError(req('Transfer-Encoding:\r\n'), 'LWS_ERR_H1_BAD_TRANSFER_ENCODING', 'Cannot parse Transfer-Encoding: invalid coding "" in ""', 400);
    expectRequestError(req('Transfer-Encoding: \x0bchunked\r\n'), 'LWS_ERR_H1_BAD_HEADER_VALUE', 'Cannot parse header: invalid character 0x0b in value of "transfer-encoding"', 400);
  });

  it('answers 501 for a transfer coding before chunked that it does not implement', () => {
    expectRequestError(req('Transfer-Encoding: gzip, chunked\r\n'), 'LWS_ERR_H1_UNSUPPORTED_TRANSFER_ENCODING', 'Cannot accept Transfer-Encoding: "gzip" is not supported, in "gzip, chunked"', 501);
  });

  it('accepts chunked in any case', () => {
    const events = parseEvery('request', req('Transfer-Encoding: Chunked\r\n', '0\r\n\r\n'));
    expect(events[0]).toMatchObject({ head: { framing: 'chunked' } });
  });

  it('rejects Transfer-Encoding in an HTTP/1.0 request with 400 (RFC 9112 §6.1)', () => {
    expectRequestError('POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n', 'LWS_ERR_H1_BAD_TRANSFER_ENCODING', 'Cannot accept Transfer-Encoding: not allowed in HTTP/1.0, got "chunked"', 400);
  });
});

describe('H1Parser smuggling defences: field syntax', () => {
  it('rejects obs-fold and whitespace after the start line with 400', () => {
    expectRequestError(req('X-A: 1\r\n 2\r\n'), 'LWS_ERR_H1_OBS_FOLD', 'Cannot parse header: line starts with whitespace (obs-fold) in " 2"', 400);
    expectRequestError('GET / HTTP/1.1\r\n\tHost: a\r\n\r\n', 'LWS_ERR_H1_OBS_FOLD', 'Cannot parse header: line starts with whitespace (obs-fold) in "\\tHost: a"', 400);
  });

  it('rejects whitespace between a field name and its colon with 400', () => {
    expectRequestError('GET / HTTP/1.1\r\nHost : a\r\n\r\n', 'LWS_ERR_H1_HEADER_WHITESPACE', 'Cannot parse header: whitespace before colon in "Host "', 400);
    expectRequestError(req('Transfer-Encoding\t: chunked\r\n'), 'LWS_ERR_H1_HEADER_WHITESPACE', 'Cannot parse header: whitespace before colon in "Transfer-Encoding\\t"', 400);
  });

  it('rejects invalid field names with 400', () => {
    expectRequestError(req('X@Y: 1\r\n'), 'LWS_ERR_H1_BAD_HEADER_NAME', 'Cannot parse header: invalid character "@" in field name "X@Y"', 400);
    expectRequestError(req('X Y: 1\r\n'), 'LWS_ERR_H1_BAD_HEADER_NAME', 'Cannot parse header: invalid character 0x20 in field name "X Y"', 400);
    expectRequestError(req('X\0: 1\r\n'), 'LWS_ERR_H1_BAD_HEADER_NAME', 'Cannot parse header: invalid character 0x00 in field name "X\\u0000"', 400);
    expectRequestError(req('\xe9: 1\r\n'), 'LWS_ERR_H1_BAD_HEADER_NAME', 'Cannot parse header: invalid character 0xe9 in field name "\xe9"', 400);
    expectRequestError(req(': 1\r\n'), 'LWS_ERR_H1_BAD_HEADER_NAME', 'Cannot parse header: empty field name in ": 1"', 400);
    expectRequestError(req('NoColon\r\n'), 'LWS_ERR_H1_BAD_HEADER_NAME', 'Cannot parse header: no colon in "NoColon"', 400);
  });

  it('rejects NUL and other control characters in values with 400', () => {
    expectRequestError(req('X-A: a\0b\r\n'), 'LWS_ERR_H1_BAD_HEADER_VALUE', 'Cannot parse header: invalid character 0x00 in value of "x-a"', 400);
    expectRequestError(req('X-A: a\x7fb\r\n'), 'LWS_ERR_H1_BAD_HEADER_VALUE', 'Cannot parse header: invalid character 0x7f in value of "x-a"', 400);
    expectRequestError(req('X-A: a\x1bb\r\n'), 'LWS_ERR_H1_BAD_HEADER_VALUE', 'Cannot parse header: invalid character 0x1b in value of "x-a"', 400);
  });

  it('rejects a bare CR anywhere in the head with 400', () => {
    expectRequestError(req('X-A: a\rb\r\n'), 'LWS_ERR_H1_BARE_CR', 'Cannot parse header: CR without LF', 400);
    expectRequestError(req('X\r-A: b\r\n'), 'LWS_ERR_H1_BARE_CR', 'Cannot parse header: CR without LF', 400);
    expectRequestError('GET /\r HTTP/1.1\r\nHost: a\r\n\r\n', 'LWS_ERR_H1_BARE_CR', 'Cannot parse request line: CR without LF', 400);
    expectRequestError('GET / HTTP/1.1\r\r\nHost: a\r\n\r\n', 'LWS_ERR_H1_BARE_CR', 'Cannot parse request line: CR without LF', 400);
  });

  it('rejects LF-only line endings and a bare LF in a value with 400', () => {
    expectRequestError('GET / HTTP/1.1\nHost: a\n\n', 'LWS_ERR_H1_BARE_LF', 'Cannot parse request line: LF without CR', 400);
    expectRequestError('GET / HTTP/1.1\r\nHost: a\n\r\n', 'LWS_ERR_H1_BARE_LF', 'Cannot parse header: LF without CR', 400);
    expectRequestError(req('X-A: a\nTransfer-Encoding: chunked\r\n'), 'LWS_ERR_H1_BARE_LF', 'Cannot parse header: LF without CR', 400);
    expectRequestError('GET / HTTP/1.1\r\nHost: a\r\n\n', 'LWS_ERR_H1_BARE_LF', 'Cannot parse header: LF without CR', 400);
    expectRequestError('\nGET / HTTP/1.1\r\nHost: a\r\n\r\n', 'LWS_ERR_H1_BARE_LF', 'Cannot parse request line: LF without CR', 400);
  });
});

describe('H1Parser smuggling defences: Host', () => {
  it('rejects an HTTP/1.1 request without Host with 400, absolute-form included', () => {
    expectRequestError('GET / HTTP/1.1\r\n\r\n', 'LWS_ERR_H1_MISSING_HOST', 'Cannot accept request: HTTP/1.1 without Host', 400);
    expectRequestError('GET http://a/ HTTP/1.1\r\n\r\n', 'LWS_ERR_H1_MISSING_HOST', 'Cannot accept request: HTTP/1.1 without Host', 400);
  });

  it('rejects more than one Host with 400, also in HTTP/1.0', () => {
    expectRequestError('GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 'LWS_ERR_H1_DUPLICATE_HOST', 'Cannot accept request: more than one Host field, "a" and "b"', 400);
    expectRequestError('GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n', 'LWS_ERR_H1_DUPLICATE_HOST', 'Cannot accept request: more than one Host field, "a" and "a"', 400);
  });

  it('rejects an invalid Host value with 400', () => {
    for (const bad of ['a b', 'a/b', 'a:b', 'u@a', '[::1', 'a, b']) {
      expectRequestError(`GET / HTTP/1.1\r\nHost: ${bad}\r\n\r\n`, 'LWS_ERR_H1_BAD_HOST', `Cannot parse Host: invalid value ${JSON.stringify(bad)}`, 400);
    }
  });

  it('checks every Host on a kept-alive connection, not just the first (the last good one is remembered)', () => {
    for (const bad of ['a b', 'a/b', 'a:b', 'u@a']) {
      const heads: string[] = [];
      const parser = new H1Parser({ kind: 'request' }, { onHead: (h) => heads.push(h.host ?? '') });
      const r = parser.execute(Buffer.from(`GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: ${bad}\r\n\r\n`));
      expect(heads).toEqual(['a', 'a']);
      expect(r.kind).toBe('error');
      if (r.kind === 'error') expect(r.error.code).toBe('LWS_ERR_H1_BAD_HOST');
    }
  });

  it('accepts names, IP literals, ports and an empty Host', () => {
    for (const ok of ['example.com', 'a:8080', '[::1]:443', '127.0.0.1', 'xn--bcher-kva.example', '']) {
      const events = parseEvery('request', `GET / HTTP/1.1\r\nHost: ${ok}\r\n\r\n`);
      expect(events[0]).toMatchObject({ head: { host: ok } });
    }
  });
});

describe('H1Parser smuggling defences: request line', () => {
  it('rejects a malformed request line with 400', () => {
    for (const line of ['GET /', 'GET  / HTTP/1.1', 'GET', 'GET /a b HTTP/1.1']) {
      const code = line === 'GET /a b HTTP/1.1' ? 'LWS_ERR_H1_BAD_VERSION' : 'LWS_ERR_H1_BAD_REQUEST_LINE';
      const message = code === 'LWS_ERR_H1_BAD_VERSION'
        ? 'Cannot parse HTTP version: expected "HTTP/<digit>.<digit>", got "b HTTP/1.1"'
        : `Cannot parse request line: expected "<method> <target> HTTP/<version>", got ${JSON.stringify(line)}`;
      expectRequestError(`${line}\r\nHost: a\r\n\r\n`, code, message, 400);
    }
  });

  it('rejects invalid method characters and an empty method with 400', () => {
    expectRequestError('GE@T / HTTP/1.1\r\nHost: a\r\n\r\n', 'LWS_ERR_H1_BAD_METHOD', 'Cannot parse method: invalid character "@" in "GE@T / HTTP/1.1"', 400);
    expectRequestError('GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n', 'LWS_ERR_H1_BAD_METHOD', 'Cannot parse method: invalid character 0x09 in "GET\\t/ HTTP/1.1"', 400);
    expectRequestError(' GET / HTTP/1.1\r\nHost: a\r\n\r\n', 'LWS_ERR_H1_BAD_METHOD', 'Cannot parse method: empty in " GET / HTTP/1.1"', 400);
  });

  it('rejects control, DEL and non-ASCII bytes in the target with 400', () => {
    for (const [c, shown] of [['\x7f', '0x7f'], ['\xe9', '0xe9'], ['\0', '0x00']] as const) {
      const line = `GET /a${c} HTTP/1.1`;
      expectRequestError(`${line}\r\nHost: a\r\n\r\n`, 'LWS_ERR_H1_BAD_TARGET', `Cannot parse request target: invalid character ${shown} in ${JSON.stringify(line)}`, 400);
    }
  });

  it('rejects targets whose form does not fit the method with 400', () => {
    const bad = (line: string, why: string) =>
      expectRequestError(`${line}\r\nHost: a\r\n\r\n`, 'LWS_ERR_H1_BAD_TARGET', `Cannot parse request target: ${why}`, 400);
    bad('GET * HTTP/1.1', '"*" is only allowed with OPTIONS, got "GET"');
    bad('CONNECT / HTTP/1.1', 'CONNECT needs "host:port", got "/"');
    bad('CONNECT example.com HTTP/1.1', 'CONNECT needs "host:port", got "example.com"');
    bad('GET foo HTTP/1.1', 'expected "/path" or "scheme://authority/path", got "foo"');
    bad('GET example.com:80 HTTP/1.1', 'expected "/path" or "scheme://authority/path", got "example.com:80"');
    bad('GET http://user:pw@a/ HTTP/1.1', 'userinfo is not allowed, got "http://user:pw@a/"');
    bad('GET http:///p HTTP/1.1', 'invalid authority ""');
  });

  it('answers 505 for a well-formed version other than 1.0 and 1.1', () => {
    for (const v of ['HTTP/2.0', 'HTTP/1.2', 'HTTP/0.9', 'HTTP/3.0']) {
      expectRequestError(`GET / ${v}\r\nHost: a\r\n\r\n`, 'LWS_ERR_H1_VERSION_NOT_SUPPORTED', `Cannot accept HTTP version: "${v}", expected HTTP/1.0 or HTTP/1.1`, 505);
    }
  });

  it('rejects a malformed version with 400', () => {
    for (const v of ['http/1.1', 'HTTP/1.1 ', 'HTTP/11', 'HTTP/1.10', 'HTTP/1']) {
      expectRequestError(`GET / ${v}\r\nHost: a\r\n\r\n`, 'LWS_ERR_H1_BAD_VERSION', `Cannot parse HTTP version: expected "HTTP/<digit>.<digit>", got ${JSON.stringify(v)}`, 400);
    }
  });
});
