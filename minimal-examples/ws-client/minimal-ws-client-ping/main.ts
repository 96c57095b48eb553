/*
 * lws-minimal-ws-client-ping
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Sends a ping every --interval ms, each carrying its sequence number and
 * send time, and prints the round trip when the pong comes back (the
 * server answers pings by itself). Closes after --count pongs; a pong
 * that does not match the ping we sent fails the run.
 */
import { cmdline, createContext, defineProtocol, log, type LwsError, type Sul } from '@lws/core';

const count = cmdline.int('--count', 5);
const interval = cmdline.int('--interval', 100);
const target = new URL(cmdline.str('--url', `ws://${cmdline.str('--server', '127.0.0.1')}:${cmdline.int('--port', 7681)}/`));

let pinged = 0;
let ponged = 0;
let ok = false;
let timer: Sul | undefined;

const client = defineProtocol({
  name: 'lws-minimal-client-ping',
  clientEstablished(wsi) {
    log.user('established');
    timer = context.sul.create(() => wsi.callbackOnWritable());
    wsi.callbackOnWritable();
  },
  clientWriteable(wsi) {
    if (pinged > ponged || pinged === count) return; // one ping in flight at a time
    wsi.write(`${pinged++} ${performance.now()}`, 'ping');
  },
  receivePong(wsi, _pss, data) {
    const [seq, t] = data.toString().split(' ');
    if (Number(seq) !== ponged) {
      log.err(`pong ${seq ?? '?'} does not answer ping ${ponged}`);
      wsi.close(1000, 'bad pong');
      return;
    }
    log.user(`pong ${ponged}: ${(performance.now() - Number(t)).toFixed(2)} ms`);
    if (++ponged === count) {
      ok = true;
      wsi.close(1000, 'done');
      return;
    }
    timer?.schedule(interval);
  },
  clientReceive() {},
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

log.user(`LWS minimal ws client ping | connecting to ${target.href}`);
context.clientConnect({
  address: target.hostname,
  port: Number(target.port || 80),
  path: target.pathname + target.search,
  protocol: 'lws-minimal-client-ping',
  role: 'ws',
  extra: { subprotocol: cmdline.str('--protocol', 'lws-minimal-server-echo') },
});
process.once('SIGINT', () => void context.destroy());
