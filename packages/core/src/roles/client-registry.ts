/*
 * Client roles by kind, so context/connect.ts can start whichever role a
 * connection asked for (http, ws, raw) without importing the roles.
 */
import type { ClientConnectInfo } from '../context/connect.js';
import type { Protocol } from '../context/protocol.js';
import type { Vhost } from '../context/vhost.js';
import type { Wsi, WsiOwner } from '../context/wsi.js';

/** Starts a role on a wsi whose transport has just connected (TLS done). */
export type ClientRoleStarter = (wsi: Wsi, info: ClientConnectInfo) => void;

const starters = new Map<string, ClientRoleStarter>();

/**
 * Register the starter for a client kind.
 *
 * @example
 * ```ts
 * registerClientRole('http', (wsi, info) => startH1Client(wsi, info));
 * ```
 */
export function registerClientRole(kind: ClientConnectInfo['role'], start: ClientRoleStarter): void {
  starters.set(kind, start);
}

export function findClientRole(kind: string): ClientRoleStarter | undefined {
  return starters.get(kind);
}

/**
 * Lets a role put a new connection request on an existing connection
 * (keep-alive reuse, pipelining: lws LCCSCF_PIPELINE) before a socket is
 * opened; returns the wsi made for it, or undefined to connect normally.
 * It may throw TypeError/RangeError for bad role options.
 */
export type ClientJoiner = (owner: WsiOwner, vhost: Vhost, protocol: Protocol, info: ClientConnectInfo) => Wsi | undefined;

const joiners = new Map<string, ClientJoiner>();

/**
 * Register the joiner for a client kind.
 *
 * @example
 * ```ts
 * registerClientJoin('http', (owner, vhost, p, info) => findIdleConnection(owner, info));
 * ```
 */
export function registerClientJoin(kind: ClientConnectInfo['role'], join: ClientJoiner): void {
  joiners.set(kind, join);
}

export function findClientJoin(kind: string): ClientJoiner | undefined {
  return joiners.get(kind);
}
