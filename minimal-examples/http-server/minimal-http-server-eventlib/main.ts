/*
 * lws-minimal-http-server-eventlib
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * lws's eventlib examples run a context on libuv, libevent or libev; in
 * Node the context always runs on Node's own libuv loop, next to whatever
 * else the application does on it. Here a timer on the context's scheduler
 * (lws_sul) ticks once a second beside the http server, and SIGINT or
 * SIGTERM closes everything cleanly: the loop empties and the process exits 0.
 */
import { fileURLToPath } from 'node:url';
import { cmdline, createContext, log, SECURITY_HEADERS } from '@lws/core';

const context = await createContext({
  port: cmdline.int('--port', 7681),
  logLevel: cmdline.int('-d', log.DEFAULT_LEVEL),
  headers: SECURITY_HEADERS,
  errorPages: { 404: '/404.html' },
  mounts: [{ kind: 'file', mountpoint: '/', origin: fileURLToPath(new URL('./mount-origin', import.meta.url)), def: 'index.html' }],
});

let ticks = 0;
const tick = context.sul.create(() => {
  ticks++;
  log.notice(`tick ${ticks}: ${context.wsiCount} connections`);
  tick.schedule(1000);
});
tick.schedule(1000);

log.user(`LWS minimal http server eventlib | visit http://127.0.0.1:${context.port}`);

async function shutdown(signal: string): Promise<void> {
  log.user(`${signal}: closing`);
  tick.cancel();
  await context.destroy();
  // nothing is left on the loop: the process ends by itself
  log.user('Completed: OK');
}
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
