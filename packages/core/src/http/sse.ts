/*
 * Server-Sent Events (WHATWG HTML §9.2 "Server-sent events"): start an
 * event stream on a callback mount and format events and keepalive
 * comments. The stream is an ordinary chunked response: the protocol writes
 * one event per writeable callback, so nothing queues behind a slow client.
 */
import type { Wsi } from '../context/wsi.js';
import type { HeaderList } from './response.js';

/** One event. `data` may span lines; `id` and `event` may not. */
export interface SseEvent {
  /** Sets the client's last event ID (sent back as Last-Event-ID on reconnect). */
  id?: string;
  /** Event type; the browser fires it as that event name instead of `message`. */
  event?: string;
  /** Payload; split on CRLF, CR or LF into one `data:` line each. */
  data?: string;
  /** Reconnection delay for the client, milliseconds. */
  retry?: number;
}

function checkField(what: string, v: string | undefined): void {
  if (v !== undefined && /[\r\n]/.test(v)) throw new TypeError(`Cannot format SSE event: ${what} ${JSON.stringify(v)} contains a line break`);
  if (what === 'id' && v?.includes('\0')) throw new TypeError(`Cannot format SSE event: id ${JSON.stringify(v)} contains NUL`);
}

/**
 * The bytes of one event, ending with the blank line that dispatches it.
 *
 * @example
 * ```ts
 * formatSseEvent({ id: '7', data: 'a\nb' }).toString(); // 'id: 7\ndata: a\ndata: b\n\n'
 * ```
 */
export function formatSseEvent(ev: SseEvent): Buffer {
  checkField('id', ev.id);
  checkField('event', ev.event);
  let s = '';
  if (ev.id !== undefined) s += `id: ${ev.id}\n`;
  if (ev.event !== undefined) s += `event: ${ev.event}\n`;
  if (ev.retry !== undefined) {
    if (!Number.isSafeInteger(ev.retry) || ev.retry < 0) throw new RangeError(`Cannot format SSE event: retry is ${String(ev.retry)}, expected a non-negative integer`);
    s += `retry: ${ev.retry}\n`;
  }
  if (ev.data !== undefined) for (const line of ev.data.split(/\r\n|\r|\n/)) s += `data: ${line}\n`;
  if (s === '') throw new TypeError('Cannot format SSE event: it has no id, event, retry or data');
  return Buffer.from(`${s}\n`);
}

/**
 * A comment line: clients ignore it, proxies see traffic (keepalive).
 *
 * @example
 * ```ts
 * formatSseComment('keepalive').toString(); // ': keepalive\n\n'
 * ```
 */
export function formatSseComment(text = ''): Buffer {
  return Buffer.from(`${text.split(/\r\n|\r|\n/).map((l) => (l === '' ? ':' : `: ${l}`)).join('\n')}\n\n`);
}

/** Options of {@link startSse}. */
export interface SseStartOptions {
  /** Extra response headers. */
  headers?: HeaderList;
}

/**
 * The headers an event stream is answered with (no content-length: h1 sends it chunked).
 *
 * @example
 * ```ts
 * wsi.respond({ status: 200, contentType: 'text/event-stream', headers: SSE_HEADERS });
 * ```
 */
export const SSE_HEADERS: HeaderList = [
  ['cache-control', 'no-store'],
  // tells nginx and similar proxies not to buffer the stream
  ['x-accel-buffering', 'no'],
];

/**
 * Answer the request with an event stream: 200, text/event-stream,
 * `cache-control: no-store`, no content-length. Then write events with
 * `wsi.write(formatSseEvent(...), 'http')`, one per writeable callback.
 * Returns false if the response could not be started.
 *
 * @example
 * ```ts
 * http(wsi) { startSse(wsi); wsi.callbackOnWritable(); },
 * httpWriteable(wsi, pss) { wsi.write(formatSseEvent({ data: `${pss.n++}` }), 'http'); },
 * ```
 */
export function startSse(wsi: Wsi, options: SseStartOptions = {}): boolean {
  return wsi.respond({
    status: 200,
    contentType: 'text/event-stream; charset=utf-8',
    headers: [...SSE_HEADERS, ...(options.headers ?? [])],
  });
}
