/*
 * WebSocket masking in TypeScript (RFC 6455 §5.3): the reference the C++ in
 * src/native/mask.cc must match byte for byte. Arguments are checked by
 * src/index.ts; here they are trusted.
 *
 *   transformed-octet-i = original-octet-i XOR masking-key-octet-(i MOD 4)
 */

// Four bytes per step through DataViews (any alignment) run 1.5-1.8x faster
// than the byte loop at 1 KiB and 2.4x at 64 KiB, but 0.6x at 256 B, where
// creating the two views dominates (bench/README.md, "JS mask paths").
const WORDS_MIN = 1024;

/** output[offset + i] = source[i] ^ maskKey[(phase + i) & 3] for i in [0, length). */
export function mask(
  source: Uint8Array,
  maskKey: Uint8Array,
  output: Uint8Array,
  offset: number,
  length: number,
  phase: number,
): void {
  if (length >= WORDS_MIN) maskWords(source, maskKey, output, offset, length, phase);
  else maskBytes(source, maskKey, output, offset, length, phase);
}

/** buffer[i] ^= maskKey[(phase + i) & 3], in place, for the whole buffer. */
export function unmask(buffer: Uint8Array, maskKey: Uint8Array, phase: number): void {
  mask(buffer, maskKey, buffer, 0, buffer.length, phase);
}

/** The byte loop (exported for bench/native.ts). */
export function maskBytes(
  source: Uint8Array,
  maskKey: Uint8Array,
  output: Uint8Array,
  offset: number,
  length: number,
  phase: number,
): void {
  // The key rotated by phase, held in locals: no index arithmetic on the key per byte.
  const k0 = maskKey[phase & 3]!;
  const k1 = maskKey[(phase + 1) & 3]!;
  const k2 = maskKey[(phase + 2) & 3]!;
  const k3 = maskKey[(phase + 3) & 3]!;
  const whole = length & ~3;
  let i = 0;
  for (; i < whole; i += 4) {
    output[offset + i] = source[i]! ^ k0;
    output[offset + i + 1] = source[i + 1]! ^ k1;
    output[offset + i + 2] = source[i + 2]! ^ k2;
    output[offset + i + 3] = source[i + 3]! ^ k3;
  }
  if (i < length) output[offset + i] = source[i]! ^ k0;
  if (i + 1 < length) output[offset + i + 1] = source[i + 1]! ^ k1;
  if (i + 2 < length) output[offset + i + 2] = source[i + 2]! ^ k2;
}

/** Four bytes per step through DataViews (exported for bench/native.ts). */
export function maskWords(
  source: Uint8Array,
  maskKey: Uint8Array,
  output: Uint8Array,
  offset: number,
  length: number,
  phase: number,
): void {
  const from = new DataView(source.buffer, source.byteOffset, length);
  const to = new DataView(output.buffer, output.byteOffset + offset, length);
  // Little-endian words: key byte j at bits 8j, whatever the platform.
  const key =
    maskKey[phase & 3]! |
    (maskKey[(phase + 1) & 3]! << 8) |
    (maskKey[(phase + 2) & 3]! << 16) |
    (maskKey[(phase + 3) & 3]! << 24);
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) to.setInt32(i, from.getInt32(i, true) ^ key, true);
  for (let i = whole; i < length; i++) output[offset + i] = source[i]! ^ maskKey[(phase + i) & 3]!;
}
