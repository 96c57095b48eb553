/*
 * lws-minimal-http-client
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Fetches one URL over http/1.1 with the callback API: the response head
 * comes to establishedClientHttp, the body to receiveClientHttp piece by
 * piece as it arrives (nothing is buffered for us), the end to
 * completedClientHttp, and any failure to clientConnectionError.
 */
import { createHash } from 'node:crypto';
import { cmdline, createContext, defineProtocol, log } from '@lws/core';

// offline default: the local minimal-http-server; --real fetches lws's own site
const real = cmdline.has('--real');
const local = cmdline.has('-l'); // the local minimal-http-server-tls
const target = new URL(cmdline.str('--url', real ? 'https://libwebsockets.org/' : local ? 'https://127.0.0.1:7681/' : 'http://127.0.0.1:7681/'));
const tls = target.protocol === 'https:' || cmdline.has('-s');
const address = cmdline.str('--server', target.hostname);
const port = cmdline.int('--port', Number(target.port || (tls ? 443 : 80)));
const path = cmdline.str('--path', `${target.pathname}${target.search}`);
const ca = cmdline.str('--ca', '');

let status = 0;
let total = 0;
let ok = false;
const hash = createHash('sha256');

const client = defineProtocol({
  name: 'lws-minimal-http-client',

  establishedClientHttp(_wsi, _pss, res) {
    status = res.status;
    log.user(`Connected to ${address}:${port}, http response: ${res.status}`);
  },

  receiveClientHttp(_wsi, _pss, chunk) {
    total += chunk.length;
    hash.update(chunk);
    log.user(`RECEIVE_CLIENT_HTTP_READ: read ${chunk.length}`);
  },

  completedClientHttp() {
    ok = status === 200;
    log.user(`body: ${total} bytes, sha256 ${hash.digest('hex')}`);
  },

  clientConnectionError(_wsi, _pss, err) {
    log.err(`CLIENT_CONNECTION_ERROR: ${err.message}`);
    void finish();
  },

  closedClientHttp() {
    void finish();
  },
});

const context = await createContext({ logLevel: cmdline.int('-d', log.DEFAULT_LEVEL), protocols: [client] });

async function finish(): Promise<void> {
  await context.destroy();
  log.user(`Completed: ${ok ? 'OK' : 'failed'}`);
  process.exitCode = ok ? 0 : 1;
}

log.user(`LWS minimal http client | ${tls ? 'https' : 'http'}://${address}:${port}${path}`);
context.clientConnect({
  address,
  port,
  path,
  host: cmdline.has('--host') ? cmdline.str('--host', address) : undefined,
  // -k, or -l against the self-signed test server, accepts an unverifiable certificate
  ssl: tls ? { allowSelfSigned: cmdline.has('-k') || (local && !ca), ...(ca ? { ca } : {}) } : undefined,
  protocol: client.name,
  role: 'http',
});
