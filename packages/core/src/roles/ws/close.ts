/*
 * The ws closing handshake (RFC 6455 §5.5.1, §7): which close codes may
 * appear on the wire (§7.4 and the IANA registry), close payload
 * encoding/validation, and a small state machine saying what to send back
 * and who ends the transport.
 */
import { isValidUtf8 } from '@lws/native';
import { CloseCode, LwsError } from '../../errors.js';
import { WsLimits } from './constants.js';

/** A received close: `code` is 1005 (NoStatus) when the frame had no payload. */
export interface WsClose {
  code: number;
  reason: string;
}

/** A close frame to send: no `code` means an empty payload. */
export interface WsCloseFrame {
  code?: number;
  reason: string;
}

/**
 * Whether `code` may be carried by a close frame, sent or received: 1000-1003,
 * 1007-1014 (1012-1014 from the IANA registry) and 3000-4999. 0-999, 1004
 * (reserved), 1005/1006/1015 (reported locally, never sent) and the unassigned
 * 1016-2999 are not.
 */
export function isValidCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  if (code >= 3000 && code <= 4999) return true;
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014);
}

/**
 * Encodes `text` as UTF-8 of at most `maxBytes`, cut before the first code
 * point that would not fit whole.
 */
export function truncateUtf8(text: string, maxBytes: number): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return bytes;
  let cut = maxBytes;
  // bytes[cut] is the first byte left out; step back over a split code point.
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--;
  return bytes.subarray(0, cut);
}

/**
 * Builds a close payload: 2-byte code then the reason truncated at a UTF-8
 * boundary to 123 bytes. Throws RangeError for a code that may not be sent and
 * TypeError for a reason without a code (API misuse).
 */
export function encodeClosePayload(code?: number, reason = ''): Buffer {
  if (code === undefined) {
    if (reason !== '') throw new TypeError(`Cannot build close frame: reason "${reason}" needs a close code`);
    return Buffer.alloc(0);
  }
  if (!isValidCloseCode(code)) {
    throw new RangeError(`Cannot build close frame: close code ${code} may not be sent`);
  }
  const text = truncateUtf8(reason, WsLimits.maxCloseReason);
  const payload = Buffer.allocUnsafe(2 + text.length);
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 2);
  return payload;
}

/** Validates a received close payload (RFC 6455 §5.5.1, §7.4); never throws. */
export function parseClosePayload(payload: Uint8Array): WsClose | LwsError {
  if (payload.length === 0) return { code: CloseCode.NoStatus, reason: '' };
  if (payload.length === 1) {
    return new LwsError(
      'LWS_ERR_WS_CLOSE_PAYLOAD',
      'Cannot accept close frame: payload is 1 byte, expected 0 or at least 2',
      { closeCode: CloseCode.ProtocolError },
    );
  }
  const code = (payload[0]! << 8) | payload[1]!;
  if (!isValidCloseCode(code)) {
    return new LwsError('LWS_ERR_WS_CLOSE_CODE', `Cannot accept close frame: close code ${code} is not allowed`, {
      closeCode: CloseCode.ProtocolError,
    });
  }
  const reason = payload.subarray(2);
  if (!isValidUtf8(reason)) {
    return new LwsError('LWS_ERR_WS_INVALID_UTF8', 'Cannot accept close frame: reason is not valid UTF-8', {
      closeCode: CloseCode.InvalidPayload,
    });
  }
  return { code, reason: Buffer.from(reason.buffer, reason.byteOffset, reason.length).toString('utf8') };
}

/** The close code to send for a failure; a ws error without one is a protocol error. */
export function closeCodeFor(error: LwsError): number {
  return error.wire.closeCode ?? CloseCode.ProtocolError;
}

/** Where the closing handshake stands. */
export type WsCloseState = 'open' | 'closing-local' | 'closed';

/** What the app is told when the connection is gone. */
export interface WsCloseResult {
  code: number;
  reason: string;
  /** Both close frames were exchanged (RFC 6455 §7.1.4 "cleanly"). */
  clean: boolean;
}

/**
 * Closing-handshake bookkeeping for one connection.
 *
 * - `start()`: we close first; write the returned frame, then wait for the peer's.
 * - `receive()`: the peer's close; write the returned reply (its code echoed), if any.
 * - `fail()`: a parse error; write the returned frame and end the transport now.
 * - `shouldCloseTransport`: the server ends TCP once both closes are exchanged;
 *   a client waits for the server to do it (RFC 6455 §7.1.1) under the
 *   caller's timeout.
 */
export class WsCloseHandshake {
  readonly #isServer: boolean;
  #state: WsCloseState = 'open';
  #sent: WsCloseFrame | null = null;
  #received: WsClose | null = null;
  #failed = false;

  constructor(options: { isServer: boolean }) {
    this.#isServer = options.isServer;
  }

  get state(): WsCloseState {
    return this.#state;
  }

  /** The close frame we sent, if any. */
  get sent(): WsCloseFrame | null {
    return this.#sent;
  }

  /** The close the peer sent, if any. */
  get received(): WsClose | null {
    return this.#received;
  }

  /**
   * We close: returns the frame to write, or null when ours was already sent.
   * Throws RangeError for a code that may not be sent.
   */
  start(code?: number, reason = ''): WsCloseFrame | null {
    encodeClosePayload(code, reason); // validates
    if (this.#sent) return null;
    this.#sent = code === undefined ? { reason: '' } : { code, reason };
    this.#state = this.#received ? 'closed' : 'closing-local';
    return this.#sent;
  }

  /** The peer's close arrived: returns our reply (echoing its code), or null if ours was sent. */
  receive(close: WsClose): WsCloseFrame | null {
    if (this.#received) return null;
    this.#received = close;
    if (this.#sent) {
      this.#state = 'closed';
      return null;
    }
    const reply: WsCloseFrame = close.code === CloseCode.NoStatus ? { reason: '' } : { code: close.code, reason: '' };
    this.#sent = reply;
    this.#state = 'closed';
    return reply;
  }

  /** Fails the connection for `error`: returns the close to write (null if ours was sent). */
  fail(error: LwsError): WsCloseFrame | null {
    this.#failed = true;
    if (this.#sent) return null;
    this.#sent = { code: closeCodeFor(error), reason: error.message };
    this.#state = this.#received ? 'closed' : 'closing-local';
    return this.#sent;
  }

  /** Whether this side should end the transport as soon as its close is written. */
  get shouldCloseTransport(): boolean {
    if (this.#failed) return true;
    return this.#state === 'closed' && this.#isServer;
  }

  /** The outcome for the app once the transport has ended. */
  result(): WsCloseResult {
    const clean = this.#sent !== null && this.#received !== null && !this.#failed;
    if (this.#received) return { code: this.#received.code, reason: this.#received.reason, clean };
    return { code: CloseCode.Abnormal, reason: '', clean: false };
  }
}
