/*
 * lws-minimal-ws-client-echo
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Connects to an echo server (minimal-ws-server-echo), sends --count
 * messages of growing size, text and binary by turns, one per writeable
 * callback, checks each echo byte for byte, then closes. With --protocol
 * lws-mirror-protocol --text --max-size 100 it works against the lws test
 * server's mirror, which relays every message back to its sender. With
 * --retry N a connection that fails before it is established is tried
 * again up to N more times with lws's backoff; the protocol hears only the
 * final outcome.
 */
import { createHash } from 'node:crypto';
import { cmdline, createContext, defineProtocol, log, type LwsError } from '@lws/core';

const count = cmdline.int('--count', 10);
const maxSize = cmdline.int('--max-size', 1024 * 1024);
const textOnly = cmdline.has('--text');
const subprotocol = cmdline.str('--protocol', 'lws-minimal-server-echo');
const retries = cmdline.int('--retry', 0); // extra attempts after a failed connect
const target = new URL(cmdline.str('--url', `ws://${cmdline.str('--server', '127.0.0.1')}:${cmdline.int('--port', 7681)}/`));

/** Message i: text messages are printable, binary ones every byte value. */
function message(i: number): { data: Buffer; binary: boolean } {
  const size = Math.min(1 + i * 997, maxSize);
  if (i % 2 === 0 || textOnly) return { data: Buffer.from(`${i} ${'lws-echo '.repeat(Math.ceil(size / 9))}`.slice(0, size)), binary: false };
  return { data: Buffer.from(Array.from({ length: size }, (_, k) => (k * 31 + i) & 0xff)), binary: true };
}

let sent = 0;
let matched = 0;
let ok = false;

const client = defineProtocol({
  name: 'lws-minimal-client-echo',
  clientEstablished(wsi) {
    log.user('established');
    wsi.callbackOnWritable();
  },
  clientWriteable(wsi) {
    if (sent >= count) return;
    const m = message(sent++);
    wsi.write(m.data, m.binary ? 'binary' : 'text');
    if (sent < count) wsi.callbackOnWritable();
  },
  clientReceive(wsi, _pss, data, { binary }) {
    const want = message(matched);
    if (binary !== want.binary || !data.equals(want.data)) {
      log.err(`echo ${matched} differs: ${data.length} bytes, expected ${want.data.length}`);
      wsi.close(1000, 'mismatch');
      return;
    }
    matched++;
    if (matched === count) {
      log.user(`${count} messages echoed, sha1 of last ${createHash('sha1').update(data).digest('hex')}`);
      ok = true;
      wsi.close(1000, 'done');
    }
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
  ws: { permessageDeflate: cmdline.has('--pmd') },
});

async function finish(): Promise<void> {
  log.user(`Completed: ${ok ? 'OK' : 'failed'}`);
  process.exitCode = ok ? 0 : 1;
  await context.destroy();
}

log.user(`LWS minimal ws client echo | connecting to ${target.href}`);
context.clientConnect({
  address: target.hostname,
  port: Number(target.port || (target.protocol === 'wss:' ? 443 : 80)),
  ssl: target.protocol === 'wss:' || target.protocol === 'https:',
  path: target.pathname + target.search,
  protocol: 'lws-minimal-client-echo',
  role: 'ws',
  extra: { subprotocol },
  // lws_retry_bo_t: waits of 100, 200, 400, 800, 1600 ms (the last repeated), +0..20% jitter
  retry: retries > 0 ? { attempts: 1 + retries } : undefined,
});
process.once('SIGINT', () => void context.destroy());
