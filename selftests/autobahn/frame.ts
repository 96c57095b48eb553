/*
 * A WebSocket frame encoder and incremental decoder written for the
 * conformance suite alone (RFC 6455 §5.2), independent of @lws/core so a
 * bug in the library cannot hide itself: the fuzzer must be free to build
 * frames the library would refuse to send (bad RSV bits, reserved opcodes,
 * 126-byte pings, masked server frames).
 */
import { randomBytes } from 'node:crypto';

/** The opcodes RFC 6455 §5.2 defines; the reserved ones are plain numbers in cases. */
export const Op = { Cont: 0x0, Text: 0x1, Binary: 0x2, Close: 0x8, Ping: 0x9, Pong: 0xa } as const;

/** One frame to build; anything may be set, legal or not. */
export interface FrameSpec {
  opcode: number;
  payload?: Uint8Array | string;
  /** Defaults to true. */
  fin?: boolean;
  /** The three RSV bits as a number 0-7 (RSV1 = 4, RSV2 = 2, RSV3 = 1), as Autobahn numbers them. */
  rsv?: number;
  /** Mask the payload (clients must, servers must not). */
  mask?: boolean;
}

/** A decoded frame. */
export interface Frame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Buffer;
}

/** A payload as a Buffer (strings as UTF-8) sharing memory with a Uint8Array. */
export function toBytes(p: Uint8Array | string | undefined): Buffer {
  if (p === undefined) return Buffer.alloc(0);
  return typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p.buffer, p.byteOffset, p.byteLength);
}

/** XOR `data` with `key` in place (RFC 6455 §5.3). */
export function applyMask(data: Buffer, key: Buffer): void {
  for (let i = 0; i < data.length; i++) data[i] = data[i]! ^ key[i & 3]!;
}

/** Serialises one frame, with the shortest length encoding. */
export function encodeFrame(spec: FrameSpec): Buffer {
  const body = Buffer.from(toBytes(spec.payload)); // copy: masking works in place
  const masked = spec.mask ?? true;
  const len = body.length;
  const ext = len < 126 ? 0 : len < 0x10000 ? 2 : 8;
  const head = Buffer.alloc(2 + ext + (masked ? 4 : 0));
  head[0] = ((spec.fin ?? true) ? 0x80 : 0) | (((spec.rsv ?? 0) & 7) << 4) | (spec.opcode & 0x0f);
  head[1] = (masked ? 0x80 : 0) | (ext === 0 ? len : ext === 2 ? 126 : 127);
  if (ext === 2) head.writeUInt16BE(len, 2);
  if (ext === 8) head.writeBigUInt64BE(BigInt(len), 2);
  if (masked) {
    const key = randomBytes(4);
    key.copy(head, 2 + ext);
    applyMask(body, key);
  }
  return Buffer.concat([head, body]);
}

/** Encodes a close payload: 2-byte code then reason bytes. */
export function closePayload(code: number, reason: Uint8Array | string = ''): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code, 0);
  return Buffer.concat([b, toBytes(reason)]);
}

/**
 * Incremental frame decoder: push() any byte split, frames come out whole.
 * It checks nothing beyond the header format: verdicts belong to the cases.
 */
export class FrameDecoder {
  #buf: Buffer = Buffer.alloc(0);
  #chunks: Buffer[] = [];
  #have = 0;
  #need = 0;

  push(chunk: Buffer): Frame[] {
    this.#chunks.push(chunk);
    this.#have += chunk.length;
    const out: Frame[] = [];
    for (;;) {
      const f = this.#next();
      if (!f) return out;
      out.push(f);
    }
  }

  #next(): Frame | null {
    if (this.#have < Math.max(2, this.#need)) return null;
    if (this.#chunks.length > 0) {
      this.#buf = this.#buf.length === 0 && this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat([this.#buf, ...this.#chunks]);
      this.#chunks = [];
    }
    const b = this.#buf;
    const len7 = b[1]! & 0x7f;
    const masked = (b[1]! & 0x80) !== 0;
    let off = 2;
    let len = len7;
    if (len7 === 126) {
      if (b.length < 4) return null;
      len = b.readUInt16BE(2);
      off = 4;
    } else if (len7 === 127) {
      if (b.length < 10) return null;
      len = Number(b.readBigUInt64BE(2));
      off = 10;
    }
    const keyAt = off;
    if (masked) off += 4;
    // wait for the whole frame before concatenating again: big frames arrive in many chunks
    this.#need = off + len;
    if (b.length < off + len) return null;
    const payload = Buffer.from(b.subarray(off, off + len));
    if (masked) applyMask(payload, b.subarray(keyAt, keyAt + 4));
    this.#buf = b.subarray(off + len);
    this.#have = this.#buf.length;
    this.#need = 0;
    return { fin: (b[0]! & 0x80) !== 0, rsv: (b[0]! >> 4) & 7, opcode: b[0]! & 0x0f, masked, payload };
  }
}

/** Splits `bytes` into pieces of `size` (the last may be shorter). */
export function chop(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  if (out.length === 0) out.push(bytes);
  return out;
}
