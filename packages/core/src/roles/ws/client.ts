/*
 * The client side of the ws opening handshake (RFC 6455 §4.1): send the
 * upgrade request, parse the response head with the h1 parser, check the
 * 101 (accept key, subprotocol, extensions, permessage-deflate params) and
 * start the ws role. Any failure reaches clientConnectionError and drops
 * the connection.
 *
 * `info.extra` options: `subprotocol` (string; default `info.protocol`,
 * '' for none), `permessageDeflate` (boolean or WsDeflateOptions; default
 * the vhost's `ws.permessageDeflate`), `headers` (extra [name, value] pairs),
 * `handshakeTimeoutSecs` (default `info.connectTimeoutSecs` or 10).
 */
import { reportConnectionError, type ClientConnectInfo } from '../../context/connect.js';
import { log } from '../../context/log.js';
import type { Sul } from '../../context/sul.js';
import type { Wsi } from '../../context/wsi.js';
import { LwsError } from '../../errors.js';
import { H1Parser, type H1ResponseHead } from '../h1/parser.js';
import { serializeRequestHead } from '../h1/serializer.js';
import type { RoleOps } from '../role.js';
import { formatExtension } from './extensions.js';
import { generateKey, upgradeRequestHeaders, validateUpgradeResponse, type WsUpgradeResponse } from './handshake.js';
import { startWsConnection } from './ops.js';
import { deflateOption, resolveWsOptions, type WsDeflateOptions } from './options.js';
import { acceptPerMessageDeflate, PERMESSAGE_DEFLATE, perMessageDeflateOffer } from './permessage-deflate-negotiation.js';
import { PerMessageDeflate } from './permessage-deflate.js';

/** Largest 101 response head we read (bytes); a bigger one fails the handshake. */
const MAX_RESPONSE_HEAD = 16384;

interface WsClientHandshake {
  key: string;
  protocols: string[];
  deflate: WsDeflateOptions | null;
  parser: H1Parser<'response'>;
  head: H1ResponseHead | undefined;
  timer: Sul;
  done: boolean;
}

function st(wsi: Wsi): WsClientHandshake {
  return wsi.roleData as WsClientHandshake;
}

function fail(wsi: Wsi, err: LwsError): void {
  const s = st(wsi);
  if (s.done) return;
  s.done = true;
  s.timer.dispose();
  reportConnectionError(wsi, err);
  wsi.destroy();
}

function acceptDeflate(s: WsClientHandshake, r: WsUpgradeResponse): PerMessageDeflate | null | LwsError {
  const ext = r.extensions.find((e) => e.name === PERMESSAGE_DEFLATE);
  if (!ext || !s.deflate) return null;
  const params = acceptPerMessageDeflate(ext, s.deflate);
  if (params instanceof LwsError) return params;
  const d = s.deflate;
  return new PerMessageDeflate({ isServer: false, params, threshold: d.threshold, level: d.level, memLevel: d.memLevel });
}

/** The response head is complete and the parser handed over: check it and go ws. */
function upgraded(wsi: Wsi, leftover: Buffer): void {
  const s = st(wsi);
  const head = s.head as H1ResponseHead;
  const extensions = s.deflate ? [PERMESSAGE_DEFLATE] : [];
  const r = validateUpgradeResponse(head.status, head.headers, { key: s.key, protocols: s.protocols, extensions });
  if (r instanceof LwsError) return fail(wsi, r);
  const deflate = acceptDeflate(s, r);
  if (deflate instanceof LwsError) return fail(wsi, deflate);
  s.done = true;
  s.timer.dispose(); // the handshake timer is done with: release its Node timer now
  log.client(`wsi ${wsi.id}: ws client established${r.protocol ? `, subprotocol ${r.protocol}` : ''}${deflate ? ', permessage-deflate' : ''}`);
  const options = resolveWsOptions(wsi.vhost, wsi.protocol);
  startWsConnection(wsi, { isServer: false, options, deflate, subprotocol: r.protocol, leftover });
}

/** The role while the handshake response is awaited. */
const wsClientHandshakeRole: RoleOps = {
  name: 'ws-client-handshake',
  rx(wsi, chunk) {
    const s = st(wsi);
    if (s.done) return;
    const r = s.parser.execute(chunk);
    if (r.kind === 'error') return fail(wsi, r.error);
    if (r.kind === 'upgraded') return upgraded(wsi, chunk.subarray(r.consumed));
    // a final status other than 101 never upgrades: judge it as soon as its head is here
    if (s.head && s.head.status >= 200) upgraded(wsi, Buffer.alloc(0));
  },
  writeable() {},
  write: () => false,
  close(wsi) {
    wsi.destroy();
  },
  closed(wsi, error) {
    const s = st(wsi);
    s.timer.dispose();
    if (s.done) return;
    const why = error ? error.message : 'connection closed during the websocket handshake';
    s.done = true;
    reportConnectionError(wsi, new LwsError('LWS_ERR_CORE_CONNECT', `Cannot connect: ${why}`, {}, error ? { cause: error } : undefined));
  },
};

function option<T>(extra: Record<string, unknown> | undefined, name: string, check: (v: unknown) => boolean, what: string): T | undefined {
  const v = extra?.[name];
  if (v === undefined) return undefined;
  if (!check(v)) throw new TypeError(`Cannot connect ws: extra.${name} must be ${what}`);
  return v as T;
}

function defaultHost(info: ClientConnectInfo): string {
  const defPort = info.ssl ? 443 : 80;
  return info.port === defPort || info.unixSocket ? info.address : `${info.address}:${info.port}`;
}

/**
 * Start the ws client handshake on a freshly connected wsi (registered for
 * `role: 'ws'` in register.ts).
 *
 * @example
 * ```ts
 * context.clientConnect({ address: '127.0.0.1', port, path: '/', protocol: 'lws-minimal-client', role: 'ws' });
 * ```
 */
export function startWsClient(wsi: Wsi, info: ClientConnectInfo): void {
  const extra = info.extra;
  const sub = option<string>(extra, 'subprotocol', (v) => typeof v === 'string', 'a string') ?? info.protocol;
  const pmd = option<boolean | WsDeflateOptions>(extra, 'permessageDeflate', (v) => typeof v === 'boolean' || typeof v === 'object', 'a boolean or options');
  const more = option<[string, string][]>(extra, 'headers', Array.isArray, 'an array of [name, value] pairs') ?? [];
  const timeout = option<number>(extra, 'handshakeTimeoutSecs', (v) => typeof v === 'number' && v > 0, 'a positive number');
  const deflate = deflateOption(pmd ?? wsi.vhost.options.ws?.permessageDeflate);
  const key = generateKey();
  const protocols = sub.split(',').map((t) => t.trim()).filter((t) => t !== '');
  const extensions = deflate ? formatExtension(perMessageDeflateOffer(deflate)) : undefined;
  const headers = upgradeRequestHeaders({ key, protocols, extensions });
  if (info.origin) headers.push(['origin', info.origin]);
  headers.push(...more);
  const request = serializeRequestHead({ method: 'GET', target: info.path ?? '/', host: info.host ?? defaultHost(info), headers });
  const s: WsClientHandshake = {
    key,
    protocols,
    deflate,
    parser: new H1Parser({ kind: 'response', maxHeaderBytes: MAX_RESPONSE_HEAD, maxBodyBytes: MAX_RESPONSE_HEAD }, { onHead: (h) => void (st(wsi).head = h) }),
    head: undefined,
    timer: wsi.owner.sul.create(() => {
      const secs = timeout ?? info.connectTimeoutSecs ?? 10;
      fail(wsi, new LwsError('LWS_ERR_CORE_TIMEOUT', `Cannot complete websocket handshake: no response within ${secs} s`));
    }),
    done: false,
  };
  s.parser.expectResponse('GET');
  wsi.setRole(wsClientHandshakeRole, s);
  s.timer.schedule((timeout ?? info.connectTimeoutSecs ?? 10) * 1000);
  wsi.transport.write(request);
}
