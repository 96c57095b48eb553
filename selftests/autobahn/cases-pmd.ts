/*
 * Sections 12 and 13 (permessage-deflate, RFC 7692) of the Autobahn
 * testsuite's published case descriptions, in our own words: the fuzzing
 * client offers permessage-deflate with a parameter variant, checks the
 * response is legal for the offer (§7.1), compresses with node:zlib itself,
 * and checks every echo inflates (with the server's agreed window and
 * context rules) to the bytes sent. Bad offers must be declined, not fatal.
 */
import { expect } from 'vitest';
import { openSession } from './client.js';
import { checkPmdResponse, parsePmdHeader, PmdCodec, sideParams } from './deflate.js';
import { Op, type FrameSpec } from './frame.js';
import { cont, msg, playCase, verdict, type Msg, type WsCase } from './runner.js';

/** One message to send: compressed or not, its wire payload cut into `frags` frames. */
export interface PmdMessage {
  op: number;
  data: Buffer;
  compress: boolean;
  frags?: number;
}

export interface PmdCase {
  id: string;
  title: string;
  offer: string;
  /** The offer element the server must accept (its response is checked against it); null: declined. */
  accepts: string | null;
  messages: PmdMessage[];
}

/** Deterministic pseudo-random bytes (xorshift32): incompressible, and the same on every run. */
function noise(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

const CONTENTS: [string, number, (n: number) => Buffer][] = [
  ['repetitive ASCII text', Op.Text, (n) => Buffer.alloc(n, 'Hello, world! ')],
  ['JSON-like text', Op.Text, (n) => Buffer.from(JSON.stringify(Array.from({ length: Math.ceil(n / 20) }, (_, i) => ({ id: i, v: i * 7 })))).subarray(0, n)],
  ['UTF-8 text', Op.Text, (n) => utf8Text(n)],
  ['random binary', Op.Binary, (n) => noise(n, n)],
  ['repetitive binary', Op.Binary, (n) => Buffer.from(Array.from({ length: n }, (_, i) => (i % 251) & 0xff))],
];

/** n bytes of valid UTF-8 with 1- to 4-byte characters, cut at a character boundary and padded with spaces. */
function utf8Text(n: number): Buffer {
  const unit = Buffer.from('κόσμε 😀 Grüße ');
  const b = Buffer.alloc(n, ' ');
  let off = 0;
  while (off + unit.length <= n) off += unit.copy(b, off);
  return b;
}

/** 12.x: the default offer, ten messages of one content and size each, all compressed. */
export function section12(): PmdCase[] {
  const sizes = [16, 64, 256, 1024, 4096, 8192, 16384, 32768, 65536, 131072];
  return CONTENTS.flatMap(([name, op, make], g) =>
    sizes.map((n, i): PmdCase => ({
      id: `12.${g + 1}.${i + 1}`,
      title: `10 compressed ${name} messages of ${n} bytes echoed`,
      offer: 'permessage-deflate',
      accepts: 'permessage-deflate',
      messages: Array.from({ length: 10 }, () => ({ op, data: make(n), compress: true })),
    })),
  );
}

/** A mixed load that exercises context takeover (repeats), fragments and an uncompressed message. */
function mixed(): PmdMessage[] {
  const text = Buffer.alloc(4096, 'The quick brown fox jumps over the lazy dog. ');
  return [
    { op: Op.Text, data: Buffer.from('hi'), compress: true },
    { op: Op.Text, data: text, compress: true },
    { op: Op.Text, data: text, compress: true }, // the same again: back-references into the last message
    { op: Op.Binary, data: noise(1000, 7), compress: true },
    { op: Op.Binary, data: Buffer.alloc(65536, 0xab), compress: true, frags: 3 },
    { op: Op.Text, data: utf8Text(20_000), compress: true, frags: 7 },
    { op: Op.Text, data: Buffer.from('not compressed'), compress: false },
    { op: Op.Binary, data: Buffer.alloc(0), compress: true },
    { op: Op.Text, data: text, compress: true },
  ];
}

/** 13.x: offer variants, each accepted (element 0) and used for a mixed load. */
export function section13(): PmdCase[] {
  const offers = [
    'permessage-deflate',
    'permessage-deflate; client_no_context_takeover',
    'permessage-deflate; server_no_context_takeover',
    'permessage-deflate; client_no_context_takeover; server_no_context_takeover',
    'permessage-deflate; client_max_window_bits',
    ...[9, 12, 15].map((b) => `permessage-deflate; client_max_window_bits=${b}`),
    ...[9, 10, 11, 12, 13, 14, 15].map((b) => `permessage-deflate; server_max_window_bits=${b}`),
    'permessage-deflate; client_max_window_bits; server_max_window_bits=10',
    'permessage-deflate; client_max_window_bits=9; server_max_window_bits=9',
    'permessage-deflate; client_max_window_bits=15; server_max_window_bits=15; client_no_context_takeover; server_no_context_takeover',
    'permessage-deflate; server_no_context_takeover; client_max_window_bits=11',
  ];
  const out: PmdCase[] = offers.map((offer, i) => ({ id: `13.${i + 1}`, title: `offer "${offer}": accepted legally, mixed load echoed`, offer, accepts: offer, messages: mixed() }));
  const second = 'permessage-deflate; client_no_context_takeover';
  out.push({ id: `13.${offers.length + 1}`, title: 'a bad offer then a good one: the good one is accepted', offer: `permessage-deflate; server_max_window_bits=7, ${second}`, accepts: second, messages: mixed() });
  return out;
}

/** 13.90.x: offers the server must decline, keeping the connection (uncompressed messages echoed). */
export function badOffers(): PmdCase[] {
  const offers = [
    'permessage-deflate; server_max_window_bits=7',
    'permessage-deflate; server_max_window_bits=16',
    'permessage-deflate; server_max_window_bits',
    'permessage-deflate; client_max_window_bits=07',
    'permessage-deflate; server_no_context_takeover; server_no_context_takeover',
    'permessage-deflate; client_no_context_takeover=1',
    'permessage-deflate; no_such_parameter',
  ];
  const plain: PmdMessage[] = [
    { op: Op.Text, data: Buffer.from('plain text'), compress: false },
    { op: Op.Binary, data: noise(300, 3), compress: false },
  ];
  return offers.map((offer, i) => ({ id: `13.90.${i + 1}`, title: `offer "${offer}" declined, the connection works uncompressed`, offer, accepts: null, messages: plain }));
}

function framesFor(wire: Buffer, m: PmdMessage): FrameSpec[] {
  const n = Math.max(1, m.frags ?? 1);
  const step = Math.ceil(wire.length / n) || 1;
  const frames: FrameSpec[] = [];
  for (let k = 0; k < n; k++) {
    const part = wire.subarray(k * step, (k + 1) * step);
    const fin = k === n - 1;
    frames.push(k === 0 ? { opcode: m.op, payload: part, fin, rsv: m.compress ? 4 : 0 } : cont(part, { fin }));
  }
  return frames;
}

/** Runs one permessage-deflate case against `url` with the strict verdict. */
export async function runPmdCase(url: string, c: PmdCase): Promise<void> {
  const s = await openSession(url, { protocol: 'lws-minimal-server-echo', extensions: c.offer });
  const response = s.headers.get('sec-websocket-extensions');
  if (c.accepts === null) {
    expect(response, 'no extension agreed for a bad offer').toBeUndefined();
  } else {
    expect(response, 'permessage-deflate agreed').toBeDefined();
    expect(checkPmdResponse(c.accepts, response ?? ''), `response "${response}" to "${c.accepts}"`).toBeNull();
  }
  const params = response ? parsePmdHeader(response)[0]!.params : null;
  const codec = params ? new PmdCodec(sideParams(params, 'client'), sideParams(params, 'server')) : undefined;
  const frames: FrameSpec[] = [];
  const expected: Msg[] = [];
  for (const m of c.messages) {
    const wire = m.compress && codec ? await codec.compress(m.data) : m.data;
    frames.push(...framesFor(wire, m));
    expected.push(msg(m.op, m.data));
  }
  const wsCase: WsCase = { id: c.id, title: c.title, steps: [{ frames }], messages: expected, close: 'normal', ms: 10_000 };
  verdict(wsCase, await playCase(s, wsCase, codec));
}
