/*
 * Replies written from receive callbacks: all the messages of one read are
 * delivered inside one cork of the transport, so their replies leave in one
 * writev; a frame's header and payload are never two syscalls; the burst is
 * bounded like a writeable burst (writeBlocked past 64 KiB), and a
 * callbackOnWritable() asked for inside it runs after it. A lone
 * connection's read of many messages has its replies leave eight at a time,
 * and the loop busy-polls for its next read.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Context } from '../../../src/context/context.js';
import { wireTransport } from '../../../src/context/adopt.js';
import { setLogLevel } from '../../../src/context/log.js';
import { defineProtocol, type Protocol } from '../../../src/context/protocol.js';
import { Wsi } from '../../../src/context/wsi.js';
import type { Transport, TransportHandlers } from '../../../src/net/transport.js';
import { busyPolling, busyPollMicros, DEFAULT_BUSY_POLL_MICROS, setBusyPollMicros } from '../../../src/roles/ws/busy-poll.js';
import { WsFrameParser } from '../../../src/roles/ws/frame-parser.js';
import { WsFrameWriter } from '../../../src/roles/ws/frame-writer.js';
import { startWsConnection, wsRole } from '../../../src/roles/ws/ops.js';
import { resolveWsOptions } from '../../../src/roles/ws/options.js';

setLogLevel(0);
const contexts: Context[] = [];
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.destroy()));
});

/** A transport that records what reaches the wire: each uncorked write or each uncork is one syscall. */
class RecordingTransport implements Transport {
  h!: TransportHandlers;
  /** The pieces of each syscall. */
  syscalls: Buffer[][] = [];
  #corked = 0;
  #held: Buffer[] = [];
  readonly needDrain = false;
  destroyed = false;
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 1;
  readonly tls = undefined;

  get bufferedAmount(): number {
    return this.#held.reduce((n, b) => n + b.length, 0);
  }
  write(chunk: Uint8Array): boolean {
    const b = Buffer.from(chunk);
    if (this.#corked > 0) this.#held.push(b);
    else this.syscalls.push([b]);
    return true;
  }
  cork(): void {
    this.#corked++;
  }
  uncork(): void {
    if (--this.#corked > 0 || this.#held.length === 0) return;
    this.syscalls.push(this.#held);
    this.#held = [];
  }
  pauseRead(): void {}
  resumeRead(): void {}
  end(): void {
    this.destroy();
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.h.close();
  }
  setHandlers(h: TransportHandlers): void {
    this.h = h;
  }
}

function serverOver(t: RecordingTransport, p: Protocol): Wsi {
  const ctx = new Context({ protocols: [p], destroyGraceMs: 50 });
  contexts.push(ctx);
  const vhost = ctx.vhosts[0]!;
  const wsi = new Wsi({ owner: ctx, vhost, transport: t, role: wsRole, isClient: false });
  wsi.bindProtocol(p);
  wireTransport(wsi, t);
  startWsConnection(wsi, { isServer: true, options: resolveWsOptions(vhost, p), deflate: null, subprotocol: undefined, leftover: Buffer.alloc(0) });
  return wsi;
}

/** The messages a client would read from `bytes`. */
function messages(bytes: Buffer): Buffer[] {
  return new WsFrameParser({ isServer: false }).push(bytes).flatMap((e) => (e.type === 'message' ? [e.data] : []));
}

const client = new WsFrameWriter({ isServer: false });

describe('ws replies written from receive', () => {
  it('leave in one syscall for all the messages of one read, header and payload together', () => {
    const t = new RecordingTransport();
    serverOver(
      t,
      defineProtocol({
        name: 'echo',
        receive(wsi, _pss, data) {
          expect(wsi.writeBlocked).toBe(false);
          wsi.write(data, 'binary');
        },
      }),
    );
    const sizes = [10, 2000, 20_000];
    const read = Buffer.concat(sizes.flatMap((n, i) => client.message(Buffer.alloc(n, i + 1), { binary: true })));
    t.h.data(read);
    expect(t.syscalls).toHaveLength(1);
    expect(messages(Buffer.concat(t.syscalls[0]!)).map((m) => [m.length, m[0]])).toEqual(sizes.map((n, i) => [n, i + 1]));
    // a second read: a second syscall
    t.h.data(Buffer.concat(client.message(Buffer.alloc(30_000, 9), { binary: true })));
    expect(t.syscalls).toHaveLength(2);
    expect(messages(Buffer.concat(t.syscalls[1]!)).map((m) => m.length)).toEqual([30_000]);
  });

  it('is bounded: past 64 KiB held, writeBlocked sends the rest through writeable callbacks', async () => {
    const t = new RecordingTransport();
    const queued: Buffer[] = [];
    let blockedSeen = 0;
    serverOver(
      t,
      defineProtocol({
        name: 'echo',
        receive(wsi, _pss, data) {
          if (queued.length === 0 && !wsi.writeBlocked) {
            wsi.write(data, 'binary');
            return;
          }
          blockedSeen++;
          queued.push(data);
          wsi.callbackOnWritable();
        },
        serverWriteable(wsi) {
          const next = queued.shift();
          if (next) wsi.write(next, 'binary');
          if (queued.length > 0) wsi.callbackOnWritable();
        },
      }),
    );
    const read = Buffer.concat(Array.from({ length: 8 }, (_, i) => client.message(Buffer.alloc(20_000, i), { binary: true })).flat());
    // another connection reads first in this turn, so the replies are not sent in groups (tested below)
    const other = new RecordingTransport();
    serverOver(other, defineProtocol({ name: 'other' }));
    other.h.data(Buffer.concat(client.message('x')));
    t.h.data(read);
    expect(blockedSeen).toBeGreaterThan(0); // 4 x 20 000 > 64 KiB: the burst stopped taking more
    const inBurst = messages(Buffer.concat(t.syscalls[0]!)).length;
    expect(inBurst).toBeLessThan(8);
    await new Promise((r) => setImmediate(r)); // the writeable callbacks asked for in the burst run after it
    await new Promise((r) => setImmediate(r));
    const all = t.syscalls.flatMap((s) => messages(Buffer.concat(s)));
    expect(all.map((m) => m[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('sends a lone large frame in one syscall, not header then payload', () => {
    const t = new RecordingTransport();
    const wsi = serverOver(t, defineProtocol({ name: 'tx' }));
    wsi.write(Buffer.alloc(50_000, 7), 'binary');
    expect(t.syscalls).toHaveLength(1);
    expect(t.syscalls[0]).toHaveLength(2); // two pieces, by reference, in one writev
    expect(messages(Buffer.concat(t.syscalls[0]!)).map((m) => m.length)).toEqual([50_000]);
  });

  const echo = defineProtocol({
    name: 'echo',
    receive(wsi, _pss, data) {
      wsi.write(data, 'binary');
    },
  });
  const turn = () => new Promise((r) => setImmediate(r));
  const read = (n: number, tag: number) => Buffer.concat(Array.from({ length: n }, (_, i) => client.message(Buffer.from([tag, i]), { binary: true })).flat());
  const perSyscall = (t: RecordingTransport) => t.syscalls.map((s) => messages(Buffer.concat(s)).map((m) => m[1]));
  /** Leaves the last turn seen as one with a single reader (two turns: the first clears older counts). */
  const loneTurn = async () => {
    const other = new RecordingTransport();
    serverOver(other, echo);
    for (let i = 0; i < 2; i++) {
      await turn();
      other.h.data(read(8, 0));
    }
    await turn();
  };
  it('sends the replies to a lone read of 8 or more messages eight at a time, in order', async () => {
    await loneTurn();
    const t = new RecordingTransport();
    serverOver(t, echo);
    t.h.data(read(20, 1));
    const all = Array.from({ length: 20 }, (_, i) => i);
    expect(perSyscall(t)).toEqual([all.slice(0, 8), all.slice(8, 16), all.slice(16)]);
    await turn();
    t.syscalls = [];
    t.h.data(read(7, 1)); // fewer than 8: one writev
    expect(perSyscall(t)).toEqual([all.slice(0, 7)]);
  });

  it('keeps one writev per read while other connections read in the same turn or the last one with reads', async () => {
    await loneTurn();
    const a = new RecordingTransport();
    const b = new RecordingTransport();
    serverOver(a, echo);
    serverOver(b, echo);
    const twelve = Array.from({ length: 12 }, (_, i) => i);
    a.h.data(read(12, 1)); // alone so far in this turn: groups
    b.h.data(read(12, 2)); // the second read of the turn: one writev
    expect(perSyscall(a)).toEqual([twelve.slice(0, 8), twelve.slice(8)]);
    expect(perSyscall(b)).toEqual([twelve]);
    await turn();
    a.syscalls = [];
    a.h.data(read(12, 1)); // the last turn with reads had two readers: still one writev
    expect(perSyscall(a)).toEqual([twelve]);
    await turn();
    a.syscalls = [];
    a.h.data(read(12, 1)); // the last turn with reads had one reader: groups again
    expect(perSyscall(a)).toHaveLength(2);
  });

  describe('busy polling after a lone burst', () => {
    afterEach(() => setBusyPollMicros(DEFAULT_BUSY_POLL_MICROS));
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    /** Lets any poll in progress run out. */
    const settle = async () => {
      await pause(5);
      await turn();
      expect(busyPolling()).toBe(false);
    };
    /** An echo connection whose next read is lone, with no poll running (its budget set first, if given). */
    const loneEcho = async (budgetMicros?: number) => {
      if (budgetMicros !== undefined) setBusyPollMicros(budgetMicros);
      await settle();
      await loneTurn();
      await settle(); // the helper's own reads were lone bursts too
      const t = new RecordingTransport();
      serverOver(t, echo);
      return t;
    };

    it('keeps the loop polling after a lone read of 8 or more, until the next read', async () => {
      const t = await loneEcho(1000);
      t.h.data(read(9, 1));
      expect(busyPolling()).toBe(true);
      await turn();
      expect(busyPolling()).toBe(true); // still polling on the next turn: nothing has arrived
      t.h.data(read(1, 2));
      await turn();
      expect(busyPolling()).toBe(false);
    });

    it('stops by itself once its budget has passed without a read', async () => {
      const t = await loneEcho(200);
      t.h.data(read(9, 1));
      expect(busyPolling()).toBe(true);
      await pause(20);
      expect(busyPolling()).toBe(false);
    });

    it('does not poll after a read of fewer than 8, or when turned off', async () => {
      const t = await loneEcho();
      t.h.data(read(7, 1));
      expect(busyPolling()).toBe(false);
      await loneTurn();
      await settle();
      setBusyPollMicros(0);
      t.h.data(read(9, 1));
      expect(perSyscall(t).slice(-2)).toEqual([[0, 1, 2, 3, 4, 5, 6, 7], [8]]); // still a lone burst
      expect(busyPolling()).toBe(false);
    });

    it('takes its budget from ContextOptions.busyPollMicros, checked', () => {
      expect(busyPollMicros()).toBe(50);
      const ctx = new Context({ protocols: [echo], busyPollMicros: 0, destroyGraceMs: 50 });
      contexts.push(ctx);
      expect(busyPollMicros()).toBe(0);
      for (const bad of [-1, 1.5, 1001, Number.NaN]) expect(() => setBusyPollMicros(bad)).toThrow(RangeError);
      expect(() => new Context({ protocols: [echo], busyPollMicros: 5000 })).toThrow(/busyPollMicros: 5000 is not an integer from 0 to 1000/);
      expect(busyPollMicros()).toBe(0);
    });
  });
});
