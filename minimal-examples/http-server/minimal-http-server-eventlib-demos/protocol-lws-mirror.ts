/*
 * lws-mirror-protocol (http-server/minimal-http-server-eventlib-demos)
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * The lws test server's second demo: whatever one connection sends (the
 * page sends drawing commands) goes to every mirror connection, through one
 * ring per vhost read at a tail per connection, one message per writeable
 * callback. The ring holds RING_DEPTH messages; a connection that lags
 * further loses the oldest ones, so nothing grows behind a slow reader.
 */
import { defineProtocol, log, LwsRing, type LwsRingReader, type Wsi } from '@lws/core';

const RING_DEPTH = 64;
/** Largest message mirrored; the page's commands are a few dozen bytes. */
const MAX_MESSAGE = 4096;

interface Vhd {
  ring: LwsRing<Buffer>;
  live: Set<Wsi<Pss, Vhd>>;
}

interface Pss {
  tail: LwsRingReader<Buffer>;
}

export const lwsMirror = defineProtocol<Pss, Vhd>({
  name: 'lws-mirror-protocol',
  ws: { maxMessageSize: MAX_MESSAGE },
  newVhd: () => ({ ring: new LwsRing<Buffer>({ capacity: RING_DEPTH, policy: 'drop-oldest' }), live: new Set() }),
  newPss: (wsi) => ({ tail: wsi.vhd.ring.addReader() }),
  destroyPss(pss, wsi) {
    pss.tail.remove();
    wsi.vhd.live.delete(wsi);
  },

  established(wsi) {
    wsi.vhd.live.add(wsi);
  },

  receive(wsi, _pss, data) {
    log.info(`wsi ${wsi.id}: mirror rx ${data.toString().trim().slice(0, 60)}`);
    wsi.vhd.ring.insert(data);
    for (const w of wsi.vhd.live) w.callbackOnWritable();
  },

  serverWriteable(wsi, pss) {
    const msg = pss.tail.peek();
    if (!msg) return;
    wsi.write(msg, 'text');
    pss.tail.consume();
    if (pss.tail.waiting > 0) wsi.callbackOnWritable();
  },
});
