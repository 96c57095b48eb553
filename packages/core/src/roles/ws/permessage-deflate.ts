/*
 * permessage-deflate compression (RFC 7692 §7.2): raw DEFLATE per message,
 * sync-flushed, the 00 00 ff ff tail stripped on send and appended on receive,
 * with or without context takeover.
 *
 * Why synchronous zlib: measured on Node 20 (2-core dev machine), per message
 * of 16 B / 1 KiB / 64 KiB, a persistent async DeflateRaw stream took ~90 / 80
 * / 1250 us and an async InflateRaw ~70 / 68 / 300 us; deflateRawSync with a
 * dictionary 35 / 61 / 1200 us and inflateRawSync with a dictionary 12 / 10 /
 * 47 us. Sync is faster at every size, keeps messages in order without a
 * queue and lets the frame parser stay a plain bytes-in/events-out function.
 * The cost is event-loop time bounded by maxMessageSize per message (as in
 * lws, which inflates inline).
 *
 * Context takeover without a persistent stream: the LZ77 window is the last
 * 2^bits bytes of plaintext, so it is kept here and handed to zlib as the
 * preset `dictionary` of the next message (RFC 1951 back-references may reach
 * into it exactly as into a continuing stream's window).
 *
 * Window bits 8: some zlib versions refuse raw deflate with windowBits 8, so
 * our compressor uses 9 instead. That still honours an agreed 8: zlib never
 * emits distances beyond 2^bits - 262 (MAX_DIST), i.e. 250 for 9 bits, within
 * the peer's 256-byte window. We always inflate with 15 bits, which decodes
 * any peer window.
 */
import { constants, deflateRawSync, inflateRawSync, type ZlibOptions } from 'node:zlib';
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
}

const EMPTY = Buffer.alloc(0);
const TAIL = Buffer.from(DeflateLimits.tail);

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

/**
 * One connection's permessage-deflate state: compresses outgoing messages and
 * inflates incoming ones, carrying (or resetting) each direction's LZ77 window.
 *
 * @example
 * ```ts
 * const pmd = new PerMessageDeflate({ isServer: true, params: agreement.params });
 * const payload = pmd.compress(Buffer.from('Hello')); // f2 48 cd c9 c9 07 00
 * const text = pmd.decompress([payload], 1 << 20);     // Buffer "Hello" or an LwsError
 * ```
 */
export class PerMessageDeflate {
  readonly params: PerMessageDeflateParams;
  readonly threshold: number;
  readonly #zlib: ZlibOptions;
  readonly #ownTakeover: boolean;
  readonly #ownWindow: number;
  readonly #peerTakeover: boolean;
  readonly #peerWindow: number;
  #deflateWindow: Buffer = EMPTY;
  #inflateWindow: Buffer = EMPTY;

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
    const windowBits = Math.max(ownBits, 9); // see the header: 8 -> 9 is safe
    this.#zlib = { level, memLevel, windowBits, finishFlush: constants.Z_SYNC_FLUSH };
    this.#ownWindow = 1 << windowBits;
    this.#ownTakeover = !(isServer ? params.serverNoContextTakeover : params.clientNoContextTakeover);
    this.#peerWindow = 1 << peerBits;
    this.#peerTakeover = !(isServer ? params.clientNoContextTakeover : params.serverNoContextTakeover);
  }

  /** Whether a message of `length` bytes is worth compressing (at or above the threshold). */
  shouldCompress(length: number): boolean {
    return length >= this.threshold;
  }

  /**
   * Compresses one message, or one fragment of it when `final` is false (the
   * fragments' outputs concatenate into one DEFLATE stream). The returned
   * payload is a fresh Buffer the caller may mask in place.
   */
  compress(data: Uint8Array, final = true): Buffer {
    const window = this.#deflateWindow;
    const options = window.length > 0 ? { ...this.#zlib, dictionary: window } : this.#zlib;
    const out = deflateRawSync(data, options);
    this.#deflateWindow = final && !this.#ownTakeover ? EMPTY : slide(window, data, this.#ownWindow);
    return final && endsWithTail(out) ? out.subarray(0, out.length - 4) : out;
  }

  /**
   * Inflates one whole message from its compressed frame payloads. Output over
   * `maxSize` bytes stops inflation at once with LWS_ERR_WS_MESSAGE_TOO_BIG
   * (1009); corrupt data gives LWS_ERR_WS_INFLATE (1007). Never throws.
   */
  decompress(payload: readonly Uint8Array[], maxSize: number): Buffer | LwsError {
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
    if (this.#peerTakeover) this.#inflateWindow = slide(window, out, this.#peerWindow);
    return out;
  }
}

function inflateError(err: unknown, maxSize: number): LwsError {
  if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
    return new LwsError(
      'LWS_ERR_WS_MESSAGE_TOO_BIG',
      `Cannot inflate message: it exceeds the limit of ${maxSize} bytes`,
      { closeCode: CloseCode.MessageTooBig },
      { cause: err },
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
