/*
 * lws-minimal protocol (ws-server/minimal-ws-server-pmd)
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Every message a client sends is broadcast to every connected client.
 * Messages wait in one ring per vhost; each connection reads it at its own
 * tail, one message per writeable callback, so a slow client costs ring
 * slots, never unbounded memory. When the slowest client still holds every
 * slot, new messages are dropped (and logged), as in lws.
 */
import { defineProtocol, log, LwsRing, type LwsRingReader, type Wsi } from '@lws/core';

/** Messages held for the slowest client. */
const RING_DEPTH = 8;

interface Msg {
  data: Buffer;
  binary: boolean;
}

interface Vhd {
  ring: LwsRing<Msg>;
  /** The connections to wake when a message arrives (lws keeps a pss list). */
  live: Set<Wsi<Pss, Vhd>>;
}

interface Pss {
  tail: LwsRingReader<Msg>;
}

export const lwsMinimal = defineProtocol<Pss, Vhd>({
  name: 'lws-minimal',
  ws: { maxMessageSize: 64 * 1024 },
  newVhd: () => ({ ring: new LwsRing<Msg>({ capacity: RING_DEPTH }), live: new Set() }),
  newPss: (wsi) => ({ tail: wsi.vhd.ring.addReader() }),
  destroyPss(pss, wsi) {
    pss.tail.remove();
    wsi.vhd.live.delete(wsi);
  },

  established(wsi) {
    wsi.vhd.live.add(wsi);
  },

  receive(wsi, _pss, data, { binary }) {
    const vhd = wsi.vhd;
    if (!vhd.ring.insert({ data, binary })) {
      log.user('dropping!');
      return;
    }
    for (const w of vhd.live) w.callbackOnWritable();
  },

  serverWriteable(wsi, pss) {
    const msg = pss.tail.peek();
    if (!msg) return;
    wsi.write(msg.data, msg.binary ? 'binary' : 'text');
    pss.tail.consume();
    if (pss.tail.waiting > 0) wsi.callbackOnWritable();
  },

  peerInitiatedClose(wsi, pss) {
    // a closing peer reads no more: release its tail now, not when the socket is gone
    pss.tail.remove();
    wsi.vhd.live.delete(wsi);
  },

  closed(wsi) {
    wsi.vhd.live.delete(wsi);
  },
});
