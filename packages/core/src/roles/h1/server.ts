/*
 * The h1 server role: runs the request parser over a connection, routes
 * each request to a mount (file, callback protocol, redirect), writes the
 * response framing (content-length, chunked, close-delimited), keeps
 * connections alive, answers pipelined requests in order, and turns parser
 * failures into a clean error response and a closed connection.
 */
import { selectVhost } from '../../context/listen.js';
import { log } from '../../context/log.js';
import type { Vhost } from '../../context/vhost.js';
import { TimeoutReason, type Wsi } from '../../context/wsi.js';
import type { LwsError } from '../../errors.js';
import { matchMount } from '../../http/mount.js';
import { makeHttpRequest, type HttpRequest } from '../../http/request.js';
import type { HttpResponseHead } from '../../http/response.js';
import { sendError, sendRedirect, serveFileMount } from '../../http/static-file.js';
import type { RoleOps, WriteKind } from '../role.js';
import { findUpgrade } from '../upgrade.js';
import { H1Parser, type H1RequestHead } from './parser.js';
import { H1ResponseFramer } from './response-framer.js';

/** Methods a file mount serves. */
const FILE_METHODS = 'GET, HEAD, OPTIONS';

interface H1ServerState {
  vhosts: Vhost[];
  parser: H1Parser<'request'>;
  /** Bytes received but not parsed while the parser waits for a response to finish. */
  pending: Buffer | undefined;
  req: HttpRequest | undefined;
  head: H1RequestHead | undefined;
  /** The request message has been received completely. */
  reqDone: boolean;
  framer: H1ResponseFramer | undefined;
  /** Close once the current response is complete. */
  closeAfter: boolean;
  /** Deliver the request body to the protocol's httpBody handler. */
  bodyToProtocol: boolean;
  /** An accepted upgrade, started with the bytes after the request. */
  upgradeStart: ((leftover: Buffer) => void) | undefined;
  closing: boolean;
}

function st(wsi: Wsi): H1ServerState {
  return wsi.roleData as H1ServerState;
}

function onHead(wsi: Wsi, head: H1RequestHead): void {
  const s = st(wsi);
  if (s.closing) {
    s.parser.pause();
    return;
  }
  s.head = head;
  s.reqDone = false;
  s.framer = undefined;
  s.bodyToProtocol = false;
  if (s.vhosts.length > 1) wsi.vhost = selectVhost(s.vhosts, head.host);
  const req = makeHttpRequest(head.method, head.target, head.version, head.headers);
  s.req = req;
  log.info(`wsi ${wsi.id}: ${head.method} ${head.target} HTTP/${head.version}`);
  if (head.hasBody) wsi.setTimeout(TimeoutReason.HttpBody, wsi.vhost.limits.bodyTimeoutSecs);
  else wsi.setTimeout(TimeoutReason.HttpHeaders, 0);
  if (head.upgrade && tryUpgrade(wsi, req, head.upgrade)) return;
  dispatch(wsi, req);
}

/** Offer the request to the role registered for its Upgrade token; true if it took it. */
function tryUpgrade(wsi: Wsi, req: HttpRequest, upgrade: string): boolean {
  const h = findUpgrade(upgrade);
  if (!h) return false;
  const decision = h(wsi, req);
  if (decision.kind === 'decline') return false;
  if (decision.kind === 'accept') {
    const s = st(wsi);
    s.upgradeStart = decision.start;
    s.parser.acceptUpgrade();
  }
  return true;
}

function dispatch(wsi: Wsi, req: HttpRequest): void {
  const m = matchMount(wsi.vhost.mounts, req.path);
  if (req.target === '*') {
    if (req.method === 'OPTIONS') return void emptyResponse(wsi, 204, [['allow', FILE_METHODS]]);
    return void sendError(wsi, req, 400);
  }
  if (!m) return void sendError(wsi, req, 404);
  req.pathInMount = m.rest;
  const mount = m.mount;
  if (m.redirectToSlash) {
    return sendRedirect(wsi, 301, `${req.path}/${req.query ? `?${req.query}` : ''}`);
  }
  if (mount.kind === 'redirect') {
    return sendRedirect(wsi, mount.status ?? 301, mount.location + (m.rest === '/' ? '' : m.rest.slice(1)));
  }
  if (mount.kind === 'callback') {
    const p = wsi.vhost.protocol(mount.protocol);
    if (!p?.http) return void sendError(wsi, req, 404);
    wsi.bindProtocol(p);
    st(wsi).bodyToProtocol = true;
    wsi.invoke(() => p.http?.(wsi, wsi.pss, req));
    return;
  }
  if (req.method === 'OPTIONS') return void emptyResponse(wsi, 204, [['allow', FILE_METHODS]]);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return void sendError(wsi, req, 405, [['allow', FILE_METHODS]]);
  }
  serveFileMount(wsi, req, mount, m.rest).catch((err: unknown) => {
    log.err(`wsi ${wsi.id}: serving ${req.path} failed: ${String(err)}`);
    if (!st(wsi).framer) void sendError(wsi, req, 500);
    else wsi.destroy();
  });
}

function emptyResponse(wsi: Wsi, status: number, headers: [string, string][]): void {
  wsi.respond({ status, headers, contentLength: 0 });
  wsi.write(Buffer.alloc(0), 'http-final');
}

/** The parser failed: answer with its status (when nothing was sent yet) and close. */
function onParseError(wsi: Wsi, err: LwsError): void {
  const s = st(wsi);
  log.info(`wsi ${wsi.id}: bad request from ${wsi.transport.remoteAddress ?? 'peer'}: ${err.message}`);
  s.closeAfter = true;
  s.reqDone = true; // nothing more will be read from this connection
  if (s.framer) {
    // mid-response: the request framing is broken, so is the connection
    wsi.destroy();
    return;
  }
  const status = err.wire.status ?? 400;
  const req = s.req ?? makeHttpRequest('GET', '/', '1.1', []);
  void sendError(wsi, req, status);
}

/** Feed bytes to the parser; keep what a paused parser did not take. */
function feed(wsi: Wsi, chunk: Buffer): void {
  const s = st(wsi);
  if (s.closing) return;
  const r = s.parser.execute(chunk);
  if (r.kind === 'error') return onParseError(wsi, r.error);
  if (r.kind === 'upgraded') {
    const start = s.upgradeStart;
    s.upgradeStart = undefined;
    s.closing = true; // h1 is done with this connection
    wsi.setTimeout(TimeoutReason.HttpHeaders, 0);
    start?.(chunk.subarray(r.consumed));
    return;
  }
  if (r.consumed < chunk.length) {
    s.pending = chunk.subarray(r.consumed);
    // stop reading until the current response is done: the pending bytes bound what we hold
    wsi.transport.pauseRead();
  }
}

/** The response and the request are both complete: next request, or close. */
function transactionDone(wsi: Wsi): void {
  const s = st(wsi);
  if (!s.reqDone || !s.framer?.done) return;
  const keep = !s.closeAfter && !s.closing && (s.head?.keepAlive ?? false) && s.framer.keepAlive;
  s.framer = undefined;
  s.req = undefined;
  s.head = undefined;
  if (!keep) {
    s.closing = true;
    wsi.transport.end();
    return;
  }
  wsi.setTimeout(TimeoutReason.HttpKeepaliveIdle, wsi.vhost.limits.keepAliveTimeoutSecs);
  s.parser.resume();
  const pending = s.pending;
  s.pending = undefined;
  if (!wsi.rxPaused) wsi.transport.resumeRead();
  if (pending) setImmediate(() => !wsi.closed && feed(wsi, pending));
}

export const h1ServerRole: RoleOps = {
  name: 'h1',

  rx(wsi, chunk) {
    const s = st(wsi);
    if (!s.head && wsi.timeoutReason === TimeoutReason.HttpKeepaliveIdle) {
      wsi.setTimeout(TimeoutReason.HttpHeaders, wsi.vhost.limits.headersTimeoutSecs);
    }
    feed(wsi, chunk);
  },

  writeable(wsi) {
    const s = st(wsi);
    s.framer?.flushHead(wsi.transport);
    if (wsi.httpProducer) return wsi.httpProducer.writeable();
    const p = wsi.protocol;
    if (p?.httpWriteable) p.httpWriteable(wsi, wsi.pss);
  },

  respond(wsi, head: HttpResponseHead) {
    const s = st(wsi);
    if (s.framer) {
      log.err(`wsi ${wsi.id}: respond() called twice for one request`);
      return false;
    }
    if (!s.reqDone) s.closeAfter = true; // answering before the body arrived: don't trust the rest
    const reqHead = s.head;
    s.framer = new H1ResponseFramer({
      head,
      requestMethod: reqHead?.method ?? 'GET',
      requestVersion: reqHead?.version ?? '1.1',
      keepAlive: (reqHead?.keepAlive ?? false) && !s.closeAfter && !s.closing,
      extraHeaders: head.noExtraHeaders ? [] : wsi.vhost.headers,
    });
    queueMicrotask(() => s.framer?.flushHead(wsi.transport));
    return true;
  },

  write(wsi, data: Uint8Array, kind: WriteKind) {
    const s = st(wsi);
    if (kind !== 'http' && kind !== 'http-final') {
      log.err(`wsi ${wsi.id}: cannot write ${kind} on an http connection`);
      return false;
    }
    if (!s.framer) {
      log.err(`wsi ${wsi.id}: write before respond()`);
      return false;
    }
    const r = s.framer.write(wsi.transport, data, kind === 'http-final');
    if (r === 'overrun') {
      log.err(`wsi ${wsi.id}: response body is longer than its content-length`);
      wsi.destroy();
      return false;
    }
    if (r === 'short') {
      log.err(`wsi ${wsi.id}: response body ended short of its content-length`);
      wsi.destroy();
      return false;
    }
    if (s.framer.done) {
      if (s.framer.closeDelimited) s.closeAfter = true;
      transactionDone(wsi);
    }
    return true;
  },

  close(wsi) {
    const s = st(wsi);
    if (s.framer && !s.framer.done) {
      s.closeAfter = true; // let the response finish, then close
      return;
    }
    s.closing = true;
    wsi.transport.end();
  },

  peerEnded(wsi) {
    const s = st(wsi);
    if (s.framer && !s.framer.done) s.closeAfter = true;
    else {
      s.closing = true;
      wsi.transport.end();
    }
  },

  closed(wsi) {
    const s = st(wsi);
    const p = wsi.protocol;
    if (s.bodyToProtocol && p?.closedHttp) wsi.invoke(() => p.closedHttp?.(wsi, wsi.pss));
  },
};

/** Start serving http/1.1 on a freshly adopted wsi. */
export function startH1Server(wsi: Wsi, vhosts: Vhost[]): void {
  const limits = wsi.vhost.limits;
  const state: H1ServerState = {
    vhosts,
    parser: new H1Parser<'request'>(
      {
        kind: 'request',
        maxStartLine: limits.maxRequestLine,
        maxHeaderBytes: limits.maxHeaderBytes,
        maxHeaders: limits.maxHeaders,
        maxBodyBytes: limits.maxBodyBytes,
      },
      {
        onHead: (head: H1RequestHead) => onHead(wsi, head),
        onBody: (chunk: Uint8Array) => {
          const s = st(wsi);
          wsi.setTimeout(TimeoutReason.HttpBody, wsi.vhost.limits.bodyTimeoutSecs);
          const p = wsi.protocol;
          if (s.bodyToProtocol && p?.httpBody) wsi.invoke(() => p.httpBody?.(wsi, wsi.pss, Buffer.from(chunk)));
        },
        onComplete: () => {
          const s = st(wsi);
          s.reqDone = true;
          wsi.setTimeout(TimeoutReason.HttpBody, 0);
          if (s.upgradeStart) return; // execute() returns 'upgraded' next
          s.parser.pause(); // pipelined requests wait for this response
          const p = wsi.protocol;
          if (s.bodyToProtocol && p?.httpBodyCompletion) wsi.invoke(() => p.httpBodyCompletion?.(wsi, wsi.pss));
          transactionDone(wsi);
        },
      },
    ),
    pending: undefined,
    req: undefined,
    head: undefined,
    reqDone: false,
    framer: undefined,
    closeAfter: false,
    bodyToProtocol: false,
    upgradeStart: undefined,
    closing: false,
  };
  wsi.setRole(h1ServerRole, state);
  wsi.setTimeout(TimeoutReason.HttpHeaders, limits.headersTimeoutSecs);
}
