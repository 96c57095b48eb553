/* Threadpool test task: sends "started", then waits until cancelled and ends at once. */
import type { ThreadTaskContext } from '../../../src/misc/thread-host.js';

export default async function idle(ctx: ThreadTaskContext): Promise<void> {
  await ctx.send('started');
  await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
}
