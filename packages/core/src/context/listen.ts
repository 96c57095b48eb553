/*
 * Listening: vhosts grouped by (iface, port) or unix socket path share one
 * server. TLS listeners choose the vhost's certificate by SNI.
 */
import { existsSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createSecureContext, createServer as createTlsServer, type SecureContext } from 'node:tls';
import { LwsError } from '../errors.js';
import { ownReads } from '../net/socket-transport.js';
import { log } from './log.js';
import type { Vhost } from './vhost.js';

/** One listening socket and the vhosts that share it (the first is the default). */
export interface Listener {
  readonly server: Server;
  readonly vhosts: Vhost[];
  readonly tls: boolean;
  /** `127.0.0.1:7681` or the unix path, once listening. */
  address: string;
}

function groupKey(v: Vhost): string {
  const o = v.options;
  if (o.unixSocket !== undefined) return `unix:${o.unixSocket}`;
  // port 0 means "any free port": never shared
  if (o.port === 0) return `tcp0:${v.name}:${Math.random()}`;
  return `tcp:${o.iface ?? '127.0.0.1'}:${o.port}`;
}

/** Pick the vhost a host name (Host header or SNI) selects; the first is the default. */
export function selectVhost(vhosts: readonly Vhost[], host: string | undefined): Vhost {
  const first = vhosts[0];
  if (!first) throw new Error('Cannot select vhost: listener has none');
  if (!host) return first;
  return vhosts.find((v) => v.answersTo(host)) ?? first;
}

function makeServer(group: Vhost[], onSocket: (s: Socket, l: Listener) => void): Listener {
  const first = group[0] as Vhost;
  const useTls = first.tlsPem !== undefined;
  for (const v of group) {
    if ((v.tlsPem !== undefined) !== useTls) {
      throw new LwsError('LWS_ERR_CORE_LISTEN', `Cannot share a port between TLS and plain vhosts: "${first.name}" and "${v.name}"`);
    }
  }
  let server: Server;
  const listener = { vhosts: group, tls: useTls, address: '' } as { -readonly [K in keyof Listener]: Listener[K] };
  if (useTls) {
    const ctxs = new Map<Vhost, SecureContext>();
    for (const v of group) ctxs.set(v, createSecureContext({ ...v.tlsPem, passphrase: v.options.tls?.passphrase }));
    const t = first.options.tls;
    server = createTlsServer({
      allowHalfOpen: true,
      ...first.tlsPem,
      passphrase: t?.passphrase,
      ALPNProtocols: t?.alpn ?? ['http/1.1'],
      handshakeTimeout: (t?.handshakeTimeoutSecs ?? 10) * 1000,
      SNICallback: (name, cb) => cb(null, ctxs.get(selectVhost(group, name))),
    });
    server.on('secureConnection', (s: Socket) => onSocket(s, listener));
    server.on('tlsClientError', (err) => log.info(`tls: handshake failed: ${err.message}`));
  } else {
    // half-open: a client that sends its request and FIN still reads our answer; roles close
    // paused: ownReads() moves each socket to our own read buffer before it reads
    server = createNetServer({ allowHalfOpen: true, pauseOnConnect: true });
    server.on('connection', (s: Socket) => onSocket(ownReads(s), listener));
  }
  listener.server = server;
  return listener;
}

function listenOne(l: Listener, v: Vhost): Promise<void> {
  const o = v.options;
  return new Promise((resolve, reject) => {
    const fail = (err: Error): void =>
      reject(new LwsError('LWS_ERR_CORE_LISTEN', `Cannot listen for vhost "${v.name}" on ${o.unixSocket ?? `${o.iface ?? '127.0.0.1'}:${o.port}`}: ${err.message}`, {}, { cause: err }));
    l.server.once('error', fail);
    const done = (): void => {
      l.server.off('error', fail);
      l.server.on('error', (err) => log.err(`listener ${l.address}: ${err.message}`));
      const a = l.server.address();
      if (typeof a === 'string') l.address = a;
      else if (a) {
        l.address = a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
        for (const vh of l.vhosts) vh.port = a.port;
      }
      resolve();
    };
    if (o.unixSocket !== undefined) {
      // a stale socket file from a previous run would make listen fail
      if (existsSync(o.unixSocket) && lstatSync(o.unixSocket).isSocket()) unlinkSync(o.unixSocket);
      l.server.listen(o.unixSocket, done);
    } else {
      l.server.listen(o.port, o.iface ?? '127.0.0.1', done);
    }
  });
}

/**
 * Create and start the listeners for every vhost that listens.
 *
 * @example
 * ```ts
 * const listeners = await listenVhosts(vhosts, (sock, l) => adopt(sock, l));
 * ```
 */
export async function listenVhosts(vhosts: readonly Vhost[], onSocket: (s: Socket, l: Listener) => void): Promise<Listener[]> {
  const groups = new Map<string, Vhost[]>();
  for (const v of vhosts) {
    if (!v.listens) continue;
    const k = groupKey(v);
    const g = groups.get(k);
    if (g) g.push(v);
    else groups.set(k, [v]);
  }
  const out: Listener[] = [];
  try {
    for (const g of groups.values()) {
      const l = makeServer(g, onSocket);
      out.push(l);
      await listenOne(l, g[0] as Vhost);
      log.notice(`listening on ${l.tls ? 'https' : 'http'} ${l.address} for ${g.map((v) => v.name).join(', ')}`);
    }
  } catch (err) {
    await Promise.all(out.map((l) => new Promise((r) => l.server.close(r))));
    throw err;
  }
  return out;
}
