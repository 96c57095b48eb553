/*
 * lws-minimal-http-server-dynamic
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Serves ./mount-origin, plus a callback mount on /dyn whose protocol
 * generates a page about each request (the time, the path, the headers),
 * sent chunked, one piece per writeable callback.
 */
import { fileURLToPath } from 'node:url';
import { cmdline, createContext, log, SECURITY_HEADERS } from '@lws/core';
import { dynamicProtocol } from './protocol-dynamic.ts';

const context = await createContext({
  port: cmdline.int('--port', 7681),
  iface: cmdline.str('--iface', '127.0.0.1'),
  logLevel: cmdline.int('-d', log.DEFAULT_LEVEL),
  headers: SECURITY_HEADERS,
  protocols: [dynamicProtocol],
  mounts: [
    { kind: 'callback', mountpoint: '/dyn', protocol: 'http' },
    {
      kind: 'file',
      mountpoint: '/',
      origin: fileURLToPath(new URL('./mount-origin', import.meta.url)),
      def: 'index.html',
    },
  ],
});

log.user(`LWS minimal http server dynamic | visit http://127.0.0.1:${context.port}`);
process.once('SIGINT', () => void context.destroy());
process.once('SIGTERM', () => void context.destroy());
