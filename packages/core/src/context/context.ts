/*
 * The context: owns the vhosts, their listeners, every wsi, the scheduled
 * callbacks and the teardown order (lws_create_context / lws_context_destroy).
 */
import type { Socket } from 'node:net';
import { nativeInfo } from '@lws/native';
import { LwsError } from '../errors.js';
import { setOwnReadBufferLimit } from '../net/socket-transport.js';
import { setBusyPollMicros } from '../roles/ws/busy-poll.js';
import { adoptSocket, type AdoptOptions } from './adopt.js';
import { clientConnect, type ClientConnectInfo } from './connect.js';
import './roles.js';
import { listenVhosts, type Listener } from './listen.js';
import { log, setLogLevel } from './log.js';
import type { Protocol } from './protocol.js';
import { SulScheduler } from './sul.js';
import { Vhost, type VhostOptions } from './vhost.js';
import type { Wsi, WsiOwner } from './wsi.js';

export interface ContextOptions extends VhostOptions {
  /** Several vhosts; when given, the top-level vhost options are ignored. */
  vhosts?: VhostOptions[];
  /** lws log mask (the `-d` option); default leaves the current level. */
  logLevel?: number;
  /** Milliseconds `destroy()` waits for connections to close before cutting them. Default 2000. */
  destroyGraceMs?: number;
  /**
   * Process-wide, the last context to set it wins: how many connections may
   * read into a 64 KiB buffer of their own at once, where large ws payloads
   * (16 KiB and more) are kept as views instead of copied. Default 256
   * (16 MiB at most); 0 copies every payload out of one shared buffer.
   */
  ownReadBuffers?: number;
  /**
   * Process-wide, the last context to set it wins: after a read of 8 or
   * more ws messages on a connection that is the only one reading, keep
   * the event loop polling for up to this many microseconds for the next
   * read instead of sleeping (a pipelining peer is answering; on VMs each
   * sleep and wake-up costs tens of microseconds). Default 50, at most
   * 1000; 0 turns it off.
   */
  busyPollMicros?: number;
}

/**
 * A running lws context.
 *
 * @example
 * ```ts
 * const context = await createContext({ port: 7681, mounts: [{ kind: 'file', mountpoint: '/', origin: './mount-origin' }] });
 * process.once('SIGINT', () => void context.destroy());
 * ```
 */
export class Context implements WsiOwner {
  readonly vhosts: Vhost[];
  readonly sul = new SulScheduler();
  readonly options: ContextOptions;
  #listeners: Listener[] = [];
  #wsis = new Set<Wsi>();
  #destroying: Promise<void> | undefined;
  #emptyWaiters: (() => void)[] = [];

  constructor(opts: ContextOptions) {
    this.options = opts;
    const list = opts.vhosts ?? [opts];
    if (list.length === 0) throw new TypeError('Cannot create context: vhosts is empty');
    if (opts.ownReadBuffers !== undefined) setOwnReadBufferLimit(opts.ownReadBuffers);
    if (opts.busyPollMicros !== undefined) setBusyPollMicros(opts.busyPollMicros);
    this.vhosts = list.map((v) => new Vhost(v));
  }

  /** Init protocols (vhd) and start listening. Called by createContext. */
  async start(): Promise<void> {
    for (const v of this.vhosts) await v.initProtocols();
    this.#listeners = await listenVhosts(this.vhosts, (s, l) => this.#accept(s, l));
  }

  /** The port of the first listening vhost (the real one when started with port 0). */
  get port(): number {
    const v = this.vhosts.find((x) => x.port !== undefined);
    return v?.port ?? 0;
  }

  /** The listeners' addresses, e.g. `127.0.0.1:7681`. */
  get addresses(): string[] {
    return this.#listeners.map((l) => l.address);
  }

  /** Live connections and streams. */
  get wsiCount(): number {
    return this.#wsis.size;
  }

  get destroyed(): boolean {
    return this.#destroying !== undefined;
  }

  /** Find a vhost by name. */
  vhost(name: string): Vhost | undefined {
    return this.vhosts.find((v) => v.name === name);
  }

  register(wsi: Wsi): void {
    this.#wsis.add(wsi);
  }

  unregister(wsi: Wsi): void {
    this.#wsis.delete(wsi);
    if (this.#wsis.size === 0) for (const w of this.#emptyWaiters.splice(0)) w();
  }

  /**
   * Ask a writeable callback for every live wsi bound to `protocol`
   * (lws_callback_on_writable_all_protocol); safe to call from a message
   * handler fed by worker threads.
   */
  callbackOnWritableAllProtocol(protocol: Protocol): void {
    for (const w of this.#wsis) if (w.protocol === protocol && !w.closed) w.callbackOnWritable();
  }

  #accept(sock: Socket, l: Listener): void {
    if (this.#destroying) {
      sock.destroy();
      return;
    }
    adoptSocket(this, sock, { vhosts: l.vhosts, role: 'http' });
  }

  /**
   * Adopt a socket accepted or connected elsewhere (lws_adopt_descriptor_vhost):
   * as http (our h1 server role) or raw (a protocol's raw handlers).
   */
  adopt(sock: Socket, opts: Partial<AdoptOptions> & { vhost?: string } = {}): Wsi {
    if (this.#destroying) throw new LwsError('LWS_ERR_CORE_DESTROYED', 'Cannot adopt socket: context is being destroyed');
    const v = opts.vhost ? this.vhost(opts.vhost) : this.vhosts[0];
    if (!v) throw new TypeError(`Cannot adopt socket: no vhost named "${opts.vhost}"`);
    return adoptSocket(this, sock, { vhosts: opts.vhosts ?? [v], role: opts.role ?? 'http', protocol: opts.protocol });
  }

  /**
   * Start a client connection (lws_client_connect_via_info) on a vhost of
   * this context; callbacks go to the protocol named in `info.protocol`.
   */
  clientConnect(info: ClientConnectInfo): Wsi {
    if (this.#destroying) throw new LwsError('LWS_ERR_CORE_DESTROYED', 'Cannot connect: context is being destroyed');
    const v = info.vhost ? this.vhost(info.vhost) : this.vhosts[0];
    if (!v) throw new TypeError(`Cannot connect: no vhost named "${info.vhost}"`);
    return clientConnect(this, v, info);
  }

  /**
   * Close everything and release it: stop listening, close every connection
   * (cut after `destroyGraceMs`), destroy per-vhost data, cancel timers.
   * Resolves when done; calling it again returns the same promise.
   */
  destroy(): Promise<void> {
    this.#destroying ??= this.#teardown();
    return this.#destroying;
  }

  async #teardown(): Promise<void> {
    log.notice('context: destroying');
    const closing = this.#listeners.map((l) => new Promise<void>((r) => l.server.close(() => r())));
    for (const w of [...this.#wsis]) if (!w.parent) w.close(1001, 'server going away');
    if (this.#wsis.size > 0) {
      const empty = new Promise<void>((r) => this.#emptyWaiters.push(r));
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((r) => {
        timer = setTimeout(r, this.options.destroyGraceMs ?? 2000);
      });
      await Promise.race([empty, grace]);
      clearTimeout(timer);
      if (this.#wsis.size > 0) {
        for (const w of [...this.#wsis]) if (!w.parent) w.destroy();
        await new Promise<void>((r) => (this.#wsis.size === 0 ? r() : this.#emptyWaiters.push(r)));
      }
    }
    await Promise.all(closing);
    for (const v of this.vhosts) await v.destroyProtocols();
    this.sul.destroy();
    log.notice('context: destroyed');
  }
}

/**
 * Create a context, init its protocols and start its listeners.
 *
 * @example
 * ```ts
 * const context = await createContext({ port: 0, protocols: [echo] });
 * log.user(`listening on ${context.port}`);
 * ```
 */
export async function createContext(opts: ContextOptions): Promise<Context> {
  if (opts.logLevel !== undefined) setLogLevel(opts.logLevel);
  log.notice(`lws-ts context: ${nativeInfo()}`);
  const context = new Context(opts);
  await context.start();
  return context;
}
