/*
 * lws-minimal-http-server-sse-ring: the broadcast protocol
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * One timer per vhost publishes a message into a ring (SseBroadcaster over
 * LwsRing); every client reads the ring at its own tail from its writeable
 * callback. Memory is bounded by the ring's capacity: a client too slow to
 * keep up loses its oldest unread messages (and is told), the others never
 * wait for it.
 */
import { defineProtocol, log, SseBroadcaster, startSse, type Protocol } from '@lws/core';

const RING_CAPACITY = 32; // messages held for the slowest client

interface Vhd {
  broadcaster: SseBroadcaster;
  timer: NodeJS.Timeout;
}

/** The protocol, publishing one message every `intervalMs`. */
export function sseRingProtocol(intervalMs: number): Protocol<undefined, Vhd> {
  return defineProtocol<undefined, Vhd>({
    name: 'sse-ring',

    newVhd() {
      const broadcaster = new SseBroadcaster({ capacity: RING_CAPACITY });
      let n = 0;
      const timer = setInterval(() => {
        n++;
        broadcaster.publish({ data: `message ${n} from the timer, to ${broadcaster.clientCount} clients` });
      }, intervalMs);
      return { broadcaster, timer };
    },

    destroyVhd(vhd) {
      clearInterval(vhd.timer);
      vhd.broadcaster.clear();
    },

    http(wsi) {
      if (!startSse(wsi)) return;
      wsi.vhd.broadcaster.addClient(wsi);
      log.info(`sse-ring: client ${wsi.id} joined, ${wsi.vhd.broadcaster.clientCount} now`);
    },

    httpWriteable(wsi) {
      wsi.vhd.broadcaster.writeable(wsi);
    },

    closedHttp(wsi) {
      wsi.vhd.broadcaster.removeClient(wsi);
    },
  });
}
