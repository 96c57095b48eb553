/*
 * lws-minimal-ws-server-pmd
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * minimal-ws-server with permessage-deflate (RFC 7692) agreed with every
 * client that offers it: browsers do, so messages at or above the
 * threshold travel compressed both ways. The protocol code is unchanged:
 * compression is the vhost's business, not the protocol's.
 */
import { fileURLToPath } from 'node:url';
import { cmdline, createContext, log, SECURITY_HEADERS } from '@lws/core';
import { lwsMinimal } from './protocol-lws-minimal.ts';

const context = await createContext({
  port: cmdline.int('--port', 7681),
  logLevel: cmdline.int('-d', log.DEFAULT_LEVEL),
  headers: SECURITY_HEADERS,
  protocols: [lwsMinimal],
  ws: {
    // compress every message, even short ones, so the page shows it working
    permessageDeflate: { threshold: cmdline.int('--threshold', 0), serverMaxWindowBits: 15 },
  },
  mounts: [
    {
      kind: 'file',
      mountpoint: '/',
      origin: fileURLToPath(new URL('./mount-origin', import.meta.url)),
      def: 'index.html',
    },
  ],
});

log.user(`LWS minimal ws server + permessage-deflate | visit http://127.0.0.1:${context.port}`);
process.once('SIGINT', () => void context.destroy());
process.once('SIGTERM', () => void context.destroy());
