/*
 * minimal-http-server-basicauth, -multivhost, -tls-80, -mimetypes, -smp,
 * -eventlib and -eventlib-foreign against curl: each example started with
 * --port 0, its URLs read from its USER: line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exampleDir, startServerExample } from '../lib/examples.js';
import { curl } from '../lib/peers.js';
import { stopAll } from '../lib/processes.js';

afterEach(async () => {
  await stopAll();
});

describe('minimal-http-server-basicauth', () => {
  const dir = exampleDir('http-server/minimal-http-server-basicauth');

  it('serves / to anyone and /secret/ only with the password', async () => {
    const { url } = await startServerExample('http-server/minimal-http-server-basicauth');
    const pub = await curl(`${url}/`);
    expect(pub.status).toBe(200);
    expect(pub.body.equals(readFileSync(join(dir, 'mount-origin', 'index.html')))).toBe(true);
    for (const extra of [[], ['-u', 'user:wrong'], ['-u', 'nobody:password']]) {
      const r = await curl(`${url}/secret/`, extra);
      expect(r.status).toBe(401);
      expect(r.headers['www-authenticate']).toBe('Basic realm="lws-minimal-http-server-basicauth", charset="UTF-8"');
      expect(r.body.toString()).not.toContain('right credentials');
    }
    const ok = await curl(`${url}/secret/`, ['-u', 'user:password']);
    expect(ok.status).toBe(200);
    expect(ok.body.equals(readFileSync(join(dir, 'mount-secret-origin', 'index.html')))).toBe(true);
    expect(ok.headers['content-security-policy']).toContain("default-src 'none'");
  });
});

describe('minimal-http-server-multivhost', () => {
  it('chooses the vhost by Host on the shared port, and serves localhost2 on its own port', async () => {
    const s = await startServerExample('http-server/minimal-http-server-multivhost');
    const m = /and (http:\/\/127\.0\.0\.1:\d+) \(localhost2\)/.exec(s.running.output());
    expect(m).not.toBeNull();
    for (const [host, want] of [['localhost1', 'localhost1'], ['localhost3', 'localhost3'], ['localhost3:1234', 'localhost3'], ['other', 'localhost1']]) {
      const r = await curl(`${s.url}/`, ['-H', `Host: ${host}`]);
      expect(r.status).toBe(200);
      expect(r.body.toString()).toContain(`Served by the vhost named <b>${want}</b>`);
    }
    const r2 = await curl(`${(m as RegExpExecArray)[1]}/`);
    expect(r2.body.toString()).toContain('Served by the vhost named <b>localhost2</b>');
    const miss = await curl(`${s.url}/nope`, ['-H', 'Host: localhost3']);
    expect(miss.status).toBe(404);
  });
});

describe('minimal-http-server-tls-80', () => {
  const dir = exampleDir('http-server/minimal-http-server-tls-80');

  it('redirects plain http to https, keeping path and query, and serves the page over TLS', async () => {
    const s = await startServerExample('http-server/minimal-http-server-tls-80');
    expect(s.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const httpsPort = new URL(s.url).port;
    const plain = /\((http:\/\/127\.0\.0\.1:\d+) redirects there\)/.exec(s.running.output());
    expect(plain).not.toBeNull();
    const r = await curl(`${(plain as RegExpExecArray)[1]}/index.html?a=1`);
    expect(r.status).toBe(301);
    expect(r.headers.location).toBe(`https://localhost:${httpsPort}/index.html?a=1`);
    const followed = await curl(`${(plain as RegExpExecArray)[1]}/`, ['-L', '--cacert', join(dir, 'localhost-100y.cert')]);
    expect(followed.status).toBe(200);
    expect(followed.body.equals(readFileSync(join(dir, 'mount-origin', 'index.html')))).toBe(true);
  });
});

describe('minimal-http-server-mimetypes', () => {
  it('serves unknown extensions with the mount\'s extra mimetypes', async () => {
    const { url } = await startServerExample('http-server/minimal-http-server-mimetypes');
    const note = await curl(`${url}/notes.lwsnote`);
    expect(note.headers['content-type']).toBe('text/plain; charset=utf-8');
    const data = await curl(`${url}/data.lwsdata`);
    expect(data.headers['content-type']).toBe('application/json');
    expect(JSON.parse(data.body.toString())).toEqual({ served: 'as application/json because the mount says so' });
  });
});

describe('minimal-http-server-smp', () => {
  it('answers from more than one worker process on one port', async () => {
    const { url } = await startServerExample('http-server/minimal-http-server-smp', ['--count', '2']);
    const workers = new Set<string>();
    for (let i = 0; i < 8 && workers.size < 2; i++) {
      const r = await curl(`${url}/`);
      expect(r.status).toBe(200);
      workers.add(r.headers['x-lws-worker'] ?? '');
    }
    expect([...workers].sort()).toEqual(['1', '2']);
  });
});

describe('minimal-http-server-eventlib', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('serves, then closes cleanly and exits 0 on %s', async (signal) => {
    const { url, running } = await startServerExample('http-server/minimal-http-server-eventlib');
    expect((await curl(`${url}/`)).status).toBe(200);
    process.kill(running.pid, signal);
    expect(await running.exited).toBe(0);
    expect(running.output()).toContain(`USER: ${signal}: closing`);
    expect(running.output()).toContain('USER: Completed: OK');
  });
});

describe('minimal-http-server-eventlib-foreign', () => {
  it('adopts sockets from its own server into two contexts, and shuts down cleanly', async () => {
    const { url, running } = await startServerExample('http-server/minimal-http-server-eventlib-foreign');
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const r = await curl(`${url}/`);
      expect(r.status).toBe(200);
      seen.add(r.headers['x-lws-context'] ?? '');
    }
    expect([...seen].sort()).toEqual(['a', 'b']);
    process.kill(running.pid, 'SIGTERM');
    expect(await running.exited).toBe(0);
    expect(running.output()).toContain('USER: Completed: OK');
  });
});
