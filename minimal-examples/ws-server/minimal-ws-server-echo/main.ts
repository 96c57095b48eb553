/*
 * lws-minimal-ws-server-echo
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Sends each ws client back what it sent. receive() only queues and asks
 * for a writeable callback; serverWriteable() sends one message. A client
 * that sends faster than it reads is flow-controlled: memory stays bounded.
 */
import { cmdline, createContext, defineProtocol, log } from '@lws/core';

const QUEUE_MAX = 8; // messages held per connection before we stop reading

interface Pss {
  queue: { data: Buffer; binary: boolean }[];
}

const echo = defineProtocol<Pss>({
  name: 'lws-minimal-server-echo',
  ws: { maxMessageSize: cmdline.int('--max-message', 1024 * 1024) },
  newPss: () => ({ queue: [] }),

  receive(wsi, pss, data, { binary }) {
    pss.queue.push({ data, binary }); // data is ours to keep
    if (pss.queue.length >= QUEUE_MAX) wsi.rxFlowControl(false);
    wsi.callbackOnWritable();
  },

  serverWriteable(wsi, pss) {
    const msg = pss.queue.shift();
    if (!msg) return;
    wsi.write(msg.data, msg.binary ? 'binary' : 'text');
    wsi.rxFlowControl(true);
    if (pss.queue.length > 0) wsi.callbackOnWritable();
  },
});

const context = await createContext({
  port: cmdline.int('--port', 7681),
  logLevel: cmdline.int('-d', log.DEFAULT_LEVEL),
  protocols: [echo],
  ws: { permessageDeflate: cmdline.has('--pmd') },
});
log.user(`LWS minimal ws server echo | ws://127.0.0.1:${context.port}`);
process.once('SIGINT', () => void context.destroy());
process.once('SIGTERM', () => void context.destroy());
