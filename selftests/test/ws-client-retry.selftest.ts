/*
 * minimal-ws-client-echo --retry (issue 4): started before its server
 * exists, it keeps trying with backoff and completes once
 * minimal-ws-server-echo comes up on the port; with nothing ever listening
 * it fails once, after its last attempt, and exits 1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { exampleDir, runClientExample } from '../lib/examples.js';
import { start, stopAll } from '../lib/processes.js';
import { freePort } from '../lib/ws-peers.js';

const TSX = ['--import', 'tsx', 'main.ts'];

afterEach(async () => {
  await stopAll();
});

describe('minimal-ws-client-echo --retry', () => {
  it('connects to a server that starts after its first attempt failed, and completes', async () => {
    const port = String(await freePort());
    // 10 retries wait 100 + 200 + 400 + 800 + 1600 x 6 ms at least: time for the server to start
    const client = start(process.execPath, [...TSX, '--port', port, '--retry', '10', '--count', '5', '-d', '1287'], { cwd: exampleDir('ws-client/minimal-ws-client-echo') });
    await client.waitFor(/attempt 1 of 11 failed: connect ECONNREFUSED/, 20_000);
    const server = start(process.execPath, [...TSX, '--port', port], { cwd: exampleDir('ws-server/minimal-ws-server-echo') });
    await server.waitFor(/USER: .*ws:\/\//, 20_000);
    expect(await client.exited).toBe(0);
    const out = client.output();
    expect(out).toContain('USER: established');
    expect(out).toContain('USER: Completed: OK');
    expect(out).not.toContain('connection error');
  });

  it('fails once, after the last attempt, when nothing ever listens', async () => {
    const r = await runClientExample('ws-client/minimal-ws-client-echo', ['--port', '1', '--retry', '2']);
    expect(r.code).toBe(1);
    expect(r.output.match(/connection error/g)).toHaveLength(1);
    expect(r.output).toContain('ERR: connection error: Cannot connect: connect ECONNREFUSED 127.0.0.1:1 (after 3 attempts)');
    expect(r.output).toContain('USER: Completed: failed');
  });
});
