/*
 * lws-minimal-ws-client-spam
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Opens --count connections to a lws-minimal server (minimal-ws-server or
 * minimal-ws-server-ring), never more than --limit at once: each sends one
 * message, waits for the first broadcast to come back, and closes; the
 * next connection starts when one ends. Any connection error, or a
 * connection that receives nothing within --timeout s, fails the run.
 */
import { cmdline, createContext, defineProtocol, log, type LwsError } from '@lws/core';

const count = cmdline.int('--count', 100);
const limit = cmdline.int('--limit', 10);
const timeoutSecs = cmdline.int('--timeout', 10);
const target = new URL(cmdline.str('--url', `ws://${cmdline.str('--server', '127.0.0.1')}:${cmdline.int('--port', 7681)}/`));

interface Pss {
  n: number;
  received: boolean;
}

let started = 0;
let live = 0;
let done = 0;
let errors = 0;

const spam = defineProtocol<Pss>({
  name: 'lws-minimal-client-spam',
  newPss: () => ({ n: started, received: false }),
  clientEstablished(wsi) {
    wsi.setTimeout('user', timeoutSecs);
    wsi.callbackOnWritable();
  },
  clientWriteable(wsi, pss) {
    wsi.write(`spam ${pss.n}`, 'text');
  },
  clientReceive(wsi, pss) {
    if (pss.received) return;
    pss.received = true;
    wsi.close(1000, 'spammed');
  },
  clientConnectionError(_wsi, pss, err: LwsError) {
    log.err(`connection ${pss.n}: ${err.message}`);
    errors++;
    ended();
  },
  clientClosed(_wsi, pss) {
    if (!pss.received) {
      log.err(`connection ${pss.n} closed before receiving anything`);
      errors++;
    } else done++;
    ended();
  },
});

const context = await createContext({ logLevel: cmdline.int('-d', log.DEFAULT_LEVEL), protocols: [spam] });

function connectMore(): void {
  while (live < limit && started < count && errors === 0) {
    live++;
    context.clientConnect({
      address: target.hostname,
      port: Number(target.port || 80),
      path: target.pathname,
      protocol: 'lws-minimal-client-spam',
      role: 'ws',
      extra: { subprotocol: 'lws-minimal' },
    });
    started++; // after connecting: newPss reads `started` as this connection's number
  }
}

function ended(): void {
  live--;
  if (started < count && errors === 0) return connectMore();
  if (live > 0) return;
  const ok = errors === 0 && done === count;
  log.user(`${done} of ${count} connections completed, ${errors} errors`);
  log.user(`Completed: ${ok ? 'OK' : 'failed'}`);
  process.exitCode = ok ? 0 : 1;
  void context.destroy();
}

log.user(`LWS minimal ws client spam | ${count} connections, ${limit} at once, to ${target.href}`);
connectMore();
process.once('SIGINT', () => void context.destroy());
