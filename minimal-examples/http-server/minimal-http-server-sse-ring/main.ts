/*
 * lws-minimal-http-server-sse-ring
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Serves ./mount-origin, whose page opens an EventSource on /sse: every
 * client receives the same messages, published by a timer into a ring
 * buffer that each client reads at its own pace (lws_ring).
 */
import { fileURLToPath } from 'node:url';
import { cmdline, createContext, log, SECURITY_HEADERS } from '@lws/core';
import { sseRingProtocol } from './protocol-sse-ring.ts';

const context = await createContext({
  port: cmdline.int('--port', 7681),
  iface: cmdline.str('--iface', '127.0.0.1'),
  logLevel: cmdline.int('-d', log.DEFAULT_LEVEL),
  headers: SECURITY_HEADERS,
  protocols: [sseRingProtocol(cmdline.int('--interval', 1000))],
  mounts: [
    { kind: 'callback', mountpoint: '/sse', protocol: 'sse-ring' },
    {
      kind: 'file',
      mountpoint: '/',
      origin: fileURLToPath(new URL('./mount-origin', import.meta.url)),
      def: 'index.html',
    },
  ],
});

log.user(`LWS minimal http server SSE ring | visit http://127.0.0.1:${context.port}`);
process.once('SIGINT', () => void context.destroy());
process.once('SIGTERM', () => void context.destroy());
