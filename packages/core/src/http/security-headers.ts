/*
 * The security headers sent with browser-facing pages (lws's minimal
 * examples add them as vhost extra headers), and merging per-mount extras
 * over them. Names and values are checked here, at the API boundary, so no
 * CR/LF can reach a serializer (RFC 9110 §5.1, §5.5).
 */

/** A response header as `[name, value]`. */
export type HeaderPair = readonly [name: string, value: string];

/**
 * The default Content-Security-Policy: nothing by default; scripts, styles,
 * fonts, media, manifests and fetch/XHR/WebSocket only from the page's own
 * origin (CSP3 `'self'` matches same-host ws:/wss:); images also as `data:`;
 * no framing, no `<base>`, forms post back to the origin. No
 * `'unsafe-inline'`/`'unsafe-eval'`: pages keep JS and CSS in files.
 *
 * @example
 * ```ts
 * DEFAULT_CSP.includes("script-src 'self'"); // true
 * ```
 */
export const DEFAULT_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'self'; media-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * The default security headers, lowercase names (h2-ready), frozen.
 * `x-xss-protection: 0` deliberately: the XSS auditors that `1; mode=block`
 * drove are removed from every current browser and were themselves a
 * cross-site leak (OWASP Secure Headers, MDN); CSP does that job.
 *
 * @example
 * ```ts
 * for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
 * ```
 */
export const SECURITY_HEADERS: readonly HeaderPair[] = Object.freeze([
  Object.freeze(['content-security-policy', DEFAULT_CSP] as const),
  Object.freeze(['x-content-type-options', 'nosniff'] as const),
  Object.freeze(['x-xss-protection', '0'] as const),
  Object.freeze(['x-frame-options', 'DENY'] as const),
  Object.freeze(['referrer-policy', 'no-referrer'] as const),
]);

// tchar (RFC 9110 §5.6.2)
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Throw a TypeError unless `name` is a field-name token and `value` a field
 * value: no CR, LF, NUL or other control characters except HTAB, and no
 * leading or trailing whitespace. For everything a user hands in as a header.
 *
 * @example
 * ```ts
 * validateHeader('x-ok', 'yes');        // passes
 * validateHeader('x-bad', 'a\r\nSet-Cookie: x'); // TypeError
 * ```
 */
export function validateHeader(name: string, value: string): void {
  if (typeof name !== 'string' || !TOKEN.test(name)) {
    throw new TypeError(`Cannot use header: name ${JSON.stringify(name)} is not an RFC 9110 token`);
  }
  if (typeof value !== 'string') throw new TypeError(`Cannot use header "${name}": value is ${typeof value}, expected a string`);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f || c > 0xff) {
      const what = c === 0x0d ? 'CR' : c === 0x0a ? 'LF' : c === 0 ? 'NUL' : `character U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
      throw new TypeError(`Cannot use header "${name}": value contains ${what} at index ${i}`);
    }
  }
  if (value !== value.trim()) throw new TypeError(`Cannot use header "${name}": value ${JSON.stringify(value)} has leading or trailing whitespace`);
}

/** Extra headers: pairs, or a record; a `null` value removes that header. */
export type HeaderInput = readonly (readonly [string, string | null])[] | Readonly<Record<string, string | null>>;

/**
 * Merge header sets left to right: a later header replaces an earlier one of
 * the same name (case-insensitive) in its first position, a `null` value
 * removes it. Names come out lowercase; every name and value is validated
 * ({@link validateHeader}). Returns a frozen list, to compute once per mount.
 *
 * @example
 * ```ts
 * mergeHeaders(SECURITY_HEADERS, { 'content-security-policy': "default-src 'self'", 'x-frame-options': null });
 * ```
 */
export function mergeHeaders(...sets: readonly (HeaderInput | undefined)[]): readonly HeaderPair[] {
  const merged = new Map<string, string | null>();
  for (const set of sets) {
    if (set === undefined) continue;
    const entries = Array.isArray(set) ? (set as readonly (readonly [string, string | null])[]) : Object.entries(set as Readonly<Record<string, string | null>>);
    for (const entry of entries) {
      if (!Array.isArray(entry) || entry.length !== 2) throw new TypeError(`Cannot merge headers: ${JSON.stringify(entry)} is not a [name, value] pair`);
      const [name, value] = entry as readonly [string, string | null];
      if (value === null) {
        validateHeader(name, '');
        const key = name.toLowerCase();
        if (merged.has(key)) merged.set(key, null);
        continue;
      }
      validateHeader(name, value);
      merged.set(name.toLowerCase(), value);
    }
  }
  const out: HeaderPair[] = [];
  for (const [name, value] of merged) if (value !== null) out.push(Object.freeze([name, value] as const));
  return Object.freeze(out);
}
