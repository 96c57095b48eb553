/*
 * The ws echo of bench/server.ts (modes ws and ws-deflate).
 */
import { defineProtocol, type Protocol } from '@lws/core';

interface EchoPss {
  queue: { data: Buffer; binary: boolean }[];
}

/**
 * Echo: a message is written back from receive while nothing is queued and
 * the connection is not write-blocked (the replies to one read leave in one
 * writev, as ws's echo writes from its 'message' event); otherwise it is
 * queued for writeable callbacks, and at 16 queued the connection stops
 * reading.
 */
export function echoProtocol(name: string): Protocol {
  return defineProtocol<EchoPss>({
    name,
    ws: { maxMessageSize: 16 * 1024 * 1024 },
    newPss: () => ({ queue: [] }),
    receive(wsi, pss, data, { binary }) {
      if (pss.queue.length === 0 && !wsi.writeBlocked) {
        wsi.write(data, binary ? 'binary' : 'text');
        return;
      }
      pss.queue.push({ data, binary });
      if (pss.queue.length >= 16) wsi.rxFlowControl(false);
      wsi.callbackOnWritable();
    },
    serverWriteable(wsi, pss) {
      const msg = pss.queue.shift();
      if (!msg) return;
      wsi.write(msg.data, msg.binary ? 'binary' : 'text');
      if (pss.queue.length > 0) wsi.callbackOnWritable();
      else wsi.rxFlowControl(true);
    },
  }) as Protocol;
}
