/*
 * Framing one http/1.1 response on the wire (RFC 9112 §6): the head, then
 * the body as content-length, chunked, or close-delimited, with no body for
 * HEAD, 1xx, 204 and 304. The head is held until the first body write or
 * the next microtask so small responses leave in one packet. A HEAD
 * response carries the framing headers its GET would have (RFC 9110 §9.3.2,
 * RFC 9112 §6.1): `transfer-encoding: chunked` when the length is unknown.
 */
import type { Transport } from '../../net/transport.js';
import type { HeaderList, HttpResponseHead } from '../../http/response.js';
import { encodeChunk, LAST_CHUNK, serializeResponseHead } from './serializer.js';

export interface FramerInit {
  head: HttpResponseHead;
  requestMethod: string;
  requestVersion: string;
  /** The request allows keeping the connection (and the server wants to). */
  keepAlive: boolean;
  /** Vhost and mount headers (CSP...) added after the handler's. */
  extraHeaders: HeaderList;
}

export type FramerWriteResult = 'ok' | 'overrun' | 'short';

export class H1ResponseFramer {
  readonly status: number;
  /** The body ends when the connection closes (http/1.0 without a length). */
  readonly closeDelimited: boolean;
  readonly keepAlive: boolean;
  #head: Buffer | undefined;
  #chunked: boolean;
  #noBody: boolean;
  #remaining: number;
  #done = false;

  constructor(init: FramerInit) {
    const { head } = init;
    this.status = head.status;
    this.#noBody = init.requestMethod === 'HEAD' || head.status < 200 || head.status === 204 || head.status === 304;
    const hasLength = head.contentLength !== undefined;
    const v11 = init.requestVersion === '1.1';
    this.#chunked = !hasLength && !this.#noBody && v11;
    this.closeDelimited = !hasLength && !this.#noBody && !v11;
    // a HEAD whose GET would be chunked says so; it still has no body, not even the last chunk
    const headAsChunked = init.requestMethod === 'HEAD' && !hasLength && v11 && head.status >= 200 && head.status !== 204 && head.status !== 304;
    this.keepAlive = init.keepAlive && !this.closeDelimited;
    this.#remaining = this.#noBody ? 0 : (head.contentLength ?? Infinity);

    const headers: [string, string][] = [];
    if (head.contentType) headers.push(['content-type', head.contentType]);
    if (hasLength && head.status !== 204 && head.status >= 200) headers.push(['content-length', String(head.contentLength)]);
    if (this.#chunked || headAsChunked) headers.push(['transfer-encoding', 'chunked']);
    if (head.headers) for (const h of head.headers) headers.push([h[0], h[1]]);
    if (init.extraHeaders.length > 0) {
      const own = new Set(headers.map((h) => h[0].toLowerCase()));
      for (const h of init.extraHeaders) if (!own.has(h[0].toLowerCase())) headers.push([h[0], h[1]]);
    }
    if (!this.keepAlive) headers.push(['connection', 'close']);
    else if (!v11) headers.push(['connection', 'keep-alive']);
    this.#head = serializeResponseHead({ status: head.status, headers, version: v11 ? '1.1' : '1.0' });
  }

  /** The response is complete (final write done). */
  get done(): boolean {
    return this.#done;
  }

  /** Send the head now if it has not gone yet. */
  flushHead(t: Transport): void {
    if (!this.#head) return;
    const h = this.#head;
    this.#head = undefined;
    t.write(h);
  }

  /** Write a piece of the body; `final` ends the response. */
  write(t: Transport, data: Uint8Array, final: boolean): FramerWriteResult {
    if (this.#done) return 'overrun';
    const out: Uint8Array[] = [];
    if (this.#head) {
      out.push(this.#head);
      this.#head = undefined;
    }
    if (!this.#noBody && data.length > 0) {
      if (data.length > this.#remaining) return 'overrun';
      this.#remaining -= data.length;
      if (this.#chunked) out.push(...encodeChunk(data));
      else out.push(data);
    }
    if (final) {
      if (this.#chunked) out.push(LAST_CHUNK);
      else if (Number.isFinite(this.#remaining) && this.#remaining > 0) return 'short';
      this.#done = true;
    }
    if (out.length === 1) t.write(out[0] as Uint8Array);
    else if (out.length > 1) t.write(Buffer.concat(out));
    return 'ok';
  }
}
