/*
 * Section 9 (limits and performance) of the Autobahn testsuite's published
 * case descriptions, in our own words: big messages in one frame, in
 * fragments, in small TCP writes, and many round trips. Each case has a
 * time bound; the sizes stop where the echo server's --max-message allows.
 */
import { binary, cont, msg, text, type Step, type WsCase } from './runner.js';
import { Op, type FrameSpec } from './frame.js';

const KiB = 1024;
const MiB = 1024 * KiB;

const cache = new Map<string, Buffer>();

/** Shared, read-only payloads: the cases hold them for the whole run. */
function payload(n: number, isText: boolean): Buffer {
  const key = `${n}/${isText}`;
  let b = cache.get(key);
  if (b) return b;
  // text: printable ASCII; binary: every byte value, so a text path would be caught
  if (isText) b = Buffer.alloc(n, 'Hello, world! ');
  else {
    b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = (i * 7 + 3) & 0xff;
  }
  cache.set(key, b);
  return b;
}

function kinds(): { group: number; isText: boolean; name: string; op: number }[] {
  return [
    { group: 0, isText: true, name: 'text', op: Op.Text },
    { group: 1, isText: false, name: 'binary', op: Op.Binary },
  ];
}

function size(n: number): string {
  return n >= MiB ? `${n / MiB} MiB` : n >= KiB ? `${n / KiB} KiB` : `${n} bytes`;
}

/** 9.1 (text) / 9.2 (binary): one frame of 64 KiB to 16 MiB. */
function whole(): WsCase[] {
  const sizes = [64 * KiB, 256 * KiB, MiB, 4 * MiB, 8 * MiB, 16 * MiB];
  return kinds().flatMap(({ group, isText, name, op }) =>
    sizes.map((n, i): WsCase => {
      const data = payload(n, isText);
      return {
        id: `9.${1 + group}.${i + 1}`,
        title: `${name} message of ${size(n)} in one frame echoed`,
        steps: [{ frames: [isText ? text(data) : binary(data)] }],
        messages: [msg(op, data)],
        close: 'normal',
        ms: 20_000,
      };
    }),
  );
}

function fragmentsOf(data: Buffer, isText: boolean, frag: number): FrameSpec[] {
  const frames: FrameSpec[] = [];
  for (let off = 0; off < data.length; off += frag) {
    const part = data.subarray(off, off + frag);
    const fin = off + frag >= data.length;
    frames.push(off === 0 ? (isText ? text(part, { fin }) : binary(part, { fin })) : cont(part, { fin }));
  }
  return frames;
}

/** 9.3 (text) / 9.4 (binary): 4 MiB in fragments of 64 bytes to 4 MiB. */
function fragmented(): WsCase[] {
  const frags = [64, 256, KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, MiB, 4 * MiB];
  return kinds().flatMap(({ group, isText, name, op }) =>
    frags.map((frag, i): WsCase => {
      const data = payload(4 * MiB, isText);
      return {
        id: `9.${3 + group}.${i + 1}`,
        title: `${name} message of 4 MiB in fragments of ${size(frag)} echoed`,
        steps: [{ frames: fragmentsOf(data, isText, frag) }],
        messages: [msg(op, data)],
        close: 'normal',
        ms: 20_000,
      };
    }),
  );
}

/** 9.5 (text) / 9.6 (binary): one frame written in TCP pieces of 64 bytes to 2 KiB. */
function chopped(): WsCase[] {
  const chops = [64, 128, 256, 512, 1024, 2048];
  return kinds().flatMap(({ group, isText, name, op }) =>
    chops.map((chop, i): WsCase => {
      const data = payload(MiB, isText);
      return {
        id: `9.${5 + group}.${i + 1}`,
        title: `${name} message of 1 MiB in one frame sent in ${chop}-byte TCP writes echoed`,
        steps: [{ frames: [isText ? text(data) : binary(data)], chop }],
        messages: [msg(op, data)],
        close: 'normal',
        ms: 20_000,
      };
    }),
  );
}

/** 9.7 (text) / 9.8 (binary): N round trips, each message sent after the previous echo. */
function roundTrips(count: number): WsCase[] {
  const sizes = [0, 16, 64, 256, 1024, 4096];
  return kinds().flatMap(({ group, isText, name, op }) =>
    sizes.map((n, i): WsCase => {
      const data = payload(n, isText);
      const steps: Step[] = [];
      for (let k = 1; k <= count; k++) steps.push({ frames: [isText ? text(data) : binary(data)] }, { sync: k });
      return {
        id: `9.${7 + group}.${i + 1}`,
        title: `${count} round trips of ${name} messages of ${n} bytes, one at a time`,
        steps,
        messages: Array.from({ length: count }, () => msg(op, data)),
        close: 'normal',
        ms: 20_000,
      };
    }),
  );
}

/** 9.9: a message over the server's --max-message (16 MiB + 1) in 1 MiB fragments fails with 1009. */
function tooBig(): WsCase[] {
  return kinds().map(({ group, isText, name }): WsCase => {
    const part = payload(MiB, isText);
    const frames = Array.from({ length: 17 }, (_, k) => (k === 0 ? (isText ? text(part, { fin: false }) : binary(part, { fin: false })) : cont(part, { fin: k === 16 })));
    return { id: `9.9.${group + 1}`, title: `${name} message of 17 MiB in 1 MiB fragments, over the 16 MiB + 1 limit: 1009`, steps: [{ frames }], close: { fail: [1009] }, ms: 20_000 };
  });
}

/** All of section 9; `roundTripCount` 1000 in Autobahn, less here to bound the run. */
export function section9(roundTripCount = 1000): WsCase[] {
  return [...whole(), ...fragmented(), ...chopped(), ...roundTrips(roundTripCount), ...tooBig()];
}
