/*
 * lws-minimal-http-client-hugeurl
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Sends a request whose URL is far longer than usual (8000 bytes by
 * default, `--size` for more) and shows the client copes: the request
 * line goes out in one head, and whatever the server answers (200 if it
 * takes it, 414 if its request-line limit is smaller) is read normally.
 */
import { createHash } from 'node:crypto';
import { cmdline, createContext, defineProtocol, log } from '@lws/core';

const real = cmdline.has('--real');
const target = new URL(cmdline.str('--url', real ? 'https://libwebsockets.org/' : 'http://127.0.0.1:7681/'));
const tls = target.protocol === 'https:';
const address = cmdline.str('--server', target.hostname);
const port = cmdline.int('--port', Number(target.port || (tls ? 443 : 80)));
const size = cmdline.int('--size', 8000);
const want = cmdline.int('--expect', 200);

// a query string of `size` bytes in all: /?x=aaaa...
const path = `${cmdline.str('--path', target.pathname)}?x=${'a'.repeat(Math.max(0, size - target.pathname.length - 3))}`;

let status = 0;
let total = 0;
let done = false;
const hash = createHash('sha256');

const client = defineProtocol({
  name: 'lws-minimal-http-client-hugeurl',

  establishedClientHttp(_wsi, _pss, res) {
    status = res.status;
    log.user(`Connected, url of ${path.length} bytes, http response: ${res.status}`);
  },

  receiveClientHttp(_wsi, _pss, chunk) {
    total += chunk.length;
    hash.update(chunk);
  },

  completedClientHttp() {
    done = true;
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
  const ok = done && status === want;
  log.user(`Completed: ${ok ? 'OK' : 'failed'}`);
  process.exitCode = ok ? 0 : 1;
}

log.user(`LWS minimal http client hugeurl | ${tls ? 'https' : 'http'}://${address}:${port} (url ${path.length} bytes)`);
context.clientConnect({
  address,
  port,
  path,
  ssl: tls ? { allowSelfSigned: cmdline.has('-k'), ...(cmdline.has('--ca') ? { ca: cmdline.str('--ca', '') } : {}) } : undefined,
  protocol: client.name,
  role: 'http',
});
