/*
 * lws-minimal-broker protocol (ws-server/minimal-ws-broker)
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Connections to a path ending in /publisher publish; the others subscribe.
 * A published message goes into a ring once and every subscriber reads it
 * at its own tail, one message per writeable callback. When the slowest
 * subscriber still holds every slot, new messages are dropped and logged.
 */
import { defineProtocol, log, LwsRing, type LwsRingReader, type Wsi } from '@lws/core';

/** Messages held for the slowest subscriber; when full, new ones are dropped. */
const RING_DEPTH = 32;

interface Vhd {
  ring: LwsRing<Buffer>;
  subscribers: Set<Wsi<Pss, Vhd>>;
}

interface Pss {
  publishing: boolean;
  tail: LwsRingReader<Buffer> | undefined;
}

export const lwsMinimalBroker = defineProtocol<Pss, Vhd>({
  name: 'lws-minimal-broker',
  ws: { maxMessageSize: 4096 },
  newVhd: () => ({ ring: new LwsRing<Buffer>({ capacity: RING_DEPTH }), subscribers: new Set() }),
  newPss: () => ({ publishing: false, tail: undefined }),
  destroyPss(pss, wsi) {
    pss.tail?.remove();
    wsi.vhd.subscribers.delete(wsi);
  },

  filterProtocolConnection(_wsi, pss, req) {
    pss.publishing = req.path.endsWith('/publisher');
  },

  established(wsi, pss) {
    log.user(`${pss.publishing ? 'publisher' : 'subscriber'} joined`);
    if (pss.publishing) return;
    pss.tail = wsi.vhd.ring.addReader();
    wsi.vhd.subscribers.add(wsi);
  },

  receive(wsi, pss, data) {
    if (!pss.publishing) return; // subscribers only listen
    const vhd = wsi.vhd;
    if (!vhd.ring.insert(data)) {
      log.user('dropping!');
      return;
    }
    for (const s of vhd.subscribers) s.callbackOnWritable();
  },

  serverWriteable(wsi, pss) {
    const msg = pss.tail?.peek();
    if (!msg || !pss.tail) return;
    wsi.write(msg, 'text');
    pss.tail.consume();
    if (pss.tail.waiting > 0) wsi.callbackOnWritable();
  },
});
