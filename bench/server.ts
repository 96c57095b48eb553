/*
 * The benchmark server: one process, one mode, our library only.
 *
 *   tsx server.ts --mode h1 --port P --static-dir D
 *     GET /hello           200, the 12-byte body "hello world\n" (keep-alive)
 *     GET /static/<name>   files from D (a normal file mount: ETag, ranges, ...)
 *   tsx server.ts --mode ws --port P
 *     a ws echo on "/", any or no subprotocol, each message back with its opcode
 *   tsx server.ts --mode ws-deflate --port P
 *     the same, also accepting permessage-deflate (default settings: context
 *     takeover, replies under 1 KiB go out uncompressed, as the ws package's)
 *
 * Prints "LISTENING <url>" once it serves. Logging is off (errors only) so
 * the numbers measure the server, not the console. SIGINT/SIGTERM destroy
 * the context and exit. Our packages are loaded without tsx's inline source
 * maps (lib/no-inline-maps.mjs: with them, V8 was seen marking back to back
 * under the 16 KiB ws echo).
 */
import { resolve } from 'node:path';
import type { ContextOptions, Protocol } from '@lws/core';
import { installNoInlineMaps } from './lib/no-inline-maps.mjs';

// our modules load without tsx's inline source maps (see lib/no-inline-maps.mjs), so imported after this
installNoInlineMaps();
const { cmdline, createContext, LogLevel } = await import('@lws/core');
const { hello } = await import('./lib/hello.js');
const { echoProtocol } = await import('./lib/echo.js');

const mode = cmdline.str('--mode', 'h1');
const port = cmdline.int('--port', 0);
const iface = cmdline.str('--iface', '127.0.0.1');


function options(): ContextOptions {
  const base = { port, iface, logLevel: LogLevel.ERR };
  switch (mode) {
    case 'h1': {
      const dir = resolve(cmdline.str('--static-dir', '.'));
      return {
        ...base,
        protocols: [hello as Protocol],
        mounts: [
          { kind: 'callback', mountpoint: '/hello', protocol: 'bench-hello' },
          { kind: 'file', mountpoint: '/static', origin: dir },
        ],
      };
    }
    case 'ws':
    case 'ws-deflate':
      // any subprotocol a client offers is agreed to (its first one) and served by the echo; none is fine too
      return {
        ...base,
        protocols: [echoProtocol('echo')],
        ws: { permessageDeflate: mode === 'ws-deflate', acceptAnySubprotocol: true },
      };
    default:
      throw new Error(`bench server: unknown --mode "${mode}" (h1, ws, ws-deflate)`);
  }
}

const context = await createContext(options());
const scheme = mode === 'h1' ? 'http' : 'ws';
console.log(`LISTENING ${scheme}://${iface}:${context.port}/`);
process.once('SIGINT', () => void context.destroy().then(() => process.exit(0)));
process.once('SIGTERM', () => void context.destroy().then(() => process.exit(0)));
