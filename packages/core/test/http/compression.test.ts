import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  BROTLI_QUALITY,
  GZIP_LEVEL,
  MIN_COMPRESS_SIZE,
  chooseEncoding,
  createCompressor,
  shouldCompress,
} from '../../src/http/compression.js';

describe('chooseEncoding', () => {
  it.each<[string | undefined, 'br' | 'gzip' | 'identity' | null]>([
    [undefined, 'identity'],
    ['', 'identity'],
    ['   ', 'identity'],
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['GZIP', 'gzip'],
    ['x-gzip', 'gzip'],
    ['br', 'br'],
    ['Br', 'br'],
    ['deflate', 'identity'],
    ['zstd', 'identity'],
    ['gzip;q=1.0, br;q=0.9', 'gzip'],
    ['br;q=0.5, gzip', 'gzip'],
    ['br;q=0.5, gzip;q=0.5', 'br'],
    ['gzip;q=0.5, br;q=0.5', 'br'],
    ['br ; q=0.8 , gzip ; Q=0.9', 'gzip'],
    ['br;q=0', 'identity'],
    ['br;q=0, gzip;q=0', 'identity'],
    ['br;q=0.000, gzip;q=0.001', 'gzip'],
    ['*', 'br'],
    ['*;q=0.5', 'br'],
    ['gzip, *;q=0', 'gzip'],
    ['*;q=0', null],
    ['identity;q=0', null],
    ['identity;q=0, gzip', 'gzip'],
    ['identity;q=0, *;q=0', null],
    ['identity', 'identity'],
    ['identity, gzip', 'gzip'],
    ['identity;q=1, gzip;q=0.5', 'identity'],
    ['gzip;q=0.5, *;q=1', 'br'],
    ['br;q=0.2, identity;q=0.5', 'identity'],
    ['br;q=0.2, *;q=0.5', 'gzip'],
    ['*;q=0.5, identity;q=0.1', 'br'],
    [',,, gzip ,,', 'gzip'],
    ['gzip;q=1.5', 'identity'],
    ['gzip;q=-1', 'identity'],
    ['gzip;q=0.1234', 'identity'],
    ['gzip;q=1.001', 'identity'],
    ['gzip;q=', 'identity'],
    ['gzip;q', 'identity'],
    ['gzip;level=9', 'gzip'],
    ['gzip;q=0.5;foo=bar', 'gzip'],
    ['gzip;q=0, gzip;q=1', 'identity'],
    ['g zip', 'identity'],
    ['"gzip"', 'identity'],
    ['br\u0000', 'identity'],
  ])('%j -> %j', (header, expected) => {
    expect(chooseEncoding(header)).toBe(expected);
  });

  it('honours allowBrotli and allowGzip', () => {
    expect(chooseEncoding('gzip, br', { allowBrotli: false })).toBe('gzip');
    expect(chooseEncoding('gzip, br', { allowGzip: false })).toBe('br');
    expect(chooseEncoding('gzip, br', { allowBrotli: false, allowGzip: false })).toBe('identity');
    expect(chooseEncoding('br, identity;q=0', { allowBrotli: false })).toBe(null);
    expect(chooseEncoding('*', { allowBrotli: false })).toBe('gzip');
  });

  it('remembers answers per header and per options, and stays right past the cache size', () => {
    expect(chooseEncoding('gzip, br')).toBe('br');
    expect(chooseEncoding('gzip, br', { allowBrotli: false })).toBe('gzip');
    expect(chooseEncoding('gzip, br')).toBe('br');
    for (let i = 0; i < 300; i++) expect(chooseEncoding(`gzip;q=0.${(i % 9) + 1}, x${i}`)).toBe('gzip');
    expect(chooseEncoding('gzip, br', { allowGzip: false, allowBrotli: false })).toBe('identity');
  });

  it('stays fast on a hostile header', () => {
    const header = `${'a;q=0.5,'.repeat(50_000)}br`;
    const t = performance.now();
    expect(chooseEncoding(header)).toBe('br');
    expect(performance.now() - t).toBeLessThan(1000);
  });
});

async function compress(coding: 'br' | 'gzip', input: Buffer, opts = {}): Promise<Buffer> {
  const out: Buffer[] = [];
  const z = createCompressor(coding, opts);
  z.on('data', (c: Buffer) => out.push(c));
  await pipeline(Readable.from([input.subarray(0, 1000), input.subarray(1000)]), z);
  return Buffer.concat(out);
}

describe('createCompressor', () => {
  const text = Buffer.from('<p>hello, compressible world</p>\n'.repeat(2000));

  it('gzips a stream that gunzip restores, smaller', async () => {
    const gz = await compress('gzip', text);
    expect(gz[0]).toBe(0x1f);
    expect(gz[1]).toBe(0x8b);
    expect(gunzipSync(gz).equals(text)).toBe(true);
    expect(gz.length).toBeLessThan(text.length / 10);
  });

  it('brotli-compresses a stream that brotli restores', async () => {
    const br = await compress('br', text, { sizeHint: text.length });
    expect(brotliDecompressSync(br).equals(text)).toBe(true);
    expect(br.length).toBeLessThan(text.length / 10);
  });

  it('handles an empty body', async () => {
    expect(gunzipSync(await compress('gzip', Buffer.alloc(0))).length).toBe(0);
    expect(brotliDecompressSync(await compress('br', Buffer.alloc(0))).length).toBe(0);
  });

  it('accepts explicit levels at the bounds', async () => {
    expect(gunzipSync(await compress('gzip', text, { level: 0 })).equals(text)).toBe(true);
    expect(brotliDecompressSync(await compress('br', text, { level: 11 })).equals(text)).toBe(true);
  });

  it('uses gzip 6 and brotli 5 by default', () => {
    expect(GZIP_LEVEL).toBe(6);
    expect(BROTLI_QUALITY).toBe(5);
  });

  it('refuses bad encodings and levels', () => {
    expect(() => createCompressor('deflate' as 'gzip')).toThrow(
      new TypeError('Cannot create compressor: encoding "deflate" is not "br" or "gzip"'),
    );
    expect(() => createCompressor('gzip', { level: 10 })).toThrow(
      new RangeError('Cannot create gzip compressor: level is 10, expected an integer 0-9'),
    );
    expect(() => createCompressor('br', { level: 12 })).toThrow(RangeError);
    expect(() => createCompressor('br', { level: 4.5 })).toThrow(RangeError);
    expect(() => createCompressor('br', { sizeHint: -1 })).toThrow(RangeError);
  });

  it('clamps a size hint beyond 2 GiB instead of failing', async () => {
    const br = await compress('br', text, { sizeHint: 5 * 2 ** 30 });
    expect(brotliDecompressSync(br).equals(text)).toBe(true);
  });
});

describe('shouldCompress', () => {
  it('compresses compressible types at or above the threshold', () => {
    expect(MIN_COMPRESS_SIZE).toBe(1024);
    expect(shouldCompress({ contentType: 'text/html; charset=utf-8', size: 1024 })).toBe(true);
    expect(shouldCompress({ contentType: 'application/json', size: 100_000 })).toBe(true);
    expect(shouldCompress({ contentType: 'image/svg+xml', size: 5000 })).toBe(true);
  });

  it('compresses a stream of unknown size', () => {
    expect(shouldCompress({ contentType: 'text/css' })).toBe(true);
  });

  it('skips tiny bodies, honouring minSize', () => {
    expect(shouldCompress({ contentType: 'text/html', size: 1023 })).toBe(false);
    expect(shouldCompress({ contentType: 'text/html', size: 0 })).toBe(false);
    expect(shouldCompress({ contentType: 'text/html', size: 10, minSize: 10 })).toBe(true);
    expect(shouldCompress({ contentType: 'text/html', size: 0, minSize: 0 })).toBe(true);
  });

  it('skips ranges, already encoded bodies, unknown and incompressible types', () => {
    expect(shouldCompress({ contentType: 'text/html', size: 5000, hasRange: true })).toBe(false);
    expect(shouldCompress({ contentType: 'text/html', size: 5000, encoded: true })).toBe(false);
    expect(shouldCompress({ contentType: undefined, size: 5000 })).toBe(false);
    expect(shouldCompress({ contentType: 'image/png', size: 5000 })).toBe(false);
    expect(shouldCompress({ contentType: 'application/octet-stream', size: 5000 })).toBe(false);
  });

  it('refuses a bad minSize with RangeError', () => {
    expect(() => shouldCompress({ contentType: 'text/html', minSize: -1 })).toThrow(
      new RangeError('Cannot decide compression: minSize is -1, expected a non-negative integer'),
    );
  });
});
