/* Threadpool test task: sends "spinning", then blocks its thread forever; only terminate stops it. */
import type { ThreadTaskContext } from '../../../src/misc/thread-host.js';

export default async function stuck(ctx: ThreadTaskContext): Promise<void> {
  await ctx.send('spinning');
  const counter = new Int32Array(new SharedArrayBuffer(4));
  for (;;) Atomics.wait(counter, 0, 0, 1000);
}
