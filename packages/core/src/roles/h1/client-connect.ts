/*
 * Starting h1 client requests (lws_client_connect_via_info for 'http'):
 * the options are checked and the request head built before any socket
 * opens, so misuse throws at the call; with `pipeline` a request joins a
 * pooled connection to the same host as a child wsi, or opens the pool's
 * next connection, within the per-host limit.
 */
import { clientConnect, type ClientConnectInfo } from '../../context/connect.js';
import type { Protocol } from '../../context/protocol.js';
import type { Vhost } from '../../context/vhost.js';
import { Wsi, type WsiOwner } from '../../context/wsi.js';
import { LwsError } from '../../errors.js';
import { Conn, errorTxn, h1ClientRole, h1ClientTxnRole, newTxn, pump, type ChildData, type Prepared } from './client.js';
import { bodyPlan, buildRequestHead, resolveClientOptions, type ResolvedClientOptions } from './client-options.js';
import { poolAdd, poolKey, poolPick } from './client-pool.js';

const prepared = new WeakMap<ClientConnectInfo, Prepared>();
const pending = new WeakMap<ClientConnectInfo, Conn>();
const opening = new WeakSet<ClientConnectInfo>();

/** Checks the options and builds the head; kept (by `info`) only for a connection that opens. */
function prepare(info: ClientConnectInfo): Prepared {
  const p = prepared.get(info);
  if (p) return p;
  const { opts, raw } = resolveClientOptions(info);
  const plan = bodyPlan(raw);
  return { info, raw, opts, plan, head: buildRequestHead(info, raw, plan), method: info.method ?? 'GET' };
}

/** The resolved options as a pool key part, without JSON.stringify of the whole object per request. */
function optionsKey(o: ResolvedClientOptions): string {
  return `${o.pipeline}|${o.redirects}|${o.maxConnectionsPerHost}|${o.maxQueue}|${o.headersTimeoutSecs}|${o.idleTimeoutSecs}|${o.keepAliveIdleSecs}|${o.bodyPieceBytes}|${JSON.stringify(o.limits)}`;
}

/** Starts the role on a connected network wsi (registered as the 'http' client kind). */
export function startH1Client(wsi: Wsi, info: ClientConnectInfo): void {
  const p = prepare(info);
  const conn = pending.get(info) ?? new Conn(wsi, '', p.opts);
  pending.delete(info);
  wsi.setRole(h1ClientRole, conn);
  conn.started = true;
  conn.own = newTxn(wsi, p);
  conn.txns.unshift(conn.own);
  pump(conn);
}

/**
 * Runs before a client http connection opens a socket: checks the options
 * (throwing at the boundary) and, for `pipeline`, puts the request on a
 * pooled connection to the same host as a child wsi, or opens the pool's
 * next connection.
 */
export function joinH1Client(owner: WsiOwner, vhost: Vhost, protocol: Protocol, info: ClientConnectInfo): Wsi | undefined {
  if (opening.has(info)) return undefined; // the connect made just below
  const prep = prepare(info);
  if (!prep.opts.pipeline) {
    prepared.set(info, prep); // startH1Client runs once the socket is connected
    return undefined;
  }
  // one parser and one set of timers per connection: only requests asking for the same share it
  const key = `${poolKey(vhost, info)}|${optionsKey(prep.opts)}`;
  const conn = poolPick<Conn>(owner, key, prep.opts.maxConnectionsPerHost);
  if (!conn) {
    const own: ClientConnectInfo = { ...info, bindProtocol: protocol };
    prepared.set(own, prep);
    opening.add(own);
    const net = clientConnect(owner, vhost, own);
    const c = new Conn(net, key, prep.opts);
    pending.set(own, c);
    poolAdd(owner, c);
    return net;
  }
  const child = new Wsi({ owner, vhost, transport: conn.net.transport, role: h1ClientTxnRole, parent: conn.net, isClient: true });
  child.bindProtocol(protocol);
  const t = newTxn(child, prep);
  child.roleData = { conn, txn: t } satisfies ChildData;
  if (conn.load >= conn.opts.maxQueue) {
    const err = new LwsError('LWS_ERR_H1_CLIENT_QUEUE_FULL', `Cannot queue request: ${conn.load} requests wait on the connection, limit is ${conn.opts.maxQueue}`);
    queueMicrotask(() => errorTxn(conn, t, err));
    return child;
  }
  conn.txns.push(t);
  pump(conn);
  return child;
}
