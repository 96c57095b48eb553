/*
 * The SSE examples against curl -N: minimal-http-server-sse gives each
 * client its own stream and counter; minimal-http-server-sse-ring sends the
 * same ring messages to every client. Each curl reads a bounded number of
 * events (and has --max-time as a backstop), then is stopped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerExample, type StartedServer } from '../lib/examples.js';
import { start, stopAll, type Running } from '../lib/processes.js';

afterAll(async () => {
  await stopAll();
});

/** curl -N -i on the stream, stopped once `events` complete events arrived. */
async function readEvents(url: string, events: number): Promise<{ head: string; events: string[] }> {
  const c: Running = start('curl', ['-sS', '-N', '-i', '--max-time', '15', url]);
  try {
    await c.waitFor(new RegExp(`\\r\\n\\r\\n(?:[^]*?\\n\\n){${events}}`), 15_000);
  } finally {
    await c.stop();
  }
  const out = c.output();
  const split = out.indexOf('\r\n\r\n');
  const body = out.slice(split + 4);
  return { head: out.slice(0, split), events: body.split('\n\n').slice(0, events).map((e) => `${e}\n\n`) };
}

function expectSseHead(head: string): void {
  expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  expect(head).toContain('content-type: text/event-stream; charset=utf-8');
  expect(head).toContain('cache-control: no-store');
  expect(head).toContain('transfer-encoding: chunked');
  expect(head).not.toMatch(/content-length/i);
  expect(head).toContain("content-security-policy: default-src 'none'");
}

describe('minimal-http-server-sse', () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startServerExample('http-server/minimal-http-server-sse', ['--interval', '50']);
  });

  it('streams counter events, exactly, with the event-stream headers', async () => {
    const r = await readEvents(`${server.url}/sse`, 4);
    expectSseHead(r.head);
    expect(r.events).toEqual([1, 2, 3, 4].map((n) => `id: ${n}\ndata: counter: ${n}\n\n`));
  });

  it('gives each client its own counter, starting at 1', async () => {
    const [a, b] = await Promise.all([readEvents(`${server.url}/sse`, 3), readEvents(`${server.url}/sse`, 3)]);
    expect(a.events).toEqual(b.events);
    expect(a.events[0]).toBe('id: 1\ndata: counter: 1\n\n');
  });
});

describe('minimal-http-server-sse-ring', () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startServerExample('http-server/minimal-http-server-sse-ring', ['--interval', '50']);
  });

  it('sends every client the same ring messages, in order', async () => {
    const url = `${server.url}/sse`;
    const a = start('curl', ['-sS', '-N', '-i', '--max-time', '15', url]);
    await a.waitFor(/\nid: \d+\n/, 15_000); // a is connected before b joins
    const b = await readEvents(url, 4);
    const last = [...b.events.join('').matchAll(/^id: (\d+)$/gm)].at(-1)?.[1];
    expect(last).toBeDefined();
    await a.waitFor(new RegExp(`\\nid: ${last}\\n[^]*?\\n\\n`), 15_000);
    await a.stop();
    expectSseHead(b.head);
    const parse = (e: string): { id: number; data: string } => {
      const m = /^id: (\d+)\ndata: (message (\d+) from the timer, to \d+ clients)\n\n$/.exec(e);
      expect(m, e).not.toBeNull();
      expect(m?.[3]).toBe(m?.[1]);
      return { id: Number(m?.[1]), data: m?.[2] ?? '' };
    };
    const aBody = a.output().slice(a.output().indexOf('\r\n\r\n') + 4);
    const pa = aBody.split('\n\n').filter((e) => e.startsWith('id: ')).map((e) => parse(`${e}\n\n`));
    const pb = b.events.map(parse);
    for (const list of [pa, pb]) for (let i = 1; i < list.length; i++) expect(list[i]?.id).toBe((list[i - 1]?.id ?? 0) + 1);
    // every message b saw, a saw too, byte for byte: one publish, two readers
    for (const e of pb) expect(pa.find((f) => f.id === e.id)?.data).toBe(e.data);
    expect(pb.some((e) => e.data.endsWith('to 2 clients'))).toBe(true);
  });
});
