/*
 * Section 5 (fragmentation, RFC 6455 §5.4) and section 10 (a message in
 * many small fragments) of the Autobahn testsuite's published case
 * descriptions, in our own words.
 */
import { cont, msg, ping, pong, text, binary, type Step, type WsCase } from './runner.js';
import { Op, type FrameSpec } from './frame.js';

const PE = 1002;
type Send = 'one write' | 'one write per frame' | 'one byte per write';

/** The three ways Autobahn sends a sequence: all at once, frame by frame with syncs, octet by octet. */
function sendAs(frames: FrameSpec[], how: Send, syncAfter: number[] = []): Step[] {
  if (how === 'one write') return [{ frames }];
  if (how === 'one byte per write') return [{ frames, chop: 1 }];
  const steps: Step[] = [];
  frames.forEach((f, i) => {
    steps.push({ frames: [f] });
    const n = syncAfter.indexOf(i);
    if (n >= 0) steps.push({ sync: n + 1 });
  });
  return steps;
}

const HOWS: Send[] = ['one write', 'one write per frame', 'one byte per write'];

function fragmentedControl(): WsCase[] {
  return [
    {
      id: '5.1',
      title: 'ping in 2 fragments fails with 1002',
      steps: [{ frames: [ping('fragment1', { fin: false }), cont('fragment2')] }],
      close: { fail: [PE] },
    },
    {
      id: '5.2',
      title: 'pong in 2 fragments fails with 1002',
      steps: [{ frames: [pong('fragment1', { fin: false }), cont('fragment2')] }],
      close: { fail: [PE] },
    },
  ];
}

function validFragmented(): WsCase[] {
  const out: WsCase[] = [];
  const two = [text('fragment1', { fin: false }), cont('fragment2')];
  const withPing = [text('fragment1', { fin: false }), ping('pongme 2!'), cont('fragment2')];
  HOWS.forEach((how, i) => {
    out.push({ id: `5.${3 + i}`, title: `text in 2 fragments, ${how}, echoed whole`, steps: sendAs(two, how), messages: [msg(Op.Text, 'fragment1fragment2')], close: 'normal' });
  });
  HOWS.forEach((how, i) => {
    out.push({
      id: `5.${6 + i}`,
      title: `text in 2 fragments with a ping between, ${how}: pong, then the echo`,
      steps: sendAs(withPing, how, [1]),
      messages: [msg(Op.Text, 'fragment1fragment2')],
      pongs: ['pongme 2!'],
      close: 'normal',
    });
  });
  return out;
}

function orphanContinuations(): WsCase[] {
  const out: WsCase[] = [];
  const frames = (fin: boolean): FrameSpec[] => [cont('non-continuation payload', { fin }), text('Hello, world!')];
  HOWS.forEach((how, i) => {
    out.push({ id: `5.${9 + i}`, title: `continuation (FIN) with no message started, ${how}: 1002`, steps: sendAs(frames(true), how), close: { fail: [PE] } });
  });
  HOWS.forEach((how, i) => {
    out.push({ id: `5.${12 + i}`, title: `continuation (no FIN) with no message started, ${how}: 1002`, steps: sendAs(frames(false), how), close: { fail: [PE] } });
  });
  return out;
}

function badSequences(): WsCase[] {
  const twice = (fin: boolean): FrameSpec[] => {
    const once = [cont('fragment1', { fin }), text('fragment2', { fin: false }), cont('fragment3')];
    return [...once, ...once];
  };
  return [
    {
      id: '5.15',
      title: 'a 2-fragment text, then a continuation pair with nothing started: echo, then 1002',
      steps: [{ frames: [text('fragment1', { fin: false }), cont('fragment2'), cont('fragment3', { fin: false }), text('fragment4')] }],
      messages: [msg(Op.Text, 'fragment1fragment2')],
      close: { fail: [PE] },
    },
    { id: '5.16', title: 'continuation (no FIN) before a fragmented text, twice: 1002', steps: [{ frames: twice(false) }], close: { fail: [PE] } },
    { id: '5.17', title: 'continuation (FIN) before a fragmented text, twice: 1002', steps: [{ frames: twice(true) }], close: { fail: [PE] } },
    {
      id: '5.18',
      title: 'text fragment without FIN, then a new text message: 1002',
      steps: [{ frames: [text('fragment1', { fin: false }), text('fragment2')] }],
      close: { fail: [PE] },
    },
  ];
}

function interleavedPings(): WsCase[] {
  const frames = [
    text('fragment1', { fin: false }),
    cont('fragment2', { fin: false }),
    ping('pongme 1!'),
    cont('fragment3', { fin: false }),
    cont('fragment4', { fin: false }),
    ping('pongme 2!'),
    cont('fragment5'),
  ];
  const common = { messages: [msg(Op.Text, 'fragment1fragment2fragment3fragment4fragment5')], pongs: ['pongme 1!', 'pongme 2!'], close: 'normal' as const };
  return [
    { id: '5.19', title: 'text in 5 fragments with 2 pings between, in one write: 2 pongs, then the echo', steps: [{ frames }], ...common },
    { id: '5.20', title: 'text in 5 fragments with 2 pings between, each pong awaited', steps: sendAs(frames, 'one write per frame', [2, 5]), ...common },
    {
      id: '5.21',
      title: 'binary in 3 fragments with empty ones between, echoed whole',
      steps: [{ frames: [binary(Buffer.from([1, 2]), { fin: false }), cont('', { fin: false }), cont(Buffer.from([3])), ] }],
      messages: [msg(Op.Binary, Buffer.from([1, 2, 3]))],
      close: 'normal',
    },
  ];
}

/** 5.x */
export function section5(): WsCase[] {
  return [...fragmentedControl(), ...validFragmented(), ...orphanContinuations(), ...badSequences(), ...interleavedPings()];
}

/** 10.x: one 64 KiB message in fragments of many sizes, echoed whole. */
export function section10(): WsCase[] {
  const data = Buffer.from(Array.from({ length: 65536 }, (_, i) => 0x20 + (i % 90)));
  return [1, 7, 64, 256, 1000, 4096].map((size, i) => {
    const frames: FrameSpec[] = [];
    for (let off = 0; off < data.length; off += size) {
      const part = data.subarray(off, off + size);
      const fin = off + size >= data.length;
      frames.push(off === 0 ? text(part, { fin }) : cont(part, { fin }));
    }
    return {
      id: `10.1.${i + 1}`,
      title: `text of 65536 bytes in ${frames.length} fragments of ${size} bytes echoed whole`,
      steps: [{ frames, chop: size === 1 ? 65536 : undefined }],
      messages: [msg(Op.Text, data)],
      close: 'normal',
      ms: 15_000,
    } satisfies WsCase;
  });
}
