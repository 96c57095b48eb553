/*
 * The h1 server role reading lent chunks (the transport's shared read
 * buffer, overwritten by the next read): whatever outlives a read (bytes
 * of pipelined requests waiting for a response, request bodies given to a
 * handler, the bytes after an upgrade) must be copies. A client stream that
 * touches each of those is served twice, once from owned chunks and once
 * from lent chunks of one buffer scribbled over after every read, at
 * several split sizes; the responses and what the handlers saw must match.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, defineProtocol, type Context, type Protocol } from '../../../src/index.js';
import { wireTransport } from '../../../src/context/adopt.js';
import { LogLevel } from '../../../src/context/log.js';
import { Wsi } from '../../../src/context/wsi.js';
import { ViewUse, type Transport, type TransportHandlers } from '../../../src/net/transport.js';
import { startH1Server } from '../../../src/roles/h1/server.js';
import { rawRole } from '../../../src/roles/raw/ops.js';
import { WsFrameWriter } from '../../../src/roles/ws/frame-writer.js';

const seen: string[] = [];

const upload = defineProtocol<{ post: boolean; parts: Buffer[] }>({
  name: 'upload',
  newPss: () => ({ post: false, parts: [] }),
  http(wsi, pss, req) {
    pss.post = req.method === 'POST';
    if (pss.post) return;
    // one answer comes later: the requests behind it wait, unparsed, for it
    if (req.path === '/u/two') setImmediate(() => wsi.respondText(200, `later ${req.path}\n`));
    else wsi.respondText(200, `get ${req.path}\n`);
  },
  httpBody(_wsi, pss, chunk) {
    pss.parts.push(chunk); // kept: read only when the body is complete
  },
  httpBodyCompletion(wsi, pss) {
    if (!pss.post) return;
    seen.push(`body ${Buffer.concat(pss.parts).toString('latin1')}`);
    wsi.respondText(200, 'stored\n');
  },
});

const echo = defineProtocol({
  name: 'echo',
  receive(wsi, _pss, data, { binary }) {
    seen.push(`ws ${data.toString('latin1')}`);
    wsi.write(data, binary ? 'binary' : 'text');
  },
});

/** Delivers the stream in `step`-byte reads through dataView (lent) or data (owned), honouring pauseRead. */
class ReadTransport implements Transport {
  h!: TransportHandlers;
  out: Buffer[] = [];
  #queue: Buffer[];
  #paused = false;
  #closed = false;
  readonly #lent: boolean;
  readonly #scratch = Buffer.alloc(64 * 1024);
  readonly needDrain = false;
  readonly bufferedAmount = 0;
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 1;
  readonly tls = undefined;

  constructor(stream: Buffer, step: number, lent: boolean) {
    this.#lent = lent;
    this.#queue = [];
    for (let i = 0; i < stream.length; i += step) this.#queue.push(stream.subarray(i, i + step));
  }

  get destroyed(): boolean {
    return this.#closed;
  }

  setHandlers(h: TransportHandlers): void {
    this.h = h;
  }

  pump(): void {
    while (!this.#paused && !this.#closed && this.#queue.length > 0) {
      const piece = this.#queue.shift() as Buffer;
      if (!this.#lent) {
        this.h.data(Buffer.from(piece));
        continue;
      }
      piece.copy(this.#scratch);
      const view = this.#scratch.subarray(0, piece.length);
      const use = this.h.dataView?.(view, false) ?? ViewUse.Declined;
      if (use === ViewUse.Declined) this.h.data(Buffer.from(view));
      this.#scratch.fill(0xee); // the next read lands here
    }
  }

  get drained(): boolean {
    return this.#queue.length === 0;
  }

  write(chunk: Uint8Array): boolean {
    this.out.push(Buffer.from(chunk));
    return true;
  }

  cork(): void {}
  uncork(): void {}

  pauseRead(): void {
    this.#paused = true;
  }

  resumeRead(): void {
    if (!this.#paused) return;
    this.#paused = false;
    setImmediate(() => this.pump());
  }

  end(): void {}

  destroy(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.h.close();
  }
}

function clientStream(): Buffer {
  const ws = new WsFrameWriter({ isServer: false });
  const body = 'field=' + 'v'.repeat(3000);
  const chunked = ['7\r\nchunk-1\r\n', '9\r\nchunk-two\r\n', '0\r\n\r\n'].join('');
  return Buffer.concat([
    Buffer.from('GET /u/one HTTP/1.1\r\nHost: a\r\n\r\n'),
    Buffer.from('GET /u/two HTTP/1.1\r\nHost: a\r\nX-Filler: ' + 'f'.repeat(500) + '\r\n\r\n'),
    Buffer.from(`POST /u/post HTTP/1.1\r\nHost: a\r\nContent-Length: ${body.length}\r\n\r\n${body}`),
    Buffer.from(`POST /u/chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n${chunked}`),
    Buffer.from('GET /u/three HTTP/1.1\r\nHost: a\r\n\r\n'),
    Buffer.from(
      'GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: echo\r\n\r\n',
    ),
    ...ws.message('first after upgrade'),
    ...ws.message(Buffer.alloc(2000, 0x61), { binary: true }),
    ...ws.message('last'),
  ]);
}

let ctx: Context;

beforeAll(async () => {
  ctx = await createContext({
    port: 0,
    logLevel: LogLevel.ERR,
    protocols: [upload as Protocol, echo as Protocol],
    mounts: [{ kind: 'callback', mountpoint: '/u', protocol: 'upload' }],
  });
});

afterAll(async () => {
  await ctx.destroy();
});

async function serve(stream: Buffer, step: number, lent: boolean): Promise<{ out: string; seen: string[] }> {
  seen.length = 0;
  const vhost = ctx.vhosts[0]!;
  const t = new ReadTransport(stream, step, lent);
  const wsi = new Wsi({ owner: ctx as never, vhost, transport: t, role: rawRole });
  wireTransport(wsi, t);
  startH1Server(wsi, [vhost]);
  t.pump();
  const until = Date.now() + 3000;
  let last = -1;
  for (let quiet = 0; quiet < 20 && Date.now() < until; ) {
    await new Promise(setImmediate);
    const n = t.out.reduce((a, b) => a + b.length, 0) + seen.length;
    quiet = n === last && t.drained ? quiet + 1 : 0;
    last = n;
  }
  wsi.destroy();
  // a second may turn between the two runs
  return { out: Buffer.concat(t.out).toString('latin1').replace(/\r\ndate: [^\r]*/g, ''), seen: [...seen] };
}

describe('h1 server role on lent reads', () => {
  it('serves pipelined requests, bodies and an upgrade the same from a reused read buffer', async () => {
    const stream = clientStream();
    const reference = await serve(stream, stream.length, false);
    // the reference itself is complete: five answers, both bodies, three echoes
    expect(reference.out.match(/HTTP\/1\.1 200 OK/g)?.length).toBe(5);
    expect(reference.out).toContain('HTTP/1.1 101 Switching Protocols');
    expect(reference.out).toContain('first after upgrade');
    expect(reference.out).toContain('a'.repeat(2000));
    expect(reference.out).toContain('later /u/two');
    expect(reference.seen.slice(0, 2)).toEqual([`body field=${'v'.repeat(3000)}`, 'body chunk-1chunk-two']);
    expect(reference.seen.slice(-3)).toEqual(['ws first after upgrade', `ws ${'a'.repeat(2000)}`, 'ws last']);
    for (const step of [stream.length, 4096, 1000, 97, 13, 1]) {
      const lent = await serve(stream, step, true);
      expect({ step, ...lent }).toEqual({ step, ...reference });
    }
  });
});
