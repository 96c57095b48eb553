/*
 * lws-minimal-ws-server-threadpool
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Each ws connection gets a task on a pool of worker threads (task-spam.ts)
 * that produces its messages. The task's output is taken one chunk per
 * writeable callback; while chunks wait untaken the task is paused, so
 * output stays bounded per connection. Connections beyond the threads wait
 * in a bounded queue; past it they are refused. A closing connection
 * cancels its task.
 */
import { fileURLToPath } from 'node:url';
import { cmdline, CloseCode, createContext, defineProtocol, log, LwsThreadpool, SECURITY_HEADERS, type ThreadpoolTask } from '@lws/core';

const COUNT = cmdline.int('--count', 100); // messages each task sends
const WORK_MS = cmdline.int('--work-ms', 50); // simulated work before each message

interface Pss {
  task: ThreadpoolTask | undefined;
}

interface Vhd {
  pool: LwsThreadpool;
}

const lwsMinimal = defineProtocol<Pss, Vhd>({
  name: 'lws-minimal',
  newVhd: () => ({ pool: new LwsThreadpool({ threads: cmdline.int('--threads', 3), maxQueued: cmdline.int('--queue', 8), maxChunks: 4 }) }),
  destroyVhd: (vhd) => vhd.pool.destroy(),
  newPss: () => ({ task: undefined }),
  destroyPss: (pss) => pss.task?.cancel(), // lws_threadpool_dequeue: the connection is gone

  established(wsi, pss) {
    const module = new URL('./task-spam.ts', import.meta.url);
    try {
      pss.task = wsi.vhd.pool.enqueue({ wsi, module, data: { wsi: wsi.id, count: COUNT, workMs: WORK_MS } });
    } catch (err) {
      log.warn(`wsi ${wsi.id}: ${(err as Error).message}`);
      wsi.close(CloseCode.GoingAway, 'server busy, try again later'); // lws answers a full pool the same way
    }
  },

  serverWriteable(wsi, pss) {
    const task = pss.task;
    if (!task) return;
    const chunk = task.take(); // lws_threadpool_task_sync: the task may produce one more
    if (chunk !== undefined) wsi.write(chunk, 'text');
    if (task.waiting > 0) wsi.callbackOnWritable();
    else if (task.ended) wsi.close(task.status === 'finished' ? CloseCode.Normal : CloseCode.InternalError, `task ${task.status}`);
  },
});

const context = await createContext({
  port: cmdline.int('--port', 7681),
  logLevel: cmdline.int('-d', log.DEFAULT_LEVEL),
  headers: SECURITY_HEADERS,
  protocols: [lwsMinimal],
  mounts: [
    {
      kind: 'file',
      mountpoint: '/',
      origin: fileURLToPath(new URL('./mount-origin', import.meta.url)),
      def: 'index.html',
    },
  ],
});

log.user(`LWS minimal ws server threadpool | visit http://127.0.0.1:${context.port}`);
process.once('SIGINT', () => void context.destroy());
process.once('SIGTERM', () => void context.destroy());
