/*
 * @lws/native: WebSocket masking (RFC 6455 §5.3) and UTF-8 validation
 * (RFC 3629 §4, incremental across fragments per RFC 6455 §8.1), in C++ when
 * build/Release/lws_native.node loads and in TypeScript otherwise, with the
 * same results. This file picks the backend, checks arguments and routes each
 * call by size to whichever path bench/native.ts measured fastest.
 *
 * With the addon it also offers persistent synchronous raw DEFLATE streams
 * (createRawDeflate, createRawInflate), which node:zlib lacks: its streams
 * are asynchronous and its *Sync functions start afresh every call. Without
 * the addon those return null and the caller keeps its own node:zlib path.
 */
import { isUtf8 } from 'node:buffer';
import { js, loadNative, type Backend, type NativeRawDeflate, type NativeRawInflate, type NativeZlib } from './backends.js';
import { isValidUtf8 as jsIsValidUtf8, Utf8State } from './js/utf8.js';
import { utf8UpdateBulk } from './utf8-bulk.js';

/** Which implementation serves mask/unmask and locates UTF-8 errors. */
export type NativeBackend = 'native' | 'js';

function select(): { impl: Backend; backend: NativeBackend; reason?: string } {
  if (process.env.LWS_NO_NATIVE === '1') return { impl: js, backend: 'js', reason: 'LWS_NO_NATIVE=1' };
  const { native, error } = loadNative();
  if (native) return { impl: native, backend: 'native' };
  if (process.env.LWS_REQUIRE_NATIVE === '1') {
    throw new Error(`Cannot load @lws/native with LWS_REQUIRE_NATIVE=1: ${error} (build it: pnpm build:native)`);
  }
  return { impl: js, backend: 'js', reason: error };
}

const selected = select();
const impl = selected.impl;
const zlib: NativeZlib | undefined = selected.backend === 'native' ? loadNative().zlib : undefined;

/**
 * Which implementation is in use: `'native'` when the addon loaded, else `'js'`.
 * `LWS_NO_NATIVE=1` forces `'js'` (and wins over the next); `LWS_REQUIRE_NATIVE=1`
 * makes a load failure throw at import instead of falling back (CI).
 *
 * @example
 * ```ts
 * import { backend } from '@lws/native';
 * if (backend === 'js') log.notice('masking in TypeScript');
 * ```
 */
export const backend: NativeBackend = selected.backend;

/**
 * Why the TypeScript backend was chosen (`'LWS_NO_NATIVE=1'` or the load error),
 * `undefined` when the addon is in use.
 *
 * @example
 * ```ts
 * import { backendReason } from '@lws/native';
 * if (backendReason) log.notice(`native: not loaded (${backendReason})`);
 * ```
 */
export const backendReason: string | undefined = selected.reason;

/**
 * One line for the context to log once at notice level.
 *
 * @example
 * ```ts
 * import { nativeInfo } from '@lws/native';
 * log.notice(nativeInfo()); // "native: mask, utf8" or "native: not loaded (LWS_NO_NATIVE=1)"
 * ```
 */
export function nativeInfo(): string {
  return backend === 'native' ? 'native: mask, utf8' : `native: not loaded (${backendReason})`;
}

// Size thresholds, from the sweep in bench/native.ts (bench/README.md,
// "thresholds"; two runs on the 2-core dev machine). mask()'s N-API call
// costs 46-60 ns (two arrays, three numbers): the JS loop takes 48 ns at 96 B
// and 64 ns at 128 B, so native from 128. unmask()'s costs ~27 ns (one array,
// one number): JS takes 23 ns at 48 B and 29 ns at 64 B, so native from 64.
const MASK_NATIVE_MIN = 128;
const UNMASK_NATIVE_MIN = 64;
// UTF-8: buffer.isUtf8 (simdutf, ~23 ns a call) beats both DFAs from 32 B, the
// C++ one included: at 64 KiB of multibyte text isUtf8 runs 19x faster than
// the C++ DFA and 55x faster than the JS one. Below 32 B the JS DFA wins
// (19 vs 23 ns for 32 B of ASCII; 24 vs 26 ns for 16 B of multibyte text).
// The backend's DFA runs over a large chunk only when isUtf8 rejects it, to
// find the failing byte.
const UTF8_BULK_MIN = 32;

/**
 * Masks `length` bytes of `source` into `output` at `offset` (RFC 6455 §5.3):
 * `output[offset + i] = source[i] ^ maskKey[(phase + i) & 3]`. `phase` is the
 * number of payload bytes already masked with this key (any non-negative
 * integer; only `phase % 4` matters). `source` and `output` may be the same
 * bytes (in place); other overlaps give unspecified bytes, as with memcpy
 * (checking costs more than a 16-byte mask: `.buffer` is a ~23 ns getter).
 *
 * @example
 * ```ts
 * import { mask } from '@lws/native';
 * const frame = new Uint8Array(6 + payload.length); // header, key, payload
 * frame.set([0x81, 0x80 | payload.length, ...key]);
 * mask(payload, key, frame, 6, payload.length);
 * ```
 */
export function mask(
  source: Uint8Array,
  maskKey: Uint8Array,
  output: Uint8Array,
  offset: number,
  length: number,
  phase = 0,
): void {
  if (
    !(source instanceof Uint8Array) ||
    !(maskKey instanceof Uint8Array) ||
    !(output instanceof Uint8Array) ||
    maskKey.length !== 4 ||
    !isIndex(offset) ||
    !isIndex(length) ||
    !isIndex(phase) ||
    length > source.length ||
    offset + length > output.length
  ) {
    throwMaskMisuse(source, maskKey, output, offset, length, phase);
  }
  (length < MASK_NATIVE_MIN ? js : impl).mask(source, maskKey, output, offset, length, phase & 3);
}

/**
 * Unmasks (or masks) the whole `buffer` in place:
 * `buffer[i] ^= maskKey[(phase + i) & 3]`.
 *
 * @example
 * ```ts
 * import { unmask } from '@lws/native';
 * unmask(payload, frameMaskKey); // a client frame's payload, now plain
 * ```
 */
export function unmask(buffer: Uint8Array, maskKey: Uint8Array, phase = 0): void {
  if (!(buffer instanceof Uint8Array) || !(maskKey instanceof Uint8Array) || maskKey.length !== 4 || !isIndex(phase)) {
    checkBytes('unmask', 'buffer', buffer);
    checkKey('unmask', maskKey);
    checkIndex('unmask', 'phase', phase);
  }
  (buffer.length < UNMASK_NATIVE_MIN ? js : impl).unmask(buffer, maskKey, phase & 3);
}

/**
 * Whether `buf` is entirely valid UTF-8 (RFC 3629), with nothing left incomplete.
 *
 * @example
 * ```ts
 * import { isValidUtf8 } from '@lws/native';
 * if (!isValidUtf8(payload)) wsi.close(CloseCode.InvalidPayload, 'invalid UTF-8');
 * ```
 */
export function isValidUtf8(buf: Uint8Array): boolean {
  checkBytes('validate UTF-8', 'buffer', buf);
  return buf.length < UTF8_BULK_MIN ? jsIsValidUtf8(buf) : isUtf8(buf);
}

/**
 * UTF-8 validation carried across fragment boundaries (RFC 6455 §8.1): a code
 * point split between chunks validates, and an invalid stream fails in the
 * chunk holding the first byte that makes it invalid (E0 80 at the 80, F5 at
 * once, ED A0 at the A0, F4 90 at the 90, C0 and C1 at once). Chunks from
 * 32 B are checked by Node's `buffer.isUtf8` between the code points they
 * split, smaller ones by a DFA: the same answers, measured fastest.
 *
 * @example
 * ```ts
 * import { Utf8Validator } from '@lws/native';
 * const utf8 = new Utf8Validator();
 * utf8.update(Buffer.from([0x68, 0xe2, 0x82])); // true: "h" and 2 bytes of "€"
 * utf8.update(Buffer.from([0xac]));             // true: "€" complete
 * utf8.end();                                   // true: a valid message
 * ```
 */
export class Utf8Validator {
  #state: number = Utf8State.Accept;
  #failed = false;

  /** Feeds bytes; returns false once the stream is invalid (and stays false until reset()). */
  update(chunk: Uint8Array): boolean {
    checkBytes('validate UTF-8', 'chunk', chunk);
    if (this.#failed) return false;
    const r =
      chunk.length < UTF8_BULK_MIN
        ? js.utf8Update(chunk, this.#state)
        : utf8UpdateBulk(chunk, this.#state, impl.utf8Update);
    if (r < 0) {
      this.#failed = true;
      return false;
    }
    this.#state = r;
    return true;
  }

  /** True when everything fed so far is valid AND no code point is left incomplete. Does not reset. */
  end(): boolean {
    return this.complete;
  }

  /** True when no partial code point is pending and nothing failed (a valid message could end here). */
  get complete(): boolean {
    return !this.#failed && this.#state === Utf8State.Accept;
  }

  /** True once an invalid byte was seen, until reset(). */
  get failed(): boolean {
    return this.#failed;
  }

  /** Forgets everything fed so far, for the next message. */
  reset(): void {
    this.#state = Utf8State.Accept;
    this.#failed = false;
  }
}

// The checks run on every call, so the hot path is one condition and the
// messages are built only on failure: separate check calls cost a 16-byte
// mask() 12 ns (more than the masking).
function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function throwMaskMisuse(...[source, maskKey, output, offset, length, phase]: Parameters<typeof mask>): never {
  checkBytes('mask', 'source', source);
  checkKey('mask', maskKey);
  checkBytes('mask', 'output', output);
  checkIndex('mask', 'offset', offset);
  checkIndex('mask', 'length', length);
  checkIndex('mask', 'phase', phase);
  if (length > source.length) {
    throw new RangeError(`Cannot mask: length ${length} exceeds source length ${source.length}`);
  }
  throw new RangeError(`Cannot mask: offset ${offset} + length ${length} exceeds output length ${output.length}`);
}

function received(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  if (typeof value === 'string') return `string "${value}"`;
  return `${typeof value} ${String(value)}`;
}

function checkBytes(action: string, name: string, value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`Cannot ${action}: ${name} must be a Uint8Array, received ${received(value)}`);
  }
}

function checkKey(action: string, maskKey: unknown): asserts maskKey is Uint8Array {
  checkBytes(action, 'mask key', maskKey);
  if (maskKey.length !== 4) {
    throw new RangeError(`Cannot ${action}: mask key is ${maskKey.length} bytes, expected 4`);
  }
}

function checkIndex(action: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') {
    throw new TypeError(`Cannot ${action}: ${name} must be a number, received ${received(value)}`);
  }
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`Cannot ${action}: ${name} must be a non-negative integer, received ${value}`);
  }
}

// ---- persistent raw DEFLATE streams (src/native/zlib.cc) -------------------

/** zlib's flush values that RawDeflate.deflate accepts (the same numbers as node:zlib's constants). */
export const ZlibFlush = { None: 0, Sync: 2, Full: 3, Finish: 4 } as const;

/** Settings of a raw DEFLATE stream (zlib's deflateInit2 with negative windowBits). */
export interface RawDeflateOptions {
  /** -1 (zlib's default, 6) to 9. Default -1. */
  level?: number;
  /** 1 to 9: memory for the match finder, 2^(memLevel + 9) bytes. Default 8. */
  memLevel?: number;
  /** 9 to 15: the LZ77 window is 2^windowBits bytes. Default 15. */
  windowBits?: number;
}

/** Settings of a raw inflate stream. */
export interface RawInflateOptions {
  /** 8 to 15: the largest window the peer may use, 2^windowBits bytes. Default 15. */
  windowBits?: number;
}

/**
 * A persistent raw DEFLATE stream (RFC 1951): each deflate() continues the
 * previous one's LZ77 window until reset(). Runs synchronously. The z_stream
 * (~256 KiB at windowBits 15, memLevel 8) is allocated on first use and freed
 * by close() or reset(true); the GC frees it otherwise, later.
 */
export interface RawDeflate {
  /**
   * Compresses `data` and returns everything zlib produced, as a new Buffer.
   * With ZlibFlush.Sync (the default) the output ends on a byte boundary with
   * the empty stored block 00 00 ff ff, unless nothing was pending.
   */
  deflate(data: Uint8Array, flush?: number): Buffer;
  /** Forgets the window (the next deflate starts a new stream); `release` also frees the z_stream until next use. */
  reset(release?: boolean): void;
  /** Frees the z_stream now; later deflate or reset calls throw. Idempotent. */
  close(): void;
  readonly closed: boolean;
}

/**
 * A persistent raw inflate stream: each inflate() continues the previous
 * one's window until reset(). Runs synchronously; same memory rules as
 * RawDeflate (~40 KiB at windowBits 15).
 */
export interface RawInflate {
  /**
   * Inflates `input` (one buffer, or pieces taken in order without copying
   * them together) and returns all output as a new Buffer. Stops as soon as
   * the output would exceed `maxOutput` bytes (an InflateFailure 'too-big'),
   * or at corrupt data (an InflateFailure 'corrupt' with zlib's message);
   * after a failure the stream is reset. Input after a final block (BFINAL)
   * is ignored, and the stream then continues as a new one whose window
   * still holds what came before.
   */
  inflate(input: Uint8Array | readonly Uint8Array[], maxOutput: number): Buffer | InflateFailure;
  /** Forgets the window; `release` also frees the z_stream until next use. */
  reset(release?: boolean): void;
  /** Frees the z_stream now; later inflate or reset calls throw. Idempotent. */
  close(): void;
  readonly closed: boolean;
}

/** Why RawInflate.inflate gave no output. */
export class InflateFailure {
  /** 'too-big': the output would exceed maxOutput; 'corrupt': not valid DEFLATE data. */
  readonly reason: 'too-big' | 'corrupt';
  /** For 'corrupt', zlib's own words (e.g. "invalid distance too far back"). */
  readonly message: string;

  constructor(reason: 'too-big' | 'corrupt', message: string) {
    this.reason = reason;
    this.message = message;
  }
}

/** zlibVersion() of the zlib the streams run (Node's own), or undefined without the addon. */
export const nativeZlibVersion: string | undefined = zlib?.version;

/**
 * A persistent synchronous raw DEFLATE stream from the addon, or null when
 * the addon is not in use (LWS_NO_NATIVE=1 or not built): then use
 * node:zlib. Throws RangeError for options out of range.
 *
 * @example
 * ```ts
 * import { createRawDeflate } from '@lws/native';
 * const d = createRawDeflate({ windowBits: 15 });
 * if (d) {
 *   d.deflate(Buffer.from('Hello')); // f2 48 cd c9 c9 07 00 00 00 ff ff
 *   d.deflate(Buffer.from('Hello')); // f2 00 11 00 00 00 00 ff ff: refers back
 *   d.close();
 * }
 * ```
 */
export function createRawDeflate(options: RawDeflateOptions = {}): RawDeflate | null {
  const level = options.level ?? -1;
  const memLevel = options.memLevel ?? 8;
  const windowBits = options.windowBits ?? 15;
  checkOption('RawDeflate', 'level', level, -1, 9);
  checkOption('RawDeflate', 'memLevel', memLevel, 1, 9);
  checkOption('RawDeflate', 'windowBits', windowBits, 9, 15);
  return zlib ? new DeflateStream(new zlib.RawDeflate(level, memLevel, windowBits)) : null;
}

/**
 * A persistent synchronous raw inflate stream from the addon, or null when
 * the addon is not in use. Throws RangeError for options out of range.
 *
 * @example
 * ```ts
 * import { createRawInflate, InflateFailure } from '@lws/native';
 * const tail = Uint8Array.of(0, 0, 0xff, 0xff);
 * const out = createRawInflate()?.inflate([framePayload, tail], 1 << 20);
 * if (out instanceof InflateFailure) wsi.close(out.reason === 'too-big' ? 1009 : 1007);
 * ```
 */
export function createRawInflate(options: RawInflateOptions = {}): RawInflate | null {
  const windowBits = options.windowBits ?? 15;
  checkOption('RawInflate', 'windowBits', windowBits, 8, 15);
  return zlib ? new InflateStream(new zlib.RawInflate(windowBits)) : null;
}

function checkOption(what: string, name: string, value: unknown, min: number, max: number): void {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    const got = typeof value === 'number' ? String(value) : received(value);
    throw new RangeError(`Cannot create ${what}: ${name} must be an integer from ${min} to ${max}, received ${got}`);
  }
}

function checkOpen(closed: boolean, action: string, what: string): void {
  if (closed) throw new Error(`Cannot ${action}: the ${what} was closed`);
}

class DeflateStream implements RawDeflate {
  readonly #z: NativeRawDeflate;
  #closed = false;

  constructor(z: NativeRawDeflate) {
    this.#z = z;
  }

  get closed(): boolean {
    return this.#closed;
  }

  deflate(data: Uint8Array, flush: number = ZlibFlush.Sync): Buffer {
    checkOpen(this.#closed, 'deflate', 'RawDeflate');
    checkBytes('deflate', 'data', data);
    if (flush !== ZlibFlush.Sync && flush !== ZlibFlush.None && flush !== ZlibFlush.Full && flush !== ZlibFlush.Finish) {
      throw new RangeError(`Cannot deflate: flush must be 0, 2, 3 or 4 (ZlibFlush), received ${received(flush)}`);
    }
    return this.#z.deflate(data, flush);
  }

  reset(release = false): void {
    checkOpen(this.#closed, 'reset', 'RawDeflate');
    this.#z.reset(release === true);
  }

  close(): void {
    this.#closed = true;
    this.#z.close();
  }
}

class InflateStream implements RawInflate {
  readonly #z: NativeRawInflate;
  #closed = false;

  constructor(z: NativeRawInflate) {
    this.#z = z;
  }

  get closed(): boolean {
    return this.#closed;
  }

  inflate(input: Uint8Array | readonly Uint8Array[], maxOutput: number): Buffer | InflateFailure {
    checkOpen(this.#closed, 'inflate', 'RawInflate');
    if (!(input instanceof Uint8Array)) {
      if (!Array.isArray(input)) {
        throw new TypeError(`Cannot inflate: input must be a Uint8Array or an array of them, received ${received(input)}`);
      }
      for (let i = 0; i < input.length; i++) checkBytes('inflate', `input[${i}]`, input[i]);
    }
    if (!isIndex(maxOutput)) {
      throw new RangeError(`Cannot inflate: maxOutput must be a non-negative integer, received ${received(maxOutput)}`);
    }
    const r = this.#z.inflate(input, maxOutput);
    if (typeof r === 'object') return r;
    this.#z.reset(false);
    return r === -1
      ? new InflateFailure('too-big', `output exceeds ${maxOutput} bytes`)
      : new InflateFailure('corrupt', r);
  }

  reset(release = false): void {
    checkOpen(this.#closed, 'reset', 'RawInflate');
    this.#z.reset(release === true);
  }

  close(): void {
    this.#closed = true;
    this.#z.close();
  }
}
