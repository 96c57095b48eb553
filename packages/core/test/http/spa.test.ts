/*
 * Spa (lws_spa): form fields from GET queries, urlencoded and multipart
 * bodies, named params, file parts streamed to a handler, and the limits
 * and Content-Type checks, each with its code, message and status.
 */
import { describe, expect, it } from 'vitest';
import type { LwsError } from '../../src/errors.js';
import { makeHttpRequest } from '../../src/http/request.js';
import { Spa, type SpaFileHandler, type SpaOptions } from '../../src/http/spa.js';
import { ascii, splitEverywhere } from '../helpers/split.js';

const B = 'xYz';
const post = (ct: string, len?: number) =>
  makeHttpRequest('POST', '/form', '1.1', [['host', 'x'], ['content-type', ct], ...(len === undefined ? [] : [['content-length', String(len)] as const])]);
const MP = `multipart/form-data; boundary=${B}`;
const part = (name: string, value: string, filename?: string): string =>
  `--${B}\r\nContent-Disposition: form-data; name="${name}"${filename === undefined ? '' : `; filename="${filename}"`}\r\n\r\n${value}\r\n`;

interface FileLog { events: string[]; handler: (info: { filename: string }) => SpaFileHandler }
function fileLog(): FileLog {
  const events: string[] = [];
  return {
    events,
    handler: (info) => {
      events.push(`open ${info.filename}`);
      return {
        data: (c) => void events.push(`data ${Buffer.from(c).toString('latin1')}`),
        end: () => void events.push('end'),
        abort: (e: LwsError) => void events.push(`abort ${e.code}`),
      };
    },
  };
}

function run(ct: string, body: string, opts: SpaOptions, chunks?: Uint8Array[]): Spa {
  const spa = Spa.forRequest(post(ct), opts);
  for (const c of chunks ?? [ascii(body)]) spa.write(c);
  spa.end();
  return spa;
}

describe('Spa', () => {
  it('reads GET query arguments', () => {
    const spa = Spa.forRequest(makeHttpRequest('GET', '/f?text1=hi+there&send=Send', '1.1', [['host', 'x']]), { params: ['text1', 'send'] });
    expect(spa.complete).toBe(true);
    expect(spa.get('text1')).toBe('hi there');
    expect(spa.get('send')).toBe('Send');
    expect(spa.get('other')).toBeUndefined();
  });

  it('keeps only the named params of a urlencoded body and every value of a repeated one', () => {
    const spa = run('application/x-www-form-urlencoded', 'a=1&junk=2&a=3&b=%E2%9C%93', { params: ['a', 'b'] });
    expect(spa.complete).toBe(true);
    expect([...spa.fields]).toEqual([['a', ['1', '3']], ['b', ['✓']]]);
    expect(spa.getAll('a')).toEqual(['1', '3']);
  });

  it('refuses a field not in params with 400 when unknownFields is "error"', () => {
    const spa = run('application/x-www-form-urlencoded', 'a=1&junk=2', { params: ['a'], unknownFields: 'error' });
    expect(spa.error).toMatchObject({ code: 'LWS_ERR_SPA_UNKNOWN_FIELD', message: 'Cannot accept form field "junk": the form expects "a"', wire: { status: 400 } });
  });

  it('streams a multipart file to its handler and keeps the fields, for every split', () => {
    const body = part('text1', 'hello') + part('file', 'FILEDATA', 'x.bin') + part('unused', 'zz') + `--${B}--\r\n`;
    for (const chunks of splitEverywhere(ascii(body))) {
      const log = fileLog();
      const spa = run(MP, body, { params: ['text1', 'file'], onFile: log.handler }, chunks);
      expect(spa.complete).toBe(true);
      expect(spa.get('text1')).toBe('hello');
      expect(spa.get('unused')).toBeUndefined();
      expect(spa.files).toEqual([{ name: 'file', filename: 'x.bin', contentType: 'text/plain', size: 8 }]);
      const joined = [log.events[0], log.events.filter((e) => e.startsWith('data ')).map((e) => e.slice(5)).join(''), log.events.at(-1)];
      expect(joined).toEqual(['open x.bin', 'FILEDATA', 'end']);
    }
  });

  it('skips an empty file input (filename="" and no content)', () => {
    const log = fileLog();
    const spa = run(MP, part('file', '', '') + `--${B}--`, { onFile: log.handler });
    expect(spa.complete).toBe(true);
    expect(spa.files).toEqual([]);
    expect(log.events).toEqual([]);
  });

  it('aborts the open file and answers 413 when a file passes maxFileBytes', () => {
    const log = fileLog();
    const spa = run(MP, part('file', '0123456789', 'big.txt') + `--${B}--`, { maxFileBytes: 9, onFile: log.handler });
    expect(spa.error).toMatchObject({ code: 'LWS_ERR_SPA_FILE_TOO_LARGE', message: 'Cannot accept file "big.txt" of field "file": it is over 9 bytes', wire: { status: 413 } });
    expect(log.events.at(-1)).toBe('abort LWS_ERR_SPA_FILE_TOO_LARGE');
    expect(log.events).not.toContain('end');
  });

  it('refuses a multipart field value past maxFieldBytes with 413', () => {
    const spa = run(MP, part('t', 'x'.repeat(11)) + `--${B}--`, { maxFieldBytes: 10 });
    expect(spa.error).toMatchObject({ code: 'LWS_ERR_SPA_FIELD_TOO_LARGE', message: 'Cannot accept form field "t": value is longer than 10 bytes', wire: { status: 413 } });
  });

  it('refuses a multipart field value that is not UTF-8 with 400', () => {
    const spa = Spa.forRequest(post(MP));
    spa.write(Buffer.concat([ascii(`--${B}\r\nContent-Disposition: form-data; name="t"\r\n\r\n`), Buffer.from([0xc3, 0x28]), ascii(`\r\n--${B}--`)]));
    expect(spa.end()).toBe(false);
    expect(spa.error).toMatchObject({ code: 'LWS_ERR_SPA_BAD_ENCODING', message: 'Cannot decode form field "t": value is not UTF-8', wire: { status: 400 } });
  });

  it('refuses a body past maxTotalBytes with 413, while it streams', () => {
    const spa = Spa.forRequest(post('application/x-www-form-urlencoded'), { maxTotalBytes: 8 });
    expect(spa.write(ascii('a=1234'))).toBe(true);
    expect(spa.write(ascii('567'))).toBe(false);
    expect(spa.error).toMatchObject({ code: 'LWS_ERR_SPA_BODY_TOO_LARGE', message: 'Cannot accept form: received 9 bytes, limit is 8', wire: { status: 413 } });
  });

  it('refuses a Content-Length past maxTotalBytes with 413 before any body', () => {
    const spa = Spa.forRequest(post('application/x-www-form-urlencoded', 9), { maxTotalBytes: 8 });
    expect(spa.error).toMatchObject({ code: 'LWS_ERR_SPA_BODY_TOO_LARGE', message: 'Cannot accept form: Content-Length is 9, limit is 8', wire: { status: 413 } });
  });

  it('refuses other content types with 415 and a bad boundary with 400', () => {
    expect(Spa.forRequest(post('application/json')).error).toMatchObject({
      code: 'LWS_ERR_SPA_CONTENT_TYPE',
      message: 'Cannot parse form: Content-Type is "application/json", expected application/x-www-form-urlencoded or multipart/form-data',
      wire: { status: 415 },
    });
    expect(Spa.forRequest(makeHttpRequest('POST', '/', '1.1', [])).error?.wire.status).toBe(415);
    expect(Spa.forRequest(post('multipart/form-data')).error).toMatchObject({ code: 'LWS_ERR_SPA_BAD_BOUNDARY', wire: { status: 400 } });
  });

  it('aborts an open file when the request is abandoned', () => {
    const log = fileLog();
    const spa = Spa.forRequest(post(MP), { onFile: log.handler });
    spa.write(ascii(part('f', 'partial data, more to come', 'a').slice(0, -10)));
    spa.abort();
    expect(spa.error?.code).toBe('LWS_ERR_SPA_MISSING_FINAL_BOUNDARY');
    expect(log.events.at(-1)).toBe('abort LWS_ERR_SPA_MISSING_FINAL_BOUNDARY');
  });

  it('refuses negative limits with a RangeError', () => {
    expect(() => new Spa({ kind: 'urlencoded' }, { maxFields: -1 })).toThrow(RangeError);
  });
});
