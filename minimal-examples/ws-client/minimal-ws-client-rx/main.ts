/*
 * lws-minimal-ws-client-rx
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Connects with the dumb-increment-protocol (the lws test server's counter,
 * or minimal-ws-server-ring style servers that send on their own), prints
 * each message received, and after --count messages closes. With
 * --increment it also checks that each message is the previous plus one.
 */
import { cmdline, createContext, defineProtocol, log, type LwsError } from '@lws/core';

const count = cmdline.int('--count', 10);
const checkIncrement = cmdline.has('--increment');
const subprotocol = cmdline.str('--protocol', 'dumb-increment-protocol');
const target = new URL(cmdline.str('--url', `ws://${cmdline.str('--server', '127.0.0.1')}:${cmdline.int('--port', 7681)}/`));

let received = 0;
let last: number | undefined;
let ok = false;

const client = defineProtocol({
  name: 'lws-minimal-client-rx',
  clientEstablished() {
    log.user('established');
  },
  clientReceive(wsi, _pss, data) {
    const text = data.toString();
    log.user(`RX: ${text.length <= 64 ? text : `${text.slice(0, 64)}... (${data.length} bytes)`}`);
    if (checkIncrement) {
      const n = Number(text);
      if (!Number.isInteger(n) || (last !== undefined && n !== last + 1)) {
        log.err(`not an increment: "${text}" after ${String(last)}`);
        wsi.close(1000, 'bad sequence');
        return;
      }
      last = n;
    }
    if (++received === count) {
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

log.user(`LWS minimal ws client rx | connecting to ${target.href}`);
context.clientConnect({
  address: target.hostname,
  port: Number(target.port || 80),
  path: target.pathname + target.search,
  protocol: 'lws-minimal-client-rx',
  role: 'ws',
  extra: { subprotocol },
});
process.once('SIGINT', () => void context.destroy());
