/*
 * The established ws role over loopback sockets, our client against our
 * server: messages both ways, fragments, the close handshake from either
 * side, a throwing handler (1011) and protocol errors (1002/1007/1009).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { setLogLevel } from '../../../src/context/log.js';
import { defineProtocol, type CloseInfo, type ReceiveInfo } from '../../../src/context/protocol.js';
import type { Wsi } from '../../../src/context/wsi.js';
import { wsSubprotocol } from '../../../src/roles/ws/ops.js';
import { cleanup, client, deferred, rawWs, send, server } from './harness.js';

setLogLevel(0);
afterEach(cleanup);

interface Got { data: Buffer; info: ReceiveInfo }

/** An echo server protocol that records what it sees. */
function echoServer(name = 'echo') {
  const closed = deferred<CloseInfo>();
  const peerClose = deferred<CloseInfo>();
  const got: Got[] = [];
  const p = defineProtocol<{ q: Got[] }>({
    name,
    newPss: () => ({ q: [] }),
    receive(wsi, pss, data, info) {
      got.push({ data, info });
      pss.q.push({ data, info });
      wsi.callbackOnWritable();
    },
    serverWriteable(wsi, pss) {
      const m = pss.q.shift();
      if (!m) return;
      wsi.write(m.data, m.info.binary ? 'binary' : 'text');
      if (pss.q.length > 0) wsi.callbackOnWritable();
    },
    peerInitiatedClose: (_w, _p, info) => peerClose.resolve(info),
    closed: (_w, _p, info) => closed.resolve(info),
  });
  return { p, got, closed: closed.promise, peerClose: peerClose.promise };
}

/** A client protocol that sends `msgs` one per writeable and collects replies. */
function sender(msgs: { data: string | Buffer; kind: 'text' | 'binary' }[], onAll?: (wsi: Wsi) => void, opts: { delivery?: 'whole' | 'fragments' } = {}) {
  const got: Got[] = [];
  const established = deferred<Wsi>();
  const closed = deferred<CloseInfo>();
  const error = deferred<Error>();
  let i = 0;
  const p = defineProtocol({
    name: 'echo',
    ws: { delivery: opts.delivery ?? 'whole' },
    clientEstablished(wsi) {
      established.resolve(wsi);
      if (msgs.length > 0) wsi.callbackOnWritable();
    },
    clientWriteable(wsi) {
      const m = msgs[i++];
      if (!m) return;
      wsi.write(m.data, m.kind);
      if (i < msgs.length) wsi.callbackOnWritable();
    },
    clientReceive(wsi, _pss, data, info) {
      got.push({ data, info });
      if (got.length === msgs.length) onAll?.(wsi);
    },
    clientClosed: (_w, _p, info) => closed.resolve(info),
    clientConnectionError: (_w, _p, e) => error.resolve(e),
  });
  return { p, got, established: established.promise, closed: closed.promise, error: error.promise };
}

describe('ws role, our client against our server', () => {
  it('echoes text and binary messages byte for byte, then closes cleanly from the client with 1000', async () => {
    const srv = echoServer();
    const s = await server([srv.p]);
    const bin = Buffer.from(Array.from({ length: 70000 }, (_, k) => k & 0xff));
    const msgs = [{ data: 'hello', kind: 'text' as const }, { data: bin, kind: 'binary' as const }, { data: 'é€😀', kind: 'text' as const }];
    const cl = sender(msgs, (wsi) => wsi.close(1000, 'bye'));
    const c = await client([cl.p]);
    c.clientConnect({ address: '127.0.0.1', port: s.port, protocol: 'echo', role: 'ws' });
    // the initiator hears the peer's reply, which echoes the code only (RFC 6455 §7.1.5)
    expect(await cl.closed).toEqual({ code: 1000, reason: '' });
    expect(await srv.peerClose).toEqual({ code: 1000, reason: 'bye' });
    expect(await srv.closed).toEqual({ code: 1000, reason: 'bye' });
    expect(cl.got.map((g) => g.info.binary)).toEqual([false, true, false]);
    expect(cl.got[0]!.data.toString()).toBe('hello');
    expect(cl.got[1]!.data.equals(bin)).toBe(true);
    expect(cl.got[2]!.data.toString()).toBe('é€😀');
  });

  it('agrees the subprotocol the client asks for, choosing among the vhost protocols', async () => {
    const other = defineProtocol({ name: 'other', established: () => {} });
    const srv = echoServer('lws-minimal');
    const s = await server([other, srv.p]);
    const seen = deferred<string | undefined>();
    const p = defineProtocol({ name: 'lws-minimal', clientEstablished: (wsi) => { seen.resolve(wsSubprotocol(wsi)); wsi.close(); } });
    const c = await client([p]);
    c.clientConnect({ address: '127.0.0.1', port: s.port, protocol: 'lws-minimal', role: 'ws' });
    expect(await seen.promise).toBe('lws-minimal');
    expect(await srv.closed).toEqual({ code: 1000, reason: '' });
  });

  it('sends a message in fragments that a whole-delivery peer gets as one message', async () => {
    const s = await server([defineProtocol({
      name: 'frag',
      established: (wsi) => wsi.callbackOnWritable(),
      serverWriteable(wsi, _p) {
        const n = ((wsi.user as number | undefined) ?? 0);
        wsi.user = n + 1;
        if (n === 0) wsi.write('ab', 'text', { final: false });
        else if (n === 1) wsi.write('cd', 'continuation', { final: false });
        else if (n === 2) wsi.write('ef', 'continuation', { final: true });
        if (n < 2) wsi.callbackOnWritable();
      },
    })]);
    for (const delivery of ['whole', 'fragments'] as const) {
      const cl = sender([], undefined, { delivery });
      const done = deferred<void>();
      const p = defineProtocol({ ...cl.p, name: 'frag', clientReceive(wsi, pss, data, info) {
        cl.got.push({ data, info });
        if (info.final) done.resolve();
      } });
      const c = await client([p]);
      c.clientConnect({ address: '127.0.0.1', port: s.port, protocol: 'frag', role: 'ws' });
      await done.promise;
      const shape = cl.got.map((g) => [g.data.toString(), g.info.first, g.info.final]);
      if (delivery === 'whole') expect(shape).toEqual([['abcdef', true, true]]);
      else expect(shape).toEqual([['ab', true, false], ['cd', false, false], ['ef', false, true]]);
    }
  });

  it('closes from the server side: the client hears the code and reason', async () => {
    const s = await server([defineProtocol({ name: 'x', established: (wsi) => wsi.close(4000, 'go away') })]);
    const cl = sender([]);
    const c = await client([defineProtocol({ ...cl.p, name: 'x' })]);
    c.clientConnect({ address: '127.0.0.1', port: s.port, protocol: 'x', role: 'ws' });
    expect(await cl.closed).toEqual({ code: 4000, reason: 'go away' });
  });

  it('closes with 1011 when a receive handler throws, and only that connection', async () => {
    let n = 0;
    const s = await server([defineProtocol({ name: 'x', receive: () => { n++; throw new Error('boom'); } })]);
    const cl = sender([{ data: 'hi', kind: 'text' }]);
    const c = await client([defineProtocol({ ...cl.p, name: 'x' })]);
    c.clientConnect({ address: '127.0.0.1', port: s.port, protocol: 'x', role: 'ws' });
    expect(await cl.closed).toEqual({ code: 1011, reason: 'handler error' });
    expect(n).toBe(1);
    const cl2 = sender([]);
    const c2 = await client([defineProtocol({ ...cl2.p, name: 'x' })]);
    c2.clientConnect({ address: '127.0.0.1', port: s.port, protocol: 'x', role: 'ws' });
    await cl2.established;
  });
});

describe('ws role, protocol errors from a raw peer', () => {
  async function failing(frames: (w: import('../../../src/roles/ws/frame-writer.js').WsFrameWriter) => Buffer[], ws = {}) {
    const closed = deferred<CloseInfo>();
    const s = await server([defineProtocol({ name: 'x', receive: () => {}, closed: (_w, _p, i) => closed.resolve(i) })], ws);
    const peer = await rawWs(s.port);
    expect(peer.head).toMatch(/^HTTP\/1\.1 101 /);
    send(peer.sock, frames(peer.writer));
    const ev = await peer.waitEvent((e) => e.type === 'close');
    await peer.closed;
    return { ev, info: await closed.promise };
  }

  it('answers an unmasked frame with close 1002 and drops the connection', async () => {
    const { ev, info } = await failing(() => [Buffer.from('810568656c6c6f', 'hex')]);
    expect(ev).toMatchObject({ type: 'close', code: 1002, reason: 'Cannot accept frame: a client frame must be masked' });
    expect(info).toEqual({ code: 1002, reason: 'Cannot accept frame: a client frame must be masked' });
  });

  it('answers invalid UTF-8 text with close 1007', async () => {
    const { ev } = await failing((w) => w.message(Buffer.from([0xc3, 0x28]), { binary: false }));
    expect(ev).toMatchObject({ type: 'close', code: 1007 });
  });

  it('answers a message over maxMessageSize with close 1009', async () => {
    const { ev } = await failing((w) => w.message(Buffer.alloc(2000)), { maxMessageSize: 1000 });
    expect(ev).toMatchObject({ type: 'close', code: 1009, reason: 'Cannot accept message: it reaches 2000 bytes, limit is 1000' });
  });

  it('reports 1006 when the peer drops TCP without a close frame', async () => {
    const closed = deferred<CloseInfo>();
    const s = await server([defineProtocol({ name: 'x', receive: () => {}, closed: (_w, _p, i) => closed.resolve(i) })]);
    const peer = await rawWs(s.port);
    send(peer.sock, peer.writer.message('partial', { binary: false }).map((b) => b.subarray(0, 4)));
    peer.sock.end();
    expect(await closed.promise).toEqual({ code: 1006, reason: '' });
  });

  it('answers a ping with a pong carrying the same payload', async () => {
    const s = await server([defineProtocol({ name: 'x', receive: () => {} })]);
    const peer = await rawWs(s.port);
    send(peer.sock, peer.writer.ping('are you there'));
    const ev = await peer.waitEvent((e) => e.type === 'pong');
    expect(ev.type === 'pong' && ev.data.toString()).toBe('are you there');
  });
});
