/*
 * The h1 server role over real sockets: Expect: 100-continue, HEAD, OPTIONS,
 * 501/405, 413, pipelining, HTTP/1.0 keep-alive, and the four timeouts
 * (headers, body, keep-alive idle, send stall), each closing only its own
 * connection while others are served.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createContext, type Context, type ContextOptions } from '../../../src/context/context.js';
import { setLogLevel } from '../../../src/context/log.js';
import { defineProtocol } from '../../../src/context/protocol.js';
import { H1Parser } from '../../../src/roles/h1/parser.js';
import { closeAll, dial, exchange, statusesOf } from './server.harness.js';

setLogLevel(1);

let context: Context | undefined;
afterEach(async () => {
  closeAll();
  await context?.destroy();
  context = undefined;
});

const echo = defineProtocol<{ n: number }>({
  name: 'echo',
  newPss: () => ({ n: 0 }),
  http(wsi, pss, req) {
    if (req.path.endsWith('/refuse')) wsi.respondText(403, 'refused');
    else if (req.method === 'GET' || req.method === 'HEAD') wsi.respondText(200, 'hello body');
  },
  httpBody: (_wsi, pss, chunk) => void (pss.n += chunk.length),
  httpBodyCompletion: (wsi, pss) => void wsi.respondText(200, `got ${pss.n}`),
});

const CHUNK = Buffer.alloc(64 * 1024, 0x61);
const flood = defineProtocol<{ left: number }>({
  name: 'flood',
  newPss: () => ({ left: 4096 }), // 256 MiB at most: far past any socket buffer, still bounded
  http(wsi) {
    wsi.respond({ status: 200, contentType: 'text/plain' });
    wsi.callbackOnWritable();
  },
  httpWriteable(wsi, pss) {
    pss.left--;
    wsi.write(CHUNK, pss.left === 0 ? 'http-final' : 'http');
    if (pss.left > 0) wsi.callbackOnWritable();
  },
});

async function serve(http: ContextOptions['http'] = {}): Promise<number> {
  context = await createContext({
    port: 0,
    protocols: [echo, flood],
    http,
    mounts: [
      { kind: 'callback', mountpoint: '/cb', protocol: 'echo' },
      { kind: 'callback', mountpoint: '/flood', protocol: 'flood' },
      { kind: 'redirect', mountpoint: '/old', location: 'http://localhost/new/', status: 308 },
    ],
  });
  return context.port;
}

const H = 'Host: localhost\r\n';

describe('h1 server: Expect, methods, framing', () => {
  it('sends 100 Continue before reading a callback mount body, then the final status', async () => {
    const port = await serve();
    const c = await dial(port);
    c.sock.write(`POST /cb HTTP/1.1\r\n${H}Content-Length: 5\r\nExpect: 100-continue\r\n\r\n`);
    await c.waitFor(/^HTTP\/1\.1 100 Continue\r\n\r\n$/);
    c.sock.write('hello');
    await c.waitFor(/got 5$/);
    expect(statusesOf(c.data().toString('latin1'))).toEqual([100, 200]);
  });

  it('answers a refusing handler with its final status and no 100, then closes', async () => {
    const port = await serve();
    const text = await exchange(port, `POST /cb/refuse HTTP/1.1\r\n${H}Content-Length: 100000\r\nExpect: 100-continue\r\n\r\n`);
    expect(statusesOf(text)).toEqual([403]);
    expect(text).toContain('connection: close');
  });

  it('sends no body for HEAD on a callback mount', async () => {
    const port = await serve();
    const text = await exchange(port, `HEAD /cb HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toContain('content-length: 10\r\n');
    expect(text.endsWith('\r\n\r\n')).toBe(true);
  });

  it('answers unknown methods 501 and keeps the connection', async () => {
    const port = await serve();
    const text = await exchange(port, `BREW /cb HTTP/1.1\r\n${H}\r\nGET /cb HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    expect(statusesOf(text)).toEqual([501, 200]);
  });

  it('answers OPTIONS * with 204 and Allow', async () => {
    const port = await serve();
    const text = await exchange(port, `OPTIONS * HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 204 No Content\r\n/);
    expect(text).toContain('allow: GET, HEAD, OPTIONS\r\n');
  });

  it('answers a body past maxBodyBytes with 413 before reading it, and closes', async () => {
    const port = await serve({ maxBodyBytes: 1000 });
    expect(statusesOf(await exchange(port, `POST /cb HTTP/1.1\r\n${H}Content-Length: 1001\r\n\r\n`))).toEqual([413]);
    const chunked = `POST /cb HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n400\r\n${'x'.repeat(1024)}\r\n0\r\n\r\n`;
    expect(statusesOf(await exchange(port, chunked))).toEqual([413]);
  });

  it('answers pipelined requests in order, bodies and all', async () => {
    const port = await serve();
    const reqs = [`POST /cb HTTP/1.1\r\n${H}Content-Length: 3\r\n\r\nabc`, `GET /old/x HTTP/1.1\r\n${H}\r\n`, `BREW / HTTP/1.1\r\n${H}\r\n`];
    let all = '';
    for (let i = 0; i < 30; i++) all += reqs[i % 3];
    const text = await exchange(port, `${all}POST /cb HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\nab\r\n0\r\n\r\n`);
    expect(statusesOf(text)).toEqual([...Array.from({ length: 30 }, (_, i) => [200, 308, 501][i % 3]), 200]);
    expect(text).toContain('location: http://localhost/new/x\r\n');
    expect(text.slice(-40)).toMatch(/got 2$/);
  });

  it('keeps 3000 pipelined requests in order across many socket reads', async () => {
    const port = await serve();
    const text = await exchange(port, `GET /cb HTTP/1.1\r\n${H}\r\nBREW /cb HTTP/1.1\r\n${H}\r\n`.repeat(1500) + `GET /cb HTTP/1.1\r\n${H}Connection: close\r\n\r\n`, 20_000);
    const got = statusesOf(text);
    expect(got).toHaveLength(3001);
    expect(got.every((s, i) => s === (i % 2 === 0 ? 200 : 501))).toBe(true);
  });

  it('keeps an HTTP/1.0 connection alive only when asked', async () => {
    const port = await serve();
    const ka = await exchange(port, 'GET /cb HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /cb HTTP/1.0\r\n\r\nGET /cb HTTP/1.0\r\n\r\n');
    expect(statusesOf(ka)).toEqual([200, 200]);
    expect(ka).toContain('connection: keep-alive\r\n');
    expect(ka.match(/HTTP\/1\.0 200/g)).toHaveLength(2);
  });
});

describe('h1 server: request targets', () => {
  it('refuses a fragment in the target with 400 (found by the attack suite)', async () => {
    const r = new H1Parser({ kind: 'request' }, { onHead: () => {} }).execute(Buffer.from('GET /a#b HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(r.kind === 'error' && r.error).toMatchObject({ code: 'LWS_ERR_H1_BAD_TARGET', message: 'Cannot parse request target: a fragment is not allowed, got "/a#b"', wire: { status: 400 } });
    const port = await serve();
    expect(statusesOf(await exchange(port, `GET /cb#x HTTP/1.1\r\n${H}\r\n`))).toEqual([400]);
  });
});

describe('h1 server: half-closed clients', () => {
  it('answers a complete request sent with FIN (printf ... | nc)', async () => {
    const port = await serve();
    const c = await dial(port);
    c.sock.end(`GET /cb HTTP/1.1\r\n${H}\r\n`);
    await c.closed();
    expect(c.data().toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*hello body$/);
  });

  it('drops a request whose body ends early with FIN at once, not at the body timeout', async () => {
    const port = await serve({ bodyTimeoutSecs: 30 });
    const c = await dial(port);
    c.sock.end(`POST /cb HTTP/1.1\r\n${H}Content-Length: 10\r\n\r\nabc`);
    expect(await c.closed(2000)).toBeLessThan(2000);
    expect(c.data().length).toBe(0);
  });
});

describe('h1 server: timeouts close only their own connection', () => {
  it('closes a slowloris head at headersTimeoutSecs', async () => {
    const port = await serve({ headersTimeoutSecs: 1 });
    const slow = await dial(port);
    slow.sock.write('GET /cb HTTP/1.1\r\nHost: loc');
    const tick = setInterval(() => slow.sock.write('a'), 100);
    const other = await exchange(port, `GET /cb HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    expect(statusesOf(other)).toEqual([200]);
    const ms = await slow.closed(3000);
    clearInterval(tick);
    expect(ms).toBeGreaterThanOrEqual(900);
  });

  it('closes a stalled request body at bodyTimeoutSecs', async () => {
    const port = await serve({ bodyTimeoutSecs: 1 });
    const c = await dial(port);
    c.sock.write(`POST /cb HTTP/1.1\r\n${H}Content-Length: 10\r\n\r\nabc`);
    expect(await c.closed(3000)).toBeGreaterThanOrEqual(900);
    expect(c.data().length).toBe(0);
  });

  it('closes an idle keep-alive connection at keepAliveTimeoutSecs', async () => {
    const port = await serve({ keepAliveTimeoutSecs: 1 });
    const c = await dial(port);
    c.sock.write(`GET /cb HTTP/1.1\r\n${H}\r\n`);
    await c.waitFor(/hello body$/);
    expect(await c.closed(3000)).toBeGreaterThanOrEqual(900);
  });

  it('cuts a client that stops reading a response at sendTimeoutSecs', async () => {
    const port = await serve({ sendTimeoutSecs: 1 });
    const c = await dial(port);
    c.sock.pause();
    c.sock.write(`GET /flood HTTP/1.1\r\n${H}\r\n`);
    const other = await exchange(port, `GET /cb HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    expect(statusesOf(other)).toEqual([200]);
    const t0 = Date.now();
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (context?.wsiCount === 0 || Date.now() - t0 > 5000) {
          clearInterval(check);
          resolve();
        }
      }, 50);
    });
    expect(context?.wsiCount).toBe(0);
  });
});
