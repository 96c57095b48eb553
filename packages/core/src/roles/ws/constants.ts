/*
 * Wire constants of the ws role: opcodes and header bits (RFC 6455 §5.2),
 * the handshake GUID (RFC 6455 §1.3), and the default limits.
 */

/** Frame opcodes (RFC 6455 §5.2); 0x3-0x7 and 0xB-0xF are reserved. */
export const Opcode = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

/**
 * Bits of the first two header bytes.
 *
 * ```
 *   0                   1
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
 *  +-+-+-+-+-------+-+-------------+
 *  |F|R|R|R| opcode|M| Payload len |
 *  |I|S|S|S|  (4)  |A|     (7)     |
 *  |N|V|V|V|       |S|             |
 *  | |1|2|3|       |K|             |
 *  +-+-+-+-+-------+-+-------------+
 * ```
 */
export const HeaderBits = {
  Fin: 0x80,
  Rsv1: 0x40,
  Rsv2: 0x20,
  Rsv3: 0x10,
  OpcodeMask: 0x0f,
  Mask: 0x80,
  LengthMask: 0x7f,
  /** 7-bit length value announcing a 16-bit extended length. */
  Length16: 126,
  /** 7-bit length value announcing a 64-bit extended length. */
  Length64: 127,
} as const;

/** The GUID appended to Sec-WebSocket-Key before hashing (RFC 6455 §1.3). */
export const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The only protocol version this role speaks (RFC 6455 §4.1). */
export const WS_VERSION = '13';

/** Fixed limits of the protocol and the defaults of the configurable ones. */
export const WsLimits = {
  /** Control frame payload limit (RFC 6455 §5.5). */
  maxControlPayload: 125,
  /** Close reason limit: 125 minus the 2-byte code (RFC 6455 §5.5.1). */
  maxCloseReason: 123,
  /** Default per-frame payload limit; larger frames fail with 1009. */
  defaultMaxFrameSize: 16 * 1024 * 1024,
  /** Default per-message limit (after inflating); larger messages fail with 1009. */
  defaultMaxMessageSize: 16 * 1024 * 1024,
  /** Largest header: 2 bytes + 8-byte length + 4-byte mask key. */
  maxHeaderSize: 14,
} as const;

/** permessage-deflate (RFC 7692) constants. */
export const DeflateLimits = {
  /** The sync-flush trailer stripped from / appended to each message (RFC 7692 §7.2.1). */
  tail: Uint8Array.of(0x00, 0x00, 0xff, 0xff),
  minWindowBits: 8,
  maxWindowBits: 15,
  /** Messages shorter than this are sent uncompressed by default. */
  defaultThreshold: 1024,
} as const;
