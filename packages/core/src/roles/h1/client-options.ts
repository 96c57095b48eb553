/*
 * Options of the h1 client role (what `info.extra` carries for
 * `clientConnect({ role: 'http' })`), checked at the API boundary, and the
 * request head built from them (RFC 9112 §3, RFC 9110 §7.2 Host).
 */
import type { ClientConnectInfo } from '../../context/connect.js';
import type { HeaderList } from '../../http/response.js';
import type { H1Limits } from './parser.js';
import { serializeRequestHead } from './serializer.js';

/** A request body the role pulls by itself, one writeable-sized piece at a time (files, multipart). */
export interface ClientBodySource {
  /** Total bytes, when known: sent as Content-Length; otherwise the body is chunked. */
  readonly contentLength?: number;
  /** Content-Type of the body (a multipart writer knows its boundary). */
  readonly contentType?: string;
  /** The next piece of at most `max` bytes, or null at the end. */
  pull(max: number): Promise<Uint8Array | null>;
  /** Release what the source holds (an open file) when the request is abandoned. */
  close?(): void;
}

/** What `info.extra` may carry for the http client role. Every field is optional. */
export interface H1ClientOptions {
  /** Extra request headers; names are sent as given. */
  headers?: HeaderList | Readonly<Record<string, string>>;
  /** User-Agent; default `lws-ts`. Empty string sends none. */
  userAgent?: string;
  /** A whole body, sent by the role with Content-Length. */
  body?: Uint8Array | string;
  /** A body the role pulls in pieces of `bodyPieceBytes`. */
  bodySource?: ClientBodySource;
  /** The protocol's clientHttpWriteable writes a body of exactly this many bytes. */
  contentLength?: number;
  /** The protocol's clientHttpWriteable writes a chunked body of unknown length. */
  chunked?: boolean;
  /** Content-Type of the body, if any. */
  contentType?: string;
  /**
   * Same-origin redirects (3xx with Location) followed on the same kept-alive
   * connection, unseen by the protocol. Default 0, as lws. A redirect to
   * another origin, or one needing a streamed body again, is delivered as is.
   */
  redirects?: number;
  /** Keep the connection and share it with later requests to the same host (lws LCCSCF_PIPELINE). Default false: close after the response. */
  pipeline?: boolean;
  /** Connections kept per host when pipelining (lws: one). Default 1. */
  maxConnectionsPerHost?: number;
  /** Requests waiting on one connection, the one in flight included; past it the request fails. Default 16. */
  maxQueue?: number;
  /** Seconds from request sent to response head. Default 10. */
  headersTimeoutSecs?: number;
  /** Seconds the response body may stall. Default 10. */
  idleTimeoutSecs?: number;
  /** Seconds an idle pipelined connection is kept. Default 5. */
  keepAliveIdleSecs?: number;
  /** Bytes per piece pulled from a bodySource. Default 16384. */
  bodyPieceBytes?: number;
  /** Response parser limits (status line, header bytes and count, trailers, body). */
  limits?: Pick<H1Limits, 'maxStartLine' | 'maxHeaderBytes' | 'maxHeaders' | 'maxTrailerBytes' | 'maxTrailers' | 'maxChunkExtensionBytes' | 'maxBodyBytes'>;
}

/** Options with defaults applied. */
export interface ResolvedClientOptions {
  pipeline: boolean;
  redirects: number;
  maxConnectionsPerHost: number;
  maxQueue: number;
  headersTimeoutSecs: number;
  idleTimeoutSecs: number;
  keepAliveIdleSecs: number;
  bodyPieceBytes: number;
  limits: H1Limits;
}

/** How a request's body is framed and produced. */
export type BodyPlan =
  | { kind: 'none' }
  | { kind: 'buffer'; data: Uint8Array }
  | { kind: 'source'; source: ClientBodySource; chunked: boolean; length: number }
  | { kind: 'handler'; chunked: boolean; length: number };

function positive(o: H1ClientOptions, key: keyof H1ClientOptions, def: number): number {
  const v = o[key];
  if (v === undefined) return def;
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new RangeError(`Cannot connect: extra.${key} must be a positive number, got ${String(v)}`);
  return v;
}

/** Read and check `info.extra` (TypeError / RangeError on misuse). */
export function resolveClientOptions(info: ClientConnectInfo): { opts: ResolvedClientOptions; raw: H1ClientOptions } {
  const raw = (info.extra ?? {}) as H1ClientOptions;
  if (typeof raw !== 'object') throw new TypeError('Cannot connect: extra must be an object');
  const opts: ResolvedClientOptions = {
    pipeline: raw.pipeline === true,
    redirects: raw.redirects === 0 ? 0 : Math.floor(positive(raw, 'redirects', 0)),
    maxConnectionsPerHost: Math.floor(positive(raw, 'maxConnectionsPerHost', 1)),
    maxQueue: Math.floor(positive(raw, 'maxQueue', 16)),
    headersTimeoutSecs: positive(raw, 'headersTimeoutSecs', 10),
    idleTimeoutSecs: positive(raw, 'idleTimeoutSecs', 10),
    keepAliveIdleSecs: positive(raw, 'keepAliveIdleSecs', 5),
    bodyPieceBytes: Math.floor(positive(raw, 'bodyPieceBytes', 16384)),
    limits: { ...raw.limits },
  };
  return { opts, raw };
}

/** The body plan for a request (TypeError when more than one body kind is given). */
export function bodyPlan(raw: H1ClientOptions): BodyPlan {
  const given = [raw.body !== undefined, raw.bodySource !== undefined, raw.contentLength !== undefined || raw.chunked === true];
  if (given.filter(Boolean).length > 1) throw new TypeError('Cannot connect: give only one of extra.body, extra.bodySource, extra.contentLength/chunked');
  if (raw.body !== undefined) return { kind: 'buffer', data: typeof raw.body === 'string' ? Buffer.from(raw.body) : raw.body };
  if (raw.bodySource) {
    const len = raw.bodySource.contentLength;
    return { kind: 'source', source: raw.bodySource, chunked: len === undefined, length: len ?? 0 };
  }
  if (raw.contentLength !== undefined) {
    if (!Number.isSafeInteger(raw.contentLength) || raw.contentLength < 0) {
      throw new RangeError(`Cannot connect: extra.contentLength must be a non-negative safe integer, got ${String(raw.contentLength)}`);
    }
    return { kind: 'handler', chunked: false, length: raw.contentLength };
  }
  if (raw.chunked === true) return { kind: 'handler', chunked: true, length: 0 };
  return { kind: 'none' };
}

/** The Host header value: `host` if given, else address, with the port unless it is the scheme's default. */
export function hostHeader(info: ClientConnectInfo): string {
  if (info.host) return info.host;
  if (info.unixSocket) return 'localhost';
  const addr = info.address.includes(':') && !info.address.startsWith('[') ? `[${info.address}]` : info.address;
  const defPort = info.ssl ? 443 : 80;
  return info.port === defPort ? addr : `${addr}:${info.port}`;
}

/** Serialize the request head (TypeError on a bad method, path or header). */
export function buildRequestHead(info: ClientConnectInfo, raw: H1ClientOptions, plan: BodyPlan): Buffer {
  const headers: [string, string][] = [];
  const given = new Set<string>();
  const extra = raw.headers ?? [];
  const list: readonly (readonly [string, string])[] = Array.isArray(extra) ? (extra as HeaderList) : Object.entries(extra);
  for (const [n, v] of list) given.add(n.toLowerCase());
  if (info.origin && !given.has('origin')) headers.push(['origin', info.origin]);
  const ua = raw.userAgent ?? 'lws-ts';
  if (ua !== '' && !given.has('user-agent')) headers.push(['user-agent', ua]);
  if (!given.has('accept')) headers.push(['accept', '*/*']);
  const type = raw.contentType ?? raw.bodySource?.contentType;
  if (type && !given.has('content-type')) headers.push(['content-type', type]);
  // a redirect is followed on the same connection, so only a lone request says close
  if (!raw.pipeline && !raw.redirects && !given.has('connection')) headers.push(['connection', 'close']);
  for (const [n, v] of list) headers.push([n, v]);
  const init: Parameters<typeof serializeRequestHead>[0] = { method: info.method ?? 'GET', target: info.path ?? '/', host: hostHeader(info), headers };
  if (plan.kind === 'buffer') init.contentLength = plan.data.length;
  else if (plan.kind === 'source' || plan.kind === 'handler') {
    if (plan.chunked) init.chunked = true;
    else init.contentLength = plan.length;
  }
  return serializeRequestHead(init);
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** The request a same-origin redirect asks for: path, method, body plan and head. */
export interface RedirectRequest {
  path: string;
  method: string;
  plan: BodyPlan;
  head: Buffer;
}

/**
 * What to send for a redirect (RFC 9110 §15.4), or undefined to deliver the
 * response as is: not a redirect, no usable Location, another origin, or a
 * 307/308 that would need a streamed body again. 303, and 301/302 after a
 * POST, become a GET without body.
 */
export function redirectRequest(info: ClientConnectInfo, raw: H1ClientOptions, req: { path: string; method: string; plan: BodyPlan }, status: number, location: string | undefined): RedirectRequest | undefined {
  if (!REDIRECTS.has(status) || location === undefined) return undefined;
  const base = new URL(`${info.ssl ? 'https' : 'http'}://${hostHeader(info)}${req.path}`);
  let target: URL;
  try {
    target = new URL(location, base);
  } catch {
    return undefined;
  }
  if (target.origin !== base.origin) return undefined;
  let { method, plan } = req;
  if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
    method = method === 'HEAD' ? 'HEAD' : 'GET';
    plan = { kind: 'none' };
  } else if (plan.kind === 'source' || plan.kind === 'handler') {
    return undefined;
  }
  const path = `${target.pathname}${target.search}`;
  return { path, method, plan, head: buildRequestHead({ ...info, method, path }, raw, plan) };
}
