/*
 * Client connections (lws_client_connect_via_info): TCP, TLS or a unix
 * socket to a peer, a wsi bound to the protocol that receives the
 * callbacks, a connect timeout, and the role for `info.role` started once
 * the transport is up. Failures before that reach the protocol's
 * clientConnectionError with a reason.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { LwsError } from '../errors.js';
import { SocketTransport } from '../net/socket-transport.js';
import { findClientJoin, findClientRole } from '../roles/client-registry.js';
import type { RoleOps } from '../roles/role.js';
import { wireTransport } from './adopt.js';
import { log } from './log.js';
import type { Protocol } from './protocol.js';
import type { Vhost } from './vhost.js';
import { TimeoutReason, Wsi, type WsiOwner } from './wsi.js';

export interface ClientTlsOptions {
  /** Accept a self-signed or otherwise unverifiable certificate (tests only). Default false. */
  allowSelfSigned?: boolean;
  /** Also accept a certificate whose name does not match (LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK). Default false. */
  skipHostnameCheck?: boolean;
  /** Extra CA certificate(s): PEM text, Buffer or file path. */
  ca?: string | Buffer;
  /** SNI name; default `host` or `address`. */
  servername?: string;
  /** ALPN offered; default `['http/1.1']`. */
  alpn?: string[];
}

/** What to connect to and how (lws_client_connect_info). */
export interface ClientConnectInfo {
  /** Host name or IP address. */
  address: string;
  port: number;
  /** Connect to a unix domain socket path instead of address:port. */
  unixSocket?: string;
  /** TLS: `true` for defaults, or options. */
  ssl?: boolean | ClientTlsOptions;
  /** Host header (and default SNI); default `address[:port]`. */
  host?: string;
  /** Request path; default `/`. */
  path?: string;
  /** Origin header to send, if any. */
  origin?: string;
  /** HTTP method; default GET. */
  method?: string;
  /** Name of the vhost protocol that receives this connection's callbacks (for ws also the subprotocol asked for). */
  protocol: string;
  /** Vhost by name; default the context's first. */
  vhost?: string;
  /** Local address to bind before connecting. */
  localAddress?: string;
  /** Seconds allowed to connect (and finish TLS). Default 10. */
  connectTimeoutSecs?: number;
  /** The role to run once connected. */
  role: 'http' | 'ws' | 'raw';
  /** Role-specific options (extra headers, body, ws extensions...), read by that role. */
  extra?: Record<string, unknown>;
  /** Bind this protocol object instead of looking `protocol` up on the vhost (library clients such as httpRequest). */
  bindProtocol?: Protocol;
}

/** The role a client wsi has while it connects: turns an early close into a connection error. */
const connectingRole: RoleOps = {
  name: 'connecting',
  rx() {},
  writeable() {},
  write: () => false,
  close(wsi) {
    wsi.transport.destroy();
  },
  closed(wsi, error) {
    const reason = error ? error.message : 'connection closed before it was established';
    reportConnectionError(wsi, new LwsError('LWS_ERR_CORE_CONNECT', `Cannot connect: ${reason}`, {}, error ? { cause: error } : undefined));
  },
};

/** Tell the protocol a client connection failed (LWS_CALLBACK_CLIENT_CONNECTION_ERROR). */
export function reportConnectionError(wsi: Wsi, err: LwsError): void {
  log.client(`wsi ${wsi.id}: ${err.message}`);
  const p = wsi.protocol;
  if (p?.clientConnectionError) wsi.invoke(() => p.clientConnectionError?.(wsi, wsi.pss, err));
}

function pem(v: string | Buffer): Buffer {
  if (Buffer.isBuffer(v)) return v;
  return v.includes('-----BEGIN') ? Buffer.from(v) : readFileSync(v);
}

function openSocket(info: ClientConnectInfo): { sock: Socket; readyEvent: 'connect' | 'secureConnect' } {
  const tcp = info.unixSocket
    ? netConnect({ path: info.unixSocket })
    : netConnect({ host: info.address, port: info.port, localAddress: info.localAddress });
  if (!info.ssl) return { sock: tcp, readyEvent: 'connect' };
  const o = info.ssl === true ? {} : info.ssl;
  const servername = o.servername ?? (info.host ?? info.address).replace(/:\d+$/, '');
  const sock = tlsConnect({
    socket: tcp,
    host: info.address,
    // SNI carries names only, never IP literals (RFC 6066 §3)
    servername: /^[\d.]+$|:/.test(servername) ? undefined : servername,
    ALPNProtocols: o.alpn ?? ['http/1.1'],
    rejectUnauthorized: !o.allowSelfSigned,
    ca: o.ca ? pem(o.ca) : undefined,
    // tls.connect asserts this is a function when the key is present at all
    ...(o.skipHostnameCheck || o.allowSelfSigned ? { checkServerIdentity: () => undefined } : {}),
  });
  return { sock, readyEvent: 'secureConnect' };
}

/**
 * Start a client connection. Returns its wsi at once; the protocol hears
 * of success from its role's established callback, of failure from
 * clientConnectionError.
 *
 * @example
 * ```ts
 * context.clientConnect({ address: 'localhost', port: 7681, path: '/', protocol: 'my-client', role: 'http' });
 * ```
 */
export function clientConnect(owner: WsiOwner, vhost: Vhost, info: ClientConnectInfo): Wsi {
  const p = info.bindProtocol ?? vhost.protocol(info.protocol);
  if (!p) throw new TypeError(`Cannot connect: vhost "${vhost.name}" has no protocol "${info.protocol}"`);
  const start = findClientRole(info.role);
  if (!start) throw new TypeError(`Cannot connect: no client role "${info.role}" is available`);
  if (!info.unixSocket && (!Number.isInteger(info.port) || info.port <= 0 || info.port > 65535)) {
    throw new RangeError(`Cannot connect: port ${info.port} is not in 1..65535`);
  }
  const joined = findClientJoin(info.role)?.(owner, vhost, p, info);
  if (joined) return joined;
  const { sock, readyEvent } = openSocket(info);
  const transport = new SocketTransport(sock);
  const wsi = new Wsi({ owner, vhost, transport, role: connectingRole, isClient: true });
  wsi.bindProtocol(p);
  wireTransport(wsi, transport);
  wsi.setTimeout(TimeoutReason.ClientConnect, info.connectTimeoutSecs ?? 10);
  log.client(`wsi ${wsi.id}: connecting to ${info.unixSocket ?? `${info.address}:${info.port}`}${info.ssl ? ' (tls)' : ''}`);
  sock.once(readyEvent, () => {
    wsi.setTimeout(TimeoutReason.ClientConnect, 0);
    if (wsi.closed) return;
    wsi.invoke(() => start(wsi, info));
  });
  return wsi;
}
