/*
 * The ws role's timers: a peer that never answers our close is dropped
 * after closeTimeoutSecs; keepalive pings an idle peer and drops it when
 * no pong comes within pongTimeoutSecs, but keeps a peer that answers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { setLogLevel } from '../../../src/context/log.js';
import { defineProtocol, type CloseInfo } from '../../../src/context/protocol.js';
import { cleanup, deferred, rawWs, send, server } from './harness.js';

setLogLevel(0);
afterEach(cleanup);

describe('ws timeouts', () => {
  it('drops a peer that never answers our close after closeTimeoutSecs, reporting 1006', async () => {
    const closed = deferred<CloseInfo>();
    const s = await server([defineProtocol({
      name: 'x',
      established: (wsi) => wsi.close(1000, 'bye'),
      closed: (_w, _p, info) => closed.resolve(info),
    })], { closeTimeoutSecs: 0.2 });
    const peer = await rawWs(s.port);
    const t0 = performance.now();
    expect(await peer.waitEvent((e) => e.type === 'close')).toMatchObject({ code: 1000, reason: 'bye' });
    await peer.closed; // we never answered: the server gave up
    const took = performance.now() - t0;
    expect(await closed.promise).toEqual({ code: 1006, reason: '' });
    expect(took).toBeGreaterThanOrEqual(150);
    expect(took).toBeLessThan(2000);
  });

  it('pings an idle peer and drops it when the pong does not come', async () => {
    const closed = deferred<CloseInfo>();
    const s = await server([defineProtocol({ name: 'x', receive: () => {}, closed: (_w, _p, i) => closed.resolve(i) })], {
      pingIntervalSecs: 0.1,
      pongTimeoutSecs: 0.2,
    });
    const peer = await rawWs(s.port);
    const t0 = performance.now();
    await peer.waitEvent((e) => e.type === 'ping');
    await peer.closed;
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(await closed.promise).toEqual({ code: 1006, reason: '' });
  });

  it('keeps a peer that answers its pings, and tells the protocol of each pong', async () => {
    let pongs = 0;
    const enough = deferred<void>();
    const s = await server([defineProtocol({
      name: 'x',
      receivePong: () => {
        if (++pongs === 3) enough.resolve();
      },
    })], { pingIntervalSecs: 0.05, pongTimeoutSecs: 0.1 });
    const peer = await rawWs(s.port);
    let answered = 0;
    peer.sock.on('data', () => {
      while (answered < peer.events.filter((e) => e.type === 'ping').length) {
        answered++;
        send(peer.sock, peer.writer.pong());
      }
    });
    await enough.promise;
    expect(peer.sock.destroyed).toBe(false);
  });
});
