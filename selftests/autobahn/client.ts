/*
 * The fuzzing client's connection: an RFC 6455 §4.1 opening handshake on
 * node:net, then raw writes (whole or chopped into many TCP writes) and a
 * record of every frame the server sends and of when TCP ends.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { chop, FrameDecoder, type Frame } from './frame.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** What the server did, in arrival order. */
export type Event = { kind: 'frame'; frame: Frame; at: number } | { kind: 'end'; at: number };

export interface Session {
  readonly socket: Socket;
  readonly status: number;
  readonly headers: Map<string, string>;
  readonly events: Event[];
  /** Write `bytes`, as one write or chopped into writes of `chunk` bytes each awaited. */
  write(bytes: Buffer, chunk?: number): Promise<void>;
  /** Resolves once `done(events)` holds; rejects after `ms` saying what was seen. */
  until(done: (ev: Event[]) => boolean, ms: number, what: string): Promise<void>;
  /** Whether the server ended TCP. */
  ended(): boolean;
  destroy(): void;
}

export interface ConnectOptions {
  path?: string;
  protocol?: string;
  extensions?: string;
  timeoutMs?: number;
}

function parseHead(head: string): { status: number; headers: Map<string, string> } {
  const [line = '', ...rest] = head.split('\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(line)?.[1] ?? 0);
  const headers = new Map<string, string>();
  for (const h of rest) {
    const i = h.indexOf(':');
    if (i > 0) headers.set(h.slice(0, i).trim().toLowerCase(), h.slice(i + 1).trim());
  }
  return { status, headers };
}

function request(host: string, port: number, key: string, o: ConnectOptions): string {
  const lines = [
    `GET ${o.path ?? '/'} HTTP/1.1`,
    `Host: ${host}:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`,
    'Sec-WebSocket-Version: 13',
  ];
  if (o.protocol) lines.push(`Sec-WebSocket-Protocol: ${o.protocol}`);
  if (o.extensions) lines.push(`Sec-WebSocket-Extensions: ${o.extensions}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Opens a ws connection to `url` and checks the server's Sec-WebSocket-Accept. */
export function openSession(url: string, o: ConnectOptions = {}): Promise<Session> {
  const u = new URL(url);
  const port = Number(u.port);
  const key = randomBytes(16).toString('base64');
  const socket = connect({ host: u.hostname, port });
  socket.setNoDelay(true);
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new Error(`Handshake with ${url} timed out`)), o.timeoutMs ?? 5000);
    const fail = (e: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    };
    const onData = (d: Buffer): void => {
      head = Buffer.concat([head, d]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', fail);
      const { status, headers } = parseHead(head.subarray(0, end).toString('latin1'));
      const accept = createHash('sha1').update(key + GUID).digest('base64');
      if (status === 101 && headers.get('sec-websocket-accept') !== accept) {
        fail(new Error(`Bad Sec-WebSocket-Accept "${headers.get('sec-websocket-accept')}", expected "${accept}"`));
        return;
      }
      resolve(makeSession(socket, status, headers, head.subarray(end + 4)));
    };
    socket.on('data', onData);
    socket.on('error', fail);
    socket.once('connect', () => socket.write(request(u.hostname, port, key, o)));
  });
}

function makeSession(socket: Socket, status: number, headers: Map<string, string>, leftover: Buffer): Session {
  const events: Event[] = [];
  const decoder = new FrameDecoder();
  const waiters = new Set<() => void>();
  const t0 = Date.now();
  let ended = false;
  const notify = (): void => {
    for (const w of [...waiters]) w();
  };
  const onData = (d: Buffer): void => {
    for (const frame of decoder.push(d)) events.push({ kind: 'frame', frame, at: Date.now() - t0 });
    notify();
  };
  const onEnd = (): void => {
    if (ended) return;
    ended = true;
    events.push({ kind: 'end', at: Date.now() - t0 });
    notify();
  };
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('close', onEnd);
  socket.on('error', () => onEnd()); // a reset after the server's close counts as the end
  if (leftover.length > 0) onData(leftover);
  return {
    socket,
    status,
    headers,
    events,
    ended: () => ended,
    destroy: () => socket.destroy(),
    async write(bytes, chunk) {
      const pieces = chunk ? chop(bytes, chunk) : [bytes];
      for (const p of pieces) {
        if (ended || socket.destroyed) return; // the server may fail us mid-send: that is a verdict, not an error
        await new Promise<void>((resolve) => socket.write(p, () => resolve()));
      }
    },
    until(done, ms, what) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!done(events)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`Timed out after ${ms} ms waiting for ${what}; saw ${describe(events)}`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
  };
}

/** A short account of the events for failure messages. */
export function describe(events: Event[]): string {
  const parts = events.slice(0, 20).map((e) => {
    if (e.kind === 'end') return 'TCP end';
    const f = e.frame;
    const extra = f.opcode === 8 && f.payload.length >= 2 ? ` code ${f.payload.readUInt16BE(0)}` : '';
    return `op ${f.opcode}${f.fin ? '' : ' (no FIN)'} ${f.payload.length} B${extra}`;
  });
  return parts.length === 0 ? 'nothing' : parts.join(', ') + (events.length > 20 ? ', …' : '');
}
