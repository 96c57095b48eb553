/*
 * lws-minimal-ws-client-pmd-bulk
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * The client of minimal-ws-server-pmd-bulk: offers permessage-deflate,
 * sends one large text and one large binary message as --chunks fragments
 * of 4 KiB (one per writeable callback), checks the two the server sends
 * byte for byte, and waits for the server's `verified 2 messages`.
 */
import { cmdline, createContext, defineProtocol, log, type LwsError } from '@lws/core';

const CHUNK = 4096;
const CHUNKS = cmdline.int('--chunks', 100);
const WORDS = ['lws', 'permessage', 'deflate', 'bulk', 'fragment', 'ring', 'vhost', 'wsi', 'writeable'];
const target = new URL(cmdline.str('--url', `ws://${cmdline.str('--server', '127.0.0.1')}:${cmdline.int('--port', 7681)}/`));

/** Fragment `index` of the text or binary message (the same generator as the server's). */
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
    b[i] = (x >>> 24) & 0x0f;
  }
  return b;
}

function verify(data: Buffer, binary: boolean): boolean {
  if (data.length !== CHUNK * CHUNKS) return false;
  for (let i = 0; i < CHUNKS; i++) if (!data.subarray(i * CHUNK, (i + 1) * CHUNK).equals(chunk(binary, i))) return false;
  return true;
}

let sent = 0;
let verified = 0;
let ok = false;

const client = defineProtocol({
  name: 'lws-minimal-pmd-bulk',
  ws: { maxMessageSize: CHUNK * CHUNKS },
  clientEstablished(wsi) {
    log.user('established');
    wsi.callbackOnWritable();
  },
  clientWriteable(wsi) {
    if (sent >= 2 * CHUNKS) return;
    const binary = sent >= CHUNKS;
    const i = sent % CHUNKS;
    wsi.write(chunk(binary, i), i === 0 ? (binary ? 'binary' : 'text') : 'continuation', { final: i === CHUNKS - 1 });
    if (++sent < 2 * CHUNKS) wsi.callbackOnWritable();
  },
  clientReceive(wsi, _pss, data, { binary }) {
    if (verified === 2) {
      ok = data.toString() === 'verified 2 messages';
      log.user(`server says: ${data.toString()}`);
      wsi.close(1000, 'done');
      return;
    }
    if (!verify(data, binary)) {
      log.err(`received ${binary ? 'binary' : 'text'} message differs (${data.length} bytes)`);
      wsi.close(1003, 'bulk data differs');
      return;
    }
    verified++;
    log.user(`${binary ? 'binary' : 'text'} message of ${data.length} bytes verified`);
  },
  clientConnectionError(_wsi, _pss, err: LwsError) {
    log.err(`connection error: ${err.message}`);
    void finish();
  },
  clientClosed() {
    void finish();
  },
});

const context = await createContext({
  logLevel: cmdline.int('-d', log.DEFAULT_LEVEL),
  protocols: [client],
  ws: { permessageDeflate: !cmdline.has('--no-pmd') },
});

async function finish(): Promise<void> {
  log.user(`Completed: ${ok ? 'OK' : 'failed'}`);
  process.exitCode = ok ? 0 : 1;
  await context.destroy();
}

log.user(`LWS minimal ws client pmd bulk | connecting to ${target.href}`);
context.clientConnect({
  address: target.hostname,
  port: Number(target.port || 80),
  path: target.pathname + target.search,
  protocol: 'lws-minimal-pmd-bulk',
  role: 'ws',
});
process.once('SIGINT', () => void context.destroy());
