/*
 * lws-minimal-ws-proxy
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * A ws server whose every connection opens its own ws client connection to
 * an upstream server (--upstream) and passes messages both ways. Each
 * direction has a queue of QUEUE_MAX messages: when it fills, the side that
 * feeds it is paused with rxFlowControl until the other side's writeable
 * callbacks have drained it, so a fast talker at either end is slowed to
 * the pace of the other instead of growing memory. A close at either end
 * closes the other with the same code.
 */
import { cmdline, CloseCode, createContext, defineProtocol, log, type Context, type Wsi } from '@lws/core';

const QUEUE_MAX = 8; // messages held per direction per connection before the sender is paused

interface Msg {
  data: Buffer;
  binary: boolean;
}

/** One proxied connection: the downstream (server) wsi and its upstream (client) wsi share it. */
interface Link {
  down: Wsi;
  up: Wsi | undefined;
  upReady: boolean;
  toUp: Msg[];
  toDown: Msg[];
}

const upstream = new URL(cmdline.str('--upstream', 'ws://127.0.0.1:7682/'));
if (upstream.protocol !== 'ws:') throw new RangeError(`Cannot proxy: --upstream must be a ws:// URL, got "${upstream.href}"`);
const upstreamProtocol = cmdline.str('--upstream-protocol', '');
let context: Context;

/** Queue `msg` towards `to`; pause `from` while the queue is full. */
function forward(queue: Msg[], msg: Msg, from: Wsi, to: Wsi | undefined, ready: boolean): void {
  queue.push(msg);
  if (queue.length >= QUEUE_MAX) from.rxFlowControl(false);
  if (to && ready) to.callbackOnWritable();
}

/** Write one queued message to `to`; let `from` talk again once there is room. */
function drain(queue: Msg[], to: Wsi, from: Wsi | undefined): void {
  const msg = queue.shift();
  if (!msg) return;
  to.write(msg.data, msg.binary ? 'binary' : 'text');
  if (queue.length < QUEUE_MAX) from?.rxFlowControl(true);
  if (queue.length > 0) to.callbackOnWritable();
}

const proxy = defineProtocol<Link>({
  name: cmdline.str('--protocol', 'lws-minimal-proxy'),
  newPss: (wsi) => ({ down: wsi, up: undefined, upReady: false, toUp: [], toDown: [] }),

  established(wsi, link) {
    const up = context.clientConnect({
      address: upstream.hostname,
      port: Number(upstream.port || 80),
      path: `${upstream.pathname}${upstream.search}`,
      protocol: 'lws-minimal-proxy-upstream',
      role: 'ws',
      extra: { subprotocol: upstreamProtocol },
    });
    up.user = link;
    link.up = up;
  },

  receive(wsi, link, data, { binary }) {
    forward(link.toUp, { data, binary }, wsi, link.up, link.upReady);
  },

  serverWriteable(wsi, link) {
    drain(link.toDown, wsi, link.up);
  },

  closed(_wsi, link, { code, reason }) {
    link.up?.close(code === CloseCode.Abnormal || code === CloseCode.NoStatus ? CloseCode.GoingAway : code, reason);
  },
});

const proxyUpstream = defineProtocol({
  name: 'lws-minimal-proxy-upstream',

  clientEstablished(wsi) {
    const link = wsi.user as Link;
    link.upReady = true;
    log.info(`wsi ${link.down.id}: upstream ${upstream.href} established as wsi ${wsi.id}`);
    if (link.toUp.length > 0) wsi.callbackOnWritable();
  },

  clientConnectionError(wsi, _pss, err) {
    const link = wsi.user as Link;
    log.warn(`wsi ${link.down.id}: upstream ${upstream.href} failed: ${err.message}`);
    link.down.close(CloseCode.InternalError, 'upstream unreachable');
  },

  clientReceive(wsi, _pss, data, { binary }) {
    const link = wsi.user as Link;
    forward(link.toDown, { data, binary }, wsi, link.down, true);
  },

  clientWriteable(wsi) {
    const link = wsi.user as Link;
    drain(link.toUp, wsi, link.down);
  },

  clientClosed(wsi, _pss, { code, reason }) {
    const link = wsi.user as Link;
    link.upReady = false;
    link.down.close(code === CloseCode.Abnormal || code === CloseCode.NoStatus ? CloseCode.GoingAway : code, reason);
  },
});

context = await createContext({
  port: cmdline.int('--port', 7681),
  logLevel: cmdline.int('-d', log.DEFAULT_LEVEL),
  protocols: [proxy, proxyUpstream],
});

log.user(`LWS minimal ws proxy | ws://127.0.0.1:${context.port} -> ${upstream.href}`);
process.once('SIGINT', () => void context.destroy());
process.once('SIGTERM', () => void context.destroy());
