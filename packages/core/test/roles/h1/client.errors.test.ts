/*
 * The h1 client against servers that break the rules or stall: each case
 * ends in one clientConnectionError with a stable code and exact message,
 * the connection closed and every timer cleared (nothing hangs, nothing leaks).
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Context } from '../../../src/context/context.js';
import { LogLevel, setLogEmitter, setLogLevel } from '../../../src/context/log.js';
import { clientContext, drained, recorder, scriptedServer, to, type Scripted } from './client-helpers.js';

setLogLevel(0);

let context: Context | undefined;
let server: Scripted | undefined;
const held: Socket[] = [];

afterEach(async () => {
  await context?.destroy();
  context = undefined;
  for (const s of held.splice(0)) s.destroy();
  server?.server.close();
  server = undefined;
});

async function outcome(answer: (sock: Socket) => void, extra: Record<string, unknown> = {}): Promise<string[]> {
  server = await scriptedServer((sock) => {
    held.push(sock);
    answer(sock);
  });
  const rec = recorder();
  context = await clientContext([rec.protocol]);
  context.clientConnect(to(server.port, { extra }));
  await rec.settled;
  await drained(context);
  expect(context.wsiCount).toBe(0);
  expect(context.sul.pendingCount).toBe(0);
  return rec.events;
}

describe('h1 client against bad servers', () => {
  it.each([
    ['a malformed status line', 'HTTP/1.1 2xx OK\r\n\r\n', 'LWS_ERR_H1_BAD_STATUS_LINE'],
    ['a bare LF in the head', 'HTTP/1.1 200 OK\ncontent-length: 0\n\n', 'LWS_ERR_H1_BARE_LF'],
    ['conflicting Content-Length values', 'HTTP/1.1 200 OK\r\ncontent-length: 3\r\ncontent-length: 4\r\n\r\nabcd', 'LWS_ERR_H1_CONFLICTING_CONTENT_LENGTH'],
    ['Content-Length with Transfer-Encoding', 'HTTP/1.1 200 OK\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n', 'LWS_ERR_H1_CONTENT_LENGTH_WITH_TE'],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n', 'LWS_ERR_H1_BAD_CHUNK_SIZE'],
  ])('reports %s with its parser code and drops the connection', async (_what, reply, code) => {
    const events = await outcome((sock) => sock.write(reply));
    const errors = events.filter((e) => e.startsWith('error'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^error ${code}: Cannot `));
  });

  it('reports a chunked body cut short by the close as LWS_ERR_H1_INCOMPLETE_MESSAGE after delivering the head', async () => {
    const events = await outcome((sock) => sock.end('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhel'));
    expect(events).toEqual(['established 200', 'error LWS_ERR_H1_INCOMPLETE_MESSAGE: Cannot finish response: connection closed in a chunked body', 'closed']);
  });

  it('reports a Content-Length body cut short with the byte count', async () => {
    const events = await outcome((sock) => sock.end('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc'));
    expect(events).toEqual(['established 200', 'error LWS_ERR_H1_INCOMPLETE_MESSAGE: Cannot finish response: connection closed after 3 of 10 body bytes', 'closed']);
  });

  it('reports a header section past maxHeaderBytes as LWS_ERR_H1_HEADERS_TOO_LARGE', async () => {
    const events = await outcome((sock) => sock.write(`HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(2000)}\r\n\r\n`), { limits: { maxHeaderBytes: 1024 } });
    expect(events).toEqual(['error LWS_ERR_H1_HEADERS_TOO_LARGE: Cannot parse header section: more than 1024 bytes']);
  });

  it('reports a close before any response as LWS_ERR_H1_CLIENT_CLOSED', async () => {
    const events = await outcome((sock) => sock.end());
    expect(events).toEqual(['error LWS_ERR_H1_CLIENT_CLOSED: Cannot receive response: connection closed before the response head']);
  });

  it('times out a server that never answers with LWS_ERR_H1_CLIENT_HEADERS_TIMEOUT (504)', async () => {
    const events = await outcome(() => undefined, { headersTimeoutSecs: 0.2 });
    expect(events).toEqual(['error LWS_ERR_H1_CLIENT_HEADERS_TIMEOUT: Cannot receive response: no response head within 0.2 s']);
  });

  it('times out a body that stalls with LWS_ERR_H1_CLIENT_IDLE_TIMEOUT', async () => {
    const events = await outcome((sock) => sock.write('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc'), { idleTimeoutSecs: 0.2 });
    expect(events).toEqual(['established 200', 'error LWS_ERR_H1_CLIENT_IDLE_TIMEOUT: Cannot receive response body: nothing received for 0.2 s', 'closed']);
  });

  it('refuses a 101 on an http request with LWS_ERR_H1_CLIENT_UPGRADE', async () => {
    const events = await outcome((sock) => sock.write('HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n'));
    expect(events).toEqual(['error LWS_ERR_H1_CLIENT_UPGRADE: Cannot accept response: 101 Switching Protocols to "websocket" on an http request']);
  });

  it('drops a kept connection at once when a response nobody asked for arrives (LWS_ERR_H1_CLIENT_UNSOLICITED)', async () => {
    const t0 = Date.now();
    const lines: string[] = [];
    setLogLevel(LogLevel.CLIENT, (_level, line) => void lines.push(line));
    try {
      const events = await outcome((sock) => sock.write('HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\naHTTP/1.1 200 OK\r\n\r\n'), { pipeline: true, keepAliveIdleSecs: 30 });
      expect(events).toEqual(['established 200', 'completed a', 'closed']);
    } finally {
      setLogLevel(0);
      setLogEmitter();
    }
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(lines.some((l) => l.endsWith('Cannot accept response: status 200 arrived with no request outstanding'))).toBe(true);
  });

  it('reports a refused connection as LWS_ERR_CORE_CONNECT', async () => {
    server = await scriptedServer(() => undefined);
    const port = server.port;
    await new Promise((r) => server?.server.close(r));
    server = undefined;
    const rec = recorder();
    context = await clientContext([rec.protocol]);
    context.clientConnect(to(port));
    await rec.settled;
    await drained(context);
    expect(rec.events).toEqual([`error LWS_ERR_CORE_CONNECT: Cannot connect: connect ECONNREFUSED 127.0.0.1:${port}`]);
  });
});
