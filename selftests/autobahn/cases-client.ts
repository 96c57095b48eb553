/*
 * Client-side cases: the fuzzing server answers minimal-ws-client-echo's
 * messages in the ways sections 1-7 send them to a server (sizes,
 * fragments, pings between fragments, bad UTF-8, masked frames, RSV bits,
 * reserved opcodes, close codes). The example checks each echo byte for
 * byte and ends `Completed: OK` (exit 0) only if all came back; on a
 * protocol error it must close with the RFC's code and exit 1.
 */
import { closePayload, Op, type FrameSpec } from './frame.js';
import type { ClientMessage, FuzzConn, Script } from './server.js';

export interface ClientCase {
  id: string;
  title: string;
  /** --count for the example (message i is min(1 + 997 i, --max-size) bytes, text for even i). */
  count: number;
  script: () => Script;
  /** The example ends OK (exit 0) or failed (exit 1). */
  ok: boolean;
  /** The close codes the client may send (null: an empty close). */
  close: (number | null)[];
  /** Pong payloads the client must send, in order (hex). */
  pongs?: string[];
  /** Extra example options (e.g. --pmd). */
  args?: string[];
  /** The permessage-deflate response the script gives: it must be legal for the client's offer. */
  agree?: string;
  /** The server's handshake response is one the client must refuse: no ws frames, exit 1. */
  handshakeFails?: boolean;
}

const PE = 1002;
const op = (m: ClientMessage): number => m.opcode;

/** Echo each message as `frames(m)` gives, written whole or in `chop`-byte writes. */
function echoAs(frames: (m: ClientMessage) => FrameSpec[], chop?: number): () => Script {
  return () => ({ onMessage: (c, m) => void c.send(frames(m), chop) });
}

/** Answer the first message with `bad` instead of its echo. */
function answerFirst(bad: FrameSpec[]): () => Script {
  return () => ({
    onMessage: (c: FuzzConn, m: ClientMessage) => {
      if (m.index === 0) void c.send(bad);
    },
  });
}

/** A message cut into `n` fragments (the last maybe empty). */
function fragments(m: ClientMessage, n: number, between: (k: number) => FrameSpec[] = () => []): FrameSpec[] {
  const step = Math.ceil(m.data.length / n) || 1;
  const out: FrameSpec[] = [];
  for (let k = 0; k < n; k++) {
    const part = m.data.subarray(k * step, (k + 1) * step);
    out.push({ opcode: k === 0 ? op(m) : Op.Cont, payload: part, fin: k === n - 1 });
    if (k < n - 1) out.push(...between(k));
  }
  return out;
}

function valid(): ClientCase[] {
  const whole = (m: ClientMessage): FrameSpec[] => [{ opcode: op(m), payload: m.data }];
  return [
    { id: 'C.1.1', title: '6 messages echoed whole: Completed OK, close 1000', count: 6, script: echoAs(whole), ok: true, close: [1000] },
    { id: 'C.1.2', title: '70 messages up to 68794 bytes (16- and 64-bit lengths) echoed', count: 70, script: echoAs(whole), ok: true, close: [1000] },
    { id: 'C.1.3', title: 'echoes written one byte per TCP write', count: 4, script: echoAs(whole, 1), ok: true, close: [1000] },
    { id: 'C.5.1', title: 'echoes in 3 fragments', count: 8, script: echoAs((m) => fragments(m, 3)), ok: true, close: [1000] },
    { id: 'C.5.2', title: 'echoes in 1-byte fragments', count: 4, script: echoAs((m) => fragments(m, Math.max(1, Math.min(m.data.length, 400)))), ok: true, close: [1000] },
    {
      id: 'C.5.3',
      title: 'echoes in 3 fragments with a ping between each: each ping answered with its payload',
      count: 3,
      script: echoAs((m) => fragments(m, 3, (k) => [{ opcode: Op.Ping, payload: `ping ${m.index}.${k}` }])),
      ok: true,
      close: [1000],
      pongs: ['0.0', '0.1', '1.0', '1.1', '2.0', '2.1'].map((s) => Buffer.from(`ping ${s}`).toString('hex')),
    },
    {
      id: 'C.2.1',
      title: 'unsolicited pongs before each echo are ignored',
      count: 4,
      script: echoAs((m) => [{ opcode: Op.Pong, payload: 'unsolicited' }, ...whole(m)]),
      ok: true,
      close: [1000],
    },
    {
      id: 'C.2.2',
      title: 'a 125-byte ping before each echo is answered',
      count: 2,
      script: echoAs((m) => [{ opcode: Op.Ping, payload: Buffer.alloc(125, 0x30 + m.index) }, ...whole(m)]),
      ok: true,
      close: [1000],
      pongs: [Buffer.alloc(125, 0x30).toString('hex'), Buffer.alloc(125, 0x31).toString('hex')],
    },
  ];
}

function violations(): ClientCase[] {
  const hi = (o: Partial<FrameSpec>): FrameSpec[] => [{ opcode: Op.Text, payload: 'Hello', ...o }];
  const badUtf8 = Buffer.from('cebae1bdb9cf83cebcceb5eda080656469746564', 'hex');
  return [
    { id: 'C.6.1', title: 'text that is not UTF-8: client closes 1007', count: 2, script: answerFirst([{ opcode: Op.Text, payload: badUtf8 }]), ok: false, close: [1007] },
    {
      id: 'C.6.2',
      title: 'first fragment of a text holds U+110000, rest never sent: client fails fast with 1007',
      count: 2,
      script: answerFirst([{ opcode: Op.Text, payload: Buffer.from('cebaf4908080', 'hex'), fin: false }]),
      ok: false,
      close: [1007],
    },
    { id: 'C.3.1', title: 'masked frame from the server: client closes 1002', count: 2, script: answerFirst([{ opcode: Op.Text, payload: '0', mask: true }]), ok: false, close: [PE] },
    ...[1, 2, 4, 7].map((rsv, i): ClientCase => ({ id: `C.3.${i + 2}`, title: `text with RSV ${rsv}: client closes 1002`, count: 2, script: answerFirst(hi({ rsv })), ok: false, close: [PE] })),
    ...[3, 7, 0xb, 0xf].map((o, i): ClientCase => ({ id: `C.4.${i + 1}`, title: `reserved opcode ${o}: client closes 1002`, count: 2, script: answerFirst([{ opcode: o, payload: '' }]), ok: false, close: [PE] })),
    { id: 'C.2.3', title: 'ping with a 126-byte payload: client closes 1002', count: 2, script: answerFirst([{ opcode: Op.Ping, payload: Buffer.alloc(126) }]), ok: false, close: [PE] },
    { id: 'C.5.4', title: 'fragmented ping: client closes 1002', count: 2, script: answerFirst([{ opcode: Op.Ping, payload: 'a', fin: false }, { opcode: Op.Cont, payload: 'b' }]), ok: false, close: [PE] },
    { id: 'C.5.5', title: 'continuation with no message started: client closes 1002', count: 2, script: answerFirst([{ opcode: Op.Cont, payload: '0' }]), ok: false, close: [PE] },
    {
      id: 'C.5.6',
      title: 'a new text while a fragmented one is open: client closes 1002',
      count: 2,
      script: answerFirst([{ opcode: Op.Text, payload: '0', fin: false }, { opcode: Op.Text, payload: '0' }]),
      ok: false,
      close: [PE],
    },
  ];
}

function closes(): ClientCase[] {
  const closeWith = (payload: Buffer): (() => Script) => answerFirst([{ opcode: Op.Close, payload }]);
  return [
    { id: 'C.7.1', title: 'server closes with 1001 first: client echoes 1001 (messages unanswered: failed)', count: 2, script: closeWith(closePayload(1001, 'going away')), ok: false, close: [1001] },
    { id: 'C.7.2', title: 'server closes with 4999: client echoes 4999', count: 2, script: closeWith(closePayload(4999)), ok: false, close: [4999] },
    { id: 'C.7.3', title: 'server closes with an empty payload: client replies empty or 1000', count: 2, script: closeWith(Buffer.alloc(0)), ok: false, close: [null, 1000] },
    { id: 'C.7.4', title: 'server closes with invalid code 1005: client closes 1002', count: 2, script: closeWith(closePayload(1005)), ok: false, close: [PE] },
    { id: 'C.7.5', title: 'server closes with invalid code 2999: client closes 1002', count: 2, script: closeWith(closePayload(2999)), ok: false, close: [PE] },
    { id: 'C.7.6', title: 'close with a 1-byte payload: client closes 1002', count: 2, script: closeWith(Buffer.from([3])), ok: false, close: [PE] },
    {
      id: 'C.7.7',
      title: 'close reason that is not UTF-8: client closes 1007',
      count: 2,
      script: closeWith(closePayload(1000, Buffer.from('cebae1bd', 'hex'))), // κ then a cut 3-byte character
      ok: false,
      close: [1007],
    },
  ];
}

/** All client-side cases. */
export function clientCases(): ClientCase[] {
  return [...valid(), ...violations(), ...closes()];
}
