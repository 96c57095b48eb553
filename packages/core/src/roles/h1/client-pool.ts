/*
 * Pipelined h1 client connections by host (lws LCCSCF_PIPELINE): which
 * connection a new request to the same host joins, within the per-host
 * connection limit. A request joins an idle connection first, opens a new
 * one while under the limit, and otherwise queues on the least busy one.
 */
import type { ClientConnectInfo } from '../../context/connect.js';
import type { Vhost } from '../../context/vhost.js';
import type { WsiOwner } from '../../context/wsi.js';

/** What the pool needs to know of a connection. */
export interface PooledConn {
  readonly key: string;
  /** Requests queued or in flight. */
  readonly load: number;
  /** Closing or closed: take no new request. */
  readonly closing: boolean;
}

const pools = new WeakMap<WsiOwner, Map<string, Set<PooledConn>>>();

/** Requests to the same key may share connections: same vhost, scheme, address, port, SNI and CA. */
export function poolKey(vhost: Vhost, info: ClientConnectInfo): string {
  const tls = info.ssl === true ? {} : info.ssl || undefined;
  const tlsKey = tls ? `tls:${tls.servername ?? ''}:${tls.allowSelfSigned ? 1 : 0}:${tls.skipHostnameCheck ? 1 : 0}:${tls.ca ? String(tls.ca).slice(0, 64) : ''}` : 'tcp';
  const where = info.unixSocket ? `unix:${info.unixSocket}` : `${info.address}:${info.port}`;
  return `${vhost.name}|${tlsKey}|${where}|${info.host ?? ''}|${info.localAddress ?? ''}`;
}

function group(owner: WsiOwner, key: string): Set<PooledConn> {
  let byKey = pools.get(owner);
  if (!byKey) pools.set(owner, (byKey = new Map()));
  let g = byKey.get(key);
  if (!g) byKey.set(key, (g = new Set()));
  return g;
}

export function poolAdd(owner: WsiOwner, conn: PooledConn): void {
  group(owner, conn.key).add(conn);
}

export function poolRemove(owner: WsiOwner, conn: PooledConn): void {
  const byKey = pools.get(owner);
  const g = byKey?.get(conn.key);
  if (!g) return;
  g.delete(conn);
  if (g.size === 0) byKey?.delete(conn.key);
}

/**
 * The connection a new request should join, or undefined to open a new
 * one (idle first; a new one while under `limit`; else the least loaded).
 */
export function poolPick<C extends PooledConn>(owner: WsiOwner, key: string, limit: number): C | undefined {
  const g = pools.get(owner)?.get(key);
  if (!g) return undefined;
  let best: PooledConn | undefined;
  let live = 0;
  for (const c of g) {
    if (c.closing) {
      g.delete(c); // it never takes a request again
      continue;
    }
    live++;
    if (c.load === 0) return c as C;
    if (!best || c.load < best.load) best = c;
  }
  return live < limit ? undefined : (best as C | undefined);
}
