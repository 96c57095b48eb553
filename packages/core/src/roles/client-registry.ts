/*
 * Client roles by kind, so context/connect.ts can start whichever role a
 * connection asked for (http, ws, raw) without importing the roles.
 */
import type { ClientConnectInfo } from '../context/connect.js';
import type { Wsi } from '../context/wsi.js';

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
