/*
 * permessage-deflate negotiation (RFC 7692 §5, §7.1): the client's offer, the
 * server's choice among offers, and the client's check of the response.
 * The agreed PerMessageDeflateParams configure PerMessageDeflate.
 */
import { LwsError } from '../../errors.js';
import { DeflateLimits } from './constants.js';
import { formatExtension, type WsExtension } from './extensions.js';

export const PERMESSAGE_DEFLATE = 'permessage-deflate';

/** What both sides agreed, from the wire's point of view (server_* is the server's compressor). */
export interface PerMessageDeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  /** LZ77 window (bits, 8-15) the server compresses with. */
  serverMaxWindowBits: number;
  /** LZ77 window (bits, 8-15) the client compresses with. */
  clientMaxWindowBits: number;
}

/**
 * Negotiation preferences. On a server they are what it asks for in its
 * response; on a client what it offers. Window bits are 8-15.
 */
export interface PerMessageDeflateNegotiation {
  serverNoContextTakeover?: boolean;
  clientNoContextTakeover?: boolean;
  serverMaxWindowBits?: number;
  clientMaxWindowBits?: number;
}

/** Server outcome: the agreed params and the response extension, or why each offer was declined. */
export type PerMessageDeflateAgreement =
  | { ok: true; params: PerMessageDeflateParams; response: WsExtension; header: string }
  | { ok: false; declined: string[] };

interface Parsed {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits?: number;
  clientMaxWindowBits?: number | true;
}

const MAX = DeflateLimits.maxWindowBits;

// RFC 7692 §7.1.2: a decimal 8-15 without leading zeros.
function bits(name: string, value: string): number | string {
  if (/^(?:[89]|1[0-5])$/.test(value)) return Number(value);
  return `parameter "${name}" must be 8-15, received "${value}"`;
}

/** Reads an offer's or a response's params; returns the reason it is invalid as a string. */
function readParams(ext: WsExtension, side: 'offer' | 'response'): Parsed | string {
  const out: Parsed = { serverNoContextTakeover: false, clientNoContextTakeover: false };
  const seen = new Set<string>();
  for (const [name, value] of ext.params) {
    if (seen.has(name)) return `duplicate parameter "${name}"`;
    seen.add(name);
    if (name === 'server_no_context_takeover' || name === 'client_no_context_takeover') {
      if (value !== true) return `parameter "${name}" takes no value, received "${value}"`;
      if (name === 'server_no_context_takeover') out.serverNoContextTakeover = true;
      else out.clientNoContextTakeover = true;
    } else if (name === 'server_max_window_bits' || name === 'client_max_window_bits') {
      const optional = side === 'offer' && name === 'client_max_window_bits';
      if (value === true && !optional) return `parameter "${name}" needs a value`;
      const n = value === true ? true : bits(name, value);
      if (typeof n === 'string') return n;
      if (name === 'server_max_window_bits') out.serverMaxWindowBits = n as number;
      else out.clientMaxWindowBits = n;
    } else {
      return `unknown parameter "${name}"`;
    }
  }
  return out;
}

function checkBits(name: string, value: number | undefined): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < DeflateLimits.minWindowBits || value > MAX) {
    throw new RangeError(`Cannot negotiate permessage-deflate: ${name} must be 8-15, received ${value}`);
  }
}

function accept(offer: Parsed, prefs: PerMessageDeflateNegotiation): PerMessageDeflateAgreement {
  const params: PerMessageDeflateParams = {
    serverNoContextTakeover: offer.serverNoContextTakeover || prefs.serverNoContextTakeover === true,
    // Echoing the client's hint lets us drop its inflate window after each message.
    clientNoContextTakeover: offer.clientNoContextTakeover || prefs.clientNoContextTakeover === true,
    serverMaxWindowBits: Math.min(offer.serverMaxWindowBits ?? MAX, prefs.serverMaxWindowBits ?? MAX),
    clientMaxWindowBits: MAX,
  };
  const response: WsExtension = { name: PERMESSAGE_DEFLATE, params: [] };
  if (params.serverNoContextTakeover) response.params.push(['server_no_context_takeover', true]);
  if (params.clientNoContextTakeover) response.params.push(['client_no_context_takeover', true]);
  if (offer.serverMaxWindowBits !== undefined || params.serverMaxWindowBits < MAX) {
    response.params.push(['server_max_window_bits', String(params.serverMaxWindowBits)]);
  }
  // client_max_window_bits may only be answered when offered (RFC 7692 §7.1.2.2);
  // without it the client compresses with 15 bits, which we can always inflate.
  if (offer.clientMaxWindowBits !== undefined) {
    const offered = offer.clientMaxWindowBits === true ? MAX : offer.clientMaxWindowBits;
    params.clientMaxWindowBits = Math.min(offered, prefs.clientMaxWindowBits ?? MAX);
    if (params.clientMaxWindowBits < MAX) {
      response.params.push(['client_max_window_bits', String(params.clientMaxWindowBits)]);
    }
  }
  return { ok: true, params, response, header: formatExtension(response) };
}

/**
 * Server side: accepts the first acceptable permessage-deflate offer among the
 * client's extensions (RFC 7692 §5.1: offers in the client's preference order).
 * Offers with unknown, duplicate or out-of-range parameters are declined, not
 * errors (§7). Throws RangeError for invalid `prefs` (API misuse).
 *
 * @example
 * ```ts
 * const r = negotiatePerMessageDeflate(parsedOffers, { serverMaxWindowBits: 12 });
 * if (r.ok) headers.push(['sec-websocket-extensions', r.header]);
 * ```
 */
export function negotiatePerMessageDeflate(
  extensions: readonly WsExtension[],
  prefs: PerMessageDeflateNegotiation = {},
): PerMessageDeflateAgreement {
  checkBits('serverMaxWindowBits', prefs.serverMaxWindowBits);
  checkBits('clientMaxWindowBits', prefs.clientMaxWindowBits);
  const declined: string[] = [];
  for (const ext of extensions) {
    if (ext.name !== PERMESSAGE_DEFLATE) continue;
    const offer = readParams(ext, 'offer');
    if (typeof offer === 'string') {
      declined.push(`Cannot accept permessage-deflate offer "${formatExtension(ext)}": ${offer}`);
      continue;
    }
    return accept(offer, prefs);
  }
  return { ok: false, declined };
}

/**
 * Client side: the offer to send. `client_max_window_bits` is always present
 * (with our limit as value when set) so the server may shrink our window.
 *
 * @example
 * ```ts
 * headers.push(['sec-websocket-extensions', formatExtension(perMessageDeflateOffer({}))]);
 * // "permessage-deflate; client_max_window_bits"
 * ```
 */
export function perMessageDeflateOffer(prefs: PerMessageDeflateNegotiation = {}): WsExtension {
  checkBits('serverMaxWindowBits', prefs.serverMaxWindowBits);
  checkBits('clientMaxWindowBits', prefs.clientMaxWindowBits);
  const ext: WsExtension = { name: PERMESSAGE_DEFLATE, params: [] };
  if (prefs.serverNoContextTakeover) ext.params.push(['server_no_context_takeover', true]);
  if (prefs.clientNoContextTakeover) ext.params.push(['client_no_context_takeover', true]);
  if (prefs.serverMaxWindowBits !== undefined) {
    ext.params.push(['server_max_window_bits', String(prefs.serverMaxWindowBits)]);
  }
  const cmwb = prefs.clientMaxWindowBits;
  ext.params.push(['client_max_window_bits', cmwb === undefined ? true : String(cmwb)]);
  return ext;
}

function responseError(reason: string): LwsError {
  return new LwsError('LWS_ERR_WS_HANDSHAKE_EXTENSION', `Cannot accept permessage-deflate response: ${reason}`);
}

/** Checks the response against what we asked for (RFC 7692 §7.1.1, §7.1.2); a string says why it fails. */
function checkAgainstOffer(r: Parsed, prefs: PerMessageDeflateNegotiation): string | null {
  if (prefs.serverNoContextTakeover && !r.serverNoContextTakeover) {
    return 'server_no_context_takeover was requested but not accepted';
  }
  const smwb = prefs.serverMaxWindowBits;
  if (smwb !== undefined && (r.serverMaxWindowBits === undefined || r.serverMaxWindowBits > smwb)) {
    return `server_max_window_bits must be at most ${smwb}, received ${r.serverMaxWindowBits ?? 'none'}`;
  }
  const cmwb = prefs.clientMaxWindowBits;
  if (cmwb !== undefined && typeof r.clientMaxWindowBits === 'number' && r.clientMaxWindowBits > cmwb) {
    return `client_max_window_bits must be at most ${cmwb}, received ${r.clientMaxWindowBits}`;
  }
  return null;
}

/**
 * Client side: validates the server's permessage-deflate response to our
 * offer built from the same `prefs`; any violation fails the connection
 * (RFC 7692 §5.1) with LWS_ERR_WS_HANDSHAKE_EXTENSION. Never throws for wire input.
 *
 * @example
 * ```ts
 * const params = acceptPerMessageDeflate(serverExtension, prefs);
 * if (params instanceof LwsError) return fail(params);
 * ```
 */
export function acceptPerMessageDeflate(
  response: WsExtension,
  prefs: PerMessageDeflateNegotiation = {},
): PerMessageDeflateParams | LwsError {
  const r = readParams(response, 'response');
  if (typeof r === 'string') return responseError(r);
  const problem = checkAgainstOffer(r, prefs);
  if (problem) return responseError(problem);
  const cmwb = r.clientMaxWindowBits;
  return {
    serverNoContextTakeover: r.serverNoContextTakeover,
    clientNoContextTakeover: r.clientNoContextTakeover || prefs.clientNoContextTakeover === true,
    serverMaxWindowBits: r.serverMaxWindowBits ?? MAX,
    clientMaxWindowBits: typeof cmwb === 'number' ? cmwb : (prefs.clientMaxWindowBits ?? MAX),
  };
}
