/* Threadpool test task: sends one chunk, then throws. */
import type { ThreadTaskContext } from '../../../src/misc/thread-host.js';

export default async function throws(ctx: ThreadTaskContext): Promise<void> {
  await ctx.send('before');
  throw new Error('boom');
}
