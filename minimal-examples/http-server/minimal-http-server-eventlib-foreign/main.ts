/*
 * lws-minimal-http-server-eventlib-foreign
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * The application owns the event loop and the listening socket: its own
 * net.Server accepts connections and hands each one to lws with
 * context.adopt(socket) (lws_adopt_descriptor_vhost). Two contexts live in
 * the one process, serving the same files with a different x-lws-context
 * header, and connections alternate between them. On SIGINT/SIGTERM both
 * contexts are destroyed first, then the application closes its server.
 */
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { cmdline, createContext, log, SECURITY_HEADERS } from '@lws/core';

const origin = fileURLToPath(new URL('./mount-origin', import.meta.url));
const logLevel = cmdline.int('-d', log.DEFAULT_LEVEL);

// no port: these vhosts do not listen, they only serve what is adopted
const contexts = await Promise.all(
  ['a', 'b'].map((name) =>
    createContext({
      name: `context-${name}`,
      logLevel,
      headers: [...SECURITY_HEADERS, ['x-lws-context', name]],
      errorPages: { 404: '/404.html' },
      mounts: [{ kind: 'file', mountpoint: '/', origin, def: 'index.html' }],
    }),
  ),
);

let next = 0;
const server = createServer({ allowHalfOpen: true }, (socket) => {
  const context = contexts[next++ % contexts.length];
  context?.adopt(socket, { role: 'http' });
});
server.listen(cmdline.int('--port', 7681), '127.0.0.1');
await once(server, 'listening');
const addr = server.address();
const port = typeof addr === 'object' && addr ? addr.port : 0;

log.user(`LWS minimal http server eventlib foreign | visit http://127.0.0.1:${port}`);

async function shutdown(): Promise<void> {
  server.close(); // stop accepting; adopted connections belong to the contexts now
  await Promise.all(contexts.map((c) => c.destroy()));
  log.user('Completed: OK');
}
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
