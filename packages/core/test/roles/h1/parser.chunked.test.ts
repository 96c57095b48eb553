/*
 * Chunked bodies (RFC 9112 §7.1): sizes, extensions, data CRLF, trailers.
 */
import { describe, expect, it } from 'vitest';
import { expectRequestError, parseEvery } from './harness.js';

const chunked = (body: string) => `POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n${body}`;
const after = (body: string, opts = {}) => parseEvery('request', chunked(body), opts).slice(1);

describe('H1Parser chunked: sizes', () => {
  it('reads hex sizes in either case, with leading zeros up to 16 digits', () => {
    const ten = 'x'.repeat(10);
    expect(after(`A\r\n${ten}\r\na\r\n${ten}\r\n000000000000000A\r\n${ten}\r\n0000\r\n\r\n`)).toEqual([
      { type: 'chunk', size: 10, extensions: [] },
      { type: 'body', data: ten },
      { type: 'chunk', size: 10, extensions: [] },
      { type: 'body', data: ten },
      { type: 'chunk', size: 10, extensions: [] },
      { type: 'body', data: ten },
      { type: 'chunk', size: 0, extensions: [] },
      { type: 'complete', trailers: [] },
    ]);
  });

  it('accepts a chunk of 2^53 - 1 bytes and rejects 2^53 with 400', () => {
    expect(after('1fffffffffffff\r\n')).toEqual([{ type: 'chunk', size: Number.MAX_SAFE_INTEGER, extensions: [] }]);
    expectRequestError(chunked('20000000000000\r\n'), 'LWS_ERR_H1_BAD_CHUNK_SIZE', 'Cannot parse chunk size: larger than 2^53 - 1', 400);
    expectRequestError(chunked('ffffffffffffffffffff\r\n'), 'LWS_ERR_H1_BAD_CHUNK_SIZE', 'Cannot parse chunk size: larger than 2^53 - 1', 400);
  });

  it('rejects more than 16 hex digits with 400', () => {
    expectRequestError(chunked('00000000000000001\r\nx\r\n0\r\n\r\n'), 'LWS_ERR_H1_BAD_CHUNK_SIZE', 'Cannot parse chunk size: more than 16 hex digits', 400);
  });

  it('rejects empty, signed, prefixed and non-hex sizes with 400', () => {
    const cases: [string, string][] = [
      ['\r\n', '0x0d'], [';a\r\n', '";"'], ['-1\r\n', '"-"'], ['+1\r\n', '"+"'], ['0x5\r\n', '"x"'], ['g\r\n', '"g"'],
      [' 5\r\n', '0x20'], ['5\0\r\n', '0x00'], ['5,5\r\n', '","'],
    ];
    for (const [line, shown] of cases) {
      expectRequestError(chunked(line), 'LWS_ERR_H1_BAD_CHUNK_SIZE', `Cannot parse chunk size: unexpected ${shown}`, 400);
    }
  });

  it('rejects a bare LF or bare CR in a chunk header with 400', () => {
    expectRequestError(chunked('3\nabc\r\n'), 'LWS_ERR_H1_BARE_LF', 'Cannot parse chunk header: LF without CR', 400);
    expectRequestError(chunked('3;a=b\nabc\r\n'), 'LWS_ERR_H1_BARE_LF', 'Cannot parse chunk header: LF without CR', 400);
    expectRequestError(chunked('3;a\rb\r\nabc\r\n'), 'LWS_ERR_H1_BARE_CR', 'Cannot parse chunk header: CR without LF', 400);
    expectRequestError(chunked('3\r\r\nabc\r\n'), 'LWS_ERR_H1_BARE_CR', 'Cannot parse chunk header: CR without LF', 400);
  });
});

describe('H1Parser chunked: data terminator', () => {
  it('rejects chunk data not followed by CRLF with 400', () => {
    const end = (body: string, shown: string) =>
      expectRequestError(chunked(body), 'LWS_ERR_H1_BAD_CHUNK_END', `Cannot parse chunk: expected CRLF after chunk data, got ${shown}`, 400);
    end('3\r\nabcX\r\n0\r\n\r\n', '"X"');
    end('3\r\nabc\rX0\r\n\r\n', '"X"');
    end('3\r\nabc\n0\r\n\r\n', '0x0a');
    end('3\r\nabcd\r\n0\r\n\r\n', '"d"');
  });
});

describe('H1Parser chunked: extensions (RFC 9112 §7.1.1)', () => {
  it('parses names, token and quoted values, and whitespace around them', () => {
    expect(after('3 ; A = b ;c;d="x \\\\ \\"y\\""\t;e=""\r\nabc\r\n0\r\n\r\n')[0]).toEqual({
      type: 'chunk', size: 3, extensions: [['a', 'b'], ['c', undefined], ['d', 'x \\ "y"'], ['e', '']],
    });
  });

  it('rejects malformed extensions with 400', () => {
    const bad = (ext: string, why: string) =>
      expectRequestError(chunked(`3${ext}\r\nabc\r\n0\r\n\r\n`), 'LWS_ERR_H1_BAD_CHUNK_EXTENSION', `Cannot parse chunk extension: ${why}`, 400);
    bad(';', 'expected a name in ";"');
    bad(';a=', 'expected a value in ";a="');
    bad(';a="b', 'bad quoted string in ";a=\\"b"');
    bad(';a="b\0"', 'bad quoted string in ";a=\\"b\\u0000\\""');
    bad(' ', 'expected ";" in " "');
    bad(';a=b c', 'expected ";" in ";a=b c"');
    bad(';a@=b', 'expected ";" in ";a@=b"');
    bad(';a=b@', 'expected ";" in ";a=b@"');
  });
});

describe('H1Parser chunked: trailers (RFC 9112 §7.1.2)', () => {
  it('delivers trailer fields with onComplete and continues with the next request', () => {
    const events = parseEvery('request', chunked('1\r\nx\r\n0\r\nX-Checksum: abc\r\nX-B:\t2\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n'));
    expect(events.slice(3)).toEqual([
      { type: 'chunk', size: 0, extensions: [] },
      { type: 'complete', trailers: [['x-checksum', 'abc'], ['x-b', '2']] },
      expect.objectContaining({ type: 'head' }),
      { type: 'complete', trailers: [] },
    ]);
  });

  it('checks trailer syntax like header syntax, with 400', () => {
    expectRequestError(chunked('0\r\nX: 1\r\n folded\r\n\r\n'), 'LWS_ERR_H1_OBS_FOLD', 'Cannot parse trailer: line starts with whitespace (obs-fold) in " folded"', 400);
    expectRequestError(chunked('0\r\nX : 1\r\n\r\n'), 'LWS_ERR_H1_HEADER_WHITESPACE', 'Cannot parse trailer: whitespace before colon in "X "', 400);
    expectRequestError(chunked('0\r\nX: a\0\r\n\r\n'), 'LWS_ERR_H1_BAD_HEADER_VALUE', 'Cannot parse trailer: invalid character 0x00 in value of "x"', 400);
    expectRequestError(chunked('0\r\nX: 1\n\r\n'), 'LWS_ERR_H1_BARE_LF', 'Cannot parse trailer: LF without CR', 400);
    expectRequestError(chunked('0\r\nX: 1\r2\r\n\r\n'), 'LWS_ERR_H1_BARE_CR', 'Cannot parse trailer: CR without LF', 400);
  });
});

describe('H1Parser chunked: body delivery', () => {
  it('gives the same body for many chunks, with pauses in onBody', () => {
    const parts = ['a', 'bc', 'def', 'x'.repeat(40)];
    const body = parts.map((p) => `${p.length.toString(16)}\r\n${p}\r\n`).join('') + '0\r\n\r\n';
    const events = after(body, { pauseOnBody: true });
    expect(events.filter((e) => e.type === 'body').map((e) => (e as { data: string }).data)).toEqual(parts);
  });
});
