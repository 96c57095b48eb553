/*
 * The role interface (lws role_ops): what a wsi delegates to whichever
 * protocol engine currently owns it. A wsi changes role by swapping its ops
 * (h1 -> ws on upgrade, anything -> raw on adoption); an h2 network wsi's
 * role creates child wsi for its streams.
 */
import type { Wsi } from '../context/wsi.js';
import type { HttpResponseHead } from '../http/response.js';
import type { ViewUse } from '../net/transport.js';

/** What `wsi.write` is sending: lws's LWS_WRITE_* kinds. */
export type WriteKind = 'text' | 'binary' | 'continuation' | 'http' | 'http-final' | 'raw' | 'ping' | 'pong';

/** Options for a ws message write that is split into fragments. */
export interface WriteOptions {
  /** For ws fragments: is this the first fragment of a message? Default true. */
  first?: boolean;
  /** For ws fragments: is this the last fragment of a message? Default true. */
  final?: boolean;
}

export interface RoleOps {
  /** lws role name, for logs and tests. */
  readonly name: string;
  /** Bytes arrived from the transport. */
  rx(wsi: Wsi, chunk: Buffer): void;
  /**
   * Optional: bytes arrived in one of the transport's read buffers (see
   * TransportHandlers.dataView): with `own` false valid only during this
   * call, so the role copies whatever it keeps; with `own` true the role
   * may keep views and says so (ViewUse.Kept). Returning nothing means
   * Done. Roles without it get an owned copy through rx().
   */
  rxView?(wsi: Wsi, view: Buffer, own: boolean): ViewUse | void;
  /** The transport can take output and the protocol asked for it: call the right protocol handler. */
  writeable(wsi: Wsi): void;
  /** Send application data in this role's framing. Returns false if the write was refused. */
  write(wsi: Wsi, data: Uint8Array, kind: WriteKind, opts?: WriteOptions): boolean;
  /** Start an http response (h1 status line + headers; h2 HEADERS later). */
  respond?(wsi: Wsi, head: HttpResponseHead): boolean;
  /** Close politely in this role's way (ws close frame, finishing a response) or at once. */
  close(wsi: Wsi, code?: number, reason?: string): void;
  /** The transport is gone: tell the protocol, release role state. */
  closed(wsi: Wsi, error?: Error): void;
  /** The peer half-closed its side. */
  peerEnded?(wsi: Wsi): void;
  /** rxFlowControl(true) re-enabled reading: deliver what was held back while paused. */
  rxResumed?(wsi: Wsi): void;
  /**
   * Writeable callbacks a wsi of this role may get back to back, with the
   * transport corked so their writes leave in one syscall, while the
   * protocol keeps asking and the transport takes more (ws: many small
   * messages). Default 1: one callback per turn of the event loop.
   */
  readonly writeBurst?: number;
}
