/*
 * Request bodies for forms: application/x-www-form-urlencoded (WHATWG URL
 * §5) and multipart/form-data (RFC 7578) whose file parts are streamed from
 * disk one piece at a time, so a large upload never sits in memory. The
 * length is known up front (files are stat'ed), so it goes as Content-Length.
 */
import { randomBytes } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ClientBodySource } from '../roles/h1/client-options.js';
import { lookupMimetype } from './mimetypes.js';

/** A text (or bytes) field. */
export interface MultipartField {
  name: string;
  value: string | Uint8Array;
  contentType?: string;
}

/** A file field, read from `path` while sending. */
export interface MultipartFile {
  name: string;
  path: string;
  /** Default: the path's base name. */
  filename?: string;
  /** Default: by the file's suffix. */
  contentType?: string;
}

type Segment = { kind: 'bytes'; data: Buffer } | { kind: 'file'; path: string; size: number };

/** RFC 7578 §4.2 via the WHATWG encoding: quotes and line breaks percent-encoded. */
function quoted(s: string): string {
  return `"${s.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}"`;
}

/**
 * Encode fields as application/x-www-form-urlencoded.
 *
 * @example
 * ```ts
 * await httpRequest(context, { url, method: 'POST', body: urlencoded({ a: '1' }), contentType: URLENCODED });
 * ```
 */
export function urlencoded(fields: Readonly<Record<string, string>> | Iterable<readonly [string, string]>): string {
  const entries = Symbol.iterator in fields ? [...(fields as Iterable<readonly [string, string]>)] : Object.entries(fields);
  return new URLSearchParams(entries.map(([k, v]): [string, string] => [k, v])).toString();
}

/** The content type of `urlencoded()` bodies. */
export const URLENCODED = 'application/x-www-form-urlencoded';

/**
 * A multipart/form-data body: a ClientBodySource that the http client
 * pulls in writeable-sized pieces.
 *
 * @example
 * ```ts
 * const form = await MultipartWriter.create([{ name: 'text', value: 'hello' }, { name: 'file', path: './big.bin' }]);
 * context.clientConnect({ ...where, method: 'POST', role: 'http', protocol: 'p', extra: { bodySource: form } });
 * ```
 */
export class MultipartWriter implements ClientBodySource {
  readonly boundary: string;
  readonly contentType: string;
  readonly contentLength: number;
  #segments: Segment[];
  #index = 0;
  #offset = 0;
  #fh: FileHandle | undefined;

  private constructor(boundary: string, segments: Segment[]) {
    this.boundary = boundary;
    this.contentType = `multipart/form-data; boundary=${boundary}`;
    this.#segments = segments;
    this.contentLength = segments.reduce((n, s) => n + (s.kind === 'bytes' ? s.data.length : s.size), 0);
  }

  /** Build the body: stats each file (its size makes the Content-Length); no file data is read yet. */
  static async create(parts: readonly (MultipartField | MultipartFile)[], opts: { boundary?: string } = {}): Promise<MultipartWriter> {
    const boundary = opts.boundary ?? `----lws-ts-${randomBytes(12).toString('hex')}`;
    if (!/^[0-9A-Za-z'()+_,\-./:=?]{1,70}$/.test(boundary)) throw new TypeError(`Cannot create multipart body: invalid boundary ${JSON.stringify(boundary)}`);
    const segs: Segment[] = [];
    for (const part of parts) {
      let head = `--${boundary}\r\ncontent-disposition: form-data; name=${quoted(part.name)}`;
      if ('path' in part) {
        const st = await stat(part.path);
        if (!st.isFile()) throw new TypeError(`Cannot create multipart body: ${JSON.stringify(part.path)} is not a file`);
        head += `; filename=${quoted(part.filename ?? basename(part.path))}\r\ncontent-type: ${part.contentType ?? lookupMimetype(part.path)}\r\n\r\n`;
        segs.push({ kind: 'bytes', data: Buffer.from(head) }, { kind: 'file', path: part.path, size: st.size }, { kind: 'bytes', data: Buffer.from('\r\n') });
      } else {
        head += part.contentType ? `\r\ncontent-type: ${part.contentType}\r\n\r\n` : '\r\n\r\n';
        const value = typeof part.value === 'string' ? Buffer.from(part.value) : Buffer.from(part.value);
        segs.push({ kind: 'bytes', data: Buffer.concat([Buffer.from(head), value, Buffer.from('\r\n')]) });
      }
    }
    segs.push({ kind: 'bytes', data: Buffer.from(`--${boundary}--\r\n`) });
    return new MultipartWriter(boundary, segs);
  }

  /** The next piece of at most `max` bytes (never more than one file read), or null at the end. */
  async pull(max: number): Promise<Uint8Array | null> {
    while (this.#index < this.#segments.length) {
      const s = this.#segments[this.#index] as Segment;
      const left = (s.kind === 'bytes' ? s.data.length : s.size) - this.#offset;
      if (left === 0) {
        await this.#next();
        continue;
      }
      const n = Math.min(max, left);
      if (s.kind === 'bytes') {
        const piece = s.data.subarray(this.#offset, this.#offset + n);
        this.#offset += n;
        return piece;
      }
      this.#fh ??= await open(s.path, 'r');
      const buf = Buffer.allocUnsafe(n);
      const { bytesRead } = await this.#fh.read(buf, 0, n, this.#offset);
      if (bytesRead === 0) throw new Error(`file ${JSON.stringify(s.path)} shrank to ${this.#offset} bytes, ${s.size} were announced`);
      this.#offset += bytesRead;
      return buf.subarray(0, bytesRead);
    }
    return null;
  }

  async #next(): Promise<void> {
    this.#index++;
    this.#offset = 0;
    const fh = this.#fh;
    this.#fh = undefined;
    await fh?.close();
  }

  /** Close an open file (the request was abandoned). */
  close(): void {
    const fh = this.#fh;
    this.#fh = undefined;
    void fh?.close().catch(() => undefined);
  }
}
