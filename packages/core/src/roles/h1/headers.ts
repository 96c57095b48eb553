/*
 * HTTP/1.1 head building blocks: the head types, CRLF line reading with
 * bounded buffering (RFC 9112 §2.2), start lines (§3, §4), field lines (§5)
 * and the facts derived from them: framing (§6.3), Host (RFC 9110 §7.2),
 * Connection (RFC 9110 §7.6.1), Upgrade (§7.8), Expect (§10.1.1).
 */
import type { LwsError } from '../../errors.js';
import { Char, describeByte, FIELD_VALUE, h1Error, knownName, latin1, quote, TOKEN } from './constants.js';

/** One field line: lowercase name, value without surrounding whitespace. */
export type H1HeaderPair = readonly [name: string, value: string];
/** Field lines in wire order (the shape of `HeaderList` in http/response.ts). */
export type H1Headers = readonly H1HeaderPair[];
export type H1Version = '1.0' | '1.1';
/**
 * How the body is delimited (RFC 9112 §6.3): none, Content-Length bytes,
 * chunked, or until the peer closes (responses only).
 */
export type H1Framing = 'none' | 'length' | 'chunked' | 'until-close';
/** RFC 9112 §3.2: `/path`, `http://host/path`, `host:port` (CONNECT) or `*` (OPTIONS). */
export type H1TargetForm = 'origin' | 'absolute' | 'authority' | 'asterisk';

interface H1HeadCommon {
  readonly version: H1Version;
  readonly headers: H1Headers;
  readonly framing: H1Framing;
  /** The message has body bytes to read: framing is not 'none' and not a zero Content-Length. */
  readonly hasBody: boolean;
  /** The parsed Content-Length, also when the framing ignores it (HEAD, 304). */
  readonly contentLength: number | undefined;
  /** The connection may carry another message after this one. */
  readonly keepAlive: boolean;
  /** Requests: the Upgrade value when `Connection: upgrade` asks for it (HTTP/1.1 only). Responses: Upgrade of a 101. */
  readonly upgrade: string | undefined;
}

/** A parsed request head. */
export interface H1RequestHead extends H1HeadCommon {
  readonly method: string;
  /** The request-target exactly as received. */
  readonly target: string;
  readonly targetForm: H1TargetForm;
  /** The authority of an absolute-form or authority-form target. */
  readonly authority: string | undefined;
  /** The effective host: the target's authority if it has one (RFC 9112 §3.2.2), else the Host field. */
  readonly host: string | undefined;
  /** HTTP/1.1 with `Expect: 100-continue`: answer 100 (or a final status) before reading the body. */
  readonly expectContinue: boolean;
}

/** A parsed response head. */
export interface H1ResponseHead extends H1HeadCommon {
  readonly status: number;
  readonly reason: string;
}

/** The value of field `name` (lowercase), several lines joined with ", "; undefined if absent. */
export function headerValue(headers: H1Headers, name: string): string | undefined {
  let out: string | undefined;
  for (const [n, v] of headers) if (n === name) out = out === undefined ? v : `${out}, ${v}`;
  return out;
}

/** Every value of field `name` (lowercase), one per field line, in order (for Set-Cookie). */
export function headerValues(headers: H1Headers, name: string): string[] {
  const out: string[] = [];
  for (const [n, v] of headers) if (n === name) out.push(v);
  return out;
}

export const LINE_MORE = -1;
export const LINE_TOO_LONG = -2;
export const LINE_BARE_LF = -3;
const EMPTY = Buffer.alloc(0);
/** Pending line buffers larger than this are dropped between messages. */
const KEEP_PENDING = 1024;

/**
 * Finds CRLF-terminated lines in fed chunks. A line inside one chunk is used
 * in place; only a line split across chunks is copied, and never more than
 * the caller's limit. Limits count line content, CRLF excluded; the result
 * depends only on the bytes, never on how they were split.
 *
 * With a `windowCap`, up to that many bytes of a chunk are decoded to one
 * latin1 string and lines and `text()` are served from it: one native call
 * for a whole head (or several pipelined ones) instead of one per field,
 * measured 1.76x -> 1.5x llhttp's time on a 450-byte browser request and
 * 0.81x -> 0.79x on a 60-byte one. Values of 13+ characters are V8 sliced
 * strings that keep the window (at most `windowCap` bytes) alive.
 */
export class LineReader {
  /** The last complete line is `buf[start, end)`, CRLF excluded. */
  buf: Buffer = EMPTY;
  start = 0;
  end = 0;
  #pending: Buffer = EMPTY;
  #len = 0;
  #windowCap: number;
  #win = '';
  #winBuf: Buffer | null = null;
  #winStart = 0;
  #winEnd = 0;

  constructor(windowCap = 0) {
    this.#windowCap = windowCap;
  }

  /** Bytes of an incomplete line held. */
  get held(): number {
    return this.#len;
  }

  /** `buf[s, e)` of the current line as a latin1 string. */
  text(s: number, e: number): string {
    if (this.buf === this.#winBuf && s >= this.#winStart && e <= this.#winEnd) {
      return this.#win.substring(s - this.#winStart, e - this.#winStart);
    }
    return latin1(this.buf, s, e);
  }

  /** A new chunk may reuse an old Buffer object: forget the decoded window. */
  newChunk(): void {
    this.#winBuf = null;
    this.#win = '';
  }

  /**
   * Reads a line from `chunk` at `pos`: returns the position after its LF, or
   * LINE_MORE (everything taken), LINE_TOO_LONG (content exceeds
   * `maxContent`) or LINE_BARE_LF (an LF without CR).
   */
  read(chunk: Buffer, pos: number, maxContent: number): number {
    let lf: number;
    if (this.#windowCap > 0 && this.#len === 0 && this.#window(chunk, pos)) {
      const i = this.#win.indexOf('\n', pos - this.#winStart);
      lf = i === -1 ? chunk.indexOf(Char.LF, this.#winEnd) : i + this.#winStart;
    } else {
      lf = chunk.indexOf(Char.LF, pos);
    }
    const to = lf === -1 ? chunk.length : lf;
    // a held line may end in the CR of its CRLF: allow one byte over the content limit
    if (this.#len + to - pos > maxContent + 1) return LINE_TOO_LONG;
    if (lf === -1) {
      this.#append(chunk, pos, to, maxContent + 1);
      return LINE_MORE;
    }
    let b = chunk;
    let s = pos;
    let e = lf;
    if (this.#len > 0) {
      this.#append(chunk, pos, lf, maxContent + 1);
      b = this.#pending;
      s = 0;
      e = this.#len;
      this.#len = 0;
    }
    const cr = e > s && b[e - 1] === Char.CR;
    if (e - s - (cr ? 1 : 0) > maxContent) return LINE_TOO_LONG;
    if (!cr) return LINE_BARE_LF;
    this.buf = b;
    this.start = s;
    this.end = e - 1;
    return lf + 1;
  }

  /** Whether a decoded window covers `chunk` at `pos`, decoding one there if not. */
  #window(chunk: Buffer, pos: number): boolean {
    if (chunk === this.#winBuf && pos >= this.#winStart && pos < this.#winEnd) return true;
    this.#winBuf = chunk;
    this.#winStart = pos;
    this.#winEnd = Math.min(chunk.length, pos + this.#windowCap);
    this.#win = latin1(chunk, pos, this.#winEnd);
    return true;
  }

  /** Forget any held bytes; drop a large buffer so idle connections stay small. */
  clear(): void {
    this.#len = 0;
    if (this.#pending.length > KEEP_PENDING) this.#pending = EMPTY;
    this.buf = EMPTY;
    this.newChunk();
  }

  #append(src: Buffer, s: number, e: number, cap: number): void {
    const need = this.#len + e - s;
    if (this.#pending.length < need) {
      const grown = Buffer.allocUnsafe(Math.max(need, Math.min(cap, Math.max(2 * this.#pending.length, 256))));
      this.#pending.copy(grown, 0, 0, this.#len);
      this.#pending = grown;
    }
    src.copy(this.#pending, this.#len, s, e);
    this.#len = need;
  }
}

/**
 * Parses one field line `buf[s, e)` (CRLF excluded): `name ":" OWS value OWS`.
 * Strict: no whitespace before the colon, no obs-fold, no CTLs but HTAB in values.
 */
export function parseFieldLine(lines: LineReader, where: string, isRequest: boolean): H1HeaderPair | LwsError {
  const { buf, start: s, end: e } = lines;
  const first = buf[s] as number;
  if (first === Char.SP || first === Char.HTAB) {
    return h1Error('LWS_ERR_H1_OBS_FOLD', `Cannot parse ${where}: line starts with whitespace (obs-fold) in ${quote(latin1(buf, s, e))}`, isRequest);
  }
  let i = s;
  let upper = false;
  for (; i < e; i++) {
    const t = TOKEN[buf[i] as number];
    if (t === 0) break;
    if (t === 2) upper = true;
  }
  if (i === e || i === s || buf[i] !== Char.COLON) return badName(buf, s, i, e, where, isRequest);
  let name = knownName(buf, s, i);
  if (name === undefined) name = upper ? lines.text(s, i).toLowerCase() : lines.text(s, i);
  let vs = i + 1;
  while (vs < e && (buf[vs] === Char.SP || buf[vs] === Char.HTAB)) vs++;
  let j = vs;
  while (j < e && FIELD_VALUE[buf[j] as number] === 1) j++;
  if (j < e) return badValue(buf[j] as number, name, where, isRequest);
  let ve = e;
  while (ve > vs && (buf[ve - 1] === Char.SP || buf[ve - 1] === Char.HTAB)) ve--;
  return [name, lines.text(vs, ve)];
}

function badName(buf: Buffer, s: number, i: number, e: number, where: string, isRequest: boolean): LwsError {
  const c = i < e ? (buf[i] as number) : -1;
  if (c === Char.CR) return h1Error('LWS_ERR_H1_BARE_CR', `Cannot parse ${where}: CR without LF`, isRequest);
  const colon = buf.indexOf(Char.COLON, s);
  if (colon === -1 || colon >= e) {
    return h1Error('LWS_ERR_H1_BAD_HEADER_NAME', `Cannot parse ${where}: no colon in ${quote(latin1(buf, s, e))}`, isRequest);
  }
  const raw = latin1(buf, s, colon);
  if (i === s && c === Char.COLON) return h1Error('LWS_ERR_H1_BAD_HEADER_NAME', `Cannot parse ${where}: empty field name in ${quote(latin1(buf, s, e))}`, isRequest);
  if (c === Char.SP || c === Char.HTAB) {
    let k = i;
    while (k < colon && (buf[k] === Char.SP || buf[k] === Char.HTAB)) k++;
    if (k === colon) return h1Error('LWS_ERR_H1_HEADER_WHITESPACE', `Cannot parse ${where}: whitespace before colon in ${quote(raw)}`, isRequest);
  }
  return h1Error('LWS_ERR_H1_BAD_HEADER_NAME', `Cannot parse ${where}: invalid character ${describeByte(c)} in field name ${quote(raw)}`, isRequest);
}

function badValue(c: number, name: string, where: string, isRequest: boolean): LwsError {
  if (c === Char.CR) return h1Error('LWS_ERR_H1_BARE_CR', `Cannot parse ${where}: CR without LF`, isRequest);
  return h1Error('LWS_ERR_H1_BAD_HEADER_VALUE', `Cannot parse ${where}: invalid character ${describeByte(c)} in value of ${quote(name)}`, isRequest);
}

const REG_NAME = "[0-9A-Za-z._~!$&'()*+,;=%-]";
const IP_LITERAL = "\\[[0-9A-Za-z:._~!$&'()*+,;=%-]+\\]";
/** RFC 3986 §3.2.2-3 `host [":" port]`; empty allowed (RFC 9110 §7.2). */
export const HOST_RE = new RegExp(`^(?:${IP_LITERAL}|${REG_NAME}*)(?::[0-9]*)?$`);
/** authority-form `host ":" port` (RFC 9112 §3.2.3). */
export const HOST_PORT_RE = new RegExp(`^(?:${IP_LITERAL}|${REG_NAME}+):[0-9]+$`);
const DIGITS_RE = /^[0-9]+$/;
const OWS_COMMA_RE = /[ \t]*,[ \t]*/;

/**
 * What the framing and connection fields of one message say, gathered line by
 * line (checks that need one line fail at that line, so failures are the same
 * for every byte split).
 */
export class FieldFacts {
  contentLength = -1;
  #clText = '';
  te: string[] | null = null;
  hosts = 0;
  host: string | undefined = undefined;
  /** The last Host value that passed HOST_RE: kept across messages (a client repeats it on every request). */
  #goodHost = '';
  close = false;
  keepAlive = false;
  upgradeOption = false;
  upgrade: string | undefined = undefined;
  expect: string | undefined = undefined;

  reset(): void {
    this.contentLength = -1;
    this.te = null;
    this.hosts = 0;
    this.host = undefined;
    this.close = this.keepAlive = this.upgradeOption = false;
    this.upgrade = this.expect = undefined;
  }

  /** Notes one field line; returns the failure it causes, if any. */
  add(name: string, value: string, isRequest: boolean): LwsError | null {
    switch (name) {
      case 'content-length':
        return this.#contentLength(value, isRequest);
      case 'transfer-encoding':
        (this.te ??= []).push(value);
        return null;
      case 'connection':
        this.#connection(value);
        return null;
      case 'host':
        return isRequest ? this.#host(value) : null;
      case 'upgrade':
        this.upgrade ??= value;
        return null;
      case 'expect':
        this.expect ??= value;
        return null;
      default:
        return null;
    }
  }

  #contentLength(value: string, isRequest: boolean): LwsError | null {
    // RFC 9110 §8.6: a list of identical values may be taken as one; anything else is an error
    const parts = DIGITS_RE.test(value) ? [value] : value.split(OWS_COMMA_RE);
    for (const part of parts) {
      if (!DIGITS_RE.test(part)) {
        return h1Error('LWS_ERR_H1_BAD_CONTENT_LENGTH', `Cannot parse Content-Length: expected digits, got ${quote(part)}`, isRequest);
      }
      const n = Number(part);
      if (n > Number.MAX_SAFE_INTEGER) {
        return h1Error('LWS_ERR_H1_BAD_CONTENT_LENGTH', `Cannot parse Content-Length: ${quote(part)} is larger than 2^53 - 1`, isRequest);
      }
      if (this.contentLength !== -1 && n !== this.contentLength) {
        return h1Error('LWS_ERR_H1_CONFLICTING_CONTENT_LENGTH', `Cannot parse Content-Length: values ${quote(this.#clText)} and ${quote(part)} differ`, isRequest);
      }
      this.contentLength = n;
      this.#clText = part;
    }
    return null;
  }

  #connection(value: string): void {
    const options = value.includes(',') ? value.toLowerCase().split(OWS_COMMA_RE) : [value.toLowerCase()];
    for (const o of options) {
      if (o === 'close') this.close = true;
      else if (o === 'keep-alive') this.keepAlive = true;
      else if (o === 'upgrade') this.upgradeOption = true;
    }
  }

  #host(value: string): LwsError | null {
    if (++this.hosts > 1) {
      return h1Error('LWS_ERR_H1_DUPLICATE_HOST', `Cannot accept request: more than one Host field, ${quote(this.host ?? '')} and ${quote(value)}`, true);
    }
    if (value !== this.#goodHost) {
      if (!HOST_RE.test(value)) return h1Error('LWS_ERR_H1_BAD_HOST', `Cannot parse Host: invalid value ${quote(value)}`, true);
      this.#goodHost = value;
    }
    this.host = value;
    return null;
  }

}

/** The parsed start line of the current message (one object, reused). */
export interface StartLine {
  method: string;
  target: string;
  form: H1TargetForm;
  authority: string | undefined;
  version: H1Version;
  status: number;
  reason: string;
}

const ABSOLUTE_RE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)/;
const WEB_SCHEME_RE = /^https?$/i;
const HTTP_SLASH = 0x48545450; // "HTTP" as a big-endian uint32, then "/"

function badRequestLine(buf: Buffer, s: number, e: number): LwsError {
  return h1Error('LWS_ERR_H1_BAD_REQUEST_LINE', `Cannot parse request line: expected "<method> <target> HTTP/<version>", got ${quote(latin1(buf, s, e))}`, true);
}

/** `method SP request-target SP HTTP-version` (RFC 9112 §3), single spaces, into `out`. */
export function parseRequestLine(lines: LineReader, maxMethod: number, out: StartLine): LwsError | null {
  const { buf, start: s, end: e } = lines;
  let i = s;
  while (i < e && TOKEN[buf[i] as number] !== 0) i++;
  if (i === e) return badRequestLine(buf, s, e);
  if (buf[i] !== Char.SP) return h1Error('LWS_ERR_H1_BAD_METHOD', `Cannot parse method: invalid character ${describeByte(buf[i] as number)} in ${quote(latin1(buf, s, e))}`, true);
  if (i === s) return h1Error('LWS_ERR_H1_BAD_METHOD', `Cannot parse method: empty in ${quote(latin1(buf, s, e))}`, true);
  if (i - s > maxMethod) return h1Error('LWS_ERR_H1_METHOD_TOO_LONG', `Cannot accept method: ${i - s} bytes, limit is ${maxMethod}`, true);
  const ts = i + 1;
  let j = ts;
  while (j < e && (buf[j] as number) > Char.SP && (buf[j] as number) < 0x7f) j++;
  if (j === e || j === ts) return badRequestLine(buf, s, e);
  if (buf[j] !== Char.SP) return h1Error('LWS_ERR_H1_BAD_TARGET', `Cannot parse request target: invalid character ${describeByte(buf[j] as number)} in ${quote(latin1(buf, s, e))}`, true);
  const version = parseVersion(buf, j + 1, e, true);
  if (typeof version !== 'string') return version;
  out.method = i === s + 3 && buf[s] === 0x47 && buf[s + 1] === 0x45 && buf[s + 2] === 0x54 ? 'GET' : lines.text(s, i);
  out.target = lines.text(ts, j);
  out.version = version;
  return classifyTarget(out);
}

/** `HTTP-version SP status-code [SP reason-phrase]` (RFC 9112 §4; the SP before an empty reason is optional). */
export function parseStatusLine(lines: LineReader, out: StartLine): LwsError | null {
  const { buf, start: s, end: e } = lines;
  let sp = buf.indexOf(Char.SP, s);
  if (sp === -1 || sp > e) sp = e;
  const version = parseVersion(buf, s, sp, false);
  if (typeof version !== 'string') return version;
  const d = sp + 1;
  let status = 0;
  for (let k = d; k < d + 3 && k < e; k++) status = (buf[k] as number) >= 0x30 && (buf[k] as number) <= 0x39 ? status * 10 + (buf[k] as number) - 0x30 : NaN;
  let ok = status >= 100 && status <= 599 && d + 3 <= e && (d + 3 === e || buf[d + 3] === Char.SP);
  for (let k = d + 4; ok && k < e; k++) ok = FIELD_VALUE[buf[k] as number] === 1;
  if (!ok) return h1Error('LWS_ERR_H1_BAD_STATUS_LINE', `Cannot parse status line: expected "HTTP/<version> <100-599> <reason>", got ${quote(latin1(buf, s, e))}`, false);
  out.version = version;
  out.status = status;
  out.reason = d + 4 < e ? lines.text(d + 4, e) : '';
  return null;
}

/** `HTTP/<digit>.<digit>` (RFC 9112 §2.3); only 1.0 and 1.1 are accepted (505 otherwise). */
function parseVersion(buf: Buffer, s: number, e: number, isRequest: boolean): H1Version | LwsError {
  const major = (buf[s + 5] as number) - 0x30;
  const minor = (buf[s + 7] as number) - 0x30;
  if (e - s !== 8 || buf.readUInt32BE(s) !== HTTP_SLASH || buf[s + 4] !== Char.SLASH || buf[s + 6] !== 0x2e ||
      !(major >= 0 && major <= 9) || !(minor >= 0 && minor <= 9)) {
    return h1Error('LWS_ERR_H1_BAD_VERSION', `Cannot parse HTTP version: expected "HTTP/<digit>.<digit>", got ${quote(latin1(buf, s, e))}`, isRequest);
  }
  if (major === 1 && minor === 1) return '1.1';
  if (major === 1 && minor === 0) return '1.0';
  return h1Error('LWS_ERR_H1_VERSION_NOT_SUPPORTED', `Cannot accept HTTP version: "HTTP/${major}.${minor}", expected HTTP/1.0 or HTTP/1.1`, isRequest);
}

function badTarget(why: string): LwsError {
  return h1Error('LWS_ERR_H1_BAD_TARGET', `Cannot parse request target: ${why}`, true);
}

/** RFC 9112 §3.2: which form the target has, and whether the method allows it. */
function classifyTarget(out: StartLine): LwsError | null {
  const { method, target } = out;
  out.authority = undefined;
  // no request-target form has a fragment (RFC 9112 §3.2); a proxy and we could disagree on where the path ends
  if (target.includes('#')) return badTarget(`a fragment is not allowed, got ${quote(target)}`);
  if (target.charCodeAt(0) === Char.SLASH && method !== 'CONNECT') {
    out.form = 'origin';
  } else if (method === 'CONNECT') {
    if (!HOST_PORT_RE.test(target)) return badTarget(`CONNECT needs "host:port", got ${quote(target)}`);
    out.form = 'authority';
    out.authority = target;
  } else if (target === '*') {
    if (method !== 'OPTIONS') return badTarget(`"*" is only allowed with OPTIONS, got ${quote(method)}`);
    out.form = 'asterisk';
  } else {
    const m = ABSOLUTE_RE.exec(target);
    if (m === null) return badTarget(`expected "/path" or "scheme://authority/path", got ${quote(target)}`);
    const authority = m[2] as string;
    if (authority.includes('@')) return badTarget(`userinfo is not allowed, got ${quote(target)}`);
    const web = WEB_SCHEME_RE.test(m[1] as string);
    if (!HOST_RE.test(authority) || (web && (authority === '' || authority.startsWith(':')))) {
      return badTarget(`invalid authority ${quote(authority)}`);
    }
    out.form = 'absolute';
    out.authority = authority;
  }
  return null;
}
