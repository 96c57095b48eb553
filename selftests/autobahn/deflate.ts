/*
 * permessage-deflate for the fuzzing peers (RFC 7692): the offer/response
 * parameter grammar and check (§7.1), and per-message compression with
 * node:zlib raw deflate, sync-flushed with the 00 00 ff ff tail stripped
 * (§7.2.1) and context takeover kept or dropped as agreed (§7.1.1).
 */
import { constants, createDeflateRaw, createInflateRaw, type DeflateRaw, type InflateRaw } from 'node:zlib';

const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/** Extension parameters as parsed: value null for a parameter without one. */
export type PmdParams = Map<string, string | null>;

/** Parses one `permessage-deflate; a; b=9` element; duplicates are kept as an error. */
export function parsePmdHeader(header: string): { name: string; params: PmdParams; duplicate: boolean }[] {
  return header.split(',').map((ext) => {
    const [name = '', ...rest] = ext.split(';').map((s) => s.trim());
    const params: PmdParams = new Map();
    let duplicate = false;
    for (const p of rest) {
      const [k = '', v] = p.split('=').map((s) => s.trim());
      if (params.has(k)) duplicate = true;
      params.set(k, v === undefined ? null : v.replace(/^"(.*)"$/, '$1'));
    }
    return { name, params, duplicate };
  });
}

function bits(v: string | null | undefined): number | null {
  if (v === null || v === undefined || !/^(8|9|1[0-5])$/.test(v)) return null;
  return Number(v);
}

/**
 * Why a server's response to `offer` breaks RFC 7692 §7.1, or null when it
 * is legal for that offer.
 */
export function checkPmdResponse(offer: string, response: string): string | null {
  const offered = parsePmdHeader(offer)[0]!.params;
  const got = parsePmdHeader(response);
  if (got.length !== 1) return `expected one extension, got ${got.length}: "${response}"`;
  const { name, params, duplicate } = got[0]!;
  if (name !== 'permessage-deflate') return `unexpected extension "${name}"`;
  if (duplicate) return `duplicate parameter in "${response}"`;
  for (const [k, v] of params) {
    if (k === 'server_no_context_takeover' || k === 'client_no_context_takeover') {
      if (v !== null) return `${k} must have no value, got "${v}"`;
    } else if (k === 'server_max_window_bits' || k === 'client_max_window_bits') {
      if (bits(v) === null) return `${k} value "${v}" is not 8-15`;
    } else return `unknown parameter "${k}"`;
  }
  if (offered.has('server_no_context_takeover') && !params.has('server_no_context_takeover')) {
    return 'server_no_context_takeover was offered but not accepted';
  }
  const offeredSmwb = bits(offered.get('server_max_window_bits'));
  const smwb = bits(params.get('server_max_window_bits'));
  if (offeredSmwb !== null && (smwb === null || smwb > offeredSmwb)) {
    return `server_max_window_bits must be <= ${offeredSmwb}, got ${smwb ?? 'none'}`;
  }
  if (params.has('client_max_window_bits')) {
    if (!offered.has('client_max_window_bits')) return 'client_max_window_bits in response but not offered';
    const limit = bits(offered.get('client_max_window_bits'));
    const cmwb = bits(params.get('client_max_window_bits'))!;
    if (limit !== null && cmwb > limit) return `client_max_window_bits ${cmwb} above the offered ${limit}`;
  }
  return null;
}

/** One direction's agreed settings. */
export interface PmdSide {
  noContextTakeover: boolean;
  windowBits: number;
}

/** One side's compressor settings from the negotiated response. */
export function sideParams(params: PmdParams, p: 'client' | 'server'): PmdSide {
  const wb = bits(params.get(`${p}_max_window_bits`)) ?? 15;
  // zlib's raw deflate has no 8-bit window; 9 is the smallest it makes
  return { noContextTakeover: params.has(`${p}_no_context_takeover`), windowBits: Math.max(9, wb) };
}

function flushed(stream: DeflateRaw | InflateRaw, input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    const onData = (d: Buffer): void => void parts.push(d);
    const onError = (e: Error): void => {
      stream.off('data', onData);
      reject(e);
    };
    stream.on('data', onData);
    stream.once('error', onError);
    stream.write(input);
    stream.flush(constants.Z_SYNC_FLUSH, () => {
      stream.off('data', onData);
      stream.off('error', onError);
      resolve(Buffer.concat(parts));
    });
  });
}

/** Per-message deflate for one side of one connection. */
export class PmdCodec {
  readonly #out: PmdSide;
  #deflate: DeflateRaw | null = null;
  #inflate: InflateRaw | null = null;
  readonly #peer: PmdSide;

  /**
   * `out`: how we compress; `peer`: what the peer agreed to compress with.
   * Inflating with exactly the peer's window and a fresh inflater per message
   * when it agreed to no context takeover catches a peer that breaks either.
   */
  constructor(out: PmdSide, peer: PmdSide) {
    this.#out = out;
    this.#peer = peer;
  }

  /** Compresses one whole message; the result goes in frames with RSV1 on the first. */
  async compress(message: Buffer): Promise<Buffer> {
    if (!this.#deflate || this.#out.noContextTakeover) {
      this.#deflate?.close();
      this.#deflate = createDeflateRaw({ windowBits: this.#out.windowBits, memLevel: 8 });
    }
    const z = await flushed(this.#deflate, message);
    return z.length >= 4 && z.subarray(-4).equals(TAIL) ? z.subarray(0, -4) : z;
  }

  /** Inflates one whole compressed message (its frames' payloads concatenated). */
  async decompress(payload: Buffer): Promise<Buffer> {
    if (!this.#inflate || this.#peer.noContextTakeover) {
      this.#inflate?.close();
      this.#inflate = createInflateRaw({ windowBits: this.#peer.windowBits });
    }
    return flushed(this.#inflate, Buffer.concat([payload, TAIL]));
  }

  close(): void {
    this.#deflate?.close();
    this.#inflate?.close();
  }
}
