/*
 * lws-minimal-ws-server-pmd-bulk
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Bulk transfer with permessage-deflate, both ways. Each client gets one
 * large text and one large binary message, each sent as --chunks fragments
 * of 4 KiB, one fragment per writeable callback, so the server never holds
 * more than one fragment per connection. The client sends the same two
 * messages back; the server checks them byte for byte and answers
 * `verified 2 messages` (or closes with 1003 on a mismatch).
 */
import { cmdline, createContext, defineProtocol, log } from '@lws/core';

const CHUNK = 4096;
const CHUNKS = cmdline.int('--chunks', 100);
const WORDS = ['lws', 'permessage', 'deflate', 'bulk', 'fragment', 'ring', 'vhost', 'wsi', 'writeable'];

/** Fragment `index` of the text or binary message: compressible, different at every index. */
function chunk(binary: boolean, index: number): Buffer {
  if (!binary) {
    let s = '';
    for (let k = 0; s.length < CHUNK; k++) s += `${WORDS[(k * 7 + index) % WORDS.length]} `;
    return Buffer.from(s.slice(0, CHUNK));
  }
  const b = Buffer.allocUnsafe(CHUNK);
  let x = (index + 1) * 2654435761;
  for (let i = 0; i < CHUNK; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = (x >>> 24) & 0x0f; // 16 symbols: compresses to about half
  }
  return b;
}

/** Does `data` hold exactly the CHUNKS fragments of that message? */
function verify(data: Buffer, binary: boolean): boolean {
  if (data.length !== CHUNK * CHUNKS) return false;
  for (let i = 0; i < CHUNKS; i++) if (!data.subarray(i * CHUNK, (i + 1) * CHUNK).equals(chunk(binary, i))) return false;
  return true;
}

interface Pss {
  /** Fragments sent so far: text 0..CHUNKS-1, then binary. */
  sent: number;
  verified: number;
  verdictDue: boolean;
}

const bulk = defineProtocol<Pss>({
  name: 'lws-minimal-pmd-bulk',
  ws: { maxMessageSize: CHUNK * CHUNKS },
  newPss: () => ({ sent: 0, verified: 0, verdictDue: false }),
  established: (wsi) => wsi.callbackOnWritable(),

  serverWriteable(wsi, pss) {
    if (pss.sent < 2 * CHUNKS) {
      const binary = pss.sent >= CHUNKS;
      const i = pss.sent % CHUNKS;
      wsi.write(chunk(binary, i), i === 0 ? (binary ? 'binary' : 'text') : 'continuation', { final: i === CHUNKS - 1 });
      pss.sent++;
      wsi.callbackOnWritable();
      return;
    }
    if (pss.verdictDue) {
      pss.verdictDue = false;
      wsi.write(`verified ${pss.verified} messages`, 'text');
    }
  },

  receive(wsi, pss, data, { binary }) {
    if (!verify(data, binary)) {
      log.err(`received ${binary ? 'binary' : 'text'} message differs (${data.length} bytes)`);
      wsi.close(1003, 'bulk data differs');
      return;
    }
    log.user(`${binary ? 'binary' : 'text'} message of ${data.length} bytes verified`);
    if (++pss.verified === 2) {
      pss.verdictDue = true;
      wsi.callbackOnWritable();
    }
  },
});

const context = await createContext({
  port: cmdline.int('--port', 7681),
  logLevel: cmdline.int('-d', log.DEFAULT_LEVEL),
  protocols: [bulk],
  ws: { permessageDeflate: !cmdline.has('--no-pmd') },
});
log.user(`LWS minimal ws server pmd bulk | ws://127.0.0.1:${context.port}`);
process.once('SIGINT', () => void context.destroy());
process.once('SIGTERM', () => void context.destroy());
