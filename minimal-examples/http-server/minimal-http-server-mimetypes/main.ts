/*
 * lws-minimal-http-server-mimetypes
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Serves ./mount-origin on port 7681 with extra mimetypes on the mount:
 * files whose extensions the default table does not know are served with
 * the type the mount gives them instead of application/octet-stream.
 */
import { fileURLToPath } from 'node:url';
import { cmdline, createContext, log, SECURITY_HEADERS } from '@lws/core';

const context = await createContext({
  port: cmdline.int('--port', 7681),
  logLevel: cmdline.int('-d', log.DEFAULT_LEVEL),
  headers: SECURITY_HEADERS,
  errorPages: { 404: '/404.html' },
  mounts: [
    {
      kind: 'file',
      mountpoint: '/',
      origin: fileURLToPath(new URL('./mount-origin', import.meta.url)),
      def: 'index.html',
      extraMimetypes: { '.lwsnote': 'text/plain; charset=utf-8', '.lwsdata': 'application/json' },
    },
  ],
});

log.user(`LWS minimal http server mimetypes | visit http://127.0.0.1:${context.port}`);
process.once('SIGINT', () => void context.destroy());
process.once('SIGTERM', () => void context.destroy());
