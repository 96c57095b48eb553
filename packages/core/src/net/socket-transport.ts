/*
 * Transport over a node:net Socket or node:tls TLSSocket (tcp, unix, tls).
 */
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { Transport, TransportHandlers, TransportTlsInfo } from './transport.js';

const noop = (): void => {};

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
  #h: TransportHandlers = { data: noop, drain: noop, end: noop, close: noop };
  #needDrain = false;
  #error: Error | undefined;

  constructor(sock: Socket) {
    this.#sock = sock;
    sock.setNoDelay(true);
    sock.on('drain', () => {
      this.#needDrain = false;
      this.#h.drain();
    });
    sock.on('end', () => this.#h.end());
    sock.on('error', (err) => {
      this.#error = err;
    });
    sock.on('close', () => this.#h.close(this.#error));
  }

  setHandlers(h: TransportHandlers): void {
    const first = this.#h.data === noop;
    this.#h = h;
    if (first) this.#sock.on('data', (b: Buffer) => this.#h.data(b));
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
