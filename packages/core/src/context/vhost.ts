/*
 * A vhost: a listen port (or none, for clients), its TLS settings, its
 * protocols with their per-vhost data, its mounts and extra headers.
 * Several vhosts may share one port; the h1 role picks by Host, TLS by SNI.
 */
import type { FileCacheOptions } from '../http/file-cache.js';
import { readFileSync } from 'node:fs';
import { LwsError } from '../errors.js';
import { checkMounts, type Mount } from '../http/mount.js';
import type { HeaderList } from '../http/response.js';
import { log } from './log.js';
import type { Protocol } from './protocol.js';
import { checkWsOptions, type WsVhostOptions } from '../roles/ws/options.js';

/** TLS for a listening vhost: PEM text, Buffers, or file paths. */
export interface VhostTlsOptions {
  cert: string | Buffer;
  key: string | Buffer;
  ca?: string | Buffer;
  passphrase?: string;
  /** ALPN protocols offered, in preference order. Default `['http/1.1']`. */
  alpn?: string[];
  /** Seconds allowed for the TLS handshake; default 10. */
  handshakeTimeoutSecs?: number;
}

/** HTTP limits and timeouts for connections on this vhost (all configurable). */
export interface HttpLimits {
  /** Longest request line, bytes (414 past it). Default 8192. */
  maxRequestLine?: number;
  /** Total header bytes (431 past it). Default 16384. */
  maxHeaderBytes?: number;
  /** Header count (431 past it). Default 100. */
  maxHeaders?: number;
  /** Request body bytes for callback mounts (413 past it). Default 1 MiB. */
  maxBodyBytes?: number;
  /** Seconds to receive a complete request head (slowloris guard). Default 10. */
  headersTimeoutSecs?: number;
  /** Seconds a keep-alive connection may sit idle. Default 5. */
  keepAliveTimeoutSecs?: number;
  /** Seconds a request body may stall between reads. Default 10. */
  bodyTimeoutSecs?: number;
  /** Seconds a response may wait for a peer that stopped reading (send stall; pipelined requests behind it are not parsed meanwhile), and for the peer to close after our FIN. Default 20. */
  sendTimeoutSecs?: number;
  /** Static responses compressed on the fly at once on this vhost (each zlib stream holds 0.3-1.3 MB); past it files go out uncompressed. Default 64. */
  maxCompressedResponses?: number;
}

export interface VhostOptions {
  /** Name matched against Host / SNI (lws vhost_name). Default `localhost`. */
  name?: string;
  /** Other names (and `*.example.com` wildcards) this vhost answers to. */
  aliases?: string[];
  /** TCP port; 0 picks a free one. Omit (and no `unixSocket`) for a vhost that does not listen. */
  port?: number;
  /** Address to bind. Default `127.0.0.1`; use `0.0.0.0` or `::` for every interface. */
  iface?: string;
  /** Listen on this unix domain socket path instead of TCP. */
  unixSocket?: string;
  tls?: VhostTlsOptions;
  protocols?: readonly Protocol[];
  mounts?: readonly Mount[];
  /** Extra headers on every http response of this vhost (e.g. CSP). */
  headers?: HeaderList;
  http?: HttpLimits;
  /** Error pages by status, paths within the vhost's file mounts, e.g. `{ 404: '/404.html' }`. */
  errorPages?: Record<number, string>;
  /**
   * File mounts' cache of path resolutions and small files' bytes (bounded,
   * revalidated by a stat at most every `statTtlMs`; see
   * http/file-cache.ts), or `false` for none. Default on: 8 MiB, files up
   * to 64 KiB, 1024 paths, resolutions redone after 1 s, edits seen within
   * 100 ms (`statTtlMs: 0`: at once, one stat per request).
   */
  fileCache?: FileCacheOptions | false;
  /** WebSocket limits, timeouts, permessage-deflate and allowed origins for this vhost. */
  ws?: WsVhostOptions;
}

/** Resolved limits with defaults applied. */
export type ResolvedHttpLimits = Required<HttpLimits>;

export const DEFAULT_HTTP_LIMITS: ResolvedHttpLimits = Object.freeze({
  maxRequestLine: 8192,
  maxHeaderBytes: 16384,
  maxHeaders: 100,
  maxBodyBytes: 1024 * 1024,
  headersTimeoutSecs: 10,
  keepAliveTimeoutSecs: 5,
  bodyTimeoutSecs: 10,
  sendTimeoutSecs: 20,
  maxCompressedResponses: 64,
});

function pem(v: string | Buffer, what: string, vhost: string): Buffer {
  if (Buffer.isBuffer(v)) return v;
  if (v.includes('-----BEGIN')) return Buffer.from(v);
  try {
    return readFileSync(v);
  } catch (cause) {
    throw new LwsError('LWS_ERR_CORE_TLS_CONFIG', `Cannot load TLS ${what} for vhost "${vhost}": ${String(cause)}`, {}, { cause });
  }
}

/**
 * A vhost inside a context. Made by `createContext`; handlers reach it as `wsi.vhost`.
 *
 * @example
 * ```ts
 * const vhd = wsi.vhost.vhd(myProtocol);
 * ```
 */
export class Vhost {
  readonly name: string;
  readonly options: VhostOptions;
  readonly protocols: readonly Protocol[];
  readonly mounts: readonly Mount[];
  readonly headers: HeaderList;
  readonly limits: ResolvedHttpLimits;
  readonly tlsPem: { cert: Buffer; key: Buffer; ca?: Buffer } | undefined;
  /** The port actually bound (after listening), or undefined. */
  port: number | undefined;
  #vhd = new Map<Protocol, unknown>();

  constructor(opts: VhostOptions) {
    this.options = opts;
    this.name = opts.name ?? 'localhost';
    this.protocols = opts.protocols ?? [];
    this.mounts = opts.mounts ?? [];
    checkMounts(this.mounts);
    const names = new Set<string>();
    for (const p of this.protocols) {
      if (names.has(p.name)) throw new TypeError(`Cannot create vhost "${this.name}": protocol "${p.name}" is listed twice`);
      names.add(p.name);
    }
    for (const m of this.mounts) {
      if (m.kind === 'callback' && !names.has(m.protocol)) {
        throw new TypeError(`Cannot create vhost "${this.name}": mount "${m.mountpoint}" names protocol "${m.protocol}", which the vhost does not have`);
      }
    }
    if (opts.ws) checkWsOptions(opts.ws);
    this.headers = opts.headers ?? [];
    this.limits = { ...DEFAULT_HTTP_LIMITS, ...opts.http };
    if (opts.tls) {
      const t = opts.tls;
      this.tlsPem = { cert: pem(t.cert, 'certificate', this.name), key: pem(t.key, 'key', this.name) };
      if (t.ca) this.tlsPem.ca = pem(t.ca, 'CA', this.name);
    }
  }

  /** True when this vhost listens somewhere. */
  get listens(): boolean {
    return this.options.port !== undefined || this.options.unixSocket !== undefined;
  }

  /** Does a Host header / SNI name select this vhost? */
  answersTo(host: string): boolean {
    const h = host.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1').toLowerCase();
    for (const n of [this.name, ...(this.options.aliases ?? [])]) {
      const name = n.toLowerCase();
      if (name === h) return true;
      if (name.startsWith('*.') && h.endsWith(name.slice(1)) && h.length > name.length - 1) return true;
    }
    return false;
  }

  /** Find a protocol by name (ws subprotocol, callback mount). */
  protocol(name: string): Protocol | undefined {
    return this.protocols.find((p) => p.name === name);
  }

  /** The per-vhost data of a protocol (made by its newVhd at init). */
  vhd<Vhd>(p: Protocol<any, Vhd>): Vhd {
    return this.#vhd.get(p) as Vhd;
  }

  /** LWS_CALLBACK_PROTOCOL_INIT for every protocol, in order. */
  async initProtocols(): Promise<void> {
    for (const p of this.protocols) {
      if (p.newVhd) this.#vhd.set(p, await p.newVhd(this));
    }
  }

  /** LWS_CALLBACK_PROTOCOL_DESTROY for every protocol, in reverse order. */
  async destroyProtocols(): Promise<void> {
    for (const p of [...this.protocols].reverse()) {
      if (!p.destroyVhd || !this.#vhd.has(p)) continue;
      try {
        await p.destroyVhd(this.#vhd.get(p), this);
      } catch (err) {
        log.err(`vhost ${this.name}: protocol ${p.name} destroyVhd threw: ${String(err)}`);
      }
      this.#vhd.delete(p);
    }
  }
}
