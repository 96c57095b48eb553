/*
 * The http-client examples against our own servers (minimal-http-server,
 * minimal-http-server-tls with its test certificate) and a scripted Node
 * server for the multipart POST: exit code, `Completed: OK`, status and
 * the exact body bytes (by sha256) each time.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleDir, runClientExample, startServerExample, type StartedServer } from '../lib/examples.js';
import { start, stopAll } from '../lib/processes.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const httpDir = exampleDir('http-server/minimal-http-server');
const tlsDir = exampleDir('http-server/minimal-http-server-tls');
const cert = join(tlsDir, 'localhost-100y.cert');
const index = readFileSync(join(httpDir, 'mount-origin', 'index.html'));
const tlsIndex = readFileSync(join(tlsDir, 'mount-origin', 'index.html'));

let http: StartedServer;
let https: StartedServer;
let formUrl: string;
let peerUrl: string;

beforeAll(async () => {
  http = await startServerExample('http-server/minimal-http-server');
  https = await startServerExample('http-server/minimal-http-server-tls');
  const peer = start(process.execPath, [fileURLToPath(new URL('../peers/multipart-server.mjs', import.meta.url))]);
  peerUrl = (await peer.waitFor(/USER: .*?(http:\/\/\S+)[^\n]*\n/, 10_000))[1] as string;
  formUrl = `${peerUrl}/formtest`;
});
afterAll(async () => {
  await stopAll();
});

describe('minimal-http-client', () => {
  it('fetches index.html from minimal-http-server byte for byte', async () => {
    const r = await runClientExample('http-client/minimal-http-client', ['--url', `${http.url}/`]);
    expect(r.ok, r.output).toBe(true);
    expect(r.output).toContain('http response: 200');
    expect(r.output).toContain(`body: ${index.length} bytes, sha256 ${sha256(index)}`);
  });

  it('fetches over https from minimal-http-server-tls, verifying the test certificate with --ca', async () => {
    const r = await runClientExample('http-client/minimal-http-client', ['--url', `${https.url}/`, '--ca', cert]);
    expect(r.ok, r.output).toBe(true);
    expect(r.output).toContain(`body: ${tlsIndex.length} bytes, sha256 ${sha256(tlsIndex)}`);
  });

  it('refuses the self-signed certificate without --ca or -k and says why', async () => {
    const r = await runClientExample('http-client/minimal-http-client', ['--url', `${https.url}/`]);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/CLIENT_CONNECTION_ERROR: Cannot connect: self.signed certificate/);
    expect(r.output).toContain('Completed: failed');
  });

  it('reports a 404 as failed, with the status', async () => {
    const r = await runClientExample('http-client/minimal-http-client', ['--url', `${http.url}/no-such-file`]);
    expect(r.code).toBe(1);
    expect(r.output).toContain('http response: 404');
    expect(r.output).toContain('Completed: failed');
  });
});

describe('minimal-http-client-certinfo', () => {
  it('prints the test certificate and the ALPN agreed', async () => {
    const port = new URL(https.url).port;
    const r = await runClientExample('http-client/minimal-http-client-certinfo', ['--url', `https://localhost:${port}/`, '--ca', cert]);
    expect(r.ok, r.output).toBe(true);
    expect(r.output).toContain('Peer Cert CN        : localhost');
    expect(r.output).toContain('Peer Cert SANs      : DNS:localhost, IP Address:127.0.0.1');
    expect(r.output).toMatch(/Peer Cert sha256 {4}: ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    expect(r.output).toMatch(/TLS TLSv1\.[23], ALPN http\/1\.1, verified true/);
  });
});

describe('minimal-http-client-hugeurl', () => {
  it('sends an 8000-byte URL that minimal-http-server accepts', async () => {
    const r = await runClientExample('http-client/minimal-http-client-hugeurl', ['--url', `${http.url}/`]);
    expect(r.ok, r.output).toBe(true);
    expect(r.output).toContain('url of 8000 bytes, http response: 200');
    expect(r.output).toContain(`sha256 ${sha256(index)}`);
  });

  it('reads the 414 minimal-http-server answers a 20000-byte URL with', async () => {
    const r = await runClientExample('http-client/minimal-http-client-hugeurl', ['--url', `${http.url}/`, '--size', '20000', '--expect', '414']);
    expect(r.ok, r.output).toBe(true);
    expect(r.output).toContain('http response: 414');
  });
});

describe('minimal-http-client-multi', () => {
  // -p (pipelined) runs against nginx in http-client.nginx.selftest.ts: our h1 server
  // can reorder pipelined requests that arrive while a response is in progress
  it.each([
    ['concurrent, one connection each', []],
    ['sequential', ['-s']],
  ])('makes 8 requests %s, each byte for byte', async (_how, flags) => {
    const r = await runClientExample('http-client/minimal-http-client-multi', ['--url', `${http.url}/`, ...flags]);
    expect(r.ok, r.output).toBe(true);
    expect(r.output).toContain('8 of 8 requests OK');
    expect(r.output.match(new RegExp(`200, ${index.length} bytes, sha256 ${sha256(index).slice(0, 16)}`, 'g'))).toHaveLength(8);
  });
});

describe('minimal-http-client-post', () => {
  it('posts a multipart form whose file the server receives byte for byte', async () => {
    const file = join(httpDir, 'mount-origin', 'lws-ts-logo.svg');
    const bytes = readFileSync(file);
    const r = await runClientExample('http-client/minimal-http-client-post', ['--url', formUrl, '--file', file]);
    expect(r.ok, r.output).toBe(true);
    const json = JSON.parse(/response: (\{.*\})/.exec(r.output)?.[1] ?? '{}') as { fields: Record<string, string>; files: Record<string, { filename: string; size: number; sha256: string }> };
    expect(json.fields).toEqual({ text: 'hello from lws-ts', send: 'Send the form' });
    expect(json.files.file).toEqual({ filename: 'lws-ts-logo.svg', size: bytes.length, sha256: sha256(bytes) });
  });
});

describe('minimal-http-client against a scripted Node server', () => {
  it('reads a chunked body with a trailer', async () => {
    const r = await runClientExample('http-client/minimal-http-client', ['--url', `${peerUrl}/trailers`]);
    expect(r.ok, r.output).toBe(true);
    expect(r.output).toContain(`body: 13 bytes, sha256 ${sha256(Buffer.from('with trailers'))}`);
  });

  it('reads a slow body piece by piece as it arrives', async () => {
    const r = await runClientExample('http-client/minimal-http-client', ['--url', `${peerUrl}/slow`]);
    expect(r.ok, r.output).toBe(true);
    expect(r.output).toContain(`body: 10 bytes, sha256 ${sha256(Buffer.from('0123456789'))}`);
    expect(r.output.match(/RECEIVE_CLIENT_HTTP_READ: read \d+/g)?.length).toBeGreaterThan(2);
  });

  it('fails on conflicting Content-Length values, saying so', async () => {
    const r = await runClientExample('http-client/minimal-http-client', ['--url', `${peerUrl}/bad-length`]);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/CLIENT_CONNECTION_ERROR: Cannot parse Content-Length: .*5.*6/);
    expect(r.output).toContain('Completed: failed');
  });
});

describe('minimal-http-client against a raw server that breaks the rules', () => {
  const cases = [
    ['a malformed status line', 'HTTP/1.1 20 OK\r\n\r\n', /CLIENT_CONNECTION_ERROR: Cannot parse status line/],
    ['a truncated chunked body', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n10\r\nshort', /CLIENT_CONNECTION_ERROR: Cannot finish response: connection closed in a chunked body/],
    ['oversized headers', `HTTP/1.1 200 OK\r\nx-big: ${'b'.repeat(20000)}\r\n\r\n`, /CLIENT_CONNECTION_ERROR: Cannot parse header section: more than 16384 bytes/],
    ['a close before answering', '', /CLIENT_CONNECTION_ERROR: Cannot receive response: connection closed before the response head/],
  ] as const;
  it.each(cases)('reports %s and fails', async (_what, reply, message) => {
    const { createServer } = await import('node:net');
    const server = createServer((sock) => {
      sock.on('error', () => undefined);
      sock.once('data', () => sock.end(reply));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const r = await runClientExample('http-client/minimal-http-client', ['--url', `http://127.0.0.1:${port}/`]);
      expect(r.code).toBe(1);
      expect(r.output).toMatch(message);
      expect(r.output).toContain('Completed: failed');
    } finally {
      server.close();
    }
  });
});
