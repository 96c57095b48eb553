/*
 * lws-minimal-http-server-sse
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Serves ./mount-origin, whose page opens an EventSource on /sse: a
 * callback mount answering with a Server-Sent Events stream, one per
 * client, each with its own counter, one event per writeable callback.
 */
import { fileURLToPath } from 'node:url';
import { cmdline, createContext, log, SECURITY_HEADERS } from '@lws/core';
import { sseProtocol } from './protocol-sse.ts';

const context = await createContext({
  port: cmdline.int('--port', 7681),
  iface: cmdline.str('--iface', '127.0.0.1'),
  logLevel: cmdline.int('-d', log.DEFAULT_LEVEL),
  headers: SECURITY_HEADERS,
  protocols: [sseProtocol(cmdline.int('--interval', 1000))],
  mounts: [
    { kind: 'callback', mountpoint: '/sse', protocol: 'sse' },
    {
      kind: 'file',
      mountpoint: '/',
      origin: fileURLToPath(new URL('./mount-origin', import.meta.url)),
      def: 'index.html',
    },
  ],
});

log.user(`LWS minimal http server SSE | visit http://127.0.0.1:${context.port}`);
process.once('SIGINT', () => void context.destroy());
process.once('SIGTERM', () => void context.destroy());
