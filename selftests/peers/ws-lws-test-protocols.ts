/*
 * The two protocols of the lws C test server, served by @lws/core, so the
 * lws C test client (libwebsockets-test-client) can be pointed at us:
 * dumb-increment-protocol sends an increasing number every 50 ms (and closes
 * when it receives "closeme"); lws-mirror-protocol relays every message to
 * every mirror connection through a ring. Prints `LISTENING ws://...`;
 * `--no-deflate` turns permessage-deflate off.
 */
import { createContext, defineProtocol, log, LwsRing, type LwsRingReader, type Wsi } from '@lws/core';

const dumb = defineProtocol<{ n: number; timer: ReturnType<typeof setInterval> | undefined }>({
  name: 'dumb-increment-protocol',
  newPss: () => ({ n: 0, timer: undefined }),
  destroyPss: (pss) => clearInterval(pss.timer),
  established(wsi, pss) {
    pss.timer = setInterval(() => wsi.callbackOnWritable(), 50);
  },
  serverWriteable(wsi, pss) {
    wsi.write(String(pss.n++), 'text');
  },
  receive(wsi, _pss, data) {
    if (data.toString() === 'closeme\n' || data.toString() === 'closeme') wsi.close(1001, 'seeya');
  },
});

interface MirrorVhd {
  ring: LwsRing<Buffer>;
  live: Set<Wsi<MirrorPss, MirrorVhd>>;
}
interface MirrorPss {
  tail: LwsRingReader<Buffer>;
}

let mirrored = 0;

const mirror = defineProtocol<MirrorPss, MirrorVhd>({
  name: 'lws-mirror-protocol',
  newVhd: () => ({ ring: new LwsRing<Buffer>({ capacity: 64, policy: 'drop-oldest' }), live: new Set() }),
  newPss: (wsi) => ({ tail: wsi.vhd.ring.addReader() }),
  destroyPss(pss, wsi) {
    pss.tail.remove();
    wsi.vhd.live.delete(wsi);
  },
  established(wsi) {
    log.user('mirror established');
    wsi.vhd.live.add(wsi);
  },
  receive(wsi, _pss, data) {
    if (++mirrored <= 5) log.user(`mirror rx ${mirrored}: ${data.toString().trim()}`);
    wsi.vhd.ring.insert(data);
    for (const w of wsi.vhd.live) w.callbackOnWritable();
  },
  serverWriteable(wsi, pss) {
    const m = pss.tail.peek();
    if (!m) return;
    wsi.write(m, 'text');
    pss.tail.consume();
    if (pss.tail.waiting > 0) wsi.callbackOnWritable();
  },
});

const context = await createContext({
  port: 0,
  logLevel: log.DEFAULT_LEVEL | 8,
  protocols: [dumb, mirror],
  ws: { permessageDeflate: !process.argv.includes('--no-deflate') },
});
log.user(`LISTENING ws://127.0.0.1:${context.port}`);
process.once('SIGINT', () => void context.destroy());
process.once('SIGTERM', () => void context.destroy());
