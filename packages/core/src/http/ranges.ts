/*
 * Byte ranges (RFC 9110 §14): parse `Range: bytes=...` against a
 * representation size, and frame multipart/byteranges bodies (§14.6) with
 * their length known before the first byte is sent.
 *
 *   Range: bytes=0-99, 200-, -50
 *               int-range  open  suffix
 */
import { randomBytes } from 'node:crypto';
import { LwsError } from '../errors.js';

/** An inclusive byte range: `start` to `end`, both within the representation. */
export interface ByteRange {
  start: number;
  end: number;
}

/** Why a Range header is not applied and the full representation (200) is sent. */
export type RangeIgnoredReason = 'absent' | 'invalid' | 'unit' | 'too-many' | 'empty';

/** The outcome of {@link parseRange}. */
export type RangeResult =
  | { kind: 'ignore'; reason: RangeIgnoredReason }
  | { kind: 'ranges'; ranges: ByteRange[] }
  | { kind: 'unsatisfiable'; status: 416; contentRange: string; error: LwsError };

/** Options for {@link parseRange}. */
export interface ParseRangeOptions {
  /**
   * Most range-specs accepted in one header; more and the header is ignored
   * (full 200), as nginx `max_ranges` and Apache `MaxRanges` do. Default 16.
   */
  maxRanges?: number;
  /**
   * Ranges separated by at most this many bytes are merged (RFC 9110 §14.6
   * allows it when the gap is cheaper than a part header). Default 0:
   * only overlapping or adjacent ranges merge.
   */
  mergeGap?: number;
}

const MAX_QUOTE = 100;

/* Parses 1*DIGIT at s[i..]; returns [value, next index] or undefined. */
function digits(s: string, i: number): [number, number] | undefined {
  const from = i;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    i++;
  }
  if (i === from) return undefined;
  // Past 2^53 Number() rounds, monotonically: still above every safe size, and
  // a tie between first-pos and last-pos is settled by bigger() below.
  return [Number(s.slice(from, i)), i];
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/* A non-zero suffix of an empty representation: satisfiable (§14.1.1) but selects no byte. */
const EMPTY: ByteRange = { start: 0, end: -1 };

/* One range-spec over [from, to); undefined = syntax error, null = unsatisfiable. */
function rangeSpec(s: string, from: number, to: number, size: number): ByteRange | null | undefined {
  if (s.charCodeAt(from) === 0x2d) {
    // suffix-range = "-" suffix-length
    const len = digits(s, from + 1);
    if (!len || len[1] !== to) return undefined;
    if (len[0] === 0) return null;
    if (size === 0) return EMPTY;
    return { start: Math.max(0, size - len[0]), end: size - 1 };
  }
  // int-range = first-pos "-" [ last-pos ]
  const first = digits(s, from);
  if (!first || s.charCodeAt(first[1]) !== 0x2d) return undefined;
  let last = Infinity;
  if (first[1] + 1 !== to) {
    const l = digits(s, first[1] + 1);
    if (!l || l[1] !== to) return undefined;
    last = l[0];
    if (first[0] > last || (first[0] === last && bigger(s.slice(from, first[1]), s.slice(first[1] + 1, to)))) return undefined;
  }
  if (first[0] >= size) return null;
  return { start: first[0], end: Math.min(last, size - 1) };
}

/* For digit strings whose Numbers tied after rounding: is a > b exactly? */
function bigger(a: string, b: string): boolean {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  return x.length !== y.length ? x.length > y.length : x > y;
}

/* Sorts and merges ranges that overlap, touch, or are at most `gap` bytes apart. */
function coalesce(ranges: ByteRange[], gap: number): ByteRange[] {
  if (ranges.length < 2) return ranges;
  ranges.sort((a, b) => a.start - b.start);
  const out: ByteRange[] = [];
  let cur = ranges[0] as ByteRange;
  for (let i = 1; i < ranges.length; i++) {
    const r = ranges[i] as ByteRange;
    if (r.start <= cur.end + 1 + gap) {
      if (r.end > cur.end) cur = { start: cur.start, end: r.end };
    } else {
      out.push(cur);
      cur = r;
    }
  }
  out.push(cur);
  return out;
}

function checkSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new RangeError(`Cannot parse range: size is ${size}, expected a non-negative safe integer`);
  }
}

/**
 * Parse a Range header against a representation of `size` bytes (RFC 9110
 * §14.1.2, §14.2). Satisfiable specs are sorted and merged when they overlap or
 * touch; answer one range with 206 + `Content-Range`, several with
 * multipart/byteranges ({@link planMultipartByteranges}). `unsatisfiable` means
 * 416 with `Content-Range: bytes *\/size`. A header with bad syntax, another
 * unit or more than `maxRanges` specs is ignored (serve 200), as §14.2 allows.
 * Only apply it to GET, and only after If-Range (`ifRangeMatches`).
 *
 * @example
 * ```ts
 * parseRange('bytes=0-99, 50-149, -10', 1000); // { kind: 'ranges', ranges: [{ start: 0, end: 149 }, { start: 990, end: 999 }] }
 * parseRange('bytes=2000-', 1000);             // { kind: 'unsatisfiable', status: 416, contentRange: 'bytes *\/1000', ... }
 * ```
 */
export function parseRange(header: string | undefined, size: number, opts: ParseRangeOptions = {}): RangeResult {
  checkSize(size);
  const maxRanges = opts.maxRanges ?? 16;
  const gap = opts.mergeGap ?? 0;
  if (!Number.isSafeInteger(maxRanges) || maxRanges < 1) {
    throw new RangeError(`Cannot parse range: maxRanges is ${maxRanges}, expected a positive integer`);
  }
  if (!Number.isSafeInteger(gap) || gap < 0) throw new RangeError(`Cannot parse range: mergeGap is ${gap}, expected a non-negative integer`);
  if (header === undefined) return { kind: 'ignore', reason: 'absent' };

  const eq = header.indexOf('=');
  if (eq < 0) return { kind: 'ignore', reason: 'invalid' };
  if (header.slice(0, eq).trim().toLowerCase() !== 'bytes') return { kind: 'ignore', reason: 'unit' };

  const ranges: ByteRange[] = [];
  let specs = 0;
  let empty = false;
  let i = eq + 1;
  // range-set = 1#range-spec: OWS around commas, empty list elements allowed (RFC 9110 §5.6.1.2).
  while (i <= header.length) {
    let comma = header.indexOf(',', i);
    if (comma < 0) comma = header.length;
    let a = i;
    let b = comma;
    while (a < b && isOws(header.charCodeAt(a))) a++;
    while (b > a && isOws(header.charCodeAt(b - 1))) b--;
    if (a < b) {
      if (++specs > maxRanges) return { kind: 'ignore', reason: 'too-many' };
      const r = rangeSpec(header, a, b, size);
      if (r === undefined) return { kind: 'ignore', reason: 'invalid' };
      if (r === EMPTY) empty = true;
      else if (r !== null) ranges.push(r);
    }
    i = comma + 1;
  }
  if (specs === 0) return { kind: 'ignore', reason: 'invalid' };
  if (ranges.length > 0) return { kind: 'ranges', ranges: coalesce(ranges, gap) };
  // An empty representation asked for a non-zero suffix: nothing to frame, send it whole (200, empty body).
  if (empty) return { kind: 'ignore', reason: 'empty' };
  const shown = header.length > MAX_QUOTE ? `${header.slice(0, MAX_QUOTE)}…` : header;
  return {
    kind: 'unsatisfiable',
    status: 416,
    contentRange: `bytes */${size}`,
    error: new LwsError(
      'LWS_ERR_HTTP_RANGE_NOT_SATISFIABLE',
      `Cannot satisfy range: ${JSON.stringify(shown)} selects no byte of a ${size}-byte representation`,
      { status: 416 },
    ),
  };
}

/**
 * The `Content-Range` value for one range of a `size`-byte representation.
 *
 * @example
 * ```ts
 * contentRange({ start: 0, end: 99 }, 1000); // 'bytes 0-99/1000'
 * ```
 */
export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}

/**
 * A multipart boundary: 24 random hex characters (96 bits), so the chance
 * that it also occurs in the file is negligible (RFC 2046 §5.1.1).
 *
 * @example
 * ```ts
 * generateBoundary(); // e.g. '3f9a1c0b7d2e4f6a8b9c0d1e'
 * ```
 */
export function generateBoundary(): string {
  return randomBytes(12).toString('hex');
}

/** One part of a multipart/byteranges body: its header bytes, then `range` of the file. */
export interface MultipartPart {
  /** Delimiter and part headers, ending with the blank line. */
  head: Buffer;
  range: ByteRange;
}

/** A multipart/byteranges body, ready to stream: for each part write `head` then the range; then `tail`. */
export interface MultipartPlan {
  boundary: string;
  /** The response Content-Type: `multipart/byteranges; boundary=...`. */
  contentType: string;
  /** Exact body length in bytes, for Content-Length. */
  contentLength: number;
  parts: MultipartPart[];
  /** The close delimiter. */
  tail: Buffer;
}

// RFC 2046 §5.1.1 bcharsnospace, 1-70 characters (we never need its inner spaces).
const BOUNDARY_RE = /^[0-9A-Za-z'()+_,\-./:=?]{1,70}$/;

/**
 * Frame `ranges` of a `size`-byte representation as multipart/byteranges
 * (RFC 9110 §14.6): each part is `--boundary`, `Content-Type` (when
 * `partContentType` is given), `Content-Range`, a blank line and the bytes;
 * parts after the first start with CRLF. `contentLength` is the exact total.
 * Throws TypeError on a boundary outside RFC 2046's alphabet or a content
 * type with control characters, RangeError on a range outside `size`.
 *
 * @example
 * ```ts
 * const plan = planMultipartByteranges([{ start: 0, end: 9 }, { start: 90, end: 99 }], 100, 'text/plain');
 * head(206, { 'content-type': plan.contentType, 'content-length': plan.contentLength });
 * for (const p of plan.parts) { write(p.head); await sendFileRange(p.range); }
 * write(plan.tail);
 * ```
 */
export function planMultipartByteranges(
  ranges: readonly ByteRange[],
  size: number,
  partContentType?: string,
  boundary: string = generateBoundary(),
): MultipartPlan {
  checkSize(size);
  if (!BOUNDARY_RE.test(boundary)) throw new TypeError(`Cannot frame byteranges: boundary ${JSON.stringify(boundary)} is not a valid RFC 2046 boundary`);
  if (partContentType !== undefined && !/^[\x20-\x7e\t]+$/.test(partContentType)) {
    throw new TypeError(`Cannot frame byteranges: content type ${JSON.stringify(partContentType)} must be printable ASCII`);
  }
  const typeLine = partContentType === undefined ? '' : `Content-Type: ${partContentType}\r\n`;
  const parts: MultipartPart[] = [];
  let contentLength = 0;
  for (const [n, r] of ranges.entries()) {
    if (!Number.isSafeInteger(r.start) || !Number.isSafeInteger(r.end) || r.start < 0 || r.start > r.end || r.end >= size) {
      throw new RangeError(`Cannot frame byteranges: range ${r.start}-${r.end} is outside a ${size}-byte representation`);
    }
    const head = Buffer.from(`${n === 0 ? '' : '\r\n'}--${boundary}\r\n${typeLine}Content-Range: ${contentRange(r, size)}\r\n\r\n`, 'latin1');
    parts.push({ head, range: { start: r.start, end: r.end } });
    contentLength += head.length + (r.end - r.start + 1);
  }
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1');
  return {
    boundary,
    contentType: `multipart/byteranges; boundary=${boundary}`,
    contentLength: contentLength + tail.length,
    parts,
    tail,
  };
}
