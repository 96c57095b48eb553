/*
 * The worker-thread side of LwsThreadpool (threadpool.ts): runs one task at a
 * time, importing its module and calling the default export with a context
 * whose `send` waits while the task's output buffer on the main thread is
 * full (lws_threadpool's LWS_TP_RETURN_SYNC), and whose `signal` aborts when
 * the main thread cancels the task (its wsi closed).
 */
import { parentPort } from 'node:worker_threads';

/** What a task module's default export receives. */
export interface ThreadTaskContext<D = unknown> {
  /** The `data` given to `pool.enqueue()` (structured-cloned). */
  readonly data: D;
  /** Aborted when the task is cancelled: stop soon, the thread is terminated after the pool's grace period. */
  readonly signal: AbortSignal;
  /**
   * Emit one chunk for the wsi's next writeable callback. Resolves once the
   * output buffer has room for another (`maxChunks`); rejects with
   * `signal.reason` when the task is cancelled.
   */
  send(chunk: Uint8Array | string): Promise<void>;
}

/**
 * A task module's default export: runs on a pool thread, sends chunks, ends.
 *
 * @example
 * ```ts
 * export default async function task(ctx: ThreadTaskContext<{ count: number }>) {
 *   for (let n = 0; n < ctx.data.count; n++) await ctx.send(`msg ${n}`); // waits while the wsi is behind
 * }
 * ```
 */
export type ThreadTask<D = unknown> = (ctx: ThreadTaskContext<D>) => void | Promise<void>;

/** Main thread -> worker. */
export type ToHost =
  | { t: 'run'; id: number; module: string; data: unknown; credit: number }
  | { t: 'credit'; id: number; n: number }
  | { t: 'cancel'; id: number };

/** Worker -> main thread. */
export type FromHost =
  | { t: 'chunk'; id: number; chunk: Uint8Array | string }
  | { t: 'end'; id: number; error?: string; cancelled?: boolean };

interface Running {
  id: number;
  credit: number;
  abort: AbortController;
  wake: (() => void) | undefined;
}

let current: Running | undefined;

function post(msg: FromHost): void {
  parentPort?.postMessage(msg);
}

function makeContext(r: Running, data: unknown): ThreadTaskContext {
  return {
    data,
    signal: r.abort.signal,
    async send(chunk) {
      if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) {
        throw new TypeError(`Cannot send chunk: expected a string or Uint8Array, got ${typeof chunk}`);
      }
      r.abort.signal.throwIfAborted();
      while (r.credit === 0) {
        await new Promise<void>((resolve) => (r.wake = resolve));
        r.abort.signal.throwIfAborted();
      }
      r.credit--;
      post({ t: 'chunk', id: r.id, chunk });
    },
  };
}

async function run(msg: Extract<ToHost, { t: 'run' }>): Promise<void> {
  const r: Running = { id: msg.id, credit: msg.credit, abort: new AbortController(), wake: undefined };
  current = r;
  try {
    const mod = (await import(msg.module)) as { default?: unknown };
    if (typeof mod.default !== 'function') throw new TypeError(`Cannot run task: ${msg.module} has no default export function`);
    await (mod.default as ThreadTask)(makeContext(r, msg.data));
    post({ t: 'end', id: r.id, cancelled: r.abort.signal.aborted });
  } catch (err) {
    if (r.abort.signal.aborted) post({ t: 'end', id: r.id, cancelled: true });
    else post({ t: 'end', id: r.id, error: err instanceof Error ? err.message : String(err) });
  } finally {
    current = undefined;
  }
}

function onMessage(msg: ToHost): void {
  if (msg.t === 'run') {
    void run(msg);
    return;
  }
  const r = current;
  if (!r || r.id !== msg.id) return; // about a task that already ended
  if (msg.t === 'credit') r.credit += msg.n;
  else r.abort.abort(new Error('task cancelled'));
  const wake = r.wake;
  r.wake = undefined;
  wake?.();
}

parentPort?.on('message', onMessage);
