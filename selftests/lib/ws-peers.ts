/*
 * Independent ws peers for interop selftests: python3-websockets (Debian's,
 * run with /usr/bin/python3) as echo server and as client, and the lws C
 * test server (libwebsockets-test-server) bound to loopback on a free port.
 */
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { run, start, type Running } from './processes.js';

export const PYTHON = '/usr/bin/python3';
const PEERS = fileURLToPath(new URL('../peers/', import.meta.url));

/** Start the python echo server; resolves with its ws:// URL once it listens. */
export async function startPythonEchoServer(deflate: boolean): Promise<{ running: Running; url: string }> {
  const running = start(PYTHON, [`${PEERS}ws-python-echo-server.py`, ...(deflate ? [] : ['--no-deflate'])]);
  const m = await running.waitFor(/LISTENING (ws:\/\/[^\s]+)[^\n]*\n/, 15_000);
  return { running, url: m[1] as string };
}

export interface PythonClientResult {
  ok: boolean;
  echoed: number;
  extensions: string | null;
  subprotocol: string | null;
  pong?: boolean;
  sha1?: string;
  close_code?: number;
  error?: string;
}

/** Run the python client against an echo server; its last output line is JSON. */
export async function runPythonClient(url: string, args: string[] = []): Promise<PythonClientResult> {
  const r = await run(PYTHON, [`${PEERS}ws-python-client.py`, url, ...args], 30_000);
  const line = r.output.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as PythonClientResult;
  } catch {
    throw new Error(`python client exited ${r.code}: ${r.output}`);
  }
}

/** A TCP port free right now on 127.0.0.1 (for peers that cannot take port 0). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Resolves once something accepts TCP connections on the port (bounded tries). */
export async function accepting(port: number, tries = 100): Promise<void> {
  for (let i = 0; i < tries; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => setTimeout(() => resolve(false), 50));
    });
    if (ok) return;
  }
  throw new Error(`nothing accepts connections on 127.0.0.1:${port}`);
}

/** Start libwebsockets-test-server on loopback (`-i lo`) and a free port. */
export async function startLwsTestServer(): Promise<{ running: Running; port: number }> {
  const port = await freePort();
  const running = start('libwebsockets-test-server', [`--port=${port}`, '-i', 'lo', '-d', '15']);
  await running.waitFor(/Creating Vhost 'default' port \d+/, 15_000);
  await accepting(port);
  return { running, port };
}
