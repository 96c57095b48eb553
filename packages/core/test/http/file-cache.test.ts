/*
 * The file mounts' cache: unit checks of FileCache (bounds, eviction, the
 * stat revalidation, the resolution TTL) and, over real sockets, that a
 * served file changed, replaced, deleted or swapped for a symlink out of the
 * mount is answered as if nothing were cached.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type Context } from '../../src/context/context.js';
import { setLogLevel } from '../../src/context/log.js';
import { FileCache } from '../../src/http/file-cache.js';

setLogLevel(1);

const dir = mkdtempSync(join(tmpdir(), 'lws-fcache-'));
const outside = mkdtempSync(join(tmpdir(), 'lws-fcache-out-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

function file(name: string, data: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

describe('FileCache', () => {
  it('keeps small files with their bytes and revalidates by stat', () => {
    const p = file('a.txt', 'first');
    const c = new FileCache({ statTtlMs: 0 });
    const e = c.put('a', p, statSync(p));
    expect(e.body?.toString()).toBe('first');
    expect(c.bytes).toBe(5);
    expect(c.get('a')?.body?.toString()).toBe('first');
    writeFileSync(p, 'second, longer');
    expect(c.get('a')?.body?.toString()).toBe('second, longer');
    expect(c.bytes).toBe(14);
  });

  it('sees a same-size rewrite through the mtime', () => {
    const p = file('same.txt', 'aaaa');
    const c = new FileCache({ statTtlMs: 0 });
    c.put('k', p, statSync(p));
    writeFileSync(p, 'bbbb');
    utimesSync(p, new Date(), new Date(Date.now() + 5000));
    expect(c.get('k')?.body?.toString()).toBe('bbbb');
  });

  it('forgets a deleted file', () => {
    const p = file('gone.txt', 'x');
    const c = new FileCache({ statTtlMs: 0 });
    c.put('g', p, statSync(p));
    unlinkSync(p);
    expect(c.get('g')).toBeUndefined();
    expect(c.size).toBe(0);
    expect(c.bytes).toBe(0);
  });

  it('does not keep the bytes of files over maxFileBytes, but keeps the path', () => {
    const p = file('big.bin', Buffer.alloc(2000, 1));
    const c = new FileCache({ maxFileBytes: 1000 });
    expect(c.put('b', p, statSync(p)).body).toBeUndefined();
    expect(c.get('b')?.size).toBe(2000);
    expect(c.bytes).toBe(0);
  });

  it('evicts the least recently used past maxEntries and maxBytes', () => {
    const c = new FileCache({ maxEntries: 2, maxBytes: 10 });
    const ps = ['e1', 'e2', 'e3'].map((n) => file(n, '1234'));
    c.put('1', ps[0] as string, statSync(ps[0] as string));
    c.put('2', ps[1] as string, statSync(ps[1] as string));
    expect(c.get('1')).toBeDefined(); // 1 is now the most recent
    c.put('3', ps[2] as string, statSync(ps[2] as string));
    expect(c.size).toBe(2);
    expect(c.get('2')).toBeUndefined();
    expect(c.get('1')).toBeDefined();
    const q = file('e4', '1234567');
    c.put('4', q, statSync(q)); // 4 + 7 bytes > 10: the oldest goes
    expect(c.bytes).toBeLessThanOrEqual(10);
    expect(c.get('4')?.body?.toString()).toBe('1234567');
  });

  it('redoes the resolution after resolveTtlMs', () => {
    let now = 0;
    const p = file('ttl.txt', 't');
    const c = new FileCache({ resolveTtlMs: 100 }, () => now);
    c.put('t', p, statSync(p));
    now = 100;
    expect(c.get('t')).toBeDefined();
    now = 101;
    expect(c.get('t')).toBeUndefined();
  });

  it('serves a hit on its last stat for statTtlMs, then stats again', () => {
    let now = 0;
    const p = file('ttl.txt', 'old');
    const c = new FileCache({ statTtlMs: 100 }, () => now);
    c.put('t', p, statSync(p));
    writeFileSync(p, 'new and longer');
    now = 99;
    expect(c.get('t')?.body?.toString()).toBe('old'); // within the TTL: not stat'ed
    now = 100;
    expect(c.get('t')?.body?.toString()).toBe('new and longer');
    // swapped for a symlink: within the TTL the bytes already read, never the link's target; then resolved again
    unlinkSync(p);
    symlinkSync(join(outside, 'secret.txt'), p);
    now = 150;
    expect(c.get('t')?.body?.toString()).toBe('new and longer');
    now = 200;
    expect(c.get('t')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('refuses bad limits with a RangeError naming them', () => {
    expect(() => new FileCache({ maxBytes: -1 })).toThrow(/maxBytes must be a non-negative integer/);
    expect(() => new FileCache({ resolveTtlMs: 0.5 })).toThrow(/resolveTtlMs/);
    expect(() => new FileCache({ statTtlMs: -1 })).toThrow(/statTtlMs/);
  });

  it('with maxEntries 0 keeps nothing', () => {
    const p = file('none.txt', 'n');
    const c = new FileCache({ maxEntries: 0 });
    expect(c.put('n', p, statSync(p)).size).toBe(1);
    expect(c.get('n')).toBeUndefined();
  });
});

describe('file mounts with the cache, over sockets', () => {
  let ctx: Context;
  let off: Context;
  /** The default file cache: a hit is stat'ed at most every 100 ms. */
  let lazy: Context;
  const www = join(dir, 'www');

  beforeAll(async () => {
    mkdirSync(www);
    writeFileSync(join(www, 'page.txt'), 'version 1\n');
    writeFileSync(join(outside, 'secret.txt'), 'secret\n');
    ctx = await createContext({ port: 0, fileCache: { resolveTtlMs: 50, statTtlMs: 0 }, mounts: [{ kind: 'file', mountpoint: '/', origin: www }] });
    lazy = await createContext({ port: 0, mounts: [{ kind: 'file', mountpoint: '/', origin: www }] });
    off = await createContext({ port: 0, fileCache: false, mounts: [{ kind: 'file', mountpoint: '/', origin: www }] });
  });
  afterAll(async () => {
    await ctx.destroy();
    await off.destroy();
    await lazy.destroy();
  });

  function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; etag: string | undefined }> {
    return new Promise((resolve, reject) => {
      const r = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, etag: res.headers.etag }));
      });
      r.on('error', reject);
      r.end();
    });
  }

  it('serves an edit at once, with a new ETag', async () => {
    const a = await get(ctx.port, '/page.txt');
    expect(a).toMatchObject({ status: 200, body: 'version 1\n' });
    expect(await get(ctx.port, '/page.txt', { 'if-none-match': a.etag as string })).toMatchObject({ status: 304 });
    writeFileSync(join(www, 'page.txt'), 'version 2, longer\n');
    const b = await get(ctx.port, '/page.txt');
    expect(b).toMatchObject({ status: 200, body: 'version 2, longer\n' });
    expect(b.etag).not.toBe(a.etag);
  });

  it('by default serves an edit within statTtlMs (100 ms)', async () => {
    writeFileSync(join(www, 'lazy.txt'), 'one\n');
    expect(await get(lazy.port, '/lazy.txt')).toMatchObject({ status: 200, body: 'one\n' });
    writeFileSync(join(www, 'lazy.txt'), 'two, longer\n');
    await new Promise((r) => setTimeout(r, 120));
    expect(await get(lazy.port, '/lazy.txt')).toMatchObject({ status: 200, body: 'two, longer\n' });
  });

  it('answers 404 once the file is deleted, 200 when it is back', async () => {
    writeFileSync(join(www, 'tmp.txt'), 'here\n');
    expect(await get(ctx.port, '/tmp.txt')).toMatchObject({ status: 200, body: 'here\n' });
    unlinkSync(join(www, 'tmp.txt'));
    expect((await get(ctx.port, '/tmp.txt')).status).toBe(404);
    writeFileSync(join(www, 'tmp.txt'), 'back\n');
    expect(await get(ctx.port, '/tmp.txt')).toMatchObject({ status: 200, body: 'back\n' });
  });

  it('refuses a file swapped for a symlink out of the mount', async () => {
    writeFileSync(join(www, 'swap.txt'), 'inside\n');
    expect(await get(ctx.port, '/swap.txt')).toMatchObject({ status: 200, body: 'inside\n' });
    unlinkSync(join(www, 'swap.txt'));
    symlinkSync(join(outside, 'secret.txt'), join(www, 'swap.txt'));
    // the cached real path is gone: resolved again, and the escape is refused
    expect((await get(ctx.port, '/swap.txt')).status).toBe(403);
  });

  it('refuses a directory swapped for a symlink out once resolveTtlMs has passed', async () => {
    mkdirSync(join(www, 'sub'));
    writeFileSync(join(www, 'sub', 'secret.txt'), 'inside too\n');
    expect(await get(ctx.port, '/sub/secret.txt')).toMatchObject({ status: 200, body: 'inside too\n' });
    rmSync(join(www, 'sub'), { recursive: true });
    symlinkSync(outside, join(www, 'sub'));
    await new Promise((r) => setTimeout(r, 80)); // past the 50 ms TTL
    expect((await get(ctx.port, '/sub/secret.txt')).status).toBe(403);
  });

  it('with fileCache false serves the same bytes', async () => {
    writeFileSync(join(www, 'page.txt'), 'version 3\n');
    expect(await get(off.port, '/page.txt')).toMatchObject({ status: 200, body: 'version 3\n' });
    expect(await get(ctx.port, '/page.txt')).toMatchObject({ status: 200, body: 'version 3\n' });
  });
});
