/*
 * lws-minimal-http-client-multi
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Several requests to one server, reported one by one: all at once on
 * their own connections (default), all at once queued on one kept-alive
 * connection with GETs pipelined (`-p`, lws LCCSCF_PIPELINE), or one after
 * another (`-s`). Each request is its own wsi with its own pss.
 */
import { createHash, type Hash } from 'node:crypto';
import { cmdline, createContext, defineProtocol, log } from '@lws/core';

const real = cmdline.has('--real');
const target = new URL(cmdline.str('--url', real ? 'https://libwebsockets.org/' : 'http://127.0.0.1:7681/'));
const tls = target.protocol === 'https:';
const address = cmdline.str('--server', target.hostname);
const port = cmdline.int('--port', Number(target.port || (tls ? 443 : 80)));
const path = cmdline.str('--path', `${target.pathname}${target.search}`);
const count = cmdline.int('--count', 8);
const pipeline = cmdline.has('-p');
const sequential = cmdline.has('-s');

interface Pss {
  n: number;
  status: number;
  bytes: number;
  hash: Hash;
}

let started = 0;
let finished = 0;
const results: string[] = [];
let failed = 0;

const client = defineProtocol<Pss>({
  name: 'lws-minimal-http-client-multi',
  newPss: () => ({ n: started, status: 0, bytes: 0, hash: createHash('sha256') }),

  establishedClientHttp(_wsi, pss, res) {
    pss.status = res.status;
  },

  receiveClientHttp(_wsi, pss, chunk) {
    pss.bytes += chunk.length;
    pss.hash.update(chunk);
  },

  completedClientHttp(_wsi, pss) {
    const digest = pss.hash.digest('hex');
    results.push(digest);
    if (pss.status !== 200) failed++;
    log.user(`[${pss.n}] ${pss.status}, ${pss.bytes} bytes, sha256 ${digest.slice(0, 16)}`);
    done();
  },

  clientConnectionError(_wsi, pss, err) {
    failed++;
    log.err(`[${pss.n}] CLIENT_CONNECTION_ERROR: ${err.message}`);
    done();
  },
});

const context = await createContext({ logLevel: cmdline.int('-d', log.DEFAULT_LEVEL), protocols: [client] });

function connect(): void {
  started++;
  context.clientConnect({
    address,
    port,
    path,
    ssl: tls ? { allowSelfSigned: cmdline.has('-k'), ...(cmdline.has('--ca') ? { ca: cmdline.str('--ca', '') } : {}) } : undefined,
    protocol: client.name,
    role: 'http',
    extra: { pipeline },
  });
}

function done(): void {
  finished++;
  if (sequential && started < count) return connect();
  if (finished < count) return;
  void context.destroy().then(() => {
    const ok = failed === 0 && new Set(results).size === 1;
    log.user(`${count - failed} of ${count} requests OK`);
    log.user(`Completed: ${ok ? 'OK' : 'failed'}`);
    process.exitCode = ok ? 0 : 1;
  });
}

log.user(`LWS minimal http client multi | ${count} requests to ${tls ? 'https' : 'http'}://${address}:${port}${path}${pipeline ? ', pipelined' : ''}${sequential ? ', sequential' : ''}`);
if (sequential) connect();
else for (let i = 0; i < count; i++) connect();
