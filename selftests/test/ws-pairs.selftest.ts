/*
 * ws examples run against each other, as lws pairs them: each client
 * example against its server, asserting exit 0, `Completed: OK` and the
 * data that arrived; minimal-ws-server-pmd-corner against a
 * python3-websockets receiver that reports what arrived.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { exampleDir, runClientExample, startServerExample, type StartedServer } from '../lib/examples.js';
import { run, start, stopAll } from '../lib/processes.js';
import { PYTHON } from '../lib/ws-peers.js';

const PYTHON_RECEIVE = fileURLToPath(new URL('../peers/ws-python-receive.py', import.meta.url));

afterAll(async () => {
  await stopAll();
});

function wsUrl(http: string): string {
  return http.replace(/^http/, 'ws');
}

describe('minimal-ws-client-echo against minimal-ws-server-echo', () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startServerExample('ws-server/minimal-ws-server-echo', ['--pmd']);
  });

  it('echoes every message byte for byte, without permessage-deflate', async () => {
    const r = await runClientExample('ws-client/minimal-ws-client-echo', ['--url', `${wsUrl(server.url)}/`, '--count', '20']);
    expect(r.output).toContain('USER: established');
    expect(r.output).toMatch(/USER: 20 messages echoed, sha1 of last [0-9a-f]{40}/);
    expect(r.ok).toBe(true);
  });

  it('echoes every message byte for byte with permessage-deflate', async () => {
    const r = await runClientExample('ws-client/minimal-ws-client-echo', ['--url', `${wsUrl(server.url)}/`, '--count', '20', '--pmd', '-d', '1287']);
    expect(r.output).toContain('permessage-deflate');
    expect(r.output).toMatch(/USER: 20 messages echoed/);
    expect(r.ok).toBe(true);
  });

  it('fails cleanly with Completed: failed when nothing listens', async () => {
    const r = await runClientExample('ws-client/minimal-ws-client-echo', ['--port', '1']);
    expect(r.code).toBe(1);
    expect(r.output).toContain('Completed: failed');
  });
});

describe('minimal-ws-client-pmd-bulk against minimal-ws-server-pmd-bulk', () => {
  it.each([[[]], [['--no-pmd']]])('moves 2 x 400 KiB each way in 4 KiB fragments, verified on both sides (%j)', async (flags) => {
    const server = await startServerExample('ws-server/minimal-ws-server-pmd-bulk', flags);
    const r = await runClientExample('ws-client/minimal-ws-client-pmd-bulk', ['--url', `${wsUrl(server.url)}/`, '-d', '1287', ...flags]);
    expect(r.output).toContain('USER: text message of 409600 bytes verified');
    expect(r.output).toContain('USER: binary message of 409600 bytes verified');
    expect(r.output).toContain('USER: server says: verified 2 messages');
    expect(/ws client established.*permessage-deflate/.test(r.output)).toBe(flags.length === 0);
    expect(r.ok).toBe(true);
    await server.running.waitFor(/binary message of 409600 bytes verified/, 10_000);
    await server.running.stop();
  });
});

// minimal-ws-server drops messages when its 8-slot ring is full, so at most 8 senders
// at once there; the ring server pauses senders instead and takes 20
describe.each([
  ['ws-server/minimal-ws-server', '8'],
  ['ws-server/minimal-ws-server-ring', '20'],
])('minimal-ws-client-spam against %s', (example, limit) => {
  it(`completes 200 connections, ${limit} at a time, each sending and receiving a broadcast`, async () => {
    const server = await startServerExample(example);
    const r = await runClientExample('ws-client/minimal-ws-client-spam', ['--url', `${wsUrl(server.url)}/`, '--count', '200', '--limit', limit]);
    expect(r.output).toContain('USER: 200 of 200 connections completed, 0 errors');
    expect(r.ok).toBe(true);
    await server.running.stop();
  });
});

describe('minimal-ws-client-tx and minimal-ws-client-rx through minimal-ws-broker', () => {
  it('delivers what the publisher sends to the subscriber, in order', async () => {
    const broker = await startServerExample('ws-server/minimal-ws-broker');
    const rx = start(process.execPath, ['--import', 'tsx', 'main.ts', '--url', `${wsUrl(broker.url)}/`, '--protocol', 'lws-minimal-broker', '--count', '8'], { cwd: exampleDir('ws-client/minimal-ws-client-rx') });
    await rx.waitFor(/USER: established/, 20_000);
    await broker.running.waitFor(/USER: subscriber joined/, 10_000);
    const tx = await runClientExample('ws-client/minimal-ws-client-tx', ['--url', `${wsUrl(broker.url)}/publisher`, '--count', '8', '--interval', '20']);
    expect(tx.output).toContain('USER: sent 8 messages');
    expect(tx.ok).toBe(true);
    expect(await rx.exited).toBe(0);
    expect([...rx.output().matchAll(/USER: RX: (.*)/g)].map((m) => m[1])).toEqual(Array.from({ length: 8 }, (_, i) => `tx: ${i}`));
    expect(rx.output()).toContain('Completed: OK');
    await broker.running.stop();
  });
});

describe('minimal-ws-client-ping against minimal-ws-server-echo', () => {
  it('gets each ping answered with its own payload', async () => {
    const server = await startServerExample('ws-server/minimal-ws-server-echo');
    const r = await runClientExample('ws-client/minimal-ws-client-ping', ['--url', `${wsUrl(server.url)}/`, '--count', '5', '--interval', '20']);
    expect([...r.output.matchAll(/USER: pong (\d+): [\d.]+ ms/g)].map((m) => Number(m[1]))).toEqual([0, 1, 2, 3, 4]);
    expect(r.ok).toBe(true);
    await server.running.stop();
  });
});

describe('minimal-ws-server-pmd-corner', () => {
  it.each([[true], [false]])('delivers every corner case byte for byte to python3-websockets (deflate %s)', async (deflate) => {
    const server = await startServerExample('ws-server/minimal-ws-server-pmd-corner');
    const r = await run(PYTHON, [PYTHON_RECEIVE, `${wsUrl(server.url)}/`, ...(deflate ? [] : ['--no-deflate'])], 30_000);
    expect(r.code).toBe(0);
    expect(r.output).toContain(deflate ? 'EXTENSIONS permessage-deflate' : 'EXTENSIONS None');
    const got = [...r.output.matchAll(/got (\d+): (\w+ \d+ [0-9a-f]{40})/g)].map((m) => `${m[1]}: ${m[2]}`);
    await server.running.waitFor(/sent 11: /, 10_000);
    const sent = [...server.running.output().matchAll(/USER: sent (\d+): (\w+ \d+ [0-9a-f]{40})/g)].map((m) => `${m[1]}: ${m[2]}`);
    expect(got).toHaveLength(12);
    expect(got).toEqual(sent);
    await server.running.stop();
  });

  it('delivers every corner case to minimal-ws-client-rx with permessage-deflate', async () => {
    const server = await startServerExample('ws-server/minimal-ws-server-pmd-corner');
    const r = await runClientExample('ws-client/minimal-ws-client-rx', ['--url', `${wsUrl(server.url)}/`, '--protocol', 'lws-minimal-pmd-corner', '--count', '13', '--pmd']);
    const rx = [...r.output.matchAll(/USER: RX: (.*)/g)].map((m) => m[1]);
    expect(rx).toHaveLength(13);
    expect(rx.slice(9, 13)).toEqual(['hello world', rx[10], 'price: €42', 'done']);
    expect(rx[7]).toBe(`${'a'.repeat(64)}... (262144 bytes)`);
    expect(r.ok).toBe(true);
    await server.running.stop();
  });
});
