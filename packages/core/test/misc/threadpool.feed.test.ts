import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ThreadInbox, ThreadProducer } from '../../src/misc/thread-feed.js';
import { isTypeScriptModule, startThread, threadEntry } from '../../src/misc/thread-loader.js';

const WAIT = { timeout: 8000, interval: 5 };
const inboxes: ThreadInbox<unknown>[] = [];
function inbox<T>(opts: ConstructorParameters<typeof ThreadInbox<T>>[0]): ThreadInbox<T> {
  const i = new ThreadInbox<T>(opts);
  inboxes.push(i as ThreadInbox<unknown>);
  return i;
}

afterEach(() => {
  for (const i of inboxes.splice(0)) i.close();
});

describe('ThreadInbox and ThreadProducer', () => {
  it('grants each producer `credit` sends, and one more for each message receive accepts', async () => {
    const got: number[] = [];
    const box = inbox<number>({ credit: 3, receive: (m) => void got.push(m) });
    const producer = new ThreadProducer<number>(box.createPort());
    await vi.waitFor(() => expect(producer.credit).toBe(3), WAIT);
    expect([producer.trySend(1), producer.trySend(2), producer.trySend(3), producer.trySend(4)]).toEqual([true, true, true, false]);
    await vi.waitFor(() => expect(producer.credit).toBe(3), WAIT);
    expect(got).toEqual([1, 2, 3]);
    expect(box.received).toBe(3);
    producer.close();
  });

  it('holds messages receive refuses, with everything after them, until retry(); the producer waits meanwhile', async () => {
    let room = 2;
    const got: string[] = [];
    const box = inbox<string>({
      credit: 2,
      receive: (m) => {
        if (room === 0) return false;
        room--;
        got.push(m);
      },
    });
    const producer = new ThreadProducer<string>(box.createPort());
    const sent: string[] = [];
    const sending = (async () => {
      for (const m of ['a', 'b', 'c', 'd', 'e']) {
        await producer.send(m);
        sent.push(m);
      }
    })();
    await vi.waitFor(() => expect(box.held).toBe(2), WAIT);
    // a and b accepted (credit back), c and d held: e waits for credit, nothing more can be sent
    expect(got).toEqual(['a', 'b']);
    expect(sent).toEqual(['a', 'b', 'c', 'd']);
    expect(producer.credit).toBe(0);
    room = 1;
    box.retry();
    expect(got).toEqual(['a', 'b', 'c']);
    expect(box.held).toBe(1);
    room = 10;
    box.retry();
    await sending;
    await vi.waitFor(() => expect(got).toEqual(['a', 'b', 'c', 'd', 'e']), WAIT);
    producer.close();
  });

  it('fails a waiting send once the inbox closes, and refuses a second concurrent send', async () => {
    const box = inbox<number>({ credit: 1, receive: () => false });
    const producer = new ThreadProducer<number>(box.createPort());
    await producer.send(1);
    const waiting = producer.send(2);
    await expect(producer.send(3)).rejects.toThrow('Cannot send: another send is already waiting for credit');
    box.close();
    await expect(waiting).rejects.toThrow('Cannot send: thread inbox closed its port');
    expect(producer.trySend(4)).toBe(false);
  });

  it('limits producers to maxProducers and checks its options', () => {
    const box = inbox<number>({ maxProducers: 1, receive: () => true });
    box.createPort().close();
    expect(() => box.createPort()).toThrow(new RangeError('Cannot create port: thread inbox has 1 producers, limit is 1'));
    expect(() => new ThreadInbox({ credit: 0, receive: () => true })).toThrow(new RangeError('Cannot create thread inbox: credit must be an integer from 1 to 4096, got 0'));
  });

  it('carries every message of two worker threads, in each thread\'s order, with at most `credit` per thread unaccepted', async () => {
    const got: string[] = [];
    let open = false; // refuse everything after the first 10 until reopened
    const box = inbox<string>({ credit: 4, receive: (m) => (open || got.length < 10 ? void got.push(m) : false) });
    const workers = ['x', 'y'].map((tag) => {
      const port = box.createPort();
      return startThread(new URL('./threadpool-tasks/producer.ts', import.meta.url), { workerData: { port, count: 50, tag }, transferList: [port] });
    });
    await vi.waitFor(() => expect(box.held).toBe(8), WAIT); // 4 per thread, then both wait
    expect(got.length).toBe(10);
    open = true;
    box.retry();
    await Promise.all(workers.map((w) => once(w, 'exit')));
    await vi.waitFor(() => expect(got.length).toBe(100), WAIT);
    for (const tag of ['x', 'y']) {
      expect(got.filter((m) => m.startsWith(tag))).toEqual(Array.from({ length: 50 }, (_, n) => `${tag}:${n}`));
    }
  });
});

describe('threadEntry', () => {
  it('starts a .js module as it is and boots a .ts module through a data: module that registers tsx first', () => {
    const js = new URL('file:///srv/app/worker.js');
    expect(threadEntry(js)).toBe(js);
    const ts = new URL('file:///srv/app/worker.ts');
    const boot = threadEntry(ts);
    expect(boot.protocol).toBe('data:');
    const code = decodeURIComponent(boot.href.slice('data:text/javascript,'.length));
    expect(code).toMatch(/^const \{ register \} = await import\("file:\/\/\/.*\/tsx\/dist\/esm\/api\/index\.mjs"\);\nregister\(\);\nawait import\("file:\/\/\/srv\/app\/worker\.ts"\);\n$/);
    expect([isTypeScriptModule('file:///a.mts'), isTypeScriptModule('file:///a.mjs')]).toEqual([true, false]);
  });
});
