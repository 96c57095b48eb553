/*
 * Transport over a node:net Socket or node:tls TLSSocket (tcp, unix, tls).
 */
import { Socket, type SocketConstructorOpts } from 'node:net';
import { TLSSocket } from 'node:tls';
import { ViewUse, type Transport, type TransportHandlers, type TransportTlsInfo } from './transport.js';

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
 * A handler that can work on borrowed bytes (dataView: the ws and h1
 * parsers) gets a view of the buffer; anything else gets each read copied
 * out, and may keep it, as with 'data'. Small copies land in Node's pool.
 *
 * Which buffer: every such socket shares one (reads arrive one at a time on
 * the loop thread), and the handler copies what it keeps of it. While a
 * connection's reads carry large payloads (ws frames of 16 KiB and more,
 * see the frame parser) it reads into a buffer of its own instead, and the
 * handler keeps views of those payloads rather than copies; once it has,
 * the bytes it read are left to them and the next read goes to the
 * buffer's unused end (while at least 32 KiB of it is left) or to a new
 * buffer (as Node does for every read without `onread`). The first read
 * without large payloads sends the connection back to the shared buffer.
 * At most `ownBufferLimit` connections hold one at a time (64 KiB each;
 * ContextOptions.ownReadBuffers, default 256: 16 MiB), so idle connections
 * that last moved large messages cannot pile them up; past that, reads are
 * shared and copied as before. Node asks `onread.buffer` (a function) for
 * the next buffer right after each callback, on Node 20 to 24; the
 * callback leaves its answer in `nextRead`.
 */
const READ_BUFFER_BYTES = 64 * 1024;
/** Default of how many connections may read into a buffer of their own at once (see above). */
export const DEFAULT_OWN_READ_BUFFERS = 256;
/** An own buffer's unused end takes the next read when it has room for at least this much. */
const MIN_TAIL_BYTES = 32 * 1024;
let ownBufferLimit = DEFAULT_OWN_READ_BUFFERS;
let ownBuffers = 0;
let readBuffer: Buffer | undefined;
/** The buffer for the next read of the socket whose callback ran last (the shared one unless it decided otherwise). */
let nextRead: Buffer | undefined;
const kOwnRead = Symbol('lws.ownRead');
type OwnReadSocket = TransportSocket & { [kOwnRead]?: true };

function onOwnRead(this: Socket, n: number, buf: Buffer): void {
  nextRead = readBuffer; // the safe answer, should anything below throw
  const t = (this as TransportSocket)[kTransport];
  if (t) {
    nextRead = SocketTransport.read(t, buf, n);
    return;
  }
  const chunk = Buffer.allocUnsafe(n);
  buf.copy(chunk, 0, 0, n);
  route(this, 'data', chunk);
}

/** @internal How many connections read into a buffer of their own now (at most the limit). */
export function ownReadBuffers(): number {
  return ownBuffers;
}

/**
 * @internal Process-wide: how many connections may hold a read buffer of
 * their own (64 KiB each) at once; 0 turns own buffers off. Connections
 * holding one keep it until their next read without large frames.
 */
export function setOwnReadBufferLimit(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`Cannot set ownReadBuffers: ${n} is not a non-negative integer`);
  ownBufferLimit = n;
}

/** @internal The limit setOwnReadBufferLimit() set. */
export function ownReadBufferLimit(): number {
  return ownBufferLimit;
}

function nextReadBuffer(): Buffer {
  const b = nextRead ?? (readBuffer ??= Buffer.allocUnsafe(READ_BUFFER_BYTES));
  nextRead = readBuffer;
  return b;
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

/*
 * Node keeps a socket's `onread` settings under three symbols that every
 * net.Socket carries from its constructor (null when unused), on Node 20 to
 * 24 alike: kBuffer (the buffer for the next read), kBufferCb (the
 * callback) and kBufferGen (the function asked for each next buffer). Where
 * they are found, an accepted socket is switched to our reads in place, as
 * the constructor would have set it up; that saves building a second Socket
 * per connection (about 4.5 KB allocated per accept). Anywhere else, the
 * handle moves to a new Socket made with the documented `onread` option.
 */
interface OnreadKeys {
  buffer: symbol;
  callback: symbol;
  gen: symbol;
}
let onreadKeys: OnreadKeys | null | undefined;
let inPlace = true;

function findOnreadKeys(): OnreadKeys | null {
  const byName = new Map<string | undefined, symbol>();
  for (const k of Object.getOwnPropertySymbols(new Socket())) byName.set(k.description, k);
  const buffer = byName.get('kBuffer');
  const callback = byName.get('kBufferCb');
  const gen = byName.get('kBufferGen');
  return buffer && callback && gen ? { buffer, callback, gen } : null;
}

/** @internal Tests: false makes ownReads() always build a new Socket (the fallback path). */
export function setOwnReadsInPlace(on: boolean): void {
  inPlace = on;
}

/**
 * Turn a plain TCP or unix socket accepted with `pauseOnConnect` into one
 * read through `onread` (above): the same socket, switched in place, or a
 * new one that owns the same handle and is counted by the same server.
 * Anything unexpected (a TLS socket, a handle without user-buffer reads, a
 * socket already reading) returns the socket as it was, which reads through
 * 'data' as usual.
 */
export function ownReads(sock: Socket): Socket {
  const s = sock as HandleSocket;
  const handle = s._handle;
  if (sock instanceof TLSSocket || !handle || typeof handle.useUserBuffer !== 'function' || sock.readableFlowing !== false) {
    if (sock.isPaused()) sock.resume();
    return sock;
  }
  readBuffer ??= Buffer.allocUnsafe(READ_BUFFER_BYTES);
  nextRead = readBuffer; // the socket asks for its first buffer now
  if (onreadKeys === undefined) onreadKeys = findOnreadKeys();
  const keys = inPlace ? onreadKeys : null;
  if (keys !== null) {
    const o = s as unknown as Record<symbol, unknown>;
    if (o[keys.buffer] === null && o[keys.callback] === null && o[keys.gen] === null) {
      const first = nextReadBuffer();
      o[keys.buffer] = first;
      o[keys.gen] = nextReadBuffer;
      o[keys.callback] = onOwnRead;
      handle.useUserBuffer(first);
      (s as OwnReadSocket)[kOwnRead] = true;
      return s;
    }
  }
  s._handle = null; // the old socket object is dropped without closing the handle it no longer owns
  const own = new Socket({
    handle,
    allowHalfOpen: sock.allowHalfOpen,
    readable: true,
    writable: true,
    pauseOnCreate: true,
    onread: { buffer: nextReadBuffer, callback: onOwnRead },
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
  /** This connection's own read buffer, while it has one (see onOwnRead). */
  #ownBuffer: Buffer | undefined;
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

  /**
   * @internal `n` bytes read into `buf` (the shared buffer or this
   * connection's own), offered to the handlers' dataView or copied for
   * data(); returns the buffer for this connection's next read.
   */
  static read(t: SocketTransport, buf: Buffer, n: number): Buffer {
    const h = t.#h;
    const own = buf === t.#ownBuffer;
    const use = h.dataView !== undefined ? h.dataView(buf.subarray(0, n), own) : ViewUse.Declined;
    if (use === ViewUse.Declined) {
      const chunk = Buffer.allocUnsafe(n);
      buf.copy(chunk, 0, 0, n);
      h.data(chunk);
    } else if (use === ViewUse.Kept || use === ViewUse.Large) {
      if (use === ViewUse.Large && own) return buf; // nothing of it was kept
      const holds = t.#ownBuffer !== undefined;
      if (holds || ownBuffers < ownBufferLimit) {
        if (!holds) ownBuffers++;
        // what this read left unused of its own buffer takes the next read, while it is large enough
        const next = own && buf.length - n >= MIN_TAIL_BYTES ? buf.subarray(n) : Buffer.allocUnsafe(READ_BUFFER_BYTES);
        t.#ownBuffer = next;
        return next;
      }
    }
    t.#dropOwnBuffer();
    return readBuffer ?? buf;
  }

  #dropOwnBuffer(): void {
    if (this.#ownBuffer === undefined) return;
    this.#ownBuffer = undefined;
    ownBuffers--;
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
        t.#dropOwnBuffer();
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
