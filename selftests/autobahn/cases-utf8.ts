/*
 * Section 6 (UTF-8 handling, RFC 6455 §8.1, RFC 3629 §3-4) of the Autobahn
 * testsuite's published case descriptions, in our own words: valid text is
 * echoed, invalid text fails with 1007, and fails fast (at the fragment or
 * the TCP read that makes it invalid, not at the end of the message).
 * Every sequence's label is checked against node:buffer isUtf8 at build time.
 */
import { isUtf8 } from 'node:buffer';
import { cont, msg, text, type WsCase } from './runner.js';
import { Op, type FrameSpec } from './frame.js';

const INVALID = 1007;
const h = (hex: string): Buffer => Buffer.from(hex.replace(/\s/g, ''), 'hex');
const cp = (...points: number[]): Buffer => Buffer.from(String.fromCodePoint(...points), 'utf8');
const KOSME = h('cebae1bdb9cf83cebcceb5'); // κόσμε
const HELLO = Buffer.from('Hello-µ@ßöäüàá-UTF-8!!', 'utf8');

/** [group, title, bytes, valid] */
type Seq = [number, string, Buffer, boolean];

function seqs(): Seq[] {
  const out: Seq[] = [];
  const add = (g: number, title: string, bytes: Buffer, valid: boolean): void => void out.push([g, title, bytes, valid]);
  add(5, 'κόσμε', KOSME, true);
  for (let n = 1; n <= KOSME.length; n++) add(6, `first ${n} bytes of κόσμε`, KOSME.subarray(0, n), [2, 5, 7, 9, 11].includes(n));
  for (const [t, x] of [['U+0000', '00'], ['U+0080', 'c280'], ['U+0800', 'e0a080'], ['U+10000', 'f0908080']]) add(7, `first sequence of its length, ${t}`, h(x!), true);
  for (const [t, x] of [['5 bytes', 'f888808080'], ['6 bytes', 'fc8480808080']]) add(8, `first ${t} sequence (not UTF-8)`, h(x!), false);
  for (const [t, x] of [['U+007F', '7f'], ['U+07FF', 'dfbf'], ['U+FFFF', 'efbfbf'], ['U+10FFFF', 'f48fbfbf']]) add(9, `last sequence of its length, ${t}`, h(x!), true);
  for (const x of ['f7bfbfbf', 'fbbfbfbfbf', 'fdbfbfbfbfbf']) add(10, `beyond U+10FFFF, ${x}`, h(x), false);
  for (const [t, x, ok] of [['U+D7FF', 'ed9fbf', true], ['U+E000', 'ee8080', true], ['U+FFFD', 'efbfbd', true], ['U+10FFFF', 'f48fbfbf', true], ['U+110000', 'f4908080', false]] as const) {
    add(11, `boundary ${t}`, h(x), ok);
  }
  for (const x of ['80', 'bf', '80bf', '80bf80', '80bf80bf', '80bf80bf80', '80bf80bf80bf', '80bf80bf80bf80']) add(12, `unexpected continuation bytes ${x}`, h(x), false);
  add(12, 'all 64 continuation bytes', Buffer.from(Array.from({ length: 64 }, (_, i) => 0x80 + i)), false);
  for (const [from, to] of [[0xc0, 0xdf], [0xe0, 0xef], [0xf0, 0xf7], [0xf8, 0xfb], [0xfc, 0xfd]] as const) {
    const b = Buffer.from(Array.from({ length: to - from + 1 }, (_, i) => [from + i, 0x20]).flat());
    add(13, `lonely start bytes ${from.toString(16)}-${to.toString(16)}, each followed by a space`, b, false);
  }
  const missing = ['c0', 'e080', 'f08080', 'f8808080', 'fc80808080', 'df', 'efbf', 'f7bfbf', 'fbbfbfbf', 'fdbfbfbfbf'];
  for (const x of missing) add(14, `sequence with its last byte missing, ${x}`, h(x), false);
  add(15, 'all the truncated sequences concatenated', h(missing.join('')), false);
  for (const x of ['fe', 'ff', 'fefeffff']) add(16, `impossible bytes ${x}`, h(x), false);
  for (const x of ['c0af', 'e080af', 'f08080af', 'f8808080af', 'fc80808080af']) add(17, `overlong "/" ${x}`, h(x), false);
  for (const x of ['c1bf', 'e09fbf', 'f08fbfbf', 'f887bfbfbf', 'fc83bfbfbfbf']) add(18, `largest overlong ${x}`, h(x), false);
  for (const x of ['c080', 'e08080', 'f0808080', 'f880808080', 'fc8080808080']) add(19, `overlong NUL ${x}`, h(x), false);
  for (const x of ['eda080', 'edadbf', 'edae80', 'edafbf', 'edb080', 'edbe80', 'edbfbf']) add(20, `single UTF-16 surrogate ${x}`, h(x), false);
  for (const x of ['eda080edb080', 'eda080edbfbf', 'edadbfedb080', 'edadbfedbfbf', 'edae80edb080', 'edae80edbfbf', 'edafbfedb080', 'edafbfedbfbf']) {
    add(21, `paired UTF-16 surrogates ${x}`, h(x), false);
  }
  for (const p of [0xfffe, 0xffff, 0x1fffe, 0x1ffff, 0x10fffe, 0x10ffff, 0xfdd0, 0xfdef]) add(22, `noncharacter U+${p.toString(16).toUpperCase()} (valid UTF-8)`, cp(p), true);
  add(23, 'U+FEFF byte order mark inside text', Buffer.concat([Buffer.from('a'), cp(0xfeff), Buffer.from('b')]), true);
  add(23, 'U+FFFD replacement character', cp(0xfffd), true);
  add(23, 'emoji U+1F600 between ASCII', Buffer.concat([Buffer.from('x'), cp(0x1f600), Buffer.from('y')]), true);
  return out;
}

function verdictFor(bytes: Buffer, valid: boolean): Pick<WsCase, 'messages' | 'close'> {
  if (isUtf8(bytes) !== valid) throw new Error(`Case table label is wrong for ${bytes.toString('hex')}: isUtf8 says ${!valid}`);
  return valid ? { messages: [msg(Op.Text, bytes)], close: 'normal' } : { close: { fail: [INVALID] } };
}

/** Fragments of `bytes` cut at the given offsets. */
function cut(bytes: Buffer, at: number[]): FrameSpec[] {
  const points = [0, ...at, bytes.length];
  return points.slice(1).map((end, i) => {
    const part = bytes.subarray(points[i]!, end);
    const fin = i === points.length - 2;
    return i === 0 ? text(part, { fin }) : cont(part, { fin });
  });
}

function basics(): WsCase[] {
  const bad = Buffer.concat([KOSME, h('eda080'), Buffer.from('edited')]);
  const bytewise = (b: Buffer): number[] => Array.from({ length: b.length - 1 }, (_, i) => i + 1);
  return [
    { id: '6.1.1', title: 'empty text message echoed', steps: [{ frames: [text('')] }], messages: [msg(Op.Text, '')], close: 'normal' },
    { id: '6.1.2', title: 'text in 3 empty fragments echoed empty', steps: [{ frames: cut(Buffer.alloc(0), [0, 0]) }], messages: [msg(Op.Text, '')], close: 'normal' },
    { id: '6.1.3', title: 'empty, non-empty, empty fragments echoed', steps: [{ frames: [text('', { fin: false }), cont('middle frame payload', { fin: false }), cont('')] }], messages: [msg(Op.Text, 'middle frame payload')], close: 'normal' },
    { id: '6.2.1', title: 'valid UTF-8 with 2-byte characters in one frame echoed', steps: [{ frames: [text(HELLO)] }], ...verdictFor(HELLO, true) },
    { id: '6.2.2', title: 'valid UTF-8 in 2 fragments cut at a character boundary echoed', steps: [{ frames: cut(HELLO, [13]) }], ...verdictFor(HELLO, true) },
    { id: '6.2.3', title: 'valid UTF-8 in one fragment per byte echoed', steps: [{ frames: cut(HELLO, bytewise(HELLO)) }], ...verdictFor(HELLO, true) },
    { id: '6.2.4', title: 'κόσμε in one fragment per byte echoed', steps: [{ frames: cut(KOSME, bytewise(KOSME)) }], ...verdictFor(KOSME, true) },
    { id: '6.3.1', title: 'κόσμε with a surrogate inside, in one frame: 1007', steps: [{ frames: [text(bad)] }], ...verdictFor(bad, false) },
    { id: '6.3.2', title: 'κόσμε with a surrogate inside, one fragment per byte: 1007', steps: [{ frames: cut(bad, bytewise(bad)) }], ...verdictFor(bad, false) },
  ];
}

/** 6.4.x fail fast: the rest of the message is never sent; the close must come before it. */
function failFast(): WsCase[] {
  const tail = Buffer.from('edited');
  return [
    { id: '6.4.1', title: 'fail fast at the fragment holding U+110000 (rest never sent)', steps: [{ frames: [text(KOSME, { fin: false }), cont(h('f4908080'), { fin: false })] }], close: { fail: [INVALID] } },
    { id: '6.4.2', title: 'fail fast at the fragment completing an invalid F4 90 (rest never sent)', steps: [{ frames: [text(Buffer.concat([KOSME, h('f4')]), { fin: false }), cont(h('90'), { fin: false })] }], close: { fail: [INVALID] } },
    { id: '6.4.3', title: 'fail fast inside one frame: its first 15 of 21 bytes hold U+110000 (rest never sent)', steps: [{ frames: [text(Buffer.concat([KOSME, h('f4908080'), tail]))], upTo: 2 + 4 + 15 }], close: { fail: [INVALID] } },
    { id: '6.4.4', title: 'fail fast inside one frame at the byte 90 after F4 (rest never sent)', steps: [{ frames: [text(Buffer.concat([KOSME, h('f490'), tail]))], upTo: 2 + 4 + 13 }], close: { fail: [INVALID] } },
  ];
}

/** Every 2-fragment split of a few sequences; valid ones are echoed, invalid ones fail with 1007. */
function splits(): WsCase[] {
  const picked: [string, Buffer][] = [
    ['κόσμε', KOSME],
    ['U+1F600 emoji', cp(0x1f600)],
    ['U+110000', h('f4908080')],
    ['a surrogate between ASCII', h('61eda08062')],
    ['overlong "/" after ASCII', h('61e080af')],
  ];
  const out: WsCase[] = [];
  picked.forEach(([name, bytes], g) => {
    for (let k = 1; k < bytes.length; k++) {
      out.push({ id: `6.24.${g + 1}.${k}`, title: `${name} split into 2 fragments after byte ${k}`, steps: [{ frames: cut(bytes, [k]) }], ...verdictFor(bytes, isUtf8(bytes)) });
    }
  });
  return out;
}

/** All of section 6. */
export function section6(): WsCase[] {
  const counters = new Map<number, number>();
  const table = seqs().map(([g, title, bytes, valid]): WsCase => {
    const n = (counters.get(g) ?? 0) + 1;
    counters.set(g, n);
    return { id: `6.${g}.${n}`, title: `${title}: ${valid ? 'echoed' : '1007'}`, steps: [{ frames: [text(bytes)] }], ...verdictFor(bytes, valid) };
  });
  return [...basics(), ...failFast(), ...table, ...splits()];
}
