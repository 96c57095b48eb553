/*
 * The case model of the fuzzing client and its strict verdict: a case is
 * what to send (frames, whole or chopped, with optional syncs) and exactly
 * what the server must answer: echoed messages, pongs, then a close frame
 * with a given code, and TCP ended by the server within a bound.
 */
import { expect } from 'vitest';
import { openSession, type Event, type Session } from './client.js';
import { closePayload, encodeFrame, Op, toBytes, type FrameSpec } from './frame.js';
import type { PmdCodec } from './deflate.js';

/**
 * Something to send: frames in one TCP write, chopped into writes of `chop`
 * bytes, one write per frame (`each`), or only their first `upTo` bytes (the
 * rest is never sent: fail-fast cases).
 */
export type Step = { frames: FrameSpec[]; chop?: number; each?: boolean; upTo?: number } | { sync: number };

export interface Msg {
  opcode: number;
  data: Buffer;
}

/**
 * How the connection must end:
 * - `normal`: the runner closes with 1000 after the echoes; the server replies 1000.
 * - `reply`: the steps sent a close; the server answers with one of `codes` (null: empty close).
 * - `fail`: the server fails the connection with one of `codes`.
 */
export type CloseExpect = 'normal' | { reply: (number | null)[] } | { fail: number[] };

export interface WsCase {
  id: string;
  title: string;
  steps: Step[];
  messages?: Msg[];
  pongs?: (Buffer | string)[];
  close: CloseExpect;
  /** Bound for the whole case, default 5 s. */
  ms?: number;
}

/** What the server did, boiled down for the verdict. */
export interface Outcome {
  messages: Msg[];
  pongs: Buffer[];
  /** Its close frame: code null for an empty payload; undefined: none came. */
  close?: { code: number | null; reason: Buffer };
  framesAfterClose: number;
  /** Broken frames from the server (masked, RSV set, bad continuation). */
  serverErrors: string[];
  ended: boolean;
  /** ms from the server's close frame to its TCP end. */
  endDelay?: number;
}

export const msg = (opcode: number, data: Buffer | string): Msg => ({ opcode, data: toBytes(data) });
export const text = (p: Buffer | string, o: Partial<FrameSpec> = {}): FrameSpec => ({ opcode: Op.Text, payload: p, ...o });
export const binary = (p: Buffer | string, o: Partial<FrameSpec> = {}): FrameSpec => ({ opcode: Op.Binary, payload: p, ...o });
export const cont = (p: Buffer | string, o: Partial<FrameSpec> = {}): FrameSpec => ({ opcode: Op.Cont, payload: p, ...o });
export const ping = (p: Buffer | string = '', o: Partial<FrameSpec> = {}): FrameSpec => ({ opcode: Op.Ping, payload: p, ...o });
export const pong = (p: Buffer | string = '', o: Partial<FrameSpec> = {}): FrameSpec => ({ opcode: Op.Pong, payload: p, ...o });
export const close = (code?: number, reason: Buffer | string = '', o: Partial<FrameSpec> = {}): FrameSpec => ({
  opcode: Op.Close,
  payload: code === undefined ? Buffer.alloc(0) : closePayload(code, reason),
  ...o,
});

/** Reassembles the server's frames; inflates RSV1 messages with `codec`. */
export async function analyse(events: Event[], codec?: PmdCodec): Promise<Outcome> {
  const out: Outcome = { messages: [], pongs: [], framesAfterClose: 0, serverErrors: [], ended: false };
  let parts: Buffer[] | null = null;
  let first = { opcode: 0, rsv: 0 };
  let closeAt = 0;
  for (const e of events) {
    if (e.kind === 'end') {
      out.ended = true;
      if (out.close) out.endDelay = e.at - closeAt;
      break;
    }
    const f = e.frame;
    if (out.close) {
      out.framesAfterClose++;
      continue;
    }
    if (f.masked) out.serverErrors.push(`masked frame op ${f.opcode}`);
    if (f.rsv !== 0 && !(codec && f.rsv === 4 && (f.opcode === Op.Text || f.opcode === Op.Binary))) {
      out.serverErrors.push(`RSV ${f.rsv} on op ${f.opcode}`);
    }
    if (f.opcode === Op.Pong) out.pongs.push(f.payload);
    else if (f.opcode === Op.Ping) out.serverErrors.push('unexpected ping');
    else if (f.opcode === Op.Close) {
      out.close = { code: f.payload.length >= 2 ? f.payload.readUInt16BE(0) : null, reason: f.payload.subarray(2) };
      closeAt = e.at;
    } else if (f.opcode === Op.Text || f.opcode === Op.Binary) {
      if (parts) out.serverErrors.push('new message inside a fragmented one');
      parts = [f.payload];
      first = { opcode: f.opcode, rsv: f.rsv };
    } else if (f.opcode === Op.Cont && parts) parts.push(f.payload);
    else out.serverErrors.push(`unexpected op ${f.opcode}`);
    if (parts && f.fin && (f.opcode === Op.Text || f.opcode === Op.Binary || f.opcode === Op.Cont)) {
      const whole = Buffer.concat(parts);
      const data = first.rsv === 4 && codec ? await codec.decompress(whole) : whole;
      out.messages.push({ opcode: first.opcode, data });
      parts = null;
    }
  }
  return out;
}

function countKinds(events: Event[]): { data: number; pongs: number; closed: boolean } {
  let data = 0;
  let pongs = 0;
  let closed = false;
  for (const e of events) {
    if (e.kind === 'end') closed = true;
    else if (e.frame.opcode === Op.Pong) pongs++;
    else if (e.frame.opcode === Op.Close) closed = true;
    else if (e.frame.fin && e.frame.opcode !== Op.Ping) data++;
  }
  return { data, pongs, closed };
}

async function sendSteps(s: Session, steps: Step[]): Promise<void> {
  for (const step of steps) {
    if ('sync' in step) {
      await s.until((ev) => countKinds(ev).data + countKinds(ev).pongs >= step.sync || countKinds(ev).closed, 5000, `${step.sync} replies`);
      continue;
    }
    const frames = step.frames.map(encodeFrame);
    if (step.upTo !== undefined) await s.write(Buffer.concat(frames).subarray(0, step.upTo), step.chop);
    else if (step.each) for (const f of frames) await s.write(f, step.chop);
    else await s.write(Buffer.concat(frames), step.chop);
  }
}

/** Runs one case against `url` and returns what the server did. */
export async function runCase(url: string, c: WsCase, opts: { extensions?: string; codec?: PmdCodec } = {}): Promise<Outcome> {
  const s = await openSession(url, { protocol: 'lws-minimal-server-echo', extensions: opts.extensions });
  return playCase(s, c, opts.codec);
}

/** Plays one case on an open session (destroyed afterwards) and returns what the server did. */
export async function playCase(s: Session, c: WsCase, codec?: PmdCodec): Promise<Outcome> {
  const ms = c.ms ?? 5000;
  try {
    expect(s.status, 'handshake status').toBe(101);
    await sendSteps(s, c.steps);
    if (c.close === 'normal') {
      const want = { data: c.messages?.length ?? 0, pongs: c.pongs?.length ?? 0 };
      await s.until((ev) => {
        const k = countKinds(ev);
        return (k.data >= want.data && k.pongs >= want.pongs) || k.closed;
      }, ms, `${want.data} messages and ${want.pongs} pongs`);
      await s.write(encodeFrame(close(1000)));
    }
    const isClose = (e: Event): boolean => e.kind === 'frame' && e.frame.opcode === Op.Close;
    await s.until((ev) => ev.some(isClose) && s.ended(), ms, 'the server close frame and TCP end').catch((e: unknown) => {
      if (!s.ended() || !s.events.some(isClose)) throw e;
    });
    return await analyse(s.events, codec);
  } finally {
    s.destroy();
    codec?.close();
  }
}

/** The strict verdict: exactly the expected echoes and pongs, the close code, TCP ended soon after. */
export function verdict(c: WsCase, o: Outcome): void {
  expect(o.serverErrors, 'frames the server must not send').toEqual([]);
  const got = o.messages.map((m) => ({ opcode: m.opcode, len: m.data.length, data: m.data.toString('hex').slice(0, 64) }));
  const want = (c.messages ?? []).map((m) => ({ opcode: m.opcode, len: m.data.length, data: m.data.toString('hex').slice(0, 64) }));
  expect(got, 'echoed messages').toEqual(want);
  (c.messages ?? []).forEach((m, i) => expect(o.messages[i]!.data.equals(m.data), `message ${i} byte for byte`).toBe(true));
  expect(o.pongs.map((p) => p.toString('hex')), 'pongs').toEqual((c.pongs ?? []).map((p) => toBytes(p).toString('hex')));
  expect(o.close, 'a close frame from the server').toBeDefined();
  const codes = c.close === 'normal' ? [1000] : 'reply' in c.close ? c.close.reply : c.close.fail;
  expect(codes, `close code ${o.close?.code}`).toContain(o.close?.code ?? null);
  expect(o.framesAfterClose, 'frames after the close frame').toBe(0);
  expect(o.ended, 'TCP ended by the server').toBe(true);
  expect(o.endDelay ?? Infinity, 'ms from close frame to TCP end').toBeLessThan(2000);
}
