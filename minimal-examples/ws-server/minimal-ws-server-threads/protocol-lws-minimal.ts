/*
 * lws-minimal protocol fed by worker threads (ws-server/minimal-ws-server-threads)
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * When the vhost starts, worker threads (thread-spam.ts) start producing
 * messages. They cannot touch a wsi: they post to a ThreadInbox, which runs
 * `receive` on the event loop (lws: a mutex-protected ring plus
 * lws_cancel_service). There each message goes into one ring per vhost and
 * every connection is asked for a writeable callback; each connection reads
 * the ring at its own tail, one message per callback. Memory is bounded
 * twice: a thread may have only CREDIT messages posted and not yet taken
 * in, and the ring holds RING_DEPTH messages. A connection that falls
 * RING_DEPTH messages behind (a client that stopped reading) loses the
 * oldest ones instead of making the threads or the other clients wait.
 */
import { defineProtocol, log, LwsRing, startThread, ThreadInbox, type LwsRingReader, type Wsi } from '@lws/core';
import type { Worker } from 'node:worker_threads';

const RING_DEPTH = 8;
/** Messages a thread may post ahead of the event loop before it waits. */
const CREDIT = 4;

export interface ThreadsConfig {
  threads: number;
  /** Milliseconds each thread waits between messages. */
  intervalMs: number;
  /** Pad each message with '.' to this many bytes (0: no padding). */
  size: number;
}

interface Vhd {
  ring: LwsRing<Buffer>;
  live: Set<Wsi<Pss, Vhd>>;
  inbox: ThreadInbox<string>;
  workers: Worker[];
}

interface Pss {
  tail: LwsRingReader<Buffer>;
}

function startThreads(vhd: Vhd, config: ThreadsConfig): void {
  for (let tid = 0; tid < config.threads; tid++) {
    const port = vhd.inbox.createPort();
    const worker = startThread(new URL('./thread-spam.ts', import.meta.url), {
      workerData: { port, tid, intervalMs: config.intervalMs, size: config.size },
      transferList: [port],
    });
    worker.on('error', (err) => log.err(`thread ${tid} failed: ${err.message}`));
    vhd.workers.push(worker);
  }
}

/** The lws-minimal protocol with `config.threads` producer threads per vhost. */
export function lwsMinimalThreads(config: ThreadsConfig) {
  return defineProtocol<Pss, Vhd>({
    name: 'lws-minimal',
    newVhd() {
      const vhd: Vhd = {
        ring: new LwsRing<Buffer>({ capacity: RING_DEPTH, policy: 'drop-oldest' }),
        live: new Set(),
        inbox: new ThreadInbox<string>({
          credit: CREDIT,
          receive(msg) {
            vhd.ring.insert(Buffer.from(msg));
            for (const wsi of vhd.live) wsi.callbackOnWritable();
          },
        }),
        workers: [],
      };
      startThreads(vhd, config);
      return vhd;
    },
    async destroyVhd(vhd) {
      vhd.inbox.close();
      await Promise.all(vhd.workers.map((w) => w.terminate()));
    },

    newPss: (wsi) => ({ tail: wsi.vhd.ring.addReader() }),
    destroyPss(pss, wsi) {
      if (pss.tail.dropped > 0) log.notice(`wsi ${wsi.id}: closed, ${pss.tail.dropped} messages dropped while it lagged`);
      pss.tail.remove();
      wsi.vhd.live.delete(wsi);
    },

    established(wsi) {
      wsi.vhd.live.add(wsi);
    },

    serverWriteable(wsi, pss) {
      const msg = pss.tail.peek();
      if (!msg) return;
      wsi.write(msg, 'text');
      pss.tail.consume();
      if (pss.tail.waiting > 0) wsi.callbackOnWritable();
    },
  });
}
