/*
 * dumb-increment-protocol (http-server/minimal-http-server-eventlib-demos)
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * The lws test server's first demo: each connection gets its own counter,
 * sent as text every 50 ms, one number per writeable callback. "reset\n"
 * sets it back to 0; "closeme\n" makes the server close with 1001 "seeya".
 * The timer asks for a writeable callback, it never writes itself: a client
 * that does not read just stops its own counter's progress.
 */
import { CloseCode, defineProtocol, type Sul } from '@lws/core';

const INTERVAL_MS = 50;

interface Pss {
  n: number;
  timer: Sul | undefined;
}

export const dumbIncrement = defineProtocol<Pss>({
  name: 'dumb-increment-protocol',
  newPss: () => ({ n: 0, timer: undefined }),
  destroyPss: (pss) => pss.timer?.cancel(),

  established(wsi, pss) {
    const timer = wsi.owner.sul.create(() => {
      wsi.callbackOnWritable();
      timer.schedule(INTERVAL_MS);
    });
    pss.timer = timer;
    timer.schedule(INTERVAL_MS);
  },

  serverWriteable(wsi, pss) {
    wsi.write(String(pss.n++), 'text');
  },

  receive(wsi, pss, data) {
    const cmd = data.toString().trim();
    if (cmd === 'reset') pss.n = 0;
    else if (cmd === 'closeme') wsi.close(CloseCode.GoingAway, 'seeya');
  },
});
