/*
 * lws-minimal-http-server-multivhost
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Three vhosts in one context: localhost1 and localhost3 share port 7681
 * and are told apart by the Host header (the first is the default), and
 * localhost2 listens alone on port 7682. Each serves its own directory.
 */
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { cmdline, createContext, log, SECURITY_HEADERS, type VhostOptions } from '@lws/core';

/** Port 0 means "any free port": find one now, because two vhosts must share it. */
async function resolvePort(port: number): Promise<number> {
  if (port !== 0) return port;
  const s = createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const a = s.address();
  s.close();
  return typeof a === 'object' && a ? a.port : 0;
}

const port1 = await resolvePort(cmdline.int('--port', 7681));
const port2 = cmdline.int('--port2', port1 === 7681 ? 7682 : 0);

const vhost = (name: string, port: number): VhostOptions => ({
  name,
  port,
  headers: SECURITY_HEADERS,
  errorPages: { 404: '/404.html' },
  mounts: [{ kind: 'file', mountpoint: '/', origin: fileURLToPath(new URL(`./mount-origin-${name}`, import.meta.url)), def: 'index.html' }],
});

const context = await createContext({
  logLevel: cmdline.int('-d', log.DEFAULT_LEVEL),
  vhosts: [vhost('localhost1', port1), vhost('localhost2', port2), vhost('localhost3', port1)],
});

const p2 = context.vhost('localhost2')?.port ?? port2;
log.user(`LWS minimal http server multivhost | visit http://127.0.0.1:${port1} (localhost1, localhost3) and http://127.0.0.1:${p2} (localhost2)`);
process.once('SIGINT', () => void context.destroy());
process.once('SIGTERM', () => void context.destroy());
