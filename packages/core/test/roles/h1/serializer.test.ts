import { describe, expect, it } from 'vitest';
import {
  encodeChunk, encodeLastChunk, LAST_CHUNK, serializeRequestHead, serializeResponseHead, STATUS_TEXT,
} from '../../../src/roles/h1/serializer.js';
import { parseEvery } from './harness.js';

const text = (b: Uint8Array | Uint8Array[]) => Buffer.concat(Array.isArray(b) ? b : [b]).toString('latin1');

describe('serializeResponseHead', () => {
  it('writes status line, fields and Content-Length into one Buffer', () => {
    const head = serializeResponseHead({ status: 200, headers: { 'content-type': 'text/plain' }, contentLength: 2 });
    expect(Buffer.isBuffer(head)).toBe(true);
    expect(text(head)).toBe('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\n');
  });

  it('uses the standard reason phrase, a given one, or none for an unknown status', () => {
    expect(text(serializeResponseHead({ status: 404 }))).toBe('HTTP/1.1 404 Not Found\r\n\r\n');
    expect(text(serializeResponseHead({ status: 200, reason: 'Fine' }))).toBe('HTTP/1.1 200 Fine\r\n\r\n');
    expect(text(serializeResponseHead({ status: 299 }))).toBe('HTTP/1.1 299 \r\n\r\n');
    expect(STATUS_TEXT[431]).toBe('Request Header Fields Too Large');
  });

  it('adds Transfer-Encoding: chunked and writes HTTP/1.0 on request', () => {
    expect(text(serializeResponseHead({ status: 200, chunked: true }))).toBe('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n');
    expect(text(serializeResponseHead({ status: 200, version: '1.0', contentLength: 0 }))).toBe('HTTP/1.0 200 OK\r\ncontent-length: 0\r\n\r\n');
  });

  it('keeps field order and duplicates from pairs, one line per array element from a record', () => {
    const pairs = serializeResponseHead({ status: 200, headers: [['Set-Cookie', 'a=1'], ['X-N', 5], ['Set-Cookie', 'b=2']] });
    expect(text(pairs)).toBe('HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nX-N: 5\r\nSet-Cookie: b=2\r\n\r\n');
    const record = serializeResponseHead({ status: 200, headers: { 'set-cookie': ['a=1', 'b=2'], 'x-e': '' } });
    expect(text(record)).toBe('HTTP/1.1 200 OK\r\nset-cookie: a=1\r\nset-cookie: b=2\r\nx-e: \r\n\r\n');
  });

  it('takes framing from Content-Length / Transfer-Encoding headers when no option is given', () => {
    const cl = serializeResponseHead({ status: 200, headers: [['Content-Length', '3'], ['x', 'y']] });
    expect(text(cl)).toBe('HTTP/1.1 200 OK\r\nx: y\r\ncontent-length: 3\r\n\r\n');
    const te = serializeResponseHead({ status: 200, headers: [['transfer-encoding', 'chunked']] });
    expect(text(te)).toBe('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n');
  });

  it('refuses ambiguous framing with a TypeError', () => {
    const bad = (init: Parameters<typeof serializeResponseHead>[0], message: string) =>
      expect(() => serializeResponseHead(init)).toThrow(new TypeError(message));
    bad({ status: 200, contentLength: 1, chunked: true }, 'Cannot serialize head: both Content-Length and Transfer-Encoding');
    bad({ status: 200, contentLength: 1, headers: { 'content-length': 1 } }, 'Cannot serialize head: content-length given as a header and as contentLength/chunked');
    bad({ status: 200, chunked: true, headers: { 'Transfer-Encoding': 'chunked' } }, 'Cannot serialize head: Transfer-Encoding given as a header and as contentLength/chunked');
    bad({ status: 200, headers: [['content-length', '1'], ['content-length', '1']] }, 'Cannot serialize head: invalid or repeated Content-Length "1"');
    bad({ status: 200, headers: [['content-length', '1, 1']] }, 'Cannot serialize head: invalid or repeated Content-Length "1, 1"');
    bad({ status: 200, headers: [['content-length', '1'], ['transfer-encoding', 'chunked']] }, 'Cannot serialize head: both Content-Length and Transfer-Encoding');
    bad({ status: 200, version: '1.0', chunked: true }, 'Cannot serialize head: chunked needs HTTP/1.1');
    bad({ status: 204, contentLength: 0 }, 'Cannot serialize response head: status 204 allows no Content-Length');
    bad({ status: 101, chunked: true }, 'Cannot serialize response head: status 101 allows no Transfer-Encoding');
    bad({ status: 304, chunked: true }, 'Cannot serialize response head: status 304 allows no Transfer-Encoding');
    expect(text(serializeResponseHead({ status: 304, contentLength: 10 }))).toBe('HTTP/1.1 304 Not Modified\r\ncontent-length: 10\r\n\r\n');
  });

  it('refuses a status outside 100-599 and a bad Content-Length with a RangeError', () => {
    for (const status of [99, 600, 200.5, Number.NaN]) {
      expect(() => serializeResponseHead({ status })).toThrow(new RangeError(`Cannot serialize response head: status must be an integer from 100 to 599, got ${status}`));
    }
    expect(() => serializeResponseHead({ status: 200, contentLength: -1 })).toThrow(new RangeError('Cannot serialize head: contentLength must be a non-negative safe integer, got -1'));
  });

  it('makes response splitting impossible: CR, LF, NUL and non-token names are refused', () => {
    const names = ['X\r\nY', 'X Y', 'X:Y', '', 'X\0', 'caf\xe9'];
    for (const name of names) {
      expect(() => serializeResponseHead({ status: 200, headers: [[name, 'v']] })).toThrow(new TypeError(`Cannot serialize header: name ${JSON.stringify(name)} is not a token`));
    }
    for (const value of ['a\r\nSet-Cookie: x', 'a\nb', 'a\rb', 'a\0b', 'a\x7fb', '\u0100']) {
      expect(() => serializeResponseHead({ status: 200, headers: { 'x-a': value } })).toThrow(new TypeError('Cannot serialize header: invalid character in value of "x-a"'));
    }
    expect(() => serializeResponseHead({ status: 200, reason: 'OK\r\nX: y' })).toThrow(new TypeError('Cannot serialize response head: invalid character in reason "OK\\r\\nX: y"'));
    expect(() => serializeResponseHead({ status: 200, version: '2.0' as '1.1' })).toThrow(new TypeError('Cannot serialize head: version must be "1.0" or "1.1", got "2.0"'));
  });
});

describe('serializeRequestHead', () => {
  it('writes the request line and Host first', () => {
    const head = serializeRequestHead({ method: 'POST', target: '/up?x=1', host: 'example.com:8080', headers: { accept: '*/*' }, contentLength: 3 });
    expect(text(head)).toBe('POST /up?x=1 HTTP/1.1\r\nhost: example.com:8080\r\naccept: */*\r\ncontent-length: 3\r\n\r\n');
  });

  it('refuses bad methods, targets, hosts and a Host header with a TypeError', () => {
    const bad = (init: Parameters<typeof serializeRequestHead>[0], message: string) =>
      expect(() => serializeRequestHead(init)).toThrow(new TypeError(message));
    bad({ method: 'GE T', target: '/', host: 'a' }, 'Cannot serialize request head: method "GE T" is not a token');
    bad({ method: 'GET', target: '/a b', host: 'a' }, 'Cannot serialize request head: invalid request target "/a b"');
    bad({ method: 'GET', target: '/\r\nX: y', host: 'a' }, 'Cannot serialize request head: invalid request target "/\\r\\nX: y"');
    bad({ method: 'GET', target: '', host: 'a' }, 'Cannot serialize request head: invalid request target ""');
    bad({ method: 'GET', target: '/', host: 'a\r\nX: y' }, 'Cannot serialize request head: invalid host "a\\r\\nX: y"');
    bad({ method: 'GET', target: '/', host: 'a', headers: { Host: 'b' } }, 'Cannot serialize request head: Host is set by the host option, not a header');
  });
});

describe('chunk encoding', () => {
  it('frames a chunk as [size line, the same data, CRLF] without copying the data', () => {
    const data = new Uint8Array(Buffer.from('hello world!'));
    const parts = encodeChunk(data);
    expect(parts[1]).toBe(data);
    expect(text(parts)).toBe('c\r\nhello world!\r\n');
    expect(text(encodeChunk(data.subarray(0, 5), [['a', 'b'], ['q', 'x "y"'], ['n', undefined]]))).toBe('5;a=b;q="x \\"y\\"";n\r\nhello\r\n');
  });

  it('refuses an empty chunk (it would end the body) and bad extensions', () => {
    expect(() => encodeChunk(new Uint8Array(0))).toThrow(new RangeError('Cannot encode chunk: data is empty, use encodeLastChunk() to end the body'));
    expect(() => encodeChunk('x' as unknown as Uint8Array)).toThrow(new TypeError('Cannot encode chunk: data must be a Uint8Array'));
    expect(() => encodeChunk(Buffer.from('x'), [['a b', 'c']])).toThrow(new TypeError('Cannot encode chunk extension: name "a b" is not a token'));
    expect(() => encodeChunk(Buffer.from('x'), [['a', 'c\r\n']])).toThrow(new TypeError('Cannot encode chunk extension: invalid character in value of "a"'));
  });

  it('ends the body with the last chunk, optionally with trailers', () => {
    expect(text(LAST_CHUNK)).toBe('0\r\n\r\n');
    expect(text(encodeLastChunk())).toBe('0\r\n\r\n');
    expect(encodeLastChunk()).not.toBe(LAST_CHUNK);
    expect(text(encodeLastChunk({ 'x-sum': 'abc' }))).toBe('0\r\nx-sum: abc\r\n\r\n');
    expect(() => encodeLastChunk({ 'x-sum': 'a\r\nb' })).toThrow(new TypeError('Cannot serialize trailer: invalid character in value of "x-sum"'));
  });
});

describe('serializer output parses back to the same message', () => {
  it('round-trips a chunked response with trailers', () => {
    const wire = text([
      serializeResponseHead({ status: 201, headers: [['x-id', '7']], chunked: true }),
      ...encodeChunk(Buffer.from('abc'), [['k', 'v w']]),
      encodeLastChunk([['x-sum', '9']]),
    ]);
    expect(parseEvery('response', wire)).toEqual([
      expect.objectContaining({ head: expect.objectContaining({ status: 201, reason: 'Created', framing: 'chunked', headers: [['x-id', '7'], ['transfer-encoding', 'chunked']] }) }),
      { type: 'chunk', size: 3, extensions: [['k', 'v w']] },
      { type: 'body', data: 'abc' },
      { type: 'chunk', size: 0, extensions: [] },
      { type: 'complete', trailers: [['x-sum', '9']] },
    ]);
  });

  it('round-trips a request head', () => {
    const wire = text([serializeRequestHead({ method: 'PUT', target: 'http://h/x', host: 'h', contentLength: 2 }), Buffer.from('ok')]);
    expect(parseEvery('request', wire)[0]).toMatchObject({
      head: { method: 'PUT', target: 'http://h/x', targetForm: 'absolute', host: 'h', contentLength: 2 },
    });
  });
});
