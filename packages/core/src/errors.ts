/*
 * The one error class of @lws/core and its stable codes. Every code is listed,
 * with its message and wire consequence, in packages/core/ERRORS.md.
 * Callers branch on `err.code`, never on `instanceof` (two copies of the
 * package in one tree break `instanceof`).
 */

/** WebSocket close codes (RFC 6455 §7.4.1) used by the ws role. */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  UnsupportedData: 1003,
  NoStatus: 1005,
  Abnormal: 1006,
  InvalidPayload: 1007,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  MandatoryExtension: 1010,
  InternalError: 1011,
  TlsHandshake: 1015,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** HTTP/2 error codes (RFC 9113 §7). */
export const H2Error = {
  NoError: 0x0,
  ProtocolError: 0x1,
  InternalError: 0x2,
  FlowControlError: 0x3,
  SettingsTimeout: 0x4,
  StreamClosed: 0x5,
  FrameSizeError: 0x6,
  RefusedStream: 0x7,
  Cancel: 0x8,
  CompressionError: 0x9,
  ConnectError: 0xa,
  EnhanceYourCalm: 0xb,
  InadequateSecurity: 0xc,
  Http11Required: 0xd,
} as const;
export type H2Error = (typeof H2Error)[keyof typeof H2Error];

/*
 * Each role keeps its codes in its own block so parallel work on roles does
 * not collide. Format: LWS_ERR_<ROLE>_<WHAT>.
 */

/** Core: context, vhosts, listening, timers, API misuse at runtime. */
export type CoreErrorCode =
  | 'LWS_ERR_CORE_LISTEN'
  | 'LWS_ERR_CORE_TLS_CONFIG'
  | 'LWS_ERR_CORE_DESTROYED'
  | 'LWS_ERR_CORE_TIMEOUT'
  | 'LWS_ERR_CORE_HANDLER_THREW'
  | 'LWS_ERR_CORE_CONNECT';

/** HTTP/1.1 parser and serializer (roles/h1). */
export type H1ErrorCode =
  | 'LWS_ERR_H1_BAD_REQUEST'
  | 'LWS_ERR_H1_START_LINE_TOO_LONG'
  | 'LWS_ERR_H1_BAD_REQUEST_LINE'
  | 'LWS_ERR_H1_BAD_METHOD'
  | 'LWS_ERR_H1_METHOD_TOO_LONG'
  | 'LWS_ERR_H1_BAD_TARGET'
  | 'LWS_ERR_H1_BAD_VERSION'
  | 'LWS_ERR_H1_VERSION_NOT_SUPPORTED'
  | 'LWS_ERR_H1_BAD_STATUS_LINE'
  | 'LWS_ERR_H1_BARE_CR'
  | 'LWS_ERR_H1_BARE_LF'
  | 'LWS_ERR_H1_HEADERS_TOO_LARGE'
  | 'LWS_ERR_H1_TOO_MANY_HEADERS'
  | 'LWS_ERR_H1_BAD_HEADER_NAME'
  | 'LWS_ERR_H1_HEADER_WHITESPACE'
  | 'LWS_ERR_H1_OBS_FOLD'
  | 'LWS_ERR_H1_BAD_HEADER_VALUE'
  | 'LWS_ERR_H1_MISSING_HOST'
  | 'LWS_ERR_H1_DUPLICATE_HOST'
  | 'LWS_ERR_H1_BAD_HOST'
  | 'LWS_ERR_H1_BAD_CONTENT_LENGTH'
  | 'LWS_ERR_H1_CONFLICTING_CONTENT_LENGTH'
  | 'LWS_ERR_H1_CONTENT_LENGTH_WITH_TE'
  | 'LWS_ERR_H1_BAD_TRANSFER_ENCODING'
  | 'LWS_ERR_H1_UNSUPPORTED_TRANSFER_ENCODING'
  | 'LWS_ERR_H1_BODY_TOO_LARGE'
  | 'LWS_ERR_H1_BAD_CHUNK_SIZE'
  | 'LWS_ERR_H1_BAD_CHUNK_EXTENSION'
  | 'LWS_ERR_H1_CHUNK_EXTENSION_TOO_LONG'
  | 'LWS_ERR_H1_BAD_CHUNK_END'
  | 'LWS_ERR_H1_TRAILERS_TOO_LARGE'
  | 'LWS_ERR_H1_TOO_MANY_TRAILERS'
  | 'LWS_ERR_H1_INCOMPLETE_MESSAGE';

/** WebSocket role (roles/ws). */
export type WsErrorCode =
  | 'LWS_ERR_WS_PROTOCOL'
  | 'LWS_ERR_WS_RSV_BITS'
  | 'LWS_ERR_WS_OPCODE'
  | 'LWS_ERR_WS_CONTROL_TOO_LONG'
  | 'LWS_ERR_WS_CONTROL_FRAGMENTED'
  | 'LWS_ERR_WS_UNEXPECTED_CONTINUATION'
  | 'LWS_ERR_WS_EXPECTED_CONTINUATION'
  | 'LWS_ERR_WS_MASK_REQUIRED'
  | 'LWS_ERR_WS_MASK_UNEXPECTED'
  | 'LWS_ERR_WS_LENGTH_INVALID'
  | 'LWS_ERR_WS_FRAME_TOO_BIG'
  | 'LWS_ERR_WS_MESSAGE_TOO_BIG'
  | 'LWS_ERR_WS_INVALID_UTF8'
  | 'LWS_ERR_WS_CLOSE_PAYLOAD'
  | 'LWS_ERR_WS_CLOSE_CODE'
  | 'LWS_ERR_WS_INFLATE'
  | 'LWS_ERR_WS_HANDSHAKE_METHOD'
  | 'LWS_ERR_WS_HANDSHAKE_UPGRADE'
  | 'LWS_ERR_WS_HANDSHAKE_CONNECTION'
  | 'LWS_ERR_WS_HANDSHAKE_VERSION'
  | 'LWS_ERR_WS_HANDSHAKE_KEY'
  | 'LWS_ERR_WS_HANDSHAKE_PROTOCOL'
  | 'LWS_ERR_WS_HANDSHAKE_EXTENSION'
  | 'LWS_ERR_WS_HANDSHAKE_STATUS'
  | 'LWS_ERR_WS_HANDSHAKE_ACCEPT'
  | 'LWS_ERR_WS_HANDSHAKE_ORIGIN'
  | 'LWS_ERR_WS_HANDSHAKE_REFUSED';

/** HTTP layer: mounts, static files (http/). */
export type HttpErrorCode =
  | 'LWS_ERR_HTTP_NOT_FOUND'
  | 'LWS_ERR_HTTP_BAD_PATH'
  | 'LWS_ERR_HTTP_PATH_ESCAPE'
  | 'LWS_ERR_HTTP_SYMLINK_ESCAPE'
  | 'LWS_ERR_HTTP_FORBIDDEN'
  | 'LWS_ERR_HTTP_FILESYSTEM'
  | 'LWS_ERR_HTTP_RANGE_NOT_SATISFIABLE'
  | 'LWS_ERR_HTTP_PRECONDITION_FAILED';

/** Forms (http/spa.ts, urlencoded.ts, multipart.ts): lws_spa. */
export type SpaErrorCode =
  | 'LWS_ERR_SPA_CONTENT_TYPE'
  | 'LWS_ERR_SPA_BAD_BOUNDARY'
  | 'LWS_ERR_SPA_BAD_ENCODING'
  | 'LWS_ERR_SPA_BODY_TOO_LARGE'
  | 'LWS_ERR_SPA_FIELD_TOO_LARGE'
  | 'LWS_ERR_SPA_FILE_TOO_LARGE'
  | 'LWS_ERR_SPA_TOO_MANY_FIELDS'
  | 'LWS_ERR_SPA_UNKNOWN_FIELD'
  | 'LWS_ERR_SPA_PART_HEADERS_TOO_LARGE'
  | 'LWS_ERR_SPA_BAD_PART_HEADER'
  | 'LWS_ERR_SPA_BAD_DISPOSITION'
  | 'LWS_ERR_SPA_BAD_DELIMITER'
  | 'LWS_ERR_SPA_MISSING_FINAL_BOUNDARY'
  | 'LWS_ERR_SPA_SAVE';

/** HTTP/1.1 client (roles/h1/client*.ts, http/client-*.ts). */
export type H1ClientErrorCode =
  | 'LWS_ERR_H1_CLIENT_HEADERS_TIMEOUT'
  | 'LWS_ERR_H1_CLIENT_IDLE_TIMEOUT'
  | 'LWS_ERR_H1_CLIENT_CLOSED'
  | 'LWS_ERR_H1_CLIENT_UNSOLICITED'
  | 'LWS_ERR_H1_CLIENT_UPGRADE'
  | 'LWS_ERR_H1_CLIENT_QUEUE_FULL'
  | 'LWS_ERR_H1_CLIENT_BODY_LENGTH'
  | 'LWS_ERR_H1_CLIENT_BODY_SOURCE'
  | 'LWS_ERR_H1_CLIENT_BODY_TOO_LARGE'
  | 'LWS_ERR_H1_CLIENT_REDIRECT';

/** Worker-thread pool (misc/threadpool.ts): lws_threadpool. */
export type ThreadpoolErrorCode =
  | 'LWS_ERR_THREADPOOL_QUEUE_FULL'
  | 'LWS_ERR_THREADPOOL_TASK_FAILED'
  | 'LWS_ERR_THREADPOOL_STUCK'
  | 'LWS_ERR_THREADPOOL_DESTROYED';

export type LwsErrorCode = CoreErrorCode | H1ErrorCode | WsErrorCode | HttpErrorCode | SpaErrorCode | H1ClientErrorCode | ThreadpoolErrorCode;

/** What a failure means on the wire: the close code, HTTP status or h2 error to send. */
export interface LwsWire {
  closeCode?: CloseCode;
  status?: number;
  h2Error?: H2Error;
}

/**
 * The error class for every failure @lws/core reports.
 *
 * @example
 * ```ts
 * const err = new LwsError('LWS_ERR_H1_BAD_REQUEST', 'Cannot parse request line: no space', { status: 400 });
 * if (err.code === 'LWS_ERR_H1_BAD_REQUEST') respond(err.wire.status);
 * ```
 */
export class LwsError extends Error {
  readonly code: LwsErrorCode;
  readonly wire: LwsWire;
  constructor(code: LwsErrorCode, message: string, wire: LwsWire = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LwsError';
    this.code = code;
    this.wire = wire;
  }
}
