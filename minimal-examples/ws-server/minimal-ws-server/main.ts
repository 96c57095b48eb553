/*
 * lws-minimal-ws-server
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Serves a page from ./mount-origin over http and, on the same port, the
 * lws-minimal ws protocol: whatever one browser sends, every connected
 * browser shows. Open the page in two tabs and type in one.
 */
import { fileURLToPath } from 'node:url';
import { cmdline, createContext, log, SECURITY_HEADERS } from '@lws/core';
import { lwsMinimal } from './protocol-lws-minimal.ts';

const context = await createContext({
  port: cmdline.int('--port', 7681),
  logLevel: cmdline.int('-d', log.DEFAULT_LEVEL),
  headers: SECURITY_HEADERS,
  protocols: [lwsMinimal],
  mounts: [
    {
      kind: 'file',
      mountpoint: '/',
      origin: fileURLToPath(new URL('./mount-origin', import.meta.url)),
      def: 'index.html',
    },
  ],
});

log.user(`LWS minimal ws server | visit http://127.0.0.1:${context.port}`);
process.once('SIGINT', () => void context.destroy());
process.once('SIGTERM', () => void context.destroy());
