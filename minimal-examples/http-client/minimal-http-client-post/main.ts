/*
 * lws-minimal-http-client-post
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * POSTs a multipart/form-data form: two text fields and a file streamed
 * from disk. clientHttpWriteable sends one piece per writeable callback;
 * the next piece is read from the file only when the last one has gone,
 * so a file of any size uses one piece of memory (lws_client_http_multipart).
 */
import { fileURLToPath } from 'node:url';
import { cmdline, createContext, defineProtocol, log, MultipartWriter } from '@lws/core';

const PIECE = 4096; // bytes read from the file per writeable callback

const real = cmdline.has('--real');
const target = new URL(cmdline.str('--url', real ? 'https://libwebsockets.org/testserver/formtest' : 'http://127.0.0.1:7681/formtest'));
const tls = target.protocol === 'https:';
const address = cmdline.str('--server', target.hostname);
const port = cmdline.int('--port', Number(target.port || (tls ? 443 : 80)));
const path = cmdline.str('--path', target.pathname);
const file = cmdline.str('--file', fileURLToPath(import.meta.url));

const form = await MultipartWriter.create([
  { name: 'text', value: 'hello from lws-ts' },
  { name: 'send', value: 'Send the form' },
  { name: 'file', path: file },
]);

interface Pss {
  next: Uint8Array | null | undefined; // the piece ready to send; null: the form is done
  status: number;
  body: Buffer[];
}

let ok = false;

const client = defineProtocol<Pss>({
  name: 'lws-minimal-http-client-post',
  newPss: () => ({ next: undefined, status: 0, body: [] }),

  clientHttpWriteable(wsi, pss) {
    const piece = pss.next;
    if (piece === undefined) return; // still reading from disk
    pss.next = undefined;
    if (piece === null) {
      wsi.write(new Uint8Array(0), 'http-final');
      return;
    }
    wsi.write(piece, 'http');
    readNext(wsi, pss);
  },

  establishedClientHttp(_wsi, pss, res) {
    pss.status = res.status;
    log.user(`Connected, http response: ${res.status}`);
  },

  receiveClientHttp(_wsi, pss, chunk) {
    pss.body.push(chunk);
  },

  completedClientHttp(_wsi, pss) {
    log.user(`response: ${Buffer.concat(pss.body).toString()}`);
    ok = pss.status === 200;
  },

  clientConnectionError(_wsi, _pss, err) {
    log.err(`CLIENT_CONNECTION_ERROR: ${err.message}`);
    void finish();
  },

  closedClientHttp() {
    void finish();
  },
});

/** Read the next piece, then ask for a writeable callback to send it. */
function readNext(wsi: { callbackOnWritable(): void }, pss: Pss): void {
  form.pull(PIECE).then(
    (piece) => {
      pss.next = piece;
      wsi.callbackOnWritable();
    },
    (err: unknown) => log.err(`reading the form failed: ${String(err)}`),
  );
}

const context = await createContext({ logLevel: cmdline.int('-d', log.DEFAULT_LEVEL), protocols: [client] });

async function finish(): Promise<void> {
  form.close();
  await context.destroy();
  log.user(`Completed: ${ok ? 'OK' : 'failed'}`);
  process.exitCode = ok ? 0 : 1;
}

log.user(`LWS minimal http client post | ${form.contentLength} bytes to ${tls ? 'https' : 'http'}://${address}:${port}${path}`);
const wsi = context.clientConnect({
  address,
  port,
  path,
  method: 'POST',
  ssl: tls ? { allowSelfSigned: cmdline.has('-k'), ...(cmdline.has('--ca') ? { ca: cmdline.str('--ca', '') } : {}) } : undefined,
  protocol: client.name,
  role: 'http',
  extra: { contentLength: form.contentLength, contentType: form.contentType },
});
readNext(wsi, wsi.pss as Pss);
