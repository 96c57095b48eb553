/*
 * The h1 client role against a scripted loopback server: the request head,
 * every response framing, request bodies, and the callbacks in order.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Context } from '../../../src/context/context.js';
import { setLogLevel } from '../../../src/context/log.js';
import { MultipartWriter } from '../../../src/http/client-multipart.js';
import { clientContext, drained, recorder, scriptedServer, to, type Scripted } from './client-helpers.js';

setLogLevel(0);

let context: Context | undefined;
let server: Scripted | undefined;

afterEach(async () => {
  await context?.destroy();
  context = undefined;
  server?.server.close();
  server = undefined;
});

/** Run one request against a server answering every request with `reply` (a string or bytes split into writes). */
async function exchange(reply: string | string[], info: Record<string, unknown> = {}, writeable?: Parameters<typeof recorder>[1]): Promise<{ events: string[]; heads: string[] }> {
  server = await scriptedServer((sock) => {
    for (const piece of Array.isArray(reply) ? reply : [reply]) sock.write(Buffer.from(piece, 'latin1'));
  });
  const rec = recorder('rec', writeable);
  context = await clientContext([rec.protocol]);
  context.clientConnect(to(server.port, info));
  await rec.settled;
  await drained(context);
  return { events: rec.events, heads: server.heads };
}

describe('h1 client request head', () => {
  it('sends method, path, Host with the port, Origin, user-agent and extra headers', async () => {
    const { heads } = await exchange('HTTP/1.1 204 No Content\r\n\r\n', {
      method: 'DELETE', path: '/a/b?c=d', origin: 'http://o.example', extra: { headers: { 'x-one': '1' }, userAgent: 'test-agent' },
    });
    const port = server?.port;
    expect(heads[0]).toBe(`DELETE /a/b?c=d HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\norigin: http://o.example\r\nuser-agent: test-agent\r\naccept: */*\r\nconnection: close\r\nx-one: 1\r\n\r\n`);
  });

  it('sends a request line far past usual sizes (a 100 KiB path)', async () => {
    const path = `/${'x'.repeat(100 * 1024)}`;
    const { events, heads } = await exchange('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok', { path });
    expect(heads[0]?.startsWith(`GET ${path} HTTP/1.1\r\n`)).toBe(true);
    expect(events).toEqual(['established 200', 'completed ok', 'closed']);
  });

  it('refuses a path with a space at the boundary, before connecting', async () => {
    context = await clientContext([recorder().protocol]);
    expect(() => context?.clientConnect(to(1, { path: '/a b' }))).toThrow('Cannot serialize request head: invalid request target "/a b"');
    expect(context.wsiCount).toBe(0);
  });
});

describe('h1 client response framing', () => {
  it('reads a content-length body delivered one byte at a time', async () => {
    const text = 'HTTP/1.1 200 OK\r\ncontent-length: 11\r\n\r\nhello world';
    const { events } = await exchange([...text]);
    expect(events).toEqual(['established 200', 'completed hello world', 'closed']);
  });

  it('reads a chunked body with extensions and delivers its trailers', async () => {
    const { events } = await exchange('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;name=v\r\nhello\r\n6;q="x y"\r\n world\r\n0\r\nx-sum: 42\r\n\r\n');
    expect(events).toEqual(['established 200', 'completed hello world [["x-sum","42"]]', 'closed']);
  });

  it('reads an HTTP/1.0 body until the server closes', async () => {
    server = await scriptedServer((sock) => sock.end('HTTP/1.0 200 OK\r\n\r\nuntil close'));
    const rec = recorder();
    context = await clientContext([rec.protocol]);
    context.clientConnect(to(server.port));
    await rec.settled;
    await drained(context);
    expect(rec.events).toEqual(['established 200', 'completed until close', 'closed']);
  });

  it('expects no body after HEAD, 204 and 304 even with a Content-Length', async () => {
    for (const [status, method] of [[200, 'HEAD'], [204, 'GET'], [304, 'GET']] as const) {
      const { events } = await exchange(`HTTP/1.1 ${status} X\r\ncontent-length: 5\r\n\r\n`, { method });
      expect(events).toEqual([`established ${status}`, 'completed ', 'closed']);
      await context?.destroy();
      server?.server.close();
    }
  });

  it('skips 1xx interim responses', async () => {
    const { events } = await exchange('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\nz');
    expect(events).toEqual(['established 200', 'completed z', 'closed']);
  });
});

describe('h1 client request bodies', () => {
  it('sends a whole body with its Content-Length', async () => {
    const { heads } = await exchange('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n', { method: 'POST', extra: { body: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' } });
    expect(heads[0]).toMatch(/\r\ncontent-type: application\/x-www-form-urlencoded\r\n/);
    expect(heads[0]).toMatch(/\r\ncontent-length: 7\r\n\r\na=1&b=2$/);
  });

  it('sends a Content-Length body written piece by piece from clientHttpWriteable', async () => {
    const pieces = ['abc', 'def', 'gh'];
    const { events, heads } = await exchange('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok', { method: 'PUT', extra: { contentLength: 8 } }, (wsi) => {
      const p = pieces.shift() as string;
      wsi.write(p, pieces.length ? 'http' : 'http-final');
      if (pieces.length) wsi.callbackOnWritable();
    });
    expect(heads[0]).toMatch(/\r\ncontent-length: 8\r\n\r\nabcdefgh$/);
    expect(events).toEqual(['established 200', 'completed ok', 'closed']);
  });

  it('sends a chunked body from clientHttpWriteable', async () => {
    let n = 0;
    const { heads } = await exchange('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n', { method: 'POST', extra: { chunked: true } }, (wsi) => {
      n++;
      wsi.write(`part${n}`, n === 2 ? 'http-final' : 'http');
      if (n < 2) wsi.callbackOnWritable();
    });
    expect(heads[0]).toMatch(/\r\ntransfer-encoding: chunked\r\n\r\n5\r\npart1\r\n5\r\npart2\r\n0\r\n\r\n$/);
  });

  it('fails a body written past its Content-Length with LWS_ERR_H1_CLIENT_BODY_LENGTH', async () => {
    server = await scriptedServer(() => undefined);
    const rec = recorder('rec', (wsi) => void wsi.write('toolong', 'http-final'));
    context = await clientContext([rec.protocol]);
    context.clientConnect(to(server.port, { method: 'POST', extra: { contentLength: 3 } }));
    await rec.settled;
    await drained(context);
    expect(rec.events).toEqual(['error LWS_ERR_H1_CLIENT_BODY_LENGTH: Cannot send request body: 7 bytes written, Content-Length is 3']);
  });

  it('fails a body that ends short of its Content-Length with LWS_ERR_H1_CLIENT_BODY_LENGTH', async () => {
    server = await scriptedServer(() => undefined);
    const rec = recorder('rec', (wsi) => void wsi.write('ab', 'http-final'));
    context = await clientContext([rec.protocol]);
    context.clientConnect(to(server.port, { method: 'POST', extra: { contentLength: 5 } }));
    await rec.settled;
    await drained(context);
    expect(rec.events).toEqual(['error LWS_ERR_H1_CLIENT_BODY_LENGTH: Cannot send request body: ended after 2 bytes, Content-Length is 5']);
  });

  it('fails a body source that throws with LWS_ERR_H1_CLIENT_BODY_SOURCE', async () => {
    server = await scriptedServer(() => undefined);
    const rec = recorder();
    context = await clientContext([rec.protocol]);
    const source = { contentLength: 10, pull: () => Promise.reject(new Error('disk on fire')) };
    context.clientConnect(to(server.port, { method: 'POST', extra: { bodySource: source } }));
    await rec.settled;
    await drained(context);
    expect(rec.events).toEqual(['error LWS_ERR_H1_CLIENT_BODY_SOURCE: Cannot send request body: source failed: disk on fire']);
  });

  it('streams a multipart body with a file part in pieces of bodyPieceBytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lws-mp-'));
    try {
      const file = join(dir, 'data.bin');
      const bytes = Buffer.alloc(100_000, 'q');
      writeFileSync(file, bytes);
      const form = await MultipartWriter.create([{ name: 'text', value: 'hello' }, { name: 'file', path: file }], { boundary: 'BOUNDARY' });
      const pulls: number[] = [];
      const pull = form.pull.bind(form);
      const source = { contentLength: form.contentLength, contentType: form.contentType, pull: async (max: number) => {
        const piece = await pull(max);
        if (piece) pulls.push(piece.length);
        return piece;
      } };
      const { heads } = await exchange('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n', { method: 'POST', extra: { bodySource: source, bodyPieceBytes: 4096 } });
      const expected = '--BOUNDARY\r\ncontent-disposition: form-data; name="text"\r\n\r\nhello\r\n' +
        '--BOUNDARY\r\ncontent-disposition: form-data; name="file"; filename="data.bin"\r\ncontent-type: application/octet-stream\r\n\r\n' +
        `${bytes.toString('latin1')}\r\n--BOUNDARY--\r\n`;
      expect(heads[0]).toMatch(/\r\ncontent-type: multipart\/form-data; boundary=BOUNDARY\r\n/);
      expect(heads[0]?.endsWith(`content-length: ${expected.length}\r\n\r\n${expected}`)).toBe(true);
      expect(Math.max(...pulls)).toBe(4096);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('h1 client options at the boundary', () => {
  it('omits the scheme default port from Host and brackets IPv6 literals', async () => {
    const { hostHeader } = await import('../../../src/roles/h1/client-options.js');
    const base = { protocol: 'p', role: 'http' } as const;
    expect(hostHeader({ ...base, address: 'example.com', port: 443, ssl: true })).toBe('example.com');
    expect(hostHeader({ ...base, address: 'example.com', port: 80 })).toBe('example.com');
    expect(hostHeader({ ...base, address: '::1', port: 8080 })).toBe('[::1]:8080');
    expect(hostHeader({ ...base, address: 'x', port: 1, host: 'given' })).toBe('given');
  });

  it('throws TypeError for two bodies and RangeError for a bad timeout, opening nothing', async () => {
    context = await clientContext([recorder().protocol]);
    const c = context;
    expect(() => c.clientConnect(to(1, { extra: { body: 'a', chunked: true } }))).toThrow(new TypeError('Cannot connect: give only one of extra.body, extra.bodySource, extra.contentLength/chunked'));
    expect(() => c.clientConnect(to(1, { extra: { headersTimeoutSecs: -1 } }))).toThrow(new RangeError('Cannot connect: extra.headersTimeoutSecs must be a positive number, got -1'));
    expect(c.wsiCount).toBe(0);
  });
});

describe('h1 client redirects (extra.redirects)', () => {
  const redirecting = (port: () => number) => (sock: import('node:net').Socket, head: string): void => {
    const path = head.split(' ')[1];
    const to3xx = (status: number, location: string): void => void sock.write(`HTTP/1.1 ${status} R\r\nlocation: ${location}\r\ncontent-length: 4\r\n\r\nmove`);
    if (path === '/a') to3xx(302, '/b');
    else if (path === '/b') to3xx(301, `http://127.0.0.1:${port()}/c?q=1`);
    else if (path === '/away') to3xx(302, 'http://other.example/');
    else if (path === '/form') to3xx(303, '/done');
    else sock.write(`HTTP/1.1 200 OK\r\ncontent-length: ${String(path).length}\r\n\r\n${path}`);
  };

  async function follow(info: Record<string, unknown>): Promise<string[]> {
    server = await scriptedServer(redirecting(() => server?.port as number));
    const rec = recorder();
    context = await clientContext([rec.protocol]);
    context.clientConnect(to(server.port, info));
    await rec.settled;
    await drained(context);
    return rec.events;
  }

  it('follows same-origin redirects on the one connection; the protocol sees only the final response', async () => {
    expect(await follow({ path: '/a', extra: { redirects: 2 } })).toEqual(['established 200', 'completed /c?q=1', 'closed']);
    expect(server?.heads.map((h) => h.split(' ')[1])).toEqual(['/a', '/b', '/c?q=1']);
    expect(server?.connections).toBe(1);
  });

  it('delivers the 3xx when the redirects are used up, or are off (the default)', async () => {
    expect(await follow({ path: '/a', extra: { redirects: 1 } })).toEqual(['established 301', 'completed move', 'closed']);
    await context?.destroy();
    server?.server.close();
    expect(await follow({ path: '/a' })).toEqual(['established 302', 'completed move', 'closed']);
  });

  it('delivers a redirect to another origin as is', async () => {
    expect(await follow({ path: '/away', extra: { redirects: 3 } })).toEqual(['established 302', 'completed move', 'closed']);
  });

  it('turns a POST answered with 303 into a GET without body', async () => {
    expect(await follow({ method: 'POST', path: '/form', extra: { redirects: 1, body: 'a=1' } })).toEqual(['established 200', 'completed /done', 'closed']);
    expect(server?.heads[1]).toMatch(/^GET \/done HTTP\/1\.1\r\n/);
    expect(server?.heads[1]).not.toMatch(/content-length/i);
  });
});
