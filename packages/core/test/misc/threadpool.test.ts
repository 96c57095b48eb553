import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Wsi } from '../../src/context/wsi.js';
import { LwsThreadpool, type ThreadpoolOptions, type ThreadpoolTask } from '../../src/misc/threadpool.js';

const task = (name: string): URL => new URL(`./threadpool-tasks/${name}.ts`, import.meta.url);

/** A stand-in wsi: counts writeable requests and can be closed. */
function fakeWsi(id: number): Wsi & { asks: number; close(): void } {
  const w = {
    id,
    closed: false,
    asks: 0,
    callbackOnWritable() {
      w.asks++;
    },
    close() {
      w.closed = true;
    },
  };
  return w as unknown as Wsi & { asks: number; close(): void };
}

const pools: LwsThreadpool[] = [];
function pool(opts: ThreadpoolOptions): LwsThreadpool {
  const p = new LwsThreadpool(opts);
  pools.push(p);
  return p;
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.destroy()));
});

const WAIT = { timeout: 8000, interval: 5 };

/** Takes chunks as a protocol would on writeable callbacks until the task ends. */
async function drain(t: ThreadpoolTask): Promise<(string | Uint8Array)[]> {
  const out: (string | Uint8Array)[] = [];
  await vi.waitFor(() => {
    for (let c = t.take(); c !== undefined; c = t.take()) out.push(c);
    expect(t.ended && t.waiting === 0).toBe(true);
  }, WAIT);
  return out;
}

describe('LwsThreadpool tasks', () => {
  it('delivers a task\'s chunks in order, asks a writeable callback per chunk and at the end, and finishes', async () => {
    const p = pool({ threads: 1 });
    const wsi = fakeWsi(1);
    const t = p.enqueue({ wsi, module: task('count'), data: { count: 20 } });
    expect(t.status).toBe('running');
    expect(p.taskFor(wsi)).toBe(t);
    expect(await drain(t)).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    expect(t.status).toBe('finished');
    expect(t.error).toBeUndefined();
    expect(wsi.asks).toBeGreaterThanOrEqual(21);
    expect(p.taskFor(wsi)).toBeUndefined();
  });

  it('passes binary chunks through as bytes', async () => {
    const t = pool({}).enqueue({ wsi: fakeWsi(1), module: task('count'), data: { count: 3, binary: true } });
    const out = await drain(t);
    expect(out.map((c) => Array.from(c as Uint8Array))).toEqual([[0], [1], [2]]);
  });

  it('pauses a task while maxChunks of its chunks are untaken: it has started exactly taken + maxChunks + 1 sends', async () => {
    const p = pool({ threads: 1, maxChunks: 3 });
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const t = p.enqueue({ wsi: fakeWsi(1), module: task('endless'), data: { counter } });
    await vi.waitFor(() => expect(t.waiting).toBe(3), WAIT);
    for (let taken = 1; taken <= 5; taken++) {
      expect(t.take()).toBe(`chunk ${taken}`);
      await vi.waitFor(() => expect(t.waiting).toBe(3), WAIT);
    }
    t.cancel();
    await vi.waitFor(() => expect(t.status).toBe('cancelled'), WAIT);
    // 5 taken, 3 buffered, and the 9th send blocked waiting for room until the cancel
    expect(Atomics.load(counter, 0)).toBe(5 + 3 + 1);
    expect(t.waiting).toBe(0);
    expect(t.error).toBeUndefined();
  });

  it('reports a task that throws as failed with LWS_ERR_THREADPOOL_TASK_FAILED, keeping the chunks it sent', async () => {
    const t = pool({}).enqueue({ wsi: fakeWsi(1), module: task('throws') });
    expect(await drain(t)).toEqual(['before']);
    expect(t.status).toBe('failed');
    expect(t.error).toMatchObject({ code: 'LWS_ERR_THREADPOOL_TASK_FAILED', message: `Cannot complete task ${t.id}: it threw: boom`, wire: {} });
  });

  it('fails a task whose module has no default export, and the thread runs the next task', async () => {
    const p = pool({ threads: 1 });
    const bad = p.enqueue({ wsi: fakeWsi(1), module: new URL('../../src/misc/ring.ts', import.meta.url) });
    await drain(bad);
    expect(bad.error?.message).toMatch(/^Cannot complete task \d+: it threw: Cannot run task: file:.*ring\.ts has no default export function$/);
    const good = p.enqueue({ wsi: fakeWsi(2), module: task('count'), data: { count: 2 } });
    expect(await drain(good)).toEqual(['0', '1']);
    expect(p.threadCount).toBe(1);
  });
});

describe('LwsThreadpool queue', () => {
  it('queues tasks beyond the threads, refuses past maxQueued with LWS_ERR_THREADPOOL_QUEUE_FULL, and runs the queue as threads free up', async () => {
    const p = pool({ threads: 1, maxQueued: 1 });
    const a = p.enqueue({ wsi: fakeWsi(1), module: task('idle') });
    const b = p.enqueue({ wsi: fakeWsi(2), module: task('count'), data: { count: 1 } });
    expect([a.status, b.status, p.running, p.queued]).toEqual(['running', 'queued', 1, 1]);
    let err: unknown;
    try {
      p.enqueue({ wsi: fakeWsi(3), module: task('count'), data: { count: 1 } });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'LWS_ERR_THREADPOOL_QUEUE_FULL', message: 'Cannot enqueue task: threadpool has 1 tasks running and 1 queued, limit is 1', wire: {} });
    await vi.waitFor(() => expect(a.take()).toBe('started'), WAIT);
    a.cancel();
    expect(await drain(b)).toEqual(['0']);
    expect(a.status).toBe('cancelled');
  });

  it('cancels a queued task without ever running it', async () => {
    const p = pool({ threads: 1, maxQueued: 4 });
    const a = p.enqueue({ wsi: fakeWsi(1), module: task('idle') });
    const bWsi = fakeWsi(2);
    const b = p.enqueue({ wsi: bWsi, module: task('count'), data: { count: 5 } });
    p.dequeue(bWsi);
    expect([b.status, b.ended, p.queued]).toEqual(['cancelled', true, 0]);
    a.cancel();
    await vi.waitFor(() => expect(a.status).toBe('cancelled'), WAIT);
    expect(b.waiting).toBe(0);
    expect(bWsi.asks).toBe(0);
  });

  it('refuses data that cannot be sent to a thread with a TypeError, leaving the pool usable', async () => {
    const p = pool({ threads: 1 });
    expect(() => p.enqueue({ wsi: fakeWsi(1), module: task('count'), data: { count: 1, f: () => 1 } })).toThrow(/^Cannot enqueue task: data cannot be sent to a thread: /);
    expect([p.running, p.queued, p.threadCount]).toEqual([0, 0, 0]);
    expect(await drain(p.enqueue({ wsi: fakeWsi(2), module: task('count'), data: { count: 1 } }))).toEqual(['0']);
  });

  it('refuses bad options with a RangeError naming the value', () => {
    expect(() => new LwsThreadpool({ threads: 0 })).toThrow(new RangeError('Cannot create threadpool: threads must be an integer from 1 to 256, got 0'));
    expect(() => new LwsThreadpool({ maxChunks: 1.5 })).toThrow(new RangeError('Cannot create threadpool: maxChunks must be an integer from 1 to 4096, got 1.5'));
    expect(() => new LwsThreadpool({ maxQueued: -1 })).toThrow(RangeError);
  });
});

describe('LwsThreadpool cancellation', () => {
  it('ends a cancelled task through its signal and reuses its thread', async () => {
    const p = pool({ threads: 1, maxChunks: 2 });
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const t = p.enqueue({ wsi: fakeWsi(1), module: task('endless'), data: { counter } });
    await vi.waitFor(() => expect(t.waiting).toBe(2), WAIT);
    t.cancel();
    await vi.waitFor(() => expect(t.status).toBe('cancelled'), WAIT);
    expect(t.take()).toBeUndefined();
    const next = p.enqueue({ wsi: fakeWsi(2), module: task('count'), data: { count: 1 } });
    expect(await drain(next)).toEqual(['0']);
    expect(p.threadCount).toBe(1);
  });

  it('cancels by itself a task whose wsi closed when its next chunk arrives', async () => {
    const p = pool({ threads: 1, maxChunks: 1 });
    const wsi = fakeWsi(1);
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const t = p.enqueue({ wsi, module: task('endless'), data: { counter } });
    await vi.waitFor(() => expect(t.waiting).toBe(1), WAIT);
    wsi.close();
    t.take(); // room for one more: the chunk that comes finds the wsi closed
    await vi.waitFor(() => expect(t.status).toBe('cancelled'), WAIT);
    expect(t.waiting).toBe(0);
  });

  it('terminates a thread that does not end within graceMs, with LWS_ERR_THREADPOOL_STUCK, and starts a fresh one', async () => {
    const p = pool({ threads: 1, graceMs: 150 });
    const t = p.enqueue({ wsi: fakeWsi(1), module: task('stuck') });
    await vi.waitFor(() => expect(t.take()).toBe('spinning'), WAIT);
    const started = Date.now();
    t.cancel();
    await vi.waitFor(() => expect(t.status).toBe('cancelled'), WAIT);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(t.error).toMatchObject({ code: 'LWS_ERR_THREADPOOL_STUCK', message: `Cannot cancel task ${t.id}: it did not end within 150 ms, its thread was terminated`, wire: {} });
    expect(p.threadCount).toBe(0);
    const next = p.enqueue({ wsi: fakeWsi(2), module: task('count'), data: { count: 2 } });
    expect(await drain(next)).toEqual(['0', '1']);
    expect(p.threadCount).toBe(1);
  });

  it('destroy cancels running and queued tasks, stops its threads and refuses new tasks with LWS_ERR_THREADPOOL_DESTROYED', async () => {
    const p = new LwsThreadpool({ threads: 2, maxQueued: 2, graceMs: 150 });
    const a = p.enqueue({ wsi: fakeWsi(1), module: task('idle') });
    const b = p.enqueue({ wsi: fakeWsi(2), module: task('stuck') });
    const c = p.enqueue({ wsi: fakeWsi(3), module: task('count'), data: { count: 1 } });
    await vi.waitFor(() => expect([a.waiting, b.waiting]).toEqual([1, 1]), WAIT);
    await p.destroy();
    expect([a.status, b.status, c.status]).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(b.error?.code).toBe('LWS_ERR_THREADPOOL_STUCK');
    expect([p.threadCount, p.running, p.queued]).toEqual([0, 0, 0]);
    expect(() => p.enqueue({ wsi: fakeWsi(4), module: task('count') })).toThrow(
      expect.objectContaining({ code: 'LWS_ERR_THREADPOOL_DESTROYED', message: 'Cannot enqueue task: threadpool is destroyed', wire: {} }),
    );
  });
});
