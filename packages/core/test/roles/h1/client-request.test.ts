/*
 * httpRequest (http/client-request.ts) against Node's http and https
 * servers: whole responses, the body limit, redirects, retries with
 * backoff, form and multipart bodies, and TLS facts after the handshake.
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createContext, type Context } from '../../../src/context/context.js';
import { setLogLevel } from '../../../src/context/log.js';
import { MultipartWriter, URLENCODED, urlencoded } from '../../../src/http/client-multipart.js';
import { httpRequest } from '../../../src/http/client-request.js';
import { drained } from './client-helpers.js';

setLogLevel(0);

const TLS_DIR = new URL('../../../../../minimal-examples/http-server/minimal-http-server-tls/', import.meta.url);
let context: Context | undefined;
let server: Server | undefined;

afterEach(async () => {
  await context?.destroy();
  context = undefined;
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void, make: () => Server = createServer): Promise<string> {
  server = make();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => handler(req, res, Buffer.concat(parts)));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  context ??= await createContext({});
  return `127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('httpRequest', () => {
  it('returns status, headers and the exact body, reusing one kept-alive connection', async () => {
    const sockets = new Set<unknown>();
    const host = await serve((req, res) => {
      sockets.add(req.socket);
      res.setHeader('x-path', req.url ?? '');
      res.end(Buffer.from(`body of ${req.url}`));
    });
    const c = context as Context;
    for (const p of ['/one', '/two']) {
      const r = await httpRequest(c, { url: `http://${host}${p}` });
      expect(r.status).toBe(200);
      expect(r.header('x-path')).toBe(p);
      expect(r.body.toString()).toBe(`body of ${p}`);
    }
    expect(sockets.size).toBe(1);
  });

  it('delivers Node trailers and a slow chunked body', async () => {
    const host = await serve((_req, res) => {
      res.setHeader('trailer', 'x-check');
      res.write('slow ');
      setImmediate(() => {
        res.addTrailers({ 'x-check': 'ok' });
        res.end('body');
      });
    });
    const r = await httpRequest(context as Context, { url: `http://${host}/` });
    expect(r.body.toString()).toBe('slow body');
    expect(r.trailers).toEqual([['x-check', 'ok']]);
  });

  it('fails past maxBodyBytes with LWS_ERR_H1_CLIENT_BODY_TOO_LARGE and leaks nothing', async () => {
    const host = await serve((_req, res) => res.end(Buffer.alloc(5000)));
    await expect(httpRequest(context as Context, { url: `http://${host}/`, maxBodyBytes: 1000 })).rejects.toMatchObject({
      code: 'LWS_ERR_H1_CLIENT_BODY_TOO_LARGE', message: 'Cannot receive response body: more than 1000 bytes',
    });
    await drained(context as Context);
  });

  it('returns a 3xx by default and follows redirects when asked, up to the limit', async () => {
    const host = await serve((req, res) => {
      const n = Number(req.url?.slice(1));
      if (n > 0) res.writeHead(302, { location: `/${n - 1}` }).end();
      else res.end(`landed after ${req.method}`);
    });
    const c = context as Context;
    expect((await httpRequest(c, { url: `http://${host}/2` })).status).toBe(302);
    const r = await httpRequest(c, { url: `http://${host}/2`, method: 'POST', body: 'x', redirects: 2 });
    expect([r.status, r.body.toString(), r.url]).toEqual([200, 'landed after GET', `http://${host}/0`]);
    await expect(httpRequest(c, { url: `http://${host}/3`, redirects: 2 })).rejects.toMatchObject({
      code: 'LWS_ERR_H1_CLIENT_REDIRECT', message: 'Cannot follow redirect: more than 2 redirects, last to "/0"',
    });
  });

  it('retries a GET whose connection was cut before the response, with backoff', async () => {
    let calls = 0;
    const host = await serve((req, res) => {
      if (++calls <= 2) req.socket.destroy();
      else res.end('third time');
    });
    const c = context as Context;
    await expect(httpRequest(c, { url: `http://${host}/`, keepAlive: false })).rejects.toMatchObject({ code: 'LWS_ERR_H1_CLIENT_CLOSED' });
    calls = 0;
    const t0 = Date.now();
    const r = await httpRequest(c, { url: `http://${host}/`, retries: 2, retryDelayMs: 50, keepAlive: false });
    expect(r.body.toString()).toBe('third time');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150); // 50 + 100 ms of backoff
  });

  it('posts an urlencoded form', async () => {
    const host = await serve((req, res, body) => res.end(`${req.headers['content-type']}|${body.toString()}`));
    const r = await httpRequest(context as Context, { url: `http://${host}/`, method: 'POST', body: urlencoded({ a: 'x y', b: '&' }), contentType: URLENCODED });
    expect(r.body.toString()).toBe('application/x-www-form-urlencoded|a=x+y&b=%26');
  });

  it('posts a multipart form whose file part the server receives byte for byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lws-mp-'));
    try {
      const file = join(dir, 'f.txt');
      writeFileSync(file, Buffer.alloc(300_000, 'abc'));
      const host = await serve((req, res, body) => res.end(`${req.headers['content-length']}|${body.includes(readFileSync(file)) ? 'has file' : 'no file'}`));
      const form = await MultipartWriter.create([{ name: 'n', value: 'v' }, { name: 'up', path: file }]);
      const r = await httpRequest(context as Context, { url: `http://${host}/`, method: 'POST', body: form });
      expect(r.body.toString()).toBe(`${form.contentLength}|has file`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('speaks https with SNI and ALPN http/1.1 and exposes the peer certificate', async () => {
    let sni: string | undefined;
    const host = await serve((req, res) => {
      sni = (req.socket as unknown as { servername?: string }).servername;
      res.end('secure');
    }, () => createHttps({ cert: readFileSync(new URL('localhost-100y.cert', TLS_DIR)), key: readFileSync(new URL('localhost-100y.key', TLS_DIR)), ALPNProtocols: ['http/1.1'] }) as unknown as Server);
    const port = host.split(':')[1];
    const r = await httpRequest(context as Context, { url: `https://localhost:${port}/`, ssl: { ca: readFileSync(new URL('localhost-100y.cert', TLS_DIR)) } });
    expect(r.body.toString()).toBe('secure');
    expect(sni).toBe('localhost');
    expect(r.tls?.alpnProtocol).toBe('http/1.1');
    expect(r.tls?.peerCertificate?.subject.CN).toBe('localhost');
    expect(r.tls?.authorized).toBe(true);
  });
});
