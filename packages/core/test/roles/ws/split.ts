/*
 * Test helpers for the ws role: hex fixtures and split feeding. Every chunk
 * is a fresh copy, because WsFrameParser unmasks in place.
 */
import type { LwsError } from '../../../src/errors.js';
import type { WsFrameEvent, WsFrameParser } from '../../../src/roles/ws/frame-parser.js';

/** Bytes from hex, spaces allowed: hex('81 05 48 65'). */
export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

/**
 * The ways to feed `buf`: whole, every 2-way split (or, past `maxTwoWay`
 * bytes, splits at the first 32 offsets, the last 32 and a stride), and one
 * byte at a time.
 */
export function splitEverywhere(buf: Uint8Array, maxTwoWay = 4096): Uint8Array[][] {
  const out: Uint8Array[][] = [[Buffer.from(buf)]];
  const points = new Set<number>();
  if (buf.length <= maxTwoWay) {
    for (let i = 1; i < buf.length; i++) points.add(i);
  } else {
    for (let i = 1; i <= 32; i++) points.add(i).add(buf.length - i);
    for (let i = 33; i < buf.length - 32; i += 997) points.add(i);
  }
  for (const i of points) out.push([Buffer.from(buf.subarray(0, i)), Buffer.from(buf.subarray(i))]);
  if (buf.length > 1) out.push(Array.from(buf, (b) => Buffer.of(b)));
  return out;
}

export interface Fed {
  events: WsFrameEvent[];
  error: LwsError | undefined;
}

/** Pushes `chunks` into `parser`, collecting every event. */
export function feed(parser: WsFrameParser, chunks: readonly Uint8Array[]): Fed {
  const events: WsFrameEvent[] = [];
  for (const chunk of chunks) events.push(...parser.push(chunk));
  const last = events.at(-1);
  return { events, error: last?.type === 'error' ? last.error : undefined };
}

/** Events with Buffers as hex, for deep equality across splits. */
export function plain(events: readonly WsFrameEvent[]): unknown[] {
  return events.map((e) => {
    if (e.type === 'error') return { type: 'error', code: e.error.code, message: e.error.message, wire: e.error.wire };
    if ('data' in e) return { ...e, data: e.data.toString('hex') };
    return e;
  });
}

/** Masks `payload` with `key` (a test's own reference XOR, independent of @lws/native). */
export function xor(payload: Uint8Array, key: Uint8Array): Buffer {
  return Buffer.from(payload.map((b, i) => b ^ key[i & 3]!));
}

/** Builds one frame by hand: first byte, payload, optional mask key. */
export function frame(b0: number, payload: Uint8Array, key?: Uint8Array): Buffer {
  const len = payload.length;
  const ext = len < 126 ? Buffer.alloc(0) : len < 65536 ? Buffer.alloc(2) : Buffer.alloc(8);
  if (ext.length === 2) ext.writeUInt16BE(len);
  if (ext.length === 8) ext.writeBigUInt64BE(BigInt(len));
  const b1 = (key ? 0x80 : 0) | (len < 126 ? len : len < 65536 ? 126 : 127);
  const body = key ? Buffer.concat([Buffer.from(key), xor(payload, key)]) : Buffer.from(payload);
  return Buffer.concat([Buffer.of(b0, b1), ext, body]);
}
