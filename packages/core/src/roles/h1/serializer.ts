/*
 * HTTP/1.1 serialization (RFC 9112): status-line / request-line and field
 * lines into one Buffer per head, body framing by Content-Length or chunked
 * (§7.1), trailers. Names, values and the start line are checked at the API
 * boundary: no CR, LF, NUL or other CTL can reach the wire, so neither
 * response splitting nor a second framing header can be produced.
 */
import { STATUS_TEXT } from './constants.js';
import { HOST_RE } from './headers.js';

export { STATUS_TEXT } from './constants.js';

/** Header fields: ordered pairs (duplicates allowed), or a record whose array values give one line each. */
export type H1HeaderInit =
  | Iterable<readonly [string, string | number]>
  | Readonly<Record<string, string | number | readonly (string | number)[]>>;

interface HeadInit {
  headers?: H1HeaderInit;
  /** Adds `Content-Length`; not with `chunked`. */
  contentLength?: number;
  /** Adds `Transfer-Encoding: chunked` (HTTP/1.1 only); encode the body with `encodeChunk`. */
  chunked?: boolean;
  /** Default '1.1'. */
  version?: '1.0' | '1.1';
}

export interface ResponseHeadInit extends HeadInit {
  status: number;
  /** Default: the standard phrase (STATUS_TEXT), or empty. */
  reason?: string;
}

export interface RequestHeadInit extends HeadInit {
  method: string;
  /** Request-target as sent: `/path?q`, `http://host/path`, `host:port` or `*`. */
  target: string;
  /** Sent first (RFC 9110 §7.2); '' when the target has no authority. */
  host: string;
}

/** One extension per pair; values that are not tokens are sent as quoted-strings. */
export type ChunkExtensionInit = Iterable<readonly [string, string | undefined]>;

const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VALUE_RE = /^[\t\x20-\x7e\x80-\xff]*$/;
const TARGET_RE = /^[\x21-\x7e]+$/;
const CRLF = Buffer.from('\r\n');

/** The last chunk with no trailers: `0 CRLF CRLF`. */
export const LAST_CHUNK: Buffer = Buffer.from('0\r\n\r\n');

/**
 * A response head in one Buffer.
 *
 * @example
 * ```ts
 * socket.write(serializeResponseHead({ status: 200, headers: { 'content-type': 'text/plain' }, contentLength: 2 }));
 * ```
 */
export function serializeResponseHead(init: ResponseHeadInit): Buffer {
  return Buffer.from(responseHeadText(init), 'latin1');
}

/** The same head as text (latin1), for callers that join it with more bytes. */
export function responseHeadText(init: ResponseHeadInit): string {
  const { status } = init;
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new RangeError(`Cannot serialize response head: status must be an integer from 100 to 599, got ${String(status)}`);
  }
  const reason = init.reason ?? STATUS_TEXT[status] ?? '';
  if (typeof reason !== 'string' || !VALUE_RE.test(reason)) {
    throw new TypeError(`Cannot serialize response head: invalid character in reason ${JSON.stringify(reason)}`);
  }
  return withFields(`HTTP/${version(init)} ${status} ${reason}\r\n`, init, status);
}

/**
 * A request head in one Buffer; Host comes first.
 *
 * @example
 * ```ts
 * socket.write(serializeRequestHead({ method: 'GET', target: '/', host: 'example.com' }));
 * ```
 */
export function serializeRequestHead(init: RequestHeadInit): Buffer {
  const { method, target, host } = init;
  if (typeof method !== 'string' || !TOKEN_RE.test(method)) {
    throw new TypeError(`Cannot serialize request head: method ${JSON.stringify(method)} is not a token`);
  }
  if (typeof target !== 'string' || !TARGET_RE.test(target)) {
    throw new TypeError(`Cannot serialize request head: invalid request target ${JSON.stringify(target)}`);
  }
  if (typeof host !== 'string' || !HOST_RE.test(host)) {
    throw new TypeError(`Cannot serialize request head: invalid host ${JSON.stringify(host)}`);
  }
  return Buffer.from(withFields(`${method} ${target} HTTP/${version(init)}\r\nhost: ${host}\r\n`, init, undefined), 'latin1');
}

/**
 * A chunk as [chunk header, data, CRLF], for a vectored or corked write; the
 * data is not copied. Empty data is refused: a zero-size chunk ends the body.
 *
 * @example
 * ```ts
 * socket.cork(); for (const b of encodeChunk(data)) socket.write(b); socket.uncork();
 * ```
 */
export function encodeChunk(data: Uint8Array, extensions?: ChunkExtensionInit): [Buffer, Uint8Array, Buffer] {
  if (!(data instanceof Uint8Array)) throw new TypeError('Cannot encode chunk: data must be a Uint8Array');
  if (data.length === 0) throw new RangeError('Cannot encode chunk: data is empty, use encodeLastChunk() to end the body');
  return [Buffer.from(`${data.length.toString(16)}${encodeExtensions(extensions)}\r\n`, 'latin1'), data, CRLF];
}

/**
 * The last chunk, with optional trailer fields and extensions.
 *
 * @example
 * ```ts
 * socket.end(encodeLastChunk({ 'x-checksum': 'abc' }));
 * ```
 */
export function encodeLastChunk(trailers?: H1HeaderInit, extensions?: ChunkExtensionInit): Buffer {
  if (trailers === undefined && extensions === undefined) return Buffer.from(LAST_CHUNK);
  let out = `0${encodeExtensions(extensions)}\r\n`;
  for (const [name, value] of pairs(trailers)) out += fieldLine(name, value, 'trailer');
  return Buffer.from(`${out}\r\n`, 'latin1');
}

function version(init: HeadInit): string {
  const v = init.version ?? '1.1';
  if (v !== '1.1' && v !== '1.0') throw new TypeError(`Cannot serialize head: version must be "1.0" or "1.1", got ${JSON.stringify(v)}`);
  return v;
}

/** The headers as pairs: an array as it is (the common, per-response case: no generator), a record flattened. */
function pairs(headers: H1HeaderInit | undefined): Iterable<readonly [string, string | number]> {
  if (headers === undefined) return [];
  if (Symbol.iterator in headers) return headers as Iterable<readonly [string, string | number]>;
  const out: (readonly [string, string | number])[] = [];
  for (const [name, v] of Object.entries(headers)) {
    if (Array.isArray(v)) for (const one of v as (string | number)[]) out.push([name, one]);
    else out.push([name, v as string | number]);
  }
  return out;
}

function fieldLine(name: string, value: string | number, what: string): string {
  if (typeof name !== 'string' || !TOKEN_RE.test(name)) {
    throw new TypeError(`Cannot serialize ${what}: name ${JSON.stringify(name)} is not a token`);
  }
  const v = typeof value === 'number' ? String(value) : value;
  if (typeof v !== 'string' || !VALUE_RE.test(v)) {
    throw new TypeError(`Cannot serialize ${what}: invalid character in value of ${JSON.stringify(name)}`);
  }
  return `${name}: ${v}\r\n`;
}

/** Adds the field lines and framing to `head` (a response's when `status` is set), enforcing one unambiguous framing. */
function withFields(head: string, init: HeadInit, status: number | undefined): string {
  const isRequest = status === undefined;
  let out = head;
  let length = init.contentLength;
  let chunked = init.chunked === true;
  const options = length !== undefined || chunked;
  for (const [name, value] of pairs(init.headers)) {
    const line = fieldLine(name, value, 'header');
    const lower = name.toLowerCase();
    if (lower === 'content-length' || lower === 'transfer-encoding') {
      if (options) throw new TypeError(`Cannot serialize head: ${name} given as a header and as contentLength/chunked`);
      if (lower === 'content-length') {
        if (length !== undefined || !/^[0-9]+$/.test(String(value))) throw new TypeError(`Cannot serialize head: invalid or repeated Content-Length ${JSON.stringify(value)}`);
        length = Number(value);
        continue;
      }
      chunked = true;
    } else if (isRequest && lower === 'host') {
      throw new TypeError('Cannot serialize request head: Host is set by the host option, not a header');
    }
    out += line;
  }
  if (length !== undefined && chunked) throw new TypeError('Cannot serialize head: both Content-Length and Transfer-Encoding');
  if (length !== undefined && (!Number.isSafeInteger(length) || length < 0)) {
    throw new RangeError(`Cannot serialize head: contentLength must be a non-negative safe integer, got ${String(length)}`);
  }
  // RFC 9110 §8.6, RFC 9112 §6.1: no framing fields on 1xx and 204, no chunked 304
  if (!isRequest && (status < 200 || status === 204 || (status === 304 && chunked)) && (length !== undefined || chunked)) {
    throw new TypeError(`Cannot serialize response head: status ${status} allows no ${chunked ? 'Transfer-Encoding' : 'Content-Length'}`);
  }
  if (chunked && init.version === '1.0') throw new TypeError('Cannot serialize head: chunked needs HTTP/1.1');
  if (length !== undefined) out += `content-length: ${length}\r\n`;
  else if (init.chunked === true) out += 'transfer-encoding: chunked\r\n';
  return `${out}\r\n`;
}

function encodeExtensions(extensions: ChunkExtensionInit | undefined): string {
  if (extensions === undefined) return '';
  let out = '';
  for (const [name, value] of extensions) {
    if (!TOKEN_RE.test(name)) throw new TypeError(`Cannot encode chunk extension: name ${JSON.stringify(name)} is not a token`);
    out += `;${name}`;
    if (value === undefined) continue;
    if (TOKEN_RE.test(value)) out += `=${value}`;
    else if (VALUE_RE.test(value)) out += `="${value.replace(/["\\]/g, '\\$&')}"`;
    else throw new TypeError(`Cannot encode chunk extension: invalid character in value of ${JSON.stringify(name)}`);
  }
  return out;
}
