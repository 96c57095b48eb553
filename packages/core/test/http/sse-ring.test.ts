/*
 * SseBroadcaster over real h1 wsi on the memory pipe (high-water 1 KiB):
 * a client that stops reading makes its wsi not writeable, falls behind
 * and loses only its oldest events, while memory stays bounded (ring
 * capacity, transport buffer) and the fast client gets every event.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { wireTransport } from '../../src/context/adopt.js';
import { Context } from '../../src/context/context.js';
import { defineProtocol } from '../../src/context/protocol.js';
import { Wsi } from '../../src/context/wsi.js';
import { startSse } from '../../src/http/sse.js';
import { SseBroadcaster } from '../../src/http/sse-ring.js';
import { createMemoryPipe } from '../../src/net/memory-pipe.js';
import type { Transport } from '../../src/net/transport.js';
import { h1ServerRole, startH1Server } from '../../src/roles/h1/server.js';

const HIGH_WATER = 1024;
const CAPACITY = 4;
let ctx: Context | undefined;
afterEach(async () => {
  await ctx?.destroy();
  ctx = undefined;
});

interface Peer { server: Transport; client: Transport; text(): string; until(s: string): Promise<void> }

function connectPeer(c: Context): Peer {
  const [server, client] = createMemoryPipe({ highWater: HIGH_WATER });
  const vhost = c.vhosts[0] as Context['vhosts'][number];
  const wsi = new Wsi({ owner: c, vhost, transport: server, role: h1ServerRole });
  wireTransport(wsi, server);
  startH1Server(wsi, [vhost]);
  let text = '';
  const waiters: { s: string; resolve: () => void }[] = [];
  const noop = (): void => {};
  client.setHandlers({
    data: (b) => {
      text += b.toString('latin1');
      for (const w of waiters.filter((x) => text.includes(x.s))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    },
    drain: noop,
    end: noop,
    close: noop,
  });
  client.write(Buffer.from('GET /sse HTTP/1.1\r\nHost: localhost\r\n\r\n'));
  return {
    server,
    client,
    text: () => text,
    until: (s) => (text.includes(s) ? Promise.resolve() : new Promise((resolve) => waiters.push({ s, resolve }))),
  };
}

describe('SseBroadcaster with a slow client', () => {
  it('drops only the slow client\'s oldest events and keeps memory bounded', async () => {
    const bc = new SseBroadcaster({ capacity: CAPACITY });
    const sse = defineProtocol({
      name: 'sse',
      http: (wsi) => void (startSse(wsi) && bc.addClient(wsi)),
      httpWriteable: (wsi) => bc.writeable(wsi),
      closedHttp: (wsi) => bc.removeClient(wsi),
    });
    ctx = new Context({ protocols: [sse], mounts: [{ kind: 'callback', mountpoint: '/sse', protocol: 'sse' }], destroyGraceMs: 50 });
    const slow = connectPeer(ctx);
    slow.client.pauseRead(); // the slow client reads nothing until told
    const fast = connectPeer(ctx);
    await fast.until('\r\n\r\n');
    expect(bc.clientCount).toBe(2);

    const N = 60;
    const payload = 'p'.repeat(200);
    let maxBuffered = 0;
    for (let i = 1; i <= N; i++) {
      expect(bc.publish({ data: `${i} ${payload}` })).toBe(true);
      expect(bc.held).toBeLessThanOrEqual(CAPACITY);
      await fast.until(`id: ${i}\n`);
      maxBuffered = Math.max(maxBuffered, slow.server.bufferedAmount);
    }
    // the slow connection's output stopped near the high-water mark: no unbounded queue
    expect(slow.server.needDrain).toBe(true);
    expect(maxBuffered).toBeLessThan(HIGH_WATER + 16384);
    expect(fast.text().match(/^id: \d+$/gm)).toHaveLength(N);

    slow.client.resumeRead();
    await slow.until(`id: ${N}\n`);
    const ids = (slow.text().match(/^id: (\d+)$/gm) ?? []).map((l) => Number(l.slice(4)));
    const dropped = Number(/^: dropped (\d+)$/m.exec(slow.text())?.[1]);
    expect(dropped).toBeGreaterThan(0);
    expect(ids.length + dropped).toBe(N);
    expect(ids.slice(-CAPACITY)).toEqual([N - 3, N - 2, N - 1, N]);
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1] as number);
  });
});
