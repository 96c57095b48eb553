/*
 * The event model over real sockets with the raw role: adoption, pss and
 * vhd lifecycles, writeable-driven output with real backpressure, timeouts,
 * and a destroy that closes everything.
 */
import { once } from 'node:events';
import { connect, createServer, Socket, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createContext, type Context } from '../../src/context/context.js';
import { defineProtocol } from '../../src/context/protocol.js';
import { setLogLevel } from '../../src/context/log.js';
import { TimeoutReason, type Wsi } from '../../src/context/wsi.js';

setLogLevel(1);

let context: Context | undefined;
let server: Server | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await context?.destroy();
  context = undefined;
  if (server) await new Promise((r) => server?.close(r));
  server = undefined;
});

/** A plain net.Server whose connections are adopted raw into the context. */
async function adoptingServer(ctx: Context, protocol: string): Promise<number> {
  server = createServer((s) => ctx.adopt(s, { role: 'raw', protocol }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const a = server.address();
  if (!a || typeof a === 'string') throw new Error('no port');
  return a.port;
}

async function dial(port: number): Promise<Socket> {
  const s = connect(port, '127.0.0.1');
  sockets.push(s);
  await once(s, 'connect');
  return s;
}

describe('context with raw adoption', () => {
  it('makes vhd at init, pss per wsi, and destroys both', async () => {
    const events: string[] = [];
    const p = defineProtocol<{ n: number }, { name: string }>({
      name: 'life',
      newVhd: (vh) => {
        events.push('vhd-init');
        return { name: vh.name };
      },
      destroyVhd: () => void events.push('vhd-destroy'),
      newPss: () => {
        events.push('pss-new');
        return { n: 1 };
      },
      destroyPss: () => void events.push('pss-destroy'),
      rawAdopt: (wsi) => void events.push(`adopt:${wsi.vhd.name}`),
      rawClose: () => void events.push('close'),
    });
    context = await createContext({ name: 'vh1', protocols: [p] });
    expect(events).toEqual(['vhd-init']);
    const port = await adoptingServer(context, 'life');
    const s = await dial(port);
    while (context.wsiCount === 0) await new Promise((r) => setImmediate(r));
    s.end();
    await once(s, 'close');
    while (context.wsiCount > 0) await new Promise((r) => setImmediate(r));
    await context.destroy();
    expect(events).toEqual(['vhd-init', 'pss-new', 'adopt:vh1', 'close', 'pss-destroy', 'vhd-destroy']);
  });

  it('echoes through one write per writeable callback', async () => {
    const p = defineProtocol<{ q: Buffer[] }>({
      name: 'echo',
      newPss: () => ({ q: [] }),
      rawRx(wsi, pss, data) {
        pss.q.push(data);
        wsi.callbackOnWritable();
      },
      rawWriteable(wsi, pss) {
        const b = pss.q.shift();
        if (b) wsi.write(b, 'raw');
        if (pss.q.length) wsi.callbackOnWritable();
      },
    });
    context = await createContext({ protocols: [p] });
    const port = await adoptingServer(context, 'echo');
    const s = await dial(port);
    const got: Buffer[] = [];
    s.on('data', (b) => got.push(b));
    const msg = Buffer.from('hello raw world');
    s.write(msg);
    while (Buffer.concat(got).length < msg.length) await new Promise((r) => setTimeout(r, 5));
    expect(Buffer.concat(got).equals(msg)).toBe(true);
  });

  it('never calls writeable while the transport is over its high-water mark, and delivers every byte', async () => {
    const CHUNK = 64 * 1024;
    const TOTAL = 256; // 16 MiB in all, bounded
    let written = 0;
    let violations = 0;
    let serverWsi: Wsi | undefined;
    const p = defineProtocol({
      name: 'flood',
      rawAdopt(wsi) {
        serverWsi = wsi;
        wsi.callbackOnWritable();
      },
      rawWriteable(wsi) {
        if (wsi.transport.needDrain) violations++;
        const b = Buffer.alloc(CHUNK, written & 0xff);
        wsi.write(b, 'raw');
        written++;
        if (written < TOTAL) wsi.callbackOnWritable();
        else wsi.close();
      },
    });
    context = await createContext({ protocols: [p] });
    const port = await adoptingServer(context, 'flood');
    const s = await dial(port);
    s.pause();
    // while the client does not read, the writer must stall well short of the total
    let last = -1;
    for (let i = 0; i < 50 && written !== last; i++) {
      last = written;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(written).toBeLessThan(TOTAL);
    expect(serverWsi?.transport.bufferedAmount ?? 0).toBeLessThanOrEqual(CHUNK + 16 * 1024);
    let received = 0;
    s.on('data', (b: Buffer) => {
      received += b.length;
    });
    s.resume();
    await once(s, 'end');
    expect(received).toBe(CHUNK * TOTAL);
    expect(violations).toBe(0);
  });

  it('drops a wsi whose timeout expires, without touching others', async () => {
    const closed: number[] = [];
    const p = defineProtocol({
      name: 'slow',
      rawRx(wsi, _pss, data) {
        if (data.toString() === 'short') wsi.setTimeout(TimeoutReason.User, 0.05);
      },
      rawClose: (wsi) => void closed.push(wsi.id),
    });
    context = await createContext({ protocols: [p] });
    const port = await adoptingServer(context, 'slow');
    const a = await dial(port);
    const b = await dial(port);
    a.write('short');
    await once(a, 'close');
    while (closed.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(closed).toHaveLength(1);
    expect(b.destroyed).toBe(false);
    b.write('still here');
    await new Promise((r) => setTimeout(r, 20));
    expect(b.destroyed).toBe(false);
  });

  it('destroy closes every connection and resolves; a second call returns the same promise', async () => {
    const p = defineProtocol({ name: 'idle' });
    context = await createContext({ protocols: [p] });
    const port = await adoptingServer(context, 'idle');
    const conns = await Promise.all([dial(port), dial(port), dial(port)]);
    while (context.wsiCount < 3) await new Promise((r) => setImmediate(r));
    const d1 = context.destroy();
    expect(context.destroy()).toBe(d1);
    await d1;
    expect(context.wsiCount).toBe(0);
    for (const c of conns) if (!c.destroyed) await once(c, 'close');
    expect(() => context?.adopt(new Socket())).toThrow(/Cannot adopt socket: context is being destroyed/);
  });

  it('closes only the connection whose handler threw', async () => {
    const p = defineProtocol({
      name: 'thrower',
      rawRx(wsi, _pss, data) {
        if (data.toString() === 'boom') throw new Error('handler bug');
        wsi.callbackOnWritable();
      },
      rawWriteable(wsi) {
        wsi.write('ok', 'raw');
      },
    });
    context = await createContext({ protocols: [p] });
    const port = await adoptingServer(context, 'thrower');
    const bad = await dial(port);
    const good = await dial(port);
    bad.write('boom');
    await once(bad, 'end');
    good.write('fine');
    const [reply] = (await once(good, 'data')) as [Buffer];
    expect(reply.toString()).toBe('ok');
  });
});
