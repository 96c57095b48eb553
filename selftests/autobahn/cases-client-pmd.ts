/*
 * Client-side permessage-deflate cases (RFC 7692): minimal-ws-client-echo
 * run with --pmd against the fuzzing server, which answers the client's
 * offer with a chosen response, inflates what the client sends with the
 * agreed client window, and echoes compressed with its own node:zlib
 * codec; plus responses the client must refuse.
 */
import { checkPmdResponse, parsePmdHeader, PmdCodec, sideParams } from './deflate.js';
import { closePayload, Op, type FrameSpec } from './frame.js';
import type { ClientCase } from './cases-client.js';
import type { ClientMessage, Script } from './server.js';

/** The client's offer must admit `agree` (RFC 7692 §7.1); a case whose response is illegal says so itself. */
export function legalFor(offer: string | undefined, agree: string): string | null {
  return offer ? checkPmdResponse(offer, agree) : 'the client offered no extension';
}

/**
 * Agree `agree` to a permessage-deflate offer, inflate each client message
 * (RSV1) and echo it as `frames(m, compressed, plain)` gives. An inflate
 * failure answers close 1007, so the client ends at once and the case fails.
 */
function pmdEcho(agree: string, frames: (m: ClientMessage, z: Buffer, plain: Buffer) => FrameSpec[]): () => Script {
  return () => {
    const params = parsePmdHeader(agree)[0]!.params;
    const codec = new PmdCodec(sideParams(params, 'server'), sideParams(params, 'client'));
    let chain = Promise.resolve();
    return {
      extensions: (offer) => (offer?.includes('permessage-deflate') ? agree : undefined),
      onMessage: (c, m) => {
        chain = chain
          .then(async () => {
            const plain = m.rsv === 4 ? await codec.decompress(m.data) : m.data;
            await c.send(frames(m, await codec.compress(plain), plain));
          })
          .catch(() => void c.send([{ opcode: Op.Close, payload: closePayload(1007, 'inflate failed') }]));
      },
    };
  };
}

const whole = (m: ClientMessage, z: Buffer): FrameSpec[] => [{ opcode: m.opcode, payload: z, rsv: 4 }];

function thirds(m: ClientMessage, z: Buffer, rsvOnRest = 0): FrameSpec[] {
  const n = Math.ceil(z.length / 3) || 1;
  return [
    { opcode: m.opcode, payload: z.subarray(0, n), rsv: 4, fin: false },
    { opcode: Op.Ping, payload: `ping ${m.index}` },
    { opcode: Op.Cont, payload: z.subarray(n, 2 * n), fin: false, rsv: rsvOnRest },
    { opcode: Op.Cont, payload: z.subarray(2 * n), rsv: rsvOnRest },
  ];
}

/** Cases whose echoes the client must accept. */
function accepted(): ClientCase[] {
  const pmd = ['--pmd'];
  return [
    { id: 'C.12.1', title: 'permessage-deflate agreed without params: compressed echoes', count: 8, args: pmd, agree: 'permessage-deflate', script: pmdEcho('permessage-deflate', whole), ok: true, close: [1000] },
    {
      id: 'C.12.2',
      title: 'no context takeover both ways: compressed echoes in 3 fragments with a ping between',
      count: 3,
      args: pmd,
      agree: 'permessage-deflate; server_no_context_takeover; client_no_context_takeover',
      script: pmdEcho('permessage-deflate; server_no_context_takeover; client_no_context_takeover', (m, z) => thirds(m, z)),
      ok: true,
      close: [1000],
      pongs: [0, 1, 2].map((i) => Buffer.from(`ping ${i}`).toString('hex')),
    },
    {
      id: 'C.12.3',
      title: 'server_max_window_bits=9: echoes compressed with a 512-byte window',
      count: 8,
      args: pmd,
      agree: 'permessage-deflate; server_max_window_bits=9',
      script: pmdEcho('permessage-deflate; server_max_window_bits=9', whole),
      ok: true,
      close: [1000],
    },
    {
      id: 'C.12.4',
      title: 'client_max_window_bits=9: the client compresses within 512 bytes (inflated with that window)',
      count: 8,
      args: pmd,
      agree: 'permessage-deflate; client_max_window_bits=9',
      script: pmdEcho('permessage-deflate; client_max_window_bits=9', whole),
      ok: true,
      close: [1000],
    },
    {
      id: 'C.12.5',
      title: 'permessage-deflate agreed, echoes sent uncompressed (RSV1 clear): accepted',
      count: 4,
      args: pmd,
      agree: 'permessage-deflate',
      script: pmdEcho('permessage-deflate', (m, _z, plain) => [{ opcode: m.opcode, payload: plain }]),
      ok: true,
      close: [1000],
    },
  ];
}

/** Cases the client must fail. */
function refused(): ClientCase[] {
  const pmd = ['--pmd'];
  const agree = 'permessage-deflate';
  return [
    {
      id: 'C.12.6',
      title: 'RSV1 on continuation frames too: client closes 1002',
      count: 2,
      args: pmd,
      agree,
      script: pmdEcho(agree, (m, z) => thirds(m, z, 4).filter((f) => f.opcode !== Op.Ping)),
      ok: false,
      close: [1002],
    },
    {
      id: 'C.12.7',
      title: 'RSV1 on data that is not deflate: client closes 1007',
      count: 2,
      args: pmd,
      agree,
      script: pmdEcho(agree, (m) => [{ opcode: m.opcode, payload: Buffer.alloc(16, 0xff), rsv: 4 }]),
      ok: false,
      close: [1007],
    },
  ];
}

/** Responses that must fail the client's handshake: no ws frames, exit 1. */
function badResponses(): ClientCase[] {
  const forced = (ext: string): (() => Script) => () => ({ extensions: () => ext, onMessage: () => undefined });
  return [
    { id: 'C.12.8', title: 'permessage-deflate answered though not offered: handshake fails', count: 1, script: forced('permessage-deflate'), ok: false, close: [], handshakeFails: true },
    {
      id: 'C.12.9',
      title: 'response with server_max_window_bits=7: handshake fails',
      count: 1,
      args: ['--pmd'],
      script: forced('permessage-deflate; server_max_window_bits=7'),
      ok: false,
      close: [],
      handshakeFails: true,
    },
    {
      id: 'C.12.10',
      title: 'response with an unknown extension: handshake fails',
      count: 1,
      args: ['--pmd'],
      script: forced('x-unknown-extension'),
      ok: false,
      close: [],
      handshakeFails: true,
    },
  ];
}

/** All client-side permessage-deflate cases. */
export function clientPmdCases(): ClientCase[] {
  return [...accepted(), ...refused(), ...badResponses()];
}
