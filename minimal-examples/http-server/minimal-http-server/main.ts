/*
 * lws-minimal-http-server
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * The smallest useful http server: one vhost serving ./mount-origin on
 * port 7681, with a strict Content-Security-Policy and lws's other
 * security headers on every response, and a 404 page.
 */
import { fileURLToPath } from 'node:url';
import { cmdline, createContext, log, SECURITY_HEADERS } from '@lws/core';

const context = await createContext({
  port: cmdline.int('--port', 7681),
  iface: cmdline.str('--iface', '127.0.0.1'),
  logLevel: cmdline.int('-d', log.DEFAULT_LEVEL),
  headers: SECURITY_HEADERS,
  errorPages: { 404: '/404.html' },
  mounts: [
    {
      kind: 'file',
      mountpoint: '/',
      origin: fileURLToPath(new URL('./mount-origin', import.meta.url)),
      def: 'index.html',
    },
  ],
});

log.user(`LWS minimal http server | visit http://127.0.0.1:${context.port}`);
process.once('SIGINT', () => void context.destroy());
process.once('SIGTERM', () => void context.destroy());
