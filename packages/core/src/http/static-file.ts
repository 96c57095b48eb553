/*
 * Serving files from a file mount, writeable-driven: the head goes out
 * first, then one bounded read per writeable callback, so a slow client
 * holds at most one chunk in our memory. Error responses use the vhost's
 * error pages when it has them.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import type { Wsi } from '../context/wsi.js';
import { log } from '../context/log.js';
import { lookupMimetype } from './mimetypes.js';
import { matchMount, type FileMount } from './mount.js';
import { resolveMountPath, statMountTarget } from './path-safety.js';
import type { HttpRequest } from './request.js';
import type { HeaderList } from './response.js';
import { evaluateConditionals, formatHttpDate, generateEtag } from './conditional.js';
import { STATUS_TEXT } from '../roles/h1/serializer.js';

/** Bytes read from disk per writeable callback. */
export const FILE_CHUNK = 64 * 1024;

/** Something that produces an http body on writeable callbacks (file, proxy). */
export interface HttpProducer {
  writeable(): void;
  /** The wsi is closing: release files, sockets. */
  abort(): void;
}

class FileProducer implements HttpProducer {
  #wsi: Wsi;
  #fh: FileHandle;
  #pos: number;
  #end: number;
  #reading = false;
  #done = false;

  constructor(wsi: Wsi, fh: FileHandle, start: number, end: number) {
    this.#wsi = wsi;
    this.#fh = fh;
    this.#pos = start;
    this.#end = end;
  }

  writeable(): void {
    if (this.#reading || this.#done) return;
    this.#reading = true;
    const want = Math.min(FILE_CHUNK, this.#end - this.#pos);
    const buf = Buffer.allocUnsafe(want);
    this.#fh.read(buf, 0, want, this.#pos).then(
      ({ bytesRead }) => {
        this.#reading = false;
        if (this.#done || this.#wsi.closed) return;
        if (bytesRead === 0) {
          // the file shrank under us: we promised a length we cannot deliver
          log.warn(`wsi ${this.#wsi.id}: file ended early at ${this.#pos} of ${this.#end}`);
          this.abort();
          this.#wsi.destroy();
          return;
        }
        this.#pos += bytesRead;
        const last = this.#pos >= this.#end;
        if (last) this.#finish();
        this.#wsi.write(buf.subarray(0, bytesRead), last ? 'http-final' : 'http');
        if (!last) this.#wsi.callbackOnWritable();
      },
      (err: unknown) => {
        this.#reading = false;
        log.err(`wsi ${this.#wsi.id}: read failed: ${String(err)}`);
        this.abort();
        this.#wsi.destroy();
      },
    );
  }

  #finish(): void {
    this.#done = true;
    if (this.#wsi.httpProducer === this) this.#wsi.httpProducer = undefined;
    void this.#fh.close().catch(() => {});
  }

  abort(): void {
    if (this.#done) return;
    this.#finish();
  }
}

function fileHeaders(mount: FileMount, stats: Stats): [string, string][] {
  const h: [string, string][] = [
    ['etag', generateEtag(stats)],
    ['last-modified', formatHttpDate(stats.mtime)],
    ['accept-ranges', 'none'],
  ];
  if (mount.cacheMaxAge !== undefined) h.push(['cache-control', `max-age=${mount.cacheMaxAge}`]);
  else h.push(['cache-control', 'no-cache']);
  return h;
}

/** Send a file (or its headers only, for HEAD) with `status`. */
async function sendFile(wsi: Wsi, req: HttpRequest, mount: FileMount, realPath: string, stats: Stats, status: number): Promise<void> {
  // an error page is not the resource asked for: no validators for it
  const headers = [...(status === 200 ? fileHeaders(mount, stats) : [['cache-control', 'no-store'] as [string, string]]), ...(mount.headers ?? [])];
  if (status === 200) {
    const cond = evaluateConditionals(req.headers, { etag: generateEtag(stats), lastModified: stats.mtimeMs, method: req.method });
    if (cond.kind !== 'proceed') {
      wsi.respond({ status: cond.status, headers, contentLength: 0 });
      wsi.write(Buffer.alloc(0), 'http-final');
      return;
    }
  }
  const contentType = lookupMimetype(realPath, mount.extraMimetypes);
  if (req.method === 'HEAD' || stats.size === 0) {
    wsi.respond({ status, contentType, contentLength: stats.size, headers });
    wsi.write(Buffer.alloc(0), 'http-final');
    return;
  }
  const fh = await open(realPath, 'r');
  if (wsi.closed) {
    await fh.close();
    return;
  }
  wsi.respond({ status, contentType, contentLength: stats.size, headers });
  const p = new FileProducer(wsi, fh, 0, stats.size);
  wsi.httpProducer = p;
  wsi.callbackOnWritable();
}

/**
 * Serve `rest` (the path under the mountpoint) from a file mount: GET and HEAD.
 *
 * @example
 * ```ts
 * await serveFileMount(wsi, req, mount, '/index.html');
 * ```
 */
export async function serveFileMount(wsi: Wsi, req: HttpRequest, mount: FileMount, rest: string): Promise<void> {
  const resolved = resolveMountPath(mount.origin, rest);
  if (!resolved.ok) {
    log.info(resolved.error.message);
    return sendError(wsi, req, resolved.status);
  }
  const t = await statMountTarget(mount.origin, resolved, req.target, {
    index: [mount.def ?? 'index.html'],
    allowSymlinksOut: mount.allowSymlinksOut ?? false,
  });
  if (wsi.closed) return;
  if (t.kind === 'redirect') return sendRedirect(wsi, t.status, t.location);
  if (t.kind === 'error') {
    log.info(t.error.message);
    return sendError(wsi, req, t.status);
  }
  await sendFile(wsi, req, mount, t.realPath, t.stats, 200);
}

/** Answer with a redirect and a tiny body. */
export function sendRedirect(wsi: Wsi, status: number, location: string, extra: HeaderList = []): void {
  const body = Buffer.from(`<!DOCTYPE html><html><body><a href="${escapeHtml(location)}">moved</a></body></html>\n`);
  wsi.respond({ status, contentType: 'text/html; charset=utf-8', contentLength: body.length, headers: [['location', location], ...extra] });
  wsi.write(body, 'http-final');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Answer with an error status: the vhost's error page for it when one is
 * configured and found in a file mount, else a small built-in page.
 */
export async function sendError(wsi: Wsi, req: HttpRequest, status: number, extra: HeaderList = []): Promise<void> {
  const page = wsi.vhost.options.errorPages?.[status];
  if (page && req.method !== 'HEAD') {
    const m = matchMount(wsi.vhost.mounts, page);
    if (m && m.mount.kind === 'file') {
      const r = resolveMountPath(m.mount.origin, m.rest);
      const t = r.ok ? await statMountTarget(m.mount.origin, r, page, { allowSymlinksOut: m.mount.allowSymlinksOut ?? false }) : r;
      if (wsi.closed) return;
      if (t.kind === 'file' && t.stats.isFile()) {
        await sendFile(wsi, { ...req, method: 'GET', headers: [] }, m.mount, t.realPath, t.stats, status);
        return;
      }
    }
  }
  const text = `${status} ${STATUS_TEXT[status] ?? 'Error'}`;
  const body = Buffer.from(`<!DOCTYPE html><html><head><title>${text}</title></head><body><h1>${text}</h1></body></html>\n`);
  wsi.respond({ status, contentType: 'text/html; charset=utf-8', contentLength: body.length, headers: extra });
  wsi.write(req.method === 'HEAD' ? Buffer.alloc(0) : body, 'http-final');
}
