/*
 * lws-minimal-ws-client-tx
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Publishes to minimal-ws-broker: connects to /publisher with the
 * lws-minimal-broker protocol and sends `tx: N` every --interval ms, from
 * a scheduled callback (lws_sul) that only asks for a writeable callback;
 * the write itself happens in clientWriteable. Closes after --count.
 */
import { cmdline, createContext, defineProtocol, log, type LwsError, type Sul } from '@lws/core';

const count = cmdline.int('--count', 10);
const interval = cmdline.int('--interval', 100);
const target = new URL(cmdline.str('--url', `ws://${cmdline.str('--server', '127.0.0.1')}:${cmdline.int('--port', 7681)}/publisher`));

let sent = 0;
let ok = false;
let timer: Sul | undefined;

const client = defineProtocol({
  name: 'lws-minimal-client-tx',
  clientEstablished(wsi) {
    log.user('established');
    timer = context.sul.create(() => wsi.callbackOnWritable());
    timer.schedule(interval);
  },
  clientWriteable(wsi) {
    if (sent === count) return;
    wsi.write(`tx: ${sent++}`, 'text');
    if (sent < count) {
      timer?.schedule(interval);
      return;
    }
    log.user(`sent ${count} messages`);
    ok = true;
    wsi.close(1000, 'done');
  },
  clientConnectionError(_wsi, _pss, err: LwsError) {
    log.err(`connection error: ${err.message}`);
    void finish();
  },
  clientClosed() {
    void finish();
  },
});

const context = await createContext({ logLevel: cmdline.int('-d', log.DEFAULT_LEVEL), protocols: [client] });

async function finish(): Promise<void> {
  timer?.cancel();
  log.user(`Completed: ${ok ? 'OK' : 'failed'}`);
  process.exitCode = ok ? 0 : 1;
  await context.destroy();
}

log.user(`LWS minimal ws client tx | publishing to ${target.href}`);
context.clientConnect({
  address: target.hostname,
  port: Number(target.port || 80),
  path: target.pathname,
  protocol: 'lws-minimal-client-tx',
  role: 'ws',
  extra: { subprotocol: 'lws-minimal-broker' },
});
process.once('SIGINT', () => void context.destroy());
