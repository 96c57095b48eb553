/*
 * Incremental UTF-8 validation in TypeScript (RFC 3629 §4, Unicode 15 Table 3-7):
 * a DFA over bytes whose state survives fragment boundaries. The reference
 * for src/native/utf8.cc, which derives its tables from the same rules.
 *
 *   code points          1st     2nd     3rd     4th
 *   U+0000..U+007F       00..7F
 *   U+0080..U+07FF       C2..DF  80..BF
 *   U+0800..U+0FFF       E0      A0..BF  80..BF
 *   U+1000..U+CFFF       E1..EC  80..BF  80..BF
 *   U+D000..U+D7FF       ED      80..9F  80..BF
 *   U+E000..U+FFFF       EE..EF  80..BF  80..BF
 *   U+10000..U+3FFFF     F0      90..BF  80..BF  80..BF
 *   U+40000..U+FFFFF     F1..F3  80..BF  80..BF  80..BF
 *   U+100000..U+10FFFF   F4      80..8F  80..BF  80..BF
 */

/**
 * DFA states. The values are bit offsets (multiples of 6) because the C++
 * packs each byte's whole transition row into one 64-bit word and steps with
 * `state = row[byte] >> state`; both backends share this numbering, so a
 * stream may switch backend between chunks.
 */
export const Utf8State = {
  /** Between code points: a message may end here. */
  Accept: 0,
  /** Absorbing failure state; never returned (a rejection is reported as a negative index). */
  Reject: 6,
  /** One continuation byte 80..BF still due. */
  Need1: 12,
  /** Two continuation bytes 80..BF due. */
  Need2: 18,
  /** Three continuation bytes 80..BF due. */
  Need3: 24,
  /** After E0: A0..BF (not overlong), then one more. */
  AfterE0: 30,
  /** After ED: 80..9F (not a surrogate), then one more. */
  AfterED: 36,
  /** After F0: 90..BF (not overlong), then two more. */
  AfterF0: 42,
  /** After F4: 80..8F (not above U+10FFFF), then two more. */
  AfterF4: 48,
} as const;
export type Utf8State = (typeof Utf8State)[keyof typeof Utf8State];

const S = Utf8State;

/** The transition function, written out from the table above. */
export function nextState(state: number, byte: number): number {
  const cont = byte >= 0x80 && byte <= 0xbf;
  switch (state) {
    case S.Accept:
      if (byte < 0x80) return S.Accept;
      if (byte >= 0xc2 && byte <= 0xdf) return S.Need1;
      if (byte === 0xe0) return S.AfterE0;
      if (byte === 0xed) return S.AfterED;
      if (byte >= 0xe1 && byte <= 0xef) return S.Need2;
      if (byte === 0xf0) return S.AfterF0;
      if (byte >= 0xf1 && byte <= 0xf3) return S.Need3;
      if (byte === 0xf4) return S.AfterF4;
      return S.Reject; // 80..BF unexpected continuation, C0 C1 overlong, F5..FF
    case S.Need1:
      return cont ? S.Accept : S.Reject;
    case S.Need2:
      return cont ? S.Need1 : S.Reject;
    case S.Need3:
      return cont ? S.Need2 : S.Reject;
    case S.AfterE0:
      return byte >= 0xa0 && byte <= 0xbf ? S.Need1 : S.Reject;
    case S.AfterED:
      return byte >= 0x80 && byte <= 0x9f ? S.Need1 : S.Reject;
    case S.AfterF0:
      return byte >= 0x90 && byte <= 0xbf ? S.Need2 : S.Reject;
    case S.AfterF4:
      return byte >= 0x80 && byte <= 0x8f ? S.Need2 : S.Reject;
    default:
      return S.Reject;
  }
}

// NEXT[(state << 8) | byte]: one load per byte. Rows for values that are not
// states stay 0 and are never indexed.
const NEXT = new Uint8Array((S.AfterF4 + 1) << 8);
for (const state of Object.values(S)) {
  for (let byte = 0; byte < 256; byte++) NEXT[(state << 8) | byte] = nextState(state, byte);
}

/** One DFA step: the state after `byte`. */
export function step(state: number, byte: number): number {
  return NEXT[(state << 8) | byte]!;
}

/**
 * Feeds `chunk` to the DFA from `state` and returns the new state, or, when a
 * byte makes the stream invalid, `-(i + 1)` where `i` is that byte's index.
 */
export function utf8Update(chunk: Uint8Array, state: number): number {
  const n = chunk.length;
  let s = state;
  let i = 0;
  while (i < n) {
    if (s === S.Accept) {
      while (i < n && chunk[i]! < 0x80) i++;
      if (i === n) break;
    }
    s = NEXT[(s << 8) | chunk[i]!]!;
    if (s === S.Reject) return -(i + 1);
    i++;
  }
  return s;
}

/** Whole-buffer validity with the DFA (small buffers; large ones use buffer.isUtf8). */
export function isValidUtf8(buf: Uint8Array): boolean {
  return utf8Update(buf, S.Accept) === S.Accept;
}
