/*
 * Transport over a node:net Socket or node:tls TLSSocket (tcp, unix, tls).
 */
import { Socket, type SocketConstructorOpts } from 'node:net';
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

/*
 * Reading without the stream machinery. Node's documented `onread` socket
 * option has libuv read straight into a buffer we own and calls us with the
 * byte count: no Readable push, no 'data' event, no ArrayBuffer per read.
 * Every such socket shares one buffer (reads arrive one at a time on the
 * loop thread). A handler that can work on borrowed bytes (dataView: the
 * ws parser, which copies only what it keeps) gets a view of it; anything
 * else gets each read copied out, and may keep it, as with 'data'. Small
 * copies land in Node's Buffer pool.
 */
const READ_BUFFER_BYTES = 64 * 1024;
let readBuffer: Buffer | undefined;
const kOwnRead = Symbol('lws.ownRead');
type OwnReadSocket = TransportSocket & { [kOwnRead]?: true };

function onOwnRead(this: Socket, n: number, buf: Buffer): void {
  const t = (this as TransportSocket)[kTransport];
  if (t && SocketTransport.lend(t, buf.subarray(0, n))) return;
  const chunk = Buffer.allocUnsafe(n);
  buf.copy(chunk, 0, 0, n);
  route(this, 'data', chunk);
}

/** The parts of a socket's handle this module relies on. */
interface StreamHandle {
  reading: boolean;
  readStart(): number;
  readStop(): number;
  useUserBuffer(b: Uint8Array): void;
}

/*
 * Reading on and off for such a socket goes to its handle, as Node's own
 * tryReadStart does: the Readable's pause/resume would do it too, but a
 * resume defers a read(0) that restarts reading even if a pause came after.
 */
function setReading(sock: Socket, on: boolean): void {
  const h = (sock as HandleSocket)._handle;
  if (!h || h.reading === on || sock.destroyed) return;
  h.reading = on;
  const err = on ? h.readStart() : h.readStop();
  if (err) sock.destroy(new Error(`socket read ${on ? 'start' : 'stop'} failed (${err})`));
}
type HandleSocket = Socket & { _handle: StreamHandle | null; server?: unknown; _server?: unknown };

/**
 * Turn a plain TCP or unix socket accepted with `pauseOnConnect` into one
 * read through `onread` (above). The new socket owns the same handle and is
 * counted by the same server. Anything unexpected (a TLS socket, a handle
 * without user-buffer reads, a socket already reading) returns the socket
 * as it was, which reads through 'data' as usual.
 */
export function ownReads(sock: Socket): Socket {
  const s = sock as HandleSocket;
  const handle = s._handle;
  if (sock instanceof TLSSocket || !handle || typeof handle.useUserBuffer !== 'function' || sock.readableFlowing !== false) {
    if (sock.isPaused()) sock.resume();
    return sock;
  }
  readBuffer ??= Buffer.allocUnsafe(READ_BUFFER_BYTES);
  s._handle = null; // the old socket object is dropped without closing the handle it no longer owns
  const own = new Socket({
    handle,
    allowHalfOpen: sock.allowHalfOpen,
    readable: true,
    writable: true,
    pauseOnCreate: true,
    onread: { buffer: readBuffer, callback: onOwnRead },
  } as SocketConstructorOpts) as HandleSocket;
  own.server = s.server;
  own._server = s._server; // so the server counts this socket's close, as it would have the old one's
  (own as OwnReadSocket)[kOwnRead] = true;
  return own;
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
  #readPaused = false;
  /** Read through ownReads(): reading is switched on the handle. */
  readonly #ownRead: boolean;
  #error: Error | undefined;

  constructor(sock: Socket) {
    this.#sock = sock;
    this.#ownRead = (sock as OwnReadSocket)[kOwnRead] === true;
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
    if (!first) return;
    if (!this.#ownRead) this.#sock.on('data', onData);
    else if (!this.#readPaused) setReading(this.#sock, true);
  }

  /** @internal a read in the shared buffer, offered to the handlers' dataView; false: copy it */
  static lend(t: SocketTransport, view: Buffer): boolean {
    const h = t.#h;
    return h.dataView !== undefined && h.dataView(view);
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
    this.#readPaused = true;
    if (this.#ownRead) setReading(this.#sock, false);
    else this.#sock.pause();
  }

  resumeRead(): void {
    if (!this.#readPaused) return; // the h1 role asks after every request
    this.#readPaused = false;
    if (this.#ownRead) setReading(this.#sock, true);
    else this.#sock.resume();
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
