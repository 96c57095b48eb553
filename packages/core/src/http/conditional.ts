/*
 * Validators and conditional requests (RFC 9110 §8.8, §13): ETags from file
 * stats, HTTP-date formatting and parsing (§5.6.7), the §13.2.2 evaluation
 * order of If-Match / If-Unmodified-Since / If-None-Match / If-Modified-Since,
 * and If-Range (§13.1.5).
 */
import { LwsError } from '../errors.js';

/** Request headers: `[lowercase-name, value]` pairs (HttpRequest.headers) or a record by lowercase name. */
export type RequestHeaders =
  | readonly (readonly [string, string])[]
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/** The file facts an ETag is made of; `fs.Stats` and `fs.BigIntStats` fit. */
export interface EtagSource {
  size: number | bigint;
  mtimeMs: number | bigint;
  ino?: number | bigint;
}

function hex(v: number | bigint, what: string): string {
  if (typeof v === 'bigint') return v.toString(16);
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`Cannot generate ETag: ${what} is ${String(v)}, expected a finite number`);
  return Math.floor(v).toString(16);
}

/**
 * An ETag from size, modification time (ms) and, when given, inode: hex
 * fields joined by `-`, quoted; `W/` prefixed when `weak`. Strong by default,
 * as nginx: a change keeping both size and the millisecond mtime is not
 * expected from files served as-is. Leave `ino` out when several servers
 * share the content (their inodes differ).
 *
 * @example
 * ```ts
 * generateEtag({ size: 1024, mtimeMs: 1700000000000.5, ino: 42 }); // '"2a-18bcfe56800-400"'
 * generateEtag(await stat(file), { weak: true });                 // 'W/"…"'
 * ```
 */
export function generateEtag(source: EtagSource, opts: { weak?: boolean } = {}): string {
  const ino = source.ino === undefined ? '' : `${hex(source.ino, 'ino')}-`;
  const tag = `"${ino}${hex(source.mtimeMs, 'mtimeMs')}-${hex(source.size, 'size')}"`;
  return opts.weak ? `W/${tag}` : tag;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const M = MONTHS.join('|');
const T = '(\\d{2}):(\\d{2}):(\\d{2})';
// day-name and "GMT" are case-sensitive (%s"..." in RFC 9110 §5.6.7).
const IMF_FIXDATE = new RegExp(`^(?:${DAYS.join('|')}), (\\d{2}) (${M}) (\\d{4}) ${T} GMT$`);
const RFC850 = new RegExp(`^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-(${M})-(\\d{2}) ${T} GMT$`);
const ASCTIME = new RegExp(`^(?:${DAYS.join('|')}) (${M}) (\\d{2}| \\d) ${T} (\\d{4})$`);

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function toTime(year: number, month: number, day: number, h: number, mi: number, s: number): number | undefined {
  const dim = MONTH_DAYS[month]! + (month === 1 && isLeap(year) ? 1 : 0);
  if (day < 1 || day > dim || h > 23 || mi > 59 || s > 60) return undefined;
  if (year >= 100) return Date.UTC(year, month, day, h, mi, s);
  const d = new Date(0); // Date.UTC maps years 0-99 to 1900-1999
  d.setUTCFullYear(year, month, day);
  d.setUTCHours(h, mi, s, 0);
  return d.getTime();
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/**
 * Parse an HTTP-date (RFC 9110 §5.6.7): IMF-fixdate, or the obsolete RFC 850
 * and asctime forms. Returns ms since the epoch, or undefined when the value
 * is not exactly one valid date (recipients then ignore the field). An RFC 850
 * two-digit year more than 50 years after `now` is read as the century before.
 *
 * @example
 * ```ts
 * parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT');  // 784111777000
 * parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT'); // 784111777000
 * parseHttpDate('Sun Nov  6 08:49:37 1994');       // 784111777000
 * ```
 */
export function parseHttpDate(value: string, now: number = Date.now()): number | undefined {
  const v = value.trim();
  let m = IMF_FIXDATE.exec(v);
  if (m) return toTime(+m[3]!, MONTHS.indexOf(m[2]!), +m[1]!, +m[4]!, +m[5]!, +m[6]!);
  m = RFC850.exec(v);
  if (m) {
    const nowYear = new Date(now).getUTCFullYear();
    let year = nowYear - (nowYear % 100) + +m[3]!;
    if (year > nowYear + 50) year -= 100;
    return toTime(year, MONTHS.indexOf(m[2]!), +m[1]!, +m[4]!, +m[5]!, +m[6]!);
  }
  m = ASCTIME.exec(v);
  if (m) return toTime(+m[6]!, MONTHS.indexOf(m[1]!), +m[2]!.trim(), +m[3]!, +m[4]!, +m[5]!);
  return undefined;
}

/**
 * Format a time as IMF-fixdate (RFC 9110 §5.6.7), e.g. for Date and
 * Last-Modified. Milliseconds are dropped. RangeError outside years 0-9999.
 *
 * @example
 * ```ts
 * formatHttpDate(784111777000); // 'Sun, 06 Nov 1994 08:49:37 GMT'
 * ```
 */
export function formatHttpDate(time: Date | number): string {
  const d = typeof time === 'number' ? new Date(time) : time;
  const y = d.getUTCFullYear();
  if (!(y >= 0 && y <= 9999)) throw new RangeError(`Cannot format HTTP-date: ${String(time)} is not a time in years 0-9999`);
  // ES2018 fixes toUTCString() to exactly "Www, DD Mmm YYYY HH:MM:SS GMT".
  return d.toUTCString();
}

let dateNow = '';

function dateExpired(): void {
  dateNow = '';
}

/**
 * The current time as IMF-fixdate, for the Date header every response from
 * 2xx to 5xx carries (RFC 9110 §6.6.1). Formatted at most once a second:
 * the string stays until an unref'd timer at the next second boundary
 * expires it, so a busy server pays a string load per response, and the
 * same string (same identity) comes back all second long.
 *
 * @example
 * ```ts
 * headers.push(['date', currentHttpDate()]);
 * ```
 */
export function currentHttpDate(): string {
  if (dateNow === '') {
    const now = Date.now();
    dateNow = formatHttpDate(now);
    setTimeout(dateExpired, 1000 - (now % 1000)).unref();
  }
  return dateNow;
}

/* Entity-tag list: undefined when malformed, '*' for any, else the tags as sent (W/ kept). */
function parseEtags(v: string): string[] | '*' | undefined {
  const s = v.trim();
  if (s === '*') return '*';
  const tags: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 0x2c || c === 0x20 || c === 0x09) {
      i++; // empty list elements and OWS (RFC 9110 §5.6.1.2)
      continue;
    }
    const end = etagEnd(s, i);
    if (end < 0) return undefined;
    tags.push(s.slice(i, end));
    i = end;
    while (i < s.length && (s.charCodeAt(i) === 0x20 || s.charCodeAt(i) === 0x09)) i++;
    if (i < s.length && s.charCodeAt(i) !== 0x2c) return undefined;
  }
  return tags.length > 0 ? tags : undefined;
}

/* entity-tag = [ %s"W/" ] DQUOTE *etagc DQUOTE at s[i..]; index after it, or -1. */
function etagEnd(s: string, i: number): number {
  if (s.startsWith('W/', i)) i += 2;
  if (s.charCodeAt(i) !== 0x22) return -1;
  for (let j = i + 1; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 0x22) return j + 1;
    if (c < 0x21 || c === 0x7f || c > 0xff) return -1; // etagc = %x21 / %x23-7E / obs-text
  }
  return -1;
}

const isWeak = (tag: string): boolean => tag.startsWith('W/');
const opaque = (tag: string): string => (isWeak(tag) ? tag.slice(2) : tag);
/** §8.8.3.2 strong comparison: neither weak, opaque-tags equal. */
const strongMatch = (a: string, b: string): boolean => !isWeak(a) && !isWeak(b) && a === b;
/** §8.8.3.2 weak comparison: opaque-tags equal. */
const weakMatch = (a: string, b: string): boolean => opaque(a) === opaque(b);

function headerValues(headers: RequestHeaders, name: string): string[] {
  if (Array.isArray(headers)) {
    const out: string[] = [];
    for (const [k, v] of headers as readonly (readonly [string, string])[]) if (k.length === name.length && k.toLowerCase() === name) out.push(v);
    return out;
  }
  const v = (headers as Readonly<Record<string, string | readonly string[] | undefined>>)[name];
  return v === undefined ? [] : typeof v === 'string' ? [v] : [...v];
}

/* One date field, or undefined if absent, repeated or invalid. */
function dateField(headers: RequestHeaders, name: string): { raw: string; time: number | undefined } | undefined {
  const v = headerValues(headers, name);
  if (v.length === 0) return undefined;
  return { raw: v.join(', '), time: v.length === 1 ? parseHttpDate(v[0]!) : undefined };
}

/** What the current representation is, for {@link evaluateConditionals} and {@link ifRangeMatches}. */
export interface Validators {
  /** The ETag the response would carry (quoted, `W/` for weak), if any. */
  etag?: string;
  /** Last-Modified time (ms or Date), if any; compared at one-second resolution. */
  lastModified?: number | Date;
}

/** Options for {@link evaluateConditionals}. */
export interface ConditionalOptions extends Validators {
  /** The request method, case-sensitive (`GET`). */
  method: string;
  /** Whether the target has a current representation; default true. Decides `If-Match: *` / `If-None-Match: *`. */
  exists?: boolean;
}

/** The outcome of {@link evaluateConditionals}. */
export type ConditionalResult =
  | { kind: 'proceed'; status: 200 }
  | { kind: 'not-modified'; status: 304 }
  | { kind: 'precondition-failed'; status: 412; error: LwsError };

function checkEtag(etag: string | undefined): void {
  if (etag !== undefined && (typeof etag !== 'string' || etagEnd(etag, 0) !== etag.length)) {
    throw new TypeError(`Cannot evaluate conditionals: etag ${JSON.stringify(etag)} is not a quoted entity-tag`);
  }
}

function seconds(t: number | Date | undefined): number | undefined {
  const ms = t instanceof Date ? t.getTime() : t;
  return ms === undefined || !Number.isFinite(ms) ? undefined : Math.floor(ms / 1000);
}

const cut = (s: string): string => (s.length > 100 ? `${s.slice(0, 100)}…` : s);

function failed(detail: string): ConditionalResult {
  return {
    kind: 'precondition-failed',
    status: 412,
    error: new LwsError('LWS_ERR_HTTP_PRECONDITION_FAILED', `Cannot meet precondition: ${detail}`, { status: 412 }),
  };
}

/**
 * Evaluate request preconditions in RFC 9110 §13.2.2 order: If-Match (strong
 * comparison; a malformed value fails) else If-Unmodified-Since -> 412;
 * If-None-Match (weak comparison; a malformed value is ignored) -> 304 for
 * GET/HEAD, 412 otherwise; else If-Modified-Since (GET/HEAD only) -> 304.
 * Dates that are invalid, repeated or lack a Last-Modified to compare with are
 * ignored. A 304 must still carry the ETag, Cache-Control, Vary... a 200 would.
 *
 * @example
 * ```ts
 * const r = evaluateConditionals(req.headers, { method: 'GET', etag: '"abc"', lastModified: stats.mtimeMs });
 * if (r.kind === 'not-modified') respond(304);
 * ```
 */
export function evaluateConditionals(headers: RequestHeaders, opts: ConditionalOptions): ConditionalResult {
  checkEtag(opts.etag);
  const { etag, method } = opts;
  const exists = opts.exists ?? true;
  const lastMod = exists ? seconds(opts.lastModified) : undefined;
  const current = etag ?? 'none';

  const ifMatch = headerValues(headers, 'if-match');
  if (ifMatch.length > 0) {
    const raw = ifMatch.join(', ');
    const tags = parseEtags(raw);
    const ok = tags === '*' ? exists : tags !== undefined && exists && etag !== undefined && tags.some((t) => strongMatch(t, etag));
    if (!ok) return failed(`If-Match is ${cut(raw)}, current ETag is ${exists ? current : 'none (no representation)'}`);
  } else {
    const ius = dateField(headers, 'if-unmodified-since');
    if (ius?.time !== undefined && lastMod !== undefined && lastMod > ius.time / 1000) {
      return failed(`If-Unmodified-Since is ${cut(ius.raw)}, Last-Modified is ${formatHttpDate(lastMod * 1000)}`);
    }
  }

  const safe = method === 'GET' || method === 'HEAD';
  const ifNoneMatch = headerValues(headers, 'if-none-match');
  const inm = ifNoneMatch.length > 0 ? parseEtags(ifNoneMatch.join(', ')) : undefined;
  if (inm !== undefined) {
    const matched = inm === '*' ? exists : exists && etag !== undefined && inm.some((t) => weakMatch(t, etag));
    if (!matched) return { kind: 'proceed', status: 200 };
    if (safe) return { kind: 'not-modified', status: 304 };
    const raw = cut(ifNoneMatch.join(', '));
    return failed(inm === '*' ? `If-None-Match is *, and a current representation exists` : `If-None-Match is ${raw}, which matches the current ETag ${current}`);
  }

  if (safe) {
    const ims = dateField(headers, 'if-modified-since');
    if (ims?.time !== undefined && lastMod !== undefined && lastMod <= ims.time / 1000) return { kind: 'not-modified', status: 304 };
  }
  return { kind: 'proceed', status: 200 };
}

/**
 * Whether a Range request may be served as ranges (RFC 9110 §13.1.5): true
 * without If-Range; with an entity-tag, only on a strong match with a strong
 * current ETag; with an HTTP-date, only if it equals Last-Modified exactly (to
 * the second). Anything else, malformed values included, is false: send 200.
 *
 * @example
 * ```ts
 * const range = ifRangeMatches(req.header('if-range'), { etag, lastModified }) ? parseRange(req.header('range'), size) : undefined;
 * ```
 */
export function ifRangeMatches(ifRange: string | undefined, validators: Validators): boolean {
  checkEtag(validators.etag);
  if (ifRange === undefined) return true;
  const v = ifRange.trim();
  if (v.startsWith('"') || v.startsWith('W/')) {
    return etagEnd(v, 0) === v.length && validators.etag !== undefined && strongMatch(v, validators.etag);
  }
  const time = parseHttpDate(v);
  const lastMod = seconds(validators.lastModified);
  return time !== undefined && lastMod !== undefined && lastMod === time / 1000;
}
