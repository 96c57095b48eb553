/*
 * The h1 server role over real sockets with a file mount: limits answered
 * with 414/431/400 and a closed connection while the server keeps serving,
 * keep-alive, pipelining in order, HEAD, and 404 for a missing file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type Context } from '../../../src/context/context.js';
import { setLogLevel } from '../../../src/context/log.js';

setLogLevel(0);

let context: Context;
let dir: string;
const INDEX = '<html>hello from the mount</html>\n';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lws-h1-'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'a.txt'), 'AAAA');
  context = await createContext({
    port: 0,
    http: { maxRequestLine: 1024, maxHeaderBytes: 2048, maxHeaders: 20 },
    mounts: [{ kind: 'file', mountpoint: '/', origin: dir }],
  });
});

afterAll(async () => {
  await context.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** Send bytes, collect the reply until the server closes or `ms` pass. */
function exchange(bytes: string, ms = 3000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    let text = '';
    const s = connect(context.port, '127.0.0.1', () => s.write(bytes));
    const t = setTimeout(() => {
      s.destroy();
      resolve({ text, closed: false });
    }, ms);
    s.on('data', (b) => (text += b.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(t);
      resolve({ text, closed: true });
    });
  });
}

async function stillServes(): Promise<void> {
  const r = await exchange('GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  expect(r.text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  expect(r.text.endsWith('\r\n\r\nAAAA')).toBe(true);
}

describe('h1 server limits and bad input', () => {
  it.each([
    ['an oversized request line', `GET /${'a'.repeat(2000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 414],
    ['oversized headers', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(3000)}\r\n\r\n`, 431],
    ['too many headers', `GET / HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 30 }, (_, i) => `X-H${i}: v\r\n`).join('')}\r\n`, 431],
    ['whitespace before a colon', 'GET / HTTP/1.1\r\nHost : x\r\n\r\n', 400],
    ['HTTP/1.1 without Host', 'GET / HTTP/1.1\r\n\r\n', 400],
    ['Content-Length with Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400],
    ['an unknown version', 'GET / HTTP/3.7\r\nHost: x\r\n\r\n', 505],
    ['garbage', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n', 400],
  ])('answers %s with %i, closes the connection, and keeps serving others', async (_name, req, status) => {
    const r = await exchange(req);
    expect(r.text).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(r.text).toMatch(/\r\nconnection: close\r\n/);
    expect(r.closed).toBe(true);
    await stillServes();
  });
});

describe('h1 server transactions', () => {
  it('answers three pipelined requests in order on one connection', async () => {
    const req = (p: string, last = false): string => `GET ${p} HTTP/1.1\r\nHost: x\r\n${last ? 'Connection: close\r\n' : ''}\r\n`;
    const r = await exchange(req('/a.txt') + req('/index.html') + req('/a.txt', true));
    const statuses = [...r.text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]);
    expect(statuses).toEqual(['200', '200', '200']);
    const aFirst = r.text.indexOf('AAAA');
    const idx = r.text.indexOf(INDEX);
    expect(aFirst).toBeGreaterThan(0);
    expect(idx).toBeGreaterThan(aFirst);
    expect(r.text.lastIndexOf('AAAA')).toBeGreaterThan(idx);
    expect(r.closed).toBe(true);
  });

  it('keeps an HTTP/1.1 connection open after a response', async () => {
    const r = await exchange('GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n', 300);
    expect(r.text).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(r.closed).toBe(false);
  });

  it('closes an HTTP/1.0 connection without keep-alive, and keeps one that asks', async () => {
    const plain = await exchange('GET /a.txt HTTP/1.0\r\n\r\n');
    expect(plain.text).toMatch(/^HTTP\/1\.0 200 OK/);
    expect(plain.closed).toBe(true);
    const ka = await exchange('GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', 300);
    expect(ka.text).toMatch(/\r\nconnection: keep-alive\r\n/);
    expect(ka.closed).toBe(false);
  });

  it('serves the default index for / and sends no body for HEAD', async () => {
    const get = await exchange('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(get.text.endsWith(INDEX)).toBe(true);
    expect(get.text).toMatch(/\r\ncontent-type: text\/html; charset=utf-8\r\n/);
    const head = await exchange('HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(head.text).toMatch(new RegExp(`\\r\\ncontent-length: ${INDEX.length}\\r\\n`));
    expect(head.text.endsWith('\r\n\r\n')).toBe(true);
  });

  it('answers a missing file with 404 and a file mount POST with 405 and Allow', async () => {
    const nf = await exchange('GET /nope.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(nf.text).toMatch(/^HTTP\/1\.1 404 Not Found/);
    const post = await exchange('POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    expect(post.text).toMatch(/^HTTP\/1\.1 405 Method Not Allowed/);
    expect(post.text).toMatch(/\r\nallow: GET, HEAD, OPTIONS\r\n/);
  });
});
