/*
 * lws-minimal-http-server-smp
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Serves ./mount-origin on port 7681 from several worker processes
 * (node:cluster): the primary owns the listening socket and hands new
 * connections to the workers in turn, so one busy connection never stalls
 * the others and every core can serve. Each worker runs its own context;
 * the x-lws-worker header tells which worker answered.
 */
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { cmdline, createContext, log, SECURITY_HEADERS } from '@lws/core';

const port = cmdline.int('--port', 7681);
const count = cmdline.int('--count', Math.min(4, availableParallelism()));
const logLevel = cmdline.int('-d', log.DEFAULT_LEVEL);

if (cluster.isPrimary) {
  // connections go to the workers round-robin on every platform
  cluster.schedulingPolicy = cluster.SCHED_RR;
  let ready = 0;
  for (let i = 0; i < count; i++) {
    const worker = cluster.fork();
    worker.on('message', (m: { listening?: number }) => {
      // with --port 0 the first worker's listen picks the port; the others share it
      if (m.listening !== undefined && ++ready === count) {
        log.user(`LWS minimal http server smp | visit http://127.0.0.1:${m.listening} (${count} workers)`);
      }
    });
  }
  const stop = (): void => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} else {
  const id = String(cluster.worker?.id ?? 0);
  const context = await createContext({
    port,
    logLevel,
    headers: [...SECURITY_HEADERS, ['x-lws-worker', id]],
    errorPages: { 404: '/404.html' },
    mounts: [{ kind: 'file', mountpoint: '/', origin: fileURLToPath(new URL('./mount-origin', import.meta.url)), def: 'index.html' }],
  });
  process.send?.({ listening: context.port });
  const stop = (): void => void context.destroy().then(() => process.disconnect?.());
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
