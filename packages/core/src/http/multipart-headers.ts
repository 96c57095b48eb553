/*
 * Header parameters for forms: `type/subtype; a=b; c="quoted"` as in
 * Content-Type (RFC 9110 §5.6.6, §8.3.1) and Content-Disposition
 * (RFC 6266 §4.1, RFC 7578 §4.2), and the multipart boundary (RFC 2046 §5.1.1).
 */
import { LwsError } from '../errors.js';

/** A header value split into its lowercase main value and its parameters (names lowercased). */
export interface HeaderParams {
  value: string;
  params: Map<string, string>;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** RFC 2046 bchars, space allowed except last. */
const BCHARS = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
/** RFC 2046 §5.1.1: a boundary is 1 to 70 characters. */
export const MAX_BOUNDARY_LENGTH = 70;

function skipWs(s: string, i: number): number {
  while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  return i;
}

/** Reads a quoted-string at `i` (on the opening quote); quoted-pair escapes are honoured. */
function quoted(s: string, i: number): { text: string; next: number } | undefined {
  let out = '';
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j] as string;
    if (c === '"') return { text: out, next: j + 1 };
    if (c === '\\' && j + 1 < s.length) {
      out += s[++j];
      continue;
    }
    out += c;
  }
  return undefined;
}

/** Reads one `; name=value` parameter starting after the `;`. */
function param(s: string, i: number): { name: string; value: string; next: number } | undefined {
  i = skipWs(s, i);
  const eq = s.indexOf('=', i);
  if (eq < 0) return undefined;
  const name = s.slice(i, eq).trim().toLowerCase();
  if (!TOKEN.test(name)) return undefined;
  let j = skipWs(s, eq + 1);
  let value: string;
  if (s[j] === '"') {
    const q = quoted(s, j);
    if (!q) return undefined;
    value = q.text;
    j = q.next;
  } else {
    const end = s.indexOf(';', j);
    value = (end < 0 ? s.slice(j) : s.slice(j, end)).trim();
    j = end < 0 ? s.length : end;
    if (value === '') return undefined;
  }
  return { name, value, next: skipWs(s, j) };
}

/**
 * Split a header value into main value and parameters; undefined if it is malformed.
 *
 * @example
 * ```ts
 * parseHeaderParams('form-data; name="file"; filename="a b.txt"');
 * // { value: 'form-data', params: Map { 'name' => 'file', 'filename' => 'a b.txt' } }
 * ```
 */
export function parseHeaderParams(header: string): HeaderParams | undefined {
  const semi = header.indexOf(';');
  const value = (semi < 0 ? header : header.slice(0, semi)).trim().toLowerCase();
  const params = new Map<string, string>();
  let i = semi < 0 ? header.length : semi;
  while (i < header.length) {
    if (header[i] !== ';') return undefined;
    if (skipWs(header, i + 1) >= header.length) break; // a trailing `;` is tolerated
    const p = param(header, i + 1);
    if (!p) return undefined;
    if (!params.has(p.name)) params.set(p.name, p.value);
    i = p.next;
  }
  return { value, params };
}

/**
 * The boundary of a `multipart/form-data` Content-Type, or an LwsError (400).
 *
 * @example
 * ```ts
 * multipartBoundary('multipart/form-data; boundary=----x1'); // '----x1'
 * ```
 */
export function multipartBoundary(contentType: string): string | LwsError {
  const p = parseHeaderParams(contentType);
  const b = p?.params.get('boundary');
  if (b === undefined) {
    return new LwsError('LWS_ERR_SPA_BAD_BOUNDARY', `Cannot parse multipart body: Content-Type "${contentType}" has no boundary parameter`, { status: 400 });
  }
  if (b.length > MAX_BOUNDARY_LENGTH) {
    return new LwsError('LWS_ERR_SPA_BAD_BOUNDARY', `Cannot parse multipart body: boundary is ${b.length} characters, limit is ${MAX_BOUNDARY_LENGTH}`, { status: 400 });
  }
  if (!BCHARS.test(b)) {
    return new LwsError('LWS_ERR_SPA_BAD_BOUNDARY', `Cannot parse multipart body: boundary "${b}" has a character RFC 2046 does not allow`, { status: 400 });
  }
  return b;
}

/** The last path segment of a client-sent filename (browsers send a basename; old ones a full path). */
export function filenameBasename(name: string): string {
  const cut = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  return cut >= 0 ? name.slice(cut + 1) : name;
}
