/*
 * MultipartParser (RFC 7578 / RFC 2046): the same parts for every split of
 * the body, the boundary found across chunk splits, part bodies that look
 * almost like a delimiter, and each malformed body and limit.
 */
import { describe, expect, it } from 'vitest';
import type { LwsError } from '../../src/errors.js';
import { MultipartParser, type MultipartLimits } from '../../src/http/multipart.js';
import { filenameBasename, multipartBoundary, parseHeaderParams } from '../../src/http/multipart-headers.js';
import { ascii, splitEverywhere } from '../helpers/split.js';

const B = '----lwsB0und4ry';
const LIMITS: MultipartLimits = { maxPartHeaderBytes: 256, maxParts: 4 };

interface Part { name: string; filename: string | undefined; contentType: string; body: string }

function parse(chunks: Iterable<Uint8Array>, limits = LIMITS): { parts: Part[]; error: LwsError | undefined; pieces: number } {
  const parts: Part[] = [];
  let cur: { head: Omit<Part, 'body'>; data: Buffer[] } | undefined;
  let pieces = 0;
  const p = new MultipartParser(B, limits, {
    partStart: (h) => void (cur = { head: { name: h.name, filename: h.filename, contentType: h.contentType }, data: [] }),
    partData: (d) => {
      pieces++;
      cur?.data.push(Buffer.from(d));
    },
    partEnd: () => {
      if (cur) parts.push({ ...cur.head, body: Buffer.concat(cur.data).toString('latin1') });
      cur = undefined;
    },
  });
  let error: LwsError | undefined;
  for (const c of chunks) error ??= p.write(c);
  error ??= p.end();
  return { parts, error, pieces };
}

function everySplit(body: string, limits = LIMITS): { parts: Part[]; error: LwsError | undefined } {
  const bytes = ascii(body);
  const { parts, error } = parse([bytes], limits);
  for (const chunks of splitEverywhere(bytes)) {
    const r = parse(chunks, limits);
    expect({ parts: r.parts, error: r.error }).toEqual({ parts, error });
  }
  return { parts, error };
}

const field = (name: string, value: string): string => `--${B}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
const END = `--${B}--\r\n`;

describe('MultipartParser', () => {
  it('parses fields and a file, whatever the split', () => {
    const body = field('text1', 'hello') +
      `--${B}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nline1\r\nline2\r\n\r\n` + END;
    const r = everySplit(body);
    expect(r.error).toBeUndefined();
    expect(r.parts).toEqual([
      { name: 'text1', filename: undefined, contentType: 'text/plain', body: 'hello' },
      { name: 'file', filename: 'a.txt', contentType: 'text/plain', body: 'line1\r\nline2\r\n' },
    ]);
  });

  it('keeps bytes that start like the delimiter but are not it, whatever the split', () => {
    // partial delimiters inside the body, and a CR right before the real one
    const tricky = `\r\n--${B.slice(0, 6)}x\r\n-\r\n--${B.slice(0, -1)}\r`;
    const r = everySplit(field('f', tricky) + END);
    expect(r.error).toBeUndefined();
    expect(r.parts[0]?.body).toBe(tricky);
  });

  it('ignores a preamble and an epilogue, and accepts transport padding after a delimiter', () => {
    const body = `preamble text\r\n--${B}  \t\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--${B}--epilogue\r\nmore`;
    const r = everySplit(body);
    expect(r.error).toBeUndefined();
    expect(r.parts).toEqual([{ name: 'a', filename: undefined, contentType: 'text/plain', body: '1' }]);
  });

  it('accepts a body with no parts at all', () => {
    expect(everySplit(END)).toEqual({ parts: [], error: undefined });
  });

  it('streams a large file part in pieces, not as one buffer', () => {
    const big = 'x'.repeat(100_000);
    const bytes = ascii(`--${B}\r\nContent-Disposition: form-data; name="f"; filename="big"\r\n\r\n${big}\r\n${END}`);
    const chunks = Array.from({ length: Math.ceil(bytes.length / 4096) }, (_, i) => bytes.subarray(i * 4096, (i + 1) * 4096));
    const r = parse(chunks);
    expect(r.parts[0]?.body.length).toBe(100_000);
    expect(r.pieces).toBeGreaterThanOrEqual(24);
  });

  it('reduces a filename with a path to its basename', () => {
    const r = everySplit(`--${B}\r\nContent-Disposition: form-data; name="f"; filename="C:\\\\dir\\\\evil.txt"\r\n\r\nx\r\n${END}`);
    expect(r.parts[0]?.filename).toBe('evil.txt');
    expect(filenameBasename('../../etc/passwd')).toBe('passwd');
  });

  it.each([
    ['the final boundary is missing', field('a', '1'), 'it ends inside a part'],
    ['the body ends in the headers', `--${B}\r\nContent-Disposition: form-data; name="a"\r\n`, 'it ends inside part headers'],
    ['there is no boundary at all', 'just some bytes', 'it ends before the first boundary'],
  ])('refuses a body where %s with 400', (_what, body, detail) => {
    expect(everySplit(body).error).toMatchObject({
      code: 'LWS_ERR_SPA_MISSING_FINAL_BOUNDARY',
      message: `Cannot parse multipart body: ${detail}, without the final boundary`,
      wire: { status: 400 },
    });
  });

  it.each<[string, string, string, string]>([
    ['garbage after the boundary', `--${B}x\r\n`, 'LWS_ERR_SPA_BAD_DELIMITER', 'boundary is followed by 0x78, expected CRLF or "--"'],
    ['a single dash after the boundary', `--${B}-x`, 'LWS_ERR_SPA_BAD_DELIMITER', 'boundary is followed by "-" and not "--"'],
    ['CR without LF after the boundary', `--${B}\rx`, 'LWS_ERR_SPA_BAD_DELIMITER', 'boundary line ends in CR without LF'],
    ['a header line without a colon', `--${B}\r\nno colon here\r\n\r\n`, 'LWS_ERR_SPA_BAD_PART_HEADER', 'part 1 has a malformed header line "no colon here"'],
    ['a folded header line', `--${B}\r\nContent-Disposition: form-data;\r\n name="a"\r\n\r\n`, 'LWS_ERR_SPA_BAD_PART_HEADER', 'part 1 has a malformed header line " name="a""'],
    ['a bare LF in the headers', `--${B}\r\nContent-Disposition: form-data; name="a"\n\r\n`, 'LWS_ERR_SPA_BAD_PART_HEADER', 'part 1 has a header line ending in a bare LF'],
    ['no Content-Disposition', `--${B}\r\nContent-Type: text/plain\r\n\r\n`, 'LWS_ERR_SPA_BAD_DISPOSITION', 'part 1 has no Content-Disposition header'],
    ['a disposition without a name', `--${B}\r\nContent-Disposition: form-data; filename="a"\r\n\r\n`, 'LWS_ERR_SPA_BAD_DISPOSITION', 'part 1 Content-Disposition is "form-data; filename="a"", expected form-data with a name'],
    ['an attachment disposition', `--${B}\r\nContent-Disposition: attachment; name="a"\r\n\r\n`, 'LWS_ERR_SPA_BAD_DISPOSITION', 'part 1 Content-Disposition is "attachment; name="a"", expected form-data with a name'],
    ['an unterminated quoted name', `--${B}\r\nContent-Disposition: form-data; name="a\r\n\r\n`, 'LWS_ERR_SPA_BAD_DISPOSITION', 'part 1 Content-Disposition is "form-data; name="a", expected form-data with a name'],
  ])('refuses %s with 400', (_what, body, code, detail) => {
    expect(everySplit(body + END).error).toMatchObject({ code, message: `Cannot parse multipart body: ${detail}`, wire: { status: 400 } });
  });

  it('refuses part headers longer than maxPartHeaderBytes with 413', () => {
    const long = `--${B}\r\nContent-Disposition: form-data; name="${'n'.repeat(300)}"\r\n\r\nx\r\n${END}`;
    expect(everySplit(long).error).toMatchObject({
      code: 'LWS_ERR_SPA_PART_HEADERS_TOO_LARGE',
      message: 'Cannot parse multipart body: part 1 headers are longer than 256 bytes',
      wire: { status: 413 },
    });
    // many short header lines count together
    const many = `--${B}\r\n${'X-A: 1\r\n'.repeat(40)}Content-Disposition: form-data; name="a"\r\n\r\nx\r\n${END}`;
    expect(everySplit(many).error?.code).toBe('LWS_ERR_SPA_PART_HEADERS_TOO_LARGE');
  });

  it('refuses more than maxParts parts with 413', () => {
    expect(everySplit(field('a', '1').repeat(4) + END).parts).toHaveLength(4);
    expect(everySplit(field('a', '1').repeat(5) + END).error).toMatchObject({
      code: 'LWS_ERR_SPA_TOO_MANY_FIELDS',
      message: 'Cannot parse multipart body: more than 4 parts',
      wire: { status: 413 },
    });
  });

  it('stops on a sink error and takes no more input', () => {
    const err = { code: 'LWS_ERR_SPA_FILE_TOO_LARGE' } as LwsError;
    const p = new MultipartParser(B, LIMITS, { partStart: () => undefined, partData: () => err, partEnd: () => undefined });
    expect(p.write(ascii(field('a', 'data')))).toBe(err);
    expect(p.end()).toBe(err);
  });
});

describe('multipartBoundary and parseHeaderParams', () => {
  it('reads plain and quoted boundaries', () => {
    expect(multipartBoundary('multipart/form-data; boundary=----WebKitFormBoundaryAbc')).toBe('----WebKitFormBoundaryAbc');
    expect(multipartBoundary('Multipart/Form-Data; charset=utf-8; boundary="a b:c"')).toBe('a b:c');
  });

  it.each([
    ['multipart/form-data', 'Cannot parse multipart body: Content-Type "multipart/form-data" has no boundary parameter'],
    [`multipart/form-data; boundary=${'b'.repeat(71)}`, 'Cannot parse multipart body: boundary is 71 characters, limit is 70'],
    ['multipart/form-data; boundary="a\\"b"', 'Cannot parse multipart body: boundary "a"b" has a character RFC 2046 does not allow'],
    ['multipart/form-data; boundary="ends in space "', 'Cannot parse multipart body: boundary "ends in space " has a character RFC 2046 does not allow'],
  ])('refuses %s with 400', (ct, message) => {
    expect(multipartBoundary(ct)).toMatchObject({ code: 'LWS_ERR_SPA_BAD_BOUNDARY', message, wire: { status: 400 } });
  });

  it('parses parameters with quoted-pairs and keeps the first of a repeated one', () => {
    const p = parseHeaderParams('form-data; name="a\\"b"; filename=plain.txt; name=second');
    expect(p?.value).toBe('form-data');
    expect([...(p?.params ?? [])]).toEqual([['name', 'a"b'], ['filename', 'plain.txt']]);
    expect(parseHeaderParams('form-data; name')).toBeUndefined();
    expect(parseHeaderParams('form-data; name="x" junk')).toBeUndefined();
  });
});
