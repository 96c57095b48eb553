/*
 * HTTP/1.1 client requests per second: our httpRequest against undici and
 * Node's http.request (keep-alive agent), GETs of a small body from one
 * Node http server running in a child process (so the server does not
 * share this event loop). Two modes: sequential (1 in flight) and
 * concurrent (10 in flight, up to 10 connections each). Contenders
 * alternate within each round; each cell is the median of ROUNDS rounds
 * after a warm-up round. Prints a markdown table of req/s and ours/peer.
 * About 15 s.
 *
 * Equivalent settings: every contender keeps connections alive and runs at
 * most one request per connection at a time, on up to 10 connections.
 * undici: Pool with connections 10 and its default pipelining of 1. Ours:
 * httpRequest defaults (keepAlive: true pools connections and may pipeline
 * GETs, but a request takes an idle connection, or opens one while under
 * maxConnectionsPerHost 10, before it queues, so with at most 10 in flight
 * nothing is pipelined). Node: Agent with keepAlive and maxSockets 10. The
 * heads differ slightly: ours sends user-agent and accept (74 bytes),
 * undici connection: keep-alive (65 bytes).
 *
 *   cd bench && tsx http-client.ts
 */
import { spawn } from 'node:child_process';
import { Agent, request as nodeRequest } from 'node:http';
import { createContext, httpRequest, setLogLevel } from '@lws/core';
import { Pool } from 'undici';

const ROUNDS = 5;
const BATCH_MS = 400; // per contender per round
const MAX_REQUESTS = 20_000; // per contender per round
const IN_FLIGHT = 10;
const BODY = 'hello world, this is a small body\n';

const SERVER = `
const http = require('node:http');
const body = Buffer.from(${JSON.stringify(BODY)});
const s = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length }); res.end(body); });
s.keepAliveTimeout = 30000;
s.listen(0, '127.0.0.1', () => console.log('port ' + s.address().port));
`;

type Get = () => Promise<void>;

async function startServer(): Promise<{ port: number; stop(): void }> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { port, stop: () => void child.kill('SIGTERM') };
}

/** Requests per second of `get` with `inFlight` requests outstanding, over one bounded batch. */
async function rate(get: Get, inFlight: number): Promise<number> {
  let done = 0;
  let started = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (performance.now() - t0 < BATCH_MS && started < MAX_REQUESTS) {
      started++;
      await get();
      done++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return (done * 1000) / (performance.now() - t0);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] as number;
}

/** Median req/s per contender; the order rotates every round. */
async function race(gets: Get[], inFlight: number): Promise<number[]> {
  const samples: number[][] = gets.map(() => []);
  for (let round = -1; round < ROUNDS; round++) {
    for (let k = 0; k < gets.length; k++) {
      const i = (k + Math.max(round, 0)) % gets.length;
      const r = await rate(gets[i] as Get, inFlight);
      if (round >= 0) samples[i]?.push(r);
    }
  }
  return samples.map(median);
}

function check(body: Buffer | string): void {
  if (body.toString() !== BODY) throw new Error(`unexpected body ${JSON.stringify(body.toString().slice(0, 40))}`);
}

async function main(): Promise<void> {
  setLogLevel(1);
  const server = await startServer();
  const url = `http://127.0.0.1:${server.port}/`;
  const context = await createContext({});
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { connections: IN_FLIGHT });
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });

  const ours: Get = async () => check((await httpRequest(context, { url, maxConnectionsPerHost: IN_FLIGHT })).body);
  const undici: Get = async () => {
    const r = await pool.request({ path: '/', method: 'GET' });
    check(Buffer.from(await r.body.arrayBuffer()));
  };
  const node: Get = () =>
    new Promise((resolve, reject) => {
      const req = nodeRequest(url, { agent }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (b: Buffer) => parts.push(b));
        res.on('end', () => {
          try {
            check(Buffer.concat(parts));
            resolve();
          } catch (err) {
            reject(err);
          }
        });
      });
      req.on('error', reject);
      req.end();
    });

  const rows: string[] = [];
  for (const [mode, inFlight] of [['sequential', 1], [`concurrent (${IN_FLIGHT} in flight)`, IN_FLIGHT]] as const) {
    const [o, u, n] = (await race([ours, undici, node], inFlight)) as [number, number, number];
    rows.push(`| ${mode} | ${o.toFixed(0)} | ${u.toFixed(0)} | ${n.toFixed(0)} | ${(o / u).toFixed(2)} | ${(o / n).toFixed(2)} |`);
  }
  console.log(`\nHTTP/1.1 GET of a ${BODY.length}-byte body, req/s (median of ${ROUNDS} rounds of ${BATCH_MS} ms), Node ${process.version}\n`);
  console.log('| mode | ours | undici | node http | ours/undici | ours/node |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) console.log(r);
  await pool.close();
  agent.destroy();
  await context.destroy();
  server.stop();
}

await main();
