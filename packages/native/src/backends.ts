/*
 * The two implementations behind src/index.ts, exposed for the parity tests
 * and the bench so both run whatever the environment selects. Not public API.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as jsMask from './js/mask.js';
import * as jsUtf8 from './js/utf8.js';

/**
 * What each backend provides. Arguments are trusted (src/index.ts checks
 * them): Uint8Arrays, a 4-byte key, integer offset/length in range, phase in 0..3,
 * a `state` previously returned by `utf8Update` (or 0).
 */
export interface Backend {
  /** output[offset + i] = source[i] ^ maskKey[(phase + i) & 3] for i in [0, length). */
  mask(
    source: Uint8Array,
    maskKey: Uint8Array,
    output: Uint8Array,
    offset: number,
    length: number,
    phase: number,
  ): void;
  /** buffer[i] ^= maskKey[(phase + i) & 3] for the whole buffer. */
  unmask(buffer: Uint8Array, maskKey: Uint8Array, phase: number): void;
  /** The next UTF-8 DFA state (see Utf8State), or -(i + 1) when byte i is the first invalid one. */
  utf8Update(chunk: Uint8Array, state: number): number;
}

/** The pure-TypeScript reference, always available. */
export const js: Backend = { mask: jsMask.mask, unmask: jsMask.unmask, utf8Update: jsUtf8.utf8Update };

/** Must equal kAbi in src/native/addon.cc. */
export const NATIVE_ABI = 2;

/** Where the addon is built, relative to the package root (src/ or dist/ is one level down). */
export const NATIVE_PATH = fileURLToPath(new URL('../build/Release/lws_native.node', import.meta.url));

/** The addon's persistent raw DEFLATE stream (src/native/zlib.cc); arguments are trusted. */
export interface NativeRawDeflate {
  /** Everything zlib produced for `data` with `flush` (0, 2, 3 or 4; node:zlib's constants). */
  deflate(data: Uint8Array, flush: number): Buffer;
  /** Forgets the history; `release` also frees the z_stream (allocated again on next use). */
  reset(release: boolean): void;
  /** Frees the z_stream now; later calls throw. Idempotent. */
  close(): void;
}

/** The addon's persistent raw inflate stream (src/native/zlib.cc); arguments are trusted. */
export interface NativeRawInflate {
  /** The output, or -1 when it would exceed maxOutput bytes, or zlib's message for corrupt data. */
  inflate(input: Uint8Array | readonly Uint8Array[], maxOutput: number): Buffer | -1 | string;
  reset(release: boolean): void;
  close(): void;
}

/** The addon's zlib stream classes. */
export interface NativeZlib {
  RawDeflate: new (level: number, memLevel: number, windowBits: number) => NativeRawDeflate;
  RawInflate: new (windowBits: number) => NativeRawInflate;
  /** zlibVersion() of the zlib the addon resolved (Node's own). */
  version: string;
}

export type NativeLoad =
  | { native: Backend; zlib: NativeZlib; error?: undefined }
  | { native?: undefined; zlib?: undefined; error: string };

let loaded: NativeLoad | undefined;

/** Loads build/Release/lws_native.node once; never throws. */
export function loadNative(): NativeLoad {
  loaded ??= tryLoad();
  return loaded;
}

/** The addon's own signatures (src/native/addon.cc): the key travels as a number. */
interface Addon {
  abi: unknown;
  mask(source: Uint8Array, output: Uint8Array, offset: number, length: number, keyWord: number): void;
  unmask(buffer: Uint8Array, keyWord: number): void;
  utf8Update(chunk: Uint8Array, state: number): number;
  RawDeflate: NativeZlib['RawDeflate'];
  RawInflate: NativeZlib['RawInflate'];
  zlibVersion: string;
}

/**
 * The key rotated by phase as one uint32, byte j of the key stream at bits 8j.
 * A number argument costs the N-API call less than a fourth typed array
 * (bench/README.md, "call cost").
 */
export function keyWord(maskKey: Uint8Array, phase: number): number {
  return (
    (maskKey[phase & 3]! |
      (maskKey[(phase + 1) & 3]! << 8) |
      (maskKey[(phase + 2) & 3]! << 16) |
      (maskKey[(phase + 3) & 3]! << 24)) >>>
    0
  );
}

function tryLoad(): NativeLoad {
  let addon: Partial<Addon>;
  try {
    addon = createRequire(import.meta.url)(NATIVE_PATH) as typeof addon;
  } catch (err) {
    // require's message carries a multi-line "Require stack"; the first line names the cause.
    const message = err instanceof Error ? err.message : String(err);
    return { error: message.split('\n')[0]! };
  }
  if (addon.abi !== NATIVE_ABI) {
    const abi = String(addon.abi);
    return { error: `${NATIVE_PATH} has ABI ${abi}, expected ${NATIVE_ABI}: rebuild it with \`pnpm build:native\`` };
  }
  const { mask, unmask, utf8Update, RawDeflate, RawInflate, zlibVersion } = addon;
  if (
    typeof mask !== 'function' ||
    typeof unmask !== 'function' ||
    typeof utf8Update !== 'function' ||
    typeof RawDeflate !== 'function' ||
    typeof RawInflate !== 'function' ||
    typeof zlibVersion !== 'string'
  ) {
    return { error: `${NATIVE_PATH} lacks mask, unmask, utf8Update or the zlib streams: rebuild it with \`pnpm build:native\`` };
  }
  return {
    native: {
      mask: (source, maskKey, output, offset, length, phase) =>
        mask(source, output, offset, length, keyWord(maskKey, phase)),
      unmask: (buffer, maskKey, phase) => unmask(buffer, keyWord(maskKey, phase)),
      utf8Update,
    },
    zlib: { RawDeflate, RawInflate, version: zlibVersion },
  };
}
