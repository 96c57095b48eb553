/*
 * Incremental multipart/form-data parser (RFC 7578 on RFC 2046 §5.1.1).
 * The delimiter `CRLF--boundary` is searched across chunk splits: at most
 * delimiter-length minus one bytes are held back, the rest of a part's body
 * goes to the sink as it arrives, so a file part is never held whole.
 *
 *   [preamble] --boundary [LWSP] CRLF
 *   Content-Disposition: form-data; name="f"; filename="a.txt" CRLF
 *   Content-Type: text/plain CRLF
 *   CRLF
 *   <body bytes> CRLF --boundary [LWSP] CRLF ... CRLF --boundary-- [epilogue]
 */
import { LwsError } from '../errors.js';
import { filenameBasename, parseHeaderParams } from './multipart-headers.js';
import { CappedBytes, decodeUtf8 } from './spa-bytes.js';

/** Limits of one multipart parse. */
export interface MultipartLimits {
  /** Header bytes of one part, CRLFs included (413 past it). */
  maxPartHeaderBytes: number;
  /** Most parts (413 past it). */
  maxParts: number;
}

/** What a part's headers say. */
export interface MultipartPartHead {
  /** Content-Disposition `name`. */
  name: string;
  /** Content-Disposition `filename` (basename only), when the part is a file. */
  filename: string | undefined;
  /** Part Content-Type; `text/plain` when absent (RFC 7578 §4.4). */
  contentType: string;
  /** Every part header, `[lowercase-name, value]`. */
  headers: [string, string][];
}

/**
 * Receives the parts. `data` views stay valid (the parser never writes into
 * buffers) as long as the caller does not reuse the chunks it fed.
 * Returning an LwsError stops the parse with it.
 */
export interface MultipartSink {
  partStart(head: MultipartPartHead): LwsError | void;
  partData(data: Uint8Array): LwsError | void;
  partEnd(): LwsError | void;
}

type State = 'preamble' | 'after-delim' | 'close-dash' | 'delim-lf' | 'headers' | 'body' | 'epilogue';

const CR = 0x0d;
const LF = 0x0a;
const MAX_PADDING = 64; // transport padding (LWSP) allowed after a delimiter

function bad(code: 'LWS_ERR_SPA_BAD_DELIMITER' | 'LWS_ERR_SPA_BAD_PART_HEADER' | 'LWS_ERR_SPA_BAD_DISPOSITION', detail: string): LwsError {
  return new LwsError(code, `Cannot parse multipart body: ${detail}`, { status: 400 });
}

/**
 * Streaming multipart/form-data parser: `write()` pieces in any split, then
 * `end()`. Failures are returned (and kept in `error`), never thrown.
 *
 * @example
 * ```ts
 * const p = new MultipartParser('xyz', { maxPartHeaderBytes: 1024, maxParts: 8 }, {
 *   partStart: (h) => void console.log(h.name),
 *   partData: (d) => void out.push(d),
 *   partEnd: () => {},
 * });
 * p.write(Buffer.from('--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--xyz--\r\n'));
 * p.end(); // undefined: no error
 * ```
 */
export class MultipartParser {
  #delim: Buffer;
  #limits: MultipartLimits;
  #sink: MultipartSink;
  #state: State = 'preamble';
  /** Bytes that may start a delimiter, held back from the last chunk; starts as the virtual CRLF before the first. */
  #tail: Buffer = Buffer.from('\r\n');
  #padding = 0;
  #line: CappedBytes;
  #headerBytes = 0;
  #headers: [string, string][] = [];
  #parts = 0;
  #error: LwsError | undefined;
  #ended = false;

  constructor(boundary: string, limits: MultipartLimits, sink: MultipartSink) {
    if (typeof boundary !== 'string' || boundary.length === 0) throw new TypeError('Cannot create multipart parser: boundary must be a non-empty string');
    for (const k of ['maxPartHeaderBytes', 'maxParts'] as const) {
      const v = limits[k];
      if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`Cannot create multipart parser: ${k} is ${String(v)}, expected a non-negative integer`);
    }
    this.#delim = Buffer.from(`\r\n--${boundary}`, 'latin1');
    this.#limits = limits;
    this.#sink = sink;
    this.#line = new CappedBytes(limits.maxPartHeaderBytes);
  }

  /** The first failure, if any; the parser takes no more input after it. */
  get error(): LwsError | undefined {
    return this.#error;
  }

  /** Feed a piece of the body. */
  write(chunk: Uint8Array): LwsError | undefined {
    if (this.#error || this.#ended) return this.#error;
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    if (this.#tail.length > 0) {
      buf = Buffer.concat([this.#tail, buf]);
      this.#tail = Buffer.alloc(0);
    }
    let pos = 0;
    while (pos < buf.length && !this.#error) {
      const r = this.#step(buf, pos);
      if (typeof r === 'number') pos = r;
      else this.#error = r;
    }
    return this.#error;
  }

  /** The body has ended: it must have ended with the close delimiter. */
  end(): LwsError | undefined {
    if (this.#error || this.#ended) return this.#error;
    this.#ended = true;
    if (this.#state !== 'epilogue') {
      const where = this.#state === 'body' ? 'inside a part' : this.#state === 'headers' ? 'inside part headers' : 'before the first boundary';
      this.#error = new LwsError('LWS_ERR_SPA_MISSING_FINAL_BOUNDARY', `Cannot parse multipart body: it ends ${where}, without the final boundary`, { status: 400 });
    }
    return this.#error;
  }

  #step(buf: Buffer, pos: number): number | LwsError {
    switch (this.#state) {
      case 'preamble':
      case 'body':
        return this.#scan(buf, pos);
      case 'headers':
        return this.#headerBytesIn(buf, pos);
      case 'epilogue':
        return buf.length; // RFC 2046: the epilogue is ignored
      default:
        return this.#delimByte(buf[pos] as number) ?? pos + 1;
    }
  }

  /** Body or preamble: pass bytes on up to the next delimiter, holding back a possible partial one. */
  #scan(buf: Buffer, pos: number): number | LwsError {
    const inBody = this.#state === 'body';
    const idx = buf.indexOf(this.#delim, pos);
    if (idx >= 0) {
      if (inBody && idx > pos) {
        const e = this.#sink.partData(buf.subarray(pos, idx));
        if (e) return e;
      }
      if (inBody) {
        const e = this.#sink.partEnd();
        if (e) return e;
      }
      this.#state = 'after-delim';
      this.#padding = 0;
      return idx + this.#delim.length;
    }
    const keep = this.#partialDelimAtEnd(buf, pos);
    const end = buf.length - keep;
    if (inBody && end > pos) {
      const e = this.#sink.partData(buf.subarray(pos, end));
      if (e) return e;
    }
    this.#tail = Buffer.from(buf.subarray(end));
    return buf.length;
  }

  /** Length of the longest suffix of buf[pos..] that is a proper prefix of the delimiter. */
  #partialDelimAtEnd(buf: Buffer, pos: number): number {
    const max = Math.min(this.#delim.length - 1, buf.length - pos);
    for (let k = max; k > 0; k--) {
      const start = buf.length - k;
      if (buf[start] !== CR) continue;
      if (buf.compare(this.#delim, 0, k, start, buf.length) === 0) return k;
    }
    return 0;
  }

  /** After `CRLF--boundary`: `--` closes, else optional padding then CRLF opens a part. */
  #delimByte(b: number): LwsError | undefined {
    if (this.#state === 'close-dash') {
      if (b !== 0x2d) return bad('LWS_ERR_SPA_BAD_DELIMITER', 'boundary is followed by "-" and not "--"');
      this.#state = 'epilogue';
      return undefined;
    }
    if (this.#state === 'delim-lf') {
      if (b !== LF) return bad('LWS_ERR_SPA_BAD_DELIMITER', 'boundary line ends in CR without LF');
      return this.#openPart();
    }
    if (b === 0x2d && this.#padding === 0) this.#state = 'close-dash';
    else if (b === CR) this.#state = 'delim-lf';
    else if ((b === 0x20 || b === 0x09) && ++this.#padding <= MAX_PADDING) return undefined;
    else return bad('LWS_ERR_SPA_BAD_DELIMITER', `boundary is followed by 0x${b.toString(16).padStart(2, '0')}, expected CRLF or "--"`);
    return undefined;
  }

  #openPart(): LwsError | undefined {
    if (++this.#parts > this.#limits.maxParts) {
      return new LwsError('LWS_ERR_SPA_TOO_MANY_FIELDS', `Cannot parse multipart body: more than ${this.#limits.maxParts} parts`, { status: 413 });
    }
    this.#state = 'headers';
    this.#headerBytes = 0;
    this.#headers = [];
    this.#line.clear();
    return undefined;
  }

  /** Part headers: CRLF-ended lines up to an empty line, bounded by maxPartHeaderBytes. */
  #headerBytesIn(buf: Buffer, pos: number): number | LwsError {
    const lf = buf.indexOf(LF, pos);
    const end = lf < 0 ? buf.length : lf + 1;
    this.#headerBytes += end - pos;
    if (this.#headerBytes > this.#limits.maxPartHeaderBytes || !this.#line.push(buf.subarray(pos, end))) {
      return new LwsError('LWS_ERR_SPA_PART_HEADERS_TOO_LARGE', `Cannot parse multipart body: part ${this.#parts} headers are longer than ${this.#limits.maxPartHeaderBytes} bytes`, { status: 413 });
    }
    if (lf < 0) return end;
    const line = this.#line.bytes();
    this.#line.clear();
    if (line.length < 2 || line[line.length - 2] !== CR) return bad('LWS_ERR_SPA_BAD_PART_HEADER', `part ${this.#parts} has a header line ending in a bare LF`);
    const text = line.subarray(0, line.length - 2);
    if (text.includes(CR)) return bad('LWS_ERR_SPA_BAD_PART_HEADER', `part ${this.#parts} has a bare CR in a header line`);
    if (text.length === 0) return this.#headersDone() ?? end;
    return this.#headerLine(text) ?? end;
  }

  #headerLine(text: Buffer): LwsError | undefined {
    const s = decodeUtf8(text);
    if (s === undefined) return bad('LWS_ERR_SPA_BAD_PART_HEADER', `part ${this.#parts} has a header line that is not UTF-8`);
    const colon = s.indexOf(':');
    const name = colon > 0 ? s.slice(0, colon) : '';
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      return bad('LWS_ERR_SPA_BAD_PART_HEADER', `part ${this.#parts} has a malformed header line "${s.slice(0, 64)}"`);
    }
    this.#headers.push([name.toLowerCase(), s.slice(colon + 1).trim()]);
    return undefined;
  }

  #headersDone(): LwsError | undefined {
    const cd = this.#headers.find((h) => h[0] === 'content-disposition')?.[1];
    if (cd === undefined) return bad('LWS_ERR_SPA_BAD_DISPOSITION', `part ${this.#parts} has no Content-Disposition header`);
    const p = parseHeaderParams(cd);
    const name = p?.params.get('name');
    if (!p || p.value !== 'form-data' || name === undefined) {
      return bad('LWS_ERR_SPA_BAD_DISPOSITION', `part ${this.#parts} Content-Disposition is "${cd.slice(0, 128)}", expected form-data with a name`);
    }
    const filename = p.params.get('filename');
    const contentType = this.#headers.find((h) => h[0] === 'content-type')?.[1] ?? 'text/plain';
    this.#state = 'body';
    return this.#sink.partStart({ name, filename: filename === undefined ? undefined : filenameBasename(filename), contentType, headers: this.#headers }) ?? undefined;
  }
}
