/*
 * The server side of the ws opening handshake (RFC 6455 §4.2) on an h1
 * connection: validate the request, pick the protocol by subprotocol, let
 * the protocol and the Origin allow-list veto it, negotiate
 * permessage-deflate (RFC 7692), answer 101 and start the ws role.
 * Refusals are http answers (400, 403, 405, 426), then the connection closes.
 */
import { log, logEnabled, LogLevel } from '../../context/log.js';
import type { Protocol } from '../../context/protocol.js';
import type { Wsi } from '../../context/wsi.js';
import { LwsError } from '../../errors.js';
import type { HttpRequest } from '../../http/request.js';
import { serializeResponseHead } from '../h1/serializer.js';
import type { UpgradeDecision } from '../upgrade.js';
import { selectSubprotocol, upgradeResponseHeaders, validateUpgradeRequest, type WsUpgradeRequest } from './handshake.js';
import { startWsConnection } from './ops.js';
import { resolveWsOptions, type ResolvedWsOptions } from './options.js';
import { negotiatePerMessageDeflate } from './permessage-deflate-negotiation.js';
import { PerMessageDeflate } from './permessage-deflate.js';

/** Does the protocol handle ws connections at all (lws: the default ws protocol needs ws callbacks)? */
function hasWsHandlers(p: Protocol): boolean {
  return !!(p.established || p.receive || p.serverWriteable || p.closed || p.receivePong);
}

/** Answer the upgrade request with an http error and close after it. */
function refuse(wsi: Wsi, err: LwsError, headers: [string, string][] = []): UpgradeDecision {
  const status = err.wire.status ?? 400;
  log.info(`wsi ${wsi.id}: ws upgrade refused with ${status}: ${err.message}`);
  const body = Buffer.from(`${err.message}\n`);
  wsi.respond({ status, headers, contentType: 'text/plain; charset=utf-8', contentLength: body.length });
  wsi.write(body, 'http-final');
  wsi.close(); // h1 closes once the answer is out: the client asked for something else
  return { kind: 'responded' };
}

function checkOrigin(req: WsUpgradeRequest, o: ResolvedWsOptions): LwsError | null {
  if (!o.allowedOrigins || (req.origin !== undefined && o.allowedOrigins.includes(req.origin))) return null;
  const seen = req.origin === undefined ? 'missing' : `"${req.origin}"`;
  return new LwsError('LWS_ERR_WS_HANDSHAKE_ORIGIN', `Cannot upgrade to websocket: Origin is ${seen}, not an allowed origin`, { status: 403 });
}

function pickProtocol(wsi: Wsi, offered: string[]): { protocol: Protocol; subprotocol: string | undefined } | LwsError {
  const vhost = wsi.vhost;
  const sel = selectSubprotocol(offered, vhost.protocols.map((p) => p.name));
  if (!sel.ok) {
    const fallback = vhost.options.ws?.acceptAnySubprotocol ? vhost.protocols.find(hasWsHandlers) : undefined;
    if (!fallback) return sel.error;
    return { protocol: fallback, subprotocol: offered[0] };
  }
  const protocol = sel.protocol !== undefined ? vhost.protocol(sel.protocol) : vhost.protocols.find(hasWsHandlers);
  if (!protocol) {
    return new LwsError('LWS_ERR_WS_HANDSHAKE_PROTOCOL', `Cannot upgrade to websocket: vhost "${vhost.name}" has no ws protocol`, { status: 400 });
  }
  return { protocol, subprotocol: sel.protocol };
}

/** Run the protocol's filterProtocolConnection; false or a throw refuses the upgrade. */
function filter(wsi: Wsi, p: Protocol, req: HttpRequest): LwsError | null {
  if (!p.filterProtocolConnection) return null;
  try {
    if (p.filterProtocolConnection(wsi, wsi.pss, req) !== false) return null;
  } catch (cause) {
    return new LwsError('LWS_ERR_CORE_HANDLER_THREW', `Cannot upgrade to websocket: filterProtocolConnection threw: ${String(cause)}`, { status: 500 }, { cause });
  }
  return new LwsError('LWS_ERR_WS_HANDSHAKE_REFUSED', `Cannot upgrade to websocket: protocol "${p.name}" refused the connection`, { status: 403 });
}

function negotiateDeflate(wsi: Wsi, req: WsUpgradeRequest, o: ResolvedWsOptions): { header: string | undefined; deflate: PerMessageDeflate | null } {
  const d = o.deflate;
  if (!d) return { header: undefined, deflate: null };
  const r = negotiatePerMessageDeflate(req.extensions, d);
  if (!r.ok) {
    for (const why of r.declined) log.info(`wsi ${wsi.id}: ${why}`);
    return { header: undefined, deflate: null };
  }
  const deflate = new PerMessageDeflate({ isServer: true, params: r.params, threshold: d.threshold, level: d.level, memLevel: d.memLevel });
  return { header: r.header, deflate };
}

/**
 * The `websocket` upgrade handler for h1 servers (registered in register.ts).
 *
 * @example
 * ```ts
 * registerUpgrade('websocket', wsServerUpgrade);
 * ```
 */
export function wsServerUpgrade(wsi: Wsi, req: HttpRequest): UpgradeDecision {
  const v = validateUpgradeRequest(req.method, req.headers);
  if (!v.ok) return refuse(wsi, v.error, v.headers);
  const picked = pickProtocol(wsi, v.request.protocols);
  if (picked instanceof LwsError) return refuse(wsi, picked);
  const options = resolveWsOptions(wsi.vhost, picked.protocol);
  const originError = checkOrigin(v.request, options);
  if (originError) return refuse(wsi, originError);
  wsi.bindProtocol(picked.protocol);
  const vetoed = filter(wsi, picked.protocol, req);
  if (vetoed) return refuse(wsi, vetoed);
  const { header, deflate } = negotiateDeflate(wsi, v.request, options);
  const key = v.request.key;
  return {
    kind: 'accept',
    start: (leftover) => {
      const headers = upgradeResponseHeaders(key, { protocol: picked.subprotocol, extensions: header });
      wsi.transport.write(serializeResponseHead({ status: 101, headers }));
      if (logEnabled(LogLevel.INFO)) log.info(`wsi ${wsi.id}: ws established, protocol ${picked.protocol.name}${deflate ? ', permessage-deflate' : ''}`);
      startWsConnection(wsi, { isServer: true, options, deflate, subprotocol: picked.subprotocol, leftover });
    },
  };
}
