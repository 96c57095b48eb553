/*
 * The file handle static serving reads through: synchronous pread(2)s of at
 * most one writeable-sized piece, as lws's are. From the page cache that is
 * microseconds, while each FileHandle call is a round trip through libuv's
 * threadpool, which bench/http-server.ts showed to cap small-file throughput
 * on a 2-core machine. A cached file (file-cache.ts) is read from memory
 * through the same interface.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** What the body producers read files through. */
export interface FileReader {
  /** Read up to `length` bytes at `position` into `buf` at `offset`; the count read (0 at end of file). Throws on an fs error. */
  read(buf: Uint8Array, offset: number, length: number, position: number): number;
  /** `[start, end)` of the file without copying, when the reader holds it in memory. */
  slice?(start: number, end: number): Buffer;
  close(): void;
}

class SyncFileReader implements FileReader {
  #fd: number | undefined;

  constructor(fd: number) {
    this.#fd = fd;
  }

  read(buf: Uint8Array, offset: number, length: number, position: number): number {
    if (this.#fd === undefined) throw new Error('Cannot read file: it is closed');
    return readSync(this.#fd, buf, offset, length, position);
  }

  close(): void {
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd !== undefined) closeSync(fd);
  }
}

class MemoryFileReader implements FileReader {
  #data: Buffer;

  constructor(data: Buffer) {
    this.#data = data;
  }

  read(buf: Uint8Array, offset: number, length: number, position: number): number {
    return this.#data.copy(buf, offset, position, Math.min(position + length, this.#data.length));
  }

  slice(start: number, end: number): Buffer {
    return this.#data.subarray(start, Math.min(end, this.#data.length));
  }

  close(): void {}
}

/**
 * Open a file for reading (throws the fs error).
 *
 * @example
 * ```ts
 * const f = openFileReader('/srv/www/index.html');
 * const n = f.read(buf, 0, buf.length, 0);
 * f.close();
 * ```
 */
export function openFileReader(path: string): FileReader {
  return new SyncFileReader(openSync(path, 'r'));
}

/** A reader over bytes already in memory (a cached file). */
export function memoryFileReader(data: Buffer): FileReader {
  return new MemoryFileReader(data);
}
