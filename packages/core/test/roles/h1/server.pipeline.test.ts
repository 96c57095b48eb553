/*
 * h1 server, pipelining: the answers to the requests of one read go out
 * together (the first alone, the rest in one writev), and a client that
 * pipelines without reading is not answered into an unbounded queue: the
 * server parses no further request while its answers wait to drain, goes on
 * when the client reads, and cuts it at sendTimeoutSecs if it never does.
 */
import { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createContext, type Context, type ContextOptions } from '../../../src/context/context.js';
import type { Wsi } from '../../../src/context/wsi.js';
import { setLogLevel } from '../../../src/context/log.js';
import { defineProtocol } from '../../../src/context/protocol.js';
import { closeAll, dial, statusesOf } from './server.harness.js';

setLogLevel(1);

let context: Context | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  closeAll();
  await context?.destroy();
  context = undefined;
});

const BIG = 16 * 1024;
let answered = 0;
let lastWsi: Wsi | undefined;

const proto = defineProtocol({
  name: 'p',
  http(wsi, _pss, req) {
    answered++;
    lastWsi = wsi;
    const n = /\/(\d+)$/.exec(req.path)?.[1] ?? '0';
    // /big/N: 16 KiB of the digit N % 10; /small/N: "N"
    if (req.path.startsWith('/big/')) wsi.respondText(200, Buffer.alloc(BIG, 0x30 + (Number(n) % 10)));
    else wsi.respondText(200, n);
  },
});

async function serve(http: ContextOptions['http'] = {}): Promise<number> {
  answered = 0;
  lastWsi = undefined;
  context = await createContext({ port: 0, protocols: [proto], http, mounts: [{ kind: 'callback', mountpoint: '/', protocol: 'p' }] });
  return context.port;
}

/** Poll `f` every 50 ms until it returns something, for at most `ms`. */
async function until<T>(f: () => T | undefined, ms: number): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error(`nothing after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const get = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`;

/** The bodies of `n` responses with content-length, in order. */
function bodies(buf: Buffer, n: number): string[] {
  const out: string[] = [];
  let at = 0;
  for (let i = 0; i < n; i++) {
    const end = buf.indexOf('\r\n\r\n', at, 'latin1');
    if (end < 0) break;
    const len = Number(/content-length: (\d+)/i.exec(buf.toString('latin1', at, end))?.[1]);
    out.push(buf.toString('latin1', end + 4, end + 4 + len));
    at = end + 4 + len;
  }
  return out;
}

describe('h1 server: pipelined requests', () => {
  it('sends the answers to one read in two writes: the first alone, the rest in one writev', async () => {
    const port = await serve();
    const c = await dial(port);
    const writes: number[] = []; // pieces per server-side write call
    const w1 = Socket.prototype._write;
    const wv = Socket.prototype._writev as NonNullable<Socket['_writev']>;
    vi.spyOn(Socket.prototype, '_write').mockImplementation(function (this: Socket, ...a: Parameters<Socket['_write']>) {
      if (this !== c.sock) writes.push(1);
      return w1.apply(this, a);
    });
    vi.spyOn(Socket.prototype, '_writev').mockImplementation(function (this: Socket, chunks, cb) {
      if (this !== c.sock) writes.push(chunks.length);
      return wv.call(this, chunks, cb);
    });
    let all = '';
    for (let i = 0; i < 16; i++) all += get(`/small/${i}`);
    c.sock.write(all);
    await c.waitFor(/15$/);
    expect(bodies(c.data(), 16)).toEqual(Array.from({ length: 16 }, (_, i) => String(i)));
    expect(statusesOf(c.data().toString('latin1'))).toEqual(Array(16).fill(200));
    expect(writes).toEqual([1, 15]);
  });

  it('parses no further request while the answers wait for a client that does not read, and goes on when it does', { timeout: 30_000 }, async () => {
    const port = await serve();
    const c = await dial(port);
    c.sock.pause();
    const n = 2000; // 32 MiB of answers: far past what the two kernel socket buffers hold
    let all = '';
    for (let i = 0; i < n; i++) all += get(`/big/${i}`);
    c.sock.write(all);
    await new Promise((r) => setTimeout(r, 800));
    const stalled = answered;
    expect(stalled).toBeGreaterThan(0);
    expect(stalled).toBeLessThan(n);
    // what waits in user space is one batch, not the rest of the 32 MiB
    expect(lastWsi?.transport.bufferedAmount).toBeLessThan(64 * 1024 + 2 * BIG);
    await new Promise((r) => setTimeout(r, 300));
    expect(answered).toBe(stalled); // still waiting: nothing drained
    c.sock.resume();
    const got = await until(() => {
      const b = bodies(c.data(), n);
      return b.length === n && b[n - 1]?.length === BIG ? b : undefined;
    }, 20_000);
    expect(got).toHaveLength(n);
    expect(got.every((b, i) => b.length === BIG && b === String(i % 10).repeat(BIG))).toBe(true);
    expect(answered).toBe(n);
  });

  it('cuts a client that pipelines without ever reading at sendTimeoutSecs', async () => {
    const port = await serve({ sendTimeoutSecs: 1 });
    const c = await dial(port);
    c.sock.pause();
    let all = '';
    for (let i = 0; i < 2000; i++) all += get(`/big/${i}`);
    const t0 = Date.now();
    c.sock.write(all);
    // the paused client would not see the close: watch the server's side
    await until(() => (context?.wsiCount === 0 ? true : undefined), 5000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(answered).toBeLessThan(2000);
  });
});
