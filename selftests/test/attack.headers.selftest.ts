/*
 * Attack suite, part 2: request lines and header fields against
 * minimal-http-server: obs-fold, whitespace in names, control bytes in
 * values, bare CR/LF, oversized lines, sections and counts, versions,
 * methods, and target forms (RFC 9112 §2-5, RFC 9110 §9). Every case checks
 * the exact status(es) and that index.html is still served afterwards.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { req, runAttack, type AttackCase } from '../lib/attack.js';
import { startServerExample } from '../lib/examples.js';
import { stopAll } from '../lib/processes.js';

const H = 'Host: localhost';
const C = 'Connection: close';
const get = (headers: string[]): string => req('GET /index.html HTTP/1.1', headers);

const folding: AttackCase[] = [
  { name: 'obs-fold with space', send: get([H, 'X-A: a', ' b']), expect: [400] },
  { name: 'obs-fold with tab', send: get([H, 'X-A: a', '\tb']), expect: [400] },
  { name: 'obs-fold of Host', send: get(['Host:', ' localhost']), expect: [400] },
  { name: 'first header line starts with space', send: get([' X-A: a', H]), expect: [400] },
  { name: 'first header line starts with tab', send: get(['\tX-A: a', H]), expect: [400] },
  { name: 'fold line of only spaces', send: get([H, 'X-A: a', '   ']), expect: [400] },
];

const names: AttackCase[] = [
  ['Host : localhost', 'space before colon in Host'],
  ['X-A : 1', 'space before colon'],
  ['X-A\t: 1', 'tab before colon'],
  ['X A: 1', 'space inside name'],
  [': value', 'empty name'],
  ['X(A): 1', 'paren in name'],
  ['X@A: 1', 'at-sign in name'],
  ['"X": 1', 'quote in name'],
  ['X/A: 1', 'slash in name'],
  ['X\x00A: 1', 'NUL in name'],
  ['X\x7fA: 1', 'DEL in name'],
  ['X\xffA: 1', 'obs-text in name'],
  ['X{A}: 1', 'braces in name'],
  ['NoColonHere', 'line without colon'],
  ['X[A]: 1', 'brackets in name'],
].map(([line, what]) => ({ name: `header name: ${what}`, send: get([H, line as string]), expect: [400] }));

const values: AttackCase[] = [
  ['X-A: a\x00b', 'NUL in value', 400],
  ['X-A: a\x01b', 'SOH in value', 400],
  ['X-A: a\x7fb', 'DEL in value', 400],
  ['X-A: a\x0bb', 'vertical tab in value', 400],
  ['X-A: a\x0cb', 'form feed in value', 400],
  ['X-A: a\x1bb', 'ESC in value', 400],
  ['X-A: a\rb', 'bare CR in value', 400],
  ['X-A: a\nb', 'bare LF in value', 400],
  ['X-A: a\r\rb', 'double CR in value', 400],
  ['X-A: \x00', 'value only NUL', 400],
].map(([line, what, status]) => ({ name: `header value: ${what as string}`, send: get([H, line as string]), expect: [status as number] }));

const valuesAccepted: AttackCase[] = [
  ['X-A: caf\xe9', 'obs-text (latin-1) in value'],
  ['X-A:', 'empty value'],
  ['X-A:    ', 'value of only spaces'],
  ['X-A: a\tb', 'tab inside value'],
  ['X-A:\tb\t', 'tabs as OWS'],
  ['X-A: ' + 'v'.repeat(4000), '4000-byte value'],
].map(([line, what]) => ({ name: `header value accepted: ${what as string}`, send: get([H, line as string, C]), expect: [200] }));

const lineEndings: AttackCase[] = [
  { name: 'bare LF line endings throughout', send: 'GET /index.html HTTP/1.1\nHost: localhost\n\n', expect: [400] },
  { name: 'bare LF after request line', send: 'GET /index.html HTTP/1.1\nHost: localhost\r\n\r\n', expect: [400] },
  { name: 'bare CR after request line', send: 'GET /index.html HTTP/1.1\rHost: localhost\r\n\r\n', expect: [400] },
  { name: 'bare LF ending the head', send: 'GET /index.html HTTP/1.1\r\nHost: localhost\r\n\n', expect: [400] },
  { name: 'LFCR instead of CRLF', send: 'GET /index.html HTTP/1.1\n\rHost: localhost\n\r\n\r', expect: [400] },
  { name: 'CR CR LF', send: 'GET /index.html HTTP/1.1\r\r\nHost: localhost\r\n\r\n', expect: [400] },
  { name: 'leading empty line is ignored (RFC 9112 §2.2)', send: `\r\n${get([H, C])}`, expect: [200] },
  { name: 'NUL before the request line', send: `\x00${get([H, C])}`, expect: [400] },
];

const big = (n: number): string => 'a'.repeat(n);
const sizes: AttackCase[] = [
  { name: 'request line past 8192 bytes: 414', send: get([H]).replace('/index.html', `/${big(9000)}`), expect: [414] },
  { name: 'request line far past the limit, never ending: 414', send: `GET /${big(100_000)}`, expect: [414] },
  { name: 'one header of 17000 bytes: 431', send: get([H, `X-Big: ${big(17000)}`]), expect: [431] },
  { name: 'header section past 16 KiB in many lines: 431', send: get([H, ...Array.from({ length: 40 }, (_, i) => `X-${i}: ${big(500)}`)]), expect: [431] },
  { name: '101 header lines: 431', send: get([H, ...Array.from({ length: 101 }, (_, i) => `X-${i}: 1`)]), expect: [431] },
  { name: '1000 header lines: 431', send: get([H, ...Array.from({ length: 1000 }, (_, i) => `X-${i}: 1`)]), expect: [431] },
  { name: '99 header lines are fine', send: get([H, C, ...Array.from({ length: 97 }, (_, i) => `X-${i}: 1`)]), expect: [200] },
  { name: 'header name of 20000 bytes: 431', send: get([H, `${big(20000)}: 1`]), expect: [431] },
  { name: 'header name of 10000 bytes fits the 16 KiB section', send: get([H, C, `${big(10000)}: 1`]), expect: [200] },
  { name: 'method of 40 bytes: 501', send: `${'A'.repeat(40)} / HTTP/1.1\r\n${H}\r\n\r\n`, expect: [501] },
  { name: 'method of 5000 bytes: 501', send: `${'A'.repeat(5000)} / HTTP/1.1\r\n${H}\r\n\r\n`, expect: [501] },
];

const versions: AttackCase[] = [
  ['HTTP/2.0', 505], ['HTTP/3.0', 505], ['HTTP/9.9', 505], ['HTTP/0.9', 505], ['HTTP/1', 400], ['HTTP/1.1.1', 400],
  ['http/1.1', 400], ['HTTP/ 1.1', 400], ['HTTP/1.10', 400], ['HTTP/01.1', 400], ['HTTPS/1.1', 400], ['HTTP/1.x', 400],
  ['HTTP/-1.1', 400], ['HTTP1.1', 400], ['HTTP/1.1\x00', 400], ['', 400],
].map(([v, status]) => ({
  name: `version ${JSON.stringify(v)}`,
  send: `GET /index.html ${v as string}\r\n${H}\r\n\r\n`,
  expect: [status as number],
}));

const methods: AttackCase[] = [
  ['get', 501], ['FOO', 501], ['PROPFIND', 501], ['BREW', 501], ['G@T', 400], ['G(T', 400], ['GE\x00T', 400],
  ['TRACE', 405], ['PUT', 405], ['DELETE', 405], ['PATCH', 405], ['POST', 405],
].map(([m, status]) => ({
  name: `method ${JSON.stringify(m)}`,
  send: `${m as string} /index.html HTTP/1.1\r\n${H}\r\nContent-Length: 0\r\n${C}\r\n\r\n`,
  expect: [status as number],
}));

const lines: AttackCase[] = [
  { name: 'two spaces after method', send: `GET  /index.html HTTP/1.1\r\n${H}\r\n\r\n`, expect: [400] },
  { name: 'two spaces before version', send: `GET /index.html  HTTP/1.1\r\n${H}\r\n\r\n`, expect: [400] },
  { name: 'trailing space after version', send: `GET /index.html HTTP/1.1 \r\n${H}\r\n\r\n`, expect: [400] },
  { name: 'leading space before method', send: ` GET /index.html HTTP/1.1\r\n${H}\r\n\r\n`, expect: [400] },
  { name: 'tab separators', send: `GET\t/index.html\tHTTP/1.1\r\n${H}\r\n\r\n`, expect: [400] },
  { name: 'space inside the target', send: `GET /index .html HTTP/1.1\r\n${H}\r\n\r\n`, expect: [400] },
  { name: 'no target', send: `GET HTTP/1.1\r\n${H}\r\n\r\n`, expect: [400] },
  { name: 'HTTP/0.9 request line', send: 'GET /index.html\r\n\r\n', expect: [400] },
  { name: 'empty method', send: ` /index.html HTTP/1.1\r\n${H}\r\n\r\n`, expect: [400] },
];

const targets: AttackCase[] = [
  { name: 'absolute-form is accepted', send: req('GET http://localhost/index.html HTTP/1.1', [H, C]), expect: [200] },
  { name: 'absolute-form authority overrides Host', send: req('GET http://localhost/index.html HTTP/1.1', ['Host: other.example', C]), expect: [200] },
  { name: 'absolute-form without Host: 400', send: req('GET http://localhost/index.html HTTP/1.1', [C]), expect: [400] },
  { name: 'absolute-form with userinfo', send: req('GET http://user@localhost/index.html HTTP/1.1', [H, C]), expect: [400] },
  { name: 'asterisk-form OPTIONS: 204', send: req('OPTIONS * HTTP/1.1', [H, C]), expect: [204] },
  { name: 'asterisk-form GET: 400', send: req('GET * HTTP/1.1', [H]), expect: [400] },
  { name: 'authority-form GET: 400', send: req('GET localhost:80 HTTP/1.1', [H]), expect: [400] },
  { name: 'CONNECT authority-form: 405', send: req('CONNECT localhost:80 HTTP/1.1', [H, C]), expect: [405] },
  { name: 'a refused method without body keeps the connection', send: req('FOO /index.html HTTP/1.1', [H]) + get([H, C]), expect: [501, 200] },
  { name: 'relative target without slash: 400', send: req('GET index.html HTTP/1.1', [H]), expect: [400] },
  { name: 'fragment in the target: 400', send: req('GET /index.html#x HTTP/1.1', [H]), expect: [400] },
  { name: 'DEL in the target: 400', send: req('GET /index\x7f.html HTTP/1.1', [H]), expect: [400] },
  { name: 'NUL in the target: 400', send: req('GET /index\x00.html HTTP/1.1', [H]), expect: [400] },
  { name: 'query string is ignored for files', send: req('GET /index.html?a=1&b=%20 HTTP/1.1', [H, C]), expect: [200] },
  { name: 'missing Host in HTTP/1.1: 400', send: req('GET /index.html HTTP/1.1', [C]), expect: [400] },
  { name: 'two Host lines: 400', send: req('GET /index.html HTTP/1.1', [H, 'Host: other']), expect: [400] },
  { name: 'Host with a space: 400', send: req('GET /index.html HTTP/1.1', ['Host: local host']), expect: [400] },
  { name: 'Host with a path: 400', send: req('GET /index.html HTTP/1.1', ['Host: localhost/x']), expect: [400] },
  { name: 'Host with a bad port: 400', send: req('GET /index.html HTTP/1.1', ['Host: localhost:8x']), expect: [400] },
  { name: 'Host with userinfo: 400', send: req('GET /index.html HTTP/1.1', ['Host: a@localhost']), expect: [400] },
  { name: 'HTTP/1.0 without Host is fine', send: req('GET /index.html HTTP/1.0', []), expect: [200] },
  { name: 'HTTP/1.0 keep-alive then close', send: req('GET /index.html HTTP/1.0', ['Connection: keep-alive']) + req('GET /index.html HTTP/1.0', []), expect: [200, 200] },
  { name: 'HEAD has no body, then the next request', send: req('HEAD /index.html HTTP/1.1', [H]) + req('GET /nope HTTP/1.1', [H, C]), expect: [200, 404], head: true },
];

describe('attack: request lines and headers', () => {
  let port = 0;
  beforeAll(async () => {
    const s = await startServerExample('http-server/minimal-http-server');
    port = Number(new URL(s.url).port);
  });
  afterAll(async () => {
    await stopAll();
  });

  const all = [...folding, ...names, ...values, ...valuesAccepted, ...lineEndings, ...sizes, ...versions, ...methods, ...lines, ...targets];
  it.each(all.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await runAttack(port, c);
  });
});
