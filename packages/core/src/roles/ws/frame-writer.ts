/*
 * WebSocket frame writer for both sides (RFC 6455 §5.2-§5.7), with
 * permessage-deflate (RFC 7692 §7.2.1). A client masks every frame with a
 * fresh random key (§5.3); a server never masks. Lengths use the shortest
 * encoding (7, 16 or 64 bits).
 *
 * Output is a Buffer[] for a vectored write: one Buffer (header + payload)
 * when the payload is small or had to be copied for masking, else [header,
 * payload] where the payload is the caller's own bytes (server) or the
 * compressor's output. No other copies are made.
 */
import { randomFillSync } from 'node:crypto';
import { mask, unmask } from '@lws/native';
import { encodeClosePayload } from './close.js';
import { HeaderBits, Opcode, WsLimits } from './constants.js';
import type { PerMessageDeflate } from './permessage-deflate.js';

export interface WsFrameWriterOptions {
  /** Server: never mask. Client: mask every frame. */
  isServer: boolean;
  /** The negotiated permessage-deflate state, if any. */
  deflate?: PerMessageDeflate | null;
  /** Supplies each 4-byte mask key (default: crypto-random, pooled). For tests. */
  maskKey?: () => Uint8Array;
}

export interface WsSendOptions {
  /** Binary (default) or text (false). A string is always sent as text. */
  binary?: boolean;
  /** Compress when deflate was negotiated and the message reaches the threshold (default true). */
  compress?: boolean;
}

export interface WsFragmentOptions extends WsSendOptions {
  /** Starts a message (lws LWS_WRITE_TEXT/BINARY vs LWS_WRITE_CONTINUATION). */
  first: boolean;
  /** Ends the message (no LWS_WRITE_NO_FIN). */
  final: boolean;
}

// Below this, copying the payload next to its header is cheaper than handing
// the transport a second buffer to write.
const MERGE_LIMIT = 1024;
const KEY_POOL_SIZE = 4096;
let keyPool = Buffer.alloc(0);
let keyOffset = 0;

/** A random 4-byte mask key, cut from a pool refilled by crypto.randomFillSync. */
export function randomMaskKey(): Uint8Array {
  if (keyOffset + 4 > keyPool.length) {
    keyPool = randomFillSync(Buffer.allocUnsafe(KEY_POOL_SIZE));
    keyOffset = 0;
  }
  const key = keyPool.subarray(keyOffset, keyOffset + 4);
  keyOffset += 4;
  return key;
}

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Builds ws frames for one connection; tracks the fragmented message in progress.
 *
 * @example
 * ```ts
 * const writer = new WsFrameWriter({ isServer: true });
 * socket.cork();
 * for (const buf of writer.message('Hello')) socket.write(buf); // 81 05 48 65 6c 6c 6f
 * socket.uncork();
 * ```
 */
export class WsFrameWriter {
  readonly #isServer: boolean;
  readonly #deflate: PerMessageDeflate | null;
  readonly #maskKey: () => Uint8Array;
  #inProgress = false;
  #compressing = false;

  constructor(options: WsFrameWriterOptions) {
    this.#isServer = options.isServer;
    this.#deflate = options.deflate ?? null;
    this.#maskKey = options.maskKey ?? randomMaskKey;
  }

  /** Whether a fragmented message was started and not finished. */
  get inProgress(): boolean {
    return this.#inProgress;
  }

  /** One whole message in one frame. The returned buffers may reference `data`: keep it unchanged until written. */
  message(data: Uint8Array | string, options: WsSendOptions = {}): Buffer[] {
    return this.fragment(data, { ...options, first: true, final: true });
  }

  /**
   * One fragment of a message. Throws Error when `first` does not match the
   * writer's state (a message is / is not in progress). Compression is decided
   * on the first fragment and kept for the rest of the message.
   */
  fragment(data: Uint8Array | string, options: WsFragmentOptions): Buffer[] {
    const bytes = toBytes(data);
    if (options.first === this.#inProgress) {
      const why = options.first ? 'a fragmented message is in progress' : 'no fragmented message is in progress';
      throw new Error(`Cannot send ${options.first ? 'first' : 'continuation'} fragment: ${why}`);
    }
    let opcode: number = Opcode.Continuation;
    if (options.first) {
      const text = typeof data === 'string' || options.binary === false;
      opcode = text ? Opcode.Text : Opcode.Binary;
      const deflate = this.#deflate;
      this.#compressing = deflate !== null && options.compress !== false && deflate.shouldCompress(bytes.length);
    }
    this.#inProgress = !options.final;
    if (!this.#compressing) return this.#frame(opcode, bytes, options.final, false, false);
    const payload = this.#deflate!.compress(bytes, options.final);
    return this.#frame(opcode, payload, options.final, options.first, true);
  }

  /** A ping; payload at most 125 bytes (RangeError otherwise). */
  ping(data: Uint8Array | string = ''): Buffer[] {
    return this.#control(Opcode.Ping, toBytes(data));
  }

  /** A pong; payload at most 125 bytes (RangeError otherwise). */
  pong(data: Uint8Array | string = ''): Buffer[] {
    return this.#control(Opcode.Pong, toBytes(data));
  }

  /**
   * A close frame; the reason is truncated at a UTF-8 boundary to 123 bytes.
   * No code: empty payload. RangeError for a code that may not be sent.
   */
  close(code?: number, reason = ''): Buffer[] {
    return this.#frame(Opcode.Close, encodeClosePayload(code, reason), true, false, true);
  }

  #control(opcode: number, payload: Uint8Array): Buffer[] {
    if (payload.length > WsLimits.maxControlPayload) {
      const name = opcode === Opcode.Ping ? 'ping' : 'pong';
      throw new RangeError(`Cannot send ${name}: payload is ${payload.length} bytes, limit is ${WsLimits.maxControlPayload}`);
    }
    return this.#frame(opcode, payload, true, false, false);
  }

  /** `owned`: the payload is ours (compressor output, close payload) and may be masked in place. */
  #frame(opcode: number, payload: Uint8Array, fin: boolean, rsv1: boolean, owned: boolean): Buffer[] {
    const len = payload.length;
    const masked = !this.#isServer;
    const ext = len < HeaderBits.Length16 ? 0 : len < 0x10000 ? 2 : 8;
    const headLen = 2 + ext + (masked ? 4 : 0);
    const merge = len <= MERGE_LIMIT || (masked && !owned);
    const out = Buffer.allocUnsafe(merge ? headLen + len : headLen);
    out[0] = (fin ? HeaderBits.Fin : 0) | (rsv1 ? HeaderBits.Rsv1 : 0) | opcode;
    const maskBit = masked ? HeaderBits.Mask : 0;
    if (ext === 0) {
      out[1] = maskBit | len;
    } else if (ext === 2) {
      out[1] = maskBit | HeaderBits.Length16;
      out.writeUInt16BE(len, 2);
    } else {
      out[1] = maskBit | HeaderBits.Length64;
      out.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
      out.writeUInt32BE(len >>> 0, 6);
    }
    if (masked) {
      const key = this.#maskKey();
      out.set(key, headLen - 4);
      if (merge) mask(payload, key, out, headLen, len);
      else unmask(payload, key);
    } else if (merge) {
      out.set(payload, headLen);
    }
    return merge ? [out] : [out, asBuffer(payload)];
  }
}
