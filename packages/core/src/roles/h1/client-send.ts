/*
 * Sending h1 client requests: the head, then the body as a whole buffer,
 * pulled from a ClientBodySource one piece per writeable callback, or
 * written by the protocol's clientHttpWriteable, framed by Content-Length
 * (checked: no more, no less) or chunked (RFC 9112 §7.1).
 */
import { log, logEnabled, LogLevel } from '../../context/log.js';
import { LwsError } from '../../errors.js';
import { fail, pump, type Conn, type Txn } from './client.js';
import { encodeChunk, LAST_CHUNK } from './serializer.js';

const EMPTY = Buffer.alloc(0);
/** Bodies up to this size leave in the same write as the head. */
const COALESCE_MAX = 16384;

/** Write the request head, and a whole-buffer body with it; ask for writeables for other bodies. */
export function sendHead(conn: Conn, t: Txn): void {
  const tr = conn.net.transport;
  conn.parser.expectResponse(t.method);
  t.headSent = true;
  if (logEnabled(LogLevel.CLIENT)) log.client(`wsi ${t.wsi.id}: ${t.method} request sent on wsi ${conn.net.id}`);
  const plan = t.plan;
  if (plan.kind === 'none' || (plan.kind === 'buffer' && plan.data.length === 0)) {
    tr.write(t.head);
    t.sent = true;
    return pump(conn);
  }
  if (plan.kind === 'buffer') {
    tr.write(plan.data.length <= COALESCE_MAX ? Buffer.concat([t.head, plan.data]) : t.head);
    if (plan.data.length > COALESCE_MAX) tr.write(plan.data);
    t.sent = true;
    return pump(conn);
  }
  tr.write(t.head);
  t.remaining = plan.length;
  t.wsi.callbackOnWritable();
}

/** A writeable callback for the txn sending its body. */
export function bodyWriteable(conn: Conn, t: Txn): void {
  if (!t.headSent || t.sent || conn.closing) return;
  if (t.plan.kind === 'source') return driveSource(conn, t);
  const p = t.wsi.protocol;
  if (p?.clientHttpWriteable) t.wsi.invoke(() => p.clientHttpWriteable?.(t.wsi, t.wsi.pss));
}

function driveSource(conn: Conn, t: Txn): void {
  const piece = t.piece;
  if (piece === undefined) {
    if (!t.pulling) pull(conn, t);
    return;
  }
  t.piece = undefined;
  if (piece === null) return void writeBody(conn, t, EMPTY, true);
  if (writeBody(conn, t, piece, false) && !t.sent) pull(conn, t);
}

function pull(conn: Conn, t: Txn): void {
  if (t.plan.kind !== 'source') return;
  t.pulling = true;
  t.plan.source.pull(conn.opts.bodyPieceBytes).then(
    (piece) => {
      t.pulling = false;
      if (conn.closing || t.done) return;
      t.piece = piece && piece.length === 0 ? null : piece;
      t.wsi.callbackOnWritable();
    },
    (cause: unknown) => {
      t.pulling = false;
      const msg = cause instanceof Error ? cause.message : String(cause);
      fail(conn, new LwsError('LWS_ERR_H1_CLIENT_BODY_SOURCE', `Cannot send request body: source failed: ${msg}`, {}, { cause }));
    },
  );
}

/** Frame and send body bytes for `t`; false when refused (the connection then fails). */
export function writeBody(conn: Conn, t: Txn, data: Uint8Array, final: boolean): boolean {
  if (!t.headSent || t.sent || conn.closing || t.plan.kind === 'none' || t.plan.kind === 'buffer') return false;
  const tr = conn.net.transport;
  if (t.plan.chunked) {
    if (data.length > 0) tr.write(Buffer.concat(encodeChunk(data)));
    if (final) tr.write(LAST_CHUNK);
  } else {
    const len = t.plan.length;
    if (data.length > t.remaining) {
      fail(conn, new LwsError('LWS_ERR_H1_CLIENT_BODY_LENGTH', `Cannot send request body: ${len - t.remaining + data.length} bytes written, Content-Length is ${len}`));
      return false;
    }
    t.remaining -= data.length;
    if (data.length > 0) tr.write(data);
    if (final && t.remaining > 0) {
      fail(conn, new LwsError('LWS_ERR_H1_CLIENT_BODY_LENGTH', `Cannot send request body: ended after ${len - t.remaining} bytes, Content-Length is ${len}`));
      return false;
    }
    final ||= t.remaining === 0;
  }
  if (final) {
    t.sent = true;
    pump(conn);
  }
  return true;
}
