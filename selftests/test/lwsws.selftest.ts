/*
 * lwsws, the lws web server: serving a directory (--root) over http and
 * https with the static features, and a JSON config of vhosts with a file
 * mount, a callback mount from a plugin module, a redirect and headers.
 * Checked with curl; one access-log line per request at info.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { exampleDir } from '../lib/examples.js';
import { curl } from '../lib/peers.js';
import { REPO_ROOT, start, stopAll } from '../lib/processes.js';

const LWSWS = join(REPO_ROOT, 'packages/core/src/bin/lwsws.ts');
const site = exampleDir('http-server/minimal-http-server');
const tlsDir = exampleDir('http-server/minimal-http-server-tls');
const index = readFileSync(join(site, 'mount-origin', 'index.html'));
const tmp = mkdtempSync(join(tmpdir(), 'lwsws-'));

afterEach(async () => {
  await stopAll();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Start lwsws and wait until it has printed the URLs of `vhosts` vhosts. */
async function lwsws(args: string[], vhosts = 1): Promise<{ urls: string[]; output: () => string }> {
  const r = start(process.execPath, ['--import', 'tsx', LWSWS, ...args]);
  await r.waitFor(new RegExp(`(?:USER: lwsws \\| vhost \\S+ at https?://\\S+\\n[\\s\\S]*?){${vhosts}}`), 20_000);
  const urls = [...r.output().matchAll(/USER: lwsws \| vhost \S+ at (https?:\/\/\S+)/g)].map((m) => m[1] as string);
  return { urls, output: r.output };
}

describe('lwsws', () => {
  it('serves a directory with --root, with ranges, gzip and an access log line', async () => {
    const s = await lwsws(['--root', join(site, 'mount-origin'), '--port', '0', '-d', '1039']);
    const url = s.urls[0] as string;
    const r = await curl(`${url}/index.html`);
    expect(r.status).toBe(200);
    expect(r.body.equals(index)).toBe(true);
    expect(r.headers['content-security-policy']).toContain("default-src 'none'");
    const range = await curl(`${url}/index.html`, ['-r', '0-9']);
    expect(range.status).toBe(206);
    expect(range.body.equals(index.subarray(0, 10))).toBe(true);
    const gz = await curl(`${url}/index.html`, ['--compressed', '-H', 'Accept-Encoding: gzip']);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.body.equals(index)).toBe(true);
    expect(s.output()).toMatch(/INFO: 127\.0\.0\.1 localhost "GET \/index\.html HTTP\/1\.1" 206/);
    const miss = await curl(`${url}/nope`);
    expect(miss.status).toBe(404);
    expect(miss.body.equals(readFileSync(join(site, 'mount-origin', '404.html')))).toBe(true);
  });

  it('serves https with --tls --cert --key', async () => {
    const cert = join(tlsDir, 'localhost-100y.cert');
    const s = await lwsws(['--root', join(site, 'mount-origin'), '--port', '0', '--tls', '--cert', cert, '--key', join(tlsDir, 'localhost-100y.key')]);
    expect(s.urls[0]).toMatch(/^https:/);
    const r = await curl(`${s.urls[0]}/`, ['--cacert', cert]);
    expect(r.status).toBe(200);
    expect(r.body.equals(index)).toBe(true);
  });

  it('runs vhosts, mounts, a plugin protocol, redirects and headers from --config', async () => {
    writeFileSync(
      join(tmp, 'hello-plugin.mjs'),
      `export default { name: 'hello', http(wsi, _pss, req) { wsi.respondText(200, 'hello from the plugin at ' + req.pathInMount); } };\n`,
    );
    const config = {
      vhosts: [
        {
          name: 'main',
          port: 0,
          headers: { 'x-served-by': 'lwsws' },
          errorPages: { 404: '/404.html' },
          mounts: [
            { mountpoint: '/', origin: join(site, 'mount-origin') },
            { kind: 'callback', mountpoint: '/api', protocol: 'hello', plugin: './hello-plugin.mjs' },
            { kind: 'redirect', mountpoint: '/old', location: 'https://example.com/new/', status: 302 },
          ],
        },
        { name: 'second', port: 0, security: false, mounts: [{ mountpoint: '/', origin: join(tlsDir, 'mount-origin') }] },
      ],
    };
    writeFileSync(join(tmp, 'lwsws.json'), JSON.stringify(config));
    const s = await lwsws(['--config', join(tmp, 'lwsws.json')], 2);
    expect(s.urls).toHaveLength(2);
    const [main, second] = s.urls as [string, string];
    const page = await curl(`${main}/`);
    expect(page.body.equals(index)).toBe(true);
    expect(page.headers['x-served-by']).toBe('lwsws');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    const api = await curl(`${main}/api/x`);
    expect(api.status).toBe(200);
    expect(api.body.toString()).toBe('hello from the plugin at /x');
    const old = await curl(`${main}/old/a?b=1`);
    expect(old.status).toBe(302);
    expect(old.headers.location).toBe('https://example.com/new/a?b=1');
    const miss = await curl(`${main}/nope`);
    expect(miss.status).toBe(404);
    expect(miss.body.equals(readFileSync(join(site, 'mount-origin', '404.html')))).toBe(true);
    const other = await curl(`${second}/`);
    expect(other.status).toBe(200);
    expect(other.headers['content-security-policy']).toBeUndefined();
  });
});
