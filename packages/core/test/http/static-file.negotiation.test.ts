/*
 * Static files and Accept-Encoding that refuses identity (RFC 9110 §12.5.3):
 * gzip/br when one is acceptable (whatever the size, no ranges), 406 when
 * none is, 503 when the compression slots are full; and HEAD with the exact
 * head of the GET, chunked framing included (§9.3.2), checked on raw bytes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type Context } from '../../src/context/context.js';
import { setLogLevel } from '../../src/context/log.js';
import { closeAll, dial, exchange, statusesOf } from '../roles/h1/server.harness.js';

setLogLevel(0);

const dir = mkdtempSync(join(tmpdir(), 'lws-negotiate-'));
const text = Buffer.from(Array.from({ length: 400 }, (_, i) => `line ${i} of a compressible text file\n`).join(''));
const tiny = Buffer.from('tiny\n');
const ERROR_406 = '<!DOCTYPE html><p>nothing acceptable</p>\n';
let context: Context;
let port = 0;

beforeAll(async () => {
  writeFileSync(join(dir, 'big.txt'), text);
  writeFileSync(join(dir, 'tiny.txt'), tiny);
  writeFileSync(join(dir, 'pic.png'), Buffer.alloc(3000, 7));
  writeFileSync(join(dir, '406.html'), ERROR_406);
  context = await createContext({ port: 0, errorPages: { 406: '/406.html' }, mounts: [{ kind: 'file', mountpoint: '/', origin: dir }] });
  port = context.port;
});
afterAll(async () => {
  closeAll();
  await context.destroy();
  rmSync(dir, { recursive: true, force: true });
});

interface Res {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function get(path: string, headers: Record<string, string> = {}, method = 'GET', on = port): Promise<Res> {
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port: on, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    r.on('error', reject);
    r.end();
  });
}

describe('static files: Accept-Encoding refusing identity', () => {
  it.each(['identity;q=0', '*;q=0', 'br;q=0, gzip;q=0, identity;q=0', 'zstd, identity;q=0', 'deflate, *;q=0'])(
    'answers %j with 406 and Vary, from the vhost error page',
    async (ae) => {
      const r = await get('/big.txt', { 'accept-encoding': ae });
      expect(r.status).toBe(406);
      expect(r.headers.vary).toBe('accept-encoding');
      expect(r.body.toString()).toBe(ERROR_406);
    },
  );

  it.each([
    ['gzip, identity;q=0', 'gzip', gunzipSync],
    ['br;q=0.5, *;q=0', 'br', brotliDecompressSync],
    ['x-gzip, identity;q=0', 'gzip', gunzipSync],
  ] as const)('answers %j with %s when that coding is acceptable', async (ae, coding, decode) => {
    const r = await get('/big.txt', { 'accept-encoding': ae });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe(coding);
    expect(decode(r.body).equals(text)).toBe(true);
  });

  it('reads every Accept-Encoding line: a refusal in the second one counts', async () => {
    const raw = await exchange(port, 'GET /big.txt HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: zstd\r\nAccept-Encoding: identity;q=0\r\nConnection: close\r\n\r\n');
    expect(statusesOf(raw)).toEqual([406]);
  });

  it('compresses a body too small to be worth it when identity is refused', async () => {
    const r = await get('/tiny.txt', { 'accept-encoding': 'gzip;q=0.1, identity;q=0' });
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(r.body).equals(tiny)).toBe(true);
    const plain = await get('/tiny.txt', { 'accept-encoding': 'gzip' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('accept-encoding');
  });

  it('ignores a Range when identity is refused: the whole coded body, 200', async () => {
    const r = await get('/big.txt', { 'accept-encoding': 'gzip, identity;q=0', range: 'bytes=0-9' });
    expect(r.status).toBe(200);
    expect(r.headers['content-range']).toBeUndefined();
    expect(gunzipSync(r.body).equals(text)).toBe(true);
  });

  it('labels a range of identity bytes with the identity ETag, even when gzip was acceptable', async () => {
    const plain = await get('/big.txt');
    const r = await get('/big.txt', { 'accept-encoding': 'gzip', range: 'bytes=0-9' });
    expect(r.status).toBe(206);
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.headers.etag).toBe(plain.headers.etag);
    expect(r.body.equals(text.subarray(0, 10))).toBe(true);
  });

  it('sends types it never compresses as identity whatever Accept-Encoding says', async () => {
    const r = await get('/pic.png', { 'accept-encoding': 'identity;q=0' });
    expect(r.status).toBe(200);
    expect(r.headers['content-length']).toBe('3000');
    expect(r.headers.vary).toBeUndefined();
  });

  it('answers 503 with Retry-After when no compression slot is free and identity is refused', async () => {
    const full = await createContext({ port: 0, http: { maxCompressedResponses: 0 }, mounts: [{ kind: 'file', mountpoint: '/', origin: dir }] });
    try {
      const r = await get('/big.txt', { 'accept-encoding': 'gzip, identity;q=0' }, 'GET', full.port);
      expect(r.status).toBe(503);
      expect(r.headers['retry-after']).toBe('1');
      expect(r.headers.vary).toBe('accept-encoding');
      const ok = await get('/big.txt', { 'accept-encoding': 'gzip' }, 'GET', full.port);
      expect(ok.status).toBe(200);
      expect(ok.body.equals(text)).toBe(true);
    } finally {
      await full.destroy();
    }
  });
});

/** Header lines of the first response in `raw` (no Date is sent, so a GET and a HEAD compare exactly). */
function headLines(raw: string): string[] {
  return raw.slice(0, raw.indexOf('\r\n\r\n')).split('\r\n');
}

describe('static files: HEAD has the head of the GET (curl -I)', () => {
  it.each(['gzip', 'br'])('sends the %s GET head byte for byte, transfer-encoding: chunked included, and no body', async (coding) => {
    const req = (m: string): string => `${m} /big.txt HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: ${coding}\r\nConnection: close\r\n\r\n`;
    const getRaw = await exchange(port, req('GET'));
    const headRaw = await exchange(port, req('HEAD'));
    expect(headLines(headRaw)).toEqual(headLines(getRaw));
    expect(headLines(headRaw)).toContain('transfer-encoding: chunked');
    expect(headLines(headRaw)).toContain(`content-encoding: ${coding}`);
    expect(headRaw.toLowerCase()).not.toContain('content-length');
    expect(headRaw.length).toBe(headRaw.indexOf('\r\n\r\n') + 4);
  });

  it('sends the identity GET head for HEAD, content-length included', async () => {
    const req = (m: string): string => `${m} /big.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`;
    const getRaw = await exchange(port, req('GET'));
    const headRaw = await exchange(port, req('HEAD'));
    expect(headLines(headRaw)).toEqual(headLines(getRaw));
    expect(headLines(headRaw)).toContain(`content-length: ${text.length}`);
    expect(headRaw.length).toBe(headRaw.indexOf('\r\n\r\n') + 4);
  });

  it('keeps the connection after a compressed HEAD: the next GET on it decodes', async () => {
    const c = await dial(port);
    c.sock.write(`HEAD /big.txt HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\n\r\nGET /tiny.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    await c.closed();
    const raw = c.data().toString('latin1');
    expect(statusesOf(raw)).toEqual([200, 200]);
    expect(raw.endsWith(`\r\n\r\n${tiny.toString()}`)).toBe(true);
  });

  it('answers HEAD with 406 too when identity is refused', async () => {
    const r = await get('/big.txt', { 'accept-encoding': 'identity;q=0' }, 'HEAD');
    expect(r.status).toBe(406);
    expect(r.body.length).toBe(0);
  });
});
