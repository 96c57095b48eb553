/*
 * The ws opening handshake over HTTP/1.1 (RFC 6455 §4): Sec-WebSocket-Accept,
 * the server's check of an upgrade request and its 101 headers, subprotocol
 * choice, and the client's key, request headers and check of the response.
 * Pure functions; headers are `[lower-case name, value]` pairs.
 */
import { createHash, randomBytes } from 'node:crypto';
import { LwsError, type LwsErrorCode } from '../../errors.js';
import { WS_GUID, WS_VERSION } from './constants.js';
import { parseExtensions, type WsExtension } from './extensions.js';

/** Header pairs, names lower-case; a name may repeat. */
export type WsHeaders = readonly (readonly [string, string])[];

/** A valid upgrade request, as the server needs it. */
export interface WsUpgradeRequest {
  key: string;
  /** Sec-WebSocket-Protocol names in the client's order. */
  protocols: string[];
  /** Parsed Sec-WebSocket-Extensions offers in the client's order. */
  extensions: WsExtension[];
  origin: string | undefined;
}

/** Server outcome: the request, or the HTTP status and extra headers to answer with. */
export type WsUpgradeRequestResult =
  | { ok: true; request: WsUpgradeRequest }
  | { ok: false; error: LwsError; status: number; headers: [string, string][] };

/** The server's accepted response, as the client needs it. */
export interface WsUpgradeResponse {
  protocol: string | undefined;
  extensions: WsExtension[];
}

const KEY = /^[+/0-9A-Za-z]{22}==$/;

/**
 * Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 §1.3, §4.2.2).
 *
 * @example
 * ```ts
 * computeAccept('dGhlIHNhbXBsZSBub25jZQ=='); // 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='
 * ```
 */
export function computeAccept(key: string): string {
  return createHash('sha1').update(key + WS_GUID).digest('base64');
}

/** A fresh Sec-WebSocket-Key: base64 of 16 random bytes (RFC 6455 §4.1). */
export function generateKey(): string {
  return randomBytes(16).toString('base64');
}

function values(headers: WsHeaders, name: string): string[] {
  const out: string[] = [];
  for (const [n, v] of headers) if (n === name) out.push(v.trim());
  return out;
}

/** The trimmed value of a header that must appear once: undefined when absent, null when repeated. */
function once(headers: WsHeaders, name: string): string | undefined | null {
  let found: string | undefined;
  for (const [n, v] of headers) {
    if (n !== name) continue;
    if (found !== undefined) return null;
    found = v.trim();
  }
  return found;
}

/** A comma-separated list header, all its lines, elements trimmed, empties dropped. */
function list(headers: WsHeaders, name: string): string[] {
  const out: string[] = [];
  for (const [n, v] of headers) {
    if (n !== name) continue;
    for (const part of v.split(',')) {
      const t = part.trim();
      if (t !== '') out.push(t);
    }
  }
  return out;
}

const SP = 0x20;
const HTAB = 0x09;

/**
 * Whether a comma-separated list header has `token` (lower-case ASCII) as an
 * element, compared ASCII case-insensitively with optional whitespace around
 * it (RFC 9110 §5.6.1). Scans in place: every upgrade request asks twice.
 */
function hasToken(headers: WsHeaders, name: string, token: string): boolean {
  for (const [n, v] of headers) {
    if (n !== name) continue;
    let from = 0;
    while (from <= v.length) {
      let end = v.indexOf(',', from);
      if (end === -1) end = v.length;
      let a = from;
      let b = end;
      while (a < b && (v.charCodeAt(a) === SP || v.charCodeAt(a) === HTAB)) a++;
      while (b > a && (v.charCodeAt(b - 1) === SP || v.charCodeAt(b - 1) === HTAB)) b--;
      if (b - a === token.length && asciiLowerEquals(v, a, token)) return true;
      from = end + 1;
    }
  }
  return false;
}

/** v[at..] equals `lower` (lower-case ASCII) when A-Z in v are taken as a-z. */
function asciiLowerEquals(v: string, at: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    let c = v.charCodeAt(at + i);
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

function shown(headers: WsHeaders, name: string): string {
  const v = values(headers, name);
  return v.length === 0 ? 'missing' : `"${v.join(', ')}"`;
}

function reject(code: LwsErrorCode, detail: string, status = 400, headers: [string, string][] = []): WsUpgradeRequestResult {
  const error = new LwsError(code, `Cannot upgrade to websocket: ${detail}`, { status });
  return { ok: false, error, status, headers };
}

/**
 * Server side: checks an HTTP/1.1 upgrade request (RFC 6455 §4.2.1): GET,
 * Upgrade: websocket, Connection: upgrade, Sec-WebSocket-Version: 13 (else
 * 426 with `sec-websocket-version: 13`), a key of 16 base64 bytes, and a
 * well-formed Sec-WebSocket-Extensions. Never throws.
 *
 * @example
 * ```ts
 * const r = validateUpgradeRequest(req.method, req.headers);
 * if (!r.ok) return respond(r.status, r.headers);
 * ```
 */
export function validateUpgradeRequest(method: string, headers: WsHeaders): WsUpgradeRequestResult {
  if (method !== 'GET') {
    return reject('LWS_ERR_WS_HANDSHAKE_METHOD', `method is "${method}", expected GET`, 405, [['allow', 'GET']]);
  }
  if (!hasToken(headers, 'upgrade', 'websocket')) {
    return reject('LWS_ERR_WS_HANDSHAKE_UPGRADE', `Upgrade is ${shown(headers, 'upgrade')}, expected "websocket"`);
  }
  if (!hasToken(headers, 'connection', 'upgrade')) {
    return reject('LWS_ERR_WS_HANDSHAKE_CONNECTION', `Connection is ${shown(headers, 'connection')}, expected "upgrade"`);
  }
  const version = once(headers, 'sec-websocket-version');
  if (version !== WS_VERSION) {
    const detail = `Sec-WebSocket-Version is ${shown(headers, 'sec-websocket-version')}, expected ${WS_VERSION}`;
    return reject('LWS_ERR_WS_HANDSHAKE_VERSION', detail, 426, [['sec-websocket-version', WS_VERSION]]);
  }
  const key = once(headers, 'sec-websocket-key');
  if (typeof key !== 'string' || !KEY.test(key)) {
    const detail = `Sec-WebSocket-Key is ${shown(headers, 'sec-websocket-key')}, expected base64 of 16 bytes`;
    return reject('LWS_ERR_WS_HANDSHAKE_KEY', detail);
  }
  const extensions = parseExtensions(values(headers, 'sec-websocket-extensions').join(', '));
  if (extensions instanceof LwsError) return { ok: false, error: extensions, status: 400, headers: [] };
  let origin: string | undefined;
  for (const [n, v] of headers) {
    if (n === 'origin') {
      origin = v.trim();
      break;
    }
  }
  return { ok: true, request: { key, protocols: list(headers, 'sec-websocket-protocol'), extensions, origin } };
}

/**
 * Picks the subprotocol: the first name in the client's list (its preference
 * order, RFC 6455 §4.1) that the server supports, compared exactly as lws
 * does. No list: `protocol` undefined (the vhost's default protocol). A list
 * with no supported name: 400 LWS_ERR_WS_HANDSHAKE_PROTOCOL.
 *
 * @example
 * ```ts
 * selectSubprotocol(['chat', 'superchat'], ['superchat', 'chat']); // { ok: true, protocol: 'chat' }
 * ```
 */
export function selectSubprotocol(
  offered: readonly string[],
  supported: readonly string[],
): { ok: true; protocol: string | undefined } | { ok: false; error: LwsError; status: number } {
  if (offered.length === 0) return { ok: true, protocol: undefined };
  const protocol = offered.find((name) => supported.includes(name));
  if (protocol !== undefined) return { ok: true, protocol };
  const detail = `none of the subprotocols "${offered.join(', ')}" is supported`;
  const error = new LwsError('LWS_ERR_WS_HANDSHAKE_PROTOCOL', `Cannot upgrade to websocket: ${detail}`, { status: 400 });
  return { ok: false, error, status: 400 };
}

/** The 101 response headers for an accepted upgrade. `extensions` is a formatted header value. */
export function upgradeResponseHeaders(
  key: string,
  options: { protocol?: string | undefined; extensions?: string | undefined } = {},
): [string, string][] {
  const out: [string, string][] = [
    ['upgrade', 'websocket'],
    ['connection', 'Upgrade'],
    ['sec-websocket-accept', computeAccept(key)],
  ];
  if (options.protocol !== undefined) out.push(['sec-websocket-protocol', options.protocol]);
  if (options.extensions) out.push(['sec-websocket-extensions', options.extensions]);
  return out;
}

/** Client side: the upgrade request headers besides Host (and Origin, if wanted). */
export function upgradeRequestHeaders(options: {
  key: string;
  protocols?: readonly string[] | undefined;
  extensions?: string | undefined;
}): [string, string][] {
  const out: [string, string][] = [
    ['upgrade', 'websocket'],
    ['connection', 'Upgrade'],
    ['sec-websocket-key', options.key],
    ['sec-websocket-version', WS_VERSION],
  ];
  if (options.protocols && options.protocols.length > 0) {
    out.push(['sec-websocket-protocol', options.protocols.join(', ')]);
  }
  if (options.extensions) out.push(['sec-websocket-extensions', options.extensions]);
  return out;
}

function fail(code: LwsErrorCode, detail: string): LwsError {
  return new LwsError(code, `Cannot complete websocket handshake: ${detail}`);
}

function checkExtensions(headers: WsHeaders, offered: readonly string[]): WsExtension[] | LwsError {
  const parsed = parseExtensions(values(headers, 'sec-websocket-extensions').join(', '));
  if (parsed instanceof LwsError) return new LwsError(parsed.code, parsed.message);
  const seen = new Set<string>();
  for (const ext of parsed) {
    if (!offered.includes(ext.name)) {
      return fail('LWS_ERR_WS_HANDSHAKE_EXTENSION', `the server accepted extension "${ext.name}", which was not offered`);
    }
    if (seen.has(ext.name)) {
      return fail('LWS_ERR_WS_HANDSHAKE_EXTENSION', `the server accepted extension "${ext.name}" twice`);
    }
    seen.add(ext.name);
  }
  return parsed;
}

/**
 * Client side: checks the server's response (RFC 6455 §4.1 steps 1-6): status
 * 101, Upgrade, Connection, Sec-WebSocket-Accept for our key, a subprotocol we
 * offered, and only extensions we offered (their parameters are for the
 * extension to check, e.g. acceptPerMessageDeflate). Never throws; errors
 * carry no wire consequence (the client just drops the connection).
 */
export function validateUpgradeResponse(
  status: number,
  headers: WsHeaders,
  expect: { key: string; protocols?: readonly string[]; extensions?: readonly string[] },
): WsUpgradeResponse | LwsError {
  if (status !== 101) return fail('LWS_ERR_WS_HANDSHAKE_STATUS', `status is ${status}, expected 101`);
  if (!hasToken(headers, 'upgrade', 'websocket')) {
    return fail('LWS_ERR_WS_HANDSHAKE_UPGRADE', `Upgrade is ${shown(headers, 'upgrade')}, expected "websocket"`);
  }
  if (!hasToken(headers, 'connection', 'upgrade')) {
    return fail('LWS_ERR_WS_HANDSHAKE_CONNECTION', `Connection is ${shown(headers, 'connection')}, expected "upgrade"`);
  }
  const accept = values(headers, 'sec-websocket-accept');
  const wanted = computeAccept(expect.key);
  if (accept.length !== 1 || accept[0] !== wanted) {
    return fail('LWS_ERR_WS_HANDSHAKE_ACCEPT', `Sec-WebSocket-Accept is ${shown(headers, 'sec-websocket-accept')}, expected "${wanted}"`);
  }
  const protocols = values(headers, 'sec-websocket-protocol');
  const protocol = protocols[0];
  if (protocols.length > 1 || (protocol !== undefined && !(expect.protocols ?? []).includes(protocol))) {
    return fail('LWS_ERR_WS_HANDSHAKE_PROTOCOL', `the server chose subprotocol ${shown(headers, 'sec-websocket-protocol')}, which was not offered`);
  }
  const extensions = checkExtensions(headers, expect.extensions ?? []);
  if (extensions instanceof LwsError) return extensions;
  return { protocol, extensions };
}
