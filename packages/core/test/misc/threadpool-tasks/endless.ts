/*
 * Threadpool test task: sends until cancelled, counting each send it starts
 * in `data.counter` (a shared Int32Array), so a test can see how far it got.
 */
import type { ThreadTaskContext } from '../../../src/misc/thread-host.js';

export default async function endless(ctx: ThreadTaskContext<{ counter: Int32Array }>): Promise<void> {
  for (;;) {
    Atomics.add(ctx.data.counter, 0, 1);
    await ctx.send(`chunk ${Atomics.load(ctx.data.counter, 0)}`);
  }
}
