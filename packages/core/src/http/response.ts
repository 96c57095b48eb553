/*
 * What a handler gives to start an http response, the same for h1 and h2
 * (lws_add_http_common_headers + lws_finalize_write_http_header).
 */

/** Header pairs; names are matched case-insensitively. */
export type HeaderList = readonly (readonly [string, string])[];

const stableLists = new WeakSet<HeaderList>();

/**
 * A header list frozen for reuse across responses: the h1 framer keeps the
 * serialized head of a response that carries one (with its status, length,
 * type and the second's Date) and reuses the text while they repeat. Freezing
 * makes changing the list afterwards throw instead of sending stale headers.
 *
 * @example
 * ```ts
 * const CORS = stableHeaders([['access-control-allow-origin', '*']]);
 * wsi.respond({ status: 200, contentType: 'application/json', contentLength: n, headers: CORS });
 * ```
 */
export function stableHeaders(list: readonly (readonly [string, string])[]): HeaderList {
  for (const h of list) Object.freeze(h);
  Object.freeze(list);
  stableLists.add(list);
  return list;
}

/** Whether `list` came from stableHeaders(). */
export function isStableHeaders(list: HeaderList): boolean {
  return stableLists.has(list);
}

export interface HttpResponseHead {
  status: number;
  /** Sets `content-type`. */
  contentType?: string;
  /** Known body length; without it h1/1.1 uses chunked, h1/1.0 closes after the body. */
  contentLength?: number;
  headers?: HeaderList;
  /** Skip the vhost/mount extra headers (CSP and the rest). Default false. */
  noExtraHeaders?: boolean;
}
