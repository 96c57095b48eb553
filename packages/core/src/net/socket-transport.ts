/*
 * Transport over a node:net Socket or node:tls TLSSocket (tcp, unix, tls).
 */
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { Transport, TransportHandlers, TransportTlsInfo } from './transport.js';

const noop = (): void => {};
const NO_HANDLERS: TransportHandlers = { data: noop, drain: noop, end: noop, close: noop };

/*
 * The socket listeners are shared functions, not closures per connection:
 * EventEmitter calls them with the socket as `this`, which carries its
 * transport under a symbol. Idle connections are counted in thousands.
 */
const kTransport = Symbol('lws.transport');
type TransportSocket = Socket & { [kTransport]?: SocketTransport };

function route(sock: Socket, what: 'data' | 'drain' | 'end' | 'error' | 'close', arg?: unknown): void {
  const t = (sock as TransportSocket)[kTransport];
  if (t) SocketTransport.event(t, what, arg);
}
function onData(this: Socket, b: Buffer): void {
  route(this, 'data', b);
}
function onDrain(this: Socket): void {
  route(this, 'drain');
}
function onEnd(this: Socket): void {
  route(this, 'end');
}
function onError(this: Socket, err: Error): void {
  route(this, 'error', err);
}
function onClose(this: Socket): void {
  route(this, 'close');
}

/**
 * Wrap an accepted or connected socket. Reading starts when handlers are set.
 *
 * @example
 * ```ts
 * const t = new SocketTransport(socket);
 * t.setHandlers({ data: (b) => parser.execute(b), drain, end, close });
 * ```
 */
export class SocketTransport implements Transport {
  #sock: Socket;
  #h: TransportHandlers = NO_HANDLERS;
  #needDrain = false;
  #error: Error | undefined;

  constructor(sock: Socket) {
    this.#sock = sock;
    (sock as TransportSocket)[kTransport] = this;
    sock.setNoDelay(true);
    sock.on('drain', onDrain);
    sock.on('end', onEnd);
    sock.on('error', onError);
    sock.on('close', onClose);
  }

  setHandlers(h: TransportHandlers): void {
    const first = this.#h === NO_HANDLERS;
    this.#h = h;
    if (first) this.#sock.on('data', onData);
  }

  /** @internal socket event, routed by the shared listeners below */
  static event(t: SocketTransport, what: 'data' | 'drain' | 'end' | 'error' | 'close', arg?: unknown): void {
    switch (what) {
      case 'data':
        return t.#h.data(arg as Buffer);
      case 'drain':
        t.#needDrain = false;
        return t.#h.drain();
      case 'end':
        return t.#h.end();
      case 'error':
        t.#error = arg as Error;
        return;
      case 'close':
        return t.#h.close(t.#error);
    }
  }

  write(chunk: Uint8Array): boolean {
    if (this.#sock.destroyed) return false;
    const ok = this.#sock.write(chunk);
    if (!ok) this.#needDrain = true;
    return ok;
  }

  cork(): void {
    this.#sock.cork();
  }

  uncork(): void {
    this.#sock.uncork();
  }

  get needDrain(): boolean {
    return this.#needDrain;
  }

  get bufferedAmount(): number {
    return this.#sock.writableLength;
  }

  pauseRead(): void {
    this.#sock.pause();
  }

  resumeRead(): void {
    this.#sock.resume();
  }

  end(): void {
    if (!this.#sock.destroyed) this.#sock.end();
  }

  destroy(): void {
    this.#sock.destroy();
  }

  get destroyed(): boolean {
    return this.#sock.destroyed;
  }

  get remoteAddress(): string | undefined {
    return this.#sock.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.#sock.remotePort;
  }

  get tls(): TransportTlsInfo | undefined {
    const s = this.#sock;
    if (!(s instanceof TLSSocket)) return undefined;
    const cert = s.getPeerCertificate();
    return {
      alpnProtocol: s.alpnProtocol ?? false,
      servername: (s as TLSSocket & { servername?: string }).servername || undefined,
      authorized: s.authorized,
      peerCertificate: cert && Object.keys(cert).length > 0 ? cert : undefined,
      protocol: s.getProtocol(),
    };
  }
}
