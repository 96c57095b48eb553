/*
 * Client connections: success starts the role for the kind asked, failure
 * reaches clientConnectionError with a reason, and the connect timeout holds.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createContext, type Context } from '../../src/context/context.js';
import { setLogLevel } from '../../src/context/log.js';
import { defineProtocol } from '../../src/context/protocol.js';
import type { LwsError } from '../../src/errors.js';

setLogLevel(0);

let context: Context | undefined;
let server: Server | undefined;

afterEach(async () => {
  await context?.destroy();
  context = undefined;
  if (server) await new Promise((r) => server?.close(r));
  server = undefined;
});

async function listen(onConn: (s: import('node:net').Socket) => void): Promise<number> {
  server = createServer(onConn);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

describe('clientConnect', () => {
  it('connects raw, exchanges bytes through writeable callbacks, and closes', async () => {
    const port = await listen((s) => s.on('data', (b) => s.end(Buffer.concat([Buffer.from('echo:'), b]))));
    let got = '';
    const closed = new Promise<void>((resolve) => {
      const p = defineProtocol({
        name: 'raw-client',
        rawAdopt: (wsi) => wsi.callbackOnWritable(),
        rawWriteable: (wsi) => void wsi.write('ping', 'raw'),
        rawRx: (_wsi, _pss, data) => void (got += data.toString()),
        rawClose: () => resolve(),
      });
      void createContext({ protocols: [p] }).then((c) => {
        context = c;
        c.clientConnect({ address: '127.0.0.1', port, protocol: 'raw-client', role: 'raw' });
      });
    });
    await closed;
    expect(got).toBe('echo:ping');
  });

  it('reports a refused connection to clientConnectionError with the reason', async () => {
    const port = await listen(() => {});
    await new Promise((r) => server?.close(r));
    server = undefined;
    const err = await new Promise<LwsError>((resolve) => {
      const p = defineProtocol({ name: 'c', clientConnectionError: (_w, _p, e) => resolve(e) });
      void createContext({ protocols: [p] }).then((c) => {
        context = c;
        c.clientConnect({ address: '127.0.0.1', port, protocol: 'c', role: 'raw' });
      });
    });
    expect(err.code).toBe('LWS_ERR_CORE_CONNECT');
    expect(err.message).toMatch(/^Cannot connect: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
  });

  it('refuses an unknown protocol, a bad port and an unknown role at the boundary', async () => {
    context = await createContext({ protocols: [defineProtocol({ name: 'c' })] });
    expect(() => context?.clientConnect({ address: 'x', port: 1, protocol: 'nope', role: 'raw' })).toThrow('Cannot connect: vhost "localhost" has no protocol "nope"');
    expect(() => context?.clientConnect({ address: 'x', port: 0, protocol: 'c', role: 'raw' })).toThrow(RangeError);
  });

  it('rejects a self-signed TLS server unless allowed', async () => {
    const { createServer: createTls } = await import('node:tls');
    const { readFileSync } = await import('node:fs');
    const dir = new URL('../../../../minimal-examples/http-server/minimal-http-server-tls/', import.meta.url);
    const tlsServer = createTls({ cert: readFileSync(new URL('localhost-100y.cert', dir)), key: readFileSync(new URL('localhost-100y.key', dir)) }, (s) => s.end('hi'));
    tlsServer.listen(0, '127.0.0.1');
    await once(tlsServer, 'listening');
    const port = (tlsServer.address() as { port: number }).port;
    try {
      const outcome = (allowSelfSigned: boolean): Promise<string> =>
        new Promise((resolve) => {
          const name = `t${allowSelfSigned}`;
          const p = defineProtocol({
            name,
            clientConnectionError: (_w, _p, e) => resolve(`error: ${e.message}`),
            rawRx: (_w, _p, d) => resolve(`rx: ${d.toString()}`),
          });
          void createContext({ protocols: [p] }).then((c) => {
            c.clientConnect({ address: '127.0.0.1', port, protocol: name, role: 'raw', ssl: { allowSelfSigned } });
            void new Promise((r) => setTimeout(r, 2000)).then(() => c.destroy());
          });
        });
      expect(await outcome(false)).toMatch(/^error: Cannot connect: self.signed certificate/);
      expect(await outcome(true)).toBe('rx: hi');
    } finally {
      tlsServer.close();
    }
  });
});
