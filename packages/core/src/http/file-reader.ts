/*
 * The file handle static serving reads through. Reads are synchronous
 * pread(2)s of at most one writeable-sized piece, as lws's are: from the page
 * cache that is microseconds, while each FileHandle call is a round trip
 * through libuv's threadpool, which bench/http-server.ts showed to cap
 * small-file throughput on a 2-core machine. The promise shape keeps the
 * producers independent of that choice.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** The part of a FileHandle the body producers use. */
export interface FileReader {
  read(buf: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

class SyncFileReader implements FileReader {
  #fd: number | undefined;

  constructor(fd: number) {
    this.#fd = fd;
  }

  read(buf: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    if (this.#fd === undefined) return Promise.reject(new Error('Cannot read file: it is closed'));
    try {
      return Promise.resolve({ bytesRead: readSync(this.#fd, buf, offset, length, position) });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  close(): Promise<void> {
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd !== undefined) closeSync(fd);
    return Promise.resolve();
  }
}

/**
 * Open a file for reading.
 *
 * @example
 * ```ts
 * const f = await openFileReader('/srv/www/index.html');
 * const { bytesRead } = await f.read(buf, 0, buf.length, 0);
 * await f.close();
 * ```
 */
export function openFileReader(path: string): Promise<FileReader> {
  try {
    return Promise.resolve(new SyncFileReader(openSync(path, 'r')));
  } catch (err) {
    return Promise.reject(err);
  }
}
