/*
 * lws-minimal-ws-server-threadpool: the task each connection gets
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Runs on a pool thread. It "works" for `workMs` per message (standing in
 * for something that would block the event loop), then sends it. `send`
 * waits while the connection has not taken the earlier messages, so a slow
 * client pauses its task rather than growing a buffer. When the connection
 * closes, `signal` aborts and the pending `send` rejects: the task ends.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ThreadTaskContext } from '@lws/core';

export default async function spam(ctx: ThreadTaskContext<{ wsi: number; count: number; workMs: number }>): Promise<void> {
  const { wsi, count, workMs } = ctx.data;
  for (let n = 0; n < count; n++) {
    if (workMs > 0) await sleep(workMs, undefined, { signal: ctx.signal });
    await ctx.send(`wsi ${wsi} task: msg ${n}`);
  }
}
