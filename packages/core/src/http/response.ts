/*
 * What a handler gives to start an http response, the same for h1 and h2
 * (lws_add_http_common_headers + lws_finalize_write_http_header).
 */

/** Header pairs; names are matched case-insensitively. */
export type HeaderList = readonly (readonly [string, string])[];

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
