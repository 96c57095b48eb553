/*
 * minimal-ws-proxy between independent and our own peers: python3-websockets
 * and minimal-ws-client-echo talk through it to minimal-ws-server-echo and
 * get every message back byte for byte; with the upstream unreachable the
 * proxy closes its client with 1011; 200 messages sent before any is read
 * (so the proxy's 8-message queues pause the sender again and again) come
 * back complete and in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClientExample, startServerExample, type StartedServer } from '../lib/examples.js';
import { run, stopAll } from '../lib/processes.js';
import { freePort, PYTHON, runPythonClient } from '../lib/ws-peers.js';

const ws = (url: string): string => `${url.replace(/^http/, 'ws').replace(/\/$/, '')}/`;

let echo: StartedServer;
let proxy: StartedServer;

beforeAll(async () => {
  echo = await startServerExample('ws-server/minimal-ws-server-echo');
  proxy = await startServerExample('client-server/minimal-ws-proxy', ['--upstream', ws(echo.url), '-d', '1039']);
});
afterAll(async () => {
  await stopAll();
});

describe('minimal-ws-proxy in front of minimal-ws-server-echo', () => {
  it('passes python3-websockets\' text and binary messages (0 B to 300 kB) both ways byte for byte, and its close', async () => {
    const r = await runPythonClient(ws(proxy.url), ['--no-deflate']);
    expect(r).toMatchObject({ ok: true, echoed: 8, pong: true, close_code: 1000 });
    expect(r.sha1).toBe('da8de868cea9fb67a07aa55b5f8f399ac7fd0888');
    expect(proxy.running.output()).toMatch(/upstream ws:\/\/127\.0\.0\.1:\d+\/ established as wsi \d+/);
  });

  it('passes minimal-ws-client-echo\'s messages through and back', async () => {
    const r = await runClientExample('ws-client/minimal-ws-client-echo', ['--url', ws(proxy.url), '--protocol', 'lws-minimal-proxy', '--count', '30']);
    expect(r.output).toMatch(/USER: 30 messages echoed, sha1 of last [0-9a-f]{40}/);
    expect(r.ok).toBe(true);
  });

  it('keeps 200 pipelined messages in order when the client sends them all before reading', async () => {
    const code = `
import asyncio, sys, websockets
async def main():
    async with websockets.connect(sys.argv[1], compression=None, max_size=None) as ws:
        msgs = [f"msg {i} " + "x" * (i * 97 % 5000) for i in range(200)]
        for m in msgs: await ws.send(m)
        back = [await asyncio.wait_for(ws.recv(), 10) for _ in msgs]
        print("ORDER", "ok" if back == msgs else "bad", flush=True)
asyncio.run(main())
`;
    const r = await run(PYTHON, ['-c', code, ws(proxy.url)], 30_000);
    expect(r.output).toContain('ORDER ok');
    expect(r.code).toBe(0);
  });
});

describe('minimal-ws-proxy with its upstream down', () => {
  it('closes its client with 1011 "upstream unreachable"', async () => {
    const dead = await freePort();
    const p = await startServerExample('client-server/minimal-ws-proxy', ['--upstream', `ws://127.0.0.1:${dead}/`]);
    const code = `
import asyncio, sys, websockets
async def main():
    async with websockets.connect(sys.argv[1], compression=None) as ws:
        try:
            await asyncio.wait_for(ws.recv(), 10)
        except websockets.ConnectionClosed:
            pass
        print("CLOSED", ws.close_code, ws.close_reason, flush=True)
asyncio.run(main())
`;
    const r = await run(PYTHON, ['-c', code, ws(p.url)], 20_000);
    expect(r.output).toContain('CLOSED 1011 upstream unreachable');
    expect(p.running.output()).toMatch(/WARN: wsi \d+: upstream ws:\/\/127\.0\.0\.1:\d+\/ failed: Cannot connect/);
    await p.running.stop();
  });
});
