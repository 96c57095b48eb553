/*
 * Attack suite, part 1: request smuggling (CL.TE, TE.CL, TE.TE obfuscations,
 * Content-Length variants) against minimal-http-server. A request whose
 * framing is ambiguous must get exactly one 400 (or 501 for a coding we do
 * not implement) and a closed connection: never a second, smuggled answer.
 * Every case then checks the server still serves index.html byte for byte.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { req, runAttack, type AttackCase } from '../lib/attack.js';
import { startServerExample } from '../lib/examples.js';
import { stopAll } from '../lib/processes.js';

const H = 'Host: localhost';
const SMUGGLED = 'GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n';

const classic: AttackCase[] = [
  { name: 'CL.TE: CL 6 + chunked, smuggled G', send: req('GET / HTTP/1.1', [H, 'Content-Length: 6', 'Transfer-Encoding: chunked'], '0\r\n\r\nG'), expect: [400] },
  { name: 'TE.CL: chunked + CL 3, smuggled chunk', send: req('GET / HTTP/1.1', [H, 'Transfer-Encoding: chunked', 'Content-Length: 3'], '8\r\nSMUGGLED\r\n0\r\n\r\n'), expect: [400] },
  { name: 'CL.TE with a whole smuggled request', send: req('GET / HTTP/1.1', [H, 'Content-Length: 5', 'Transfer-Encoding: chunked'], `0\r\n\r\n${SMUGGLED}`), expect: [400] },
  { name: 'CL 0 + TE chunked', send: req('GET / HTTP/1.1', [H, 'Content-Length: 0', 'Transfer-Encoding: chunked'], '0\r\n\r\n'), expect: [400] },
  { name: 'POST CL.TE', send: req('POST / HTTP/1.1', [H, 'Content-Length: 4', 'Transfer-Encoding: chunked'], '0\r\n\r\n'), expect: [400] },
  { name: 'TE in HTTP/1.0', send: req('GET / HTTP/1.0', [H, 'Transfer-Encoding: chunked'], `0\r\n\r\n`), expect: [400] },
  { name: 'TE chunked + CL in HTTP/1.0', send: req('GET / HTTP/1.0', [H, 'Transfer-Encoding: chunked', 'Content-Length: 5'], '0\r\n\r\n'), expect: [400] },
  { name: 'two TE lines: chunked, chunked', send: req('GET / HTTP/1.1', [H, 'Transfer-Encoding: chunked', 'Transfer-Encoding: chunked'], '0\r\n\r\n'), expect: [400] },
  { name: 'TE chunked + identity line', send: req('GET / HTTP/1.1', [H, 'Transfer-Encoding: chunked', 'Transfer-Encoding: identity'], '0\r\n\r\n'), expect: [400] },
  { name: 'CL.CL: different values', send: req('GET / HTTP/1.1', [H, 'Content-Length: 3', 'Content-Length: 5'], 'abcde'), expect: [400] },
  { name: 'CL.CL: different values, first larger', send: req('GET / HTTP/1.1', [H, 'Content-Length: 10', 'Content-Length: 0'], SMUGGLED), expect: [400] },
];

/* Transfer-Encoding values, obfuscated: each is tried with and without a Content-Length. */
const teValues: [string, number][] = [
  // chunked not final: RFC 9112 §6.3 says 400 and close
  ['xchunked', 400],
  ['chunkedx', 400],
  ['chunk', 400],
  ['chunked, identity', 400],
  // chunked is final but a coding before it is not implemented: 501 (RFC 9112 §6.1)
  ['identity, chunked', 501],
  ['gzip, chunked', 501],
  ['chunked, chunked', 400],
  ['chunked,', 400],
  [',chunked', 400],
  ['"chunked"', 400],
  ['chunked;q=1', 400],
  ['\x0bchunked', 400],
  ['chunked\x0b', 400],
  ['\x0cchunked', 400],
  ['chunked\x00', 400],
  ['ch unked', 400],
  ['identity', 400],
  ['', 400],
  ['compress', 400],
  ['deflate', 400],
];
const teObfuscated: AttackCase[] = teValues.flatMap(([v, status]) => [
  { name: `TE ${JSON.stringify(v)} alone`, send: req('GET / HTTP/1.1', [H, `Transfer-Encoding: ${v}`], `0\r\n\r\n${SMUGGLED}`), expect: [status] },
  { name: `TE ${JSON.stringify(v)} + CL`, send: req('GET / HTTP/1.1', [H, 'Content-Length: 5', `Transfer-Encoding: ${v}`], `0\r\n\r\n${SMUGGLED}`), expect: [400] },
]);

/* Accepted spellings: chunked with OWS or another case is chunked (RFC 9110 §5.6.3, §7.4.1 case-insensitive). */
const teAccepted: AttackCase[] = ['chunked', 'CHUNKED', 'Chunked', ' chunked', 'chunked ', '\tchunked', 'chunked\t', '  chunked  '].map((v) => ({
  name: `TE ${JSON.stringify(v)} is chunked: body consumed, one answer`,
  send: req('GET /index.html HTTP/1.1', [H, `Transfer-Encoding: ${v}`, 'Connection: close'], '5\r\nhello\r\n0\r\n\r\n'),
  expect: [200],
}));

/* The header name itself obfuscated. */
const teNames: AttackCase[] = [
  { name: 'TE name with space before colon', send: req('GET / HTTP/1.1', [H, 'Transfer-Encoding : chunked', 'Content-Length: 5'], '0\r\n\r\n'), expect: [400] },
  { name: 'TE name with tab before colon', send: req('GET / HTTP/1.1', [H, 'Transfer-Encoding\t: chunked'], '0\r\n\r\n'), expect: [400] },
  { name: 'TE name with leading space (fold of Host)', send: req('GET / HTTP/1.1', [H, ' Transfer-Encoding: chunked'], '0\r\n\r\n'), expect: [400] },
  { name: 'TE value folded onto the next line', send: req('GET / HTTP/1.1', [H, 'Transfer-Encoding:', ' chunked', 'Content-Length: 5'], '0\r\n\r\n'), expect: [400] },
  { name: 'TE with tab-folded value', send: req('GET / HTTP/1.1', [H, 'Transfer-Encoding: x', '\tchunked'], '0\r\n\r\n'), expect: [400] },
  { name: 'TE name lowercase + CL', send: req('GET / HTTP/1.1', [H, 'transfer-encoding: chunked', 'Content-Length: 5'], '0\r\n\r\n'), expect: [400] },
  { name: 'TE name uppercase + CL', send: req('GET / HTTP/1.1', [H, 'TRANSFER-ENCODING: chunked', 'Content-Length: 5'], '0\r\n\r\n'), expect: [400] },
  { name: 'TE name with NUL', send: req('GET / HTTP/1.1', [H, 'Transfer-Encoding\x00: chunked'], '0\r\n\r\n'), expect: [400] },
  { name: 'TE name with vertical tab', send: req('GET / HTTP/1.1', [H, 'Transfer-Encoding\x0b: chunked'], '0\r\n\r\n'), expect: [400] },
  { name: 'TE after a bare-CR header', send: `GET / HTTP/1.1\r\n${H}\r\nX: a\rTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, expect: [400] },
  { name: 'TE after a bare-LF header', send: `GET / HTTP/1.1\r\n${H}\r\nX: a\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, expect: [400] },
  { name: 'Transfer_Encoding is another field: CL frames the body', send: req('GET /index.html HTTP/1.1', [H, 'Transfer_Encoding: chunked', 'Content-Length: 5', 'Connection: close'], '0\r\n\r\n'), expect: [200] },
];

/* Content-Length variants. */
const clValues: [string, number][] = [
  ['+5', 400], ['-5', 400], ['5 5', 400], ['5, 6', 400], ['0x5', 400], ['5.0', 400], ['5e0', 400], ['', 400],
  ['five', 400], ['5;', 400], ['\x0b5', 400], ['5\x00', 400], ['99999999999999999999999', 400], ['1e3', 400],
  ['5,', 400], [',5', 400], ['- 5', 400], ['0005x', 400],
];
const clCases: AttackCase[] = clValues.map(([v, status]) => ({
  name: `CL ${JSON.stringify(v)}`,
  send: req('GET / HTTP/1.1', [H, `Content-Length: ${v}`], `hello${SMUGGLED}`),
  expect: [status],
}));
const clAccepted: AttackCase[] = [' 5', '5 ', '\t5', '005'].map((v) => ({
  name: `CL ${JSON.stringify(v)} frames 5 bytes`,
  send: req('GET /index.html HTTP/1.1', [H, `Content-Length: ${v}`, 'Connection: close'], 'hello'),
  expect: [200],
}));
const clMore: AttackCase[] = [
  { name: 'CL larger than maxBodyBytes: 413 before the body', send: req('GET / HTTP/1.1', [H, 'Content-Length: 2000000']), expect: [413] },
  { name: 'CL with the body sent, then the next request on keep-alive', send: req('GET /index.html HTTP/1.1', [H, 'Content-Length: 5'], `hello${req('GET /nope HTTP/1.1', [H, 'Connection: close'])}`), expect: [200, 404] },
  // identical values may be taken as one (RFC 9110 §8.6): the body is still exactly 5 bytes
  { name: 'CL.CL identical duplicates (list form)', send: req('GET /index.html HTTP/1.1', [H, 'Content-Length: 5, 5'], `hello${req('GET /nope HTTP/1.1', [H, 'Connection: close'])}`), expect: [200, 404] },
  { name: 'CL.CL identical duplicates (two lines)', send: req('GET /index.html HTTP/1.1', [H, 'Content-Length: 5', 'Content-Length: 5'], `hello${req('GET /nope HTTP/1.1', [H, 'Connection: close'])}`), expect: [200, 404] },
  { name: 'CL folded', send: req('GET / HTTP/1.1', [H, 'Content-Length:', ' 5'], 'hello'), expect: [400] },
  { name: 'CL name with space before colon', send: req('GET / HTTP/1.1', [H, 'Content-Length : 5'], 'hello'), expect: [400] },
];

describe('attack: request smuggling', () => {
  let port = 0;
  beforeAll(async () => {
    const s = await startServerExample('http-server/minimal-http-server');
    port = Number(new URL(s.url).port);
  });
  afterAll(async () => {
    await stopAll();
  });

  const all = [...classic, ...teObfuscated, ...teAccepted, ...teNames, ...clCases, ...clAccepted, ...clMore];
  it.each(all.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await runAttack(port, c);
  });
});
