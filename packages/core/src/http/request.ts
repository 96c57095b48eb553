/*
 * The request a protocol's `http` handler sees, the same for h1 and h2.
 */

export interface HttpRequest {
  /** Method token as sent, e.g. `GET`. */
  method: string;
  /** The request target as sent (origin-form, absolute-form or `*`). */
  target: string;
  /** The path part of the target, still percent-encoded, without the query. */
  path: string;
  /** The part of `path` after the matched mount's mountpoint (lws's `in` for http). */
  pathInMount: string;
  /** Query string without `?` ('' when none). */
  query: string;
  /** `1.0`, `1.1` or `2`. */
  httpVersion: string;
  /** Host header (or :authority), '' when absent. */
  host: string;
  /** Ordered `[lowercase-name, value]` pairs. */
  headers: readonly (readonly [string, string])[];
  /** First value of a header by lowercase name. */
  header(name: string): string | undefined;
}

/**
 * Build an HttpRequest from parts.
 *
 * @example
 * ```ts
 * const req = makeHttpRequest('GET', '/a?b=1', '1.1', [['host', 'x']]);
 * req.query; // 'b=1'
 * ```
 */
export function makeHttpRequest(
  method: string,
  target: string,
  httpVersion: string,
  headers: readonly (readonly [string, string])[],
): HttpRequest {
  return new Request(method, target, httpVersion, headers);
}

type HeaderFn = (name: string) => string | undefined;

class Request implements HttpRequest {
  readonly method: string;
  readonly target: string;
  readonly path: string;
  pathInMount: string;
  readonly query: string;
  readonly httpVersion: string;
  readonly host: string;
  readonly headers: readonly (readonly [string, string])[];
  #header: HeaderFn | undefined;

  constructor(method: string, target: string, httpVersion: string, headers: readonly (readonly [string, string])[]) {
    let pathAndQuery = target;
    if (!target.startsWith('/') && target !== '*') {
      // absolute-form: scheme://authority/path?query
      const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(target);
      pathAndQuery = m ? target.slice(m[0].length) || '/' : target;
    }
    const hash = pathAndQuery.indexOf('#');
    if (hash >= 0) pathAndQuery = pathAndQuery.slice(0, hash);
    const q = pathAndQuery.indexOf('?');
    this.method = method;
    this.target = target;
    this.path = q >= 0 ? pathAndQuery.slice(0, q) : pathAndQuery;
    this.pathInMount = this.path;
    this.query = q >= 0 ? pathAndQuery.slice(q + 1) : '';
    this.httpVersion = httpVersion;
    this.headers = headers;
    this.host = headerLookup.call(headers, 'host') ?? '';
  }

  /** Bound on first use, so callers may destructure it; most requests never ask. */
  get header(): HeaderFn {
    return (this.#header ??= headerLookup.bind(this.headers));
  }
}

function headerLookup(this: readonly (readonly [string, string])[], name: string): string | undefined {
  return findHeader(this, name.toLowerCase());
}

/**
 * The first value of a header, by its lowercase name, in a request's header
 * list: what `req.header()` does, for hot paths that should not bind it.
 */
export function findHeader(headers: readonly (readonly [string, string])[], lowercaseName: string): string | undefined {
  for (const h of headers) if (h[0] === lowercaseName) return h[1];
  return undefined;
}
