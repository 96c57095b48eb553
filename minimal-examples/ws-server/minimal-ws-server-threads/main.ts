/*
 * lws-minimal-ws-server-threads
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Serves a page and the lws-minimal ws protocol; two worker threads produce
 * messages that every connected client receives. The threads never touch a
 * connection: they feed the event loop through a bounded ThreadInbox, and
 * the protocol (protocol-lws-minimal.ts) broadcasts through a ring, one
 * message per writeable callback.
 */
import { fileURLToPath } from 'node:url';
import { cmdline, createContext, log, SECURITY_HEADERS } from '@lws/core';
import { lwsMinimalThreads } from './protocol-lws-minimal.ts';

const config = {
  threads: cmdline.int('--threads', 2),
  intervalMs: cmdline.int('--interval', 100),
  size: cmdline.int('--size', 0),
};
if (config.threads < 1 || config.threads > 16) throw new RangeError(`Cannot start: --threads must be 1..16, got ${config.threads}`);

const context = await createContext({
  port: cmdline.int('--port', 7681),
  logLevel: cmdline.int('-d', log.DEFAULT_LEVEL),
  headers: SECURITY_HEADERS,
  protocols: [lwsMinimalThreads(config)],
  mounts: [
    {
      kind: 'file',
      mountpoint: '/',
      origin: fileURLToPath(new URL('./mount-origin', import.meta.url)),
      def: 'index.html',
    },
  ],
});

log.user(`LWS minimal ws server threads | visit http://127.0.0.1:${context.port}`);
process.once('SIGINT', () => void context.destroy());
process.once('SIGTERM', () => void context.destroy());
