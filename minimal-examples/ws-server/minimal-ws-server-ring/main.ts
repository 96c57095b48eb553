/*
 * lws-minimal-ws-server-ring
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * minimal-ws-server with a ring that never drops: a sender that gets ahead
 * of the slowest receiver is paused with rxFlowControl until there is room
 * (see protocol-lws-minimal.ts). minimal-ws-client-spam exercises it.
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

log.user(`LWS minimal ws server ring | visit http://127.0.0.1:${context.port}`);
process.once('SIGINT', () => void context.destroy());
process.once('SIGTERM', () => void context.destroy());
