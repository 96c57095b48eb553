/*
 * ws interop with independently written peers: python3-websockets as the
 * client of minimal-ws-server-echo and as the echo server for
 * minimal-ws-client-echo (each with and without permessage-deflate), and
 * our clients against the lws C test server's dumb-increment-protocol and
 * lws-mirror-protocol, and the lws C test client against those two
 * protocols served by us (selftests/peers/ws-lws-test-protocols.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClientExample, startServerExample, type StartedServer } from '../lib/examples.js';
import { fileURLToPath } from 'node:url';
import { run, start, stopAll } from '../lib/processes.js';
import { PYTHON, runPythonClient, startLwsTestServer, startPythonEchoServer } from '../lib/ws-peers.js';

const SELFTESTS = fileURLToPath(new URL('../', import.meta.url));

afterAll(async () => {
  await stopAll();
});

describe('python3-websockets client against minimal-ws-server-echo', () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startServerExample('ws-server/minimal-ws-server-echo', ['--pmd']);
  });
  const url = (): string => `${server.url.replace(/^http/, 'ws')}/`;

  it('gets every message echoed byte for byte with permessage-deflate agreed, pings and closes 1000', async () => {
    const r = await runPythonClient(url(), ['--subprotocol', 'lws-minimal-server-echo']);
    expect(r).toMatchObject({ ok: true, echoed: 8, subprotocol: 'lws-minimal-server-echo', pong: true, close_code: 1000 });
    expect(r.extensions).toMatch(/^permessage-deflate/);
    expect(r.sha1).toBe('da8de868cea9fb67a07aa55b5f8f399ac7fd0888');
  });

  it('gets every message echoed without permessage-deflate', async () => {
    const r = await runPythonClient(url(), ['--no-deflate']);
    expect(r).toMatchObject({ ok: true, echoed: 8, extensions: null, subprotocol: null, pong: true, close_code: 1000 });
    expect(r.sha1).toBe('da8de868cea9fb67a07aa55b5f8f399ac7fd0888');
  });
});

describe.each([true, false])('minimal-ws-client-echo against a python3-websockets echo server (deflate %s)', (deflate) => {
  it('has every message echoed byte for byte and closes cleanly', async () => {
    const py = await startPythonEchoServer(deflate);
    const r = await runClientExample('ws-client/minimal-ws-client-echo', ['--url', `${py.url}/`, '--count', '12', '--pmd', '-d', '1287']);
    expect(r.output).toMatch(/USER: 12 messages echoed/);
    expect(r.ok).toBe(true);
    const closed = await py.running.waitFor(/CLOSED code=(\d+) messages=(\d+)/, 10_000);
    expect(closed.slice(1)).toEqual(['1000', '12']);
    const conn = py.running.output();
    expect(conn).toContain('subprotocol=lws-minimal-server-echo');
    if (deflate) expect(conn).toMatch(/extensions=permessage-deflate/);
    else expect(conn).toContain('extensions=None');
    expect(/ws client established.*permessage-deflate/.test(r.output)).toBe(deflate);
  });
});

describe('our clients against libwebsockets-test-server', () => {
  let port: number;
  beforeAll(async () => {
    ({ port } = await startLwsTestServer());
  });

  it.each([[false], [true]])('minimal-ws-client-rx counts dumb-increment-protocol up by one (pmd offered: %s)', async (pmd) => {
    const r = await runClientExample('ws-client/minimal-ws-client-rx', ['--port', String(port), '--increment', '--count', '6', ...(pmd ? ['--pmd'] : [])]);
    const rx = [...r.output.matchAll(/USER: RX: (\d+)/g)].map((m) => Number(m[1]));
    expect(rx).toHaveLength(6);
    expect(rx.map((n, i) => n - i)).toEqual(Array(6).fill(rx[0]));
    expect(r.ok).toBe(true);
  });

  it.each([[false], [true]])('minimal-ws-client-echo gets its messages back from lws-mirror-protocol (pmd offered: %s)', async (pmd) => {
    const r = await runClientExample('ws-client/minimal-ws-client-echo', ['--port', String(port), '--protocol', 'lws-mirror-protocol', '--text', '--max-size', '100', '--count', '8', ...(pmd ? ['--pmd'] : [])]);
    expect(r.output).toMatch(/USER: 8 messages echoed/);
    expect(r.ok).toBe(true);
  });
});

describe.each([true, false])('libwebsockets-test-client against our dumb-increment and mirror protocols (deflate %s)', (deflate) => {
  it('mirrors its drawing commands through us; without deflate its dumb-increment counts up', async () => {
    const server = start(process.execPath, ['--import', 'tsx', 'peers/ws-lws-test-protocols.ts', ...(deflate ? [] : ['--no-deflate'])], { cwd: SELFTESTS });
    const port = (await server.waitFor(/LISTENING ws:\/\/127\.0\.0\.1:(\d+)\r?\n/, 20_000))[1] as string;
    const lwsClient = start('libwebsockets-test-client', ['127.0.0.1', `--port=${port}`, '-d', '15']);
    await server.waitFor(/mirror rx 5: c #[0-9A-Fa-f]{6} \d+ \d+ \d+;/, 15_000);
    await lwsClient.waitFor(/mirror: LWS_CALLBACK_CLIENT_ESTABLISHED/, 10_000);
    if (!deflate) {
      await lwsClient.waitFor(/rx 1 '5'/, 10_000);
      const rx = [...lwsClient.output().matchAll(/I: rx \d+ '(\d+)'/g)].map((m) => Number(m[1]));
      expect(rx.slice(0, 6)).toEqual([0, 1, 2, 3, 4, 5]);
    } else {
      // lws 4.1.6's test client accepts our permessage-deflate but cannot build it for its
      // dumb-increment protocol (rx buffer < 128) and then reads nothing on that connection;
      // its mirror connection, with a big enough buffer, works compressed
      expect(lwsClient.output()).toContain('instantiating client ext permessage-deflate');
      expect(server.output()).toMatch(/ws established, protocol lws-mirror-protocol, permessage-deflate/);
    }
    await lwsClient.stop();
    await server.stop();
  });
});

describe('python3-websockets against minimal-ws-server-pmd-bulk', () => {
  it('inflates our 100-fragment compressed messages and has its own compressed ones verified', async () => {
    const server = await startServerExample('ws-server/minimal-ws-server-pmd-bulk');
    const r = await run(PYTHON, [`${SELFTESTS}peers/ws-python-pmd-bulk.py`, `${server.url.replace(/^http/, 'ws')}/`], 30_000);
    expect(r.code).toBe(0);
    expect(r.output).toMatch(/EXTENSIONS permessage-deflate/);
    expect(r.output).toContain('TEXT 409600 ok');
    expect(r.output).toContain('BINARY 409600 ok');
    expect(r.output).toContain('VERDICT verified 2 messages');
    await server.running.stop();
  });
});
