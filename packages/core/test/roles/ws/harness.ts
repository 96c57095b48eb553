/*
 * Test harness for the ws role: a server context on 127.0.0.1:0, a client
 * context, a ws pair over the memory pipe (no handshake), and a raw ws
 * client over a plain socket for peers that misbehave on purpose.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { Context, createContext } from '../../../src/context/context.js';
import { wireTransport } from '../../../src/context/adopt.js';
import type { Protocol } from '../../../src/context/protocol.js';
import { Wsi } from '../../../src/context/wsi.js';
import { createMemoryPipe } from '../../../src/net/memory-pipe.js';
import { WsFrameParser, type WsFrameEvent } from '../../../src/roles/ws/frame-parser.js';
import { WsFrameWriter } from '../../../src/roles/ws/frame-writer.js';
import { startWsConnection, wsRole } from '../../../src/roles/ws/ops.js';
import { resolveWsOptions, type WsVhostOptions } from '../../../src/roles/ws/options.js';

const contexts: Context[] = [];
const sockets: Socket[] = [];

/** Destroy everything made by this harness (afterEach). */
export async function cleanup(): Promise<void> {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(contexts.splice(0).map((c) => c.destroy()));
}

/** A listening server context. */
export async function server(protocols: Protocol[], ws: WsVhostOptions = {}): Promise<Context> {
  const c = await createContext({ port: 0, protocols, ws, destroyGraceMs: 200 });
  contexts.push(c);
  return c;
}

/** A non-listening client context. */
export async function client(protocols: Protocol[], ws: WsVhostOptions = {}): Promise<Context> {
  const c = await createContext({ protocols, ws, destroyGraceMs: 200 });
  contexts.push(c);
  return c;
}

/** Resolves with the value `fn` is handed: wraps a callback in a promise. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A server and a client ws wsi joined by the memory pipe, already established. */
export function memoryPair(serverP: Protocol, clientP: Protocol, opts: { highWater?: number; ws?: WsVhostOptions } = {}): { ctx: Context; server: Wsi; client: Wsi } {
  const ctx = new Context({ protocols: [serverP, clientP], ws: opts.ws, destroyGraceMs: 50 });
  contexts.push(ctx);
  const [a, b] = createMemoryPipe({ highWater: opts.highWater ?? 16384 });
  const vhost = ctx.vhosts[0]!;
  const make = (t: typeof a, p: Protocol, isServer: boolean): Wsi => {
    const wsi = new Wsi({ owner: ctx, vhost, transport: t, role: wsRole, isClient: !isServer });
    wsi.bindProtocol(p);
    wireTransport(wsi, t);
    startWsConnection(wsi, { isServer, options: resolveWsOptions(vhost, p), deflate: null, subprotocol: undefined, leftover: Buffer.alloc(0) });
    return wsi;
  };
  return { ctx, server: make(a, serverP, true), client: make(b, clientP, false) };
}

/** A hand-driven ws client over a plain socket: raw handshake, frames parsed for inspection. */
export interface RawWs {
  sock: Socket;
  /** The raw response head text. */
  head: string;
  /** Bytes after a non-101 head (the error body). */
  body(): string;
  events: WsFrameEvent[];
  writer: WsFrameWriter;
  /** Resolves when an event matching `pred` has arrived. */
  waitEvent(pred: (e: WsFrameEvent) => boolean): Promise<WsFrameEvent>;
  /** Resolves when the server closed the socket. */
  closed: Promise<void>;
}

export const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** Send `request` (default: a valid upgrade) and read the response head; frames after it are parsed. */
export async function rawWs(port: number, request?: string): Promise<RawWs> {
  const sock = connect(port, '127.0.0.1');
  sockets.push(sock);
  await once(sock, 'connect');
  sock.write(request ?? `GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  const parser = new WsFrameParser({ isServer: false });
  const events: WsFrameEvent[] = [];
  const waiters = new Set<() => void>();
  let buf = Buffer.alloc(0);
  let head: string | undefined;
  let body = '';
  const headDone = deferred<void>();
  const closed = deferred<void>();
  sock.on('data', (b: Buffer) => {
    if (head === undefined) {
      buf = Buffer.concat([buf, b]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      head = buf.subarray(0, end + 4).toString('latin1');
      b = buf.subarray(end + 4);
      headDone.resolve();
    }
    if (!head.startsWith('HTTP/1.1 101 ')) body += b.toString('latin1');
    else if (b.length > 0) events.push(...parser.push(Buffer.from(b)));
    for (const w of waiters) w();
  });
  sock.on('error', () => {});
  sock.on('close', () => {
    headDone.resolve();
    closed.resolve();
    for (const w of waiters) w();
  });
  await headDone.promise;
  return {
    sock,
    head: head ?? buf.toString('latin1'),
    body: () => body,
    events,
    writer: new WsFrameWriter({ isServer: false }),
    closed: closed.promise,
    waitEvent(pred) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const e = events.find(pred);
          if (e) {
            waiters.delete(check);
            resolve(e);
          } else if (sock.destroyed) {
            waiters.delete(check);
            reject(new Error(`socket closed; events: ${JSON.stringify(events.map((x) => x.type))}`));
          }
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** Write frames from a WsFrameWriter call to a socket. */
export function send(sock: Socket, frames: Buffer[]): void {
  for (const f of frames) sock.write(f);
}
