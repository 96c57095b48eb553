import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkRealPath,
  resolveMountPath,
  slashRedirectLocation,
  statMountTarget,
  type ResolvedPath,
} from '../../src/http/path-safety.js';

const ROOT = '/srv/www';

function ok(urlPath: string): ResolvedPath {
  const r = resolveMountPath(ROOT, urlPath);
  if (!r.ok) throw new Error(`expected ok for ${urlPath}: ${r.error.message}`);
  return r;
}

describe('resolveMountPath: accepted paths', () => {
  it.each([
    ['/', '/srv/www', '/', true],
    ['', '/srv/www', '/', true],
    ['/index.html', '/srv/www/index.html', '/index.html', false],
    ['index.html', '/srv/www/index.html', '/index.html', false],
    ['/a/b/c.txt', '/srv/www/a/b/c.txt', '/a/b/c.txt', false],
    ['/a/', '/srv/www/a', '/a/', true],
    ['//a///b//', '/srv/www/a/b', '/a/b/', true],
    ['/./a/./b', '/srv/www/a/b', '/a/b', false],
    ['/a/b/../c', '/srv/www/a/c', '/a/c', false],
    ['/a/b/..', '/srv/www/a', '/a/', true],
    ['/a/b/.', '/srv/www/a/b', '/a/b/', true],
    ['/a/..', '/srv/www', '/', true],
    ['/a/../', '/srv/www', '/', true],
    ['/a/%2e%2e/b', '/srv/www/b', '/b', false],
    ['/a/%2E./b', '/srv/www/b', '/b', false],
    ['/%2e/a', '/srv/www/a', '/a', false],
    ['/a%2fb', '/srv/www/a/b', '/a/b', false],
    ['/hello%20world.txt', '/srv/www/hello world.txt', '/hello world.txt', false],
    ['/caf%C3%A9', '/srv/www/café', '/café', false],
    ['/%F0%9F%98%80.png', '/srv/www/😀.png', '/😀.png', false],
    ['/a.html?x=1&y=/../../etc', '/srv/www/a.html', '/a.html', false],
    ['/a.html#frag/../../x', '/srv/www/a.html', '/a.html', false],
    ['/dir/?q', '/srv/www/dir', '/dir/', true],
    ['/...', '/srv/www/...', '/...', false],
    ['/..a/a..', '/srv/www/..a/a..', '/..a/a..', false],
    ['/.well-known/x', '/srv/www/.well-known/x', '/.well-known/x', false],
    ['!bang%21', '/srv/www/!bang!', '/!bang!', false],
    ['/%21x', '/srv/www/!x', '/!x', false],
  ])('maps %j to %s', (url, fsPath, relPath, trailingSlash) => {
    expect(resolveMountPath(ROOT, url)).toEqual({ ok: true, fsPath, relPath, trailingSlash });
  });

  it('decodes exactly once: %252e%252e is a file literally named %2e%2e', () => {
    expect(ok('/%252e%252e/etc/passwd').fsPath).toBe('/srv/www/%2e%2e/etc/passwd');
    expect(ok('/%252e%252e%252f').fsPath).toBe('/srv/www/%2e%2e%2f');
    expect(ok('/%25').fsPath).toBe('/srv/www/%');
  });

  it('resolves a relative mount directory against the cwd', () => {
    expect(ok('/x').fsPath.startsWith('/')).toBe(true);
    expect(resolveMountPath('www', '/x')).toMatchObject({ ok: true, fsPath: join(process.cwd(), 'www', 'x') });
  });

  it('handles a mount at the filesystem root', () => {
    expect(resolveMountPath('/', '/etc/hosts')).toMatchObject({ ok: true, fsPath: '/etc/hosts' });
    expect(resolveMountPath('/', '/../etc/hosts')).toMatchObject({ ok: false, status: 403 });
  });
});

describe('resolveMountPath: traversal is refused with 403 LWS_ERR_HTTP_PATH_ESCAPE', () => {
  it.each([
    '/..',
    '/../',
    '/../etc/passwd',
    '..',
    '../etc/passwd',
    '/%2e%2e/etc/passwd',
    '/%2E%2E/etc/passwd',
    '/%2e./etc/passwd',
    '/.%2e/etc/passwd',
    '/%2E%2e%2fetc/passwd',
    '/..%2fetc/passwd',
    '/%2e%2e%2f%2e%2e%2fetc',
    '/a/../../etc/passwd',
    '/a/b/../../../etc',
    '/a/%2e%2e/%2e%2e/etc',
    '/./../etc',
    '//../etc',
    '/a/..//../etc',
    '/..?x=/a',
  ])('refuses %j', (url) => {
    const r = resolveMountPath(ROOT, url);
    expect(r).toMatchObject({ ok: false, kind: 'error', status: 403 });
    if (r.ok) return;
    expect(r.error).toMatchObject({ code: 'LWS_ERR_HTTP_PATH_ESCAPE', wire: { status: 403 } });
    expect(r.error.message).toBe(`Cannot resolve path: ${JSON.stringify(url)} escapes the mount`);
  });

  it('states the value in the message as the brief example does', () => {
    const r = resolveMountPath(ROOT, '%2e%2e/etc');
    expect(!r.ok && r.error.message).toBe('Cannot resolve path: "%2e%2e/etc" escapes the mount');
  });
});

describe('resolveMountPath: malformed paths are refused with 400 LWS_ERR_HTTP_BAD_PATH', () => {
  it.each([
    ['/a%00.html', 'contains NUL (%00)'],
    ['/a\0.html', 'contains NUL'],
    ['/%00', 'contains NUL (%00)'],
    ['\\..\\..\\etc\\passwd', 'contains a backslash'],
    ['/a\\b', 'contains a backslash'],
    ['/..%5c..%5cetc', 'contains a backslash (%5C)'],
    ['/%5C', 'contains a backslash (%5C)'],
    ['/%c0%ae%c0%ae/etc', 'is not valid UTF-8 after percent-decoding'],
    ['/%c0%af', 'is not valid UTF-8 after percent-decoding'],
    ['/%e0%80%ae', 'is not valid UTF-8 after percent-decoding'],
    ['/%ed%a0%80', 'is not valid UTF-8 after percent-decoding'],
    ['/%ff', 'is not valid UTF-8 after percent-decoding'],
    ['/%C3', 'is not valid UTF-8 after percent-decoding'],
    ['/a%', 'has an invalid percent-escape at index 2'],
    ['/a%2', 'has an invalid percent-escape at index 2'],
    ['/a%zz', 'has an invalid percent-escape at index 2'],
    ['/%%32%65', 'has an invalid percent-escape at index 1'],
    ['/a%g0', 'has an invalid percent-escape at index 2'],
    ['/a%0a.html', 'contains control character 0x0a'],
    ['/a%0D%0Aset-cookie', 'contains control character 0x0d'],
    ['/a%7f', 'contains control character 0x7f'],
    ['/a\tb', 'contains control character 0x09'],
    ['/a\nb', 'contains control character 0x0a'],
    ['/caf\u00e9', 'contains non-ASCII character "é" (send it percent-encoded)'],
  ])('refuses %j: %s', (url, why) => {
    const r = resolveMountPath(ROOT, url);
    expect(r).toMatchObject({ ok: false, status: 400 });
    if (r.ok) return;
    expect(r.error).toMatchObject({ code: 'LWS_ERR_HTTP_BAD_PATH', wire: { status: 400 } });
    expect(r.error.message).toBe(`Cannot resolve path: ${JSON.stringify(url)} ${why}`);
  });

  it('refuses a path over maxLength and accepts one at it', () => {
    const long = `/${'a'.repeat(99)}`;
    expect(resolveMountPath(ROOT, long, { maxLength: 100 }).ok).toBe(true);
    const r = resolveMountPath(ROOT, `${long}a`, { maxLength: 100 });
    expect(!r.ok && r.error.message).toBe(`Cannot resolve path: ${JSON.stringify(`${long}a`)} is 101 characters long, limit is 100`);
  });

  it('cuts very long values in messages', () => {
    const r = resolveMountPath(ROOT, `/${'a'.repeat(5000)}%`);
    expect(!r.ok && r.error.message.length).toBeLessThan(300);
  });

  it('ignores what follows the query, even bad escapes', () => {
    expect(resolveMountPath(ROOT, '/a?%zz%00\\').ok).toBe(true);
  });

  it('throws TypeError / RangeError on API misuse', () => {
    expect(() => resolveMountPath('', '/')).toThrow(TypeError);
    expect(() => resolveMountPath('/a\0b', '/')).toThrow(TypeError);
    expect(() => resolveMountPath(ROOT, 5 as unknown as string)).toThrow(
      new TypeError('Cannot resolve path: urlPath is number, expected a string'),
    );
    expect(() => resolveMountPath(ROOT, '/', { maxLength: 0 })).toThrow(RangeError);
  });

  it('never yields a path outside the mount for random input', () => {
    const alphabet = ['/', '.', '%2e', '%2E', '%2f', '%2F', '%5c', '%25', 'a', '..', '%00', '%c0%ae', '?', '#', '\\'];
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 5000; i++) {
      let url = '';
      const len = 1 + rnd(12);
      for (let j = 0; j < len; j++) url += alphabet[rnd(alphabet.length)];
      const r = resolveMountPath(ROOT, url);
      if (!r.ok) continue;
      expect(r.fsPath === ROOT || r.fsPath.startsWith(`${ROOT}/`)).toBe(true);
      expect(r.fsPath.split('/')).not.toContain('..');
      expect(r.fsPath).not.toMatch(/\0|\\/);
    }
  });
});

describe('slashRedirectLocation', () => {
  it.each([
    ['/docs', '/docs/'],
    ['/docs?lang=en', '/docs/?lang=en'],
    ['/docs#top', '/docs/'],
    ['/docs?a#b', '/docs/?a'],
    ['//evil.example', '/evil.example/'],
    ['///evil.example?x', '/evil.example/?x'],
    ['/\\evil.example', '/evil.example/'],
    ['\\\\evil.example', '/evil.example/'],
    ['/\t/evil.example', '/%09/evil.example/'],
    ['/a\r\nset-cookie: x', '/a%0D%0Aset-cookie:%20x/'],
    ['/café', '/caf%C3%A9/'],
    ['/😀', '/%F0%9F%98%80/'],
    ['http://host.example/dir?q', '/dir/?q'],
    ['docs', '/docs/'],
    ['/%2e%2e', '/%2e%2e/'],
  ])('turns %j into %j', (target, location) => {
    expect(slashRedirectLocation(target)).toBe(location);
  });
});

describe('checkRealPath and statMountTarget (filesystem)', () => {
  let tmp: string;
  let root: string;
  let outside: string;

  beforeEach(async () => {
    tmp = await realpath(await mkdtemp(join(tmpdir(), 'lws-path-safety-')));
    root = join(tmp, 'www');
    outside = join(tmp, 'secret');
    await mkdir(join(root, 'dir', 'sub'), { recursive: true });
    await mkdir(join(root, 'empty'));
    await mkdir(outside);
    await writeFile(join(root, 'index.html'), '<h1>root</h1>');
    await writeFile(join(root, 'a.txt'), 'a');
    await writeFile(join(root, 'dir', 'index.htm'), 'htm');
    await writeFile(join(root, 'dir', 'sub', 'index.html'), 'sub');
    await writeFile(join(outside, 'passwd'), 'secret');
    await symlink(join(outside, 'passwd'), join(root, 'link-out'));
    await symlink(outside, join(root, 'dir-out'));
    await symlink(join(root, 'a.txt'), join(root, 'link-in'));
    await symlink('../www/dir', join(root, 'dir-in-rel'));
    await symlink(join(root, 'loop'), join(root, 'loop'));
    await symlink(join(outside, 'passwd'), join(root, 'empty', 'index.html'));
  });

  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('accepts a plain file inside the mount', async () => {
    expect(await checkRealPath(root, join(root, 'a.txt'))).toEqual({ ok: true, realPath: join(root, 'a.txt') });
  });

  it('accepts a symlink that stays inside and returns its target', async () => {
    expect(await checkRealPath(root, join(root, 'link-in'))).toEqual({ ok: true, realPath: join(root, 'a.txt') });
    expect(await checkRealPath(root, join(root, 'dir-in-rel', 'index.htm'))).toEqual({ ok: true, realPath: join(root, 'dir', 'index.htm') });
  });

  it('refuses a symlink out of the mount with 403 LWS_ERR_HTTP_SYMLINK_ESCAPE', async () => {
    const r = await checkRealPath(root, join(root, 'link-out'));
    expect(r).toMatchObject({ ok: false, status: 403, error: { code: 'LWS_ERR_HTTP_SYMLINK_ESCAPE', wire: { status: 403 } } });
    if (r.ok) return;
    expect(r.error.message).toBe(
      `Cannot serve path: ${JSON.stringify(join(root, 'link-out'))} resolves to ${JSON.stringify(join(outside, 'passwd'))}, outside the mount ${JSON.stringify(root)}`,
    );
    expect(await checkRealPath(root, join(root, 'dir-out', 'passwd'))).toMatchObject({ ok: false, status: 403 });
  });

  it('allows symlinks out when allowSymlinksOut', async () => {
    expect(await checkRealPath(root, join(root, 'link-out'), { allowSymlinksOut: true })).toEqual({ ok: true, realPath: join(outside, 'passwd') });
  });

  it('does not take a sibling directory with the mount as prefix for inside', async () => {
    await mkdir(`${root}-evil`);
    await writeFile(join(`${root}-evil`, 'x'), 'x');
    await symlink(join(`${root}-evil`, 'x'), join(root, 'prefix-trick'));
    expect(await checkRealPath(root, join(root, 'prefix-trick'))).toMatchObject({ ok: false, status: 403 });
  });

  it('works when the mount itself is reached through a symlink', async () => {
    await symlink(root, join(tmp, 'www-link'));
    expect(await checkRealPath(join(tmp, 'www-link'), join(tmp, 'www-link', 'a.txt'))).toEqual({ ok: true, realPath: join(root, 'a.txt') });
    expect(await checkRealPath(join(tmp, 'www-link'), join(tmp, 'www-link', 'link-out'))).toMatchObject({ ok: false, status: 403 });
  });

  it('maps a missing file to 404 LWS_ERR_HTTP_NOT_FOUND', async () => {
    const p = join(root, 'nope.txt');
    const r = await checkRealPath(root, p);
    expect(r).toMatchObject({ ok: false, status: 404, error: { code: 'LWS_ERR_HTTP_NOT_FOUND', wire: { status: 404 } } });
    expect(!r.ok && r.error.message).toBe(`Cannot find path: ${JSON.stringify(p)} does not exist (ENOENT)`);
    expect(await checkRealPath(root, join(root, 'a.txt', 'x'))).toMatchObject({ ok: false, status: 404 });
  });

  it('maps a symlink loop to 403 LWS_ERR_HTTP_FORBIDDEN', async () => {
    const p = join(root, 'loop');
    const r = await checkRealPath(root, p);
    expect(r).toMatchObject({ ok: false, status: 403, error: { code: 'LWS_ERR_HTTP_FORBIDDEN', wire: { status: 403 } } });
    expect(!r.ok && r.error.message).toBe(`Cannot serve path: ${JSON.stringify(p)} is not accessible (ELOOP)`);
  });

  it('maps other filesystem errors to 500 LWS_ERR_HTTP_FILESYSTEM with the cause', async () => {
    const p = join(root, 'x'.repeat(5000));
    const r = await checkRealPath(root, `${p}\0`);
    expect(r).toMatchObject({ ok: false, status: 500, error: { code: 'LWS_ERR_HTTP_FILESYSTEM', wire: { status: 500 } } });
    expect(!r.ok && r.error.message).toMatch(/^Cannot resolve path: ".*…" failed with ERR_INVALID_ARG_VALUE$/);
    expect(!r.ok && r.error.cause).toBeInstanceOf(Error);
  });

  it('serves a file', async () => {
    const t = await statMountTarget(root, resolveMountPath(root, '/a.txt') as ResolvedPath, '/a.txt');
    expect(t).toMatchObject({ kind: 'file', realPath: join(root, 'a.txt') });
    expect(t.kind === 'file' && t.stats.size).toBe(1);
  });

  it('redirects a directory without trailing slash with 301', async () => {
    const t = await statMountTarget(root, resolveMountPath(root, '/dir') as ResolvedPath, '/static/dir?x=1');
    expect(t).toEqual({ kind: 'redirect', status: 301, location: '/static/dir/?x=1' });
  });

  it('serves the first index file found, in order', async () => {
    const dir = resolveMountPath(root, '/dir/') as ResolvedPath;
    expect(await statMountTarget(root, dir, '/dir/')).toMatchObject({ kind: 'error', status: 404 });
    expect(await statMountTarget(root, dir, '/dir/', { index: ['index.html', 'index.htm'] })).toMatchObject({
      kind: 'file',
      realPath: join(root, 'dir', 'index.htm'),
    });
    expect(await statMountTarget(root, resolveMountPath(root, '/') as ResolvedPath, '/')).toMatchObject({
      kind: 'file',
      realPath: join(root, 'index.html'),
    });
  });

  it('answers 404 for a directory without index (no listings)', async () => {
    const t = await statMountTarget(root, resolveMountPath(root, '/dir/sub/..') as ResolvedPath, '/dir/sub/..');
    expect(t).toMatchObject({ kind: 'error', status: 404, error: { code: 'LWS_ERR_HTTP_NOT_FOUND' } });
    expect(t.kind === 'error' && t.error.message).toBe('Cannot find path: "/dir/" is a directory with no index (index.html)');
  });

  it('refuses an index file that is a symlink out of the mount', async () => {
    const t = await statMountTarget(root, resolveMountPath(root, '/empty/') as ResolvedPath, '/empty/');
    expect(t).toMatchObject({ kind: 'error', status: 403, error: { code: 'LWS_ERR_HTTP_SYMLINK_ESCAPE' } });
  });

  it('answers 404 for a file named with a trailing slash', async () => {
    const t = await statMountTarget(root, resolveMountPath(root, '/a.txt/') as ResolvedPath, '/a.txt/');
    expect(t).toMatchObject({ kind: 'error', status: 404 });
    expect(t.kind === 'error' && t.error.message).toBe('Cannot find path: "/a.txt/" is a file, not a directory');
  });

  it('refuses a symlinked directory out of the mount before redirecting', async () => {
    const t = await statMountTarget(root, resolveMountPath(root, '/dir-out') as ResolvedPath, '/dir-out');
    expect(t).toMatchObject({ kind: 'error', status: 403 });
  });

  it('serves a file literally named %2e%2e for /%252e%252e/ (one decode only)', async () => {
    await mkdir(join(root, '%2e%2e'));
    await writeFile(join(root, '%2e%2e', 'x'), 'x');
    const t = await statMountTarget(root, resolveMountPath(root, '/%252e%252e/x') as ResolvedPath, '/%252e%252e/x');
    expect(t).toMatchObject({ kind: 'file', realPath: join(root, '%2e%2e', 'x') });
  });

  it('refuses a symlink to .. that climbs out', async () => {
    await symlink('..', join(root, 'up'));
    const t = await statMountTarget(root, resolveMountPath(root, '/up/secret/passwd') as ResolvedPath, '/up/secret/passwd');
    expect(t).toMatchObject({ kind: 'error', status: 403, error: { code: 'LWS_ERR_HTTP_SYMLINK_ESCAPE' } });
  });

  it('refuses a fifo with 403 LWS_ERR_HTTP_FORBIDDEN', async () => {
    try {
      execFileSync('mkfifo', [join(root, 'fifo')]);
    } catch {
      return; // no mkfifo here
    }
    const t = await statMountTarget(root, resolveMountPath(root, '/fifo') as ResolvedPath, '/fifo');
    expect(t).toMatchObject({ kind: 'error', status: 403, error: { code: 'LWS_ERR_HTTP_FORBIDDEN' } });
    expect(t.kind === 'error' && t.error.message).toBe(`Cannot serve path: ${JSON.stringify(join(root, 'fifo'))} is not a regular file or directory`);
  });

  it('rejects index names that are not plain file names with TypeError', async () => {
    const dir = resolveMountPath(root, '/dir/') as ResolvedPath;
    for (const bad of ['', '.', '..', '../x', 'a/b', 'a\\b']) {
      await expect(statMountTarget(root, dir, '/dir/', { index: [bad] })).rejects.toThrow(TypeError);
    }
  });
});
