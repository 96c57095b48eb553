import { describe, expect, it } from 'vitest';
import {
  evaluateConditionals,
  formatHttpDate,
  generateEtag,
  ifRangeMatches,
  parseHttpDate,
  type RequestHeaders,
} from '../../src/http/conditional.js';

const T = 784111777000; // Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110 §5.6.7 example)
const IMF = 'Sun, 06 Nov 1994 08:49:37 GMT';
const EARLIER = 'Sun, 06 Nov 1994 08:49:36 GMT';
const LATER = 'Sun, 06 Nov 1994 08:49:38 GMT';

describe('generateEtag', () => {
  it('joins hex ino, mtime (ms) and size, quoted', () => {
    expect(generateEtag({ size: 1024, mtimeMs: 1700000000000.5, ino: 42 })).toBe('"2a-18bcfe56800-400"');
    expect(generateEtag({ size: 0, mtimeMs: 0 })).toBe('"0-0"');
  });

  it('prefixes W/ when weak', () => {
    expect(generateEtag({ size: 1, mtimeMs: 16 }, { weak: true })).toBe('W/"10-1"');
  });

  it('accepts BigIntStats fields', () => {
    expect(generateEtag({ size: 255n, mtimeMs: 4096n, ino: 2n ** 64n - 1n })).toBe('"ffffffffffffffff-1000-ff"');
  });

  it('changes with size, mtime and inode', () => {
    const base = generateEtag({ size: 10, mtimeMs: 1000, ino: 1 });
    expect(generateEtag({ size: 11, mtimeMs: 1000, ino: 1 })).not.toBe(base);
    expect(generateEtag({ size: 10, mtimeMs: 1001, ino: 1 })).not.toBe(base);
    expect(generateEtag({ size: 10, mtimeMs: 1000, ino: 2 })).not.toBe(base);
  });

  it('produces a valid entity-tag evaluateConditionals accepts', () => {
    const etag = generateEtag({ size: 5, mtimeMs: -1500.5, ino: 3 });
    expect(evaluateConditionals({ 'if-none-match': etag }, { method: 'GET', etag })).toMatchObject({ status: 304 });
  });

  it('throws TypeError on non-finite numbers', () => {
    expect(() => generateEtag({ size: Number.NaN, mtimeMs: 0 })).toThrow(
      new TypeError('Cannot generate ETag: size is NaN, expected a finite number'),
    );
    expect(() => generateEtag({ size: 0, mtimeMs: Infinity })).toThrow(TypeError);
  });
});

describe('HTTP-date', () => {
  it('formats IMF-fixdate, dropping milliseconds', () => {
    expect(formatHttpDate(T)).toBe(IMF);
    expect(formatHttpDate(T + 999)).toBe(IMF);
    expect(formatHttpDate(new Date(T))).toBe(IMF);
    expect(formatHttpDate(0)).toBe('Thu, 01 Jan 1970 00:00:00 GMT');
    expect(formatHttpDate(Date.UTC(999, 0, 5))).toBe('Sat, 05 Jan 0999 00:00:00 GMT');
  });

  it('refuses times it cannot write as IMF-fixdate with RangeError', () => {
    expect(() => formatHttpDate(Number.NaN)).toThrow(RangeError);
    expect(() => formatHttpDate(new Date('x'))).toThrow(RangeError);
    expect(() => formatHttpDate(Date.UTC(10000, 0, 1))).toThrow(RangeError);
    expect(() => formatHttpDate(Date.UTC(-1, 0, 1))).toThrow(RangeError);
  });

  it.each([
    [IMF, T],
    ['Sunday, 06-Nov-94 08:49:37 GMT', T],
    ['Sun Nov  6 08:49:37 1994', T],
    ['Sun Nov 06 08:49:37 1994', T],
    [`  ${IMF}  `, T],
    ['Thu, 01 Jan 1970 00:00:00 GMT', 0],
    ['Tue, 29 Feb 2000 12:00:00 GMT', Date.UTC(2000, 1, 29, 12)],
    ['Fri, 31 Dec 9999 23:59:59 GMT', Date.UTC(9999, 11, 31, 23, 59, 59)],
    ['Sat, 01 Jan 0050 00:00:00 GMT', -60589296000000],
    ['Wed, 31 Dec 2008 23:59:60 GMT', Date.UTC(2009, 0, 1)],
    ['Mon, 06 Nov 1994 08:49:37 GMT', T], // a wrong day-name is not checked (RFC 9110 lets recipients be lenient)
  ])('parses %j', (value, time) => {
    expect(parseHttpDate(value)).toBe(time);
  });

  it('round-trips', () => {
    for (const t of [0, T, 1700000000000, Date.UTC(2038, 0, 19, 3, 14, 8)]) expect(parseHttpDate(formatHttpDate(t))).toBe(t);
  });

  it('reads RFC 850 two-digit years within 50 years of now, else the century before', () => {
    const now = Date.UTC(2025, 5, 1);
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', now)).toBe(T);
    expect(parseHttpDate('Thursday, 01-Jan-70 00:00:00 GMT', now)).toBe(Date.UTC(2070, 0, 1));
    expect(parseHttpDate('Friday, 01-Jan-76 00:00:00 GMT', now)).toBe(Date.UTC(1976, 0, 1));
    expect(parseHttpDate('Saturday, 01-Jan-00 00:00:00 GMT', now)).toBe(Date.UTC(2000, 0, 1));
  });

  it.each([
    '',
    'garbage',
    'sun, 06 Nov 1994 08:49:37 GMT',
    'Sun, 06 nov 1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 08:49:37 gmt',
    'Sun, 06 Nov 1994 08:49:37 UTC',
    'Sun, 06 Nov 1994 08:49:37 +0000',
    'Sun, 6 Nov 1994 08:49:37 GMT',
    'Sun, 06 Nov 94 08:49:37 GMT',
    'Sun,06 Nov 1994 08:49:37 GMT',
    'Sun, 06  Nov 1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 8:49:37 GMT',
    'Sun, 06 Nov 1994 24:00:00 GMT',
    'Sun, 06 Nov 1994 08:60:00 GMT',
    'Sun, 06 Nov 1994 08:49:61 GMT',
    'Sun, 00 Nov 1994 08:49:37 GMT',
    'Sun, 31 Nov 1994 08:49:37 GMT',
    'Tue, 29 Feb 1900 12:00:00 GMT',
    'Sun, 29 Feb 2001 12:00:00 GMT',
    'Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 08:49:37 GMT\0',
    'Sun Nov 6 08:49:37 1994',
    'Sun Nov  6 08:49:37 94',
    'Sun, 06-Nov-94 08:49:37 GMT',
    'Sunday, 06-Nov-1994 08:49:37 GMT',
    '1994-11-06T08:49:37Z',
    '784111777',
  ])('rejects %j', (value) => {
    expect(parseHttpDate(value)).toBeUndefined();
  });
});

const GET = { method: 'GET', etag: '"v1"', lastModified: T };
const PUT = { method: 'PUT', etag: '"v1"', lastModified: T };

describe('evaluateConditionals: single fields', () => {
  it('proceeds without conditional headers', () => {
    expect(evaluateConditionals({}, GET)).toEqual({ kind: 'proceed', status: 200 });
    expect(evaluateConditionals([], GET)).toEqual({ kind: 'proceed', status: 200 });
  });

  it.each<[string, string, 200 | 412]>([
    ['"v1"', '"v1"', 200],
    ['"x", "v1"', '"v1"', 200],
    ['*', '"v1"', 200],
    ['"v2"', '"v1"', 412],
    ['W/"v1"', '"v1"', 412],
    ['"v1"', 'W/"v1"', 412],
    ['W/"v1"', 'W/"v1"', 412],
    ['v1', '"v1"', 412],
    ['"v1', '"v1"', 412],
    ['', '"v1"', 412],
  ])('If-Match %j against %s -> %i (strong comparison)', (ifMatch, etag, status) => {
    expect(evaluateConditionals({ 'if-match': ifMatch }, { ...PUT, etag }).status).toBe(status);
  });

  it('fails If-Match * without a current representation, and If-Match without an ETag', () => {
    expect(evaluateConditionals({ 'if-match': '*' }, { method: 'PUT', exists: false }).status).toBe(412);
    expect(evaluateConditionals({ 'if-match': '"v1"' }, { method: 'PUT' }).status).toBe(412);
  });

  it('reports a failed If-Match as 412 LWS_ERR_HTTP_PRECONDITION_FAILED', () => {
    const r = evaluateConditionals({ 'if-match': '"v2"' }, PUT);
    expect(r).toMatchObject({ kind: 'precondition-failed', status: 412, error: { code: 'LWS_ERR_HTTP_PRECONDITION_FAILED', wire: { status: 412 } } });
    expect(r.kind === 'precondition-failed' && r.error.message).toBe('Cannot meet precondition: If-Match is "v2", current ETag is "v1"');
  });

  it.each<[string, 200 | 412]>([
    [IMF, 200],
    [LATER, 200],
    [EARLIER, 412],
    ['not a date', 200],
  ])('If-Unmodified-Since %j -> %i', (date, status) => {
    expect(evaluateConditionals({ 'if-unmodified-since': date }, PUT).status).toBe(status);
  });

  it('compares Last-Modified at one-second resolution', () => {
    expect(evaluateConditionals({ 'if-unmodified-since': IMF }, { ...PUT, lastModified: T + 999 }).status).toBe(200);
    expect(evaluateConditionals({ 'if-modified-since': IMF }, { ...GET, lastModified: T + 999 }).status).toBe(304);
    expect(evaluateConditionals({ 'if-modified-since': IMF }, { ...GET, lastModified: new Date(T + 500) }).status).toBe(304);
  });

  it('reports a failed If-Unmodified-Since with both dates', () => {
    const r = evaluateConditionals({ 'if-unmodified-since': EARLIER }, PUT);
    expect(r.kind === 'precondition-failed' && r.error.message).toBe(
      `Cannot meet precondition: If-Unmodified-Since is ${EARLIER}, Last-Modified is ${IMF}`,
    );
  });

  it('ignores If-Unmodified-Since without Last-Modified or when repeated', () => {
    expect(evaluateConditionals({ 'if-unmodified-since': EARLIER }, { method: 'PUT' }).status).toBe(200);
    expect(evaluateConditionals([['if-unmodified-since', EARLIER], ['if-unmodified-since', EARLIER]], PUT).status).toBe(200);
  });

  it.each<[string, string, 200 | 304]>([
    ['"v1"', '"v1"', 304],
    ['W/"v1"', '"v1"', 304],
    ['"v1"', 'W/"v1"', 304],
    ['"a", W/"v1" ,"b"', '"v1"', 304],
    ['*', '"v1"', 304],
    ['"v2"', '"v1"', 200],
    ['"V1"', '"v1"', 200],
    ['v1', '"v1"', 200],
    ['"v1" "v2"', '"v1"', 200],
  ])('If-None-Match %j against %s on GET -> %i (weak comparison)', (inm, etag, status) => {
    expect(evaluateConditionals({ 'if-none-match': inm }, { ...GET, etag }).status).toBe(status);
  });

  it('answers 304 to HEAD and 412 to other methods when If-None-Match matches', () => {
    expect(evaluateConditionals({ 'if-none-match': '"v1"' }, { ...GET, method: 'HEAD' }).status).toBe(304);
    const r = evaluateConditionals({ 'if-none-match': '"v1"' }, PUT);
    expect(r).toMatchObject({ status: 412, error: { code: 'LWS_ERR_HTTP_PRECONDITION_FAILED' } });
    expect(r.kind === 'precondition-failed' && r.error.message).toBe('Cannot meet precondition: If-None-Match is "v1", which matches the current ETag "v1"');
    const star = evaluateConditionals({ 'if-none-match': '*' }, PUT);
    expect(star.kind === 'precondition-failed' && star.error.message).toBe('Cannot meet precondition: If-None-Match is *, and a current representation exists');
  });

  it('lets If-None-Match * through when nothing exists yet (create-only PUT)', () => {
    expect(evaluateConditionals({ 'if-none-match': '*' }, { method: 'PUT', exists: false }).status).toBe(200);
  });

  it('treats methods case-sensitively: get is not GET', () => {
    expect(evaluateConditionals({ 'if-none-match': '"v1"' }, { ...GET, method: 'get' }).status).toBe(412);
    expect(evaluateConditionals({ 'if-modified-since': IMF }, { ...GET, method: 'get' }).status).toBe(200);
  });

  it.each<[string, 200 | 304]>([
    [IMF, 304],
    [LATER, 304],
    [EARLIER, 200],
    ['Sunday, 06-Nov-94 08:49:37 GMT', 304],
    ['Sun Nov  6 08:49:37 1994', 304],
    ['garbage', 200],
    [`${IMF}; length=123`, 200],
  ])('If-Modified-Since %j -> %i', (date, status) => {
    expect(evaluateConditionals({ 'if-modified-since': date }, GET).status).toBe(status);
  });

  it('ignores If-Modified-Since on other methods and without Last-Modified', () => {
    expect(evaluateConditionals({ 'if-modified-since': IMF }, PUT).status).toBe(200);
    expect(evaluateConditionals({ 'if-modified-since': IMF }, { method: 'GET' }).status).toBe(200);
  });
});

describe('evaluateConditionals: RFC 9110 §13.2.2 precedence', () => {
  it('If-Match wins over If-Unmodified-Since, which is then ignored', () => {
    expect(evaluateConditionals({ 'if-match': '"v1"', 'if-unmodified-since': EARLIER }, PUT).status).toBe(200);
    expect(evaluateConditionals({ 'if-match': '"v2"', 'if-unmodified-since': LATER }, PUT).status).toBe(412);
  });

  it('a failing If-Match answers 412 before If-None-Match could answer 304', () => {
    expect(evaluateConditionals({ 'if-match': '"v2"', 'if-none-match': '"v1"' }, GET).status).toBe(412);
  });

  it('a failing If-Unmodified-Since answers 412 before If-None-Match', () => {
    expect(evaluateConditionals({ 'if-unmodified-since': EARLIER, 'if-none-match': '"v1"' }, GET).status).toBe(412);
  });

  it('If-None-Match decides alone; If-Modified-Since is then ignored', () => {
    expect(evaluateConditionals({ 'if-none-match': '"v2"', 'if-modified-since': LATER }, GET).status).toBe(200);
    expect(evaluateConditionals({ 'if-none-match': '"v1"', 'if-modified-since': EARLIER }, GET).status).toBe(304);
  });

  it('a malformed If-None-Match counts as absent, so If-Modified-Since applies', () => {
    expect(evaluateConditionals({ 'if-none-match': 'v1', 'if-modified-since': LATER }, GET).status).toBe(304);
  });

  it('all four passing proceeds; If-Match + If-None-Match mismatch proceeds', () => {
    const h = { 'if-match': '"v1"', 'if-unmodified-since': LATER, 'if-none-match': '"v0"', 'if-modified-since': EARLIER };
    expect(evaluateConditionals(h, GET).status).toBe(200);
  });
});

describe('evaluateConditionals: header shapes', () => {
  it('combines repeated list fields from pairs and arrays', () => {
    const pairs: RequestHeaders = [['if-none-match', '"a"'], ['host', 'x'], ['if-none-match', '"v1"']];
    expect(evaluateConditionals(pairs, GET).status).toBe(304);
    expect(evaluateConditionals({ 'if-none-match': ['"a"', '"v1"'] }, GET).status).toBe(304);
    expect(evaluateConditionals({ 'if-match': ['"a"', '"v1"'] }, PUT).status).toBe(200);
  });

  it('matches pair names case-insensitively', () => {
    expect(evaluateConditionals([['If-None-Match', '"v1"']], GET).status).toBe(304);
  });

  it('rejects a current etag that is not an entity-tag with TypeError', () => {
    expect(() => evaluateConditionals({}, { method: 'GET', etag: 'v1' })).toThrow(
      new TypeError('Cannot evaluate conditionals: etag "v1" is not a quoted entity-tag'),
    );
    expect(() => evaluateConditionals({}, { method: 'GET', etag: '"a"b"' })).toThrow(TypeError);
    expect(() => evaluateConditionals({}, { method: 'GET', etag: '"a\r\n"' })).toThrow(TypeError);
  });

  it('cuts a very long header value in the message', () => {
    const r = evaluateConditionals({ 'if-match': `"${'x'.repeat(10_000)}"` }, PUT);
    expect(r.kind === 'precondition-failed' && r.error.message.length).toBeLessThan(200);
  });
});

describe('ifRangeMatches', () => {
  const v = { etag: '"v1"', lastModified: T };

  it('is true without If-Range', () => {
    expect(ifRangeMatches(undefined, v)).toBe(true);
  });

  it.each<[string, { etag?: string; lastModified?: number }, boolean]>([
    ['"v1"', v, true],
    [' "v1" ', v, true],
    ['"v2"', v, false],
    ['W/"v1"', v, false],
    ['"v1"', { etag: 'W/"v1"', lastModified: T }, false],
    ['"v1"', { lastModified: T }, false],
    ['"v1", "v2"', v, false],
    ['"v1', v, false],
    [IMF, v, true],
    [IMF, { etag: '"v1"', lastModified: T + 999 }, true],
    [EARLIER, v, false],
    [LATER, v, false],
    ['Sun Nov  6 08:49:37 1994', v, true],
    [IMF, { etag: '"v1"' }, false],
    ['garbage', v, false],
    ['', v, false],
  ])('If-Range %j with %j -> %s', (value, validators, expected) => {
    expect(ifRangeMatches(value, validators)).toBe(expected);
  });
});
