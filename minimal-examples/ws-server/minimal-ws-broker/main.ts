/*
 * lws-minimal-ws-broker
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * A publish/subscribe broker on the lws-minimal-broker ws protocol (in
 * protocol-lws-minimal-broker.ts, which the showcase reuses). The page
 * opens a publisher and a subscriber; minimal-ws-client-tx publishes from
 * the command line and minimal-ws-client-rx subscribes.
 */
import { fileURLToPath } from 'node:url';
import { cmdline, createContext, log, SECURITY_HEADERS } from '@lws/core';
import { lwsMinimalBroker } from './protocol-lws-minimal-broker.ts';

const context = await createContext({
  port: cmdline.int('--port', 7681),
  logLevel: cmdline.int('-d', log.DEFAULT_LEVEL),
  headers: SECURITY_HEADERS,
  protocols: [lwsMinimalBroker],
  mounts: [
    {
      kind: 'file',
      mountpoint: '/',
      origin: fileURLToPath(new URL('./mount-origin', import.meta.url)),
      def: 'index.html',
    },
  ],
});

log.user(`LWS minimal ws broker | visit http://127.0.0.1:${context.port}`);
process.once('SIGINT', () => void context.destroy());
process.once('SIGTERM', () => void context.destroy());
