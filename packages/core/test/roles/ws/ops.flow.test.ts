/*
 * Flow control of the ws role, over the memory pipe and a real socket: a peer that stops
 * reading stops our writeable callbacks (memory stays bounded by the
 * transport's high-water mark plus one message) and everything arrives
 * once it reads again; rxFlowControl(false) holds delivery, in order.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { setLogLevel } from '../../../src/context/log.js';
import { defineProtocol } from '../../../src/context/protocol.js';
import { cleanup, deferred, memoryPair, rawWs, server as listen } from './harness.js';

setLogLevel(0);
afterEach(cleanup);

async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

describe('ws flow control', () => {
  it('stops writeable callbacks while the peer does not read, bounded, and resumes when it does', async () => {
    const HIGH = 4096;
    const MSG = 1000;
    const TOTAL = 200;
    let sent = 0;
    let maxBuffered = 0;
    const received: number[] = [];
    const all = deferred<void>();
    const srvP = defineProtocol({
      name: 'tx',
      established: (wsi) => wsi.callbackOnWritable(),
      serverWriteable(wsi) {
        maxBuffered = Math.max(maxBuffered, wsi.transport.bufferedAmount);
        const b = Buffer.alloc(MSG, sent & 0xff);
        wsi.write(b, 'binary');
        if (++sent < TOTAL) wsi.callbackOnWritable();
      },
    });
    const cliP = defineProtocol({
      name: 'rx',
      clientReceive(_wsi, _p, data) {
        expect(data.length).toBe(MSG);
        received.push(data[0]!);
        if (received.length === TOTAL) all.resolve();
      },
    });
    const { server, client } = memoryPair(srvP, cliP, { highWater: HIGH });
    client.transport.pauseRead(); // the peer stops reading
    await turns(50);
    const stalledAt = sent;
    expect(stalledAt).toBeGreaterThan(0);
    expect(stalledAt).toBeLessThan(TOTAL);
    expect(server.transport.needDrain).toBe(true);
    await turns(50);
    expect(sent).toBe(stalledAt); // no writeable while congested
    expect(server.transport.bufferedAmount).toBeLessThanOrEqual(HIGH + MSG + 14);
    client.transport.resumeRead();
    await all.promise;
    expect(received).toEqual(Array.from({ length: TOTAL }, (_, k) => k & 0xff));
    expect(maxBuffered).toBeLessThanOrEqual(HIGH + MSG + 14);
  });

  it('holds received messages while rx is paused and delivers them in order after resuming', async () => {
    const N = 50;
    const got: string[] = [];
    const pausedAt10 = deferred<import('../../../src/context/wsi.js').Wsi>();
    const all = deferred<void>();
    const srvP = defineProtocol({
      name: 'rx',
      receive(wsi, _p, data) {
        got.push(data.toString());
        if (got.length === 10) {
          wsi.rxFlowControl(false);
          pausedAt10.resolve(wsi);
        }
        if (got.length === N) all.resolve();
      },
    });
    let i = 0;
    const cliP = defineProtocol({
      name: 'tx',
      clientEstablished: (wsi) => wsi.callbackOnWritable(),
      clientWriteable(wsi) {
        // several messages per writeable so they share one read on the server
        for (let k = 0; k < 10 && i < N; k++) wsi.write(`m${i++}`, 'text');
        if (i < N) wsi.callbackOnWritable();
      },
    });
    memoryPair(srvP, cliP);
    const server = await pausedAt10.promise;
    await turns(30);
    expect(got.length).toBe(10); // nothing delivered while paused, though more has arrived
    expect(i).toBe(N);
    server.rxFlowControl(true);
    await all.promise;
    expect(got).toEqual(Array.from({ length: N }, (_, k) => `m${k}`));
  });

  it('answers a ping flood while congested with a single pending pong', async () => {
    const srvP = defineProtocol({ name: 's', receive: () => {} });
    const pongs: string[] = [];
    const got = deferred<void>();
    const cliP = defineProtocol({
      name: 'c',
      receivePong: (_w, _p, d) => {
        pongs.push(d.toString());
        got.resolve();
      },
    });
    const { server, client } = memoryPair(srvP, cliP, { highWater: 64 });
    client.transport.pauseRead();
    // congest the server's transport, then flood pings from the client
    server.write(Buffer.alloc(500), 'binary');
    expect(server.transport.needDrain).toBe(true);
    for (let k = 0; k < 100; k++) client.write(`p${k}`, 'ping');
    await turns(20);
    client.transport.resumeRead();
    await got.promise;
    await turns(20);
    expect(pongs.length).toBeLessThanOrEqual(2);
    expect(pongs[pongs.length - 1]).toBe('p99');
  });

  it('over a real socket, stops writing to a peer that does not read, holding at most one message past the high-water mark', async () => {
    const MSG = 64 * 1024;
    let writes = 0;
    let maxBuffered = 0;
    let wsiRef: import('../../../src/context/wsi.js').Wsi | undefined;
    const s = await listen([defineProtocol({
      name: 'push',
      established: (wsi) => {
        wsiRef = wsi;
        wsi.callbackOnWritable();
      },
      serverWriteable(wsi) {
        maxBuffered = Math.max(maxBuffered, wsi.transport.bufferedAmount);
        wsi.write(Buffer.alloc(MSG, writes & 0xff), 'binary');
        writes++;
        if (writes < 2000) wsi.callbackOnWritable();
      },
    })]);
    const peer = await rawWs(s.port);
    peer.sock.pause(); // never read
    // wait until the kernel buffers are full and writes have stopped for a while
    let last = -1;
    let still = 0;
    for (let turn = 0; turn < 20000 && still < 200; turn++) {
      await new Promise((r) => setImmediate(r));
      still = writes === last ? still + 1 : 0;
      last = writes;
    }
    expect(still).toBe(200);
    expect(writes).toBeLessThan(2000);
    expect(wsiRef?.transport.needDrain).toBe(true);
    expect(maxBuffered).toBeLessThanOrEqual(16384 + MSG + 14);
    expect(wsiRef?.transport.bufferedAmount).toBeLessThanOrEqual(16384 + MSG + 14);
  });
});

describe('ws writeable bursts', () => {
  it('sends many small messages in order, several per writev', async () => {
    const TOTAL = 300;
    let sent = 0;
    const { Socket } = await import('node:net');
    const proto = Socket.prototype as unknown as { _writev: (...a: unknown[]) => unknown; _write: (...a: unknown[]) => unknown };
    const origWritev = proto._writev;
    const origWrite = proto._write;
    let writev = 0;
    let write = 0;
    proto._writev = function (this: unknown, ...a: unknown[]) {
      writev++;
      return origWritev.apply(this, a);
    };
    proto._write = function (this: unknown, ...a: unknown[]) {
      write++;
      return origWrite.apply(this, a);
    };
    try {
      const s = await listen([defineProtocol({
        name: 'burst',
        established: (wsi) => wsi.callbackOnWritable(),
        serverWriteable(wsi) {
          wsi.write(Buffer.from(`m${sent}`), 'text');
          if (++sent < TOTAL) wsi.callbackOnWritable();
        },
      })]);
      const c = await rawWs(s.port);
      await c.waitEvent(() => c.events.filter((e) => e.type === 'message').length === TOTAL);
      const texts = c.events.filter((e) => e.type === 'message').map((e) => Buffer.from((e as { data: Uint8Array }).data).toString());
      expect(texts).toEqual(Array.from({ length: TOTAL }, (_, i) => `m${i}`));
      // 16 callbacks per burst: the messages leave in far fewer socket writes than messages
      expect(writev).toBeGreaterThan(0);
      expect(writev + write).toBeLessThan(TOTAL / 4);
    } finally {
      proto._writev = origWritev;
      proto._write = origWrite;
    }
  });
});
