/*
 * Mounts (lws_http_mount): URL space mapped to a directory, a callback
 * protocol or a redirect. The longest mountpoint that matches at a path
 * segment boundary wins.
 */
import { basicAuthFor, type BasicAuthOptions } from './basic-auth.js';
import type { HeaderList } from './response.js';

interface MountBase {
  /** URL prefix, e.g. `/` or `/api`. */
  mountpoint: string;
  /** Extra response headers for this mount, after the vhost's. */
  headers?: HeaderList;
  /** Require HTTP Basic credentials for everything under this mount (401 otherwise). */
  basicAuth?: BasicAuthOptions;
}

/** Serve files from a directory (LWSMPRO_FILE). */
export interface FileMount extends MountBase {
  kind: 'file';
  /** Directory to serve. */
  origin: string;
  /** Default index for directory requests; default `index.html`. */
  def?: string;
  /** Extra extension -> mimetype entries, e.g. `{ '.zip': 'application/zip' }`. */
  extraMimetypes?: Record<string, string>;
  /** Follow symlinks that lead outside `origin`. Default false. */
  allowSymlinksOut?: boolean;
  /** `cache-control: max-age` seconds; default none (revalidate with ETag). */
  cacheMaxAge?: number;
  /** Compress compressible files of 1 KiB or more with br/gzip on the fly, as Accept-Encoding allows. Default true. */
  compress?: boolean;
}

/** Hand requests to a protocol's http handlers (LWSMPRO_CALLBACK). */
export interface CallbackMount extends MountBase {
  kind: 'callback';
  /** Name of a protocol on the vhost. */
  protocol: string;
}

/** Answer with a redirect (LWSMPRO_REDIR_HTTP(S)). */
export interface RedirectMount extends MountBase {
  kind: 'redirect';
  /** Target URL; the rest of the path after the mountpoint is appended. */
  location: string;
  /** 301 (default), 302, 303, 307 or 308. */
  status?: 301 | 302 | 303 | 307 | 308;
}

export type Mount = FileMount | CallbackMount | RedirectMount;

function normaliseMountpoint(mp: string): string {
  if (!mp.startsWith('/')) throw new TypeError(`Cannot add mount: mountpoint "${mp}" must start with "/"`);
  return mp.length > 1 && mp.endsWith('/') ? mp.slice(0, -1) : mp;
}

/**
 * Pick the mount for a (still percent-encoded) path.
 * Returns the mount and the rest of the path under it (always starting with `/`),
 * or `redirectToSlash` when the path names a mountpoint without its trailing slash.
 *
 * @example
 * ```ts
 * matchMount([{ kind: 'file', mountpoint: '/', origin: './www' }], '/a.html')?.rest; // '/a.html'
 * ```
 */
export function matchMount(mounts: readonly Mount[], path: string): { mount: Mount; rest: string; redirectToSlash: boolean } | undefined {
  let best: Mount | undefined;
  let bestLen = -1;
  for (const m of mounts) {
    const mp = normaliseMountpoint(m.mountpoint);
    const len = mp === '/' ? 0 : mp.length;
    if (len <= bestLen) continue;
    if (mp === '/' || path === mp || path.startsWith(mp + '/')) {
      best = m;
      bestLen = len;
    }
  }
  if (!best) return undefined;
  const rest = path.slice(bestLen);
  const redirectToSlash = rest === '' && best.kind === 'file';
  return { mount: best, rest: rest === '' ? '/' : rest, redirectToSlash };
}

/** Validate mounts at vhost creation so mistakes fail early with a clear message. */
export function checkMounts(mounts: readonly Mount[]): void {
  const seen = new Set<string>();
  for (const m of mounts) {
    const mp = normaliseMountpoint(m.mountpoint);
    if (seen.has(mp)) throw new TypeError(`Cannot add mount: mountpoint "${mp}" is used twice`);
    seen.add(mp);
    if (m.basicAuth) basicAuthFor(m.basicAuth); // a bad realm or missing source fails here, at startup
    if (m.kind === 'file' && (typeof m.origin !== 'string' || m.origin === '')) {
      throw new TypeError(`Cannot add mount "${mp}": file mounts need an origin directory`);
    }
  }
}
