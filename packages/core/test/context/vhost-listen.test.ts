/*
 * Where vhosts listen: a unix domain socket, TLS with ALPN, and two TLS
 * vhosts on one port told apart by SNI (each presenting its own
 * certificate and serving its own mount).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type Context } from '../../src/context/context.js';
import { setLogLevel } from '../../src/context/log.js';

const execFileAsync = promisify(execFile);

setLogLevel(0);

let dir: string;

function makeCert(cn: string): { cert: string; key: string } {
  const key = join(dir, `${cn}.key`);
  const cert = join(dir, `${cn}.cert`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', `/CN=${cn}`, '-addext', `subjectAltName=DNS:${cn}`, '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

function site(name: string): string {
  const d = join(dir, `www-${name}`);
  execFileSync('mkdir', ['-p', d]);
  writeFileSync(join(d, 'index.html'), `this is ${name}\n`);
  return d;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lws-listen-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vhost listening', () => {
  let context: Context | undefined;
  afterAll(async () => context?.destroy());

  it('serves http over a unix domain socket, and the path can be reused after destroy', async () => {
    const path = join(dir, 'lws.sock');
    context = await createContext({ unixSocket: path, mounts: [{ kind: 'file', mountpoint: '/', origin: site('unix') }] });
    const body = await new Promise<string>((resolve, reject) => {
      const req = request({ socketPath: path, path: '/', headers: { host: 'localhost' } }, (res) => {
        let b = '';
        res.on('data', (c: Buffer) => (b += c.toString()));
        res.on('end', () => resolve(b));
      });
      req.on('error', reject);
      req.end();
    });
    expect(body).toBe('this is unix\n');
    await context.destroy();
    // a second context on the same path after the first is gone
    context = await createContext({ unixSocket: path, mounts: [{ kind: 'file', mountpoint: '/', origin: site('unix') }] });
    expect(context.addresses).toEqual([path]);
  });

  it('chooses the TLS vhost by SNI on a shared port and negotiates ALPN', async () => {
    await context?.destroy();
    const a = makeCert('a.test');
    const b = makeCert('b.test');
    const first = await createContext({ vhosts: [{ name: 'a.test', port: 0, tls: a, mounts: [{ kind: 'file', mountpoint: '/', origin: site('a') }] }] });
    const port = first.port;
    await first.destroy();
    context = await createContext({
      vhosts: [
        { name: 'a.test', port, tls: { ...a, alpn: ['http/1.1'] }, mounts: [{ kind: 'file', mountpoint: '/', origin: site('a') }] },
        { name: 'b.test', port, tls: { ...b, alpn: ['http/1.1'] }, mounts: [{ kind: 'file', mountpoint: '/', origin: site('b') }] },
      ],
    });
    expect(context.addresses).toHaveLength(1);
    for (const [name, cert] of [['a.test', a.cert], ['b.test', b.cert]] as const) {
      const got = await new Promise<{ cn: string; alpn: string | false; body: string }>((resolve, reject) => {
        const s = tlsConnect({ port, host: '127.0.0.1', servername: name, ca: readFileSync(cert), ALPNProtocols: ['http/1.1'] }, () => {
          s.write(`GET / HTTP/1.1\r\nHost: ${name}\r\nConnection: close\r\n\r\n`);
        });
        let text = '';
        s.on('data', (d: Buffer) => (text += d.toString()));
        s.on('error', reject);
        s.on('end', () => resolve({ cn: String(s.getPeerCertificate().subject?.CN), alpn: s.alpnProtocol ?? false, body: text.split('\r\n\r\n')[1] ?? '' }));
      });
      expect(got.cn).toBe(name);
      expect(got.alpn).toBe('http/1.1');
      expect(got.body).toBe(`this is ${name.split('.')[0]}\n`);
    }
  });

  it('curl, verifying each name against its own certificate, reaches each SNI vhost', async () => {
    // the context of the previous test: a.test and b.test on one TLS port
    const port = context?.port as number;
    for (const name of ['a.test', 'b.test']) {
      const { stdout } = await execFileAsync('curl', ['-sS', '--max-time', '10', '--cacert', join(dir, `${name}.cert`), '--resolve', `${name}:${port}:127.0.0.1`, `https://${name}:${port}/`]);
      expect(stdout).toBe(`this is ${name.split('.')[0]}\n`);
    }
    // a name no vhost has gets the default (first) vhost's certificate: curl refuses it for that name
    await expect(execFileAsync('curl', ['-sS', '--max-time', '10', '--cacert', join(dir, 'b.test.cert'), '--resolve', `c.test:${port}:127.0.0.1`, `https://c.test:${port}/`])).rejects.toThrow();
  });
});
