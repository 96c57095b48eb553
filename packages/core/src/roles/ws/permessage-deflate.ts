/*
 * permessage-deflate compression (RFC 7692 §7.2): raw DEFLATE per message,
 * sync-flushed, the 00 00 ff ff tail stripped on send and appended on receive,
 * with or without context takeover.
 *
 * Two implementations behind one class, both synchronous:
 *
 * - Native streams (the default when @lws/native's addon is loaded): one
 *   persistent zlib stream per direction per connection, from the addon
 *   (createRawDeflate / createRawInflate run Node's own zlib in C++; node:zlib
 *   has persistent streams only asynchronously, through the thread pool).
 *   Context takeover keeps the stream; no_context_takeover resets it after
 *   each message, freeing its memory (an idle connection holds no z_stream:
 *   each is allocated on first use, ~220 KiB resident for the pair at the
 *   default 15 bits and memLevel 8, and kept while context takeover needs
 *   its window). The receive tail
 *   is handed over as one more piece, so the frame payloads are never copied
 *   together. dispose() frees both streams when the connection closes.
 * - node:zlib (LWS_NO_NATIVE=1, or no addon): deflateRawSync/inflateRawSync,
 *   a new zlib instance per message. Context takeover without a persistent
 *   stream: the LZ77 window is the last 2^bits bytes of plaintext, so it is
 *   kept here and handed to zlib as the preset `dictionary` of the next
 *   message (RFC 1951 back-references may reach into it exactly as into a
 *   continuing stream's window). Both produce standard streams: each side's
 *   output inflates on the other (the core tests cross-check them).
 *
 * Measured (bench/pmd.ts, Node 20, 2-core machine; µs per message of
 * JSON-ish text, node:zlib -> native streams, alternating in one run), with
 * context takeover: compress 16 B 36 -> 1.7, 1 KiB 54 -> 13, 16 KiB 176 ->
 * 135; decompress 7.5 -> 1.0, 9.4 -> 2.4, 15 -> 8.0 (a new zlib instance
 * and up to 32 KiB of dictionary re-fed per message dominated small
 * messages; at 16 KiB zlib's own matching dominates both). Without context
 * takeover: compress 5.5 / 11 / 82 -> 3.4 / 8.0 / 81, decompress 4.3 / 4.7 /
 * 10 -> 1.0 / 2.7 / 8.3 (freeing the stream after each message costs ~1 µs
 * of that). Echo servers under bench/ws-echo.ts's C load client (which
 * sends compressed 16 B messages, client_no_context_takeover; replies go
 * back uncompressed): 78k -> 110k msg per server CPU-second, 7x the `ws`
 * package (15k, inflating on the thread pool). bench/ws.ts, 1 KiB text
 * echo: our server's CPU per message 182 -> 31 µs (1 connection) and 105
 * -> 18 µs (10), against `ws`'s 140 and 67 µs.
 *
 * Why synchronous at all: a persistent async DeflateRaw stream took ~90 /
 * 80 / 1250 us and an async InflateRaw ~70 / 68 / 300 us per 16 B / 1 KiB /
 * 64 KiB message; sync keeps messages in order without a queue and lets the
 * frame parser stay a plain bytes-in/events-out function. The cost is
 * event-loop time bounded by maxMessageSize per message (as in lws, which
 * inflates inline).
 *
 * Window bits 8: zlib refuses raw deflate with windowBits 8, so our
 * compressor uses 9 instead. That still honours an agreed 8: zlib never
 * emits distances beyond 2^bits - 262 (MAX_DIST), i.e. 250 for 9 bits, within
 * the peer's 256-byte window. We always inflate with 15 bits, which decodes
 * any peer window: like browsers, we do not fail a peer that reaches further
 * back than it agreed to (both implementations keep 32 KiB of history, so
 * they accept exactly the same streams).
 *
 * An empty message compresses to the single byte 00 without touching the
 * stream: with the tail appended, 00 00 00 ff ff is an empty stored block
 * (§7.2.3.6), while a sync flush with nothing pending would give no bytes.
 */
import { constants, deflateRawSync, inflateRawSync, type ZlibOptions } from 'node:zlib';
import { createRawDeflate, createRawInflate, InflateFailure, nativeZlibVersion, type RawDeflate, type RawInflate } from '@lws/native';
import { CloseCode, LwsError } from '../../errors.js';
import { DeflateLimits } from './constants.js';
import type { PerMessageDeflateParams } from './permessage-deflate-negotiation.js';

/** Options of one connection's compressor/decompressor. */
export interface PerMessageDeflateOptions {
  isServer: boolean;
  /** The negotiated parameters (negotiatePerMessageDeflate / acceptPerMessageDeflate). */
  params: PerMessageDeflateParams;
  /** Messages shorter than this many bytes are sent uncompressed (default 1024). */
  threshold?: number;
  /** zlib level, -1 (default) to 9. */
  level?: number;
  /** zlib memLevel, 1 to 9 (default 8). */
  memLevel?: number;
  /**
   * 'auto' (default): the addon's persistent streams when @lws/native's addon
   * is loaded, else node:zlib. 'node': node:zlib with a preset dictionary
   * always (the fallback, e.g. to compare the two).
   */
  zlib?: 'auto' | 'node';
}

/** Which implementation a PerMessageDeflate runs (see the header). */
export type PerMessageDeflateZlib = 'native' | 'node';

const EMPTY = Buffer.alloc(0);
const TAIL = Buffer.from(DeflateLimits.tail);
const NATIVE_STREAMS = nativeZlibVersion !== undefined;
/** The history an inflater keeps: a 15-bit window, whatever the peer agreed (see the header). */
const INFLATE_WINDOW = 1 << DeflateLimits.maxWindowBits;

function slide(window: Buffer, data: Uint8Array, size: number): Buffer {
  // Always copies: the window must not pin the caller's (possibly large) buffer.
  if (data.length >= size) return Buffer.from(data.subarray(data.length - size));
  const keep = Math.min(window.length, size - data.length);
  return Buffer.concat([window.subarray(window.length - keep), data]);
}

function endsWithTail(buf: Buffer): boolean {
  const n = buf.length;
  return n >= 4 && buf[n - 4] === 0 && buf[n - 3] === 0 && buf[n - 2] === 0xff && buf[n - 1] === 0xff;
}

function checkInt(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`Cannot create PerMessageDeflate: ${name} must be ${min}-${max}, received ${value}`);
  }
}

/** What both implementations share: the resolved settings of one connection. */
interface Settings {
  level: number;
  memLevel: number;
  /** Our compressor's window bits (8 served as 9). */
  windowBits: number;
  ownTakeover: boolean;
  peerTakeover: boolean;
}

interface Codec {
  compress(data: Uint8Array, final: boolean): Buffer;
  decompress(payload: readonly Uint8Array[], maxSize: number): Buffer | LwsError;
  dispose(): void;
}

/**
 * One connection's permessage-deflate state: compresses outgoing messages and
 * inflates incoming ones, carrying (or resetting) each direction's LZ77 window.
 *
 * @example
 * ```ts
 * const pmd = new PerMessageDeflate({ isServer: true, params: agreement.params });
 * const payload = pmd.compress(Buffer.from('Hello')); // f2 48 cd c9 c9 07 00
 * const text = pmd.decompress([payload], 1 << 20);     // Buffer "Hello" or an LwsError
 * pmd.dispose();                                       // when the connection closes
 * ```
 */
export class PerMessageDeflate {
  readonly params: PerMessageDeflateParams;
  readonly threshold: number;
  /** The implementation in use: 'native' (the addon's streams) or 'node' (node:zlib). */
  readonly zlib: PerMessageDeflateZlib;
  readonly #codec: Codec;

  constructor(options: PerMessageDeflateOptions) {
    const { isServer, params } = options;
    this.params = { ...params };
    this.threshold = options.threshold ?? DeflateLimits.defaultThreshold;
    checkInt('threshold', this.threshold, 0, Number.MAX_SAFE_INTEGER);
    const level = options.level ?? constants.Z_DEFAULT_COMPRESSION;
    const memLevel = options.memLevel ?? 8;
    checkInt('level', level, -1, 9);
    checkInt('memLevel', memLevel, 1, 9);
    const ownBits = isServer ? params.serverMaxWindowBits : params.clientMaxWindowBits;
    const peerBits = isServer ? params.clientMaxWindowBits : params.serverMaxWindowBits;
    checkInt('own window bits', ownBits, DeflateLimits.minWindowBits, DeflateLimits.maxWindowBits);
    checkInt('peer window bits', peerBits, DeflateLimits.minWindowBits, DeflateLimits.maxWindowBits);
    const settings: Settings = {
      level,
      memLevel,
      windowBits: Math.max(ownBits, 9), // see the header: 8 -> 9 is safe
      ownTakeover: !(isServer ? params.serverNoContextTakeover : params.clientNoContextTakeover),
      peerTakeover: !(isServer ? params.clientNoContextTakeover : params.serverNoContextTakeover),
    };
    const native = NATIVE_STREAMS && options.zlib !== 'node';
    this.zlib = native ? 'native' : 'node';
    this.#codec = native ? new StreamCodec(settings) : new DictionaryCodec(settings);
  }

  /** Whether a message of `length` bytes is worth compressing (at or above the threshold). */
  shouldCompress(length: number): boolean {
    return length >= this.threshold;
  }

  /**
   * Compresses one message, or one fragment of it when `final` is false (the
   * fragments' outputs concatenate into one DEFLATE stream). The returned
   * payload is a fresh Buffer the caller may mask in place. Throws only when
   * out of memory or after dispose().
   */
  compress(data: Uint8Array, final = true): Buffer {
    return this.#codec.compress(data, final);
  }

  /**
   * Inflates one whole message from its compressed frame payloads. Output over
   * `maxSize` bytes stops inflation at once with LWS_ERR_WS_MESSAGE_TOO_BIG
   * (1009); corrupt data gives LWS_ERR_WS_INFLATE (1007). Never throws.
   */
  decompress(payload: readonly Uint8Array[], maxSize: number): Buffer | LwsError {
    return this.#codec.decompress(payload, maxSize);
  }

  /** Frees the compression state now (the connection closed). Idempotent; compress() then throws and decompress() fails. */
  dispose(): void {
    this.#codec.dispose();
  }
}

/** An empty message: see the header (a fresh Buffer, as the caller may mask it in place). */
function emptyPayload(final: boolean): Buffer {
  return final ? Buffer.alloc(1) : Buffer.alloc(0);
}

/** After a message without context takeover the z_stream is freed, not kept: idle connections stay small. */
const RELEASE_WITHOUT_TAKEOVER = true;

/** The addon's persistent streams, created on first use. */
class StreamCodec implements Codec {
  readonly #s: Settings;
  #deflate: RawDeflate | null = null;
  #inflate: RawInflate | null = null;
  #disposed = false;

  constructor(settings: Settings) {
    this.#s = settings;
  }

  compress(data: Uint8Array, final: boolean): Buffer {
    if (this.#disposed) throw new Error('Cannot compress: the permessage-deflate state was disposed');
    let out: Buffer;
    if (data.length === 0) {
      out = emptyPayload(final);
    } else {
      const s = this.#s;
      this.#deflate ??= createRawDeflate({ level: s.level, memLevel: s.memLevel, windowBits: s.windowBits })!;
      out = this.#deflate.deflate(data);
      if (final && endsWithTail(out)) out = out.subarray(0, out.length - 4);
    }
    if (final && !this.#s.ownTakeover) this.#deflate?.reset(RELEASE_WITHOUT_TAKEOVER);
    return out;
  }

  decompress(payload: readonly Uint8Array[], maxSize: number): Buffer | LwsError {
    if (this.#disposed) return inflateError(new Error('the permessage-deflate state was disposed'), maxSize);
    const inflater = (this.#inflate ??= createRawInflate({ windowBits: DeflateLimits.maxWindowBits })!);
    let out: Buffer | InflateFailure;
    try {
      out = inflater.inflate(payload.length === 1 ? [payload[0]!, TAIL] : [...payload, TAIL], maxSize);
    } catch (err) {
      return inflateError(err, maxSize); // out of memory
    }
    if (out instanceof InflateFailure) {
      return out.reason === 'too-big' ? inflateError(TOO_BIG, maxSize) : inflateError(new Error(out.message), maxSize);
    }
    if (!this.#s.peerTakeover) inflater.reset(RELEASE_WITHOUT_TAKEOVER);
    return out;
  }

  dispose(): void {
    this.#disposed = true;
    this.#deflate?.close();
    this.#inflate?.close();
    this.#deflate = null;
    this.#inflate = null;
  }
}

/** node:zlib, a new instance per message, the window carried as a preset dictionary. */
class DictionaryCodec implements Codec {
  readonly #s: Settings;
  readonly #zlib: ZlibOptions;
  readonly #ownWindow: number;
  #deflateWindow: Buffer = EMPTY;
  #inflateWindow: Buffer = EMPTY;
  #disposed = false;

  constructor(settings: Settings) {
    this.#s = settings;
    const { level, memLevel, windowBits } = settings;
    this.#zlib = { level, memLevel, windowBits, finishFlush: constants.Z_SYNC_FLUSH };
    this.#ownWindow = 1 << windowBits;
  }

  compress(data: Uint8Array, final: boolean): Buffer {
    if (this.#disposed) throw new Error('Cannot compress: the permessage-deflate state was disposed');
    const window = this.#deflateWindow;
    const options = window.length > 0 ? { ...this.#zlib, dictionary: window } : this.#zlib;
    const out = deflateRawSync(data, options);
    this.#deflateWindow = final && !this.#s.ownTakeover ? EMPTY : slide(window, data, this.#ownWindow);
    return final && endsWithTail(out) ? out.subarray(0, out.length - 4) : out;
  }

  decompress(payload: readonly Uint8Array[], maxSize: number): Buffer | LwsError {
    if (this.#disposed) return inflateError(new Error('the permessage-deflate state was disposed'), maxSize);
    const input = Buffer.concat([...payload, TAIL]);
    const window = this.#inflateWindow;
    const options: ZlibOptions = {
      windowBits: DeflateLimits.maxWindowBits,
      finishFlush: constants.Z_SYNC_FLUSH,
      maxOutputLength: Math.max(1, maxSize),
    };
    if (window.length > 0) options.dictionary = window;
    let out: Buffer;
    try {
      out = inflateRawSync(input, options);
    } catch (err) {
      return inflateError(err, maxSize);
    }
    if (this.#s.peerTakeover) this.#inflateWindow = slide(window, out, INFLATE_WINDOW);
    return out;
  }

  dispose(): void {
    this.#disposed = true;
    this.#deflateWindow = EMPTY;
    this.#inflateWindow = EMPTY;
  }
}

const TOO_BIG = Object.freeze({ code: 'ERR_BUFFER_TOO_LARGE' });

function inflateError(err: unknown, maxSize: number): LwsError {
  if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
    return new LwsError(
      'LWS_ERR_WS_MESSAGE_TOO_BIG',
      `Cannot inflate message: it exceeds the limit of ${maxSize} bytes`,
      { closeCode: CloseCode.MessageTooBig },
      err === TOO_BIG ? undefined : { cause: err },
    );
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new LwsError(
    'LWS_ERR_WS_INFLATE',
    `Cannot inflate message: ${detail}`,
    { closeCode: CloseCode.InvalidPayload },
    { cause: err },
  );
}
