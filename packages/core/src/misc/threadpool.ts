/*
 * LwsThreadpool (lws_threadpool): N worker threads running tasks bound to a
 * wsi. A task's output reaches the main thread as chunks the protocol takes
 * one per writeable callback; while `maxChunks` are untaken the task's
 * `send()` waits (lws LWS_TP_STATUS_SYNCING), so output is bounded per task.
 * Tasks beyond the threads wait in a bounded queue; past it `enqueue` refuses.
 * Cancelling (the wsi closed) tells the task through its AbortSignal and, if
 * it has not ended within `graceMs`, terminates its thread.
 */
import { Worker } from 'node:worker_threads';
import { log } from '../context/log.js';
import type { Wsi } from '../context/wsi.js';
import { LwsError } from '../errors.js';
import type { FromHost, ToHost } from './thread-host.js';
import { startThread } from './thread-loader.js';

/** Options of `new LwsThreadpool()`. */
export interface ThreadpoolOptions {
  /** Worker threads, started as tasks need them (1..256). Default 2. */
  threads?: number;
  /** Tasks waiting for a free thread before `enqueue` refuses (0..65536). Default 16. */
  maxQueued?: number;
  /** Chunks a task may have produced and the protocol not yet taken (1..4096). Default 4. */
  maxChunks?: number;
  /** Milliseconds a cancelled task may take to end before its thread is terminated. Default 2000. */
  graceMs?: number;
  /** Name used in log lines. Default 'threadpool'. */
  name?: string;
}

/** What one task does (lws_threadpool_task_args). */
export interface ThreadpoolTaskInit<D = unknown> {
  /** The connection the task's output is for: it gets a writeable callback per chunk and at the end. */
  wsi: Wsi;
  /** The task module (its default export is a `ThreadTask`), e.g. `new URL('./task.ts', import.meta.url)`. */
  module: URL;
  /** Handed to the task (structured-cloned). */
  data?: D;
}

/** lws_threadpool_task_status. */
export type ThreadpoolTaskStatus = 'queued' | 'running' | 'finished' | 'failed' | 'cancelled';

interface Slot {
  worker: Worker;
  task: ThreadpoolTask | undefined;
}

let nextTaskId = 1;

function intIn(what: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`Cannot create threadpool: ${what} must be an integer from ${min} to ${max}, got ${String(v)}`);
  }
  return v;
}

/**
 * One task of an LwsThreadpool, as the protocol sees it in writeable callbacks.
 *
 * @example
 * ```ts
 * serverWriteable(wsi, pss) {
 *   const chunk = pss.task.take();
 *   if (chunk !== undefined) wsi.write(chunk, 'text');
 *   if (pss.task.waiting > 0) wsi.callbackOnWritable();
 *   else if (pss.task.ended) wsi.close(1000, pss.task.error?.message ?? 'done');
 * }
 * ```
 */
export class ThreadpoolTask {
  readonly id = nextTaskId++;
  readonly wsi: Wsi;
  readonly module: URL;
  readonly data: unknown;
  #status: ThreadpoolTaskStatus = 'queued';
  #chunks: (Uint8Array | string)[] = [];
  #error: LwsError | undefined;
  #pool: LwsThreadpool;

  constructor(pool: LwsThreadpool, init: ThreadpoolTaskInit) {
    this.#pool = pool;
    this.wsi = init.wsi;
    this.module = init.module;
    this.data = init.data;
  }

  get status(): ThreadpoolTaskStatus {
    return this.#status;
  }

  /** True once finished, failed or cancelled: no more chunks will come. */
  get ended(): boolean {
    return this.#status !== 'queued' && this.#status !== 'running';
  }

  /** Why it failed (`LWS_ERR_THREADPOOL_TASK_FAILED`, `_STUCK`, `_DESTROYED`). */
  get error(): LwsError | undefined {
    return this.#error;
  }

  /** Chunks produced and not yet taken (at most `maxChunks`). */
  get waiting(): number {
    return this.#chunks.length;
  }

  /** The next chunk, handing the task room for one more (lws_threadpool_task_sync); undefined when none waits. */
  take(): Uint8Array | string | undefined {
    const c = this.#chunks.shift();
    if (c !== undefined && this.#status === 'running') this.#pool.credit(this);
    return c;
  }

  /** Stop the task (lws_threadpool_dequeue): a queued one never runs, a running one is told and ends. */
  cancel(): void {
    this.#pool.cancel(this);
  }

  /** @internal The pool's transitions; not for protocols. */
  setStatus(s: ThreadpoolTaskStatus, err?: LwsError): void {
    this.#status = s;
    if (err) this.#error = err;
    if (s === 'cancelled') this.#chunks.length = 0;
  }

  /** @internal */
  addChunk(c: Uint8Array | string): void {
    this.#chunks.push(c);
  }
}

/**
 * A pool of worker threads running tasks bound to connections.
 *
 * @example
 * ```ts
 * const pool = new LwsThreadpool({ threads: 3, maxQueued: 8 });
 * // established:
 * pss.task = pool.enqueue({ wsi, module: new URL('./task-spam.ts', import.meta.url), data: { count: 10 } });
 * // closed / destroyPss:
 * pss.task.cancel();
 * // destroyVhd:
 * await pool.destroy();
 * ```
 */
export class LwsThreadpool {
  readonly threads: number;
  readonly maxQueued: number;
  readonly maxChunks: number;
  readonly graceMs: number;
  readonly name: string;
  #slots: Slot[] = [];
  #queue: ThreadpoolTask[] = [];
  #graceTimers = new Map<ThreadpoolTask, NodeJS.Timeout>();
  #destroyed = false;
  #idleWaiters: (() => void)[] = [];

  constructor(opts: ThreadpoolOptions = {}) {
    this.threads = intIn('threads', opts.threads ?? 2, 1, 256);
    this.maxQueued = intIn('maxQueued', opts.maxQueued ?? 16, 0, 65536);
    this.maxChunks = intIn('maxChunks', opts.maxChunks ?? 4, 1, 4096);
    this.graceMs = intIn('graceMs', opts.graceMs ?? 2000, 0, 600_000);
    this.name = opts.name ?? 'threadpool';
  }

  /** Tasks running on a thread now. */
  get running(): number {
    return this.#slots.filter((s) => s.task).length;
  }

  /** Tasks waiting for a thread. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Threads alive (started lazily, up to `threads`). */
  get threadCount(): number {
    return this.#slots.length;
  }

  /**
   * Start a task for `init.wsi` on a free thread, or queue it. Throws
   * `LWS_ERR_THREADPOOL_QUEUE_FULL` when every thread is busy and `maxQueued`
   * tasks already wait, `LWS_ERR_THREADPOOL_DESTROYED` after `destroy()`.
   */
  enqueue<D>(init: ThreadpoolTaskInit<D>): ThreadpoolTask {
    if (this.#destroyed) throw new LwsError('LWS_ERR_THREADPOOL_DESTROYED', `Cannot enqueue task: ${this.name} is destroyed`);
    if (!(init.module instanceof URL)) throw new TypeError('Cannot enqueue task: module must be a URL');
    try {
      structuredClone(init.data); // fail here, not later inside a thread's message handler
    } catch (cause) {
      throw new TypeError(`Cannot enqueue task: data cannot be sent to a thread: ${(cause as Error).message}`, { cause });
    }
    const task = new ThreadpoolTask(this, init);
    const slot = this.#freeSlot();
    if (slot) {
      this.#start(slot, task);
      return task;
    }
    if (this.#queue.length >= this.maxQueued) {
      throw new LwsError(
        'LWS_ERR_THREADPOOL_QUEUE_FULL',
        `Cannot enqueue task: ${this.name} has ${this.threads} tasks running and ${this.#queue.length} queued, limit is ${this.maxQueued}`,
      );
    }
    this.#queue.push(task);
    log.info(`${this.name}: task ${task.id} for wsi ${task.wsi.id} queued (${this.#queue.length} waiting)`);
    return task;
  }

  /** The live (not ended) task bound to `wsi`, if any (lws_threadpool_get_task_wsi). */
  taskFor(wsi: Wsi): ThreadpoolTask | undefined {
    for (const s of this.#slots) if (s.task?.wsi === wsi) return s.task;
    return this.#queue.find((t) => t.wsi === wsi);
  }

  /** Cancel `wsi`'s task, if any (lws_threadpool_dequeue). */
  dequeue(wsi: Wsi): void {
    this.taskFor(wsi)?.cancel();
  }

  /** `task.cancel()`. */
  cancel(task: ThreadpoolTask): void {
    if (task.ended) return;
    const q = this.#queue.indexOf(task);
    if (q >= 0) {
      this.#queue.splice(q, 1);
      task.setStatus('cancelled');
      return;
    }
    const slot = this.#slots.find((s) => s.task === task);
    if (!slot || this.#graceTimers.has(task)) return;
    this.#post(slot, { t: 'cancel', id: task.id });
    const timer = setTimeout(() => this.#stuck(slot, task), this.graceMs);
    this.#graceTimers.set(task, timer);
  }

  /** `task.take()` freed a place in the task's buffer. */
  credit(task: ThreadpoolTask): void {
    const slot = this.#slots.find((s) => s.task === task);
    if (slot) this.#post(slot, { t: 'credit', id: task.id, n: 1 });
  }

  /** Cancel every task, wait for them to end (or be terminated after `graceMs`), then stop every thread. */
  async destroy(): Promise<void> {
    if (this.#destroyed) return;
    this.#destroyed = true;
    for (const t of this.#queue.splice(0)) t.setStatus('cancelled');
    for (const s of this.#slots) if (s.task) this.cancel(s.task);
    if (this.running > 0) await new Promise<void>((r) => this.#idleWaiters.push(r));
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
    this.#slots = [];
  }

  #freeSlot(): Slot | undefined {
    const idle = this.#slots.find((s) => !s.task);
    if (idle || this.#slots.length >= this.threads) return idle;
    const worker = startThread(new URL(`./thread-host${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));
    const slot: Slot = { worker, task: undefined };
    worker.on('message', (m: FromHost) => this.#onMessage(slot, m));
    worker.on('error', (err) => this.#lost(slot, `its thread failed: ${err.message}`));
    worker.on('exit', (code) => this.#lost(slot, `its thread exited with code ${code}`));
    worker.unref();
    this.#slots.push(slot);
    return slot;
  }

  #post(slot: Slot, msg: ToHost): void {
    slot.worker.postMessage(msg);
  }

  #start(slot: Slot, task: ThreadpoolTask): void {
    slot.task = task;
    task.setStatus('running');
    slot.worker.ref();
    this.#post(slot, { t: 'run', id: task.id, module: task.module.href, data: task.data, credit: this.maxChunks });
  }

  #onMessage(slot: Slot, m: FromHost): void {
    const task = slot.task;
    if (!task || task.id !== m.id) return;
    if (m.t === 'chunk') {
      if (task.wsi.closed) return this.cancel(task); // the protocol forgot to dequeue: its wsi is gone
      task.addChunk(m.chunk);
      task.wsi.callbackOnWritable();
      return;
    }
    if (m.cancelled || this.#graceTimers.has(task)) task.setStatus('cancelled');
    else if (m.error !== undefined) {
      task.setStatus('failed', new LwsError('LWS_ERR_THREADPOOL_TASK_FAILED', `Cannot complete task ${task.id}: it threw: ${m.error}`));
    } else task.setStatus('finished');
    this.#finish(slot, task);
  }

  /** The task ended (or its thread was lost): free the slot, start the next queued task. */
  #finish(slot: Slot, task: ThreadpoolTask): void {
    clearTimeout(this.#graceTimers.get(task));
    this.#graceTimers.delete(task);
    slot.task = undefined;
    slot.worker.unref();
    log.info(`${this.name}: task ${task.id} ${task.status}`);
    if (!task.wsi.closed) task.wsi.callbackOnWritable(); // the protocol learns of the end in its writeable callback
    const next = this.#queue.shift();
    if (!next) {
      if (this.running === 0) for (const w of this.#idleWaiters.splice(0)) w();
      return;
    }
    const free = this.#freeSlot();
    if (free) this.#start(free, next);
    else this.#queue.unshift(next);
  }

  #stuck(slot: Slot, task: ThreadpoolTask): void {
    log.warn(`${this.name}: task ${task.id} did not end within ${this.graceMs} ms of being cancelled: terminating its thread`);
    task.setStatus('cancelled', new LwsError('LWS_ERR_THREADPOOL_STUCK', `Cannot cancel task ${task.id}: it did not end within ${this.graceMs} ms, its thread was terminated`));
    this.#remove(slot);
    void slot.worker.terminate();
    this.#finish(slot, task);
  }

  /** A thread died under a task (or was terminated): forget the slot; a new thread starts when needed. */
  #lost(slot: Slot, why: string): void {
    if (!this.#remove(slot)) return;
    const task = slot.task;
    if (!task) return;
    if (this.#graceTimers.has(task)) task.setStatus('cancelled');
    else task.setStatus('failed', new LwsError('LWS_ERR_THREADPOOL_TASK_FAILED', `Cannot complete task ${task.id}: ${why}`));
    this.#finish(slot, task);
  }

  #remove(slot: Slot): boolean {
    const i = this.#slots.indexOf(slot);
    if (i < 0) return false;
    this.#slots.splice(i, 1);
    return true;
  }
}
