/*
 * Helpers for the h1 client tests: a scripted raw TCP server on loopback,
 * and a client run that records every protocol callback as a line and
 * resolves once the client's wsi are all gone.
 */
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { createContext, type Context } from '../../../src/context/context.js';
import type { ClientConnectInfo } from '../../../src/context/connect.js';
import { defineProtocol, type Protocol } from '../../../src/context/protocol.js';
import type { Wsi } from '../../../src/context/wsi.js';

export interface Scripted {
  server: Server;
  port: number;
  /** Every request head received, in order (text up to and including CRLFCRLF), and each connection's raw bytes. */
  heads: string[];
  raw: string[];
  connections: number;
}

/**
 * A server that reads each request head (and a Content-Length or chunked body it
 * is told about) and lets `answer` write whatever it likes.
 */
export async function scriptedServer(answer: (sock: Socket, head: string, index: number) => void): Promise<Scripted> {
  const s: Scripted = { server: createServer(), port: 0, heads: [], raw: [], connections: 0 };
  s.server.on('connection', (sock) => {
    const conn = s.connections++;
    s.raw[conn] = '';
    let buf = '';
    sock.on('error', () => undefined);
    sock.on('data', (b: Buffer) => {
      s.raw[conn] += b.toString('latin1');
      buf += b.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buf.slice(0, end + 4);
        const len = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
        let total = end + 4 + len;
        if (/\r\ntransfer-encoding: chunked/i.test(head)) {
          const last = buf.indexOf('\r\n0\r\n\r\n', end);
          if (last === -1) return;
          total = last + 7;
        }
        if (buf.length < total) return;
        const msg = buf.slice(0, total);
        buf = buf.slice(total);
        s.heads.push(msg);
        answer(sock, msg, s.heads.length - 1);
      }
    });
  });
  s.server.listen(0, '127.0.0.1');
  await once(s.server, 'listening');
  s.port = (s.server.address() as { port: number }).port;
  return s;
}

/** Resolves once `cond()` holds, checking after each turn of the event loop; rejects after `ms`. */
export async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setImmediate(r));
  }
}

export interface Recorder {
  protocol: Protocol;
  /** One line per callback: `established 200`, `body <text>`, `completed`, `error CODE: message`, `closed`. */
  events: string[];
  body(wsi?: Wsi): string;
  /** Resolves at the first completed or error line. */
  settled: Promise<void>;
}

/** A protocol recording every client http callback; `writeable` runs for clientHttpWriteable. */
export function recorder(name = 'rec', writeable?: (wsi: Wsi) => void): Recorder {
  const events: string[] = [];
  const bodies = new Map<Wsi, Buffer[]>();
  let settle!: () => void;
  const settled = new Promise<void>((r) => (settle = r));
  const protocol = defineProtocol({
    name,
    establishedClientHttp: (wsi, _p, res) => void events.push(`established ${res.status}`),
    receiveClientHttp: (wsi, _p, chunk) => {
      const list = bodies.get(wsi) ?? [];
      list.push(chunk);
      bodies.set(wsi, list);
    },
    completedClientHttp: (wsi, _p, trailers) => {
      events.push(`completed ${Buffer.concat(bodies.get(wsi) ?? []).toString('latin1')}${trailers.length ? ` ${JSON.stringify(trailers)}` : ''}`);
      settle();
    },
    clientConnectionError: (_w, _p, err) => {
      events.push(`error ${err.code}: ${err.message}`);
      settle();
    },
    closedClientHttp: () => void events.push('closed'),
    clientHttpWriteable: (wsi) => writeable?.(wsi),
  });
  return { protocol, events, settled, body: (wsi) => Buffer.concat(wsi ? (bodies.get(wsi) ?? []) : [...bodies.values()].flat()).toString('latin1') };
}

/** A client-only context with `protocols`. */
export function clientContext(protocols: Protocol[]): Promise<Context> {
  return createContext({ protocols });
}

/** Connect info for the scripted server. */
export function to(port: number, more: Partial<ClientConnectInfo> = {}): ClientConnectInfo {
  return { address: '127.0.0.1', port, protocol: 'rec', role: 'http', ...more };
}

/** Waits until every wsi is gone and no timer is pending: nothing leaked. */
export async function drained(context: Context): Promise<void> {
  await until(() => context.wsiCount === 0 && context.sul.pendingCount === 0);
}
