/*
 * Serving files from a file mount (RFC 9110 §8.8, §13, §14): validators and
 * 304/412, byte ranges (206, multipart/byteranges, 416, If-Range), on-the-fly
 * gzip/br for compressible types (streamed, chunked, Vary; 406 when
 * Accept-Encoding refuses identity and every coding we have, §12.5.3),
 * writeable-driven via static-file-body.ts. Error responses use the vhost's
 * error pages.
 */
import { memoryFileReader, openFileReader, type FileReader } from './file-reader.js';
import { FileCache, fileInfoFromStats, type FileInfo } from './file-cache.js';
import type { Wsi } from '../context/wsi.js';
import { log } from '../context/log.js';
import { chooseEncoding, createCompressor, shouldCompress, type ContentCoding } from './compression.js';
import { evaluateConditionals, formatHttpDate, generateEtag, ifRangeMatches } from './conditional.js';
import { isCompressibleType, lookupMimetype } from './mimetypes.js';
import { matchMount, type FileMount } from './mount.js';
import { resolveMountPath, statMountTarget } from './path-safety.js';
import { contentRange, parseRange, planMultipartByteranges, type ByteRange } from './ranges.js';
import { findHeader, makeHttpRequest, type HttpRequest } from './request.js';
import { stableHeaders, type HeaderList, type HttpResponseHead } from './response.js';
import { CompressedProducer, SegmentProducer, type BodySegment, type HttpProducer } from './static-file-body.js';
import { STATUS_TEXT } from '../roles/h1/serializer.js';

export { FILE_CHUNK, type HttpProducer } from './static-file-body.js';
import { FILE_CHUNK } from './static-file-body.js';

const EMPTY = Buffer.alloc(0);

function fileHeaders(mount: FileMount, etag: string, file: FileInfo): [string, string][] {
  const h: [string, string][] = [
    ['etag', etag],
    ['last-modified', (file.lastModified ??= formatHttpDate(file.mtime))],
    ['accept-ranges', 'bytes'],
  ];
  if (mount.cacheMaxAge !== undefined) h.push(['cache-control', `max-age=${mount.cacheMaxAge}`]);
  else h.push(['cache-control', 'no-cache']);
  return h;
}

/** A file's headers for a 200 with this ETag: validators, caching, the mount's own headers, and vary when the representation varies. */
function fileHeaderList(mount: FileMount, etag: string, file: FileInfo, varies: boolean): [string, string][] {
  const headers = fileHeaders(mount, etag, file);
  if (mount.headers) for (const h of mount.headers) headers.push([h[0], h[1]]);
  if (varies) headers.push(['vary', 'accept-encoding']);
  return headers;
}

/** How the body of a 200 for this request will be sent, or the status refusing it. */
type BodyPlan =
  | {
      kind: 'send';
      coding: ContentCoding | 'identity';
      /** The representation varies with Accept-Encoding (a compressible type, compression on). */
      varies: boolean;
      /** Identity is acceptable: ranges (which index identity bytes) may be served. */
      identityOk: boolean;
    }
  | { kind: 'refuse'; status: 406 | 503; headers: HeaderList };

/** Every Accept-Encoding field line as one list (RFC 9110 §5.3). */
function acceptEncoding(req: HttpRequest): string | undefined {
  const lines = req.headers.filter((h) => h[0] === 'accept-encoding').map((h) => h[1]);
  return lines.length === 0 ? undefined : lines.join(', ');
}

function planBody(wsi: Wsi, mount: FileMount, req: HttpRequest, contentType: string, size: number): BodyPlan {
  // types we never compress: the only representation is identity, sent whatever Accept-Encoding says (RFC 9110 §12.5.3 allows it)
  if (mount.compress === false || !isCompressibleType(contentType)) return { kind: 'send', coding: 'identity', varies: false, identityOk: true };
  const ae = acceptEncoding(req);
  const choice = chooseEncoding(ae);
  const vary: HeaderList = [['vary', 'accept-encoding']];
  // identity;q=0 or *;q=0 and neither br nor gzip acceptable: nothing we can send
  if (choice === null) return { kind: 'refuse', status: 406, headers: vary };
  if (choice === 'identity') return { kind: 'send', coding: 'identity', varies: true, identityOk: true };
  const identityOk = chooseEncoding(ae, { allowBrotli: false, allowGzip: false }) === 'identity';
  // small bodies are not worth compressing, unless identity is refused
  if (identityOk && !shouldCompress({ contentType, size })) return { kind: 'send', coding: 'identity', varies: true, identityOk };
  // bounded zlib memory: past the limit, identity if the client takes it, else try again later
  if ((CompressedProducer.live.get(wsi.vhost) ?? 0) >= wsi.vhost.limits.maxCompressedResponses) {
    if (identityOk) return { kind: 'send', coding: 'identity', varies: true, identityOk };
    return { kind: 'refuse', status: 503, headers: [...vary, ['retry-after', '1']] };
  }
  return { kind: 'send', coding: choice, varies: true, identityOk };
}

/** Send a file (or its headers only, for HEAD) with `status`. */
function sendFile(wsi: Wsi, req: HttpRequest, mount: FileMount, file: FileInfo, status: number, extra: HeaderList = []): void {
  // a cached FileInfo belongs to one mount (the cache key says which), so its type can be kept
  const contentType = (file.contentType ??= lookupMimetype(file.realPath, mount.extraMimetypes));
  if (status !== 200) {
    // an error page is not the resource asked for: no validators, no ranges; the status's own headers (challenge...) stay
    const headers: HeaderList = [['cache-control', 'no-store'], ...(mount.headers ?? []), ...extra];
    return openAndSend(wsi, req, file, { status, contentType, contentLength: file.size, headers }, [{ kind: 'file', start: 0, end: file.size }]);
  }
  const plan = planBody(wsi, mount, req, contentType, file.size);
  if (plan.kind === 'refuse') {
    log.info(`wsi ${wsi.id}: cannot serve ${req.path}: accept-encoding is ${JSON.stringify(acceptEncoding(req))}, answering ${plan.status}`);
    return void sendError(wsi, req, plan.status, plan.headers);
  }
  const baseTag = (file.etag ??= generateEtag(file));
  // each coding is its own representation, with its own strong validator
  const etag = plan.coding === 'identity' ? baseTag : `${baseTag.slice(0, -1)}-${plan.coding}"`;
  // uncoded, the same list every time (the framer reuses its serialized head): `varies` is fixed by the mount and the type
  const headers: HeaderList =
    plan.coding === 'identity' ? (file.identityHeaders ??= stableHeaders(fileHeaderList(mount, etag, file, plan.varies))) : fileHeaderList(mount, etag, file, plan.varies);
  const cond = evaluateConditionals(req.headers, { etag, lastModified: file.mtimeMs, method: req.method });
  if (cond.kind === 'not-modified') return emptyBody(wsi, 304, headers);
  if (cond.kind === 'precondition-failed') return void sendError(wsi, req, 412);
  const rangeHeader = findHeader(req.headers, 'range');
  // a client refusing identity gets the whole coded body: ranges would index identity bytes
  if (rangeHeader !== undefined && plan.identityOk && ifRangeMatches(findHeader(req.headers, 'if-range'), { etag: baseTag, lastModified: file.mtimeMs })) {
    const r = parseRange(rangeHeader, file.size);
    if (r.kind === 'unsatisfiable') {
      log.info(`wsi ${wsi.id}: ${r.error.message}`);
      return void sendError(wsi, req, 416, [['content-range', r.contentRange]]);
    }
    if (r.kind === 'ranges') {
      // the parts are identity bytes: they carry the identity validator
      const own = headers.map((h): [string, string] => (h[0] === 'etag' ? ['etag', baseTag] : [h[0], h[1]]));
      return sendRanges(wsi, req, file, contentType, own, r.ranges);
    }
  }
  if (plan.coding !== 'identity') {
    const coding = plan.coding;
    return openAndSend(wsi, req, file, { status, contentType, headers: [...headers, ['content-encoding', coding]] }, (fh) => new CompressedProducer(wsi, fh, file.size, createCompressor(coding, { sizeHint: file.size })));
  }
  return openAndSend(wsi, req, file, { status, contentType, contentLength: file.size, headers }, [{ kind: 'file', start: 0, end: file.size }]);
}

function emptyBody(wsi: Wsi, status: number, headers: HeaderList): void {
  wsi.respond({ status, headers, contentLength: 0 });
  wsi.write(EMPTY, 'http-final');
}

/** 206 with one range, or multipart/byteranges for several (RFC 9110 §14.6). */
function sendRanges(wsi: Wsi, req: HttpRequest, file: FileInfo, contentType: string, headers: [string, string][], ranges: ByteRange[]): void {
  const only = ranges.length === 1 ? ranges[0] : undefined;
  if (only) {
    headers.push(['content-range', contentRange(only, file.size)]);
    return openAndSend(wsi, req, file, { status: 206, contentType, contentLength: only.end - only.start + 1, headers }, [{ kind: 'file', start: only.start, end: only.end + 1 }]);
  }
  const plan = planMultipartByteranges(ranges, file.size, contentType);
  const segs: BodySegment[] = [];
  for (const p of plan.parts) segs.push({ kind: 'bytes', data: p.head }, { kind: 'file', start: p.range.start, end: p.range.end + 1 });
  segs.push({ kind: 'bytes', data: plan.tail });
  return openAndSend(wsi, req, file, { status: 206, contentType: plan.contentType, contentLength: plan.contentLength, headers }, segs);
}

/**
 * Respond with `head`, then stream the body (nothing for HEAD or an empty
 * body). A cached file that fits one piece goes out at once, with its head.
 */
function openAndSend(wsi: Wsi, req: HttpRequest, file: FileInfo, head: HttpResponseHead, body: BodySegment[] | ((fh: FileReader) => HttpProducer)): void {
  const empty = Array.isArray(body) && body.every((s) => s.kind === 'file' && s.end <= s.start);
  if (req.method === 'HEAD' || empty) {
    wsi.respond(head);
    wsi.write(EMPTY, 'http-final');
    return;
  }
  const only = Array.isArray(body) && body.length === 1 ? body[0] : undefined;
  if (file.body && only?.kind === 'file' && only.end - only.start <= FILE_CHUNK) {
    wsi.respond(head);
    wsi.write(file.body.subarray(only.start, only.end), 'http-final');
    return;
  }
  let fh: FileReader;
  try {
    fh = file.body ? memoryFileReader(file.body) : openFileReader(file.realPath);
  } catch (err) {
    log.err(`wsi ${wsi.id}: cannot open ${file.realPath}: ${String(err)}`);
    return void sendError(wsi, req, 500);
  }
  wsi.respond(head);
  wsi.httpProducer = Array.isArray(body) ? new SegmentProducer(wsi, fh, body) : body(fh);
  wsi.callbackOnWritable();
}

/**
 * Answer from the vhost's file cache, synchronously (no promise): true when
 * it had the file; false sends nothing (resolveAndServeFile resolves it).
 */
export function serveCachedFile(wsi: Wsi, req: HttpRequest, mount: FileMount, rest: string): boolean {
  const cache = fileCacheOf(wsi.vhost);
  const hit = cache?.get(cacheKey(mount, rest));
  if (!hit) return false;
  sendFile(wsi, req, mount, hit, 200);
  return true;
}

/** The rest of serveFileMount after a cache miss: resolve, check, serve and remember. */
export async function resolveAndServeFile(wsi: Wsi, req: HttpRequest, mount: FileMount, rest: string): Promise<void> {
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
  const cache = fileCacheOf(wsi.vhost);
  sendFile(wsi, req, mount, cache ? cache.put(cacheKey(mount, rest), t.realPath, t.stats) : fileInfoFromStats(t.realPath, t.stats), 200);
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
  if (!serveCachedFile(wsi, req, mount, rest)) await resolveAndServeFile(wsi, req, mount, rest);
}

const caches = new WeakMap<object, FileCache | null>();
const mountIds = new WeakMap<FileMount, number>();
let nextMountId = 0;

/** The vhost's file cache (made on first use from `VhostOptions.fileCache`), or null when it is off. */
function fileCacheOf(vhost: Wsi['vhost']): FileCache | null {
  let c = caches.get(vhost);
  if (c === undefined) {
    const o = vhost.options.fileCache;
    c = o === false ? null : new FileCache(o ?? {});
    caches.set(vhost, c);
  }
  return c;
}

/** Cache key: which mount (its settings decide index and symlink rules) and the path under it. */
function cacheKey(mount: FileMount, rest: string): string {
  let id = mountIds.get(mount);
  if (id === undefined) mountIds.set(mount, (id = nextMountId++));
  return `${id}\0${rest}`;
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
        sendFile(wsi, makeHttpRequest('GET', req.target, req.httpVersion, []), m.mount, fileInfoFromStats(t.realPath, t.stats), status, extra);
        return;
      }
    }
  }
  const text = `${status} ${STATUS_TEXT[status] ?? 'Error'}`;
  const body = Buffer.from(`<!DOCTYPE html><html><head><title>${text}</title></head><body><h1>${text}</h1></body></html>\n`);
  wsi.respond({ status, contentType: 'text/html; charset=utf-8', contentLength: body.length, headers: extra });
  wsi.write(req.method === 'HEAD' ? Buffer.alloc(0) : body, 'http-final');
}
