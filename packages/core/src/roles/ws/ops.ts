/*
 * The ws role of an established connection, both sides (RFC 6455 §5-§7):
 * parser events to protocol handlers, writes to frames, the close handshake
 * with its timeout, ping/pong and keepalive. Output is writeable-driven:
 * the only frames written outside a protocol's write are control frames,
 * and of those at most one pong and one ping wait while the transport is
 * congested, so nothing queues without bound behind a slow peer.
 */
import { log } from '../../context/log.js';
import type { CloseInfo, Protocol } from '../../context/protocol.js';
import type { Sul } from '../../context/sul.js';
import { TimeoutReason, type Wsi } from '../../context/wsi.js';
import { CloseCode, type LwsError } from '../../errors.js';
import { ViewUse, writeAll } from '../../net/transport.js';
import type { RoleOps, WriteKind, WriteOptions } from '../role.js';
import { busyPollAfterBurst, countRead } from './busy-poll.js';
import { WsCloseHandshake } from './close.js';
import { NO_EVENTS, WsFrameParser, type WsFrameEvent } from './frame-parser.js';
import { WsFrameWriter } from './frame-writer.js';
import type { ResolvedWsOptions } from './options.js';
import type { PerMessageDeflate } from './permessage-deflate.js';

/** Per-wsi state of the ws role. */
export interface WsConnection {
  readonly isServer: boolean;
  readonly options: ResolvedWsOptions;
  readonly parser: WsFrameParser;
  readonly writer: WsFrameWriter;
  /** The close handshake, made when a close is first sent or received (open connections hold none). */
  close: WsCloseHandshake | null;
  readonly deflate: PerMessageDeflate | null;
  /** The subprotocol agreed in the handshake, if any. */
  readonly subprotocol: string | undefined;
  /** Parser events not yet delivered (rx paused by rxFlowControl): at most one read's worth. */
  held: WsFrameEvent[];
  heldAt: number;
  delivering: boolean;
  /** A pong owed while the transport was congested (only the latest ping is answered). */
  pendingPong: Buffer | undefined;
  pendingPing: boolean;
  /** We failed the connection with this error (protocol violation). */
  failed: LwsError | undefined;
  /** transport.end() was called. */
  ended: boolean;
  /** Input arrived since the last keepalive tick. */
  rxSinceTick: boolean;
  pingSul: Sul | undefined;
  /** Writeable rounds a peer close or a failure has waited for (see CLOSE_DEFER_ROUNDS). */
  closeDeferrals: number;
  /** Replies to the read being delivered leave in groups (see REPLY_GROUP): 0 when not, else 1 + events delivered of it. */
  grouped: number;
}

/**
 * A peer close or a protocol violation read in the same chunk as complete
 * messages waits for up to this many writeable callbacks the application had
 * already asked for, so its replies to those messages go out before our close
 * (RFC 6455 §5.5.1 allows the delay; Autobahn 3.2, 4.1.3, 7.1.1 strict);
 * bounded so an always-writing application cannot hold the close back.
 */
const CLOSE_DEFER_ROUNDS = 16;

/*
 * Replies written from the receive callbacks of one read are corked into one
 * writev (Wsi.beginRxBurst): with many connections busy that is the cheap
 * way. A lone connection that pipelines many small messages is different:
 * the server idles while its peer waits for the whole batch, and the peer
 * idles while the server makes it. So when a read brings at least
 * LONE_BURST_MIN messages and no other ws connection had a read in this
 * turn of the event loop or in the last turn watched (see loneRead), its
 * replies leave REPLY_GROUP at a time, so the peer starts on the first
 * group while the rest are made, and afterwards the loop busy-polls for
 * the peer's next batch (busy-poll.ts). bench/ws-echo.ts, 16 B on one
 * connection with 16 in flight: one writev per read 171k msg/s; pairs
 * 206-244k; pairs with busy polling 213-259k and groups of 8 with it
 * 271-297k in alternating runs on a slower day (`ws` 199-203k). Fewer
 * writes wake the sleeping peer fewer times, each wake-up an interrupt to
 * another CPU. 100 connections with 16 in flight each keep their one
 * writev per read (690-830k msg/s, where pairs gave 330-390k).
 */
const LONE_BURST_MIN = 8;
const REPLY_GROUP = 8;
/** ws reads since the last turn boundary seen (one read per receive). */
let readsThisTurn = 0;
let readsLastTurn = 0;
let turnEndQueued = false;

function endTurn(): void {
  readsLastTurn = readsThisTurn;
  readsThisTurn = 0;
  turnEndQueued = false;
}

/**
 * For a read of LONE_BURST_MIN messages or more (it counted itself): true
 * when it is the only ws read in this turn and in the last turn seen. Turn
 * ends are only watched from such reads, so reads of few messages cost no
 * setImmediate; until one is watched their count spans several turns and
 * the answer is false (one writev, the default).
 */
function loneRead(): boolean {
  if (!turnEndQueued) {
    turnEndQueued = true;
    setImmediate(endTurn);
  }
  return readsThisTurn === 1 && readsLastTurn <= 1;
}

function handshake(s: WsConnection): WsCloseHandshake {
  return (s.close ??= new WsCloseHandshake({ isServer: s.isServer }));
}

function st(wsi: Wsi): WsConnection {
  return wsi.roleData as WsConnection;
}

/** A frame's pieces (header, payload) leave in one syscall: corked where the transport can. */
function writeFrames(wsi: Wsi, frames: Buffer[]): void {
  writeAll(wsi.transport, frames);
}

/** The protocol handlers for this side: server and client reasons differ (lws). */
function handlers(wsi: Wsi, p: Protocol) {
  const server = st(wsi).isServer;
  return {
    receive: server ? p.receive : p.clientReceive,
    writeable: server ? p.serverWriteable : p.clientWriteable,
    closed: server ? p.closed : p.clientClosed,
  };
}

function closing(s: WsConnection): boolean {
  return (s.close !== null && s.close.sent !== null) || s.failed !== undefined;
}

/** End our side and drop the peer if it has not finished closing within the close timeout. */
function endTransport(wsi: Wsi, s: WsConnection): void {
  if (s.ended) return;
  s.ended = true;
  wsi.transport.end();
  wsi.setTimeout(TimeoutReason.WsCloseAck, s.options.closeTimeoutSecs);
}

/** The peer broke the protocol: send the close code its error carries, then drop (RFC 6455 §7.1.7). */
function failConnection(wsi: Wsi, s: WsConnection, err: LwsError): void {
  log.info(`wsi ${wsi.id}: ws failed: ${err.message}`);
  s.failed = err;
  const frame = handshake(s).fail(err);
  if (frame) writeFrames(wsi, s.writer.close(frame.code, frame.reason));
  s.pingSul?.cancel();
  endTransport(wsi, s);
}

function onPeerClose(wsi: Wsi, s: WsConnection, info: CloseInfo): void {
  const p = wsi.protocol;
  if (!s.close?.sent && p?.peerInitiatedClose) wsi.invoke(() => p.peerInitiatedClose?.(wsi, wsi.pss, { ...info }));
  const close = handshake(s);
  const reply = close.receive(info);
  if (reply) writeFrames(wsi, s.writer.close(reply.code, reply.reason));
  s.pingSul?.cancel();
  // the server ends TCP; a client waits for it, but only for the close timeout (RFC 6455 §7.1.1)
  if (close.shouldCloseTransport) endTransport(wsi, s);
  else wsi.setTimeout(TimeoutReason.WsCloseAck, s.options.closeTimeoutSecs);
}

function sendPong(wsi: Wsi, s: WsConnection, data: Buffer): void {
  if (wsi.transport.needDrain) {
    s.pendingPong = Buffer.from(data);
    wsi.callbackOnWritable();
    return;
  }
  writeFrames(wsi, s.writer.pong(data));
}

function onPong(wsi: Wsi, data: Buffer): void {
  if (wsi.timeoutReason === TimeoutReason.WsPong) wsi.setTimeout(TimeoutReason.WsPong, 0);
  const p = wsi.protocol;
  if (p?.receivePong) wsi.invoke(() => p.receivePong?.(wsi, wsi.pss, data));
}

function handleEvent(wsi: Wsi, s: WsConnection, ev: WsFrameEvent): void {
  switch (ev.type) {
    case 'message': {
      if (closing(s)) return; // after our close, data is not for the application
      const p = wsi.protocol;
      const receive = p && handlers(wsi, p).receive;
      if (receive) wsi.invoke(() => receive(wsi, wsi.pss, ev.data, { binary: ev.binary, first: ev.first, final: ev.final }));
      return;
    }
    case 'ping':
      if (!closing(s)) sendPong(wsi, s, ev.data);
      return;
    case 'pong':
      return onPong(wsi, ev.data);
    case 'close':
      return onPeerClose(wsi, s, { code: ev.code, reason: ev.reason });
    case 'error':
      return failConnection(wsi, s, ev.error);
  }
}

/**
 * Parse arrived bytes and deliver the events. `lent`: valid only during
 * this call; 'own': lent, but large payloads may be kept as views (see
 * WsFrameParser.push). Returns what became of a lent chunk.
 */
function receive(wsi: Wsi, chunk: Buffer, lent: boolean | 'own'): ViewUse {
  const s = st(wsi);
  s.rxSinceTick = true;
  readsThisTurn++;
  countRead();
  const events = s.parser.push(chunk, lent);
  const use = s.parser.keptView ? ViewUse.Kept : s.parser.largeFrames ? ViewUse.Large : ViewUse.Done;
  if (events.length === 0) return use;
  if (s.heldAt === s.held.length) {
    s.held = events;
    s.heldAt = 0;
  } else {
    s.held.push(...events);
  }
  // replies written from the receive callbacks of one read leave together
  const burst = wsi.beginRxBurst();
  s.grouped = burst && events.length >= LONE_BURST_MIN && loneRead() ? 1 : 0;
  try {
    deliver(wsi, s);
  } finally {
    if (s.grouped !== 0) busyPollAfterBurst(); // the peer answers soon: poll for it rather than sleep (busy-poll.ts)
    s.grouped = 0;
    if (burst) wsi.endRxBurst();
  }
  return use;
}

/** Deliver held events in order until they run out or the application pauses rx. */
function deliver(wsi: Wsi, s: WsConnection): void {
  if (s.delivering) return;
  s.delivering = true;
  try {
    while (s.heldAt < s.held.length && !wsi.rxPaused && !wsi.closed) {
      const ev = s.held[s.heldAt] as WsFrameEvent;
      // never while congested: a peer that stopped reading must still get our close and its timeout
      const ends = ev.type === 'error' || ev.type === 'close';
      if (ends && wsi.wantsWriteable && !wsi.transport.needDrain && !closing(s) && s.closeDeferrals < CLOSE_DEFER_ROUNDS) {
        s.closeDeferrals++;
        break; // writeable() delivers it after the application's turn
      }
      s.heldAt++;
      handleEvent(wsi, s, ev);
      if (s.grouped !== 0 && ++s.grouped % REPLY_GROUP === 1) wsi.flushRxBurst();
    }
  } finally {
    s.delivering = false;
    if (s.heldAt >= s.held.length) {
      s.held = NO_EVENTS;
      s.heldAt = 0;
    }
  }
}

function keepaliveTick(wsi: Wsi, s: WsConnection): void {
  if (wsi.closed || closing(s)) return;
  const interval = s.options.pingIntervalSecs * 1000;
  if (s.rxSinceTick) {
    s.rxSinceTick = false;
    s.pingSul?.schedule(interval);
    return;
  }
  if (wsi.timeoutReason !== TimeoutReason.WsPong) {
    if (wsi.transport.needDrain) {
      s.pendingPing = true;
      wsi.callbackOnWritable();
    } else {
      writeFrames(wsi, s.writer.ping());
    }
    wsi.setTimeout(TimeoutReason.WsPong, s.options.pongTimeoutSecs);
  }
  s.pingSul?.schedule(interval);
}

function frameFor(s: WsConnection, data: Uint8Array, kind: WriteKind, opts: WriteOptions | undefined): Buffer[] | null {
  switch (kind) {
    case 'text':
    case 'binary':
    case 'continuation': {
      const first = kind === 'continuation' ? false : (opts?.first ?? true);
      return s.writer.fragment(data, { binary: kind !== 'text', first, final: opts?.final ?? true });
    }
    case 'ping':
      return s.writer.ping(data);
    case 'pong':
      return s.writer.pong(data);
    default:
      return null;
  }
}

/**
 * The established ws role. `write` kinds: 'text' | 'binary' (a whole message,
 * or its first fragment with `{ final: false }`), 'continuation' (the next
 * fragments, `{ final: true }` on the last), 'ping', 'pong'. Written bytes
 * are queued by reference: do not change them after the write.
 */
export const wsRole: RoleOps = {
  writeBurst: 16, // many small messages per turn leave in one writev
  name: 'ws',

  rx(wsi, chunk) {
    receive(wsi, chunk, false);
  },

  // the parser copies what it keeps of borrowed bytes (large payloads in a buffer of our own: none)
  rxView(wsi, view, own) {
    return receive(wsi, view, own ? 'own' : true);
  },

  rxResumed(wsi) {
    const s = st(wsi);
    if (s.heldAt < s.held.length) setImmediate(() => deliver(wsi, s));
  },

  writeable(wsi) {
    const s = st(wsi);
    if (s.pendingPong && !closing(s)) writeFrames(wsi, s.writer.pong(s.pendingPong));
    s.pendingPong = undefined;
    if (s.pendingPing && !closing(s)) writeFrames(wsi, s.writer.ping());
    s.pendingPing = false;
    if (closing(s)) return;
    if (wsi.writeBlocked) {
      wsi.callbackOnWritable(); // the application's turn comes after the drain
      return;
    }
    const p = wsi.protocol;
    const writeable = p && handlers(wsi, p).writeable;
    if (writeable) writeable(wsi, wsi.pss);
    if (s.heldAt < s.held.length && !wsi.closed) deliver(wsi, s);
  },

  write(wsi, data, kind, opts) {
    const s = st(wsi);
    if (closing(s)) return false;
    const frames = frameFor(s, data, kind, opts);
    if (!frames) {
      log.err(`wsi ${wsi.id}: cannot write ${kind} on a ws connection`);
      return false;
    }
    writeFrames(wsi, frames);
    return true;
  },

  close(wsi, code, reason) {
    const s = st(wsi);
    const close = handshake(s);
    if (close.sent) return;
    const frame = close.start(code ?? CloseCode.Normal, reason ?? '');
    if (frame) writeFrames(wsi, s.writer.close(frame.code, frame.reason));
    s.pingSul?.cancel();
    if (close.shouldCloseTransport) endTransport(wsi, s);
    else wsi.setTimeout(TimeoutReason.WsCloseAck, s.options.closeTimeoutSecs);
  },

  peerEnded(wsi) {
    // FIN: with or without a close frame before it, finish closing our side too
    wsi.transport.end();
  },

  closed(wsi) {
    const s = st(wsi);
    s.pingSul?.dispose(); // an armed timer would hold this connection until it fires
    s.deflate?.dispose(); // frees the native zlib streams now, not at GC
    s.held = NO_EVENTS;
    s.heldAt = 0;
    const p = wsi.protocol;
    const closed = p && handlers(wsi, p).closed;
    if (closed) wsi.invoke(() => closed(wsi, wsi.pss, closeInfo(s)));
  },
};

/** What the application hears in closed: the peer's close, else our failure's code, else 1006. */
export function closeInfo(s: WsConnection): CloseInfo {
  const r = s.close?.received;
  if (r) return { code: r.code, reason: r.reason };
  const sent = s.close?.sent;
  if (s.failed && sent?.code !== undefined) return { code: sent.code, reason: s.failed.message };
  return { code: CloseCode.Abnormal, reason: '' };
}

/** What starts an established connection. */
export interface WsStartInit {
  isServer: boolean;
  options: ResolvedWsOptions;
  deflate: PerMessageDeflate | null;
  subprotocol: string | undefined;
  /** Bytes that arrived after the handshake, already ws frames. */
  leftover: Buffer;
}

/**
 * Put a wsi whose handshake succeeded into the ws role, tell the protocol
 * (established / clientEstablished) and parse what came after the handshake.
 *
 * @example
 * ```ts
 * startWsConnection(wsi, { isServer: true, options, deflate: null, subprotocol: 'chat', leftover });
 * ```
 */
export function startWsConnection(wsi: Wsi, init: WsStartInit): void {
  const o = init.options;
  const s: WsConnection = {
    isServer: init.isServer,
    options: o,
    parser: new WsFrameParser({
      isServer: init.isServer,
      maxFrameSize: o.maxFrameSize,
      maxMessageSize: o.maxMessageSize,
      delivery: o.delivery,
      deflate: init.deflate,
    }),
    writer: new WsFrameWriter({ isServer: init.isServer, deflate: init.deflate }),
    close: null,
    deflate: init.deflate,
    subprotocol: init.subprotocol,
    held: NO_EVENTS,
    heldAt: 0,
    delivering: false,
    grouped: 0,
    pendingPong: undefined,
    pendingPing: false,
    failed: undefined,
    ended: false,
    rxSinceTick: false,
    pingSul: undefined,
    closeDeferrals: 0,
  };
  wsi.setRole(wsRole, s);
  if (o.pingIntervalSecs > 0) {
    s.pingSul = wsi.owner.sul.create(() => keepaliveTick(wsi, s));
    s.pingSul.schedule(o.pingIntervalSecs * 1000);
  }
  const p = wsi.protocol;
  const established = init.isServer ? p?.established : p?.clientEstablished;
  if (established) wsi.invoke(() => established(wsi, wsi.pss));
  if (init.leftover.length > 0 && !wsi.closed) wsRole.rx(wsi, init.leftover);
}

/**
 * The subprotocol a ws wsi agreed on, or undefined (not ws, or none agreed).
 *
 * @example
 * ```ts
 * established(wsi) { log.user(`subprotocol: ${wsSubprotocol(wsi) ?? 'none'}`); }
 * ```
 */
export function wsSubprotocol(wsi: Wsi): string | undefined {
  return wsi.role === wsRole ? st(wsi).subprotocol : undefined;
}
