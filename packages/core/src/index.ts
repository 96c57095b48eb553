/*
 * @lws/core public API. Re-exports only; nothing inside the package imports this file.
 */
export { createContext, Context, type ContextOptions } from './context/context.js';
export { Vhost, DEFAULT_HTTP_LIMITS, type VhostOptions, type VhostTlsOptions, type HttpLimits } from './context/vhost.js';
export { Wsi, TimeoutReason } from './context/wsi.js';
export { defineProtocol, type Protocol, type ReceiveInfo, type CloseInfo } from './context/protocol.js';
export { log, LogLevel, setLogLevel, setLogEmitter, logEnabled, DEFAULT_LOG_LEVEL, type LogEmitter } from './context/log.js';
export { Sul, SulScheduler } from './context/sul.js';
export { LwsError, CloseCode, H2Error, type LwsErrorCode, type LwsWire } from './errors.js';
export type { Mount, FileMount, CallbackMount, RedirectMount } from './http/mount.js';
export type { HttpRequest } from './http/request.js';
export type { HttpResponseHead, HeaderList } from './http/response.js';
export type { Transport } from './net/transport.js';
export type { RoleOps, WriteKind, WriteOptions } from './roles/role.js';
export { cmdline } from './misc/cmdline.js';
export { SECURITY_HEADERS, DEFAULT_CSP, mergeHeaders, validateHeader } from './http/security-headers.js';
export { lookupMimetype, DEFAULT_MIMETYPES } from './http/mimetypes.js';
export { FileCache, type FileCacheOptions, type FileInfo } from './http/file-cache.js';
export { LwsRing, type LwsRingReader, type LwsRingOptions, type LwsRingPolicy, type LwsRingReaderOptions } from './misc/ring.js';
export { createMemoryPipe } from './net/memory-pipe.js';
export type { WsVhostOptions, WsProtocolOptions, WsDeflateOptions } from './roles/ws/options.js';
export { wsSubprotocol } from './roles/ws/ops.js';
export type { ClientHttpResponse } from './context/protocol.js';
export type { ClientConnectInfo, ClientTlsOptions, ClientRetry } from './context/connect.js';
export type { H1ClientOptions, ClientBodySource } from './roles/h1/client-options.js';
export { httpRequest, type HttpRequestOptions, type HttpResponse } from './http/client-request.js';
export { MultipartWriter, urlencoded, URLENCODED, type MultipartField, type MultipartFile } from './http/client-multipart.js';
export { Spa, DEFAULT_SPA_LIMITS, type SpaOptions, type SpaFormat, type SpaFileInfo, type SpaFileHandler, type SpaFileRecord } from './http/spa.js';
export { SpaFileSaver, safeUploadName, type SpaSavedFile, type SpaFileSaverOptions } from './http/spa-files.js';
export { UrlencodedParser, type UrlencodedLimits } from './http/urlencoded.js';
export { MultipartParser, type MultipartLimits, type MultipartPartHead, type MultipartSink } from './http/multipart.js';
export { startSse, formatSseEvent, formatSseComment, SSE_HEADERS, type SseEvent, type SseStartOptions } from './http/sse.js';
export { SseBroadcaster, type SseBroadcasterOptions } from './http/sse-ring.js';
export { BasicAuth, parseBasicAuthorization, type BasicAuthOptions } from './http/basic-auth.js';
export { LwsThreadpool, ThreadpoolTask, type ThreadpoolOptions, type ThreadpoolTaskInit, type ThreadpoolTaskStatus } from './misc/threadpool.js';
export type { ThreadTask, ThreadTaskContext } from './misc/thread-host.js';
export { ThreadInbox, ThreadProducer, type ThreadInboxOptions } from './misc/thread-feed.js';
export { startThread, threadEntry } from './misc/thread-loader.js';
