/*
 * The incremental HTTP/1.1 message parser, one for both sides (RFC 9112):
 * request-line / status-line (§3, §4), field lines (§5), body framing (§6)
 * and chunked bodies (§7, chunked.ts). Fed any byte split it reports the
 * same events; limits bound everything it holds.
 *
 * Line endings are strict CRLF, in the head, chunk headers and trailers: a
 * bare CR is an error (§2.2 allows no other choice) and so is an LF without
 * CR, although §2.2 lets a recipient accept it. Two parsers that disagree
 * on where a line ends are how requests get smuggled past a proxy (Node's
 * llhttp accepted LF-only lines until CVE-2023-30589), no conforming sender
 * needs it, and this parser also sits behind and inside our proxy mounts.
 */
import { LwsError } from '../../errors.js';
import { checkTransferEncoding, ChunkedReader, type H1ChunkExtension } from './chunked.js';
import { Char, H1_DEFAULT_LIMITS, h1Error, HttpStatus } from './constants.js';
import {
  FieldFacts, LINE_BARE_LF, LINE_MORE, LINE_TOO_LONG, LineReader, parseFieldLine, parseRequestLine,
  parseStatusLine, type H1Framing, type H1HeaderPair, type H1Headers, type H1RequestHead, type H1ResponseHead,
  type StartLine,
} from './headers.js';

export type { H1ChunkExtension } from './chunked.js';
export { headerValue, headerValues } from './headers.js';
export type { H1Framing, H1HeaderPair, H1Headers, H1RequestHead, H1ResponseHead, H1TargetForm, H1Version } from './headers.js';

export type H1Kind = 'request' | 'response';
export type H1HeadOf<K extends H1Kind> = K extends 'request' ? H1RequestHead : H1ResponseHead;

/**
 * Parser limits. Every byte the parser holds is bounded by one of them; past
 * a limit the parse fails with the status in parentheses (responses: 502).
 */
export interface H1Limits {
  /** Request-line / status-line bytes, CRLF excluded (414). Default 8192. */
  maxStartLine?: number;
  /** Method bytes (501, RFC 9112 §3). Default 32. */
  maxMethod?: number;
  /** Header section bytes after the start line, each line with its CRLF, the empty line included (431). Default 16384. */
  maxHeaderBytes?: number;
  /** Header field lines (431). Default 100. */
  maxHeaders?: number;
  /** Body bytes, checked against Content-Length up front (413). Default Infinity: the body is streamed, never held. */
  maxBodyBytes?: number;
  /** Chunk-extension bytes in one message, summed over its chunks (413). Default 4096. */
  maxChunkExtensionBytes?: number;
  /** Trailer section bytes, counted like maxHeaderBytes (431). Default 8192. */
  maxTrailerBytes?: number;
  /** Trailer field lines (431). Default 32. */
  maxTrailers?: number;
}

export interface H1ParserOptions<K extends H1Kind = H1Kind> extends H1Limits {
  /** Parse requests (server side) or responses (client side). */
  kind: K;
}

/** Called synchronously from `execute()` / `finish()`; may call `pause()` and `acceptUpgrade()`. */
export interface H1Handlers<K extends H1Kind = H1Kind> {
  /** A head is complete and valid. Responses: also each 1xx. */
  onHead(head: H1HeadOf<K>): void;
  /** Body bytes, chunked coding removed: a view into the fed chunk, copy to keep it past the call. */
  onBody?(chunk: Uint8Array): void;
  /** A chunk header (the last chunk has size 0), with its parsed extensions. */
  onChunkHeader?(size: number, extensions: readonly H1ChunkExtension[]): void;
  /** The message is complete; trailers are empty unless the body was chunked. */
  onComplete?(trailers: H1Headers): void;
}

/**
 * What one `execute()` did. `consumed` bytes of the chunk were used; the
 * rest must be fed again after `resume()` (paused) or belongs to the next
 * role (upgraded). After 'error' the parser stays failed.
 */
export type H1Result =
  | { readonly kind: 'ok'; readonly consumed: number }
  | { readonly kind: 'paused'; readonly consumed: number }
  | { readonly kind: 'upgraded'; readonly consumed: number }
  | { readonly kind: 'error'; readonly consumed: number; readonly error: LwsError };

const State = { Start: 0, Header: 1, Body: 2, Chunked: 3, UntilClose: 4, Upgraded: 5, Failed: 6, Finished: 7 } as const;
type State = (typeof State)[keyof typeof State];
const NO_TRAILERS: H1Headers = Object.freeze([]);
/** Bytes decoded at once for head parsing: most heads fit; more would decode body bytes for nothing. */
const HEAD_WINDOW = 4096;
type Limits = { -readonly [P in keyof typeof H1_DEFAULT_LIMITS]: number };

/**
 * An HTTP/1.1 request or response parser.
 *
 * @example
 * ```ts
 * const parser = new H1Parser({ kind: 'request' }, {
 *   onHead: (head) => console.log(head.method, head.target),
 *   onComplete: () => parser.pause(), // answer pipelined requests one by one
 * });
 * const r = parser.execute(chunk);
 * if (r.kind === 'error') respond(r.error.wire.status);
 * ```
 */
export class H1Parser<K extends H1Kind = H1Kind> {
  readonly kind: K;
  #isRequest: boolean;
  #limits: Limits;
  #handlers: H1Handlers<K>;
  #state: State = State.Start;
  #lines: LineReader;
  #chunked: ChunkedReader;
  #facts = new FieldFacts();
  #start: StartLine = { method: '', target: '', form: 'origin', authority: undefined, version: '1.1', status: 0, reason: '' };
  #headers: H1HeaderPair[] = [];
  #headerBytes = 0;
  #length = 0;
  #remaining = 0;
  #bodyBytes = 0;
  #paused = false;
  #inExecute = false;
  #error: LwsError | null = null;
  #upgradeable = false;
  #upgradeAccepted = false;
  #methods: string[] = [];

  constructor(options: H1ParserOptions<K>, handlers: H1Handlers<K>) {
    if (options?.kind !== 'request' && options?.kind !== 'response') {
      throw new TypeError(`Cannot create H1Parser: kind must be "request" or "response", got ${String(options?.kind)}`);
    }
    if (typeof handlers?.onHead !== 'function') throw new TypeError('Cannot create H1Parser: handlers.onHead is not a function');
    this.kind = options.kind;
    this.#isRequest = options.kind === 'request';
    this.#limits = resolveLimits(options);
    this.#lines = new LineReader(HEAD_WINDOW);
    this.#handlers = handlers;
    this.#chunked = new ChunkedReader(this.#limits, this.#isRequest, handlers);
  }

  /** `pause()` was called and `resume()` not yet. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Between messages: no byte of a next message is held. */
  get idle(): boolean {
    return this.#state === State.Start && this.#lines.held === 0;
  }

  /**
   * Stop before the next byte; `execute()` returns 'paused' with what it
   * consumed. Events that need no further byte still come first: pausing in
   * `onHead` of a body-less message still delivers its `onComplete`.
   */
  pause(): void {
    this.#paused = true;
  }

  /** Allow parsing again; feed the bytes a paused `execute()` did not consume. */
  resume(): void {
    this.#paused = false;
  }

  /**
   * Accept the upgrade (or CONNECT tunnel) the last request head asked for.
   * Call it from `onHead`, `onComplete` or later while paused there: once
   * the request message is complete, `execute()` returns 'upgraded' and the
   * remaining bytes belong to the next role.
   */
  acceptUpgrade(): void {
    if (!this.#upgradeable) throw new TypeError('Cannot accept upgrade: the last request asked for no Upgrade and is not CONNECT');
    if (this.#state === State.Start) this.#state = State.Upgraded;
    else this.#upgradeAccepted = true;
  }

  /** Response parsers: the method of the next request sent, in order (HEAD and CONNECT change framing). */
  expectResponse(method: string): void {
    if (this.#isRequest) throw new TypeError('Cannot expect a response: this parser parses requests');
    this.#methods.push(method);
  }

  /** Parse `chunk`; events go to the handlers before it returns. */
  execute(chunk: Uint8Array): H1Result {
    if (this.#inExecute) throw new Error('Cannot execute: called again from a handler');
    if (this.#state === State.Finished) throw new Error('Cannot execute: finish() was called');
    if (this.#state === State.Failed) return { kind: 'error', consumed: 0, error: this.#error as LwsError };
    if (this.#state === State.Upgraded) return { kind: 'upgraded', consumed: 0 };
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const len = buf.length;
    let pos = 0;
    this.#lines.newChunk();
    this.#inExecute = true;
    try {
      while (pos < len && !this.#paused) {
        const next = this.#step(buf, pos);
        if (next < 0) return { kind: 'error', consumed: pos, error: this.#error as LwsError };
        pos = next;
        if ((this.#state as State) === State.Upgraded) return { kind: 'upgraded', consumed: pos };
      }
    } catch (err) {
      this.#fail(new LwsError('LWS_ERR_CORE_HANDLER_THREW', 'Cannot parse: a handler threw', { status: 500 }, { cause: err }));
      throw err;
    } finally {
      this.#inExecute = false;
    }
    return this.#paused ? { kind: 'paused', consumed: pos } : { kind: 'ok', consumed: pos };
  }

  /**
   * The peer closed its side. Completes a read-until-close response; a
   * message cut short fails with LWS_ERR_H1_INCOMPLETE_MESSAGE.
   */
  finish(): H1Result {
    const state = this.#state;
    if (state === State.Failed) return { kind: 'error', consumed: 0, error: this.#error as LwsError };
    if (state === State.Upgraded) return { kind: 'upgraded', consumed: 0 };
    this.#state = State.Finished;
    let where = '';
    if (state === State.Start && this.#lines.held > 0) where = `in the ${this.#isRequest ? 'request' : 'status'} line`;
    else if (state === State.Header) where = 'in the header section';
    else if (state === State.Body) where = `after ${this.#length - this.#remaining} of ${this.#length} body bytes`;
    else if (state === State.Chunked) where = this.#chunked.position;
    else if (state === State.UntilClose) this.#handlers.onComplete?.(NO_TRAILERS);
    if (where === '') return { kind: 'ok', consumed: 0 };
    const who = this.#isRequest ? 'request' : 'response';
    this.#fail(h1Error('LWS_ERR_H1_INCOMPLETE_MESSAGE', `Cannot finish ${who}: connection closed ${where}`, this.#isRequest));
    return { kind: 'error', consumed: 0, error: this.#error as LwsError };
  }

  #fail(err: LwsError): number {
    this.#state = State.Failed;
    this.#error = err;
    this.#lines.clear();
    return -1;
  }

  #step(buf: Buffer, pos: number): number {
    switch (this.#state) {
      case State.Start:
        return this.#startLine(buf, pos);
      case State.Header:
        return this.#headerLine(buf, pos);
      case State.Body:
        return this.#body(buf, pos);
      case State.Chunked:
        return this.#chunk(buf, pos);
      default:
        return this.#untilClose(buf, pos);
    }
  }

  #startLine(buf: Buffer, pos: number): number {
    this.#upgradeable = false;
    const where = this.#isRequest ? 'request line' : 'status line';
    const max = this.#limits.maxStartLine;
    const next = this.#lines.read(buf, pos, max);
    if (next === LINE_MORE) return buf.length;
    if (next === LINE_TOO_LONG) return this.#fail(h1Error('LWS_ERR_H1_START_LINE_TOO_LONG', `Cannot parse ${where}: longer than ${max} bytes`, this.#isRequest));
    if (next === LINE_BARE_LF) return this.#fail(h1Error('LWS_ERR_H1_BARE_LF', `Cannot parse ${where}: LF without CR`, this.#isRequest));
    const { buf: b, start, end } = this.#lines;
    if (start === end) return next; // RFC 9112 §2.2: ignore empty lines before a start line
    const err = this.#isRequest
      ? parseRequestLine(this.#lines, this.#limits.maxMethod, this.#start)
      : parseStatusLine(this.#lines, this.#start);
    if (err !== null) {
      const cr = b.indexOf(Char.CR, start);
      if (cr !== -1 && cr < end) return this.#fail(h1Error('LWS_ERR_H1_BARE_CR', `Cannot parse ${where}: CR without LF`, this.#isRequest));
      return this.#fail(err);
    }
    this.#headers = [];
    this.#headerBytes = 0;
    this.#facts.reset();
    this.#state = State.Header;
    return next;
  }

  #headerLine(buf: Buffer, pos: number): number {
    const { maxHeaderBytes: max, maxHeaders } = this.#limits;
    const next = this.#lines.read(buf, pos, max - this.#headerBytes - 2);
    if (next === LINE_MORE) return buf.length;
    if (next === LINE_TOO_LONG) return this.#fail(h1Error('LWS_ERR_H1_HEADERS_TOO_LARGE', `Cannot parse header section: more than ${max} bytes`, this.#isRequest));
    if (next === LINE_BARE_LF) return this.#fail(h1Error('LWS_ERR_H1_BARE_LF', 'Cannot parse header: LF without CR', this.#isRequest));
    const { buf: b, start, end } = this.#lines;
    if (start === end) return this.#isRequest ? this.#requestHead(next) : this.#responseHead(next);
    this.#headerBytes += end - start + 2;
    if (this.#headers.length >= maxHeaders) {
      return this.#fail(h1Error('LWS_ERR_H1_TOO_MANY_HEADERS', `Cannot parse header section: more than ${maxHeaders} fields`, this.#isRequest));
    }
    const field = parseFieldLine(this.#lines, 'header', this.#isRequest);
    if (field instanceof LwsError) return this.#fail(field);
    this.#headers.push(field);
    const err = this.#facts.add(field[0], field[1], this.#isRequest);
    return err === null ? next : this.#fail(err);
  }

  #requestHead(next: number): number {
    const f = this.#facts;
    const { method, target, form, authority, version } = this.#start;
    const v11 = version === '1.1';
    if (v11 && f.hosts === 0) return this.#fail(h1Error('LWS_ERR_H1_MISSING_HOST', 'Cannot accept request: HTTP/1.1 without Host', true));
    let framing: H1Framing = 'none';
    if (f.te !== null) {
      const err = checkTransferEncoding(f.te, f.contentLength !== -1, version, true);
      if (err !== null) return this.#fail(err);
      framing = 'chunked';
    } else if (f.contentLength !== -1) {
      framing = 'length';
      const max = this.#limits.maxBodyBytes;
      if (f.contentLength > max) {
        return this.#fail(h1Error('LWS_ERR_H1_BODY_TOO_LARGE', `Cannot accept body: Content-Length is ${f.contentLength}, limit is ${max}`, true));
      }
    }
    const upgrade = v11 && f.upgradeOption ? f.upgrade : undefined;
    const head: H1RequestHead = {
      method, target, targetForm: form, authority, version, headers: this.#headers, framing,
      hasBody: framing === 'chunked' || f.contentLength > 0,
      contentLength: f.contentLength === -1 ? undefined : f.contentLength,
      keepAlive: v11 ? !f.close : f.keepAlive && !f.close,
      upgrade,
      host: authority ?? f.host,
      expectContinue: v11 && f.expect?.toLowerCase() === '100-continue',
    };
    this.#upgradeable = upgrade !== undefined || method === 'CONNECT';
    this.#upgradeAccepted = false;
    this.#handlers.onHead(head as H1HeadOf<K>);
    return this.#beginBody(framing, f.contentLength, next);
  }

  #responseHead(next: number): number {
    const f = this.#facts;
    const { status, reason, version } = this.#start;
    // 1xx but 101 are interim: the awaited request still waits for its final response
    const method = (status < 200 && status !== HttpStatus.SwitchingProtocols ? this.#methods[0] : this.#methods.shift()) ?? 'GET';
    const tunnel = status === HttpStatus.SwitchingProtocols || (method === 'CONNECT' && status >= 200 && status < 300);
    let framing: H1Framing = 'none';
    if (method === 'HEAD' || status < 200 || status === HttpStatus.NoContent || status === HttpStatus.NotModified || tunnel) {
      framing = 'none';
    } else if (f.te !== null) {
      const err = checkTransferEncoding(f.te, f.contentLength !== -1, version, false);
      if (err !== null) return this.#fail(err);
      framing = 'chunked';
    } else if (f.contentLength !== -1) {
      framing = 'length';
      const max = this.#limits.maxBodyBytes;
      if (f.contentLength > max) {
        return this.#fail(h1Error('LWS_ERR_H1_BODY_TOO_LARGE', `Cannot accept body: Content-Length is ${f.contentLength}, limit is ${max}`, false));
      }
    } else {
      framing = 'until-close';
    }
    const head: H1ResponseHead = {
      status, reason, version, headers: this.#headers, framing,
      hasBody: framing === 'chunked' || framing === 'until-close' || (framing === 'length' && f.contentLength > 0),
      contentLength: f.contentLength === -1 ? undefined : f.contentLength,
      keepAlive: (version === '1.1' ? !f.close : f.keepAlive && !f.close) && framing !== 'until-close' && !tunnel,
      upgrade: status === HttpStatus.SwitchingProtocols ? (f.upgrade ?? '') : undefined,
    };
    this.#handlers.onHead(head as H1HeadOf<K>);
    if (tunnel) {
      this.#complete(NO_TRAILERS, next);
      this.#state = State.Upgraded;
      return next;
    }
    return this.#beginBody(framing, f.contentLength, next);
  }

  #beginBody(framing: H1Framing, length: number, next: number): number {
    if (framing === 'chunked') {
      this.#chunked.reset();
      this.#state = State.Chunked;
    } else if (framing === 'until-close') {
      this.#bodyBytes = 0;
      this.#state = State.UntilClose;
    } else if (framing === 'length' && length > 0) {
      this.#length = this.#remaining = length;
      this.#state = State.Body;
    } else {
      return this.#complete(NO_TRAILERS, next);
    }
    return next;
  }

  #complete(trailers: H1Headers, next: number): number {
    this.#state = State.Start;
    this.#lines.clear();
    if (this.#upgradeAccepted) this.#state = State.Upgraded;
    this.#handlers.onComplete?.(trailers);
    return next;
  }

  #body(buf: Buffer, pos: number): number {
    const n = Math.min(this.#remaining, buf.length - pos);
    this.#remaining -= n;
    this.#handlers.onBody?.(buf.subarray(pos, pos + n));
    return this.#remaining === 0 ? this.#complete(NO_TRAILERS, pos + n) : pos + n;
  }

  #chunk(buf: Buffer, pos: number): number {
    const next = this.#chunked.step(buf, pos);
    if (next < 0) return this.#fail(this.#chunked.error as LwsError);
    return this.#chunked.done ? this.#complete(this.#chunked.trailers, next) : next;
  }

  #untilClose(buf: Buffer, pos: number): number {
    const max = this.#limits.maxBodyBytes;
    const n = Math.min(buf.length - pos, max - this.#bodyBytes);
    this.#bodyBytes += n;
    if (n > 0) this.#handlers.onBody?.(buf.subarray(pos, pos + n));
    if (pos + n < buf.length) return this.#fail(h1Error('LWS_ERR_H1_BODY_TOO_LARGE', `Cannot accept body: more than ${max} bytes`, false));
    return pos + n;
  }
}

/** Limits resolved from frozen options (a server's per-vhost options): one object for all their parsers. */
const limitsOfFrozen = new WeakMap<H1Limits, Limits>();

function resolveLimits(options: H1Limits): Limits {
  if (!Object.isFrozen(options)) return resolveNew(options);
  let limits = limitsOfFrozen.get(options);
  if (limits === undefined) {
    limits = Object.freeze(resolveNew(options));
    limitsOfFrozen.set(options, limits);
  }
  return limits;
}

function resolveNew(options: H1Limits): Limits {
  const limits: Limits = { ...H1_DEFAULT_LIMITS };
  for (const key of Object.keys(limits) as (keyof Limits)[]) {
    const v = options[key];
    if (v === undefined) continue;
    const ok = typeof v === 'number' && v >= 0 && (Number.isInteger(v) || (key === 'maxBodyBytes' && v === Infinity));
    if (!ok) throw new RangeError(`Cannot create H1Parser: ${key} must be a non-negative integer, got ${String(v)}`);
    limits[key] = v;
  }
  return limits;
}
