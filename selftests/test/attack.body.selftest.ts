/*
 * Attack suite, part 3: chunked bodies (huge sizes, extension and trailer
 * bombs), path traversal, pipelining floods and slowloris against
 * minimal-http-server. Bodies ride on GET to the file mount, which reads
 * (and drops) them, so the chunked decoder itself is attacked. Every case
 * checks exact statuses and that index.html is still served afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dribble, expectStillServes, INDEX, req, runAttack, statuses, type AttackCase } from '../lib/attack.js';
import { startServerExample } from '../lib/examples.js';
import { stopAll } from '../lib/processes.js';
import { rawExchange } from '../lib/raw-http.js';

const H = 'Host: localhost';
const C = 'Connection: close';
const chunked = (body: string): string => req('GET /index.html HTTP/1.1', [H, 'Transfer-Encoding: chunked', C], body);

const chunks: AttackCase[] = [
  ['5\r\nhello\r\n0\r\n\r\n', 200, 'a valid chunked body'],
  ['0\r\n\r\n', 200, 'an empty chunked body'],
  ['5;a=b;c="d e"\r\nhello\r\n0\r\n\r\n', 200, 'extensions with a quoted value'],
  ['5\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\n', 200, 'one trailer'],
  ['A\r\n0123456789\r\n0\r\n\r\n', 200, 'uppercase hex size'],
  ['ffffffffffffffffff\r\n', 400, 'an 18-digit chunk size'],
  ['fffffffffffffff\r\nxx', 400, 'a 15-digit chunk size (past 2^53)'],
  ['fffffff\r\nxx', 413, 'a 256 MiB chunk, past maxBodyBytes'],
  ['100001\r\nxx', 413, 'a chunk just past 1 MiB'],
  ['-1\r\n', 400, 'a negative chunk size'],
  ['0x5\r\nhello\r\n0\r\n\r\n', 400, 'a 0x-prefixed size'],
  [' 5\r\nhello\r\n0\r\n\r\n', 400, 'a space before the size'],
  ['5 \r\nhello\r\n0\r\n\r\n', 400, 'a space after the size'],
  ['\r\nhello\r\n0\r\n\r\n', 400, 'an empty size line'],
  ['g\r\nhello\r\n0\r\n\r\n', 400, 'a non-hex size'],
  ['5\r\nhelloX\r\n0\r\n\r\n', 400, 'data longer than the size'],
  ['5\r\nhell\r\n0\r\n\r\n', 400, 'data shorter than the size'],
  ['5\nhello\n0\n\n', 400, 'bare LF chunk lines'],
  ['5\rhello\r\n0\r\n\r\n', 400, 'bare CR after the size'],
  ['5\r\nhello\r\n0\r\n', 200, 'a body cut before the final CRLF (file answered, then closed: Connection: close)'],
  ['5;\r\nhello\r\n0\r\n\r\n', 400, 'an empty extension'],
  ['5;a\x00b\r\nhello\r\n0\r\n\r\n', 400, 'NUL in an extension'],
  ['5;a="b\r\nhello\r\n0\r\n\r\n', 400, 'an unterminated quoted extension'],
  [`1;${'a=b;'.repeat(2000)}a=b\r\nx\r\n0\r\n\r\n`, 413, 'an 8 KB extension on one chunk'],
  [`${'1;aaaaaaaaaa=bbbbbbbbbb\r\nx\r\n'.repeat(300)}0\r\n\r\n`, 413, 'extensions summing past 4 KiB over 300 chunks'],
  [`0\r\nX-T: ${'a'.repeat(9000)}\r\n\r\n`, 431, 'a 9 KB trailer'],
  [`0\r\n${Array.from({ length: 40 }, (_, i) => `X-T${i}: 1\r\n`).join('')}\r\n`, 431, '40 trailers'],
  ['0\r\nX-T: a\r\n b\r\n\r\n', 400, 'an obs-folded trailer'],
  ['0\r\nX T: a\r\n\r\n', 400, 'a trailer name with a space'],
  ['0\r\nX-T: a\x00\r\n\r\n', 400, 'NUL in a trailer'],
  ['0\r\nContent-Length: 5\r\n\r\n', 200, 'a Content-Length trailer is ignored'],
  [`${'1\r\nx\r\n'.repeat(5000)}0\r\n\r\n`, 200, '5000 one-byte chunks'],
].map(([body, status, what]) => ({
  name: `chunked: ${what as string}`,
  send: chunked(body as string),
  expect: [status as number],
}));

/* Path traversal: nothing outside mount-origin may leak (main.ts holds "createContext", package.json '"name"'). */
const traversal: AttackCase[] = [
  ['/../main.ts', 403], ['/%2e%2e/main.ts', 403], ['/%2E%2E/main.ts', 403], ['/..%2fmain.ts', 403], ['/%2e%2e%2fmain.ts', 403],
  ['/..%5cmain.ts', 400], ['/.%2e/main.ts', 403], ['/%252e%252e/main.ts', 404], ['/..;/main.ts', 404], ['/....//main.ts', 404],
  ['/%c0%ae%c0%ae/main.ts', 400], ['/index.html%00.txt', 400], ['/../../../../../../etc/passwd', 403], ['/%2fetc%2fpasswd', 404],
  ['//etc/passwd', 404], ['/etc/passwd', 404], ['/\\..\\main.ts', 400], ['/a/../../main.ts', 403], ['/./../main.ts', 403],
  ['/%2e/%2e%2e/package.json', 403], ['/..%00/main.ts', 400], ['/%u002e%u002e/main.ts', 400], ['/.htaccess', 404],
  ['/mount-origin/../main.ts', 404], ['/index.html/..', 200],
].map(([path, status]) => ({
  name: `path ${path as string}`,
  send: req(`GET ${path as string} HTTP/1.1`, [H, C]),
  expect: [status as number],
  notContains: 'createContext',
}));

const pipelines: AttackCase[] = [
  { name: '50 pipelined GETs answered in order', send: Array.from({ length: 50 }, (_, i) => req(i % 2 ? 'GET /nope HTTP/1.1' : 'GET /index.html HTTP/1.1', [H])).join('') + req('GET /example.css HTTP/1.1', [H, C]), expect: [...Array.from({ length: 50 }, (_, i) => (i % 2 ? 404 : 200)), 200] },
  { name: 'pipeline with a bad request in the middle stops there', send: req('GET /index.html HTTP/1.1', [H]) + 'GET / HTTP/1.1\r\nBad Header: x\r\n\r\n' + req('GET /index.html HTTP/1.1', [H]), expect: [200, 400] },
  { name: 'pipeline after Connection: close is not answered', send: req('GET /index.html HTTP/1.1', [H, C]) + req('GET /index.html HTTP/1.1', [H]), expect: [200] },
  { name: 'pipelined bodies keep their framing', send: req('GET /index.html HTTP/1.1', [H, 'Content-Length: 3'], 'abc') + req('GET /nope HTTP/1.1', [H, 'Transfer-Encoding: chunked'], '2\r\nab\r\n0\r\n\r\n') + req('GET /index.html HTTP/1.1', [H, C]), expect: [200, 404, 200] },
  { name: 'Expect: 100-continue on a file mount gets the final status only', send: req('GET /index.html HTTP/1.1', [H, 'Expect: 100-continue', 'Content-Length: 3', C], 'abc'), expect: [200] },
  { name: 'POST with Expect: 100-continue to a file mount: 405, no 100', send: req('POST /index.html HTTP/1.1', [H, 'Expect: 100-continue', 'Content-Length: 3']), expect: [405] },
];

describe('attack: bodies, paths, pipelines', () => {
  let port = 0;
  beforeAll(async () => {
    const s = await startServerExample('http-server/minimal-http-server');
    port = Number(new URL(s.url).port);
  });
  afterAll(async () => {
    await stopAll();
  });

  it.each([...chunks, ...traversal, ...pipelines].map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await runAttack(port, c);
  });

  it('answers 300 pipelined HEADs in order, each without a body', async () => {
    const send = Array.from({ length: 300 }, () => req('HEAD /index.html HTTP/1.1', [H])).join('') + req('GET /index.html HTTP/1.1', [H, C]);
    const r = await rawExchange(port, send, { ms: 8000 });
    const text = r.response.toString('latin1');
    expect(text.split('HTTP/1.1 200 OK').length - 1).toBe(301);
    expect(r.response.subarray(r.response.length - INDEX.length).equals(INDEX)).toBe(true);
    expect(r.closedByServer).toBe(true);
  });

  it('answers a flood of 5000 pipelined requests in one write, in order, and keeps serving', async () => {
    const one = req('GET /index.html HTTP/1.1', [H]);
    const r = await rawExchange(port, one.repeat(4999) + req('GET /index.html HTTP/1.1', [H, C]), { ms: 30_000 });
    const got = statuses(r.response);
    expect(got).toHaveLength(5000);
    expect(got.every((s) => s === 200)).toBe(true);
    expect(r.closedByServer).toBe(true);
    await expectStillServes(port);
  }, 40_000);

  it('serves others while 20 slowloris connections dribble a head, and closes them at headersTimeoutSecs', async () => {
    const dribbling = dribble(port, 20, 'GET /index.html HTTP/1.1\r\nHost: localhost\r\nX-A: ', 500, 14_000);
    for (let i = 0; i < 5; i++) await expectStillServes(port);
    const took = await dribbling;
    for (const ms of took) {
      expect(ms).toBeGreaterThanOrEqual(9_000); // default headersTimeoutSecs is 10
      expect(ms).toBeLessThan(13_000);
    }
  }, 20_000);

  it('closes an idle keep-alive connection after keepAliveTimeoutSecs', async () => {
    const t0 = Date.now();
    const r = await rawExchange(port, req('GET /index.html HTTP/1.1', [H]), { ms: 9000 });
    expect(statuses(r.response)).toEqual([200]);
    expect(r.closedByServer).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(4_500); // default keepAliveTimeoutSecs is 5
  }, 12_000);
});
