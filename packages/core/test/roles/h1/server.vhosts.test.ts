/*
 * Vhosts on the h1 server: chosen by Host on one port, on different ports,
 * by SNI over TLS; per-vhost error pages, redirect mounts, per-mount headers
 * and basic auth on a mount.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createContext, type Context } from '../../../src/context/context.js';
import { setLogLevel } from '../../../src/context/log.js';
import { closeAll, exchange, statusesOf } from './server.harness.js';

setLogLevel(1);

const dir = mkdtempSync(join(tmpdir(), 'lws-vh-'));
for (const name of ['a', 'b']) {
  mkdirSync(join(dir, name));
  writeFileSync(join(dir, name, 'index.html'), `site ${name}\n`);
  writeFileSync(join(dir, name, '404.html'), `missing on ${name}\n`);
}
writeFileSync(join(dir, 'pw'), 'user:secret\n');

let context: Context | undefined;
afterEach(async () => {
  closeAll();
  await context?.destroy();
  context = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const site = (name: string, port: number, extra: object = {}) => ({
  name: `${name}.example`,
  port,
  errorPages: { 404: '/404.html' },
  mounts: [
    { kind: 'file' as const, mountpoint: '/', origin: join(dir, name), headers: [['x-site', name]] as [string, string][] },
    { kind: 'redirect' as const, mountpoint: '/go', location: `https://${name}.example/`, status: 302 as const },
    { kind: 'file' as const, mountpoint: '/private', origin: join(dir, name), basicAuth: { realm: `realm ${name}`, credentialsFile: join(dir, 'pw') } },
  ],
  ...extra,
});

const get = (path: string, host: string): string => `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;

describe('vhosts', () => {
  it('chooses the vhost by Host on a shared port, the first one by default', async () => {
    context = await createContext({ vhosts: [site('a', 0), site('b', 0)] });
    // port 0 vhosts never share: put b on a's port
    const port = context.port;
    await context.destroy();
    context = await createContext({ vhosts: [site('a', port), site('b', port)] });
    expect(await exchange(port, get('/', 'a.example'))).toMatch(/site a\n$/);
    expect(await exchange(port, get('/', 'B.EXAMPLE:80'))).toMatch(/site b\n$/);
    expect(await exchange(port, get('/', 'unknown.example'))).toMatch(/site a\n$/);
    const miss = await exchange(port, get('/nope', 'b.example'));
    expect(statusesOf(miss)).toEqual([404]);
    expect(miss).toMatch(/missing on b\n$/);
  });

  it('serves different vhosts on different ports', async () => {
    context = await createContext({ vhosts: [site('a', 0), site('b', 0)] });
    const [pa, pb] = context.vhosts.map((v) => v.port as number);
    expect(pa).not.toBe(pb);
    expect(await exchange(pa as number, get('/', 'x'))).toMatch(/site a\n$/);
    expect(await exchange(pb as number, get('/', 'x'))).toMatch(/site b\n$/);
  });

  it('redirects, and adds the mount headers only on its mount', async () => {
    context = await createContext(site('a', 0));
    const r = await exchange(context.port, get('/go/x?y=1', 'a.example'));
    expect(r).toMatch(/^HTTP\/1\.1 302 Found\r\n/);
    expect(r).toContain('location: https://a.example/x?y=1\r\n');
    expect(await exchange(context.port, get('/', 'a.example'))).toContain('x-site: a\r\n');
    expect(r).not.toContain('x-site');
  });

  it('guards a mount with basic auth: 401 + WWW-Authenticate, then 200 with the password', async () => {
    context = await createContext(site('a', 0));
    const no = await exchange(context.port, get('/private/', 'a.example'));
    expect(statusesOf(no)).toEqual([401]);
    expect(no).toContain('www-authenticate: Basic realm="realm a", charset="UTF-8"\r\n');
    const bad = `GET /private/ HTTP/1.1\r\nHost: a\r\nAuthorization: Basic ${Buffer.from('user:wrong').toString('base64')}\r\nConnection: close\r\n\r\n`;
    expect(statusesOf(await exchange(context.port, bad))).toEqual([401]);
    const ok = `GET /private/ HTTP/1.1\r\nHost: a\r\nAuthorization: Basic ${Buffer.from('user:secret').toString('base64')}\r\nConnection: close\r\n\r\n`;
    expect(await exchange(context.port, ok)).toMatch(/site a\n$/);
  });

  it('picks the certificate and vhost by SNI on one TLS port', async () => {
    const pem = (cn: string): { cert: string; key: string } => {
      const key = join(dir, `${cn}.key`);
      const cert = join(dir, `${cn}.cert`);
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${cn}`, '-addext', `subjectAltName=DNS:${cn}`], { stdio: 'ignore' });
      return { cert, key };
    };
    const ta = pem('a.example');
    const tb = pem('b.example');
    context = await createContext({ vhosts: [site('a', 0, { tls: ta })] });
    const port = context.port;
    await context.destroy();
    context = await createContext({ vhosts: [site('a', port, { tls: ta }), site('b', port, { tls: tb })] });
    for (const name of ['a', 'b']) {
      const got = await new Promise<{ cn: string; body: string }>((resolve, reject) => {
        let cn = '';
        const s = tlsConnect({ port, host: '127.0.0.1', servername: `${name}.example`, rejectUnauthorized: false }, () => {
          cn = String(s.getPeerCertificate().subject?.CN);
          s.write(get('/', `${name}.example`));
        });
        let out = '';
        s.on('data', (b: Buffer) => (out += b.toString('latin1')));
        s.on('error', reject);
        s.on('close', () => resolve({ cn, body: out }));
      });
      expect(got.cn).toBe(`${name}.example`);
      expect(got.body).toMatch(new RegExp(`site ${name}\\n$`));
    }
  });
});
