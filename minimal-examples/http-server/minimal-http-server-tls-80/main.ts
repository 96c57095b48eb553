/*
 * lws-minimal-http-server-tls-80
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * The usual production shape: the site is served over https (here on 7681
 * instead of 443), and a second, plain http vhost (here on 7680 instead of
 * 80) answers every request with a 301 to the same path over https.
 */
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { cmdline, createContext, log, SECURITY_HEADERS } from '@lws/core';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

/** Port 0 means "any free port": the redirect must name the https port, so find it first. */
async function resolvePort(port: number): Promise<number> {
  if (port !== 0) return port;
  const s = createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const a = s.address();
  s.close();
  return typeof a === 'object' && a ? a.port : 0;
}

const httpsPort = await resolvePort(cmdline.int('--port', 7681));
const httpPort = cmdline.int('--port80', httpsPort === 7681 ? 7680 : 0);

const context = await createContext({
  logLevel: cmdline.int('-d', log.DEFAULT_LEVEL),
  vhosts: [
    {
      name: 'localhost',
      port: httpsPort,
      // a self-signed test certificate for localhost: never use it for anything real
      tls: { cert: here('./localhost-100y.cert'), key: here('./localhost-100y.key') },
      headers: SECURITY_HEADERS,
      errorPages: { 404: '/404.html' },
      mounts: [{ kind: 'file', mountpoint: '/', origin: here('./mount-origin'), def: 'index.html' }],
    },
    {
      name: 'localhost-80',
      port: httpPort,
      headers: SECURITY_HEADERS,
      mounts: [{ kind: 'redirect', mountpoint: '/', location: `https://localhost:${httpsPort}/`, status: 301 }],
    },
  ],
});

const plain = context.vhost('localhost-80')?.port ?? httpPort;
log.user(`LWS minimal http server tls-80 | visit https://127.0.0.1:${httpsPort} (http://127.0.0.1:${plain} redirects there)`);
process.once('SIGINT', () => void context.destroy());
process.once('SIGTERM', () => void context.destroy());
