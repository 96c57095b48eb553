/*
 * The server handshake: each refusal answers with its status (and header)
 * and closes; the subprotocol picks the protocol; the Origin allow-list and
 * filterProtocolConnection veto with 403; permessage-deflate is agreed only
 * when the vhost enables it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { setLogLevel } from '../../../src/context/log.js';
import { defineProtocol } from '../../../src/context/protocol.js';
import { computeAccept } from '../../../src/roles/ws/handshake.js';
import { cleanup, KEY, rawWs, send, server } from './harness.js';

setLogLevel(0);
afterEach(cleanup);

function upgrade(extra: string[] = [], opts: { method?: string; version?: string; key?: string } = {}): string {
  return [
    `${opts.method ?? 'GET'} /chat HTTP/1.1`,
    'Host: localhost',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${opts.key ?? KEY}`,
    `Sec-WebSocket-Version: ${opts.version ?? '13'}`,
    ...extra,
    '',
    '',
  ].join('\r\n');
}

const echo = defineProtocol({ name: 'lws-minimal', receive: (wsi, _p, d) => void wsi.write(d, 'text') });

describe('ws server handshake', () => {
  it.each([
    ['a version other than 13', upgrade([], { version: '8' }), 426, /sec-websocket-version: 13/i, 'Sec-WebSocket-Version is "8", expected 13'],
    ['a bad key', upgrade([], { key: 'short' }), 400, null, 'Sec-WebSocket-Key is "short", expected base64 of 16 bytes'],
    ['a method other than GET', upgrade([], { method: 'POST' }).replace('\r\n\r\n', '\r\nContent-Length: 0\r\n\r\n'), 405, /allow: GET/i, 'method is "POST", expected GET'],
    ['no supported subprotocol', upgrade(['Sec-WebSocket-Protocol: nope, nada']), 400, null, 'none of the subprotocols "nope, nada" is supported'],
    ['a malformed extension header', upgrade(['Sec-WebSocket-Extensions: permessage-deflate;;']), 400, null, 'Cannot parse Sec-WebSocket-Extensions'],
  ])('refuses %s with its status and closes', async (_what, request, status, header, message) => {
    const s = await server([echo]);
    const peer = await rawWs(s.port, request);
    await peer.closed;
    expect(peer.head).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    if (header) expect(peer.head).toMatch(header);
    expect(peer.head).toMatch(/content-security-policy|content-type/i);
    expect(peer.body()).toContain(message);
  });

  it('answers 101 with the accept key and the chosen subprotocol, then speaks ws', async () => {
    const s = await server([defineProtocol({ name: 'other', established: () => {} }), echo]);
    const peer = await rawWs(s.port, upgrade(['Sec-WebSocket-Protocol: nope, lws-minimal']));
    expect(peer.head).toMatch(/^HTTP\/1\.1 101 /);
    expect(peer.head).toContain(`sec-websocket-accept: ${computeAccept(KEY)}`);
    expect(peer.head).toContain('sec-websocket-protocol: lws-minimal');
    expect(peer.head).not.toMatch(/sec-websocket-extensions/i);
    send(peer.sock, peer.writer.message('hi', { binary: false }));
    const ev = await peer.waitEvent((e) => e.type === 'message');
    expect(ev.type === 'message' && ev.data.toString()).toBe('hi');
  });

  it('takes the first protocol with ws handlers when no subprotocol is offered, and names none', async () => {
    const httpOnly = defineProtocol({ name: 'http-only', http: () => {} });
    const s = await server([httpOnly, echo]);
    const peer = await rawWs(s.port, upgrade());
    expect(peer.head).toMatch(/^HTTP\/1\.1 101 /);
    expect(peer.head).not.toMatch(/sec-websocket-protocol/i);
    send(peer.sock, peer.writer.message('x', { binary: false }));
    await peer.waitEvent((e) => e.type === 'message');
  });

  it('with acceptAnySubprotocol, agrees to an unknown subprotocol and serves it with the default ws protocol', async () => {
    const httpOnly = defineProtocol({ name: 'http-only', http: () => {} });
    const s = await server([httpOnly, echo], { acceptAnySubprotocol: true });
    const peer = await rawWs(s.port, upgrade(['Sec-WebSocket-Protocol: chat.v2, other']));
    expect(peer.head).toMatch(/^HTTP\/1\.1 101 /);
    expect(peer.head).toContain('sec-websocket-protocol: chat.v2');
    send(peer.sock, peer.writer.message('any', { binary: false }));
    const ev = await peer.waitEvent((e) => e.type === 'message');
    expect(ev.type === 'message' && ev.data.toString()).toBe('any');
  });

  it('refuses a non-boolean acceptAnySubprotocol with a TypeError', async () => {
    await expect(server([echo], { acceptAnySubprotocol: 'yes' as unknown as boolean })).rejects.toThrow(/acceptAnySubprotocol: it must be a boolean/);
  });

  it('refuses with 403 when filterProtocolConnection returns false, seeing the request', async () => {
    let path = '';
    const p = defineProtocol({ name: 'f', established: () => {}, filterProtocolConnection: (_w, _p, req) => { path = req.path; return false; } });
    const s = await server([p]);
    const peer = await rawWs(s.port, upgrade());
    await peer.closed;
    expect(peer.head).toMatch(/^HTTP\/1\.1 403 /);
    expect(path).toBe('/chat');
    expect(peer.body()).toBe('Cannot upgrade to websocket: protocol "f" refused the connection\n');
  });

  it('refuses an Origin not in allowedOrigins with 403 and accepts a listed one', async () => {
    const s = await server([echo], { allowedOrigins: ['http://good.example'] });
    const bad = await rawWs(s.port, upgrade(['Origin: http://evil.example']));
    await bad.closed;
    expect(bad.head).toMatch(/^HTTP\/1\.1 403 /);
    expect(bad.body()).toContain('Origin is "http://evil.example", not an allowed origin');
    const none = await rawWs(s.port, upgrade());
    await none.closed;
    expect(none.head).toMatch(/^HTTP\/1\.1 403 /);
    const good = await rawWs(s.port, upgrade(['Origin: http://good.example']));
    expect(good.head).toMatch(/^HTTP\/1\.1 101 /);
  });

  it('agrees permessage-deflate only when the vhost enables it', async () => {
    const off = await server([echo]);
    const a = await rawWs(off.port, upgrade(['Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits']));
    expect(a.head).toMatch(/^HTTP\/1\.1 101 /);
    expect(a.head).not.toMatch(/sec-websocket-extensions/i);
    const on = await server([echo], { permessageDeflate: { serverMaxWindowBits: 12 } });
    const b = await rawWs(on.port, upgrade(['Sec-WebSocket-Extensions: x-unknown, permessage-deflate; client_max_window_bits']));
    expect(b.head).toContain('sec-websocket-extensions: permessage-deflate; server_max_window_bits=12');
  });
});
