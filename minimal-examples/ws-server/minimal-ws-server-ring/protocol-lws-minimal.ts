/*
 * lws-minimal protocol with a ring and rx flow control (ws-server/minimal-ws-server-ring)
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Every message a client sends is broadcast to every connected client
 * through one ring per vhost, each connection reading at its own tail.
 * Instead of dropping messages when the ring fills up, this version stops
 * reading from a sender while fewer than RX_PAUSE_FREE slots are free, and
 * starts again once the slowest reader has made room: a fast sender is
 * slowed to the pace of the slowest receiver, and memory stays at
 * RING_DEPTH messages.
 */
import { defineProtocol, LwsRing, type LwsRingReader, type Wsi } from '@lws/core';

const RING_DEPTH = 16;
/** Pause a sender when fewer slots than this are free. */
const RX_PAUSE_FREE = 3;
/** Resume paused senders once at least this many slots are free. */
const RX_RESUME_FREE = 8;

interface Msg {
  data: Buffer;
  binary: boolean;
}

interface Vhd {
  ring: LwsRing<Msg>;
  live: Set<Wsi<Pss, Vhd>>;
  paused: Set<Wsi<Pss, Vhd>>;
}

interface Pss {
  tail: LwsRingReader<Msg>;
  /** A message that found the ring full: inserted first when the sender resumes. */
  pending: Msg | undefined;
}

function pause(vhd: Vhd, wsi: Wsi<Pss, Vhd>): void {
  wsi.rxFlowControl(false);
  vhd.paused.add(wsi);
}

function wake(vhd: Vhd): void {
  for (const w of vhd.live) w.callbackOnWritable();
}

function resumeSenders(vhd: Vhd): void {
  if (vhd.ring.freeSlots < RX_RESUME_FREE) return;
  for (const w of vhd.paused) {
    const pending = w.pss.pending;
    if (pending && !vhd.ring.insert(pending)) return;
    w.pss.pending = undefined;
    vhd.paused.delete(w);
    w.rxFlowControl(true);
  }
  wake(vhd);
}

export const lwsMinimal = defineProtocol<Pss, Vhd>({
  name: 'lws-minimal',
  ws: { maxMessageSize: 4096 },
  newVhd: () => ({ ring: new LwsRing<Msg>({ capacity: RING_DEPTH }), live: new Set(), paused: new Set() }),
  newPss: (wsi) => ({ tail: wsi.vhd.ring.addReader(), pending: undefined }),
  destroyPss(pss, wsi) {
    const vhd = wsi.vhd;
    pss.tail.remove(); // may free slots a paused sender waits for
    vhd.live.delete(wsi);
    vhd.paused.delete(wsi);
    resumeSenders(vhd);
  },

  established(wsi) {
    wsi.vhd.live.add(wsi);
  },

  peerInitiatedClose(wsi, pss) {
    // a closing peer reads no more: release its tail now, which may let paused senders go on
    pss.tail.remove();
    wsi.vhd.live.delete(wsi);
    resumeSenders(wsi.vhd);
  },

  receive(wsi, pss, data, { binary }) {
    const vhd = wsi.vhd;
    if (!vhd.ring.insert({ data, binary })) {
      pss.pending = { data, binary }; // several senders raced for the last slots
      pause(vhd, wsi);
    } else if (vhd.ring.freeSlots < RX_PAUSE_FREE) {
      pause(vhd, wsi);
    }
    wake(vhd);
  },

  serverWriteable(wsi, pss) {
    const msg = pss.tail.peek();
    if (!msg) return;
    wsi.write(msg.data, msg.binary ? 'binary' : 'text');
    pss.tail.consume();
    resumeSenders(wsi.vhd);
    if (pss.tail.waiting > 0) wsi.callbackOnWritable();
  },
});
