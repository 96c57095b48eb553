/*
 * minimal-http-server-form-get (query arguments through the form parser)
 * and minimal-http-server-dynamic (a generated page sent chunked, one piece
 * per writeable callback) against curl and raw http/1.1, exact bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerExample, type StartedServer } from '../lib/examples.js';
import { curl } from '../lib/peers.js';
import { stopAll } from '../lib/processes.js';
import { rawExchange } from '../lib/raw-http.js';

afterAll(async () => {
  await stopAll();
});

describe('minimal-http-server-form-get', () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startServerExample('http-server/minimal-http-server-form-get');
  });

  it('answers the form sent as query arguments with the decoded values', async () => {
    const r = await curl(`${server.url}/formdest?text1=caf%C3%A9+%3Cau+lait%3E&send=Send`);
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe(`<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Form results</title>
  <link rel="icon" href="favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="example.css">
</head>
<body>
  <h1>Form results</h1>
  <dl id="results">
    <dt>text1</dt><dd>café &#60;au lait&#62;</dd>
    <dt>send</dt><dd>Send</dd>
  </dl>
  <p><a href="./">Back to the form</a></p>
</body>
</html>
`);
    await server.running.waitFor(/USER: text1: \(len 15\) 'café <au lait>'\n.*USER: send: \(len 4\) 'Send'/, 5000);
  });

  it('refuses a bad %-escape with 400 and an oversized query with 413', async () => {
    const bad = await curl(`${server.url}/formdest?text1=%G1`);
    expect(bad.status).toBe(400);
    expect(bad.body.toString()).toBe('Cannot decode form field: %-escape has "G", expected a hex digit\n');
    const big = await curl(`${server.url}/formdest?text1=${'y'.repeat(1025)}`);
    expect(big.status).toBe(413);
    expect(big.body.toString()).toBe('Cannot accept form field "text1": value is longer than 1024 bytes\n');
  });

  it('refuses POST with 405', async () => {
    const r = await curl(`${server.url}/formdest`, ['-d', 'text1=x']);
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('GET, HEAD');
  });
});

/** Decode a chunked body, returning its chunks (without the last, empty one). */
function dechunk(body: string): string[] {
  const chunks: string[] = [];
  let rest = body;
  for (let i = 0; i < 1000; i++) {
    const nl = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, nl), 16);
    if (!Number.isFinite(size)) throw new Error(`bad chunk size line: ${rest.slice(0, 40)}`);
    if (size === 0) return chunks;
    chunks.push(rest.slice(nl + 2, nl + 2 + size));
    expect(rest.slice(nl + 2 + size, nl + 4 + size)).toBe('\r\n');
    rest = rest.slice(nl + 4 + size);
  }
  throw new Error('too many chunks');
}

describe('minimal-http-server-dynamic', () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startServerExample('http-server/minimal-http-server-dynamic');
  });

  it('sends a generated page chunked, one chunk per writeable piece, with the request and the time', async () => {
    const port = Number(new URL(server.url).port);
    const before = Math.floor(Date.now() / 1000) * 1000;
    const raw = await rawExchange(port, 'GET /dyn/some%20where?a=<1> HTTP/1.1\r\nHost: localhost\r\nUser-Agent: raw-test\r\nConnection: close\r\n\r\n');
    const text = raw.response.toString('utf8');
    const split = text.indexOf('\r\n\r\n');
    const head = text.slice(0, split);
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head).toContain('transfer-encoding: chunked');
    expect(head).not.toContain('content-length');
    const chunks = dechunk(text.slice(split + 4));
    expect(chunks).toHaveLength(15);
    const page = chunks.join('');
    expect(page).toContain("<h1>Dynamic content for '/some%20where' from mountpoint.</h1>");
    expect(chunks[1]).toBe(`  <dl id="request">
    <dt>method</dt><dd>GET</dd>
    <dt>path</dt><dd>/dyn/some%20where</dd>
    <dt>query</dt><dd>a=&#60;1&#62;</dd>
    <dt>http version</dt><dd>1.1</dd>
    <dt>host</dt><dd>localhost</dd>
    <dt>user-agent</dt><dd>raw-test</dd>
  </dl>
`);
    expect(chunks[2]).toBe('  <p class="line">This is line 1 of 12, sent in its own writeable callback.</p>\n');
    expect(chunks[14]).toBe('  <p><a href="../">Back</a></p>\n</body>\n</html>\n');
    const time = Date.parse(/Time: ([^<]+)</.exec(page)?.[1] ?? '');
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(Date.now());
  });

  it('gives curl the same page, and serves the static index beside it', async () => {
    const r = await curl(`${server.url}/dyn/x`);
    expect(r.status).toBe(200);
    expect(r.body.toString()).toMatch(/^<!DOCTYPE html>[^]*<h1>Dynamic content for '\/x' from mountpoint\.<\/h1>[^]*line 12 of 12[^]*<\/html>\n$/);
    const index = await curl(`${server.url}/`);
    expect(index.body.toString()).toContain('href="dyn/anything?x=1"');
  });
});
