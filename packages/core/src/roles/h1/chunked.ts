/*
 * The chunked transfer coding, decoding side (RFC 9112 §7.1): chunk sizes,
 * bounded chunk extensions (§7.1.1), chunk data with its CRLF, and the
 * trailer section (§7.1.2), driven one step at a time by H1Parser; and the
 * Transfer-Encoding checks that decide a body is chunked (§6.1, §6.3).
 *
 *   chunked-body = *chunk last-chunk trailer-section CRLF
 *   chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 *   last-chunk   = 1*("0") [ chunk-ext ] CRLF
 *   chunk-ext    = *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )
 */
import { LwsError } from '../../errors.js';
import { Char, describeByte, FIELD_VALUE, h1Error, HEX, MAX_CHUNK_SIZE_DIGITS, quote, TOKEN } from './constants.js';
import { LINE_BARE_LF, LINE_MORE, LINE_TOO_LONG, LineReader, parseFieldLine, type H1HeaderPair } from './headers.js';

/** One chunk extension: lowercase name, unquoted value (undefined when it has none). */
export type H1ChunkExtension = readonly [name: string, value: string | undefined];

/** What the chunked decoder hands on. */
export interface ChunkedSink {
  onBody?(chunk: Uint8Array): void;
  onChunkHeader?(size: number, extensions: readonly H1ChunkExtension[]): void;
}

export interface ChunkedLimits {
  maxBodyBytes: number;
  maxChunkExtensionBytes: number;
  maxTrailerBytes: number;
  maxTrailers: number;
}

const Step = { Size: 0, Ext: 1, Data: 2, DataCr: 3, DataLf: 4, Trailer: 5, Done: 6 } as const;
type Step = (typeof Step)[keyof typeof Step];
const NO_EXTENSIONS: readonly H1ChunkExtension[] = Object.freeze([]);

/** Decodes one chunked body per `reset()`; `step()` returns the next position or -1 (see `error`). */
export class ChunkedReader {
  /** The failure after `step()` returned -1. */
  error: LwsError | null = null;
  /** Trailer fields, complete once `done`. */
  trailers: H1HeaderPair[] = [];
  #limits: ChunkedLimits;
  #isRequest: boolean;
  #sink: ChunkedSink;
  #lines = new LineReader();
  #step: Step = Step.Size;
  #size = 0;
  #digits = 0;
  #remaining = 0;
  #bodyBytes = 0;
  #extBytes = 0;
  #trailerBytes = 0;

  constructor(limits: ChunkedLimits, isRequest: boolean, sink: ChunkedSink) {
    this.#limits = limits;
    this.#isRequest = isRequest;
    this.#sink = sink;
  }

  /** The last chunk and the trailer section have been read. */
  get done(): boolean {
    return this.#step === Step.Done;
  }

  /** Where an unfinished body stopped, for `finish()`'s message. */
  get position(): string {
    return this.#step === Step.Trailer ? 'in the trailer section' : 'in a chunked body';
  }

  reset(): void {
    this.#step = Step.Size;
    this.#size = this.#digits = this.#bodyBytes = this.#extBytes = this.#trailerBytes = 0;
    this.trailers = [];
    this.#lines.clear();
  }

  step(buf: Buffer, pos: number): number {
    switch (this.#step) {
      case Step.Size:
        return this.#chunkSize(buf, pos);
      case Step.Ext:
        return this.#chunkExt(buf, pos);
      case Step.Data:
        return this.#chunkData(buf, pos);
      case Step.DataCr:
      case Step.DataLf:
        return this.#chunkDataEnd(buf, pos);
      case Step.Trailer:
        return this.#trailer(buf, pos);
      default:
        return pos;
    }
  }

  #fail(err: LwsError): number {
    this.error = err;
    return -1;
  }

  #chunkSize(buf: Buffer, pos: number): number {
    const len = buf.length;
    for (; pos < len; pos++) {
      const h = HEX[buf[pos] as number] as number;
      if (h === 0) return this.#chunkSizeEnd(buf[pos] as number, pos);
      if (++this.#digits > MAX_CHUNK_SIZE_DIGITS) {
        return this.#fail(h1Error('LWS_ERR_H1_BAD_CHUNK_SIZE', `Cannot parse chunk size: more than ${MAX_CHUNK_SIZE_DIGITS} hex digits`, this.#isRequest));
      }
      this.#size = this.#size * 16 + (h - 1);
      if (this.#size > Number.MAX_SAFE_INTEGER) {
        return this.#fail(h1Error('LWS_ERR_H1_BAD_CHUNK_SIZE', 'Cannot parse chunk size: larger than 2^53 - 1', this.#isRequest));
      }
    }
    return pos;
  }

  /** The first byte after the hex digits; not consumed (the extension line starts with it). */
  #chunkSizeEnd(b: number, pos: number): number {
    if (b === Char.LF && this.#digits > 0) {
      return this.#fail(h1Error('LWS_ERR_H1_BARE_LF', 'Cannot parse chunk header: LF without CR', this.#isRequest));
    }
    if (this.#digits === 0 || (b !== Char.CR && b !== Char.SEMICOLON && b !== Char.SP && b !== Char.HTAB)) {
      return this.#fail(h1Error('LWS_ERR_H1_BAD_CHUNK_SIZE', `Cannot parse chunk size: unexpected ${describeByte(b)}`, this.#isRequest));
    }
    const max = this.#limits.maxBodyBytes;
    if (this.#bodyBytes + this.#size > max) {
      return this.#fail(h1Error('LWS_ERR_H1_BODY_TOO_LARGE', `Cannot accept body: more than ${max} bytes`, this.#isRequest));
    }
    this.#step = Step.Ext;
    return pos;
  }

  #chunkExt(buf: Buffer, pos: number): number {
    const max = this.#limits.maxChunkExtensionBytes;
    const next = this.#lines.read(buf, pos, max - this.#extBytes);
    if (next === LINE_MORE) return buf.length;
    if (next === LINE_TOO_LONG) {
      return this.#fail(h1Error('LWS_ERR_H1_CHUNK_EXTENSION_TOO_LONG', `Cannot parse chunk extension: more than ${max} bytes in one message`, this.#isRequest));
    }
    if (next === LINE_BARE_LF) return this.#fail(h1Error('LWS_ERR_H1_BARE_LF', 'Cannot parse chunk header: LF without CR', this.#isRequest));
    const { buf: b, start, end } = this.#lines;
    this.#extBytes += end - start;
    let extensions = NO_EXTENSIONS;
    if (end > start) {
      const cr = b.indexOf(Char.CR, start);
      if (cr !== -1 && cr < end) return this.#fail(h1Error('LWS_ERR_H1_BARE_CR', 'Cannot parse chunk header: CR without LF', this.#isRequest));
      const parsed = parseChunkExtensions(b, start, end);
      if (typeof parsed === 'string') return this.#fail(h1Error('LWS_ERR_H1_BAD_CHUNK_EXTENSION', `Cannot parse chunk extension: ${parsed}`, this.#isRequest));
      extensions = parsed;
    }
    const size = this.#size;
    this.#sink.onChunkHeader?.(size, extensions);
    if (size === 0) {
      this.#step = Step.Trailer;
    } else {
      this.#remaining = size;
      this.#step = Step.Data;
    }
    return next;
  }

  #chunkData(buf: Buffer, pos: number): number {
    const n = Math.min(this.#remaining, buf.length - pos);
    this.#remaining -= n;
    this.#bodyBytes += n;
    if (this.#remaining === 0) this.#step = Step.DataCr;
    if (n > 0) this.#sink.onBody?.(buf.subarray(pos, pos + n));
    return pos + n;
  }

  #chunkDataEnd(buf: Buffer, pos: number): number {
    const b = buf[pos] as number;
    const want = this.#step === Step.DataCr ? Char.CR : Char.LF;
    if (b !== want) {
      return this.#fail(h1Error('LWS_ERR_H1_BAD_CHUNK_END', `Cannot parse chunk: expected CRLF after chunk data, got ${describeByte(b)}`, this.#isRequest));
    }
    if (want === Char.CR) {
      this.#step = Step.DataLf;
    } else {
      this.#step = Step.Size;
      this.#size = this.#digits = 0;
    }
    return pos + 1;
  }

  #trailer(buf: Buffer, pos: number): number {
    const { maxTrailerBytes: max, maxTrailers } = this.#limits;
    const next = this.#lines.read(buf, pos, max - this.#trailerBytes - 2);
    if (next === LINE_MORE) return buf.length;
    if (next === LINE_TOO_LONG) {
      return this.#fail(h1Error('LWS_ERR_H1_TRAILERS_TOO_LARGE', `Cannot parse trailer section: more than ${max} bytes`, this.#isRequest));
    }
    if (next === LINE_BARE_LF) return this.#fail(h1Error('LWS_ERR_H1_BARE_LF', 'Cannot parse trailer: LF without CR', this.#isRequest));
    const { start, end } = this.#lines;
    if (end === start) {
      this.#step = Step.Done;
      this.#lines.clear();
      return next;
    }
    this.#trailerBytes += end - start + 2;
    if (this.trailers.length >= maxTrailers) {
      return this.#fail(h1Error('LWS_ERR_H1_TOO_MANY_TRAILERS', `Cannot parse trailer section: more than ${maxTrailers} fields`, this.#isRequest));
    }
    const field = parseFieldLine(this.#lines, 'trailer', this.#isRequest);
    if (field instanceof LwsError) return this.#fail(field);
    this.trailers.push(field);
    return next;
  }
}

function skipWs(buf: Buffer, i: number, e: number): number {
  while (i < e && (buf[i] === Char.SP || buf[i] === Char.HTAB)) i++;
  return i;
}

function skipToken(buf: Buffer, i: number, e: number): number {
  while (i < e && TOKEN[buf[i] as number] !== 0) i++;
  return i;
}

/** Parses `buf[s, e)`, everything after the chunk size; returns the extensions or what is wrong. */
export function parseChunkExtensions(buf: Buffer, s: number, e: number): H1ChunkExtension[] | string {
  const out: H1ChunkExtension[] = [];
  const text = (): string => quote(buf.toString('latin1', s, e));
  let i = s;
  while (i < e) {
    i = skipWs(buf, i, e);
    if (i === e || buf[i] !== Char.SEMICOLON) return `expected ";" in ${text()}`;
    i = skipWs(buf, i + 1, e);
    const ns = i;
    i = skipToken(buf, i, e);
    if (i === ns) return `expected a name in ${text()}`;
    const name = buf.toString('latin1', ns, i).toLowerCase();
    const eq = skipWs(buf, i, e);
    if (eq === e || buf[eq] !== Char.EQUALS) {
      out.push([name, undefined]);
      continue;
    }
    const vs = skipWs(buf, eq + 1, e);
    if (vs < e && buf[vs] === Char.DQUOTE) {
      i = quotedStringEnd(buf, vs, e);
      if (i === -1) return `bad quoted string in ${text()}`;
      out.push([name, buf.toString('latin1', vs + 1, i - 1).replace(/\\([^])/g, '$1')]);
    } else {
      i = skipToken(buf, vs, e);
      if (i === vs) return `expected a value in ${text()}`;
      out.push([name, buf.toString('latin1', vs, i)]);
    }
  }
  return out;
}

/** The index after the closing DQUOTE of the quoted-string at `q` (RFC 9110 §5.6.4), or -1. */
function quotedStringEnd(buf: Buffer, q: number, e: number): number {
  for (let i = q + 1; i < e; i++) {
    const c = buf[i] as number;
    if (c === Char.DQUOTE) return i + 1;
    if (c === Char.BACKSLASH) {
      i++;
      if (i === e || FIELD_VALUE[buf[i] as number] === 0) return -1;
    } else if (FIELD_VALUE[c] === 0) {
      return -1;
    }
  }
  return -1;
}

const CODING_RE = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

/**
 * Checks Transfer-Encoding (RFC 9112 §6.1, §6.3): no Content-Length beside it,
 * not in HTTP/1.0, a well-formed list, `chunked` once and last. On a request
 * a coding before `chunked` is 501 (we decode none); a response must be
 * exactly `chunked` for the same reason.
 */
export function checkTransferEncoding(te: readonly string[], hasLength: boolean, version: string, isRequest: boolean): LwsError | null {
  const raw = te.join(', ');
  const who = isRequest ? 'request' : 'response';
  if (hasLength) {
    return h1Error('LWS_ERR_H1_CONTENT_LENGTH_WITH_TE', `Cannot accept ${who}: both Content-Length and Transfer-Encoding`, isRequest);
  }
  if (version === '1.0') {
    return h1Error('LWS_ERR_H1_BAD_TRANSFER_ENCODING', `Cannot accept Transfer-Encoding: not allowed in HTTP/1.0, got ${quote(raw)}`, isRequest);
  }
  const codings = raw.split(',').map((c) => c.trim().toLowerCase());
  for (const c of codings) {
    const name = c.split(';', 1)[0]?.trimEnd() ?? '';
    if (!CODING_RE.test(name) || (name === 'chunked' && c !== name)) {
      return h1Error('LWS_ERR_H1_BAD_TRANSFER_ENCODING', `Cannot parse Transfer-Encoding: invalid coding ${quote(c)} in ${quote(raw)}`, isRequest);
    }
  }
  const chunked = codings.filter((c) => c === 'chunked').length;
  if (isRequest && codings[codings.length - 1] !== 'chunked') {
    return h1Error('LWS_ERR_H1_BAD_TRANSFER_ENCODING', `Cannot parse Transfer-Encoding: ${quote(raw)} does not end in chunked`, true);
  }
  if (chunked > 1) {
    return h1Error('LWS_ERR_H1_BAD_TRANSFER_ENCODING', `Cannot parse Transfer-Encoding: chunked more than once in ${quote(raw)}`, isRequest);
  }
  const other = codings.find((c) => c !== 'chunked');
  if (other !== undefined) {
    return h1Error('LWS_ERR_H1_UNSUPPORTED_TRANSFER_ENCODING', `Cannot accept Transfer-Encoding: ${quote(other)} is not supported, in ${quote(raw)}`, isRequest);
  }
  return null;
}
