/*
 * Framing one http/1.1 response on the wire (RFC 9112 §6): the head, then
 * the body as content-length, chunked, or close-delimited, with no body for
 * HEAD, 1xx, 204 and 304. The head is held until the first body write or
 * the next microtask so small responses leave in one packet. A HEAD
 * response carries the framing headers its GET would have (RFC 9110 §9.3.2,
 * RFC 9112 §6.1): `transfer-encoding: chunked` when the length is unknown.
 * Final responses carry a Date (RFC 9110 §6.6.1) unless the handler set one.
 */
import { writeAll, type Transport } from '../../net/transport.js';
import { currentHttpDate } from '../../http/conditional.js';
import { isStableHeaders, type HeaderList, type HttpResponseHead } from '../../http/response.js';
import { encodeChunk, LAST_CHUNK, responseHeadText } from './serializer.js';

export interface FramerInit {
  head: HttpResponseHead;
  requestMethod: string;
  requestVersion: string;
  /** The request allows keeping the connection (and the server wants to). */
  keepAlive: boolean;
  /** Mount headers, then vhost headers (CSP...), added after the handler's; a name the handler set is not repeated. */
  mountHeaders: HeaderList | undefined;
  vhostHeaders: HeaderList;
}

/*
 * Heads of responses without handler headers repeat (the same status, type
 * and length on the same mount), so their serialized text is kept, per
 * vhost and mount header lists (compared by identity: configuration does
 * not change while serving), and bounded. The texts hold the Date: a cache
 * starts over when the second changes.
 */
const HEAD_CACHE_MAX = 256;
/** An empty header list with one identity (a cache key): for no mount headers, and for noExtraHeaders. */
export const NO_HEADERS: HeaderList = [];

/** The heads of one (vhost, mount) pair: the last one, checked without building a key, then the rest by key. */
class HeadCache {
  /** The Date the texts below carry (currentHttpDate: one string per second). */
  date = '';
  /** The last head's text. */
  lastText = '';
  lastStatus = 0;
  lastLength: number | undefined;
  lastType: string | undefined;
  lastFlags = -1;
  readonly byKey = new Map<string, string>();
}
const headCaches = new WeakMap<HeaderList, WeakMap<HeaderList, HeadCache>>();

/** The last head made with each stableHeaders() list, and what else it was made of. */
interface StableHead {
  text: string;
  date: string;
  status: number;
  length: number | undefined;
  type: string | undefined;
  flags: number;
  vhostHeaders: HeaderList;
  mountHeaders: HeaderList | undefined;
}
const stableHeads = new WeakMap<HeaderList, StableHead>();

/** The pair asked for last, and its cache: most responses repeat it (no WeakMap lookups then). */
let lastVhostHeaders: HeaderList | undefined;
let lastMountHeaders: HeaderList | undefined;
let lastCache: HeadCache | undefined;

function headCacheFor(vhostHeaders: HeaderList, mountHeaders: HeaderList | undefined): HeadCache {
  if (lastCache !== undefined && vhostHeaders === lastVhostHeaders && mountHeaders === lastMountHeaders) return lastCache;
  lastVhostHeaders = vhostHeaders;
  lastMountHeaders = mountHeaders;
  lastCache = lookupHeadCache(vhostHeaders, mountHeaders);
  return lastCache;
}

function lookupHeadCache(vhostHeaders: HeaderList, mountHeaders: HeaderList | undefined): HeadCache {
  let byMount = headCaches.get(vhostHeaders);
  if (!byMount) headCaches.set(vhostHeaders, (byMount = new WeakMap()));
  const m = mountHeaders ?? NO_HEADERS;
  let c = byMount.get(m);
  if (!c) byMount.set(m, (c = new HeadCache()));
  return c;
}

/*
 * A small final body goes out in one buffer with its head (one copy, one
 * write) when that buffer comes from Node's Buffer pool (allocUnsafe below
 * half the pool size); a larger one would be a fresh ArrayBuffer per
 * response, and that garbage (external memory, collected only by a full
 * GC) costs more than a writev of the head and the body by reference.
 */
function joinable(total: number): boolean {
  return total < Buffer.poolSize >>> 1;
}

export type FramerWriteResult = 'ok' | 'overrun' | 'short';

export class H1ResponseFramer {
  readonly status: number;
  /** The body ends when the connection closes (http/1.0 without a length). */
  readonly closeDelimited: boolean;
  readonly keepAlive: boolean;
  /** The serialized head until it is written (latin1). */
  #head: string | undefined;
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

    const flags = (this.#chunked ? 1 : 0) | (headAsChunked ? 2 : 0) | (this.keepAlive ? 4 : 0) | (v11 ? 8 : 0);
    if (head.headers && head.headers.length > 0) {
      this.#head = isStableHeaders(head.headers) ? this.#stableHead(init, head.headers, flags, hasLength, v11, headAsChunked) : this.#serialize(init, hasLength, v11, headAsChunked);
      return;
    }
    const c = headCacheFor(init.vhostHeaders, init.mountHeaders);
    const date = currentHttpDate();
    if (c.date !== date) {
      c.date = date;
      c.byKey.clear();
      c.lastStatus = 0;
    }
    if (c.lastStatus === head.status && c.lastLength === head.contentLength && c.lastType === head.contentType && c.lastFlags === flags) {
      this.#head = c.lastText;
      return;
    }
    const key = `${head.status} ${head.contentLength} ${flags} ${head.contentType}`;
    let text = c.byKey.get(key);
    if (text === undefined) {
      text = this.#serialize(init, hasLength, v11, headAsChunked);
      if (c.byKey.size >= HEAD_CACHE_MAX) c.byKey.clear();
      c.byKey.set(key, text);
    }
    c.lastStatus = head.status;
    c.lastLength = head.contentLength;
    c.lastType = head.contentType;
    c.lastFlags = flags;
    c.lastText = text;
    this.#head = text;
  }

  /** The head for a stableHeaders() list: the last one made with it, while everything else in it repeats. */
  #stableHead(init: FramerInit, list: HeaderList, flags: number, hasLength: boolean, v11: boolean, headAsChunked: boolean): string {
    const { head } = init;
    const date = currentHttpDate();
    const s = stableHeads.get(list);
    if (
      s !== undefined &&
      s.date === date &&
      s.status === head.status &&
      s.length === head.contentLength &&
      s.type === head.contentType &&
      s.flags === flags &&
      s.vhostHeaders === init.vhostHeaders &&
      s.mountHeaders === init.mountHeaders
    ) {
      return s.text;
    }
    const text = this.#serialize(init, hasLength, v11, headAsChunked);
    stableHeads.set(list, { text, date, status: head.status, length: head.contentLength, type: head.contentType, flags, vhostHeaders: init.vhostHeaders, mountHeaders: init.mountHeaders });
    return text;
  }

  #serialize(init: FramerInit, hasLength: boolean, v11: boolean, headAsChunked: boolean): string {
    const { head } = init;
    const headers: [string, string][] = [];
    if (head.contentType) headers.push(['content-type', head.contentType]);
    if (hasLength && head.status !== 204 && head.status >= 200) headers.push(['content-length', String(head.contentLength)]);
    if (this.#chunked || headAsChunked) headers.push(['transfer-encoding', 'chunked']);
    if (head.headers) for (const h of head.headers) headers.push([h[0], h[1]]);
    const extra = init.mountHeaders ? [...init.mountHeaders, ...init.vhostHeaders] : init.vhostHeaders;
    const own = new Set(headers.map((h) => h[0].toLowerCase()));
    for (const h of extra) if (!own.has(h[0].toLowerCase())) headers.push([h[0], h[1]]);
    if (head.status >= 200 && !own.has('date') && !extra.some((h) => h[0].toLowerCase() === 'date')) headers.push(['date', currentHttpDate()]);
    if (!this.keepAlive) headers.push(['connection', 'close']);
    else if (!v11) headers.push(['connection', 'keep-alive']);
    return responseHeadText({ status: head.status, headers, version: v11 ? '1.1' : '1.0' });
  }

  /** The response is complete (final write done). */
  get done(): boolean {
    return this.#done;
  }

  /** The head is still waiting for a body write or flushHead. */
  get headPending(): boolean {
    return this.#head !== undefined;
  }

  /** Send the head now if it has not gone yet. */
  flushHead(t: Transport): void {
    if (!this.#head) return;
    const h = this.#head;
    this.#head = undefined;
    t.write(Buffer.from(h, 'latin1'));
  }

  /** Write a piece of the body; `final` ends the response. */
  write(t: Transport, data: Uint8Array, final: boolean): FramerWriteResult {
    if (this.#done) return 'overrun';
    const head = this.#head;
    if (head !== undefined && final && !this.#chunked && !this.#noBody && joinable(head.length + data.length)) {
      // the whole of a small response: head and body in one buffer
      if (data.length > this.#remaining) return 'overrun';
      if (data.length < this.#remaining && Number.isFinite(this.#remaining)) return 'short';
      this.#head = undefined;
      this.#remaining = 0;
      this.#done = true;
      const out = Buffer.allocUnsafe(head.length + data.length);
      out.write(head, 0, 'latin1');
      out.set(data, head.length);
      t.write(out);
      return 'ok';
    }
    const out: Uint8Array[] = [];
    if (head !== undefined) {
      out.push(Buffer.from(head, 'latin1'));
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
    else if (out.length > 1) writeAll(t, out);
    return 'ok';
  }
}
