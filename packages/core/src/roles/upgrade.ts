/*
 * Upgrades out of h1 (RFC 9110 §7.8), without h1 importing the roles it
 * upgrades into: a role registers a handler for its Upgrade token
 * (`websocket`), and the h1 server asks the registry when a request names it.
 */
import type { Wsi } from '../context/wsi.js';
import type { HttpRequest } from '../http/request.js';

/** What an upgrade handler decides for one request. */
export type UpgradeDecision =
  /** Switch: once the request is complete the h1 parser stops and `start` gets the bytes after it. */
  | { kind: 'accept'; start: (leftover: Buffer) => void }
  /** Not for us: serve the request as plain http (RFC 9110 lets a server ignore Upgrade). */
  | { kind: 'decline' }
  /** The handler already answered (e.g. 400, 403, 426) through `wsi.respond`. */
  | { kind: 'responded' };

export type UpgradeHandler = (wsi: Wsi, req: HttpRequest) => UpgradeDecision;

const handlers = new Map<string, UpgradeHandler>();

/**
 * Register the handler for an Upgrade token (case-insensitive).
 *
 * @example
 * ```ts
 * registerUpgrade('websocket', (wsi, req) => ({ kind: 'decline' }));
 * ```
 */
export function registerUpgrade(token: string, h: UpgradeHandler): void {
  handlers.set(token.toLowerCase(), h);
}

/** The handler for the first token of an Upgrade header value we know, if any. */
export function findUpgrade(upgradeHeader: string): UpgradeHandler | undefined {
  for (const part of upgradeHeader.split(',')) {
    const token = part.trim().split('/')[0]?.toLowerCase() ?? '';
    const h = handlers.get(token);
    if (h) return h;
  }
  return undefined;
}
