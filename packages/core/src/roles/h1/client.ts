/*
 * The h1 client role (lws client-http): sends request heads and bodies
 * (whole, pulled from a source, or written by the protocol's
 * clientHttpWriteable), parses responses of every framing (RFC 9112 §6.3)
 * and reports them as establishedClientHttp / receiveClientHttp /
 * completedClientHttp. A connection carries one request, or with
 * `pipeline` a queue of them: later requests are child wsi of the first,
 * GET/HEAD without body are pipelined, the rest wait their turn. Every
 * failure reaches clientConnectionError once; timers cover the response
 * head, a stalled body and an idle kept connection.
 */
import { reportConnectionError, type ClientConnectInfo } from '../../context/connect.js';
import { log } from '../../context/log.js';
import type { Sul } from '../../context/sul.js';
import type { Wsi } from '../../context/wsi.js';
import { LwsError } from '../../errors.js';
import type { RoleOps, WriteKind } from '../role.js';
import { redirectRequest, type BodyPlan, type H1ClientOptions, type RedirectRequest, type ResolvedClientOptions } from './client-options.js';
import { poolRemove } from './client-pool.js';
import { bodyWriteable, sendHead, writeBody } from './client-send.js';
import { H1Parser, headerValue, type H1Headers, type H1ResponseHead } from './parser.js';

/** One request and its response. */
export interface Txn {
  readonly wsi: Wsi;
  readonly prep: Prepared;
  path: string;
  method: string;
  head: Buffer;
  plan: BodyPlan;
  redirectsLeft: number;
  /** The 3xx being read is followed with this request once it completes. */
  redirect: RedirectRequest | undefined;
  headSent: boolean;
  /** The whole request is on the wire. */
  sent: boolean;
  /** Body bytes still owed under Content-Length. */
  remaining: number;
  /** A pulled source piece waiting for a writeable callback; null marks the end. */
  piece: Uint8Array | null | undefined;
  pulling: boolean;
  established: boolean;
  /** completedClientHttp or clientConnectionError has been delivered. */
  done: boolean;
  /** Its wsi is closing or closed. */
  released: boolean;
}

type TimerWhat = 'headers' | 'idle' | 'keepalive' | 'linger';

/** Connection state (the network wsi's roleData). */
export class Conn {
  readonly key: string;
  readonly net: Wsi;
  readonly opts: ResolvedClientOptions;
  readonly parser: H1Parser<'response'>;
  readonly txns: Txn[] = [];
  readonly timer: Sul;
  timerWhat: TimerWhat | undefined;
  /** When the current timeout is due, and when the pending timer run comes (performance.now() ms). */
  deadline = 0;
  timerAt = 0;
  receiving: Txn | undefined;
  /** The network wsi's own request. */
  own: Txn | undefined;
  keepAlive = true;
  started = false;
  #closing = false;
  userClosed = false;
  netEstablished = false;

  constructor(net: Wsi, key: string, opts: ResolvedClientOptions) {
    this.net = net;
    this.key = key;
    this.opts = opts;
    this.timer = net.owner.sul.create(() => onTimer(this));
    this.parser = new H1Parser<'response'>({ kind: 'response', ...opts.limits }, {
      onHead: (head) => onHead(this, head),
      onBody: (chunk) => onBody(this, chunk),
      onComplete: (trailers) => onComplete(this, trailers),
    });
  }

  /** Requests queued or in flight, the connection's own one before it has connected included. */
  get load(): number {
    return this.txns.length + (this.started ? 0 : 1);
  }

  /** Takes no new request: closing, or the network wsi is gone (it may never have connected). */
  get closing(): boolean {
    return this.#closing || this.net.closed;
  }

  set closing(v: boolean) {
    this.#closing = v;
  }
}

const PIPELINE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What a request needs that is worked out once, before connecting. */
export interface Prepared {
  info: ClientConnectInfo;
  raw: H1ClientOptions;
  opts: ResolvedClientOptions;
  plan: BodyPlan;
  head: Buffer;
  method: string;
}

export function newTxn(wsi: Wsi, p: Prepared): Txn {
  return { wsi, prep: p, path: p.info.path ?? '/', method: p.method, head: p.head, plan: p.plan, redirectsLeft: p.opts.redirects, redirect: undefined, headSent: false, sent: false, remaining: 0, piece: undefined, pulling: false, established: false, done: false, released: false };
}

/** A queued request's wsi: its connection and its transaction. */
export interface ChildData {
  conn: Conn;
  txn: Txn;
}

function connOf(wsi: Wsi): Conn {
  return wsi.parent ? (wsi.roleData as ChildData).conn : (wsi.roleData as Conn);
}

function txnOf(wsi: Wsi): Txn | undefined {
  if (wsi.parent) return (wsi.roleData as ChildData).txn;
  const own = (wsi.roleData as Conn).own;
  return own?.done ? undefined : own;
}

const pipelinable = (t: Txn): boolean => PIPELINE_METHODS.has(t.method) && t.plan.kind === 'none';

/** Send what may be sent now: request heads in order, pipelining GET/HEAD behind each other. */
export function pump(conn: Conn): void {
  if (!conn.started || conn.closing) return;
  const t = conn.txns.find((x) => !x.sent);
  if (t && !t.headSent) {
    const i = conn.txns.indexOf(t);
    const ok = i === 0 || (conn.opts.pipeline && conn.keepAlive && pipelinable(t) && conn.txns.slice(0, i).every(pipelinable));
    if (ok) sendHead(conn, t);
  }
  armTimer(conn);
}

function onHead(conn: Conn, head: H1ResponseHead): void {
  if (conn.closing) return;
  if (head.status < 200 && head.status !== 101) return; // interim, e.g. 100 Continue
  const t = conn.txns[0];
  if (!t?.headSent) return void fail(conn, new LwsError('LWS_ERR_H1_CLIENT_UNSOLICITED', `Cannot accept response: status ${head.status} arrived with no request outstanding`, { status: 502 }));
  if (head.status === 101) return void fail(conn, new LwsError('LWS_ERR_H1_CLIENT_UPGRADE', `Cannot accept response: 101 Switching Protocols to ${JSON.stringify(head.upgrade ?? '')} on an http request`, { status: 502 }));
  conn.receiving = t;
  conn.keepAlive = head.keepAlive;
  if (t.redirectsLeft > 0 && head.keepAlive) {
    t.redirect = redirectRequest(t.prep.info, t.prep.raw, t, head.status, headerValue(head.headers, 'location'));
    if (t.redirect) return armTimer(conn); // the protocol sees only the final response
  }
  t.established = true;
  if (t.wsi === conn.net) conn.netEstablished = true;
  armTimer(conn);
  const p = t.wsi.protocol;
  const res = { status: head.status, reason: head.reason, httpVersion: head.version, headers: head.headers };
  if (p?.establishedClientHttp) t.wsi.invoke(() => p.establishedClientHttp?.(t.wsi, t.wsi.pss, res));
}

function onBody(conn: Conn, chunk: Uint8Array): void {
  const t = conn.receiving;
  if (!t || conn.closing || t.done) return;
  armTimer(conn);
  if (t.redirect) return;
  const p = t.wsi.protocol;
  if (p?.receiveClientHttp) t.wsi.invoke(() => p.receiveClientHttp?.(t.wsi, t.wsi.pss, Buffer.from(chunk)));
}

function onComplete(conn: Conn, trailers: H1Headers): void {
  const t = conn.receiving;
  if (!t || conn.closing) return; // a 1xx completes with no receiver
  conn.receiving = undefined;
  conn.txns.shift();
  if (t.redirect) return followRedirect(conn, t, t.redirect);
  if (!t.done) {
    t.done = true;
    const p = t.wsi.protocol;
    if (p?.completedClientHttp) t.wsi.invoke(() => p.completedClientHttp?.(t.wsi, t.wsi.pss, trailers));
  }
  if (t.wsi !== conn.net && !t.released) t.wsi.destroy();
  if (conn.closing) return;
  if (!conn.opts.pipeline || !conn.keepAlive) {
    const msg = 'Cannot send request: the server closed the connection after the previous response';
    return closeConn(conn, new LwsError('LWS_ERR_H1_CLIENT_CLOSED', msg, { status: 502 }));
  }
  pump(conn);
}

/** Send the redirected request for `t` on this connection, behind anything already sent. */
function followRedirect(conn: Conn, t: Txn, r: RedirectRequest): void {
  log.client(`wsi ${t.wsi.id}: redirected to ${r.path}`);
  Object.assign(t, { path: r.path, method: r.method, plan: r.plan, head: r.head, redirect: undefined, headSent: false, sent: false, remaining: 0 });
  t.redirectsLeft--;
  conn.txns.push(t);
  pump(conn);
}

/*
 * One timer per connection, re-armed lazily: a new deadline later than the
 * pending run only moves `deadline`, and a run that comes early re-arms for
 * the rest. Keep-alive traffic then touches Node's timer list about once per
 * timeout instead of three times per request.
 */
function setDeadline(conn: Conn, what: TimerWhat, secs: number): void {
  const at = performance.now() + secs * 1000;
  conn.timerWhat = what;
  conn.deadline = at;
  if (conn.timer.pending && conn.timerAt <= at) return;
  conn.timerAt = at;
  conn.timer.schedule(secs * 1000);
}

function armTimer(conn: Conn): void {
  if (conn.closing) return;
  const o = conn.opts;
  if (conn.receiving) setDeadline(conn, 'idle', o.idleTimeoutSecs);
  else if (conn.txns[0]?.sent) {
    if (conn.timerWhat !== 'headers' || !conn.timer.pending) setDeadline(conn, 'headers', o.headersTimeoutSecs);
  } else if (conn.txns.length === 0) setDeadline(conn, 'keepalive', o.keepAliveIdleSecs);
  else {
    conn.timer.cancel();
    conn.timerWhat = undefined;
  }
}

function onTimer(conn: Conn): void {
  const left = conn.deadline - performance.now();
  if (left > 1) {
    conn.timerAt = conn.deadline;
    return conn.timer.schedule(left);
  }
  const o = conn.opts;
  if (conn.timerWhat === 'headers') {
    fail(conn, new LwsError('LWS_ERR_H1_CLIENT_HEADERS_TIMEOUT', `Cannot receive response: no response head within ${o.headersTimeoutSecs} s`, { status: 504 }));
  } else if (conn.timerWhat === 'idle') {
    fail(conn, new LwsError('LWS_ERR_H1_CLIENT_IDLE_TIMEOUT', `Cannot receive response body: nothing received for ${o.idleTimeoutSecs} s`, { status: 504 }));
  } else {
    conn.net.transport.destroy();
  }
}

/** Deliver the one terminal error of a txn and release its wsi. */
export function errorTxn(conn: Conn, t: Txn, err: LwsError): void {
  if (t.done) return;
  t.done = true;
  if (t.plan.kind === 'source') t.plan.source.close?.();
  if (!(conn.userClosed && t.wsi === conn.net)) reportConnectionError(t.wsi, err);
  if (t.wsi !== conn.net && !t.released) t.wsi.destroy();
}

/** The connection is unusable: every outstanding request fails with `err`, the socket is dropped. */
export function fail(conn: Conn, err: LwsError): void {
  if (conn.closing && conn.txns.length === 0) return;
  log.client(`wsi ${conn.net.id}: ${err.message}`);
  conn.closing = true;
  conn.parser.pause();
  conn.timer.cancel();
  poolRemove(conn.net.owner, conn);
  for (const t of conn.txns.splice(0)) errorTxn(conn, t, err);
  conn.receiving = undefined;
  conn.net.transport.destroy();
}

/** Close politely; requests not yet answered fail with `err`. */
function closeConn(conn: Conn, err: LwsError): void {
  conn.closing = true;
  poolRemove(conn.net.owner, conn);
  for (const t of conn.txns.splice(0)) errorTxn(conn, t, err);
  conn.net.transport.end();
  setDeadline(conn, 'linger', 1); // a peer that never closes its side is cut after a second
}

/** The network wsi's role. */
export const h1ClientRole: RoleOps = {
  name: 'h1-client',

  rx(wsi, chunk) {
    const conn = connOf(wsi);
    if (conn.closing) return;
    const r = conn.parser.execute(chunk);
    if (r.kind === 'error') fail(conn, r.error);
    else if (r.kind === 'upgraded' && !conn.closing) {
      fail(conn, new LwsError('LWS_ERR_H1_CLIENT_UPGRADE', 'Cannot accept response: the connection was switched to another protocol', { status: 502 }));
    }
  },

  writeable(wsi) {
    const conn = connOf(wsi);
    const t = conn.txns.find((x) => !x.sent);
    if (!t) return;
    if (t.wsi === wsi) bodyWriteable(conn, t);
    else if (t.wsi.wantsWriteable) t.wsi.serviceWriteable();
  },

  write(wsi, data: Uint8Array, kind: WriteKind) {
    const t = txnOf(wsi);
    if ((kind !== 'http' && kind !== 'http-final') || !t) {
      log.err(`wsi ${wsi.id}: cannot write ${kind} here: no request body is being sent`);
      return false;
    }
    return writeBody(connOf(wsi), t, data, kind === 'http-final');
  },

  close(wsi) {
    const conn = connOf(wsi);
    conn.userClosed = true;
    wsi.transport.destroy();
  },

  peerEnded(wsi) {
    const conn = connOf(wsi);
    if (!conn.closing) {
      const r = conn.parser.finish();
      if (r.kind === 'error') return fail(conn, r.error);
    }
    if (conn.txns.length > 0) {
      const where = conn.receiving ? 'during the response' : 'before the response head';
      return fail(conn, new LwsError('LWS_ERR_H1_CLIENT_CLOSED', `Cannot receive response: connection closed ${where}`, { status: 502 }));
    }
    conn.closing = true;
    poolRemove(wsi.owner, conn);
    wsi.transport.end();
  },

  closed(wsi, error) {
    const conn = connOf(wsi);
    conn.timer.dispose();
    poolRemove(wsi.owner, conn);
    if (conn.txns.length > 0) {
      const why = error ? error.message : 'connection closed';
      fail(conn, new LwsError('LWS_ERR_H1_CLIENT_CLOSED', `Cannot receive response: ${why}`, { status: 502 }, error ? { cause: error } : undefined));
    }
    conn.closing = true;
    const p = wsi.protocol;
    if (conn.netEstablished && p?.closedClientHttp) wsi.invoke(() => p.closedClientHttp?.(wsi, wsi.pss));
  },
};

/** The role of a request queued on another wsi's connection. */
export const h1ClientTxnRole: RoleOps = {
  name: 'h1-client-txn',
  rx() {},
  writeable(wsi) {
    const conn = connOf(wsi);
    const t = txnOf(wsi);
    if (t) bodyWriteable(conn, t);
  },
  write: (wsi, data, kind) => h1ClientRole.write(wsi, data, kind),
  close(wsi) {
    const conn = connOf(wsi);
    const t = txnOf(wsi);
    if (t && !t.done) {
      t.done = true; // closed by its own protocol: no error callback
      if (t.plan.kind === 'source') t.plan.source.close?.();
      if (t.headSent) {
        // its response would arrive for nobody: the connection cannot continue
        fail(conn, new LwsError('LWS_ERR_H1_CLIENT_CLOSED', `Cannot receive response: request on wsi ${wsi.id} was abandoned`, { status: 502 }));
      } else {
        conn.txns.splice(conn.txns.indexOf(t), 1);
      }
    }
    wsi.destroy();
  },
  closed(wsi) {
    const { conn, txn: t } = wsi.roleData as ChildData;
    if (t.released) return;
    t.released = true;
    if (!t.done) {
      const i = conn.txns.indexOf(t);
      if (i !== -1) conn.txns.splice(i, 1);
      errorTxn(conn, t, new LwsError('LWS_ERR_H1_CLIENT_CLOSED', 'Cannot receive response: the shared connection closed', { status: 502 }));
    }
    const p = wsi.protocol;
    if (t.established && p?.closedClientHttp) wsi.invoke(() => p.closedClientHttp?.(wsi, wsi.pss));
  },
};
