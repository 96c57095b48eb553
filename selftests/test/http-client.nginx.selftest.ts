/*
 * Our http client against Debian's nginx on loopback (an independent
 * server): the examples byte for byte (pipelined multi, huge URL), and the
 * library through httpRequest: large files, keep-alive request limits,
 * large response headers, gzip'd chunked bodies, redirects.
 */
import { createHash, randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { createContext, httpRequest, setLogLevel, type Context } from '@lws/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClientExample } from '../lib/examples.js';
import { startNginx, type Nginx } from '../peers/nginx.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const index = Buffer.from(randomBytes(30_000).toString('base64'));
const big = randomBytes(1024 * 1024);
const text = Buffer.from('plain text, compressible. '.repeat(2000));
const BIG_HEADER = 'h'.repeat(4000); // nginx caps one config parameter near 4 KB: two of them

let nginx: Nginx;
let context: Context;

beforeAll(async () => {
  setLogLevel(0);
  nginx = await startNginx({
    files: { 'index.html': index, 'big.bin': big, 'text.txt': text },
    http: 'keepalive_requests 3; large_client_header_buffers 4 64k; gzip on; gzip_types text/plain; gzip_min_length 0;',
    server: `
      location = /big-header { add_header x-big-a "${BIG_HEADER}"; add_header x-big-b "${BIG_HEADER}"; return 200 "big header"; }
      location = /huge { return 200 "huge ok"; }
      location = /redirect { return 302 /text.txt; }`,
  });
  context = await createContext({});
});
afterAll(async () => {
  await context?.destroy();
  await nginx?.stop();
});

describe('http-client examples against nginx', () => {
  it('minimal-http-client fetches a file byte for byte', async () => {
    const r = await runClientExample('http-client/minimal-http-client', ['--url', `${nginx.url}/index.html`]);
    expect(r.ok, r.output).toBe(true);
    expect(r.output).toContain(`body: ${index.length} bytes, sha256 ${sha256(index)}`);
  });

  it('minimal-http-client-multi pipelines 3 GETs on one connection', async () => {
    const r = await runClientExample('http-client/minimal-http-client-multi', ['--url', `${nginx.url}/index.html`, '-p', '--count', '3']);
    expect(r.ok, r.output).toBe(true);
    expect(r.output.match(new RegExp(`200, ${index.length} bytes, sha256 ${sha256(index).slice(0, 16)}`, 'g'))).toHaveLength(3);
  });

  it('minimal-http-client-hugeurl sends a 30000-byte URL nginx accepts', async () => {
    const r = await runClientExample('http-client/minimal-http-client-hugeurl', ['--url', `${nginx.url}/huge`, '--size', '30000']);
    expect(r.ok, r.output).toBe(true);
    expect(r.output).toContain('url of 30000 bytes, http response: 200');
    expect(r.output).toContain(`sha256 ${sha256(Buffer.from('huge ok'))}`);
  });
});

describe('httpRequest against nginx', () => {
  it('fetches a 1 MiB file byte for byte', async () => {
    const r = await httpRequest(context, { url: `${nginx.url}/big.bin`, maxBodyBytes: 2 * 1024 * 1024 });
    expect(r.status).toBe(200);
    expect(r.body.equals(big)).toBe(true);
  });

  it('makes 7 sequential kept-alive requests across keepalive_requests 3', async () => {
    for (let i = 0; i < 7; i++) {
      const r = await httpRequest(context, { url: `${nginx.url}/index.html` });
      expect(r.body.equals(index)).toBe(true);
    }
  });

  // Exactly keepalive_requests (3): past it nginx closes with our later requests
  // unread, its kernel answers them with a reset, and a reset may discard responses
  // already on their way to us, which no client can retry deterministically.
  it('completes 3 concurrent pipelined requests on one connection', async () => {
    const all = await Promise.allSettled(Array.from({ length: 3 }, () => httpRequest(context, { url: `${nginx.url}/index.html`, maxConnectionsPerHost: 1, retries: 4, retryDelayMs: 10 })));
    const failed = all.flatMap((r) => (r.status === 'rejected' ? [`${(r.reason as { code?: string }).code}: ${(r.reason as Error).message}`] : []));
    expect(failed).toEqual([]);
    for (const r of all) if (r.status === 'fulfilled') expect(r.value.body.equals(index)).toBe(true);
  });

  it('reads 8 KB of response headers, and refuses it past maxHeaderBytes', async () => {
    const r = await httpRequest(context, { url: `${nginx.url}/big-header` });
    expect([r.status, r.header('x-big-a'), r.header('x-big-b'), r.body.toString()]).toEqual([200, BIG_HEADER, BIG_HEADER, 'big header']);
    await expect(httpRequest(context, { url: `${nginx.url}/big-header`, limits: { maxHeaderBytes: 4096 } })).rejects.toMatchObject({
      code: 'LWS_ERR_H1_HEADERS_TOO_LARGE', message: 'Cannot parse header section: more than 4096 bytes',
    });
  });

  it('reads a gzip body nginx sends chunked', async () => {
    const r = await httpRequest(context, { url: `${nginx.url}/text.txt`, headers: { 'accept-encoding': 'gzip' } });
    expect(r.header('content-encoding')).toBe('gzip');
    expect(r.header('transfer-encoding')).toBe('chunked');
    expect(gunzipSync(r.body).equals(text)).toBe(true);
  });

  it('follows a redirect when asked', async () => {
    const r = await httpRequest(context, { url: `${nginx.url}/redirect`, redirects: 1 });
    expect([r.status, r.url]).toEqual([200, `${nginx.url}/text.txt`]);
    expect(r.body.equals(text)).toBe(true);
  });
});
