/*
 * Protocols: a name plus typed handlers, one per lws callback reason, with
 * per-session data (pss) made for each wsi and per-vhost data (vhd) made
 * when the vhost starts (LWS_CALLBACK_PROTOCOL_INIT) and released when it
 * is destroyed (LWS_CALLBACK_PROTOCOL_DESTROY).
 */
import type { LwsError } from '../errors.js';
import type { HttpRequest } from '../http/request.js';
import type { HeaderList } from '../http/response.js';

/** A client response head (establishedClientHttp). */
export interface ClientHttpResponse {
  status: number;
  reason: string;
  httpVersion: '1.0' | '1.1';
  /** Lowercase names, wire order, repeats kept. */
  headers: HeaderList;
}
import type { Vhost } from './vhost.js';
import type { WsProtocolOptions } from '../roles/ws/options.js';
import type { Wsi } from './wsi.js';

/** What a ws `receive` handler learns besides the bytes. */
export interface ReceiveInfo {
  binary: boolean;
  /** lws_is_first_fragment */
  first: boolean;
  /** lws_is_final_fragment */
  final: boolean;
}

/** Close details for a ws `closed` handler. */
export interface CloseInfo {
  code: number;
  reason: string;
}

/**
 * Handlers by lws callback reason (LWS_CALLBACK_SERVER_WRITEABLE -> serverWriteable).
 * Every handler is optional; `this` is not used. A handler that throws
 * closes only its own connection (http 500 / ws 1011).
 */
export interface Protocol<Pss = any, Vhd = any> {
  /** Protocol name; also the ws subprotocol it answers to. */
  readonly name: string;
  /** ws delivery and limits for connections bound to this protocol. */
  readonly ws?: WsProtocolOptions;
  /**
   * Make the per-session data for a new wsi bound to this protocol.
   * On an http/1.1 callback mount a pss lives for one transaction (request
   * and response), not for the connection: as lws resets a kept-alive wsi,
   * `destroyPss` runs once the transaction is complete and the next request
   * on the connection gets a fresh pss from `newPss`. Keep state that must
   * outlive a request in the vhd or keyed by `wsi` (`wsi.user`).
   */
  newPss?(wsi: Wsi<Pss, Vhd>): Pss;
  /** LWS_CALLBACK_WSI_DESTROY: the wsi is gone; release what pss holds. */
  destroyPss?(pss: Pss, wsi: Wsi<Pss, Vhd>): void;
  /** LWS_CALLBACK_PROTOCOL_INIT: make the per-vhost data. May be async. */
  newVhd?(vhost: Vhost): Vhd | Promise<Vhd>;
  /** LWS_CALLBACK_PROTOCOL_DESTROY: release the per-vhost data. May be async. */
  destroyVhd?(vhd: Vhd, vhost: Vhost): void | Promise<void>;

  /** LWS_CALLBACK_HTTP: a request reached a callback mount bound to this protocol. */
  http?(wsi: Wsi<Pss, Vhd>, pss: Pss, req: HttpRequest): void;
  /** LWS_CALLBACK_HTTP_BODY: a piece of the request body. */
  httpBody?(wsi: Wsi<Pss, Vhd>, pss: Pss, chunk: Buffer): void;
  /** LWS_CALLBACK_HTTP_BODY_COMPLETION: the request body has ended. */
  httpBodyCompletion?(wsi: Wsi<Pss, Vhd>, pss: Pss): void;
  /** LWS_CALLBACK_HTTP_WRITEABLE: write one piece of the response. */
  httpWriteable?(wsi: Wsi<Pss, Vhd>, pss: Pss): void;
  /** LWS_CALLBACK_CLOSED_HTTP */
  closedHttp?(wsi: Wsi<Pss, Vhd>, pss: Pss): void;

  /** LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: return false to refuse the ws upgrade (403). */
  filterProtocolConnection?(wsi: Wsi<Pss, Vhd>, pss: Pss, req: HttpRequest): boolean | void;
  /** LWS_CALLBACK_ESTABLISHED */
  established?(wsi: Wsi<Pss, Vhd>, pss: Pss): void;
  /** LWS_CALLBACK_RECEIVE: a message, or a piece of one. `data` is the handler's to keep. */
  receive?(wsi: Wsi<Pss, Vhd>, pss: Pss, data: Buffer, info: ReceiveInfo): void;
  /** LWS_CALLBACK_RECEIVE_PONG */
  receivePong?(wsi: Wsi<Pss, Vhd>, pss: Pss, data: Buffer): void;
  /** LWS_CALLBACK_SERVER_WRITEABLE */
  serverWriteable?(wsi: Wsi<Pss, Vhd>, pss: Pss): void;
  /** LWS_CALLBACK_WS_PEER_INITIATED_CLOSE */
  peerInitiatedClose?(wsi: Wsi<Pss, Vhd>, pss: Pss, info: CloseInfo): void;
  /** LWS_CALLBACK_CLOSED (ws) */
  closed?(wsi: Wsi<Pss, Vhd>, pss: Pss, info: CloseInfo): void;

  /** LWS_CALLBACK_CLIENT_CONNECTION_ERROR */
  clientConnectionError?(wsi: Wsi<Pss, Vhd>, pss: Pss, err: LwsError): void;
  /** LWS_CALLBACK_CLIENT_ESTABLISHED (ws) */
  clientEstablished?(wsi: Wsi<Pss, Vhd>, pss: Pss): void;
  /** LWS_CALLBACK_CLIENT_RECEIVE (ws) */
  clientReceive?(wsi: Wsi<Pss, Vhd>, pss: Pss, data: Buffer, info: ReceiveInfo): void;
  /** LWS_CALLBACK_CLIENT_WRITEABLE (ws) */
  clientWriteable?(wsi: Wsi<Pss, Vhd>, pss: Pss): void;
  /** LWS_CALLBACK_CLIENT_CLOSED (ws) */
  clientClosed?(wsi: Wsi<Pss, Vhd>, pss: Pss, info: CloseInfo): void;

  /** LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP: the response head arrived (1xx skipped); TLS info is on `wsi.transport.tls`. */
  establishedClientHttp?(wsi: Wsi<Pss, Vhd>, pss: Pss, res: ClientHttpResponse): void;
  /** LWS_CALLBACK_RECEIVE_CLIENT_HTTP: a piece of the response body, framing removed; the handler's to keep. */
  receiveClientHttp?(wsi: Wsi<Pss, Vhd>, pss: Pss, chunk: Buffer): void;
  /** LWS_CALLBACK_COMPLETED_CLIENT_HTTP: the response is complete (`trailers` empty unless chunked). */
  completedClientHttp?(wsi: Wsi<Pss, Vhd>, pss: Pss, trailers: HeaderList): void;
  /** LWS_CALLBACK_CLIENT_HTTP_WRITEABLE: write one piece of the request body with `wsi.write(data, 'http' | 'http-final')`. */
  clientHttpWriteable?(wsi: Wsi<Pss, Vhd>, pss: Pss): void;
  /** LWS_CALLBACK_CLOSED_CLIENT_HTTP: a client http wsi that was established has closed. */
  closedClientHttp?(wsi: Wsi<Pss, Vhd>, pss: Pss): void;

  /** LWS_CALLBACK_RAW_ADOPT */
  rawAdopt?(wsi: Wsi<Pss, Vhd>, pss: Pss): void;
  /** LWS_CALLBACK_RAW_RX */
  rawRx?(wsi: Wsi<Pss, Vhd>, pss: Pss, data: Buffer): void;
  /** LWS_CALLBACK_RAW_WRITEABLE */
  rawWriteable?(wsi: Wsi<Pss, Vhd>, pss: Pss): void;
  /** LWS_CALLBACK_RAW_CLOSE */
  rawClose?(wsi: Wsi<Pss, Vhd>, pss: Pss): void;
}

/**
 * Declare a protocol with typed pss and vhd.
 *
 * @example
 * ```ts
 * const counter = defineProtocol<{ n: number }>({
 *   name: 'counter',
 *   newPss: () => ({ n: 0 }),
 *   http(wsi, pss) { pss.n++; wsi.respondText(200, `hello ${pss.n}`); },
 * });
 * ```
 */
export function defineProtocol<Pss = undefined, Vhd = undefined>(p: Protocol<Pss, Vhd>): Protocol<Pss, Vhd> {
  if (typeof p.name !== 'string' || p.name.length === 0) throw new TypeError('Cannot define protocol: name must be a non-empty string');
  return p;
}
