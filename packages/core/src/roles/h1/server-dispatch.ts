/*
 * Routing one parsed request (RFC 9110 §9): method checks (501 for methods
 * we do not know, 405 + Allow for known ones a mount does not serve),
 * OPTIONS, basic auth, then the matched mount: file, callback protocol or
 * redirect. `Expect: 100-continue` is answered only when a callback mount
 * will read the body; any other expectation is answered 417 (RFC 9110 §10.1.1).
 */
import { log } from '../../context/log.js';
import type { Wsi } from '../../context/wsi.js';
import { basicAuthFor } from '../../http/basic-auth.js';
import { matchMount, type FileMount, type Mount } from '../../http/mount.js';
import { findHeader, type HttpRequest } from '../../http/request.js';
import type { HeaderList } from '../../http/response.js';
import { resolveAndServeFile, sendError, sendRedirect, serveCachedFile, serveFileMount } from '../../http/static-file.js';

/** Methods of RFC 9110 §9.3 and RFC 5789; anything else is answered 501. */
export const KNOWN_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/** Methods a file mount serves. */
export const FILE_METHODS = 'GET, HEAD, OPTIONS';

/** What routing needs from the connection state (server.ts implements it). */
export interface DispatchHooks {
  /** Deliver the request body to the bound protocol's httpBody handler. */
  bodyToProtocol(): void;
  /** Send `100 Continue` if the client waits for it and nothing was answered yet. */
  sendContinue(): void;
  /** Extra headers of the matched mount, for every response on it. */
  mountHeaders(h: HeaderList | undefined): void;
  /** Stop parsing (the body) until `resume()`: an async decision is pending. */
  pause(): void;
  resume(): void;
}

/**
 * The first Expect member we cannot meet (anything but `100-continue`,
 * compared case-insensitively), or undefined. Empty members are skipped.
 *
 * @example
 * ```ts
 * unmetExpectation(makeHttpRequest('PUT', '/', '1.1', [['expect', '100-continue, x-fast']])); // 'x-fast'
 * ```
 */
export function unmetExpectation(req: HttpRequest): string | undefined {
  for (const [name, value] of req.headers) {
    if (name !== 'expect') continue;
    for (const member of value.split(',')) {
      const m = member.trim();
      if (m !== '' && m.toLowerCase() !== '100-continue') return m;
    }
  }
  return undefined;
}

/**
 * Answer with no body.
 *
 * @example
 * ```ts
 * emptyResponse(wsi, 204, [['allow', FILE_METHODS]]);
 * ```
 */
export function emptyResponse(wsi: Wsi, status: number, headers: [string, string][]): void {
  wsi.respond({ status, headers, contentLength: 0 });
  wsi.write(Buffer.alloc(0), 'http-final');
}

/**
 * Route a request whose head has arrived.
 *
 * @example
 * ```ts
 * dispatch(wsi, req, hooks); // answers 501/405/404/401 itself, or hands over to the mount
 * ```
 */
export function dispatch(wsi: Wsi, req: HttpRequest, hooks: DispatchHooks): void {
  if (!KNOWN_METHODS.has(req.method)) return void sendError(wsi, req, 501);
  if (req.target === '*') {
    if (req.method === 'OPTIONS') return emptyResponse(wsi, 204, [['allow', FILE_METHODS]]);
    return void sendError(wsi, req, 400);
  }
  if (req.method === 'CONNECT') return void sendError(wsi, req, 405, [['allow', FILE_METHODS]]);
  const m = matchMount(wsi.vhost.mounts, req.path);
  if (!m) return void sendError(wsi, req, 404);
  req.pathInMount = m.rest;
  hooks.mountHeaders(m.mount.headers);
  const auth = m.mount.basicAuth;
  if (!auth) return route(wsi, req, m.mount, m.rest, m.redirectToSlash, hooks);
  hooks.pause();
  basicAuthFor(auth)
    .check(req.header('authorization'))
    .then(
      (user) => {
        if (wsi.closed) return;
        if (user === undefined) {
          log.info(`wsi ${wsi.id}: basic auth refused for ${req.path}`);
          void sendError(wsi, req, 401, [basicAuthFor(auth).challenge()]);
        } else {
          route(wsi, req, m.mount, m.rest, m.redirectToSlash, hooks);
        }
        hooks.resume();
      },
      (err: unknown) => {
        log.err(`wsi ${wsi.id}: basic auth failed: ${String(err)}`);
        if (!wsi.closed) void sendError(wsi, req, 500);
        hooks.resume();
      },
    );
}

function route(wsi: Wsi, req: HttpRequest, mount: Mount, rest: string, redirectToSlash: boolean, hooks: DispatchHooks): void {
  if (redirectToSlash) return sendRedirect(wsi, 301, `${req.path}/${req.query ? `?${req.query}` : ''}`);
  if (mount.kind === 'redirect') {
    const query = req.query ? `?${req.query}` : '';
    return sendRedirect(wsi, mount.status ?? 301, mount.location + (rest === '/' ? '' : rest.slice(1)) + query);
  }
  if (mount.kind === 'callback') {
    const p = wsi.vhost.protocol(mount.protocol);
    if (!p?.http) return void sendError(wsi, req, 404);
    wsi.bindProtocol(p);
    hooks.bodyToProtocol();
    try {
      p.http(wsi, wsi.pss, req); // as wsi.invoke() would, without a closure per request
    } catch (cause) {
      wsi.handlerThrew(cause);
    }
    hooks.sendContinue();
    return;
  }
  if (req.method === 'OPTIONS') return emptyResponse(wsi, 204, [['allow', FILE_METHODS]]);
  if (req.method !== 'GET' && req.method !== 'HEAD') return void sendError(wsi, req, 405, [['allow', FILE_METHODS]]);
  // A cached file is answered synchronously. When the request announced a
  // body (a GET with one is legal), answer after the parser has taken what
  // already arrived of it: an answer sent before the whole body closes the
  // connection, and a body that came with the head need not cost that.
  if (findHeader(req.headers, 'content-length') !== undefined || findHeader(req.headers, 'transfer-encoding') !== undefined) {
    queueMicrotask(() => serveFile(wsi, req, mount, rest));
    return;
  }
  let cached: boolean;
  try {
    cached = serveCachedFile(wsi, req, mount, rest);
  } catch (err) {
    return fileFailed(wsi, req, err);
  }
  if (!cached) resolveAndServeFile(wsi, req, mount, rest).catch((err: unknown) => fileFailed(wsi, req, err));
}

/** Serve from a file mount; a failure that escapes answers 500. */
function serveFile(wsi: Wsi, req: HttpRequest, mount: FileMount, rest: string): void {
  serveFileMount(wsi, req, mount, rest).catch((err: unknown) => fileFailed(wsi, req, err));
}

function fileFailed(wsi: Wsi, req: HttpRequest, err: unknown): void {
  log.err(`wsi ${wsi.id}: serving ${req.path} failed: ${String(err)}`);
  if (wsi.closed) return;
  if (!wsi.respond({ status: 500, contentLength: 0 })) wsi.destroy();
  else wsi.write(Buffer.alloc(0), 'http-final');
}
