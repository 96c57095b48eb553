/*
 * HTTP/1.1 wire constants: character classes (RFC 9110 §5.6.2 token, §5.5 field
 * values), common field names, status codes and reason phrases (RFC 9110 §15),
 * the parser's default limits, the HTTP status each parse failure answers
 * with, and the small helpers that build those failures' messages.
 */
import { LwsError, type H1ErrorCode } from '../../errors.js';

/** Bytes the parsers compare against. */
export const Char = {
  HTAB: 0x09,
  LF: 0x0a,
  CR: 0x0d,
  SP: 0x20,
  DQUOTE: 0x22,
  COMMA: 0x2c,
  SLASH: 0x2f,
  COLON: 0x3a,
  SEMICOLON: 0x3b,
  EQUALS: 0x3d,
  BACKSLASH: 0x5c,
} as const;

/** Status codes named where the h1 role uses them (RFC 9110 §15, RFC 6585 §5). */
export const HttpStatus = {
  SwitchingProtocols: 101,
  NoContent: 204,
  NotModified: 304,
  BadRequest: 400,
  ContentTooLarge: 413,
  UriTooLong: 414,
  RequestHeaderFieldsTooLarge: 431,
  NotImplemented: 501,
  BadGateway: 502,
  HttpVersionNotSupported: 505,
} as const;

function table(pred: (c: number) => boolean, mark = 1): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) if (pred(c)) t[c] = mark;
  return t;
}

const TCHAR_PUNCT = "!#$%&'*+-.^_`|~";

/**
 * tchar (RFC 9110 §5.6.2): 0 = not a token character, 1 = token character,
 * 2 = uppercase ASCII letter (a token character that lowercasing changes).
 */
export const TOKEN: Uint8Array = table(
  (c) =>
    (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) ||
    TCHAR_PUNCT.includes(String.fromCharCode(c)),
);
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 2;

/** field-vchar / SP / HTAB (RFC 9110 §5.5), obs-text included: 1 = allowed in a field value. */
export const FIELD_VALUE: Uint8Array = table((c) => c === Char.HTAB || (c >= 0x20 && c !== 0x7f));

/** Hex digit value + 1 (0 = not a hex digit). */
export const HEX: Uint8Array = new Uint8Array(256);
for (let d = 0; d < 10; d++) HEX[0x30 + d] = d + 1;
for (let d = 0; d < 6; d++) {
  HEX[0x41 + d] = d + 11;
  HEX[0x61 + d] = d + 11;
}

/** Field names common enough to be worth a shared string (lowercase, a-z and "-" only). */
export const FIELD_NAMES: readonly string[] = [
  'accept', 'accept-charset', 'accept-encoding', 'accept-language', 'accept-ranges', 'access-control-allow-origin',
  'age', 'authorization', 'cache-control', 'connection', 'content-encoding', 'content-language', 'content-length',
  'content-range', 'content-type', 'cookie', 'date', 'dnt', 'etag', 'expect', 'expires', 'forwarded', 'host',
  'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'keep-alive', 'last-modified', 'link', 'location',
  'origin', 'pragma', 'priority', 'proxy-authorization', 'range', 'referer', 'sec-fetch-dest', 'sec-fetch-mode',
  'sec-fetch-site', 'sec-fetch-user', 'sec-websocket-accept', 'sec-websocket-extensions', 'sec-websocket-key',
  'sec-websocket-protocol', 'sec-websocket-version', 'server', 'set-cookie', 'te', 'trailer', 'transfer-encoding',
  'upgrade', 'upgrade-insecure-requests', 'user-agent', 'vary', 'via', 'www-authenticate', 'x-forwarded-for',
  'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip', 'x-requested-with',
];

/** Reason phrases for the status codes of RFC 9110 §15 and a few common extensions. */
export const STATUS_TEXT: Readonly<Record<number, string>> = Object.freeze({
  100: 'Continue', 101: 'Switching Protocols', 102: 'Processing', 103: 'Early Hints',
  200: 'OK', 201: 'Created', 202: 'Accepted', 203: 'Non-Authoritative Information',
  204: 'No Content', 205: 'Reset Content', 206: 'Partial Content', 207: 'Multi-Status',
  208: 'Already Reported', 226: 'IM Used',
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other',
  304: 'Not Modified', 305: 'Use Proxy', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden',
  404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable',
  407: 'Proxy Authentication Required', 408: 'Request Timeout', 409: 'Conflict', 410: 'Gone',
  411: 'Length Required', 412: 'Precondition Failed', 413: 'Content Too Large',
  414: 'URI Too Long', 415: 'Unsupported Media Type', 416: 'Range Not Satisfiable',
  417: 'Expectation Failed', 418: "I'm a teapot", 421: 'Misdirected Request',
  422: 'Unprocessable Content', 423: 'Locked', 424: 'Failed Dependency', 425: 'Too Early',
  426: 'Upgrade Required', 428: 'Precondition Required', 429: 'Too Many Requests',
  431: 'Request Header Fields Too Large', 451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Gateway Timeout', 505: 'HTTP Version Not Supported',
  506: 'Variant Also Negotiates', 507: 'Insufficient Storage', 508: 'Loop Detected',
  510: 'Not Extended', 511: 'Network Authentication Required',
});

/** Parser limits with their defaults; see `H1Limits` in parser.ts for what each bounds. */
export const H1_DEFAULT_LIMITS = Object.freeze({
  maxStartLine: 8192,
  maxMethod: 32,
  maxHeaderBytes: 16384,
  maxHeaders: 100,
  maxBodyBytes: Infinity,
  maxChunkExtensionBytes: 4096,
  maxTrailerBytes: 8192,
  maxTrailers: 32,
});

/** Chunk sizes longer than this many hex digits are refused (2^53 - 1 needs 14). */
export const MAX_CHUNK_SIZE_DIGITS = 16;

/** The codes the h1 parser raises; LWS_ERR_H1_BAD_REQUEST is the server glue's own. */
export type H1ParseErrorCode = Exclude<H1ErrorCode, 'LWS_ERR_H1_BAD_REQUEST'>;

/**
 * The status a server answers each request parse failure with. A failed
 * response (client side) carries 502 instead: what a gateway would answer.
 */
export const H1_ERROR_STATUS: Readonly<Record<H1ParseErrorCode, number>> = Object.freeze({
  LWS_ERR_H1_START_LINE_TOO_LONG: HttpStatus.UriTooLong,
  LWS_ERR_H1_BAD_REQUEST_LINE: HttpStatus.BadRequest,
  LWS_ERR_H1_BAD_METHOD: HttpStatus.BadRequest,
  LWS_ERR_H1_METHOD_TOO_LONG: HttpStatus.NotImplemented,
  LWS_ERR_H1_BAD_TARGET: HttpStatus.BadRequest,
  LWS_ERR_H1_BAD_VERSION: HttpStatus.BadRequest,
  LWS_ERR_H1_VERSION_NOT_SUPPORTED: HttpStatus.HttpVersionNotSupported,
  LWS_ERR_H1_BAD_STATUS_LINE: HttpStatus.BadGateway,
  LWS_ERR_H1_BARE_CR: HttpStatus.BadRequest,
  LWS_ERR_H1_BARE_LF: HttpStatus.BadRequest,
  LWS_ERR_H1_HEADERS_TOO_LARGE: HttpStatus.RequestHeaderFieldsTooLarge,
  LWS_ERR_H1_TOO_MANY_HEADERS: HttpStatus.RequestHeaderFieldsTooLarge,
  LWS_ERR_H1_BAD_HEADER_NAME: HttpStatus.BadRequest,
  LWS_ERR_H1_HEADER_WHITESPACE: HttpStatus.BadRequest,
  LWS_ERR_H1_OBS_FOLD: HttpStatus.BadRequest,
  LWS_ERR_H1_BAD_HEADER_VALUE: HttpStatus.BadRequest,
  LWS_ERR_H1_MISSING_HOST: HttpStatus.BadRequest,
  LWS_ERR_H1_DUPLICATE_HOST: HttpStatus.BadRequest,
  LWS_ERR_H1_BAD_HOST: HttpStatus.BadRequest,
  LWS_ERR_H1_BAD_CONTENT_LENGTH: HttpStatus.BadRequest,
  LWS_ERR_H1_CONFLICTING_CONTENT_LENGTH: HttpStatus.BadRequest,
  LWS_ERR_H1_CONTENT_LENGTH_WITH_TE: HttpStatus.BadRequest,
  LWS_ERR_H1_BAD_TRANSFER_ENCODING: HttpStatus.BadRequest,
  LWS_ERR_H1_UNSUPPORTED_TRANSFER_ENCODING: HttpStatus.NotImplemented,
  LWS_ERR_H1_BODY_TOO_LARGE: HttpStatus.ContentTooLarge,
  LWS_ERR_H1_BAD_CHUNK_SIZE: HttpStatus.BadRequest,
  LWS_ERR_H1_BAD_CHUNK_EXTENSION: HttpStatus.BadRequest,
  LWS_ERR_H1_CHUNK_EXTENSION_TOO_LONG: HttpStatus.ContentTooLarge,
  LWS_ERR_H1_BAD_CHUNK_END: HttpStatus.BadRequest,
  LWS_ERR_H1_TRAILERS_TOO_LARGE: HttpStatus.RequestHeaderFieldsTooLarge,
  LWS_ERR_H1_TOO_MANY_TRAILERS: HttpStatus.RequestHeaderFieldsTooLarge,
  LWS_ERR_H1_INCOMPLETE_MESSAGE: HttpStatus.BadRequest,
});

/** An h1 parse failure: a server answers `H1_ERROR_STATUS[code]`, a client (gateway) 502. */
export function h1Error(code: H1ParseErrorCode, message: string, isRequest: boolean): LwsError {
  return new LwsError(code, message, { status: isRequest ? H1_ERROR_STATUS[code] : HttpStatus.BadGateway });
}

/** A wire value for an error message: JSON-quoted, cut at 64 characters. */
export function quote(s: string): string {
  return JSON.stringify(s.length > 64 ? `${s.slice(0, 64)}…` : s);
}

/** A byte for an error message: `"@"` when printable, else `0x00`. */
export function describeByte(b: number): string {
  return b > 0x20 && b < 0x7f ? JSON.stringify(String.fromCharCode(b)) : `0x${b.toString(16).padStart(2, '0')}`;
}

/** Node's (undocumented, stable since v0.x) Buffer#latin1Slice: toString('latin1') without argument handling. */
interface Latin1Buffer extends Buffer {
  latin1Slice(start: number, end: number): string;
}

/** `buf.toString('latin1', s, e)`, measured ~30% cheaper per short field. */
export function latin1(buf: Buffer, s: number, e: number): string {
  return (buf as Latin1Buffer).latin1Slice(s, e);
}

/** Common field names by length, returned as shared strings instead of sliced and lowercased. */
const KNOWN_NAMES: string[][] = [];
for (const name of FIELD_NAMES) (KNOWN_NAMES[name.length] ??= []).push(name);

/** The known lowercase name equal to `buf[s, e)` ignoring ASCII case (names hold only a-z and "-"), or undefined. */
export function knownName(buf: Buffer, s: number, e: number): string | undefined {
  const candidates = KNOWN_NAMES[e - s];
  if (candidates === undefined) return undefined;
  next: for (const name of candidates) {
    // `| 0x20` lowercases A-Z; no other token byte maps onto a-z or "-"
    for (let k = 0; k < name.length; k++) if (((buf[s + k] as number) | 0x20) !== name.charCodeAt(k)) continue next;
    return name;
  }
  return undefined;
}
