/*
 * A promise on top of the h1 client role for scripts and tests:
 * `httpRequest(context, { url }) -> { status, headers, body }`, with a body
 * size limit, keep-alive reuse by default, redirects (off by default, as
 * lws) and retries with exponential backoff for requests that never got a
 * response (connect failures, connections closed before the head).
 */
import type { ClientTlsOptions } from '../context/connect.js';
import type { Context } from '../context/context.js';
import { defineProtocol, type ClientHttpResponse } from '../context/protocol.js';
import type { Wsi } from '../context/wsi.js';
import { LwsError } from '../errors.js';
import type { TransportTlsInfo } from '../net/transport.js';
import type { ClientBodySource, H1ClientOptions } from '../roles/h1/client-options.js';
import type { HeaderList } from './response.js';

export interface HttpRequestOptions {
  url: string | URL;
  /** Default GET. */
  method?: string;
  headers?: HeaderList | Readonly<Record<string, string>>;
  /** A whole body, or a source pulled in pieces (MultipartWriter). */
  body?: Uint8Array | string | ClientBodySource;
  contentType?: string;
  /** Response body bytes kept; more fails with LWS_ERR_H1_CLIENT_BODY_TOO_LARGE. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Redirects followed (3xx with Location); past it LWS_ERR_H1_CLIENT_REDIRECT. Default 0: a 3xx is returned. */
  redirects?: number;
  /** Extra attempts for an idempotent request that got no complete response (refused, reset, closed before or during it). Default 0. */
  retries?: number;
  /** Delay before the first retry, doubled each time. Default 100. */
  retryDelayMs?: number;
  /** Reuse kept-alive connections to the same host (and pipeline GETs). Default true. */
  keepAlive?: boolean;
  /** Connections per host with keepAlive. Default 6. */
  maxConnectionsPerHost?: number;
  ssl?: ClientTlsOptions;
  connectTimeoutSecs?: number;
  headersTimeoutSecs?: number;
  idleTimeoutSecs?: number;
  /** Response parser limits. */
  limits?: H1ClientOptions['limits'];
  /** Vhost of the context to connect from; default its first. */
  vhost?: string;
}

/** A complete response. */
export interface HttpResponse {
  status: number;
  reason: string;
  httpVersion: '1.0' | '1.1';
  headers: HeaderList;
  trailers: HeaderList;
  body: Buffer;
  /** The URL that answered (after redirects). */
  url: string;
  /** TLS facts of the connection (peer certificate, ALPN), for https. */
  tls: TransportTlsInfo | undefined;
  /** A header's value, repeats joined with ", "; undefined if absent. */
  header(name: string): string | undefined;
}

/** One request's collected response, settling its promise once (a class: no closures per request). */
class Pending {
  res: ClientHttpResponse | undefined = undefined;
  tls: TransportTlsInfo | undefined = undefined;
  chunks: Buffer[] = [];
  size = 0;
  done = false;
  readonly max: number;
  readonly #url: string;
  readonly #resolve: (r: HttpResponse) => void;
  readonly #reject: (err: unknown) => void;

  constructor(max: number, url: string, resolve: (r: HttpResponse) => void, reject: (err: unknown) => void) {
    this.max = max;
    this.#url = url;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  settle(err: LwsError | undefined, trailers?: HeaderList): void {
    if (this.done) return;
    this.done = true;
    if (err || !this.res) return this.#reject(err ?? new LwsError('LWS_ERR_H1_CLIENT_CLOSED', 'Cannot receive response: no response head'));
    const { status, reason, httpVersion, headers } = this.res;
    const c = this.chunks;
    const body = c.length === 1 ? (c[0] as Buffer) : Buffer.concat(c);
    this.#resolve({ status, reason, httpVersion, headers, trailers: trailers ?? [], body, url: this.#url, tls: this.tls, header: headerOf(headers) });
  }
}

const pendingOf = (wsi: Wsi): Pending | undefined => wsi.user as Pending | undefined;

/** The protocol every httpRequest connection is bound to; state is in `wsi.user`. */
const requestProtocol = defineProtocol({
  name: 'lws-http-request',
  establishedClientHttp(wsi, _pss, res) {
    const p = pendingOf(wsi);
    if (!p) return;
    p.res = res;
    p.tls = wsi.transport.tls;
  },
  receiveClientHttp(wsi, _pss, chunk) {
    const p = pendingOf(wsi);
    if (!p || p.done) return;
    p.size += chunk.length;
    if (p.size > p.max) {
      p.settle(new LwsError('LWS_ERR_H1_CLIENT_BODY_TOO_LARGE', `Cannot receive response body: more than ${p.max} bytes`));
      wsi.close();
      return;
    }
    p.chunks.push(chunk);
  },
  completedClientHttp(wsi, _pss, trailers) {
    pendingOf(wsi)?.settle(undefined, trailers);
  },
  clientConnectionError(wsi, _pss, err) {
    pendingOf(wsi)?.settle(err);
  },
});

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
// no response, or one cut short by the connection closing: safe to ask again for an idempotent request
const RETRYABLE = new Set(['LWS_ERR_CORE_CONNECT', 'LWS_ERR_H1_CLIENT_CLOSED', 'LWS_ERR_H1_INCOMPLETE_MESSAGE']);

function header(headers: HeaderList, name: string): string | undefined {
  const n = name.toLowerCase();
  let v: string | undefined;
  for (const [k, value] of headers) {
    if (k.toLowerCase() === n) v = v === undefined ? value : `${v}, ${value}`;
  }
  return v;
}

/** `HttpResponse.header` over `headers` (an unnamed arrow: no per-response naming helper under tsx). */
function headerOf(headers: HeaderList): (name: string) => string | undefined {
  return (n) => header(headers, n);
}

function once(context: Context, url: URL, o: HttpRequestOptions, method: string, body: HttpRequestOptions['body']): Promise<HttpResponse> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(new TypeError(`Cannot request ${url.href}: scheme must be http: or https:`));
  }
  const tls = url.protocol === 'https:';
  const source = body !== undefined && typeof body === 'object' && 'pull' in body ? body : undefined;
  const extra: H1ClientOptions = {
    headers: o.headers,
    contentType: o.contentType,
    pipeline: o.keepAlive ?? true,
    maxConnectionsPerHost: o.maxConnectionsPerHost ?? 6,
    headersTimeoutSecs: o.headersTimeoutSecs,
    idleTimeoutSecs: o.idleTimeoutSecs,
    limits: o.limits,
    ...(source ? { bodySource: source } : body !== undefined ? { body: body as Uint8Array | string } : {}),
  };
  return new Promise((resolve, reject) => {
    const p = new Pending(o.maxBodyBytes ?? 1024 * 1024, url.href, resolve, reject);
    const wsi = context.clientConnect({
      address: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      port: Number(url.port || (tls ? 443 : 80)),
      ssl: tls ? (o.ssl ?? true) : undefined,
      path: `${url.pathname}${url.search}`,
      method,
      protocol: requestProtocol.name,
      bindProtocol: requestProtocol,
      vhost: o.vhost,
      connectTimeoutSecs: o.connectTimeoutSecs,
      role: 'http',
      extra: extra as Record<string, unknown>,
    });
    wsi.user = p;
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Make one http(s) request and collect the whole response.
 *
 * @example
 * ```ts
 * const context = await createContext({});
 * const r = await httpRequest(context, { url: 'http://127.0.0.1:7681/' });
 * log.user(`${r.status}: ${r.body.length} bytes`);
 * ```
 */
export async function httpRequest(context: Context, opts: HttpRequestOptions): Promise<HttpResponse> {
  let url = new URL(String(opts.url));
  let method = (opts.method ?? 'GET').toUpperCase();
  let body = opts.body;
  let redirectsLeft = opts.redirects ?? 0;
  for (;;) {
    const r = await ((opts.retries ?? 0) === 0 ? once(context, url, opts, method, body) : withRetries(context, url, opts, method, body));
    if ((opts.redirects ?? 0) === 0 || !REDIRECTS.has(r.status)) return r;
    const location = r.header('location');
    if (location === undefined) return r;
    if (redirectsLeft-- === 0) throw new LwsError('LWS_ERR_H1_CLIENT_REDIRECT', `Cannot follow redirect: more than ${opts.redirects} redirects, last to ${JSON.stringify(location)}`);
    url = new URL(location, url);
    if (r.status === 303 || ((r.status === 301 || r.status === 302) && method === 'POST')) {
      method = method === 'HEAD' ? 'HEAD' : 'GET';
      body = undefined;
    } else if (body !== undefined && typeof body === 'object' && 'pull' in body) {
      throw new LwsError('LWS_ERR_H1_CLIENT_REDIRECT', `Cannot follow redirect: status ${r.status} needs the streamed body sent again`);
    }
  }
}

async function withRetries(context: Context, url: URL, o: HttpRequestOptions, method: string, body: HttpRequestOptions['body']): Promise<HttpResponse> {
  const replayable = IDEMPOTENT.has(method) && !(body !== undefined && typeof body === 'object' && 'pull' in body);
  let wait = o.retryDelayMs ?? 100;
  for (let left = o.retries ?? 0; ; left--) {
    try {
      return await once(context, url, o, method, body);
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (left <= 0 || !replayable || !RETRYABLE.has(code) || context.destroyed) throw err;
      await delay(wait);
      wait *= 2;
    }
  }
}
