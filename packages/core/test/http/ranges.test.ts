import { describe, expect, it } from 'vitest';
import {
  contentRange,
  generateBoundary,
  parseRange,
  planMultipartByteranges,
  type ByteRange,
} from '../../src/http/ranges.js';

const r = (start: number, end: number): ByteRange => ({ start, end });

describe('parseRange: satisfiable', () => {
  it.each<[string, number, ByteRange[]]>([
    ['bytes=0-0', 10, [r(0, 0)]],
    ['bytes=0-9', 10, [r(0, 9)]],
    ['bytes=0-99', 10, [r(0, 9)]],
    ['bytes=5-', 10, [r(5, 9)]],
    ['bytes=9-', 10, [r(9, 9)]],
    ['bytes=0-', 10, [r(0, 9)]],
    ['bytes=-1', 10, [r(9, 9)]],
    ['bytes=-3', 10, [r(7, 9)]],
    ['bytes=-10', 10, [r(0, 9)]],
    ['bytes=-999', 10, [r(0, 9)]],
    ['bytes=3-3', 10, [r(3, 3)]],
    ['bytes=0-0,-1', 10, [r(0, 0), r(9, 9)]],
    ['bytes=0-1, 3-4', 10, [r(0, 1), r(3, 4)]],
    ['bytes= 0-1 ,\t3-4 ', 10, [r(0, 1), r(3, 4)]],
    ['bytes=,,0-1,, ,', 10, [r(0, 1)]],
    ['BYTES=0-1', 10, [r(0, 1)]],
    ['Bytes=0-1', 10, [r(0, 1)]],
    ['bytes=00000-00001', 10, [r(0, 1)]],
    ['bytes=0-18446744073709551616', 10, [r(0, 9)]],
    ['bytes=-18446744073709551616', 10, [r(0, 9)]],
    ['bytes=1-2,20-30', 10, [r(1, 2)]],
    ['bytes=20-30,1-2', 10, [r(1, 2)]],
  ])('%s of %i bytes -> %j', (header, size, ranges) => {
    expect(parseRange(header, size)).toEqual({ kind: 'ranges', ranges });
  });

  it('sorts and merges overlapping and adjacent ranges', () => {
    expect(parseRange('bytes=0-4,2-8', 100)).toEqual({ kind: 'ranges', ranges: [r(0, 8)] });
    expect(parseRange('bytes=0-4,5-9', 100)).toEqual({ kind: 'ranges', ranges: [r(0, 9)] });
    expect(parseRange('bytes=0-4,6-9', 100)).toEqual({ kind: 'ranges', ranges: [r(0, 4), r(6, 9)] });
    expect(parseRange('bytes=50-60,0-10,5-20,55-', 100)).toEqual({ kind: 'ranges', ranges: [r(0, 20), r(50, 99)] });
    expect(parseRange('bytes=10-20,12-15', 100)).toEqual({ kind: 'ranges', ranges: [r(10, 20)] });
    expect(parseRange('bytes=0-0,0-0,0-0', 100)).toEqual({ kind: 'ranges', ranges: [r(0, 0)] });
    expect(parseRange('bytes=-10,0-', 100)).toEqual({ kind: 'ranges', ranges: [r(0, 99)] });
  });

  it('merges ranges within mergeGap bytes', () => {
    expect(parseRange('bytes=0-4,10-14', 100, { mergeGap: 5 })).toEqual({ kind: 'ranges', ranges: [r(0, 14)] });
    expect(parseRange('bytes=0-4,11-14', 100, { mergeGap: 5 })).toEqual({ kind: 'ranges', ranges: [r(0, 4), r(11, 14)] });
  });

  it('keeps satisfiable specs and drops unsatisfiable ones', () => {
    expect(parseRange('bytes=50-60,-0,2-3', 10)).toEqual({ kind: 'ranges', ranges: [r(2, 3)] });
  });

  it('bounds the output of an amplification attempt by the file size after merging', () => {
    const header = `bytes=${Array.from({ length: 16 }, () => '0-').join(',')}`;
    expect(parseRange(header, 1_000_000)).toEqual({ kind: 'ranges', ranges: [r(0, 999_999)] });
  });
});

describe('parseRange: unsatisfiable -> 416 LWS_ERR_HTTP_RANGE_NOT_SATISFIABLE', () => {
  it.each<[string, number]>([
    ['bytes=-0', 10],
    ['bytes=-000', 10],
    ['bytes=10-', 10],
    ['bytes=10-20', 10],
    ['bytes=5-', 5],
    ['bytes=100-200,300-', 10],
    ['bytes=18446744073709551616-', 10],
    ['bytes=0-', 0],
    ['bytes=0-0', 0],
    ['bytes=-0', 0],
  ])('%s of %i bytes', (header, size) => {
    const res = parseRange(header, size);
    expect(res).toMatchObject({ kind: 'unsatisfiable', status: 416, contentRange: `bytes */${size}` });
    if (res.kind !== 'unsatisfiable') return;
    expect(res.error).toMatchObject({ code: 'LWS_ERR_HTTP_RANGE_NOT_SATISFIABLE', wire: { status: 416 } });
    expect(res.error.message).toBe(`Cannot satisfy range: ${JSON.stringify(header)} selects no byte of a ${size}-byte representation`);
  });

  it('cuts a long header in the message', () => {
    const header = `bytes=${'9'.repeat(300)}-`;
    const res = parseRange(header, 10);
    expect(res.kind === 'unsatisfiable' && res.error.message.length).toBeLessThan(200);
  });
});

describe('parseRange: ignored -> serve 200', () => {
  it('reports an absent header', () => {
    expect(parseRange(undefined, 10)).toEqual({ kind: 'ignore', reason: 'absent' });
  });

  it.each([
    '',
    'bytes',
    'bytes=',
    'bytes= ',
    'bytes=,',
    'bytes=5',
    'bytes=a-b',
    'bytes=5-3',
    'bytes=1-2-3',
    'bytes=--1',
    'bytes=-',
    'bytes=- 1',
    'bytes=1 -2',
    'bytes=1- 2',
    'bytes=+1-2',
    'bytes=0x10-20',
    'bytes=1.5-2',
    'bytes=-1e3',
    'bytes=0-1;2-3',
    'bytes=0-1,5-3',
    'bytes=0-1,x',
    'bytes=18446744073709551617-18446744073709551616',
    'bytes=\u0661-\u0662',
  ])('ignores invalid %j', (header) => {
    expect(parseRange(header, 10)).toEqual({ kind: 'ignore', reason: 'invalid' });
  });

  it.each(['items=0-1', 'none=0-1', '=0-1', 'byte=0-1'])('ignores another unit: %j', (header) => {
    expect(parseRange(header, 10)).toEqual({ kind: 'ignore', reason: 'unit' });
  });

  it('ignores more than maxRanges specs (default 16), counted before merging', () => {
    const n = (k: number): string => `bytes=${Array.from({ length: k }, (_, i) => `${i * 2}-${i * 2}`).join(',')}`;
    expect(parseRange(n(16), 1000)).toMatchObject({ kind: 'ranges' });
    expect(parseRange(n(17), 1000)).toEqual({ kind: 'ignore', reason: 'too-many' });
    expect(parseRange(n(100), 1000)).toEqual({ kind: 'ignore', reason: 'too-many' });
    const same = `bytes=${Array.from({ length: 100 }, () => '0-0').join(',')}`;
    expect(parseRange(same, 1000)).toEqual({ kind: 'ignore', reason: 'too-many' });
    expect(parseRange(n(3), 1000, { maxRanges: 2 })).toEqual({ kind: 'ignore', reason: 'too-many' });
    expect(parseRange(n(100), 1000, { maxRanges: 100 })).toMatchObject({ kind: 'ranges' });
  });

  it('stops parsing at the cap, so a huge header costs little', () => {
    const huge = `bytes=${'0-0,'.repeat(200_000)}`;
    const t = performance.now();
    expect(parseRange(huge, 10)).toEqual({ kind: 'ignore', reason: 'too-many' });
    expect(performance.now() - t).toBeLessThan(1000);
  });

  it('sends an empty representation whole when a non-zero suffix is asked (RFC 9110 §14.1.1)', () => {
    expect(parseRange('bytes=-5', 0)).toEqual({ kind: 'ignore', reason: 'empty' });
    expect(parseRange('bytes=0-3,-1', 0)).toEqual({ kind: 'ignore', reason: 'empty' });
  });
});

describe('parseRange: API misuse', () => {
  it('throws RangeError on bad size and options', () => {
    expect(() => parseRange('bytes=0-1', -1)).toThrow(new RangeError('Cannot parse range: size is -1, expected a non-negative safe integer'));
    expect(() => parseRange('bytes=0-1', 1.5)).toThrow(RangeError);
    expect(() => parseRange('bytes=0-1', Number.NaN)).toThrow(RangeError);
    expect(() => parseRange('bytes=0-1', 10, { maxRanges: 0 })).toThrow(RangeError);
    expect(() => parseRange('bytes=0-1', 10, { mergeGap: -1 })).toThrow(RangeError);
  });

  it('handles the largest safe size', () => {
    const size = Number.MAX_SAFE_INTEGER;
    expect(parseRange('bytes=-1', size)).toEqual({ kind: 'ranges', ranges: [r(size - 1, size - 1)] });
    expect(parseRange('bytes=9007199254740990-', size)).toEqual({ kind: 'ranges', ranges: [r(size - 1, size - 1)] });
  });
});

describe('contentRange', () => {
  it('formats bytes first-last/size', () => {
    expect(contentRange(r(0, 0), 1)).toBe('bytes 0-0/1');
    expect(contentRange(r(500, 999), 8000)).toBe('bytes 500-999/8000');
  });
});

describe('generateBoundary', () => {
  it('gives 24 random hex characters', () => {
    const a = generateBoundary();
    expect(a).toMatch(/^[0-9a-f]{24}$/);
    expect(generateBoundary()).not.toBe(a);
  });
});

describe('planMultipartByteranges', () => {
  const file = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');

  function assemble(plan: ReturnType<typeof planMultipartByteranges>): Buffer {
    const chunks: Buffer[] = [];
    for (const p of plan.parts) chunks.push(p.head, file.subarray(p.range.start, p.range.end + 1));
    chunks.push(plan.tail);
    return Buffer.concat(chunks);
  }

  it('frames parts as in RFC 9110 §14.6 and computes the exact length', () => {
    const plan = planMultipartByteranges([r(0, 3), r(30, 35)], file.length, 'text/plain', 'THIS_STRING_SEPARATES');
    expect(plan.contentType).toBe('multipart/byteranges; boundary=THIS_STRING_SEPARATES');
    const body = assemble(plan);
    expect(body.toString('latin1')).toBe(
      '--THIS_STRING_SEPARATES\r\n' +
        'Content-Type: text/plain\r\n' +
        'Content-Range: bytes 0-3/36\r\n' +
        '\r\n' +
        '0123' +
        '\r\n--THIS_STRING_SEPARATES\r\n' +
        'Content-Type: text/plain\r\n' +
        'Content-Range: bytes 30-35/36\r\n' +
        '\r\n' +
        'uvwxyz' +
        '\r\n--THIS_STRING_SEPARATES--\r\n',
    );
    expect(plan.contentLength).toBe(body.length);
  });

  it('omits Content-Type in parts when none is given', () => {
    const plan = planMultipartByteranges([r(1, 1)], 2, undefined, 'b');
    expect(assemble(plan).toString('latin1')).toBe('--b\r\nContent-Range: bytes 1-1/2\r\n\r\n1\r\n--b--\r\n');
  });

  it('splits back into the requested bytes on the boundary', () => {
    const plan = planMultipartByteranges([r(0, 0), r(10, 19), r(35, 35)], file.length, 'application/octet-stream');
    const body = assemble(plan);
    expect(plan.contentLength).toBe(body.length);
    const parts = body.toString('latin1').split(`\r\n--${plan.boundary}`);
    expect(parts.at(-1)).toBe('--\r\n');
    expect(parts[0]?.startsWith(`--${plan.boundary}\r\n`)).toBe(true);
    expect(parts.slice(0, -1).map((p) => p.slice(p.indexOf('\r\n\r\n') + 4))).toEqual(['0', 'abcdefghij', 'z']);
  });

  it('uses a random boundary by default', () => {
    const plan = planMultipartByteranges([r(0, 1)], 2);
    expect(plan.boundary).toMatch(/^[0-9a-f]{24}$/);
  });

  it('validates boundary, content type and ranges', () => {
    expect(() => planMultipartByteranges([r(0, 1)], 2, 'text/plain', 'a b\r\n')).toThrow(TypeError);
    expect(() => planMultipartByteranges([r(0, 1)], 2, 'text/plain', 'x'.repeat(71))).toThrow(TypeError);
    expect(() => planMultipartByteranges([r(0, 1)], 2, 'text/plain\r\nx: y', 'b')).toThrow(
      new TypeError('Cannot frame byteranges: content type "text/plain\\r\\nx: y" must be printable ASCII'),
    );
    expect(() => planMultipartByteranges([r(0, 2)], 2, undefined, 'b')).toThrow(
      new RangeError('Cannot frame byteranges: range 0-2 is outside a 2-byte representation'),
    );
    expect(() => planMultipartByteranges([r(1, 0)], 2, undefined, 'b')).toThrow(RangeError);
    expect(() => planMultipartByteranges([r(-1, 0)], 2, undefined, 'b')).toThrow(RangeError);
  });

  it('computes the length of a large plan without touching the data', () => {
    const ranges = Array.from({ length: 16 }, (_, i) => r(i * 1_000_000_000, i * 1_000_000_000 + 999));
    const plan = planMultipartByteranges(ranges, 20_000_000_000, 'video/mp4', 'b');
    const heads = plan.parts.reduce((n, p) => n + p.head.length, 0);
    expect(plan.contentLength).toBe(heads + 16 * 1000 + plan.tail.length);
  });
});
