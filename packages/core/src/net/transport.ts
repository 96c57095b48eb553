/*
 * The platform seam (lws "plat"): a byte transport the roles read and write.
 * Only net/ touches node:net and node:tls; roles see this interface, so
 * unit tests run roles over a memory pipe and h2 streams can supply their own.
 */
import type { PeerCertificate } from 'node:tls';

/**
 * What a dataView handler did with a read in the transport's buffer.
 * - Declined: give it to me through data() instead, as a Buffer of its own.
 * - Done: handled; nothing of the buffer was kept.
 * - Kept: handled, and views of it were kept (only when the buffer was the
 *   connection's own): the transport reads the next into a new buffer.
 * - Large: handled, nothing kept, but it carried large payloads that a
 *   buffer of the connection's own would have let the handler keep as
 *   views instead of copies: the next reads may go to one.
 */
export const ViewUse = { Declined: 0, Done: 1, Kept: 2, Large: 3 } as const;
export type ViewUse = (typeof ViewUse)[keyof typeof ViewUse];

/** Callbacks a wsi installs on its transport. */
export interface TransportHandlers {
  data(chunk: Buffer): void;
  /**
   * Optional: bytes in one of the transport's read buffers, offered
   * without a copy. `own` false: the buffer is shared by every connection
   * and the next read anywhere overwrites it, so whatever the handler keeps
   * it copies. `own` true: the buffer is this connection's alone and the
   * handler may keep views of it (answering Kept). See ViewUse.
   */
  dataView?(view: Buffer, own: boolean): ViewUse;
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

/**
 * Several pieces in one send: corked (one writev, each piece by reference)
 * where the transport can, else joined into one buffer.
 *
 * @example
 * ```ts
 * writeAll(wsi.transport, [frameHeader, payload]);
 * ```
 */
export function writeAll(t: Transport, pieces: readonly Uint8Array[]): void {
  if (pieces.length === 1) {
    t.write(pieces[0]!);
    return;
  }
  if (!t.cork || !t.uncork) {
    t.write(Buffer.concat(pieces));
    return;
  }
  t.cork();
  for (const b of pieces) t.write(b);
  t.uncork();
}
