/*
 * UrlencodedParser: the same fields for any split of the input, `+` and
 * `%XX` decoding across chunk boundaries, and every limit and failure with
 * its code, message and status.
 */
import { describe, expect, it } from 'vitest';
import type { LwsError } from '../../src/errors.js';
import { UrlencodedParser, type UrlencodedLimits } from '../../src/http/urlencoded.js';
import { ascii, splitEverywhere } from '../helpers/split.js';

const LIMITS: UrlencodedLimits = { maxNameBytes: 32, maxValueBytes: 64, maxFields: 8 };

function parse(chunks: Iterable<Uint8Array>, limits = LIMITS): { fields: [string, string][]; error: LwsError | undefined } {
  const fields: [string, string][] = [];
  const p = new UrlencodedParser(limits, (n, v) => void fields.push([n, v]));
  let error: LwsError | undefined;
  for (const c of chunks) error ??= p.write(c);
  error ??= p.end();
  return { fields, error };
}

function everySplit(input: string, limits = LIMITS): ReturnType<typeof parse> {
  const bytes = ascii(input);
  const first = parse([bytes], limits);
  for (const chunks of splitEverywhere(bytes)) expect(parse(chunks, limits)).toEqual(first);
  return first;
}

describe('UrlencodedParser', () => {
  it('decodes "+" as space and %-escapes, whatever the split', () => {
    const r = everySplit('text1=hello+w%6Frld%21&send=Send');
    expect(r.error).toBeUndefined();
    expect(r.fields).toEqual([['text1', 'hello world!'], ['send', 'Send']]);
  });

  it('decodes multi-byte UTF-8 escapes cut between chunks', () => {
    const r = everySplit('t=%C3%A9t%C3%A9+%E2%82%AC');
    expect(r.fields).toEqual([['t', 'été €']]);
  });

  it('keeps empty values, names without "=", and "=" inside values; skips empty pairs', () => {
    const r = everySplit('a=&b&&c=x=y&');
    expect(r.error).toBeUndefined();
    expect(r.fields).toEqual([['a', ''], ['b', ''], ['c', 'x=y']]);
  });

  it('gives no fields for empty input', () => {
    expect(everySplit('')).toEqual({ fields: [], error: undefined });
  });

  it('refuses a bad %-escape with 400', () => {
    const r = everySplit('a=%4g');
    expect(r.error).toMatchObject({ code: 'LWS_ERR_SPA_BAD_ENCODING', message: 'Cannot decode form field: %-escape has "g", expected a hex digit', wire: { status: 400 } });
  });

  it('refuses input ending inside a %-escape with 400', () => {
    const r = everySplit('a=%4');
    expect(r.error).toMatchObject({ code: 'LWS_ERR_SPA_BAD_ENCODING', message: 'Cannot decode form field: input ends inside a %-escape', wire: { status: 400 } });
  });

  it('refuses a value that is not UTF-8 with 400', () => {
    const r = everySplit('a=%FF');
    expect(r.error).toMatchObject({ code: 'LWS_ERR_SPA_BAD_ENCODING', message: 'Cannot decode form field "a": value is not UTF-8', wire: { status: 400 } });
  });

  it('accepts a value of exactly maxValueBytes and refuses one byte more with 413', () => {
    expect(everySplit(`v=${'x'.repeat(64)}`).fields[0]?.[1]).toHaveLength(64);
    const r = everySplit(`v=${'%41'.repeat(65)}`);
    expect(r.error).toMatchObject({ code: 'LWS_ERR_SPA_FIELD_TOO_LARGE', message: 'Cannot accept form field "v": value is longer than 64 bytes', wire: { status: 413 } });
  });

  it('refuses a name longer than maxNameBytes with 413', () => {
    const r = everySplit(`${'n'.repeat(33)}=1`);
    expect(r.error).toMatchObject({ code: 'LWS_ERR_SPA_FIELD_TOO_LARGE', message: 'Cannot accept form field: name is longer than 32 bytes', wire: { status: 413 } });
  });

  it('refuses more than maxFields fields with 413', () => {
    expect(everySplit(Array.from({ length: 8 }, (_, i) => `f${i}=1`).join('&')).fields).toHaveLength(8);
    const r = everySplit(Array.from({ length: 9 }, (_, i) => `f${i}=1`).join('&'));
    expect(r.error).toMatchObject({ code: 'LWS_ERR_SPA_TOO_MANY_FIELDS', message: 'Cannot accept form field "f8": more than 8 fields', wire: { status: 413 } });
    expect(r.fields).toHaveLength(8);
  });

  it('stops at the first error: later input is ignored', () => {
    const fields: string[] = [];
    const p = new UrlencodedParser(LIMITS, (n) => void fields.push(n));
    expect(p.write(ascii('a=%zz'))).toBeDefined();
    expect(p.write(ascii('&b=1'))).toBe(p.error);
    expect(p.end()).toBe(p.error);
    expect(fields).toEqual([]);
  });

  it('passes a sink error on and stops', () => {
    const p = new UrlencodedParser(LIMITS, (n) => (n === 'bad' ? ({ code: 'LWS_ERR_SPA_UNKNOWN_FIELD' } as LwsError) : undefined));
    expect(p.write(ascii('ok=1&bad=2&'))?.code).toBe('LWS_ERR_SPA_UNKNOWN_FIELD');
  });

  it('refuses negative limits with a RangeError', () => {
    expect(() => new UrlencodedParser({ ...LIMITS, maxFields: -1 }, () => undefined)).toThrow(RangeError);
  });
});
