/*
 * The form examples against curl: minimal-http-server-form-post (urlencoded
 * and multipart bodies, limits, wrong content types) and
 * minimal-http-server-form-post-file (an upload saved byte for byte; files
 * over the limit refused with 413 and nothing left on disk), asserting the
 * exact response bytes and the lws-style log lines.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { watch } from 'node:fs';
import { connect } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerExample, type StartedServer } from '../lib/examples.js';
import { curl } from '../lib/peers.js';
import { stopAll } from '../lib/processes.js';
import { rawExchange } from '../lib/raw-http.js';

function resultsPage(title: string, rows: [string, string][]): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${title}</title>
  <link rel="icon" href="favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="example.css">
</head>
<body>
  <h1>${title}</h1>
  <dl id="results">
${rows.map(([k, v]) => `    <dt>${k}</dt><dd>${v}</dd>\n`).join('')}  </dl>
  <p><a href="./">Back to the form</a></p>
</body>
</html>
`;
}

afterAll(async () => {
  await stopAll();
});

/** Resolves when `dir` holds an entry matching `re`, watching the directory (bounded by `ms`). */
function waitForEntry(dir: string, re: RegExp, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const found = (): boolean => readdirSync(dir).some((n) => re.test(n));
    const w = watch(dir, () => {
      if (found()) done();
    });
    const t = setTimeout(() => done(new Error(`no entry matching ${re} in ${dir} after ${ms} ms`)), ms);
    const done = (err?: Error): void => {
      clearTimeout(t);
      w.close();
      if (err) reject(err);
      else resolve();
    };
    if (found()) done();
  });
}

describe('minimal-http-server-form-post', () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startServerExample('http-server/minimal-http-server-form-post');
  });

  it('answers an urlencoded POST (curl -d) with the decoded values, and logs them as lws does', async () => {
    const r = await curl(`${server.url}/formdest`, ['-d', 'text1=hello+w%C3%B6rld&send=Send']);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['content-security-policy']).toContain("form-action 'self'");
    expect(r.body.toString()).toBe(resultsPage('Form results', [['text1', 'hello wörld'], ['send', 'Send']]));
    await server.running.waitFor(/USER: text1: \(len 12\) 'hello wörld'\n.*USER: send: \(len 4\) 'Send'/, 5000);
  });

  it('answers a multipart POST (curl -F) the same way, escaping html', async () => {
    const r = await curl(`${server.url}/formdest`, ['--form-string', 'text1=<b>&"x"', '-F', 'send=Send']);
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe(resultsPage('Form results', [['text1', '&#60;b&#62;&#38;&#34;x&#34;'], ['send', 'Send']]));
  });

  it('says which field was not sent', async () => {
    const r = await curl(`${server.url}/formdest`, ['-d', 'send=Send&other=1']);
    expect(r.body.toString()).toBe(resultsPage('Form results', [['text1', '(not sent)'], ['send', 'Send']]));
    await server.running.waitFor(/USER: text1: undefined/, 5000);
  });

  it('refuses a field over 1024 bytes with 413 and the reason', async () => {
    const r = await curl(`${server.url}/formdest`, ['-d', `text1=${'x'.repeat(1025)}`]);
    expect(r.status).toBe(413);
    expect(r.body.toString()).toBe('Cannot accept form field "text1": value is longer than 1024 bytes\n');
  });

  it('refuses a JSON body with 415, a bad %-escape with 400, GET with 405', async () => {
    const json = await curl(`${server.url}/formdest`, ['-H', 'content-type: application/json', '-d', '{}']);
    expect(json.status).toBe(415);
    expect(json.body.toString()).toBe('Cannot parse form: Content-Type is "application/json", expected application/x-www-form-urlencoded or multipart/form-data\n');
    const pct = await curl(`${server.url}/formdest`, ['-d', 'text1=%zz']);
    expect(pct.status).toBe(400);
    expect(pct.body.toString()).toBe('Cannot decode form field: %-escape has "z", expected a hex digit\n');
    const get = await curl(`${server.url}/formdest`);
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
  });

  it('answers a multipart body without its final boundary with 400, and keeps serving', async () => {
    const body = '--b\r\nContent-Disposition: form-data; name="text1"\r\n\r\ncut short';
    const port = Number(new URL(server.url).port);
    const raw = await rawExchange(port, `POST /formdest HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    const text = raw.response.toString();
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(text.endsWith('\r\n\r\nCannot parse multipart body: it ends inside a part, without the final boundary\n')).toBe(true);
    expect(raw.closedByServer).toBe(true);
    expect((await curl(`${server.url}/`)).status).toBe(200);
  });
});

describe('minimal-http-server-form-post-file', () => {
  const MAX = 100_000;
  let server: StartedServer;
  let uploads: string;
  let work: string;

  beforeAll(async () => {
    uploads = mkdtempSync(join(tmpdir(), 'lws-uploads-'));
    work = mkdtempSync(join(tmpdir(), 'lws-upload-src-'));
    server = await startServerExample('http-server/minimal-http-server-form-post-file', ['--upload-dir', uploads, '--max-file', String(MAX)]);
  });
  afterAll(() => {
    rmSync(uploads, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  function source(name: string, size: number): { path: string; data: Buffer } {
    const data = randomBytes(size);
    const path = join(work, name);
    writeFileSync(path, data);
    return { path, data };
  }

  it('saves an upload (curl -F file=@...) byte for byte and reports its name and size', async () => {
    const f = source('photo.bin', 60_000);
    const r = await curl(`${server.url}/formdest`, ['-F', 'text1=hi', '-F', `file=@${f.path}`, '-F', 'send=Upload']);
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe(resultsPage('Upload results', [['text1', 'hi'], ['file', 'photo.bin, 60000 bytes']]));
    expect(readdirSync(uploads)).toEqual(['photo.bin']);
    expect(readFileSync(join(uploads, 'photo.bin')).equals(f.data)).toBe(true);
    await server.running.waitFor(new RegExp(`USER: file: 'photo.bin', 60000 bytes, saved as ${join(uploads, 'photo.bin')}`), 5000);
  });

  it('saves a file of exactly the limit', async () => {
    const f = source('exact.bin', MAX);
    const r = await curl(`${server.url}/formdest`, ['-F', `file=@${f.path}`]);
    expect(r.status).toBe(200);
    expect(readFileSync(join(uploads, 'exact.bin')).equals(f.data)).toBe(true);
    rmSync(join(uploads, 'exact.bin'));
  });

  it('refuses a file one byte over the limit with 413, streamed, and keeps nothing of it', async () => {
    const f = source('over.bin', MAX + 1);
    const r = await curl(`${server.url}/formdest`, ['-F', `file=@${f.path}`]);
    expect(r.status).toBe(413);
    expect(r.body.toString()).toBe(`Cannot accept file "over.bin" of field "file": it is over ${MAX} bytes\n`);
    await server.running.waitFor(/upload refused: Cannot accept file "over\.bin".*; nothing kept/, 5000);
    expect(readdirSync(uploads)).toEqual(['photo.bin']);
  });

  it('refuses a chunked upload over the limit with 413 and keeps nothing of it', async () => {
    const f = source('chunked.bin', 3 * MAX);
    const r = await curl(`${server.url}/formdest`, ['-H', 'Transfer-Encoding: chunked', '-F', `file=@${f.path}`]);
    expect(r.status).toBe(413);
    expect(r.body.toString()).toMatch(/^Cannot accept (file "chunked\.bin" of field "file": it is over 100000 bytes|form: received \d+ bytes, limit is 116384)\n$/);
    await server.running.waitFor(/upload refused: .*; nothing kept[^]*upload refused: .*; nothing kept/, 5000);
    expect(readdirSync(uploads)).toEqual(['photo.bin']);
  });

  it('refuses an upload whose Content-Length is over the limit with 413 before reading it', async () => {
    const f = source('huge.bin', 10 * MAX);
    const r = await curl(`${server.url}/formdest`, ['-F', `file=@${f.path}`]);
    expect(r.status).toBe(413);
    expect(readdirSync(uploads)).toEqual(['photo.bin']);
  });

  it('keeps nothing of an upload the client abandons half way', async () => {
    const port = Number(new URL(server.url).port);
    const head = '--b\r\nContent-Disposition: form-data; name="file"; filename="half.bin"\r\n\r\n';
    const sock = connect(port, '127.0.0.1');
    await once(sock, 'connect');
    sock.write(`POST /formdest HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 90000\r\n\r\n${head}`);
    sock.write(randomBytes(40_000));
    // the server has started the file once the temporary file shows up
    await waitForEntry(uploads, /^\.lws-upload-[0-9a-f]+\.part$/);
    // RST, as a browser tab closing mid-upload can; a FIN mid-body is cleaned up at the vhost's body timeout
    sock.resetAndDestroy();
    await server.running.waitFor(/upload abandoned by the client; nothing kept/, 5000);
    expect(readdirSync(uploads)).toEqual(['photo.bin']);
  });

  it('refuses a non-POST with 405', async () => {
    const r = await curl(`${server.url}/formdest`);
    expect(r.status).toBe(405);
    expect(r.body.toString()).toBe('Use POST to upload\n');
  });
});
