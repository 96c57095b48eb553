/*
 * Sections 1-4 of the Autobahn testsuite's published case descriptions, in
 * our own words: framing sizes (1), pings and pongs (2), reserved bits (3)
 * and reserved opcodes (4). RFC 6455 §5.2, §5.5.2, §5.5.3.
 */
import { binary, close, msg, ping, pong, text, type WsCase } from './runner.js';
import { Op } from './frame.js';

const SIZES = [0, 125, 126, 127, 128, 65535, 65536];
const PE = 1002; // protocol error

function fill(n: number, seed: string | number): Buffer {
  return Buffer.alloc(n, seed);
}

/** 1.1.x text and 1.2.x binary messages of the boundary sizes, then 65536 bytes in 997-byte writes. */
function section1(): WsCase[] {
  const out: WsCase[] = [];
  for (const [group, kind] of [[1, 'text'], [2, 'binary']] as const) {
    const op = kind === 'text' ? Op.Text : Op.Binary;
    const make = kind === 'text' ? text : binary;
    const data = (n: number): Buffer => (kind === 'text' ? fill(n, '*') : fill(n, 0xfe));
    SIZES.forEach((n, i) => {
      out.push({ id: `1.${group}.${i + 1}`, title: `${kind} message of ${n} bytes`, steps: [{ frames: [make(data(n))] }], messages: [msg(op, data(n))], close: 'normal' });
    });
    out.push({
      id: `1.${group}.8`,
      title: `${kind} message of 65536 bytes sent in 997-byte TCP writes`,
      steps: [{ frames: [make(data(65536))], chop: 997 }],
      messages: [msg(op, data(65536))],
      close: 'normal',
    });
  }
  return out;
}

/** 2.x: pings answered with their payload, oversized ping fails, pongs ignored. */
function section2(): WsCase[] {
  const bin = Buffer.from([0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff]);
  const p125 = fill(125, 'P');
  const tenPings = Array.from({ length: 10 }, (_, i) => Buffer.from(`payload-${i}`));
  return [
    { id: '2.1', title: 'ping without payload gets an empty pong', steps: [{ frames: [ping()] }], pongs: [''], close: 'normal' },
    { id: '2.2', title: 'ping with a small text payload gets it back in the pong', steps: [{ frames: [ping('Hello, world!')] }], pongs: ['Hello, world!'], close: 'normal' },
    { id: '2.3', title: 'ping with a small binary payload gets it back in the pong', steps: [{ frames: [ping(bin)] }], pongs: [bin], close: 'normal' },
    { id: '2.4', title: 'ping with a 125-byte payload gets it back in the pong', steps: [{ frames: [ping(p125)] }], pongs: [p125], close: 'normal' },
    { id: '2.5', title: 'ping with a 126-byte payload fails the connection with 1002', steps: [{ frames: [ping(fill(126, 'P'))] }], close: { fail: [PE] } },
    { id: '2.6', title: 'ping with a 125-byte payload sent one byte per TCP write is answered', steps: [{ frames: [ping(p125)], chop: 1 }], pongs: [p125], close: 'normal' },
    { id: '2.7', title: 'unsolicited pong without payload is ignored', steps: [{ frames: [pong()] }], close: 'normal' },
    { id: '2.8', title: 'unsolicited pong with payload is ignored', steps: [{ frames: [pong('unsolicited pong payload')] }], close: 'normal' },
    {
      id: '2.9',
      title: 'unsolicited pong then a ping: only the ping is answered',
      steps: [{ frames: [pong('unsolicited pong payload'), ping('ping payload')] }],
      pongs: ['ping payload'],
      close: 'normal',
    },
    { id: '2.10', title: '10 pings in one write are each answered in order', steps: [{ frames: tenPings.map((p) => ping(p)) }], pongs: tenPings, close: 'normal' },
    {
      id: '2.11',
      title: '10 pings in separate writes, each chopped to 1 byte, are each answered in order',
      steps: [{ frames: tenPings.map((p) => ping(p)), each: true, chop: 1 }],
      pongs: tenPings,
      close: 'normal',
    },
  ];
}

/** 3.x: any RSV bit without an extension that defines it fails the connection. */
function section3(): WsCase[] {
  const hi = 'Hello, world!';
  const bin = fill(8, 0xff);
  return [
    { id: '3.1', title: 'text with RSV1 set fails with 1002', steps: [{ frames: [text(hi, { rsv: 4 })] }], close: { fail: [PE] } },
    {
      id: '3.2',
      title: 'valid text, then text with RSV2 and a ping: echo, then 1002 and no pong',
      steps: [{ frames: [text(hi), text(hi, { rsv: 2 }), ping()] }],
      messages: [msg(Op.Text, hi)],
      close: { fail: [PE] },
    },
    {
      id: '3.3',
      title: 'valid text, wait for its echo, then text with RSV1+RSV2 and a ping: 1002, no pong',
      steps: [{ frames: [text(hi)] }, { sync: 1 }, { frames: [text(hi, { rsv: 6 }), ping()] }],
      messages: [msg(Op.Text, hi)],
      close: { fail: [PE] },
    },
    {
      id: '3.4',
      title: 'valid text, then text with RSV3 and a ping, all one byte per write: echo, then 1002',
      steps: [{ frames: [text(hi), text(hi, { rsv: 1 }), ping()], chop: 1 }],
      messages: [msg(Op.Text, hi)],
      close: { fail: [PE] },
    },
    { id: '3.5', title: 'binary with RSV1+RSV3 fails with 1002', steps: [{ frames: [binary(bin, { rsv: 5 })] }], close: { fail: [PE] } },
    { id: '3.6', title: 'ping with RSV2+RSV3 fails with 1002 and gets no pong', steps: [{ frames: [ping(bin, { rsv: 3 })] }], close: { fail: [PE] } },
    { id: '3.7', title: 'close with all RSV bits fails with 1002', steps: [{ frames: [close(1000, '', { rsv: 7 })] }], close: { fail: [PE] } },
  ];
}

/** 4.1.x (non-control 3-7) and 4.2.x (control 0xB-0xF): reserved opcodes fail the connection. */
function section4(): WsCase[] {
  const out: WsCase[] = [];
  const hi = 'Hello, world!';
  for (const [group, ops] of [[1, [3, 4, 5, 6, 7]], [2, [0xb, 0xc, 0xd, 0xe, 0xf]]] as const) {
    ops.forEach((op, i) => {
      const kind = group === 1 ? 'non-control' : 'control';
      const reserved = { opcode: op, payload: i % 2 === 1 ? 'reserved opcode payload' : '' };
      if (i < 2) {
        const with_ = i === 1 ? ' with payload' : '';
        out.push({ id: `4.${group}.${i + 1}`, title: `reserved ${kind} opcode ${op}${with_} fails with 1002`, steps: [{ frames: [reserved] }], close: { fail: [PE] } });
        return;
      }
      out.push({
        id: `4.${group}.${i + 1}`,
        title: `text, reserved ${kind} opcode ${op}, ping: echo, then 1002 and no pong`,
        steps: [{ frames: [text(hi), reserved, ping()], chop: i === 4 ? 1 : undefined }],
        messages: [msg(Op.Text, hi)],
        close: { fail: [PE] },
      });
    });
  }
  return out;
}

export const framingSections = { section1, section2, section3, section4 };
