/*
 * ws options: per vhost (`VhostOptions.ws`) and per protocol (`Protocol.ws`),
 * resolved once per connection with the defaults applied. Every limit that
 * bounds memory or time on a ws connection is here.
 */
import type { Protocol } from '../../context/protocol.js';
import type { Vhost } from '../../context/vhost.js';
import type { WsDelivery } from './frame-parser.js';
import { WsLimits } from './constants.js';
import type { PerMessageDeflateNegotiation } from './permessage-deflate-negotiation.js';

/** permessage-deflate settings: what to negotiate plus the compressor's knobs. */
export interface WsDeflateOptions extends PerMessageDeflateNegotiation {
  /** Messages shorter than this many bytes are sent uncompressed. Default 1024. */
  threshold?: number;
  /** zlib level -1..9. Default -1 (zlib's default). */
  level?: number;
  /** zlib memLevel 1..9. Default 8. */
  memLevel?: number;
}

/** ws settings of a vhost; they apply to its server and its client connections. */
export interface WsVhostOptions {
  /** Largest message accepted (inflated size too), else close 1009. Default 16 MiB. */
  maxMessageSize?: number;
  /** Largest frame payload accepted, else close 1009. Default 16 MiB. */
  maxFrameSize?: number;
  /** Negotiate permessage-deflate (RFC 7692): `true` for defaults, or settings. Default off. */
  permessageDeflate?: boolean | WsDeflateOptions;
  /** Seconds (> 0) to wait for the peer's answer to our close before dropping it. Default 5. */
  closeTimeoutSecs?: number;
  /** Send a ping after this many seconds without input (lws ws_ping_pong_interval); 0 = never. Default 0. */
  pingIntervalSecs?: number;
  /** Drop the connection when a ping is not answered within this many seconds (> 0). Default 10. */
  pongTimeoutSecs?: number;
  /** Server: only these exact Origin values may upgrade (403 otherwise). Default: any origin. */
  allowedOrigins?: readonly string[];
  /**
   * Server: when none of the subprotocols a client offers is a protocol of
   * this vhost, agree to its first one anyway and serve the connection with
   * the vhost's default ws protocol (the first with ws handlers), as a
   * generic echo or benchmark server does. Default false: 400, as lws.
   */
  acceptAnySubprotocol?: boolean;
}

/** ws settings of one protocol; its limits override the vhost's. */
export interface WsProtocolOptions {
  /** 'whole' (default): one receive per message. 'fragments': pieces as they arrive (lws rx_buffer_size style). */
  delivery?: WsDelivery;
  /** Overrides the vhost's maxMessageSize for this protocol. */
  maxMessageSize?: number;
  /** Overrides the vhost's maxFrameSize for this protocol. */
  maxFrameSize?: number;
}

/** Everything a ws connection needs, defaults applied. */
export interface ResolvedWsOptions {
  maxMessageSize: number;
  maxFrameSize: number;
  delivery: WsDelivery;
  deflate: WsDeflateOptions | null;
  closeTimeoutSecs: number;
  pingIntervalSecs: number;
  pongTimeoutSecs: number;
  allowedOrigins: readonly string[] | undefined;
}

export const WS_DEFAULTS = Object.freeze({
  closeTimeoutSecs: 5,
  pingIntervalSecs: 0,
  pongTimeoutSecs: 10,
});

function secs(name: string, v: number | undefined, def: number, min: 'zero' | 'positive' = 'zero'): number {
  if (v === undefined) return def;
  if (!Number.isFinite(v) || v < 0 || (min === 'positive' && v === 0)) {
    const what = min === 'positive' ? 'a finite positive number' : 'a finite non-negative number';
    throw new RangeError(`Cannot use ws option ${name}: ${v} is not ${what}`);
  }
  return v;
}

function size(name: string, v: number | undefined): void {
  if (v !== undefined && (!Number.isSafeInteger(v) || v < 1)) {
    throw new RangeError(`Cannot use ws option ${name}: ${v} is not a positive integer`);
  }
}

/**
 * Check a vhost's ws options up front (RangeError / TypeError), so a bad
 * value fails createContext rather than the first connection.
 *
 * @example
 * ```ts
 * checkWsOptions({ closeTimeoutSecs: -1 }); // RangeError
 * ```
 */
export function checkWsOptions(v: WsVhostOptions): void {
  size('maxMessageSize', v.maxMessageSize);
  size('maxFrameSize', v.maxFrameSize);
  secs('closeTimeoutSecs', v.closeTimeoutSecs, 0, 'positive');
  secs('pingIntervalSecs', v.pingIntervalSecs, 0);
  secs('pongTimeoutSecs', v.pongTimeoutSecs, 0, 'positive');
  if (v.allowedOrigins !== undefined && !Array.isArray(v.allowedOrigins)) {
    throw new TypeError('Cannot use ws option allowedOrigins: it must be an array of origin strings');
  }
  if (v.acceptAnySubprotocol !== undefined && typeof v.acceptAnySubprotocol !== 'boolean') {
    throw new TypeError('Cannot use ws option acceptAnySubprotocol: it must be a boolean');
  }
}

/** The deflate settings asked for, or null when off. */
export function deflateOption(v: boolean | WsDeflateOptions | undefined): WsDeflateOptions | null {
  if (v === undefined || v === false) return null;
  return v === true ? {} : v;
}

/**
 * Resolve the ws options of a connection on `vhost` bound to `protocol`:
 * once per vhost and protocol, frozen and shared by their connections
 * (the vhost's and protocol's `ws` options are read on first use).
 *
 * @example
 * ```ts
 * const o = resolveWsOptions(wsi.vhost, wsi.protocol);
 * o.closeTimeoutSecs; // 5 unless the vhost says otherwise
 * ```
 */
export function resolveWsOptions(vhost: Vhost, protocol: Protocol | undefined): ResolvedWsOptions {
  let byProtocol = resolved.get(vhost);
  if (byProtocol === undefined) resolved.set(vhost, (byProtocol = new Map()));
  let o = byProtocol.get(protocol);
  if (o === undefined) byProtocol.set(protocol, (o = Object.freeze(resolve(vhost, protocol))));
  return o;
}

/** One frozen answer per vhost and protocol, shared by their connections (not one object per connection). */
const resolved = new WeakMap<Vhost, Map<Protocol | undefined, ResolvedWsOptions>>();

function resolve(vhost: Vhost, protocol: Protocol | undefined): ResolvedWsOptions {
  const v = vhost.options.ws ?? {};
  const p = protocol?.ws ?? {};
  return {
    maxMessageSize: p.maxMessageSize ?? v.maxMessageSize ?? WsLimits.defaultMaxMessageSize,
    maxFrameSize: p.maxFrameSize ?? v.maxFrameSize ?? WsLimits.defaultMaxFrameSize,
    delivery: p.delivery ?? 'whole',
    deflate: deflateOption(v.permessageDeflate),
    closeTimeoutSecs: secs('closeTimeoutSecs', v.closeTimeoutSecs, WS_DEFAULTS.closeTimeoutSecs, 'positive'),
    pingIntervalSecs: secs('pingIntervalSecs', v.pingIntervalSecs, WS_DEFAULTS.pingIntervalSecs),
    pongTimeoutSecs: secs('pongTimeoutSecs', v.pongTimeoutSecs, WS_DEFAULTS.pongTimeoutSecs, 'positive'),
    allowedOrigins: v.allowedOrigins,
  };
}
