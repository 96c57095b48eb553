/*
 * Incremental WebSocket frame parser for both sides (RFC 6455 §5, §8.1),
 * with permessage-deflate (RFC 7692 §6) when a PerMessageDeflate is given.
 * Bytes in, events out: no sockets, no timers. Any split of the input gives
 * the same events (in 'fragments' mode, the same bytes with the same flags).
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-------+-+-------------+-------------------------------+
 * |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 * |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 * |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 * | |1|2|3|       |K|             |                               |
 * +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 * |     Extended payload length continued, if payload len == 127  |
 * + - - - - - - - - - - - - - - - +-------------------------------+
 * |                               |Masking-key, if MASK set to 1  |
 * +-------------------------------+-------------------------------+
 * | Masking-key (continued)       |          Payload Data         |
 * +-------------------------------- - - - - - - - - - - - - - - - +
 */
import { unmask, isValidUtf8, Utf8Validator } from '@lws/native';
import { CloseCode, LwsError, type LwsErrorCode } from '../../errors.js';
import { parseClosePayload } from './close.js';
import { HeaderBits, Opcode, WsLimits } from './constants.js';
import { InputQueue } from './input-queue.js';
import { FILL_MAX, MessageBuffer } from './message-buffer.js';
import type { PerMessageDeflate } from './permessage-deflate.js';

/**
 * 'whole': one event per message (bounded by maxMessageSize).
 * 'fragments': pieces as they arrive, flagged first/final (lws_is_first_fragment /
 * lws_is_final_fragment). A text piece always ends on a code point boundary:
 * up to 3 bytes of a split code point are held back and lead the next piece, so
 * each piece decodes on its own. Compressed messages are inflated when their
 * final frame arrives and come as one piece.
 */
export type WsDelivery = 'whole' | 'fragments';

export interface WsFrameParserOptions {
  /** Server: frames must be masked. Client: frames must not be masked. */
  isServer: boolean;
  /** Largest frame payload accepted, else 1009 (default 16 MiB). */
  maxFrameSize?: number;
  /** Largest message accepted, on the wire and inflated, else 1009 (default 16 MiB). */
  maxMessageSize?: number;
  /** Default 'whole'. */
  delivery?: WsDelivery;
  /** The negotiated permessage-deflate state; enables RSV1 on a message's first frame. */
  deflate?: PerMessageDeflate | null;
  /** Validate text messages as UTF-8 (default true). */
  validateUtf8?: boolean;
}

/** What the parser reports; 'error' is final, as is 'close'. */
export type WsFrameEvent =
  | { type: 'message'; binary: boolean; data: Buffer; first: boolean; final: boolean }
  | { type: 'ping'; data: Buffer }
  | { type: 'pong'; data: Buffer }
  | { type: 'close'; code: number; reason: string }
  | { type: 'error'; error: LwsError };

/** 'closed' after a close frame (later bytes are ignored), 'failed' after an error. */
export type WsFrameParserState = 'header' | 'length' | 'mask' | 'payload' | 'closed' | 'failed';

const EMPTY = Buffer.alloc(0);
/** No events: one frozen array shared by every idle parser and connection, never pushed to. */
export const NO_EVENTS = Object.freeze([]) as unknown as WsFrameEvent[];
/**
 * Payload pieces of at least this many bytes in a chunk pushed as 'own' are
 * kept as views of it, not copied. A kept view pins the whole read buffer
 * (64 KiB) while the application holds the message, so the bound keeps
 * that at most 4 times the payload's size (for messages an application
 * stores; smaller ones are copied into buffers of their own size).
 */
export const OWN_MIN_PAYLOAD = 16 * 1024;
/** One scratch key shared by every parser: filled right before each unmask call (JS is single-threaded). */
const KEY = Buffer.alloc(4);

function keyBytes(key: number): Buffer {
  KEY.writeUInt32BE(key, 0);
  return KEY;
}
const NAMES: Record<number, string> = { 0: 'continuation', 1: 'text', 2: 'binary', 8: 'close', 9: 'ping', 10: 'pong' };

function opcodeName(opcode: number): string {
  return NAMES[opcode] ?? `0x${opcode.toString(16)}`;
}

function checkSize(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`Cannot create WsFrameParser: ${name} must be a positive integer, received ${value}`);
  }
  return value;
}

/** Bytes at the end of validated UTF-8 that start a code point not yet complete (0-3). */
function partialTail(buf: Buffer): number {
  const n = buf.length;
  for (let i = 1; i <= Math.min(3, n); i++) {
    const b = buf[n - i]!;
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > i ? i : 0;
  }
  return 0;
}

/**
 * Parses ws frames from arbitrary byte splits into message/control events.
 * push() takes ownership of each chunk: masked payloads are unmasked in place
 * and events may reference the chunk's memory, so do not reuse it; unless
 * it is pushed as lent, when everything kept past the call is copied.
 *
 * @example
 * ```ts
 * const parser = new WsFrameParser({ isServer: true });
 * for (const ev of parser.push(chunk)) {
 *   if (ev.type === 'message') receive(ev.data, ev.binary);
 *   else if (ev.type === 'error') close(ev.error.wire.closeCode);
 * }
 * ```
 */
export class WsFrameParser {
  readonly #isServer: boolean;
  readonly #maxFrame: number;
  readonly #maxMessage: number;
  readonly #fragments: boolean;
  readonly #deflate: PerMessageDeflate | null;
  readonly #validate: boolean;
  readonly #input = new InputQueue();
  /** Made for the first text message: binary-only and idle connections never need one. */
  #utf8: Utf8Validator | null = null;
  /** The frame's masking key, big-endian (a number: no Buffer per connection). */
  #key = 0;
  #state: WsFrameParserState = 'header';
  #events: WsFrameEvent[] = NO_EVENTS;
  // the frame being read
  #fin = false;
  #rsv = 0;
  #opcode = 0;
  #masked = false;
  #len7 = 0;
  #length = 0;
  #remaining = 0;
  // the data message being read (#msgOpcode 0: none)
  #msgOpcode = 0;
  #compressed = false;
  #msgLength = 0;
  readonly #message = new MessageBuffer();
  #delivered = false;
  #tail: Buffer = EMPTY;
  /** The chunk being parsed is lent: copy what outlives push(). */
  #lent = false;
  /** Lent, but large payloads may be kept as views (the chunk's buffer is the connection's own). */
  #own = false;
  #keptView = false;
  #largeFrames = false;

  constructor(options: WsFrameParserOptions) {
    this.#isServer = options.isServer;
    this.#maxFrame = checkSize('maxFrameSize', options.maxFrameSize ?? WsLimits.defaultMaxFrameSize);
    this.#maxMessage = checkSize('maxMessageSize', options.maxMessageSize ?? WsLimits.defaultMaxMessageSize);
    this.#fragments = (options.delivery ?? 'whole') === 'fragments';
    this.#deflate = options.deflate ?? null;
    this.#validate = options.validateUtf8 ?? true;
  }

  get state(): WsFrameParserState {
    return this.#state;
  }

  /** The last push('own') kept views of its chunk: its buffer must not be reused. */
  get keptView(): boolean {
    return this.#keptView;
  }

  /**
   * The last lent push carried payload of frames of OWN_MIN_PAYLOAD bytes
   * or more: a connection whose reads do is better served by 'own' chunks.
   */
  get largeFrames(): boolean {
    return this.#largeFrames;
  }

  /**
   * Feeds bytes; returns the events they complete. After 'close' or 'error'
   * returns []. `lent`: the chunk's memory is reused after this call (it is
   * still unmasked in place); events and unparsed bytes get copies. 'own':
   * lent, except that payloads of OWN_MIN_PAYLOAD bytes and more may be
   * kept as views (the chunk's buffer is left to them when `keptView`).
   */
  push(chunk: Uint8Array, lent: boolean | 'own' = false): WsFrameEvent[] {
    this.#keptView = false;
    this.#largeFrames = false;
    if (this.#state === 'closed' || this.#state === 'failed') return [];
    this.#input.push(chunk);
    const events: WsFrameEvent[] = [];
    this.#events = events;
    this.#lent = lent !== false;
    this.#own = lent === 'own';
    while (this.#step());
    if (lent !== false) {
      this.#lent = false;
      this.#own = false;
      const state = this.#state as WsFrameParserState; // #step() moved it
      if (state === 'closed' || state === 'failed') this.#input.clear();
      else this.#input.own();
    }
    this.#events = NO_EVENTS;
    return events;
  }

  #step(): boolean {
    switch (this.#state) {
      case 'header':
        return this.#readHeader();
      case 'length':
        return this.#readLength();
      case 'mask':
        return this.#readMask();
      case 'payload':
        return this.#opcode >= Opcode.Close ? this.#readControl() : this.#readData();
      default:
        return false;
    }
  }

  #readHeader(): boolean {
    if (this.#input.length < 2) return false;
    const b0 = this.#input.byte();
    const b1 = this.#input.byte();
    this.#fin = (b0 & HeaderBits.Fin) !== 0;
    this.#rsv = b0 & (HeaderBits.Rsv1 | HeaderBits.Rsv2 | HeaderBits.Rsv3);
    this.#opcode = b0 & HeaderBits.OpcodeMask;
    this.#masked = (b1 & HeaderBits.Mask) !== 0;
    this.#len7 = b1 & HeaderBits.LengthMask;
    const problem = this.#checkOpcode() ?? this.#checkRsv() ?? this.#checkMask();
    if (problem) return this.#failWith(problem);
    if (this.#len7 < HeaderBits.Length16) return this.#setLength(this.#len7, String(this.#len7));
    this.#state = 'length';
    return true;
  }

  #checkOpcode(): LwsError | null {
    const op = this.#opcode;
    const name = opcodeName(op);
    if (!(op in NAMES)) return err('LWS_ERR_WS_OPCODE', `Cannot accept frame: opcode ${name} is reserved`);
    if (op >= Opcode.Close) {
      if (this.#fin) return null;
      return err('LWS_ERR_WS_CONTROL_FRAGMENTED', `Cannot accept ${name} frame: control frames must not be fragmented`);
    }
    if (op === Opcode.Continuation && this.#msgOpcode === 0) {
      return err('LWS_ERR_WS_UNEXPECTED_CONTINUATION', 'Cannot accept continuation frame: no message is in progress');
    }
    if (op !== Opcode.Continuation && this.#msgOpcode !== 0) {
      return err(
        'LWS_ERR_WS_EXPECTED_CONTINUATION',
        `Cannot accept ${name} frame: a fragmented message is in progress, expected a continuation frame`,
      );
    }
    return null;
  }

  #checkRsv(): LwsError | null {
    if (this.#rsv === 0) return null;
    const firstFrame = this.#opcode === Opcode.Text || this.#opcode === Opcode.Binary;
    if (this.#rsv === HeaderBits.Rsv1 && this.#deflate) {
      if (firstFrame) return null;
      const kind = this.#opcode === Opcode.Continuation ? 'a continuation' : 'a control';
      return err('LWS_ERR_WS_RSV_BITS', `Cannot accept frame: RSV1 is set on ${kind} frame, allowed only on a message's first frame`);
    }
    const bits = `0x${this.#rsv.toString(16)}`;
    return err('LWS_ERR_WS_RSV_BITS', `Cannot accept frame: RSV bits ${bits} set without a negotiated extension`);
  }

  #checkMask(): LwsError | null {
    if (this.#isServer && !this.#masked) {
      return err('LWS_ERR_WS_MASK_REQUIRED', 'Cannot accept frame: a client frame must be masked');
    }
    if (!this.#isServer && this.#masked) {
      return err('LWS_ERR_WS_MASK_UNEXPECTED', 'Cannot accept frame: a server frame must not be masked');
    }
    return null;
  }

  #readLength(): boolean {
    if (this.#len7 === HeaderBits.Length16) {
      if (this.#input.length < 2) return false;
      const length = this.#input.take(2).readUInt16BE(0);
      return this.#setLength(length, String(length));
    }
    if (this.#input.length < 8) return false;
    const b = this.#input.take(8);
    const hi = b.readUInt32BE(0);
    if (hi >= 0x80000000) {
      return this.#fail('LWS_ERR_WS_LENGTH_INVALID', 'Cannot accept frame: 64-bit payload length has its most significant bit set');
    }
    // Past 2^53 the number is approximate, but it only has to exceed the limits.
    return this.#setLength(hi * 2 ** 32 + b.readUInt32BE(4), b.readBigUInt64BE(0).toString());
  }

  #setLength(length: number, shown: string): boolean {
    if (this.#opcode >= Opcode.Close) {
      if (length > WsLimits.maxControlPayload) {
        const limit = WsLimits.maxControlPayload;
        const msg = `Cannot accept ${opcodeName(this.#opcode)} frame: payload is ${shown} bytes, limit is ${limit}`;
        return this.#fail('LWS_ERR_WS_CONTROL_TOO_LONG', msg);
      }
    } else if (!this.#startData(length, shown)) {
      return false;
    }
    this.#length = length;
    this.#remaining = length;
    this.#state = this.#masked ? 'mask' : 'payload';
    return true;
  }

  #startData(length: number, shown: string): boolean {
    if (length > this.#maxFrame) {
      const msg = `Cannot accept frame: payload is ${shown} bytes, limit is ${this.#maxFrame}`;
      return this.#fail('LWS_ERR_WS_FRAME_TOO_BIG', msg, CloseCode.MessageTooBig);
    }
    const total = (this.#opcode === Opcode.Continuation ? this.#msgLength : 0) + length;
    if (total > this.#maxMessage) {
      const msg = `Cannot accept message: it reaches ${total} bytes, limit is ${this.#maxMessage}`;
      return this.#fail('LWS_ERR_WS_MESSAGE_TOO_BIG', msg, CloseCode.MessageTooBig);
    }
    if (this.#opcode !== Opcode.Continuation) {
      this.#msgOpcode = this.#opcode;
      this.#compressed = this.#rsv !== 0;
      this.#delivered = false;
      this.#utf8?.reset();
    }
    this.#msgLength = total;
    return true;
  }

  #readMask(): boolean {
    if (this.#input.length < 4) return false;
    this.#key = this.#input.take(4).readUInt32BE(0);
    this.#state = 'payload';
    return true;
  }

  #readControl(): boolean {
    if (this.#input.length < this.#length) return false;
    let payload = this.#length === 0 ? EMPTY : this.#input.take(this.#length);
    if (this.#masked) unmask(payload, keyBytes(this.#key), 0);
    if (this.#lent && payload.length > 0) payload = Buffer.from(payload);
    this.#state = 'header';
    if (this.#opcode === Opcode.Ping) this.#events.push({ type: 'ping', data: payload });
    else if (this.#opcode === Opcode.Pong) this.#events.push({ type: 'pong', data: payload });
    else return this.#onClose(payload);
    return true;
  }

  #onClose(payload: Buffer): boolean {
    const close = parseClosePayload(payload);
    if (close instanceof LwsError) return this.#failWith(close);
    this.#events.push({ type: 'close', code: close.code, reason: close.reason });
    this.#state = 'closed';
    this.#release();
    return false;
  }

  #readData(): boolean {
    if (this.#remaining === 0) return this.#endFrame(EMPTY);
    if (this.#input.length === 0) return false;
    const piece = this.#input.takeUpTo(this.#remaining);
    if (this.#masked) unmask(piece, keyBytes(this.#key), this.#length - this.#remaining);
    this.#remaining -= piece.length;
    if (this.#remaining > 0) return this.#onData(piece, false);
    return this.#endFrame(piece);
  }

  #endFrame(piece: Buffer): boolean {
    if (!this.#onData(piece, this.#fin)) return false;
    this.#state = 'header';
    return this.#fin ? this.#endMessage() : true;
  }

  /** Validates (fail-fast) and collects or delivers one payload piece; `last` ends the message. */
  #onData(piece: Buffer, last: boolean): boolean {
    if (this.#compressed) {
      this.#message.push(piece, 0, this.#mustCopy(piece));
      return true;
    }
    if (this.#msgOpcode === Opcode.Text && this.#validate) {
      const utf8 = (this.#utf8 ??= new Utf8Validator());
      if (piece.length > 0 && !utf8.update(piece)) return this.#failUtf8();
      if (last && !utf8.end()) return this.#failUtf8();
    }
    if (this.#fragments) this.#deliverPiece(piece, last);
    else if (this.#message.push(piece, this.#remaining, !this.#mayKeep(piece)) && this.#lent) this.#keptView = true;
    return true;
  }

  /**
   * Whether a payload piece of a whole-delivered message may be kept as a
   * view past push() (MessageBuffer then decides whether it does): always
   * for owned chunks; for a lent chunk only when it is 'own' and the frame
   * is large, and the piece is large itself, or starts a message whose
   * frame fits one buffer and is still arriving (MessageBuffer keeps it
   * open for the rest to extend in memory), or continues such a piece.
   * Notes whether the frame is large (see largeFrames).
   */
  #mayKeep(piece: Buffer): boolean {
    if (!this.#lent) return true;
    if (!this.#largeOwn()) return false;
    return (
      piece.length >= OWN_MIN_PAYLOAD ||
      (this.#remaining > 0 && this.#length <= FILL_MAX && this.#message.empty) ||
      this.#message.continues(piece)
    );
  }

  /** A lent chunk: notes whether the frame is large (see largeFrames); true when it also is the connection's own. */
  #largeOwn(): boolean {
    if (this.#length < OWN_MIN_PAYLOAD) return false;
    this.#largeFrames = true;
    return this.#own;
  }


  /**
   * Whether a payload piece of a lent chunk must be copied to outlive
   * push(): yes, unless it is large and the chunk is 'own' (then it is kept
   * as a view). Notes whether the frame is large (see largeFrames).
   */
  #mustCopy(piece: Buffer): boolean {
    if (!this.#lent) return false;
    if (!this.#largeOwn() || piece.length < OWN_MIN_PAYLOAD) return true;
    this.#keptView = true;
    return false;
  }

  #deliverPiece(piece: Buffer, last: boolean): void {
    let data = this.#tail.length > 0 ? Buffer.concat([this.#tail, piece]) : this.#mustCopy(piece) ? Buffer.from(piece) : piece;
    this.#tail = EMPTY;
    if (this.#msgOpcode === Opcode.Text && !last) {
      const cut = data.length - partialTail(data);
      if (cut < data.length) this.#tail = Buffer.from(data.subarray(cut));
      data = data.subarray(0, cut);
    }
    if (data.length === 0 && !last) return;
    const binary = this.#msgOpcode === Opcode.Binary;
    this.#events.push({ type: 'message', binary, data, first: !this.#delivered, final: last });
    this.#delivered = true;
  }

  #endMessage(): boolean {
    const binary = this.#msgOpcode === Opcode.Binary;
    this.#msgOpcode = 0;
    this.#msgLength = 0;
    if (this.#compressed) return this.#endCompressed(this.#message.takePieces(), binary);
    if (!this.#fragments) this.#events.push({ type: 'message', binary, data: this.#message.take(), first: true, final: true });
    return true;
  }

  #endCompressed(pieces: Buffer[], binary: boolean): boolean {
    const data = this.#deflate!.decompress(pieces, this.#maxMessage);
    if (data instanceof LwsError) return this.#failWith(data);
    if (!binary && this.#validate && !isValidUtf8(data)) return this.#failUtf8();
    this.#events.push({ type: 'message', binary, data, first: true, final: true });
    return true;
  }

  #failUtf8(): false {
    const msg = 'Cannot accept text message: payload is not valid UTF-8';
    return this.#fail('LWS_ERR_WS_INVALID_UTF8', msg, CloseCode.InvalidPayload);
  }

  #fail(code: LwsErrorCode, message: string, closeCode: CloseCode = CloseCode.ProtocolError): false {
    return this.#failWith(new LwsError(code, message, { closeCode }));
  }

  #failWith(error: LwsError): false {
    this.#events.push({ type: 'error', error });
    this.#state = 'failed';
    this.#release();
    return false;
  }

  #release(): void {
    this.#input.clear();
    this.#message.clear();
    this.#tail = EMPTY;
  }
}

function err(code: LwsErrorCode, message: string): LwsError {
  return new LwsError(code, message, { closeCode: CloseCode.ProtocolError });
}
