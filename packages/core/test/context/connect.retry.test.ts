/*
 * Client connect retry with backoff (lws_retry_bo_t, issue 4): a failure
 * before the connection is established is retried on the context's sul
 * with the same wsi and pss; the protocol hears one clientConnectionError
 * after the last attempt, none for an attempt that is retried, and nothing
 * is retried once the role has started.
 */
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveRetry, retryDelayMs, type ClientConnectInfo } from '../../src/context/connect.js';
import { createContext, type Context } from '../../src/context/context.js';
import { LogLevel, setLogLevel } from '../../src/context/log.js';
import { defineProtocol } from '../../src/context/protocol.js';
import type { Wsi } from '../../src/context/wsi.js';
import type { LwsError } from '../../src/errors.js';

/** Client log lines with the time they were emitted (ms, performance.now()). */
const lines: { t: number; text: string }[] = [];
const watchers = new Set<() => void>();
setLogLevel(LogLevel.CLIENT, (_level, line) => {
  lines.push({ t: performance.now(), text: line });
  for (const w of watchers) w();
});

let context: Context | undefined;
const servers: Server[] = [];

afterEach(async () => {
  await context?.destroy();
  context = undefined;
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  lines.length = 0;
});

/** Resolves at the first client log line matching `re`. */
function logged(re: RegExp): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (!lines.some((l) => re.test(l.text))) return;
      watchers.delete(check);
      resolve();
    };
    watchers.add(check);
    check();
  });
}

/** A loopback TCP server; `onConn` sees each connection. */
async function tcpServer(onConn: (s: Socket) => void, port = 0): Promise<{ port: number; connections: () => number }> {
  let n = 0;
  const server = createServer((s) => {
    n++;
    s.on('error', () => {});
    onConn(s);
  });
  servers.push(server);
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as { port: number }).port, connections: () => n };
}

/** Privileged, so no other test can be listening there: connects are refused. */
const NOTHING_LISTENS = 1;

/** A port nothing listens on now (bound, then closed), for a server to appear on later. */
async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

interface Seen {
  errors: LwsError[];
  events: string[];
  pssMade: number;
  wsis: Wsi[];
}

/** A raw client protocol recording what it hears; its first error or rx settles `done`. */
function rawClient(): { seen: Seen; done: Promise<void>; protocol: ReturnType<typeof defineProtocol> } {
  const seen: Seen = { errors: [], events: [], pssMade: 0, wsis: [] };
  let settle!: () => void;
  const done = new Promise<void>((r) => (settle = r));
  const protocol = defineProtocol({
    name: 'c',
    newPss: () => ({ n: ++seen.pssMade }),
    rawAdopt: (wsi) => {
      seen.wsis.push(wsi);
      seen.events.push('adopt');
    },
    rawRx: (_w, _p, d) => {
      seen.events.push(`rx ${d.toString()}`);
      settle();
    },
    rawClose: () => void seen.events.push('close'),
    clientConnectionError: (_w, _p, e) => {
      seen.errors.push(e);
      settle();
    },
  });
  return { seen, done, protocol };
}

async function connect(info: Omit<ClientConnectInfo, 'protocol' | 'role' | 'address'> & Partial<ClientConnectInfo>): Promise<{ seen: Seen; done: Promise<void>; wsi: Wsi }> {
  const { seen, done, protocol } = rawClient();
  context = await createContext({ protocols: [protocol] });
  const wsi = context.clientConnect({ address: '127.0.0.1', protocol: 'c', role: 'raw', ...info });
  return { seen, done, wsi };
}

const texts = (re: RegExp): string[] => lines.filter((l) => re.test(l.text)).map((l) => l.text.replace(/^.*?CLIENT: wsi \d+: /, ''));

describe('clientConnect retry', () => {
  it('connects on the 3rd attempt to a server that appears after the 2nd: same wsi and pss, no error', async () => {
    const port = await freePort();
    let up: Promise<unknown> | undefined;
    void logged(/attempt 2 of 5 failed/).then(() => (up = tcpServer((s) => s.end('hi'), port)));
    const { seen, done, wsi } = await connect({ port, retry: { attempts: 5, delaysMs: [20, 50], jitterPercent: 0 } });
    await done;
    expect(seen.events).toEqual(['adopt', 'rx hi']);
    expect(seen.errors).toEqual([]);
    expect(seen.wsis).toEqual([wsi]);
    expect(seen.pssMade).toBe(1);
    expect(texts(/connecting to/)).toEqual([1, 2, 3].map((n) => `connecting to 127.0.0.1:${port} (attempt ${n} of 5)`));
    await up;
  });

  it('reports one error after the last attempt, waiting the delays in order', async () => {
    const port = NOTHING_LISTENS;
    const { seen, wsi } = await connect({ port, retry: { attempts: 3, delaysMs: [20, 60], jitterPercent: 0 } });
    await logged(/Cannot connect/);
    await new Promise((r) => setTimeout(r, 100)); // room for a second error, were there one
    expect(seen.errors).toHaveLength(1);
    expect(seen.errors[0]?.code).toBe('LWS_ERR_CORE_CONNECT');
    expect(seen.errors[0]?.message).toBe(`Cannot connect: connect ECONNREFUSED 127.0.0.1:${port} (after 3 attempts)`);
    expect(wsi.closed).toBe(true);
    expect(texts(/failed|connecting/)).toEqual([
      `connecting to 127.0.0.1:${port} (attempt 1 of 3)`,
      `attempt 1 of 3 failed: connect ECONNREFUSED 127.0.0.1:${port}; retrying in 20 ms`,
      `connecting to 127.0.0.1:${port} (attempt 2 of 3)`,
      `attempt 2 of 3 failed: connect ECONNREFUSED 127.0.0.1:${port}; retrying in 60 ms`,
      `connecting to 127.0.0.1:${port} (attempt 3 of 3)`,
    ]);
    const at = (re: RegExp): number => lines.find((l) => re.test(l.text))?.t ?? NaN;
    // the order of the waits, not their exact ms: a GC pause may fall between arming and logging
    const waits = [at(/attempt 2 of 3\)/) - at(/attempt 1 of 3 failed/), at(/attempt 3 of 3\)/) - at(/attempt 2 of 3 failed/)];
    expect(waits[0]).toBeGreaterThanOrEqual(15);
    expect(waits[1]).toBeGreaterThanOrEqual(45);
    expect(waits[1]).toBeGreaterThan(waits[0] as number);
    expect((context as Context).sul.pendingCount).toBe(0);
    expect((context as Context).wsiCount).toBe(0);
  });

  it('retries a TLS failure: the server sees one connection per attempt', async () => {
    const server = await tcpServer((s) => s.destroy());
    const { seen, done } = await connect({ port: server.port, ssl: true, retry: { attempts: 3, delaysMs: [5], jitterPercent: 0 } });
    await done;
    expect(server.connections()).toBe(3);
    expect(seen.errors).toHaveLength(1);
    expect(seen.errors[0]?.message).toMatch(/^Cannot connect: .*TLS.* \(after 3 attempts\)$/);
  });

  it('retries an attempt that times out, with the timeout as the reason', async () => {
    const server = await tcpServer((s) => s.resume()); // reads, never speaks TLS
    const { seen, done } = await connect({ port: server.port, ssl: true, connectTimeoutSecs: 0.05, retry: { attempts: 2, delaysMs: [5] } });
    await done;
    expect(server.connections()).toBe(2);
    expect(seen.errors.map((e) => e.message)).toEqual(['Cannot connect: not connected within 0.05 s (after 2 attempts)']);
  });

  it('does not retry once the role has started: a peer that closes is the protocol business', async () => {
    const server = await tcpServer((s) => s.end('bye'));
    const { seen, done } = await connect({ port: server.port, retry: { attempts: 3, delaysMs: [5] } });
    await done;
    await until(() => (context as Context).wsiCount === 0);
    await new Promise((r) => setTimeout(r, 50)); // a retry, were there one, would have connected by now
    expect(seen.events).toEqual(['adopt', 'rx bye', 'close']);
    expect(seen.errors).toEqual([]);
    expect(server.connections()).toBe(1);
  });

  it('does not retry a failed ws handshake (the ws role had started)', async () => {
    const server = await tcpServer((s) => s.once('data', () => s.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n')));
    const errors: string[] = [];
    const p = defineProtocol({ name: 'w', clientConnectionError: (_w, _p, e) => void errors.push(e.message) });
    context = await createContext({ protocols: [p] });
    context.clientConnect({ address: '127.0.0.1', port: server.port, protocol: 'w', role: 'ws', retry: { attempts: 3, delaysMs: [5] } });
    await until(() => errors.length > 0 && (context as Context).wsiCount === 0);
    await new Promise((r) => setTimeout(r, 50));
    expect(errors).toHaveLength(1);
    expect(errors[0]).not.toMatch(/attempts?\)$/);
    expect(server.connections()).toBe(1);
  });

  it('stops waiting when the context is destroyed during the backoff: one error, no timer or wsi left', async () => {
    const { seen } = await connect({ port: NOTHING_LISTENS, retry: { attempts: 4, delaysMs: [60_000] } });
    await logged(/attempt 1 of 4 failed/);
    const c = context as Context;
    expect(c.sul.pendingCount).toBe(1);
    await c.destroy();
    expect(c.sul.pendingCount).toBe(0);
    expect(c.wsiCount).toBe(0);
    expect(seen.errors.map((e) => e.message)).toEqual(['Cannot connect: connection closed before it was established (after 1 attempt)']);
  });

  it('stops waiting when the wsi is closed during the backoff', async () => {
    const { seen, wsi } = await connect({ port: NOTHING_LISTENS, retry: { attempts: 4, delaysMs: [60_000] } });
    await logged(/attempt 1 of 4 failed/);
    wsi.close();
    await until(() => (context as Context).wsiCount === 0);
    expect((context as Context).sul.pendingCount).toBe(0);
    expect(seen.errors).toHaveLength(1);
  });

  it('keeps the h1 pool working: a request joins the connection being retried and both complete', async () => {
    const port = await freePort();
    void logged(/attempt 1 of 3 failed/).then(() =>
      tcpServer((s) => {
        let buf = '';
        s.on('data', (b) => {
          buf += b.toString('latin1');
          for (let i = buf.indexOf('\r\n\r\n'); i !== -1; i = buf.indexOf('\r\n\r\n')) {
            const path = buf.split(' ')[1] ?? '';
            buf = buf.slice(i + 4);
            s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${path.length}\r\n\r\n${path}`);
          }
        });
      }, port),
    );
    const done: string[] = [];
    const p = defineProtocol({
      name: 'h',
      receiveClientHttp: (_w, _p, chunk) => void done.push(chunk.toString()),
      clientConnectionError: (_w, _p, e) => void done.push(`error ${e.message}`),
    });
    context = await createContext({ protocols: [p] });
    const info = (path: string): ClientConnectInfo => ({ address: '127.0.0.1', port, path, protocol: 'h', role: 'http', extra: { pipeline: true }, retry: { attempts: 3, delaysMs: [30] } });
    const first = context.clientConnect(info('/a'));
    const second = context.clientConnect(info('/b'));
    expect(second.parent).toBe(first);
    await until(() => done.length === 2);
    expect(done).toEqual(['/a', '/b']);
  });
});

describe('retry options', () => {
  it('throws RangeError or TypeError at the call for a bad retry, opening nothing', async () => {
    context = await createContext({ protocols: [defineProtocol({ name: 'c' })] });
    const c = context;
    const call = (retry: unknown, more: Partial<ClientConnectInfo> = {}) => () =>
      c.clientConnect({ address: '127.0.0.1', port: 1, protocol: 'c', role: 'raw', retry: retry as ClientConnectInfo['retry'], ...more });
    expect(call({ attempts: 0 })).toThrow(new RangeError('Cannot connect: retry.attempts is 0, expected an integer of at least 1'));
    expect(call({ attempts: 1.5 })).toThrow(RangeError);
    expect(call({})).toThrow('Cannot connect: retry.attempts is undefined, expected an integer of at least 1');
    expect(call({ attempts: 2, delaysMs: [] })).toThrow(new RangeError('Cannot connect: retry.delaysMs is empty, expected at least one delay'));
    expect(call({ attempts: 2, delaysMs: [10, -1] })).toThrow(new RangeError('Cannot connect: retry.delaysMs[1] is -1, expected ms in 0..2147483647'));
    expect(call({ attempts: 2, delaysMs: [NaN] })).toThrow(RangeError);
    expect(call({ attempts: 2, delaysMs: [2 ** 31] })).toThrow(RangeError);
    expect(call({ attempts: 2, jitterPercent: 101 })).toThrow(new RangeError('Cannot connect: retry.jitterPercent is 101, expected 0..100'));
    expect(call({ attempts: 2, jitterPercent: -1 })).toThrow(RangeError);
    expect(call(null)).toThrow(new TypeError('Cannot connect: retry must be an object, got null'));
    expect(call({ attempts: 2, delaysMs: 100 })).toThrow(TypeError);
    expect(call(undefined, { connectTimeoutSecs: -1 })).toThrow(new RangeError('Cannot connect: connectTimeoutSecs is -1, expected 0..2147483'));
    expect(c.wsiCount).toBe(0);
    expect(c.sul.pendingCount).toBe(0);
  });

  it('fills in the lws defaults and copies the delays', () => {
    const delays = [5, 6];
    const p = resolveRetry({ attempts: 2, delaysMs: delays });
    delays[0] = 99;
    expect(p).toEqual({ attempts: 2, delaysMs: [5, 6], jitterPercent: 20 });
    expect(resolveRetry({ attempts: 3 })).toEqual({ attempts: 3, delaysMs: [100, 200, 400, 800, 1600], jitterPercent: 20 });
    expect(resolveRetry(undefined)).toBeUndefined();
  });

  it('takes the delay for each retry from the table, repeating its last entry, plus jitter up to the percentage', () => {
    const p = { attempts: 10, delaysMs: [10, 20, 40], jitterPercent: 50 };
    const none = (): number => 0;
    expect([1, 2, 3, 4, 9].map((n) => retryDelayMs(p, n, none))).toEqual([10, 20, 40, 40, 40]);
    expect(retryDelayMs(p, 2, () => 0.999999)).toBe(30);
    expect(retryDelayMs(p, 2, () => 0.5)).toBe(25);
    expect(retryDelayMs({ ...p, jitterPercent: 0 }, 1, () => 0.9)).toBe(10);
  });
});

/** Resolves once `cond()` holds, checking each turn of the event loop. */
async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setImmediate(r));
  }
}
