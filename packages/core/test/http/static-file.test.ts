/*
 * Static file mounts over real sockets, checked with node:http as the peer:
 * byte ranges (206, multipart/byteranges, 416, If-Range), validators (304),
 * on-the-fly gzip/br (chunked, Vary, skipped for ranges and tiny bodies).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type Context } from '../../src/context/context.js';
import { setLogLevel } from '../../src/context/log.js';

setLogLevel(1);

const dir = mkdtempSync(join(tmpdir(), 'lws-static-'));
const text = Buffer.from(Array.from({ length: 400 }, (_, i) => `line ${i} of a compressible text file\n`).join(''));
const tiny = Buffer.from('tiny\n');
let context: Context;
let port = 0;

beforeAll(async () => {
  writeFileSync(join(dir, 'big.txt'), text);
  writeFileSync(join(dir, 'tiny.txt'), tiny);
  writeFileSync(join(dir, 'pic.png'), Buffer.alloc(3000, 7));
  context = await createContext({ port: 0, mounts: [{ kind: 'file', mountpoint: '/', origin: dir, headers: [['x-mount', 'static']] }] });
  port = context.port;
});
afterAll(async () => {
  await context.destroy();
  rmSync(dir, { recursive: true, force: true });
});

interface Res {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Res> {
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    r.on('error', reject);
    r.end();
  });
}

describe('static files: ranges', () => {
  it('answers one range with 206, Content-Range and exactly those bytes', async () => {
    const r = await get('/big.txt', { range: 'bytes=100-199' });
    expect(r.status).toBe(206);
    expect(r.headers['content-range']).toBe(`bytes 100-199/${text.length}`);
    expect(r.body.equals(text.subarray(100, 200))).toBe(true);
    expect(r.headers['content-encoding']).toBeUndefined();
  });

  it('answers a suffix range with the last bytes', async () => {
    const r = await get('/big.txt', { range: 'bytes=-10', 'accept-encoding': 'gzip' });
    expect(r.status).toBe(206);
    expect(r.body.equals(text.subarray(text.length - 10))).toBe(true);
  });

  it('answers several ranges with multipart/byteranges of the exact length', async () => {
    const r = await get('/big.txt', { range: 'bytes=0-4, 1000-1009' });
    expect(r.status).toBe(206);
    const m = /^multipart\/byteranges; boundary=(\S+)$/.exec(r.headers['content-type'] ?? '');
    expect(m).not.toBeNull();
    expect(Number(r.headers['content-length'])).toBe(r.body.length);
    const b = (m as RegExpExecArray)[1];
    const body = r.body.toString('latin1');
    expect(body).toContain(`--${b}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes 0-4/${text.length}\r\n\r\n${text.subarray(0, 5).toString()}\r\n`);
    expect(body).toContain(`Content-Range: bytes 1000-1009/${text.length}\r\n\r\n${text.subarray(1000, 1010).toString()}\r\n--${b}--\r\n`);
  });

  it('answers a range past the end with 416 and bytes */size', async () => {
    const r = await get('/big.txt', { range: `bytes=${text.length}-` });
    expect(r.status).toBe(416);
    expect(r.headers['content-range']).toBe(`bytes */${text.length}`);
  });

  it('honours If-Range: the current ETag gives 206, another gives the whole file', async () => {
    const etag = (await get('/big.txt', {}, 'HEAD')).headers.etag as string;
    expect((await get('/big.txt', { range: 'bytes=0-9', 'if-range': etag })).status).toBe(206);
    const stale = await get('/big.txt', { range: 'bytes=0-9', 'if-range': '"stale"' });
    expect(stale.status).toBe(200);
    expect(stale.body.equals(text)).toBe(true);
  });

  it('ignores a malformed Range and sends 200', async () => {
    const r = await get('/big.txt', { range: 'bytes=x-y' });
    expect(r.status).toBe(200);
    expect(r.headers['accept-ranges']).toBe('bytes');
  });
});

describe('static files: compression', () => {
  it.each([
    ['gzip', gunzipSync],
    ['br', brotliDecompressSync],
  ] as const)('streams %s with chunked framing, Vary and its own ETag', async (coding, decode) => {
    const plain = await get('/big.txt');
    const r = await get('/big.txt', { 'accept-encoding': coding });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe(coding);
    expect(r.headers['transfer-encoding']).toBe('chunked');
    expect(r.headers['content-length']).toBeUndefined();
    expect(r.headers.vary).toBe('accept-encoding');
    expect(r.headers['x-mount']).toBe('static');
    expect(r.body.length).toBeLessThan(text.length / 4);
    expect(decode(r.body).equals(text)).toBe(true);
    expect(r.headers.etag).not.toBe(plain.headers.etag);
    expect(plain.headers.vary).toBe('accept-encoding');
  });

  it('releases its compression slot when a response ends', async () => {
    const one = await createContext({ port: 0, http: { maxCompressedResponses: 1 }, mounts: [{ kind: 'file', mountpoint: '/', origin: dir }] });
    const saved = port;
    port = one.port;
    try {
      for (let i = 0; i < 3; i++) expect((await get('/big.txt', { 'accept-encoding': 'gzip' })).headers['content-encoding']).toBe('gzip');
    } finally {
      port = saved;
      await one.destroy();
    }
  });

  it('answers 304 to the compressed ETag', async () => {
    const r = await get('/big.txt', { 'accept-encoding': 'gzip' });
    const again = await get('/big.txt', { 'accept-encoding': 'gzip', 'if-none-match': r.headers.etag as string });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('sends HEAD with the compressed headers and no body', async () => {
    const r = await get('/big.txt', { 'accept-encoding': 'br' }, 'HEAD');
    expect(r.headers['content-encoding']).toBe('br');
    expect(r.body.length).toBe(0);
  });

  it('leaves tiny bodies and incompressible types alone', async () => {
    const t = await get('/tiny.txt', { 'accept-encoding': 'gzip' });
    expect(t.headers['content-encoding']).toBeUndefined();
    expect(t.body.equals(tiny)).toBe(true);
    const p = await get('/pic.png', { 'accept-encoding': 'gzip' });
    expect(p.headers['content-encoding']).toBeUndefined();
    expect(p.headers['content-length']).toBe('3000');
  });

  it('serves identity when Accept-Encoding refuses every coding we have', async () => {
    const r = await get('/big.txt', { 'accept-encoding': 'zstd, gzip;q=0' });
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.body.equals(text)).toBe(true);
  });
});

describe('static files: compression limit', () => {
  it('sends identity once maxCompressedResponses streams are live', async () => {
    const limited = await createContext({ port: 0, http: { maxCompressedResponses: 0 }, mounts: [{ kind: 'file', mountpoint: '/', origin: dir }] });
    try {
      const r = await new Promise<Res>((resolve, reject) => {
        const q = request({ host: '127.0.0.1', port: limited.port, path: '/big.txt', headers: { 'accept-encoding': 'gzip' }, agent: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (b: Buffer) => chunks.push(b));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        });
        q.on('error', reject);
        q.end();
      });
      expect(r.headers['content-encoding']).toBeUndefined();
      expect(r.headers.vary).toBe('accept-encoding');
      expect(r.body.equals(text)).toBe(true);
    } finally {
      await limited.destroy();
    }
  });
});
