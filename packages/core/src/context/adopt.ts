/*
 * Adoption (lws_adopt_descriptor_vhost): wrap a socket in a transport and a
 * wsi, wire the transport's events to whatever role the wsi has, and start
 * it as http or raw. Listeners use this for every accepted connection.
 */
import type { Socket } from 'node:net';
import { startH1Server } from '../roles/h1/server.js';
import { startRaw } from '../roles/raw/ops.js';
import { rawRole } from '../roles/raw/ops.js';
import { SocketTransport } from '../net/socket-transport.js';
import { ViewUse, type Transport, type TransportHandlers } from '../net/transport.js';
import { log, logEnabled, LogLevel } from './log.js';
import type { Protocol } from './protocol.js';
import type { Vhost } from './vhost.js';
import { Wsi, type WsiOwner } from './wsi.js';

export interface AdoptOptions {
  /** The vhosts that may serve this connection (the first is the default). */
  vhosts: Vhost[];
  /** `http` runs our h1 server role; `raw` hands bytes to a protocol's raw handlers. */
  role: 'http' | 'raw';
  /** For raw: the protocol (or its name on the vhost) to bind. */
  protocol?: Protocol | string | undefined;
}

function rxFailed(wsi: Wsi, err: unknown): void {
  log.err(`wsi ${wsi.id}: ${wsi.role.name} rx failed: ${String(err)}`);
  if (err instanceof Error && err.stack) log.debug(err.stack);
  wsi.destroy();
}

/**
 * A transport's events, routed to the wsi's current role. One object with
 * prototype methods per connection (not four closures): idle connections
 * are counted in thousands.
 */
class WsiTransportHandlers implements TransportHandlers {
  readonly #wsi: Wsi;
  readonly #t: Transport;

  constructor(wsi: Wsi, t: Transport) {
    this.#wsi = wsi;
    this.#t = t;
  }

  data(b: Buffer): void {
    const wsi = this.#wsi;
    try {
      wsi.role.rx(wsi, b);
    } catch (err) {
      rxFailed(wsi, err);
    }
  }

  dataView(view: Buffer, own: boolean): ViewUse {
    const wsi = this.#wsi;
    const role = wsi.role;
    if (!role.rxView) return ViewUse.Declined;
    try {
      return role.rxView(wsi, view, own) ?? ViewUse.Done;
    } catch (err) {
      rxFailed(wsi, err);
      return own ? ViewUse.Kept : ViewUse.Done; // views may have been kept before the throw
    }
  }

  drain(): void {
    this.#wsi.onDrain();
  }

  end(): void {
    const wsi = this.#wsi;
    if (wsi.role.peerEnded) wsi.role.peerEnded(wsi);
    else this.#t.end();
  }

  close(error?: Error): void {
    const wsi = this.#wsi;
    try {
      wsi.role.closed(wsi, error);
    } finally {
      wsi.finalize();
    }
  }
}

/** Route a transport's events to the wsi's current role. */
export function wireTransport(wsi: Wsi, t: Transport): void {
  t.setHandlers(new WsiTransportHandlers(wsi, t));
}

/**
 * Adopt a connected socket into a context.
 *
 * @example
 * ```ts
 * netServer.on('connection', (s) => adoptSocket(context, s, { vhosts: [context.vhosts[0]], role: 'http' }));
 * ```
 */
export function adoptSocket(owner: WsiOwner, sock: Socket, opts: AdoptOptions): Wsi {
  const vhost = opts.vhosts[0];
  if (!vhost) throw new TypeError('Cannot adopt socket: no vhost given');
  const transport = new SocketTransport(sock);
  const wsi = new Wsi({ owner, vhost, transport, role: rawRole });
  if (opts.role === 'raw') {
    const p = typeof opts.protocol === 'string' ? vhost.protocol(opts.protocol) : (opts.protocol ?? vhost.protocols[0]);
    if (!p) {
      sock.destroy();
      wsi.finalize();
      throw new TypeError(`Cannot adopt socket as raw: vhost "${vhost.name}" has no protocol ${opts.protocol ? `"${String(opts.protocol)}"` : ''}`.trim());
    }
    wsi.bindProtocol(p);
    wsi.roleData = { closing: false };
    wireTransport(wsi, transport);
    startRaw(wsi);
  } else {
    wireTransport(wsi, transport);
    startH1Server(wsi, opts.vhosts);
  }
  // the guard spares each connection a getpeername and the address Node then keeps
  if (logEnabled(LogLevel.INFO)) log.info(`wsi ${wsi.id}: adopted ${opts.role} from ${transport.remoteAddress ?? 'unix'}`);
  return wsi;
}
