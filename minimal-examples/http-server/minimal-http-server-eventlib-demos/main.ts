/*
 * lws-minimal-http-server-eventlib-demos
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * minimal-http-server-eventlib plus the lws test server's demo protocols:
 * dumb-increment-protocol (a counter per connection) and
 * lws-mirror-protocol (a shared drawing board), with a page that uses both.
 * lws's own C test client, libwebsockets-test-client, can be pointed at it.
 */
import { fileURLToPath } from 'node:url';
import { cmdline, createContext, log, SECURITY_HEADERS } from '@lws/core';
import { dumbIncrement } from './protocol-dumb-increment.ts';
import { lwsMirror } from './protocol-lws-mirror.ts';

const context = await createContext({
  port: cmdline.int('--port', 7681),
  logLevel: cmdline.int('-d', log.DEFAULT_LEVEL),
  headers: SECURITY_HEADERS,
  errorPages: { 404: '/404.html' },
  protocols: [dumbIncrement, lwsMirror],
  ws: { permessageDeflate: cmdline.has('--pmd') },
  mounts: [{ kind: 'file', mountpoint: '/', origin: fileURLToPath(new URL('./mount-origin', import.meta.url)), def: 'index.html' }],
});

log.user(`LWS minimal http server eventlib demos | visit http://127.0.0.1:${context.port}`);

async function shutdown(signal: string): Promise<void> {
  log.user(`${signal}: closing`);
  await context.destroy();
  log.user('Completed: OK');
}
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
