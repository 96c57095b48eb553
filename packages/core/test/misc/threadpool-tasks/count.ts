/* Threadpool test task: sends `data.count` chunks "0", "1", ... then ends. */
import type { ThreadTaskContext } from '../../../src/misc/thread-host.js';

export default async function count(ctx: ThreadTaskContext<{ count: number; binary?: boolean }>): Promise<void> {
  for (let n = 0; n < ctx.data.count; n++) await ctx.send(ctx.data.binary ? new Uint8Array([n]) : String(n));
}
