/*
 * lws-minimal-http-server-basicauth
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Serves ./mount-origin on port 7681 to everyone, and ./mount-secret-origin
 * on /secret only to clients that send a user and password listed in
 * ./ba-passwords (HTTP Basic auth). Others get 401 and a WWW-Authenticate
 * challenge, so browsers ask for credentials. Passwords are compared in
 * constant time; use basic auth only over https outside of a test.
 */
import { fileURLToPath } from 'node:url';
import { cmdline, createContext, log, SECURITY_HEADERS } from '@lws/core';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

const context = await createContext({
  port: cmdline.int('--port', 7681),
  logLevel: cmdline.int('-d', log.DEFAULT_LEVEL),
  headers: SECURITY_HEADERS,
  errorPages: { 404: '/404.html' },
  mounts: [
    { kind: 'file', mountpoint: '/', origin: here('./mount-origin'), def: 'index.html' },
    {
      kind: 'file',
      mountpoint: '/secret',
      origin: here('./mount-secret-origin'),
      def: 'index.html',
      basicAuth: { realm: 'lws-minimal-http-server-basicauth', credentialsFile: here('./ba-passwords') },
    },
  ],
});

log.user(`LWS minimal http server basicauth | visit http://127.0.0.1:${context.port}`);
process.once('SIGINT', () => void context.destroy());
process.once('SIGTERM', () => void context.destroy());
