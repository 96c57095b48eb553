/*
 * Client connections (lws_client_connect_via_info): TCP, TLS or a unix
 * socket to a peer, a wsi bound to the protocol that receives the
 * callbacks, a connect timeout per attempt, optional retry with backoff
 * (lws_retry_bo_t), and the role for `info.role` started once the
 * transport is up. Failures before that reach the protocol's
 * clientConnectionError with a reason, once, after the last attempt.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { LwsError } from '../errors.js';
import { SocketTransport } from '../net/socket-transport.js';
import type { Transport, TransportHandlers, TransportTlsInfo } from '../net/transport.js';
import { findClientJoin, findClientRole, type ClientRoleStarter } from '../roles/client-registry.js';
import type { RoleOps } from '../roles/role.js';
import { wireTransport } from './adopt.js';
import { log } from './log.js';
import type { Protocol } from './protocol.js';
import type { Sul } from './sul.js';
import type { Vhost } from './vhost.js';
import { Wsi, type WsiOwner } from './wsi.js';

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
  /** Seconds each attempt may take to connect (and finish TLS); 0 for no limit. Default 10. */
  connectTimeoutSecs?: number;
  /**
   * Try again, after a backoff, when the connection fails before it is
   * established (refused, timed out, TLS failure); the same wsi and pss
   * carry over. Never applies once the role has started, nor to an http
   * request that joins a pooled connection. Default: one attempt.
   */
  retry?: ClientRetry;
  /** The role to run once connected. */
  role: 'http' | 'ws' | 'raw';
  /** Role-specific options (extra headers, body, ws extensions...), read by that role. */
  extra?: Record<string, unknown>;
  /** Bind this protocol object instead of looking `protocol` up on the vhost (library clients such as httpRequest). */
  bindProtocol?: Protocol;
}

/**
 * Backoff for a client connection that fails before it is established
 * (lws_retry_bo_t).
 *
 * @example
 * ```ts
 * context.clientConnect({ address: '127.0.0.1', port: 7681, protocol: 'p', role: 'ws', retry: { attempts: 5 } });
 * ```
 */
export interface ClientRetry {
  /** Attempts in all, the first one included (1 means no retry). */
  attempts: number;
  /** Wait before each retry in ms; the last one is repeated. Default [100, 200, 400, 800, 1600]. */
  delaysMs?: number[];
  /** Each wait is lengthened by a random 0..jitterPercent % so clients do not retry in step. Default 20. */
  jitterPercent?: number;
}

/** A checked ClientRetry with its defaults filled in. */
export interface RetryPolicy {
  readonly attempts: number;
  readonly delaysMs: readonly number[];
  readonly jitterPercent: number;
}

const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [100, 200, 400, 800, 1600];
const DEFAULT_RETRY_JITTER_PERCENT = 20;
// setTimeout's limit: a longer delay would fire at once
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Check `info.retry` at the API boundary: TypeError for a wrong shape, RangeError for a wrong value. */
export function resolveRetry(retry: ClientRetry | undefined): RetryPolicy | undefined {
  if (retry === undefined) return undefined;
  if (typeof retry !== 'object' || retry === null) throw new TypeError(`Cannot connect: retry must be an object, got ${retry === null ? 'null' : typeof retry}`);
  const { attempts, delaysMs = DEFAULT_RETRY_DELAYS_MS, jitterPercent = DEFAULT_RETRY_JITTER_PERCENT } = retry;
  if (!Number.isSafeInteger(attempts) || attempts < 1) throw new RangeError(`Cannot connect: retry.attempts is ${String(attempts)}, expected an integer of at least 1`);
  if (!Array.isArray(delaysMs)) throw new TypeError(`Cannot connect: retry.delaysMs must be an array of numbers, got ${typeof delaysMs}`);
  if (delaysMs.length === 0) throw new RangeError('Cannot connect: retry.delaysMs is empty, expected at least one delay');
  delaysMs.forEach((d: unknown, i) => {
    if (typeof d !== 'number' || !(d >= 0 && d <= MAX_TIMER_MS)) throw new RangeError(`Cannot connect: retry.delaysMs[${i}] is ${String(d)}, expected ms in 0..${MAX_TIMER_MS}`);
  });
  if (typeof jitterPercent !== 'number' || !(jitterPercent >= 0 && jitterPercent <= 100)) {
    throw new RangeError(`Cannot connect: retry.jitterPercent is ${String(jitterPercent)}, expected 0..100`);
  }
  return { attempts, delaysMs: [...delaysMs], jitterPercent };
}

/**
 * The wait before the next attempt after `failed` attempts failed: the
 * table's entry (its last one repeated) plus up to jitterPercent more.
 */
export function retryDelayMs(policy: RetryPolicy, failed: number, random: () => number = Math.random): number {
  const t = policy.delaysMs;
  const base = t[Math.min(Math.max(failed, 1), t.length) - 1] ?? 0;
  return Math.min(MAX_TIMER_MS, Math.round(base * (1 + (policy.jitterPercent / 100) * random())));
}

/** The role a client wsi has while it connects: turns the final failure into a connection error. */
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
    const tried = (wsi.roleData as ClientTransport).triedNote();
    reportConnectionError(wsi, new LwsError('LWS_ERR_CORE_CONNECT', `Cannot connect: ${reason}${tried}`, {}, error ? { cause: error } : undefined));
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

interface OpenedSocket {
  sock: Socket;
  readyEvent: 'connect' | 'secureConnect';
}

function openSocket(info: ClientConnectInfo): OpenedSocket {
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

const noop = (): void => {};

/**
 * The transport of a client wsi: one socket per attempt behind one
 * Transport, so a retried connection keeps its wsi, its pss and the h1
 * requests queued on it. Until the role starts, a failure the policy
 * allows to retry is kept from the wsi and the next attempt is scheduled
 * on the context's sul; from then on the socket's events pass through.
 */
class ClientTransport implements Transport {
  readonly #info: ClientConnectInfo;
  readonly #policy: RetryPolicy | undefined;
  readonly #start: ClientRoleStarter;
  readonly #timeout: Sul;
  readonly #backoff: Sul;
  #wsi: Wsi | undefined;
  #sock: Socket | undefined;
  #cur: SocketTransport | undefined;
  #h: TransportHandlers = { data: noop, drain: noop, end: noop, close: noop };
  #attempt = 0;
  #established = false;
  /** The wsi asked to end or destroy: whatever closes next is final. */
  #stopping = false;
  #closed = false;
  #paused = false;

  constructor(owner: WsiOwner, info: ClientConnectInfo, policy: RetryPolicy | undefined, start: ClientRoleStarter, first: OpenedSocket) {
    this.#info = info;
    this.#policy = policy;
    this.#start = start;
    this.#timeout = owner.sul.create(() => this.#timedOut());
    this.#backoff = owner.sul.create(() => this.#retry());
    this.#attach(first);
  }

  /** The wsi this transport serves: its role starts on it once connected. */
  bind(wsi: Wsi): void {
    this.#wsi = wsi;
    this.#logAttempt();
  }

  /** ` (after N attempts)` for a connection with a retry policy, else ''. */
  triedNote(): string {
    if (!this.#policy) return '';
    return ` (after ${this.#attempt} attempt${this.#attempt === 1 ? '' : 's'})`;
  }

  #attach({ sock, readyEvent }: OpenedSocket): void {
    this.#attempt++;
    const t = new SocketTransport(sock);
    this.#sock = sock;
    this.#cur = t;
    t.setHandlers({
      data: (b) => this.#h.data(b),
      drain: () => this.#h.drain(),
      // a FIN before the role starts fails this attempt: the close that follows decides what next
      end: () => {
        if (this.#established) this.#h.end();
      },
      close: (err) => this.#attemptClosed(t, err),
    });
    if (this.#paused) t.pauseRead();
    sock.once(readyEvent, () => {
      if (this.#cur === t && !t.destroyed) this.#connected();
    });
    const secs = this.#info.connectTimeoutSecs ?? 10;
    if (secs > 0) this.#timeout.schedule(secs * 1000);
  }

  #logAttempt(): void {
    const info = this.#info;
    const of = this.#policy ? ` (attempt ${this.#attempt} of ${this.#policy.attempts})` : '';
    log.client(`wsi ${this.#wsi?.id}: connecting to ${info.unixSocket ?? `${info.address}:${info.port}`}${info.ssl ? ' (tls)' : ''}${of}`);
  }

  #connected(): void {
    this.#timeout.dispose();
    this.#established = true;
    const wsi = this.#wsi;
    if (!wsi || wsi.closed || this.#stopping) return;
    wsi.invoke(() => this.#start(wsi, this.#info));
  }

  #timedOut(): void {
    this.#sock?.destroy(new Error(`not connected within ${this.#info.connectTimeoutSecs ?? 10} s`));
  }

  #attemptClosed(t: SocketTransport, err: Error | undefined): void {
    if (t !== this.#cur) return;
    this.#cur = undefined;
    this.#sock = undefined;
    this.#timeout.cancel();
    if (!this.#established && !this.#stopping && this.#scheduleRetry(err)) return;
    this.#finish(err);
  }

  /** Schedule the next attempt if the policy has one left; false when this failure is final. */
  #scheduleRetry(err: Error | undefined): boolean {
    const p = this.#policy;
    if (!p || this.#attempt >= p.attempts) return false;
    const ms = retryDelayMs(p, this.#attempt);
    this.#backoff.schedule(ms);
    if (!this.#backoff.pending) return false; // the context is being destroyed
    const why = err ? err.message : 'connection closed before it was established';
    log.client(`wsi ${this.#wsi?.id}: attempt ${this.#attempt} of ${p.attempts} failed: ${why}; retrying in ${ms} ms`);
    return true;
  }

  #retry(): void {
    if (this.#stopping || this.#closed) return;
    let opened: OpenedSocket;
    try {
      opened = openSocket(this.#info);
    } catch (err) {
      // the first attempt opened with the same info, so only the environment changed (a CA file gone)
      return this.#finish(err instanceof Error ? err : new Error(String(err)));
    }
    this.#attach(opened);
    this.#logAttempt();
  }

  #finish(err: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#timeout.dispose();
    this.#backoff.dispose();
    this.#h.close(err);
  }

  setHandlers(h: TransportHandlers): void {
    this.#h = h;
  }

  write(chunk: Uint8Array): boolean {
    return this.#cur?.write(chunk) ?? false;
  }

  get needDrain(): boolean {
    return this.#cur?.needDrain ?? false;
  }

  get bufferedAmount(): number {
    return this.#cur?.bufferedAmount ?? 0;
  }

  pauseRead(): void {
    this.#paused = true;
    this.#cur?.pauseRead();
  }

  resumeRead(): void {
    this.#paused = false;
    this.#cur?.resumeRead();
  }

  end(): void {
    if (!this.#cur) return this.destroy();
    this.#stopping = true;
    this.#cur.end();
  }

  destroy(): void {
    this.#stopping = true;
    if (this.#cur) return this.#cur.destroy();
    this.#backoff.cancel();
    // as a socket does, report the close on a later tick, not inside the caller
    if (!this.#closed) process.nextTick(() => this.#finish(undefined));
  }

  get destroyed(): boolean {
    return this.#closed || (this.#cur ? this.#cur.destroyed : this.#stopping);
  }

  get remoteAddress(): string | undefined {
    return this.#cur?.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.#cur?.remotePort;
  }

  get tls(): TransportTlsInfo | undefined {
    return this.#cur?.tls;
  }
}

/**
 * Start a client connection. Returns its wsi at once; the protocol hears
 * of success from its role's established callback, of failure from
 * clientConnectionError, once, after the last attempt `info.retry` allows.
 *
 * @example
 * ```ts
 * context.clientConnect({ address: 'localhost', port: 7681, path: '/', protocol: 'my-client', role: 'http', retry: { attempts: 3 } });
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
  const secs = info.connectTimeoutSecs;
  if (secs !== undefined && !(typeof secs === 'number' && secs >= 0 && secs * 1000 <= MAX_TIMER_MS)) {
    throw new RangeError(`Cannot connect: connectTimeoutSecs is ${String(secs)}, expected 0..${Math.floor(MAX_TIMER_MS / 1000)}`);
  }
  const policy = resolveRetry(info.retry);
  // a request that joins a pooled connection opens nothing, so it has nothing to retry
  const joined = findClientJoin(info.role)?.(owner, vhost, p, info);
  if (joined) return joined;
  const transport = new ClientTransport(owner, info, policy, start, openSocket(info));
  const wsi = new Wsi({ owner, vhost, transport, role: connectingRole, isClient: true });
  wsi.roleData = transport;
  wsi.bindProtocol(p);
  wireTransport(wsi, transport);
  transport.bind(wsi);
  return wsi;
}
