/*
 * Body producers for static files, run on writeable callbacks: a list of
 * byte and file-range segments (whole files, single ranges, multipart/
 * byteranges), and a streaming compressor (gzip / br) fed one bounded read at
 * a time. A slow client holds at most one chunk (plus its compressed output)
 * in our memory.
 */
import type { FileReader } from './file-reader.js';
import type { Gzip, BrotliCompress } from 'node:zlib';
import { log } from '../context/log.js';
import type { Wsi } from '../context/wsi.js';

/** Bytes read from disk per writeable callback. */
export const FILE_CHUNK = 64 * 1024;

/** Something that produces an http body on writeable callbacks (file, proxy). */
export interface HttpProducer {
  writeable(): void;
  /** The wsi is closing: release files, sockets. */
  abort(): void;
}

/** A piece of a response body: literal bytes or `[start, end)` of the file. */
export type BodySegment = { kind: 'bytes'; data: Buffer } | { kind: 'file'; start: number; end: number };

abstract class FileBodyBase implements HttpProducer {
  protected wsi: Wsi;
  protected fh: FileReader;
  protected busy = false;
  protected done = false;

  constructor(wsi: Wsi, fh: FileReader) {
    this.wsi = wsi;
    this.fh = fh;
  }

  abstract writeable(): void;

  /**
   * Up to FILE_CHUNK bytes at `pos`, into `into` when given (a buffer the
   * caller may reuse); undefined (and the wsi destroyed) on failure or a
   * shrunk file.
   */
  protected read(pos: number, end: number, into?: Buffer): Buffer | undefined {
    const want = Math.min(FILE_CHUNK, end - pos);
    try {
      const sliced = this.fh.slice?.(pos, pos + want);
      if (sliced) {
        if (sliced.length > 0) return sliced;
      } else {
        const buf = into && into.length >= want ? into : Buffer.allocUnsafe(want);
        const n = this.fh.read(buf, 0, want, pos);
        if (n > 0) return buf.subarray(0, n);
      }
      // the file shrank under us: we promised a length we cannot deliver
      log.warn(`wsi ${this.wsi.id}: file ended early at ${pos} of ${end}`);
    } catch (err) {
      log.err(`wsi ${this.wsi.id}: read failed: ${String(err)}`);
    }
    this.abort();
    this.wsi.destroy();
    return undefined;
  }

  protected finish(): void {
    this.done = true;
    if (this.wsi.httpProducer === this) this.wsi.httpProducer = undefined;
    try {
      this.fh.close();
    } catch {
      // nothing to do: the fd is gone either way
    }
  }

  abort(): void {
    if (!this.done) this.finish();
  }
}

/**
 * Writes segments in order, one piece per writeable callback.
 *
 * @example
 * ```ts
 * wsi.httpProducer = new SegmentProducer(wsi, fh, [{ kind: 'file', start: 0, end: stats.size }]);
 * wsi.callbackOnWritable();
 * ```
 */
export class SegmentProducer extends FileBodyBase {
  #segs: BodySegment[];
  #pos: number;
  /** A FILE_CHUNK buffer free for the next read. */
  #spare: Buffer | undefined;

  constructor(wsi: Wsi, fh: FileReader, segments: BodySegment[]) {
    super(wsi, fh);
    this.#segs = segments;
    const first = segments[0];
    this.#pos = first?.kind === 'file' ? first.start : 0;
  }

  writeable(): void {
    if (this.done) return;
    const seg = this.#segs[0];
    if (!seg) return;
    if (seg.kind === 'bytes') return this.#emit(seg.data, true);
    const buf = this.read(this.#pos, seg.end, this.#spare);
    if (!buf) return;
    this.#pos += buf.length;
    this.#emit(buf, this.#pos >= seg.end);
    // a transport with nothing buffered after the write holds no reference to
    // the chunk (socket: written to the kernel; memory pipe: copied), so the
    // next read may reuse it: a large file then costs no allocation per piece
    const whole = buf.byteOffset === 0 && buf.buffer.byteLength === FILE_CHUNK;
    this.#spare = whole && !this.fh.slice && this.wsi.transport.bufferedAmount === 0 ? Buffer.from(buf.buffer, 0, FILE_CHUNK) : undefined;
  }

  #emit(data: Buffer, segmentDone: boolean): void {
    if (segmentDone) {
      this.#segs.shift();
      const next = this.#segs[0];
      if (next?.kind === 'file') this.#pos = next.start;
    }
    const last = this.#segs.length === 0;
    if (last) this.finish();
    this.wsi.write(data, last ? 'http-final' : 'http');
    if (!last) this.wsi.callbackOnWritable();
  }
}

/**
 * Streams a file through a compressor: each writeable callback either sends
 * the compressed output already made or feeds the compressor one file chunk.
 *
 * @example
 * ```ts
 * wsi.httpProducer = new CompressedProducer(wsi, fh, stats.size, createCompressor('gzip'));
 * ```
 */
export class CompressedProducer extends FileBodyBase {
  /** Live compressed responses per vhost, bounded by `maxCompressedResponses`. */
  static readonly live = new WeakMap<object, number>();
  #vhost: object;
  #z: Gzip | BrotliCompress;
  #out: Buffer[] = [];
  #pos = 0;
  #size: number;
  #ended = false;

  constructor(wsi: Wsi, fh: FileReader, size: number, z: Gzip | BrotliCompress) {
    super(wsi, fh);
    this.#size = size;
    this.#z = z;
    this.#vhost = wsi.vhost;
    CompressedProducer.live.set(this.#vhost, (CompressedProducer.live.get(this.#vhost) ?? 0) + 1);
    z.on('data', (d: Buffer) => this.#out.push(d));
    z.on('end', () => {
      this.#ended = true;
      this.wsi.callbackOnWritable();
    });
    z.on('error', (err) => {
      log.err(`wsi ${wsi.id}: compressor failed: ${err.message}`);
      this.abort();
      wsi.destroy();
    });
  }

  writeable(): void {
    if (this.done) return;
    if (this.#out.length > 0) {
      const data = this.#out.length === 1 ? (this.#out[0] as Buffer) : Buffer.concat(this.#out);
      this.#out = [];
      this.wsi.write(data, 'http');
      this.wsi.callbackOnWritable();
      return;
    }
    if (this.#ended) {
      this.finish();
      this.wsi.write(Buffer.alloc(0), 'http-final');
      return;
    }
    if (this.busy) return;
    this.busy = true;
    if (this.#pos >= this.#size) {
      this.#z.end(); // 'end' asks for the last writeable
      return;
    }
    const buf = this.read(this.#pos, this.#size);
    if (!buf) return;
    this.#pos += buf.length;
    this.#z.write(buf, () => {
      this.busy = false;
      this.wsi.callbackOnWritable();
    });
  }

  protected override finish(): void {
    CompressedProducer.live.set(this.#vhost, (CompressedProducer.live.get(this.#vhost) ?? 1) - 1);
    super.finish();
  }

  override abort(): void {
    if (this.done) return;
    this.#z.destroy();
    this.finish();
  }
}
