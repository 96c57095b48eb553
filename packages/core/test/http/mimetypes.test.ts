import { describe, expect, it } from 'vitest';
import { DEFAULT_MIMETYPE, DEFAULT_MIMETYPES, isCompressibleType, lookupMimetype } from '../../src/http/mimetypes.js';

describe('lookupMimetype', () => {
  it.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['a.htm', 'text/html; charset=utf-8'],
    ['style.css', 'text/css; charset=utf-8'],
    ['app.js', 'text/javascript; charset=utf-8'],
    ['mod.mjs', 'text/javascript; charset=utf-8'],
    ['data.json', 'application/json'],
    ['app.js.map', 'application/json'],
    ['logo.svg', 'image/svg+xml'],
    ['a.png', 'image/png'],
    ['a.jpg', 'image/jpeg'],
    ['a.jpeg', 'image/jpeg'],
    ['a.gif', 'image/gif'],
    ['a.webp', 'image/webp'],
    ['a.avif', 'image/avif'],
    ['favicon.ico', 'image/x-icon'],
    ['f.woff', 'font/woff'],
    ['f.woff2', 'font/woff2'],
    ['f.ttf', 'font/ttf'],
    ['f.otf', 'font/otf'],
    ['README.txt', 'text/plain; charset=utf-8'],
    ['feed.xml', 'application/xml'],
    ['doc.pdf', 'application/pdf'],
    ['m.wasm', 'application/wasm'],
    ['v.mp4', 'video/mp4'],
    ['v.webm', 'video/webm'],
    ['s.mp3', 'audio/mpeg'],
    ['s.ogg', 'audio/ogg'],
    ['s.wav', 'audio/wav'],
    ['a.zip', 'application/zip'],
    ['a.gz', 'application/gzip'],
    ['a.br', 'application/x-brotli'],
    ['a.tar', 'application/x-tar'],
    ['t.csv', 'text/csv; charset=utf-8'],
    ['r.md', 'text/markdown; charset=utf-8'],
    ['site.webmanifest', 'application/manifest+json'],
    ['app.manifest', 'application/manifest+json'],
  ])('maps %s to %s', (path, type) => {
    expect(lookupMimetype(path)).toBe(type);
  });

  it('matches extensions case-insensitively', () => {
    expect(lookupMimetype('/www/INDEX.HTML')).toBe('text/html; charset=utf-8');
    expect(lookupMimetype('Photo.JpEg')).toBe('image/jpeg');
  });

  it('uses the last extension of a multi-dot name and the basename only', () => {
    expect(lookupMimetype('/srv/www.example.com/archive.tar.gz')).toBe('application/gzip');
    expect(lookupMimetype('/srv/dir.html/file')).toBe(DEFAULT_MIMETYPE);
    expect(lookupMimetype('C:\\dir.css\\file')).toBe(DEFAULT_MIMETYPE);
  });

  it('returns application/octet-stream for unknown, missing or empty extensions', () => {
    for (const p of ['file', 'file.', 'file.unknownext', '', '/', 'dir/', '.bashrc', '/x/.htaccess']) {
      expect(lookupMimetype(p)).toBe('application/octet-stream');
    }
  });

  it('does not find Object.prototype keys', () => {
    for (const p of ['a.constructor', 'a.__proto__', 'a.toString', 'a.hasOwnProperty']) {
      expect(lookupMimetype(p)).toBe('application/octet-stream');
    }
  });

  it('treats a dotfile with an extension by that extension', () => {
    expect(lookupMimetype('/x/.config.json')).toBe('application/json');
  });

  it('lets per-mount extras override the table, with or without the dot, any case', () => {
    expect(lookupMimetype('a.zip', { '.zip': 'application/x-zip-custom' })).toBe('application/x-zip-custom');
    expect(lookupMimetype('a.ZIP', { zip: 'application/x-zip-custom' })).toBe('application/x-zip-custom');
    expect(lookupMimetype('a.zip', { '.ZIP': 'application/x-zip-custom' })).toBe('application/x-zip-custom');
    expect(lookupMimetype('a.foo', { '.foo': 'text/x-foo' })).toBe('text/x-foo');
    expect(lookupMimetype('a.html', { '.foo': 'text/x-foo' })).toBe('text/html; charset=utf-8');
  });

  it('matches multi-dot extras, the longest first, only at a dot boundary', () => {
    const extra = { '.gz': 'application/x-gzip', '.tar.gz': 'application/x-gtar', z: 'application/x-z' };
    expect(lookupMimetype('a.tar.gz', extra)).toBe('application/x-gtar');
    expect(lookupMimetype('a.gz', extra)).toBe('application/x-gzip');
    expect(lookupMimetype('a.xtar.gz', extra)).toBe('application/x-gzip');
    expect(lookupMimetype('a.z', extra)).toBe('application/x-z');
    expect(lookupMimetype('a.zz', extra)).toBe('application/octet-stream');
  });

  it('ignores extras with an empty key', () => {
    expect(lookupMimetype('a.html', { '': 'x/y', '.': 'x/y' })).toBe('text/html; charset=utf-8');
  });

  it('rejects a matching extra that would inject into a header with TypeError', () => {
    expect(() => lookupMimetype('a.x', { x: 'text/plain\r\nset-cookie: a=b' })).toThrow(
      new TypeError('Cannot use extra mimetype for "x": "text/plain\\r\\nset-cookie: a=b" is not a header-safe string'),
    );
    expect(() => lookupMimetype('a.x', { x: '' })).toThrow(TypeError);
    expect(() => lookupMimetype('a.x', { x: 5 as unknown as string })).toThrow(TypeError);
  });

  it('exposes a frozen table with lowercase dotless keys', () => {
    expect(Object.isFrozen(DEFAULT_MIMETYPES)).toBe(true);
    for (const key of Object.keys(DEFAULT_MIMETYPES)) expect(key).toMatch(/^[a-z0-9]+$/);
    for (const type of Object.values(DEFAULT_MIMETYPES)) {
      expect(type).toMatch(/^[a-z0-9.+-]+\/[a-z0-9.+-]+(; charset=utf-8)?$/);
      // charset only on text types
      expect(type.includes('charset')).toBe(type.startsWith('text/'));
    }
  });
});

describe('isCompressibleType', () => {
  it.each([
    'text/html; charset=utf-8',
    'text/css',
    'TEXT/PLAIN',
    'text/javascript; charset=utf-8',
    'application/javascript',
    'application/json',
    'application/manifest+json',
    'application/ld+json',
    'image/svg+xml',
    'application/xml',
    'application/rss+xml',
    'application/xhtml+xml',
    'application/wasm',
    'font/ttf',
    'image/x-icon',
    ' application/json ; charset=utf-8',
  ])('compresses %s', (type) => {
    expect(isCompressibleType(type)).toBe(true);
  });

  it.each([
    'image/png',
    'image/jpeg',
    'image/webp',
    'font/woff2',
    'font/woff',
    'video/mp4',
    'audio/mpeg',
    'application/zip',
    'application/gzip',
    'application/x-brotli',
    'application/pdf',
    'application/octet-stream',
    'text/event-stream',
    'text/',
    '',
    'json',
    'application/jsonx',
  ])('does not compress %j', (type) => {
    expect(isCompressibleType(type)).toBe(false);
  });

  it('agrees with the table for every built-in text type', () => {
    for (const type of Object.values(DEFAULT_MIMETYPES)) {
      if (type.startsWith('text/')) expect(isCompressibleType(type)).toBe(true);
    }
  });
});
