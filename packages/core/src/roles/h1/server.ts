/*
 * The h1 server role: runs the request parser over a connection, routes
 * each request to a mount (file, callback protocol, redirect), writes the
 * response framing (content-length, chunked, close-delimited), keeps
 * connections alive, answers pipelined requests in order, and turns parser
 * failures into a clean error response and a closed connection.
 *
 * Pipelining: the answers to the requests found in one read go out
 * together, the first at once and the rest corked into one writev (up to
 * PIPELINE_BATCH_BYTES). Once answers wait in the transport past its
 * high-water mark (a peer that sends without reading), no further request
 * is parsed until they drain (a read that arrives meanwhile is kept and
 * reading pauses); the wait is bounded by sendTimeoutSecs. What the server
 * holds for one connection is thus a read or two of requests plus about one
 * batch of answers.
 */
import { selectVhost } from '../../context/listen.js';
import { log, logEnabled, LogLevel } from '../../context/log.js';
import type { Protocol } from '../../context/protocol.js';
import type { ResolvedHttpLimits, Vhost } from '../../context/vhost.js';
import { TimeoutReason, type Wsi } from '../../context/wsi.js';
import type { LwsError } from '../../errors.js';
import { makeHttpRequest, type HttpRequest } from '../../http/request.js';
import type { HeaderList, HttpResponseHead } from '../../http/response.js';
import { sendError } from '../../http/static-file.js';
import type { RoleOps, WriteKind } from '../role.js';
import { findUpgrade } from '../upgrade.js';
import { H1Parser, type H1Handlers, type H1ParserOptions, type H1RequestHead } from './parser.js';
import { H1ResponseFramer, NO_HEADERS } from './response-framer.js';
import { dispatch, unmetExpectation, type DispatchHooks } from './server-dispatch.js';

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
  /** Extra headers of the matched mount. */
  mountHeaders: HeaderList | undefined;
  /** An accepted upgrade, started with the bytes after the request. */
  upgradeStart: ((leftover: Buffer) => void) | undefined;
  /** The protocol whose pss belongs to a finished transaction, to release before the next. */
  stalePss: Protocol | undefined;
  closing: boolean;
  /** Send a response head that no body write took along (queued as a microtask by respond or onHead; made on first use). */
  flushHead: (() => void) | undefined;
  /** Routing of a request head is running: a head it leaves unsent is flushed when it returns. */
  dispatching: boolean;
  /** releaseStalePss for this connection (queued as a microtask; made on first use). */
  releasePss: (() => void) | undefined;
  hooks: H1Hooks;
  /** Request heads parsed in the current feed, -1 outside one (a second one corks the transport). */
  feedHeads: number;
  /** This feed corked the transport: uncork when it returns. */
  corked: boolean;
  /** A response ended while the peer was not reading: the next pipelined request waits for drain. */
  drainWait: boolean;
}

/** Answers to pipelined requests of one read are sent together up to this many bytes. */
const PIPELINE_BATCH_BYTES = 64 * 1024;
const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');
const EMPTY = Buffer.alloc(0);

/** Request parser options per vhost limits: one frozen object, not one per connection. */
const parserOptionsOf = new WeakMap<ResolvedHttpLimits, H1ParserOptions<'request'>>();

function parserOptions(limits: ResolvedHttpLimits): H1ParserOptions<'request'> {
  let o = parserOptionsOf.get(limits);
  if (o === undefined) {
    o = Object.freeze({
      kind: 'request',
      maxStartLine: limits.maxRequestLine,
      maxHeaderBytes: limits.maxHeaderBytes,
      maxHeaders: limits.maxHeaders,
      maxBodyBytes: limits.maxBodyBytes,
    } as const);
    parserOptionsOf.set(limits, o);
  }
  return o;
}

function st(wsi: Wsi): H1ServerState {
  return wsi.roleData as H1ServerState;
}

/**
 * What dispatch may ask of this connection, and the request parser's events
 * (it is the parser's handlers): one object per connection, no closures.
 */
class H1Hooks implements DispatchHooks, H1Handlers<'request'> {
  readonly #wsi: Wsi;

  constructor(wsi: Wsi) {
    this.#wsi = wsi;
  }

  bodyToProtocol(): void {
    st(this.#wsi).bodyToProtocol = true;
  }

  sendContinue(): void {
    const s = st(this.#wsi);
    const head = s.head;
    if (!head?.expectContinue || !head.hasBody || s.framer || s.reqDone || s.closing) return;
    this.#wsi.transport.write(CONTINUE);
  }

  mountHeaders(h: HeaderList | undefined): void {
    st(this.#wsi).mountHeaders = h;
  }

  pause(): void {
    st(this.#wsi).parser.pause();
  }

  resume(): void {
    const s = st(this.#wsi);
    if (s.closing || this.#wsi.closed) return;
    s.pending ??= EMPTY; // a request without body completes on this empty feed
    resumeParsing(this.#wsi);
  }

  onHead(head: H1RequestHead): void {
    onHead(this.#wsi, head);
  }

  onBody(chunk: Uint8Array): void {
    const wsi = this.#wsi;
    const s = st(wsi);
    wsi.setTimeout(TimeoutReason.HttpBody, wsi.vhost.limits.bodyTimeoutSecs);
    const p = wsi.protocol;
    if (s.bodyToProtocol && p?.httpBody) wsi.invoke(() => p.httpBody?.(wsi, wsi.pss, Buffer.from(chunk)));
  }

  onComplete(): void {
    const wsi = this.#wsi;
    const s = st(wsi);
    s.reqDone = true;
    wsi.setTimeout(TimeoutReason.HttpBody, 0);
    if (s.upgradeStart) return; // execute() returns 'upgraded' next
    s.parser.pause(); // pipelined requests wait for this response
    const p = wsi.protocol;
    if (s.bodyToProtocol && p?.httpBodyCompletion) wsi.invoke(() => p.httpBodyCompletion?.(wsi, wsi.pss));
    transactionDone(wsi, true);
  }
}

function onHead(wsi: Wsi, head: H1RequestHead): void {
  const s = st(wsi);
  if (s.closing) {
    s.parser.pause();
    return;
  }
  releaseStalePss(wsi, s);
  // pipelined: the answers to the second and later requests of one read go out in one writev
  if (++s.feedHeads === 2 && wsi.transport.cork) {
    wsi.transport.cork();
    s.corked = true;
  }
  s.head = head;
  s.reqDone = false;
  s.framer = undefined;
  s.bodyToProtocol = false;
  s.mountHeaders = undefined;
  if (s.vhosts.length > 1) wsi.vhost = selectVhost(s.vhosts, head.host);
  const req = makeHttpRequest(head.method, head.target, head.version, head.headers);
  s.req = req;
  if (logEnabled(LogLevel.DEBUG)) log.debug(`wsi ${wsi.id}: ${head.method} ${head.target} HTTP/${head.version}`);
  if (head.hasBody) wsi.setTimeout(TimeoutReason.HttpBody, wsi.vhost.limits.bodyTimeoutSecs);
  else wsi.setTimeout(TimeoutReason.HttpHeaders, 0);
  const unmet = unmetExpectation(req);
  if (unmet !== undefined) {
    // like any answer sent before the body: the connection closes after it if a body was announced
    log.info(`wsi ${wsi.id}: cannot meet expectation ${JSON.stringify(unmet)}: answering 417`);
    return void sendError(wsi, req, 417);
  }
  if (head.upgrade && tryUpgrade(wsi, req, head.upgrade)) return;
  s.dispatching = true;
  try {
    dispatch(wsi, req, s.hooks);
  } finally {
    s.dispatching = false;
  }
  // a handler that responded and will write later: its head goes out now-ish
  // (dispatch set s.framer; the cast undoes the narrowing from the reset above)
  if ((s.framer as H1ResponseFramer | undefined)?.headPending) queueMicrotask(flushHeadOf(wsi, s));
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

/**
 * Stop serving: flush what is queued, FIN, keep reading (and discarding) so
 * unread request bytes do not turn our close into a reset that could destroy
 * the response in flight, and cut the connection if the peer never closes.
 */
function closeConn(wsi: Wsi): void {
  const s = st(wsi);
  if (wsi.closed || (s.closing && wsi.timeoutReason === TimeoutReason.HttpSend)) return;
  s.closing = true;
  s.pending = undefined;
  wsi.transport.resumeRead();
  wsi.transport.end();
  wsi.setTimeout(TimeoutReason.HttpSend, wsi.vhost.limits.sendTimeoutSecs);
}

/** The parser failed: answer with its status (when nothing was sent yet) and close. */
function onParseError(wsi: Wsi, err: LwsError): void {
  const s = st(wsi);
  log.info(`wsi ${wsi.id}: bad request from ${wsi.transport.remoteAddress ?? 'peer'}: ${err.message}`);
  s.closeAfter = true;
  s.reqDone = true; // nothing more will be read from this connection
  if (s.framer) {
    // mid-response: the request framing is broken; finish the response, read no further
    s.parser.pause();
    if (s.framer.done) closeConn(wsi);
    return;
  }
  const status = err.wire.status ?? 400;
  const req = s.req ?? makeHttpRequest('GET', '/', '1.1', []);
  void sendError(wsi, req, status);
}

/**
 * Feed bytes to the parser; keep what a paused parser did not take.
 * `lent`: the chunk is the transport's read buffer, valid only during this
 * call, so whatever outlives it is copied (the parser itself keeps strings
 * and copies of split lines; body pieces reach handlers as copies).
 */
function feed(wsi: Wsi, chunk: Buffer, lent = false): void {
  const s = st(wsi);
  if (s.closing) return;
  let r: ReturnType<typeof s.parser.execute>;
  s.feedHeads = 0;
  try {
    r = s.parser.execute(chunk);
  } finally {
    s.feedHeads = -1;
    if (s.corked) {
      s.corked = false;
      wsi.transport.uncork?.();
    }
  }
  if (r.kind === 'error') return onParseError(wsi, r.error);
  if (r.kind === 'upgraded') {
    const start = s.upgradeStart;
    s.upgradeStart = undefined;
    s.closing = true; // h1 is done with this connection
    wsi.setTimeout(TimeoutReason.HttpHeaders, 0);
    const rest = chunk.subarray(r.consumed);
    start?.(lent ? Buffer.from(rest) : rest);
    return;
  }
  if (r.consumed < chunk.length) {
    const rest = chunk.subarray(r.consumed);
    s.pending = lent ? Buffer.from(rest) : rest;
    // stop reading until the current response is done: the pending bytes bound what we hold
    wsi.transport.pauseRead();
  }
}

/** One line per answered request at info (lwsws's access log). */
function accessLog(wsi: Wsi, s: H1ServerState): void {
  if (!logEnabled(LogLevel.INFO)) return;
  const h = s.head;
  const line = h ? `${h.method} ${h.target.length > 200 ? `${h.target.slice(0, 200)}…` : h.target} HTTP/${h.version}` : '-';
  log.info(`${wsi.transport.remoteAddress ?? 'unix'} ${wsi.vhost.name} "${line}" ${s.framer?.status ?? 0}`);
}

/**
 * The response and the request are both complete: next request, or close.
 * `fromParser`: called as the request completed, with no handler running.
 */
function transactionDone(wsi: Wsi, fromParser = false): void {
  const s = st(wsi);
  if (!s.framer?.done) return;
  // answered before the body came (413, 405, 401...): the rest of the request is not worth reading
  if (!s.reqDone && s.closeAfter) return closeConn(wsi);
  if (!s.reqDone) return;
  const keep = !s.closeAfter && !s.closing && (s.head?.keepAlive ?? false) && s.framer.keepAlive;
  s.framer = undefined;
  s.req = undefined;
  s.head = undefined;
  if (!keep) return closeConn(wsi);
  dropTransactionPss(wsi, s, fromParser);
  // corked, the high-water mark counts our own batch: its byte bound decides
  if (s.corked ? wsi.transport.bufferedAmount >= PIPELINE_BATCH_BYTES : wsi.transport.needDrain) {
    // the peer is not reading its answers (or one answer was above the high-water mark): parse
    // no further request, whose answer would queue behind them, until they drain, and wait no
    // longer than the send timeout. Bytes that arrive meanwhile stay pending, reading paused.
    s.drainWait = true;
    s.parser.pause();
    wsi.setTimeout(TimeoutReason.HttpSend, wsi.vhost.limits.sendTimeoutSecs);
    wsi.callbackOnWritable();
    return;
  }
  nextRequest(wsi, s);
}

/** Wait for the next request: parse what is pending, else read. */
function nextRequest(wsi: Wsi, s: H1ServerState): void {
  const limits = wsi.vhost.limits;
  if (s.pending) wsi.setTimeout(TimeoutReason.HttpHeaders, limits.headersTimeoutSecs);
  else wsi.setTimeout(TimeoutReason.HttpKeepaliveIdle, limits.keepAliveTimeoutSecs);
  resumeParsing(wsi);
}

/**
 * Release the pss of the transaction that just ended on a kept-alive
 * connection. At once when the request's completion ended it (the handler
 * answered earlier and has returned). Otherwise the handler whose final
 * write ended it may still be running and reading `wsi.pss`: then in a
 * microtask, or when the next request head arrives if that comes first (a
 * pipelined request is parsed in the same pass, once the handler has
 * returned).
 */
function dropTransactionPss(wsi: Wsi, s: H1ServerState, now: boolean): void {
  if (!s.bodyToProtocol) return;
  s.bodyToProtocol = false;
  s.stalePss = wsi.protocol;
  if (now) releaseStalePss(wsi, s);
  else queueMicrotask((s.releasePss ??= () => releaseStalePss(wsi, s)));
}

function flushHeadOf(wsi: Wsi, s: H1ServerState): () => void {
  return (s.flushHead ??= () => s.framer?.flushHead(wsi.transport));
}

function releaseStalePss(wsi: Wsi, s: H1ServerState): void {
  const p = s.stalePss;
  if (!p) return;
  s.stalePss = undefined;
  if (!wsi.closed && wsi.protocol === p) wsi.unbindProtocol();
}

/**
 * Let the parser go on: first the bytes it left unparsed, then the socket.
 * `pending` stays set until it is fed, so bytes that arrive meanwhile queue
 * behind it: reading again before feeding it would reorder pipelined requests.
 */
function resumeParsing(wsi: Wsi): void {
  const s = st(wsi);
  s.parser.resume();
  if (!s.pending) {
    if (!wsi.rxPaused) wsi.transport.resumeRead();
    return;
  }
  setImmediate(() => {
    if (wsi.closed || s.closing) return;
    const pending = s.pending;
    s.pending = undefined;
    if (pending) feed(wsi, pending);
    if (!s.pending && !s.closing && !wsi.rxPaused) wsi.transport.resumeRead();
  });
}

/** Bytes from the transport (`lent`: its read buffer, see feed). */
function rx(wsi: Wsi, chunk: Buffer, lent: boolean): void {
  const s = st(wsi);
  // unparsed bytes are waiting: keep the order (the socket is paused, so this stays small)
  if (s.pending) {
    s.pending = Buffer.concat([s.pending, chunk]);
    return;
  }
  feed(wsi, chunk, lent);
  // a request has begun but its head is not complete: the keep-alive wait becomes the
  // head's (a complete head already set its own timeout; not arming one first saves a
  // clock read per request)
  if (!s.head && !s.closing && !s.parser.idle && wsi.timeoutReason === TimeoutReason.HttpKeepaliveIdle) {
    wsi.setTimeout(TimeoutReason.HttpHeaders, wsi.vhost.limits.headersTimeoutSecs);
  }
}

export const h1ServerRole: RoleOps = {
  name: 'h1',

  rx(wsi, chunk) {
    rx(wsi, chunk, false);
  },

  rxView(wsi, view) {
    rx(wsi, view, true);
  },


  writeable(wsi) {
    const s = st(wsi);
    if (s.drainWait) {
      s.drainWait = false;
      if (!s.closing) nextRequest(wsi, s);
      return;
    }
    if (!s.closing && wsi.timeoutReason === TimeoutReason.HttpSend) wsi.setTimeout(TimeoutReason.HttpSend, 0);
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
    const reqHead = s.head;
    // answering before the body arrived: don't trust the rest of the connection
    if (!s.reqDone && reqHead?.hasBody) s.closeAfter = true;
    s.framer = new H1ResponseFramer({
      head,
      requestMethod: reqHead?.method ?? 'GET',
      requestVersion: reqHead?.version ?? '1.1',
      keepAlive: (reqHead?.keepAlive ?? false) && !s.closeAfter && !s.closing,
      mountHeaders: head.noExtraHeaders ? undefined : s.mountHeaders,
      vhostHeaders: head.noExtraHeaders ? NO_HEADERS : wsi.vhost.headers,
    });
    // during dispatch onHead sees to it (most handlers write at once: no microtask then)
    if (!s.dispatching) queueMicrotask(flushHeadOf(wsi, s));
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
    // a peer that stops reading: the response may wait sendTimeoutSecs for it, no longer
    if (wsi.transport.needDrain && !s.closing) wsi.setTimeout(TimeoutReason.HttpSend, wsi.vhost.limits.sendTimeoutSecs);
    if (s.framer.done) {
      accessLog(wsi, s);
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
    closeConn(wsi);
  },

  peerEnded(wsi) {
    const s = st(wsi);
    // a request whose body is cut short can never complete: drop it now, not at the body timeout
    if (s.head && !s.reqDone) return wsi.destroy();
    // a complete request still gets its answer (half-closed clients: `printf ... | nc`)
    if ((s.framer && !s.framer.done) || (!s.framer && s.head)) s.closeAfter = true;
    else closeConn(wsi);
  },

  closed(wsi) {
    const s = st(wsi);
    const p = wsi.protocol;
    if (s.bodyToProtocol && p?.closedHttp) wsi.invoke(() => p.closedHttp?.(wsi, wsi.pss));
  },
};

/** Start serving http/1.1 on a freshly adopted wsi. */
export function startH1Server(wsi: Wsi, vhosts: Vhost[]): void {
  const hooks = new H1Hooks(wsi);
  const state: H1ServerState = {
    vhosts,
    parser: new H1Parser<'request'>(parserOptions(wsi.vhost.limits), hooks),
    pending: undefined,
    req: undefined,
    head: undefined,
    reqDone: false,
    framer: undefined,
    closeAfter: false,
    bodyToProtocol: false,
    mountHeaders: undefined,
    upgradeStart: undefined,
    stalePss: undefined,
    closing: false,
    flushHead: undefined,
    dispatching: false,
    releasePss: undefined,
    hooks,
    feedHeads: -1,
    corked: false,
    drainWait: false,
  };
  wsi.setRole(h1ServerRole, state);
  wsi.setTimeout(TimeoutReason.HttpHeaders, wsi.vhost.limits.headersTimeoutSecs);
}
