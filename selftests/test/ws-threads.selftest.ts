/*
 * minimal-ws-server-threads and minimal-ws-server-threadpool with
 * python3-websockets clients: messages produced in worker threads reach
 * every client in order; pool tasks beyond the threads queue, past the
 * queue are refused, and a client that leaves early cancels its task.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startServerExample } from '../lib/examples.js';
import { run, stopAll } from '../lib/processes.js';
import { PYTHON } from '../lib/ws-peers.js';

afterAll(async () => {
  await stopAll();
});

/** Python: `n` clients at once, each reading up to `max` messages (or to the close); prints one JSON line per client. */
const CLIENTS = `
import asyncio, json, sys, websockets
url, n, max_msgs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
async def one(i):
    async with websockets.connect(url, subprotocols=['lws-minimal'], compression=None) as ws:
        got = []
        try:
            while len(got) < max_msgs:
                got.append(await asyncio.wait_for(ws.recv(), 10))
        except websockets.ConnectionClosed:
            pass
        print(json.dumps({'i': i, 'got': got, 'code': ws.close_code, 'reason': ws.close_reason}), flush=True)
async def main():
    await asyncio.gather(*[one(i) for i in range(n)])
asyncio.run(main())
`;

interface ClientResult {
  i: number;
  got: string[];
  code: number | null;
  reason: string | null;
}

async function clients(url: string, n: number, max: number): Promise<ClientResult[]> {
  const r = await run(PYTHON, ['-c', CLIENTS, url, String(n), String(max)], 30_000);
  expect(r.code, r.output).toBe(0);
  return r.output.trim().split('\n').map((l) => JSON.parse(l) as ClientResult).sort((a, b) => a.i - b.i);
}

const ws = (url: string): string => `${url.replace(/^http/, 'ws')}/`;

describe('minimal-ws-server-threads', () => {
  it('broadcasts what both worker threads produce to every client, each thread\'s messages in order', async () => {
    const server = await startServerExample('ws-server/minimal-ws-server-threads', ['--interval', '20']);
    const results = await clients(ws(server.url), 2, 30);
    for (const r of results) {
      expect(r.got).toHaveLength(30);
      for (const tid of [0, 1]) {
        const nums = r.got.map((m) => m.match(new RegExp(`^spam tid: ${tid}, msg: (\\d+)$`))).filter((m) => m !== null).map((m) => Number(m[1]));
        expect(nums.length).toBeGreaterThan(5);
        expect(nums.slice(1).map((n, i) => n - (nums[i] as number))).toEqual(Array(nums.length - 1).fill(1));
      }
    }
    // both clients were fed from the same ring: they saw the same messages
    const common = results[0]!.got.filter((m) => results[1]!.got.includes(m));
    expect(common.length).toBeGreaterThan(20);
    await server.running.stop();
    expect(server.running.output()).toContain('context: destroyed');
  });
});

describe('minimal-ws-server-threadpool', () => {
  it('runs a task per connection on 2 threads, queues 1, refuses the 4th with 1001, and ends each finished task with 1000', async () => {
    const server = await startServerExample('ws-server/minimal-ws-server-threadpool', ['--threads', '2', '--queue', '1', '--count', '12', '--work-ms', '20']);
    const results = await clients(ws(server.url), 4, 100);
    const served = results.filter((r) => r.code === 1000);
    const refused = results.filter((r) => r.code === 1001);
    expect(served).toHaveLength(3);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ got: [], reason: 'server busy, try again later' });
    for (const r of served) {
      const wsi = r.got[0]?.match(/^wsi (\d+) task/)?.[1];
      expect(r.got).toEqual(Array.from({ length: 12 }, (_, n) => `wsi ${wsi} task: msg ${n}`));
      expect(r.reason).toBe('task finished');
    }
    expect(server.running.output()).toMatch(/WARN: wsi \d+: Cannot enqueue task: threadpool has 2 tasks running and 1 queued, limit is 1/);
    await server.running.stop();
  });

  it('cancels the task of a client that leaves early, and the freed thread serves the next client', async () => {
    const server = await startServerExample('ws-server/minimal-ws-server-threadpool', ['--threads', '1', '--queue', '0', '--count', '1000', '--work-ms', '5', '-d', '1039']);
    const first = await clients(ws(server.url), 1, 3);
    expect(first[0]!.got).toHaveLength(3);
    await server.running.waitFor(/threadpool: task \d+ cancelled/, 10_000);
    const second = await clients(ws(server.url), 1, 3);
    expect(second[0]!.got).toEqual([0, 1, 2].map((n) => expect.stringMatching(new RegExp(`^wsi \\d+ task: msg ${n}$`))));
    await server.running.stop();
  });
});
