/*
 * The fuzzing server: an RFC 6455 §4.2 server handshake on node:net, then a
 * script that answers each client message with whatever frames a case wants
 * (legal or not), and a record of everything the client sends: its frames
 * (checked masked, RFC 6455 §5.3), its close code, and when it ends TCP.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { closePayload, encodeFrame, FrameDecoder, Op, type Frame, type FrameSpec } from './frame.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** A complete data message from the client. */
export interface ClientMessage {
  opcode: number;
  /** As sent: still compressed when `rsv` has RSV1 (4). */
  data: Buffer;
  /** RSV bits of the message's first frame. */
  rsv: number;
  index: number;
}

/** One client connection as the fuzzing server sees it. */
export class FuzzConn {
  readonly socket: Socket;
  readonly frames: Frame[] = [];
  readonly messages: ClientMessage[] = [];
  /** The client's close: code null for an empty payload. */
  clientClose: { code: number | null; reason: Buffer } | undefined;
  ended = false;
  /** The server (a case script) sent a close frame. */
  sentClose = false;
  /** The client's Sec-WebSocket-Extensions, and what the script answered. */
  offer: string | undefined;
  agreed: string | undefined;
  #parts: Buffer[] | null = null;
  #op = 0;
  #rsv = 0;
  #queue: Promise<void> = Promise.resolve();

  constructor(socket: Socket) {
    this.socket = socket;
  }

  /** Sends frames (server frames unmasked unless a case says otherwise), whole or in `chop`-byte writes, in order. */
  send(frames: FrameSpec[], chop?: number): Promise<void> {
    const bytes = Buffer.concat(frames.map((f) => encodeFrame({ mask: false, ...f })));
    if (frames.some((f) => f.opcode === Op.Close)) this.sentClose = true;
    this.#queue = this.#queue.then(async () => {
      for (let i = 0; i < bytes.length; i += chop ?? bytes.length) {
        if (this.socket.destroyed || this.socket.writableEnded) return;
        await new Promise<void>((resolve) => this.socket.write(bytes.subarray(i, i + (chop ?? bytes.length)), () => resolve()));
      }
    });
    return this.#queue;
  }

  /** Collects one client frame; returns a complete message when one ends. */
  take(f: Frame): ClientMessage | null {
    this.frames.push(f);
    if (f.opcode === Op.Text || f.opcode === Op.Binary) {
      this.#parts = [f.payload];
      this.#op = f.opcode;
      this.#rsv = f.rsv;
    } else if (f.opcode === Op.Cont && this.#parts) this.#parts.push(f.payload);
    else return null;
    if (!f.fin) return null;
    const m = { opcode: this.#op, data: Buffer.concat(this.#parts), rsv: this.#rsv, index: this.messages.length };
    this.#parts = null;
    this.messages.push(m);
    return m;
  }
}

/** What a case does: answer each client message (and optionally act once established). */
export interface Script {
  /** The Sec-WebSocket-Extensions to answer with for the client's offer, if any. */
  extensions?(offer: string | undefined): string | undefined;
  onOpen?(c: FuzzConn): void | Promise<void>;
  onMessage(c: FuzzConn, m: ClientMessage): void | Promise<void>;
}

export interface FuzzServer {
  url: string;
  conns: FuzzConn[];
  /** Resolves when a connection has ended (client FIN or close), or rejects after `ms`. */
  ended(ms: number): Promise<FuzzConn>;
  close(): Promise<void>;
}

function handshakeReply(head: string, extensions: string | undefined): string | null {
  const key = /^sec-websocket-key:\s*(\S+)/im.exec(head)?.[1];
  if (!key || !/^upgrade:\s*websocket/im.test(head) || !/^sec-websocket-version:\s*13\s*$/im.test(head)) return null;
  const protocol = /^sec-websocket-protocol:\s*([^,\r\n]+)/im.exec(head)?.[1]?.trim();
  const lines = [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${createHash('sha1').update(key + GUID).digest('base64')}`,
  ];
  if (protocol) lines.push(`Sec-WebSocket-Protocol: ${protocol}`);
  if (extensions) lines.push(`Sec-WebSocket-Extensions: ${extensions}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function onFrame(c: FuzzConn, f: Frame, script: Script): void {
  if (f.opcode === Op.Close) {
    if (c.clientClose) return;
    c.clientClose = { code: f.payload.length >= 2 ? f.payload.readUInt16BE(0) : null, reason: f.payload.subarray(2) };
    const code = c.clientClose.code;
    // the server ends TCP after the closing handshake (RFC 6455 §7.1.1)
    if (c.sentClose) {
      void c.send([]).then(() => c.socket.end());
      return;
    }
    void c.send([{ opcode: Op.Close, payload: code === null ? Buffer.alloc(0) : closePayload(code) }]).then(() => c.socket.end());
    return;
  }
  if (f.opcode === Op.Ping) void c.send([{ opcode: Op.Pong, payload: f.payload }]);
  if (c.clientClose) return;
  const m = c.take(f);
  if (m) void Promise.resolve(script.onMessage(c, m));
}

function serve(socket: Socket, script: Script, conns: FuzzConn[], onEnd: (c: FuzzConn) => void): void {
  socket.setNoDelay(true);
  const c = new FuzzConn(socket);
  const decoder = new FrameDecoder();
  let head = Buffer.alloc(0);
  let open = false;
  const end = (): void => {
    if (c.ended) return;
    c.ended = true;
    onEnd(c);
  };
  socket.on('data', (d: Buffer) => {
    if (open) {
      for (const f of decoder.push(d)) onFrame(c, f, script);
      return;
    }
    head = Buffer.concat([head, d]);
    const at = head.indexOf('\r\n\r\n');
    if (at < 0) return;
    const text = head.subarray(0, at).toString('latin1');
    c.offer = /^sec-websocket-extensions:\s*(.+?)\s*$/im.exec(text)?.[1];
    c.agreed = script.extensions?.(c.offer);
    const reply = handshakeReply(text, c.agreed);
    if (!reply) {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    open = true;
    conns.push(c);
    socket.write(reply);
    void Promise.resolve(script.onOpen?.(c));
    const rest = head.subarray(at + 4);
    if (rest.length > 0) for (const f of decoder.push(rest)) onFrame(c, f, script);
  });
  socket.on('end', end);
  socket.on('close', end);
  socket.on('error', end);
}

/** Starts a fuzzing server on 127.0.0.1, a free port. */
export async function startFuzzServer(script: Script): Promise<FuzzServer> {
  const conns: FuzzConn[] = [];
  const endWaiters = new Set<(c: FuzzConn) => void>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serve(socket, script, conns, (c) => {
      for (const w of [...endWaiters]) w(c);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `ws://127.0.0.1:${port}/`,
    conns,
    ended(ms) {
      const done = conns.find((c) => c.ended);
      if (done) return Promise.resolve(done);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`No client connection ended within ${ms} ms`)), ms);
        endWaiters.add((c) => {
          clearTimeout(t);
          resolve(c);
        });
      });
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
