/*
 * Incremental UTF-8 validation (RFC 3629 §4) on each backend's DFA and on the
 * buffer.isUtf8 bulk path over it: every case fed whole, at every 2-way split
 * and one byte at a time must fail at the same, earliest byte, and leave the
 * same state, as the TypeScript reference.
 */
import { isUtf8 } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { js } from '../src/backends.js';
import { Utf8State } from '../src/js/utf8.js';
import { utf8UpdateBulk } from '../src/utf8-bulk.js';
import { backends, feedUtf8, hex, splitEverywhere, useBackend, type Utf8Update } from './helpers.js';

type Want = { failAt: number } | 'complete' | 'incomplete';

// [what, bytes, outcome]: failAt is the index of the first byte that makes the stream invalid.
const cases: [string, string, Want][] = [
  ['empty', '', 'complete'],
  ['ASCII', '48656c6c6f', 'complete'],
  ['NUL and DEL', '007f', 'complete'],
  ['U+0080, smallest 2-byte', 'c280', 'complete'],
  ['U+07FF, largest 2-byte', 'dfbf', 'complete'],
  ['U+0800, smallest 3-byte', 'e0a080', 'complete'],
  ['U+D7FF, below the surrogates', 'ed9fbf', 'complete'],
  ['U+E000, above the surrogates', 'ee8080', 'complete'],
  ['U+FEFF byte order mark', 'efbbbf', 'complete'],
  ['U+FFFD', 'efbfbd', 'complete'],
  ['U+FFFF', 'efbfbf', 'complete'],
  ['U+10000, smallest 4-byte', 'f0908080', 'complete'],
  ['U+1D11E', 'f09d849e', 'complete'],
  ['U+10FFFF, largest', 'f48fbfbf', 'complete'],
  ['κόσμε (Autobahn 6.2.1)', 'cebae1bdb9cf83cebcceb5', 'complete'],
  ['lone continuation 80', '80', { failAt: 0 }],
  ['lone continuation BF', 'bf', { failAt: 0 }],
  ['continuation after ASCII', '6180', { failAt: 1 }],
  ['continuation after a complete code point', 'e282ac80', { failAt: 3 }],
  ['overlong 2-byte C0 80 fails at C0', 'c080', { failAt: 0 }],
  ['overlong 2-byte C1 BF fails at C1', 'c1bf', { failAt: 0 }],
  ['overlong 3-byte E0 80 80 fails at the 80', 'e08080', { failAt: 1 }],
  ['overlong 3-byte U+07FF as E0 9F BF', 'e09fbf', { failAt: 1 }],
  ['overlong 4-byte F0 80 80 80', 'f0808080', { failAt: 1 }],
  ['overlong 4-byte U+FFFF as F0 8F BF BF', 'f08fbfbf', { failAt: 1 }],
  ['surrogate U+D800 fails at A0', 'eda080', { failAt: 1 }],
  ['surrogate U+DFFF fails at BF', 'edbfbf', { failAt: 1 }],
  ['surrogate pair (CESU-8)', 'eda0bdedb2a9', { failAt: 1 }],
  ['U+110000 fails at the 90', 'f4908080', { failAt: 1 }],
  ['F4 BF above U+10FFFF', 'f4bfbfbf', { failAt: 1 }],
  ['F5 fails at once', 'f5808080', { failAt: 0 }],
  ['F7 fails at once', 'f7bfbfbf', { failAt: 0 }],
  ['5-byte form F8', 'f888808080', { failAt: 0 }],
  ['6-byte form FC', 'fc8480808080', { failAt: 0 }],
  ['FE', 'fe', { failAt: 0 }],
  ['FF after ASCII', '61ff', { failAt: 1 }],
  ['2-byte lead then ASCII', 'c241', { failAt: 1 }],
  ['3-byte lead, 1 continuation, then ASCII', 'e28241', { failAt: 2 }],
  ['4-byte lead, 2 continuations, then ASCII', 'f09d8441', { failAt: 3 }],
  ['lead where a continuation is due', 'c2c2a9', { failAt: 1 }],
  ['E2 28 A1', 'e228a1', { failAt: 1 }],
  ['κόσμε then a surrogate (Autobahn 6.3.1)', 'cebae1bdb9cf83cebcceb5eda080656469746564', { failAt: 12 }],
  ['truncated 2-byte at end', 'c2', 'incomplete'],
  ['truncated 3-byte at end', 'e282', 'incomplete'],
  ['truncated 4-byte at end', 'f09d84', 'incomplete'],
  ['E0 alone', 'e0', 'incomplete'],
  ['F4 8F at end', 'f48f', 'incomplete'],
  ['ASCII then a 4-byte lead', '616263f0', 'incomplete'],
];

// Padding moves each case past the C++ block and ASCII-skip paths (16 and 32
// bytes) and the public bulk threshold.
const prefixes: [string, Uint8Array][] = [
  ['', new Uint8Array(0)],
  [' after 37 ASCII bytes', new TextEncoder().encode('a'.repeat(37))],
  [' after 19 é', new TextEncoder().encode('é'.repeat(19))],
  [' after mixed text', new TextEncoder().encode('a€b𝄞'.repeat(5))],
];
const suffix = new TextEncoder().encode(' and 33 more bytes of ASCII text.');

function variants(bytes: Uint8Array, want: Want): [string, Uint8Array, Want][] {
  return prefixes.flatMap(([label, prefix]) => {
    const shifted: Want = typeof want === 'object' ? { failAt: want.failAt + prefix.length } : want;
    const rows: [string, Uint8Array, Want][] = [[label, Buffer.concat([prefix, bytes]), shifted]];
    // Text after a failure or a complete case changes nothing; after an incomplete one it would.
    if (want !== 'incomplete') rows.push([`${label}, text after`, Buffer.concat([prefix, bytes, suffix]), shifted]);
    return rows;
  });
}

function expectOutcome(update: Utf8Update, bytes: Uint8Array, want: Want): void {
  const reference = feedUtf8(js.utf8Update, [bytes]);
  for (const chunks of splitEverywhere(bytes)) {
    const got = feedUtf8(update, chunks);
    const where = `split ${chunks.map((c) => c.length).join('+')}`;
    if (typeof want === 'object') {
      expect(got.failAt, where).toBe(want.failAt);
    } else {
      expect(got.failAt, where).toBeUndefined();
      expect(got.final === Utf8State.Accept, where).toBe(want === 'complete');
    }
    // The same state after every chunk as the reference fed the same chunks.
    expect(got.results, where).toEqual(feedUtf8(js.utf8Update, chunks).results);
    if (reference.failAt === undefined) expect(got.final, where).toBe(reference.final);
  }
}

describe.each(backends)('%s utf8Update', (name, maybe) => {
  const impl = useBackend(maybe);
  if (!impl) return;
  const paths: [string, Utf8Update][] = [
    [`${name} DFA`, impl.utf8Update],
    [`buffer.isUtf8 bulk over the ${name} DFA`, (c, s) => utf8UpdateBulk(c, s, impl.utf8Update)],
  ];

  describe.each(paths)('%s', (_path, update) => {
    it.each(cases)('%s: fed whole, split anywhere or bytewise', (_what, bytes, want) => {
      for (const [, buf, w] of variants(hex(bytes), want)) expectOutcome(update, buf, w);
    });

    it('agrees with buffer.isUtf8 on every case', () => {
      for (const [, bytes] of cases) {
        for (const [, buf] of variants(hex(bytes), 'complete')) {
          const r = update(buf, Utf8State.Accept);
          expect(r === Utf8State.Accept, Buffer.from(buf).toString('hex')).toBe(isUtf8(buf));
        }
      }
    });

    it('resumes from a state handed over by the other backend', () => {
      // e2 82 | ac: the state after the first chunk is shared numbering.
      const mid = js.utf8Update(hex('e282'), Utf8State.Accept);
      expect(update(hex('ac'), mid)).toBe(Utf8State.Accept);
      expect(update(hex('41'), mid)).toBe(-1);
    });
  });
});
