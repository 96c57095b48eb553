/*
 * HTTP Basic authentication on a mount (RFC 7617, lws's basic-auth mount
 * option): credentials from a `user:password` file or a callback, compared
 * in constant time over SHA-256 digests, 401 with WWW-Authenticate otherwise.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** Basic auth for a mount: a credentials file, a callback, or both (either may accept). */
export interface BasicAuthOptions {
  /** Realm shown by browsers; printable ASCII without `"` or `\`. */
  realm: string;
  /** File of `user:password` lines (lws basic-auth file); `#` starts a comment. Read once, at first use. */
  credentialsFile?: string;
  /** Decide yourself; compare secrets with `crypto.timingSafeEqual`. */
  verify?(user: string, password: string): boolean | Promise<boolean>;
}

/** Longest Authorization value we decode; real ones are far shorter. */
const MAX_AUTHORIZATION = 4096;

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/**
 * Decode `Authorization: Basic <base64(user:password)>`; undefined when it is
 * absent, another scheme, or malformed.
 *
 * @example
 * ```ts
 * parseBasicAuthorization('Basic dXNlcjpwYXNz'); // { user: 'user', password: 'pass' }
 * ```
 */
export function parseBasicAuthorization(header: string | undefined): { user: string; password: string } | undefined {
  if (header === undefined || header.length > MAX_AUTHORIZATION) return undefined;
  const m = /^basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(header);
  if (!m) return undefined;
  const text = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0 || /[\x00-\x1f\x7f]/.test(text)) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/**
 * Parse a credentials file's text into SHA-256 digests of its `user:password` lines.
 *
 * @example
 * ```ts
 * parseCredentials('# comment\nuser:password\n').length; // 1
 * ```
 */
export function parseCredentials(text: string): Buffer[] {
  const out: Buffer[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.indexOf(':') <= 0) throw new TypeError(`Cannot read credentials: line ${JSON.stringify(line.slice(0, 40))} is not "user:password"`);
    out.push(digest(line));
  }
  return out;
}

/**
 * A mount's authenticator: `check()` resolves to the user name when the
 * request's Authorization header carries valid credentials.
 *
 * @example
 * ```ts
 * const auth = new BasicAuth({ realm: 'lws', credentialsFile: './ba-passwords' });
 * if ((await auth.check(req.header('authorization'))) === undefined) respond(401, auth.challenge());
 * ```
 */
export class BasicAuth {
  readonly options: BasicAuthOptions;
  #digests: Promise<Buffer[]> | undefined;

  constructor(opts: BasicAuthOptions) {
    if (typeof opts.realm !== 'string' || !/^[\x20-\x7e]+$/.test(opts.realm) || /["\\]/.test(opts.realm)) {
      throw new TypeError(`Cannot set up basic auth: realm ${JSON.stringify(opts.realm)} must be printable ASCII without quotes or backslashes`);
    }
    if (opts.credentialsFile === undefined && opts.verify === undefined) {
      throw new TypeError('Cannot set up basic auth: give a credentialsFile or a verify callback');
    }
    this.options = opts;
  }

  /** The WWW-Authenticate header for a 401. */
  challenge(): [string, string] {
    return ['www-authenticate', `Basic realm="${this.options.realm}", charset="UTF-8"`];
  }

  /** The authenticated user, or undefined. */
  async check(authorization: string | undefined): Promise<string | undefined> {
    const cred = parseBasicAuthorization(authorization);
    if (!cred) return undefined;
    if (this.options.credentialsFile !== undefined) {
      this.#digests ??= readFile(this.options.credentialsFile, 'utf8').then(parseCredentials);
      const list = await this.#digests;
      const want = digest(`${cred.user}:${cred.password}`);
      let ok = false;
      // look at every entry: the time taken does not tell which line matched
      for (const d of list) ok = timingSafeEqual(d, want) || ok;
      if (ok) return cred.user;
    }
    if (this.options.verify && (await this.options.verify(cred.user, cred.password))) return cred.user;
    return undefined;
  }
}

const cache = new WeakMap<BasicAuthOptions, BasicAuth>();

/**
 * The (cached) authenticator for a mount's options.
 *
 * @example
 * ```ts
 * const user = await basicAuthFor(mount.basicAuth).check(req.header('authorization'));
 * ```
 */
export function basicAuthFor(opts: BasicAuthOptions): BasicAuth {
  let a = cache.get(opts);
  if (!a) {
    a = new BasicAuth(opts);
    cache.set(opts, a);
  }
  return a;
}
