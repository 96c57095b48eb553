/*
 * minimal-http-server and minimal-http-server-tls against independent
 * clients: curl and Node's fetch. Asserts exact body bytes, content types,
 * the security headers, 404 pages, HEAD, and that a malformed request gets
 * a 400 and a closed connection while the server keeps serving.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleDir, startServerExample, type StartedServer } from '../lib/examples.js';
import { curl, nodeFetch, type PeerResponse } from '../lib/peers.js';
import { stopAll } from '../lib/processes.js';
import { rawExchange } from '../lib/raw-http.js';

const cases = [
  { example: 'http-server/minimal-http-server', scheme: 'http', tls: false },
  { example: 'http-server/minimal-http-server-tls', scheme: 'https', tls: true },
] as const;

function expectSecurityHeaders(r: PeerResponse): void {
  const csp = r.headers['content-security-policy'] ?? '';
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
  expect(r.headers['x-content-type-options']).toBe('nosniff');
  expect(r.headers['x-frame-options']?.toLowerCase()).toBe('deny');
  expect(r.headers['referrer-policy']).toBe('no-referrer');
}

describe.each(cases)('$example', ({ example, scheme, tls }) => {
  const dir = exampleDir(example);
  const origin = join(dir, 'mount-origin');
  const cert = join(dir, 'localhost-100y.cert');
  const curlTls = tls ? ['--cacert', cert] : [];
  let server: StartedServer;

  beforeAll(async () => {
    server = await startServerExample(example);
  });
  afterAll(async () => {
    await stopAll();
  });

  it('prints its URL with the right scheme', () => {
    expect(server.url).toMatch(new RegExp(`^${scheme}://127\\.0\\.0\\.1:\\d+$`));
  });

  it('serves index.html byte for byte to curl, with the security headers', async () => {
    const r = await curl(`${server.url}/`, curlTls);
    expect(r.status).toBe(200);
    expect(r.body.equals(readFileSync(join(origin, 'index.html')))).toBe(true);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['content-length']).toBe(String(r.body.length));
    expect(r.httpVersion).toBe('1.1');
    expectSecurityHeaders(r);
  });

  it.each([
    ['example.js', /^(text|application)\/javascript/],
    ['example.css', /^text\/css/],
    ['lws-ts-logo.svg', /^image\/svg\+xml/],
  ])('serves %s with its mimetype to Node fetch', async (file, type) => {
    const r = await nodeFetch(`${server.url}/${file}`, tls ? { caFile: cert } : {});
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(type);
    expect(r.body.equals(readFileSync(join(origin, file)))).toBe(true);
    expectSecurityHeaders(r);
  });

  it('answers a missing path with 404 and the mount\'s 404 page', async () => {
    for (const r of [await curl(`${server.url}/no-such-page.html`, curlTls), await nodeFetch(`${server.url}/no-such-page.html`, tls ? { caFile: cert } : {})]) {
      expect(r.status).toBe(404);
      expect(r.body.equals(readFileSync(join(origin, '404.html')))).toBe(true);
    }
  });

  it('answers HEAD with the headers and no body', async () => {
    const port = Number(new URL(server.url).port);
    const r = await rawExchange(port, 'HEAD /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n', tls ? { ca: readFileSync(cert) } : {});
    const text = r.response.toString('latin1');
    const [head, body] = text.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head).toContain(`content-length: ${readFileSync(join(origin, 'index.html')).length}`);
    expect(body).toBe('');
    expect(r.closedByServer).toBe(true);
  });

  it('refuses a path escaping the mount', async () => {
    const r = await curl(`${server.url}/%2e%2e/%2e%2e/package.json`, [...curlTls, '--path-as-is']);
    expect([403, 404]).toContain(r.status);
    expect(r.body.toString()).not.toContain('"name"');
  });

  it('answers a malformed request with 400, closes, and keeps serving', async () => {
    const port = Number(new URL(server.url).port);
    const bad = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n', tls ? { ca: readFileSync(cert) } : {});
    expect(bad.response.toString('latin1')).toMatch(/^HTTP\/1\.1 400 /);
    expect(bad.closedByServer).toBe(true);
    const r = await curl(`${server.url}/`, curlTls);
    expect(r.status).toBe(200);
  });
});
