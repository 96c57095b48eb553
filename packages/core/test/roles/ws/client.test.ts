/*
 * The client handshake: a scripted server answers each way a handshake can
 * fail and the protocol hears clientConnectionError with the code; with
 * permessage-deflate on both sides our client and server agree it and
 * exchange compressed messages.
 */
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { setLogLevel } from '../../../src/context/log.js';
import { defineProtocol } from '../../../src/context/protocol.js';
import type { Wsi } from '../../../src/context/wsi.js';
import type { LwsError } from '../../../src/errors.js';
import { computeAccept } from '../../../src/roles/ws/handshake.js';
import type { WsConnection } from '../../../src/roles/ws/ops.js';
import { cleanup, client, deferred, server } from './harness.js';

setLogLevel(0);
let scripted: Server | undefined;
afterEach(async () => {
  if (scripted) await new Promise((r) => scripted?.close(r));
  scripted = undefined;
  await cleanup();
});

/** A server that answers the upgrade request with `reply(key, request)`. */
async function scriptedServer(reply: (key: string, request: string) => string | null, keepOpen = false): Promise<{ port: number; requests: string[] }> {
  const requests: string[] = [];
  const socks: Socket[] = [];
  scripted = createServer((s) => {
    socks.push(s);
    let buf = '';
    s.on('data', (b) => {
      if (buf.includes('\r\n\r\n')) return; // answered already: ignore what follows
      buf += b.toString('latin1');
      if (!buf.includes('\r\n\r\n')) return;
      requests.push(buf);
      const key = /sec-websocket-key: (\S+)/i.exec(buf)?.[1] ?? '';
      const r = reply(key, buf);
      if (r !== null && keepOpen) s.write(r);
      else if (r !== null) s.end(r);
    });
    s.on('error', () => {});
  });
  scripted.on('close', () => socks.forEach((s) => s.destroy()));
  scripted.listen(0, '127.0.0.1');
  await once(scripted, 'listening');
  return { port: (scripted.address() as { port: number }).port, requests };
}

async function connectError(port: number, extra: Record<string, unknown> = {}): Promise<LwsError> {
  const err = deferred<LwsError>();
  const p = defineProtocol({ name: 'c', clientEstablished: () => err.resolve(new Error('established') as LwsError), clientConnectionError: (_w, _p, e) => err.resolve(e) });
  const c = await client([p]);
  c.clientConnect({ address: '127.0.0.1', port, protocol: 'c', role: 'ws', path: '/x?y=1', extra });
  return err.promise;
}

const ok = (key: string, extra = ''): string => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeAccept(key)}\r\n${extra}\r\n`;

describe('ws client handshake', () => {
  it('sends a well-formed upgrade request with path, host, key, version and subprotocol', async () => {
    const srv = await scriptedServer(() => 'HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
    await connectError(srv.port);
    const req = srv.requests[0] ?? '';
    expect(req).toMatch(/^GET \/x\?y=1 HTTP\/1\.1\r\nhost: 127\.0\.0\.1:\d+\r\n/);
    expect(req).toMatch(/\r\nupgrade: websocket\r\n/);
    expect(req).toMatch(/\r\nsec-websocket-key: [A-Za-z0-9+/]{22}==\r\n/);
    expect(req).toMatch(/\r\nsec-websocket-version: 13\r\n/);
    expect(req).toMatch(/\r\nsec-websocket-protocol: c\r\n/);
    expect(req).not.toMatch(/sec-websocket-extensions/);
  });

  it.each([
    ['a status other than 101', () => 'HTTP/1.1 404 Not Found\r\ncontent-length: 3\r\n\r\nno!', 'LWS_ERR_WS_HANDSHAKE_STATUS', 'Cannot complete websocket handshake: status is 404, expected 101'],
    ['a wrong accept key', () => ok('AAAAAAAAAAAAAAAAAAAAAA=='), 'LWS_ERR_WS_HANDSHAKE_ACCEPT', /^Cannot complete websocket handshake: Sec-WebSocket-Accept is ".*", expected ".*"$/],
    ['an extension not offered', (k: string) => ok(k, 'Sec-WebSocket-Extensions: x-webkit-deflate-frame\r\n'), 'LWS_ERR_WS_HANDSHAKE_EXTENSION', 'Cannot complete websocket handshake: the server accepted extension "x-webkit-deflate-frame", which was not offered'],
    ['a subprotocol not offered', (k: string) => ok(k, 'Sec-WebSocket-Protocol: other\r\n'), 'LWS_ERR_WS_HANDSHAKE_PROTOCOL', /chose subprotocol "other", which was not offered/],
    ['a malformed status line', () => 'HTTP/1.1 abc\r\n\r\n', 'LWS_ERR_H1_BAD_STATUS_LINE', /^Cannot parse status line/],
  ])('fails on %s with a clear LwsError', async (_what, reply, code, message) => {
    const srv = await scriptedServer((key) => reply(key));
    const err = await connectError(srv.port);
    expect(err.code).toBe(code);
    if (typeof message === 'string') expect(err.message).toBe(message);
    else expect(err.message).toMatch(message);
  });

  it('fails on a permessage-deflate response that breaks RFC 7692', async () => {
    const srv = await scriptedServer((key) => ok(key, 'Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=20\r\n'));
    const err = await connectError(srv.port, { permessageDeflate: true });
    expect(err.code).toBe('LWS_ERR_WS_HANDSHAKE_EXTENSION');
    expect(err.message).toBe('Cannot accept permessage-deflate response: parameter "server_max_window_bits" must be 8-15, received "20"');
    expect(srv.requests[0]).toMatch(/\r\nsec-websocket-extensions: permessage-deflate; client_max_window_bits\r\n/);
  });

  it('fails when the server closes during the handshake, and when it never answers', async () => {
    const closer = await scriptedServer(() => '');
    expect((await connectError(closer.port)).message).toBe('Cannot connect: connection closed during the websocket handshake');
    await new Promise((r) => scripted?.close(r));
    const silent = await scriptedServer(() => null);
    const err = await connectError(silent.port, { handshakeTimeoutSecs: 0.2 });
    expect(err).toMatchObject({ code: 'LWS_ERR_CORE_TIMEOUT', message: 'Cannot complete websocket handshake: no response within 0.2 s' });
  });

  it('agrees permessage-deflate with our server and round-trips a large compressible message', async () => {
    const text = 'lws-ts permessage-deflate '.repeat(4000);
    const s = await server([defineProtocol({ name: 'pmd', receive: (wsi, _p, d) => void wsi.write(d, 'text') })], { permessageDeflate: true });
    const got = deferred<{ data: string; wsi: Wsi }>();
    const p = defineProtocol({
      name: 'pmd',
      clientEstablished: (wsi) => wsi.callbackOnWritable(),
      clientWriteable: (wsi) => void wsi.write(text, 'text'),
      clientReceive: (wsi, _p, d) => got.resolve({ data: d.toString(), wsi }),
    });
    const c = await client([p], { permessageDeflate: true });
    c.clientConnect({ address: '127.0.0.1', port: s.port, protocol: 'pmd', role: 'ws' });
    const r = await got.promise;
    expect(r.data).toBe(text);
    expect((r.wsi.roleData as WsConnection).deflate).not.toBeNull();
  });
});

describe('ws over TLS', () => {
  it('connects wss to a TLS vhost and echoes, the certificate accepted only because we allow it', async () => {
    const dir = new URL('../../../../../minimal-examples/http-server/minimal-http-server-tls/', import.meta.url);
    const { createContext } = await import('../../../src/context/context.js');
    const { fileURLToPath } = await import('node:url');
    const echoP = defineProtocol({ name: 'tls-echo', receive: (wsi, _p, d) => void wsi.write(d, 'text') });
    const s = await createContext({ port: 0, protocols: [echoP], tls: { cert: fileURLToPath(new URL('localhost-100y.cert', dir)), key: fileURLToPath(new URL('localhost-100y.key', dir)) }, destroyGraceMs: 200 });
    try {
      const got = deferred<string>();
      const p = defineProtocol({
        name: 'tls-echo',
        clientEstablished: (wsi) => wsi.callbackOnWritable(),
        clientWriteable: (wsi) => void wsi.write('over tls', 'text'),
        clientReceive: (wsi, _p, d) => {
          got.resolve(d.toString());
          wsi.close();
        },
        clientConnectionError: (_w, _p, e) => got.resolve(`error: ${e.message}`),
      });
      const c = await client([p]);
      c.clientConnect({ address: '127.0.0.1', port: s.port, ssl: { allowSelfSigned: true }, protocol: 'tls-echo', role: 'ws' });
      expect(await got.promise).toBe('over tls');
    } finally {
      await s.destroy();
    }
  });
});

describe('ws client close and options', () => {
  it('drops a server that never answers the client\'s close after closeTimeoutSecs, reporting 1006', async () => {
    const srv = await scriptedServer((key) => ok(key), true);
    const closed = deferred<{ code: number; reason: string }>();
    const p = defineProtocol({ name: 'c', clientEstablished: (wsi) => wsi.close(1000, 'bye'), clientClosed: (_w, _p, i) => closed.resolve(i) });
    const c = await client([p], { closeTimeoutSecs: 0.2 });
    c.clientConnect({ address: '127.0.0.1', port: srv.port, protocol: 'c', role: 'ws' });
    const t0 = performance.now();
    expect(await closed.promise).toEqual({ code: 1006, reason: '' });
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(150);
    expect(took).toBeLessThan(3000);
  });

  it('refuses bad ws options when the context is made', async () => {
    const { createContext } = await import('../../../src/context/context.js');
    await expect(createContext({ ws: { closeTimeoutSecs: -1 } })).rejects.toThrow('Cannot use ws option closeTimeoutSecs: -1 is not a finite positive number');
    await expect(createContext({ ws: { pongTimeoutSecs: 0 } })).rejects.toThrow('Cannot use ws option pongTimeoutSecs: 0 is not a finite positive number');
    await expect(createContext({ ws: { pingIntervalSecs: -2 } })).rejects.toThrow('Cannot use ws option pingIntervalSecs: -2 is not a finite non-negative number');
    await expect(createContext({ ws: { maxMessageSize: 0 } })).rejects.toThrow(RangeError);
  });
});
