/*
 * URL path -> filesystem path for file mounts, refusing anything that could
 * leave the mount: one percent-decode (RFC 3986 §2.1), dot-segment removal
 * (RFC 3986 §5.2.4) that fails instead of clamping at the root, realpath
 * checks against symlinks out, and the directory rules (index, `/dir` -> `/dir/`).
 */
import { realpathSync, statSync, type Stats } from 'node:fs';

/*
 * Metadata calls are synchronous on purpose, as lws's (and nginx's) are: a
 * realpath or stat of a local file is a few microseconds of syscalls, while
 * the promise versions each cost a threadpool round trip, and on a 2-core
 * machine those hops, not the disk, capped static serving (bench/http-server.ts,
 * profiled: realpath + stat were ~20% of busy time, and ~45% was idle waiting
 * on the threadpool). File data is still read asynchronously.
 */
const realpath = (p: string): Promise<string> => Promise.resolve(realpathSync.native(p));
const stat = (p: string): Promise<Stats> => Promise.resolve(statSync(p));
import { resolve, sep } from 'node:path';
import { isUtf8 } from 'node:buffer';
import { LwsError } from '../errors.js';

/** A refusal: the status to answer with and the error to log. */
export interface PathFailure {
  ok: false;
  kind: 'error';
  status: 400 | 403 | 404 | 500;
  error: LwsError;
}

/** A URL path resolved inside a mount. */
export interface ResolvedPath {
  ok: true;
  /** Absolute filesystem path under the mount directory, no trailing separator. */
  fsPath: string;
  /** Decoded, normalised path under the mount: `/` + segments (+ `/` when `trailingSlash`). */
  relPath: string;
  /** The URL named a directory form (`/dir/`, `/dir/.`, `/dir/x/..`). */
  trailingSlash: boolean;
}

/** Options for {@link resolveMountPath}. */
export interface ResolveMountPathOptions {
  /** Longest decoded path accepted, in characters; default 4096 (Linux PATH_MAX). */
  maxLength?: number;
}

const QUOTE_MAX = 200;

/** The value as a quoted string for a message, escaped and cut to a readable length. */
function q(s: string): string {
  return JSON.stringify(s.length > QUOTE_MAX ? `${s.slice(0, QUOTE_MAX)}…` : s);
}

function fail(status: PathFailure['status'], code: LwsError['code'], message: string, cause?: unknown): PathFailure {
  return { ok: false, kind: 'error', status, error: new LwsError(code, message, { status }, cause === undefined ? undefined : { cause }) };
}

function bad(urlPath: string, why: string): PathFailure {
  return fail(400, 'LWS_ERR_HTTP_BAD_PATH', `Cannot resolve path: ${q(urlPath)} ${why}`);
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
}

/* Checks the raw ASCII of the path; returns the failure reason or ''. */
function rawProblem(p: string): string {
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c === 0) return 'contains NUL';
    if (c === 0x5c) return 'contains a backslash';
    if (c < 0x20 || c === 0x7f) return `contains control character 0x${c.toString(16).padStart(2, '0')}`;
    if (c > 0x7e) return `contains non-ASCII character ${q(p[i] ?? '')} (send it percent-encoded)`;
  }
  return '';
}

/* Percent-decodes once; returns the decoded string or why it cannot. */
function decodeOnce(p: string): string | { why: string } {
  const bytes = Buffer.allocUnsafe(p.length);
  let n = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c !== 0x25) {
      bytes[n++] = c;
      continue;
    }
    const hi = hexVal(p.charCodeAt(i + 1));
    const lo = hexVal(p.charCodeAt(i + 2));
    if (hi < 0 || lo < 0) return { why: `has an invalid percent-escape at index ${i}` };
    const b = (hi << 4) | lo;
    if (b === 0) return { why: 'contains NUL (%00)' };
    if (b === 0x5c) return { why: 'contains a backslash (%5C)' };
    if (b < 0x20 || b === 0x7f) return { why: `contains control character 0x${b.toString(16).padStart(2, '0')}` };
    bytes[n++] = b;
    i += 2;
  }
  const out = bytes.subarray(0, n);
  // isUtf8 refuses overlong forms (%c0%ae for '.'), surrogates and truncated sequences.
  return isUtf8(out) ? out.toString('utf8') : { why: 'is not valid UTF-8 after percent-decoding' };
}

/**
 * Map a request path under a mount to a filesystem path, or refuse it.
 *
 * `urlPath` is the still percent-encoded path after the mountpoint (a query or
 * fragment is stripped). It is decoded exactly once, so `%252e%252e` names a
 * file called `%2e%2e`. Dot-segments are removed per RFC 3986 §5.2.4 after
 * decoding (so `%2e%2e` and `..%2f` count), `//` collapses, and any `..` that
 * would climb above the mount fails with 403 `LWS_ERR_HTTP_PATH_ESCAPE`.
 * 400 `LWS_ERR_HTTP_BAD_PATH`: bad `%`-escape, NUL, backslash (raw or `%5C`:
 * never valid unencoded in a URL, and a separator on Windows), control
 * characters, raw non-ASCII, decoded bytes that are not UTF-8 (overlong
 * `%c0%ae`), or a path longer than `maxLength`.
 * The result is purely lexical; call {@link checkRealPath} before opening.
 *
 * @example
 * ```ts
 * resolveMountPath('/srv/www', '/a/./b/../c.html?x=1'); // { ok: true, fsPath: '/srv/www/a/c.html', relPath: '/a/c.html', trailingSlash: false }
 * resolveMountPath('/srv/www', '/%2e%2e/etc/passwd');   // { ok: false, status: 403, error: LWS_ERR_HTTP_PATH_ESCAPE }
 * ```
 */
export function resolveMountPath(mountDir: string, urlPath: string, opts: ResolveMountPathOptions = {}): ResolvedPath | PathFailure {
  if (typeof mountDir !== 'string' || mountDir === '' || mountDir.includes('\0')) {
    throw new TypeError(`Cannot resolve path: mount directory ${JSON.stringify(mountDir)} is not a non-empty string without NUL`);
  }
  if (typeof urlPath !== 'string') throw new TypeError(`Cannot resolve path: urlPath is ${typeof urlPath}, expected a string`);
  const maxLength = opts.maxLength ?? 4096;
  if (!Number.isSafeInteger(maxLength) || maxLength < 1) {
    throw new RangeError(`Cannot resolve path: maxLength is ${maxLength}, expected a positive integer`);
  }

  let end = urlPath.length;
  for (let i = 0; i < end; i++) {
    const c = urlPath.charCodeAt(i);
    if (c === 0x3f || c === 0x23) end = i;
  }
  const raw = urlPath.slice(0, end);
  const problem = rawProblem(raw);
  if (problem !== '') return bad(urlPath, problem);
  const decoded = raw.includes('%') ? decodeOnce(raw) : raw;
  if (typeof decoded !== 'string') return bad(urlPath, decoded.why);
  if (decoded.length > maxLength) return bad(urlPath, `is ${decoded.length} characters long, limit is ${maxLength}`);

  const segs: string[] = [];
  let trailingSlash = false;
  let from = 0;
  while (from <= decoded.length) {
    let to = decoded.indexOf('/', from);
    if (to < 0) to = decoded.length;
    const seg = decoded.slice(from, to);
    const last = to === decoded.length;
    if (seg === '..') {
      if (segs.length === 0) {
        return fail(403, 'LWS_ERR_HTTP_PATH_ESCAPE', `Cannot resolve path: ${q(urlPath)} escapes the mount`);
      }
      segs.pop();
    } else if (seg !== '.' && seg !== '') {
      segs.push(seg);
    }
    // RFC 3986 §5.2.4: a final '.', '..' or empty segment leaves the output ending in '/'.
    if (last) trailingSlash = seg === '.' || seg === '..' || (seg === '' && segs.length > 0);
    from = to + 1;
  }

  const root = resolve(mountDir);
  const joined = segs.join('/');
  const relPath = segs.length === 0 ? '/' : `/${joined}${trailingSlash ? '/' : ''}`;
  const fsPath = segs.length === 0 ? root : `${root.endsWith(sep) ? root : root + sep}${sep === '/' ? joined : segs.join(sep)}`;
  return { ok: true, fsPath, relPath, trailingSlash: trailingSlash || segs.length === 0 };
}

/** Options for {@link checkRealPath}. */
export interface CheckRealPathOptions {
  /** Serve files whose real path lies outside the mount (lws `LWSMPRO_FILE` with symlinks out). Default false. */
  allowSymlinksOut?: boolean;
}

/** The canonical path of a file that may be served. */
export interface RealPath {
  ok: true;
  /** fs.realpath of the target: open this, not the original path. */
  realPath: string;
}

function fsFailure(fsPath: string, err: unknown): PathFailure {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG') {
    return fail(404, 'LWS_ERR_HTTP_NOT_FOUND', `Cannot find path: ${q(fsPath)} does not exist (${code})`, err);
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'ELOOP') {
    return fail(403, 'LWS_ERR_HTTP_FORBIDDEN', `Cannot serve path: ${q(fsPath)} is not accessible (${code})`, err);
  }
  return fail(500, 'LWS_ERR_HTTP_FILESYSTEM', `Cannot resolve path: ${q(fsPath)} failed with ${code}`, err);
}

function isInside(real: string, root: string): boolean {
  return real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Resolve symlinks in `fsPath` (fs.realpath) and refuse with 403
 * `LWS_ERR_HTTP_SYMLINK_ESCAPE` when the result lies outside the real path of
 * `root`, unless `allowSymlinksOut`. Missing files give 404
 * `LWS_ERR_HTTP_NOT_FOUND`; EACCES/EPERM/ELOOP 403 `LWS_ERR_HTTP_FORBIDDEN`;
 * other errors 500 `LWS_ERR_HTTP_FILESYSTEM`. A symlink swapped after the
 * check is not covered: open `realPath` right away.
 *
 * @example
 * ```ts
 * const r = await checkRealPath('/srv/www', '/srv/www/link-to-etc/passwd');
 * if (!r.ok) respond(r.status); // 403, LWS_ERR_HTTP_SYMLINK_ESCAPE
 * ```
 */
export async function checkRealPath(root: string, fsPath: string, opts: CheckRealPathOptions = {}): Promise<RealPath | PathFailure> {
  let realRoot: string;
  let real: string;
  try {
    realRoot = await realpath(root);
  } catch (err) {
    return fsFailure(root, err);
  }
  try {
    real = await realpath(fsPath);
  } catch (err) {
    return fsFailure(fsPath, err);
  }
  if (!opts.allowSymlinksOut && !isInside(real, realRoot)) {
    return fail(403, 'LWS_ERR_HTTP_SYMLINK_ESCAPE', `Cannot serve path: ${q(fsPath)} resolves to ${q(real)}, outside the mount ${q(realRoot)}`);
  }
  return { ok: true, realPath: real };
}

const ABSOLUTE_FORM = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/;

/**
 * The Location for redirecting a directory named without its trailing slash:
 * the request path + `/`, the query kept (an absolute-form target loses its
 * scheme and authority). Leading slashes and backslashes collapse to one `/`
 * so `//evil.example` cannot become a protocol-relative redirect; controls,
 * spaces and non-ASCII are percent-encoded, so no header injection.
 *
 * @example
 * ```ts
 * slashRedirectLocation('/docs?lang=en'); // '/docs/?lang=en'
 * ```
 */
export function slashRedirectLocation(requestTarget: string): string {
  // Encode what a header or a URL parser would mangle: CR/LF/NUL, tab (URL parsers drop it), non-ASCII.
  const t = requestTarget.replace(ABSOLUTE_FORM, '').replace(/[\0-\x20\x7f-\u{10ffff}]/gu, encodeBytes);
  let end = t.length;
  for (let i = 0; i < end; i++) {
    const c = t.charCodeAt(i);
    if (c === 0x3f || c === 0x23) end = i;
  }
  const hash = t.indexOf('#', end);
  const query = t.slice(end, hash < 0 ? t.length : hash);
  // Browsers read '/\\' like '//': collapse any leading run of both.
  const path = t.slice(0, end).replace(/^[/\\]*/, '/');
  return `${path}/${query.startsWith('?') ? query : ''}`;
}

function encodeBytes(ch: string): string {
  let out = '';
  for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

/** A regular file (or, inside this module, a directory) that may be served. */
export interface FileTarget {
  kind: 'file';
  /** Open this path: symlinks are already resolved and checked. */
  realPath: string;
  stats: Stats;
}

/** What to do with a resolved path, from {@link statMountTarget}. */
export type MountTarget = FileTarget | { kind: 'redirect'; status: 301; location: string } | PathFailure;

/** Options for {@link statMountTarget}. */
export interface StatMountTargetOptions extends CheckRealPathOptions {
  /** Index files tried in order for a directory; default `['index.html']` (lws mount `def`). */
  index?: readonly string[];
}

function checkIndexNames(index: readonly string[]): void {
  for (const name of index) {
    if (typeof name !== 'string' || name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
      throw new TypeError(`Cannot use index file ${JSON.stringify(name)}: expected a plain file name`);
    }
  }
}

/**
 * Decide what a resolved path serves. A directory without trailing slash
 * redirects (301, to `requestTarget` + `/`); with it, the first `index` file
 * that is a regular file inside the mount is served, else 404 (no listings).
 * A file named with a trailing slash is 404, as open(2) would say ENOTDIR.
 * Anything but a regular file or directory (fifo, device, socket) is 403.
 * Every path opened is first checked with {@link checkRealPath}.
 *
 * @example
 * ```ts
 * const r = resolveMountPath(mount.origin, req.pathInMount);
 * const t = r.ok ? await statMountTarget(mount.origin, r, req.target) : r;
 * if (t.kind === 'file') serve(t.realPath, t.stats);
 * ```
 */
export async function statMountTarget(
  root: string,
  resolved: ResolvedPath,
  requestTarget: string,
  opts: StatMountTargetOptions = {},
): Promise<MountTarget> {
  const index = opts.index ?? ['index.html'];
  checkIndexNames(index);
  const target = await statChecked(root, resolved.fsPath, opts);
  if (target.kind !== 'file') return target;
  if (!target.stats.isDirectory()) {
    return resolved.trailingSlash
      ? fail(404, 'LWS_ERR_HTTP_NOT_FOUND', `Cannot find path: ${q(resolved.relPath)} is a file, not a directory`)
      : target;
  }
  if (!resolved.trailingSlash) return { kind: 'redirect', status: 301, location: slashRedirectLocation(requestTarget) };
  for (const name of index) {
    const candidate = await statChecked(root, target.realPath + (target.realPath.endsWith(sep) ? '' : sep) + name, opts);
    if (candidate.kind === 'file' && candidate.stats.isFile()) return candidate;
    if (candidate.kind === 'file' || candidate.status === 404) continue;
    return candidate;
  }
  return fail(404, 'LWS_ERR_HTTP_NOT_FOUND', `Cannot find path: ${q(resolved.relPath)} is a directory with no index (${index.join(', ')})`);
}

/* realpath-checked stat; 'file' here means "exists and is a file or directory". */
async function statChecked(root: string, fsPath: string, opts: CheckRealPathOptions): Promise<FileTarget | PathFailure> {
  const real = await checkRealPath(root, fsPath, opts);
  if (!real.ok) return real;
  let stats: Stats;
  try {
    stats = await stat(real.realPath);
  } catch (err) {
    return fsFailure(real.realPath, err);
  }
  if (!stats.isFile() && !stats.isDirectory()) {
    return fail(403, 'LWS_ERR_HTTP_FORBIDDEN', `Cannot serve path: ${q(fsPath)} is not a regular file or directory`);
  }
  return { kind: 'file', realPath: real.realPath, stats };
}
