/*
 * The wsi: one connection, or one h2 stream (a child of its network wsi).
 * It owns the writeable-driven output discipline: a protocol asks for a
 * writeable callback, and gets one only when the transport can take data,
 * so nothing queues without bound behind a slow peer.
 */
import { LwsError } from '../errors.js';
import type { HttpResponseHead } from '../http/response.js';
import type { RoleOps, WriteKind, WriteOptions } from '../roles/role.js';
import type { Transport } from '../net/transport.js';
import { log, logEnabled, LogLevel } from './log.js';
import type { Protocol } from './protocol.js';
import type { Sul } from './sul.js';
import type { Vhost } from './vhost.js';

/** Why a wsi is waiting (lws PENDING_TIMEOUT_*); named in the timeout log line. */
/** A writeable burst stops once this much output waits in the transport (see serviceWriteable). */
const WRITE_BURST_BYTES = 64 * 1024;

export const TimeoutReason = {
  HttpHeaders: 'http-headers',
  HttpBody: 'http-body',
  HttpKeepaliveIdle: 'http-keepalive-idle',
  HttpSend: 'http-send',
  WsCloseAck: 'ws-close-ack',
  WsPong: 'ws-pong',
  ClientConnect: 'client-connect',
  TlsHandshake: 'tls-handshake',
  User: 'user',
} as const;
export type TimeoutReason = (typeof TimeoutReason)[keyof typeof TimeoutReason];

/** Where the wsi lives; the context implements it. */
export interface WsiOwner {
  readonly sul: { create(cb: () => void): Sul };
  register(wsi: Wsi): void;
  unregister(wsi: Wsi): void;
}

let nextId = 1;

const NO_CHILDREN: ReadonlySet<Wsi> = new Set();

/**
 * One connection or stream. Handlers receive it typed with their pss and vhd.
 *
 * @example
 * ```ts
 * serverWriteable(wsi, pss) {
 *   wsi.write(pss.next(), 'text');
 *   if (pss.more()) wsi.callbackOnWritable();
 * }
 * ```
 */
export class Wsi<Pss = any, Vhd = any> {
  readonly id = nextId++;
  readonly owner: WsiOwner;
  /** The vhost serving this wsi (the h1 role may switch it by Host). */
  vhost: Vhost;
  /** For an h2 stream: the network connection's wsi. */
  readonly parent: Wsi | undefined;
  /** Made on the first child: most wsis never have one. */
  #children: Set<Wsi> | undefined;
  readonly transport: Transport;
  /** True for connections we initiated. */
  readonly isClient: boolean;
  /** The role that owns the wire format now (h1, ws, raw, h2...). */
  role: RoleOps;
  /** The role's private state for this wsi. */
  roleData: unknown;
  #protocol: Protocol<Pss, Vhd> | undefined;
  #pss: Pss | undefined;
  #wantWriteable = false;
  #writeableScheduled = false;
  /** Inside serviceWriteable's burst loop: asks are picked up by the loop. */
  #inBurst = false;
  #closed = false;
  #rxPaused = false;
  #timeout: Sul | undefined;
  #timeoutReason: TimeoutReason | undefined;
  /** Free for the application (lws_wsi_user for things outside pss). */
  user: unknown;
  /**
   * A body producer the http layer runs on writeable callbacks instead of
   * the protocol's httpWriteable (static files now, proxied bodies later).
   */
  httpProducer: { writeable(): void; abort(): void } | undefined;

  constructor(init: { owner: WsiOwner; vhost: Vhost; transport: Transport; role: RoleOps; parent?: Wsi; isClient?: boolean }) {
    this.owner = init.owner;
    this.vhost = init.vhost;
    this.transport = init.transport;
    this.role = init.role;
    this.parent = init.parent;
    this.isClient = init.isClient ?? false;
    if (init.parent) (init.parent.#children ??= new Set()).add(this);
    this.owner.register(this);
  }

  /** The protocol bound to this wsi, if any yet. */
  get protocol(): Protocol<Pss, Vhd> | undefined {
    return this.#protocol;
  }

  /** Per-session data of the bound protocol (throws before one is bound). */
  get pss(): Pss {
    if (!this.#protocol) throw new Error(`Cannot get pss: wsi ${this.id} has no protocol bound`);
    return this.#pss as Pss;
  }

  /** Per-vhost data of the bound protocol. */
  get vhd(): Vhd {
    if (!this.#protocol) throw new Error(`Cannot get vhd: wsi ${this.id} has no protocol bound`);
    return this.vhost.vhd(this.#protocol) as Vhd;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Bind a protocol, making its pss (lws binds at upgrade or mount match). */
  bindProtocol(p: Protocol<Pss, Vhd>): void {
    if (this.#protocol === p) return;
    this.#releasePss();
    this.#protocol = p;
    this.#pss = p.newPss ? p.newPss(this) : (undefined as Pss);
  }

  /**
   * Release the bound protocol's pss (destroyPss) and bind none: between h1
   * transactions on a kept-alive connection, as lws resets its wsi.
   */
  unbindProtocol(): void {
    this.#releasePss();
    this.#protocol = undefined;
  }

  /** Streams this wsi carries (an h2 connection's streams). */
  get children(): ReadonlySet<Wsi> {
    return this.#children ?? NO_CHILDREN;
  }

  /** Move to another role (h1 -> ws upgrade, adoption as raw). */
  setRole(role: RoleOps, roleData: unknown): void {
    if (logEnabled(LogLevel.DEBUG)) log.debug(`wsi ${this.id}: role ${this.role.name} -> ${role.name}`);
    // a cancelled timeout's timer stays armed (cheap re-arming for h1); a new role,
    // often long idle (ws), should not keep it around
    if (this.#timeout && !this.#timeout.pending) {
      this.#timeout.dispose();
      this.#timeout = undefined; // made again by the next setTimeout
    }
    this.role = role;
    this.roleData = roleData;
  }

  /**
   * Ask for one writeable callback (lws_callback_on_writable). It comes when
   * the transport can take more output; several asks before it come as one.
   */
  callbackOnWritable(): void {
    if (this.#closed) return;
    this.#wantWriteable = true;
    if (this.parent) {
      this.parent.callbackOnWritable();
      return;
    }
    if (!this.#inBurst && !this.transport.needDrain) this.#scheduleWriteable();
  }

  /**
   * The transport should not take more now: it is past its high-water mark
   * (inside a corked writeable burst, past the burst's byte bound instead,
   * since there the mark only counts what our own cork holds).
   */
  get writeBlocked(): boolean {
    const t = this.transport;
    return this.#inBurst ? t.bufferedAmount >= WRITE_BURST_BYTES : t.needDrain;
  }

  /** True when a writeable callback was asked for and has not run yet. */
  get wantsWriteable(): boolean {
    return this.#wantWriteable;
  }

  #scheduleWriteable(): void {
    if (this.#writeableScheduled) return;
    this.#writeableScheduled = true;
    setImmediate(() => {
      this.#writeableScheduled = false;
      this.serviceWriteable();
    });
  }

  /**
   * Called when the transport drained or a writeable was scheduled. A role
   * with a `writeBurst` gets up to that many callbacks here, back to back,
   * while the protocol asks again and the transport has room (under
   * WRITE_BURST_BYTES queued), its writes corked into one syscall.
   */
  serviceWriteable(): void {
    if (this.#closed || !this.#wantWriteable) return;
    const t = this.transport;
    if (t.needDrain) return; // the drain handler calls us again
    const burst = this.role.writeBurst ?? 1;
    this.#wantWriteable = false;
    if (burst <= 1 || !t.cork) {
      this.invoke(() => this.role.writeable(this));
      return;
    }
    this.#inBurst = true;
    t.cork();
    try {
      for (let i = 0; ; ) {
        this.invoke(() => this.role.writeable(this));
        // corked, a full high-water mark only means our own cork holds it: the byte bound decides
        if (++i >= burst || this.#closed || !this.#wantWriteable || t.bufferedAmount >= WRITE_BURST_BYTES) break;
        this.#wantWriteable = false;
      }
    } finally {
      this.#inBurst = false;
      t.uncork?.();
    }
    if (this.#wantWriteable && !this.#closed && !t.needDrain) this.#scheduleWriteable();
  }

  /**
   * @internal A role delivering one read's messages: writes the protocol
   * makes from its receive callbacks until endRxBurst() are corked into one
   * syscall, bounded like a writeable burst (writeBlocked past
   * WRITE_BURST_BYTES). False (nothing to end) inside a burst already or
   * on a transport that cannot cork.
   */
  beginRxBurst(): boolean {
    const t = this.transport;
    if (this.#inBurst || this.#closed || !t.cork) return false;
    this.#inBurst = true;
    t.cork();
    return true;
  }

  /** @internal Inside a burst: what was corked so far leaves now, and corking goes on. */
  flushRxBurst(): void {
    const t = this.transport;
    if (!this.#inBurst || !t.uncork || !t.cork) return;
    t.uncork();
    t.cork();
  }

  /** @internal Ends what beginRxBurst() started (when it returned true): the corked writes leave. */
  endRxBurst(): void {
    this.#inBurst = false;
    const t = this.transport;
    t.uncork?.();
    // a callbackOnWritable() made inside the burst waited for its end
    if (this.#wantWriteable && !this.#closed && !t.needDrain) this.#scheduleWriteable();
  }

  /** The transport drained: a pending writeable request may now run. */
  onDrain(): void {
    if (this.#wantWriteable) this.#scheduleWriteable();
  }

  /**
   * Write one piece in the current role's framing. Call it once per
   * writeable callback and ask again for more; the return is false when
   * the write was refused (closed wsi, wrong kind for the role).
   */
  write(data: Uint8Array | string, kind: WriteKind, opts?: WriteOptions): boolean {
    if (this.#closed) return false;
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    return this.role.write(this, bytes, kind, opts);
  }

  /** Start an http response: status and headers (body follows with `write(…, 'http' | 'http-final')`). */
  respond(head: HttpResponseHead): boolean {
    if (this.#closed || !this.role.respond) return false;
    return this.role.respond(this, head);
  }

  /** Send a whole small response in one go (status, type, body). */
  respondText(status: number, body: string | Uint8Array, contentType = 'text/plain; charset=utf-8'): boolean {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    if (!this.respond({ status, contentType, contentLength: bytes.length })) return false;
    return this.write(bytes, 'http-final');
  }

  /** Stop or restart reading from the peer (lws_rx_flow_control). */
  rxFlowControl(enable: boolean): void {
    if (this.#closed || enable === !this.#rxPaused) return;
    this.#rxPaused = !enable;
    if (enable) {
      this.transport.resumeRead();
      this.role.rxResumed?.(this);
    } else this.transport.pauseRead();
  }

  /** True while reading is paused by rxFlowControl(false). */
  get rxPaused(): boolean {
    return this.#rxPaused;
  }

  /**
   * Close the wsi unless it makes progress within `secs` seconds
   * (lws_set_timeout). `secs` 0 cancels.
   */
  setTimeout(reason: TimeoutReason, secs: number): void {
    if (secs === 0) {
      this.#timeout?.cancel();
      this.#timeoutReason = undefined;
      return;
    }
    if (!Number.isFinite(secs) || secs < 0) throw new RangeError(`Cannot set timeout: ${secs} s is not a finite non-negative number`);
    this.#timeout ??= this.owner.sul.create(() => this.#onTimeout());
    this.#timeoutReason = reason;
    this.#timeout.schedule(secs * 1000);
  }

  /** The reason of the pending timeout, if any. */
  get timeoutReason(): TimeoutReason | undefined {
    return this.#timeout?.pending ? this.#timeoutReason : undefined;
  }

  #onTimeout(): void {
    log.info(`wsi ${this.id}: timed out waiting for ${this.#timeoutReason ?? '?'}`);
    this.#timeoutReason = undefined;
    this.destroy();
  }

  /** Close in the role's polite way (ws close handshake, end of response). */
  close(code?: number, reason?: string): void {
    if (this.#closed) return;
    this.role.close(this, code, reason);
  }

  /** Drop the connection now (no close handshake). */
  destroy(): void {
    if (this.#closed) return;
    if (this.parent) {
      this.role.closed(this);
      this.finalize();
      return;
    }
    this.transport.destroy();
  }

  /**
   * Run a protocol handler; if it throws, log it and close just this wsi
   * (the role turns that into http 500 / ws 1011 where it still can).
   */
  invoke(fn: () => void): void {
    try {
      fn();
    } catch (cause) {
      this.handlerThrew(cause);
    }
  }

  /**
   * What invoke() does when the handler throws, for hot paths that call a
   * handler in their own try/catch rather than make a closure per call.
   * @internal
   */
  handlerThrew(cause: unknown): void {
    const err = new LwsError('LWS_ERR_CORE_HANDLER_THREW', `Cannot continue wsi ${this.id}: handler threw: ${String(cause)}`, {}, { cause });
    log.err(err.message);
    if (cause instanceof Error && cause.stack) log.debug(cause.stack);
    this.close(1011, 'handler error');
  }

  /** Release everything; called once when the transport is gone. */
  finalize(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#timeout?.dispose(); // not just cancel: its armed timer would hold this wsi for up to its delay
    this.httpProducer?.abort();
    this.httpProducer = undefined;
    if (this.#children) for (const c of [...this.#children]) c.destroy();
    const p = this.parent;
    if (p) p.#children?.delete(this);
    this.#releasePss();
    this.owner.unregister(this);
  }

  #releasePss(): void {
    const p = this.#protocol;
    if (p?.destroyPss && this.#pss !== undefined) {
      const pss = this.#pss;
      try {
        p.destroyPss(pss, this);
      } catch (err) {
        log.err(`wsi ${this.id}: destroyPss threw: ${String(err)}`);
      }
    }
    this.#pss = undefined;
  }
}
