/*
 * lws-minimal-ws-server-threads: one producer thread
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Runs in a worker thread: sends a numbered message every `intervalMs`
 * through its ThreadProducer. `send` waits while the event loop has not
 * taken in this thread's earlier messages, so a busy main thread slows the
 * thread down instead of growing a queue.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { workerData, type MessagePort } from 'node:worker_threads';
import { ThreadProducer } from '@lws/core';

const { port, tid, intervalMs, size } = workerData as { port: MessagePort; tid: number; intervalMs: number; size: number };
const producer = new ThreadProducer<string>(port);

for (let n = 0; !producer.closed; n++) {
  const msg = `spam tid: ${tid}, msg: ${n}`;
  try {
    await producer.send(msg.length < size ? msg.padEnd(size, '.') : msg);
  } catch {
    break; // the server closed the inbox: it is shutting down
  }
  if (intervalMs > 0) await sleep(intervalMs);
}
