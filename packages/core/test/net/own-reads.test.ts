/*
 * Accepted plain sockets read through `onread` into one shared buffer
 * (ownReads in net/socket-transport.ts). What a handler is given must stay
 * its own after later reads, half-close and backpressure must behave as
 * with 'data', and the server must still count the connection.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Context } from '../../src/context/context.js';
import {
  DEFAULT_OWN_READ_BUFFERS,
  ownReadBufferLimit,
  ownReadBuffers,
  ownReads,
  setOwnReadBufferLimit,
  setOwnReadsInPlace,
  SocketTransport,
} from '../../src/net/socket-transport.js';
import { ViewUse, type TransportHandlers } from '../../src/net/transport.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

interface Seen {
  chunks: Buffer[];
  ended: boolean;
  closed: Promise<void>;
  transport: SocketTransport;
  own: Socket;
  accepted: Socket;
}

function serve(onAccept: (s: Seen) => void): Promise<number> {
  server = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (accepted) => {
    const own = ownReads(accepted);
    let done!: () => void;
    const seen: Seen = { chunks: [], ended: false, closed: new Promise((r) => (done = r)), transport: new SocketTransport(own), own, accepted };
    seen.transport.setHandlers({
      data: (b) => seen.chunks.push(b),
      drain: () => {},
      end: () => {
        seen.ended = true;
        seen.transport.end();
      },
      close: () => done(),
    });
    onAccept(seen);
  });
  return new Promise((r) => server?.listen(0, '127.0.0.1', () => r((server?.address() as { port: number }).port)));
}

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A server whose sockets read through ownReads() into a handler that takes
 * each read as a view (`dataView`) and never as copied data; resolves to its port.
 */
function serveViews(dataView: NonNullable<TransportHandlers['dataView']>, onClose: () => void): Promise<number> {
  server = createServer({ pauseOnConnect: true }, (accepted) => {
    const t = new SocketTransport(ownReads(accepted));
    t.setHandlers({
      data: () => {
        throw new Error('every read is taken as a view');
      },
      dataView,
      drain: () => {},
      end: () => t.end(),
      close: onClose,
    });
  });
  return new Promise<number>((r) => server?.listen(0, '127.0.0.1', () => r((server?.address() as { port: number }).port)));
}

// Both ways to read through onread: the accepted socket switched in place
// (where Node's onread symbols are found: Node 20 to 24) and a new Socket
// built around its handle (anywhere else).
describe.each([
  ['switched in place', true],
  ['moved to a new socket', false],
])('own reads (onread into a shared buffer), %s', (_how, inPlace) => {
  beforeEach(() => setOwnReadsInPlace(inPlace));
  afterEach(() => setOwnReadsInPlace(true));

  it('takes over a paused plain socket and leaves a flowing one alone', async () => {
    let seen: Seen | undefined;
    const port = await serve((s) => (seen = s));
    const c = connect(port, '127.0.0.1');
    await new Promise((r) => c.once('connect', r));
    await tick(20);
    expect(seen?.own).toBeDefined();
    expect(seen?.own === seen?.accepted).toBe(inPlace);
    c.write('ping');
    await tick(20);
    expect(Buffer.concat(seen?.chunks ?? []).toString()).toBe('ping');
    // a socket that is already flowing is returned as it is
    const flowing = connect(port, '127.0.0.1');
    flowing.on('data', () => {});
    expect(ownReads(flowing)).toBe(flowing);
    flowing.destroy();
    c.destroy();
  });

  it('gives each handler call its own bytes: earlier chunks survive later reads', async () => {
    let seen: Seen | undefined;
    const port = await serve((s) => (seen = s));
    const c = connect(port, '127.0.0.1');
    await new Promise((r) => c.once('connect', r));
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) {
      const piece = String.fromCharCode(97 + i).repeat(100 + i * 1000);
      sent.push(piece);
      c.write(piece);
      await tick(15); // separate reads
    }
    // a read larger than Node's pool slab takes another path in the copy
    const big = Buffer.alloc(300_000, 0x5a);
    c.end(big);
    await seen?.closed;
    const got = Buffer.concat(seen?.chunks ?? []);
    expect(got.subarray(0, got.length - big.length).toString('latin1')).toBe(sent.join(''));
    expect(got.subarray(got.length - big.length).equals(big)).toBe(true);
    expect(seen?.chunks.length).toBeGreaterThan(5);
    expect(seen?.ended).toBe(true);
  });

  it('answers after a half-close, and the server counts the connection until it closes', async () => {
    let seen: Seen | undefined;
    const port = await serve((s) => {
      seen = s;
      s.transport.write(Buffer.from('hi'));
    });
    const c = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let reply = '';
    c.on('data', (d: Buffer) => (reply += d.toString()));
    const clientClosed = new Promise((r) => c.on('close', r));
    c.end('bye');
    await seen?.closed;
    await clientClosed;
    expect(reply).toBe('hi');
    expect(Buffer.concat(seen?.chunks ?? []).toString()).toBe('bye');
    const count = await new Promise<number>((r, j) => server?.getConnections((e, n) => (e ? j(e) : r(n))));
    expect(count).toBe(0);
  });

  it('stops reading while paused and delivers everything after resuming', async () => {
    let seen: Seen | undefined;
    const port = await serve((s) => {
      seen = s;
      s.transport.pauseRead();
    });
    const c = connect(port, '127.0.0.1');
    await new Promise((r) => c.once('connect', r));
    c.write('one');
    await tick(50);
    expect(seen?.chunks.length).toBe(0);
    seen?.transport.resumeRead();
    c.end('two');
    await seen?.closed;
    expect(Buffer.concat(seen?.chunks ?? []).toString()).toBe('onetwo');
  });

  it('moves a connection whose reads carry large payloads to buffers of its own, and back', async () => {
    /*
     * The handler answers by content: 'a' reads are Large (nothing kept),
     * 'b' and 'c' reads are kept as views (Kept), 'd' and 'e' reads are Done.
     */
    const reads: { first: string; own: boolean; use: ViewUse }[] = [];
    const kept: { view: Buffer; byte: number }[] = [];
    let closed!: () => void;
    const done = new Promise<void>((r) => (closed = r));
    const port = await serveViews(
      (view, own) => {
        const first = String.fromCharCode(view[0]!);
        const use = first === 'a' ? ViewUse.Large : first === 'b' || first === 'c' ? ViewUse.Kept : ViewUse.Done;
        if (use === ViewUse.Kept) {
          expect(own).toBe(true); // Kept is only answered for the connection's own buffer
          kept.push({ view, byte: view[0]! });
        }
        reads.push({ first, own, use });
        return use;
      },
      () => closed(),
    );
    const c = connect(port, '127.0.0.1');
    await new Promise((r) => c.once('connect', r));
    for (const [ch, n] of [['a', 20_000], ['b', 20_000], ['c', 30_000], ['d', 10], ['e', 10]] as const) {
      c.write(Buffer.alloc(n, ch));
      await tick(30); // one read per write (or a few for the larger ones)
    }
    c.end();
    await done;
    expect(reads[0]).toMatchObject({ first: 'a', own: false });
    for (let i = 1; i < reads.length; i++) {
      const before = reads[i - 1]!.use;
      // after Large or Kept the next read goes to a buffer of the connection's own; after Done to the shared one
      expect({ i, own: reads[i]!.own }).toEqual({ i, own: before !== ViewUse.Done });
    }
    expect(reads.map((r) => r.first).join('')).toMatch(/^a+b+c+de$/);
    // what was kept was never read over: each view still holds its bytes
    expect(kept.length).toBeGreaterThanOrEqual(2);
    for (const k of kept) expect(k.view.every((b) => b === k.byte)).toBe(true);
  });

  it('lets at most the configured number of connections hold a buffer of their own, and frees them on close', async () => {
    const owns: boolean[] = [];
    let closed = 0;
    const port = await serveViews(
      (_view, own) => {
        owns.push(own);
        return ViewUse.Large; // every read asks for a buffer of its own
      },
      () => void closed++,
    );
    const before = ownReadBuffers();
    expect(() => setOwnReadBufferLimit(-1)).toThrow(RangeError);
    expect(() => setOwnReadBufferLimit(1.5)).toThrow(RangeError);
    setOwnReadBufferLimit(before + 5);
    try {
      const clients: Socket[] = [];
      for (let i = 0; i < 8; i++) {
        const c = connect(port, '127.0.0.1');
        await new Promise((r) => c.once('connect', r));
        c.write('first');
        clients.push(c);
      }
      await tick(100);
      expect(ownReadBuffers() - before).toBe(5);
      for (const c of clients) c.write('second');
      await tick(100);
      expect(owns.filter(Boolean)).toHaveLength(5); // second reads: 5 in their own buffers, 3 shared
      expect(ownReadBuffers() - before).toBe(5);
      for (const c of clients) c.end();
      while (closed < 8) await tick(20);
      expect(ownReadBuffers()).toBe(before);
    } finally {
      setOwnReadBufferLimit(DEFAULT_OWN_READ_BUFFERS);
    }
  });

  it('reads next into the unused end of a buffer whose start was kept, while 32 KiB of it is left', async () => {
    const views: Buffer[] = [];
    let closed!: () => void;
    const done = new Promise<void>((r) => (closed = r));
    const port = await serveViews(
      (view, own) => {
        if (!own) return ViewUse.Large; // the first read: move to a buffer of its own
        views.push(view);
        return ViewUse.Kept;
      },
      () => closed(),
    );
    const c = connect(port, '127.0.0.1');
    await new Promise((r) => c.once('connect', r));
    for (const [byte, n] of [[1, 100], [2, 10_000], [3, 20_000], [4, 5_000], [5, 100]] as const) {
      c.write(Buffer.alloc(n, byte));
      await tick(30);
    }
    c.end();
    await done;
    const got = views.map((v) => ({ byte: v[0]!, n: v.length }));
    expect(got).toEqual([2, 3, 4, 5].map((byte, i) => ({ byte, n: [10_000, 20_000, 5_000, 100][i] })));
    // 10 000, 20 000 and 5 000 one after the other in one 64 KiB buffer; then less than 32 KiB is left: a new one
    expect(views[1]!.buffer).toBe(views[0]!.buffer);
    expect(views[1]!.byteOffset).toBe(views[0]!.byteOffset + 10_000);
    expect(views[2]!.buffer).toBe(views[0]!.buffer);
    expect(views[2]!.byteOffset).toBe(views[0]!.byteOffset + 30_000);
    expect(views[3]!.buffer).not.toBe(views[0]!.buffer);
    // nothing kept was read over
    for (const v of views) expect(v.every((b) => b === v[0])).toBe(true);
  });

  it('takes the limit from ContextOptions.ownReadBuffers, checked', () => {
    try {
      expect(() => new Context({ ownReadBuffers: -3 })).toThrow(/ownReadBuffers: -3/);
      new Context({ ownReadBuffers: 7 });
      expect(ownReadBufferLimit()).toBe(7);
      new Context({});
      expect(ownReadBufferLimit()).toBe(7); // unset leaves it
    } finally {
      setOwnReadBufferLimit(DEFAULT_OWN_READ_BUFFERS);
    }
    expect(ownReadBufferLimit()).toBe(256);
  });
});
