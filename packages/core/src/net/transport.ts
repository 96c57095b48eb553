/*
 * The platform seam (lws "plat"): a byte transport the roles read and write.
 * Only net/ touches node:net and node:tls; roles see this interface, so
 * unit tests run roles over a memory pipe and h2 streams can supply their own.
 */
import type { PeerCertificate } from 'node:tls';

/** Callbacks a wsi installs on its transport. */
export interface TransportHandlers {
  data(chunk: Buffer): void;
  /**
   * Optional: bytes in the transport's own read buffer, valid only during
   * this call (the next read overwrites them); a handler that keeps any
   * copies them. Return false to be given them through data() instead, as
   * a Buffer of its own.
   */
  dataView?(view: Buffer): boolean;
  /** The write buffer drained below its high-water mark: output may resume. */
  drain(): void;
  /** The peer half-closed (FIN). */
  end(): void;
  /** Fully closed; `error` is set when it died of one. */
  close(error?: Error): void;
}

/** TLS facts after the handshake, for handlers and logs. */
export interface TransportTlsInfo {
  alpnProtocol: string | false;
  servername: string | undefined;
  authorized: boolean;
  peerCertificate: PeerCertificate | undefined;
  protocol: string | null;
}

export interface Transport {
  /** Queue bytes; false means the buffer passed its high-water mark: wait for `drain`. */
  write(chunk: Uint8Array): boolean;
  /** True between a `write` that returned false and the next `drain`. */
  readonly needDrain: boolean;
  /** Hold writes until `uncork`, then send them together (one writev); optional. */
  cork?(): void;
  uncork?(): void;
  /** Bytes queued in the transport but not yet sent. */
  readonly bufferedAmount: number;
  pauseRead(): void;
  resumeRead(): void;
  /** Half-close after flushing queued output. */
  end(): void;
  /** Close now, discarding queued output. */
  destroy(): void;
  readonly destroyed: boolean;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly tls: TransportTlsInfo | undefined;
  setHandlers(h: TransportHandlers): void;
}
