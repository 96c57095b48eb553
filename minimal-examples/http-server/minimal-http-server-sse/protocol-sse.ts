/*
 * lws-minimal-http-server-sse: the event stream protocol
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Each client gets its own event stream with its own counter. A timer
 * asks for a writeable callback; the writeable callback sends one event
 * and re-arms the timer. Nothing is queued: a client that cannot take the
 * next event yet simply gets it later.
 */
import { defineProtocol, formatSseEvent, startSse, type Protocol, type Sul } from '@lws/core';

interface Pss {
  counter: number;
  sul: Sul | undefined;
}

/** The protocol, sending one event every `intervalMs`. */
export function sseProtocol(intervalMs: number): Protocol<Pss> {
  return defineProtocol<Pss>({
    name: 'sse',
    newPss: () => ({ counter: 0, sul: undefined }),

    http(wsi, pss) {
      if (!startSse(wsi)) return;
      pss.counter = 0;
      pss.sul ??= wsi.owner.sul.create(() => wsi.callbackOnWritable());
      wsi.callbackOnWritable(); // the first event at once
    },

    httpWriteable(wsi, pss) {
      pss.counter++;
      wsi.write(formatSseEvent({ id: String(pss.counter), data: `counter: ${pss.counter}` }), 'http');
      pss.sul?.schedule(intervalMs);
    },

    destroyPss(pss) {
      pss.sul?.cancel();
    },
  });
}
