/*
 * A bounded per-vhost cache for file mounts: the result of resolving a URL
 * path (decode, dot segments, realpath and symlink checks, index lookup) and,
 * for small files, their bytes, with the validators and type computed once.
 *
 * Freshness: a hit lstats the real path when the last stat is older than
 * `statTtlMs` (default 100 ms; 0: every hit), so an edited, replaced or
 * deleted file is seen within that (size, mtime or inode changed: the bytes
 * are read again; gone, or now a symlink: resolved from scratch, symlink
 * checks included). Until then the bytes already read are served: never
 * anything read through a new symlink. The stat is most of a cached hit's
 * cost (2-5 us here, more than the rest of the request; nginx's
 * open_file_cache_valid is the same idea with 60 s). The rest of the resolution (a directory
 * on the way swapped for a symlink) is trusted for `resolveTtlMs` and redone
 * after that: a window of at most that long, on top of the check-then-open
 * window any server has, for whoever can write the served tree. Memory is bounded by `maxBytes` of
 * bodies and `maxEntries` entries, least recently used out first.
 *
 * Why: a 4 KiB file served from disk costs a realpath of the mount root and
 * of the file, a stat, an open, a read and a close per request (about half of
 * the server's CPU per request in bench/h1.ts); from here it is one stat.
 */
import { closeSync, fstatSync, lstatSync, openSync, readSync, type Stats } from 'node:fs';
import type { HeaderList } from './response.js';

/** File cache settings of a vhost (`VhostOptions.fileCache`). */
export interface FileCacheOptions {
  /** Total bytes of file bodies kept in memory. Default 8 MiB; 0 keeps no bodies (path resolutions only). */
  maxBytes?: number;
  /** Largest file whose bytes are kept. Default 64 KiB. */
  maxFileBytes?: number;
  /** Most cached paths. Default 1024. */
  maxEntries?: number;
  /** Milliseconds a path resolution (realpath, symlink and index checks) is reused before it is redone. Default 1000. */
  resolveTtlMs?: number;
  /** Milliseconds a hit is served on the last stat of the file before it is stat'ed again (edits are seen within this). Default 100; 0 stats every hit. */
  statTtlMs?: number;
}

const DEFAULTS: Required<FileCacheOptions> = { maxBytes: 8 * 1024 * 1024, maxFileBytes: 64 * 1024, maxEntries: 1024, resolveTtlMs: 1000, statTtlMs: 100 };

/** What static serving needs to know about a file, from the cache or fresh. */
export interface FileInfo {
  /** The checked real path: open this. */
  realPath: string;
  size: number;
  mtimeMs: number;
  mtime: Date;
  ino: number;
  /** The whole file, when it is small enough to be cached. */
  body: Buffer | undefined;
  /** The identity ETag, Last-Modified value and Content-Type, filled in by their first use. */
  etag: string | undefined;
  lastModified: string | undefined;
  contentType: string | undefined;
  /** The headers of an uncoded 200 (validators, caching, mount headers, vary), a stableHeaders() list made on first use. */
  identityHeaders: HeaderList | undefined;
}

interface Entry extends FileInfo {
  resolvedAt: number;
  /** When the real path was last stat'ed. */
  statAt: number;
}

function checkLimit(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`Cannot create file cache: ${name} must be a non-negative integer, received ${v}`);
}

/** FileInfo from a stat, without a body. */
export function fileInfoFromStats(realPath: string, stats: Stats): FileInfo {
  return {
    realPath,
    size: stats.size,
    mtimeMs: stats.mtimeMs,
    mtime: stats.mtime,
    ino: stats.ino,
    body: undefined,
    etag: undefined,
    lastModified: undefined,
    contentType: undefined,
    identityHeaders: undefined,
  };
}

/** Read a whole small file, or undefined when it is not the size just seen (changing under us). */
function readWhole(realPath: string, size: number): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(realPath, 'r');
    if (fstatSync(fd).size !== size) return undefined;
    const buf = Buffer.allocUnsafeSlow(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, got);
      if (n === 0) return undefined;
      got += n;
    }
    return buf;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * @example
 * ```ts
 * const cache = new FileCache({ maxBytes: 4 << 20 });
 * const hit = cache.get(key);             // fresh FileInfo, or undefined
 * if (!hit) cache.put(key, realPath, stats);
 * ```
 */
export class FileCache {
  readonly options: Readonly<Required<FileCacheOptions>>;
  #map = new Map<string, Entry>();
  /** The entry last in #map's order (the most recently used), when known. */
  #mru: Entry | undefined;
  #bytes = 0;
  #now: () => number;

  constructor(options: FileCacheOptions = {}, now: () => number = performance.now.bind(performance)) {
    const o = { ...DEFAULTS, ...options };
    checkLimit('maxBytes', o.maxBytes);
    checkLimit('maxFileBytes', o.maxFileBytes);
    checkLimit('maxEntries', o.maxEntries);
    checkLimit('resolveTtlMs', o.resolveTtlMs);
    checkLimit('statTtlMs', o.statTtlMs);
    this.options = o;
    this.#now = now;
  }

  /** Bytes of file bodies held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Cached paths. */
  get size(): number {
    return this.#map.size;
  }

  /**
   * The entry for `key` if its resolution is recent and the last stat of
   * its real path (redone when older than statTtlMs) shows a regular file;
   * bytes are re-read when the file changed.
   */
  get(key: string): FileInfo | undefined {
    const e = this.#map.get(key);
    if (!e) return undefined;
    const now = this.#now();
    if (now - e.resolvedAt > this.options.resolveTtlMs) return void this.#drop(key, e);
    if (now - e.statAt >= this.options.statTtlMs) {
      // lstat: the real path had no symlink in it; if its last name is one now
      // (a file swapped for a link), resolve again so the link is checked
      const st = lstatSync(e.realPath, { throwIfNoEntry: false });
      if (!st?.isFile()) return void this.#drop(key, e);
      e.statAt = now;
      if (st.size !== e.size || st.mtimeMs !== e.mtimeMs || st.ino !== e.ino) {
        this.#setBody(e, undefined);
        Object.assign(e, fileInfoFromStats(e.realPath, st));
        this.#fill(e);
        this.#trim();
      }
    }
    // most recently used last (already there: a hot file is asked for again and again)
    if (this.#mru !== e) {
      this.#map.delete(key);
      this.#map.set(key, e);
      this.#mru = e;
    }
    return e;
  }

  /** Remember a resolved regular file; returns its FileInfo (with the bytes when small enough). */
  put(key: string, realPath: string, stats: Stats): FileInfo {
    const old = this.#map.get(key);
    if (old) this.#drop(key, old);
    const now = this.#now();
    const e: Entry = { ...fileInfoFromStats(realPath, stats), resolvedAt: now, statAt: now };
    if (this.options.maxEntries === 0) return e;
    this.#fill(e);
    this.#map.set(key, e);
    this.#mru = e;
    this.#trim();
    return e;
  }

  /** Forget everything. */
  clear(): void {
    this.#map.clear();
    this.#mru = undefined;
    this.#bytes = 0;
  }

  #fill(e: Entry): void {
    if (e.size > 0 && e.size <= this.options.maxFileBytes && e.size <= this.options.maxBytes) this.#setBody(e, readWhole(e.realPath, e.size));
  }

  #setBody(e: Entry, body: Buffer | undefined): void {
    this.#bytes += (body?.length ?? 0) - (e.body?.length ?? 0);
    e.body = body;
  }

  #drop(key: string, e: Entry): void {
    this.#setBody(e, undefined);
    this.#map.delete(key);
    if (this.#mru === e) this.#mru = undefined;
  }

  #trim(): void {
    for (const [k, e] of this.#map) {
      if (this.#map.size <= this.options.maxEntries && this.#bytes <= this.options.maxBytes) return;
      this.#drop(k, e);
    }
  }
}
