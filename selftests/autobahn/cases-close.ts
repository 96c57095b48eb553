/*
 * Section 7 (the closing handshake, RFC 6455 §5.5.1, §7.1-7.4) of the
 * Autobahn testsuite's published case descriptions, in our own words:
 * the server echoes a valid close code, fails invalid ones with 1002,
 * ignores what follows a close, and ends TCP after the handshake.
 */
import { close, cont, msg, ping, text, type WsCase } from './runner.js';
import { Op } from './frame.js';

const PE = 1002;

function basics(): WsCase[] {
  return [
    { id: '7.1.1', title: 'text then close 1000: echo, then close 1000', steps: [{ frames: [text('Hello World!'), close(1000)] }], messages: [msg(Op.Text, 'Hello World!')], close: { reply: [1000] } },
    { id: '7.1.2', title: 'two close frames: one reply, the second ignored', steps: [{ frames: [close(1000), close(1000)] }], close: { reply: [1000] } },
    { id: '7.1.3', title: 'ping after close: no pong', steps: [{ frames: [close(1000), ping('after close')] }], close: { reply: [1000] } },
    { id: '7.1.4', title: 'text after close: no echo', steps: [{ frames: [close(1000), text('after close')] }], close: { reply: [1000] } },
    {
      id: '7.1.5',
      title: 'close between the fragments of a text: no echo, close 1000',
      steps: [{ frames: [text('fragment1', { fin: false }), close(1000), cont('fragment2')] }],
      close: { reply: [1000] },
    },
    {
      id: '7.1.6',
      title: 'text, then close, then a ping, in separate writes: echo, close 1000, no pong',
      steps: [{ frames: [text('BAsd7&jh23'), close(1000), ping('after close')], each: true }],
      messages: [msg(Op.Text, 'BAsd7&jh23')],
      close: { reply: [1000] },
    },
  ];
}

function payloads(): WsCase[] {
  const r123 = 'R'.repeat(123);
  return [
    // no code received: replying with an empty close or 1000 both meet RFC 6455 §5.5.1
    { id: '7.3.1', title: 'close without payload: empty close (or 1000) back', steps: [{ frames: [close()] }], close: { reply: [null, 1000] } },
    { id: '7.3.2', title: 'close with a 1-byte payload fails with 1002', steps: [{ frames: [{ opcode: Op.Close, payload: Buffer.from([0x03]) }] }], close: { fail: [PE] } },
    { id: '7.3.3', title: 'close 1000 without reason: 1000 back', steps: [{ frames: [close(1000)] }], close: { reply: [1000] } },
    { id: '7.3.4', title: 'close 1000 with a reason: 1000 back', steps: [{ frames: [close(1000, 'Hello World!')] }], close: { reply: [1000] } },
    { id: '7.3.5', title: 'close 1000 with a 123-byte reason (125-byte payload): 1000 back', steps: [{ frames: [close(1000, r123)] }], close: { reply: [1000] } },
    { id: '7.3.6', title: 'close 1000 with a 124-byte reason (126-byte payload) fails with 1002', steps: [{ frames: [close(1000, r123 + 'R')] }], close: { fail: [PE] } },
    {
      id: '7.5.1',
      title: 'close 1000 with a reason that is not UTF-8 fails with 1007',
      steps: [{ frames: [close(1000, Buffer.from('cebae1bdb9cf83cebcceb5eda080656469746564', 'hex'))] }],
      close: { fail: [1007, PE] },
    },
    {
      id: '7.5.2',
      title: 'close 1000 with a reason split inside a character (truncated) fails with 1007',
      steps: [{ frames: [close(1000, Buffer.from('cebae1bd', 'hex'))] }],
      close: { fail: [1007, PE] },
    },
  ];
}

function codes(): WsCase[] {
  const valid = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999];
  const invalid = [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999];
  const out: WsCase[] = valid.map((code, i) => ({
    id: `7.7.${i + 1}`,
    title: `close with valid code ${code}: ${code} echoed`,
    steps: [{ frames: [close(code, 'reason')] }],
    close: { reply: [code] },
  }));
  invalid.forEach((code, i) => {
    out.push({ id: `7.9.${i + 1}`, title: `close with invalid code ${code} fails with 1002`, steps: [{ frames: [close(code)] }], close: { fail: [PE] } });
  });
  [5000, 65535].forEach((code, i) => {
    out.push({ id: `7.13.${i + 1}`, title: `close with out-of-range code ${code} fails with 1002`, steps: [{ frames: [close(code)] }], close: { fail: [PE] } });
  });
  return out;
}

/** All of section 7. */
export function section7(): WsCase[] {
  return [...basics(), ...payloads(), ...codes()];
}
